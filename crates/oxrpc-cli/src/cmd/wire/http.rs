//! HTTP/1.x messages cut out of a byte stream, so an XML-RPC conversation
//! can be read message by message.
//!
//! XML-RPC rides on HTTP: a client POSTs a `<methodCall>` document and the
//! server answers with a `<methodResponse>`. CPython's client keeps its
//! connection open between calls (HTTP/1.1), CPython's server closes it after
//! each answer (HTTP/1.0), oxrpc's server keeps it alive; so one direction
//! of a connection may hold several messages back to back. [`HttpStream`]
//! finds their boundaries the way an HTTP peer would: the head ends at the
//! first empty line, the body is `Content-Length` bytes, or chunked, or (for
//! a response that says neither) everything up to the end of the stream.
//!
//! This is a reader for a debugging tool, not a server: it keeps each whole
//! message (raw bytes included, so a replay can send it again) and does not
//! interpret more of HTTP than framing needs.
//!
//! # Limits
//!
//! A head longer than [`HttpLimits::max_header`] or a body longer than
//! [`HttpLimits::max_body`] is an error as soon as it is known (a
//! `Content-Length` beyond the limit fails before a byte of body is kept),
//! and the stream is not read further: its framing can no longer be trusted.

use std::fmt;

/// Bounds on what one message may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HttpLimits {
    /// Longest head (start line and headers), in bytes.
    pub(crate) max_header: usize,
    /// Longest body, in bytes (after de-chunking, before gunzip).
    pub(crate) max_body: usize,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            max_header: 64 * 1024,
            max_body: 64 * 1024 * 1024,
        }
    }
}

/// The first line of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StartLine {
    /// `POST /RPC2 HTTP/1.1`.
    Request {
        /// The method.
        method: String,
        /// The request target.
        target: String,
        /// `HTTP/1.1`.
        version: String,
    },
    /// `HTTP/1.0 200 OK`.
    Response {
        /// `HTTP/1.0`.
        version: String,
        /// The status code.
        status: u16,
        /// The reason phrase.
        reason: String,
    },
}

/// One complete message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HttpMessage {
    /// Where the message starts in the stream.
    pub(crate) offset: u64,
    /// The start line.
    pub(crate) start: StartLine,
    /// The headers, in order, names as sent.
    pub(crate) headers: Vec<(String, String)>,
    /// Where the body starts in the stream.
    pub(crate) body_offset: u64,
    /// The body, de-chunked (still gzipped if it was).
    pub(crate) body: Vec<u8>,
    /// The whole message as it was on the wire.
    pub(crate) raw: Vec<u8>,
}

impl HttpMessage {
    /// The first header called `name` (case-insensitive).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether this is a request.
    pub(crate) fn is_request(&self) -> bool {
        matches!(self.start, StartLine::Request { .. })
    }

    /// Whether the sender will close the connection after this message.
    pub(crate) fn closes_connection(&self) -> bool {
        let version = match &self.start {
            StartLine::Request { version, .. } | StartLine::Response { version, .. } => version,
        };
        let connection = self.header("Connection").unwrap_or_default();
        connection.eq_ignore_ascii_case("close")
            || (version == "HTTP/1.0" && !connection.eq_ignore_ascii_case("keep-alive"))
    }
}

impl fmt::Display for StartLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartLine::Request {
                method,
                target,
                version,
            } => write!(f, "{method} {target} {version}"),
            StartLine::Response {
                version,
                status,
                reason,
            } => write!(f, "{version} {status} {reason}"),
        }
    }
}

/// Why the stream could not be cut into messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HttpError {
    /// Where the trouble is, in the stream.
    pub(crate) offset: u64,
    /// What it is.
    pub(crate) reason: String,
}

#[derive(Debug)]
enum Body {
    Length(usize),
    Chunked {
        /// Where the next chunk-size line starts, relative to the body.
        cursor: usize,
        decoded: Vec<u8>,
    },
    UntilEof,
}

#[derive(Debug)]
struct Head {
    start: StartLine,
    headers: Vec<(String, String)>,
    /// Bytes of head, blank line included.
    len: usize,
    body: Body,
}

