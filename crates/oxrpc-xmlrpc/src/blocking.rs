//! A blocking wrapper around the async [`Client`](crate::Client), for
//! scripts and command-line tools that do not run an async runtime.

use crate::convert::{FromValue, IntoParams};
use crate::error::Error;
use crate::multicall::{call_struct, parse_results};
use crate::value::Value;

/// A blocking XML-RPC client. Do not use it from inside an async runtime.
///
/// ```no_run
/// let client = oxrpc_xmlrpc::blocking::Client::new("http://localhost:9000")?;
/// let names: Vec<String> = client.call("list_contents", ("/tmp",))?;
/// println!("{names:?}");
/// # Ok::<(), oxrpc_xmlrpc::Error>(())
/// ```
pub struct Client {
    inner: crate::Client,
    runtime: tokio::runtime::Runtime,
}

impl Client {
    /// A client with default settings.
    pub fn new(url: &str) -> Result<Client, Error> {
        Client::from_async(crate::Client::builder(url))
    }

    /// A client from a configured builder.
    pub fn from_async(builder: crate::ClientBuilder) -> Result<Client, Error> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Transport(e.to_string()))?;
        // hyper's pool needs a runtime context while it is built.
        let inner = {
            let _guard = runtime.enter();
            builder.build()?
        };
        Ok(Client { inner, runtime })
    }

    /// Calls `method` and converts the result to `R`.
    pub fn call<R: FromValue>(&self, method: &str, params: impl IntoParams) -> Result<R, Error> {
        self.runtime.block_on(self.inner.call(method, params))
    }

    /// Calls `method` with raw values and returns the raw result.
    pub fn call_value(&self, method: &str, params: Vec<Value>) -> Result<Value, Error> {
        self.runtime.block_on(self.inner.call_value(method, params))
    }

    /// Sends `calls` as one `system.multicall`.
    pub fn multicall(
        &self,
        calls: Vec<(&str, Vec<Value>)>,
    ) -> Result<Vec<Result<Value, Error>>, Error> {
        let expected = calls.len();
        let batch = calls
            .into_iter()
            .map(|(method, params)| call_struct(method, params.into_params()))
            .collect();
        let response = self.call_value("system.multicall", vec![Value::Array(batch)])?;
        parse_results(response, expected)
    }
}
