//! `oxrpc wire replay`: a recording's client side, played again against a
//! server, with the answers compared.
//!
//! Connections are replayed one after another, in the order they opened,
//! each on a fresh connection to the server. The exit status is 0 when every
//! answer matches, 1 when something differs (each difference is printed with
//! the request it answers, recorded and replayed side by side), 2 when the
//! replay could not run (no server, an unreadable recording).
//!
//! # RPyC
//!
//! The recording is walked in its own order, which is causal (the proxy
//! records a chunk before forwarding it):
//!
//! * a request the client sent is sent again, once every answer the
//!   recording shows before it has arrived (so a request that uses an
//!   object waits for the reply that named it);
//! * an answer the client sent to a request of the server (a callback) is
//!   sent when the matching live request has arrived, under the live
//!   request's seq;
//! * a message the server sent is awaited (up to `--timeout`) and compared.
//!
//! What legitimately varies between runs is normalised:
//!
//! * **Object ids.** The server's objects get new ids in every run (Python
//!   uses addresses). Ids are never compared: the first time a server object
//!   appears in an answer, its recorded id pack is paired with the live one
//!   at the same place, and from then on each must keep its partner (so
//!   "the same object twice" against "two objects" is still a difference).
//!   Type names are compared. The client's requests are rewritten with the
//!   live ids (in references, and in the id pack `HANDLE_INSPECT` and
//!   `HANDLE_INSTANCECHECK` take as a value), and a pairing ends when the
//!   client's `HANDLE_DEL` releases the last reference the server sent,
//!   since the server may reuse the id. The client's own objects keep their
//!   recorded ids: the replay presents them as the recorded client did.
//! * **Seq numbers.** The client's requests keep their recorded seq, so
//!   answers match by seq. The server's requests are matched by order and
//!   answered under their live seq (the replay renumbers the recorded
//!   answers).
//! * **Addresses in text.** `at 0x` followed by six or more hex digits (the
//!   address in a Python repr, `<function f at 0x7f...>`) compares as
//!   `at 0x...`; other hex numbers in text are compared as they are.
//! * **Hashes.** The value of a `HANDLE_HASH` answer varies with Python's
//!   hash seed and object addresses: only its type is compared.
//! * **Frozensets** compare as sets (their order follows string hashes).
//! * **Garbage collection.** `HANDLE_DEL` requests from the server come
//!   when its collector runs: they are answered (with `None`, as rpyc does)
//!   and not compared, and the recorded answers to them are not replayed.
//! * **Closing.** The answer to `HANDLE_CLOSE` may or may not make it
//!   before the server closes the connection: its absence is no difference.
//! * **Exceptions** compare by class (module and name) and args; their
//!   traceback text and attributes (file paths, line numbers, method
//!   reprs) are shown but not compared.
//!
//! # XML-RPC
//!
//! Each recorded HTTP request is sent as it was recorded, on a connection
//! kept open while the server keeps it open, and its response is compared
//! with the recorded one: the status code, then the document (a value, or a
//! fault's code and string), with the same text normalisation. Headers
//! (`Date`, `Server`, lengths) are not compared.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use oxrpc::rpyc::boxing::{Boxed, IdPack};
use oxrpc::rpyc::brine::BrineValue;
use oxrpc::rpyc::channel::{encode_frame, FrameDecoder};
use oxrpc::rpyc::message::{HandlerId, Message, MessageKind};
use oxrpc::rpyc::vinegar::{self, RemoteException};
use oxrpc::xmlrpc::{MethodResponse, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::TcpStream;
use tokio::sync::mpsc;

use super::http::{HttpMessage, HttpStream, StartLine};
use super::recording::{Dir, Record, RecordingReader};
use super::render::{self, Document, Style};
use super::stream::{DecodeLimits, Event, StreamDecoder};
use super::{LimitArgs, Protocol};

/// `oxrpc wire replay`'s options.
#[derive(Args, Clone, Debug)]
pub struct ReplayArgs {
    /// The recording to replay (from `oxrpc wire proxy --record`).
    pub recording: PathBuf,
    /// The server to replay against, as HOST:PORT.
    #[arg(long)]
    pub to: String,
    /// Seconds to wait for each answer the recording expects.
    #[arg(long, default_value_t = 10)]
    pub timeout: u64,
    /// Replay only this connection (by its number in the recording).
    #[arg(long)]
    pub conn: Option<u64>,
    /// Print values whole, however long.
    #[arg(long)]
    pub full: bool,
    #[allow(missing_docs)]
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// One recorded connection, decoded.
struct Script {
    conn: u64,
    protocol: Protocol,
    steps: Vec<Step>,
}

/// What a recording holds: a script per connection it can replay, and why
/// it cannot replay the others (one undecodable connection leaves the
/// rest replayable).
struct Loaded {
    scripts: Vec<Script>,
    unreadable: Vec<(u64, String)>,
    /// The recording's size budget (`--max-record-size`) when it ran out:
    /// what came after was not recorded, so not replayed.
    truncated_at: Option<u64>,
}

enum Step {
    Rpyc(Dir, Message),
    Http(Dir, Box<HttpMessage>),
}

/// A difference found.
struct Difference {
    conn: u64,
    /// What was compared (the request, as recorded).
    context: Vec<String>,
    /// What differs.
    what: String,
    recorded: Vec<String>,
    live: Vec<String>,
}

impl Difference {
    fn print(&self) {
        println!("conn {}: {}", self.conn, self.what);
        for line in &self.context {
            println!("    {line}");
        }
        for (i, line) in self.recorded.iter().enumerate() {
            println!(
                "  {} {line}",
                if i == 0 {
                    "- recorded:"
                } else {
                    "            "
                }
            );
        }
        for (i, line) in self.live.iter().enumerate() {
            println!(
                "  {} {line}",
                if i == 0 {
                    "+ replayed:"
                } else {
                    "            "
                }
            );
        }
    }
}

/// Runs the replay; `Ok(true)` when nothing differs.
pub(crate) async fn run(args: ReplayArgs) -> anyhow::Result<bool> {
    let limits = args.limits.decode_limits();
    let path = args.recording.clone();
    let Loaded {
        scripts,
        unreadable,
        truncated_at,
    } = tokio::task::spawn_blocking(move || load(&path, limits)).await??;
    if let Some((conn, reason)) = unreadable.iter().find(|(conn, _)| args.conn == Some(*conn)) {
        anyhow::bail!("conn {conn} cannot be replayed: {reason}");
    }
    let mut skipped = 0usize;
    for (conn, reason) in &unreadable {
        if args.conn.is_none() {
            println!("conn {conn}: not replayed: {reason}");
            skipped += 1;
        }
    }
    let (host, port) = super::super::parse_host_port(&args.to, None)?;
    let style = if args.full {
        Style::full()
    } else {
        Style::default()
    };
    let timeout = Duration::from_secs(args.timeout.max(1));
    let (mut differences, mut compared, mut replayed) = (0usize, 0usize, 0usize);
    for script in scripts {
        if args.conn.is_some_and(|c| c != script.conn) {
            continue;
        }
        replayed += 1;
        let stream = TcpStream::connect((host.as_str(), port))
            .await
            .map_err(|e| anyhow::anyhow!("cannot connect to {}: {e}", args.to))?;
        let _ = stream.set_nodelay(true);
        let outcome = match script.protocol {
            Protocol::Rpyc => {
                RpycReplay::new(stream, limits, style, timeout, script.conn)
                    .run(&script.steps)
                    .await
            }
            Protocol::Xmlrpc => {
                let target = (host.clone(), port);
                http_replay(stream, target, &script, limits, style, timeout).await?
            }
        };
        println!(
            "conn {}: {} answer(s) compared, {} difference(s)",
            script.conn,
            outcome.compared,
            outcome.differences.len()
        );
        for difference in &outcome.differences {
            difference.print();
        }
        compared += outcome.compared;
        differences += outcome.differences.len();
    }
    let skipped = match skipped {
        0 => String::new(),
        n => format!(" ({n} more not replayable)"),
    };
    println!(
        "replay: {replayed} connection(s){skipped}, {compared} answer(s) compared, {differences} difference(s)"
    );
    if let Some(max_bytes) = truncated_at {
        println!(
            "replay: the recording stops at its size budget ({max_bytes} bytes, --max-record-size): \
             what the proxy forwarded after that was not recorded and is not compared"
        );
    }
    Ok(differences == 0)
}

/// Reads a recording into one script per connection.
fn load(path: &std::path::Path, limits: DecodeLimits) -> anyhow::Result<Loaded> {
    let file = std::fs::File::open(path)
        .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", path.display()))?;
    let (header, mut reader) = RecordingReader::open(std::io::BufReader::new(file))?;
    struct Loading {
        c2s: StreamDecoder,
        s2c: StreamDecoder,
        steps: Vec<Step>,
        /// Why this connection cannot be replayed: its bytes stop being
        /// read there.
        unreadable: Option<String>,
    }
    let mut loading: std::collections::BTreeMap<u64, Loading> = Default::default();
    let mut truncated_at = None;
    let absorb = |conn: u64,
                  dir: Dir,
                  events: Vec<Event>,
                  steps: &mut Vec<Step>|
     -> anyhow::Result<()> {
        for event in events {
            match event {
                Event::Rpyc(frame) => match frame.message {
                    Ok(message) => steps.push(Step::Rpyc(dir, message)),
                    // An empty frame: rpyc skips it, so does the replay.
                    Err(_) if frame.payload_len == 0 => {}
                    Err(e) => anyhow::bail!(
                        "the recording's conn {conn} {dir} holds an undecodable message at byte {}: {e}",
                        frame.offset
                    ),
                },
                Event::Http(message) => steps.push(Step::Http(dir, message)),
                Event::Xml(..) => anyhow::bail!(
                    "the recording's conn {conn} {dir} holds a bare XML document, not HTTP"
                ),
                Event::Error { offset, reason, .. } => anyhow::bail!(
                    "the recording's conn {conn} {dir} cannot be decoded at byte {offset}: {reason}"
                ),
            }
        }
        Ok(())
    };
    while let Some(record) = reader.next_record()? {
        let (conn, dir, bytes, eof) = match record {
            Record::Data {
                conn, dir, bytes, ..
            } => (conn, dir, bytes, false),
            Record::Eof { conn, dir, .. } => (conn, dir, Vec::new(), true),
            Record::Open { .. } | Record::Close { .. } => continue,
            Record::Truncated { max_bytes, .. } => {
                truncated_at = Some(max_bytes);
                break;
            }
        };
        let entry = loading.entry(conn).or_insert_with(|| Loading {
            c2s: StreamDecoder::new(header.protocol, limits),
            s2c: StreamDecoder::new(header.protocol, limits),
            steps: Vec::new(),
            unreadable: None,
        });
        if entry.unreadable.is_some() {
            continue;
        }
        // The server's side follows the client's protocol.
        if dir == Dir::S2c && entry.s2c.protocol().is_none() {
            if let Some(p) = entry.c2s.protocol() {
                entry.s2c = StreamDecoder::new(Some(p), limits);
            }
        }
        let decoder = match dir {
            Dir::C2s => &mut entry.c2s,
            Dir::S2c => &mut entry.s2c,
        };
        let mut events = Vec::new();
        if eof {
            decoder.finish(&mut events);
        } else {
            decoder.feed(&bytes, &mut events);
        }
        if let Err(e) = absorb(conn, dir, events, &mut entry.steps) {
            entry.unreadable = Some(e.to_string());
        }
    }
    let (mut scripts, mut unreadable) = (Vec::new(), Vec::new());
    for (conn, mut entry) in loading {
        if let Some(reason) = entry.unreadable {
            unreadable.push((conn, reason));
            continue;
        }
        // Streams cut without an end-of-stream record (a truncated
        // recording): what was complete is replayed.
        let protocol = entry.c2s.protocol().or(entry.s2c.protocol());
        let mut events = Vec::new();
        entry.s2c.finish(&mut events);
        let _ = absorb(conn, Dir::S2c, events, &mut entry.steps);
        if let Some(protocol) = protocol {
            scripts.push(Script {
                conn,
                protocol,
                steps: entry.steps,
            });
        }
    }
    Ok(Loaded {
        scripts,
        unreadable,
        truncated_at,
    })
}

/// What one connection's replay found.
struct Outcome {
    compared: usize,
    differences: Vec<Difference>,
}

/// What the live server sent, as the reader task delivers it.
enum Live {
    Message(Message),
    End(Option<String>),
}

/// Key of a seq: its Python repr (seqs may be any brine value).
fn seq_key(seq: &BrineValue) -> String {
    seq.to_string()
}

fn handler_of(message: &Message) -> Option<HandlerId> {
    match &message.payload {
        BrineValue::Tuple(items) if message.kind == MessageKind::Request => items
            .first()
            .and_then(BrineValue::as_i64)
            .and_then(|id| HandlerId::try_from(id).ok()),
        _ => None,
    }
}

/// The pairing of recorded and live server object ids (see the module docs).
#[derive(Default)]
struct Ids {
    forward: HashMap<(i128, i128), IdPack>,
    backward: HashMap<(i128, i128), (i128, i128)>,
    /// References the server sent, per recorded id, not yet released.
    refs: HashMap<(i128, i128), i64>,
}

fn key(id: &IdPack) -> (i128, i128) {
    (id.type_id, id.instance_id)
}

impl Ids {
    /// Pairs a recorded id with a live one, or checks the existing pairing.
    fn unify(&mut self, recorded: &IdPack, live: &IdPack) -> bool {
        if recorded.type_name != live.type_name {
            return false;
        }
        let (r, l) = (key(recorded), key(live));
        let same = match (self.forward.get(&r), self.backward.get(&l)) {
            (Some(paired), _) => key(paired) == l,
            (None, Some(_)) => false,
            (None, None) => {
                self.forward.insert(r, live.clone());
                self.backward.insert(l, r);
                true
            }
        };
        if same {
            *self.refs.entry(r).or_insert(0) += 1;
        }
        same
    }

    fn live(&self, recorded: &IdPack) -> Option<&IdPack> {
        self.forward.get(&key(recorded))
    }

    /// The client released `count` references to a recorded id.
    fn release(&mut self, recorded: &IdPack, count: i64) {
        let r = key(recorded);
        let left = self.refs.get(&r).copied().unwrap_or(0) - count;
        if left > 0 {
            self.refs.insert(r, left);
            return;
        }
        self.refs.remove(&r);
        if let Some(live) = self.forward.remove(&r) {
            self.backward.remove(&key(&live));
        }
    }

    /// A boxed value the client sends, with live ids for server objects.
    fn rewrite(&self, value: Boxed) -> Boxed {
        match value {
            Boxed::LocalRef(id) => Boxed::LocalRef(self.live(&id).cloned().unwrap_or(id)),
            Boxed::Tuple(items) => {
                Boxed::Tuple(items.into_iter().map(|b| self.rewrite(b)).collect())
            }
            other => other,
        }
    }

    /// An id pack sent as a plain value (`HANDLE_INSPECT`'s argument).
    fn rewrite_value(&self, value: Boxed) -> Boxed {
        match value {
            Boxed::Value(v) => match IdPack::parse(&v).and_then(|id| self.live(&id).cloned()) {
                Some(live) => Boxed::Value(live.to_brine()),
                None => Boxed::Value(v),
            },
            other => self.rewrite(other),
        }
    }
}

/// Replaces `at 0x` and six or more hex digits (an address in a repr) by
/// `at 0x...`.
fn normalise_text(text: &str) -> std::borrow::Cow<'_, str> {
    const ADDRESS: &str = " at 0x";
    if !text.contains(ADDRESS) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(ADDRESS) {
        out.push_str(&rest[..i]);
        let after = &rest[i + ADDRESS.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_hexdigit).count();
        if digits >= 6 {
            out.push_str(" at 0x...");
        } else {
            out.push_str(&rest[i..i + ADDRESS.len() + digits]);
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    out.into()
}

fn same_brine(recorded: &BrineValue, live: &BrineValue) -> bool {
    match (recorded, live) {
        (BrineValue::Str(a), BrineValue::Str(b)) => normalise_text(a) == normalise_text(b),
        (BrineValue::Bytes(a), BrineValue::Bytes(b)) => {
            normalise_text(&String::from_utf8_lossy(a))
                == normalise_text(&String::from_utf8_lossy(b))
        }
        (BrineValue::Float(a), BrineValue::Float(b)) => {
            a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
        }
        (BrineValue::Tuple(a), BrineValue::Tuple(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_brine(x, y))
        }
        (BrineValue::FrozenSet(a), BrineValue::FrozenSet(b)) => {
            let sorted = |items: &[BrineValue]| {
                let mut keys: Vec<String> = items
                    .iter()
                    .map(|v| normalise_text(&v.to_string()).into_owned())
                    .collect();
                keys.sort();
                keys
            };
            a.len() == b.len() && sorted(a) == sorted(b)
        }
        (BrineValue::Slice(a1, a2, a3), BrineValue::Slice(b1, b2, b3)) => {
            same_brine(a1, b1) && same_brine(a2, b2) && same_brine(a3, b3)
        }
        (a, b) => a == b,
    }
}

/// Compares a boxed value the server sent (its references are its own
/// objects, paired through `ids`; references to the client's objects
/// must be the recorded ones).
fn same_boxed(recorded: &Boxed, live: &Boxed, ids: &mut Ids) -> bool {
    match (recorded, live) {
        (Boxed::Value(a), Boxed::Value(b)) => same_brine(a, b),
        (Boxed::Tuple(a), Boxed::Tuple(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_boxed(x, y, ids))
        }
        (Boxed::RemoteRef(a), Boxed::RemoteRef(b)) => ids.unify(a, b),
        (Boxed::LocalRef(a), Boxed::LocalRef(b)) => a == b,
        _ => false,
    }
}

fn kind_name(message: &Message) -> &'static str {
    message.kind.name()
}

/// `a reply`, `an exception`.
fn with_article(word: &str) -> String {
    match word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        true => format!("an {word}"),
        false => format!("a {word}"),
    }
}

/// Compares an answer; `None` when the same, else what differs.
fn compare_answer(
    recorded: &Message,
    live: &Message,
    handler: Option<HandlerId>,
    ids: &mut Ids,
) -> Option<String> {
    if recorded.kind != live.kind {
        return Some(format!(
            "{} was recorded, the server answered with {}",
            with_article(kind_name(recorded)),
            with_article(kind_name(live))
        ));
    }
    match recorded.kind {
        MessageKind::Reply => {
            let (a, b) = (
                Boxed::from_brine(recorded.payload.clone()),
                Boxed::from_brine(live.payload.clone()),
            );
            match (a, b) {
                (Ok(a), Ok(b)) => {
                    let same = if handler == Some(HandlerId::Hash) {
                        matches!((&a, &b), (Boxed::Value(x), Boxed::Value(y)) if x.type_name() == y.type_name())
                    } else {
                        same_boxed(&a, &b, ids)
                    };
                    (!same).then(|| "the reply value differs".to_owned())
                }
                _ => (!same_brine(&recorded.payload, &live.payload))
                    .then(|| "the (malformed) reply differs".to_owned()),
            }
        }
        MessageKind::Exception => {
            match (
                vinegar::load(recorded.payload.clone()),
                vinegar::load(live.payload.clone()),
            ) {
                (Ok(a), Ok(b)) => compare_exceptions(&a, &b),
                _ => (!same_brine(&recorded.payload, &live.payload))
                    .then(|| "the (malformed) exception differs".to_owned()),
            }
        }
        MessageKind::Request => None,
    }
}

fn compare_exceptions(a: &RemoteException, b: &RemoteException) -> Option<String> {
    if (a.module.as_str(), a.name.as_str()) != (b.module.as_str(), b.name.as_str()) {
        return Some("the exception type differs".to_owned());
    }
    let same_args =
        a.args.len() == b.args.len() && a.args.iter().zip(&b.args).all(|(x, y)| same_brine(x, y));
    (!same_args).then(|| "the exception args differ".to_owned())
}

/// Compares a request the server made (a callback) with the recorded one.
fn compare_request(recorded: &Message, live: &Message, ids: &mut Ids) -> Option<String> {
    let (a, b) = (recorded.clone().into_request(), live.clone().into_request());
    match (a, b) {
        (Ok(a), Ok(b)) => {
            if a.handler != b.handler {
                return Some(format!(
                    "the server made a {} request where {} was recorded",
                    b.handler.const_name(),
                    a.handler.const_name()
                ));
            }
            (!same_boxed(&a.args, &b.args, ids))
                .then(|| "the server's request arguments differ".to_owned())
        }
        _ => (!same_brine(&recorded.payload, &live.payload))
            .then(|| "the server's (malformed) request differs".to_owned()),
    }
}

/// One RPyC connection being replayed.
struct RpycReplay {
    writer: OwnedWriteHalf,
    inbox: mpsc::Receiver<Live>,
    reader: tokio::task::JoinHandle<()>,
    style: Style,
    timeout: Duration,
    conn: u64,
    ids: Ids,
    /// Live answers to the client's requests, by seq.
    answers: HashMap<String, Message>,
    /// Live requests of the server (not `HANDLE_DEL`), in order.
    server_requests: Vec<Message>,
    /// How many server requests (not `HANDLE_DEL`) the recording holds.
    recorded_server_requests: usize,
    ended: Option<Option<String>>,
    compared: usize,
    differences: Vec<Difference>,
}

impl RpycReplay {
    fn new(
        stream: TcpStream,
        limits: DecodeLimits,
        style: Style,
        timeout: Duration,
        conn: u64,
    ) -> RpycReplay {
        let (mut read, writer) = stream.into_split();
        let (tx, inbox) = mpsc::channel(256);
        let reader = tokio::spawn(async move {
            let mut frames = FrameDecoder::with_limits(limits.frame);
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let n = match read.read(&mut buf).await {
                    Ok(0) => {
                        let _ = tx.send(Live::End(None)).await;
                        return;
                    }
                    Ok(n) => n,
                    Err(e) => {
                        let _ = tx.send(Live::End(Some(e.to_string()))).await;
                        return;
                    }
                };
                frames.feed(&buf[..n]);
                loop {
                    let frame = match frames.next_frame() {
                        Ok(Some(frame)) => frame,
                        Ok(None) => break,
                        Err(e) => {
                            let _ = tx.send(Live::End(Some(e.to_string()))).await;
                            return;
                        }
                    };
                    if frame.is_empty() {
                        continue;
                    }
                    match Message::decode_with(&frame, &limits.brine) {
                        Ok(message) => {
                            if tx.send(Live::Message(message)).await.is_err() {
                                return;
                            }
                        }
                        Err(e) => {
                            let _ = tx
                                .send(Live::End(Some(format!("undecodable message: {e}"))))
                                .await;
                            return;
                        }
                    }
                }
            }
        });
        RpycReplay {
            writer,
            inbox,
            reader,
            style,
            timeout,
            conn,
            ids: Ids::default(),
            answers: HashMap::new(),
            server_requests: Vec::new(),
            recorded_server_requests: 0,
            ended: None,
            compared: 0,
            differences: Vec::new(),
        }
    }

    async fn send(&mut self, message: &Message) -> bool {
        let mut wire = Vec::new();
        if encode_frame(&message.encode(), &mut wire).is_err() {
            return false;
        }
        self.writer.write_all(&wire).await.is_ok()
    }

    fn differ(
        &mut self,
        what: String,
        context: Vec<String>,
        recorded: Vec<String>,
        live: Vec<String>,
    ) {
        self.differences.push(Difference {
            conn: self.conn,
            context,
            what,
            recorded,
            live,
        });
    }

    /// Takes in what the server sent, answering its `HANDLE_DEL`s (and
    /// requests the recording does not have) on the spot.
    async fn absorb(&mut self, live: Live) {
        match live {
            Live::Message(message) if message.kind == MessageKind::Request => {
                if handler_of(&message) == Some(HandlerId::Del) {
                    let reply = Message::reply(message.seq.clone(), Boxed::Value(BrineValue::None));
                    self.send(&reply).await;
                    return;
                }
                if self.server_requests.len() >= self.recorded_server_requests {
                    // Nothing recorded to answer it with: say so to the
                    // server (so it does not wait forever) and to the user.
                    let exc = RemoteException::new(
                        "builtins",
                        "RuntimeError",
                        vec![BrineValue::from(
                            "oxrpc wire replay: this request is not in the recording",
                        )],
                    );
                    self.send(&Message::exception(message.seq.clone(), &exc))
                        .await;
                    let lines = render::message(&message, self.style);
                    self.differ(
                        "the server made a request the recording does not have".to_owned(),
                        Vec::new(),
                        vec!["(nothing)".to_owned()],
                        lines,
                    );
                }
                self.server_requests.push(message);
            }
            Live::Message(message) => {
                self.answers.insert(seq_key(&message.seq), message);
            }
            Live::End(error) => self.ended = Some(error),
        }
    }

    /// Waits until `ready` holds, the server closes, or the timeout passes.
    async fn wait_for(&mut self, ready: impl Fn(&RpycReplay) -> bool, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if ready(self) {
                return true;
            }
            if self.ended.is_some() {
                return false;
            }
            match tokio::time::timeout_at(deadline, self.inbox.recv()).await {
                Ok(Some(live)) => self.absorb(live).await,
                Ok(None) => self.ended = Some(None),
                Err(_) => return false,
            }
        }
    }

    fn end_note(&self) -> String {
        match &self.ended {
            Some(Some(e)) => format!("(the connection failed: {e})"),
            Some(None) => "(the server closed the connection)".to_owned(),
            None => format!("(nothing within {:?})", self.timeout),
        }
    }

    async fn run(mut self, steps: &[Step]) -> Outcome {
        let messages: Vec<(Dir, &Message)> = steps
            .iter()
            .filter_map(|s| match s {
                Step::Rpyc(dir, m) => Some((*dir, m)),
                Step::Http(..) => None,
            })
            .collect();
        // The recorded server requests: seq -> (index among the non-DEL ones, or None for DEL).
        let mut server_request_index: HashMap<String, Option<usize>> = HashMap::new();
        for (dir, message) in &messages {
            if *dir == Dir::S2c && message.kind == MessageKind::Request {
                let index = (handler_of(message) != Some(HandlerId::Del)).then(|| {
                    self.recorded_server_requests += 1;
                    self.recorded_server_requests - 1
                });
                server_request_index.insert(seq_key(&message.seq), index);
            }
        }
        let mut client_requests: HashMap<String, &Message> = HashMap::new();
        let mut server_requests_seen = 0usize;
        for (dir, message) in messages {
            match (dir, message.kind) {
                (Dir::C2s, MessageKind::Request) => {
                    client_requests.insert(seq_key(&message.seq), message);
                    let outgoing = self.rewrite_request(message);
                    if !self.send(&outgoing).await {
                        self.differ(
                            "the server stopped reading before the recording ended".to_owned(),
                            render::message(message, self.style),
                            vec!["(the request was delivered)".to_owned()],
                            vec![self.end_note()],
                        );
                        break;
                    }
                    self.note_release(message);
                }
                (Dir::C2s, _) => {
                    // The client's answer to a server request.
                    let Some(Some(index)) =
                        server_request_index.get(&seq_key(&message.seq)).copied()
                    else {
                        continue; // an answer to HANDLE_DEL (answered live), or to nothing
                    };
                    let timeout = self.timeout;
                    if !self
                        .wait_for(|r| r.server_requests.len() > index, timeout)
                        .await
                    {
                        continue; // the missing request is reported where it was recorded
                    }
                    let live_seq = self.server_requests[index].seq.clone();
                    let mut outgoing = message.clone();
                    outgoing.seq = live_seq;
                    if message.kind == MessageKind::Reply {
                        if let Ok(value) = Boxed::from_brine(message.payload.clone()) {
                            outgoing.payload = self.ids.rewrite(value).into_brine();
                        }
                    }
                    self.send(&outgoing).await;
                }
                (Dir::S2c, MessageKind::Request) => {
                    if handler_of(message) == Some(HandlerId::Del) {
                        continue;
                    }
                    let index = server_requests_seen;
                    server_requests_seen += 1;
                    let timeout = self.timeout;
                    self.compared += 1;
                    if !self
                        .wait_for(|r| r.server_requests.len() > index, timeout)
                        .await
                    {
                        let note = self.end_note();
                        self.differ(
                            "the server did not make a request the recording has".to_owned(),
                            Vec::new(),
                            render::message(message, self.style),
                            vec![note],
                        );
                        continue;
                    }
                    let live = self.server_requests[index].clone();
                    if let Some(what) = compare_request(message, &live, &mut self.ids) {
                        let (recorded, live) = (
                            render::message(message, self.style),
                            render::message(&live, self.style),
                        );
                        self.differ(what, Vec::new(), recorded, live);
                    }
                }
                (Dir::S2c, _) => {
                    let key = seq_key(&message.seq);
                    let request = client_requests.get(&key).copied();
                    let handler = request.and_then(handler_of);
                    let closing = handler == Some(HandlerId::Close);
                    let timeout = if closing {
                        Duration::from_millis(500)
                    } else {
                        self.timeout
                    };
                    let arrived = self
                        .wait_for(|r| r.answers.contains_key(&key), timeout)
                        .await;
                    let context = request
                        .map(|m| render::message(m, self.style))
                        .unwrap_or_default();
                    if !arrived {
                        if !closing {
                            self.compared += 1;
                            let note = self.end_note();
                            self.differ(
                                "no answer to a request the recording shows answered".to_owned(),
                                context,
                                render::message(message, self.style),
                                vec![note],
                            );
                        }
                        continue;
                    }
                    self.compared += 1;
                    let Some(live) = self.answers.remove(&key) else {
                        continue;
                    };
                    if let Some(what) = compare_answer(message, &live, handler, &mut self.ids) {
                        let (recorded, live) = (
                            render::message(message, self.style),
                            render::message(&live, self.style),
                        );
                        self.differ(what, context, recorded, live);
                    }
                }
            }
        }
        // Anything the server still says briefly after the last step
        // (a request the recording lacks) is reported too.
        let _ = self.wait_for(|_| false, Duration::from_millis(200)).await;
        let _ = self.writer.shutdown().await;
        self.reader.abort();
        Outcome {
            compared: self.compared,
            differences: self.differences,
        }
    }

    /// The client's request with live ids for the server's objects.
    fn rewrite_request(&self, message: &Message) -> Message {
        let Ok(request) = message.clone().into_request() else {
            return message.clone();
        };
        let Ok(items) = request.args.clone().into_items() else {
            return message.clone();
        };
        let items: Vec<Boxed> = items
            .into_iter()
            .enumerate()
            .map(|(i, item)| {
                let id_pack_position = match request.handler {
                    HandlerId::Inspect => i == 0,
                    HandlerId::InstanceCheck => i == 1,
                    _ => false,
                };
                if id_pack_position {
                    self.ids.rewrite_value(item)
                } else {
                    self.ids.rewrite(item)
                }
            })
            .collect();
        // Keep the recorded boxing: a tuple of boxes stays one, a
        // whole-value tuple stays a value.
        let args = match request.args {
            Boxed::Tuple(_) => Boxed::Tuple(items),
            _ => Boxed::tuple(items),
        };
        Message {
            kind: MessageKind::Request,
            seq: message.seq.clone(),
            payload: BrineValue::tuple([
                BrineValue::Int(i64::from(request.handler.id())),
                args.into_brine(),
            ]),
        }
    }

    /// After a recorded `HANDLE_DEL(obj, count)`, the pairing of `obj` may end.
    fn note_release(&mut self, message: &Message) {
        let Ok(request) = message.clone().into_request() else {
            return;
        };
        if request.handler != HandlerId::Del {
            return;
        }
        let Ok(items) = request.args.into_items() else {
            return;
        };
        let count = match items.get(1) {
            Some(Boxed::Value(v)) => v.as_i64().unwrap_or(1),
            _ => 1,
        };
        if let Some(Boxed::LocalRef(id)) = items.first() {
            self.ids.release(id, count);
        }
    }
}

