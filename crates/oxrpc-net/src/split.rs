//! Reading and writing one connection at the same time.
//!
//! A protocol that answers requests while it reads the next one (RPyC: a
//! reply written by an interpreter thread while the reader waits for the
//! next frame) needs the stream in two halves. `tokio::io::split` makes
//! halves of any stream, but through a lock held for the whole system
//! call: a reader that wakes while a reply is being written blocks its
//! thread until the write returns, and the two threads take turns on every
//! request. Sockets need no such lock — the kernel reads and writes one
//! concurrently — so [`Stream::into_split`] splits TCP and Unix sockets
//! into independent halves, and the wrappers this crate puts around them
//! ([`crate::QuickAck`], [`crate::Deadline`], [`crate::Metered`]) split
//! along with them. Only TLS, whose session state both directions share,
//! and foreign streams fall back to the lock.

use crate::stream::{AsyncStream, Stream};
use crate::thread_read::ThreadReadHalf;
use tokio::io::{AsyncRead, AsyncWrite};

/// The reading half of a connection.
pub type ReadHalf = Box<dyn AsyncRead + Send + Unpin>;

/// The writing half of a connection.
pub type WriteHalf = Box<dyn AsyncWrite + Send + Unpin>;

/// A stream that knows how to come apart into halves that do not wait for
/// each other (see the module docs).
pub trait SplitStream: AsyncStream {
    /// The two halves.
    fn split_halves(self: Box<Self>) -> (ReadHalf, WriteHalf);

    /// How to ask the reading half for an immediate acknowledgement, when
    /// it can give one (see [`crate::AckRequest`]).
    fn ack_request(&self) -> Option<crate::AckRequest> {
        None
    }

    /// Whether [`SplitStream::split_for_thread`] works on this stream.
    fn splits_for_thread(&self) -> bool {
        false
    }

    /// A half read by a thread of its own and an async writing half (see
    /// [`Stream::into_thread_split`]); only asked when
    /// [`SplitStream::splits_for_thread`] says so.
    fn split_for_thread(self: Box<Self>) -> std::io::Result<(ThreadReadHalf, WriteHalf)> {
        Err(std::io::Error::other(
            "this stream cannot be read by a thread",
        ))
    }
}

/// Halves through tokio's lock: for streams that cannot do better.
fn locked_halves(stream: impl AsyncStream) -> (ReadHalf, WriteHalf) {
    let (reader, writer) = tokio::io::split(stream);
    (Box::new(reader), Box::new(writer))
}

impl Stream {
    /// Splits the stream into a reader and a writer usable from different
    /// tasks or threads at once; plain sockets (and this crate's wrappers
    /// around them) without a lock between the two.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// use tokio::io::{AsyncReadExt, AsyncWriteExt};
    ///
    /// let stream = oxrpc_net::connect_tcp("127.0.0.1", 7000, &Default::default()).await?;
    /// let (mut reader, mut writer) = stream.into_split();
    /// tokio::spawn(async move { writer.write_all(b"ping\n").await });
    /// let mut line = [0u8; 5];
    /// reader.read_exact(&mut line).await?;
    /// # Ok(()) }
    /// ```
    pub fn into_split(self) -> (ReadHalf, WriteHalf) {
        match self {
            Stream::Tcp(tcp) => {
                let (reader, writer) = tcp.into_split();
                (Box::new(reader), Box::new(writer))
            }
            Stream::Unix(unix) => {
                let (reader, writer) = unix.into_split();
                (Box::new(reader), Box::new(writer))
            }
            Stream::Layered(layered) => layered.split_halves(),
            tls @ (Stream::TlsServer(_) | Stream::TlsClient(_)) => locked_halves(tls),
            Stream::Other(other) => locked_halves(other),
        }
    }
}
