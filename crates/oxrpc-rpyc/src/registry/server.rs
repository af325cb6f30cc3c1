//! The registry server: rpyc's `UDPRegistryServer` and `TCPRegistryServer`.
//!
//! One [`RegistryServer`] holds the table and answers requests; it serves
//! them over UDP ([`RegistryServer::serve_udp`], rpyc's default: servers
//! and clients broadcast) or TCP ([`RegistryServer::serve_tcp`], for
//! networks whose routers drop broadcasts), with the same bytes either way.
//! A reply goes back to where the request came from, and the *source
//! address of the packet* is the host a registration records.
//!
//! What gets no reply, as with rpyc: anything [`Request::decode`] refuses,
//! and a registration the table refuses (see [`RegistryLimits`]).
//!
//! # TCP
//!
//! rpyc's TCP registry reads one request per connection (a single
//! `recv(1500)`), answers it and closes. Its connections are served one at
//! a time on a blocking socket, so a client that connects and sends
//! nothing stalls the whole registry. Here each connection is a task of
//! its own under `oxrpc_net`'s accept loop and connection cap; a request
//! may arrive in pieces, must arrive whole within
//! [`RegistryConfig::tcp_read_timeout`] and within [`MAX_PACKET`] bytes,
//! and the connection closes after the one reply. A request that gets no
//! reply leaves the connection open until the client closes it (at most
//! the read timeout), as rpyc's does: its clients read the silence as a
//! timeout, and an early close as a reply they cannot unpack.
//!
//! # Replies fit what rpyc's clients read
//!
//! rpyc's clients read a reply with one `recv` of a fixed size: 1500 bytes
//! for a QUERY (about 70 IPv4 servers), 15,000 for a LIST over UDP and
//! 1500 over TCP. A longer reply reaches them cut, and they fail to decode
//! it. So a reply keeps as many leading servers (the oldest keepalives) or
//! names as fit in those sizes, and the rest are left out. Over
//! UDP this also bounds what a small request (maybe with a forged source
//! address) can make the registry send to someone.
//!
//! # UDP
//!
//! A plain socket loop: a datagram over [`MAX_PACKET`] bytes is dropped
//! (rpyc parses its first 1500 bytes), and receive errors (an ICMP error
//! from an earlier reply, for instance) never end the loop.

use super::protocol::{ListFilter, Reply, Request, MAX_PACKET};
use super::table::{RegistryLimits, Table};
use oxrpc_net::{Accepted, ListenConfig, Listener};
use std::future::Future;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UdpSocket;
use tracing::{debug, info, warn};

/// The log target of the registry (server, client and registrar).
pub(crate) const TARGET: &str = "oxrpc::rpyc::registry";

/// rpyc's `DEFAULT_PRUNING_TIMEOUT`: four minutes without a keepalive and
/// a server is dropped by the next QUERY for its name.
pub const DEFAULT_PRUNING_TIMEOUT: Duration = Duration::from_secs(240);

/// The largest payload one UDP datagram can carry.
const MAX_DATAGRAM: usize = 65_507;

/// The most a QUERY reply holds (rpyc's clients read `MAX_DGRAM_SIZE`).
const MAX_QUERY_REPLY: usize = MAX_PACKET;

/// How a request arrived: what its reply may weigh depends on it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Via {
    Udp,
    Tcp,
}

impl Via {
    /// The most a LIST reply holds: rpyc's UDP client reads ten times
    /// `MAX_DGRAM_SIZE`, its TCP client once.
    fn max_list_reply(self) -> usize {
        match self {
            Via::Udp => MAX_PACKET * 10,
            Via::Tcp => MAX_PACKET,
        }
    }
}

/// Registry server settings.
#[derive(Debug, Clone)]
pub struct RegistryConfig {
    /// How long a server stays listed without a keepalive (rpyc's `-t`).
    pub pruning_timeout: Duration,
    /// Whether LIST is answered (rpyc's `-l`; off by default, when LIST
    /// gets `None`).
    pub allow_listing: bool,
    /// Bounds on the table.
    pub limits: RegistryLimits,
    /// TCP: how long a client has to send its request once connected.
    pub tcp_read_timeout: Duration,
    /// TCP: connections served at once; more wait in the backlog.
    pub max_tcp_connections: usize,
}

