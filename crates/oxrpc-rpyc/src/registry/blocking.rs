//! A blocking registry client over the async one, for code without a
//! runtime (as [`crate::blocking`] is for connections).

use super::client::{RegistryClient as AsyncClient, RegistryError};
use crate::wire::brine::BrineValue;
use std::io;

/// A blocking [`RegistryClient`](super::RegistryClient): each call blocks
/// the calling thread until the registry answers or the timeout passes.
///
/// ```no_run
/// use oxrpc_rpyc::registry::{blocking, RegistryClient};
///
/// let registry = blocking::RegistryClient::new(RegistryClient::udp_to("127.0.0.1"))?;
/// let servers = registry.discover("MY")?;
/// let conn = registry.connect_by_service("MY")?;
/// let answer: i64 = conn.root()?.call("get_answer", ())?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct RegistryClient {
    inner: AsyncClient,
    runtime: tokio::runtime::Runtime,
}

impl RegistryClient {
    /// Wraps `client`.
    pub fn new(client: AsyncClient) -> io::Result<RegistryClient> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        Ok(RegistryClient {
            inner: client,
            runtime,
        })
    }

    /// The async client underneath.
    pub fn as_async(&self) -> &AsyncClient {
        &self.inner
    }

    /// See [`super::RegistryClient::register`].
    pub fn register(&self, aliases: &[String], port: u16) -> io::Result<bool> {
        self.runtime.block_on(self.inner.register(aliases, port))
    }

    /// See [`super::RegistryClient::unregister`].
    pub fn unregister(&self, port: u16) -> io::Result<()> {
        self.runtime.block_on(self.inner.unregister(port))
    }

    /// See [`super::RegistryClient::discover`].
    pub fn discover(&self, name: &str) -> Result<Vec<(String, u16)>, RegistryError> {
        self.runtime.block_on(self.inner.discover(name))
    }

    /// See [`super::RegistryClient::discover_entries`].
    pub fn discover_entries(&self, name: &str) -> Result<Vec<(String, BrineValue)>, RegistryError> {
        self.runtime.block_on(self.inner.discover_entries(name))
    }

    /// See [`super::RegistryClient::list_services`].
    pub fn list_services(&self, filter_host: Option<&str>) -> Result<Vec<String>, RegistryError> {
        self.runtime.block_on(self.inner.list_services(filter_host))
    }

    /// Connects to a server exposing `name` (see
    /// [`super::RegistryClient::connect_by_service`]).
    pub fn connect_by_service(
        &self,
        name: &str,
    ) -> Result<crate::blocking::Connection, RegistryError> {
        let addrs = super::tcp_servers(name, self.discover_entries(name)?)?;
        for (host, port) in self.inner.in_pick_order(&addrs) {
            if let Ok(connection) = crate::blocking::connect(&host, port) {
                return Ok(connection);
            }
        }
        Err(RegistryError::AllDown(addrs))
    }
}
