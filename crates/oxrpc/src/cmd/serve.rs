//! `oxrpc serve`: the notebook's servers, all at once, on their usual ports.

use crate::cmd::xmlrpc::{self, ServeArgs};
use clap::Args;
use oxrpc::tutorial;

#[derive(Args)]
pub struct ServeAllArgs {
    /// Interface to bind every server to.
    #[arg(long, default_value = "localhost")]
    pub host: String,
    /// Do not log each request.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

pub fn run(args: ServeAllArgs) -> anyhow::Result<()> {
    let xmlrpc_args = ServeArgs {
        host: args.host,
        port: tutorial::XMLRPC_PORT,
        quiet: args.quiet,
        max_body_size: oxrpc::xmlrpc::ServerConfig::default().max_body_size,
        max_connections: oxrpc::xmlrpc::ServerConfig::default().max_connections,
    };
    xmlrpc::runtime()?.block_on(xmlrpc::serve(xmlrpc_args, xmlrpc::shutdown_signal()))
}
