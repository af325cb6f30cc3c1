//! Connections over pipes: a child process's stdin and stdout, or this
//! process's own.
//!
//! RPyC needs nothing but a byte stream each way, and rpyc uses that to run
//! a server without a socket: `rpyc_classic -m stdio` (or `oxrpc classic
//! serve -m stdio`) serves one connection on its standard input and output,
//! and `connect_subproc(command)` starts such a server as a child and talks
//! to it over the child's pipes. With `ssh host oxrpc classic serve -m
//! stdio` as the command, that is a connection to another machine with ssh
//! doing the authentication and encryption and no port open anywhere.
//!
//! | here | rpyc 6.0.2 |
//! |---|---|
//! | [`connect_subproc`] | `rpyc.utils.factory.connect_subproc(args)` |
//! | [`connect_stdio`] | `rpyc.utils.factory.connect_stdpipes()` (rpyc has no `connect_stdio`) |
//! | `Connection::start(tokio::io::join(reader, writer), ...)` | `connect_pipes(input, output)` |
//!
//! # Standard output is the wire
//!
//! A process serving on its stdio must write nothing else to file
//! descriptor 1: one stray line there (a `println!`, a child process that
//! inherits it) is read by the peer as a frame length, and the connection
//! is lost. rpyc points Python's `sys.stdin`/`sys.stdout` at `/dev/null` but
//! leaves the descriptors alone, so `os.system("echo hi")` on an
//! `rpyc_classic -m stdio` server still corrupts its stream.
//! [`connect_stdio`] moves the two pipes to new descriptors and points
//! descriptors 0 and 1 at `/dev/null` itself, so nothing else in the
//! process, its embedded interpreter or its children can reach them.
//! Standard error is left alone: logs go there.
//!
//! # Closing
//!
//! Closing the connection closes our ends of the pipes. A stdio server sees
//! end of file, stops serving and exits (rpyc's exits with status 0), and
//! [`Subprocess::close`] waits for that. The child is not killed when the
//! [`Subprocess`] is dropped, only its connection closed, as rpyc leaves
//! the process to finish on its own.

use crate::config::Config;
use crate::core::{Connection, Service};
use std::future::Future;
use std::io;
use std::os::fd::AsFd;
use std::os::unix::fs::FileTypeExt;
use std::pin::Pin;
use std::process::{ExitStatus, Stdio};
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::process::{Child, Command};
use tokio::sync::oneshot;

/// A connection to a child process over its stdin and stdout, and the
/// child (rpyc's `conn.proc`).
///
/// ```no_run
/// use oxrpc_rpyc::{connect_subproc, Config, VoidService};
/// use std::sync::Arc;
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// // A service server speaking RPyC on its stdio, on another host.
/// let mut command = std::process::Command::new("ssh");
/// command.args(["db-host", "my-rpyc-server", "--stdio"]);
/// let child = connect_subproc(command, Arc::new(VoidService), Config::default())?;
/// let answer: i64 = child.connection().root().await?.call("get_answer", ()).await?;
/// let status = child.close().await?;
/// # Ok(()) }
/// ```
pub struct Subprocess {
    connection: Connection,
    child: Child,
}

/// Starts `command` with its stdin and stdout piped to a new connection
/// exposing `service` (rpyc's `connect_subproc`). The child's stderr is
/// whatever `command` says (inherited by default, as in rpyc).
///
/// Call it within a tokio runtime. Talking to a classic server
/// (`rpyc_classic -m stdio`) takes a classic peer on this side: use
/// [`crate::classic::connect_subproc`].
pub fn connect_subproc(
    command: impl Into<Command>,
    service: Arc<dyn Service>,
    config: Config,
) -> io::Result<Subprocess> {
    let mut command = command.into();
    command.stdin(Stdio::piped()).stdout(Stdio::piped());
    let mut child = command.spawn()?;
    let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        return Err(io::Error::other("the child's pipes were not created"));
    };
    let connection = start(stdout, stdin, service, config);
    Ok(Subprocess { connection, child })
}

impl Subprocess {
    /// The connection to the child.
    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    /// The child process (its id, `kill`, `try_wait`, ...).
    pub fn child(&mut self) -> &mut Child {
        &mut self.child
    }

    /// Closes the connection and waits for the child to exit, which a
    /// stdio server does once it reads end of file.
    pub async fn close(mut self) -> io::Result<ExitStatus> {
        self.connection.close().await;
        self.connection.closed().await;
        self.child.wait().await
    }
}