impl Default for RegistryConfig {
    fn default() -> Self {
        RegistryConfig {
            pruning_timeout: DEFAULT_PRUNING_TIMEOUT,
            allow_listing: false,
            limits: RegistryLimits::default(),
            tcp_read_timeout: Duration::from_secs(5),
            max_tcp_connections: 256,
        }
    }
}

/// A registry server (cheap to clone: clones share the table).
///
/// ```no_run
/// use oxrpc_rpyc::registry::{RegistryConfig, RegistryServer, REGISTRY_PORT};
///
/// # async fn run() -> std::io::Result<()> {
/// let config = RegistryConfig { allow_listing: true, ..RegistryConfig::default() };
/// let socket = tokio::net::UdpSocket::bind(("0.0.0.0", REGISTRY_PORT)).await?;
/// RegistryServer::new(config).serve_udp(socket, oxrpc_net::shutdown_signal()).await
/// # }
/// ```
#[derive(Clone)]
pub struct RegistryServer {
    inner: Arc<Inner>,
}

struct Inner {
    config: RegistryConfig,
    table: Mutex<Table>,
    /// When a refusal was last logged as a warning: a flood of refused
    /// registrations logs one warning per [`REFUSAL_WARNING_EVERY`].
    last_refusal_warning: Mutex<Option<Instant>>,
}

/// The least time between two warnings about refused registrations.
const REFUSAL_WARNING_EVERY: Duration = Duration::from_secs(10);

impl RegistryServer {
    /// A server with an empty table.
    pub fn new(config: RegistryConfig) -> RegistryServer {
        let table = Table::new(config.limits, config.pruning_timeout);
        RegistryServer {
            inner: Arc::new(Inner {
                config,
                table: Mutex::new(table),
                last_refusal_warning: Mutex::new(None),
            }),
        }
    }

    /// The settings.
    pub fn config(&self) -> &RegistryConfig {
        &self.inner.config
    }

    /// How many entries (a name served at an address) the table holds.
    pub fn entries(&self) -> usize {
        self.table().len()
    }

    fn table(&self) -> std::sync::MutexGuard<'_, Table> {
        // The table stays consistent between statements, so a panic
        // elsewhere while holding the lock leaves nothing half-done.
        self.inner
            .table
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether a refusal may be logged as a warning now.
    fn warn_of_refusal(&self) -> bool {
        let mut last = self
            .inner
            .last_refusal_warning
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        if last.is_some_and(|then| now.saturating_duration_since(then) < REFUSAL_WARNING_EVERY) {
            return false;
        }
        *last = Some(now);
        true
    }

    /// Answers one request from `source`: the reply's bytes, or `None`
    /// when rpyc would send nothing.
    ///
    /// ```
    /// use oxrpc_rpyc::registry::protocol::{Reply, Request};
    /// use oxrpc_rpyc::registry::{RegistryConfig, RegistryServer};
    ///
    /// let server = RegistryServer::new(RegistryConfig::default());
    /// let me = "127.0.0.1".parse().unwrap();
    /// let ok = server.handle(me, &Request::register(["MY"], 18861).encode());
    /// assert_eq!(ok, Some(Reply::Ok.encode()));
    /// let found = server.handle(me, &Request::query("my").encode()).unwrap();
    /// assert_eq!(Reply::decode_servers(&found).unwrap()[0].0, "127.0.0.1");
    /// assert_eq!(server.handle(me, b"garbage"), None);
    /// ```
    pub fn handle(&self, source: IpAddr, packet: &[u8]) -> Option<Vec<u8>> {
        self.handle_at(source, packet, Instant::now())
    }

    /// [`RegistryServer::handle`] as if the request arrived at `now`: the
    /// keepalive it records, and the clock pruning compares with. Replies
    /// are sized as for UDP (see the module docs).
    pub fn handle_at(&self, source: IpAddr, packet: &[u8], now: Instant) -> Option<Vec<u8>> {
        self.process("REGSRV", Via::Udp, source, packet, now)
    }

