//! A socket read by a thread of its own, written through the runtime.
//!
//! A server whose requests run on a dedicated thread per connection (RPyC
//! classic mode: a Python interpreter thread) pays for a hand-off on every
//! request when an async task reads the socket: the runtime's thread wakes
//! for the data, decodes it, and wakes the dedicated thread, which answers.
//! rpyc's own servers have the connection's thread wait on the socket
//! itself, so the kernel wakes the one thread that does the work.
//!
//! [`Stream::into_thread_split`] gives a connection that shape: the
//! socket leaves the runtime's reactor for reading ([`ThreadReadHalf`],
//! read without blocking and waited on with `poll(2)` alongside a wake-up
//! descriptor of the thread's own), while writing stays an async half
//! registered for writability only, so incoming data never wakes a runtime
//! thread. The layers the accept loop puts on a stream come along: prompt
//! ACKs and byte counts on the reading half, the write deadline and byte
//! counts on the writing half. TLS and foreign streams cannot be split this
//! way and stay whole.

use crate::split::{ReadHalf, WriteHalf};
use crate::stream::Stream;
use oxrpc_telemetry::ConnectionTelemetry;
use rustix::event::{PollFd, PollFlags, Timespec};
use std::io::{self, Read, Write};
use std::net::Shutdown;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;
use tokio::io::unix::AsyncFd;
use tokio::io::{AsyncWrite, Interest};

/// A socket outside the runtime's reactor.
enum Socket {
    Tcp(std::net::TcpStream),
    Unix(std::os::unix::net::UnixStream),
}

impl Socket {
    fn try_clone(&self) -> io::Result<Socket> {
        Ok(match self {
            Socket::Tcp(s) => Socket::Tcp(s.try_clone()?),
            Socket::Unix(s) => Socket::Unix(s.try_clone()?),
        })
    }

    fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Socket::Tcp(s) => (&*s).read(buf),
            Socket::Unix(s) => (&*s).read(buf),
        }
    }

    fn write(&self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Socket::Tcp(s) => (&*s).write(buf),
            Socket::Unix(s) => (&*s).write(buf),
        }
    }

    fn write_vectored(&self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        match self {
            Socket::Tcp(s) => (&*s).write_vectored(bufs),
            Socket::Unix(s) => (&*s).write_vectored(bufs),
        }
    }

    fn shutdown_write(&self) -> io::Result<()> {
        match self {
            Socket::Tcp(s) => s.shutdown(Shutdown::Write),
            Socket::Unix(s) => s.shutdown(Shutdown::Write),
        }
    }
}

impl AsRawFd for Socket {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        match self {
            Socket::Tcp(s) => s.as_raw_fd(),
            Socket::Unix(s) => s.as_raw_fd(),
        }
    }
}

impl AsFd for Socket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        match self {
            Socket::Tcp(s) => s.as_fd(),
            Socket::Unix(s) => s.as_fd(),
        }
    }
}

/// What woke a [`ThreadReadHalf::wait`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Woken {
    /// The socket has data, or its peer closed, or it failed: read it.
    pub socket: bool,
    /// The other descriptor is readable.
    pub other: bool,
}

/// How to wake a thread waiting in [`ThreadReadHalf::wait`]: a socket pair,
/// one byte written to wake, read back once woken. Both ends are
/// non-blocking: a full buffer means a wake-up is pending already.
///
/// ```
/// let wakeup = oxrpc_net::Wakeup::new()?;
/// wakeup.wake();
/// wakeup.drain(); // what woke the waiter is gone; the next wait blocks
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Wakeup {
    tx: std::os::unix::net::UnixStream,
    rx: std::os::unix::net::UnixStream,
}

impl Wakeup {
    /// A new wake-up pair.
    pub fn new() -> io::Result<Wakeup> {
        let (tx, rx) = std::os::unix::net::UnixStream::pair()?;
        tx.set_nonblocking(true)?;
        rx.set_nonblocking(true)?;
        Ok(Wakeup { tx, rx })
    }

    /// Makes the descriptor readable, waking a waiter.
    pub fn wake(&self) {
        let _ = (&self.tx).write(&[1]);
    }

