//! A connection's two directions, decoded and printed together.
//!
//! `decode` and `proxy` print the same conversation: each event on a line
//! that says which connection, which direction, when, and at which byte
//! of its direction's stream, then the message itself. A reply (or an
//! XML-RPC response) also says how long after its request it came, which is
//! why both directions live in one [`Conversation`]: rpyc replies carry the
//! seq of their request, HTTP answers come in request order.

use std::collections::{HashMap, VecDeque};

use oxrpc::rpyc::message::MessageKind;

use super::recording::Dir;
use super::render::{self, Style};
use super::stream::{DecodeLimits, Event, StreamDecoder};
use super::Protocol;

/// Requests remembered for their reply's latency, per connection; beyond
/// this (a peer that never answers) the oldest are forgotten.
const MAX_PENDING: usize = 10_000;

/// The decoded conversation of one connection.
pub(crate) struct Conversation {
    conn: Option<u64>,
    c2s: StreamDecoder,
    s2c: StreamDecoder,
    limits: DecodeLimits,
    style: Style,
    /// RPyC requests awaiting an answer: (direction, seq) -> time.
    pending: HashMap<(Dir, String), u64>,
    /// HTTP requests awaiting a response, in order.
    http_pending: VecDeque<u64>,
    /// Messages decoded.
    pub(crate) messages: usize,
    /// Errors found.
    pub(crate) errors: usize,
}

impl Conversation {
    /// A conversation; `conn` is `None` for a bare stream (no connection,
    /// no direction to show).
    pub(crate) fn new(
        conn: Option<u64>,
        protocol: Option<Protocol>,
        limits: DecodeLimits,
        style: Style,
    ) -> Conversation {
        Conversation {
            conn,
            c2s: StreamDecoder::new(protocol, limits),
            s2c: StreamDecoder::new(protocol, limits),
            limits,
            style,
            pending: HashMap::new(),
            http_pending: VecDeque::new(),
            messages: 0,
            errors: 0,
        }
    }

    fn decoder(&mut self, dir: Dir) -> &mut StreamDecoder {
        match dir {
            Dir::C2s => &mut self.c2s,
            Dir::S2c => &mut self.s2c,
        }
    }

    /// Decodes a chunk; returns the lines to print.
    pub(crate) fn data(&mut self, dir: Dir, t_us: Option<u64>, bytes: &[u8]) -> Vec<String> {
        // The server's side follows the client's protocol once it is known.
        if dir == Dir::S2c && self.s2c.protocol().is_none() {
            if let Some(p) = self.c2s.protocol() {
                self.s2c = StreamDecoder::new(Some(p), self.limits);
            }
        }
        let mut events = Vec::new();
        self.decoder(dir).feed(bytes, &mut events);
        self.render(dir, t_us, events)
    }

    /// The end of one direction; returns the lines to print.
    pub(crate) fn eof(&mut self, dir: Dir, t_us: Option<u64>) -> Vec<String> {
        let mut events = Vec::new();
        self.decoder(dir).finish(&mut events);
        self.render(dir, t_us, events)
    }

    fn prefix(&self, dir: Dir, t_us: Option<u64>) -> String {
        let time = t_us.map(|t| format!(" +{}.{:06}s", t / 1_000_000, t % 1_000_000));
        match self.conn {
            Some(conn) => format!("[conn {conn} {dir}{}] ", time.unwrap_or_default()),
            None => String::new(),
        }
    }

    fn render(&mut self, dir: Dir, t_us: Option<u64>, events: Vec<Event>) -> Vec<String> {
        let prefix = self.prefix(dir, t_us);
        let mut out = Vec::new();
        for event in events {
            let (offset, mut lines) = match event {
                Event::Rpyc(frame) => {
                    let mut lines = match &frame.message {
                        Ok(msg) => {
                            self.messages += 1;
                            let mut lines = render::message(msg, self.style);
                            let seq = render::brine(&msg.seq, self.style);
                            if let (Some(t), Some(first)) = (t_us, lines.first_mut()) {
                                match msg.kind {
                                    MessageKind::Request => {
                                        if self.pending.len() >= MAX_PENDING {
                                            self.pending.clear();
                                        }
                                        self.pending.insert((dir, seq), t);
                                    }
                                    MessageKind::Reply | MessageKind::Exception => {
                                        if let Some(t0) = self.pending.remove(&(dir.reverse(), seq))
                                        {
                                            first.push_str(&latency(t.saturating_sub(t0)));
                                        }
                                    }
                                }
                            }
                            lines
                        }
                        Err(e) if frame.payload_len == 0 => {
                            vec![format!("empty frame (rpyc skips it): {e}")]
                        }
                        Err(e) => {
                            self.errors += 1;
                            vec![format!("error: undecodable message: {e}")]
                        }
                    };
                    if frame.compressed {
                        if let Some(first) = lines.first_mut() {
                            first.push_str(&format!(
                                "  [zlib {} -> {} bytes]",
                                frame.wire_len, frame.payload_len
                            ));
                        }
                    }
                    (frame.offset, lines)
                }
                Event::Http(message) => {
                    let document = render::read_document(&message, &self.limits);
                    if document.is_err() {
                        self.errors += 1;
                    }
                    self.messages += 1;
                    let mut lines = render::http(&message, &document, self.style);
                    if let Some(t) = t_us {
                        if message.is_request() {
                            if self.http_pending.len() >= MAX_PENDING {
                                self.http_pending.clear();
                            }
                            self.http_pending.push_back(t);
                        } else if let (Some(t0), Some(first)) =
                            (self.http_pending.pop_front(), lines.first_mut())
                        {
                            first.push_str(&latency(t.saturating_sub(t0)));
                        }
                    }
                    (message.offset, lines)
                }
                Event::Xml(offset, body) => {
                    self.messages += 1;
                    let lines = match render::read_xml(&body, &self.limits) {
                        Ok(doc) => render::xml_document(&doc, self.style),
                        Err(e) => {
                            self.errors += 1;
                            vec![format!("error: {e}")]
                        }
                    };
                    (offset, lines)
                }
                Event::Error { offset, reason, .. } => {
                    self.errors += 1;
                    (offset, vec![format!("error at byte {offset}: {reason}")])
                }
            };
            if let Some(first) = lines.first_mut() {
                *first = format!("{prefix}@{offset} {first}");
            }
            for line in lines.iter_mut().skip(1) {
                line.insert_str(0, "  ");
            }
            out.extend(lines);
        }
        out
    }
}

