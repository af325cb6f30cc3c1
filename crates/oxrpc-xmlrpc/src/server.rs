//! The XML-RPC HTTP server.
//!
//! hyper serves HTTP/1.1 with keep-alive (CPython's server closes every
//! connection) on connections `oxrpc-net` accepts (its cap, TLS, drain);
//! everything XML-RPC-specific stays here: which paths answer,
//! gzip in both directions, the size and time limits that keep a hostile peer
//! from holding memory or connections, the request log, and the HTTP answers
//! CPython's `SimpleXMLRPCRequestHandler` gives (404 `No such page` for other
//! paths, 501 for other methods and encodings, 200 with a fault for anything
//! that reached the dispatcher).

use crate::budget::{MemoryBudget, Reservation, ResponseBody, SMALL};
use crate::compression::{accepts_gzip, gunzip, gzip, GunzipError};
use crate::decode::{decode_call, Limits, MethodCall, ParseError};
use crate::encode::{encode_fault, encode_response};
use crate::fault::Fault;
use crate::handler::{AsyncHandler, Handler};
use crate::registry::{response_too_large, Method, Registry};
use crate::value::Value;
use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Body as _;
use hyper::body::Incoming;
use hyper::header::{HeaderValue, ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE};
use hyper::{Method as HttpMethod, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use oxrpc_net::{Accepted, ListenConfig, Listener, Peer, Shutdown};
use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tracing::{debug, info};

/// Server settings. The defaults are safe to expose; raise them deliberately.
#[derive(Clone)]
pub struct ServerConfig {
    /// Paths that accept XML-RPC POSTs; others get 404. Empty means any path.
    pub rpc_paths: Vec<String>,
    /// Largest request body accepted as sent (413 beyond).
    pub max_body_size: usize,
    /// Largest request body after gunzip (413 beyond).
    pub max_decompressed_size: usize,
    /// Nesting and value-count limits for request documents.
    pub limits: Limits,
    /// Log each request like CPython's `logRequests=True` (at INFO, via tracing).
    pub log_requests: bool,
    /// Responses larger than this are gzipped when the client accepts gzip
    /// (CPython's `encode_threshold`, 1400 bytes). `None` never compresses.
    pub gzip_threshold: Option<usize>,
    /// Time a client has to send complete request headers (slowloris guard).
    pub header_read_timeout: Duration,
    /// Time a client has to send the complete body once headers are in.
    pub body_read_timeout: Duration,
    /// Largest request head (request line and headers) read, in bytes.
    pub max_header_size: usize,
    /// Largest response sent, in bytes (about, measured before encoding):
    /// beyond it the client gets a fault instead of a half-built gigabyte,
    /// `system.multicall` included.
    pub max_response_size: usize,
    /// Most bytes all connections together may hold in large documents
    /// (bodies over 256 KiB, their inflated and parsed forms, responses
    /// waiting to be written). A request that cannot get its share within
    /// the body read timeout gets 503; a response, a fault.
    pub max_buffered: usize,
    /// How connections are accepted: the connection cap, https (TLS),
    /// client-certificate authentication, and the graceful-shutdown grace.
    pub listen: ListenConfig,
    /// Require HTTP basic authentication with these credentials.
    pub basic_auth: Option<BasicAuth>,
}

/// Credentials for HTTP basic authentication.
#[derive(Clone, PartialEq, Eq)]
pub struct BasicAuth {
    /// The user name.
    pub user: String,
    /// The password.
    pub password: String,
}

impl std::fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "BasicAuth {{ user: {:?}, password: <hidden> }}",
            self.user
        )
    }
}

