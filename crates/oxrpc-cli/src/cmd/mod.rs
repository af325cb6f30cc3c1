//! The sub-commands of the `oxrpc` command line, one file each, and the
//! helpers they share: the runtime, the shutdown signal, address parsing
//! and binding, and the TLS and limit options every server takes.

pub mod classic;
pub mod classic_python;
pub mod classic_shell;
mod classic_transfer;
pub mod metrics;
pub mod otlp;
pub mod registry;
pub mod serve;
pub mod service;
pub mod tour;
pub mod transport;
pub mod wire;
pub mod xmlrpc;

use oxrpc::net::{tls, ListenConfig};
use std::net::SocketAddr;
use std::sync::Arc;

/// Runs `work` to completion on a multi-threaded runtime, then stops the
/// runtime without waiting more than two seconds for work left on its
/// blocking pool (a decode in progress, a stuck interpreter job): a server
/// asked to stop stops.
pub fn block_on<T>(
    work: impl std::future::Future<Output = anyhow::Result<T>>,
) -> anyhow::Result<T> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let output = runtime.block_on(async move {
        metrics::spawn_endpoint().await?;
        work.await
    });
    runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    output
}

/// Resolves once Ctrl-C (SIGINT) or SIGTERM arrives, and says so.
pub async fn shutdown_signal() {
    oxrpc::net::shutdown_signal().await;
    tracing::info!("shutting down");
}

/// Resolves `host:port` to the address to bind, preferring IPv6 when
/// asked and IPv4 otherwise (as Python's servers do for `localhost`).
pub async fn resolve_bind(host: &str, port: u16, prefer_ipv6: bool) -> anyhow::Result<SocketAddr> {
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port)).await?.collect();
    addrs
        .iter()
        .find(|a| a.is_ipv6() == prefer_ipv6)
        .or_else(|| addrs.first())
        .copied()
        .ok_or_else(|| anyhow::anyhow!("{host} resolves to no address"))
}

/// Binds a TCP listener, saying which address failed.
pub async fn bind(addr: SocketAddr) -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))
}

/// Splits `HOST:PORT` (or `[V6]:PORT`, or a bare `HOST`, `[V6]` or `V6`
/// taking `default_port`).
///
/// ```
/// use oxrpc_cli::cmd::parse_host_port;
///
/// assert_eq!(parse_host_port("localhost:1", None).unwrap(), ("localhost".into(), 1));
/// assert_eq!(parse_host_port("[::1]:2", None).unwrap(), ("::1".into(), 2));
/// assert_eq!(parse_host_port("example", Some(18812)).unwrap(), ("example".into(), 18812));
/// assert_eq!(parse_host_port("[::1]", Some(3)).unwrap(), ("::1".into(), 3));
/// assert_eq!(parse_host_port("fe80::1", Some(3)).unwrap(), ("fe80::1".into(), 3));
/// assert!(parse_host_port("example", None).is_err());
/// assert!(parse_host_port("[::1]x", Some(3)).is_err());
/// ```
pub fn parse_host_port(address: &str, default_port: Option<u16>) -> anyhow::Result<(String, u16)> {
    let (host, port) = match address.strip_prefix('[') {
        Some(bracketed) => {
            let (host, rest) = bracketed
                .split_once(']')
                .ok_or_else(|| anyhow::anyhow!("no closing ] in {address:?}"))?;
            match rest {
                "" => (host, None),
                _ => match rest.strip_prefix(':') {
                    Some(port) => (host, Some(port)),
                    None => anyhow::bail!("expected [HOST]:PORT, got {address:?}"),
                },
            }
        }
        None => match address.rsplit_once(':') {
            // Two colons or more: a bare IPv6 address, no port.
            Some((host, port)) if !host.contains(':') => (host, Some(port)),
            _ => (address, None),
        },
    };
    let port = match (port, default_port) {
        (Some(port), _) => port
            .parse()
            .map_err(|_| anyhow::anyhow!("invalid port in {address:?}"))?,
        (None, Some(port)) => port,
        (None, None) => anyhow::bail!("expected HOST:PORT, got {address:?}"),
    };
    Ok((host.to_owned(), port))
}

