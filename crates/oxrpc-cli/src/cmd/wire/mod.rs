//! `oxrpc wire ...`: the protocols on the wire, made visible.
//!
//! When a Python peer and a server disagree, the bytes between them are the
//! truth. These tools show them in the protocol's own terms, using the
//! byte-exact decoders of the protocol crates (with their limits, so
//! hostile input is reported, never trusted):
//!
//! * `decode` prints a stream of RPyC frames or XML-RPC HTTP messages, or a
//!   recording, message by message;
//! * `proxy` sits between clients and a server, forwards every byte
//!   unchanged, prints the conversation live and can record it;
//! * `replay` plays a recording's client side against a server again and
//!   reports where the answers differ.
//!
//! Files: [`recording`] is the recording format (documented there),
//! `stream` cuts one direction into events, `http` frames HTTP/1.x,
//! `conversation` pairs the two directions, `render` prints.

mod conversation;
mod decode;
mod http;
mod proxy;
mod recording;
mod render;
mod replay;
mod stream;

pub use decode::DecodeArgs;
pub use proxy::ProxyArgs;
pub use replay::ReplayArgs;

use clap::{Args, Subcommand, ValueEnum};

/// `oxrpc wire ...`.
#[derive(Subcommand, Debug)]
pub enum WireCommand {
    /// Print RPyC frames or XML-RPC HTTP messages (raw bytes, hex text or a
    /// recording) readably.
    Decode(DecodeArgs),
    /// Forward TCP connections to a server unchanged, printing (and
    /// optionally recording) the decoded conversation.
    Proxy(ProxyArgs),
    /// Replay a recording's client side against a server and report the
    /// answers that differ (exit status 0: identical, 1: different, 2:
    /// could not replay).
    Replay(ReplayArgs),
}

/// Runs a `wire` sub-command.
///
/// ```
/// use oxrpc_cli::cmd::wire::{run, DecodeArgs, WireCommand};
/// # fn main() -> anyhow::Result<()> {
/// // The frame Python's `conn.root` sends first: HANDLE_GETROOT, seq 0.
/// let path = std::env::temp_dir().join(format!("oxrpc-doc-{}.hex", std::process::id()));
/// std::fs::write(&path, "00000008 00 0111501153115102 0a")?;
/// let args = DecodeArgs { input: path.clone(), hex: true, ..DecodeArgs::default() };
/// run(WireCommand::Decode(args))?; // prints "@0 request seq=0 HANDLE_GETROOT()"
/// std::fs::remove_file(path)?;
/// # Ok(()) }
/// ```
pub fn run(command: WireCommand) -> anyhow::Result<()> {
    match command {
        WireCommand::Decode(args) => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            let errors = decode::run(&args, &mut out)?;
            std::io::Write::flush(&mut out)?;
            if errors > 0 {
                anyhow::bail!("{errors} decoding error(s)");
            }
            Ok(())
        }
        WireCommand::Proxy(args) => super::block_on(proxy::run(args, super::shutdown_signal())),
        WireCommand::Replay(args) => {
            let outcome = super::block_on(replay::run(args));
            match outcome {
                Ok(true) => Ok(()),
                Ok(false) => std::process::exit(1),
                Err(e) => {
                    eprintln!("oxrpc: {e:#}");
                    std::process::exit(2);
                }
            }
        }
    }
}

/// A protocol these tools read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Protocol {
    /// RPyC 6 frames.
    Rpyc,
    /// XML-RPC over HTTP/1.x.
    Xmlrpc,
}

impl Protocol {
    /// The name used on the command line and in recordings.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Protocol::Rpyc => "rpyc",
            Protocol::Xmlrpc => "xmlrpc",
        }
    }

    /// Reads a name.
    pub(crate) fn parse(name: &str) -> Option<Protocol> {
        match name {
            "rpyc" => Some(Protocol::Rpyc),
            "xmlrpc" => Some(Protocol::Xmlrpc),
            _ => None,
        }
    }

    /// Tells the protocol from the first byte of a stream: HTTP starts with
    /// a method or `HTTP/` (letters), a bare document with `<`; an RPyC
    /// frame with the high byte of its length.
    pub(crate) fn detect(first: u8) -> Protocol {
        if first.is_ascii_alphabetic() || first == b'<' || first.is_ascii_whitespace() {
            Protocol::Xmlrpc
        } else {
            Protocol::Rpyc
        }
    }
}

/// `--protocol`'s values.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProtocolArg {
    /// Tell it from the first bytes of each connection.
    #[default]
    Auto,
    /// RPyC 6 frames.
    Rpyc,
    /// XML-RPC over HTTP.
    Xmlrpc,
}

impl ProtocolArg {
    fn protocol(self) -> Option<Protocol> {
        match self {
            ProtocolArg::Auto => None,
            ProtocolArg::Rpyc => Some(Protocol::Rpyc),
            ProtocolArg::Xmlrpc => Some(Protocol::Xmlrpc),
        }
    }
}

/// The decoders' limits, shared by every `wire` sub-command.
#[derive(Args, Clone, Debug)]
pub struct LimitArgs {
    /// Largest RPyC frame payload accepted as sent, in bytes.
    #[arg(long, default_value_t = oxrpc::rpyc::FrameLimits::default().max_frame_len)]
    pub max_frame_size: usize,
    /// Largest RPyC frame payload after zlib decompression, in bytes.
    #[arg(long, default_value_t = oxrpc::rpyc::FrameLimits::default().max_decompressed_len)]
    pub max_decompressed_size: usize,
    /// Largest HTTP body (XML-RPC document), in bytes, as sent and after gunzip.
    #[arg(long, default_value_t = http::HttpLimits::default().max_body)]
    pub max_body_size: usize,
}

impl Default for LimitArgs {
    fn default() -> Self {
        LimitArgs {
            max_frame_size: oxrpc::rpyc::FrameLimits::default().max_frame_len,
            max_decompressed_size: oxrpc::rpyc::FrameLimits::default().max_decompressed_len,
            max_body_size: http::HttpLimits::default().max_body,
        }
    }
}

impl LimitArgs {
    fn decode_limits(&self) -> stream::DecodeLimits {
        let mut limits = stream::DecodeLimits::default();
        limits.frame.max_frame_len = self.max_frame_size;
        limits.frame.max_decompressed_len = self.max_decompressed_size;
        limits.http.max_body = self.max_body_size;
        limits
    }
}

impl Default for DecodeArgs {
    fn default() -> Self {
        DecodeArgs {
            input: "-".into(),
            hex: false,
            protocol: ProtocolArg::Auto,
            full: false,
            limits: LimitArgs::default(),
        }
    }
}
