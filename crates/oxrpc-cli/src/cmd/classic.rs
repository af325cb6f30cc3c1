//! `oxrpc classic ...`: a classic-mode server that stands in for rpyc's
//! `rpyc_classic`, and a classic-mode client.
//!
//! Options keep `rpyc_classic`'s names and defaults so one can replace the
//! other. Modes: `threaded` (a task per connection, each with its own
//! interpreter thread), `forking` (the same as threaded: connections are
//! already isolated in interpreters of their own, which is what forking buys
//! rpyc), `oneshot` (serves one connection, announcing the port the way
//! rpyc does), `stdio` (one connection over standard input and output).
//! `--python` picks the interpreter (the embedded RustPython, or the host's
//! CPython in a build with the `cpython` feature; see `classic_python`).
//! `--socket PATH` serves on a Unix socket, and the clients take
//! `unix:PATH` for HOST (see `transport`).

use crate::cmd::transport::{ConnectArgs, ServerSocketArgs};
use crate::cmd::{bind, block_on, resolve_bind, shutdown_signal};
use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use oxrpc::python::ClassicService;
use oxrpc::rpyc::classic;
use oxrpc::rpyc::{Config, Server, ServerConfig};
use std::future::Future;
use std::io::Read;
use std::sync::Arc;

/// `oxrpc classic ...`.
#[derive(Subcommand)]
pub enum ClassicCommand {
    /// Serve classic mode (full remote control of this process's Python).
    Serve(ServeArgs),
    /// Evaluate EXPR on the classic server at HOST and print the result.
    /// With --by-name SERVICE, leave out HOST: the server is found in a
    /// registry (rpyc_classic --register registers SLAVE).
    Eval {
        /// Find the server in a registry by this service name (e.g. SLAVE)
        /// instead of giving HOST.
        #[arg(long, value_name = "SERVICE")]
        by_name: Option<String>,
        #[allow(missing_docs)]
        #[command(flatten)]
        registry: crate::cmd::registry::RegistryArgs,
        #[allow(missing_docs)]
        #[command(flatten)]
        connect: ConnectArgs,
        /// host, host:port (default port 18812) or unix:PATH; the expression with --by-name
        host: String,
        /// A Python expression (one starting with `-`, such as `-2**64`,
        /// too).
        #[arg(allow_hyphen_values = true)]
        expr: Option<String>,
    },
    /// Execute the statements in FILE (or - for standard input) on HOST.
    Exec {
        #[allow(missing_docs)]
        #[command(flatten)]
        connect: ConnectArgs,
        /// host, host:port or unix:PATH
        host: String,
        /// A file of Python code, or - to read standard input.
        file: String,
    },
    /// Copy a local file, or a directory and all it holds, to a path on
    /// the server.
    Upload {
        #[allow(missing_docs)]
        #[command(flatten)]
        connect: ConnectArgs,
        /// host, host:port or unix:PATH
        host: String,
        /// Local file or directory.
        src: String,
        /// Remote path.
        dst: String,
    },
    /// Copy a file, or a directory and all it holds, from the server to a
    /// local path.
    Download {
        #[allow(missing_docs)]
        #[command(flatten)]
        connect: ConnectArgs,
        /// host, host:port or unix:PATH
        host: String,
        /// Remote path.
        src: String,
        /// Local file or directory.
        dst: String,
    },
    /// An interactive Python prompt on the server at HOST (line editing,
    /// history, Tab completion of remote names; Ctrl-D leaves).
    Shell {
        /// Find the server in a registry by this service name (e.g. SLAVE)
        /// instead of giving HOST.
        #[arg(long, value_name = "SERVICE")]
        by_name: Option<String>,
        #[allow(missing_docs)]
        #[command(flatten)]
        registry: crate::cmd::registry::RegistryArgs,
        #[allow(missing_docs)]
        #[command(flatten)]
        tls: crate::cmd::transport::ClientTlsArgs,
        /// host or host:port (default port 18812, 18821 over TLS); left out
        /// with --by-name
        host: Option<String>,
    },
}

/// rpyc_classic's serving modes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// A task per connection, each with its own interpreter.
    Threaded,
    /// The same as threaded: connections are already isolated.
    Forking,
    /// Serve one connection, announcing the port as rpyc does.
    Oneshot,
    /// One connection over standard input and output.
    Stdio,
}

