//! The async XML-RPC client.
//!
//! Shaped after CPython's `ServerProxy` (`client.call("list_contents",
//! ("/tmp",))`), with what a Rust caller expects on top: typed results,
//! typed errors, a pooled keep-alive connection, gzip, timeouts, https via
//! rustls and basic auth taken from the URL.

use crate::compression::{gunzip, gzip};
use crate::convert::{FromValue, IntoParams};
use crate::decode::{decode_response, Limits, MethodResponse};
use crate::encode::encode_call;
use crate::error::Error;
use crate::multicall::MultiCall;
use crate::url::ServerUrl;
use crate::value::Value;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::header::{
    HeaderValue, ACCEPT_ENCODING, AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE, USER_AGENT,
};
use hyper::{Method, Request, StatusCode};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client as HttpClient;
use hyper_util::rt::TokioExecutor;
use std::sync::Arc;
use std::time::Duration;

const USER_AGENT_VALUE: &str = concat!("oxrpc/", env!("CARGO_PKG_VERSION"));

/// An XML-RPC client for one server URL. Cheap to clone; clones share the
/// connection pool.
///
/// ```no_run
/// # async fn run() -> Result<(), oxrpc_xmlrpc::Error> {
/// let client = oxrpc_xmlrpc::Client::new("http://localhost:9000")?;
/// let names: Vec<String> = client.call("list_contents", ("/tmp",)).await?;
/// println!("{names:?}");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    http: HttpClient<HttpsConnector<HttpConnector>, Full<Bytes>>,
    url: Arc<ServerUrl>,
    settings: Arc<Settings>,
}

#[derive(Debug, Clone)]
struct Settings {
    timeout: Option<Duration>,
    gzip_requests_over: Option<usize>,
    accept_gzip: bool,
    max_response_size: usize,
    limits: Limits,
}

/// Configures a [`Client`].
pub struct ClientBuilder {
    url: String,
    settings: Settings,
    tls: Option<rustls::ClientConfig>,
    connect_timeout: Option<Duration>,
}

impl ClientBuilder {
    /// Gives up on a call after `timeout` (default 30 s). `None` waits forever.
    pub fn timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.settings.timeout = timeout.into();
        self
    }

    /// Gives up connecting after `timeout` (default 10 s).
    pub fn connect_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.connect_timeout = timeout.into();
        self
    }

    /// Gzips request bodies larger than `threshold` bytes (CPython's
    /// `Transport.encode_threshold`; off by default, as there).
    pub fn gzip_requests_over(mut self, threshold: impl Into<Option<usize>>) -> Self {
        self.settings.gzip_requests_over = threshold.into();
        self
    }

    /// Whether to ask for gzipped responses (default yes, as CPython does).
    pub fn accept_gzip(mut self, accept: bool) -> Self {
        self.settings.accept_gzip = accept;
        self
    }

    /// Largest response body accepted, after gunzip (default 64 MiB).
    pub fn max_response_size(mut self, bytes: usize) -> Self {
        self.settings.max_response_size = bytes;
        self
    }

    /// Limits for parsing responses.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.settings.limits = limits;
        self
    }

    /// TLS settings for `https://` URLs (custom roots, client certificates).
    /// By default the webpki root certificates are trusted.
    pub fn tls_config(mut self, config: rustls::ClientConfig) -> Self {
        self.tls = Some(config);
        self
    }

    /// TLS from PEM files: verify the server against `ca_certs`, present a
    /// client certificate when `certfile`/`keyfile` are given.
    pub fn tls_files(self, files: &oxrpc_net::tls::ClientTlsFiles) -> Result<Self, Error> {
        let config = files
            .client_config()
            .map_err(|e| Error::Transport(e.to_string()))?;
        Ok(self.tls_config((*config).clone()))
    }

    /// Builds the client. No connection is made until the first call.
    pub fn build(self) -> Result<Client, Error> {
        let url = ServerUrl::parse(&self.url)?;
        let tls = match self.tls {
            Some(config) => config,
            None => default_tls_config()?,
        };
        let mut connector = HttpConnector::new();
        connector.enforce_http(false);
        connector.set_nodelay(true);
        connector.set_connect_timeout(self.connect_timeout);
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(connector);
        let http = HttpClient::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .build(https);
        Ok(Client {
            http,
            url: Arc::new(url),
            settings: Arc::new(self.settings),
        })
    }
}

