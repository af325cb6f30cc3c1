//! `oxrpc wire proxy`: a TCP proxy that shows (and records) what it carries.
//!
//! Each accepted connection gets a number and its own connection to the
//! server. Two pumps copy bytes, one per direction, unchanged and in the
//! order they came: the proxy is invisible to both peers (the one thing it
//! changes is timing; it sets `TCP_NODELAY` on both sockets so it adds no
//! Nagle delays of its own). A half close is passed on, so a client that
//! shuts down its sending side still gets its answers.
//!
//! Every chunk is also handed to the connection's observer, *before* it is
//! forwarded, so a request is always seen (and recorded) before the answer
//! it causes. The observer decodes both directions as a [`Conversation`]
//! and prints it, and sends the chunks to the recorder, a thread that owns
//! the recording file.
//!
//! # Hostile input
//!
//! The decoders carry the protocol crates' limits; input they cannot read
//! is reported with its offset and that direction is no longer decoded,
//! but its bytes are still forwarded: judging them is the server's job,
//! showing them is ours. Observers and the recorder are reached through
//! bounded channels, so a slow disk slows the proxy down rather than making
//! it buffer without end. The display gives way instead: what a stalled
//! standard output (`| less` not scrolled) cannot take is left out, and the
//! number of lines left out is said when it takes output again, so the
//! traffic under observation never waits for a reader. The number of connections is capped
//! (`--max-connections`); beyond it new ones wait in the listen backlog.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clap::Args;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot, Semaphore};

use super::conversation::Conversation;
use super::recording::{Dir, Header, Record, RecordingWriter, VERSION};
use super::render::Style;
use super::{LimitArgs, ProtocolArg};

/// `oxrpc wire proxy`'s options.
#[derive(Args, Clone, Debug)]
pub struct ProxyArgs {
    /// Where to accept clients, as HOST:PORT (port 0 picks a free one).
    #[arg(long)]
    pub listen: String,
    /// The server to forward to, as HOST:PORT.
    #[arg(long)]
    pub to: String,
    /// The protocol spoken; `auto` tells it from each connection's first bytes.
    #[arg(long, value_enum, default_value_t = ProtocolArg::Auto)]
    pub protocol: ProtocolArg,
    /// Record the conversation to this file (JSON lines; see README).
    #[arg(long)]
    pub record: Option<PathBuf>,
    /// Stop recording once the file reaches this many bytes (forwarding goes on).
    #[arg(long, default_value_t = 256 * 1024 * 1024)]
    pub max_record_size: u64,
    /// Most connections forwarded at once.
    #[arg(long, default_value_t = 1024)]
    pub max_connections: usize,
    /// Seconds to wait for the server to accept a connection.
    #[arg(long, default_value_t = 10)]
    pub connect_timeout: u64,
    /// Print connections only, not the messages.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Print values whole, however long.
    #[arg(long)]
    pub full: bool,
    #[allow(missing_docs)]
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// The size of one read, and so of one recorded chunk at most.
const CHUNK: usize = 64 * 1024;

/// What a pump tells its connection's observer.
enum Seen {
    Data(Dir, u64, Vec<u8>),
    Eof(Dir, u64),
}

/// What the recorder thread is asked to do.
enum ToRecorder {
    Record(Record),
    /// Flush, then answer (so "closed" is printed only once it is on disk).
    Flush(oneshot::Sender<()>),
}

/// Shared by every connection.
struct Shared {
    args: ProxyArgs,
    to: SocketAddr,
    started: Instant,
    printer: mpsc::Sender<String>,
    /// Texts the printer had no room for since it last printed.
    not_shown: Arc<std::sync::atomic::AtomicU64>,
    recorder: Option<mpsc::Sender<ToRecorder>>,
}

impl Shared {
    fn now_us(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_micros()).unwrap_or(u64::MAX)
    }

