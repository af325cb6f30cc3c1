//! Word-at-a-time scans of a document's text, for the layout reader.
//!
//! Text between XML-RPC tags is mostly a few bytes: a name, a number, a
//! short string. A vector search (`memchr`) costs more to set up than such
//! text takes to read, so the first words are read eight bytes at a time
//! with plain integer arithmetic (SWAR), and only longer text goes to
//! `memchr`.

/// A byte repeated in each of a word's eight bytes.
const ONES: u64 = 0x0101_0101_0101_0101;
/// The high bit of each of a word's eight bytes.
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The eight bytes at `at` as a little-endian word, if there are eight.
#[inline]
fn word_at(bytes: &[u8], at: usize) -> Option<u64> {
    let mut word = [0u8; 8];
    word.copy_from_slice(bytes.get(at..at + 8)?);
    Some(u64::from_le_bytes(word))
}

/// The high bit of each byte of `word` that equals `byte` (SWAR: after
/// XOR, a matching byte is zero). The lowest flag is exact; a flag above a
/// true one may be false (a borrow), never one below it.
#[inline]
fn bytes_equal(word: u64, byte: u8) -> u64 {
    let x = word ^ (ONES * u64::from(byte));
    x.wrapping_sub(ONES) & !x & HIGHS
}

/// The first `byte` at or after `pos`. Text between tags is mostly a few
/// bytes, nearer than a vector search pays off: two words are looked at
/// first, then `memchr` takes over.
#[inline]
pub(super) fn find_byte(bytes: &[u8], pos: usize, byte: u8) -> Option<usize> {
    let mut at = pos;
    for _ in 0..2 {
        let Some(word) = word_at(bytes, at) else {
            break;
        };
        let found = bytes_equal(word, byte);
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    memchr::memchr(byte, bytes.get(at..)?).map(|offset| at + offset)
}

/// Where the text at `pos` ends (the next `<`), and whether it is clean:
/// free of every byte `decoded` (in `text.rs`) would look at again
/// (references, `>`, control characters, the lead byte of U+FFFE/U+FFFF;
/// tab and newline count too, conservatively). Four words are looked at, each for all of
/// those at once: the lowest flagged byte of each kind is exact, and a
/// false flag only ever sits above a true one, so "a flag below the `<`"
/// means "a byte to look at". Longer text is found with `memchr` and left
/// to `decoded` to check.
#[inline]
pub(super) fn scan_text(bytes: &[u8], pos: usize) -> Option<(usize, bool)> {
    let mut at = pos;
    let mut clean = true;
    for _ in 0..4 {
        let Some(word) = word_at(bytes, at) else {
            break;
        };
        // Bytes below 0x20, by the same borrow rule.
        let control = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
        let attention =
            control | bytes_equal(word, b'&') | bytes_equal(word, b'>') | bytes_equal(word, 0xEF);
        let lt = bytes_equal(word, b'<');
        if lt != 0 {
            let below = (lt & lt.wrapping_neg()) - 1;
            let end = at + (lt.trailing_zeros() / 8) as usize;
            return Some((end, clean && attention & below == 0));
        }
        clean &= attention == 0;
        at += 8;
    }
    memchr::memchr(b'<', bytes.get(at..)?).map(|offset| (at + offset, false))
}

#[cfg(test)]
mod tests {
    use super::scan_text;

    /// What [`scan_text`] must say, byte by byte: the first `<`, and
    /// whether the text before it is free of control characters (tab and
    /// newline included), `&`, `>` and 0xEF.
    fn by_bytes(bytes: &[u8], pos: usize) -> Option<(usize, bool)> {
        let lt = pos + bytes[pos..].iter().position(|&b| b == b'<')?;
        let clean = bytes[pos..lt]
            .iter()
            .all(|&b| b >= 0x20 && b != b'&' && b != b'>' && b != 0xEF);
        Some((lt, clean))
    }

    #[test]
    fn the_word_scan_agrees_with_a_byte_scan() {
        let specials: &[u8] = b"&><\t\n\r\x00\x1f\xef\xbf\x20\x7f\x80";
        for len in 0..40 {
            for at in 0..=len {
                for &special in specials {
                    for &after in specials {
                        // `len` plain bytes with one special at `at`, the
                        // `<`, then another special in the same word.
                        let mut text = vec![b'a'; len];
                        if at < len {
                            text[at] = special;
                        }
                        text.extend_from_slice(b"<");
                        text.push(after);
                        text.extend_from_slice(b"xxxxxxxxxxxxxxxx");
                        for pos in 0..2 {
                            let expected = by_bytes(&text, pos);
                            let scanned = scan_text(&text, pos);
                            let Some((lt, clean)) = expected else {
                                assert_eq!(scanned, None, "{text:?} from {pos}");
                                continue;
                            };
                            let scanned = scanned.unwrap();
                            assert_eq!(scanned.0, lt, "{text:?} from {pos}");
                            if lt - pos < 32 {
                                assert_eq!(scanned.1, clean, "{text:?} from {pos}");
                            } else {
                                // Longer text is always looked at again.
                                assert!(!scanned.1, "{text:?} from {pos}");
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(scan_text(b"no end", 0), None);
        assert_eq!(scan_text(b"abcdefghijklmnopqrstuvwxyz0123456789", 0), None);
    }
}
