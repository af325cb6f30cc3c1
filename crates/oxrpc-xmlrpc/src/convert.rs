//! Conversions between Rust types and [`Value`]s.
//!
//! Handlers and clients work in plain Rust types; these traits are the bridge.
//! [`FromValue`] is strict where Python would be (an `int` parameter refuses a
//! string) and loose where Python is (an `f64` accepts an `int`, as Python's
//! arithmetic would). Each type also names its XML-RPC type, which is how
//! `system.methodSignature` describes a handler without being told.

use crate::value::{DateTime, Struct, Value};
use std::collections::{BTreeMap, HashMap};

/// A value of the wrong type, or out of range, for the Rust type asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.describe())]
pub struct ConversionError {
    /// The XML-RPC type that was wanted.
    pub expected: &'static str,
    /// What arrived instead.
    pub got: String,
    /// The whole story when the mismatch is deep inside the value, naming
    /// the member or item that failed (`address.zip: invalid type: string
    /// "x", expected i32`); `None` when the value itself had the wrong type.
    pub detail: Option<String>,
}

impl ConversionError {
    fn new(expected: &'static str, got: &Value) -> Self {
        ConversionError {
            expected,
            got: got.type_name().to_owned(),
            detail: None,
        }
    }

    fn describe(&self) -> String {
        match &self.detail {
            Some(detail) => detail.clone(),
            None => format!("expected {}, got {}", self.expected, self.got),
        }
    }
}

/// Bytes that travel as `<base64>` (CPython's `xmlrpc.client.Binary`).
///
/// A newtype, so that `Vec<u8>` can keep meaning "an array of small ints".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Binary(pub Vec<u8>);

/// Rust types that can be read out of a [`Value`].
///
/// ```
/// use oxrpc_xmlrpc::{FromValue, Value};
///
/// let v = Value::Array(vec![Value::Int(1), Value::Int(2)]);
/// assert_eq!(Vec::<i32>::from_value(v).unwrap(), vec![1, 2]);
/// ```
pub trait FromValue: Sized {
    /// The XML-RPC type name this reads (for method signatures).
    const XMLRPC_TYPE: &'static str;

    /// Converts, or says what was wrong.
    fn from_value(value: Value) -> Result<Self, ConversionError>;

    /// What a missing trailing parameter becomes; `None` means it is required.
    fn from_missing() -> Option<Self> {
        None
    }
}

/// Rust types that can be turned into a [`Value`].
pub trait IntoValue {
    /// The XML-RPC type name this writes (for method signatures).
    const XMLRPC_TYPE: &'static str;

    /// Converts.
    fn into_value(self) -> Value;
}

impl FromValue for Value {
    const XMLRPC_TYPE: &'static str = "any";
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        Ok(value)
    }
}
impl IntoValue for Value {
    const XMLRPC_TYPE: &'static str = "any";
    fn into_value(self) -> Value {
        self
    }
}

macro_rules! int_conversions {
    ($($t:ty => $name:literal),*) => {$(
        impl FromValue for $t {
            const XMLRPC_TYPE: &'static str = $name;
            fn from_value(value: Value) -> Result<Self, ConversionError> {
                match value {
                    Value::Int(i) => <$t>::try_from(i).map_err(|_| ConversionError {
                        expected: $name,
                        got: format!("out-of-range int {i}"),
                        detail: None,
                    }),
                    other => Err(ConversionError::new($name, &other)),
                }
            }
        }
        impl IntoValue for $t {
            const XMLRPC_TYPE: &'static str = $name;
            fn into_value(self) -> Value {
                Value::Int(i64::from(self))
            }
        }
    )*};
}
int_conversions!(i8 => "int", i16 => "int", i32 => "int", u8 => "int", u16 => "int", u32 => "i8", i64 => "i8");

impl FromValue for u64 {
    const XMLRPC_TYPE: &'static str = "i8";
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        match value {
            Value::Int(i) => u64::try_from(i).map_err(|_| ConversionError {
                expected: "unsigned int",
                got: format!("negative int {i}"),
                detail: None,
            }),
            Value::BigInt(digits) => digits.parse().map_err(|_| ConversionError {
                expected: "i8",
                got: format!("out-of-range int {digits}"),
                detail: None,
            }),
            other => Err(ConversionError::new("i8", &other)),
        }
    }
}
impl IntoValue for u64 {
    const XMLRPC_TYPE: &'static str = "i8";
    fn into_value(self) -> Value {
        i64::try_from(self)
            .map(Value::Int)
            .unwrap_or_else(|_| Value::BigInt(self.to_string()))
    }
}
impl IntoValue for usize {
    const XMLRPC_TYPE: &'static str = "i8";
    fn into_value(self) -> Value {
        (self as u64).into_value()
    }
}

impl FromValue for f64 {
    const XMLRPC_TYPE: &'static str = "double";
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        match value {
            Value::Double(d) => Ok(d),
            Value::Int(i) => Ok(i as f64),
            other => Err(ConversionError::new("double", &other)),
        }
    }
}
impl IntoValue for f64 {
    const XMLRPC_TYPE: &'static str = "double";
    fn into_value(self) -> Value {
        Value::Double(self)
    }
}

impl FromValue for bool {
    const XMLRPC_TYPE: &'static str = "boolean";
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        match value {
            Value::Bool(b) => Ok(b),
            other => Err(ConversionError::new("boolean", &other)),
        }
    }
}
impl IntoValue for bool {
    const XMLRPC_TYPE: &'static str = "boolean";
    fn into_value(self) -> Value {
        Value::Bool(self)
    }
}