/// Replays one XML-RPC connection.
async fn http_replay(
    first: TcpStream,
    target: (String, u16),
    script: &Script,
    limits: DecodeLimits,
    style: Style,
    timeout: Duration,
) -> anyhow::Result<Outcome> {
    let requests: Vec<&HttpMessage> = script
        .steps
        .iter()
        .filter_map(|s| match s {
            Step::Http(Dir::C2s, m) if m.is_request() => Some(&**m),
            _ => None,
        })
        .collect();
    let responses: Vec<&HttpMessage> = script
        .steps
        .iter()
        .filter_map(|s| match s {
            Step::Http(Dir::S2c, m) if !m.is_request() && !is_interim(m) => Some(&**m),
            _ => None,
        })
        .collect();
    let mut outcome = Outcome {
        compared: 0,
        differences: Vec::new(),
    };
    let mut connection: Option<(TcpStream, HttpStream)> =
        Some((first, HttpStream::new(limits.http)));
    for (i, request) in requests.iter().enumerate() {
        let context = render::http(request, &render::read_document(request, &limits), style);
        let mut live = None;
        let mut note = String::new();
        for attempt in 0..2 {
            let (stream, reader) = match connection.as_mut() {
                Some(c) => c,
                None => {
                    let stream = TcpStream::connect((target.0.as_str(), target.1)).await?;
                    let _ = stream.set_nodelay(true);
                    connection.insert((stream, HttpStream::new(limits.http)))
                }
            };
            let fresh = !reader.is_mid_message();
            match exchange(stream, reader, &request.raw, timeout).await {
                Ok(response) => {
                    live = Some(response);
                    break;
                }
                Err(e) => {
                    note = e;
                    connection = None;
                    // A kept-alive connection the server closed meanwhile: once more.
                    if attempt == 0 && fresh {
                        continue;
                    }
                    break;
                }
            }
        }
        if live
            .as_ref()
            .is_some_and(|r: &HttpMessage| r.closes_connection())
        {
            connection = None;
        }
        let Some(recorded) = responses.get(i) else {
            continue;
        };
        outcome.compared += 1;
        let recorded_lines =
            render::http(recorded, &render::read_document(recorded, &limits), style);
        let Some(live) = live else {
            outcome.differences.push(Difference {
                conn: script.conn,
                context,
                what: "no response to a request the recording shows answered".to_owned(),
                recorded: recorded_lines,
                live: vec![format!("({note})")],
            });
            continue;
        };
        let live_doc = render::read_document(&live, &limits);
        if let Some(what) = compare_http(
            recorded,
            &render::read_document(recorded, &limits),
            &live,
            &live_doc,
        ) {
            outcome.differences.push(Difference {
                conn: script.conn,
                context,
                what,
                recorded: recorded_lines,
                live: render::http(&live, &live_doc, style),
            });
        }
    }
    Ok(outcome)
}