    fn process(
        &self,
        label: &str,
        via: Via,
        source: IpAddr,
        packet: &[u8],
        now: Instant,
    ) -> Option<Vec<u8>> {
        let request = match Request::decode(packet) {
            Ok(request) => request,
            Err(e) => {
                debug!(target: TARGET, "{label}: {source}: {e}");
                return None;
            }
        };
        let host = source.to_string();
        let reply = match request {
            Request::Register { names, port } => {
                let port_text = python_str(&port);
                let registered = self.table().register(&host, &names, &port, now);
                match registered {
                    // New entries are news; keepalives (every minute from
                    // every server) are not.
                    Ok(0) => {
                        debug!(target: TARGET, "{label}: registering {host}:{port_text} as {}", names.join(", "));
                        Reply::Ok
                    }
                    Ok(_) => {
                        info!(target: TARGET, "{label}: registering {host}:{port_text} as {}", names.join(", "));
                        Reply::Ok
                    }
                    Err(why) if self.warn_of_refusal() => {
                        warn!(target: TARGET, "{label}: refusing to register {host}:{port_text}: {why} (more refusals in the next {REFUSAL_WARNING_EVERY:?} are logged at debug level)");
                        return None;
                    }
                    Err(why) => {
                        debug!(target: TARGET, "{label}: refusing to register {host}:{port_text}: {why}");
                        return None;
                    }
                }
            }
            Request::Unregister { port } => {
                info!(target: TARGET, "{label}: unregistering {host}:{}", python_str(&port));
                self.table().unregister(&host, &port);
                Reply::Ok
            }
            Request::Query { name } => {
                debug!(target: TARGET, "{label}: querying for {}", oxrpc_pyfmt::str_repr(&name.to_uppercase()));
                let found = self.table().query(&name, now);
                for (host, port) in &found.stale {
                    info!(target: TARGET, "{label}: discarding stale {host}:{}", python_str(port));
                }
                debug!(target: TARGET, "{label}: replying with {} server(s)", found.live.len());
                Reply::Servers(found.live)
            }
            Request::List { filter } => {
                debug!(target: TARGET, "{label}: querying for services list:");
                if !self.inner.config.allow_listing {
                    debug!(target: TARGET, "{label}: listing is disabled");
                    Reply::Names(None)
                } else {
                    let names = match Request::list_filter(&filter) {
                        Ok(ListFilter::All) => self.table().list(None),
                        Ok(ListFilter::Host(host)) => self.table().list(Some(&host)),
                        Ok(ListFilter::Nothing) => Vec::new(),
                        Err(why) => {
                            debug!(target: TARGET, "{label}: {source}: error executing function LIST: {why}");
                            return None;
                        }
                    };
                    Reply::Names(Some(names))
                }
            }
        };
        let max = match reply {
            Reply::Servers(_) => MAX_QUERY_REPLY,
            _ => via.max_list_reply(),
        };
        let (bytes, left_out) = reply.encode_within(max);
        if left_out > 0 {
            debug!(target: TARGET, "{label}: {left_out} item(s) left out of a reply to {source}: it holds {max} bytes, what rpyc's clients read");
        }
        Some(bytes)
    }

    /// Serves requests arriving on `socket` until `shutdown` resolves.
    pub async fn serve_udp(
        &self,
        socket: UdpSocket,
        shutdown: impl Future<Output = ()>,
    ) -> std::io::Result<()> {
        let local = socket.local_addr()?;
        let label = format!("REGSRV/UDP/{}", local.port());
        info!(target: TARGET, "{label}: server started on {local}");
        // One byte more than a request may have, to see the ones too large.
        let mut buf = vec![0u8; MAX_PACKET + 1];
        let mut errors = 0u32;
        tokio::pin!(shutdown);
        loop {
            let (len, from) = tokio::select! {
                _ = &mut shutdown => break,
                received = socket.recv_from(&mut buf) => match received {
                    Ok(received) => received,
                    Err(e) => {
                        debug!(target: TARGET, "{label}: receive failed: {e}");
                        errors += 1;
                        if errors % 64 == 0 {
                            tokio::time::sleep(Duration::from_millis(10)).await;
                        }
                        continue;
                    }
                },
            };
            errors = 0;
            if len > MAX_PACKET {
                debug!(target: TARGET, "{label}: {from}: dropping a datagram over {MAX_PACKET} bytes");
                continue;
            }
            let Some(reply) =
                self.process(&label, Via::Udp, from.ip(), &buf[..len], Instant::now())
            else {
                continue;
            };
            if reply.len() > MAX_DATAGRAM {
                warn!(target: TARGET, "{label}: a reply of {} bytes does not fit a datagram; use TCP", reply.len());
            } else if let Err(e) = socket.send_to(&reply, from).await {
                debug!(target: TARGET, "{label}: reply to {from} failed: {e}");
            }
        }
        info!(target: TARGET, "{label}: server closed");
        Ok(())
    }