/// A failed RPyC call as the command reports it: its remote traceback too.
/// A `SystemExit` raised remotely ends this process as it would end a
/// Python client that let it through (rpyc raises it there): with its
/// code, silently; `None` is 0, anything else is printed and gives 1.
pub fn rpyc_failure(e: oxrpc::rpyc::Error) -> anyhow::Error {
    use oxrpc::rpyc::BrineValue;
    use std::io::Write as _;
    if let Some(raised) = e
        .remote()
        .filter(|r| r.module == "builtins" && r.name == "SystemExit")
    {
        let code = match raised.args.first() {
            None | Some(BrineValue::None) => 0,
            Some(BrineValue::Int(code)) => (code & 0xff) as i32,
            Some(BrineValue::Bool(code)) => i32::from(*code),
            Some(BrineValue::Str(text)) => {
                let _ = writeln!(std::io::stderr(), "{text}");
                1
            }
            Some(other) => {
                let _ = writeln!(std::io::stderr(), "{other}");
                1
            }
        };
        std::process::exit(code);
    }
    anyhow::anyhow!("{e:#}")
}

/// How a value returned by an RPyC call is printed, as Python's `print`
/// (`as_repr` false) or its interactive prompt (`as_repr` true) shows it:
/// a str as its text or repr, other plain values as their repr, a remote
/// object as its `str` or `repr` (asked of the server; ours, handed back,
/// from here), a tuple holding
/// remote objects as Python writes any tuple, each item by its `repr`. A
/// `repr` that fails fails the printing, as it does in Python.
pub async fn render_rpyc(
    value: &oxrpc::rpyc::Value,
    as_repr: bool,
) -> Result<String, oxrpc::rpyc::Error> {
    use oxrpc::rpyc::{BrineValue, Value};
    Ok(match value {
        Value::Brine(BrineValue::Str(s)) if !as_repr => s.clone(),
        Value::Brine(v) => v.to_string(),
        Value::Proxy(p) if as_repr => p.repr().await?,
        Value::Proxy(p) => p.str().await?,
        Value::Tuple(items) => {
            let mut text = String::from("(");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    text.push_str(", ");
                }
                text.push_str(&Box::pin(render_rpyc(item, true)).await?);
            }
            if items.len() == 1 {
                text.push(',');
            }
            text.push(')');
            text
        }
        // One of ours the server handed back (a list or dict we sent).
        Value::Object(o) if as_repr => o.repr(),
        Value::Object(o) => o.str(),
    })
}

/// TLS options, with rpyc_classic's names, shared by every `serve` command.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct TlsArgs {
    /// The key file for TLS (requires --ssl-certfile).
    #[arg(long = "ssl-keyfile", requires = "ssl_certfile")]
    pub ssl_keyfile: Option<std::path::PathBuf>,
    /// The certificate file for TLS (requires --ssl-keyfile).
    #[arg(long = "ssl-certfile", requires = "ssl_keyfile")]
    pub ssl_certfile: Option<std::path::PathBuf>,
    /// A CA bundle: clients must present a certificate it signed.
    #[arg(long = "ssl-cafile", requires = "ssl_keyfile")]
    pub ssl_cafile: Option<std::path::PathBuf>,
}

impl TlsArgs {
    /// Whether TLS was asked for.
    pub fn enabled(&self) -> bool {
        self.ssl_keyfile.is_some()
    }

    /// How a server with these options accepts connections: TLS when asked
    /// for, and client certificates required when a CA is given.
    pub fn listen_config(
        &self,
        name: impl Into<String>,
        max_connections: usize,
        log_connections: bool,
    ) -> anyhow::Result<ListenConfig> {
        let tls = match (&self.ssl_keyfile, &self.ssl_certfile) {
            (Some(keyfile), Some(certfile)) => Some(
                tls::ServerTlsFiles {
                    keyfile: keyfile.clone(),
                    certfile: certfile.clone(),
                    cafile: self.ssl_cafile.clone(),
                }
                .acceptor()?,
            ),
            _ => None,
        };
        let authenticator = self.ssl_cafile.as_ref().map(|_| {
            Arc::new(oxrpc::net::ClientCertificateAuthenticator)
                as Arc<dyn oxrpc::net::Authenticator>
        });
        Ok(ListenConfig {
            max_connections,
            tls,
            authenticator,
            log_connections,
            ..ListenConfig::named(name)
        })
    }
}