fn is_interim(message: &HttpMessage) -> bool {
    matches!(message.start, StartLine::Response { status, .. } if (100..200).contains(&status))
}

/// Sends one request and reads its (final) response.
async fn exchange(
    stream: &mut TcpStream,
    reader: &mut HttpStream,
    raw: &[u8],
    timeout: Duration,
) -> Result<HttpMessage, String> {
    stream.write_all(raw).await.map_err(|e| e.to_string())?;
    let deadline = tokio::time::Instant::now() + timeout;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match reader.next_message() {
            Ok(Some(message)) if is_interim(&message) => continue,
            Ok(Some(message)) => return Ok(message),
            Ok(None) => {}
            Err(e) => {
                return Err(format!(
                    "unreadable response at byte {}: {}",
                    e.offset, e.reason
                ))
            }
        }
        let n = match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Ok(Ok(n)) => n,
            Ok(Err(e)) => return Err(e.to_string()),
            Err(_) => return Err(format!("no response within {timeout:?}")),
        };
        if n == 0 {
            return match reader.finish() {
                Ok(Some(message)) => Ok(message),
                Ok(None) => Err("the server closed the connection".to_owned()),
                Err(e) => Err(format!(
                    "unreadable response at byte {}: {}",
                    e.offset, e.reason
                )),
            };
        }
        reader.feed(&buf[..n]);
    }
}

