//! UTF-16 and UTF-32 as CPython's codecs write and read them, for text
//! and bytes they take whole.
//!
//! RustPython 0.5 runs these codecs as Python code (`_pycodecs`), ~23 µs
//! to encode eleven characters against CPython's ~200 ns. The fast text
//! codecs (`text_codec_fast_path`) run them here instead where nothing
//! can go wrong: text without surrogates, and bytes of whole code units
//! that are all valid. Anything else is left to RustPython's codec, which
//! raises or calls the error handler.
//!
//! Without a byte order in its name, a codec writes a byte order mark
//! and then the machine's order (little-endian on every machine this
//! runs on, as CPython's), and reads a mark if there is one (taking it
//! off) or else little-endian.

use std::fmt::Write;

/// A byte order, where the codec's name gives one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Order {
    Little,
    Big,
}

/// Which of the two: the size of a code unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Width {
    Utf16,
    Utf32,
}

/// `text` in UTF-16 or UTF-32: with a byte order mark first when `order`
/// is None.
pub(super) fn encode(text: &str, width: Width, order: Option<Order>) -> Vec<u8> {
    match width {
        Width::Utf16 => encode_utf16(text, order),
        Width::Utf32 => encode_utf32(text, order),
    }
}

/// UTF-16 or UTF-32 `bytes` read; where they cannot be and `handler`
/// refuses, the first place that cannot.
pub(super) fn decode(
    bytes: &[u8],
    width: Width,
    order: Option<Order>,
    handler: Handler,
) -> Result<String, Undecodable> {
    decode_some(bytes, width, order, handler, true).map(|(text, _)| text)
}

/// As [`decode`], but unless `last`, an incomplete unit or a high
/// surrogate at the end is left unread, as CPython's incremental
/// decoders leave it for the next call: the text and how many bytes it
/// read.
pub(super) fn decode_some(
    bytes: &[u8],
    width: Width,
    order: Option<Order>,
    handler: Handler,
    last: bool,
) -> Result<(String, usize), Undecodable> {
    match width {
        Width::Utf16 => decode_utf16(bytes, order, handler, last),
        Width::Utf32 => decode_utf32(bytes, order, handler, last),
    }
}

/// `text` in UTF-16: with a byte order mark first when `order` is None.
fn encode_utf16(text: &str, order: Option<Order>) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(2 * text.len() + 2);
    let order = order.unwrap_or_else(|| {
        bytes.extend_from_slice(&0xFEFF_u16.to_le_bytes());
        Order::Little
    });
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&match order {
            Order::Little => unit.to_le_bytes(),
            Order::Big => unit.to_be_bytes(),
        });
    }
    bytes
}

/// `text` in UTF-32: with a byte order mark first when `order` is None.
fn encode_utf32(text: &str, order: Option<Order>) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(4 * text.len() + 4);
    let order = order.unwrap_or_else(|| {
        bytes.extend_from_slice(&0xFEFF_u32.to_le_bytes());
        Order::Little
    });
    for character in text.chars() {
        let point = u32::from(character);
        bytes.extend_from_slice(&match order {
            Order::Little => point.to_le_bytes(),
            Order::Big => point.to_be_bytes(),
        });
    }
    bytes
}

/// Where and why bytes could not be read, as CPython's codec says it in
/// its UnicodeDecodeError (positions count from the first byte given, a
/// byte order mark included).
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Undecodable {
    pub(super) encoding: &'static str,
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) reason: &'static str,
}

/// What to do with bytes that cannot be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Handler {
    /// Refuse them: the decoder answers where (`'strict'`, and any other
    /// handler than the three below, left to RustPython's codec).
    Refuse,
    /// `'replace'`: one U+FFFD for each place.
    Replace,
    /// `'ignore'`: nothing.
    Ignore,
    /// `'backslashreplace'`: `\xNN` for each byte.
    BackslashReplace,
}

