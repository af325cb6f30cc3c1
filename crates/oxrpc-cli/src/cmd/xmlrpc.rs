//! `oxrpc xmlrpc ...`: the notebook's XML-RPC server, and a client for any
//! XML-RPC server.
//!
//! The server answers GET on its RPC paths (and `/docs`) with the
//! documentation page, where each method can be tried from a browser
//! (`--no-docs` answers GET with 501, as CPython's `SimpleXMLRPCServer`
//! does). The client sends extra headers with `--header`, logs every
//! request and response with `--verbose`, and goes through the proxy
//! `HTTP_PROXY` names (unless `NO_PROXY` exempts the server).

use crate::cmd::{bind, block_on, resolve_bind, shutdown_signal};
use crate::json::{parse_arg, parse_tagged_arg, Printed};
use clap::{Args, Subcommand};
use oxrpc::net::ListenConfig;
use oxrpc::tutorial;
use oxrpc::xmlrpc::{blocking, Client, ClientBuilder, DocsConfig, Error, ServerConfig, Value};
use std::future::Future;

/// `oxrpc xmlrpc ...`.
#[derive(Subcommand)]
pub enum XmlRpcCommand {
    /// Serve the notebook's `list_contents` (plus system.* introspection).
    Serve(ServeArgs),
    /// Call METHOD on the server at URL; ARGs are JSON when they parse, else strings.
    Call {
        /// Server URL, e.g. http://localhost:9000, or
        /// http+unix://%2Fpath%2Fto.sock for a Unix socket
        url: String,
        /// Method name.
        method: String,
        /// Arguments (a negative number is an argument, not an option).
        #[arg(allow_negative_numbers = true)]
        args: Vec<String>,
        /// Read the tagged objects results print as (`{"base64": ...}`,
        /// `{"dateTime.iso8601": ...}`, `{"double": "nan"}`, `{"int": ...}`)
        /// in ARGs as those types, so a printed result can be sent back.
        #[arg(long)]
        tagged: bool,
        #[allow(missing_docs)]
        #[command(flatten)]
        client: ClientArgs,
    },
    /// List a server's methods with their signatures and help.
    Methods {
        /// Server URL.
        url: String,
        #[allow(missing_docs)]
        #[command(flatten)]
        client: ClientArgs,
    },
}

/// How `call` and `methods` reach the server.
#[derive(Args, Clone, Default)]
pub struct ClientArgs {
    /// Send this header with every request, as NAME:VALUE (repeatable).
    #[arg(long = "header", short = 'H', value_name = "NAME:VALUE")]
    pub headers: Vec<String>,
    /// Log every request and response (headers and bodies) to stderr.
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// Connect directly, ignoring HTTP_PROXY.
    #[arg(long)]
    pub no_proxy: bool,
    /// Give up connecting after SECS seconds (default 10).
    #[arg(long, value_name = "SECS")]
    pub connect_timeout: Option<f64>,
    /// Give up waiting for an answer after SECS seconds (default 30; 0
    /// waits for ever, as CPython's ServerProxy does).
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<f64>,
    /// Send TCP keepalive probes after SECS seconds idle.
    #[arg(long, value_name = "SECS")]
    pub keepalive: Option<f64>,
    /// Verify an https server against this CA certificate (PEM) instead
    /// of the built-in roots; without it, the file SSL_CERT_FILE names, as
    /// Python's ssl module reads it.
    #[arg(long = "ssl-cafile", value_name = "FILE")]
    pub ssl_cafile: Option<std::path::PathBuf>,
    /// Present this certificate (PEM) to an https server that asks for one;
    /// its key is read from the same file unless --ssl-keyfile names another.
    #[arg(long = "ssl-certfile", value_name = "FILE")]
    pub ssl_certfile: Option<std::path::PathBuf>,
    /// The private key of --ssl-certfile.
    #[arg(long = "ssl-keyfile", value_name = "FILE", requires = "ssl_certfile")]
    pub ssl_keyfile: Option<std::path::PathBuf>,
    /// Largest response accepted, in bytes after gunzip (default 64 MiB).
    #[arg(long, value_name = "BYTES")]
    pub max_response_size: Option<usize>,
    /// Most values in one response (default 1,000,000).
    #[arg(long, value_name = "N")]
    pub max_values: Option<usize>,
    /// Deepest nesting of arrays and structs in a response (default 64).
    #[arg(long, value_name = "N")]
    pub max_depth: Option<usize>,
}