fn compare_http(
    recorded: &HttpMessage,
    recorded_doc: &Result<Document, String>,
    live: &HttpMessage,
    live_doc: &Result<Document, String>,
) -> Option<String> {
    let status = |m: &HttpMessage| match m.start {
        StartLine::Response { status, .. } => status,
        StartLine::Request { .. } => 0,
    };
    if status(recorded) != status(live) {
        return Some("the HTTP status differs".to_owned());
    }
    match (recorded_doc, live_doc) {
        (Ok(Document::Response(a)), Ok(Document::Response(b))) => match (a, b) {
            (MethodResponse::Success(a), MethodResponse::Success(b)) => {
                (!same_xml(a, b)).then(|| "the response value differs".to_owned())
            }
            (MethodResponse::Fault(a), MethodResponse::Fault(b)) => {
                if a.code != b.code {
                    Some("the fault code differs".to_owned())
                } else {
                    (normalise_text(&a.string) != normalise_text(&b.string))
                        .then(|| "the fault string differs".to_owned())
                }
            }
            (MethodResponse::NonStandardFault(a), MethodResponse::NonStandardFault(b)) => {
                (!same_xml(&a.code, &b.code) || !same_xml(&a.string, &b.string))
                    .then(|| "the fault differs".to_owned())
            }
            _ => Some("a value was recorded where a fault came, or the reverse".to_owned()),
        },
        (Ok(Document::Other(..)), Ok(Document::Other(..)))
        | (Ok(Document::Empty), Ok(Document::Empty)) => None,
        (Err(_), Err(_)) => None,
        _ => Some("the response body differs in kind".to_owned()),
    }
}

