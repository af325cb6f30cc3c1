//! The recording format: what `oxrpc wire proxy --record` writes and what
//! `oxrpc wire decode` and `oxrpc wire replay` read.
//!
//! A recording keeps the bytes exactly as they crossed the proxy, chunk by
//! chunk, so it can be decoded again later with other limits, or replayed.
//! It is JSON lines (UTF-8, one JSON object per line), greppable and easy to
//! read from any language:
//!
//! ```text
//! {"format":"oxrpc-wire-recording","version":1,"protocol":"rpyc","listen":"127.0.0.1:4000","to":"127.0.0.1:18861","started_unix_us":1764512345000000}
//! {"conn":1,"t_us":812,"event":"open","client":"127.0.0.1:51544"}
//! {"conn":1,"dir":"c2s","t_us":1204,"b64":"AAAACQABEVARUxFRAgo="}
//! {"conn":1,"dir":"s2c","t_us":1771,"b64":"..."}
//! {"conn":1,"dir":"c2s","t_us":9100,"event":"eof"}
//! {"conn":1,"dir":"s2c","t_us":9132,"event":"eof"}
//! {"conn":1,"t_us":9140,"event":"close"}
//! ```
//!
//! * The first line is the header: `format` is always
//!   `"oxrpc-wire-recording"` and `version` the format's version (this is
//!   version 1; readers refuse a newer major version rather than guess).
//!   `protocol` is `"rpyc"`, `"xmlrpc"` or `"auto"` (each connection's
//!   protocol is then told from its first bytes); `listen` and `to` are the
//!   proxy's addresses, `started_unix_us` when it started.
//! * Every other line is one record of one connection (`conn`, numbered from
//!   1 in the order the proxy accepted them), stamped with `t_us`,
//!   microseconds since the proxy started:
//!   * data: `dir` (`"c2s"` client to server, `"s2c"` server to client) and
//!     the chunk's bytes, as read from the socket, in `b64` (standard base64
//!     with padding) or, as an alternative for hand-written files, `hex`;
//!   * `"event":"open"`: the connection was accepted, from `client`;
//!   * `"event":"eof"` with `dir`: that direction ended (a half close);
//!   * `"event":"close"`: the connection is over; `error` says why when it
//!     did not end cleanly (an unreachable server, a reset);
//!   * `"event":"truncated"` (no `conn`): the recording reached its size
//!     limit (`--max-record-size`) here; the proxy kept forwarding, but
//!     nothing after this line was recorded.
//! * Records of different connections interleave in the order the proxy
//!   saw them. Within one connection the order is causal: a chunk is
//!   recorded before it is forwarded, so an answer is always recorded after
//!   the request it answers.
//! * Readers ignore fields and events they do not know, so version 1 can
//!   grow without breaking them. A last line without its newline that does
//!   not parse (a proxy killed while writing it) ends the recording.
//!
//! # Limits
//!
//! The writer stops at a byte budget (the `truncated` record is the last
//! line). The reader refuses lines longer than [`MAX_LINE`] (the proxy
//! writes chunks of at most 64 KiB, about 88 KiB of base64), so a hostile
//! file cannot make it buffer a gigabyte line, and it reports every
//! problem with the line number.

use base64::Engine;
use serde_json::{json, Map, Value as Json};
use std::fmt;
use std::io::{self, BufRead, Write};

use super::Protocol;

/// The `format` field of the header line.
pub(crate) const FORMAT: &str = "oxrpc-wire-recording";
/// The version this code writes and the newest it reads.
pub(crate) const VERSION: u64 = 1;
/// The longest line a reader accepts, in bytes.
pub(crate) const MAX_LINE: usize = 16 * 1024 * 1024;

/// Which way bytes travelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Dir {
    /// Client to server.
    C2s,
    /// Server to client.
    S2c,
}

