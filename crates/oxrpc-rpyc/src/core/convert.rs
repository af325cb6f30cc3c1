//! Conversions between Rust types and [`Value`]s.
//!
//! [`FromValue`] reads a value the peer sent as a Rust type and says what
//! was wrong in a [`ConversionError`] (which becomes Python's `TypeError`,
//! or `OverflowError` for an int out of range, when it goes back to the
//! peer); [`IntoValue`] sends a Rust value. Immutable things cross by value;
//! `Vec` and maps cross by reference, as the `builtins.list` and
//! `builtins.dict` objects of [`crate::objects`] (their impls live there).

use super::object::ObjectRef;
use super::proxy::Proxy;
use super::value::{tuple, Value};
use crate::wire::brine::BrineValue;
use crate::wire::vinegar::RemoteException;
use std::borrow::Cow;

/// Why a value could not be converted to the Rust type asked for.
///
/// ```
/// use oxrpc_rpyc::{FromValue, Value};
///
/// let err = i32::from_value(Value::from("x")).unwrap_err();
/// assert_eq!(err.to_string(), "expected int, got str");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected {expected}, got {got}")]
pub struct ConversionError {
    /// What the conversion needed (a Python type name, or a range).
    pub expected: Cow<'static, str>,
    /// What it got (a Python type name, or the value).
    pub got: String,
    /// The value had the right type but did not fit (Python's
    /// `OverflowError` rather than `TypeError`).
    pub out_of_range: bool,
}

impl ConversionError {
    /// The value has the wrong type.
    pub fn wrong_type(expected: impl Into<Cow<'static, str>>, got: &Value) -> ConversionError {
        ConversionError {
            expected: expected.into(),
            got: got.python_type(),
            out_of_range: false,
        }
    }

    /// The value has the right type but does not fit.
    pub fn out_of_range(
        expected: impl Into<Cow<'static, str>>,
        got: impl ToString,
    ) -> ConversionError {
        ConversionError {
            expected: expected.into(),
            got: got.to_string(),
            out_of_range: true,
        }
    }
}

/// A failed conversion, as the peer sees it.
impl From<ConversionError> for RemoteException {
    fn from(e: ConversionError) -> RemoteException {
        if e.out_of_range {
            RemoteException::overflow_error(e.to_string())
        } else {
            RemoteException::type_error(e.to_string())
        }
    }
}

/// Rust types a [`Value`] can be converted to.
///
/// ```
/// use oxrpc_rpyc::{FromValue, Value, BrineValue};
///
/// let v = Value::Brine(BrineValue::Int(42));
/// assert_eq!(i64::from_value(v).unwrap(), 42);
/// ```
pub trait FromValue: Sized {
    /// Converts, or says what was wrong.
    fn from_value(value: Value) -> Result<Self, ConversionError>;
}

/// Rust types that can be sent as a [`Value`].
pub trait IntoValue {
    /// Converts.
    fn into_value(self) -> Value;
}

impl FromValue for Value {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        Ok(value)
    }
}
impl IntoValue for Value {
    fn into_value(self) -> Value {
        self
    }
}
impl IntoValue for BrineValue {
    fn into_value(self) -> Value {
        Value::Brine(self)
    }
}
/// Any of our objects, shared, crosses by reference.
impl<T: super::object::RpcObject> IntoValue for std::sync::Arc<T> {
    fn into_value(self) -> Value {
        Value::Object(self)
    }
}
impl IntoValue for ObjectRef {
    fn into_value(self) -> Value {
        Value::Object(self)
    }
}
impl IntoValue for Proxy {
    fn into_value(self) -> Value {
        Value::Proxy(self)
    }
}
impl FromValue for Proxy {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        match value {
            Value::Proxy(p) => Ok(p),
            other => Err(ConversionError::wrong_type("a remote object", &other)),
        }
    }
}

macro_rules! int_conversions {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(value: Value) -> Result<Self, ConversionError> {
                match &value {
                    Value::Brine(BrineValue::Int(i)) => <$t>::try_from(*i)
                        .map_err(|_| ConversionError::out_of_range(concat!("an int that fits ", stringify!($t)), i)),
                    Value::Brine(BrineValue::BigInt(i)) => <$t>::try_from(i)
                        .map_err(|_| ConversionError::out_of_range(concat!("an int that fits ", stringify!($t)), i)),
                    Value::Brine(BrineValue::Bool(b)) => Ok(<$t>::from(*b)),
                    _ => Err(ConversionError::wrong_type("int", &value)),
                }
            }
        }
    )*};
}
int_conversions!(i8, i16, i32, i64, i128, u8, u16, u32, u64, usize);

macro_rules! small_int_into {
    ($($t:ty),*) => {$(
        impl IntoValue for $t {
            fn into_value(self) -> Value {
                Value::Brine(BrineValue::Int(i64::from(self)))
            }
        }
    )*};
}
small_int_into!(i8, i16, i32, i64, u8, u16, u32);

