//! Bound methods of local objects.

use super::cannot_access;
use crate::core::{Context, ObjectRef, Reply, RpcObject, Value};
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
    fn repr(&self) -> String {
        format!("<bound method {} of {}>", self.name, self.target.repr())
    }
}
