//! Decoding with a codec's tables, as CPython's multibyte decoders do:
//! from a position, sequence after sequence, up to the end of the input or
//! the first sequence that is illegal or incomplete, which the caller
//! (`multibytecodec.py`) hands to the error handler.

use super::tables::{Codec, Entry};

/// Why decoding stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Stop {
    /// Every byte was decoded.
    End,
    /// The bytes from the position on start a sequence that has not ended.
    Incomplete,
    /// The so many bytes at the position are illegal.
    Illegal(usize),
    /// The codec's state names nothing the codec knows (a client's
    /// `setstate` can make one): CPython's "internal codec error".
    Internal,
}

/// What decoding from a position gave (its text went to the caller's).
#[derive(Debug)]
pub(super) struct Decoded {
    /// Where decoding stopped.
    pub(super) position: usize,
    pub(super) stop: Stop,
}

/// Decodes `data` from `start` into `text` until its end or a sequence it
/// cannot.
pub(super) fn decode(codec: &Codec, data: &[u8], start: usize, text: &mut String) -> Decoded {
    text.reserve(data.len().saturating_sub(start));
    let mut position = start;
    let stop = loop {
        let Some(rest) = data.get(position..).filter(|rest| !rest.is_empty()) else {
            break Stop::End;
        };
        match sequence(codec, rest) {
            Ok((length, first, second)) => {
                text.push(first);
                if let Some(second) = second {
                    text.push(second);
                }
                position += length;
            }
            Err(stop) => break stop,
        }
    };
    Decoded { position, stop }
}

/// The sequence at the start of `rest`: its length and its one or two
/// characters, or why there is none.
fn sequence(codec: &Codec, rest: &[u8]) -> Result<(usize, char, Option<char>), Stop> {
    let mut node = 0;
    for (at, byte) in rest.iter().enumerate() {
        let length = at + 1;
        let ruled = match codec.entry(node, *byte) {
            Entry::Char(code) => return Ok((length, character(code)?, None)),
            Entry::Pair(index) => {
                let (first, second) = codec.pairs.get(index).ok_or(Stop::Illegal(length))?;
                return Ok((length, character(*first)?, Some(character(*second)?)));
            }
            Entry::Node(next) => {
                node = next;
                continue;
            }
            Entry::Illegal(size) => return Err(Stop::Illegal(size)),
            Entry::FourBytes => codec.four_bytes.as_ref().map(|rule| (4, rule.decode(rest))),
            Entry::MakeUp => codec.make_up.as_ref().map(|rule| (8, rule.decode(rest))),
        };
        return match ruled {
            Some((length, Some(Ok(code)))) => Ok((length, character(code)?, None)),
            Some((_, Some(Err(size)))) => Err(Stop::Illegal(size)),
            Some((_, None)) => Err(Stop::Incomplete),
            None => Err(Stop::Illegal(1)),
        };
    }
    Err(Stop::Incomplete)
}

/// The character `code` is; the tables hold no surrogates, so one there
/// would be a broken table's, taken as an illegal byte.
fn character(code: u32) -> Result<char, Stop> {
    char::from_u32(code).ok_or(Stop::Illegal(1))
}
