//! Answers encoded once and sent many times.
//!
//! A method whose answer changes rarely but is asked for often (a directory
//! listing, a catalogue, a configuration) pays on every call to build the
//! answer's value, measure it, encode it and free it again, and for a
//! small call that is most of what the server itself does. Such a method
//! can keep its answer as an [`Encoded`] instead and return it: a clone is
//! a reference count, and the server writes its bytes into the response as
//! they stand. The response is byte for byte the one the value would have
//! given.

use crate::decode::{decode_response, Limits, MethodResponse, ParseError};
use crate::encode::{write_value, EncodeError};
use crate::value::Value;
use std::sync::Arc;

/// A value already encoded as a `<value>` element, ready to be answered.
///
/// ```
/// use oxrpc_xmlrpc::{Encoded, Registry, Value};
///
/// let names = Value::Array(vec![Value::from("bin"), Value::from("etc")]);
/// let answer = Encoded::new(&names).unwrap();
/// let mut methods = Registry::new();
/// let kept = answer.clone();
/// methods.register("names", move || kept.clone());
/// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// // Called in the server, the bytes go out as they are; called from Rust,
/// // the value comes back as a client would read it.
/// assert_eq!(rt.block_on(methods.dispatch("names", vec![])), Ok(names.clone()));
/// assert_eq!(answer.to_value().unwrap(), names);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Encoded {
    /// `<value>…</value>` as [`write_value`] writes it.
    xml: Arc<str>,
}

impl Encoded {
    /// Encodes `value` as a response would carry it; fails as encoding the
    /// response would (a character XML cannot carry, a malformed number).
    pub fn new(value: &Value) -> Result<Encoded, EncodeError> {
        let mut xml = String::with_capacity(value.encoded_size_at_most(usize::MAX));
        write_value(&mut xml, value)?;
        Ok(Encoded { xml: xml.into() })
    }

    /// The value back, as a client reads it from the response.
    pub fn to_value(&self) -> Result<Value, ParseError> {
        let document = self.in_response();
        // What this crate encoded: no limit a peer's document needs.
        let limits = Limits {
            max_depth: usize::MAX,
            max_values: usize::MAX,
        };
        match decode_response(document.as_bytes(), &limits)? {
            MethodResponse::Success(value) => Ok(value),
            _ => Err(ParseError::Invalid("not a value".into())),
        }
    }

    /// The `<value>` element, as the response carries it.
    pub fn as_str(&self) -> &str {
        &self.xml
    }

    /// The size of the `<value>` element, in bytes.
    pub(crate) fn len(&self) -> usize {
        self.xml.len()
    }

    /// The whole `<methodResponse>` document carrying this value.
    pub(crate) fn in_response(&self) -> String {
        crate::encode::encode_response_around(&self.xml)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::encode_response;
    use crate::value::Struct;

    fn samples() -> Vec<Value> {
        let mut members = Struct::new();
        members.insert("a&b".into(), Value::Double(0.1));
        members.insert("n".into(), Value::Nil);
        vec![
            Value::Nil,
            Value::Int(1 << 40),
            Value::from("<tag> & \r"),
            Value::Array(vec![Value::Bool(true), Value::Struct(members), Value::Nil]),
            Value::Base64(vec![0, 255, 7]),
        ]
    }

    #[test]
    fn the_response_is_the_one_the_value_gives() {
        for value in samples() {
            let encoded = Encoded::new(&value).unwrap();
            assert_eq!(encoded.in_response(), encode_response(&value).unwrap());
            assert_eq!(encoded.to_value().unwrap(), value);
        }
    }

    #[test]
    fn what_cannot_be_encoded_is_refused_up_front() {
        let refused = Encoded::new(&Value::from("bell \u{7}"));
        assert!(matches!(refused, Err(EncodeError::InvalidChar('\u{7}'))));
    }
}
