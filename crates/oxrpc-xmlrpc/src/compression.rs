//! gzip for HTTP bodies, with a cap on what a peer can make us inflate.

use flate2::write::GzEncoder;
use flate2::Compression;
use std::io::{Read, Write};

/// Why a gzip body could not be inflated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GunzipError {
    /// Not valid gzip data.
    #[error("error decoding gzip content: {0}")]
    Corrupt(String),
    /// Valid gzip data that stops before its end: Python's `gzip` raises
    /// `EOFError` for it, which CPython's server does not catch (it answers
    /// 500 with no body).
    #[error("gzip content ends before its end-of-stream marker")]
    Truncated,
    /// It inflates past the allowed size (a "zip bomb", or just too big).
    #[error("gzip content inflates beyond {0} bytes")]
    TooLarge(usize),
}

/// Bodies that inflate to at most this much are inflated in one pass.
const ONE_PASS: usize = 256 * 1024;

/// Inflates `data`, refusing it as soon as the output would exceed
/// `max_size`. As Python's `gzip` reads it: an empty body is empty, and
/// NUL bytes padding the members are skipped.
///
/// The first pass keeps what a body inflates to up to [`ONE_PASS`] bytes
/// and only counts the rest; a body past that is inflated again into a
/// buffer of exactly its size:
/// a gzip bomb is refused without ever being held, and a large body costs
/// its own size, not the two or three times a doubling buffer costs.
///
/// ```
/// use oxrpc_xmlrpc::{gunzip, gzip, GunzipError};
///
/// let body = gzip(&[b'x'; 10_000]);
/// assert_eq!(gunzip(&body, 10_000).unwrap().len(), 10_000);
/// assert_eq!(gunzip(&body, 9_999), Err(GunzipError::TooLarge(9_999)));
/// assert_eq!(gunzip(&body[..body.len() - 1], 10_000), Err(GunzipError::Truncated));
/// ```
pub fn gunzip(data: &[u8], max_size: usize) -> Result<Vec<u8>, GunzipError> {
    let limit = u64::try_from(max_size)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    // One pass keeps the first ONE_PASS bytes and counts the rest.
    let mut first = FirstPart {
        kept: Vec::with_capacity(data.len().saturating_mul(4).clamp(64, ONE_PASS)),
        keep: ONE_PASS,
    };
    let total = usize::try_from(inflate(data, &mut first, limit)?).unwrap_or(usize::MAX);
    if total > max_size {
        return Err(GunzipError::TooLarge(max_size));
    }
    if total <= ONE_PASS {
        return Ok(first.kept);
    }
    let mut out = Vec::with_capacity(total);
    if usize::try_from(inflate(data, &mut out, limit)?).ok() != Some(total) {
        return Err(GunzipError::Corrupt(
            "the body inflated differently twice".into(),
        ));
    }
    Ok(out)
}

/// A writer that keeps the first `keep` bytes written and lets the rest
/// go (they are counted by [`inflate`]).
struct FirstPart {
    kept: Vec<u8>,
    keep: usize,
}

impl Write for FirstPart {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let room = self.keep.saturating_sub(self.kept.len());
        self.kept.extend_from_slice(&bytes[..bytes.len().min(room)]);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Inflates the gzip members of `data` one after another into `out`, at
/// most `limit` bytes, skipping NUL bytes before each; returns how many
/// bytes it wrote.
fn inflate(data: &[u8], out: &mut impl Write, limit: u64) -> Result<u64, GunzipError> {
    let mut rest = data;
    let mut written = 0u64;
    loop {
        rest = &rest[rest.iter().take_while(|&&b| b == 0).count()..];
        if rest.is_empty() || written >= limit {
            return Ok(written);
        }
        if !rest.starts_with(&[0x1f, 0x8b]) {
            return Err(GunzipError::Corrupt("Not a gzipped file".into()));
        }
        let mut member = flate2::bufread::GzDecoder::new(rest);
        written +=
            std::io::copy(&mut (&mut member).take(limit - written), out).map_err(|error| {
                match error.kind() {
                    std::io::ErrorKind::UnexpectedEof => GunzipError::Truncated,
                    _ => GunzipError::Corrupt(error.to_string()),
                }
            })?;
        rest = member.into_inner();
    }
}

/// Deflates `data` with gzip at the fastest level (bodies are small and
/// latency matters more than the last few percent of size).
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(data.len() / 3 + 64), Compression::fast());
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(data);
    encoder.finish().unwrap_or_default()
}

