//! The classic-mode client: `rpyc.classic.connect` in Rust.
//!
//! A classic server (Python's `rpyc_classic`, or `oxrpc classic serve`)
//! exposes its interpreter: modules, `execute`, `eval` and the connection's
//! namespace. These helpers drive it the way `rpyc.classic` does, plus its
//! file helpers `upload` and `download`.
//!
//! Every transport works: TCP ([`connect`]), a Unix socket
//! ([`unix_connect`]), a child's pipes ([`connect_subproc`], for
//! `rpyc_classic -m stdio` and `oxrpc classic serve -m stdio`), or any
//! [`Connector`] ([`connect_with`]: TLS, a registry name, timeouts and
//! keepalive). Like `rpyc.classic`'s, these clients expose a classic root
//! of their own ([`ClientService`]), which servers running rpyc's
//! `ClassicService` require.

use crate::config::Config;
use crate::connector::Connector;
use crate::core::{Bytes, Connection, Proxy, Value};
use crate::error::Error;
use crate::subproc::Subprocess;
use std::path::Path;
use std::sync::Arc;

pub use crate::classic_peer::ClientService;

/// rpyc's default classic-server port.
pub const DEFAULT_PORT: u16 = 18812;

/// A connection to a classic server.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let conn = oxrpc_rpyc::classic::connect("localhost").await?;
/// conn.execute("x = 21").await?;
/// conn.execute("x *= 2").await?;
/// let x: i64 = conn.eval("x").await?.extract()?;
/// assert_eq!(x, 42);
/// let version: String = conn.modules("sys").await?.getattr("version").await?.extract()?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ClassicConnection {
    connection: Connection,
    root: Proxy,
}

/// Connects to the classic server on `host` at the default port.
pub async fn connect(host: &str) -> std::io::Result<ClassicConnection> {
    connect_port(host, DEFAULT_PORT).await
}

/// Connects to the classic server on `host:port`.
pub async fn connect_port(host: &str, port: u16) -> std::io::Result<ClassicConnection> {
    connect_with(&Connector::tcp(host, port)).await
}

/// Connects to the classic server on the Unix socket at `path`
/// (`rpyc.classic.unix_connect(path)`).
pub async fn unix_connect(path: impl AsRef<Path>) -> std::io::Result<ClassicConnection> {
    connect_with(&Connector::unix(path.as_ref())).await
}

/// Connects to a classic server the way `connector` says (TLS, a registry
/// name, a connect timeout, keepalive, ...), exposing a [`ClientService`]
/// in place of the connector's service.
///
/// ```no_run
/// use oxrpc_rpyc::Connector;
/// use std::time::Duration;
///
/// # async fn run() -> std::io::Result<()> {
/// let connector = Connector::tcp("build-host", 18812).connect_timeout(Some(Duration::from_secs(5)));
/// let conn = oxrpc_rpyc::classic::connect_with(&connector).await?;
/// # Ok(()) }
/// ```
pub async fn connect_with(connector: &Connector) -> std::io::Result<ClassicConnection> {
    let connection = connector
        .clone()
        .service(|| Arc::new(ClientService::default()))
        .connect()
        .await?;
    Ok(ClassicConnection::new(connection).await?)
}

/// Starts a classic server as a child, `command` (e.g. `rpyc_classic -q -m
/// stdio`, `oxrpc classic serve -m stdio`, or either behind `ssh host`), and
/// connects over its stdin and stdout (`rpyc.classic.connect_subproc`).
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let mut command = std::process::Command::new("rpyc_classic");
/// command.args(["-q", "-m", "stdio"]);
/// let (conn, child) = oxrpc_rpyc::classic::connect_subproc(command).await?;
/// let pid: i64 = conn.eval("__import__('os').getpid()").await?.extract()?;
/// let status = child.close().await?; // the server exits on end of file
/// # Ok(()) }
/// ```
pub async fn connect_subproc(
    command: impl Into<tokio::process::Command>,
) -> std::io::Result<(ClassicConnection, Subprocess)> {
    let child = crate::subproc::connect_subproc(
        command,
        Arc::new(ClientService::default()),
        Config::default(),
    )?;
    let conn = ClassicConnection::new(child.connection().clone()).await?;
    Ok((conn, child))
}

