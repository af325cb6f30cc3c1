//! [`DateTime`] and the date-time types of `chrono` and `time`.
//!
//! Behind the `chrono` and `time` features, so the crate itself needs
//! neither. XML-RPC's `dateTime.iso8601` is a naive date and time to the
//! second, so: fractions of a second are dropped (as CPython drops
//! microseconds), zoned values are converted to UTC first (CPython writes
//! the wall-clock fields and forgets the zone, which loses the instant),
//! and reading back gives a naive value, or one in UTC. A year outside
//! 0..=9999 travels as the text it formats to (CPython could not read it
//! as a date either) and does not convert back.
//!
//! Each type gets `From` into [`DateTime`], `TryFrom` back,
//! [`FromValue`]/[`IntoValue`] (so handlers take and return it), and works
//! with [`as_datetime`](crate::as_datetime) in serde structs.

#[cfg(any(feature = "chrono", feature = "time"))]
use crate::convert::{ConversionError, FromValue, IntoValue};
#[cfg(any(feature = "chrono", feature = "time"))]
use crate::value::{DateTime, DateTimeParseError, Value};

/// The `DateTime` for these fields: a real one when they fit, else the
/// text they spell.
#[cfg(any(feature = "chrono", feature = "time"))]
fn from_fields(year: i32, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> DateTime {
    u16::try_from(year)
        .ok()
        .and_then(|year| DateTime::new(year, month, day, hour, minute, second))
        .unwrap_or_else(|| {
            DateTime::from_wire(&format!(
                "{year:04}{month:02}{day:02}T{hour:02}:{minute:02}:{second:02}"
            ))
        })
}

#[cfg(any(feature = "chrono", feature = "time"))]
fn not_a_date(t: &DateTime) -> DateTimeParseError {
    DateTimeParseError(t.to_string())
}

#[cfg(any(feature = "chrono", feature = "time"))]
fn read(value: Value) -> Result<DateTime, ConversionError> {
    match value {
        Value::DateTime(t) if t.is_date() => Ok(t),
        other => Err(ConversionError {
            expected: "dateTime.iso8601",
            got: match &other {
                Value::DateTime(t) => format!("dateTime.iso8601 {t:?} that is no date"),
                other => other.type_name().to_owned(),
            },
            detail: None,
        }),
    }
}

/// Implements the value conversions for a type with `From<T> for DateTime`
/// and `TryFrom<DateTime> for T`.
#[cfg(any(feature = "chrono", feature = "time"))]
macro_rules! value_conversions {
    ($t:ty) => {
        impl IntoValue for $t {
            const XMLRPC_TYPE: &'static str = "dateTime.iso8601";
            fn into_value(self) -> Value {
                Value::DateTime(DateTime::from(self))
            }
        }
        impl FromValue for $t {
            const XMLRPC_TYPE: &'static str = "dateTime.iso8601";
            fn from_value(value: Value) -> Result<Self, ConversionError> {
                let t = read(value)?;
                <$t>::try_from(t.clone()).map_err(|_| ConversionError {
                    expected: "dateTime.iso8601",
                    got: format!("out-of-range dateTime.iso8601 {t}"),
                    detail: None,
                })
            }
        }
    };
}

#[cfg(feature = "chrono")]
mod chrono_types {
    use super::*;
    use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike, Utc};

    impl From<NaiveDateTime> for DateTime {
        fn from(t: NaiveDateTime) -> DateTime {
            let small = |n: u32| u8::try_from(n).unwrap_or(u8::MAX);
            from_fields(
                t.year(),
                small(t.month()),
                small(t.day()),
                small(t.hour()),
                small(t.minute()),
                small(t.second()),
            )
        }
    }

    impl TryFrom<DateTime> for NaiveDateTime {
        type Error = DateTimeParseError;
        fn try_from(t: DateTime) -> Result<NaiveDateTime, DateTimeParseError> {
            if !t.is_date() {
                return Err(not_a_date(&t));
            }
            NaiveDate::from_ymd_opt(t.year.into(), t.month.into(), t.day.into())
                .and_then(|d| d.and_hms_opt(t.hour.into(), t.minute.into(), t.second.into()))
                .ok_or_else(|| not_a_date(&t))
        }
    }

    impl From<chrono::DateTime<Utc>> for DateTime {
        fn from(t: chrono::DateTime<Utc>) -> DateTime {
            DateTime::from(t.naive_utc())
        }
    }

    impl TryFrom<DateTime> for chrono::DateTime<Utc> {
        type Error = DateTimeParseError;
        fn try_from(t: DateTime) -> Result<chrono::DateTime<Utc>, DateTimeParseError> {
            NaiveDateTime::try_from(t).map(|naive| naive.and_utc())
        }
    }

    value_conversions!(NaiveDateTime);
    value_conversions!(chrono::DateTime<Utc>);
}

