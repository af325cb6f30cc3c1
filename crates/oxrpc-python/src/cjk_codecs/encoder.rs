//! Encoding with a codec's tables, as CPython's multibyte encoders do:
//! from a position, character after character, up to the end of the text
//! or the first character the codec cannot write, which the caller
//! (`multibytecodec.py`) hands to the error handler. A character that can
//! start a pair the codec writes as one sequence (JIS X 0213's kana with
//! a semi-voiced mark, big5hkscs' Ê with a macron) waits at the end of
//! the text for what follows, unless the text is the last.

use super::decoder::Stop;
use super::tables::Codec;

/// What encoding from a position gave (its bytes went to the caller's).
#[derive(Debug)]
pub(super) struct Encoded {
    /// Where encoding stopped, in code points.
    pub(super) position: usize,
    pub(super) stop: Stop,
}

/// Encodes `text` (code points) from `start` onto `bytes`; `last` says no
/// more text follows, so a character that could start a pair is written
/// alone.
pub(super) fn encode(
    codec: &Codec,
    text: &[u32],
    start: usize,
    last: bool,
    bytes: &mut Vec<u8>,
) -> Encoded {
    bytes.reserve(text.len().saturating_sub(start) * 2);
    let mut position = start;
    let has_pairs = !codec.pair_encodings.is_empty();
    let stop = loop {
        let Some(&code) = text.get(position) else {
            break Stop::End;
        };
        if has_pairs && codec.starts_pair(code) {
            match text.get(position + 1) {
                None if !last => break Stop::Incomplete,
                Some(&next) => {
                    if let Some(pair) = codec.pair_encodings.get(&(code, next)) {
                        bytes.extend_from_slice(pair);
                        position += 2;
                        continue;
                    }
                }
                None => {}
            }
        }
        if let Some(single) = codec.encoded(code) {
            bytes.extend_from_slice(single);
        } else if let Some(four) = codec.four_bytes.as_ref().and_then(|rule| rule.encode(code)) {
            bytes.extend_from_slice(&four);
        } else if let Some(eight) = codec.make_up.as_ref().and_then(|rule| rule.encode(code)) {
            bytes.extend_from_slice(&eight);
        } else {
            break Stop::Illegal(1);
        }
        position += 1;
    };
    Encoded { position, stop }
}
