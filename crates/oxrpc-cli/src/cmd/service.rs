//! `oxrpc service ...`: the notebook's RPyC service, and a client for any
//! RPyC service.

use crate::cmd::resolve_bind;
use crate::cmd::xmlrpc::{runtime, shutdown_signal};
use clap::{Args, Subcommand};
use oxrpc::rpyc::{self, BrineValue, Server, ServerConfig, Value};
use oxrpc::tutorial;
use std::future::Future;
use std::sync::Arc;

#[derive(Subcommand)]
pub enum ServiceCommand {
    /// Serve the notebook's MyService (get_answer, the_real_answer_though).
    Serve(ServeArgs),
    /// Call NAME on the root of the service at HOST:PORT (an attribute when
    /// no ARG is given and it is not callable); ARGs are JSON when they parse.
    Call {
        /// host:port, e.g. localhost:18861
        address: String,
        /// Method or attribute name.
        name: String,
        /// Arguments.
        args: Vec<String>,
    },
}

#[derive(Args, Clone)]
pub struct ServeArgs {
    /// Interface to bind.
    #[arg(long, default_value = "localhost")]
    pub host: String,
    /// Port to listen on.
    #[arg(long, short = 'p', default_value_t = tutorial::SERVICE_PORT)]
    pub port: u16,
    /// Most connections served at once.
    #[arg(long, default_value_t = ServerConfig::default().max_connections)]
    pub max_connections: usize,
    /// Do not log connections.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    #[command(flatten)]
    pub tls: crate::cmd::TlsArgs,
    #[command(flatten)]
    pub limits: crate::cmd::RpycLimitArgs,
}

pub fn run(command: ServiceCommand) -> anyhow::Result<()> {
    match command {
        ServiceCommand::Serve(args) => runtime()?.block_on(serve(args, shutdown_signal())),
        ServiceCommand::Call {
            address,
            name,
            args,
        } => {
            let (host, port) = address
                .rsplit_once(':')
                .and_then(|(h, p)| Some((h.to_owned(), p.parse::<u16>().ok()?)))
                .ok_or_else(|| anyhow::anyhow!("expected HOST:PORT, got {address}"))?;
            runtime()?.block_on(async move {
                let conn = rpyc::connect(&host, port).await?;
                let root = conn.root().await.map_err(|e| anyhow::anyhow!("{e:#}"))?;
                let values: Vec<Value> = args.iter().map(|a| from_json_arg(a)).collect();
                let result = if values.is_empty() {
                    match root
                        .getattr(&name)
                        .await
                        .map_err(|e| anyhow::anyhow!("{e:#}"))?
                    {
                        Value::Proxy(p) if is_callable(&p) => p.invoke(()).await,
                        other => Ok(other),
                    }
                } else {
                    root.call(&name, values).await
                };
                let value = result.map_err(|e| anyhow::anyhow!("{e:#}"))?;
                println!("{}", render(&value).await);
                conn.close().await;
                Ok(())
            })
        }
    }
}

fn is_callable(proxy: &rpyc::Proxy) -> bool {
    matches!(
        proxy.id_pack().type_name.as_str(),
        "builtins.method" | "builtins.function" | "builtins.builtin_function_or_method"
    )
}

async fn render(value: &Value) -> String {
    match value {
        Value::Brine(BrineValue::Str(s)) => s.clone(),
        Value::Brine(v) => v.to_string(),
        Value::Proxy(p) => p
            .str()
            .await
            .unwrap_or_else(|e| format!("<unprintable: {e}>")),
        other => format!("{other:?}"),
    }
}

fn from_json_arg(arg: &str) -> Value {
    fn convert(json: serde_json::Value) -> BrineValue {
        match json {
            serde_json::Value::Null => BrineValue::None,
            serde_json::Value::Bool(b) => BrineValue::Bool(b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => BrineValue::Int(i),
                None => BrineValue::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) => BrineValue::Str(s),
            serde_json::Value::Array(items) => {
                BrineValue::Tuple(items.into_iter().map(convert).collect())
            }
            serde_json::Value::Object(members) => BrineValue::Tuple(
                members
                    .into_iter()
                    .map(|(k, v)| BrineValue::Tuple(vec![BrineValue::Str(k), convert(v)]))
                    .collect(),
            ),
        }
    }
    match serde_json::from_str(arg) {
        Ok(json) => Value::Brine(convert(json)),
        Err(_) => Value::Brine(BrineValue::Str(arg.to_owned())),
    }
}

/// Binds and serves the notebook's MyService until `shutdown`.
pub async fn serve(args: ServeArgs, shutdown: impl Future<Output = ()>) -> anyhow::Result<()> {
    let addr = resolve_bind(&args.host, args.port).await?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
    let config = ServerConfig {
        max_connections: args.max_connections,
        log_connections: !args.quiet,
        service_name: "MYSERVICE".into(),
        tls: args.tls.acceptor()?,
        authenticator: args.tls.ssl_cafile.as_ref().map(|_| {
            Arc::new(rpyc::ClientCertificateAuthenticator) as Arc<dyn rpyc::Authenticator>
        }),
        connection: args.limits.connection_config(),
        ..ServerConfig::default()
    };
    println!(
        "MYSERVICE/{}: server started on [{}]:{}",
        addr.port(),
        addr.ip(),
        addr.port()
    );
    Server::with_config(|| Arc::new(tutorial::MyService), config)
        .serve_with_shutdown(listener, shutdown)
        .await?;
    Ok(())
}