/// `oxrpc classic serve`'s options (rpyc_classic's names and defaults).
#[derive(Args, Clone)]
pub struct ServeArgs {
    /// The serving mode (any case, as rpyc_classic takes it).
    #[arg(
        short = 'm',
        long,
        value_enum,
        ignore_case = true,
        default_value = "threaded"
    )]
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
    #[allow(missing_docs)]
    #[command(flatten)]
    pub tls: crate::cmd::TlsArgs,
    #[allow(missing_docs)]
    #[command(flatten)]
    pub limits: crate::cmd::RpycLimitArgs,
    #[allow(missing_docs)]
    #[command(flatten)]
    pub registry: crate::cmd::registry::RegisterArgs,
    #[allow(missing_docs)]
    #[command(flatten)]
    pub interpreter: crate::cmd::classic_python::InterpreterArgs,
    #[allow(missing_docs)]
    #[command(flatten)]
    pub socket: ServerSocketArgs,
}

/// rpyc's default port for TLS classic servers.
pub const DEFAULT_SSL_PORT: u16 = 18821;

/// A classic server's port when an address leaves it out: rpyc's 18812,
/// or over TLS 18821 (`rpyc.classic.ssl_connect`'s default).
pub(crate) fn default_port(tls: &crate::cmd::transport::ClientTlsArgs) -> u16 {
    if tls.wanted() {
        DEFAULT_SSL_PORT
    } else {
        classic::DEFAULT_PORT
    }
}

/// Connects to the classic server at `address` (`host[:port]` or `unix:PATH`).
async fn connect_to(
    address: &str,
    options: &ConnectArgs,
) -> anyhow::Result<classic::ClassicConnection> {
    let connector = options.connector(address, Some(default_port(&options.tls)))?;
    Ok(classic::connect_with(&connector).await?)
}

/// A call's failure as the command reports it (see `rpyc_failure`).
pub(super) fn remote(e: oxrpc::rpyc::Error) -> anyhow::Error {
    crate::cmd::rpyc_failure(e)
}

/// Runs a `classic` sub-command.
pub fn run(command: ClassicCommand) -> anyhow::Result<()> {
    match command {
        ClassicCommand::Serve(args) => block_on(serve(args, shutdown_signal())),
        ClassicCommand::Eval {
            by_name,
            registry,
            connect,
            host,
            expr,
        } => block_on(async move {
            let (conn, expr) = match (by_name, expr) {
                // With --by-name there is no host: the expression comes first.
                (Some(service), None) => {
                    let connect = |host: String, port| {
                        let connector = connect.endpoint(&host, port);
                        async move {
                            classic::connect_with(&connector.map_err(std::io::Error::other)?).await
                        }
                    };
                    (registry.connect_by_name(&service, connect).await?, host)
                }
                (None, Some(expr)) => (connect_to(&host, &connect).await?, expr),
                (Some(_), Some(_)) => anyhow::bail!("with --by-name, give only EXPR"),
                (None, None) => anyhow::bail!("expected HOST EXPR, or --by-name SERVICE EXPR"),
            };
            let value = conn.eval(&expr).await.map_err(remote)?;
            let text = crate::cmd::render_rpyc(&value, true)
                .await
                .map_err(remote)?;
            println!("{text}");
            conn.close().await;
            Ok(())
        }),
        ClassicCommand::Exec {
            connect,
            host,
            file,
        } => block_on(async move {
            let code = if file == "-" {
                let mut code = String::new();
                std::io::stdin().read_to_string(&mut code)?;
                code
            } else {
                std::fs::read_to_string(&file).with_context(|| format!("reading {file}"))?
            };
            let conn = connect_to(&host, &connect).await?;
            conn.execute(&code).await.map_err(remote)?;
            conn.close().await;
            Ok(())
        }),
        ClassicCommand::Upload {
            connect,
            host,
            src,
            dst,
        } => block_on(async move {
            let conn = connect_to(&host, &connect).await?;
            let copied = crate::cmd::classic_transfer::upload(&conn, src.as_ref(), dst).await;
            conn.close().await;
            copied
        }),
        ClassicCommand::Download {
            connect,
            host,
            src,
            dst,
        } => block_on(async move {
            let conn = connect_to(&host, &connect).await?;
            let copied = crate::cmd::classic_transfer::download(&conn, src, dst.as_ref()).await;
            conn.close().await;
            copied
        }),
        ClassicCommand::Shell {
            by_name,
            registry,
            tls,
            host,
        } => {
            use crate::cmd::classic_shell::{run, Target};
            match (by_name, host) {
                (None, Some(host)) => run(Target::Address(host), &tls),
                (Some(service), None) => run(Target::ByName { service, registry }, &tls),
                (Some(_), Some(_)) => anyhow::bail!("with --by-name, leave out HOST"),
                (None, None) => anyhow::bail!("expected HOST, or --by-name SERVICE"),
            }
        }
    }
}