#[cfg(feature = "time")]
mod time_types {
    use super::*;
    use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

    impl From<PrimitiveDateTime> for DateTime {
        fn from(t: PrimitiveDateTime) -> DateTime {
            from_fields(
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second(),
            )
        }
    }

    impl TryFrom<DateTime> for PrimitiveDateTime {
        type Error = DateTimeParseError;
        fn try_from(t: DateTime) -> Result<PrimitiveDateTime, DateTimeParseError> {
            if !t.is_date() {
                return Err(not_a_date(&t));
            }
            let month = Month::try_from(t.month).map_err(|_| not_a_date(&t))?;
            let date = Date::from_calendar_date(t.year.into(), month, t.day)
                .map_err(|_| not_a_date(&t))?;
            let time = Time::from_hms(t.hour, t.minute, t.second).map_err(|_| not_a_date(&t))?;
            Ok(PrimitiveDateTime::new(date, time))
        }
    }

    impl From<OffsetDateTime> for DateTime {
        fn from(t: OffsetDateTime) -> DateTime {
            let utc = t.to_offset(UtcOffset::UTC);
            DateTime::from(PrimitiveDateTime::new(utc.date(), utc.time()))
        }
    }

    impl TryFrom<DateTime> for OffsetDateTime {
        type Error = DateTimeParseError;
        fn try_from(t: DateTime) -> Result<OffsetDateTime, DateTimeParseError> {
            PrimitiveDateTime::try_from(t).map(PrimitiveDateTime::assume_utc)
        }
    }

    value_conversions!(PrimitiveDateTime);
    value_conversions!(OffsetDateTime);
}

#[cfg(all(test, feature = "chrono", feature = "time"))]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_edges() {
        let naive = chrono::NaiveDate::from_ymd_opt(2026, 11, 26)
            .unwrap()
            .and_hms_milli_opt(1, 10, 20, 999)
            .unwrap();
        let t = DateTime::from(naive);
        assert_eq!(t.to_string(), "20261126T01:10:20");
        let back = chrono::NaiveDateTime::try_from(t).unwrap();
        assert_eq!(back, naive.with_nanosecond(0).unwrap());
        use chrono::Timelike;

        let far = chrono::NaiveDate::from_ymd_opt(12345, 1, 2)
            .unwrap()
            .and_hms_opt(3, 4, 5)
            .unwrap();
        let t = DateTime::from(far);
        assert!(!t.is_date());
        assert_eq!(t.to_string(), "123450102T03:04:05");
        assert!(chrono::NaiveDateTime::try_from(t).is_err());

        let offset = time::OffsetDateTime::from_unix_timestamp(0)
            .unwrap()
            .to_offset(time::UtcOffset::from_hms(2, 0, 0).unwrap());
        assert_eq!(DateTime::from(offset).to_string(), "19700101T00:00:00");
        let v = offset.into_value();
        assert_eq!(time::OffsetDateTime::from_value(v).unwrap(), offset);
        assert!(time::PrimitiveDateTime::from_value(Value::from("x")).is_err());
    }
}
