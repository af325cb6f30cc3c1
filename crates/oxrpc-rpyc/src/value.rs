//! What crosses a connection, as the Rust side sees it.
//!
//! Brine carries only immutable values; everything else crosses by
//! reference. A [`Value`] is therefore either a brine value, a tuple that
//! holds references, one of *our* objects (the peer will get a proxy), or a
//! [`Proxy`] to one of *the peer's* objects (sent back as itself).

use crate::brine::BrineValue;
use crate::object::ObjectRef;
use crate::proxy::Proxy;
use crate::vinegar::RemoteException;
use std::fmt;

/// A value sent to or received from the peer.
#[derive(Clone)]
pub enum Value {
    /// An immutable value that travels by value.
    Brine(BrineValue),
    /// A tuple holding at least one reference.
    Tuple(Vec<Value>),
    /// One of our objects: the peer receives a reference to it.
    Object(ObjectRef),
    /// A reference to one of the peer's objects.
    Proxy(Proxy),
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Brine(v) => write!(f, "{v}"),
            Value::Tuple(items) => f.debug_tuple("").field(items).finish(),
            Value::Object(o) => write!(f, "<object {}>", o.type_name()),
            Value::Proxy(p) => write!(f, "<proxy {}>", p.id_pack().type_name),
        }
    }
}

impl Value {
    /// `None`.
    pub const NONE: Value = Value::Brine(BrineValue::None);

    /// The brine value, if this is one.
    pub fn as_brine(&self) -> Option<&BrineValue> {
        match self {
            Value::Brine(v) => Some(v),
            _ => None,
        }
    }

    /// The proxy, if this is a reference to a peer object.
    pub fn as_proxy(&self) -> Option<&Proxy> {
        match self {
            Value::Proxy(p) => Some(p),
            _ => None,
        }
    }

    /// Converts to a Rust type.
    pub fn extract<T: FromValue>(self) -> Result<T, RemoteException> {
        T::from_value(self)
    }

    /// The Python type name, for error messages.
    pub fn python_type(&self) -> String {
        match self {
            Value::Brine(v) => v.type_name().to_owned(),
            Value::Tuple(_) => "tuple".into(),
            Value::Object(o) => o
                .type_name()
                .rsplit('.')
                .next()
                .unwrap_or("object")
                .to_owned(),
            Value::Proxy(p) => p
                .id_pack()
                .type_name
                .rsplit('.')
                .next()
                .unwrap_or("object")
                .to_owned(),
        }
    }

    /// Splits a tuple value into its items (brine tuples included).
    pub fn into_items(self) -> Option<Vec<Value>> {
        match self {
            Value::Tuple(items) => Some(items),
            Value::Brine(BrineValue::Tuple(items)) => {
                Some(items.into_iter().map(Value::Brine).collect())
            }
            _ => None,
        }
    }
}

/// A `TypeError` like Python's for a value of the wrong type.
pub fn type_error(expected: &str, got: &Value) -> RemoteException {
    RemoteException::builtin(
        "TypeError",
        format!("expected {expected}, got {}", got.python_type()),
    )
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
    /// Converts, or explains with a Python `TypeError`.
    fn from_value(value: Value) -> Result<Self, RemoteException>;
}

/// Rust types that can be sent as a [`Value`].
pub trait IntoValue {
    /// Converts.
    fn into_value(self) -> Value;
}

impl FromValue for Value {
    fn from_value(value: Value) -> Result<Self, RemoteException> {
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
impl<T: crate::object::RpcObject> IntoValue for std::sync::Arc<T> {
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
    fn from_value(value: Value) -> Result<Self, RemoteException> {
        match value {
            Value::Proxy(p) => Ok(p),
            other => Err(type_error("a remote object", &other)),
        }
    }
}

macro_rules! int_conversions {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(value: Value) -> Result<Self, RemoteException> {
                match &value {
                    Value::Brine(BrineValue::Int(i)) => <$t>::try_from(*i).map_err(|_| {
                        RemoteException::builtin("OverflowError", format!("{i} out of range"))
                    }),
                    Value::Brine(BrineValue::Bool(b)) => Ok(<$t>::from(*b)),
                    _ => Err(type_error("int", &value)),
                }
            }
        }
        impl IntoValue for $t {
            fn into_value(self) -> Value {
                Value::Brine(BrineValue::Int(i64::from(self)))
            }
        }
    )*};
}
int_conversions!(i8, i16, i32, i64, u8, u16, u32);

