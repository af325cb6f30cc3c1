//! The dunder methods every Python object inherits from `object`.
//!
//! rpyc's default policy lets a peer reach an object's "safe" dunders, and
//! a service instance has the ones `object` gives every instance:
//! `__repr__`, `__str__`, the rich comparisons, `__hash__` and
//! `__format__`. A Python peer fetching `conn.root.__str__` gets a
//! `method-wrapper` it can call; the same calls work here on any object,
//! with `object`'s semantics (identity equality, `NotImplemented` for
//! ordering, `format()` with an empty spec only).

use crate::core::{CompareOp, Context, ObjectRef, Reply, RpcObject, RpcResult, Value};
use crate::wire::brine::BrineValue;
use crate::wire::vinegar::RemoteException;
use std::sync::Arc;

/// The dunders of `object` that rpyc's default policy lets a peer reach.
const OBJECT_DUNDERS: &[&str] = &[
    "__repr__",
    "__str__",
    "__eq__",
    "__ne__",
    "__lt__",
    "__le__",
    "__gt__",
    "__ge__",
    "__hash__",
    "__format__",
];

/// One of `object`'s dunder methods, bound to a local object: a
/// `builtins.method-wrapper` to the peer (a slot such as `__eq__`), or for
/// `__format__`, which `object` defines as a plain method, a
/// `builtins.builtin_function_or_method`.
pub struct MethodWrapper {
    /// The object the method belongs to.
    pub target: ObjectRef,
    /// The dunder's name.
    pub name: &'static str,
}

impl MethodWrapper {
    /// `getattr(target, name)` when `name` is one of `object`'s dunders.
    pub fn lookup(target: ObjectRef, name: &str) -> Option<MethodWrapper> {
        let name = OBJECT_DUNDERS.iter().find(|d| **d == name)?;
        Some(MethodWrapper { target, name })
    }

    /// `__format__` is a built-in method of `object`; the others are slot
    /// wrappers.
    fn is_builtin_method(&self) -> bool {
        self.name == "__format__"
    }

    /// The short name of the target's type (`MyService`, `method`).
    fn owner(&self) -> &str {
        let class = self.target.type_name();
        class.rsplit('.').next().unwrap_or(class)
    }

    /// CPython's refusal of keyword arguments, in each kind's words.
    pub fn no_keywords(&self) -> String {
        if self.is_builtin_method() {
            format!(
                "{}.{}() takes no keyword arguments",
                self.owner(),
                self.name
            )
        } else {
            format!("wrapper {}() takes no keyword arguments", self.name)
        }
    }

    /// Calls the dunder with `args`, as `object` implements it.
    pub fn invoke(&self, args: Vec<Value>) -> RpcResult {
        let expect = |n: usize| {
            if args.len() == n {
                Ok(())
            } else if self.is_builtin_method() {
                // CPython's METH_O wording, under the bound method's
                // qualified name.
                Err(RemoteException::type_error(format!(
                    "{}.{}() takes exactly one argument ({} given)",
                    self.owner(),
                    self.name,
                    args.len()
                )))
            } else {
                Err(RemoteException::type_error(format!(
                    "expected {n} argument{}, got {}",
                    if n == 1 { "" } else { "s" },
                    args.len()
                )))
            }
        };
        match self.name {
            "__repr__" | "__str__" => {
                expect(0)?;
                Ok(Value::string(self.target.repr()))
            }
            "__hash__" => {
                expect(0)?;
                Ok(Value::from(self.target.hash()?))
            }
            "__format__" => {
                expect(1)?;
                match &args[0] {
                    Value::Brine(BrineValue::Str(spec)) if spec.is_empty() => {
                        Ok(Value::string(self.target.repr()))
                    }
                    Value::Brine(BrineValue::Str(_)) => Err(RemoteException::type_error(format!(
                        "unsupported format string passed to {}.__format__",
                        self.owner()
                    ))),
                    other => Err(RemoteException::type_error(format!(
                        "__format__() argument must be str, not {}",
                        other.python_type()
                    ))),
                }
            }
            compare => {
                expect(1)?;
                match CompareOp::from_dunder(compare) {
                    Some(op) => self.target.compare(&args[0], op),
                    None => Ok(Value::Brine(BrineValue::NotImplemented)),
                }
            }
        }
    }
}

impl RpcObject for MethodWrapper {
    fn type_name(&self) -> &str {
        if self.is_builtin_method() {
            "builtins.builtin_function_or_method"
        } else {
            "builtins.method-wrapper"
        }
    }

    fn call(
        self: Arc<Self>,
        _cx: &Context,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    ) -> Reply {
        if !kwargs.is_empty() {
            return Reply::error(RemoteException::type_error(self.no_keywords()));
        }
        Reply::Ready(self.invoke(args))
    }

    /// rpyc's policy: `__call__` is not a safe attribute (a peer calls a
    /// method-wrapper with `HANDLE_CALL`).
    fn callattr(
        self: Arc<Self>,
        _cx: &Context,
        name: &str,
        _args: Vec<Value>,
        _kwargs: Vec<(String, Value)>,
    ) -> Reply {
        Reply::error(RemoteException::cannot_access(name))
    }

    fn label(&self) -> String {
        self.name.to_owned()
    }

    fn repr(&self) -> String {
        let address = Arc::as_ptr(&self.target) as *const () as usize;
        if self.is_builtin_method() {
            format!(
                "<built-in method {} of {} object at {address:#x}>",
                self.name,
                self.owner()
            )
        } else {
            format!(
                "<method-wrapper '{}' of {} object at {address:#x}>",
                self.name,
                self.owner()
            )
        }
    }

    fn dir(&self) -> Vec<String> {
        Vec::new()
    }
}
