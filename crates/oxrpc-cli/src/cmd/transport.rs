//! Transports on the command line: Unix sockets for every server, and for
//! every RPyC client a Unix-socket address form, TLS (`--ssl-*`, as
//! `rpyc.ssl_connect` takes it), a connect timeout and TCP keepalive.
//!
//! # Servers: `--socket PATH`
//!
//! `service serve`, `classic serve` and `xmlrpc serve` listen on a Unix
//! socket instead of TCP with `--socket PATH`, as rpyc's
//! `ThreadedServer(socket_path=PATH)` does (and, as there, not together
//! with `--host`, `--port` or `--ipv6`). Where rpyc leaves the file alone,
//! oxrpc handles it:
//!
//! * a **stale** socket file (its server died without removing it, so
//!   nobody answers on it) is replaced; rpyc fails with `Address already in
//!   use` until someone deletes it;
//! * a **live** socket (a server answers on it) is left alone and the
//!   command fails, as does a path that exists and is not a socket;
//! * the file is **removed** when the server stops (rpyc leaves it behind).
//!
//! **Permissions.** Connecting to a Unix socket takes write permission on
//! its file, so the file's mode is its access control. By default it is
//! created with the permissions the umask leaves, as rpyc's are: under the
//! usual umask 022, `srwxr-xr-x`, which only the owner (and root) can
//! connect to. `--socket-mode` sets the mode explicitly once bound: `600`
//! for the owner only whatever the umask, `660` to admit the file's group,
//! `666` for every local user. The directory's permissions apply too: a
//! user who cannot enter it cannot reach the socket. The mode is set just
//! after the bind, so a client racing the server's start could connect in
//! between with the umask's permissions; put the socket in a directory
//! only the intended users can enter when that matters.
//!
//! # Clients: `unix:PATH`, `--connect-timeout`, `--keepalive`
//!
//! The RPyC clients (`service call`, `classic eval/exec/upload/download`)
//! take `unix:PATH` wherever they take a `HOST[:PORT]`, and `xmlrpc call`
//! and `xmlrpc methods` take a `http+unix://` URL (the socket's path
//! percent-encoded as the host: `http+unix://%2Frun%2Fapp.sock/RPC2`, as
//! `xmlrpc serve --socket` prints it). `--connect-timeout SECS` bounds the
//! connect (30 s by default for RPyC, where rpyc waits 3 s per attempt;
//! 10 s for XML-RPC), and `--keepalive SECS` turns on TCP keepalive probes
//! after that long idle (rpyc's `keepalive=True` is 60).

use oxrpc::net::tls::{ClientTlsFiles, ServerCheck};
use oxrpc::net::Listener;
use oxrpc::rpyc::Connector;
use std::path::PathBuf;
use std::time::Duration;

/// A server's Unix-socket options.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct ServerSocketArgs {
    /// Listen on a Unix socket at PATH instead of TCP (rpyc's
    /// socket_path). A stale socket file is replaced; the file is removed
    /// on exit. Not with --host, --port or --ipv6.
    #[arg(long, value_name = "PATH", conflicts_with_all = ["host", "port"])]
    pub socket: Option<PathBuf>,
    /// The socket file's permissions, in octal: 600 (owner only), 660
    /// (owner and group), 666 (every local user). Default: what the umask
    /// leaves, as in rpyc (owner only under umask 022).
    #[arg(long, value_name = "OCTAL", value_parser = parse_mode, requires = "socket")]
    pub socket_mode: Option<u32>,
}

impl ServerSocketArgs {
    /// Binds the socket, when one was asked for.
    pub fn bind(&self) -> anyhow::Result<Option<Listener>> {
        let Some(path) = &self.socket else {
            return Ok(None);
        };
        let listener = Listener::bind_unix(path, self.socket_mode)
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", path.display()))?;
        Ok(Some(listener))
    }

    /// The path, for log lines (rpyc's `server started on []:PATH`).
    pub fn path(&self) -> Option<String> {
        self.socket.as_ref().map(|p| p.display().to_string())
    }
}

