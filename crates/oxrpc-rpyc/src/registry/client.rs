//! Registry clients: rpyc's `UDPRegistryClient` and `TCPRegistryClient`,
//! and its `discover` / `list_services` / `connect_by_service` helpers.
//!
//! A [`RegistryClient`] talks to one registry address. Over UDP the default
//! address is the broadcast `255.255.255.255` (rpyc's default: any
//! registry on the local network answers, the first answer wins); an
//! address with a `255` component is treated as a broadcast and the socket
//! gets `SO_BROADCAST`, as rpyc decides it. Over TCP an address is required.
//! Every operation waits at most the client's timeout (2 s by default).
//!
//! What a silence means follows rpyc: no reply to a QUERY or LIST is an
//! empty answer (over a broadcast, "nobody knows" and "nobody is there"
//! look the same); a TCP registry that refuses the connection is an error.
//!
//! # Where oxrpc differs
//!
//! * A reply is only taken from the registry's port (rpyc checks that for
//!   REGISTER only), and an undecodable datagram is skipped, not raised.
//! * REGISTER over TCP counts as acknowledged only when the reply is
//!   `"OK"` (rpyc's TCP client returns `True` for any decodable reply).
//! * UNREGISTER leaves from the same interface as REGISTER did
//!   ([`RegistryClient::with_interface`]). rpyc sends it from an unbound
//!   socket, so with a broadcast it can leave from another address than
//!   the registration did, and the registry then keeps the old entry until
//!   it is pruned.
//! * [`RegistryClient::discover`] returns TCP servers only (`(host, port)`
//!   with an int port); rpyc's Unix-socket servers register a path, which
//!   is skipped here.

use super::protocol::{Reply, Request};
use super::server::TARGET;
use super::REGISTRY_PORT;
use crate::config::Config;
use crate::core::{Connection, Service};
use crate::wire::brine::BrineValue;
use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, UdpSocket};
use tokio::time::Instant;
use tracing::{debug, info, warn};

/// rpyc's default client timeout.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

/// rpyc's default UDP registry address: the local broadcast.
pub const BROADCAST: &str = "255.255.255.255";

/// The most a client reads of one reply (a LIST can be long).
const MAX_REPLY: usize = 65_536;

/// How the registry is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// Datagrams, unicast or broadcast (rpyc's `UDPRegistryClient`).
    Udp,
    /// One connection per request (rpyc's `TCPRegistryClient`).
    Tcp,
}

/// In which order [`RegistryClient::connect_by_service`] tries the servers
/// of a name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Pick {
    /// As rpyc: the registry's order, the server whose last keepalive is
    /// the oldest first. Every client picks the same server until it
    /// re-registers (every 60 s), so the load moves from server to server
    /// over time rather than spreading at once.
    #[default]
    RegistryOrder,
    /// A random order per call, so clients spread over the servers.
    Random,
}

/// What a registry operation failed with.
#[derive(Debug, Error)]
pub enum RegistryError {
    /// A socket error (a TCP registry refusing the connection, for one).
    #[error("{0}")]
    Io(#[from] io::Error),
    /// No TCP server exposes the name (rpyc's `DiscoveryError`).
    /// `elsewhere` holds what the registry listed under it that is not a
    /// host and a TCP port (rpyc's Unix-socket servers register a path).
    #[error(
        "no servers exposing {} were found{}",
        oxrpc_pyfmt::str_repr(.name),
        elsewhere_note(.elsewhere)
    )]
    NotFound {
        /// The name asked for.
        name: String,
        /// The registry's entries for it that are not TCP servers.
        elsewhere: Vec<(String, BrineValue)>,
    },
    /// Servers were found, but none accepted a connection (rpyc's
    /// `DiscoveryError`, message and all).
    #[error("All services are down: {}", addrs_repr(.0))]
    AllDown(Vec<(String, u16)>),
    /// The registry runs without listing (rpyc's `ForbiddenError`).
    #[error("Registry doesn't allow listing")]
    ListingDisabled,
    /// A reply that is not what the request calls for.
    #[error("{0}")]
    BadReply(#[from] super::protocol::ReplyError),
}

