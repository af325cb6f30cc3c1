//! `oxrpc service ...`: the notebook's RPyC service, and a client for any
//! RPyC service.

use crate::cmd::{bind, block_on, resolve_bind, shutdown_signal};
use crate::json::to_rpyc_value;
use clap::{Args, Subcommand};
use oxrpc::rpyc::{self, Server, ServerConfig, Value};
use oxrpc::tutorial;
use std::future::Future;
use std::sync::Arc;

/// `oxrpc service ...`.
#[derive(Subcommand)]
pub enum ServiceCommand {
    /// Serve the notebook's MyService (get_answer, the_real_answer_though).
    Serve(ServeArgs),
    /// Call NAME on the root of the service at HOST:PORT or unix:PATH (an
    /// attribute when no ARG is given and it is not callable); ARGs are JSON
    /// when they parse. With --by-name SERVICE, leave out the address: the
    /// server is found in a registry.
    Call {
        /// Find the server in a registry by this service name (e.g. MY)
        /// instead of giving HOST:PORT.
        #[arg(long, value_name = "SERVICE")]
        by_name: Option<String>,
        #[allow(missing_docs)]
        #[command(flatten)]
        registry: crate::cmd::registry::RegistryArgs,
        #[allow(missing_docs)]
        #[command(flatten)]
        connect: crate::cmd::transport::ConnectArgs,
        /// host:port, e.g. localhost:18861, or unix:PATH (the method name
        /// with --by-name)
        address: String,
        /// Method or attribute name (the first argument with --by-name).
        name: Option<String>,
        /// Arguments (a negative number is an argument, not an option).
        #[arg(allow_negative_numbers = true)]
        args: Vec<String>,
        /// A keyword argument, NAME=VALUE, the value read as ARGs are
        /// (repeatable).
        #[arg(long = "kw", value_name = "NAME=VALUE")]
        kwargs: Vec<String>,
    },
}

/// `oxrpc service serve`'s options.
#[derive(Args, Clone)]
pub struct ServeArgs {
    /// Interface to bind: by default every IPv4 interface, as the
    /// notebook's `ThreadedServer(MyService, port=18861)` binds (a
    /// service exposes only its exposed members; classic mode, which
    /// exposes the whole host, binds localhost).
    #[arg(long, default_value = "0.0.0.0")]
    pub host: String,
    /// Port to listen on.
    #[arg(long, short = 'p', default_value_t = tutorial::SERVICE_PORT)]
    pub port: u16,
    /// Most connections served at once.
    #[arg(long, default_value_t = ServerConfig::default().listen.max_connections)]
    pub max_connections: usize,
    /// Do not log connections.
    #[arg(long, short = 'q')]
    pub quiet: bool,
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
    pub socket: crate::cmd::transport::ServerSocketArgs,
}