impl IntoValue for u64 {
    fn into_value(self) -> Value {
        match i64::try_from(self) {
            Ok(i) => Value::Brine(BrineValue::Int(i)),
            Err(_) => Value::Brine(BrineValue::BigInt(self.into())),
        }
    }
}
impl IntoValue for usize {
    fn into_value(self) -> Value {
        (self as u64).into_value()
    }
}
impl FromValue for usize {
    fn from_value(value: Value) -> Result<Self, RemoteException> {
        let i = i64::from_value(value)?;
        usize::try_from(i)
            .map_err(|_| RemoteException::builtin("ValueError", format!("{i} is negative")))
    }
}

impl FromValue for bool {
    fn from_value(value: Value) -> Result<Self, RemoteException> {
        match &value {
            Value::Brine(BrineValue::Bool(b)) => Ok(*b),
            _ => Err(type_error("bool", &value)),
        }
    }
}
impl IntoValue for bool {
    fn into_value(self) -> Value {
        Value::Brine(BrineValue::Bool(self))
    }
}

impl FromValue for f64 {
    fn from_value(value: Value) -> Result<Self, RemoteException> {
        match &value {
            Value::Brine(BrineValue::Float(f)) => Ok(*f),
            Value::Brine(BrineValue::Int(i)) => Ok(*i as f64),
            _ => Err(type_error("float", &value)),
        }
    }
}
impl IntoValue for f64 {
    fn into_value(self) -> Value {
        Value::Brine(BrineValue::Float(self))
    }
}

impl FromValue for String {
    fn from_value(value: Value) -> Result<Self, RemoteException> {
        match value {
            Value::Brine(BrineValue::Str(s)) => Ok(s),
            other => Err(type_error("str", &other)),
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
    fn from_value(value: Value) -> Result<Self, RemoteException> {
        match value {
            Value::Brine(BrineValue::Bytes(b)) => Ok(Bytes(b)),
            other => Err(type_error("bytes", &other)),
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
    fn from_value(_: Value) -> Result<Self, RemoteException> {
        Ok(())
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: Value) -> Result<Self, RemoteException> {
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

/// Lists cross as a reference to a Rust-side `builtins.list`, so the peer
/// can index, iterate and measure it like a Python list.
impl<T: IntoValue> IntoValue for Vec<T> {
    fn into_value(self) -> Value {
        crate::containers::ListObject::new(self.into_iter().map(T::into_value).collect())
            .into_value()
    }
}

/// Maps cross as a reference to a Rust-side `builtins.dict`.
impl<K: Into<String>, T: IntoValue> IntoValue for std::collections::BTreeMap<K, T> {
    fn into_value(self) -> Value {
        crate::containers::DictObject::from_pairs(
            self.into_iter()
                .map(|(k, v)| (Value::Brine(BrineValue::Str(k.into())), v.into_value())),
        )
        .into_value()
    }
}
impl<K: Into<String>, T: IntoValue> IntoValue for std::collections::HashMap<K, T> {
    fn into_value(self) -> Value {
        crate::containers::DictObject::from_pairs(
            self.into_iter()
                .map(|(k, v)| (Value::Brine(BrineValue::Str(k.into())), v.into_value())),
        )
        .into_value()
    }
}

/// A list received from the peer (a proxy to a Python list or tuple) is not
/// converted implicitly: call `Proxy::to_vec` for that. Tuples are.
impl<T: FromValue> FromValue for Vec<T> {
    fn from_value(value: Value) -> Result<Self, RemoteException> {
        match value.into_items() {
            Some(items) => items.into_iter().map(T::from_value).collect(),
            None => Err(RemoteException::builtin("TypeError", "expected a tuple")),
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
                crate::value::tuple(vec![$($name.into_value()),*])
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

/// Builds a tuple value: a plain brine tuple when every item is plain.
pub fn tuple(items: Vec<Value>) -> Value {
    if items.iter().all(|v| matches!(v, Value::Brine(_))) {
        Value::Brine(BrineValue::Tuple(
            items
                .into_iter()
                .filter_map(|v| match v {
                    Value::Brine(b) => Some(b),
                    _ => None,
                })
                .collect(),
        ))
    } else {
        Value::Tuple(items)
    }
}