/// Cuts one direction of a connection into HTTP messages.
#[derive(Debug, Default)]
pub(crate) struct HttpStream {
    limits: HttpLimits,
    buf: Vec<u8>,
    /// Stream offset of `buf[0]`.
    base: u64,
    head: Option<Head>,
    failed: bool,
}

/// The longest chunk-size line accepted.
const MAX_CHUNK_LINE: usize = 1024;

impl HttpStream {
    /// A reader with these limits.
    pub(crate) fn new(limits: HttpLimits) -> HttpStream {
        HttpStream {
            limits,
            ..HttpStream::default()
        }
    }

    /// Appends received bytes (ignored after an error).
    pub(crate) fn feed(&mut self, bytes: &[u8]) {
        if !self.failed {
            self.buf.extend_from_slice(bytes);
        }
    }

    /// Whether a message is partly received.
    pub(crate) fn is_mid_message(&self) -> bool {
        !self.failed && (!self.buf.is_empty() || self.head.is_some())
    }

    fn fail(&mut self, offset: u64, reason: impl Into<String>) -> HttpError {
        self.failed = true;
        self.buf = Vec::new();
        self.head = None;
        HttpError {
            offset,
            reason: reason.into(),
        }
    }

    /// The next complete message, or `None` until more bytes arrive. After an
    /// error the stream is not read further.
    pub(crate) fn next_message(&mut self) -> Result<Option<HttpMessage>, HttpError> {
        if self.failed {
            return Ok(None);
        }
        if self.head.is_none() {
            match self.parse_head()? {
                Some(head) => self.head = Some(head),
                None => return Ok(None),
            }
        }
        self.take_body(false)
    }

    /// The end of the stream: a response read to its end is complete now;
    /// anything else left is a truncated message.
    pub(crate) fn finish(&mut self) -> Result<Option<HttpMessage>, HttpError> {
        if self.failed {
            return Ok(None);
        }
        if let Some(message) = self.next_message()? {
            return Ok(Some(message));
        }
        if self.head.is_some() {
            return self.take_body(true);
        }
        if self.buf.is_empty() {
            return Ok(None);
        }
        let (base, len) = (self.base, self.buf.len());
        Err(self.fail(
            base,
            format!(
                "truncated HTTP head: the stream ends after {len} byte(s) without a blank line"
            ),
        ))
    }