fn elsewhere_note(elsewhere: &[(String, BrineValue)]) -> String {
    if elsewhere.is_empty() {
        return String::new();
    }
    let entries = entries_repr(elsewhere.iter().map(|(h, p)| (h.as_str(), p.clone())));
    format!(" over TCP; the registry lists it at {entries}, which is no host and TCP port")
}

/// The servers among `entries` (from [`RegistryClient::discover_entries`])
/// that are a host and a TCP port; [`RegistryError::NotFound`] naming the
/// others when there is none.
///
/// ```
/// use oxrpc_rpyc::brine::BrineValue;
/// use oxrpc_rpyc::registry::tcp_servers;
///
/// let unix = ("127.0.0.1".to_owned(), BrineValue::from("/run/my.sock"));
/// let tcp = ("127.0.0.1".to_owned(), BrineValue::from(18861u16));
/// assert_eq!(tcp_servers("MY", vec![unix.clone(), tcp]).unwrap(), [("127.0.0.1".to_owned(), 18861)]);
/// let error = tcp_servers("MY", vec![unix]).unwrap_err().to_string();
/// assert!(error.ends_with("lists it at (('127.0.0.1', '/run/my.sock'),), which is no host and TCP port"), "{error}");
/// ```
pub fn tcp_servers(
    name: &str,
    entries: Vec<(String, BrineValue)>,
) -> Result<Vec<(String, u16)>, RegistryError> {
    let servers: Vec<(String, u16)> = entries.iter().filter_map(tcp_server).collect();
    if servers.is_empty() {
        return Err(RegistryError::NotFound {
            name: name.to_owned(),
            elsewhere: entries,
        });
    }
    Ok(servers)
}

fn tcp_server((host, port): &(String, BrineValue)) -> Option<(String, u16)> {
    let port = port.as_i64().and_then(|p| u16::try_from(p).ok())?;
    Some((host.clone(), port))
}

fn addrs_repr(addrs: &[(String, u16)]) -> String {
    entries_repr(
        addrs
            .iter()
            .map(|(h, p)| (h.as_str(), BrineValue::from(*p))),
    )
}

/// `((host, port), ...)` as Python's repr writes rpyc's address tuples.
fn entries_repr<'a>(entries: impl Iterator<Item = (&'a str, BrineValue)>) -> String {
    BrineValue::Tuple(
        entries
            .map(|(host, port)| BrineValue::tuple([BrineValue::from(host), port]))
            .collect(),
    )
    .to_string()
}

/// A client of one registry.
///
/// ```no_run
/// use oxrpc_rpyc::registry::RegistryClient;
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// // Broadcast on the local network, as rpyc.discover('MY') does.
/// let registry = RegistryClient::udp();
/// for (host, port) in registry.discover("MY").await? {
///     println!("{host}:{port}");
/// }
/// let conn = registry.connect_by_service("MY").await?;
/// let answer: i64 = conn.root().await?.call("get_answer", ()).await?;
///
/// // A registry started with `rpyc_registry -m TCP`, at a known host.
/// let names = RegistryClient::tcp("10.0.0.5").list_services(None).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct RegistryClient {
    transport: Transport,
    host: String,
    port: u16,
    timeout: Duration,
    broadcast: bool,
    ipv6: bool,
    interface: Option<IpAddr>,
    pick: Pick,
}

impl Default for RegistryClient {
    fn default() -> Self {
        RegistryClient::udp()
    }
}

impl RegistryClient {
    /// A UDP client broadcasting to `255.255.255.255` on port 18811.
    pub fn udp() -> RegistryClient {
        RegistryClient::udp_to(BROADCAST)
    }

    /// A UDP client sending to `host`; a broadcast if any dotted component
    /// is `255` (rpyc's rule).
    pub fn udp_to(host: impl Into<String>) -> RegistryClient {
        let host = host.into();
        RegistryClient {
            transport: Transport::Udp,
            broadcast: host.split('.').any(|part| part == "255"),
            host,
            port: REGISTRY_PORT,
            timeout: DEFAULT_TIMEOUT,
            ipv6: false,
            interface: None,
            pick: Pick::default(),
        }
    }