/// Whether an `Accept-Encoding` header value asks for gzip, read as
/// CPython's `accept_encodings()` reads it: each comma-separated entry is a
/// coding and an optional `;q=` of digits and dots (anything else after the
/// coding is ignored and leaves q at 1), a later entry for a coding
/// replaces an earlier one, and only the coding spelled `gzip` counts, with
/// q not zero. (A q CPython cannot read as a float makes its handler fail;
/// here it does not ask for gzip.)
pub(crate) fn accepts_gzip(accept_encoding: &str) -> bool {
    let mut gzip_q = None;
    for entry in accept_encoding.split(',') {
        let entry = entry.trim_start();
        let coding_end = entry
            .find(|c: char| c.is_whitespace() || c == ';')
            .unwrap_or(entry.len());
        let (coding, rest) = entry.split_at(coding_end);
        if coding.is_empty() {
            continue;
        }
        let q = rest
            .trim_start()
            .strip_prefix(';')
            .map(str::trim_start)
            .and_then(|rest| rest.strip_prefix(['q', 'Q']))
            .map(str::trim_start)
            .and_then(|rest| rest.strip_prefix('='))
            .map(str::trim_start)
            .map(|rest| {
                let digits = rest
                    .find(|c: char| !c.is_ascii_digit() && c != '.')
                    .unwrap_or(rest.len());
                &rest[..digits]
            })
            .filter(|digits| !digits.is_empty())
            .map_or(Some(1.0), |digits| digits.parse::<f64>().ok());
        if coding == "gzip" {
            gzip_q = q;
        }
    }
    gzip_q.is_some_and(|q| q != 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_bomb() {
        let data = b"hello hello hello".repeat(100);
        assert_eq!(gunzip(&gzip(&data), 1 << 20).unwrap(), data);
        let bomb = gzip(&vec![0u8; 10 << 20]);
        assert_eq!(gunzip(&bomb, 1 << 20), Err(GunzipError::TooLarge(1 << 20)));
        assert!(matches!(
            gunzip(b"not gzip", 100),
            Err(GunzipError::Corrupt(_))
        ));
    }

    #[test]
    fn large_bodies_are_measured_then_inflated_exactly() {
        let data: Vec<u8> = (0..(1u32 << 20)).map(|i| (i % 251) as u8).collect();
        let body = gzip(&data);
        assert_eq!(gunzip(&body, 1 << 20).unwrap(), data);
        assert_eq!(
            gunzip(&body, (1 << 20) - 1),
            Err(GunzipError::TooLarge((1 << 20) - 1))
        );
        // Cut short past the first pass: an error, not a short body.
        assert_eq!(
            gunzip(&body[..body.len() - 12], 1 << 20),
            Err(GunzipError::Truncated)
        );
        // Empty, and padded with NULs, as Python's gzip reads them.
        assert_eq!(gunzip(b"", 10), Ok(Vec::new()));
        let padded = [&body[..], &[0u8; 7][..], &body[..], &[0u8; 3][..]].concat();
        assert_eq!(
            gunzip(&padded, 2 << 20).unwrap(),
            [&data[..], &data[..]].concat()
        );
        assert!(matches!(
            gunzip(&[&body[..], b"\0\0junk"].concat(), 2 << 20),
            Err(GunzipError::Corrupt(_))
        ));
        // Two members inflate as one body, as Python's gzip reads them.
        let twice = [body.clone(), body].concat();
        assert_eq!(
            gunzip(&twice, 2 << 20).unwrap(),
            [&data[..], &data[..]].concat()
        );
    }

    #[test]
    fn accept_encoding() {
        assert!(accepts_gzip("gzip"));
        assert!(accepts_gzip("deflate, gzip;q=0.5"));
        // CPython's reading: the coding is case-sensitive, the last entry
        // wins, a q that is not digits and dots is no q at all.
        assert!(!accepts_gzip("GZIP"));
        assert!(!accepts_gzip("gzip, gzip;q=0"));
        assert!(accepts_gzip("gzip;q=0, gzip"));
        assert!(accepts_gzip("gzip;q=-1"));
        assert!(accepts_gzip("gzip ; Q = 0.001"));
        assert!(!accepts_gzip("gzip;q=."));
        assert!(!accepts_gzip("gzip;q=0.0"));
        assert!(!accepts_gzip("gzip;q=0"));
        assert!(!accepts_gzip("identity"));
    }
}