impl Dir {
    /// The wire name, `"c2s"` or `"s2c"`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Dir::C2s => "c2s",
            Dir::S2c => "s2c",
        }
    }

    /// The other direction.
    pub(crate) fn reverse(self) -> Dir {
        match self {
            Dir::C2s => Dir::S2c,
            Dir::S2c => Dir::C2s,
        }
    }

    fn parse(text: &str) -> Option<Dir> {
        match text {
            "c2s" => Some(Dir::C2s),
            "s2c" => Some(Dir::S2c),
            _ => None,
        }
    }
}

impl fmt::Display for Dir {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The header line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Header {
    /// The format version of the file.
    pub(crate) version: u64,
    /// The protocol, or `None` for "auto" (told per connection).
    pub(crate) protocol: Option<Protocol>,
    /// The proxy's listening address.
    pub(crate) listen: String,
    /// The server the proxy forwarded to.
    pub(crate) to: String,
    /// When the proxy started, in microseconds since the Unix epoch.
    pub(crate) started_unix_us: u64,
}

/// One record after the header.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Record {
    /// A connection was accepted.
    Open {
        /// Connection number.
        conn: u64,
        /// Microseconds since the proxy started.
        t_us: u64,
        /// The client's address.
        client: String,
    },
    /// A chunk of bytes.
    Data {
        /// Connection number.
        conn: u64,
        /// Direction.
        dir: Dir,
        /// Microseconds since the proxy started.
        t_us: u64,
        /// The bytes, as read from the socket.
        bytes: Vec<u8>,
    },
    /// One direction ended.
    Eof {
        /// Connection number.
        conn: u64,
        /// Direction.
        dir: Dir,
        /// Microseconds since the proxy started.
        t_us: u64,
    },
    /// The connection is over.
    Close {
        /// Connection number.
        conn: u64,
        /// Microseconds since the proxy started.
        t_us: u64,
        /// Why, when it did not end cleanly.
        error: Option<String>,
    },
    /// The recording hit its size limit; nothing after this was recorded.
    Truncated {
        /// Microseconds since the proxy started.
        t_us: u64,
        /// The limit.
        max_bytes: u64,
    },
}

impl Record {
    fn to_json(&self) -> Json {
        match self {
            Record::Open { conn, t_us, client } => {
                json!({"conn": conn, "t_us": t_us, "event": "open", "client": client})
            }
            Record::Data {
                conn,
                dir,
                t_us,
                bytes,
            } => json!({
                "conn": conn,
                "dir": dir.as_str(),
                "t_us": t_us,
                "b64": base64::engine::general_purpose::STANDARD.encode(bytes),
            }),
            Record::Eof { conn, dir, t_us } => {
                json!({"conn": conn, "dir": dir.as_str(), "t_us": t_us, "event": "eof"})
            }
            Record::Close { conn, t_us, error } => {
                let mut record = json!({"conn": conn, "t_us": t_us, "event": "close"});
                if let (Some(error), Some(map)) = (error, record.as_object_mut()) {
                    map.insert("error".into(), Json::from(error.as_str()));
                }
                record
            }
            Record::Truncated { t_us, max_bytes } => {
                json!({"t_us": t_us, "event": "truncated", "max_bytes": max_bytes})
            }
        }
    }
}

/// Whether `prefix` (the first bytes of a file) starts a recording.
pub(crate) fn looks_like_recording(prefix: &[u8]) -> bool {
    let text = prefix.trim_ascii_start();
    text.starts_with(b"{") && {
        let window = &text[..text.len().min(200)];
        window.windows(FORMAT.len()).any(|w| w == FORMAT.as_bytes())
    }
}

/// Writes a recording, stopping at a size budget.
pub(crate) struct RecordingWriter<W: Write> {
    out: W,
    written: u64,
    max_bytes: u64,
    truncated: bool,
}

