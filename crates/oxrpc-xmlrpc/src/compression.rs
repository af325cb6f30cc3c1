//! gzip for HTTP bodies, with a cap on what a peer can make us inflate.

use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;
use std::io::{Read, Write};

/// Why a gzip body could not be inflated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GunzipError {
    /// Not valid gzip data.
    #[error("error decoding gzip content: {0}")]
    Corrupt(String),
    /// It inflates past the allowed size (a "zip bomb", or just too big).
    #[error("gzip content inflates beyond {0} bytes")]
    TooLarge(usize),
}

/// Bodies that inflate to at most this much are inflated in one pass.
const ONE_PASS: usize = 256 * 1024;

/// Inflates `data`, refusing it as soon as the output would exceed
/// `max_size`.
///
/// A body that inflates past [`ONE_PASS`] bytes is measured first (inflated
/// into nothing) and then inflated again into a buffer of exactly its size:
/// a gzip bomb is refused without ever being held, and a large body costs
/// its own size, not the two or three times a doubling buffer costs.
///
/// ```
/// use oxrpc_xmlrpc::{gunzip, gzip, GunzipError};
///
/// let body = gzip(&[b'x'; 10_000]);
/// assert_eq!(gunzip(&body, 10_000).unwrap().len(), 10_000);
/// assert_eq!(gunzip(&body, 9_999), Err(GunzipError::TooLarge(9_999)));
/// ```
pub fn gunzip(data: &[u8], max_size: usize) -> Result<Vec<u8>, GunzipError> {
    let limit = u64::try_from(max_size)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    let first = u64::try_from(ONE_PASS).unwrap_or(u64::MAX).min(limit);
    let mut decoder = MultiGzDecoder::new(data);
    let mut out = Vec::with_capacity(data.len().saturating_mul(4).clamp(64, ONE_PASS));
    (&mut decoder)
        .take(first)
        .read_to_end(&mut out)
        .map_err(corrupt)?;
    if (out.len() as u64) < first {
        return Ok(out);
    }
    let rest = std::io::copy(
        &mut decoder.take(limit - out.len() as u64),
        &mut std::io::sink(),
    )
    .map_err(corrupt)?;
    let total = usize::try_from(out.len() as u64 + rest).unwrap_or(usize::MAX);
    if total > max_size {
        return Err(GunzipError::TooLarge(max_size));
    }
    let mut out = Vec::with_capacity(total);
    MultiGzDecoder::new(data)
        .read_to_end(&mut out)
        .map_err(corrupt)?;
    if out.len() != total {
        return Err(GunzipError::Corrupt(
            "the body inflated differently twice".into(),
        ));
    }
    Ok(out)
}

fn corrupt(error: std::io::Error) -> GunzipError {
    GunzipError::Corrupt(error.to_string())
}

/// Deflates `data` with gzip at the fastest level (bodies are small and
/// latency matters more than the last few percent of size).
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::with_capacity(data.len() / 3 + 64), Compression::fast());
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(data);
    encoder.finish().unwrap_or_default()
}

/// Whether an `Accept-Encoding` header value accepts gzip (q > 0).
pub(crate) fn accepts_gzip(accept_encoding: &str) -> bool {
    accept_encoding.split(',').any(|part| {
        let mut pieces = part.split(';');
        let coding = pieces.next().unwrap_or("").trim();
        if !coding.eq_ignore_ascii_case("gzip") {
            return false;
        }
        pieces
            .filter_map(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .or_else(|| p.trim().strip_prefix("Q="))
            })
            .map(|q| q.trim().parse::<f32>().unwrap_or(0.0))
            .next()
            .unwrap_or(1.0)
            > 0.0
    })
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
        assert!(matches!(
            gunzip(&body[..body.len() - 12], 1 << 20),
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
        assert!(accepts_gzip("deflate, GZIP;q=0.5"));
        assert!(!accepts_gzip("gzip;q=0"));
        assert!(!accepts_gzip("identity"));
    }
}
