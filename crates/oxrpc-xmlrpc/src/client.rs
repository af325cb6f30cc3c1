//! The async XML-RPC client.
//!
//! Shaped after CPython's `ServerProxy` (`client.call("list_contents",
//! ("/tmp",))`), with what a Rust caller expects on top: typed results,
//! typed errors, a pooled keep-alive connection, gzip, timeouts, https via
//! rustls and basic auth taken from the URL. Like `ServerProxy`, it can
//! send extra headers on every request (`headers=`) and log each request
//! and response (`verbose=`, here through `tracing`); unlike it, it goes
//! through the HTTP proxy the environment names (see `proxy.rs`).
//!
//! # Verbose logging
//!
//! With [`ClientBuilder::verbose`], every request and response is logged
//! at INFO on the `oxrpc::xmlrpc::client` target: the request line, the
//! headers (credentials replaced by `<hidden>`), the body (the first
//! 64 KiB, as text), then the status, headers and body of the answer.

use crate::compression::{gunzip, gzip};
use crate::convert::{FromValue, IntoParams};
use crate::decode::{decode_response, Limits, MethodResponse};
use crate::encode::encode_call;
use crate::error::Error;
use crate::multicall::MultiCall;
use crate::proxy::{Proxy, ProxyConnector};
use crate::unix::SocketConnector;
use crate::url::ServerUrl;
use crate::value::Value;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::header::{
    HeaderMap, HeaderName, HeaderValue, ACCEPT_ENCODING, AUTHORIZATION, CONTENT_ENCODING,
    CONTENT_TYPE, PROXY_AUTHORIZATION, USER_AGENT,
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
    http: HttpClient<HttpsConnector<SocketConnector>, Full<Bytes>>,
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
    headers: HeaderMap,
    verbose: bool,
    proxy: Option<Proxy>,
}

/// Which proxy the client goes through.
enum ProxyChoice {
    /// The one the environment names (the default).
    FromEnv,
    /// This one, or none.
    Given(Option<Proxy>),
}

/// Configures a [`Client`].
pub struct ClientBuilder {
    url: String,
    settings: Settings,
    tls: Option<rustls::ClientConfig>,
    connect_timeout: Option<Duration>,
    keepalive: Option<Duration>,
    unix_socket: Option<std::path::PathBuf>,
    proxy: ProxyChoice,
    /// The first header that could not be used, reported by `build`.
    bad_header: Option<String>,
}

/// Most of a body verbose logging shows.
const LOGGED_BODY: usize = 64 * 1024;