/// Parses an octal mode such as `600` or `0o660`.
fn parse_mode(text: &str) -> Result<u32, String> {
    let digits = text.trim_start_matches("0o");
    match u32::from_str_radix(digits, 8) {
        Ok(mode) if mode <= 0o777 => Ok(mode),
        _ => Err(format!(
            "expected octal permissions such as 600, got {text:?}"
        )),
    }
}

/// How an RPyC client connects.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct ConnectArgs {
    /// Give up connecting after SECS seconds (default 30).
    #[arg(long, value_name = "SECS")]
    pub connect_timeout: Option<f64>,
    /// Give up waiting for a reply after SECS seconds (rpyc's
    /// sync_request_timeout, default 30; 0: wait as long as it takes, as
    /// `xmlrpc call --timeout 0` does).
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<f64>,
    /// Send TCP keepalive probes after SECS seconds idle (rpyc's
    /// keepalive=True is 60).
    #[arg(long, value_name = "SECS")]
    pub keepalive: Option<f64>,
    #[allow(missing_docs)]
    #[command(flatten)]
    pub tls: ClientTlsArgs,
}

/// TLS for an RPyC client, as `rpyc.ssl_connect` and
/// `rpyc.classic.ssl_connect` take it.
///
/// By default the server's certificate must be trusted and name the host
/// (what Python's `ssl.create_default_context()` checks). rpyc checks less,
/// and each of its choices is a flag here: `--ssl-no-check-hostname` is
/// `ssl_connect(ca_certs=...)`, `--ssl-no-verify` is `ssl_connect` without
/// `ca_certs`.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct ClientTlsArgs {
    /// Connect over TLS (implied by every other --ssl option); the server is
    /// checked against the webpki roots unless --ssl-cafile is given.
    #[arg(long)]
    pub ssl: bool,
    /// Trust the server when a certificate in FILE vouches for it: a CA, or
    /// the server's own self-signed certificate (rpyc's ca_certs).
    #[arg(long = "ssl-cafile", value_name = "FILE")]
    pub ssl_cafile: Option<PathBuf>,
    /// Present this client certificate (rpyc's certfile); its key is read
    /// from the same file unless --ssl-keyfile names another.
    #[arg(long = "ssl-certfile", value_name = "FILE")]
    pub ssl_certfile: Option<PathBuf>,
    /// The client certificate's private key (rpyc's keyfile).
    #[arg(long = "ssl-keyfile", value_name = "FILE", requires = "ssl_certfile")]
    pub ssl_keyfile: Option<PathBuf>,
    /// Accept a trusted certificate whatever host it names, as
    /// rpyc.ssl_connect(ca_certs=...) does.
    #[arg(long = "ssl-no-check-hostname")]
    pub ssl_no_check_hostname: bool,
    /// Do not check the server at all, as rpyc.ssl_connect without ca_certs
    /// does: the connection is encrypted, not authenticated.
    #[arg(long = "ssl-no-verify", conflicts_with_all = ["ssl_cafile", "ssl_no_check_hostname"])]
    pub ssl_no_verify: bool,
}

impl ClientTlsArgs {
    /// The TLS files and checks, when TLS was asked for.
    ///
    /// ```
    /// use oxrpc::net::tls::ServerCheck;
    /// use oxrpc_cli::cmd::transport::ClientTlsArgs;
    ///
    /// assert!(ClientTlsArgs::default().files().is_none());
    /// let like_rpyc = ClientTlsArgs {
    ///     ssl_cafile: Some("ca.pem".into()),
    ///     ssl_no_check_hostname: true,
    ///     ..ClientTlsArgs::default()
    /// };
    /// assert_eq!(like_rpyc.files().unwrap().server_check, ServerCheck::Certificate);
    /// ```
    pub fn files(&self) -> Option<ClientTlsFiles> {
        let server_check = if self.ssl_no_verify {
            ServerCheck::Nothing
        } else if self.ssl_no_check_hostname {
            ServerCheck::Certificate
        } else {
            ServerCheck::CertificateAndName
        };
        self.wanted().then(|| ClientTlsFiles {
            keyfile: self.ssl_keyfile.clone(),
            certfile: self.ssl_certfile.clone(),
            ca_certs: self.ssl_cafile.clone(),
            server_check,
        })
    }

