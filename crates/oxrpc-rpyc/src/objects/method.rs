//! Bound methods of local objects.

use super::cannot_access;
use super::wrapper::MethodWrapper;
use crate::config::SAFE_ATTRS;
use crate::core::{CompareOp, Context, ObjectRef, Reply, RpcObject, RpcResult, Value};
use crate::wire::brine::BrineValue;
use crate::wire::vinegar::RemoteException;
use std::sync::Arc;

/// A method of a local object, fetched with `getattr` to be called later.
pub struct BoundMethod {
    /// The object the method belongs to.
    pub target: ObjectRef,
    /// The method name.
    pub name: String,
}

impl BoundMethod {
    /// The method's docstring: rpyc's own, as written in its source, for
    /// the two classmethods every service inherits; otherwise the doc its
    /// object lists for it (see [`RpcObject::methods`]).
    fn doc(&self) -> Option<String> {
        match self.name.as_str() {
            "get_service_aliases" => {
                return Some("returns a list of the aliases of this service".into())
            }
            "get_service_name" => {
                return Some(
                    "returns the canonical name of the service (which is its first\n        alias)"
                        .into(),
                )
            }
            _ => {}
        }
        let exposed = format!("exposed_{}", self.name);
        self.target
            .methods()
            .into_iter()
            .find(|(name, _)| *name == self.name || *name == exposed)
            .map(|(_, doc)| doc)
            .filter(|doc| !doc.is_empty())
    }
}

impl RpcObject for BoundMethod {
    fn type_name(&self) -> &str {
        "builtins.method"
    }
    /// A Python bound method's.
    fn dir(&self) -> Vec<String> {
        super::python_dir(["__call__", "__func__", "__self__"])
    }
    fn call(
        self: Arc<Self>,
        cx: &Context,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    ) -> Reply {
        self.target.clone().callattr(cx, &self.name, args, kwargs)
    }
    fn callattr(
        self: Arc<Self>,
        _cx: &Context,
        name: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    ) -> Reply {
        // `__call__` is not among rpyc's safe attributes: a peer calls a
        // method with `HANDLE_CALL`.
        // `format(m)`, `m == n`, `hash(m)` from a Python peer arrive as
        // calls of the method's own dunders.
        let this: ObjectRef = self.clone();
        match MethodWrapper::lookup(this, name) {
            Some(wrapper) if kwargs.is_empty() => Reply::Ready(wrapper.invoke(args)),
            Some(wrapper) => Reply::error(RemoteException::type_error(wrapper.no_keywords())),
            None => Reply::error(cannot_access(name)),
        }
    }
    fn label(&self) -> String {
        self.name.clone()
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    /// As Python's bound methods: equal when they bind the same name to the
    /// same object, however many times the method was looked up.
    fn compare(&self, other: &Value, op: CompareOp) -> RpcResult {
        let other = match other {
            Value::Object(other) => other
                .as_any()
                .and_then(|any| any.downcast_ref::<BoundMethod>()),
            _ => None,
        };
        let same =
            other.map(|other| Arc::ptr_eq(&self.target, &other.target) && self.name == other.name);
        Ok(match (op, same) {
            (CompareOp::Eq, Some(same)) => Value::Brine(BrineValue::Bool(same)),
            (CompareOp::Ne, Some(same)) => Value::Brine(BrineValue::Bool(!same)),
            _ => Value::Brine(BrineValue::NotImplemented),
        })
    }
    /// Consistent with [`BoundMethod::compare`]: the object's hash and the
    /// name's.
    fn hash(&self) -> Result<i64, RemoteException> {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::hash::DefaultHasher::new();
        self.target.hash()?.hash(&mut hasher);
        self.name.hash(&mut hasher);
        Ok(hasher.finish() as i64)
    }
    fn getattr(self: Arc<Self>, _cx: &Context, name: &str) -> Reply {
        if name == "__doc__" {
            return Reply::value(self.doc().map_or(Value::NONE, Value::string));
        }
        let this: ObjectRef = self.clone();
        if let Some(wrapper) = MethodWrapper::lookup(this, name) {
            return Reply::value(Value::Object(Arc::new(wrapper)));
        }
        // rpyc's policy on a method object: safe names and `exposed_` ones
        // pass its check and are then missing, every other name is
        // refused. A bound method looks a name it lacks up on its
        // function, so the function is what has no such attribute.
        Reply::error(
            if name.starts_with("exposed_") || SAFE_ATTRS.contains(&name) {
                RemoteException::no_attribute("function", name, &self.repr())
            } else {
                cannot_access(name)
            },
        )
    }
    fn repr(&self) -> String {
        // Python names the function the lookup resolved to: a service's
        // `get_answer` is its `exposed_get_answer`.
        let qualified = self.target.type_name();
        let class = qualified.rsplit('.').next().unwrap_or(qualified);
        if self.name.starts_with("get_service_") {
            // rpyc's classmethods, bound to the service's class.
            return format!(
                "<bound method Service.{} of <class '{qualified}'>>",
                self.name
            );
        }
        let prefix = if self.name.starts_with('_') {
            ""
        } else {
            "exposed_"
        };
        format!(
            "<bound method {class}.{prefix}{} of {}>",
            self.name,
            self.target.repr()
        )
    }
}