    /// A TCP client of the registry at `host`.
    pub fn tcp(host: impl Into<String>) -> RegistryClient {
        RegistryClient {
            transport: Transport::Tcp,
            broadcast: false,
            ..RegistryClient::udp_to(host)
        }
    }

    /// The registry's port (18811 by default).
    pub fn with_port(mut self, port: u16) -> RegistryClient {
        self.port = port;
        self
    }

    /// How long to wait for each answer (2 s by default).
    pub fn with_timeout(mut self, timeout: Duration) -> RegistryClient {
        self.timeout = timeout;
        self
    }

    /// Whether UDP requests are broadcasts (decided from the address by
    /// default).
    pub fn with_broadcast(mut self, broadcast: bool) -> RegistryClient {
        self.broadcast = broadcast;
        self
    }

    /// Prefer the registry's IPv6 address, and never broadcast (rpyc's
    /// `ipv6=True`).
    pub fn with_ipv6(mut self, ipv6: bool) -> RegistryClient {
        self.ipv6 = ipv6;
        if ipv6 {
            self.broadcast = false;
        }
        self
    }

    /// Send REGISTER and UNREGISTER from this local address, so the
    /// registry records the address the server listens on (rpyc's
    /// `interface=`; a server passes its bound host).
    pub fn with_interface(mut self, interface: IpAddr) -> RegistryClient {
        self.interface = (!interface.is_unspecified()).then_some(interface);
        self
    }

    /// The order [`RegistryClient::connect_by_service`] tries servers in.
    pub fn with_pick(mut self, pick: Pick) -> RegistryClient {
        self.pick = pick;
        self
    }

    /// UDP or TCP.
    pub fn transport(&self) -> Transport {
        self.transport
    }

    /// The registry's address and port.
    pub fn address(&self) -> (&str, u16) {
        (&self.host, self.port)
    }

    /// The timeout of each operation.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Registers `aliases` for the server listening on TCP `port`;
    /// `Ok(true)` once a registry acknowledged, `Ok(false)` when none did
    /// within the timeout (or a TCP registry could not be reached).
    pub async fn register(&self, aliases: &[String], port: u16) -> io::Result<bool> {
        info!(target: TARGET, "registering on {}:{}", self.host, self.port);
        let request = Request::register(aliases.iter().cloned(), port).encode();
        let acknowledged = match self.transport {
            Transport::Udp => {
                let socket = self.udp_send(&request, self.interface).await?;
                let reply = self.udp_reply(&socket, Reply::is_ok).await?;
                reply.is_some()
            }
            Transport::Tcp => match self.exchange(&request, self.interface).await {
                Ok(Some(reply)) => Reply::is_ok(&reply),
                Ok(None) => false,
                Err(e) => {
                    warn!(target: TARGET, "could not connect to registry: {e}");
                    false
                }
            },
        };
        if acknowledged {
            info!(target: TARGET, "registry {}:{} acknowledged", self.host, self.port);
        } else {
            warn!(target: TARGET, "no registry acknowledged");
        }
        Ok(acknowledged)
    }

    /// Unregisters the server listening on TCP `port`. Over UDP the
    /// request is sent and not waited on, as rpyc does; over TCP the
    /// registry's answer is awaited (up to the timeout).
    pub async fn unregister(&self, port: u16) -> io::Result<()> {
        info!(target: TARGET, "unregistering from {}:{}", self.host, self.port);
        let request = Request::unregister(port).encode();
        match self.transport {
            Transport::Udp => {
                self.udp_send(&request, self.interface).await?;
            }
            Transport::Tcp => {
                self.exchange(&request, self.interface).await?;
            }
        }
        Ok(())
    }

