//! The `oxrpc` command line.

mod cmd;

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

/// XML-RPC and RPyC servers and clients that speak the real wire protocols.
#[derive(Parser)]
#[command(name = "oxrpc", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the notebook's servers (XML-RPC on 9000, MyService on 18861).
    Serve(cmd::serve::ServeAllArgs),
    /// XML-RPC server and client.
    #[command(subcommand)]
    Xmlrpc(cmd::xmlrpc::XmlRpcCommand),
    /// RPyC service server (the notebook's MyService) and client.
    #[command(subcommand)]
    Service(cmd::service::ServiceCommand),
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("OXRPC_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => cmd::serve::run(args),
        Command::Xmlrpc(command) => cmd::xmlrpc::run(command),
        Command::Service(command) => cmd::service::run(command),
    };
    if let Err(e) = result {
        eprintln!("oxrpc: {e:#}");
        std::process::exit(1);
    }
}