/// Runs a `service` sub-command.
pub fn run(command: ServiceCommand) -> anyhow::Result<()> {
    match command {
        ServiceCommand::Serve(args) => block_on(serve(args, shutdown_signal())),
        ServiceCommand::Call {
            by_name,
            registry,
            connect,
            address,
            name,
            mut args,
            kwargs,
        } => {
            let kwargs = kwargs
                .iter()
                .map(|pair| match pair.split_once('=') {
                    Some((name, value)) if !name.is_empty() => {
                        Ok((name.to_owned(), to_rpyc_value(value)))
                    }
                    _ => Err(anyhow::anyhow!("--kw wants NAME=VALUE, got {pair:?}")),
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            // Python refuses a keyword given twice (a SyntaxError).
            for (i, (name, _)) in kwargs.iter().enumerate() {
                if kwargs[..i].iter().any(|(earlier, _)| earlier == name) {
                    anyhow::bail!("keyword argument repeated: {name}");
                }
            }
            // With --by-name there is no address: the words shift left.
            let (target, name) = match (by_name, name) {
                (Some(service), name) => {
                    args.splice(0..0, name);
                    (Target::ByName(service), address)
                }
                (None, Some(name)) => (
                    Target::At(Box::new(connect.connector(&address, None)?)),
                    name,
                ),
                (None, None) => anyhow::bail!("expected HOST:PORT NAME [ARG]..., or --by-name"),
            };
            block_on(async move {
                let conn = match target {
                    Target::At(connector) => connector.connect().await?,
                    Target::ByName(service) => {
                        let connect = |host: String, port| {
                            let connect = connect.clone();
                            async move { connect.connect_tcp(&host, port).await }
                        };
                        registry.connect_by_name(&service, connect).await?
                    }
                };
                let root = conn.root().await.map_err(|e| anyhow::anyhow!("{e:#}"))?;
                let values: Vec<Value> = args.iter().map(|a| to_rpyc_value(a)).collect();
                let result = if !kwargs.is_empty() {
                    root.call_kw::<Value>(&name, values, kwargs).await
                } else if values.is_empty() {
                    match root
                        .getattr(&name)
                        .await
                        .map_err(|e| anyhow::anyhow!("{e:#}"))?
                    {
                        Value::Proxy(p) if is_callable(&p) => p.invoke(()).await,
                        other => Ok(other),
                    }
                } else {
                    root.call_value(&name, values).await
                };
                let value = result.map_err(crate::cmd::rpyc_failure)?;
                let text = crate::cmd::render_rpyc(&value, false)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e:#}"))?;
                println!("{text}");
                conn.close().await;
                Ok(())
            })
        }
    }
}

/// Where `service call` finds its server.
enum Target {
    /// At a known address.
    At(Box<rpyc::Connector>),
    /// In a registry, by service name.
    ByName(String),
}

/// Whether NAME without ARGs is called rather than shown: a method or
/// function, a builtin one, or a slot wrapper (`__hash__`, `__str__`).
fn is_callable(proxy: &rpyc::Proxy) -> bool {
    matches!(
        proxy.id_pack().type_name.as_str(),
        "builtins.method"
            | "builtins.function"
            | "builtins.builtin_function_or_method"
            | "builtins.method-wrapper"
    )
}

/// Binds and serves the notebook's MyService until `shutdown`.
pub async fn serve(args: ServeArgs, shutdown: impl Future<Output = ()>) -> anyhow::Result<()> {
    // rpyc names a service by its class name's aliases (MY), registers it
    // under them, and its ThreadedServer logs as `get_service_name()/PORT`.
    let aliases = rpyc::registry::service_aliases(rpyc::RpcObject::type_name(&tutorial::MyService));
    let service_name = aliases.first().cloned().unwrap_or_default();
    let config = ServerConfig {
        listen: args
            .tls
            .listen_config(&service_name, args.max_connections, !args.quiet)?,
        connection: args.limits.connection_config(),
    };
    let config = ServerConfig {
        listen: oxrpc::net::ListenConfig {
            telemetry: crate::cmd::metrics::server("service"),
            write_timeout: args.limits.write_timeout(),
            idle_share: args.limits.idle_share,
            ..config.listen
        },
        ..config
    };
    let server = Server::with_config(|| Arc::new(tutorial::MyService), config);
    if args.socket.socket.is_some() && args.registry.register {
        anyhow::bail!("--register needs a TCP port: a server on a Unix socket is not registered");
    }
    if let Some(listener) = args.socket.bind()? {
        let path = args.socket.path().unwrap_or_default();
        println!("{service_name}/{path}: server started on []:{path}");
        server.serve_with_shutdown(listener, shutdown).await?;
        return Ok(());
    }
    let addr = resolve_bind(&args.host, args.port, false).await?;
    let listener = bind(addr).await?;
    let addr = listener.local_addr()?;
    let registration = args.registry.start(aliases, addr)?;
    let shutdown = crate::cmd::registry::unregister_after(shutdown, registration);
    println!(
        "{service_name}/{}: server started on [{}]:{}",
        addr.port(),
        addr.ip(),
        addr.port()
    );
    server.serve_with_shutdown(listener, shutdown).await?;
    Ok(())
}