impl Drop for Subprocess {
    fn drop(&mut self) {
        if self.connection.is_closed() {
            return;
        }
        // The connection's tasks keep it open until it closes; close it so
        // the child reads end of file and exits.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let connection = self.connection.clone();
            runtime.spawn(async move { connection.close().await });
        }
    }
}

/// Serves `service` over this process's own standard input and output: the
/// server end of a pipe to a parent, such as an ssh session's (rpyc's
/// `connect_stdpipes`).
///
/// Descriptors 0 and 1 are moved out of the way first (see the module
/// docs): afterwards both point at `/dev/null`, and whatever else the
/// process writes to its standard output is discarded instead of breaking
/// the connection. Call it once, within a tokio runtime, before anything
/// reads standard input.
///
/// ```no_run
/// use oxrpc_rpyc::{connect_stdio, Config, VoidService};
/// use std::sync::Arc;
///
/// # async fn run() -> std::io::Result<()> {
/// let conn = connect_stdio(Arc::new(VoidService), Config::default())?;
/// conn.closed().await; // the parent closed the pipe
/// # Ok(()) }
/// ```
pub fn connect_stdio(service: Arc<dyn Service>, config: Config) -> io::Result<Connection> {
    let (reader, writer) = take_stdio()?;
    Ok(start(reader, writer, service, config))
}

/// Starts a connection over `reader` and `writer` that reads nothing until
/// `service`'s `on_connect` has run.
///
/// A peer on a pipe may have written its first requests before this side
/// starts (a stdio server's client writes as soon as it has spawned the
/// server), and a request served before `on_connect` finds a service not
/// yet set up (a classic service without its interpreter).
fn start(
    reader: impl AsyncRead + Send + Unpin + 'static,
    writer: impl AsyncWrite + Send + Unpin + 'static,
    service: Arc<dyn Service>,
    config: Config,
) -> Connection {
    let (open, gate) = oneshot::channel();
    let reader = Gated {
        inner: reader,
        gate: Some(gate),
    };
    // Pipes come in two already: no lock between reading and writing.
    let connection = Connection::start_halves(
        Box::new(reader),
        Box::new(writer),
        service,
        config,
        Arc::new(oxrpc_net::Slot::detached()),
    );
    // `start` has run `on_connect`.
    let _ = open.send(());
    connection
}

/// A reader that reads nothing until its gate opens (or is dropped).
struct Gated<R> {
    inner: R,
    gate: Option<oneshot::Receiver<()>>,
}

impl<R: AsyncRead + Unpin> AsyncRead for Gated<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if let Some(gate) = self.gate.as_mut() {
            if Pin::new(gate).poll(cx).is_pending() {
                return Poll::Pending;
            }
            self.gate = None;
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

type Reader = Box<dyn AsyncRead + Send + Unpin>;
type Writer = Box<dyn AsyncWrite + Send + Unpin>;

/// Moves standard input and output to descriptors of their own, points 0
/// and 1 at `/dev/null`, and returns async ends for the moved ones.
fn take_stdio() -> io::Result<(Reader, Writer)> {
    use std::io::Write;
    // Whatever std buffered for stdout goes out before the pipe is taken.
    let _ = std::io::stdout().flush();
    let input = std::fs::File::from(std::io::stdin().as_fd().try_clone_to_owned()?);
    let output = std::fs::File::from(std::io::stdout().as_fd().try_clone_to_owned()?);
    let null = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/null")?;
    rustix::stdio::dup2_stdin(&null)?;
    rustix::stdio::dup2_stdout(&null)?;
    let reader: Reader = if is_fifo(&input) {
        Box::new(tokio::net::unix::pipe::Receiver::from_file(input)?)
    } else {
        // A terminal, a socket, a file: read on the blocking pool.
        Box::new(tokio::fs::File::from_std(input))
    };
    let writer: Writer = if is_fifo(&output) {
        Box::new(tokio::net::unix::pipe::Sender::from_file(output)?)
    } else {
        Box::new(tokio::fs::File::from_std(output))
    };
    Ok((reader, writer))
}

fn is_fifo(file: &std::fs::File) -> bool {
    file.metadata()
        .map(|m| m.file_type().is_fifo())
        .unwrap_or(false)
}
