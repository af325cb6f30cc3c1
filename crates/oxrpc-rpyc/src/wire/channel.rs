//! Frames: how rpyc cuts a byte stream into messages.
//!
//! rpyc's `Channel` puts every message in a frame:
//!
//! ```text
//! +----------------+------------+-----------------------+------+
//! | length: u32 BE | flag: u8   | payload (length bytes) | "\n" |
//! +----------------+------------+-----------------------+------+
//! ```
//!
//! The flag says whether the payload is zlib-compressed. Python compresses (at
//! level 1, the fastest) every payload longer than 3000 bytes, and treats any
//! non-zero flag as "compressed". The trailing newline only exists to flush
//! line-buffered transports: Python reads it along with the payload and drops
//! it *without looking at it*, so we do the same (a wrong byte there is logged,
//! not fatal).
//!
//! [`FrameDecoder`] is pure: feed it bytes as they arrive, in any
//! fragmentation, and pull complete payloads out. Keeping I/O out of it makes
//! it trivially testable and lets the async connection own the socket.
//!
//! # Limits
//!
//! A frame header is four bytes of attacker-chosen length. Python believes it;
//! we do not. [`FrameLimits::max_frame_len`] is checked as soon as the header
//! is in, before a single payload byte is buffered, and the decoder never
//! reserves memory on the strength of a header: the buffer only grows with
//! bytes that actually arrived. A compressed payload longer than a few hundred
//! KiB is measured before it is inflated, and refused past
//! [`FrameLimits::max_decompressed_len`]: a zip bomb is cut off at the cap
//! without the server ever holding it.
//!
//! # Sending
//!
//! [`EncodedFrame`] holds the header and the (possibly compressed) payload and
//! hands out [`IoSlice`]s for one vectored write. Stock rpyc writes big frames
//! in several writes with Nagle on, which costs a delayed ACK per call; one
//! write per frame avoids that.

use std::borrow::Cow;
use std::io::IoSlice;

use bytes::{Buf, Bytes, BytesMut};
use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

use super::error::FrameError;

/// Size of the frame header: `struct.calcsize("!LB")`.
pub const FRAME_HEADER_LEN: usize = 5;
/// The byte after every payload (`Channel.FLUSHER`).
pub const FLUSHER: u8 = b'\n';
/// Payloads longer than this are compressed (`Channel.COMPRESSION_THRESHOLD`).
pub const COMPRESSION_THRESHOLD: usize = 3000;
/// The zlib level used (`Channel.COMPRESSION_LEVEL`).
pub const COMPRESSION_LEVEL: u32 = 1;

/// Size limits for incoming frames.
///
/// ```
/// use oxrpc_rpyc::channel::{FrameDecoder, FrameLimits};
///
/// let mut decoder = FrameDecoder::with_limits(FrameLimits { max_frame_len: 4, ..FrameLimits::default() });
/// decoder.feed(b"\x00\x00\x00\x05\x00"); // announces 5 bytes
/// assert!(decoder.next_frame().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameLimits {
    /// Largest payload a header may announce (compressed size for compressed
    /// frames). Default 64 MiB: rpyc sends large values (a file's contents read
    /// through a netref) in one frame, and Python compresses anything over
    /// 3000 bytes, so this admits multi-hundred-MB compressible transfers while
    /// bounding what one peer can make us buffer.
    pub max_frame_len: usize,
    /// Largest payload a compressed frame may inflate to. Default 64 MiB:
    /// a frame whose compressed form is a few hundred KiB cannot make the
    /// server hold more (Python compresses every frame over 3000 bytes, so
    /// this is also the largest value a Python peer can send at once).
    pub max_decompressed_len: usize,
}