fn latency(us: u64) -> String {
    format!("  ({}.{:03} ms)", us / 1000, us % 1000)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use oxrpc::rpyc::boxing::{Boxed, IdPack};
    use oxrpc::rpyc::brine::BrineValue;
    use oxrpc::rpyc::channel::encode_frame;
    use oxrpc::rpyc::message::{HandlerId, Message};
    use oxrpc::rpyc::vinegar::RemoteException;
    use std::time::Duration;

    fn seeds() -> Vec<Vec<u8>> {
        let id = IdPack::new("builtins.method", 94_625_176_016_000, 140_212_111_222_333);
        let messages = [
            Message::request(
                0,
                HandlerId::GetRoot,
                Boxed::Value(BrineValue::Tuple(vec![])),
            ),
            Message::request(
                3,
                HandlerId::Call,
                Boxed::tuple(vec![
                    Boxed::LocalRef(id.clone()),
                    Boxed::Tuple(vec![Boxed::RemoteRef(id.clone()), Boxed::Value(21.into())]),
                    Boxed::Value(BrineValue::Tuple(vec![])),
                ]),
            ),
            Message::reply(3, Boxed::Value(BrineValue::tuple([1.5.into(), "x".into()]))),
            Message::exception(4, &RemoteException::key_error("k").with_traceback("tb\n")),
        ];
        let mut rpyc = Vec::new();
        for m in &messages {
            encode_frame(&m.encode(), &mut rpyc).unwrap();
        }
        let mut big = Vec::new();
        encode_frame(
            &Message::reply(1, Boxed::Value(vec![7u8; 5000].into())).encode(),
            &mut big,
        )
        .unwrap();
        let body = b"<?xml version='1.0'?><methodCall><methodName>f</methodName><params><param><value><array><data><value><int>1</int></value><value><struct><member><name>a</name><value><double>2.5</double></value></member></struct></value></data></array></value></param></params></methodCall>";
        let mut http = format!(
            "POST /RPC2 HTTP/1.1\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        http.extend_from_slice(body);
        http.extend_from_slice(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n<?xml\r\n0\r\n\r\n",
        );
        vec![rpyc, big, http, body.to_vec()]
    }

    /// Mutated protocol streams, in any chunking, never panic the
    /// decoders or the printing.
    #[test]
    fn fuzz_smoke() {
        let dictionary: &[&[u8]] = &[
            b"\x00\x00\x00\x10\x00",
            b"\x00\x00\x00\x10\x01",
            b"\xff\xff\xff\xff",
            b"\x15\xff\xff\xff\xff",
            b"\x17\x00\x00\x10\x00",
            b"Content-Length: 99\r\n",
            b"Transfer-Encoding: chunked\r\n",
            b"\r\n\r\n",
            b"<value><struct>",
            b"<array><data>",
        ];
        let runs = oxrpc_testkit::fuzz_smoke(
            "wire conversation",
            &seeds(),
            dictionary,
            Duration::from_millis(1500),
            |input| {
                for protocol in [None, Some(Protocol::Rpyc), Some(Protocol::Xmlrpc)] {
                    let mut c = Conversation::new(
                        Some(1),
                        protocol,
                        DecodeLimits::default(),
                        Style::default(),
                    );
                    let split = input.len() / 3;
                    let _ = c.data(Dir::C2s, Some(1), &input[..split]);
                    let _ = c.data(Dir::C2s, Some(2), &input[split..]);
                    let _ = c.data(Dir::S2c, Some(3), input);
                    let _ = c.eof(Dir::C2s, Some(4));
                    let _ = c.eof(Dir::S2c, Some(5));
                }
            },
        );
        assert!(runs > 0);
    }

    #[test]
    fn replies_carry_their_latency() {
        let mut wire = Vec::new();
        encode_frame(
            &Message::request(
                0,
                HandlerId::Ping,
                Boxed::Value(BrineValue::tuple(["x".into()])),
            )
            .encode(),
            &mut wire,
        )
        .unwrap();
        let mut reply = Vec::new();
        encode_frame(
            &Message::reply(0, Boxed::Value("x".into())).encode(),
            &mut reply,
        )
        .unwrap();
        let mut c = Conversation::new(Some(7), None, DecodeLimits::default(), Style::default());
        let lines = c.data(Dir::C2s, Some(1_000_000), &wire);
        assert_eq!(
            lines[0],
            "[conn 7 c2s +1.000000s] @0 request seq=0 HANDLE_PING(data)"
        );
        assert_eq!(lines[1], "      data = VALUE 'x'");
        let lines = c.data(Dir::S2c, Some(1_002_500), &reply);
        assert_eq!(
            lines,
            ["[conn 7 s2c +1.002500s] @0 reply seq=0 VALUE 'x'  (2.500 ms)"]
        );
    }
}