impl ClientArgs {
    /// A blocking client for `url` with these settings.
    fn client(&self, url: &str) -> anyhow::Result<blocking::Client> {
        let mut builder: ClientBuilder = Client::builder(url).verbose(self.verbose);
        for header in &self.headers {
            let (name, value) = header
                .split_once(':')
                .ok_or_else(|| anyhow::anyhow!("--header wants NAME:VALUE, got {header:?}"))?;
            builder = builder.header(name.trim(), value.trim());
        }
        if self.no_proxy {
            builder = builder.proxy(None);
        }
        use crate::cmd::transport::seconds;
        if let Some(timeout) = seconds(self.connect_timeout, "--connect-timeout")? {
            builder = builder.connect_timeout(timeout);
        }
        match self.timeout {
            Some(0.0) => builder = builder.timeout(None),
            secs => {
                if let Some(timeout) = seconds(secs, "--timeout")? {
                    builder = builder.timeout(timeout);
                }
            }
        }
        builder = builder.tcp_keepalive(seconds(self.keepalive, "--keepalive")?);
        if let Some(bytes) = self.max_response_size {
            builder = builder.max_response_size(bytes);
        }
        let defaults = oxrpc::xmlrpc::Limits::for_responses();
        builder = builder.limits(oxrpc::xmlrpc::Limits {
            max_values: self.max_values.unwrap_or(defaults.max_values),
            max_depth: self.max_depth.unwrap_or(defaults.max_depth),
        });
        let cafile = self.ssl_cafile.clone().or_else(|| {
            std::env::var_os("SSL_CERT_FILE")
                .filter(|path| !path.is_empty())
                .map(std::path::PathBuf::from)
        });
        if cafile.is_some() || self.ssl_certfile.is_some() {
            builder = builder.tls_files(&oxrpc::net::tls::ClientTlsFiles {
                keyfile: self.ssl_keyfile.clone(),
                certfile: self.ssl_certfile.clone(),
                ca_certs: cafile,
                server_check: oxrpc::net::tls::ServerCheck::CertificateAndName,
            })?;
        }
        Ok(blocking::Client::from_async(builder)?)
    }
}

/// `oxrpc xmlrpc serve`'s options.
#[derive(Args, Clone)]
pub struct ServeArgs {
    /// Interface to bind.
    #[arg(long, default_value = "localhost")]
    pub host: String,
    /// Port to listen on.
    #[arg(long, short = 'p', default_value_t = tutorial::XMLRPC_PORT)]
    pub port: u16,
    /// Do not log each request.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Largest accepted request body, in bytes.
    #[arg(long, default_value_t = ServerConfig::default().max_body_size)]
    pub max_body_size: usize,
    /// Most connections served at once.
    #[arg(long, default_value_t = ServerConfig::default().listen.max_connections)]
    pub max_connections: usize,
    /// Largest request body after gunzip, in bytes.
    #[arg(long, default_value_t = ServerConfig::default().max_decompressed_size)]
    pub max_decompressed_size: usize,
    /// Deepest nesting of arrays and structs in a request.
    #[arg(long, default_value_t = ServerConfig::default().limits.max_depth)]
    pub max_depth: usize,
    /// Most values in one request.
    #[arg(long, default_value_t = ServerConfig::default().limits.max_values)]
    pub max_values: usize,
    /// Seconds a client has to send its request headers (and, separately, its body).
    #[arg(long, default_value_t = ServerConfig::default().header_read_timeout.as_secs())]
    pub read_timeout: u64,
    /// Require HTTP basic authentication, given as USER:PASSWORD.
    #[arg(long)]
    pub basic_auth: Option<String>,
    /// Largest response sent, in bytes (a fault beyond).
    #[arg(long, default_value_t = ServerConfig::default().max_response_size)]
    pub max_response_size: usize,
    /// Most bytes all connections together may hold in large requests and
    /// responses (503 or a fault beyond, after waiting for room).
    #[arg(long, default_value_t = ServerConfig::default().max_buffered)]
    pub max_buffered: usize,
    /// Answer GET with 501 (as CPython's SimpleXMLRPCServer) instead of the
    /// documentation page.
    #[arg(long)]
    pub no_docs: bool,
    /// The documentation page's title.
    #[arg(long, default_value_t = DocsConfig::default().server_title)]
    pub docs_title: String,
    /// The documentation page's heading.
    #[arg(long, default_value_t = DocsConfig::default().server_name)]
    pub docs_name: String,
    /// The text under the documentation page's heading.
    #[arg(long, default_value_t = DocsConfig::default().server_documentation)]
    pub docs_text: String,
    /// Seconds a write may make no progress before the client is dropped (0: never).
    #[arg(long, default_value_t = 30)]
    pub write_timeout: u64,
    /// When full, close the longest-idle connection if idle ones hold more
    /// than this share of the slots (1: never).
    #[arg(long, default_value_t = oxrpc::net::ListenConfig::default().idle_share)]
    pub idle_share: f64,
    #[allow(missing_docs)]
    #[command(flatten)]
    pub tls: crate::cmd::TlsArgs,
    #[allow(missing_docs)]
    #[command(flatten)]
    pub socket: crate::cmd::transport::ServerSocketArgs,
}