impl Default for FrameLimits {
    fn default() -> Self {
        FrameLimits {
            max_frame_len: 64 * 1024 * 1024,
            max_decompressed_len: 64 * 1024 * 1024,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Header {
    len: usize,
    compressed: bool,
}

/// Splits an incoming byte stream into frame payloads.
///
/// ```
/// use oxrpc_rpyc::channel::{encode_frame, FrameDecoder};
///
/// let mut wire = Vec::new();
/// encode_frame(b"hello", &mut wire).unwrap();
/// encode_frame(&[b'x'; 5000], &mut wire).unwrap(); // compressed on the wire
///
/// let mut decoder = FrameDecoder::new();
/// let mut payloads = Vec::new();
/// for chunk in wire.chunks(3) {
///     decoder.feed(chunk);
///     while let Some(payload) = decoder.next_frame().unwrap() {
///         payloads.push(payload);
///     }
/// }
/// assert_eq!(payloads[0], &b"hello"[..]);
/// assert_eq!(payloads[1], &[b'x'; 5000][..]);
/// ```
#[derive(Debug, Default)]
pub struct FrameDecoder {
    buf: BytesMut,
    limits: FrameLimits,
    pending: Option<Header>,
    poisoned: bool,
}

impl FrameDecoder {
    /// A decoder with [`FrameLimits::default`].
    pub fn new() -> FrameDecoder {
        FrameDecoder::default()
    }

    /// A decoder with explicit limits.
    pub fn with_limits(limits: FrameLimits) -> FrameDecoder {
        FrameDecoder {
            limits,
            ..FrameDecoder::default()
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> &FrameLimits {
        &self.limits
    }

    /// Appends received bytes (ignored once the decoder has failed).
    pub fn feed(&mut self, bytes: &[u8]) {
        if !self.poisoned {
            self.buf.extend_from_slice(bytes);
        }
    }

    /// The receive buffer, for reading into directly (e.g. tokio's
    /// `AsyncReadExt::read_buf`) without an intermediate copy.
    pub fn buffer_mut(&mut self) -> &mut BytesMut {
        &mut self.buf
    }

    /// How many more bytes would complete the frame being received (at least
    /// one when nothing is buffered). A read-size hint only; never more than
    /// the limits allow.
    pub fn bytes_wanted(&self) -> usize {
        match self.pending {
            Some(h) => (h.len + 1).saturating_sub(self.buf.len()).max(1),
            None => FRAME_HEADER_LEN.saturating_sub(self.buf.len()).max(1),
        }
    }

    /// Whether the decoder holds a partial frame (EOF now would cut a frame).
    pub fn is_mid_frame(&self) -> bool {
        self.pending.is_some() || !self.buf.is_empty()
    }

    /// Returns the next complete payload (decompressed), or `None` until more
    /// bytes arrive. After an error every later call fails with
    /// [`FrameError::Poisoned`]: the stream is out of sync.
    pub fn next_frame(&mut self) -> Result<Option<Bytes>, FrameError> {
        match self.next_raw_frame()? {
            Some(raw) if raw.compressed => {
                let inflated = inflate(&raw.payload, self.limits.max_decompressed_len);
                if inflated.is_err() {
                    self.poison();
                }
                inflated.map(|v| Some(Bytes::from(v)))
            }
            Some(raw) => Ok(Some(raw.payload)),
            None => Ok(None),
        }
    }

    /// Returns the next complete frame as it arrived (still compressed if it
    /// was), leaving the inflating to the caller ([`RawFrame::into_payload`]),
    /// which may want to do it off the thread that reads.
    pub fn next_raw_frame(&mut self) -> Result<Option<RawFrame>, FrameError> {
        if self.poisoned {
            return Err(FrameError::Poisoned);
        }
        let result = self.decode();
        if result.is_err() {
            self.poison();
        }
        result
    }

    /// Hands the next frame to `serve` as a slice of the receive buffer
    /// when it is complete, uncompressed and at most `max_len` bytes long,
    /// then drops it from the buffer: the usual small message is served
    /// with no copy and no shared buffer to count references to. `None`,
    /// with nothing consumed, leaves the frame (or the error it is) to
    /// [`FrameDecoder::next_raw_frame`].
    ///
    /// ```
    /// use oxrpc_rpyc::channel::{encode_frame, FrameDecoder};
    ///
    /// let mut wire = Vec::new();
    /// encode_frame(b"hello", &mut wire).unwrap();
    /// let mut decoder = FrameDecoder::new();
    /// decoder.feed(&wire[..4]);
    /// assert_eq!(decoder.serve_small_frame(1024, |p| p.to_vec()), None);
    /// decoder.feed(&wire[4..]);
    /// assert_eq!(decoder.serve_small_frame(1024, |p| p.to_vec()), Some(b"hello".to_vec()));
    /// assert!(!decoder.is_mid_frame());
    /// ```
    pub fn serve_small_frame<R>(
        &mut self,
        max_len: usize,
        serve: impl FnOnce(&[u8]) -> R,
    ) -> Option<R> {
        if self.poisoned || self.pending.is_some() {
            return None;
        }
        let header = self.header_at_front().ok()??;
        let end = FRAME_HEADER_LEN + header.len;
        if header.compressed || header.len > max_len || self.buf.len() <= end {
            return None;
        }
        check_flusher(self.buf[end]);
        let served = serve(&self.buf[FRAME_HEADER_LEN..end]);
        self.buf.advance(end + 1);
        Some(served)
    }

    /// The header at the front of the buffer, not consumed: `None` until
    /// all of it has arrived, an error when it announces more than the
    /// limits allow.
    fn header_at_front(&self) -> Result<Option<Header>, FrameError> {
        if self.buf.len() < FRAME_HEADER_LEN {
            return Ok(None);
        }
        let len = u32::from_be_bytes([self.buf[0], self.buf[1], self.buf[2], self.buf[3]]);
        let len = usize::try_from(len)
            .ok()
            .filter(|&len| len <= self.limits.max_frame_len)
            .ok_or(FrameError::TooLarge {
                len: u64::from(len),
                max: self.limits.max_frame_len,
            })?;
        Ok(Some(Header {
            len,
            compressed: self.buf[4] != 0,
        }))
    }

    /// The announced size of the frame being received, once its header
    /// has arrived (and until the frame is complete).
    pub fn pending_len(&self) -> Option<usize> {
        self.pending.map(|h| h.len)
    }

    fn poison(&mut self) {
        self.poisoned = true;
        self.buf = BytesMut::new();
        self.pending = None;
    }

    fn decode(&mut self) -> Result<Option<RawFrame>, FrameError> {
        let header = match self.pending.take() {
            Some(header) => header,
            None => {
                let Some(header) = self.header_at_front()? else {
                    return Ok(None);
                };
                self.buf.advance(FRAME_HEADER_LEN);
                header
            }
        };
        if self.buf.len() < header.len + 1 {
            self.pending = Some(header);
            return Ok(None);
        }
        let mut frame = self.buf.split_to(header.len + 1);
        check_flusher(frame[header.len]);
        frame.truncate(header.len);
        Ok(Some(RawFrame {
            payload: frame.freeze(),
            compressed: header.compressed,
            max_decompressed_len: self.limits.max_decompressed_len,
        }))
    }
}

/// Notes a frame whose last byte is not the newline rpyc ends frames with
/// (rpyc ignores it too).
fn check_flusher(byte: u8) {
    if byte != FLUSHER {
        tracing::debug!(
            byte,
            "frame not terminated by a newline; ignored like rpyc does"
        );
    }
}

/// A complete frame as it arrived.
#[derive(Debug, Clone)]
pub struct RawFrame {
    /// The payload as sent.
    pub payload: Bytes,
    /// Whether it is zlib-compressed.
    pub compressed: bool,
    max_decompressed_len: usize,
}

impl RawFrame {
    /// The payload, inflated if it was compressed (within the decoder's
    /// `max_decompressed_len`).
    pub fn into_payload(self) -> Result<Bytes, FrameError> {
        if self.compressed {
            inflate(&self.payload, self.max_decompressed_len).map(Bytes::from)
        } else {
            Ok(self.payload)
        }
    }
}

/// Payloads that inflate to at most this much are inflated in one pass.
const ONE_PASS_INFLATE: usize = 256 * 1024;

/// Inflates a zlib stream into at most `max` bytes.
///
/// Like Python's `zlib.decompress`, the stream must be complete (checksum
/// included) and bytes after its end are ignored. A stream that does not
/// end within [`ONE_PASS_INFLATE`] bytes is first measured through a small
/// scratch buffer and then inflated again into a buffer of exactly its
/// size: a bomb is refused without holding any of it, and a large payload
/// costs its own size in memory, never the two or three times that growing
/// a buffer by doubling costs at the moment it is copied.
fn inflate(data: &[u8], max: usize) -> Result<Vec<u8>, FrameError> {
    let mut z = Decompress::new(true);
    // One byte over the cap tells "exactly max" from "more than max".
    let one_pass = ONE_PASS_INFLATE.min(max.saturating_add(1));
    let mut out = Vec::with_capacity(data.len().saturating_mul(4).max(64).min(one_pass));
    loop {
        if inflate_into(&mut z, data, &mut out, max)? {
            return Ok(out);
        }
        if out.capacity() >= one_pass {
            break;
        }
        let grown = out.capacity().saturating_mul(2).min(one_pass);
        out.reserve_exact(grown - out.len());
    }
    let len = inflated_len(&mut z, data, out.len(), max)?;
    z.reset(true);
    out.clear();
    // One byte to spare, so the stream's end is read with room left.
    out.reserve_exact(len + 1);
    match inflate_into(&mut z, data, &mut out, max)? {
        true => Ok(out),
        // The same bytes inflated to `len` a moment ago.
        false => Err(FrameError::InvalidZlib {
            reason: "the stream inflated differently twice".to_owned(),
        }),
    }
}

/// Inflates the rest of `data` into `out`'s spare capacity: true when the
/// stream ended there, false when `out` filled up first.
fn inflate_into(
    z: &mut Decompress,
    data: &[u8],
    out: &mut Vec<u8>,
    max: usize,
) -> Result<bool, FrameError> {
    loop {
        let (in_before, out_before) = (z.total_in(), out.len());
        let status = z
            .decompress_vec(unconsumed(z, data), out, FlushDecompress::None)
            .map_err(invalid_zlib)?;
        if out.len() > max {
            return Err(FrameError::DecompressedTooLarge { max });
        }
        if status == Status::StreamEnd {
            return Ok(true);
        }
        if out.len() == out.capacity() {
            return Ok(false);
        }
        check_progress(z, data, in_before, out.len() > out_before)?;
    }
}

/// How long the stream inflates to in all, `so_far` bytes of it already
/// out, measured through a scratch buffer and refused past `max`.
fn inflated_len(
    z: &mut Decompress,
    data: &[u8],
    so_far: usize,
    max: usize,
) -> Result<usize, FrameError> {
    let mut scratch = vec![0u8; 32 * 1024];
    let mut len = so_far;
    loop {
        let (in_before, out_before) = (z.total_in(), z.total_out());
        let status = z
            .decompress(unconsumed(z, data), &mut scratch, FlushDecompress::None)
            .map_err(invalid_zlib)?;
        let produced = usize::try_from(z.total_out() - out_before).unwrap_or(usize::MAX);
        len = len.saturating_add(produced);
        if len > max {
            return Err(FrameError::DecompressedTooLarge { max });
        }
        if status == Status::StreamEnd {
            return Ok(len);
        }
        if produced < scratch.len() {
            check_progress(z, data, in_before, produced > 0)?;
        }
    }
}

/// The input the decompressor has not read yet.
fn unconsumed<'d>(z: &Decompress, data: &'d [u8]) -> &'d [u8] {
    let consumed = usize::try_from(z.total_in())
        .unwrap_or(data.len())
        .min(data.len());
    &data[consumed..]
}

/// A step that left room in the output yet did not end the stream must
/// have read input that is not all gone, or the stream is cut short.
fn check_progress(
    z: &Decompress,
    data: &[u8],
    in_before: u64,
    made_output: bool,
) -> Result<(), FrameError> {
    let stalled = z.total_in() == in_before && !made_output;
    let input_done = usize::try_from(z.total_in()).map_or(true, |n| n >= data.len());
    if stalled || input_done {
        return Err(FrameError::InvalidZlib {
            reason: "incomplete or truncated stream".to_owned(),
        });
    }
    Ok(())
}

fn invalid_zlib(error: flate2::DecompressError) -> FrameError {
    FrameError::InvalidZlib {
        reason: error.to_string(),
    }
}

/// Payloads at least this long are sampled before being compressed.
const SAMPLED_PAYLOAD: usize = 64 * 1024;

/// How much of a long payload is compressed to see whether it shrinks.
const SAMPLE: usize = 16 * 1024;

/// Whether compressing `payload` pays. Short payloads always are (as rpyc
/// does it). A long one is first sampled: random, encrypted or already
/// compressed bytes do not shrink, and deflating a megabyte of them costs
/// more than sending it (~20 ms here, against ~1 ms on a local network's
/// wire); the peer reads an uncompressed frame just the same (the frame's
/// flag says which).
fn worth_compressing(payload: &[u8]) -> bool {
    if payload.len() < SAMPLED_PAYLOAD {
        return true;
    }
    let sample = &payload[..SAMPLE];
    match deflate(sample) {
        // Under 90 % of the sample: worth it.
        Some(z) => z.len() * 10 < sample.len() * 9,
        None => false,
    }
}

/// Compresses `data` with zlib at [`COMPRESSION_LEVEL`]. `None` only if zlib
/// itself fails, in which case the caller sends the payload uncompressed.
fn deflate(data: &[u8]) -> Option<Vec<u8>> {
    let mut z = Compress::new(Compression::new(COMPRESSION_LEVEL), true);
    let mut out = Vec::with_capacity(data.len() / 2 + 64);
    loop {
        let consumed = usize::try_from(z.total_in()).ok()?.min(data.len());
        let (in_before, out_before) = (z.total_in(), out.len());
        match z.compress_vec(&data[consumed..], &mut out, FlushCompress::Finish) {
            Ok(Status::StreamEnd) => return Some(out),
            Ok(_) => {
                let stalled = z.total_in() == in_before && out.len() == out_before;
                if out.len() == out.capacity() || stalled {
                    out.reserve(out.capacity().max(64));
                }
            }
            Err(_) => return None,
        }
    }
}

/// One frame ready to send: header and payload, compressed if the rule says so.
///
/// ```
/// use oxrpc_rpyc::channel::EncodedFrame;
///
/// let frame = EncodedFrame::new(b"\x02ping", true).unwrap();
/// assert!(!frame.is_compressed());
/// let slices = frame.io_slices(); // header, payload, "\n": one write_vectored call
/// assert_eq!(slices.iter().map(|s| s.len()).sum::<usize>(), frame.len());
/// assert_eq!(frame.to_vec(), b"\x00\x00\x00\x05\x00\x02ping\n");
/// ```
#[derive(Debug, Clone)]
pub struct EncodedFrame<'a> {
    header: [u8; FRAME_HEADER_LEN],
    payload: Cow<'a, [u8]>,
}

impl<'a> EncodedFrame<'a> {
    /// Frames `payload`, compressing it when `compress` is set and it is longer
    /// than [`COMPRESSION_THRESHOLD`] (Python's `Channel.send`, whose
    /// `compress` is on by default). Fails only for payloads the 32-bit length
    /// field cannot describe.
    pub fn new(payload: &'a [u8], compress: bool) -> Result<EncodedFrame<'a>, FrameError> {
        let (body, flag) =
            if compress && payload.len() > COMPRESSION_THRESHOLD && worth_compressing(payload) {
                match deflate(payload) {
                    Some(z) => (Cow::Owned(z), 1u8),
                    None => (Cow::Borrowed(payload), 0u8),
                }
            } else {
                (Cow::Borrowed(payload), 0u8)
            };
        let len = u32::try_from(body.len()).map_err(|_| FrameError::TooLarge {
            len: body.len() as u64,
            max: u32::MAX as usize,
        })?;
        let mut header = [0u8; FRAME_HEADER_LEN];
        header[..4].copy_from_slice(&len.to_be_bytes());
        header[4] = flag;
        Ok(EncodedFrame {
            header,
            payload: body,
        })
    }

    /// Whether the payload went through zlib.
    pub fn is_compressed(&self) -> bool {
        self.header[4] != 0
    }

    /// Total bytes on the wire.
    pub fn len(&self) -> usize {
        FRAME_HEADER_LEN + self.payload.len() + 1
    }

    /// Never true: a frame has at least its header and newline.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Header, payload and newline, for a single vectored write.
    pub fn io_slices(&self) -> [IoSlice<'_>; 3] {
        [
            IoSlice::new(&self.header),
            IoSlice::new(&self.payload),
            IoSlice::new(std::slice::from_ref(&FLUSHER)),
        ]
    }

    /// Appends the whole frame to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        out.reserve(self.len());
        out.extend_from_slice(&self.header);
        out.extend_from_slice(&self.payload);
        out.push(FLUSHER);
    }

    /// The whole frame as one buffer.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_to(&mut out);
        out
    }
}

/// Appends the frame for `payload` to `out`, compressing like Python's
/// default `Channel` does.
///
/// ```
/// let mut out = Vec::new();
/// oxrpc_rpyc::channel::encode_frame(b"", &mut out).unwrap();
/// assert_eq!(out, b"\x00\x00\x00\x00\x00\n");
/// ```
pub fn encode_frame(payload: &[u8], out: &mut Vec<u8>) -> Result<(), FrameError> {
    EncodedFrame::new(payload, true)?.write_to(out);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn decode_all(wire: &[u8], limits: FrameLimits) -> Result<Vec<Bytes>, FrameError> {
        let mut d = FrameDecoder::with_limits(limits);
        d.feed(wire);
        let mut out = Vec::new();
        while let Some(p) = d.next_frame()? {
            out.push(p);
        }
        Ok(out)
    }

    #[test]
    fn long_payloads_that_do_not_shrink_go_uncompressed() {
        // Bytes from a simple generator: no repeats zlib can find.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let noise: Vec<u8> = (0..1 << 20)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        let frame = EncodedFrame::new(&noise, true).unwrap();
        assert!(!frame.is_compressed());
        let decoded = decode_all(&frame.to_vec(), FrameLimits::default()).unwrap();
        assert_eq!(decoded.len(), 1);
        assert_eq!(&decoded[0][..], &noise[..]);
        // Short noise is compressed as rpyc does (not sampled)...
        assert!(EncodedFrame::new(&noise[..4000], true)
            .unwrap()
            .is_compressed());
        // ...and long text is.
        let text = b"the quick brown fox jumps over the lazy dog ".repeat(30_000);
        assert!(EncodedFrame::new(&text, true).unwrap().is_compressed());
    }

    #[test]
    fn threshold_is_exclusive() {
        assert!(!EncodedFrame::new(&[0; 3000], true).unwrap().is_compressed());
        assert!(EncodedFrame::new(&[0; 3001], true).unwrap().is_compressed());
        assert!(!EncodedFrame::new(&[0; 3001], false)
            .unwrap()
            .is_compressed());
    }

    #[test]
    fn byte_at_a_time() {
        let mut wire = Vec::new();
        let big: Vec<u8> = (0..20_000u32).map(|i| (i % 251) as u8).collect();
        for p in [&b""[..], b"a", &big, b"tail"] {
            encode_frame(p, &mut wire).unwrap();
        }
        let mut d = FrameDecoder::new();
        let mut got = Vec::new();
        for &b in &wire {
            d.feed(&[b]);
            while let Some(p) = d.next_frame().unwrap() {
                got.push(p);
            }
        }
        assert_eq!(got.len(), 4);
        assert_eq!(got[2], big);
        assert!(!d.is_mid_frame());
    }

    /// Frames served in place where they can be, the rest decoded as
    /// usual, come out as `next_frame` alone gives them, however the bytes
    /// arrive: small, empty, compressed, over the in-place size, and an
    /// unterminated one.
    #[test]
    fn small_frames_served_in_place_arrive_as_decoded_ones() {
        let mut wire = Vec::new();
        let big: Vec<u8> = (0..20_000u32).map(|i| (i % 251) as u8).collect();
        let payloads = [&b"x"[..], b"", &big, b"mid", &[b'z'; 300], b"end"];
        for p in payloads {
            encode_frame(p, &mut wire).unwrap();
        }
        // An unterminated frame too (rpyc ignores the last byte).
        wire.extend_from_slice(&[0, 0, 0, 2, 0, b'o', b'k', b'!']);
        for chunk in [1, 3, 7, 64, wire.len()] {
            let mut d = FrameDecoder::new();
            let mut got: Vec<Vec<u8>> = Vec::new();
            let mut in_place = 0;
            for piece in wire.chunks(chunk) {
                d.feed(piece);
                loop {
                    if let Some(p) = d.serve_small_frame(100, |p| p.to_vec()) {
                        in_place += 1;
                        got.push(p);
                    } else if let Some(p) = d.next_frame().unwrap() {
                        got.push(p.to_vec());
                    } else {
                        break;
                    }
                }
            }
            let mut expected: Vec<Vec<u8>> = payloads.iter().map(|p| p.to_vec()).collect();
            expected.push(b"ok".to_vec());
            assert_eq!(got, expected, "chunks of {chunk}");
            assert!(!d.is_mid_frame());
            // Whole small frames in one piece are served in place.
            if chunk == wire.len() {
                assert_eq!(in_place, 5);
            }
        }
    }

    #[test]
    fn four_gib_claim_rejected_without_allocating() {
        let mut d = FrameDecoder::new();
        d.feed(&[0xff, 0xff, 0xff, 0xff, 0x00]);
        assert_eq!(
            d.next_frame().unwrap_err(),
            FrameError::TooLarge {
                len: u32::MAX as u64,
                max: 64 * 1024 * 1024
            }
        );
        assert!(d.buffer_mut().capacity() < 1024);
        assert_eq!(d.next_frame().unwrap_err(), FrameError::Poisoned);
    }

    #[test]
    fn flusher_byte_is_not_checked() {
        // Python reads length + 1 bytes and drops the last one unseen.
        let got = decode_all(b"\x00\x00\x00\x02\x00hiX", FrameLimits::default()).unwrap();
        assert_eq!(got, vec![Bytes::from_static(b"hi")]);
    }

    #[test]
    fn any_nonzero_flag_means_compressed() {
        let z = deflate(b"hello").unwrap();
        let mut wire = (z.len() as u32).to_be_bytes().to_vec();
        wire.push(7);
        wire.extend_from_slice(&z);
        wire.push(b'\n');
        assert_eq!(
            decode_all(&wire, FrameLimits::default()).unwrap()[0],
            &b"hello"[..]
        );
    }

    fn compressed_frame(z: &[u8]) -> Vec<u8> {
        let mut wire = (z.len() as u32).to_be_bytes().to_vec();
        wire.push(1);
        wire.extend_from_slice(z);
        wire.push(b'\n');
        wire
    }

    #[test]
    fn invalid_zlib_is_an_error() {
        for bad in [
            &b"not zlib at all"[..],
            b"",
            &deflate(&[1; 5000]).unwrap()[..10], // truncated stream
        ] {
            let err = decode_all(&compressed_frame(bad), FrameLimits::default()).unwrap_err();
            assert!(matches!(err, FrameError::InvalidZlib { .. }), "{err}");
        }
        // A corrupted checksum is caught too.
        let mut z = deflate(b"checksum me").unwrap();
        let last = z.len() - 1;
        z[last] ^= 0xff;
        assert!(matches!(
            decode_all(&compressed_frame(&z), FrameLimits::default()),
            Err(FrameError::InvalidZlib { .. })
        ));
    }

    #[test]
    fn trailing_bytes_after_zlib_end_are_ignored_like_python() {
        let mut z = deflate(b"abc").unwrap();
        z.extend_from_slice(b"junk");
        assert_eq!(
            decode_all(&compressed_frame(&z), FrameLimits::default()).unwrap()[0],
            &b"abc"[..]
        );
    }

    #[test]
    fn decompressed_exactly_at_the_cap_is_fine() {
        let data = vec![9u8; 10_000];
        let frame = compressed_frame(&deflate(&data).unwrap());
        let limits = FrameLimits {
            max_decompressed_len: 10_000,
            ..FrameLimits::default()
        };
        assert_eq!(decode_all(&frame, limits).unwrap()[0], data);
        let limits = FrameLimits {
            max_decompressed_len: 9_999,
            ..FrameLimits::default()
        };
        assert_eq!(
            decode_all(&frame, limits).unwrap_err(),
            FrameError::DecompressedTooLarge { max: 9_999 }
        );
    }

    #[test]
    fn tiny_caps_and_well_compressed_payloads() {
        let data = vec![7u8; 200_000];
        let frame = compressed_frame(&deflate(&data).unwrap());
        assert_eq!(decode_all(&frame, FrameLimits::default()).unwrap()[0], data);
        let limits = FrameLimits {
            max_decompressed_len: 10,
            ..FrameLimits::default()
        };
        assert_eq!(
            decode_all(&frame, limits).unwrap_err(),
            FrameError::DecompressedTooLarge { max: 10 }
        );
    }

    #[test]
    fn payloads_beyond_one_pass_are_measured_then_inflated_exactly() {
        // Compressible but not trivial: a megabyte of a counting pattern.
        let data: Vec<u8> = (0..(1u32 << 20)).map(|i| (i % 251) as u8).collect();
        let mut z = deflate(&data).unwrap();
        let frame = compressed_frame(&z);
        let at = |max| FrameLimits {
            max_decompressed_len: max,
            ..FrameLimits::default()
        };
        assert_eq!(decode_all(&frame, at(1 << 20)).unwrap()[0], data);
        assert_eq!(
            decode_all(&frame, at((1 << 20) - 1)).unwrap_err(),
            FrameError::DecompressedTooLarge { max: (1 << 20) - 1 }
        );
        // Cut short past the first pass, or with a broken checksum: errors
        // from the measuring pass, not a short payload.
        let cut = compressed_frame(&z[..z.len() - 10]);
        assert!(matches!(
            decode_all(&cut, FrameLimits::default()),
            Err(FrameError::InvalidZlib { .. })
        ));
        let last = z.len() - 1;
        z[last] ^= 0xff;
        assert!(matches!(
            decode_all(&compressed_frame(&z), FrameLimits::default()),
            Err(FrameError::InvalidZlib { .. })
        ));
        z[last] ^= 0xff;
        z.extend_from_slice(b"junk");
        assert_eq!(
            decode_all(&compressed_frame(&z), FrameLimits::default()).unwrap()[0],
            data
        );
    }

    /// A zlib stream of 1 GiB of zeros, built with flate2 without ever holding
    /// (or compressing) the gigabyte: the data is fed in 1 MiB blocks, each
    /// ended by a full flush. A full flush resets the compressor, so every block
    /// compresses to the same bytes; we compress two to check that, then repeat
    /// the block and close the stream with the Adler-32 of 1 GiB of zeros.
    fn zeros_bomb(mib: usize) -> Vec<u8> {
        let chunk = vec![0u8; 1 << 20];
        let mut z = Compress::new(Compression::best(), true);
        let mut first = Vec::with_capacity(1 << 16);
        z.compress_vec(&chunk, &mut first, FlushCompress::Full)
            .unwrap();
        assert_eq!(z.total_in(), 1 << 20);
        let mut second = Vec::with_capacity(1 << 16);
        z.compress_vec(&chunk, &mut second, FlushCompress::Full)
            .unwrap();
        assert_eq!(z.total_in(), 2 << 20);
        let (header, block) = first.split_at(2);
        assert_eq!(block, &second[..], "full-flush blocks must repeat");
        let mut tail = Vec::with_capacity(64);
        z.compress_vec(&[], &mut tail, FlushCompress::Finish)
            .unwrap();
        // Replace the Adler-32 (of 2 MiB) by that of `mib` MiB of zeros:
        // a stays 1, b gains 1 per byte.
        let n = (mib as u64) << 20;
        let adler = (((n % 65521) as u32) << 16) | 1;
        let tail_len = tail.len();
        tail[tail_len - 4..].copy_from_slice(&adler.to_be_bytes());

        let mut bomb = header.to_vec();
        for _ in 0..mib {
            bomb.extend_from_slice(block);
        }
        bomb.extend_from_slice(&tail);
        bomb
    }

    #[test]
    fn zeros_bomb_is_a_valid_stream() {
        let small = zeros_bomb(3);
        let mut out = Vec::new();
        flate2::read::ZlibDecoder::new(&small[..])
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out.len(), 3 << 20);
        assert!(out.iter().all(|&b| b == 0));
    }

    #[test]
    fn zlib_bomb_is_cut_at_the_limit() {
        let bomb = zeros_bomb(1024);
        assert!(bomb.len() < 2 * 1024 * 1024, "{}", bomb.len());
        let limits = FrameLimits {
            max_decompressed_len: 16 * 1024 * 1024,
            ..FrameLimits::default()
        };
        assert_eq!(
            decode_all(&compressed_frame(&bomb), limits).unwrap_err(),
            FrameError::DecompressedTooLarge {
                max: 16 * 1024 * 1024
            }
        );
    }
}
