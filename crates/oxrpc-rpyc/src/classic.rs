//! The classic-mode client: `rpyc.classic.connect` in Rust.
//!
//! A classic server (Python's `rpyc_classic`, or `oxrpc classic serve`)
//! exposes its interpreter: modules, `execute`, `eval` and the connection's
//! namespace. These helpers drive it the way `rpyc.classic` does, plus its
//! file helpers `upload` and `download`.

use crate::core::{Bytes, Connection, Proxy, Value};
use crate::error::Error;

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
    let connection = crate::client::connect(host, port).await?;
    let root = connection.root().await.map_err(std::io::Error::from)?;
    Ok(ClassicConnection { connection, root })
}

const CHUNK: usize = 64 * 1024;

impl ClassicConnection {
    /// The underlying connection.
    pub fn connection(&self) -> &Connection {
        &self.connection
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

    /// `rpyc.classic.upload_file`: copies local bytes to a remote path.
    pub async fn upload(&self, data: &[u8], remote_path: &str) -> Result<(), Error> {
        let file: Proxy = self
            .builtins()
            .await?
            .call("open", (remote_path, "wb"))
            .await?;
        for chunk in data.chunks(CHUNK) {
            file.call::<Value>("write", (Bytes(chunk.to_vec()),))
                .await?;
        }
        file.call("close", ()).await
    }

    /// `rpyc.classic.download_file`: reads a remote file's bytes.
    pub async fn download(&self, remote_path: &str) -> Result<Vec<u8>, Error> {
        let file: Proxy = self
            .builtins()
            .await?
            .call("open", (remote_path, "rb"))
            .await?;
        let mut out = Vec::new();
        loop {
            let Bytes(chunk) = file.call("read", (CHUNK,)).await?;
            if chunk.is_empty() {
                break;
            }
            out.extend_from_slice(&chunk);
        }
        file.call::<Value>("close", ()).await?;
        Ok(out)
    }

    /// Closes the connection.
    pub async fn close(&self) {
        self.connection.close().await
    }
}