impl<W: Write> RecordingWriter<W> {
    /// Writes the header and returns the writer. `max_bytes` bounds the
    /// whole file (the header always fits).
    pub(crate) fn new(mut out: W, header: &Header, max_bytes: u64) -> io::Result<Self> {
        let protocol = header.protocol.map_or("auto", Protocol::as_str);
        let line = json!({
            "format": FORMAT,
            "version": VERSION,
            "protocol": protocol,
            "listen": header.listen,
            "to": header.to,
            "started_unix_us": header.started_unix_us,
        })
        .to_string();
        out.write_all(line.as_bytes())?;
        out.write_all(b"\n")?;
        Ok(RecordingWriter {
            out,
            written: line.len() as u64 + 1,
            max_bytes,
            truncated: false,
        })
    }

    /// Appends a record; past the budget, writes one `truncated` record and
    /// drops everything after it. Returns whether the record was written.
    pub(crate) fn write(&mut self, record: &Record, now_us: u64) -> io::Result<bool> {
        if self.truncated {
            return Ok(false);
        }
        let line = record.to_json().to_string();
        // Room is kept for the `truncated` line itself.
        let reserve = 96;
        if self.written + line.len() as u64 + 1 + reserve > self.max_bytes {
            self.truncated = true;
            let marker = Record::Truncated {
                t_us: now_us,
                max_bytes: self.max_bytes,
            }
            .to_json()
            .to_string();
            self.out.write_all(marker.as_bytes())?;
            self.out.write_all(b"\n")?;
            self.written += marker.len() as u64 + 1;
            self.out.flush()?;
            return Ok(false);
        }
        self.out.write_all(line.as_bytes())?;
        self.out.write_all(b"\n")?;
        self.written += line.len() as u64 + 1;
        Ok(true)
    }

    /// Whether the budget was reached.
    pub(crate) fn is_truncated(&self) -> bool {
        self.truncated
    }

    /// Flushes what is buffered.
    pub(crate) fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Why a recording could not be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The file could not be read.
    Io(io::Error),
    /// A line is not what the format says.
    Invalid {
        /// 1-based line number.
        line: u64,
        /// What is wrong.
        reason: String,
    },
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "reading the recording: {e}"),
            ReadError::Invalid { line, reason } => write!(f, "recording line {line}: {reason}"),
        }
    }
}

impl std::error::Error for ReadError {}

/// Reads a recording line by line.
pub(crate) struct RecordingReader<R: BufRead> {
    input: R,
    line_no: u64,
    line: Vec<u8>,
}

impl<R: BufRead> RecordingReader<R> {
    /// Reads and checks the header.
    pub(crate) fn open(input: R) -> Result<(Header, Self), ReadError> {
        let mut reader = RecordingReader {
            input,
            line_no: 0,
            line: Vec::new(),
        };
        let Some(json) = reader.next_json()? else {
            return Err(reader.invalid("empty file: no header line"));
        };
        let header = reader.header(&json)?;
        Ok((header, reader))
    }

    fn invalid(&self, reason: impl Into<String>) -> ReadError {
        ReadError::Invalid {
            line: self.line_no,
            reason: reason.into(),
        }
    }