impl ServeArgs {
    /// The notebook's defaults, on the notebook's port.
    pub fn notebook(host: String, quiet: bool) -> ServeArgs {
        let defaults = ServerConfig::default();
        ServeArgs {
            host,
            port: tutorial::XMLRPC_PORT,
            quiet,
            max_body_size: defaults.max_body_size,
            max_connections: defaults.listen.max_connections,
            max_decompressed_size: defaults.max_decompressed_size,
            max_depth: defaults.limits.max_depth,
            max_values: defaults.limits.max_values,
            read_timeout: defaults.header_read_timeout.as_secs(),
            basic_auth: None,
            no_docs: false,
            docs_title: DocsConfig::default().server_title,
            docs_name: DocsConfig::default().server_name,
            docs_text: DocsConfig::default().server_documentation,
            max_response_size: defaults.max_response_size,
            max_buffered: defaults.max_buffered,
            write_timeout: 30,
            idle_share: defaults.listen.idle_share,
            tls: Default::default(),
            socket: Default::default(),
        }
    }
}

/// Runs an `xmlrpc` sub-command.
pub fn run(command: XmlRpcCommand) -> anyhow::Result<()> {
    match command {
        XmlRpcCommand::Serve(args) => block_on(serve(args, shutdown_signal())),
        XmlRpcCommand::Call {
            url,
            method,
            args,
            tagged,
            client,
        } => {
            let client = client.client(&url)?;
            let params = match tagged {
                true => args
                    .iter()
                    .map(|a| parse_tagged_arg(a))
                    .collect::<Result<_, _>>()
                    .map_err(anyhow::Error::msg)?,
                false => args.iter().map(|a| parse_arg(a)).collect(),
            };
            let value = client.call_value(&method, params).map_err(failed)?;
            println!("{}", serde_json::to_string_pretty(&Printed(&value))?);
            Ok(())
        }
        XmlRpcCommand::Methods { url, client } => {
            let client = client.client(&url)?;
            let names: Vec<String> = client.call("system.listMethods", ()).map_err(failed)?;
            for name in names {
                // A server may list its methods and answer nothing more
                // (no methodSignature or methodHelp registered, or a help
                // of None): the list is still worth printing.
                let signature = unless_refused(
                    client.call_value("system.methodSignature", vec![name.clone().into()]),
                )?;
                let help = unless_refused(
                    client.call_value("system.methodHelp", vec![name.clone().into()]),
                )?;
                let signature = signature
                    .as_ref()
                    .map(describe_signature)
                    .unwrap_or_default();
                match signature.is_empty() {
                    true => println!("{name}"),
                    false => println!("{name}  {signature}"),
                }
                let help = help.as_ref().and_then(Value::as_str).unwrap_or_default();
                for line in help.trim_matches('\n').lines() {
                    println!("    {line}");
                }
            }
            Ok(())
        }
    }
}

