//! Rust values to [`Value`]s through serde's `Serialize`.
//!
//! serde's data model meets XML-RPC's as a Python client would expect:
//! structs and maps become `<struct>`s, sequences and tuples `<array>`s,
//! `None` and `()` become `<nil/>`, bytes `<base64>`, and an enum variant
//! its name (a unit variant) or a one-member struct named after it (as
//! serde_json writes them). Integers beyond 64 bits become the big
//! integers CPython reads. [`DateTime`](crate::DateTime) (and the date-time
//! types of the `chrono` and `time` features, through
//! [`as_datetime`](crate::as_datetime)) become `<dateTime.iso8601>`.

use super::error::SerdeError;
use super::DATETIME_TOKEN;
use crate::value::{DateTime, Struct, Value};
use serde::ser::{self, Serialize};

/// Serializes `value` into a [`Value`].
///
/// ```
/// use oxrpc_xmlrpc::{to_value, Value};
///
/// #[derive(serde::Serialize)]
/// struct Point { x: i32, y: Option<f64> }
///
/// let v = to_value(&Point { x: 1, y: None }).unwrap();
/// assert_eq!(v.get("x"), Some(&Value::Int(1)));
/// assert_eq!(v.get("y"), Some(&Value::Nil));
/// ```
pub fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<Value, SerdeError> {
    value.serialize(ValueSerializer)
}

/// The serializer behind [`to_value`].
pub(crate) struct ValueSerializer;

fn int<T: TryInto<i64> + ToString + Copy>(v: T) -> Value {
    match v.try_into() {
        Ok(i) => Value::Int(i),
        Err(_) => Value::BigInt(v.to_string()),
    }
}

impl ser::Serializer for ValueSerializer {
    type Ok = Value;
    type Error = SerdeError;
    type SerializeSeq = SeqBuilder;
    type SerializeTuple = SeqBuilder;
    type SerializeTupleStruct = SeqBuilder;
    type SerializeTupleVariant = VariantBuilder<SeqBuilder>;
    type SerializeMap = MapBuilder;
    type SerializeStruct = MapBuilder;
    type SerializeStructVariant = VariantBuilder<MapBuilder>;

