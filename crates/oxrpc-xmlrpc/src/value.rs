//! The XML-RPC value model.
//!
//! One enum covers every type of the XML-RPC spec plus the extensions CPython's
//! `xmlrpc.client` reads (`nil`, `i8`, and the Apache `ex:` forms). Structs keep
//! their members in insertion order, as Python dicts do, so a value that
//! crosses to Python and back comes home unchanged.

use indexmap::IndexMap;
use std::fmt;

/// The members of an XML-RPC `<struct>`, in order. Duplicate names keep the
/// last value (and the first position), as a Python dict built from them would.
pub type Struct = IndexMap<String, Value>;

/// Any XML-RPC value.
///
/// ```
/// use oxrpc_xmlrpc::Value;
///
/// let v = Value::from(vec![Value::from(1), Value::from("two"), Value::from(3.0)]);
/// assert_eq!(v.as_array().map(|a| a.len()), Some(3));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `<int>` / `<i4>` when it fits 32 bits, `<i8>` otherwise (CPython refuses
    /// to write such ints but reads them). Also what `<i1>`, `<i2>`, and
    /// `<biginteger>` decode to when they fit 64 bits.
    Int(i64),
    /// An integer beyond 64 bits, as decimal digits (from `<biginteger>` or an
    /// oversized `<int>`, both of which CPython reads into a Python int).
    BigInt(String),
    /// `<boolean>`.
    Bool(bool),
    /// `<string>`, or a `<value>` with no type element.
    String(String),
    /// `<double>` (or the Apache `<ex:float>`).
    Double(f64),
    /// `<bigdecimal>` (Apache extension; CPython reads it as `decimal.Decimal`).
    BigDecimal(String),
    /// `<dateTime.iso8601>`.
    DateTime(DateTime),
    /// `<base64>`.
    Base64(Vec<u8>),
    /// `<struct>`.
    Struct(Struct),
    /// `<array>`.
    Array(Vec<Value>),
    /// `<nil/>` (CPython's `allow_none`).
    Nil,
}

impl Value {
    /// The XML-RPC type name, as `system.methodSignature` reports it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Int(i) if i32::try_from(*i).is_ok() => "int",
            Value::Int(_) => "i8",
            Value::BigInt(_) => "biginteger",
            Value::Bool(_) => "boolean",
            Value::String(_) => "string",
            Value::Double(_) => "double",
            Value::BigDecimal(_) => "bigdecimal",
            Value::DateTime(_) => "dateTime.iso8601",
            Value::Base64(_) => "base64",
            Value::Struct(_) => "struct",
            Value::Array(_) => "array",
            Value::Nil => "nil",
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The integer, if this is one that fits 64 bits.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The array items, if this is an array.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The struct members, if this is a struct.
    pub fn as_struct(&self) -> Option<&Struct> {
        match self {
            Value::Struct(members) => Some(members),
            _ => None,
        }
    }

    /// Looks up a struct member by name.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.as_struct().and_then(|s| s.get(name))
    }

    /// About how many bytes this value takes encoded, counting no further
    /// than `cap` (so a huge value costs no more than `cap` to measure).
    /// An over-estimate by the markup of each value, never an under one
    /// for text, which escaping can only lengthen.
    pub fn encoded_size_at_most(&self, cap: usize) -> usize {
        let mut total = 0usize;
        let mut stack = vec![self];
        while let Some(value) = stack.pop() {
            total = total.saturating_add(MARKUP);
            total = total.saturating_add(match value {
                Value::String(s) | Value::BigInt(s) | Value::BigDecimal(s) => s.len(),
                Value::Base64(b) => b.len() / 3 * 4 + b.len() / 57 + 4,
                Value::Array(items) => {
                    stack.extend(items.iter());
                    0
                }
                Value::Struct(members) => {
                    // Summed apart: `total` is read before this arm runs.
                    let mut names = 0usize;
                    for (name, v) in members {
                        names = names.saturating_add(name.len() + MARKUP);
                        stack.push(v);
                    }
                    names
                }
                _ => 24,
            });
            if total > cap {
                return total;
            }
        }
        total
    }

    /// What Python's `str()` prints for this value as CPython's server
    /// unmarshals it (a `<struct>` is a `dict`, `<base64>` a `Binary`, ...),
    /// for messages that echo what a client sent.
    ///
    /// ```
    /// use oxrpc_xmlrpc::Value;
    ///
    /// assert_eq!(Value::from(5).to_python_str(), "5");
    /// assert_eq!(Value::Array(vec!["a".into()]).to_python_str(), "['a']");
    /// ```
    pub fn to_python_str(&self) -> String {
        crate::pyvalue::str(self)
    }

    /// The name of the Python class CPython's server unmarshals this value
    /// to (`int`, `str`, `dict`, `list`, `Binary`, `DateTime`, ...).
    pub fn python_type_name(&self) -> &'static str {
        crate::pyvalue::type_name(self)
    }
}

