//! A blocking client API over the async one, for code without a runtime.
//!
//! The connection's tasks run on a small runtime owned by the
//! [`blocking::Connection`](Connection); each call blocks the calling thread
//! until its reply arrives, and over a plain socket that thread reads the
//! reply itself, as rpyc's own blocking calls do (see `caller_reads`).

mod caller_reads;

use crate::config::Config;
use crate::connector::Connector;
use crate::core::{FromValue, IntoArgs, IntoValue, Proxy as AsyncProxy, Service, Value};
use crate::error::Error;
use crate::objects::VoidService;
use caller_reads::CallerReads;
use std::sync::Arc;

/// A blocking connection.
///
/// ```no_run
/// let conn = oxrpc_rpyc::blocking::connect("localhost", 18861)?;
/// let root = conn.root()?;
/// let answer: i64 = root.call("get_answer", ())?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Connection {
    inner: crate::core::Connection,
    driver: Arc<Driver>,
}

/// What blocking calls run on: the connection's runtime, and the reading
/// its callers share.
struct Driver {
    // Dropped first: the reading goes before the runtime it uses.
    reads: Arc<CallerReads>,
    runtime: tokio::runtime::Runtime,
}

impl Driver {
    fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.reads.block_on(&self.runtime, future)
    }
}

/// Starts a connection on `stream`, read by its callers when it can be.
fn start(
    runtime: tokio::runtime::Runtime,
    stream: oxrpc_net::Stream,
    service: Arc<dyn Service>,
    config: Config,
) -> std::io::Result<Connection> {
    let (inner, reading) = {
        let _context = runtime.enter();
        crate::core::Connection::start_stream_read_by_caller(stream, service, config)
    };
    let reads = CallerReads::new(reading, runtime.handle().clone())?;
    Ok(Connection {
        inner,
        driver: Arc::new(Driver { reads, runtime }),
    })
}

fn small_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
}

/// Connects to `host:port` (blocking).
pub fn connect(host: &str, port: u16) -> std::io::Result<Connection> {
    connect_with(host, port, Arc::new(VoidService), Config::default())
}

/// Connects with our own service and settings (blocking).
pub fn connect_with(
    host: &str,
    port: u16,
    service: Arc<dyn Service>,
    config: Config,
) -> std::io::Result<Connection> {
    let runtime = small_runtime()?;
    let stream = runtime.block_on(oxrpc_net::connect_tcp(
        host,
        port,
        &oxrpc_net::ConnectOptions::default(),
    ))?;
    start(runtime, stream, service, config)
}

/// Connects to the server on the Unix socket at `path` (blocking; rpyc's
/// `unix_connect`).
pub fn unix_connect(path: impl AsRef<std::path::Path>) -> std::io::Result<Connection> {
    connect_to(&Connector::unix(path.as_ref()))
}

/// Connects the way `connector` says: any transport, a connect timeout,
/// keepalive (blocking).
///
/// ```no_run
/// use oxrpc_rpyc::Connector;
/// use std::time::Duration;
///
/// let connector = Connector::tcp("localhost", 18861).connect_timeout(Some(Duration::from_secs(3)));
/// let conn = oxrpc_rpyc::blocking::connect_to(&connector)?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn connect_to(connector: &Connector) -> std::io::Result<Connection> {
    let runtime = small_runtime()?;
    let stream = runtime.block_on(connector.connect_stream())?;
    let (service, config) = connector.service_and_config();
    start(runtime, stream, service, config)
}

impl Connection {
    /// The peer's root object.
    pub fn root(&self) -> Result<Proxy, Error> {
        let root = self.driver.block_on(self.inner.root())?;
        Ok(self.wrap(root))
    }

    /// The async connection underneath.
    pub fn as_async(&self) -> &crate::core::Connection {
        &self.inner
    }

    /// Pings the peer.
    pub fn ping(&self) -> Result<(), Error> {
        self.driver.block_on(self.inner.ping())
    }

    /// Closes the connection.
    pub fn close(&self) {
        self.driver.block_on(self.inner.close())
    }

    /// Wraps an async proxy (e.g. one found inside a value) for blocking use.
    pub fn wrap(&self, proxy: AsyncProxy) -> Proxy {
        Proxy {
            proxy,
            driver: self.driver.clone(),
        }
    }
}

/// A blocking proxy.
#[derive(Clone)]
pub struct Proxy {
    proxy: AsyncProxy,
    driver: Arc<Driver>,
}

impl Proxy {
    /// The async proxy underneath.
    pub fn as_async(&self) -> &AsyncProxy {
        &self.proxy
    }

    /// Wraps a proxy found in a result.
    pub fn wrap(&self, proxy: AsyncProxy) -> Proxy {
        Proxy {
            proxy,
            driver: self.driver.clone(),
        }
    }

    /// `getattr(obj, name)`.
    pub fn getattr(&self, name: &str) -> Result<Value, Error> {
        self.driver.block_on(self.proxy.getattr(name))
    }

    /// `setattr(obj, name, value)`.
    pub fn setattr(&self, name: &str, value: impl IntoValue) -> Result<(), Error> {
        self.driver.block_on(self.proxy.setattr(name, value))
    }

    /// Calls the method `name` and converts the result.
    pub fn call<R: FromValue>(&self, name: &str, args: impl IntoArgs) -> Result<R, Error> {
        self.driver.block_on(self.proxy.call(name, args))
    }

    /// Calls the method `name` and returns the result as it came.
    pub fn call_value(&self, name: &str, args: Vec<Value>) -> Result<Value, Error> {
        self.driver.block_on(self.proxy.call_value(name, args))
    }

    /// Calls the object itself and converts the result.
    pub fn invoke<R: FromValue>(&self, args: impl IntoArgs) -> Result<R, Error> {
        self.driver.block_on(self.proxy.invoke(args))
    }

    /// `repr(obj)`.
    pub fn repr(&self) -> Result<String, Error> {
        self.driver.block_on(self.proxy.repr())
    }

    /// `str(obj)`.
    pub fn str(&self) -> Result<String, Error> {
        self.driver.block_on(self.proxy.str())
    }

    /// `len(obj)`.
    pub fn len(&self) -> Result<usize, Error> {
        self.driver.block_on(self.proxy.len())
    }

    /// `len(obj) == 0`.
    pub fn is_empty(&self) -> Result<bool, Error> {
        self.driver.block_on(self.proxy.is_empty())
    }

    /// `obj[key]`.
    pub fn getitem(&self, key: impl IntoValue) -> Result<Value, Error> {
        self.driver.block_on(self.proxy.getitem(key))
    }

    /// Every item of an iterable.
    pub fn to_vec(&self) -> Result<Vec<Value>, Error> {
        self.driver.block_on(self.proxy.to_vec())
    }

    /// `hash(obj)`.
    pub fn hash(&self) -> Result<i64, Error> {
        self.driver.block_on(self.proxy.hash())
    }

    /// `dir(obj)`.
    pub fn dir(&self) -> Result<Vec<String>, Error> {
        self.driver.block_on(self.proxy.dir())
    }
}