    /// Reads back every pending wake-up.
    pub fn drain(&self) {
        let mut bytes = [0u8; 64];
        while matches!((&self.rx).read(&mut bytes), Ok(n) if n > 0) {}
    }
}

impl AsFd for Wakeup {
    /// The end a waiter polls.
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.rx.as_fd()
    }
}

/// The reading half of a socket, for a thread that waits on it itself.
///
/// ```no_run
/// # async fn run(stream: oxrpc_net::Stream) -> std::io::Result<()> {
/// let Ok(split) = stream.into_thread_split() else { return Ok(()) };
/// let (mut reader, _writer) = split?;
/// let wakeup = std::sync::Arc::new(oxrpc_net::Wakeup::new()?);
/// let waiter = wakeup.clone();
/// std::thread::spawn(move || {
///     let mut buf = [0u8; 4096];
///     loop {
///         let woken = reader.wait(&*waiter, None)?;
///         if woken.socket && reader.read(&mut buf)? == 0 {
///             return Ok::<_, std::io::Error>(());
///         }
///     }
/// });
/// wakeup.wake();
/// # Ok(()) }
/// ```
pub struct ThreadReadHalf {
    socket: Socket,
    quick_ack: bool,
    telemetry: Option<Arc<ConnectionTelemetry>>,
}

impl ThreadReadHalf {
    /// Reads what the socket holds without blocking: `WouldBlock` when it
    /// holds nothing, 0 when the peer has closed.
    pub fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.socket.read(buf)?;
        if let Some(telemetry) = &self.telemetry {
            telemetry.received(n);
        }
        if self.quick_ack {
            crate::quickack::rearm_after_read(&self.socket, n);
        }
        Ok(n)
    }

    /// Acknowledges what has been read at once, rather than after the
    /// kernel's delayed-ACK wait (up to 40 ms, for an answer to carry the
    /// ACK): for when this end will send nothing before the peer's next
    /// message, and the peer, Nagle's algorithm on, holds that message
    /// until its last one is acknowledged. TCP only; a hint the kernel may
    /// ignore.
    pub fn acknowledge_now(&self) {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        if let Socket::Tcp(socket) = &self.socket {
            let _ = socket2::SockRef::from(socket).set_tcp_quickack(true);
        }
    }

    /// Blocks until the socket can be read, `other` is readable, or
    /// `timeout` passes (then nothing is woken).
    pub fn wait(&self, other: &impl AsFd, timeout: Option<Duration>) -> io::Result<Woken> {
        let timeout = timeout.map(|t| {
            Timespec::try_from(t).unwrap_or(Timespec {
                tv_sec: i64::MAX,
                tv_nsec: 0,
            })
        });
        let mut fds = [
            PollFd::new(&self.socket, PollFlags::IN),
            PollFd::new(other, PollFlags::IN),
        ];
        loop {
            match rustix::event::poll(&mut fds, timeout.as_ref()) {
                Ok(_) => break,
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        let ready = |fd: &PollFd<'_>| !fd.revents().is_empty();
        Ok(Woken {
            socket: ready(&fds[0]),
            other: ready(&fds[1]),
        })
    }

    /// Gives the reading back to the runtime: an async half like the one
    /// [`Stream::into_split`] makes. Must be called within a runtime.
    pub fn into_async(self) -> io::Result<ReadHalf> {
        let half: ReadHalf = match self.socket {
            Socket::Tcp(tcp) => {
                let tcp = tokio::net::TcpStream::from_std(tcp)?;
                if self.quick_ack {
                    Box::new(crate::QuickAck::new(tcp))
                } else {
                    Box::new(tcp)
                }
            }
            Socket::Unix(unix) => Box::new(tokio::net::UnixStream::from_std(unix)?),
        };
        Ok(match self.telemetry {
            Some(telemetry) => Box::new(crate::Metered::new(half, telemetry)),
            None => half,
        })
    }

    /// Counts this half's reads into `telemetry`.
    pub(crate) fn metered(mut self, telemetry: Arc<ConnectionTelemetry>) -> ThreadReadHalf {
        self.telemetry = Some(telemetry);
        self
    }
}

/// The writing half that goes with a [`ThreadReadHalf`]: registered with
/// the reactor for writability only. Dropping it shuts the socket's
/// writing side, as tokio's own write halves do.
struct ThreadWriteHalf {
    socket: AsyncFd<Socket>,
}

impl ThreadWriteHalf {
    fn poll_io(
        &self,
        cx: &mut Context<'_>,
        mut op: impl FnMut(&Socket) -> io::Result<usize>,
    ) -> Poll<io::Result<usize>> {
        loop {
            let mut guard = ready!(self.socket.poll_write_ready(cx))?;
            match guard.try_io(|socket| op(socket.get_ref())) {
                Ok(result) => return Poll::Ready(result),
                Err(_would_block) => continue,
            }
        }
    }
}

impl AsyncWrite for ThreadWriteHalf {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_io(cx, |socket| socket.write(buf))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.poll_io(cx, |socket| socket.write_vectored(bufs))
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.socket.get_ref().shutdown_write())
    }
}