/// UTF-16 `bytes` read; where they are not whole code units with every
/// surrogate paired and `handler` refuses, the first place that is not.
fn decode_utf16(
    bytes: &[u8],
    order: Option<Order>,
    handler: Handler,
    last: bool,
) -> Result<(String, usize), Undecodable> {
    let (order, start) = with_mark(bytes, order, [0xFF, 0xFE], [0xFE, 0xFF]);
    let failed = |start, end, reason| Undecodable {
        encoding: match order {
            Order::Little => "utf-16-le",
            Order::Big => "utf-16-be",
        },
        start,
        end,
        reason,
    };
    let unit_at = |at: usize| -> Option<u16> {
        let pair = [*bytes.get(at)?, *bytes.get(at + 1)?];
        Some(match order {
            Order::Little => u16::from_le_bytes(pair),
            Order::Big => u16::from_be_bytes(pair),
        })
    };
    let read_one = |at: usize| {
        let Some(unit) = unit_at(at) else {
            return Err(failed(at, bytes.len(), TRUNCATED));
        };
        match unit {
            0xD800..=0xDBFF => {
                let Some(low) = unit_at(at + 2) else {
                    return Err(failed(at, bytes.len(), UNFINISHED));
                };
                if !(0xDC00..=0xDFFF).contains(&low) {
                    return Err(failed(at, at + 2, "illegal UTF-16 surrogate"));
                }
                let point =
                    0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                Ok((char::from_u32(point), 4))
            }
            0xDC00..=0xDFFF => Err(failed(at, at + 2, "illegal encoding")),
            unit => Ok((char::from_u32(u32::from(unit)), 2)),
        }
    };
    read_all(bytes, start, (handler, last), read_one)
}

/// UTF-32 `bytes` read; where they are not whole code units that are
/// each a character and `handler` refuses, the first place that is not.
fn decode_utf32(
    bytes: &[u8],
    order: Option<Order>,
    handler: Handler,
    last: bool,
) -> Result<(String, usize), Undecodable> {
    let (order, start) = with_mark(bytes, order, [0xFF, 0xFE, 0, 0], [0, 0, 0xFE, 0xFF]);
    let failed = |start, end, reason| Undecodable {
        encoding: match order {
            Order::Little => "utf-32-le",
            Order::Big => "utf-32-be",
        },
        start,
        end,
        reason,
    };
    let read_one = |at: usize| {
        let Some(unit) = bytes.get(at..at + 4) else {
            return Err(failed(at, bytes.len(), TRUNCATED));
        };
        let unit = [unit[0], unit[1], unit[2], unit[3]];
        let point = match order {
            Order::Little => u32::from_le_bytes(unit),
            Order::Big => u32::from_be_bytes(unit),
        };
        match char::from_u32(point) {
            Some(character) => Ok((Some(character), 4)),
            None if point < 0x110000 => Err(failed(
                at,
                at + 4,
                "code point in surrogate code point range(0xd800, 0xe000)",
            )),
            None => Err(failed(at, at + 4, "code point not in range(0x110000)")),
        }
    };
    read_all(bytes, start, (handler, last), read_one)
}

/// Every character of `bytes` from `at`, each read by `read_one` (the
/// character and how many bytes it took); a place it cannot read is
/// refused or handled by `handler`, the reading going on after it, as
/// CPython's decoders go on; unless `last`, reading stops before what
/// ends the bytes unfinished. The text and where reading stopped.
fn read_all(
    bytes: &[u8],
    mut at: usize,
    (handler, last): (Handler, bool),
    read_one: impl Fn(usize) -> Result<(Option<char>, usize), Undecodable>,
) -> Result<(String, usize), Undecodable> {
    let mut text = String::with_capacity(bytes.len().saturating_sub(at) / 2);
    while at < bytes.len() {
        match read_one(at) {
            Ok((character, taken)) => {
                // Every value read is a character: surrogates are refused.
                text.extend(character);
                at += taken;
            }
            Err(undecodable) if !last && matches!(undecodable.reason, UNFINISHED | TRUNCATED) => {
                return Ok((text, undecodable.start));
            }
            Err(undecodable) => {
                match handler {
                    Handler::Refuse => return Err(undecodable),
                    Handler::Replace => text.push('\u{fffd}'),
                    Handler::Ignore => {}
                    Handler::BackslashReplace => {
                        for byte in &bytes[undecodable.start..undecodable.end] {
                            // Writing to a String does not fail.
                            let _ = write!(text, "\\x{byte:02x}");
                        }
                    }
                }
                at = undecodable.end;
            }
        }
    }
    Ok((text, at))
}

