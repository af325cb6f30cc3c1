//! The sub-commands of the `oxrpc` command line, one file each.

pub mod classic;
pub mod serve;
pub mod service;
pub mod tour;
pub mod xmlrpc;

use std::net::SocketAddr;

/// Resolves `host:port` to the address to bind, preferring IPv4 as Python's
/// servers do for `localhost`.
pub async fn resolve_bind(host: &str, port: u16) -> anyhow::Result<SocketAddr> {
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port)).await?.collect();
    addrs
        .iter()
        .find(|a| a.is_ipv4())
        .or_else(|| addrs.first())
        .copied()
        .ok_or_else(|| anyhow::anyhow!("{host} resolves to no address"))
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

    /// The acceptor, when TLS was asked for.
    pub fn acceptor(&self) -> anyhow::Result<Option<oxrpc_tls::TlsAcceptor>> {
        match (&self.ssl_keyfile, &self.ssl_certfile) {
            (Some(keyfile), Some(certfile)) => Ok(Some(
                oxrpc_tls::ServerTlsFiles {
                    keyfile: keyfile.clone(),
                    certfile: certfile.clone(),
                    cafile: self.ssl_cafile.clone(),
                }
                .acceptor()?,
            )),
            _ => Ok(None),
        }
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
        config
    }
}

impl Default for RpycLimitArgs {
    fn default() -> Self {
        RpycLimitArgs {
            max_frame_size: oxrpc::rpyc::FrameLimits::default().max_frame_len,
            max_decompressed_size: oxrpc::rpyc::FrameLimits::default().max_decompressed_len,
            idle_timeout: 0,
            max_pending_requests: oxrpc::rpyc::Config::default().max_pending_requests,
        }
    }
}