impl BasicAuth {
    /// Whether an `Authorization` header value carries these credentials.
    fn admits(&self, header: Option<&HeaderValue>) -> bool {
        use base64::Engine;
        let Some(token) = header.and_then(|h| h.to_str().ok()).and_then(|h| {
            h.strip_prefix("Basic ")
                .or_else(|| h.strip_prefix("basic "))
        }) else {
            return false;
        };
        let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(token.trim()) else {
            return false;
        };
        let expected = format!("{}:{}", self.user, self.password);
        // Compare without an early exit, so timing does not reveal a prefix.
        decoded.len() == expected.len()
            && decoded
                .iter()
                .zip(expected.as_bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            rpc_paths: vec!["/".into(), "/RPC2".into(), "/pydoc.css".into()],
            max_body_size: 16 << 20,
            max_decompressed_size: 32 << 20,
            limits: Limits::default(),
            log_requests: true,
            gzip_threshold: Some(1400),
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            max_header_size: 64 * 1024,
            max_response_size: 64 << 20,
            max_buffered: 256 << 20,
            listen: ListenConfig {
                shutdown_grace: Duration::from_secs(10),
                // The request log says who called; accepts are not logged.
                log_connections: false,
                ..ListenConfig::named("xmlrpc")
            },
            basic_auth: None,
        }
    }
}

/// An XML-RPC server: a [`Registry`] of methods served over HTTP.
///
/// ```no_run
/// use oxrpc_xmlrpc::Server;
///
/// # async fn run() -> std::io::Result<()> {
/// let mut server = Server::new();
/// server.register("add", |a: i32, b: i32| a + b).help("Adds two ints.");
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:9000").await?;
/// server.serve(listener).await // until Ctrl-C
/// # }
/// ```
pub struct Server {
    registry: Registry,
    config: ServerConfig,
}

impl Default for Server {
    fn default() -> Self {
        Server::new()
    }
}

struct Shared {
    registry: Registry,
    config: ServerConfig,
    /// Decoding and encoding of large documents (and every gzip body) runs
    /// on the blocking pool, this many at once, so it never takes every
    /// core from small calls.
    heavy: tokio::sync::Semaphore,
    /// The memory large documents draw on, all connections together.
    memory: MemoryBudget,
}

/// Why a request went no further than its body.
enum Refusal {
    /// An HTTP answer (413, 400, 503).
    Http(HttpResponse),
    /// A document that is not a call: a fault, as CPython answers.
    Fault(ParseError),
}

impl Server {
    /// A server with no methods (but `system.*`) and default settings.
    pub fn new() -> Self {
        Server::with_config(ServerConfig::default())
    }

    /// A server with the given settings.
    pub fn with_config(config: ServerConfig) -> Self {
        Server {
            registry: Registry::new(),
            config,
        }
    }

    /// The settings, to adjust before serving.
    pub fn config_mut(&mut self) -> &mut ServerConfig {
        &mut self.config
    }

    /// The method table, for registration beyond the shortcuts below.
    pub fn registry_mut(&mut self) -> &mut Registry {
        &mut self.registry
    }

    /// Registers a synchronous handler (see [`Registry::register`]).
    pub fn register<Args, H: Handler<Args>>(&mut self, name: &str, handler: H) -> &mut Method {
        self.registry.register(name, handler)
    }

    /// Registers an async handler (see [`Registry::register_async`]).
    pub fn register_async<Args, H: AsyncHandler<Args>>(
        &mut self,
        name: &str,
        handler: H,
    ) -> &mut Method {
        self.registry.register_async(name, handler)
    }

    /// Serves `listener` until Ctrl-C or SIGTERM, then shuts down gracefully.
    pub async fn serve(self, listener: impl Into<Listener>) -> std::io::Result<()> {
        self.serve_with_shutdown(listener, oxrpc_net::shutdown_signal())
            .await
    }

    /// Serves `listener` until `shutdown` completes, then stops accepting and
    /// lets in-flight requests finish (up to the listen config's
    /// `shutdown_grace`).
    pub async fn serve_with_shutdown(
        self,
        listener: impl Into<Listener>,
        shutdown: impl Future<Output = ()>,
    ) -> std::io::Result<()> {
        let listen = self.config.listen.clone();
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(TokioTimer::new())
            // A client may shut down its side once its request is sent;
            // the answer still goes out, as CPython's does.
            .half_close(true)
            .header_read_timeout(self.config.header_read_timeout)
            .max_buf_size(self.config.max_header_size.max(8192))
            .keep_alive(true);
        let mut registry = self.registry;
        registry.set_max_response_size(self.config.max_response_size);
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let shared = Arc::new(Shared {
            registry,
            heavy: tokio::sync::Semaphore::new(cores.saturating_sub(1).max(1)),
            memory: MemoryBudget::new(self.config.max_buffered),
            config: self.config,
        });
        oxrpc_net::serve(
            listener.into(),
            listen,
            shutdown,
            move |accepted, shutdown| {
                let (shared, http) = (shared.clone(), http.clone());
                async move { serve_http(&http, shared, accepted, shutdown).await }
            },
        )
        .await
    }
}

