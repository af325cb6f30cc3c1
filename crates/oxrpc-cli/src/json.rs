//! JSON as the command line's notation for XML-RPC values.
//!
//! Arguments typed on a command line are read as JSON when they parse
//! (`5`, `true`, `[1,2]`, `{"a":1}`, `null`) and as plain strings otherwise;
//! results are printed as JSON. Types JSON lacks print as tagged objects
//! (`{"base64": "..."}`, `{"dateTime.iso8601": "..."}`, `{"double":
//! "nan"}`), and a struct's members in the server's order ([`Printed`]).

use base64::Engine;
use oxrpc::rpyc::BrineValue;
use oxrpc::xmlrpc::Value;
use serde_json::Value as Json;

/// Reads one command-line argument.
///
/// ```
/// use oxrpc_cli::json::parse_arg;
/// use oxrpc::xmlrpc::Value;
///
/// assert_eq!(parse_arg("5"), Value::Int(5));
/// assert_eq!(parse_arg("/tmp"), Value::from("/tmp"));
/// assert_eq!(parse_arg("\"5\""), Value::from("5"));
/// // Beyond 64 bits, an integer stays whole.
/// let big = "123456789012345678901234567890";
/// assert_eq!(parse_arg(big), Value::BigInt(big.into()));
/// assert_eq!(parse_arg(&format!("[{big}]")), Value::Array(vec![Value::BigInt(big.into())]));
/// // Numbers as Python's `json` reads them.
/// assert_eq!(parse_arg("-0"), Value::Int(0));
/// assert_eq!(parse_arg("[1e400]"), Value::Array(vec![Value::Double(f64::INFINITY)]));
/// assert_eq!(parse_arg("[-Infinity]"), Value::Array(vec![Value::Double(f64::NEG_INFINITY)]));
/// assert!(matches!(parse_arg("NaN"), Value::Double(f) if f.is_nan()));
/// assert_eq!(parse_arg("NaNa"), Value::from("NaNa"));
/// assert_eq!(parse_arg("é NaN"), Value::from("é NaN"));
/// // What only looks numeric is text, as Python's json.loads refuses it.
/// assert_eq!(parse_arg("2024-01-05"), Value::from("2024-01-05"));
/// assert_eq!(parse_arg("--"), Value::from("--"));
/// // An object's members keep the order they were typed in.
/// let Value::Struct(members) = parse_arg(r#"{"z": 1, "a": 2}"#) else { panic!() };
/// assert_eq!(members.keys().collect::<Vec<_>>(), ["z", "a"]);
/// ```
pub fn parse_arg(arg: &str) -> Value {
    match read_json(arg) {
        Some(json) => from_json(json),
        None => Value::String(arg.to_owned()),
    }
}

/// The command line, with each argument after a `call` command that reads
/// as a negative number given a leading space, so that clap takes it for
/// an argument: clap's idea of a negative number has no signed exponent
/// (`-1E-5`) and no `-Infinity`, and reading JSON skips the space.
///
/// ```
/// use oxrpc_cli::json::numbers_are_arguments;
///
/// let line = ["oxrpc", "xmlrpc", "call", "URL", "m", "-1E-5", "-x", "--timeout", "3"];
/// let protected = numbers_are_arguments(line.map(Into::into));
/// assert_eq!(protected[5], " -1E-5");
/// assert_eq!(&protected[6..], ["-x", "--timeout", "3"]);
/// // `--`, the end of the options, is left to clap.
/// let line = ["oxrpc", "xmlrpc", "call", "URL", "m", "--", "-1"];
/// assert_eq!(numbers_are_arguments(line.map(Into::into))[5], "--");
/// ```
pub fn numbers_are_arguments(
    line: impl IntoIterator<Item = std::ffi::OsString>,
) -> Vec<std::ffi::OsString> {
    let mut after_call = false;
    line.into_iter()
        .map(|arg| {
            let number = after_call
                && arg.to_str().is_some_and(|text| {
                    text.starts_with('-')
                        && matches!(read_json(text), Some(json) if is_number(&json))
                });
            after_call |= arg == "call";
            match number {
                true => [std::ffi::OsStr::new(" "), &arg].into_iter().collect(),
                false => arg,
            }
        })
        .collect()
}

/// Whether `json` is a number, as [`read_json`] reads them.
fn is_number(json: &Json) -> bool {
    match json {
        Json::Number(_) => true,
        Json::Object(members) => big_integer(members).is_some() || huge_float(members).is_some(),
        _ => false,
    }
}

/// The key of the object that stands for an integer beyond 64 bits while
/// an argument is read (see [`read_json`]); no argument can type it.
const BIG_INTEGER: &str = "\u{0}integer";

