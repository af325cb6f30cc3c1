//! A server's side of the registry: registering its names, keeping them
//! alive, and unregistering on the way out.
//!
//! rpyc's servers (`auto_register=True`) run a background thread that
//! registers the service's aliases at once, again every
//! [`REREGISTER_INTERVAL`] (60 s) after each acknowledged registration,
//! and about every second while no registry acknowledges; closing the
//! server sends UNREGISTER. [`Registrar::start`] is that thread as a task,
//! and [`Registration::stop`] the unregistration: call it when the server
//! shuts down (oxrpc's servers stop gracefully on SIGINT and SIGTERM, so
//! both unregister; rpyc's does on SIGINT only, and a SIGTERM leaves the
//! entry until the registry prunes it).
//!
//! The names come from [`service_aliases`], rpyc's
//! `Service.get_service_aliases()` for a class without `ALIASES`.

use super::client::RegistryClient;
use super::server::TARGET;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tracing::info;

/// rpyc's `RegistryClient.REREGISTER_INTERVAL`: a keepalive a minute.
pub const REREGISTER_INTERVAL: Duration = Duration::from_secs(60);

/// How long a registrar waits after a registration nobody acknowledged
/// (rpyc's loop sleeps one second between tries).
const RETRY: Duration = Duration::from_secs(1);

/// The names rpyc registers a service under: its class name upper-cased,
/// without a trailing `SERVICE`. A dotted name (a `#[service(name = ...)]`
/// type name, or `type_name()` of any service) counts by its last part.
///
/// ```
/// use oxrpc_rpyc::registry::service_aliases;
///
/// assert_eq!(service_aliases("MyService"), ["MY"]);
/// assert_eq!(service_aliases("__main__.MyService"), ["MY"]);
/// assert_eq!(service_aliases("rpyc.core.service.SlaveService"), ["SLAVE"]);
/// assert_eq!(service_aliases("ClassicClient"), ["CLASSICCLIENT"]);
/// assert_eq!(service_aliases("Service"), [""]);
/// ```
pub fn service_aliases(name: &str) -> Vec<String> {
    let class = name.rsplit('.').next().unwrap_or(name);
    let upper = class.to_uppercase();
    vec![upper.strip_suffix("SERVICE").unwrap_or(&upper).to_owned()]
}

/// Keeps a server's names registered (see the module docs).
///
/// ```no_run
/// use oxrpc_rpyc::registry::{service_aliases, Registrar, RegistryClient};
///
/// # async fn run() -> std::io::Result<()> {
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// let bound = listener.local_addr()?;
/// let registry = RegistryClient::udp().with_interface(bound.ip());
/// let registration = Registrar::new(registry, service_aliases("MyService"), bound.port()).start();
/// // ... serve on `listener` until asked to stop, then:
/// registration.stop().await;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Registrar {
    client: RegistryClient,
    aliases: Vec<String>,
    port: u16,
    interval: Duration,
}

impl Registrar {
    /// Registers `aliases` for the server on TCP `port` with the registry
    /// `client` talks to (give the client the server's bound address with
    /// [`RegistryClient::with_interface`]).
    pub fn new(client: RegistryClient, aliases: Vec<String>, port: u16) -> Registrar {
        Registrar {
            client,
            aliases,
            port,
            interval: REREGISTER_INTERVAL,
        }
    }

    /// Re-registers this often after an acknowledged registration (60 s
    /// by default; keep it well under the registry's pruning timeout).
    pub fn with_interval(mut self, interval: Duration) -> Registrar {
        self.interval = interval;
        self
    }

    /// Starts registering in the background (on the current tokio runtime).
    pub fn start(self) -> Registration {
        let acknowledged = Arc::new(AtomicU64::new(0));
        let count = acknowledged.clone();
        let Registrar {
            client,
            aliases,
            port,
            interval,
        } = self;
        let registering = client.clone();
        let task = tokio::spawn(async move {
            info!(target: TARGET, "started background auto-register task (interval = {})", interval.as_secs());
            loop {
                let pause = match registering.register(&aliases, port).await {
                    Ok(true) => {
                        count.fetch_add(1, Ordering::Relaxed);
                        interval
                    }
                    Ok(false) => {
                        info!(target: TARGET, "registering services did not work - retry");
                        RETRY
                    }
                    Err(e) => {
                        info!(target: TARGET, "error registering services: {e}");
                        RETRY
                    }
                };
                tokio::time::sleep(pause).await;
            }
        });
        Registration {
            task,
            client,
            port,
            acknowledged,
        }
    }
}

/// A running [`Registrar`]. Dropping it stops the keepalives without
/// unregistering; [`Registration::stop`] unregisters too.
#[derive(Debug)]
pub struct Registration {
    task: tokio::task::JoinHandle<()>,
    client: RegistryClient,
    port: u16,
    acknowledged: Arc<AtomicU64>,
}

impl Registration {
    /// How many registrations a registry has acknowledged so far.
    pub fn acknowledged(&self) -> u64 {
        self.acknowledged.load(Ordering::Relaxed)
    }

    /// Stops the keepalives and unregisters (waiting at most about the
    /// client's timeout).
    pub async fn stop(mut self) {
        self.task.abort();
        let _ = (&mut self.task).await;
        let limit = self.client.timeout() + Duration::from_secs(1);
        match tokio::time::timeout(limit, self.client.unregister(self.port)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => info!(target: TARGET, "error unregistering services: {e}"),
            Err(_) => info!(target: TARGET, "error unregistering services: timed out"),
        }
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.task.abort();
    }
}