/// Serves HTTP on one admitted connection until the client leaves or the
/// server shuts down (then in-flight requests finish first).
async fn serve_http(
    http: &hyper::server::conn::http1::Builder,
    shared: Arc<Shared>,
    accepted: Accepted,
    mut shutdown: Shutdown,
) {
    let peer = Arc::new(accepted.peer);
    let slot = Arc::new(accepted.slot);
    let (service_peer, service_slot) = (peer.clone(), slot.clone());
    let service = hyper::service::service_fn(move |request| {
        let (shared, peer, slot) = (shared.clone(), service_peer.clone(), service_slot.clone());
        async move {
            let _busy = slot.busy();
            Ok::<_, Infallible>(shared.handle(request, &peer).await)
        }
    });
    let connection = http.serve_connection(TokioIo::new(accepted.stream), service);
    tokio::pin!(connection);
    let result = tokio::select! {
        result = connection.as_mut() => result,
        _ = shutdown.requested() => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
        // The server is full and this keep-alive connection is idle.
        _ = slot.evicted() => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(e) = result {
        debug!(%peer, error = %e, "connection ended with an error");
    }
}

type HttpResponse = Response<ResponseBody>;

/// Why a request body was not read.
enum BodyError {
    /// Larger than the limit (the rest was read and thrown away, as far as
    /// [`DISCARD_LIMIT`] allows).
    TooLarge,
    /// Not complete within the body read timeout.
    TimedOut,
    /// The connection failed mid-body.
    Unreadable,
    /// The server's memory budget had no room for it in time.
    Busy,
}

/// How many bytes of an oversized body are read and thrown away before the
/// 413 goes out, how long that may take, and how long a pause in the data
/// ends it (nginx's `lingering_time` and `lingering_timeout`). A client such
/// as CPython's
/// `ServerProxy` writes its whole body before reading anything: answering
/// and closing while it is still writing would give it a broken pipe
/// instead of the 413 (nginx's "lingering close" does the same). Nothing
/// read here is kept, so memory stays bounded whatever the client sends.
const DISCARD_LIMIT: (usize, Duration, Duration) =
    (64 << 20, Duration::from_secs(10), Duration::from_secs(1));

/// Reads a request body of at most `max` bytes within `timeout`, with its
/// share of `memory` (the declared length, or `max` for a chunked body).
async fn read_body(
    mut body: Incoming,
    max: usize,
    timeout: Duration,
    memory: &MemoryBudget,
) -> Result<(Bytes, Reservation), BodyError> {
    let declared = body.size_hint().exact();
    let read = async {
        if declared.is_some_and(|n| n > max as u64) {
            return Err(BodyError::TooLarge);
        }
        let expected = declared.map_or(max, |n| usize::try_from(n).unwrap_or(max));
        let reservation = memory
            .reserve(expected, timeout)
            .await
            .ok_or(BodyError::Busy)?;
        let mut collected = bytes::BytesMut::new();
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|_| BodyError::Unreadable)?;
            if let Some(data) = frame.data_ref() {
                if collected.len() + data.len() > max {
                    return Err(BodyError::TooLarge);
                }
                collected.extend_from_slice(data);
            }
        }
        Ok((collected.freeze(), reservation))
    };
    let result = match tokio::time::timeout(timeout, read).await {
        Ok(result) => result,
        Err(_) => Err(BodyError::TimedOut),
    };
    if let Err(BodyError::TooLarge | BodyError::Busy) = result {
        let discard = async {
            let mut discarded = 0usize;
            while let Ok(Some(Ok(frame))) =
                tokio::time::timeout(DISCARD_LIMIT.2, body.frame()).await
            {
                discarded += frame.data_ref().map_or(0, |d| d.len());
                if discarded > DISCARD_LIMIT.0 {
                    break;
                }
            }
        };
        let _ = tokio::time::timeout(DISCARD_LIMIT.1, discard).await;
    }
    result
}