/// `arg` read as JSON, with every integer literal beyond 64 bits kept
/// whole: serde_json would read it as a float and lose its digits, so it
/// is first rewritten as `{"\u0000integer": "digits"}`.
fn read_json(arg: &str) -> Option<Json> {
    let bytes = arg.as_bytes();
    let mut rewritten = String::new();
    let (mut copied, mut at, mut in_string) = (0, 0, false);
    while at < bytes.len() {
        let byte = bytes[at];
        if in_string {
            match byte {
                b'\\' => at += 2,
                b'"' => {
                    in_string = false;
                    at += 1;
                }
                _ => at += 1,
            }
            continue;
        }
        if byte == b'"' {
            in_string = true;
            at += 1;
            continue;
        }
        // Python's json reads NaN, Infinity and -Infinity too.
        if let Some((literal, float)) = [("NaN", "nan"), ("Infinity", "inf"), ("-Infinity", "-inf")]
            .into_iter()
            .find(|(literal, _)| bytes[at..].starts_with(literal.as_bytes()))
        {
            rewritten.push_str(&arg[copied..at]);
            rewritten.push_str(&float_stand_in(float));
            at += literal.len();
            copied = at;
            continue;
        }
        if byte != b'-' && !byte.is_ascii_digit() {
            at += 1;
            continue;
        }
        let start = at;
        at += 1;
        while at < bytes.len() && bytes[at].is_ascii_digit() {
            at += 1;
        }
        let is_integer = !matches!(bytes.get(at), Some(b'.' | b'e' | b'E'));
        while at < bytes.len()
            && matches!(bytes[at], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-')
        {
            at += 1;
        }
        if let Some(replacement) = number_as_python_reads_it(&arg[start..at], is_integer) {
            rewritten.push_str(&arg[copied..start]);
            rewritten.push_str(&replacement);
            copied = at;
        }
    }
    if copied == 0 {
        return serde_json::from_str(arg).ok();
    }
    rewritten.push_str(&arg[copied..]);
    serde_json::from_str(&rewritten).ok()
}

/// The key of the object that stands for a float beyond `f64` (`1e400`)
/// while an argument is read, as for [`BIG_INTEGER`].
const HUGE_FLOAT: &str = "\u{0}float";

/// What a number literal must be rewritten as for serde_json to read it as
/// Python's `json` does: an integer beyond 64 bits kept whole, `-0` as the
/// int 0 (serde_json reads -0.0), a float beyond `f64` as infinity (serde_json
/// refuses it). `None` when serde_json reads it right.
fn number_as_python_reads_it(literal: &str, is_integer: bool) -> Option<String> {
    if is_integer {
        // JSON's integers only: `2024-01-05` or `--` is text (serde_json
        // then refuses it whole, as Python's json does).
        let digits = literal.strip_prefix('-').unwrap_or(literal);
        let integer = !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
            && (digits == "0" || !digits.starts_with('0'));
        if !integer {
            return None;
        }
        if literal == "-0" {
            return Some("0".to_owned());
        }
        let too_big = literal.len() > 1 && literal.parse::<i64>().is_err();
        return too_big.then(|| format!("{{\"\\u0000integer\":\"{literal}\"}}"));
    }
    let float = literal.parse::<f64>().ok().filter(|f| f.is_infinite())?;
    Some(float_stand_in(if float > 0.0 { "inf" } else { "-inf" }))
}

/// The object that stands for the float `text` (`nan`, `inf`, `-inf`)
/// while an argument is read, under [`HUGE_FLOAT`]; [`huge_float`] reads
/// it back.
fn float_stand_in(text: &str) -> String {
    format!("{{\"\\u0000float\":\"{text}\"}}")
}

/// The digits of an integer [`read_json`] kept whole.
fn big_integer(members: &serde_json::Map<String, Json>) -> Option<&str> {
    match members.get(BIG_INTEGER) {
        Some(Json::String(digits)) if members.len() == 1 => Some(digits),
        _ => None,
    }
}

/// The infinity [`read_json`] read for a float beyond `f64` (or for
/// `Infinity`), or the NaN it read for `NaN`.
fn huge_float(members: &serde_json::Map<String, Json>) -> Option<f64> {
    match members.get(HUGE_FLOAT) {
        Some(Json::String(text)) if members.len() == 1 => Some(match text.as_str() {
            "nan" => f64::NAN,
            text if text.starts_with('-') => f64::NEG_INFINITY,
            _ => f64::INFINITY,
        }),
        _ => None,
    }
}

/// Reads one command-line argument as [`parse_arg`] does, and besides
/// reads the tagged objects results are printed with ([`Printed`]:
/// `{"base64": ...}`, `{"dateTime.iso8601": ...}`, `{"double": "nan"}`,
/// `{"int": ...}`, `{"bigdecimal": ...}`) as the values they stand for, so
/// a printed result can be sent back as it came (`xmlrpc call --tagged`).
///
/// ```
/// use oxrpc_cli::json::parse_tagged_arg;
/// use oxrpc::xmlrpc::Value;
///
/// assert_eq!(parse_tagged_arg(r#"{"base64": "AP8="}"#), Ok(Value::Base64(vec![0, 255])));
/// assert!(matches!(parse_tagged_arg(r#"[{"double": "nan"}]"#), Ok(Value::Array(v)) if v.len() == 1));
/// assert!(matches!(parse_tagged_arg(r#"{"dateTime.iso8601": "20200102T03:04:05"}"#), Ok(Value::DateTime(_))));
/// // Two members are a struct; a tag whose text is wrong is an error.
/// assert!(matches!(parse_tagged_arg(r#"{"base64": "x", "b": 1}"#), Ok(Value::Struct(_))));
/// assert!(parse_tagged_arg(r#"{"base64": "*"}"#).is_err());
/// ```
pub fn parse_tagged_arg(arg: &str) -> Result<Value, String> {
    match read_json(arg) {
        Some(json) => retag(from_json(json)),
        None => Ok(Value::String(arg.to_owned())),
    }
}

/// A single-member struct named by one of [`Printed`]'s tags, as its value
/// (in arrays and structs too).
fn retag(value: Value) -> Result<Value, String> {
    match value {
        Value::Array(items) => Ok(Value::Array(
            items.into_iter().map(retag).collect::<Result<_, _>>()?,
        )),
        Value::Struct(members) => {
            if let (1, Some((tag, Value::String(text)))) = (members.len(), members.first()) {
                if let Some(typed) = tagged_value(tag, text)? {
                    return Ok(typed);
                }
            }
            let members = members
                .into_iter()
                .map(|(k, v)| Ok((k, retag(v)?)))
                .collect::<Result<_, String>>()?;
            Ok(Value::Struct(members))
        }
        other => Ok(other),
    }
}

/// The value `{tag: text}` stands for; `None` when `tag` is no tag.
fn tagged_value(tag: &str, text: &str) -> Result<Option<Value>, String> {
    let wrong = |what: &str| format!("{{{tag:?}: {text:?}}}: {what}");
    Ok(Some(match tag {
        "base64" => Value::Base64(
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .map_err(|e| wrong(&e.to_string()))?,
        ),
        "dateTime.iso8601" => {
            Value::DateTime(text.parse().map_err(|_| wrong("not an XML-RPC dateTime"))?)
        }
        "double" => Value::Double(match text {
            "nan" => f64::NAN,
            "inf" => f64::INFINITY,
            "-inf" => f64::NEG_INFINITY,
            _ => return Err(wrong("expected nan, inf or -inf")),
        }),
        "int" => {
            let digits = text.strip_prefix('-').unwrap_or(text);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(wrong("not an integer"));
            }
            Value::BigInt(text.to_owned())
        }
        "bigdecimal" => Value::BigDecimal(text.to_owned()),
        _ => return Ok(None),
    }))
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
        Json::Object(members) => match (big_integer(&members), huge_float(&members)) {
            (Some(digits), _) => Value::BigInt(digits.to_owned()),
            (None, Some(float)) => Value::Double(float),
            (None, None) => Value::Struct(
                members
                    .into_iter()
                    .map(|(k, v)| (k, from_json(v)))
                    .collect(),
            ),
        },
    }
}

