//! `oxrpc registry ...`: a stand-in for rpyc's `rpyc_registry`, and
//! clients that list a registry and discover servers by name; plus the
//! registry options the `serve` commands and the `--by-name` clients share.
//!
//! `registry serve` takes `rpyc_registry`'s options with its quirks, so
//! scripts written for one run the other: `-l/--listing` and `-q/--quiet`
//! take a value in rpyc (any value, `-l false` included, *enables*
//! listing), and may take one here (or none); `-6` binds `::` in UDP mode
//! and is ignored in TCP mode, as in rpyc. `--host` (rpyc has none) binds
//! another address than `0.0.0.0`.
//!
//! The registration options of `service serve` and `classic serve` are
//! `rpyc_classic`'s: `--register` to register, `--registry-type UDP|TCP`,
//! `--registry-host` (UDP: the broadcast `255.255.255.255` by default;
//! TCP: required, even without `--register`, as rpyc requires it) and
//! `--registry-port` (18811). One departure: `--registry-type UDP` means
//! UDP here. In rpyc_classic any explicit `--registry-type` means TCP
//! (plumbum lower-cases the value, which is then compared with `"UDP"`),
//! so only leaving it out gives UDP there.
//!
//! Servers register the address they are bound to (from a socket bound to
//! it, as rpyc does), and unregister from it too, so a broadcast
//! UNREGISTER finds its entry (rpyc's leaves from an unbound socket and
//! can miss it).

use crate::cmd::block_on;
use clap::{Args, Subcommand, ValueEnum};
use oxrpc::rpyc::registry::{
    self, Registrar, Registration, RegistryClient, RegistryConfig, RegistryLimits, RegistryServer,
    REGISTRY_PORT,
};
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

/// `oxrpc registry ...`.
#[derive(Subcommand)]
pub enum RegistryCommand {
    /// Serve a registry (a stand-in for rpyc_registry).
    Serve(ServeArgs),
    /// List the service names a registry knows (it must allow listing).
    List {
        /// Only names with a server on this host (an IP address, as the registry recorded it).
        #[arg(long)]
        filter_host: Option<String>,
        #[allow(missing_docs)]
        #[command(flatten)]
        registry: RegistryArgs,
    },
    /// Print the servers exposing NAME, one host:port per line.
    Discover {
        /// The service name (any case), e.g. MY for a MyService.
        name: String,
        #[allow(missing_docs)]
        #[command(flatten)]
        registry: RegistryArgs,
    },
}

/// UDP or TCP, with rpyc's spelling (any case is accepted).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// Datagrams; clients and servers may broadcast.
    #[default]
    #[value(name = "UDP")]
    Udp,
    /// One TCP connection per request.
    #[value(name = "TCP")]
    Tcp,
}

/// `oxrpc registry serve`'s options (rpyc_registry's names and defaults).
#[derive(Args, Clone, Debug)]
pub struct ServeArgs {
    /// Serving mode.
    #[arg(
        short = 'm',
        long,
        value_enum,
        ignore_case = true,
        default_value = "UDP"
    )]
    pub mode: Mode,
    /// UDP mode: listen on IPv6 too (binds ::). Ignored in TCP mode, as rpyc does.
    #[arg(short = '6', long)]
    pub ipv6: bool,
    /// The UDP/TCP listener port (0: any free port, printed at start).
    #[arg(short = 'p', long, default_value_t = REGISTRY_PORT)]
    pub port: u16,
    /// The address to bind (default 0.0.0.0; :: with -6 in UDP mode).
    #[arg(long)]
    pub host: Option<String>,
    /// Log to this file instead of standard error.
    #[arg(long)]
    pub logfile: Option<String>,
    /// Quiet mode (only errors are logged). rpyc's takes a value, any value.
    #[arg(short = 'q', long, num_args = 0..=1, default_missing_value = "1", value_name = "ANY")]
    pub quiet: Option<String>,
    /// Pruning timeout: seconds a server stays listed without a keepalive.
    #[arg(short = 't', long, default_value_t = registry::DEFAULT_PRUNING_TIMEOUT.as_secs())]
    pub timeout: u64,
    /// Enable listing. As with rpyc, any value enables it (even "false"); leave it out to disable.
    #[arg(short = 'l', long, num_args = 0..=1, default_missing_value = "true", value_name = "ANY")]
    pub listing: Option<String>,
    /// Most entries (a name at an address) the registry holds.
    #[arg(long, default_value_t = RegistryLimits::default().max_entries)]
    pub max_entries: usize,
    /// Most servers under one name.
    #[arg(long, default_value_t = RegistryLimits::default().max_entries_per_name)]
    pub max_entries_per_name: usize,
    /// Most entries registered from one address.
    #[arg(long, default_value_t = RegistryLimits::default().max_entries_per_host)]
    pub max_entries_per_host: usize,
}

impl ServeArgs {
    /// Whether `-q` was given.
    pub fn is_quiet(&self) -> bool {
        self.quiet.is_some()
    }
}

/// How a client reaches a registry (rpyc_classic's option names).
#[derive(Args, Clone, Debug)]
pub struct RegistryArgs {
    /// UDP (broadcast by default) or TCP (needs --registry-host).
    #[arg(long, value_enum, ignore_case = true, default_value = "UDP")]
    pub registry_type: Mode,
    /// The registry's UDP/TCP port.
    #[arg(long, default_value_t = REGISTRY_PORT)]
    pub registry_port: u16,
    /// The registry's host (UDP: 255.255.255.255, a broadcast, by default).
    #[arg(long)]
    pub registry_host: Option<String>,
}

