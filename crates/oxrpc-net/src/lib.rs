//! The network layer every oxrpc server and client stands on.
//!
//! XML-RPC over HTTP and RPyC differ in what they say on a connection, not
//! in how a connection is had: a listener (TCP or a Unix socket) accepts,
//! a cap on connections held at once keeps a flood in the backlog, a TLS
//! handshake runs under a deadline so a stalled client delays no one, an
//! [`Authenticator`] admits or refuses the peer, and on shutdown the server
//! stops accepting and lets open connections drain for a grace period.
//! That is all here, once, in the shape of mini-redis's Listener / Handler /
//! Shutdown split: a server hands [`serve`] its per-connection body and
//! receives each admitted connection as an [`Accepted`].
//!
//! ```no_run
//! use oxrpc_net::{serve, Listener, ListenConfig};
//! use tokio::io::AsyncWriteExt;
//!
//! # async fn run() -> std::io::Result<()> {
//! let listener = Listener::bind_tcp("127.0.0.1:7000").await?;
//! let config = ListenConfig::named("hello");
//! serve(listener, config, std::future::pending(), |mut accepted, _shutdown| async move {
//!     let _ = accepted.stream.write_all(b"hello\n").await;
//! })
//! .await
//! # }
//! ```

mod auth;
mod config;
mod connect;
mod deadline;
mod idle;
mod listener;
mod metered;
mod peer;
mod quickack;
mod serve;
mod shutdown;
mod signal;
mod slots;
mod split;
mod stream;
mod thread_read;
pub mod tls;
mod within;
mod work_or_stop;

pub use auth::{Authenticator, ClientCertificateAuthenticator, Credentials};
pub use config::ListenConfig;
pub use connect::{connect_tcp, connect_tls, connect_unix, ConnectOptions};
pub use deadline::Deadline;
pub use idle::{IdleWatch, WatchedWrites};
pub use listener::Listener;
pub use metered::Metered;
pub use oxrpc_telemetry as telemetry;
pub use peer::Peer;
pub use quickack::{AckRequest, QuickAck};
pub use serve::{accept_one, serve, Accepted};
pub use shutdown::Shutdown;
pub use signal::shutdown_signal;
pub use slots::{Busy, Slot};
pub use split::{ReadHalf, SplitStream, WriteHalf};
pub use stream::{AsyncStream, Stream};
pub use thread_read::{ThreadReadHalf, Wakeup, Woken};
pub use within::{within, Elapsed};
pub use work_or_stop::{work_or_stop, Finished};
