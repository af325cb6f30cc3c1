//! Discovery: rpyc's registry, so servers can be found by service name.
//!
//! A registry is a small server (`rpyc_registry`, or
//! [`RegistryServer`] here) that remembers which RPyC servers expose which
//! names. Servers register their names and keep them alive every minute
//! ([`Registrar`]); clients ask it for the servers of a name
//! ([`RegistryClient::discover`], rpyc's `rpyc.discover`) or connect
//! straight to one of them ([`RegistryClient::connect_by_service`], rpyc's
//! `rpyc.connect_by_service`). Python and Rust mix freely on every side:
//! the messages ([`protocol`]) are rpyc 6.0.2's, byte for byte.
//!
//! | file | what it is |
//! |---|---|
//! | [`protocol`] | requests and replies, encoded and decoded as rpyc does |
//! | `table` | the table of names and servers, its pruning and its bounds ([`RegistryLimits`]) |
//! | `server` | [`RegistryServer`] over UDP or TCP |
//! | `client` | [`RegistryClient`] over UDP (unicast or broadcast) or TCP |
//! | `registrar` | a server's keepalives ([`Registrar`]) and the names it registers ([`service_aliases`]) |
//! | [`blocking`] | the client without async |
//!
//! UDP is rpyc's default: a broadcast to `255.255.255.255:18811` reaches
//! any registry on the local network segment without configuration, and
//! reaches nothing beyond it (routers do not forward broadcasts). Give a
//! unicast address to reach a registry elsewhere, or use TCP.

pub mod blocking;
mod client;
pub mod protocol;
mod registrar;
mod server;
mod table;

pub use client::{
    tcp_servers, Pick, RegistryClient, RegistryError, Transport, BROADCAST, DEFAULT_TIMEOUT,
};
pub use registrar::{service_aliases, Registrar, Registration, REREGISTER_INTERVAL};
pub use server::{RegistryConfig, RegistryServer, DEFAULT_PRUNING_TIMEOUT};
pub use table::RegistryLimits;

/// rpyc's `REGISTRY_PORT`, for UDP and TCP registries alike.
pub const REGISTRY_PORT: u16 = 18811;