/// The chunk [`ClassicConnection::upload`] and
/// [`ClassicConnection::download`] move per call, and a good size for
/// [`RemoteFile`]'s reads and writes: large enough that the round trips
/// cost little, small enough to hold.
pub const CHUNK: usize = 64 * 1024;

/// A file open on the classic server ([`ClassicConnection::open`]).
#[derive(Debug, Clone)]
pub struct RemoteFile {
    file: Proxy,
}

impl RemoteFile {
    /// `file.write(chunk)`.
    pub async fn write(&self, chunk: &[u8]) -> Result<(), Error> {
        self.file
            .call::<Value>("write", (Bytes(chunk.to_vec()),))
            .await
            .map(drop)
    }

    /// `file.read(max)`: up to `max` bytes, none at the end of the file.
    pub async fn read(&self, max: usize) -> Result<Vec<u8>, Error> {
        let Bytes(chunk) = self.file.call("read", (max,)).await?;
        Ok(chunk)
    }

    /// `file.close()`.
    pub async fn close(self) -> Result<(), Error> {
        self.file.call::<Value>("close", ()).await.map(drop)
    }
}

impl ClassicConnection {
    /// Drives `connection`, already open to a classic server, as a classic
    /// client (fetches the server's root).
    pub async fn new(connection: Connection) -> Result<ClassicConnection, Error> {
        let root = connection.root().await?;
        Ok(ClassicConnection { connection, root })
    }

    /// The underlying connection.
    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    /// The server's root: its classic service (`conn.root`).
    pub fn root(&self) -> &Proxy {
        &self.root
    }

    /// `conn.modules.NAME`: the remote module, imported if needed.
    pub async fn modules(&self, name: &str) -> Result<Proxy, Error> {
        self.root.call("getmodule", (name,)).await
    }

    /// `conn.execute(code)`: runs statements in the connection's namespace.
    pub async fn execute(&self, code: &str) -> Result<(), Error> {
        self.root.call("execute", (code,)).await
    }

    /// `conn.eval(expr)`: evaluates an expression in the namespace.
    pub async fn eval(&self, expr: &str) -> Result<Value, Error> {
        self.root.call("eval", (expr,)).await
    }

    /// `conn.namespace`: the namespace dict, by reference.
    pub async fn namespace(&self) -> Result<Proxy, Error> {
        Ok(self.root.getattr("namespace").await?.extract()?)
    }

    /// `conn.builtins`: the remote `builtins` module.
    pub async fn builtins(&self) -> Result<Proxy, Error> {
        self.modules("builtins").await
    }

    /// `builtins.open(remote_path, mode)` on the server: a file to read or
    /// write a chunk at a time, so a copy of any size holds one chunk in
    /// memory (as `rpyc.classic.upload_file` and `download_file` do).
    ///
    /// ```no_run
    /// # async fn run(conn: oxrpc_rpyc::classic::ClassicConnection) -> Result<(), oxrpc_rpyc::Error> {
    /// let file = conn.open("/tmp/greeting", "wb").await?;
    /// file.write(b"hello").await?;
    /// file.close().await?;
    /// let file = conn.open("/tmp/greeting", "rb").await?;
    /// assert_eq!(file.read(1024).await?, b"hello");
    /// # Ok(()) }
    /// ```
    pub async fn open(&self, remote_path: &str, mode: &str) -> Result<RemoteFile, Error> {
        let file = self
            .builtins()
            .await?
            .call("open", (remote_path, mode))
            .await?;
        Ok(RemoteFile { file })
    }

    /// `rpyc.classic.upload_file`: copies local bytes to a remote path.
    pub async fn upload(&self, data: &[u8], remote_path: &str) -> Result<(), Error> {
        let file = self.open(remote_path, "wb").await?;
        for chunk in data.chunks(CHUNK) {
            file.write(chunk).await?;
        }
        file.close().await
    }

    /// `rpyc.classic.download_file`: reads a remote file's bytes.
    pub async fn download(&self, remote_path: &str) -> Result<Vec<u8>, Error> {
        let file = self.open(remote_path, "rb").await?;
        let mut out = Vec::new();
        loop {
            let chunk = file.read(CHUNK).await?;
            if chunk.is_empty() {
                break;
            }
            out.extend_from_slice(&chunk);
        }
        file.close().await?;
        Ok(out)
    }

    /// Closes the connection.
    pub async fn close(&self) {
        self.connection.close().await
    }
}