    /// The servers exposing `name` (any case), in the registry's order
    /// (oldest keepalive first); empty when none is known, or no registry
    /// answered within the timeout.
    pub async fn discover(&self, name: &str) -> Result<Vec<(String, u16)>, RegistryError> {
        let entries = self.discover_entries(name).await?;
        Ok(entries.iter().filter_map(tcp_server).collect())
    }

    /// Every entry the registry lists under `name`, as it sent them: a
    /// host and a port, which rpyc's Unix-socket servers register as a
    /// path ([`RegistryClient::discover`] keeps the TCP ones).
    pub async fn discover_entries(
        &self,
        name: &str,
    ) -> Result<Vec<(String, BrineValue)>, RegistryError> {
        let request = Request::query(name).encode();
        let reply = match self.transport {
            Transport::Udp => {
                let socket = self.udp_send(&request, None).await?;
                self.udp_reply(&socket, |data| Reply::decode_servers(data).is_ok())
                    .await?
            }
            Transport::Tcp => self.exchange(&request, None).await?,
        };
        let Some(reply) = reply else {
            return Ok(Vec::new());
        };
        Ok(Reply::decode_servers(&reply)?)
    }

    /// The names the registry knows, in registration order; only those
    /// with a server at `filter_host` when given. Empty when no registry
    /// answered; [`RegistryError::ListingDisabled`] when it refuses.
    pub async fn list_services(
        &self,
        filter_host: Option<&str>,
    ) -> Result<Vec<String>, RegistryError> {
        let request = Request::list(filter_host).encode();
        let reply = match self.transport {
            Transport::Udp => {
                let socket = self.udp_send(&request, None).await?;
                self.udp_reply(&socket, |data| Reply::decode_names(data).is_ok())
                    .await?
            }
            Transport::Tcp => self.exchange(&request, None).await?,
        };
        match reply {
            None => Ok(Vec::new()),
            Some(reply) => Reply::decode_names(&reply)?.ok_or(RegistryError::ListingDisabled),
        }
    }

    /// Connects to a server exposing `name`, trying them in the client's
    /// [`Pick`] order until one accepts (rpyc's `connect_by_service`).
    pub async fn connect_by_service(&self, name: &str) -> Result<Connection, RegistryError> {
        self.connect_by_service_with(name, |host, port| async move {
            crate::client::connect(&host, port).await
        })
        .await
    }

    /// [`RegistryClient::connect_by_service`] exposing `service` to the
    /// server, with `config`.
    pub async fn connect_by_service_as(
        &self,
        name: &str,
        service: Arc<dyn Service>,
        config: Config,
    ) -> Result<Connection, RegistryError> {
        self.connect_by_service_with(name, |host, port| {
            let (service, config) = (service.clone(), config.clone());
            async move { crate::client::connect_with(&host, port, service, config).await }
        })
        .await
    }

    /// Discovers `name` and returns the first server `connect` succeeds
    /// with, in the client's [`Pick`] order: the building block for any
    /// kind of client (a classic one, TLS, ...).
    pub async fn connect_by_service_with<T, F, Fut>(
        &self,
        name: &str,
        mut connect: F,
    ) -> Result<T, RegistryError>
    where
        F: FnMut(String, u16) -> Fut,
        Fut: Future<Output = io::Result<T>>,
    {
        let addrs = tcp_servers(name, self.discover_entries(name).await?)?;
        for (host, port) in self.in_pick_order(&addrs) {
            match connect(host.clone(), port).await {
                Ok(connected) => return Ok(connected),
                Err(e) => debug!(target: TARGET, "{host}:{port} is down: {e}"),
            }
        }
        Err(RegistryError::AllDown(addrs))
    }

    /// `addrs` in the order this client tries them.
    pub(crate) fn in_pick_order(&self, addrs: &[(String, u16)]) -> Vec<(String, u16)> {
        let mut order = addrs.to_vec();
        if self.pick == Pick::Random {
            shuffle(&mut order);
        }
        order
    }

