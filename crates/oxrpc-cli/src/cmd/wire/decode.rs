//! `oxrpc wire decode`: a byte stream or a recording, printed readably.
//!
//! The input is read in 64 KiB chunks and decoded as it goes, so a large
//! file costs one frame (or HTTP message) of memory, never the file. It is
//! one of:
//!
//! * a recording (the proxy's JSON lines, told by its header line): every
//!   connection's both directions, with times;
//! * raw bytes of one direction of a connection: RPyC frames, or HTTP
//!   messages carrying XML-RPC, or a bare XML-RPC document;
//! * the same as hex text with `--hex` (whitespace ignored, as `xxd -p`
//!   writes it).
//!
//! Every problem is reported with its byte offset, decoding goes on where
//! the framing allows, and the exit status is 1 when anything could not be
//! decoded.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::PathBuf;

use clap::Args;

use super::conversation::Conversation;
use super::recording::{looks_like_recording, Dir, Record, RecordingReader};
use super::render::Style;
use super::{LimitArgs, ProtocolArg};

/// `oxrpc wire decode`'s options.
#[derive(Args, Clone, Debug)]
pub struct DecodeArgs {
    /// The input: a file, or `-` for standard input.
    #[arg(default_value = "-")]
    pub input: PathBuf,
    /// The input is hex text (whitespace ignored).
    #[arg(long)]
    pub hex: bool,
    /// The protocol; `auto` tells it from the first bytes (or a recording's header).
    #[arg(long, value_enum, default_value_t = ProtocolArg::Auto)]
    pub protocol: ProtocolArg,
    /// Print values whole, however long (by default long values and
    /// containers are cut).
    #[arg(long)]
    pub full: bool,
    #[allow(missing_docs)]
    #[command(flatten)]
    pub limits: LimitArgs,
}

const CHUNK: usize = 64 * 1024;

/// Runs `decode`, printing to `out`; returns how many errors it found.
pub(crate) fn run(args: &DecodeArgs, out: &mut dyn Write) -> anyhow::Result<usize> {
    let input: Box<dyn Read> = if args.input.as_os_str() == "-" {
        Box::new(io::stdin().lock())
    } else {
        Box::new(
            std::fs::File::open(&args.input)
                .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", args.input.display()))?,
        )
    };
    let mut input = BufReader::with_capacity(CHUNK, input);
    let style = if args.full {
        Style::full()
    } else {
        Style::default()
    };
    let start = input.fill_buf()?;
    if !args.hex && looks_like_recording(start) {
        return recording(args, input, style, out);
    }
    let mut conversation = Conversation::new(
        None,
        args.protocol.protocol(),
        args.limits.decode_limits(),
        style,
    );
    let mut hex = args.hex.then(HexDecoder::default);
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = match input.read(&mut buf) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        };
        if n == 0 {
            break;
        }
        let bytes = match &mut hex {
            Some(hex) => match hex.feed(&buf[..n]) {
                Ok(bytes) => bytes,
                Err(e) => {
                    print(out, &conversation.eof(Dir::C2s, None))?;
                    writeln!(out, "error: {e}")?;
                    return Ok(conversation.errors + 1);
                }
            },
            None => buf[..n].to_vec(),
        };
        print(out, &conversation.data(Dir::C2s, None, &bytes))?;
    }
    let mut errors = 0;
    if let Some(hex) = &hex {
        if let Err(e) = hex.finish() {
            writeln!(out, "error: {e}")?;
            errors += 1;
        }
    }
    print(out, &conversation.eof(Dir::C2s, None))?;
    errors += conversation.errors;
    writeln!(
        out,
        "-- {} message(s), {errors} error(s)",
        conversation.messages
    )?;
    Ok(errors)
}