impl ClientBuilder {
    /// Sends this header with every request (CPython's `headers=`). A
    /// header the client sets itself (`User-Agent`, `Accept-Encoding`, ...)
    /// is replaced; call again to add more values of one header.
    ///
    /// ```
    /// let client = oxrpc_xmlrpc::Client::builder("http://localhost:9000")
    ///     .header("X-Api-Key", "k3y")
    ///     .header("User-Agent", "inventory-sync/2.1")
    ///     .build()
    ///     .unwrap();
    /// ```
    pub fn header(mut self, name: &str, value: &str) -> Self {
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            (Ok(name), Ok(value)) => {
                self.settings.headers.append(name, value);
            }
            _ => {
                self.bad_header.get_or_insert_with(|| name.to_owned());
            }
        }
        self
    }

    /// Sends these headers with every request (see [`ClientBuilder::header`]).
    pub fn headers<'a>(mut self, headers: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        for (name, value) in headers {
            self = self.header(name, value);
        }
        self
    }

    /// Logs every request and response (CPython's `verbose=True`; see the
    /// module docs for what is logged).
    pub fn verbose(mut self, verbose: bool) -> Self {
        self.settings.verbose = verbose;
        self
    }

    /// Goes through `proxy` (`None`: connect directly), instead of the
    /// proxy the environment names (`HTTP_PROXY`, `NO_PROXY`).
    pub fn proxy(mut self, proxy: Option<Proxy>) -> Self {
        self.proxy = ProxyChoice::Given(proxy);
        self
    }

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

    /// Sends TCP keepalive probes on idle pooled connections after `idle`
    /// (default off), so a server host that vanished is noticed.
    pub fn tcp_keepalive(mut self, idle: impl Into<Option<Duration>>) -> Self {
        self.keepalive = idle.into();
        self
    }

    /// Connects to the Unix socket at `path` instead of the URL's host and
    /// port; the URL still gives the HTTP path and `Host` header. A
    /// `http+unix://` URL with the path percent-encoded as its host does
    /// the same (`http+unix://%2Frun%2Fapp.sock/RPC2`). No proxy is used.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), oxrpc_xmlrpc::Error> {
    /// let client = oxrpc_xmlrpc::Client::builder("http://localhost/RPC2")
    ///     .unix_socket("/run/inventory/xmlrpc.sock")
    ///     .build()?;
    /// let names: Vec<String> = client.call("list_contents", ("/tmp",)).await?;
    /// # Ok(()) }
    /// ```
    pub fn unix_socket(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.unix_socket = Some(path.into());
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

    /// Limits for parsing responses (default [`Limits::for_responses`]).
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
    pub fn build(mut self) -> Result<Client, Error> {
        if let Some(name) = self.bad_header {
            return Err(Error::Transport(format!("invalid header {name:?}")));
        }
        let (url, unix_socket) = match crate::unix::split_url(&self.url) {
            (url, Some(socket)) => (url, Some(socket)),
            (url, None) => (url, self.unix_socket.take()),
        };
        let url = ServerUrl::parse(&url)?;
        self.settings.proxy = match self.proxy {
            _ if unix_socket.is_some() => None,
            ProxyChoice::FromEnv => Proxy::from_env(&url.uri),
            ProxyChoice::Given(proxy) => proxy,
        };
        let tls = match self.tls {
            Some(config) => config,
            None => default_tls_config()?,
        };
        let mut connector = HttpConnector::new();
        connector.enforce_http(false);
        connector.set_nodelay(true);
        connector.set_connect_timeout(self.connect_timeout);
        connector.set_keepalive(self.keepalive);
        // Only http:// servers go through a proxy.
        let proxy = self
            .settings
            .proxy
            .as_ref()
            .filter(|_| url.uri.scheme_str() == Some("http"));
        let connector = ProxyConnector::new(connector, proxy);
        let connector = SocketConnector::new(connector, unix_socket, self.connect_timeout);
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
                limits: Limits::for_responses(),
                headers: HeaderMap::new(),
                verbose: false,
                proxy: None,
            },
            tls: None,
            connect_timeout: Some(Duration::from_secs(10)),
            keepalive: None,
            unix_socket: None,
            proxy: ProxyChoice::FromEnv,
            bad_header: None,
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
            MethodResponse::NonStandardFault(fault) => {
                Err(Error::NonStandardFault(Box::new(fault)))
            }
        }
    }

    /// Starts a `system.multicall` batch.
    pub fn multicall(&self) -> MultiCall<'_> {
        MultiCall::new(self)
    }

    /// The POST carrying `body` (already gzipped when `compress`), with
    /// the client's headers.
    fn request(
        &self,
        body: &Bytes,
        compress: bool,
        proxy: Option<&Proxy>,
    ) -> Result<Request<Full<Bytes>>, Error> {
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
        if let Some(auth) = proxy.and_then(Proxy::authorization) {
            request = request.header(PROXY_AUTHORIZATION, auth.clone());
        }
        let mut request = request
            .body(Full::new(body.clone()))
            .map_err(|e| Error::Transport(e.to_string()))?;
        let mut replaced: Option<HeaderName> = None;
        for (name, value) in &self.settings.headers {
            // The first value of a header replaces the client's own.
            if replaced.as_ref() != Some(name) {
                request.headers_mut().remove(name);
                replaced = Some(name.clone());
            }
            request.headers_mut().append(name.clone(), value.clone());
        }
        Ok(request)
    }

    async fn post(&self, body: Vec<u8>) -> Result<Bytes, Error> {
        let compress = self
            .settings
            .gzip_requests_over
            .is_some_and(|threshold| body.len() > threshold);
        // Verbose logging shows the document, not its gzip.
        let document = self.settings.verbose.then(|| Bytes::from(body.clone()));
        let body = Bytes::from(if compress { gzip(&body) } else { body });
        let proxy = self
            .settings
            .proxy
            .as_ref()
            .filter(|_| self.url.uri.scheme_str() == Some("http"));
        let request = self.request(&body, compress, proxy)?;
        if self.settings.verbose {
            log_message(
                &format!(
                    "send: POST {} HTTP/1.1{}",
                    self.url.display(),
                    proxy.map_or_else(String::new, |p| format!(" (via proxy {p})"))
                ),
                request.headers(),
                document.as_deref().unwrap_or_default(),
            );
        }
        // As CPython's `Transport.request`: a kept-alive connection the
        // server has closed meanwhile is given up and the call retried on
        // another. CPython keeps one connection and so retries once; the
        // pool may hold a few gone cold together (a server that restarted),
        // each tried and dropped in turn.
        let mut attempt = self.http.request(request).await;
        for _ in 1..COLD_RETRIES {
            match &attempt {
                Err(e) if went_cold(e) => {
                    attempt = self
                        .http
                        .request(self.request(&body, compress, proxy)?)
                        .await;
                }
                _ => break,
            }
        }
        let response = attempt.map_err(|e| {
            Error::Transport(with_scheme_hint(describe(&e), self.url.uri.scheme_str()))
        })?;
        let status = response.status();
        // The server's own reason phrase, as CPython's ProtocolError shows
        // it (hyper keeps it only when it is not the standard one).
        let reason = response
            .extensions()
            .get::<hyper::ext::ReasonPhrase>()
            .and_then(|reason| std::str::from_utf8(reason.as_bytes()).ok())
            .unwrap_or(status.canonical_reason().unwrap_or(""))
            .to_owned();
        let verbose_head = self.settings.verbose.then(|| {
            (
                format!(
                    "reply: {:?} {} {reason}",
                    response.version(),
                    status.as_u16(),
                ),
                response.headers().clone(),
            )
        });
        if status != StatusCode::OK {
            if let Some((line, headers)) = &verbose_head {
                log_message(line, headers, b"");
            }
            return Err(Error::Http {
                status: status.as_u16(),
                reason,
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
        let body = if gzipped {
            gunzip(&body, max)
                .map(Bytes::from)
                .map_err(|e| Error::Transport(e.to_string()))?
        } else {
            body
        };
        if let Some((line, headers)) = &verbose_head {
            // The document as read, after gunzip.
            log_message(line, headers, &body);
        }
        Ok(body)
    }
}

/// One verbose log entry: a first line, the headers (credentials hidden)
/// and the body as text, cut at [`LOGGED_BODY`].
fn log_message(first_line: &str, headers: &HeaderMap, body: &[u8]) {
    let mut text = String::from(first_line);
    for (name, value) in headers {
        let shown = if name == AUTHORIZATION || name == PROXY_AUTHORIZATION {
            "<hidden>".into()
        } else {
            String::from_utf8_lossy(value.as_bytes())
        };
        text.push_str(&format!("\n{name}: {shown}"));
    }
    if !body.is_empty() {
        let shown = &body[..body.len().min(LOGGED_BODY)];
        text.push_str("\n\n");
        text.push_str(&String::from_utf8_lossy(shown));
        if body.len() > LOGGED_BODY {
            text.push_str(&format!("\n... ({} more bytes)", body.len() - LOGGED_BODY));
        }
    }
    tracing::info!(target: "oxrpc::xmlrpc::client", "{text}");
}

/// The whole chain of causes, since hyper's top-level message is terse.
/// Most attempts at one call while connections turn out closed by the
/// server (see [`went_cold`]).
const COLD_RETRIES: usize = 4;

/// Whether a request failed because the reused connection it went out on
/// had been closed by the server (a broken pipe or a reset), the errors on
/// which CPython's client retries.
fn went_cold(error: &hyper_util::client::legacy::Error) -> bool {
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            return matches!(
                io.kind(),
                std::io::ErrorKind::BrokenPipe
                    | std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::ConnectionAborted
            );
        }
        source = cause.source();
    }
    false
}

/// A transport error with a word on the likeliest cause when the server
/// speaks the other scheme: a TLS server answers a plain request with a
/// TLS record (no `HTTP/` version for hyper), a plain server answers a
/// TLS hello with HTTP (no TLS record for rustls).
fn with_scheme_hint(text: String, scheme: Option<&str>) -> String {
    let hint = match scheme {
        Some("http") if text.contains("invalid HTTP version parsed") => {
            "the server did not answer in HTTP: if it serves TLS, use an https:// URL"
        }
        Some("https") if text.contains("InvalidContentType") => {
            "the server did not answer in TLS: if it serves plain HTTP, use an http:// URL"
        }
        _ => return text,
    };
    format!("{text} ({hint})")
}

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