/// The markup around one encoded value (`<value><string>`...`</string></value>`).
const MARKUP: usize = 40;

/// An XML-RPC `dateTime.iso8601`: a naive date and time to the second, which
/// is all the format carries (CPython writes `%Y%m%dT%H:%M:%S`).
///
/// CPython's `xmlrpc.client.DateTime` keeps whatever text it received and
/// sends it back unchanged, so a value read from the wire keeps its text
/// too ([`DateTime::from_wire`]): a dashed `2024-01-01T12:00:00`, a time
/// zone suffix, even a string that is no date at all (its fields are then
/// zero and [`DateTime::is_date`] is false).
///
/// ```
/// use oxrpc_xmlrpc::DateTime;
///
/// let t: DateTime = "20261126T01:10:20".parse().unwrap();
/// assert_eq!(t.to_string(), "20261126T01:10:20");
/// assert_eq!((t.year, t.month, t.day), (2026, 11, 26));
/// let dashed = DateTime::from_wire("2026-11-26T01:10:20");
/// assert_eq!((dashed.year, dashed.to_string().as_str()), (2026, "2026-11-26T01:10:20"));
/// assert!(!DateTime::from_wire("not a date").is_date());
/// ```
#[derive(Debug, Clone)]
pub struct DateTime {
    /// The year, `0..=9999`.
    pub year: u16,
    /// The month, `1..=12`.
    pub month: u8,
    /// The day of the month, `1..=31`.
    pub day: u8,
    /// The hour, `0..=23`.
    pub hour: u8,
    /// The minute, `0..=59`.
    pub minute: u8,
    /// The second, `0..=59`.
    pub second: u8,
    /// The text as received when it is not the canonical form.
    text: Option<Box<str>>,
}

impl DateTime {
    /// A checked constructor: fields out of range are refused.
    pub fn new(year: u16, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> Option<Self> {
        let t = DateTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
            text: None,
        };
        t.is_valid().then_some(t)
    }

    /// A value as read from the wire: any text is kept (stripped of
    /// surrounding white space, as CPython does) and sent back as it came;
    /// the fields are filled when the text is a date.
    pub fn from_wire(text: &str) -> DateTime {
        let trimmed = text.trim();
        match trimmed.parse::<DateTime>() {
            Ok(t) => t,
            Err(_) => DateTime {
                year: 0,
                month: 0,
                day: 0,
                hour: 0,
                minute: 0,
                second: 0,
                text: Some(trimmed.into()),
            },
        }
    }

    /// Whether the value is a date and time (rather than text a client sent
    /// that is not one).
    pub fn is_date(&self) -> bool {
        self.is_valid()
    }