/// An answer with no body, as CPython's `send_response` + `Content-length:
/// 0` gives, with its reason phrase when it words one of its own.
fn empty(status: StatusCode, reason: Option<String>) -> HttpResponse {
    let mut response = Response::new(ResponseBody::new(Bytes::new()));
    *response.status_mut() = status;
    if let Some(reason) =
        reason.and_then(|r| hyper::ext::ReasonPhrase::try_from(r.into_bytes()).ok())
    {
        response.extensions_mut().insert(reason);
    }
    response
}

/// The HTML page `http.server`'s `send_error` answers with, word for word
/// (a Python client reads the status and, in a browser, the page).
fn error_page(status: StatusCode, message: &str, with_body: bool) -> HttpResponse {
    let explain = match status {
        StatusCode::NOT_IMPLEMENTED => "Server does not support this operation",
        _ => status.canonical_reason().unwrap_or("???"),
    };
    let escape = |text: &str| {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let page = format!(
        "<!DOCTYPE HTML>\n<html lang=\"en\">\n    <head>\n        <meta charset=\"utf-8\">\n        \
         <title>Error response</title>\n    </head>\n    <body>\n        <h1>Error response</h1>\n        \
         <p>Error code: {code}</p>\n        <p>Message: {message}.</p>\n        \
         <p>Error code explanation: {code} - {explain}.</p>\n    </body>\n</html>\n",
        code = status.as_u16(),
        message = escape(message),
        explain = escape(explain),
    );
    let length = page.len();
    let mut response = Response::new(ResponseBody::new(if with_body {
        Bytes::from(page)
    } else {
        Bytes::new()
    }));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(hyper::header::CONNECTION, HeaderValue::from_static("close"));
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html;charset=utf-8"),
    );
    if !with_body {
        headers.insert(hyper::header::CONTENT_LENGTH, HeaderValue::from(length));
    }
    if let Ok(reason) = hyper::ext::ReasonPhrase::try_from(message.as_bytes().to_vec()) {
        response.extensions_mut().insert(reason);
    }
    response
}

fn plain(status: StatusCode, text: &'static str) -> HttpResponse {
    let mut response = Response::new(ResponseBody::new(Bytes::from_static(text.as_bytes())));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    response
}

impl Shared {
    /// CPython's `is_rpc_path_valid`: the request target (path and query)
    /// must be one of the RPC paths, after `http.server`'s folding of a
    /// leading `//` into `/`.
    fn is_rpc_path(&self, uri: &hyper::Uri) -> bool {
        if self.config.rpc_paths.is_empty() {
            return true;
        }
        let target = uri.path_and_query().map_or("/", |p| p.as_str());
        let folded;
        let target = if target.starts_with("//") {
            folded = format!("/{}", target.trim_start_matches('/'));
            folded.as_str()
        } else {
            target
        };
        self.config.rpc_paths.iter().any(|p| p == target)
    }

    async fn handle(&self, request: Request<Incoming>, peer: &Peer) -> HttpResponse {
        let started = Instant::now();
        let http_method = request.method().clone();
        let path = request.uri().path().to_owned();
        let (response, rpc_method) = self.respond(request).await;
        if self.config.log_requests {
            info!(
                target: "oxrpc::xmlrpc::request",
                "{} \"{} {}\" {} {} {:?}",
                peer.ip().map_or_else(|| peer.to_string(), |ip| ip.to_string()),
                http_method,
                path,
                response.status().as_u16(),
                rpc_method.as_deref().unwrap_or("-"),
                started.elapsed()
            );
        }
        response
    }

