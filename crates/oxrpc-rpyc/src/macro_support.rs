//! Helpers the `#[service]` macro's generated code calls. Not a public API.

use crate::core::{Context, FromValue, IntoValue, Reply, RpcResult, Value};
use crate::objects::BoundMethod;
use crate::wire::vinegar::RemoteException;
use oxrpc_pyfmt::Signature;
use std::sync::Arc;

/// What an exposed method may return.
pub trait IntoRpcResult {
    /// The value or the exception.
    fn into_rpc_result(self) -> RpcResult;
}

impl<T: IntoValue> IntoRpcResult for T {
    fn into_rpc_result(self) -> RpcResult {
        Ok(self.into_value())
    }
}

impl<T: IntoValue, E: Into<RemoteException>> IntoRpcResult for Result<T, E> {
    fn into_rpc_result(self) -> RpcResult {
        self.map(IntoValue::into_value).map_err(Into::into)
    }
}

/// Converts what an exposed async method returned.
pub fn into_result(value: impl IntoRpcResult) -> RpcResult {
    value.into_rpc_result()
}

/// What an exposed sync method may return: anything an async one may, or
/// a [`Reply`] of its own (a method that answers through a responder).
pub trait IntoReply {
    /// The reply.
    fn into_reply(self) -> Reply;
}

impl<T: IntoRpcResult> IntoReply for T {
    fn into_reply(self) -> Reply {
        Reply::Ready(self.into_rpc_result())
    }
}

impl IntoReply for Reply {
    fn into_reply(self) -> Reply {
        self
    }
}

/// Converts what an exposed sync method returned.
pub fn into_reply(value: impl IntoReply) -> Reply {
    value.into_reply()
}

/// The qualified name Python shows in a method's errors:
/// `MyService.exposed_get_answer`.
pub fn qualname(service: &str, method: &str) -> String {
    format!("{service}.exposed_{method}")
}

/// Binds positional and keyword arguments to the parameters `params` as
/// Python does (and with CPython's `TypeError` wording, counting `self`):
/// the result holds one value per parameter, in order.
pub fn bind_arguments(
    service: &str,
    method: &str,
    params: &[&str],
    args: Vec<Value>,
    kwargs: Vec<(String, Value)>,
) -> Result<Vec<Value>, RemoteException> {
    // The usual call: every parameter given by position, in order. Only a
    // call that needs binding (or fails to bind) pays for the name and
    // slots its errors are worded with.
    if kwargs.is_empty() && args.len() == params.len() {
        return Ok(args);
    }
    let qualname = qualname(service, method);
    Signature::method(&qualname, params)
        .bind(args, kwargs)
        .map(|slots| slots.into_iter().flatten().collect())
        .map_err(RemoteException::type_error)
}

/// Converts argument `index` of an exposed method.
pub fn argument<T: FromValue>(
    service: &str,
    method: &str,
    index: usize,
    value: Option<Value>,
) -> Result<T, RemoteException> {
    let value = value.ok_or_else(|| {
        RemoteException::type_error(format!(
            "{}() missing argument {}",
            qualname(service, method),
            index + 1
        ))
    })?;
    T::from_value(value).map_err(|e| {
        RemoteException::type_error(format!(
            "{}() argument {}: {e}",
            qualname(service, method),
            index + 1
        ))
    })
}

pub use crate::config::SAFE_ATTRS;

/// rpyc's refusal for a service attribute that is not exposed, as its
/// `_check_attr` words it: a name with the `exposed_` prefix, or one of its
/// safe dunders, passes the check and then is missing (`'MyService' object
/// has no attribute 'exposed_x'`); any other name is refused (`cannot
/// access 'x'`).
pub fn service_no_attribute(type_name: &str, name: &str, object_repr: &str) -> RemoteException {
    if name.starts_with("exposed_") || SAFE_ATTRS.contains(&name) {
        RemoteException::no_attribute(type_name, name, object_repr)
    } else {
        RemoteException::cannot_access(name)
    }
}

/// `Service.get_service_aliases()`: the class name upper-cased, without a
/// trailing `SERVICE`.
pub fn service_aliases(short_name: &str) -> Value {
    let upper = short_name.to_uppercase();
    let alias = upper.strip_suffix("SERVICE").unwrap_or(&upper).to_owned();
    crate::core::tuple(vec![Value::string(alias)])
}

/// A call of `get_service_aliases` or `get_service_name`, the
/// classmethods every `rpyc.Service` inherits: they take nothing beyond
/// `cls`, and say so in CPython's words when given more.
pub fn service_classmethod(
    short_name: &str,
    method: &str,
    args: Vec<Value>,
    kwargs: Vec<(String, Value)>,
) -> Reply {
    let qualname = format!("Service.{method}");
    if let Err(message) = Signature::classmethod(&qualname, &[]).bind(args, kwargs) {
        return Reply::error(RemoteException::type_error(message));
    }
    let aliases = service_aliases(short_name);
    Reply::Ready(Ok(if method == "get_service_name" {
        aliases
            .into_items()
            .and_then(|mut aliases| aliases.pop())
            .unwrap_or(Value::NONE)
    } else {
        aliases
    }))
}