    fn is_valid(&self) -> bool {
        let leap = (self.year % 4 == 0 && self.year % 100 != 0) || self.year % 400 == 0;
        let days_in_month = match self.month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return false,
        };
        self.year <= 9999
            && self.day >= 1
            && self.day <= days_in_month
            && self.hour < 24
            && self.minute < 60
            && self.second < 60
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(text) = &self.text {
            return f.write_str(text);
        }
        write!(
            f,
            "{:04}{:02}{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

impl DateTime {
    /// What equality and order compare: the instant for a date (however it
    /// was written), the text for anything else.
    fn key(&self) -> (u16, u8, u8, u8, u8, u8, Option<&str>) {
        let text = if self.is_date() {
            None
        } else {
            self.text.as_deref()
        };
        (
            self.year,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
            text,
        )
    }
}

impl PartialEq for DateTime {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}
impl Eq for DateTime {}
impl PartialOrd for DateTime {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for DateTime {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }
}
impl std::hash::Hash for DateTime {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

/// The error for a `dateTime.iso8601` text that is not a valid date and time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid dateTime.iso8601 {0:?} (expected YYYYMMDDTHH:MM:SS)")]
pub struct DateTimeParseError(pub String);

impl std::str::FromStr for DateTime {
    type Err = DateTimeParseError;

    /// Accepts CPython's `YYYYMMDDTHH:MM:SS`, plus the dashed
    /// `YYYY-MM-DDTHH:MM:SS` and compact `YYYYMMDDTHHMMSS` forms other
    /// implementations write.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = || DateTimeParseError(text.to_owned());
        let trimmed = text.trim();
        let digits: Vec<u8> = trimmed
            .bytes()
            .filter(|b| !matches!(b, b'-' | b':'))
            .collect();
        // After dropping separators: YYYYMMDDTHHMMSS (15 bytes).
        if digits.len() != 15 || digits[8] != b'T' {
            return Err(err());
        }
        let num = |range: std::ops::Range<usize>| -> Result<u16, DateTimeParseError> {
            let part = &digits[range];
            if !part.iter().all(u8::is_ascii_digit) {
                return Err(err());
            }
            Ok(part.iter().fold(0u16, |n, d| n * 10 + u16::from(d - b'0')))
        };
        let small = |range| num(range).and_then(|n| u8::try_from(n).map_err(|_| err()));
        let mut t = DateTime::new(
            num(0..4)?,
            small(4..6)?,
            small(6..8)?,
            small(9..11)?,
            small(11..13)?,
            small(13..15)?,
        )
        .ok_or_else(err)?;
        if t.to_string() != trimmed {
            t.text = Some(trimmed.into());
        }
        Ok(t)
    }
}

macro_rules! value_from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Self {
                Value::Int(i64::from(v))
            }
        }
    )*};
}
value_from_int!(i8, i16, i32, i64, u8, u16, u32);

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Double(v)
    }
}
impl From<f32> for Value {
    fn from(v: f32) -> Self {
        Value::Double(f64::from(v))
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::String(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::String(v)
    }
}
impl From<DateTime> for Value {
    fn from(v: DateTime) -> Self {
        Value::DateTime(v)
    }
}
impl From<Vec<Value>> for Value {
    fn from(v: Vec<Value>) -> Self {
        Value::Array(v)
    }
}
impl From<Struct> for Value {
    fn from(v: Struct) -> Self {
        Value::Struct(v)
    }
}
impl From<()> for Value {
    fn from(_: ()) -> Self {
        Value::Nil
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_size_estimate_covers_the_encoded_value() {
        // Text without characters to escape, so the estimate must hold.
        let member = |i: i64| {
            let mut member = Struct::new();
            member.insert("id".into(), Value::Int(i * 7919));
            member.insert(
                "name".into(),
                Value::String(format!("item {i} \u{e9}t\u{e9}")),
            );
            member.insert("price".into(), Value::Double(i as f64 * 1.25 + 0.1));
            member.insert("active".into(), Value::Bool(i % 3 == 0));
            member.insert("tags".into(), Value::Array(vec!["a".into(), "b".into()]));
            Value::Struct(member)
        };
        let mut nested = Struct::new();
        nested.insert("inner".into(), member(1));
        nested.insert("list".into(), Value::Array((0..50).map(member).collect()));
        for value in [
            Value::Array((0..216).map(member).collect()),
            Value::Struct(nested),
            member(3),
            Value::Array((0..1000).map(Value::Int).collect()),
            Value::String("x".repeat(5000)),
        ] {
            let mut encoded = String::new();
            crate::encode::write_value(&mut encoded, &value).unwrap();
            let estimate = value.encoded_size_at_most(usize::MAX);
            assert!(
                estimate >= encoded.len(),
                "estimate {estimate} < encoded {}",
                encoded.len()
            );
            // And not wildly over: the server sizes its buffer with it.
            assert!(estimate <= encoded.len() * 3, "estimate {estimate}");
        }
    }

    #[test]
    fn datetime_forms() {
        let want = DateTime::new(1998, 7, 17, 14, 8, 55).unwrap();
        for text in [
            "19980717T14:08:55",
            "1998-07-17T14:08:55",
            "19980717T140855",
            " 19980717T14:08:55\n",
        ] {
            assert_eq!(text.parse::<DateTime>(), Ok(want.clone()), "{text}");
        }
        for bad in [
            "",
            "1998071714:08:55",
            "19981317T14:08:55",
            "19980230T14:08:55",
            "19980717T24:00:00",
            "1998O717T14:08:55",
            "٢٠٢٠0717T14:08:55",
        ] {
            assert!(bad.parse::<DateTime>().is_err(), "{bad}");
        }
        assert_eq!(want.to_string(), "19980717T14:08:55");
        assert_eq!(
            DateTime::new(1, 1, 1, 0, 0, 0).unwrap().to_string(),
            "00010101T00:00:00"
        );
    }

    #[test]
    fn type_names() {
        assert_eq!(Value::from(1).type_name(), "int");
        assert_eq!(Value::from(1i64 << 40).type_name(), "i8");
        assert_eq!(Value::Nil.type_name(), "nil");
    }
}