/// RPyC server limits shared by `service serve` and `classic serve`.
#[derive(clap::Args, Clone, Debug)]
pub struct RpycLimitArgs {
    /// Largest frame accepted as sent, in bytes.
    #[arg(long, default_value_t = oxrpc::rpyc::FrameLimits::default().max_frame_len)]
    pub max_frame_size: usize,
    /// Largest frame after zlib decompression, in bytes.
    #[arg(long, default_value_t = oxrpc::rpyc::FrameLimits::default().max_decompressed_len)]
    pub max_decompressed_size: usize,
    /// Close connections idle for this many seconds (0: never).
    #[arg(long, default_value_t = 0)]
    pub idle_timeout: u64,
    /// Most requests in progress per connection.
    #[arg(long, default_value_t = oxrpc::rpyc::Config::default().max_pending_requests)]
    pub max_pending_requests: usize,
    /// Most objects one client may hold references to.
    #[arg(long, default_value_t = oxrpc::rpyc::Config::default().max_local_objects)]
    pub max_local_objects: usize,
    /// Most objects all clients together may hold references to.
    #[arg(long, default_value_t = oxrpc::rpyc::SharedLimits::default().max_objects)]
    pub max_objects: usize,
    /// Bytes all clients together may have in large frames being received
    /// and in requests waiting for their handlers (beyond each client's
    /// first 256 KiB); a request over it is refused with an exception.
    #[arg(long, default_value_t = oxrpc::rpyc::SharedLimits::default().max_input())]
    pub max_input: usize,
    /// Bytes queued for a client before its connection stops reading requests.
    #[arg(long, default_value_t = oxrpc::rpyc::Config::default().max_queued_output)]
    pub max_queued_output: usize,
    /// Seconds a frame has to arrive whole once its first byte has.
    #[arg(long, default_value_t = oxrpc::rpyc::Config::default().frame_timeout.as_secs())]
    pub frame_timeout: u64,
    /// Seconds a write may make no progress before the client is dropped (0: never).
    #[arg(long, default_value_t = 30)]
    pub write_timeout: u64,
    /// When full, close the longest-idle connection if idle ones hold more
    /// than this share of the slots (1: never).
    #[arg(long, default_value_t = oxrpc::net::ListenConfig::default().idle_share)]
    pub idle_share: f64,
}

impl RpycLimitArgs {
    /// The connection settings these limits describe.
    pub fn connection_config(&self) -> oxrpc::rpyc::Config {
        let mut config = oxrpc::rpyc::Config::default();
        config.frame_limits.max_frame_len = self.max_frame_size;
        config.frame_limits.max_decompressed_len = self.max_decompressed_size;
        config.idle_timeout =
            (self.idle_timeout > 0).then(|| std::time::Duration::from_secs(self.idle_timeout));
        config.max_pending_requests = self.max_pending_requests;
        config.max_local_objects = self.max_local_objects;
        config.max_queued_output = self.max_queued_output;
        config.frame_timeout = std::time::Duration::from_secs(self.frame_timeout.max(1));
        config.shared = std::sync::Arc::new(
            oxrpc::rpyc::SharedLimits::default()
                .with_max_objects(self.max_objects)
                .with_max_input(self.max_input),
        );
        config
    }

    /// The write deadline these limits give.
    pub fn write_timeout(&self) -> Option<std::time::Duration> {
        (self.write_timeout > 0).then(|| std::time::Duration::from_secs(self.write_timeout))
    }
}

impl Default for RpycLimitArgs {
    fn default() -> Self {
        RpycLimitArgs {
            max_frame_size: oxrpc::rpyc::FrameLimits::default().max_frame_len,
            max_decompressed_size: oxrpc::rpyc::FrameLimits::default().max_decompressed_len,
            idle_timeout: 0,
            max_pending_requests: oxrpc::rpyc::Config::default().max_pending_requests,
            max_local_objects: oxrpc::rpyc::Config::default().max_local_objects,
            max_objects: oxrpc::rpyc::SharedLimits::default().max_objects,
            max_input: oxrpc::rpyc::SharedLimits::default().max_input(),
            max_queued_output: oxrpc::rpyc::Config::default().max_queued_output,
            frame_timeout: oxrpc::rpyc::Config::default().frame_timeout.as_secs(),
            write_timeout: 30,
            idle_share: oxrpc::net::ListenConfig::default().idle_share,
        }
    }
}