    /// Serves one request per connection on `listener` until `shutdown`
    /// resolves.
    pub async fn serve_tcp(
        &self,
        listener: impl Into<Listener>,
        shutdown: impl Future<Output = ()>,
    ) -> std::io::Result<()> {
        let listener = listener.into();
        let label = format!(
            "REGSRV/TCP/{}",
            listener.local_addr().map_or(0, |a| a.port())
        );
        info!(target: TARGET, "{label}: server started on {}", listener.describe());
        let config = &self.inner.config;
        let listen = ListenConfig {
            max_connections: config.max_tcp_connections,
            log_connections: false,
            write_timeout: Some(config.tcp_read_timeout),
            shutdown_grace: config.tcp_read_timeout,
            ..ListenConfig::named(label.clone())
        };
        let server = self.clone();
        let name = label.clone();
        oxrpc_net::serve(listener, listen, shutdown, move |accepted, _| {
            let (server, label) = (server.clone(), name.clone());
            async move { server.serve_connection(&label, accepted).await }
        })
        .await?;
        info!(target: TARGET, "{label}: server closed");
        Ok(())
    }

    /// Reads one request, answers it, closes.
    async fn serve_connection(&self, label: &str, accepted: Accepted) {
        let Some(source) = accepted.peer.ip() else {
            debug!(target: TARGET, "{label}: {}: no IP address to register", accepted.peer);
            return;
        };
        let mut stream = accepted.stream;
        let mut buf = vec![0u8; MAX_PACKET + 1];
        let mut len = 0;
        let read = async {
            while len < buf.len() {
                let n = stream.read(&mut buf[len..]).await?;
                if n == 0 {
                    break;
                }
                len += n;
                if super::protocol::request_is_complete(&buf[..len]) {
                    break;
                }
            }
            Ok::<(), std::io::Error>(())
        };
        let outcome = tokio::select! {
            _ = accepted.slot.evicted() => return,
            outcome = tokio::time::timeout(self.inner.config.tcp_read_timeout, read) => outcome,
        };
        match outcome {
            Err(_) => {
                debug!(target: TARGET, "{label}: {}: no whole request within {:?}", accepted.peer, self.inner.config.tcp_read_timeout);
                return;
            }
            Ok(Err(e)) => {
                debug!(target: TARGET, "{label}: {}: read failed: {e}", accepted.peer);
                return;
            }
            Ok(Ok(())) => {}
        }
        let reply = if len > MAX_PACKET {
            debug!(target: TARGET, "{label}: {}: dropping a request over {MAX_PACKET} bytes", accepted.peer);
            None
        } else {
            self.process(label, Via::Tcp, source, &buf[..len], Instant::now())
        };
        match reply {
            Some(reply) => {
                if let Err(e) = stream.write_all(&reply).await {
                    debug!(target: TARGET, "{label}: reply to {} failed: {e}", accepted.peer);
                }
                let _ = stream.shutdown().await;
            }
            // rpyc's registry leaves a request it does not answer open, and
            // its clients read that silence as their timeout (`discover`
            // gives `()`, `register` False); a close would be an empty
            // reply, which they fail to unpack. Held until the client goes,
            // at most the read timeout.
            None => {
                let until_closed =
                    async { while matches!(stream.read(&mut buf).await, Ok(n) if n > 0) {} };
                tokio::select! {
                    _ = accepted.slot.evicted() => {}
                    _ = tokio::time::timeout(self.inner.config.tcp_read_timeout, until_closed) => {}
                }
            }
        }
    }
}

/// Python's `str()` of a port in log lines: a path as is, an int as digits.
fn python_str(value: &crate::wire::brine::BrineValue) -> String {
    match value {
        crate::wire::brine::BrineValue::Str(s) => s.clone(),
        other => other.to_string(),
    }
}