impl FromValue for String {
    const XMLRPC_TYPE: &'static str = "string";
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        match value {
            Value::String(s) => Ok(s),
            other => Err(ConversionError::new("string", &other)),
        }
    }
}
impl IntoValue for String {
    const XMLRPC_TYPE: &'static str = "string";
    fn into_value(self) -> Value {
        Value::String(self)
    }
}
impl IntoValue for &str {
    const XMLRPC_TYPE: &'static str = "string";
    fn into_value(self) -> Value {
        Value::String(self.to_owned())
    }
}

impl FromValue for DateTime {
    const XMLRPC_TYPE: &'static str = "dateTime.iso8601";
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        match value {
            Value::DateTime(t) => Ok(t),
            other => Err(ConversionError::new("dateTime.iso8601", &other)),
        }
    }
}
impl IntoValue for DateTime {
    const XMLRPC_TYPE: &'static str = "dateTime.iso8601";
    fn into_value(self) -> Value {
        Value::DateTime(self)
    }
}

impl FromValue for Binary {
    const XMLRPC_TYPE: &'static str = "base64";
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        match value {
            Value::Base64(b) => Ok(Binary(b)),
            other => Err(ConversionError::new("base64", &other)),
        }
    }
}
impl IntoValue for Binary {
    const XMLRPC_TYPE: &'static str = "base64";
    fn into_value(self) -> Value {
        Value::Base64(self.0)
    }
}

impl<T: FromValue> FromValue for Option<T> {
    const XMLRPC_TYPE: &'static str = T::XMLRPC_TYPE;
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        match value {
            Value::Nil => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
    fn from_missing() -> Option<Self> {
        Some(None)
    }
}
impl<T: IntoValue> IntoValue for Option<T> {
    const XMLRPC_TYPE: &'static str = T::XMLRPC_TYPE;
    fn into_value(self) -> Value {
        self.map_or(Value::Nil, T::into_value)
    }
}

impl FromValue for () {
    const XMLRPC_TYPE: &'static str = "nil";
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        match value {
            Value::Nil => Ok(()),
            other => Err(ConversionError::new("nil", &other)),
        }
    }
}
impl IntoValue for () {
    const XMLRPC_TYPE: &'static str = "nil";
    fn into_value(self) -> Value {
        Value::Nil
    }
}

impl<T: FromValue> FromValue for Vec<T> {
    const XMLRPC_TYPE: &'static str = "array";
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        match value {
            Value::Array(items) => items.into_iter().map(T::from_value).collect(),
            other => Err(ConversionError::new("array", &other)),
        }
    }
}
impl<T: IntoValue> IntoValue for Vec<T> {
    const XMLRPC_TYPE: &'static str = "array";
    fn into_value(self) -> Value {
        Value::Array(self.into_iter().map(T::into_value).collect())
    }
}

impl FromValue for Struct {
    const XMLRPC_TYPE: &'static str = "struct";
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        match value {
            Value::Struct(members) => Ok(members),
            other => Err(ConversionError::new("struct", &other)),
        }
    }
}
impl IntoValue for Struct {
    const XMLRPC_TYPE: &'static str = "struct";
    fn into_value(self) -> Value {
        Value::Struct(self)
    }
}

macro_rules! map_conversions {
    ($($map:ident),*) => {$(
        impl<T: FromValue> FromValue for $map<String, T> {
            const XMLRPC_TYPE: &'static str = "struct";
            fn from_value(value: Value) -> Result<Self, ConversionError> {
                match value {
                    Value::Struct(members) => members
                        .into_iter()
                        .map(|(k, v)| T::from_value(v).map(|v| (k, v)))
                        .collect(),
                    other => Err(ConversionError::new("struct", &other)),
                }
            }
        }
        impl<T: IntoValue> IntoValue for $map<String, T> {
            const XMLRPC_TYPE: &'static str = "struct";
            fn into_value(self) -> Value {
                Value::Struct(self.into_iter().map(|(k, v)| (k, v.into_value())).collect())
            }
        }
    )*};
}
map_conversions!(HashMap, BTreeMap);

/// Argument lists a client can send: tuples of [`IntoValue`] types, or a
/// ready-made `Vec<Value>`.
///
/// ```
/// use oxrpc_xmlrpc::{IntoParams, Value};
///
/// assert_eq!((2, "x").into_params(), vec![Value::Int(2), Value::from("x")]);
/// ```
pub trait IntoParams {
    /// The parameters, in order.
    fn into_params(self) -> Vec<Value>;
}

impl IntoParams for Vec<Value> {
    fn into_params(self) -> Vec<Value> {
        self
    }
}

macro_rules! tuple_params {
    ($($name:ident),*) => {
        impl<$($name: IntoValue),*> IntoParams for ($($name,)*) {
            #[allow(non_snake_case)]
            fn into_params(self) -> Vec<Value> {
                let ($($name,)*) = self;
                vec![$($name.into_value()),*]
            }
        }
    };
}
tuple_params!();
tuple_params!(A);
tuple_params!(A, B);
tuple_params!(A, B, C);
tuple_params!(A, B, C, D);
tuple_params!(A, B, C, D, E);
tuple_params!(A, B, C, D, E, F);
tuple_params!(A, B, C, D, E, F, G);
tuple_params!(A, B, C, D, E, F, G, H);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_and_loose() {
        assert_eq!(f64::from_value(Value::Int(3)), Ok(3.0));
        assert!(i32::from_value(Value::from("3")).is_err());
        assert!(i32::from_value(Value::Int(1 << 40)).is_err());
        assert_eq!(Option::<i32>::from_value(Value::Nil), Ok(None));
        assert_eq!(u64::MAX.into_value(), Value::BigInt(u64::MAX.to_string()));
        let map: HashMap<String, i32> = FromValue::from_value(Value::Struct(
            [("a".to_string(), Value::Int(1))].into_iter().collect(),
        ))
        .unwrap();
        assert_eq!(map["a"], 1);
    }
}