    fn header(&self, json: &Map<String, Json>) -> Result<Header, ReadError> {
        if json.get("format").and_then(Json::as_str) != Some(FORMAT) {
            return Err(self.invalid(format!(
                "not a recording: the header lacks \"format\":\"{FORMAT}\""
            )));
        }
        let version = json
            .get("version")
            .and_then(Json::as_u64)
            .ok_or_else(|| self.invalid("header without a numeric \"version\""))?;
        if version == 0 || version > VERSION {
            return Err(self.invalid(format!(
                "format version {version} is not supported (this oxrpc reads version {VERSION})"
            )));
        }
        let protocol = match json.get("protocol").and_then(Json::as_str) {
            None | Some("auto") => None,
            Some(name) => Some(
                Protocol::parse(name)
                    .ok_or_else(|| self.invalid(format!("unknown protocol {name:?}")))?,
            ),
        };
        let text = |name: &str| {
            json.get(name)
                .and_then(Json::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        Ok(Header {
            version,
            protocol,
            listen: text("listen"),
            to: text("to"),
            started_unix_us: json
                .get("started_unix_us")
                .and_then(Json::as_u64)
                .unwrap_or(0),
        })
    }

    /// The next line as a JSON object, skipping blank lines.
    fn next_json(&mut self) -> Result<Option<Map<String, Json>>, ReadError> {
        loop {
            self.line.clear();
            self.line_no += 1;
            let mut limited = io::Read::take(&mut self.input, MAX_LINE as u64 + 1);
            let n = limited
                .read_until(b'\n', &mut self.line)
                .map_err(ReadError::Io)?;
            if n == 0 {
                return Ok(None);
            }
            if self.line.len() > MAX_LINE {
                return Err(self.invalid(format!("line longer than {MAX_LINE} bytes")));
            }
            if self.line.trim_ascii().is_empty() {
                continue;
            }
            return match serde_json::from_slice::<Json>(&self.line) {
                Ok(Json::Object(map)) => Ok(Some(map)),
                Ok(_) => Err(self.invalid("expected a JSON object")),
                // A last line cut short: the proxy was killed mid-write.
                // What came before it is a complete recording.
                Err(_) if self.line_no > 1 && !self.line.ends_with(b"\n") => Ok(None),
                Err(e) => Err(self.invalid(format!("not JSON: {e}"))),
            };
        }
    }

    /// The next record, `None` at the end of the file. Records of unknown
    /// kinds are skipped.
    pub(crate) fn next_record(&mut self) -> Result<Option<Record>, ReadError> {
        while let Some(json) = self.next_json()? {
            if let Some(record) = self.record(&json)? {
                return Ok(Some(record));
            }
        }
        Ok(None)
    }

    fn record(&self, json: &Map<String, Json>) -> Result<Option<Record>, ReadError> {
        let t_us = json.get("t_us").and_then(Json::as_u64).unwrap_or(0);
        let event = json.get("event").and_then(Json::as_str);
        if event == Some("truncated") {
            let max_bytes = json.get("max_bytes").and_then(Json::as_u64).unwrap_or(0);
            return Ok(Some(Record::Truncated { t_us, max_bytes }));
        }
        let conn = json
            .get("conn")
            .and_then(Json::as_u64)
            .ok_or_else(|| self.invalid("record without a numeric \"conn\""))?;
        let dir = || {
            json.get("dir")
                .and_then(Json::as_str)
                .and_then(Dir::parse)
                .ok_or_else(|| self.invalid("record without \"dir\": \"c2s\" or \"s2c\""))
        };
        Ok(Some(match event {
            None => {
                let bytes = if let Some(b64) = json.get("b64").and_then(Json::as_str) {
                    base64::engine::general_purpose::STANDARD
                        .decode(b64)
                        .map_err(|e| self.invalid(format!("bad base64: {e}")))?
                } else if let Some(hex) = json.get("hex").and_then(Json::as_str) {
                    super::decode::parse_hex(hex.as_bytes())
                        .map_err(|e| self.invalid(format!("bad hex: {e}")))?
                } else {
                    return Err(self.invalid("data record without \"b64\" or \"hex\""));
                };
                Record::Data {
                    conn,
                    dir: dir()?,
                    t_us,
                    bytes,
                }
            }
            Some("open") => Record::Open {
                conn,
                t_us,
                client: json
                    .get("client")
                    .and_then(Json::as_str)
                    .unwrap_or_default()
                    .to_owned(),
            },
            Some("eof") => Record::Eof {
                conn,
                dir: dir()?,
                t_us,
            },
            Some("close") => Record::Close {
                conn,
                t_us,
                error: json.get("error").and_then(Json::as_str).map(str::to_owned),
            },
            Some(_) => return Ok(None),
        }))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn header() -> Header {
        Header {
            version: VERSION,
            protocol: Some(Protocol::Rpyc),
            listen: "127.0.0.1:1".into(),
            to: "127.0.0.1:2".into(),
            started_unix_us: 7,
        }
    }

    #[test]
    fn round_trip() {
        let records = [
            Record::Open {
                conn: 1,
                t_us: 1,
                client: "127.0.0.1:3".into(),
            },
            Record::Data {
                conn: 1,
                dir: Dir::C2s,
                t_us: 2,
                bytes: b"\x00\x01hello".to_vec(),
            },
            Record::Eof {
                conn: 1,
                dir: Dir::S2c,
                t_us: 3,
            },
            Record::Close {
                conn: 1,
                t_us: 4,
                error: Some("reset".into()),
            },
        ];
        let mut out = Vec::new();
        let mut writer = RecordingWriter::new(&mut out, &header(), 1 << 20).unwrap();
        for r in &records {
            assert!(writer.write(r, 0).unwrap());
        }
        assert!(looks_like_recording(&out));
        let (h, mut reader) = RecordingReader::open(&out[..]).unwrap();
        assert_eq!(h, header());
        for r in &records {
            assert_eq!(reader.next_record().unwrap().as_ref(), Some(r));
        }
        assert_eq!(reader.next_record().unwrap(), None);
    }

    #[test]
    fn budget_truncates_once() {
        let mut out = Vec::new();
        let mut writer = RecordingWriter::new(&mut out, &header(), 400).unwrap();
        let data = Record::Data {
            conn: 1,
            dir: Dir::C2s,
            t_us: 2,
            bytes: vec![0; 100],
        };
        assert!(writer.write(&data, 5).unwrap());
        assert!(!writer.write(&data, 6).unwrap());
        assert!(writer.is_truncated());
        assert!(!writer.write(&data, 7).unwrap());
        assert!(out.len() <= 400, "{}", out.len());
        let (_, mut reader) = RecordingReader::open(&out[..]).unwrap();
        assert!(matches!(
            reader.next_record().unwrap(),
            Some(Record::Data { .. })
        ));
        assert!(matches!(
            reader.next_record().unwrap(),
            Some(Record::Truncated { max_bytes: 400, .. })
        ));
        assert_eq!(reader.next_record().unwrap(), None);
    }

    #[test]
    fn bad_files_name_the_line() {
        let newer = format!("{{\"format\":\"{FORMAT}\",\"version\":2}}\n");
        let bad_b64 = format!(
            "{{\"format\":\"{FORMAT}\",\"version\":1}}\n\n{{\"conn\":1,\"dir\":\"c2s\",\"b64\":\"!!\"}}\n"
        );
        for (text, want) in [
            ("", "line 1: empty file"),
            ("{\"a\":1}\n", "line 1: not a recording"),
            (newer.as_str(), "version 2 is not supported"),
            ("[1]\n", "expected a JSON object"),
        ] {
            let err = RecordingReader::open(text.as_bytes()).err().unwrap();
            assert!(err.to_string().contains(want), "{err}");
        }
        let (_, mut reader) = RecordingReader::open(bad_b64.as_bytes()).unwrap();
        let err = reader.next_record().unwrap_err().to_string();
        assert!(err.contains("line 3: bad base64"), "{err}");
        // A last line cut short ends the recording; one in the middle is an error.
        let cut = format!("{{\"format\":\"{FORMAT}\",\"version\":1}}\n{{\"conn\":1,\"dir\"");
        let (_, mut reader) = RecordingReader::open(cut.as_bytes()).unwrap();
        assert_eq!(reader.next_record().unwrap(), None);
        let whole = format!("{cut}\n");
        let (_, mut reader) = RecordingReader::open(whole.as_bytes()).unwrap();
        assert!(reader
            .next_record()
            .unwrap_err()
            .to_string()
            .contains("line 2: not JSON"));
    }
}