/// The reasons of bytes that end before their unit or pair does.
const TRUNCATED: &str = "truncated data";
const UNFINISHED: &str = "unexpected end of data";

/// The order to read `bytes` in and where to start: the name's order,
/// else the mark's (skipped), else little-endian.
fn with_mark<const N: usize>(
    bytes: &[u8],
    order: Option<Order>,
    little: [u8; N],
    big: [u8; N],
) -> (Order, usize) {
    match order {
        Some(order) => (order, 0),
        None if bytes.starts_with(&little) => (Order::Little, N),
        None if bytes.starts_with(&big) => (Order::Big, N),
        None => (Order::Little, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_a_mark_then_little_endian_without_an_order() {
        assert_eq!(encode("a€", Width::Utf16, None), b"\xff\xfea\x00\xac\x20");
        assert_eq!(
            encode("a", Width::Utf32, None),
            b"\xff\xfe\x00\x00a\x00\x00\x00"
        );
        assert_eq!(
            encode("😀", Width::Utf16, Some(Order::Big)),
            b"\xd8\x3d\xde\x00"
        );
    }

    /// What CPython 3.11 answers for each (read with `'strict'` unless
    /// the case names a handler): the text, or the UnicodeDecodeError's
    /// encoding, start, end and reason.
    #[test]
    fn reads_and_says_where_it_cannot_as_cpython() {
        use Handler::*;
        type Expected = Result<&'static str, (&'static str, usize, usize, &'static str)>;
        type Case = (&'static [u8], Width, Option<Order>, Handler, Expected);
        let surrogate = "code point in surrogate code point range(0xd800, 0xe000)";
        let cases: [Case; 12] = [
            (b"\xfe\xff\x00a", Width::Utf16, None, Refuse, Ok("a")),
            (
                b"\xfe\xff\x00a",
                Width::Utf16,
                Some(Order::Little),
                Refuse,
                Ok("\u{fffe}愀"),
            ),
            (
                b"a\x00b",
                Width::Utf16,
                None,
                Refuse,
                Err(("utf-16-le", 2, 3, "truncated data")),
            ),
            (
                b"\xfe\xff\xd8\x00\x00",
                Width::Utf16,
                None,
                Refuse,
                Err(("utf-16-be", 2, 5, "unexpected end of data")),
            ),
            (
                b"\x00\xdca\x00",
                Width::Utf16,
                None,
                Refuse,
                Err(("utf-16-le", 0, 2, "illegal encoding")),
            ),
            (
                b"\x00\xd8a\x00",
                Width::Utf16,
                None,
                Refuse,
                Err(("utf-16-le", 0, 2, "illegal UTF-16 surrogate")),
            ),
            (
                b"\x00\xd8a\x00\x00\xdcb",
                Width::Utf16,
                None,
                BackslashReplace,
                Ok("\\x00\\xd8a\\x00\\xdc\\x62"),
            ),
            (
                b"\x00\xd8a\x00",
                Width::Utf16,
                None,
                Replace,
                Ok("\u{fffd}a"),
            ),
            (
                b"\x00\x00\x11\x00",
                Width::Utf32,
                None,
                Refuse,
                Err(("utf-32-le", 0, 4, "code point not in range(0x110000)")),
            ),
            (
                b"\x00\x00\xfe\xff\x00\x00\xd8\x00",
                Width::Utf32,
                None,
                Refuse,
                Err(("utf-32-be", 4, 8, surrogate)),
            ),
            (
                b"\x00\x00\x11\x00a\x00\x00\x00",
                Width::Utf32,
                None,
                Ignore,
                Ok("a"),
            ),
            (
                b"a\x00\x00\x00e",
                Width::Utf32,
                None,
                Refuse,
                Err(("utf-32-le", 4, 5, "truncated data")),
            ),
        ];
        for (bytes, width, order, handler, expected) in cases {
            let read = decode(bytes, width, order, handler);
            let read = read
                .as_deref()
                .map_err(|refused| (refused.encoding, refused.start, refused.end, refused.reason));
            assert_eq!(
                read, expected,
                "{bytes:?} as {width:?} {order:?} {handler:?}"
            );
        }
    }
}
