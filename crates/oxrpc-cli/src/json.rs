//! JSON as the command line's notation for XML-RPC values.
//!
//! Arguments typed on a command line are read as JSON when they parse
//! (`5`, `true`, `[1,2]`, `{"a":1}`, `null`) and as plain strings otherwise;
//! results are printed as JSON. Types JSON lacks print as tagged objects
//! (`{"base64": "..."}`, `{"dateTime.iso8601": "..."}`).

use base64::Engine;
use oxrpc::rpyc::BrineValue;
use oxrpc::xmlrpc::Value;
use serde_json::{json, Value as Json};

/// Reads one command-line argument.
///
/// ```
/// use oxrpc_cli::json::parse_arg;
/// use oxrpc::xmlrpc::Value;
///
/// assert_eq!(parse_arg("5"), Value::Int(5));
/// assert_eq!(parse_arg("/tmp"), Value::from("/tmp"));
/// assert_eq!(parse_arg("\"5\""), Value::from("5"));
/// ```
pub fn parse_arg(arg: &str) -> Value {
    match serde_json::from_str::<Json>(arg) {
        Ok(json) => from_json(json),
        Err(_) => Value::String(arg.to_owned()),
    }
}

/// Converts JSON to a value.
pub fn from_json(json: Json) -> Value {
    match json {
        Json::Null => Value::Nil,
        Json::Bool(b) => Value::Bool(b),
        Json::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => Value::Int(i),
            (None, Some(u), _) => Value::BigInt(u.to_string()),
            (_, _, Some(f)) => Value::Double(f),
            _ => Value::String(n.to_string()),
        },
        Json::String(s) => Value::String(s),
        Json::Array(items) => Value::Array(items.into_iter().map(from_json).collect()),
        Json::Object(members) => Value::Struct(
            members
                .into_iter()
                .map(|(k, v)| (k, from_json(v)))
                .collect(),
        ),
    }
}

/// Converts a value to JSON.
pub fn to_json(value: &Value) -> Json {
    match value {
        Value::Nil => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => json!(i),
        Value::BigInt(digits) => Json::String(digits.clone()),
        Value::Double(d) if d.is_finite() => json!(d),
        Value::Double(d) => Json::String(d.to_string()),
        Value::BigDecimal(text) => Json::String(text.clone()),
        Value::String(s) => Json::String(s.clone()),
        Value::DateTime(t) => json!({ "dateTime.iso8601": t.to_string() }),
        Value::Base64(bytes) => {
            json!({ "base64": base64::engine::general_purpose::STANDARD.encode(bytes) })
        }
        Value::Array(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Struct(members) => Json::Object(
            members
                .iter()
                .map(|(k, v)| (k.clone(), to_json(v)))
                .collect(),
        ),
    }
}

/// Reads one command-line argument as an RPyC value: JSON when it parses
/// (arrays as tuples, objects as tuples of `(key, value)` pairs, since
/// brine has no list or dict), a plain string otherwise.
///
/// ```
/// use oxrpc_cli::json::to_rpyc_value;
/// use oxrpc::rpyc::{BrineValue, Value};
///
/// assert!(matches!(to_rpyc_value("5"), Value::Brine(BrineValue::Int(5))));
/// assert!(matches!(to_rpyc_value("/tmp"), Value::Brine(BrineValue::Str(_))));
/// ```
pub fn to_rpyc_value(arg: &str) -> oxrpc::rpyc::Value {
    fn convert(json: Json) -> BrineValue {
        match json {
            Json::Null => BrineValue::None,
            Json::Bool(b) => BrineValue::Bool(b),
            Json::Number(n) => match n.as_i64() {
                Some(i) => BrineValue::Int(i),
                None => BrineValue::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Json::String(s) => BrineValue::Str(s),
            Json::Array(items) => BrineValue::Tuple(items.into_iter().map(convert).collect()),
            Json::Object(members) => BrineValue::Tuple(
                members
                    .into_iter()
                    .map(|(k, v)| BrineValue::Tuple(vec![BrineValue::Str(k), convert(v)]))
                    .collect(),
            ),
        }
    }
    match serde_json::from_str(arg) {
        Ok(json) => oxrpc::rpyc::Value::Brine(convert(json)),
        Err(_) => oxrpc::rpyc::Value::Brine(BrineValue::Str(arg.to_owned())),
    }
}