    fn parse_head(&mut self) -> Result<Option<Head>, HttpError> {
        let end = find_head_end(&self.buf);
        let Some((head_len, text_len)) = end else {
            if self.buf.len() > self.limits.max_header {
                let (base, max) = (self.base, self.limits.max_header);
                return Err(self.fail(base, format!("HTTP head longer than {max} bytes")));
            }
            return Ok(None);
        };
        if head_len > self.limits.max_header {
            let (base, max) = (self.base, self.limits.max_header);
            return Err(self.fail(base, format!("HTTP head longer than {max} bytes")));
        }
        let text = String::from_utf8_lossy(&self.buf[..text_len]).into_owned();
        let mut lines = text.lines();
        let first = lines.next().unwrap_or_default().trim_end_matches('\r');
        let Some(start) = parse_start_line(first) else {
            let base = self.base;
            return Err(self.fail(
                base,
                format!(
                    "not an HTTP message: the first line is {:?}",
                    shorten(first, 80)
                ),
            ));
        };
        let mut headers = Vec::new();
        for line in lines {
            let line = line.trim_end_matches('\r');
            if line.is_empty() {
                continue;
            }
            match line.split_once(':') {
                Some((name, value)) => {
                    headers.push((name.trim().to_owned(), value.trim().to_owned()))
                }
                None => {
                    let base = self.base;
                    return Err(self.fail(
                        base,
                        format!("malformed HTTP header line {:?}", shorten(line, 80)),
                    ));
                }
            }
        }
        let header = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        let chunked =
            header("Transfer-Encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
        let body = if chunked {
            Body::Chunked {
                cursor: 0,
                decoded: Vec::new(),
            }
        } else if let Some(length) = header("Content-Length") {
            let Ok(length) = length.trim().parse::<u64>() else {
                let base = self.base;
                return Err(self.fail(base, format!("invalid Content-Length {length:?}")));
            };
            if length > self.limits.max_body as u64 {
                let (base, max) = (self.base, self.limits.max_body);
                return Err(self.fail(
                    base,
                    format!("Content-Length {length} exceeds the body limit of {max} bytes"),
                ));
            }
            // Fits: it is at most max_body.
            Body::Length(length as usize)
        } else {
            match &start {
                StartLine::Request { .. } => Body::Length(0),
                StartLine::Response { status, .. }
                    if (100..200).contains(status) || *status == 204 || *status == 304 =>
                {
                    Body::Length(0)
                }
                StartLine::Response { .. } => Body::UntilEof,
            }
        };
        Ok(Some(Head {
            start,
            headers,
            len: head_len,
            body,
        }))
    }

    fn take_body(&mut self, at_eof: bool) -> Result<Option<HttpMessage>, HttpError> {
        let Some(head) = self.head.as_mut() else {
            return Ok(None);
        };
        let body_start = head.len;
        let available = self.buf.len() - body_start;
        let body_offset = self.base + body_start as u64;
        let max_body = self.limits.max_body;
        let (body, total) = match &mut head.body {
            Body::Length(n) => {
                if available < *n {
                    if at_eof {
                        let n = *n;
                        return Err(self.fail(
                            body_offset,
                            format!(
                                "truncated HTTP body: {n} bytes announced, {available} present"
                            ),
                        ));
                    }
                    return Ok(None);
                }
                let n = *n;
                (
                    self.buf[body_start..body_start + n].to_vec(),
                    body_start + n,
                )
            }
            Body::UntilEof => {
                if available > max_body {
                    return Err(self.fail(
                        body_offset,
                        format!("HTTP body longer than {max_body} bytes"),
                    ));
                }
                if !at_eof {
                    return Ok(None);
                }
                (self.buf[body_start..].to_vec(), self.buf.len())
            }
            Body::Chunked { cursor, decoded } => {
                match dechunk(&self.buf[body_start..], cursor, decoded, max_body) {
                    Ok(Some(end)) => (std::mem::take(decoded), body_start + end),
                    Ok(None) => {
                        // Chunk framing may add overhead to the body, but not unboundedly.
                        if available > max_body.saturating_mul(2).saturating_add(65_536) {
                            return Err(self.fail(body_offset, "chunked body framing too large"));
                        }
                        if at_eof {
                            return Err(self.fail(
                                body_offset,
                                "truncated chunked HTTP body: the stream ends before the last chunk",
                            ));
                        }
                        return Ok(None);
                    }
                    Err((at, reason)) => {
                        return Err(self.fail(body_offset + at as u64, reason));
                    }
                }
            }
        };
        let Some(head) = self.head.take() else {
            return Ok(None);
        };
        let raw: Vec<u8> = self.buf.drain(..total).collect();
        let offset = self.base;
        self.base += total as u64;
        Ok(Some(HttpMessage {
            offset,
            start: head.start,
            headers: head.headers,
            body_offset,
            body,
            raw,
        }))
    }
}

/// Decodes chunks from `data` (the bytes after the head), resuming at
/// `cursor`. Returns the end of the chunked body once the last chunk and
/// trailers are in, `None` when more bytes are needed.
fn dechunk(
    data: &[u8],
    cursor: &mut usize,
    decoded: &mut Vec<u8>,
    max_body: usize,
) -> Result<Option<usize>, (usize, String)> {
    loop {
        let rest = &data[*cursor..];
        let Some(line_end) = find(rest, b"\r\n") else {
            if rest.len() > MAX_CHUNK_LINE {
                return Err((*cursor, "chunk-size line too long".into()));
            }
            return Ok(None);
        };
        let line = String::from_utf8_lossy(&rest[..line_end]);
        let size_text = line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16).map_err(|_| {
            (
                *cursor,
                format!("invalid chunk size {:?}", shorten(size_text, 40)),
            )
        })?;
        let data_start = line_end + 2;
        if size == 0 {
            // Trailers (if any) end with an empty line.
            let trailers = &rest[data_start..];
            if trailers.starts_with(b"\r\n") {
                return Ok(Some(*cursor + data_start + 2));
            }
            return match find(trailers, b"\r\n\r\n") {
                Some(end) => Ok(Some(*cursor + data_start + end + 4)),
                None if trailers.len() > MAX_CHUNK_LINE * 8 => {
                    Err((*cursor, "chunked trailers too long".into()))
                }
                None => Ok(None),
            };
        }
        if decoded.len().saturating_add(size) > max_body {
            return Err((*cursor, format!("HTTP body longer than {max_body} bytes")));
        }
        if rest.len() < data_start + size + 2 {
            return Ok(None);
        }
        if &rest[data_start + size..data_start + size + 2] != b"\r\n" {
            return Err((
                *cursor + data_start + size,
                "chunk data not followed by CRLF".into(),
            ));
        }
        decoded.extend_from_slice(&rest[data_start..data_start + size]);
        *cursor += data_start + size + 2;
    }
}

