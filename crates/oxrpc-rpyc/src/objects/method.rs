//! Bound methods of local objects.

use super::cannot_access;
use super::wrapper::MethodWrapper;
use crate::config::SAFE_ATTRS;
use crate::core::{Context, ObjectRef, Reply, RpcObject, Value};
use crate::wire::vinegar::RemoteException;
use std::sync::Arc;

/// A method of a local object, fetched with `getattr` to be called later.
pub struct BoundMethod {
    /// The object the method belongs to.
    pub target: ObjectRef,
    /// The method name.
    pub name: String,
}

impl RpcObject for BoundMethod {
    fn type_name(&self) -> &str {
        "builtins.method"
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
        cx: &Context,
        name: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    ) -> Reply {
        if name == "__call__" {
            return self.call(cx, args, kwargs);
        }
        Reply::error(cannot_access(name))
    }
    fn label(&self) -> String {
        self.name.clone()
    }
    fn getattr(self: Arc<Self>, _cx: &Context, name: &str) -> Reply {
        let this: ObjectRef = self.clone();
        if let Some(wrapper) = MethodWrapper::lookup(this, name) {
            return Reply::value(Value::Object(Arc::new(wrapper)));
        }
        // rpyc's policy on a method object: safe names it lacks are
        // missing, every other name is refused.
        Reply::error(if SAFE_ATTRS.contains(&name) {
            RemoteException::no_attribute("method", name, &self.repr())
        } else {
            cannot_access(name)
        })
    }
    fn repr(&self) -> String {
        // Python names the function the lookup resolved to: a service's
        // `get_answer` is its `exposed_get_answer`.
        let class = self.target.type_name();
        let class = class.rsplit('.').next().unwrap_or(class);
        let prefix = if self.name.starts_with("get_service_") || self.name.starts_with('_') {
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