fn same_xml(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => normalise_text(x) == normalise_text(y),
        (Value::Double(x), Value::Double(y)) => {
            x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_xml(p, q))
        }
        (Value::Struct(x), Value::Struct(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_xml(v, w)))
        }
        (x, y) => x == y,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn addresses_are_normalised() {
        assert_eq!(
            normalise_text("<function <lambda> at 0x7f12ab34cd56>, 0x1f, 0x"),
            "<function <lambda> at 0x...>, 0x1f, 0x"
        );
        // A number the program printed is the program's output, compared.
        assert_eq!(normalise_text("crc 0x7f12ab34"), "crc 0x7f12ab34");
        assert_eq!(
            normalise_text("<weakref at 0x7f0000aa; to 'A' at 0x7f0000bb>"),
            "<weakref at 0x...; to 'A' at 0x...>"
        );
    }

    #[test]
    fn ids_pair_once_and_release() {
        let mut ids = Ids::default();
        let rec = IdPack::new("builtins.method", 1, 10);
        let live = IdPack::new("builtins.method", 7, 70);
        assert!(ids.unify(&rec, &live));
        assert!(ids.unify(&rec, &live));
        // Another live object where the same recorded one was: a difference.
        assert!(!ids.unify(&rec, &IdPack::new("builtins.method", 7, 71)));
        // A different type name never pairs.
        assert!(!ids.unify(&IdPack::new("x.Y", 2, 2), &IdPack::new("x.Z", 3, 3)));
        assert_eq!(
            ids.rewrite(Boxed::LocalRef(rec.clone())),
            Boxed::LocalRef(live.clone())
        );
        ids.release(&rec, 1);
        assert!(ids.live(&rec).is_some());
        ids.release(&rec, 1);
        assert!(ids.live(&rec).is_none());
        // The recorded id may now name a new object (Python reuses addresses).
        assert!(ids.unify(&rec, &IdPack::new("builtins.method", 7, 72)));
    }

    #[test]
    fn answers_compare_by_meaning() {
        let mut ids = Ids::default();
        let reply = |v: Boxed| Message::reply(BrineValue::Int(1), v);
        let same = compare_answer(
            &reply(Boxed::Value("<x at 0x7f0000000001>".into())),
            &reply(Boxed::Value("<x at 0x7f0000000002>".into())),
            None,
            &mut ids,
        );
        assert_eq!(same, None);
        let differs = compare_answer(
            &reply(Boxed::Value(42.into())),
            &reply(Boxed::Value(43.into())),
            None,
            &mut ids,
        );
        assert_eq!(differs.as_deref(), Some("the reply value differs"));
        let hash = compare_answer(
            &reply(Boxed::Value(1234.into())),
            &reply(Boxed::Value(5678.into())),
            Some(HandlerId::Hash),
            &mut ids,
        );
        assert_eq!(hash, None);
        let exc = Message::exception(BrineValue::Int(1), &RemoteException::key_error("k"));
        assert!(
            compare_answer(&reply(Boxed::Value(1.into())), &exc, None, &mut ids)
                .unwrap()
                .contains("a reply was recorded")
        );
    }
}