impl Drop for ThreadWriteHalf {
    fn drop(&mut self) {
        let _ = self.socket.get_ref().shutdown_write();
    }
}

/// Splits a socket taken out of the reactor.
fn split_socket(socket: Socket) -> io::Result<(ThreadReadHalf, WriteHalf)> {
    let reader = ThreadReadHalf {
        socket: socket.try_clone()?,
        quick_ack: false,
        telemetry: None,
    };
    // Registered for writability only: data arriving must not wake the
    // reactor. (Deprecated because a generic `T` might close the
    // descriptor under the registration; `Socket` owns it and closes it
    // only when dropped, after the registration is gone.)
    #[allow(deprecated)]
    let writer = ThreadWriteHalf {
        socket: AsyncFd::with_interest(socket, Interest::WRITABLE)?,
    };
    Ok((reader, Box::new(writer)))
}

impl Stream {
    /// Whether [`Stream::into_thread_split`] can split this stream: plain
    /// TCP and Unix sockets, and this crate's layers around them.
    pub fn splits_for_thread(&self) -> bool {
        match self {
            Stream::Tcp(_) | Stream::Unix(_) => true,
            Stream::Layered(layered) => layered.splits_for_thread(),
            Stream::TlsServer(_) | Stream::TlsClient(_) | Stream::Other(_) => false,
        }
    }

    /// Splits the stream into a half read by a thread of its own (see the
    /// module docs) and an async writing half; `Err(self)` when this kind
    /// of stream cannot be split so ([`Stream::splits_for_thread`]). Must
    /// be called within a runtime.
    pub fn into_thread_split(self) -> Result<io::Result<(ThreadReadHalf, WriteHalf)>, Stream> {
        if !self.splits_for_thread() {
            return Err(self);
        }
        Ok(match self {
            Stream::Tcp(tcp) => tcp.into_std().and_then(|s| split_socket(Socket::Tcp(s))),
            Stream::Unix(unix) => unix.into_std().and_then(|s| split_socket(Socket::Unix(s))),
            Stream::Layered(layered) => layered.split_for_thread(),
            other => Err(io::Error::other(format!(
                "{other:?} cannot be read by a thread"
            ))),
        })
    }
}

/// [`crate::QuickAck`]'s socket, with prompt ACKs on the reading half.
pub(crate) fn quick_ack_split(
    tcp: tokio::net::TcpStream,
) -> io::Result<(ThreadReadHalf, WriteHalf)> {
    let (mut reader, writer) = split_socket(Socket::Tcp(tcp.into_std()?))?;
    reader.quick_ack = true;
    Ok((reader, writer))
}

/// The thread split of a layer's inner stream.
pub(crate) fn split_inner(inner: Stream) -> io::Result<(ThreadReadHalf, WriteHalf)> {
    inner.into_thread_split().unwrap_or_else(|stream| {
        Err(io::Error::other(format!(
            "{stream:?} cannot be read by a thread"
        )))
    })
}