impl Default for RegistryArgs {
    fn default() -> Self {
        RegistryArgs {
            registry_type: Mode::Udp,
            registry_port: REGISTRY_PORT,
            registry_host: None,
        }
    }
}

impl RegistryArgs {
    /// The client these options describe.
    pub fn client(&self) -> anyhow::Result<RegistryClient> {
        let client = match (self.registry_type, &self.registry_host) {
            (Mode::Udp, None) => RegistryClient::udp(),
            (Mode::Udp, Some(host)) => RegistryClient::udp_to(host.as_str()),
            (Mode::Tcp, Some(host)) => RegistryClient::tcp(host.as_str()),
            (Mode::Tcp, None) => {
                anyhow::bail!("With TCP registry, you must specify --registry-host")
            }
        };
        Ok(client.with_port(self.registry_port))
    }

    /// Connects with `connect` to a server exposing `name`, as rpyc's
    /// `connect_by_service` does (the registry's order, first that accepts).
    pub async fn connect_by_name<T, F, Fut>(&self, name: &str, connect: F) -> anyhow::Result<T>
    where
        F: FnMut(String, u16) -> Fut,
        Fut: Future<Output = std::io::Result<T>>,
    {
        Ok(self
            .client()?
            .connect_by_service_with(name, connect)
            .await?)
    }
}

/// The registration options of a `serve` command (rpyc_classic's).
#[derive(Args, Clone, Debug, Default)]
pub struct RegisterArgs {
    /// Register with a registry, keep registered, and unregister on shutdown.
    #[arg(long)]
    pub register: bool,
    #[allow(missing_docs)]
    #[command(flatten)]
    pub registry: RegistryArgs,
}

impl RegisterArgs {
    /// Checks the options (rpyc fails on TCP without a host even when not
    /// registering) and, with `--register`, starts registering `aliases`
    /// for the server bound at `bound`.
    pub fn start(
        &self,
        aliases: Vec<String>,
        bound: SocketAddr,
    ) -> anyhow::Result<Option<Registration>> {
        let client = self.registry.client()?;
        if !self.register {
            return Ok(None);
        }
        let client = client.with_interface(bound.ip());
        Ok(Some(Registrar::new(client, aliases, bound.port()).start()))
    }
}

/// `shutdown`, then unregistering: a server's shutdown future, so the
/// registry forgets the server before it stops accepting.
pub async fn unregister_after(
    shutdown: impl Future<Output = ()>,
    registration: Option<Registration>,
) {
    shutdown.await;
    if let Some(registration) = registration {
        registration.stop().await;
    }
}

/// Runs a `registry` sub-command.
pub fn run(command: RegistryCommand) -> anyhow::Result<()> {
    match command {
        RegistryCommand::Serve(args) => block_on(serve(args, crate::cmd::shutdown_signal())),
        RegistryCommand::List {
            filter_host,
            registry,
        } => block_on(async move {
            let names = registry
                .client()?
                .list_services(filter_host.as_deref())
                .await?;
            for name in names {
                println!("{name}");
            }
            Ok(())
        }),
        RegistryCommand::Discover { name, registry } => block_on(async move {
            let entries = registry.client()?.discover_entries(&name).await?;
            let servers = registry::tcp_servers(&name, entries)?;
            for (host, port) in servers {
                if host.contains(':') {
                    println!("[{host}]:{port}");
                } else {
                    println!("{host}:{port}");
                }
            }
            Ok(())
        }),
    }
}

/// Serves a registry until `shutdown`.
pub async fn serve(args: ServeArgs, shutdown: impl Future<Output = ()>) -> anyhow::Result<()> {
    if let Some(value) = &args.listing {
        if ["false", "0", "no", "off"].contains(&value.to_lowercase().as_str()) {
            eprintln!(
                "oxrpc: note: -l {value} enables listing, as rpyc_registry does; leave -l out to disable it"
            );
        }
    }
    let ipv6 = args.ipv6 && args.mode == Mode::Udp;
    if args.ipv6 && !ipv6 {
        eprintln!("oxrpc: note: -6 is ignored in TCP mode, as rpyc_registry does");
    }
    let host = args
        .host
        .clone()
        .unwrap_or_else(|| if ipv6 { "::" } else { "0.0.0.0" }.to_owned());
    let addr = crate::cmd::resolve_bind(&host, args.port, ipv6).await?;
    let server = RegistryServer::new(RegistryConfig {
        pruning_timeout: Duration::from_secs(args.timeout),
        allow_listing: args.listing.is_some(),
        limits: RegistryLimits {
            max_entries: args.max_entries,
            max_entries_per_name: args.max_entries_per_name,
            max_entries_per_host: args.max_entries_per_host,
            ..RegistryLimits::default()
        },
        ..RegistryConfig::default()
    });
    match args.mode {
        Mode::Udp => {
            let socket = tokio::net::UdpSocket::bind(addr)
                .await
                .map_err(|e| anyhow::anyhow!("cannot listen on {addr} (UDP): {e}"))?;
            announce(&args, "UDP", socket.local_addr()?);
            server.serve_udp(socket, shutdown).await?;
        }
        Mode::Tcp => {
            let listener = crate::cmd::bind(addr).await?;
            announce(&args, "TCP", listener.local_addr()?);
            server.serve_tcp(listener, shutdown).await?;
        }
    }
    Ok(())
}

/// Says where the registry listens (on standard output, so scripts and
/// tests see the port when `-p 0` picked one).
fn announce(args: &ServeArgs, mode: &str, bound: SocketAddr) {
    if !args.is_quiet() {
        println!(
            "REGSRV/{mode}/{}: server started on {}:{}",
            bound.port(),
            bound.ip(),
            bound.port()
        );
    }
}
