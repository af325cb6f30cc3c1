//! Helpers the `#[service]` macro's generated code calls. Not a public API.

use crate::object::{no_attribute, Context, Reply, RpcResult};
use crate::value::{FromValue, IntoValue, Value};
use crate::vinegar::RemoteException;

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

impl<T: IntoValue> IntoRpcResult for Result<T, RemoteException> {
    fn into_rpc_result(self) -> RpcResult {
        self.map(IntoValue::into_value)
    }
}

pub fn into_result(value: impl IntoRpcResult) -> RpcResult {
    value.into_rpc_result()
}

/// Python's wording for a wrong argument count (counting `self`, as the
/// error a Python service would raise does).
pub fn check_arity(name: &str, given: usize, wanted: usize) -> Result<(), RemoteException> {
    if given == wanted {
        return Ok(());
    }
    let (given, wanted) = (given + 1, wanted + 1);
    let plural = if wanted == 1 { "" } else { "s" };
    let was = if given == 1 { "was" } else { "were" };
    Err(RemoteException::builtin(
        "TypeError",
        format!(
            "exposed_{name}() takes {wanted} positional argument{plural} but {given} {was} given"
        ),
    ))
}

/// Binds positional and keyword arguments to the parameters `params` as
/// Python does (and with its `TypeError` wording): the result holds one
/// value per parameter, in order.
pub fn bind_arguments(
    name: &str,
    params: &[&str],
    args: Vec<Value>,
    kwargs: Vec<(String, Value)>,
) -> Result<Vec<Value>, RemoteException> {
    if args.len() > params.len() {
        check_arity(name, args.len(), params.len())?;
    }
    let mut bound: Vec<Option<Value>> = args.into_iter().map(Some).collect();
    bound.resize(params.len(), None);
    for (key, value) in kwargs {
        let Some(slot) = params.iter().position(|p| *p == key) else {
            return Err(RemoteException::builtin(
                "TypeError",
                format!("exposed_{name}() got an unexpected keyword argument '{key}'"),
            ));
        };
        if bound[slot].is_some() {
            return Err(RemoteException::builtin(
                "TypeError",
                format!("exposed_{name}() got multiple values for argument '{key}'"),
            ));
        }
        bound[slot] = Some(value);
    }
    let missing: Vec<String> = params
        .iter()
        .zip(&bound)
        .filter(|(_, v)| v.is_none())
        .map(|(p, _)| format!("'{p}'"))
        .collect();
    if !missing.is_empty() {
        let names = match missing.as_slice() {
            [one] => one.clone(),
            [first, second] => format!("{first} and {second}"),
            [init @ .., last] => format!("{}, and {last}", init.join(", ")),
            [] => String::new(),
        };
        let plural = if missing.len() == 1 { "" } else { "s" };
        return Err(RemoteException::builtin(
            "TypeError",
            format!(
                "exposed_{name}() missing {} required positional argument{plural}: {names}",
                missing.len()
            ),
        ));
    }
    Ok(bound.into_iter().flatten().collect())
}

pub fn argument<T: FromValue>(
    name: &str,
    index: usize,
    value: Option<Value>,
) -> Result<T, RemoteException> {
    let value = value.ok_or_else(|| {
        RemoteException::builtin(
            "TypeError",
            format!("exposed_{name}() missing argument {}", index + 1),
        )
    })?;
    T::from_value(value).map_err(|e| {
        RemoteException::builtin(
            "TypeError",
            format!("exposed_{name}() argument {}: {}", index + 1, e.message()),
        )
    })
}

/// rpyc's refusal for a service attribute that is not exposed, as its
/// `_check_attr` words it: a name with the `exposed_` prefix passes the
/// check and then is missing (`'MyService' object has no attribute
/// 'exposed_x'`); any other name is refused (`cannot access 'x'`).
pub fn service_no_attribute(type_name: &str, name: &str) -> RemoteException {
    if name.starts_with("exposed_") {
        no_attribute(type_name, name)
    } else {
        crate::object::cannot_access(name)
    }
}

/// `Service.get_service_aliases()`: the class name upper-cased, without a
/// trailing `SERVICE`.
pub fn service_aliases(short_name: &str) -> Value {
    let upper = short_name.to_uppercase();
    let alias = upper.strip_suffix("SERVICE").unwrap_or(&upper).to_owned();
    crate::value::tuple(vec![Value::string(alias)])
}

/// `Service._rpyc_setattr` / `_rpyc_delattr`.
pub fn access_denied() -> RemoteException {
    RemoteException::builtin("AttributeError", "access denied")
}

/// Calls whatever an attribute lookup produced.
pub fn call_attribute(cx: &Context, attribute: Reply, args: Vec<Value>) -> Reply {
    match attribute {
        Reply::Ready(Ok(Value::Object(object))) => object.call(cx, args, Vec::new()),
        Reply::Ready(Ok(other)) => Reply::error(RemoteException::builtin(
            "TypeError",
            format!("'{}' object is not callable", other.python_type()),
        )),
        other => other,
    }
}