    async fn respond(&self, request: Request<Incoming>) -> (HttpResponse, Option<String>) {
        if request.method() != HttpMethod::POST {
            let method = request.method().as_str();
            let message = format!("Unsupported method ({})", crate::python_str_repr(method));
            let head = request.method() == HttpMethod::HEAD;
            return (
                error_page(StatusCode::NOT_IMPLEMENTED, &message, !head),
                None,
            );
        }
        // hyper bounds the buffer a request head is read into; the cap on
        // the head itself is counted here, exactly.
        let head: usize = request.uri().to_string().len()
            + request
                .headers()
                .iter()
                .map(|(name, value)| name.as_str().len() + value.len() + 4)
                .sum::<usize>();
        if head > self.config.max_header_size {
            return (
                plain(
                    StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                    "request header fields too large\n",
                ),
                None,
            );
        }
        if let Some(auth) = &self.config.basic_auth {
            if !auth.admits(request.headers().get(hyper::header::AUTHORIZATION)) {
                let mut response = plain(StatusCode::UNAUTHORIZED, "authentication required\n");
                response.headers_mut().insert(
                    hyper::header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Basic realm=\"oxrpc\""),
                );
                return (response, None);
            }
        }
        if !self.is_rpc_path(request.uri()) {
            return (plain(StatusCode::NOT_FOUND, "No such page"), None);
        }
        // CPython reads exactly Content-Length bytes and fails (500, no
        // body) without one; a chunked body is read here all the same.
        let headers = request.headers();
        if !headers.contains_key(hyper::header::CONTENT_LENGTH)
            && !headers.contains_key(hyper::header::TRANSFER_ENCODING)
        {
            return (empty(StatusCode::INTERNAL_SERVER_ERROR, None), None);
        }
        let gzipped = match headers.get(CONTENT_ENCODING).map(|v| v.to_str()) {
            None => false,
            Some(Ok(v)) if v.eq_ignore_ascii_case("identity") => false,
            Some(Ok(v)) if v.eq_ignore_ascii_case("gzip") => true,
            Some(v) => {
                let encoding = v.unwrap_or("?").to_lowercase();
                let reason = format!(
                    "encoding {} not supported",
                    crate::python_str_repr(&encoding)
                );
                return (empty(StatusCode::NOT_IMPLEMENTED, Some(reason)), None);
            }
        };
        let wants_gzip = request
            .headers()
            .get(ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .is_some_and(accepts_gzip);
        let (body, mut held) = match read_body(
            request.into_body(),
            self.config.max_body_size,
            self.config.body_read_timeout,
            &self.memory,
        )
        .await
        {
            Ok(read) => read,
            Err(BodyError::TooLarge) => {
                let mut response = plain(StatusCode::PAYLOAD_TOO_LARGE, "request body too large\n");
                response
                    .headers_mut()
                    .insert(hyper::header::CONNECTION, HeaderValue::from_static("close"));
                return (response, None);
            }
            Err(BodyError::Busy) => return (server_busy(), None),
            Err(BodyError::TimedOut) => {
                return (
                    plain(StatusCode::REQUEST_TIMEOUT, "request body timed out\n"),
                    None,
                )
            }
            Err(BodyError::Unreadable) => {
                return (
                    plain(StatusCode::BAD_REQUEST, "could not read request body\n"),
                    None,
                )
            }
        };
        let call = match self.decode(body, gzipped, &mut held).await {
            Ok(call) => call,
            Err(Refusal::Http(response)) => return (response, None),
            Err(Refusal::Fault(e)) => {
                let (body, gzipped, none) =
                    self.small_document(encode_fault(&e.to_fault()), wants_gzip);
                return (xml_response(body, gzipped, none), None);
            }
        };
        let name = call.name.clone();
        let result: Result<Value, Fault> = self.registry.dispatch(&call.name, call.params).await;
        // The request's memory goes back before the response takes its own.
        drop(held);
        let (body, gzipped, reservation) = match result {
            Ok(value) => self.encode(value, wants_gzip).await,
            Err(fault) => self.small_document(encode_fault(&fault), wants_gzip),
        };
        (xml_response(body, gzipped, reservation), Some(name))
    }