    fn serialize_bool(self, v: bool) -> Result<Value, SerdeError> {
        Ok(Value::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Value, SerdeError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_i16(self, v: i16) -> Result<Value, SerdeError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_i32(self, v: i32) -> Result<Value, SerdeError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_i64(self, v: i64) -> Result<Value, SerdeError> {
        Ok(Value::Int(v))
    }
    fn serialize_i128(self, v: i128) -> Result<Value, SerdeError> {
        Ok(int(v))
    }
    fn serialize_u8(self, v: u8) -> Result<Value, SerdeError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_u16(self, v: u16) -> Result<Value, SerdeError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_u32(self, v: u32) -> Result<Value, SerdeError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_u64(self, v: u64) -> Result<Value, SerdeError> {
        Ok(int(v))
    }
    fn serialize_u128(self, v: u128) -> Result<Value, SerdeError> {
        Ok(int(v))
    }
    fn serialize_f32(self, v: f32) -> Result<Value, SerdeError> {
        Ok(Value::Double(v.into()))
    }
    fn serialize_f64(self, v: f64) -> Result<Value, SerdeError> {
        Ok(Value::Double(v))
    }
    fn serialize_char(self, v: char) -> Result<Value, SerdeError> {
        Ok(Value::String(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Value, SerdeError> {
        Ok(Value::String(v.to_owned()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Value, SerdeError> {
        Ok(Value::Base64(v.to_vec()))
    }
    fn serialize_none(self) -> Result<Value, SerdeError> {
        Ok(Value::Nil)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value, SerdeError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Value, SerdeError> {
        Ok(Value::Nil)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value, SerdeError> {
        Ok(Value::Nil)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Value, SerdeError> {
        Ok(Value::String(variant.to_owned()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<Value, SerdeError> {
        let inner = value.serialize(self)?;
        match (name, inner) {
            (DATETIME_TOKEN, Value::String(text)) => {
                Ok(Value::DateTime(DateTime::from_wire(&text)))
            }
            (_, inner) => Ok(inner),
        }
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Value, SerdeError> {
        let inner = value
            .serialize(ValueSerializer)
            .map_err(|e| e.in_member(variant))?;
        let mut members = Struct::new();
        members.insert(variant.to_owned(), inner);
        Ok(Value::Struct(members))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqBuilder, SerdeError> {
        Ok(SeqBuilder {
            items: Vec::with_capacity(len.unwrap_or(0).min(4096)),
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqBuilder, SerdeError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<SeqBuilder, SerdeError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantBuilder<SeqBuilder>, SerdeError> {
        Ok(VariantBuilder {
            variant,
            inner: self.serialize_seq(Some(len))?,
        })
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<MapBuilder, SerdeError> {
        Ok(MapBuilder {
            members: Struct::new(),
            key: None,
        })
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<MapBuilder, SerdeError> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantBuilder<MapBuilder>, SerdeError> {
        Ok(VariantBuilder {
            variant,
            inner: self.serialize_map(Some(len))?,
        })
    }
}

/// An `<array>` being built.
pub(crate) struct SeqBuilder {
    items: Vec<Value>,
}

impl SeqBuilder {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerdeError> {
        let index = self.items.len();
        let item = value
            .serialize(ValueSerializer)
            .map_err(|e| e.in_item(index))?;
        self.items.push(item);
        Ok(())
    }
}

impl ser::SerializeSeq for SeqBuilder {
    type Ok = Value;
    type Error = SerdeError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerdeError> {
        self.push(value)
    }
    fn end(self) -> Result<Value, SerdeError> {
        Ok(Value::Array(self.items))
    }
}

impl ser::SerializeTuple for SeqBuilder {
    type Ok = Value;
    type Error = SerdeError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerdeError> {
        self.push(value)
    }
    fn end(self) -> Result<Value, SerdeError> {
        Ok(Value::Array(self.items))
    }
}

impl ser::SerializeTupleStruct for SeqBuilder {
    type Ok = Value;
    type Error = SerdeError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerdeError> {
        self.push(value)
    }
    fn end(self) -> Result<Value, SerdeError> {
        Ok(Value::Array(self.items))
    }
}

/// A `<struct>` being built.
pub(crate) struct MapBuilder {
    members: Struct,
    key: Option<String>,
}

impl MapBuilder {
    fn member<T: Serialize + ?Sized>(&mut self, key: String, value: &T) -> Result<(), SerdeError> {
        let value = value
            .serialize(ValueSerializer)
            .map_err(|e| e.in_member(&key))?;
        self.members.insert(key, value);
        Ok(())
    }
}

impl ser::SerializeMap for MapBuilder {
    type Ok = Value;
    type Error = SerdeError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), SerdeError> {
        self.key = Some(key.serialize(KeySerializer)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerdeError> {
        let key = self
            .key
            .take()
            .ok_or_else(|| SerdeError::new("a map value came without its key"))?;
        self.member(key, value)
    }
    fn end(self) -> Result<Value, SerdeError> {
        Ok(Value::Struct(self.members))
    }
}

impl ser::SerializeStruct for MapBuilder {
    type Ok = Value;
    type Error = SerdeError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), SerdeError> {
        self.member(key.to_owned(), value)
    }
    fn end(self) -> Result<Value, SerdeError> {
        Ok(Value::Struct(self.members))
    }
}

/// A tuple or struct variant: the one-member struct named after it.
pub(crate) struct VariantBuilder<B> {
    variant: &'static str,
    inner: B,
}

impl<B> VariantBuilder<B> {
    fn wrap(variant: &'static str, inner: Result<Value, SerdeError>) -> Result<Value, SerdeError> {
        let mut members = Struct::new();
        members.insert(variant.to_owned(), inner?);
        Ok(Value::Struct(members))
    }
}

impl ser::SerializeTupleVariant for VariantBuilder<SeqBuilder> {
    type Ok = Value;
    type Error = SerdeError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerdeError> {
        let variant = self.variant;
        self.inner.push(value).map_err(|e| e.in_member(variant))
    }
    fn end(self) -> Result<Value, SerdeError> {
        Self::wrap(self.variant, ser::SerializeSeq::end(self.inner))
    }
}

impl ser::SerializeStructVariant for VariantBuilder<MapBuilder> {
    type Ok = Value;
    type Error = SerdeError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), SerdeError> {
        let variant = self.variant;
        self.inner
            .member(key.to_owned(), value)
            .map_err(|e| e.in_member(variant))
    }
    fn end(self) -> Result<Value, SerdeError> {
        Self::wrap(self.variant, ser::SerializeStruct::end(self.inner))
    }
}

/// Struct member names: strings, and the scalars that have an obvious
/// text (as serde_json writes map keys).
struct KeySerializer;

fn not_a_key() -> SerdeError {
    SerdeError::new("XML-RPC struct member names must be strings (or numbers, booleans, chars)")
}

impl ser::Serializer for KeySerializer {
    type Ok = String;
    type Error = SerdeError;
    type SerializeSeq = ser::Impossible<String, SerdeError>;
    type SerializeTuple = ser::Impossible<String, SerdeError>;
    type SerializeTupleStruct = ser::Impossible<String, SerdeError>;
    type SerializeTupleVariant = ser::Impossible<String, SerdeError>;
    type SerializeMap = ser::Impossible<String, SerdeError>;
    type SerializeStruct = ser::Impossible<String, SerdeError>;
    type SerializeStructVariant = ser::Impossible<String, SerdeError>;

    fn serialize_bool(self, v: bool) -> Result<String, SerdeError> {
        Ok(v.to_string())
    }
    fn serialize_i8(self, v: i8) -> Result<String, SerdeError> {
        Ok(v.to_string())
    }
    fn serialize_i16(self, v: i16) -> Result<String, SerdeError> {
        Ok(v.to_string())
    }
    fn serialize_i32(self, v: i32) -> Result<String, SerdeError> {
        Ok(v.to_string())
    }
    fn serialize_i64(self, v: i64) -> Result<String, SerdeError> {
        Ok(v.to_string())
    }
    fn serialize_i128(self, v: i128) -> Result<String, SerdeError> {
        Ok(v.to_string())
    }
    fn serialize_u8(self, v: u8) -> Result<String, SerdeError> {
        Ok(v.to_string())
    }
    fn serialize_u16(self, v: u16) -> Result<String, SerdeError> {
        Ok(v.to_string())
    }
    fn serialize_u32(self, v: u32) -> Result<String, SerdeError> {
        Ok(v.to_string())
    }
    fn serialize_u64(self, v: u64) -> Result<String, SerdeError> {
        Ok(v.to_string())
    }
    fn serialize_u128(self, v: u128) -> Result<String, SerdeError> {
        Ok(v.to_string())
    }
    fn serialize_f32(self, _v: f32) -> Result<String, SerdeError> {
        Err(not_a_key())
    }
    fn serialize_f64(self, _v: f64) -> Result<String, SerdeError> {
        Err(not_a_key())
    }
    fn serialize_char(self, v: char) -> Result<String, SerdeError> {
        Ok(v.to_string())
    }
    fn serialize_str(self, v: &str) -> Result<String, SerdeError> {
        Ok(v.to_owned())
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<String, SerdeError> {
        Err(not_a_key())
    }
    fn serialize_none(self) -> Result<String, SerdeError> {
        Err(not_a_key())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _value: &T) -> Result<String, SerdeError> {
        Err(not_a_key())
    }
    fn serialize_unit(self) -> Result<String, SerdeError> {
        Err(not_a_key())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<String, SerdeError> {
        Err(not_a_key())
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<String, SerdeError> {
        Ok(variant.to_owned())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<String, SerdeError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<String, SerdeError> {
        Err(not_a_key())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, SerdeError> {
        Err(not_a_key())
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, SerdeError> {
        Err(not_a_key())
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, SerdeError> {
        Err(not_a_key())
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, SerdeError> {
        Err(not_a_key())
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, SerdeError> {
        Err(not_a_key())
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, SerdeError> {
        Err(not_a_key())
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, SerdeError> {
        Err(not_a_key())
    }
}
