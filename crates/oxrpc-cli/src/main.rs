//! The `oxrpc` command line.

use oxrpc_cli::cmd;

use clap::{Parser, Subcommand};
use tracing_subscriber::filter::{filter_fn, FilterExt, LevelFilter};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// mimalloc: decoding and answering a large request allocates and frees
/// thousands of small values, often on different threads, where glibc's
/// allocator spent a fifth of the server's time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// XML-RPC and RPyC servers and clients that speak the real wire protocols.
#[derive(Parser)]
#[command(name = "oxrpc", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Serve Prometheus metrics (/metrics) and a live status page (/) on
    /// this address (HOST:PORT, or :PORT for localhost).
    #[arg(long, global = true, value_name = "ADDR")]
    metrics: Option<String>,
    /// Export every call's span to an OpenTelemetry collector at this
    /// OTLP/HTTP base URL (e.g. http://localhost:4318); needs a build with
    /// `--features otlp`.
    #[arg(long, global = true, value_name = "URL")]
    otlp: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Start the notebook's servers (XML-RPC on 9000, classic on 18812, MyService on 18861).
    Serve(cmd::serve::ServeAllArgs),
    /// XML-RPC server and client.
    #[command(subcommand)]
    Xmlrpc(cmd::xmlrpc::XmlRpcCommand),
    /// RPyC service server (the notebook's MyService) and client.
    #[command(subcommand)]
    Service(cmd::service::ServiceCommand),
    /// RPyC classic mode: a stand-in for rpyc_classic, and a classic client.
    #[command(subcommand)]
    Classic(cmd::classic::ClassicCommand),
    /// RPyC registry (discovery by service name): a stand-in for rpyc_registry, and clients.
    #[command(subcommand)]
    Registry(cmd::registry::RegistryCommand),
    /// Replay the whole notebook with Rust clients against fresh oxrpc servers.
    Tour,
    /// Protocol tools: decode bytes and recordings, a recording proxy, replay.
    #[command(subcommand)]
    Wire(cmd::wire::WireCommand),
}

/// Lifts the soft limit on open files to the hard one, as Go's runtime
/// and most servers do at startup: a server's connections are files, and
/// the soft limit (often 1024) would stop it far below its own caps.
fn raise_open_file_limit() {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => tracing::debug!("open files: up to {limit}"),
        Err(e) => tracing::warn!("cannot raise the open-file limit: {e}"),
    }
}

/// `oxrpc ... | head` closes our standard output early (`2>&1 | head` our
/// standard error too). Rust ignores SIGPIPE, so the next `println!` or
/// `eprintln!` panics on the broken pipe; a command line tool should stop
/// quietly instead, with the status a shell reports for a process SIGPIPE
/// ended (128 + 13).
fn stop_quietly_when_output_closes() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        let printing = message.contains("failed printing to stdout")
            || message.contains("failed printing to stderr");
        if printing && message.contains("Broken pipe") {
            std::process::exit(141);
        }
        default(info);
    }));
}

fn main() {
    stop_quietly_when_output_closes();
    let cli = Cli::parse_from(oxrpc_cli::json::numbers_are_arguments(std::env::args_os()));
    if let Some(addr) = &cli.metrics {
        cmd::metrics::enable(addr);
    }
    // rpyc_classic's and rpyc_registry's --logfile and --quiet decide
    // where logs go and how much.
    // `xmlrpc serve --quiet` drops the per-request lines and keeps warnings.
    let (logfile, level) = match &cli.command {
        Command::Classic(cmd::classic::ClassicCommand::Serve(args)) => (
            args.logfile.clone(),
            if args.quiet { "error" } else { "info" },
        ),
        Command::Registry(cmd::registry::RegistryCommand::Serve(args)) => (
            args.logfile.clone(),
            if args.is_quiet() { "error" } else { "info" },
        ),
        Command::Xmlrpc(cmd::xmlrpc::XmlRpcCommand::Serve(args)) if args.quiet => (None, "warn"),
        _ => (None, "info"),
    };
    let asked = std::env::var_os("OXRPC_LOG").is_some();
    let filter = EnvFilter::try_from_env("OXRPC_LOG").unwrap_or_else(|_| EnvFilter::new(level));
    // The per-request spans (`rpc`, `rpc.out`) reach the log only when
    // OXRPC_LOG asks for them: the default log's lines name their connection
    // themselves, and formatting every request's span fields for a log that
    // prints none of them cost a busy server ~7 % of its CPU. The collector
    // (--otlp) takes them whatever the log says.
    let filter = filter.and(filter_fn(move |meta| {
        asked || !(meta.is_span() && matches!(meta.name(), "rpc" | "rpc.out"))
    }));
    let log = match logfile.map(|path| {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map(|f| (path, f))
    }) {
        Some(Ok((_, file))) => tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(std::sync::Mutex::new(file))
            .boxed(),
        Some(Err(e)) => {
            eprintln!("oxrpc: cannot open the log file: {e}");
            std::process::exit(1);
        }
        None => tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .boxed(),
    };
    // Spans go to the collector whatever the log level says.
    let (otlp, exporter) = match cli.otlp.as_deref().map(cmd::otlp::layer) {
        Some(Ok((layer, exporter))) => (Some(layer.with_filter(LevelFilter::INFO)), Some(exporter)),
        Some(Err(e)) => {
            eprintln!("oxrpc: {e:#}");
            std::process::exit(1);
        }
        None => (None, None),
    };
    // Without a collector no layer is added in its place: an absent
    // (`None`) layer counts as interested in every span, and the registry
    // would then build each request's span for no one (~5 % of a busy
    // server's CPU).
    let log = log.with_filter(filter);
    match otlp {
        Some(otlp) => tracing_subscriber::registry().with(log).with(otlp).init(),
        None => tracing_subscriber::registry().with(log).init(),
    }
    raise_open_file_limit();
    let rpyc_client = matches!(cli.command, Command::Service(_) | Command::Classic(_));
    let result = match cli.command {
        Command::Serve(args) => cmd::serve::run(args),
        Command::Xmlrpc(command) => cmd::xmlrpc::run(command),
        Command::Service(command) => cmd::service::run(command),
        Command::Classic(command) => cmd::classic::run(command),
        Command::Registry(command) => cmd::registry::run(command),
        Command::Tour => cmd::tour::run(),
        Command::Wire(command) => cmd::wire::run(command),
    };
    // The last spans leave before the process does.
    drop(exporter);
    if let Err(e) = result {
        let mut text = oxrpc_cli::report::error_text(&e);
        if rpyc_client && (text.contains("NotValidForName") || text.contains("not valid for name"))
        {
            text.push_str(
                " (the certificate does not name this host; rpyc.ssl_connect does not check \
                 names, and --ssl-no-check-hostname does the same)",
            );
        }
        if text.contains("UnknownIssuer") {
            text.push_str(
                " (no trusted authority signed the server's certificate: --ssl-cafile FILE \
                 names the one that did",
            );
            if rpyc_client {
                text.push_str(
                    ", --ssl-no-verify skips the check as rpyc.ssl_connect without ca_certs does",
                );
            }
            text.push(')');
        }
        eprintln!("oxrpc: {text}");
        std::process::exit(1);
    }
}