    /// Inflates (a gzip body) and parses a request. Large documents are
    /// handled on the blocking pool, a few at a time, each with a share of
    /// the memory budget for its inflated and parsed forms.
    async fn decode(
        &self,
        body: Bytes,
        gzipped: bool,
        held: &mut Reservation,
    ) -> Result<MethodCall, Refusal> {
        let limits = self.config.limits;
        if !gzipped && body.len() <= SMALL {
            return decode_call(&body, &limits).map_err(Refusal::Fault);
        }
        let _lane = self.heavy.acquire().await;
        let body = if gzipped {
            let max = self.config.max_decompressed_size;
            let inflated = tokio::task::spawn_blocking(move || gunzip(&body, max))
                .await
                .unwrap_or_else(|_| Err(GunzipError::Corrupt("the decoder failed".into())));
            match inflated {
                Ok(inflated) => Bytes::from(inflated),
                Err(GunzipError::TooLarge(_)) => {
                    return Err(Refusal::Http(plain(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "gzip content inflates too large\n",
                    )))
                }
                Err(GunzipError::Corrupt(_)) => {
                    return Err(Refusal::Http(empty(
                        StatusCode::BAD_REQUEST,
                        Some("error decoding gzip content".into()),
                    )))
                }
            }
        } else {
            body
        };
        // The parsed values take about as much again as the document.
        let parsed = self
            .memory
            .reserve(body.len().saturating_mul(2), self.config.body_read_timeout)
            .await
            .ok_or_else(|| Refusal::Http(server_busy()))?;
        held.join(parsed);
        tokio::task::spawn_blocking(move || decode_call(&body, &limits))
            .await
            .unwrap_or_else(|_| Err(ParseError::Invalid("the decoder failed".into())))
            .map_err(Refusal::Fault)
    }

    /// Encodes a result, within the response limit and with its share of
    /// the memory budget until written; gzipped when the client accepts it.
    async fn encode(&self, value: Value, wants_gzip: bool) -> (Bytes, bool, Reservation) {
        let max = self.config.max_response_size;
        let size = value.encoded_size_at_most(max);
        if size > max {
            return self.small_document(encode_fault(&response_too_large(max)), wants_gzip);
        }
        if size <= SMALL {
            return match encode_response(&value) {
                Ok(xml) => self.small_document(xml, wants_gzip),
                Err(e) => self.small_document(cannot_encode(&e.to_string()), wants_gzip),
            };
        }
        let Some(reservation) = self
            .memory
            .reserve(size, self.config.body_read_timeout)
            .await
        else {
            let busy = Fault::new(
                Fault::INTERNAL_ERROR,
                "server error. too many large responses in progress, try again",
            );
            return self.small_document(encode_fault(&busy), wants_gzip);
        };
        let threshold = self.config.gzip_threshold;
        let _lane = self.heavy.acquire().await;
        let encoded = tokio::task::spawn_blocking(move || {
            let xml = encode_response(&value).unwrap_or_else(|e| cannot_encode(&e.to_string()));
            compress_if_wanted(xml, wants_gzip, threshold)
        })
        .await
        .unwrap_or_else(|_| (Bytes::from(cannot_encode("the encoder failed")), false));
        (encoded.0, encoded.1, reservation)
    }

    /// A document small enough to finish on the connection's task.
    fn small_document(&self, xml: String, wants_gzip: bool) -> (Bytes, bool, Reservation) {
        let (body, gzipped) = compress_if_wanted(xml, wants_gzip, self.config.gzip_threshold);
        (body, gzipped, Reservation::default())
    }
}

fn cannot_encode(reason: &str) -> String {
    encode_fault(&Fault::new(
        Fault::INTERNAL_ERROR,
        format!("server error. cannot encode the result: {reason}"),
    ))
}

/// 503: the memory budget had no room for this request in time.
fn server_busy() -> HttpResponse {
    let mut response = plain(
        StatusCode::SERVICE_UNAVAILABLE,
        "server busy with large requests, try again\n",
    );
    response
        .headers_mut()
        .insert(hyper::header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

/// The document as sent: gzipped when the client accepts gzip and it is
/// over the threshold (CPython's `encode_threshold`).
fn compress_if_wanted(xml: String, wants_gzip: bool, threshold: Option<usize>) -> (Bytes, bool) {
    if wants_gzip && threshold.is_some_and(|t| xml.len() > t) {
        (Bytes::from(gzip(xml.as_bytes())), true)
    } else {
        (Bytes::from(xml), false)
    }
}

/// A 200 carrying an XML document (gzipped or not), holding its memory
/// reservation until written.
fn xml_response(body: Bytes, gzipped: bool, reservation: Reservation) -> HttpResponse {
    let mut response = Response::new(ResponseBody::reserved(body, reservation));
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/xml"));
    if gzipped {
        headers.insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    response
}
