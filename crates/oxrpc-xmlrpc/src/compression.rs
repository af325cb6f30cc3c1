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

/// Inflates `data`, stopping as soon as the output would exceed `max_size`.
pub fn gunzip(data: &[u8], max_size: usize) -> Result<Vec<u8>, GunzipError> {
    let mut out = Vec::with_capacity(data.len().saturating_mul(4).min(max_size));
    let limit = u64::try_from(max_size)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    MultiGzDecoder::new(data)
        .take(limit)
        .read_to_end(&mut out)
        .map_err(|e| GunzipError::Corrupt(e.to_string()))?;
    if out.len() > max_size {
        return Err(GunzipError::TooLarge(max_size));
    }
    Ok(out)
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
    fn accept_encoding() {
        assert!(accepts_gzip("gzip"));
        assert!(accepts_gzip("deflate, GZIP;q=0.5"));
        assert!(!accepts_gzip("gzip;q=0"));
        assert!(!accepts_gzip("identity"));
    }
}