fn print(out: &mut dyn Write, lines: &[String]) -> io::Result<()> {
    for line in lines {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

fn recording(
    args: &DecodeArgs,
    input: impl BufRead,
    style: Style,
    out: &mut dyn Write,
) -> anyhow::Result<usize> {
    let (header, mut reader) = RecordingReader::open(input)?;
    let protocol = args.protocol.protocol().or(header.protocol);
    writeln!(
        out,
        "recording (format version {}): protocol {}, proxy {} -> {}",
        header.version,
        protocol.map_or("auto", super::Protocol::as_str),
        header.listen,
        header.to
    )?;
    let limits = args.limits.decode_limits();
    let mut conversations: std::collections::BTreeMap<u64, Conversation> = Default::default();
    let (mut messages, mut errors) = (0usize, 0usize);
    let stamp = |t: u64| format!("+{}.{:06}s", t / 1_000_000, t % 1_000_000);
    loop {
        let record = match reader.next_record() {
            Ok(Some(record)) => record,
            Ok(None) => break,
            Err(e) => {
                writeln!(out, "error: {e}")?;
                errors += 1;
                break;
            }
        };
        match record {
            Record::Open { conn, t_us, client } => {
                writeln!(out, "[conn {conn} {}] open from {client}", stamp(t_us))?;
                conversations.insert(conn, Conversation::new(Some(conn), protocol, limits, style));
            }
            Record::Data {
                conn,
                dir,
                t_us,
                bytes,
            } => {
                let conversation = conversations
                    .entry(conn)
                    .or_insert_with(|| Conversation::new(Some(conn), protocol, limits, style));
                print(out, &conversation.data(dir, Some(t_us), &bytes))?;
            }
            Record::Eof { conn, dir, t_us } => {
                if let Some(conversation) = conversations.get_mut(&conn) {
                    print(out, &conversation.eof(dir, Some(t_us)))?;
                }
                writeln!(out, "[conn {conn} {dir} {}] end of stream", stamp(t_us))?;
            }
            Record::Close { conn, t_us, error } => {
                if let Some(mut conversation) = conversations.remove(&conn) {
                    let (m, e) = finish(&mut conversation, Some(t_us), out)?;
                    messages += m;
                    errors += e;
                }
                match error {
                    Some(e) => writeln!(out, "[conn {conn} {}] closed: {e}", stamp(t_us))?,
                    None => writeln!(out, "[conn {conn} {}] closed", stamp(t_us))?,
                }
            }
            Record::Truncated { t_us, max_bytes } => writeln!(
                out,
                "[{}] the recording stops here: it reached its limit of {max_bytes} bytes",
                stamp(t_us)
            )?,
        }
    }
    for (_, mut conversation) in std::mem::take(&mut conversations) {
        let (m, e) = finish(&mut conversation, None, out)?;
        messages += m;
        errors += e;
    }
    writeln!(out, "-- {messages} message(s), {errors} error(s)")?;
    Ok(errors)
}

/// Ends both directions of a conversation (reporting frames cut short);
/// returns its message and error counts.
fn finish(
    conversation: &mut Conversation,
    t_us: Option<u64>,
    out: &mut dyn Write,
) -> io::Result<(usize, usize)> {
    for dir in [Dir::C2s, Dir::S2c] {
        print(out, &conversation.eof(dir, t_us))?;
    }
    Ok((conversation.messages, conversation.errors))
}

/// Hex text to bytes, chunk by chunk (a byte may straddle two chunks).
#[derive(Debug, Default)]
struct HexDecoder {
    high: Option<u8>,
    offset: u64,
}

impl HexDecoder {
    fn feed(&mut self, text: &[u8]) -> Result<Vec<u8>, String> {
        let mut out = Vec::with_capacity(text.len() / 2 + 1);
        for &c in text {
            let offset = self.offset;
            self.offset += 1;
            if c.is_ascii_whitespace() {
                continue;
            }
            let nibble = hex_value(c).ok_or_else(|| {
                format!(
                    "hex input: invalid character {:?} at byte {offset} of the text",
                    char::from(c)
                )
            })?;
            match self.high.take() {
                Some(high) => out.push(high << 4 | nibble),
                None => self.high = Some(nibble),
            }
        }
        Ok(out)
    }

    fn finish(&self) -> Result<(), String> {
        match self.high {
            Some(_) => Err(format!(
                "hex input: odd number of hex digits (the text ends at byte {})",
                self.offset
            )),
            None => Ok(()),
        }
    }
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Hex text (whitespace ignored) to bytes.
pub(crate) fn parse_hex(text: &[u8]) -> Result<Vec<u8>, String> {
    let mut decoder = HexDecoder::default();
    let bytes = decoder.feed(text)?;
    decoder.finish()?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn hex_across_chunks() {
        let mut d = HexDecoder::default();
        assert_eq!(d.feed(b"0a 1").unwrap(), [0x0a]);
        assert_eq!(d.feed(b"F\n").unwrap(), [0x1f]);
        assert!(d.finish().is_ok());
        let err = parse_hex(b"00zz").unwrap_err();
        assert!(err.contains("'z' at byte 2"), "{err}");
        assert!(parse_hex(b"abc").unwrap_err().contains("odd number"));
    }
}
