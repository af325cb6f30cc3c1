//! serde for XML-RPC: any `Serialize` / `Deserialize` type as a [`Value`].
//!
//! Handlers and clients usually speak in plain Rust types through
//! [`FromValue`] / [`IntoValue`]; for your own structs and enums, derive
//! serde's traits and let this module map them: [`to_value`] and
//! [`from_value`] convert, and [`Serde`] wraps such a type where a handler
//! takes or returns it. The mapping is the one a Python peer expects (see
//! `ser.rs`): a struct is a `dict`, a `Vec` a `list`, `None` is `None`,
//! bytes are `Binary`, a [`DateTime`] is an `xmlrpc.client.DateTime`.
//! Failures say where they happened (`address.zip: invalid type: ...`).
//!
//! Date-times: [`DateTime`] serializes as a `<dateTime.iso8601>` here and
//! as its text (`20261126T01:10:20`) in other formats. With the `chrono`
//! or `time` feature, their date-time types convert to and from
//! [`DateTime`], and a struct field of such a type written
//! `#[serde(with = "oxrpc_xmlrpc::as_datetime")]` travels as a
//! `<dateTime.iso8601>` too.

mod de;
mod error;
mod ser;

pub use de::from_value;
pub use error::SerdeError;
pub use ser::to_value;

use crate::convert::{Binary, ConversionError, FromValue};
use crate::fault::Fault;
use crate::handler::{IntoFault, IntoResponse};
use crate::value::{DateTime, Value};
use serde::de::{DeserializeOwned, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The newtype name a [`DateTime`] serializes under, which this module's
/// serializer recognises (other serializers see a plain string).
pub(crate) const DATETIME_TOKEN: &str = "$oxrpc_xmlrpc::DateTime";

/// A serde type as a handler argument or result, or a call's result.
///
/// ```no_run
/// use oxrpc_xmlrpc::{Client, Serde, Server};
///
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct User { name: String, tags: Vec<String>, manager: Option<Box<User>> }
///
/// let mut server = Server::new();
/// server.register("rename", |Serde(mut user): Serde<User>, name: String| {
///     user.name = name;
///     Serde(user)
/// });
///
/// # async fn call(client: Client) -> Result<(), oxrpc_xmlrpc::Error> {
/// let user = User { name: "ana".into(), tags: vec![], manager: None };
/// let Serde(renamed): Serde<User> = client
///     .call("rename", (oxrpc_xmlrpc::to_value(&user)?, "bea"))
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Serde<T>(pub T);

impl<T: DeserializeOwned> FromValue for Serde<T> {
    const XMLRPC_TYPE: &'static str = "any";
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        let got = value.type_name().to_owned();
        from_value(value).map(Serde).map_err(|e| ConversionError {
            expected: "any",
            got,
            detail: Some(e.to_string()),
        })
    }
}

impl<T: Serialize> IntoResponse for Serde<T> {
    const XMLRPC_TYPE: &'static str = "any";
    fn into_response(self) -> Result<Value, Fault> {
        to_value(&self.0).map_err(Fault::cannot_encode)
    }
}

impl<T: Serialize, E: IntoFault> IntoResponse for Result<Serde<T>, E> {
    const XMLRPC_TYPE: &'static str = "any";
    fn into_response(self) -> Result<Value, Fault> {
        match self {
            Ok(Serde(value)) => to_value(&value).map_err(Fault::cannot_encode),
            Err(e) => Err(e.into_fault()),
        }
    }
}

impl From<SerdeError> for crate::Error {
    fn from(error: SerdeError) -> Self {
        crate::Error::Serde(error)
    }
}

impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_newtype_struct(DATETIME_TOKEN, &self.to_string())
    }
}

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DateTimeVisitor;
        impl<'de> Visitor<'de> for DateTimeVisitor {
            type Value = DateTime;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a dateTime.iso8601 (or its text)")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<DateTime, E> {
                Ok(DateTime::from_wire(text))
            }
            fn visit_newtype_struct<D: Deserializer<'de>>(
                self,
                deserializer: D,
            ) -> Result<DateTime, D::Error> {
                deserializer.deserialize_str(self)
            }
        }
        deserializer.deserialize_newtype_struct(DATETIME_TOKEN, DateTimeVisitor)
    }
}