/// The answer, or `None` when the server refused the call with a fault.
fn unless_refused(answer: Result<Value, Error>) -> anyhow::Result<Option<Value>> {
    match answer {
        Ok(value) => Ok(Some(value)),
        Err(Error::Fault(_) | Error::NonStandardFault(_)) => Ok(None),
        Err(other) => Err(failed(other)),
    }
}

/// A failed call as the command reports it: a fault by its code and
/// string, anything else as it is.
fn failed(error: Error) -> anyhow::Error {
    match error {
        Error::Fault(fault) => anyhow::anyhow!("fault {}: {}", fault.code, fault.string),
        other => other.into(),
    }
}

fn describe_signature(signature: &Value) -> String {
    let Some(signatures) = signature.as_array() else {
        return String::new();
    };
    signatures
        .iter()
        .filter_map(Value::as_array)
        .map(|types| {
            let names: Vec<&str> = types.iter().filter_map(Value::as_str).collect();
            match names.split_first() {
                Some((ret, args)) => format!("({}) -> {ret}", args.join(", ")),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Binds and serves the notebook's XML-RPC server until `shutdown`.
pub async fn serve(args: ServeArgs, shutdown: impl Future<Output = ()>) -> anyhow::Result<()> {
    let (listener, addr) = match args.socket.bind()? {
        Some(listener) => (listener, None),
        None => {
            let addr = resolve_bind(&args.host, args.port, false).await?;
            (bind(addr).await?.into(), Some(addr))
        }
    };
    let basic_auth = match &args.basic_auth {
        Some(pair) => {
            let (user, password) = pair
                .split_once(':')
                .ok_or_else(|| anyhow::anyhow!("--basic-auth wants USER:PASSWORD"))?;
            Some(oxrpc::xmlrpc::BasicAuth {
                user: user.to_owned(),
                password: password.to_owned(),
            })
        }
        None => None,
    };
    let timeout = std::time::Duration::from_secs(args.read_timeout.max(1));
    let defaults = ServerConfig::default();
    let config = ServerConfig {
        log_requests: !args.quiet,
        max_body_size: args.max_body_size,
        max_decompressed_size: args.max_decompressed_size,
        limits: oxrpc::xmlrpc::Limits {
            max_depth: args.max_depth,
            max_values: args.max_values,
        },
        header_read_timeout: timeout,
        body_read_timeout: timeout,
        max_response_size: args.max_response_size,
        max_buffered: args.max_buffered,
        listen: ListenConfig {
            telemetry: crate::cmd::metrics::server("xmlrpc"),
            shutdown_grace: defaults.listen.shutdown_grace,
            write_timeout: (args.write_timeout > 0)
                .then(|| std::time::Duration::from_secs(args.write_timeout)),
            idle_share: args.idle_share,
            ..args
                .tls
                .listen_config("xmlrpc", args.max_connections, false)?
        },
        basic_auth,
        docs: (!args.no_docs).then(|| DocsConfig {
            server_title: args.docs_title.clone(),
            server_name: args.docs_name.clone(),
            server_documentation: args.docs_text.clone(),
        }),
        ..defaults
    };
    let scheme = if config.listen.tls.is_some() {
        "https"
    } else {
        "http"
    };
    let server_docs = config.docs.is_some();
    let server = tutorial::xmlrpc_server(config);
    // On a Unix socket, the URL oxrpc's client takes for it.
    let base = match (listener.local_addr().or(addr), args.socket.path()) {
        (Some(bound), _) => format!("{scheme}://{bound}"),
        (None, path) => format!(
            "{scheme}+unix://{}",
            path.unwrap_or_default()
                .replace('%', "%25")
                .replace('/', "%2F")
        ),
    };
    let docs = if server_docs {
        format!(", documentation on {base}/docs")
    } else {
        String::new()
    };
    println!("XML-RPC server ready on {base}/ (list_contents{docs}); use Control-C to exit");
    server.serve_with_shutdown(listener, shutdown).await?;
    Ok(())
}
