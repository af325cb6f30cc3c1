//! `oxrpc serve`: the notebook's servers, all at once, on their usual ports.

use crate::cmd::classic;
use crate::cmd::service;
use crate::cmd::xmlrpc::{self, ServeArgs};
use clap::Args;
use oxrpc::tutorial;

/// `oxrpc serve`'s options.
#[derive(Args)]
pub struct ServeAllArgs {
    /// Interface to bind every server to (by default each binds where the
    /// notebook's does: XML-RPC and classic mode localhost, the service
    /// every IPv4 interface).
    #[arg(long)]
    pub host: Option<String>,
    /// Do not log each request.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Runs the notebook's three servers until Ctrl-C or SIGTERM.
pub fn run(args: ServeAllArgs) -> anyhow::Result<()> {
    let local = || args.host.clone().unwrap_or_else(|| "localhost".to_owned());
    let xmlrpc_args = ServeArgs::notebook(local(), args.quiet);
    let service_args = service::ServeArgs {
        host: args.host.clone().unwrap_or_else(|| "0.0.0.0".to_owned()),
        port: tutorial::SERVICE_PORT,
        max_connections: oxrpc::rpyc::ServerConfig::default().listen.max_connections,
        quiet: args.quiet,
        tls: Default::default(),
        limits: Default::default(),
        registry: Default::default(),
        socket: Default::default(),
    };
    let classic_args = classic::ServeArgs {
        mode: classic::Mode::Threaded,
        port: Some(oxrpc::rpyc::classic::DEFAULT_PORT),
        host: Some(local()),
        ipv6: false,
        logfile: None,
        quiet: args.quiet,
        max_connections: 256,
        tls: Default::default(),
        limits: Default::default(),
        registry: Default::default(),
        interpreter: Default::default(),
        socket: Default::default(),
    };
    crate::cmd::block_on(async move {
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|stop| *stop).await;
        };
        let servers = async {
            tokio::try_join!(
                xmlrpc::serve(xmlrpc_args, stopped(stop_rx.clone())),
                classic::serve(classic_args, stopped(stop_rx.clone())),
                service::serve(service_args, stopped(stop_rx.clone())),
            )
        };
        tokio::pin!(servers);
        tokio::select! {
            result = &mut servers => result.map(drop),
            _ = crate::cmd::shutdown_signal() => {
                let _ = stop_tx.send(true);
                servers.await.map(drop)
            }
        }
    })
}