/// Converts a value to JSON (see [`Printed`] for the shapes; a struct's
/// members keep their order).
pub fn to_json(value: &Value) -> Json {
    serde_json::to_value(Printed(value)).unwrap_or(Json::Null)
}

/// A value as the command line prints it: JSON where JSON has the type
/// (integers of any size up to 128 bits as numbers), a tagged object
/// where it has not (`{"base64": ...}`, `{"dateTime.iso8601": ...}`,
/// `{"double": "nan"}` for the floats JSON cannot write, `{"int": ...}`
/// past 128 bits), and a struct's members in the order the server sent
/// them, as Python's client keeps them.
///
/// ```
/// use oxrpc::xmlrpc::Value;
/// use oxrpc_cli::json::Printed;
///
/// let value = Value::Struct([("z", Value::Int(1)), ("a", Value::Double(f64::NAN))]
///     .into_iter()
///     .map(|(k, v)| (k.to_owned(), v))
///     .collect());
/// assert_eq!(
///     serde_json::to_string(&Printed(&value)).unwrap(),
///     r#"{"z":1,"a":{"double":"nan"}}"#
/// );
/// ```
pub struct Printed<'a>(pub &'a Value);

/// `{tag: text}`.
fn tagged<S: serde::Serializer>(serializer: S, tag: &str, text: &str) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = serializer.serialize_map(Some(1))?;
    map.serialize_entry(tag, text)?;
    map.end()
}

