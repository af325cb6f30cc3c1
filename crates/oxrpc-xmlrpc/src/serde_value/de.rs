//! [`Value`]s to Rust values through serde's `Deserialize`.
//!
//! The mirror of `ser.rs`, as tolerant as the values CPython sends: a
//! `<struct>` fills a struct or a map, an `<array>` a sequence or tuple,
//! `<nil/>` (or a missing member) an `Option`, `<base64>` bytes,
//! `<dateTime.iso8601>` a [`DateTime`](crate::DateTime) or a string of its
//! text, and an int a float where a float is wanted. Every failure names
//! the member or item where it happened ([`SerdeError::path`]).

use super::error::SerdeError;
use super::DATETIME_TOKEN;
use crate::value::{Struct, Value};
use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};

/// Deserializes a `T` from `value`.
///
/// ```
/// use oxrpc_xmlrpc::{from_value, Struct, Value};
///
/// #[derive(serde::Deserialize, Debug)]
/// struct Point { x: i32, y: i32 }
///
/// let mut members = Struct::new();
/// members.insert("x".into(), Value::Int(1));
/// members.insert("y".into(), Value::from("two"));
/// let error = from_value::<Point>(Value::Struct(members)).unwrap_err();
/// assert_eq!(error.to_string(), "y: invalid type: string \"two\", expected i32");
/// ```
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, SerdeError> {
    T::deserialize(ValueDeserializer(value))
}

/// The deserializer behind [`from_value`].
pub(crate) struct ValueDeserializer(pub(crate) Value);

impl ValueDeserializer {
    fn unexpected(&self) -> de::Unexpected<'_> {
        match &self.0 {
            Value::Int(i) => de::Unexpected::Signed(*i),
            Value::Bool(b) => de::Unexpected::Bool(*b),
            Value::String(s) => de::Unexpected::Str(s),
            Value::Double(d) => de::Unexpected::Float(*d),
            Value::Base64(b) => de::Unexpected::Bytes(b),
            Value::Struct(_) => de::Unexpected::Map,
            Value::Array(_) => de::Unexpected::Seq,
            Value::Nil => de::Unexpected::Unit,
            Value::BigInt(_) => de::Unexpected::Other("big integer"),
            Value::BigDecimal(_) => de::Unexpected::Other("big decimal"),
            Value::DateTime(_) => de::Unexpected::Other("dateTime.iso8601"),
        }
    }
}