macro_rules! wide_int_into {
    ($($t:ty),*) => {$(
        impl IntoValue for $t {
            fn into_value(self) -> Value {
                match i64::try_from(self) {
                    Ok(i) => Value::Brine(BrineValue::Int(i)),
                    Err(_) => Value::Brine(BrineValue::BigInt(self.into())),
                }
            }
        }
    )*};
}
wide_int_into!(i128, u64, usize);

impl FromValue for num_bigint::BigInt {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        match value {
            Value::Brine(BrineValue::Int(i)) => Ok(i.into()),
            Value::Brine(BrineValue::BigInt(i)) => Ok(i),
            Value::Brine(BrineValue::Bool(b)) => Ok(i64::from(b).into()),
            other => Err(ConversionError::wrong_type("int", &other)),
        }
    }
}
impl IntoValue for num_bigint::BigInt {
    fn into_value(self) -> Value {
        Value::Brine(BrineValue::from(self))
    }
}

impl FromValue for bool {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        match &value {
            Value::Brine(BrineValue::Bool(b)) => Ok(*b),
            _ => Err(ConversionError::wrong_type("bool", &value)),
        }
    }
}
impl IntoValue for bool {
    fn into_value(self) -> Value {
        Value::Brine(BrineValue::Bool(self))
    }
}

impl FromValue for f64 {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        match &value {
            Value::Brine(BrineValue::Float(f)) => Ok(*f),
            Value::Brine(BrineValue::Int(i)) => Ok(*i as f64),
            _ => Err(ConversionError::wrong_type("float", &value)),
        }
    }
}
impl IntoValue for f64 {
    fn into_value(self) -> Value {
        Value::Brine(BrineValue::Float(self))
    }
}

impl FromValue for String {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        match value {
            Value::Brine(BrineValue::Str(s)) => Ok(s),
            other => Err(ConversionError::wrong_type("str", &other)),
        }
    }
}
impl IntoValue for String {
    fn into_value(self) -> Value {
        Value::Brine(BrineValue::Str(self))
    }
}
impl IntoValue for &str {
    fn into_value(self) -> Value {
        Value::Brine(BrineValue::Str(self.to_owned()))
    }
}

/// Bytes that travel as Python `bytes` (a newtype, so `Vec<u8>` can mean a
/// list of ints).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Bytes(pub Vec<u8>);

impl FromValue for Bytes {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        match value {
            Value::Brine(BrineValue::Bytes(b)) => Ok(Bytes(b)),
            other => Err(ConversionError::wrong_type("bytes", &other)),
        }
    }
}
impl IntoValue for Bytes {
    fn into_value(self) -> Value {
        Value::Brine(BrineValue::Bytes(self.0))
    }
}

impl IntoValue for () {
    fn into_value(self) -> Value {
        Value::NONE
    }
}
impl FromValue for () {
    fn from_value(_: Value) -> Result<Self, ConversionError> {
        Ok(())
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        match value {
            Value::Brine(BrineValue::None) => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}
impl<T: IntoValue> IntoValue for Option<T> {
    fn into_value(self) -> Value {
        self.map_or(Value::NONE, T::into_value)
    }
}

/// A tuple received from the peer converts item by item. A list (a proxy
/// to a Python list) does not convert implicitly: `Proxy::to_vec` fetches
/// its items.
impl<T: FromValue> FromValue for Vec<T> {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        match value {
            Value::Tuple(items) => items.into_iter().map(T::from_value).collect(),
            Value::Brine(BrineValue::Tuple(items)) => items
                .into_iter()
                .map(|item| T::from_value(Value::Brine(item)))
                .collect(),
            other => Err(ConversionError::wrong_type("tuple", &other)),
        }
    }
}

/// Argument lists: tuples of [`IntoValue`] types, or a `Vec<Value>`.
pub trait IntoArgs {
    /// The positional arguments.
    fn into_args(self) -> Vec<Value>;
}
impl IntoArgs for Vec<Value> {
    fn into_args(self) -> Vec<Value> {
        self
    }
}
macro_rules! tuple_args {
    ($($name:ident),*) => {
        impl<$($name: IntoValue),*> IntoArgs for ($($name,)*) {
            #[allow(non_snake_case)]
            fn into_args(self) -> Vec<Value> {
                let ($($name,)*) = self;
                vec![$($name.into_value()),*]
            }
        }
        impl<$($name: IntoValue),*> IntoValue for ($($name,)*) {
            #[allow(non_snake_case)]
            fn into_value(self) -> Value {
                let ($($name,)*) = self;
                tuple(vec![$($name.into_value()),*])
            }
        }
    };
}
tuple_args!(A);
tuple_args!(A, B);
tuple_args!(A, B, C);
tuple_args!(A, B, C, D);
tuple_args!(A, B, C, D, E);
tuple_args!(A, B, C, D, E, F);
impl IntoArgs for () {
    fn into_args(self) -> Vec<Value> {
        Vec::new()
    }
}