impl serde::Serialize for Printed<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self.0 {
            Value::Nil => serializer.serialize_unit(),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Int(i) => serializer.serialize_i64(*i),
            Value::BigInt(digits) => match digits.parse::<i128>() {
                Ok(i) => serializer.serialize_i128(i),
                Err(_) => tagged(serializer, "int", digits),
            },
            Value::Double(d) if d.is_finite() => serializer.serialize_f64(*d),
            // Python's repr of the float.
            Value::Double(d) if d.is_nan() => tagged(serializer, "double", "nan"),
            Value::Double(d) => tagged(serializer, "double", if *d > 0.0 { "inf" } else { "-inf" }),
            Value::BigDecimal(text) => tagged(serializer, "bigdecimal", text),
            Value::String(s) => serializer.serialize_str(s),
            Value::DateTime(t) => tagged(serializer, "dateTime.iso8601", &t.to_string()),
            Value::Base64(bytes) => tagged(
                serializer,
                "base64",
                &base64::engine::general_purpose::STANDARD.encode(bytes),
            ),
            Value::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&Printed(item))?;
                }
                seq.end()
            }
            Value::Struct(members) => {
                let mut map = serializer.serialize_map(Some(members.len()))?;
                for (name, member) in members {
                    map.serialize_entry(name, &Printed(member))?;
                }
                map.end()
            }
        }
    }
}

/// Reads one command-line argument as an RPyC value: JSON when it parses, a
/// plain string otherwise. Brine has no list or dict, so a JSON array or
/// object becomes a list or dict this client serves and the server reaches
/// by reference, as a Python client's lists and dicts do.
///
/// ```
/// use oxrpc_cli::json::to_rpyc_value;
/// use oxrpc::rpyc::{BrineValue, Value};
///
/// assert!(matches!(to_rpyc_value("5"), Value::Brine(BrineValue::Int(5))));
/// assert!(matches!(to_rpyc_value("/tmp"), Value::Brine(BrineValue::Str(_))));
/// assert!(matches!(
///     to_rpyc_value("9223372036854775808"),
///     Value::Brine(BrineValue::BigInt(_))
/// ));
/// assert!(matches!(to_rpyc_value("-0"), Value::Brine(BrineValue::Int(0))));
/// assert!(matches!(to_rpyc_value("1e400"), Value::Brine(BrineValue::Float(f)) if f.is_infinite()));
/// let Value::Object(dict) = to_rpyc_value(r#"{"a": [1, "x"]}"#) else { panic!() };
/// assert_eq!((dict.type_name(), dict.repr().as_str()), ("builtins.dict", "{'a': [1, 'x']}"));
/// ```
pub fn to_rpyc_value(arg: &str) -> oxrpc::rpyc::Value {
    use oxrpc::rpyc::{DictObject, ListObject, ObjectRef, Value};
    fn convert(json: Json) -> Value {
        match json {
            Json::Null => Value::NONE,
            Json::Bool(b) => Value::Brine(BrineValue::Bool(b)),
            Json::Number(n) => Value::Brine(match n.as_i64() {
                Some(i) => BrineValue::Int(i),
                None => BrineValue::Float(n.as_f64().unwrap_or(f64::NAN)),
            }),
            Json::String(s) => Value::string(s),
            Json::Array(items) => {
                let list: ObjectRef = ListObject::new(items.into_iter().map(convert).collect());
                Value::Object(list)
            }
            Json::Object(members) => match (big_integer(&members), huge_float(&members)) {
                (Some(digits), _) => Value::Brine(
                    digits
                        .parse()
                        .map_or_else(|_| BrineValue::Str(digits.to_owned()), BrineValue::BigInt),
                ),
                (None, Some(float)) => Value::Brine(BrineValue::Float(float)),
                (None, None) => {
                    let pairs = members
                        .into_iter()
                        .map(|(k, v)| (Value::string(k), convert(v)));
                    let dict: ObjectRef = DictObject::from_pairs(pairs);
                    Value::Object(dict)
                }
            },
        }
    }
    match read_json(arg) {
        Some(json) => convert(json),
        None => Value::string(arg),
    }
}
