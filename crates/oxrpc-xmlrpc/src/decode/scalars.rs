//! The text of scalar elements as CPython reads it: ints of any size
//! (wider than 64 bits they stay digits), `float()`'s spelling of doubles,
//! and `base64.decodebytes`.

use super::ParseError;
use crate::value::Value;
use base64::Engine;
use std::borrow::Cow;

pub(super) fn parse_int(text: &str) -> Result<Value, ParseError> {
    let trimmed = text.trim();
    if let Ok(i) = trimmed.parse::<i64>() {
        return Ok(Value::Int(i));
    }
    let digits = trimmed.strip_prefix(['+', '-']).unwrap_or(trimmed);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        let negative = trimmed.starts_with('-');
        let digits = digits.trim_start_matches('0');
        Ok(Value::BigInt(if negative {
            format!("-{digits}")
        } else {
            digits.to_owned()
        }))
    } else {
        Err(ParseError::Invalid(format!("bad integer {trimmed:?}")))
    }
}

pub(super) fn parse_double(text: &str) -> Result<f64, ParseError> {
    let trimmed = text.trim();
    // Python's float() also takes digit-group underscores ("1_000.5").
    let cleaned: Cow<str> = if trimmed.contains('_') {
        Cow::Owned(trimmed.replace('_', ""))
    } else {
        Cow::Borrowed(trimmed)
    };
    cleaned
        .parse::<f64>()
        .map_err(|_| ParseError::Invalid(format!("bad double {trimmed:?}")))
}

/// `base64.decodebytes`: whitespace anywhere is ignored.
pub(super) fn decode_base64(text: &str) -> Result<Vec<u8>, ParseError> {
    let compact: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(&compact)
        .map_err(|e| ParseError::Invalid(format!("bad base64: {e}")))
}