    /// Whether TLS was asked for (any `--ssl` option).
    pub fn wanted(&self) -> bool {
        self.ssl
            || self.ssl_cafile.is_some()
            || self.ssl_certfile.is_some()
            || self.ssl_no_check_hostname
            || self.ssl_no_verify
    }

    /// A connector to `host:port`: over TLS when it was asked for.
    pub fn connector(&self, host: impl Into<String>, port: u16) -> Connector {
        match self.files() {
            Some(files) => Connector::tls(host, port, files),
            None => Connector::tcp(host, port),
        }
    }
}

impl ConnectArgs {
    /// A connector for `address`: `unix:PATH`, or `HOST[:PORT]` with
    /// `default_port` when the port is left out.
    ///
    /// ```
    /// use oxrpc_cli::cmd::transport::ConnectArgs;
    ///
    /// let args = ConnectArgs::default();
    /// assert_eq!(args.connector("unix:/run/a.sock", None).unwrap().describe(), "unix:/run/a.sock");
    /// assert_eq!(args.connector("example:18812", None).unwrap().describe(), "example:18812");
    /// assert_eq!(args.connector("example", Some(1)).unwrap().describe(), "example:1");
    /// ```
    pub fn connector(&self, address: &str, default_port: Option<u16>) -> anyhow::Result<Connector> {
        let connector = match address.strip_prefix("unix:") {
            Some(_) if self.tls.wanted() => {
                anyhow::bail!("TLS is for TCP servers; {address} is a Unix socket")
            }
            Some(path) => Connector::unix(path),
            None => {
                let (host, port) = crate::cmd::parse_host_port(address, default_port)?;
                self.tls.connector(host, port)
            }
        };
        self.apply(connector)
    }

    /// A connector to `host:port` (a server a registry named) with these
    /// options, TLS included.
    pub fn endpoint(&self, host: &str, port: u16) -> anyhow::Result<Connector> {
        self.apply(self.tls.connector(host, port))
    }

    /// `connector` with these options.
    pub fn apply(&self, connector: Connector) -> anyhow::Result<Connector> {
        let mut connector = connector
            .connect_timeout(Some(
                seconds(self.connect_timeout, "--connect-timeout")?
                    .unwrap_or(Duration::from_secs(30)),
            ))
            .keepalive(seconds(self.keepalive, "--keepalive")?);
        // rpyc's `sync_request_timeout=None`: a year stands for "no limit"
        // (an `Instant` cannot be pushed to the end of time).
        let timeout = match self.timeout {
            Some(0.0) => Some(Duration::from_secs(365 * 24 * 3600)),
            other => seconds(other, "--timeout")?,
        };
        if let Some(timeout) = timeout {
            connector = connector.config(oxrpc::rpyc::Config {
                sync_request_timeout: timeout,
                ..oxrpc::rpyc::Config::default()
            });
        }
        Ok(connector)
    }

    /// Connects to `host:port` over TCP with these options (for servers
    /// found in a registry).
    pub async fn connect_tcp(
        &self,
        host: &str,
        port: u16,
    ) -> std::io::Result<oxrpc::rpyc::Connection> {
        self.endpoint(host, port)
            .map_err(std::io::Error::other)?
            .connect()
            .await
    }
}

/// A `--flag SECS` value as a duration (positive, finite).
pub fn seconds(value: Option<f64>, flag: &str) -> anyhow::Result<Option<Duration>> {
    value
        .map(|s| {
            Duration::try_from_secs_f64(s)
                .ok()
                .filter(|d| !d.is_zero())
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "{flag} wants a positive number of seconds that fits a clock, got {s}"
                    )
                })
        })
        .transpose()
}
