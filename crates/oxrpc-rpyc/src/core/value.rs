//! What crosses a connection, as the Rust side sees it.
//!
//! Brine carries only immutable values; everything else crosses by
//! reference. A [`Value`] is therefore either a brine value, a tuple that
//! holds references, one of *our* objects (the peer will get a proxy), or a
//! [`Proxy`] to one of *the peer's* objects (sent back as itself).

use super::object::ObjectRef;
use super::proxy::Proxy;
use crate::wire::brine::BrineValue;
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
            Value::Tuple(items) => {
                // As Python writes a tuple: `(a,)`, `(a, b)`.
                f.write_str("(")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item:?}")?;
                }
                f.write_str(if items.len() == 1 { ",)" } else { ")" })
            }
            Value::Object(o) => write!(f, "<object {}>", o.type_name()),
            Value::Proxy(p) => write!(f, "<proxy {}>", p.id_pack().type_name),
        }
    }
}

impl Value {
    /// `None`.
    pub const NONE: Value = Value::Brine(BrineValue::None);

    /// A `str` value.
    pub fn string(text: impl Into<String>) -> Value {
        Value::Brine(BrineValue::Str(text.into()))
    }

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
    ///
    /// ```
    /// use oxrpc_rpyc::Value;
    ///
    /// let n: i64 = Value::from(42).extract().unwrap();
    /// assert_eq!(n, 42);
    /// assert!(Value::from("x").extract::<i64>().is_err());
    /// ```
    pub fn extract<T: super::convert::FromValue>(
        self,
    ) -> Result<T, super::convert::ConversionError> {
        T::from_value(self)
    }

    /// The Python type name, for error messages: a class's own name, or
    /// for the peer's object its dotted one (`__main__.Spy`), as rpyc
    /// names the netref class that stands for it.
    pub fn python_type(&self) -> String {
        let dotted = match self {
            Value::Brine(v) => return v.type_name().to_owned(),
            Value::Tuple(_) => return "tuple".into(),
            Value::Object(o) => o.type_name(),
            Value::Proxy(p) => return p.id_pack().type_name.clone(),
        };
        dotted.rsplit('.').next().unwrap_or("object").to_owned()
    }

    /// Splits a tuple value into its items (brine tuples included).
    pub fn into_items(self) -> Option<Vec<Value>> {
        self.into_tuple_items().ok()
    }

    /// [`Value::into_items`], giving back a value that is no tuple.
    fn into_tuple_items(self) -> Result<Vec<Value>, Value> {
        match self {
            Value::Tuple(items) => Ok(items),
            Value::Brine(BrineValue::Tuple(items)) => {
                Ok(items.into_iter().map(Value::Brine).collect())
            }
            other => Err(other),
        }
    }

    /// The items Python's iteration gives for a plain value: a tuple's or
    /// frozenset's items, a str's characters, a bytes' ints (what
    /// `f(*value)` and `dict(value)` iterate over). `Err` gives back a
    /// value Python cannot iterate, for the error to name its type.
    pub fn into_iterable_items(self) -> Result<Vec<Value>, Value> {
        match self {
            Value::Brine(BrineValue::Str(text)) => {
                Ok(text.chars().map(|c| Value::string(c.to_string())).collect())
            }
            Value::Brine(BrineValue::Bytes(bytes)) => Ok(bytes
                .into_iter()
                .map(|b| Value::from(i64::from(b)))
                .collect()),
            Value::Brine(BrineValue::FrozenSet(items)) => {
                Ok(items.into_iter().map(Value::Brine).collect())
            }
            other => other.into_tuple_items(),
        }
    }
}

impl From<BrineValue> for Value {
    fn from(v: BrineValue) -> Value {
        Value::Brine(v)
    }
}
impl From<i64> for Value {
    fn from(v: i64) -> Value {
        Value::Brine(BrineValue::Int(v))
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::string(v)
    }
}
impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::string(v)
    }
}

/// Builds a tuple value: a plain brine tuple when every item is plain.
///
/// ```
/// use oxrpc_rpyc::{tuple, BrineValue, Value};
///
/// let t = tuple(vec![Value::from(1), Value::from("a")]);
/// assert!(matches!(t, Value::Brine(BrineValue::Tuple(_))));
/// ```
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
