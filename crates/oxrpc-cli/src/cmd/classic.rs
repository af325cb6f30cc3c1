//! `oxrpc classic ...`: a classic-mode server that stands in for rpyc's
//! `rpyc_classic`, and a classic-mode client.
//!
//! Options keep `rpyc_classic`'s names and defaults so one can replace the
//! other. Modes: `threaded` (a task per connection, each with its own
//! interpreter thread), `forking` (the same as threaded: connections are
//! already isolated in interpreters of their own, which is what forking buys
//! rpyc), `oneshot` (serves one connection, announcing the port the way
//! rpyc does), `stdio` (one connection over standard input and output).

use crate::cmd::xmlrpc::{runtime, shutdown_signal};
use clap::{Args, Subcommand, ValueEnum};
use oxrpc::rpyc::classic;
use oxrpc::rpyc::{Config, Connection, Server, ServerConfig, Value};
use oxrpc_python::ClassicService;
use std::future::Future;
use std::io::Read;
use std::sync::Arc;

#[derive(Subcommand)]
pub enum ClassicCommand {
    /// Serve classic mode (full remote control of this process's Python).
    Serve(ServeArgs),
    /// Evaluate EXPR on the classic server at HOST and print the result.
    Eval {
        /// host or host:port (default port 18812)
        host: String,
        /// A Python expression.
        expr: String,
    },
    /// Execute the statements in FILE (or - for standard input) on HOST.
    Exec {
        /// host or host:port
        host: String,
        /// A file of Python code, or - to read standard input.
        file: String,
    },
    /// Copy a local file to a path on the server.
    Upload {
        /// host or host:port
        host: String,
        /// Local file.
        src: String,
        /// Remote path.
        dst: String,
    },
    /// Copy a file from the server to a local path.
    Download {
        /// host or host:port
        host: String,
        /// Remote path.
        src: String,
        /// Local file.
        dst: String,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    Threaded,
    Forking,
    Oneshot,
    Stdio,
}

#[derive(Args, Clone)]
pub struct ServeArgs {
    /// The serving mode.
    #[arg(short = 'm', long, value_enum, default_value = "threaded")]
    pub mode: Mode,
    /// The TCP listener port (default 18812, 18821 with TLS).
    #[arg(short = 'p', long)]
    pub port: Option<u16>,
    /// The host to bind to (default localhost; ::1 with --ipv6).
    #[arg(long)]
    pub host: Option<String>,
    /// Enable IPv6.
    #[arg(long)]
    pub ipv6: bool,
    /// Log to this file instead of standard error.
    #[arg(long)]
    pub logfile: Option<String>,
    /// Quiet mode (only errors are logged).
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Most connections served at once.
    #[arg(long, default_value_t = 256)]
    pub max_connections: usize,
    #[command(flatten)]
    pub tls: crate::cmd::TlsArgs,
    #[command(flatten)]
    pub limits: crate::cmd::RpycLimitArgs,
}

/// rpyc's default port for TLS classic servers.
pub const DEFAULT_SSL_PORT: u16 = 18821;

fn host_port(address: &str) -> anyhow::Result<(String, u16)> {
    match address.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') || host.starts_with('[') => Ok((
            host.trim_matches(|c| c == '[' || c == ']').to_owned(),
            port.parse()?,
        )),
        _ => Ok((address.to_owned(), classic::DEFAULT_PORT)),
    }
}

fn remote(e: oxrpc::rpyc::RemoteException) -> anyhow::Error {
    anyhow::anyhow!("{e:#}")
}