impl Serialize for Binary {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(&self.0)
    }
}

impl<'de> Deserialize<'de> for Binary {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct BinaryVisitor;
        impl<'de> Visitor<'de> for BinaryVisitor {
            type Value = Binary;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("base64 bytes")
            }
            fn visit_bytes<E: serde::de::Error>(self, bytes: &[u8]) -> Result<Binary, E> {
                Ok(Binary(bytes.to_vec()))
            }
            fn visit_byte_buf<E: serde::de::Error>(self, bytes: Vec<u8>) -> Result<Binary, E> {
                Ok(Binary(bytes))
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Binary, E> {
                Ok(Binary(text.as_bytes().to_vec()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Binary, A::Error> {
                let mut bytes = Vec::new();
                while let Some(byte) = seq.next_element::<u8>()? {
                    bytes.push(byte);
                }
                Ok(Binary(bytes))
            }
        }
        deserializer.deserialize_byte_buf(BinaryVisitor)
    }
}

/// `#[serde(with = "oxrpc_xmlrpc::as_datetime")]`: a field of any type
/// that converts to and from [`DateTime`] (the `chrono` and `time`
/// features' date-times, or `DateTime` itself) travels as a
/// `<dateTime.iso8601>`.
///
/// ```
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Event {
///     #[serde(with = "oxrpc_xmlrpc::as_datetime")]
///     at: oxrpc_xmlrpc::DateTime,
/// }
/// let at = "20261126T01:10:20".parse().unwrap();
/// let value = oxrpc_xmlrpc::to_value(&Event { at }).unwrap();
/// assert!(matches!(value.get("at"), Some(oxrpc_xmlrpc::Value::DateTime(_))));
/// ```
pub mod as_datetime {
    use crate::value::DateTime;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Writes `value` as a [`DateTime`].
    pub fn serialize<T, S>(value: &T, serializer: S) -> Result<S::Ok, S::Error>
    where
        T: Clone + Into<DateTime>,
        S: Serializer,
    {
        value.clone().into().serialize(serializer)
    }

    /// Reads a [`DateTime`] and converts it.
    pub fn deserialize<'de, T, D>(deserializer: D) -> Result<T, D::Error>
    where
        T: TryFrom<DateTime>,
        T::Error: std::fmt::Display,
        D: Deserializer<'de>,
    {
        let datetime = DateTime::deserialize(deserializer)?;
        T::try_from(datetime).map_err(serde::de::Error::custom)
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self {
            Value::Int(i) => serializer.serialize_i64(*i),
            Value::BigInt(digits) => match digits.parse::<i128>() {
                Ok(i) => serializer.serialize_i128(i),
                Err(_) => serializer.serialize_str(digits),
            },
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::String(s) => serializer.serialize_str(s),
            Value::Double(d) => serializer.serialize_f64(*d),
            Value::BigDecimal(text) => serializer.serialize_str(text),
            Value::DateTime(t) => t.serialize(serializer),
            Value::Base64(bytes) => serializer.serialize_bytes(bytes),
            Value::Struct(members) => {
                let mut map = serializer.serialize_map(Some(members.len()))?;
                for (name, value) in members {
                    map.serialize_entry(name, value)?;
                }
                map.end()
            }
            Value::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Nil => serializer.serialize_none(),
        }
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(AnyValue)
    }
}

/// Builds a [`Value`] from whatever a self-describing format holds.
struct AnyValue;

impl<'de> Visitor<'de> for AnyValue {
    type Value = Value;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or_else(|_| Value::BigInt(v.to_string()), Value::Int))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or_else(|_| Value::BigInt(v.to_string()), Value::Int))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or_else(|_| Value::BigInt(v.to_string()), Value::Int))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Double(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::Base64(v.to_vec()))
    }
    fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Value, E> {
        Ok(Value::Base64(v))
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Nil)
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Nil)
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Value>()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut members = crate::value::Struct::new();
        while let Some((name, value)) = map.next_entry::<String, Value>()? {
            members.insert(name, value);
        }
        Ok(Value::Struct(members))
    }
}