    /// Shows `text`, or counts it as not shown when standard output is
    /// behind (the traffic never waits for it).
    async fn print(&self, text: String) {
        if let Err(mpsc::error::TrySendError::Full(_)) = self.printer.try_send(text) {
            self.not_shown
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }

    async fn record(&self, record: Record) {
        if let Some(recorder) = &self.recorder {
            let _ = recorder.send(ToRecorder::Record(record)).await;
        }
    }

    async fn flush_recording(&self) {
        if let Some(recorder) = &self.recorder {
            let (done, flushed) = oneshot::channel();
            if recorder.send(ToRecorder::Flush(done)).await.is_ok() {
                let _ = flushed.await;
            }
        }
    }
}

/// Runs the proxy until `shutdown`.
pub(crate) async fn run(
    args: ProxyArgs,
    shutdown: impl std::future::Future<Output = ()>,
) -> anyhow::Result<()> {
    let (host, port) = super::super::parse_host_port(&args.listen, None)?;
    let listen_addr = super::super::resolve_bind(&host, port, false).await?;
    let listener = super::super::bind(listen_addr).await?;
    let listen_addr = listener.local_addr()?;
    let (to_host, to_port) = super::super::parse_host_port(&args.to, None)?;
    let to = tokio::net::lookup_host((to_host.as_str(), to_port))
        .await
        .map_err(|e| anyhow::anyhow!("cannot resolve {}: {e}", args.to))?
        .next()
        .ok_or_else(|| anyhow::anyhow!("{} resolves to no address", args.to))?;
    let started = Instant::now();

    let (printer, printed) = mpsc::channel::<String>(1024);
    let not_shown = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let printer_task = tokio::spawn(print_lines(printed, not_shown.clone()));
    let (recorder, recorder_thread) = match &args.record {
        Some(path) => {
            let file = std::fs::File::create(path)
                .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", path.display()))?;
            let header = Header {
                version: VERSION,
                protocol: args.protocol.protocol(),
                listen: listen_addr.to_string(),
                to: to.to_string(),
                started_unix_us: SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX)),
            };
            let writer =
                RecordingWriter::new(std::io::BufWriter::new(file), &header, args.max_record_size)?;
            let (tx, rx) = mpsc::channel::<ToRecorder>(1024);
            let thread = std::thread::spawn(move || record_to_file(writer, rx, started));
            (Some(tx), Some(thread))
        }
        None => (None, None),
    };
    let record_note = args
        .record
        .as_ref()
        .map(|p| format!(", recording to {}", p.display()))
        .unwrap_or_default();
    println!(
        "wire proxy listening on {listen_addr}, forwarding to {to} (protocol {}){record_note}",
        args.protocol
            .protocol()
            .map_or("auto", super::Protocol::as_str)
    );
    let slots = Arc::new(Semaphore::new(args.max_connections.max(1)));
    let shared = Arc::new(Shared {
        args,
        to,
        started,
        printer,
        not_shown,
        recorder,
    });
    tokio::pin!(shutdown);
    let mut next_conn = 0u64;
    loop {
        let permit = tokio::select! {
            permit = slots.clone().acquire_owned() => permit?,
            () = &mut shutdown => break,
        };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let (client, client_addr) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of descriptors and the like: pause, keep serving.
                tracing::warn!("accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        next_conn += 1;
        let shared = shared.clone();
        tokio::spawn(async move {
            handle(shared, next_conn, client, client_addr).await;
            drop(permit);
        });
    }
    // Stop accepting; let connections in flight finish, briefly. Those
    // still open after that are cut when the runtime stops: everything
    // recorded until now is flushed first.
    drop(listener);
    let all = shared.args.max_connections.max(1);
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        while slots.available_permits() < all {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    let _ = tokio::time::timeout(Duration::from_secs(2), shared.flush_recording()).await;
    drop(shared);
    let _ = tokio::time::timeout(Duration::from_secs(1), printer_task).await;
    if let Some(thread) = recorder_thread {
        // The thread ends once the last connection has let go of it.
        let _ = tokio::time::timeout(
            Duration::from_secs(2),
            tokio::task::spawn_blocking(move || thread.join()),
        )
        .await;
    }
    Ok(())
}

async fn print_lines(
    mut lines: mpsc::Receiver<String>,
    not_shown: Arc<std::sync::atomic::AtomicU64>,
) {
    let mut stdout = tokio::io::stdout();
    while let Some(text) = lines.recv().await {
        let skipped = not_shown.swap(0, std::sync::atomic::Ordering::Relaxed);
        if skipped > 0 {
            let note = format!("[{skipped} lines not shown: standard output was not keeping up]\n");
            if stdout.write_all(note.as_bytes()).await.is_err() {
                break;
            }
        }
        if stdout.write_all(text.as_bytes()).await.is_err() {
            break;
        }
        // Flush when nothing else is waiting, so output is live.
        if lines.is_empty() && stdout.flush().await.is_err() {
            break;
        }
    }
    let _ = stdout.flush().await;
}

/// The recorder thread: writes records, flushing whenever it has caught up.
fn record_to_file(
    mut writer: RecordingWriter<std::io::BufWriter<std::fs::File>>,
    mut inbox: mpsc::Receiver<ToRecorder>,
    started: Instant,
) {
    let now = || u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    let mut failed = false;
    while let Some(message) = inbox.blocking_recv() {
        match message {
            ToRecorder::Record(record) if !failed => {
                let was_truncated = writer.is_truncated();
                if let Err(e) = writer.write(&record, now()) {
                    tracing::error!("recording stopped: {e}");
                    failed = true;
                }
                if writer.is_truncated() && !was_truncated {
                    tracing::warn!(
                        "the recording reached its size limit; forwarding goes on unrecorded"
                    );
                }
            }
            ToRecorder::Record(_) => {}
            ToRecorder::Flush(done) => {
                let _ = writer.flush();
                let _ = done.send(());
            }
        }
        if inbox.is_empty() && !failed {
            if let Err(e) = writer.flush() {
                tracing::error!("recording stopped: {e}");
                failed = true;
            }
        }
    }
    let _ = writer.flush();
}

/// One client connection, from accept to the last record.
async fn handle(shared: Arc<Shared>, conn: u64, client: TcpStream, client_addr: SocketAddr) {
    let _ = client.set_nodelay(true);
    shared
        .record(Record::Open {
            conn,
            t_us: shared.now_us(),
            client: client_addr.to_string(),
        })
        .await;
    shared
        .print(format!(
            "[conn {conn} +{}] open from {client_addr}\n",
            seconds(shared.now_us())
        ))
        .await;
    let timeout = Duration::from_secs(shared.args.connect_timeout.max(1));
    let server = match tokio::time::timeout(timeout, TcpStream::connect(shared.to)).await {
        Ok(Ok(server)) => server,
        Ok(Err(e)) => {
            return closed(
                &shared,
                conn,
                Some(format!("cannot connect to {}: {e}", shared.to)),
            )
            .await
        }
        Err(_) => {
            return closed(
                &shared,
                conn,
                Some(format!(
                    "cannot connect to {}: no answer in {timeout:?}",
                    shared.to
                )),
            )
            .await
        }
    };
    let _ = server.set_nodelay(true);

    let (seen_tx, seen_rx) = mpsc::channel::<Seen>(64);
    let observer = tokio::spawn(observe(shared.clone(), conn, seen_rx));
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    let error = {
        let c2s = pump(
            client_read,
            server_write,
            Dir::C2s,
            seen_tx.clone(),
            shared.clone(),
        );
        let s2c = pump(server_read, client_write, Dir::S2c, seen_tx, shared.clone());
        tokio::pin!(c2s, s2c);
        let (mut c2s_done, mut s2c_done) = (false, false);
        let mut error = None;
        while !(c2s_done && s2c_done) {
            let (dir, result) = tokio::select! {
                r = &mut c2s, if !c2s_done => { c2s_done = true; (Dir::C2s, r) }
                r = &mut s2c, if !s2c_done => { s2c_done = true; (Dir::S2c, r) }
            };
            if let Err(e) = result {
                // A reset (or a failed write) ends both directions.
                error = Some(format!("{dir}: {e}"));
                break;
            }
        }
        error
        // The pumps are dropped here, closing both sockets; the observer
        // ends once their senders are gone.
    };
    let _ = observer.await;
    closed(&shared, conn, error).await;
}

async fn closed(shared: &Shared, conn: u64, error: Option<String>) {
    let t_us = shared.now_us();
    shared
        .record(Record::Close {
            conn,
            t_us,
            error: error.clone(),
        })
        .await;
    shared.flush_recording().await;
    let why = error.map(|e| format!(": {e}")).unwrap_or_default();
    shared
        .print(format!("[conn {conn} +{}] closed{why}\n", seconds(t_us)))
        .await;
}

/// Copies one direction, showing each chunk to the observer first.
async fn pump(
    mut from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    dir: Dir,
    seen: mpsc::Sender<Seen>,
    shared: Arc<Shared>,
) -> std::io::Result<()> {
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = from.read(&mut buf).await?;
        let t_us = shared.now_us();
        if n == 0 {
            let _ = seen.send(Seen::Eof(dir, t_us)).await;
            // Pass the half close on; the other direction keeps going.
            let _ = to.shutdown().await;
            return Ok(());
        }
        let _ = seen.send(Seen::Data(dir, t_us, buf[..n].to_vec())).await;
        to.write_all(&buf[..n]).await?;
    }
}

