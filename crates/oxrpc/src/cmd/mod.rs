//! The sub-commands of the `oxrpc` command line, one file each.

pub mod classic;
pub mod serve;
pub mod service;
pub mod tour;
pub mod xmlrpc;

use std::net::SocketAddr;

/// Resolves `host:port` to the address to bind, preferring IPv4 as Python's
/// servers do for `localhost`.
pub async fn resolve_bind(host: &str, port: u16) -> anyhow::Result<SocketAddr> {
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port)).await?.collect();
    addrs
        .iter()
        .find(|a| a.is_ipv4())
        .or_else(|| addrs.first())
        .copied()
        .ok_or_else(|| anyhow::anyhow!("{host} resolves to no address"))
}
