//! How CPython's server sees an XML-RPC value: the Python type it
//! unmarshals to and what `str()` / `repr()` print for it.
//!
//! Faults word what a Python server did with a client's values
//! (`method "5" is not supported`, `'int' object is not iterable`), so the
//! wording needs the Python view: a `<struct>` is a `dict`, a `<base64>` an
//! `xmlrpc.client.Binary`, a `<dateTime.iso8601>` an `xmlrpc.client.DateTime`
//! (SimpleXMLRPCServer does not ask for builtin types).

use crate::value::Value;
use oxrpc_pyfmt::{str_repr, write_float_repr};

/// The Python class a value unmarshals to (`int`, `dict`, `Binary`, ...).
pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Int(_) | Value::BigInt(_) => "int",
        Value::Bool(_) => "bool",
        Value::String(_) => "str",
        Value::Double(_) => "float",
        Value::BigDecimal(_) => "Decimal",
        Value::DateTime(_) => "DateTime",
        Value::Base64(_) => "Binary",
        Value::Struct(_) => "dict",
        Value::Array(_) => "list",
        Value::Nil => "NoneType",
    }
}

/// The Python class for an XML-RPC type name (`string` is `str`, `struct`
/// is `dict`, ...), for messages worded as CPython's would be.
pub(crate) fn python_name(xmlrpc_type: &str) -> &str {
    match xmlrpc_type {
        "int" | "i4" | "i8" | "biginteger" => "int",
        "string" => "str",
        "double" => "float",
        "boolean" => "bool",
        "struct" => "dict",
        "array" => "list",
        "base64" => "Binary",
        "dateTime.iso8601" => "DateTime",
        "nil" => "NoneType",
        "bigdecimal" => "Decimal",
        other => other,
    }
}

/// Whether Python can hash it (`dict` keys, `in` on a dict): lists, dicts,
/// `Binary` and `DateTime` (which define `__eq__` only) cannot.
pub(crate) fn is_hashable(value: &Value) -> bool {
    !matches!(
        value,
        Value::Array(_) | Value::Struct(_) | Value::Base64(_) | Value::DateTime(_)
    )
}

/// Python's `str()`.
pub(crate) fn str(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::DateTime(t) => t.to_string(),
        Value::Base64(data) => data.iter().map(|&b| char::from(b)).collect(),
        other => repr(other),
    }
}

/// Python's `repr()` (object addresses, which CPython prints for `Binary`
/// and `DateTime`, are left out).
pub(crate) fn repr(value: &Value) -> String {
    match value {
        Value::Int(i) => i.to_string(),
        Value::BigInt(text) | Value::BigDecimal(text) => text.clone(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Nil => "None".into(),
        Value::String(s) => str_repr(s),
        Value::Double(d) => {
            let mut out = String::new();
            write_float_repr(&mut out, *d);
            out
        }
        Value::DateTime(t) => format!("<DateTime '{t}'>"),
        Value::Base64(_) => "<xmlrpc.client.Binary object>".into(),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(repr).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Struct(members) => {
            let members: Vec<String> = members
                .iter()
                .map(|(k, v)| format!("{}: {}", str_repr(k), repr(v)))
                .collect();
            format!("{{{}}}", members.join(", "))
        }
    }
}

/// The items `for item in value` would visit: a list's items, a str's
/// characters, a dict's keys; `None` when Python cannot iterate it.
pub(crate) fn iterate(value: Value) -> Option<Vec<Value>> {
    match value {
        Value::Array(items) => Some(items),
        Value::String(s) => Some(s.chars().map(|c| Value::String(c.to_string())).collect()),
        Value::Struct(members) => Some(members.into_keys().map(Value::String).collect()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_match_cpython() {
        let list = Value::Array(vec![Value::from(1), Value::from("a"), Value::Double(1e-05)]);
        assert_eq!(repr(&list), "[1, 'a', 1e-05]");
        assert_eq!(str(&Value::from("x")), "x");
        assert_eq!(type_name(&Value::Nil), "NoneType");
        assert!(!is_hashable(&Value::Base64(vec![1])));
        assert_eq!(
            iterate(Value::from("ab")),
            Some(vec![Value::from("a"), Value::from("b")])
        );
    }
}