    /// Where requests go.
    async fn target(&self) -> io::Result<SocketAddr> {
        let addrs: Vec<SocketAddr> = tokio::net::lookup_host((self.host.as_str(), self.port))
            .await?
            .collect();
        addrs
            .iter()
            .find(|a| a.is_ipv6() == self.ipv6)
            .or_else(|| addrs.first())
            .copied()
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("{} resolves to no address", self.host),
                )
            })
    }

    /// Sends `request` from a new UDP socket of the target's family, bound
    /// to `interface` when one of that family is given, with
    /// `SO_BROADCAST` when broadcasting; returns the socket for the reply.
    async fn udp_send(&self, request: &[u8], interface: Option<IpAddr>) -> io::Result<UdpSocket> {
        let target = self.target().await?;
        let v6 = target.is_ipv6();
        let local = match interface {
            Some(ip) if ip.is_ipv6() == v6 => ip,
            _ if v6 => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
            _ => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        };
        let socket = UdpSocket::bind(SocketAddr::new(local, 0)).await?;
        if self.broadcast {
            socket.set_broadcast(true)?;
        }
        socket.send_to(request, target).await?;
        Ok(socket)
    }

    /// The first datagram from the registry's port that `accept` takes,
    /// or `None` at the timeout.
    async fn udp_reply(
        &self,
        socket: &UdpSocket,
        accept: impl Fn(&[u8]) -> bool,
    ) -> io::Result<Option<Vec<u8>>> {
        let deadline = Instant::now() + self.timeout;
        let mut buf = vec![0u8; MAX_REPLY];
        loop {
            let received = tokio::time::timeout_at(deadline, socket.recv_from(&mut buf)).await;
            match received {
                Err(_) => return Ok(None),
                // An ICMP "port unreachable" from a unicast target: nobody there.
                Ok(Err(e)) if e.kind() == io::ErrorKind::ConnectionRefused => return Ok(None),
                Ok(Err(e)) => return Err(e),
                Ok(Ok((len, from))) => {
                    if from.port() == self.port && accept(&buf[..len]) {
                        return Ok(Some(buf[..len].to_vec()));
                    }
                    debug!(target: TARGET, "ignoring a datagram from {from}");
                }
            }
        }
    }

    /// One TCP request and its reply: `Ok(None)` when the registry sent
    /// nothing within the timeout; `Err` when it could not be reached.
    async fn exchange(
        &self,
        request: &[u8],
        interface: Option<IpAddr>,
    ) -> io::Result<Option<Vec<u8>>> {
        let target = self.target().await?;
        let socket = if target.is_ipv6() {
            TcpSocket::new_v6()?
        } else {
            TcpSocket::new_v4()?
        };
        if let Some(ip) = interface.filter(|ip| ip.is_ipv6() == target.is_ipv6()) {
            socket.bind(SocketAddr::new(ip, 0))?;
        }
        let mut stream = tokio::time::timeout(self.timeout, socket.connect(target))
            .await
            .map_err(|_| {
                io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("{}:{}: connect timed out", self.host, self.port),
                )
            })??;
        stream.write_all(request).await?;
        let mut reply = Vec::new();
        let read = async {
            let mut chunk = [0u8; 4096];
            loop {
                let n = stream.read(&mut chunk).await?;
                if n == 0 || reply.len() + n > MAX_REPLY {
                    break;
                }
                reply.extend_from_slice(&chunk[..n]);
                if super::protocol::reply_is_complete(&reply) {
                    break;
                }
            }
            Ok::<(), io::Error>(())
        };
        match tokio::time::timeout(self.timeout, read).await {
            Err(_) => Ok(None),
            Ok(Err(e)) => {
                debug!(target: TARGET, "reading the registry's reply failed: {e}");
                Ok(None)
            }
            Ok(Ok(())) if reply.is_empty() => Ok(None),
            Ok(Ok(())) => Ok(Some(reply)),
        }
    }
}

/// Shuffles in place (Fisher-Yates) with the process's hash seed, random
/// per call: good enough to spread clients, no dependency needed.
fn shuffle<T>(items: &mut [T]) {
    use std::hash::{BuildHasher, Hasher};
    let mut state = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish()
        | 1;
    for i in (1..items.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let j = (state % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}