pub fn run(command: ClassicCommand) -> anyhow::Result<()> {
    match command {
        ClassicCommand::Serve(args) => runtime()?.block_on(serve(args, shutdown_signal())),
        ClassicCommand::Eval { host, expr } => runtime()?.block_on(async move {
            let (host, port) = host_port(&host)?;
            let conn = classic::connect_port(&host, port).await?;
            let value = conn.eval(&expr).await.map_err(remote)?;
            println!("{}", render(&value).await);
            conn.close().await;
            Ok(())
        }),
        ClassicCommand::Exec { host, file } => runtime()?.block_on(async move {
            let (host, port) = host_port(&host)?;
            let code = if file == "-" {
                let mut code = String::new();
                std::io::stdin().read_to_string(&mut code)?;
                code
            } else {
                std::fs::read_to_string(&file)?
            };
            let conn = classic::connect_port(&host, port).await?;
            conn.execute(&code).await.map_err(remote)?;
            conn.close().await;
            Ok(())
        }),
        ClassicCommand::Upload { host, src, dst } => runtime()?.block_on(async move {
            let (host, port) = host_port(&host)?;
            let data = std::fs::read(&src)?;
            let conn = classic::connect_port(&host, port).await?;
            conn.upload(&data, &dst).await.map_err(remote)?;
            conn.close().await;
            Ok(())
        }),
        ClassicCommand::Download { host, src, dst } => runtime()?.block_on(async move {
            let (host, port) = host_port(&host)?;
            let conn = classic::connect_port(&host, port).await?;
            let data = conn.download(&src).await.map_err(remote)?;
            std::fs::write(&dst, data)?;
            conn.close().await;
            Ok(())
        }),
    }
}

async fn render(value: &Value) -> String {
    match value {
        Value::Brine(v) => v.to_string(),
        Value::Proxy(p) => p
            .repr()
            .await
            .unwrap_or_else(|e| format!("<unprintable: {e}>")),
        other => format!("{other:?}"),
    }
}

/// Serves classic mode until `shutdown`.
pub async fn serve(args: ServeArgs, shutdown: impl Future<Output = ()>) -> anyhow::Result<()> {
    let host = args.host.clone().unwrap_or_else(|| {
        if args.ipv6 {
            "::1".into()
        } else {
            "localhost".into()
        }
    });
    let port = args.port.unwrap_or(if args.tls.enabled() {
        DEFAULT_SSL_PORT
    } else {
        classic::DEFAULT_PORT
    });
    let name = format!("SLAVE/{port}");
    if args.mode == Mode::Stdio {
        let stream = tokio::io::join(tokio::io::stdin(), tokio::io::stdout());
        let connection =
            Connection::start(stream, Arc::new(ClassicService::new()), Config::default());
        connection.closed().await;
        return Ok(());
    }
    let addrs: Vec<std::net::SocketAddr> = tokio::net::lookup_host((host.as_str(), port))
        .await?
        .collect();
    let addr = addrs
        .iter()
        .find(|a| a.is_ipv6() == args.ipv6)
        .or_else(|| addrs.first())
        .copied()
        .ok_or_else(|| anyhow::anyhow!("{host} resolves to no address"))?;
    if !addr.ip().is_loopback() {
        let advice = if args.tls.ssl_cafile.is_some() {
            ""
        } else {
            " use it only on a trusted network, behind TLS with client certificates (--ssl-cafile)."
        };
        eprintln!(
            "WARNING:{name}: classic mode gives every client that connects full control of this \
             machine (it runs any Python code they send). Listening on {addr}, beyond loopback:{advice}"
        );
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
    let bound = listener.local_addr()?;
    if args.logfile.is_some() {
        tracing::info!(
            "{name}: server started on [{}]:{}",
            bound.ip(),
            bound.port()
        );
    } else if !args.quiet {
        eprintln!(
            "INFO:{name}:server started on [{}]:{}",
            bound.ip(),
            bound.port()
        );
    }
    let config = ServerConfig {
        max_connections: args.max_connections,
        log_connections: !args.quiet,
        service_name: name,
        tls: args.tls.acceptor()?,
        authenticator: args.tls.ssl_cafile.as_ref().map(|_| {
            Arc::new(oxrpc::rpyc::ClientCertificateAuthenticator)
                as Arc<dyn oxrpc::rpyc::Authenticator>
        }),
        connection: args.limits.connection_config(),
        ..ServerConfig::default()
    };
    let server = Server::with_config(|| Arc::new(ClassicService::new()), config);
    if args.mode == Mode::Oneshot {
        println!("rpyc-oneshot");
        println!("{}\t{}", bound.ip(), bound.port());
        server.serve_one(listener).await?;
    } else {
        server.serve_with_shutdown(listener, shutdown).await?;
    }
    Ok(())
}