/// `(head length with the blank line, length of the text before it)`.
fn find_head_end(buf: &[u8]) -> Option<(usize, usize)> {
    let crlf = find(buf, b"\r\n\r\n").map(|i| (i + 4, i));
    let lf = find(buf, b"\n\n").map(|i| (i + 2, i));
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(if a.1 <= b.1 { a } else { b }),
        (a, b) => a.or(b),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn parse_start_line(line: &str) -> Option<StartLine> {
    if let Some(rest) = line.strip_prefix("HTTP/") {
        let mut parts = rest.splitn(3, ' ');
        let version = format!("HTTP/{}", parts.next()?);
        let status = parts.next()?.parse::<u16>().ok()?;
        let reason = parts.next().unwrap_or_default().to_owned();
        return Some(StartLine::Response {
            version,
            status,
            reason,
        });
    }
    let mut parts = line.split(' ');
    let (method, target, version) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || method.is_empty()
        || !method.bytes().all(|b| b.is_ascii_uppercase())
        || !version.starts_with("HTTP/")
    {
        return None;
    }
    Some(StartLine::Request {
        method: method.to_owned(),
        target: target.to_owned(),
        version: version.to_owned(),
    })
}

/// At most `max` characters of `text`, with `...` when cut.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}...", &text[..i]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn all(input: &[u8], limits: HttpLimits) -> Result<Vec<HttpMessage>, HttpError> {
        let mut s = HttpStream::new(limits);
        let mut out = Vec::new();
        for chunk in input.chunks(7) {
            s.feed(chunk);
            while let Some(m) = s.next_message()? {
                out.push(m);
            }
        }
        if let Some(m) = s.finish()? {
            out.push(m);
        }
        Ok(out)
    }

    #[test]
    fn keep_alive_requests_and_a_closing_response() {
        let wire = b"POST /RPC2 HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcPOST / HTTP/1.1\r\ncontent-length: 0\r\n\r\nHTTP/1.0 200 OK\r\nServer: x\r\n\r\n<xml/>";
        let got = all(wire, HttpLimits::default()).unwrap();
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].body, b"abc");
        assert_eq!(got[0].raw.len(), 45);
        assert_eq!(got[1].offset, 45);
        assert!(got[2].closes_connection());
        assert_eq!(got[2].body, b"<xml/>");
        assert_eq!(
            got[2].start,
            StartLine::Response {
                version: "HTTP/1.0".into(),
                status: 200,
                reason: "OK".into()
            }
        );
    }

    #[test]
    fn chunked() {
        let wire = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\nHTTP/1.1 204 No\r\n\r\n";
        let got = all(wire, HttpLimits::default()).unwrap();
        assert_eq!(got[0].body, b"abcde");
        assert_eq!(got.len(), 2);
    }

    #[test]
    fn hostile() {
        let limits = HttpLimits {
            max_header: 64,
            max_body: 10,
        };
        let cases: [(&[u8], &str, u64); 6] = [
            (b"\x00\x01garbage\r\n\r\n", "not an HTTP message", 0),
            (&[b'A'; 100], "head longer than 64", 0),
            (
                b"POST / HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n",
                "exceeds the body limit",
                0,
            ),
            (
                b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab",
                "truncated HTTP body: 5 bytes announced, 2 present",
                38,
            ),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                "invalid chunk size",
                47,
            ),
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n20\r\n",
                "longer than 10",
                47,
            ),
        ];
        for (input, want, offset) in cases {
            let err = all(input, limits).unwrap_err();
            assert!(err.reason.contains(want), "{err:?}");
            assert_eq!(err.offset, offset, "{err:?}");
        }
    }
}
