//! HZ (RFC 1843), `_codecs_cn`'s one stateful codec, as CPython's: GB2312
//! characters written in seven bits between `~{` and `~}`, `~~` for a
//! tilde and `~` before a newline continuing the line. The state is
//! CPython's state byte (0 outside `~{ ~}`, 1 inside; a client's
//! `setstate` may set any value, which CPython's code then compares
//! exactly, and so does this).

use super::decoder::{Decoded, Stop};
use super::encoder::Encoded;
use super::tables::{Codec, Entry};

/// Decodes `data` from `start` in `state` into `text` until its end or
/// the first sequence it cannot (the state stays as it was there).
pub(super) fn decode(
    gb2312: &Codec,
    data: &[u8],
    start: usize,
    state: &mut u8,
    text: &mut String,
) -> Decoded {
    let mut position = start;
    let stop = loop {
        let Some(&first) = data.get(position) else {
            break Stop::End;
        };
        if first == b'~' {
            let Some(&second) = data.get(position + 1) else {
                break Stop::Incomplete;
            };
            match (second, *state) {
                (b'~', 0) => text.push('~'),
                (b'{', 0) => *state = 1,
                (b'\n', 0) => {}
                (b'}', 1) => *state = 0,
                _ => break Stop::Illegal(1),
            }
            position += 2;
            continue;
        }
        if first & 0x80 != 0 {
            break Stop::Illegal(1);
        }
        if *state == 0 {
            text.push(char::from(first));
            position += 1;
            continue;
        }
        let Some(&second) = data.get(position + 1) else {
            break Stop::Incomplete;
        };
        match seven_bit(gb2312, first, second) {
            Some(character) => {
                text.push(character);
                position += 2;
            }
            None => break Stop::Illegal(1),
        }
    };
    Decoded { position, stop }
}

/// The GB2312 character of the seven-bit pair `first`, `second`.
fn seven_bit(gb2312: &Codec, first: u8, second: u8) -> Option<char> {
    if second & 0x80 != 0 {
        return None;
    }
    let Entry::Node(row) = gb2312.entry(0, first | 0x80) else {
        return None;
    };
    match gb2312.entry(row, second | 0x80) {
        Entry::Char(code) => char::from_u32(code),
        _ => None,
    }
}

/// Encodes `text` from `start` in `state` onto `bytes` until its end or
/// the first character GB2312 lacks (the state stays as it was there).
pub(super) fn encode(
    gb2312: &Codec,
    text: &[u32],
    start: usize,
    state: &mut u8,
    bytes: &mut Vec<u8>,
) -> Encoded {
    let mut position = start;
    let stop = loop {
        let Some(&code) = text.get(position) else {
            break Stop::End;
        };
        if let Some(ascii) = u8::try_from(code).ok().filter(u8::is_ascii) {
            if *state != 0 {
                bytes.extend_from_slice(b"~}");
                *state = 0;
            }
            bytes.push(ascii);
            if ascii == b'~' {
                bytes.push(b'~');
            }
            position += 1;
            continue;
        }
        let pair = match gb2312.encoded(code) {
            Some(&[first, second]) if code <= 0xFFFF => [first & 0x7F, second & 0x7F],
            _ => break Stop::Illegal(1),
        };
        if *state == 0 {
            bytes.extend_from_slice(b"~{");
            *state = 1;
        }
        bytes.extend_from_slice(&pair);
        position += 1;
    };
    Encoded { position, stop }
}

/// What ends the text in `state`: `~}` where a GB2312 run is open.
pub(super) fn reset(state: &mut u8) -> Vec<u8> {
    if *state == 0 {
        return Vec::new();
    }
    *state = 0;
    b"~}".to_vec()
}