impl<'de> de::Deserializer<'de> for ValueDeserializer {
    type Error = SerdeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        match self.0 {
            Value::Int(i) => visitor.visit_i64(i),
            Value::BigInt(digits) => {
                // The narrowest form first: serde's u64 accepts no i128.
                if let Ok(u) = digits.parse::<u64>() {
                    visitor.visit_u64(u)
                } else if let Ok(i) = digits.parse::<i64>() {
                    visitor.visit_i64(i)
                } else if let Ok(i) = digits.parse::<i128>() {
                    visitor.visit_i128(i)
                } else if let Ok(u) = digits.parse::<u128>() {
                    visitor.visit_u128(u)
                } else {
                    visitor.visit_string(digits)
                }
            }
            Value::Bool(b) => visitor.visit_bool(b),
            Value::String(s) => visitor.visit_string(s),
            Value::Double(d) => visitor.visit_f64(d),
            Value::BigDecimal(text) => visitor.visit_string(text),
            Value::DateTime(t) => visitor.visit_string(t.to_string()),
            Value::Base64(bytes) => visitor.visit_byte_buf(bytes),
            Value::Struct(members) => visit_struct(members, visitor),
            Value::Array(items) => visit_array(items, visitor),
            Value::Nil => visitor.visit_unit(),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        match self.0 {
            Value::Nil => visitor.visit_none(),
            other => visitor.visit_some(ValueDeserializer(other)),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        match self.0 {
            Value::Nil => visitor.visit_unit(),
            _ => Err(de::Error::invalid_type(self.unexpected(), &visitor)),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        match (name, self.0) {
            (DATETIME_TOKEN, Value::DateTime(t)) => visitor.visit_string(t.to_string()),
            (_, value) => visitor.visit_newtype_struct(ValueDeserializer(value)),
        }
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        match self.0 {
            Value::Base64(bytes) => visitor.visit_byte_buf(bytes),
            Value::String(s) => visitor.visit_string(s),
            Value::Array(items) => visit_array(items, visitor),
            _ => Err(de::Error::invalid_type(self.unexpected(), &visitor)),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        match self.0 {
            Value::String(variant) => visitor.visit_enum(variant.into_deserializer()),
            Value::Struct(members) if members.len() == 1 => {
                let Some((variant, value)) = members.into_iter().next() else {
                    return Err(SerdeError::new("an enum needs one member"));
                };
                visitor.visit_enum(EnumAccess { variant, value })
            }
            _ => Err(de::Error::invalid_type(
                self.unexpected(),
                &"a variant name or a struct with one member",
            )),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        seq tuple tuple_struct map struct identifier
    }
}

fn visit_struct<'de, V: Visitor<'de>>(members: Struct, visitor: V) -> Result<V::Value, SerdeError> {
    let mut access = MapAccess {
        members: members.into_iter(),
        pending: None,
    };
    let value = visitor.visit_map(&mut access)?;
    Ok(value)
}

fn visit_array<'de, V: Visitor<'de>>(
    items: Vec<Value>,
    visitor: V,
) -> Result<V::Value, SerdeError> {
    let total = items.len();
    let mut access = SeqAccess {
        items: items.into_iter(),
        index: 0,
    };
    let value = visitor.visit_seq(&mut access)?;
    if access.items.as_slice().is_empty() {
        Ok(value)
    } else {
        Err(de::Error::invalid_length(total, &"fewer items"))
    }
}

struct MapAccess {
    members: indexmap::map::IntoIter<String, Value>,
    pending: Option<(String, Value)>,
}

impl<'de> de::MapAccess<'de> for MapAccess {
    type Error = SerdeError;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, SerdeError> {
        let Some((name, value)) = self.members.next() else {
            return Ok(None);
        };
        let key = seed
            .deserialize(KeyDeserializer(name.clone()))
            .map_err(|e| e.in_member(&name))?;
        self.pending = Some((name, value));
        Ok(Some(key))
    }

    fn next_value_seed<S: de::DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<S::Value, SerdeError> {
        let (name, value) = self
            .pending
            .take()
            .ok_or_else(|| SerdeError::new("a struct member was read before its name"))?;
        seed.deserialize(ValueDeserializer(value))
            .map_err(|e| e.in_member(&name))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.members.len())
    }
}

struct SeqAccess {
    items: std::vec::IntoIter<Value>,
    index: usize,
}

impl<'de> de::SeqAccess<'de> for SeqAccess {
    type Error = SerdeError;

    fn next_element_seed<S: de::DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, SerdeError> {
        let Some(item) = self.items.next() else {
            return Ok(None);
        };
        let index = self.index;
        self.index += 1;
        seed.deserialize(ValueDeserializer(item))
            .map(Some)
            .map_err(|e| e.in_item(index))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct EnumAccess {
    variant: String,
    value: Value,
}

impl<'de> de::EnumAccess<'de> for EnumAccess {
    type Error = SerdeError;
    type Variant = VariantAccess;

    fn variant_seed<S: de::DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<(S::Value, VariantAccess), SerdeError> {
        let name = self.variant.clone();
        let variant = seed.deserialize(IntoDeserializer::<SerdeError>::into_deserializer(
            self.variant,
        ))?;
        Ok((
            variant,
            VariantAccess {
                name,
                value: self.value,
            },
        ))
    }
}

struct VariantAccess {
    name: String,
    value: Value,
}

impl<'de> de::VariantAccess<'de> for VariantAccess {
    type Error = SerdeError;

    fn unit_variant(self) -> Result<(), SerdeError> {
        match self.value {
            Value::Nil => Ok(()),
            _ => Err(SerdeError::new("a unit variant carries no value").in_member(&self.name)),
        }
    }

    fn newtype_variant_seed<S: de::DeserializeSeed<'de>>(
        self,
        seed: S,
    ) -> Result<S::Value, SerdeError> {
        let name = self.name;
        seed.deserialize(ValueDeserializer(self.value))
            .map_err(|e| e.in_member(&name))
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        let name = self.name;
        de::Deserializer::deserialize_seq(ValueDeserializer(self.value), visitor)
            .map_err(|e| e.in_member(&name))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        let name = self.name;
        de::Deserializer::deserialize_map(ValueDeserializer(self.value), visitor)
            .map_err(|e| e.in_member(&name))
    }
}

/// A struct member name, read as a string, or as the number or boolean
/// it spells when a map's keys are those.
struct KeyDeserializer(String);

macro_rules! parse_key {
    ($($method:ident => $visit:ident),*) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
            match self.0.parse() {
                Ok(parsed) => visitor.$visit(parsed),
                Err(_) => visitor.visit_string(self.0),
            }
        }
    )*};
}

impl<'de> de::Deserializer<'de> for KeyDeserializer {
    type Error = SerdeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, SerdeError> {
        visitor.visit_string(self.0)
    }

    parse_key! {
        deserialize_bool => visit_bool,
        deserialize_i8 => visit_i8, deserialize_i16 => visit_i16,
        deserialize_i32 => visit_i32, deserialize_i64 => visit_i64,
        deserialize_i128 => visit_i128,
        deserialize_u8 => visit_u8, deserialize_u16 => visit_u16,
        deserialize_u32 => visit_u32, deserialize_u64 => visit_u64,
        deserialize_u128 => visit_u128
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, SerdeError> {
        visitor.visit_enum(self.0.into_deserializer())
    }

    serde::forward_to_deserialize_any! {
        f32 f64 char str string bytes byte_buf option unit unit_struct
        seq tuple tuple_struct map struct identifier ignored_any
    }
}
