//! Instance dispatch: one object answers every method it likes.
//!
//! CPython's `register_instance(obj)` hands every call no registered
//! function took to `obj._dispatch(method, params)`, and asks
//! `obj._listMethods()` / `obj._methodHelp(name)` when introspected. A
//! [`Dispatch`] implementation is that object: it sees the method name and
//! the raw parameters (and the request, for servers that care who calls),
//! and returns a value or a fault. Useful for proxies, generated APIs and
//! anything whose methods are not known when the server starts.
//!
//! Registered functions and the `system.*` methods are looked up first,
//! as in CPython; the instance gets the rest.

use crate::context::RequestContext;
use crate::fault::Fault;
use crate::value::Value;
use std::future::Future;
use std::pin::Pin;

/// An object that answers calls by name (CPython's `_dispatch`).
///
/// ```
/// use oxrpc_xmlrpc::{Dispatch, Fault, Registry, RequestContext, Value};
///
/// struct Echo;
///
/// impl Dispatch for Echo {
///     async fn dispatch(
///         &self,
///         method: &str,
///         params: Vec<Value>,
///         _context: &RequestContext,
///     ) -> Result<Value, Fault> {
///         match method.strip_prefix("echo.") {
///             Some(_) => Ok(Value::Array(params)),
///             None => Err(Fault::method_not_supported(method)),
///         }
///     }
///     fn list_methods(&self) -> Vec<String> {
///         vec!["echo.anything".into()]
///     }
/// }
///
/// let mut methods = Registry::new();
/// methods.register_instance(Echo);
/// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// let answer = rt.block_on(methods.dispatch("echo.x", vec![Value::Int(1)]));
/// assert_eq!(answer, Ok(Value::Array(vec![Value::Int(1)])));
/// ```
pub trait Dispatch: Send + Sync + 'static {
    /// Answers `method` called with `params`.
    fn dispatch(
        &self,
        method: &str,
        params: Vec<Value>,
        context: &RequestContext,
    ) -> impl Future<Output = Result<Value, Fault>> + Send;

    /// Names `system.listMethods` adds (CPython's `_listMethods`).
    fn list_methods(&self) -> Vec<String> {
        Vec::new()
    }

    /// Help text for `method` (CPython's `_methodHelp`); `None` when this
    /// object has none.
    fn method_help(&self, method: &str) -> Option<String> {
        let _ = method;
        None
    }

    /// `[return type, parameter types...]` for `method`, as
    /// `system.methodSignature` lists them; `None` when unknown.
    fn method_signature(&self, method: &str) -> Option<Vec<String>> {
        let _ = method;
        None
    }
}

/// The future an erased instance returns.
pub(crate) type DispatchFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Value, Fault>> + Send + 'a>>;

/// [`Dispatch`] behind a pointer.
pub(crate) trait ErasedDispatch: Send + Sync + 'static {
    fn dispatch<'a>(
        &'a self,
        method: &'a str,
        params: Vec<Value>,
        context: &'a RequestContext,
    ) -> DispatchFuture<'a>;
    fn list_methods(&self) -> Vec<String>;
    fn method_help(&self, method: &str) -> Option<String>;
    fn method_signature(&self, method: &str) -> Option<Vec<String>>;
}

impl<D: Dispatch> ErasedDispatch for D {
    fn dispatch<'a>(
        &'a self,
        method: &'a str,
        params: Vec<Value>,
        context: &'a RequestContext,
    ) -> DispatchFuture<'a> {
        Box::pin(Dispatch::dispatch(self, method, params, context))
    }
    fn list_methods(&self) -> Vec<String> {
        Dispatch::list_methods(self)
    }
    fn method_help(&self, method: &str) -> Option<String> {
        Dispatch::method_help(self, method)
    }
    fn method_signature(&self, method: &str) -> Option<Vec<String>> {
        Dispatch::method_signature(self, method)
    }
}