/// What Python's `dir()` lists for an instance of any `rpyc.Service`
/// subclass beyond `object`'s, before its own members (rpyc 6.0.2 on
/// CPython 3.11).
const SERVICE_BASE_DIR: &[&str] = &[
    "ALIASES",
    "__dict__",
    "__module__",
    "__slots__",
    "__weakref__",
    "_connect",
    "_protocol",
    "_rpyc_delattr",
    "_rpyc_setattr",
    "exposed_get_service_aliases",
    "exposed_get_service_name",
    "get_service_aliases",
    "get_service_name",
    "on_connect",
    "on_disconnect",
];

/// What rpyc's `HANDLE_INSPECT` lists for an instance of any
/// `rpyc.Service` subclass before the class's own methods: the routines
/// of `object` and `Service` outside rpyc's `LOCAL_ATTRS`, in the order
/// Python's class dictionaries hold them, with the docs `inspect.getdoc`
/// gives (rpyc 6.0.2 on CPython 3.11; an empty doc is `None`).
pub const SERVICE_BASE_METHODS: [(&str, &str); 13] = [
    ("__getstate__", "Helper for pickle."),
    (
        "__subclasshook__",
        "Abstract classes can override this to customize issubclass().\n\n\
         This is invoked early on by abc.ABCMeta.__subclasscheck__().\n\
         It should return True, False or NotImplemented.  If it returns\n\
         NotImplemented, the normal algorithm is used.  Otherwise, it\n\
         overrides the normal algorithm (and the outcome is cached).",
    ),
    (
        "__init_subclass__",
        "This method is called when a class is subclassed.\n\n\
         The default implementation does nothing. It may be\n\
         overridden to extend subclasses.",
    ),
    ("__format__", "Default object formatter."),
    ("__sizeof__", "Size of object in memory, in bytes."),
    ("on_connect", "called when the connection is established"),
    (
        "on_disconnect",
        "called when the connection had already terminated for cleanup\n\
         (must not perform any IO on the connection)",
    ),
    ("_rpyc_delattr", ""),
    ("_rpyc_setattr", ""),
    (
        "get_service_aliases",
        "returns a list of the aliases of this service",
    ),
    (
        "get_service_name",
        "returns the canonical name of the service (which is its first\nalias)",
    ),
    (
        "exposed_get_service_aliases",
        "returns a list of the aliases of this service",
    ),
    (
        "exposed_get_service_name",
        "returns the canonical name of the service (which is its first\nalias)",
    ),
];

/// The `(name, doc)` list `HANDLE_INSPECT` answers for a service whose
/// class defines the routines `own` (a name rpyc's `Service` already has
/// keeps that place, as in Python's merged class dictionaries).
pub fn service_methods(own: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut methods: Vec<(String, String)> = SERVICE_BASE_METHODS
        .iter()
        .map(|(name, doc)| ((*name).to_owned(), (*doc).to_owned()))
        .collect();
    for (name, doc) in own {
        match methods.iter_mut().find(|(known, _)| known == name) {
            Some((_, known_doc)) if !doc.is_empty() => *known_doc = (*doc).to_owned(),
            Some(_) => {}
            None => methods.push(((*name).to_owned(), (*doc).to_owned())),
        }
    }
    methods
}

/// `dir()` of an object whose class adds `members` to `object`'s
/// attributes (a class with `__slots__` and no `__dict__`): sorted, as
/// Python's is.
pub fn object_dir(members: &[&str]) -> Vec<String> {
    crate::objects::python_dir(members.iter().copied())
}

/// `dir()` of a service whose class adds `members`: sorted, as Python's is.
pub fn service_dir(members: &[&str]) -> Vec<String> {
    crate::objects::python_dir(SERVICE_BASE_DIR.iter().chain(members).copied())
}

/// `Service._rpyc_setattr` / `_rpyc_delattr`.
pub fn access_denied() -> RemoteException {
    RemoteException::attribute_error("access denied")
}

/// A method of `target` fetched with `getattr`, to be called later.
pub fn bound_method<T: crate::core::RpcObject>(target: Arc<T>, name: &str) -> Reply {
    Reply::Ready(Ok(Value::Object(Arc::new(BoundMethod {
        target,
        name: name.to_owned(),
    }))))
}

/// An attribute a service does not define itself: one of `object`'s
/// dunders (`__str__`, `__eq__`, ...), or rpyc's refusal.
pub fn object_attribute(target: crate::core::ObjectRef, short_name: &str, name: &str) -> Reply {
    let repr = target.repr();
    match crate::objects::MethodWrapper::lookup(target, name) {
        Some(wrapper) => Reply::Ready(Ok(Value::Object(Arc::new(wrapper)))),
        None => Reply::Ready(Err(service_no_attribute(short_name, name, &repr))),
    }
}

/// Calls whatever an attribute lookup produced.
pub fn call_attribute(
    cx: &Context,
    attribute: Reply,
    args: Vec<Value>,
    kwargs: Vec<(String, Value)>,
) -> Reply {
    match attribute {
        Reply::Ready(Ok(Value::Object(object))) => object.call(cx, args, kwargs),
        Reply::Ready(Ok(other)) => Reply::error(RemoteException::type_error(format!(
            "'{}' object is not callable",
            other.python_type()
        ))),
        other => other,
    }
}