/// Decodes, prints and records one connection's chunks.
async fn observe(shared: Arc<Shared>, conn: u64, mut seen: mpsc::Receiver<Seen>) {
    let style = if shared.args.full {
        Style::full()
    } else {
        Style::default()
    };
    let mut conversation = Conversation::new(
        Some(conn),
        shared.args.protocol.protocol(),
        shared.args.limits.decode_limits(),
        style,
    );
    let mut ended = [false, false];
    while let Some(event) = seen.recv().await {
        let lines = match event {
            Seen::Data(dir, t_us, bytes) => {
                let lines = conversation.data(dir, Some(t_us), &bytes);
                shared
                    .record(Record::Data {
                        conn,
                        dir,
                        t_us,
                        bytes,
                    })
                    .await;
                lines
            }
            Seen::Eof(dir, t_us) => {
                ended[usize::from(dir == Dir::S2c)] = true;
                shared.record(Record::Eof { conn, dir, t_us }).await;
                conversation.eof(dir, Some(t_us))
            }
        };
        if !shared.args.quiet && !lines.is_empty() {
            let mut text = lines.join("\n");
            text.push('\n');
            shared.print(text).await;
        }
    }
    // A direction cut by a reset: report a message left half-received.
    let t_us = shared.now_us();
    for (i, dir) in [Dir::C2s, Dir::S2c].into_iter().enumerate() {
        if !ended[i] {
            let lines = conversation.eof(dir, Some(t_us));
            if !shared.args.quiet && !lines.is_empty() {
                shared.print(lines.join("\n") + "\n").await;
            }
        }
    }
}

fn seconds(t_us: u64) -> String {
    format!("{}.{:06}s", t_us / 1_000_000, t_us % 1_000_000)
}