/// Serves classic mode until `shutdown`.
pub async fn serve(args: ServeArgs, shutdown: impl Future<Output = ()>) -> anyhow::Result<()> {
    use crate::cmd::classic_python::{space, Space};
    // Over pipes rpyc_classic serves its full-duplex ClassicService.
    let stdio = args.mode == Mode::Stdio;
    match space(&args.interpreter)? {
        Space::RustPython(space) => {
            space.build_spares();
            let factory =
                move || Arc::new(ClassicService::with_space(space.clone()).full_duplex(stdio));
            serve_on(args, shutdown, factory).await
        }
        #[cfg(feature = "cpython")]
        Space::CPython(space) => {
            let factory = move || {
                Arc::new(
                    oxrpc::cpython::ClassicService::with_space(space.clone()).full_duplex(stdio),
                )
            };
            serve_on(args, shutdown, factory).await
        }
    }
}

/// Serves classic mode with one service from `factory` per connection.
async fn serve_on<S: oxrpc::rpyc::Service>(
    args: ServeArgs,
    shutdown: impl Future<Output = ()>,
    factory: impl Fn() -> Arc<S> + Send + Sync + 'static,
) -> anyhow::Result<()> {
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
    // rpyc_classic checks its registry options in every mode.
    args.registry.registry.client()?;
    if args.socket.socket.is_some()
        && (args.mode == Mode::Stdio || args.ipv6 || args.registry.register)
    {
        anyhow::bail!("--socket does not go with -m stdio, --ipv6 or --register");
    }
    if let Some(listener) = args.socket.bind()? {
        let name = format!("SLAVE/{}", args.socket.path().unwrap_or_default());
        return serve_listener(args, shutdown, factory, name, listener, None).await;
    }
    if args.mode == Mode::Stdio {
        // Standard output is the wire: nothing else may write to it.
        let connection = oxrpc::rpyc::connect_stdio(factory(), Config::default())?;
        connection.closed().await;
        return Ok(());
    }
    let name = format!("SLAVE/{port}");
    let addr = resolve_bind(&host, port, args.ipv6).await?;
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
    let listener = bind(addr).await?;
    let bound = listener.local_addr()?;
    // Named by the port bound, which `-p 0` leaves to the system.
    let name = format!("SLAVE/{}", bound.port());
    serve_listener(args, shutdown, factory, name, listener.into(), Some(bound)).await
}

/// Serves on `listener`: TCP, bound at `bound`, or the `--socket`.
async fn serve_listener<S: oxrpc::rpyc::Service>(
    args: ServeArgs,
    shutdown: impl Future<Output = ()>,
    factory: impl Fn() -> Arc<S> + Send + Sync + 'static,
    name: String,
    listener: oxrpc::net::Listener,
    bound: Option<std::net::SocketAddr>,
) -> anyhow::Result<()> {
    // rpyc's log line and oneshot announcement: `[host]:port`, or `[]:PATH`.
    let (shown_host, shown_port) = match bound {
        Some(bound) => (bound.ip().to_string(), bound.port().to_string()),
        None => (String::new(), args.socket.path().unwrap_or_default()),
    };
    let config = ServerConfig {
        listen: args
            .tls
            .listen_config(name.clone(), args.max_connections, !args.quiet)?,
        connection: args.limits.connection_config(),
    };
    let config = ServerConfig {
        listen: oxrpc::net::ListenConfig {
            telemetry: crate::cmd::metrics::server("classic"),
            write_timeout: args.limits.write_timeout(),
            idle_share: args.limits.idle_share,
            ..config.listen
        },
        ..config
    };
    // Announced once the TLS files are read: a server that cannot start
    // never says it has.
    if args.logfile.is_some() {
        tracing::info!("{name}: server started on [{shown_host}]:{shown_port}");
    } else if !args.quiet {
        eprintln!("INFO:{name}:server started on [{shown_host}]:{shown_port}");
    }
    let server = Server::with_config(factory, config);
    // rpyc_classic serves rpyc.core.SlaveService: it registers SLAVE.
    let aliases = oxrpc::rpyc::registry::service_aliases(oxrpc::rpyc::RpcObject::type_name(
        &ClassicService::new(),
    ));
    let registration = match bound {
        Some(bound) => args.registry.start(aliases, bound)?,
        None => None,
    };
    if args.mode == Mode::Oneshot {
        println!("rpyc-oneshot");
        println!("{shown_host}\t{shown_port}");
        server.serve_one(listener).await?;
        crate::cmd::registry::unregister_after(async {}, registration).await;
    } else {
        let shutdown = crate::cmd::registry::unregister_after(shutdown, registration);
        server.serve_with_shutdown(listener, shutdown).await?;
    }
    Ok(())
}
