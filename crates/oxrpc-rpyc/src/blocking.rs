//! A blocking client API over the async one, for code without a runtime.
//!
//! The connection's tasks run on a small runtime owned by the
//! [`blocking::Connection`](Connection); each call blocks the calling thread
//! until its reply arrives.

use crate::config::Config;
use crate::connector::Connector;
use crate::core::{FromValue, IntoArgs, IntoValue, Proxy as AsyncProxy, Service, Value};
use crate::error::Error;
use crate::objects::VoidService;
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
    runtime: Arc<tokio::runtime::Runtime>,
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
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let inner = runtime.block_on(crate::client::connect_with(host, port, service, config))?;
    Ok(Connection {
        inner,
        runtime: Arc::new(runtime),
    })
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
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let inner = runtime.block_on(connector.connect())?;
    Ok(Connection {
        inner,
        runtime: Arc::new(runtime),
    })
}

impl Connection {
    /// The peer's root object.
    pub fn root(&self) -> Result<Proxy, Error> {
        let root = self.runtime.block_on(self.inner.root())?;
        Ok(self.wrap(root))
    }

    /// The async connection underneath.
    pub fn as_async(&self) -> &crate::core::Connection {
        &self.inner
    }

    /// Pings the peer.
    pub fn ping(&self) -> Result<(), Error> {
        self.runtime.block_on(self.inner.ping())
    }

    /// Closes the connection.
    pub fn close(&self) {
        self.runtime.block_on(self.inner.close())
    }

    /// Wraps an async proxy (e.g. one found inside a value) for blocking use.
    pub fn wrap(&self, proxy: AsyncProxy) -> Proxy {
        Proxy {
            proxy,
            runtime: self.runtime.clone(),
        }
    }
}

/// A blocking proxy.
#[derive(Clone)]
pub struct Proxy {
    proxy: AsyncProxy,
    runtime: Arc<tokio::runtime::Runtime>,
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
            runtime: self.runtime.clone(),
        }
    }

    /// `getattr(obj, name)`.
    pub fn getattr(&self, name: &str) -> Result<Value, Error> {
        self.runtime.block_on(self.proxy.getattr(name))
    }

    /// `setattr(obj, name, value)`.
    pub fn setattr(&self, name: &str, value: impl IntoValue) -> Result<(), Error> {
        self.runtime.block_on(self.proxy.setattr(name, value))
    }

    /// Calls the method `name` and converts the result.
    pub fn call<R: FromValue>(&self, name: &str, args: impl IntoArgs) -> Result<R, Error> {
        self.runtime.block_on(self.proxy.call(name, args))
    }

    /// Calls the method `name` and returns the result as it came.
    pub fn call_value(&self, name: &str, args: Vec<Value>) -> Result<Value, Error> {
        self.runtime.block_on(self.proxy.call_value(name, args))
    }

    /// Calls the object itself and converts the result.
    pub fn invoke<R: FromValue>(&self, args: impl IntoArgs) -> Result<R, Error> {
        self.runtime.block_on(self.proxy.invoke(args))
    }

    /// `repr(obj)`.
    pub fn repr(&self) -> Result<String, Error> {
        self.runtime.block_on(self.proxy.repr())
    }

    /// `str(obj)`.
    pub fn str(&self) -> Result<String, Error> {
        self.runtime.block_on(self.proxy.str())
    }

    /// `len(obj)`.
    pub fn len(&self) -> Result<usize, Error> {
        self.runtime.block_on(self.proxy.len())
    }

    /// `len(obj) == 0`.
    pub fn is_empty(&self) -> Result<bool, Error> {
        self.runtime.block_on(self.proxy.is_empty())
    }

    /// `obj[key]`.
    pub fn getitem(&self, key: impl IntoValue) -> Result<Value, Error> {
        self.runtime.block_on(self.proxy.getitem(key))
    }

    /// Every item of an iterable.
    pub fn to_vec(&self) -> Result<Vec<Value>, Error> {
        self.runtime.block_on(self.proxy.to_vec())
    }

    /// `hash(obj)`.
    pub fn hash(&self) -> Result<i64, Error> {
        self.runtime.block_on(self.proxy.hash())
    }

    /// `dir(obj)`.
    pub fn dir(&self) -> Result<Vec<String>, Error> {
        self.runtime.block_on(self.proxy.dir())
    }
}