fn default_tls_config() -> Result<rustls::ClientConfig, Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Transport(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

impl Client {
    /// A client with default settings.
    pub fn new(url: &str) -> Result<Client, Error> {
        Client::builder(url).build()
    }

    /// A builder for a client with custom settings.
    pub fn builder(url: &str) -> ClientBuilder {
        ClientBuilder {
            url: url.to_owned(),
            settings: Settings {
                timeout: Some(Duration::from_secs(30)),
                gzip_requests_over: None,
                accept_gzip: true,
                max_response_size: 64 << 20,
                limits: Limits::default(),
            },
            tls: None,
            connect_timeout: Some(Duration::from_secs(10)),
        }
    }

    /// Calls `method` and converts the result to `R`.
    pub async fn call<R: FromValue>(
        &self,
        method: &str,
        params: impl IntoParams,
    ) -> Result<R, Error> {
        let value = self.call_value(method, params.into_params()).await?;
        Ok(R::from_value(value)?)
    }

    /// Calls `method` with raw values and returns the raw result.
    pub async fn call_value(&self, method: &str, params: Vec<Value>) -> Result<Value, Error> {
        let body = encode_call(method, &params)?;
        let future = self.post(body.into_bytes());
        let response = match self.settings.timeout {
            Some(limit) => tokio::time::timeout(limit, future)
                .await
                .map_err(|_| Error::Timeout(limit))??,
            None => future.await?,
        };
        match decode_response(&response, &self.settings.limits)? {
            MethodResponse::Success(value) => Ok(value),
            MethodResponse::Fault(fault) => Err(Error::Fault(fault)),
        }
    }

    /// Starts a `system.multicall` batch.
    pub fn multicall(&self) -> MultiCall<'_> {
        MultiCall::new(self)
    }

    async fn post(&self, body: Vec<u8>) -> Result<Bytes, Error> {
        let compress = self
            .settings
            .gzip_requests_over
            .is_some_and(|threshold| body.len() > threshold);
        let body = if compress { gzip(&body) } else { body };
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(self.url.uri.clone())
            .header(CONTENT_TYPE, "text/xml")
            .header(USER_AGENT, USER_AGENT_VALUE);
        if self.settings.accept_gzip {
            request = request.header(ACCEPT_ENCODING, "gzip");
        }
        if compress {
            request = request.header(CONTENT_ENCODING, "gzip");
        }
        if let Some(auth) = &self.url.authorization {
            request = request.header(AUTHORIZATION, auth.clone());
        }
        let request = request
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| Error::Transport(e.to_string()))?;
        let response = self
            .http
            .request(request)
            .await
            .map_err(|e| Error::Transport(describe(&e)))?;
        let status = response.status();
        if status != StatusCode::OK {
            return Err(Error::Http {
                status: status.as_u16(),
                reason: status.canonical_reason().unwrap_or("").to_owned(),
                url: self.url.display(),
            });
        }
        let gzipped = response
            .headers()
            .get(CONTENT_ENCODING)
            .is_some_and(|v| v == HeaderValue::from_static("gzip"));
        let max = self.settings.max_response_size;
        let body = Limited::new(response.into_body(), max)
            .collect()
            .await
            .map_err(|e| {
                if e.is::<http_body_util::LengthLimitError>() {
                    Error::ResponseTooLarge(max)
                } else {
                    Error::Transport(e.to_string())
                }
            })?
            .to_bytes();
        if gzipped {
            gunzip(&body, max)
                .map(Bytes::from)
                .map_err(|e| Error::Transport(e.to_string()))
        } else {
            Ok(body)
        }
    }
}

/// The whole chain of causes, since hyper's top-level message is terse.
fn describe(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
