//! Answering one HTTP request: the XML-RPC endpoint as a service.
//!
//! Everything between hyper and the method table lives here: which paths
//! answer (each RPC path, or a path with a registry of its own, like
//! CPython's `MultiPathXMLRPCServer`), gzip in both directions, the size
//! and time limits that keep a hostile peer from holding memory, basic
//! authentication, the documentation page on GET when enabled, the request
//! log, and the HTTP answers CPython's `SimpleXMLRPCRequestHandler` gives
//! (404 `No such page` for other paths, 501 for other methods and
//! encodings, 200 with a fault for anything that reached the dispatcher).
//!
//! [`Server`](crate::Server) runs a [`Router`] on every connection it
//! accepts; an application with an HTTP stack of its own mounts the same
//! [`Router`] as a hyper service, limits and all.

use crate::budget::{MemoryBudget, Reservation, ResponseBody, SMALL};
use crate::cert_name::certificate_name;
use crate::compression::{accepts_gzip, gunzip, gzip, GunzipError};
use crate::context::{AuthMethod, AuthUser, RequestContext};
use crate::decode::{decode_call, MethodCall, ParseError};
use crate::docs::{content_security_policy, render_page, DocsConfig, STYLESHEET};
use crate::encode::{encode_fault, encode_response_with_capacity};
use crate::encoded::Encoded;
use crate::fault::Fault;
use crate::free_after_reply::{free_after_reply, free_on_blocking_pool};
use crate::handler::Answer;
use crate::registry::{response_too_large, Registry};
use crate::server::ServerConfig;
use crate::value::Value;
use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::header::{HeaderValue, ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_TYPE};
use hyper::{Method as HttpMethod, Request, Response, StatusCode};
use oxrpc_net::Peer;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tracing::info;

/// The XML-RPC endpoint as a hyper service: the same answers, limits and
/// budgets as [`Server`](crate::Server), for an application that runs its
/// own HTTP server. Cheap to clone.
///
/// The handlers' [`RequestContext`] learns the caller from a
/// [`ConnectionInfo`] in the request's extensions, when the application
/// puts one there.
///
/// ```no_run
/// use oxrpc_xmlrpc::{ConnectionInfo, Server};
///
/// # async fn run() -> std::io::Result<()> {
/// let mut server = Server::new();
/// server.register("add", |a: i32, b: i32| a + b);
/// let router = server.into_router();
///
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
/// loop {
///     let (stream, peer) = listener.accept().await?;
///     let router = router.clone();
///     tokio::spawn(async move {
///         let service = hyper::service::service_fn(move |mut request| {
///             request.extensions_mut().insert(ConnectionInfo::new(Some(peer.into()), Vec::new()));
///             let router = router.clone();
///             async move { Ok::<_, std::convert::Infallible>(router.handle(request).await) }
///         });
///         let io = hyper_util::rt::TokioIo::new(stream);
///         let _ = hyper::server::conn::http1::Builder::new()
///             .serve_connection(io, service)
///             .await;
///     });
/// }
/// # }
/// ```
#[derive(Clone)]
pub struct Router {
    shared: Arc<Shared>,
}

/// Who is on the other end of the connection a request came over.
#[derive(Debug, Clone, Default)]
pub struct ConnectionInfo {
    peer: Option<Peer>,
    /// Where this connection's calls are recorded (`--metrics`).
    telemetry: Option<Arc<oxrpc_net::telemetry::ConnectionTelemetry>>,
    certificates: Arc<[Vec<u8>]>,
    /// The certificate's holder, named once per connection.
    certificate_user: Option<AuthUser>,
}

impl ConnectionInfo {
    /// The connection's peer and its verified TLS client certificate chain
    /// (leaf first; empty without one).
    pub fn new(peer: Option<Peer>, certificates: Vec<Vec<u8>>) -> Self {
        let certificate_user = certificates.first().map(|leaf| AuthUser {
            name: certificate_name(leaf),
            method: AuthMethod::ClientCertificate,
        });
        ConnectionInfo {
            peer,
            telemetry: None,
            certificates: certificates.into(),
            certificate_user,
        }
    }

    /// Records this connection's calls into `telemetry`.
    pub fn with_telemetry(
        mut self,
        telemetry: Option<Arc<oxrpc_net::telemetry::ConnectionTelemetry>>,
    ) -> Self {
        self.telemetry = telemetry;
        self
    }
}

/// A fault a response carries, for telemetry (`fault <code>`).
#[derive(Clone, Copy)]
struct FaultCode(i32);

/// A limit a request hit, for telemetry.
#[derive(Clone, Copy)]
struct LimitHit(&'static str);

fn limit(mut response: HttpResponse, limit: &'static str) -> HttpResponse {
    response.extensions_mut().insert(LimitHit(limit));
    response
}

fn fault_response(mut response: HttpResponse, code: i32) -> HttpResponse {
    response.extensions_mut().insert(FaultCode(code));
    response
}

/// The limit a document refused at parsing hit, if any.
fn parse_limit(error: &ParseError) -> Option<&'static str> {
    match error {
        ParseError::TooDeep(_) => Some("depth"),
        ParseError::TooManyValues(_) => Some("values"),
        _ => None,
    }
}

impl Router {
    pub(crate) fn new(
        mut registry: Registry,
        mut dispatchers: Vec<(String, Registry)>,
        config: ServerConfig,
    ) -> Router {
        registry.set_max_response_size(config.max_response_size);
        for (_, registry) in &mut dispatchers {
            registry.set_max_response_size(config.max_response_size);
        }
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Router {
            shared: Arc::new(Shared {
                registry,
                dispatchers,
                heavy: tokio::sync::Semaphore::new(cores.saturating_sub(1).max(1)),
                memory: MemoryBudget::new(config.max_buffered),
                config,
            }),
        }
    }

    /// Answers one request. The caller comes from the request's
    /// [`ConnectionInfo`] extension (unknown without one).
    pub async fn handle<B>(&self, request: Request<B>) -> Response<ResponseBody>
    where
        B: hyper::body::Body<Data = Bytes>,
    {
        let connection = request
            .extensions()
            .get::<ConnectionInfo>()
            .cloned()
            .unwrap_or_default();
        self.shared.handle(request, &connection).await
    }

    /// Answers one request that came over `connection`.
    ///
    /// Not an `async fn`: a wrapper's future would hold a copy of the whole
    /// request future, moved in on every request.
    pub(crate) fn handle_on<'a, B>(
        &'a self,
        request: Request<B>,
        connection: &'a ConnectionInfo,
    ) -> impl Future<Output = Response<ResponseBody>> + 'a
    where
        B: hyper::body::Body<Data = Bytes> + 'a,
    {
        self.shared.handle(request, connection)
    }
}

impl<B> hyper::service::Service<Request<B>> for Router
where
    B: hyper::body::Body<Data = Bytes> + Send + 'static,
{
    type Response = Response<ResponseBody>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn call(&self, request: Request<B>) -> Self::Future {
        let router = self.clone();
        Box::pin(async move { Ok(router.handle(request).await) })
    }
}

struct Shared {
    /// The registry behind the configured RPC paths.
    registry: Registry,
    /// Registries of their own at other paths (CPython's
    /// `MultiPathXMLRPCServer` dispatchers), matched first.
    dispatchers: Vec<(String, Registry)>,
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
async fn read_body<B>(
    body: B,
    expects_continue: bool,
    max: usize,
    timeout: Duration,
    memory: &MemoryBudget,
) -> Result<(Bytes, Reservation), BodyError>
where
    B: hyper::body::Body<Data = Bytes>,
{
    let mut body = std::pin::pin!(body);
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
        // A body that arrives in one frame (most do) is kept as it came;
        // the frames of a longer one are joined in a buffer with room for
        // the declared length (already reserved).
        let mut whole = Bytes::new();
        let mut joined: Option<bytes::BytesMut> = None;
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|_| BodyError::Unreadable)?;
            let Ok(data) = frame.into_data() else {
                continue;
            };
            let so_far = joined.as_ref().map_or(whole.len(), |buffer| buffer.len());
            if so_far + data.len() > max {
                return Err(BodyError::TooLarge);
            }
            match &mut joined {
                Some(buffer) => buffer.extend_from_slice(&data),
                None if whole.is_empty() => whole = data,
                None => {
                    let mut buffer =
                        bytes::BytesMut::with_capacity(declared.map_or(0, |_| expected));
                    buffer.extend_from_slice(&whole);
                    buffer.extend_from_slice(&data);
                    joined = Some(buffer);
                }
            }
        }
        Ok((joined.map_or(whole, bytes::BytesMut::freeze), reservation))
    };
    // Armed only if the body is not already in: most small calls' is.
    let result = match oxrpc_net::within(timeout, read).await {
        Ok(result) => result,
        Err(_) => Err(BodyError::TimedOut),
    };
    if let (Err(BodyError::TooLarge | BodyError::Busy), false) = (&result, expects_continue) {
        // Boxed: kept out of the future of every request that is read.
        Box::pin(discard(body)).await;
    }
    result
}

/// Reads what is left of a refused body and throws it away, within
/// [`DISCARD_LIMIT`]; true when the body was read to its end (the
/// connection can then carry another request).
async fn discard<B>(mut body: Pin<&mut B>) -> bool
where
    B: hyper::body::Body<Data = Bytes>,
{
    let discard = async {
        let mut discarded = 0usize;
        loop {
            match tokio::time::timeout(DISCARD_LIMIT.2, body.frame()).await {
                Ok(None) => return true,
                Ok(Some(Ok(frame))) => {
                    discarded += frame.data_ref().map_or(0, |d| d.len());
                    if discarded > DISCARD_LIMIT.0 {
                        return false;
                    }
                }
                Ok(Some(Err(_))) | Err(_) => return false,
            }
        }
    };
    tokio::time::timeout(DISCARD_LIMIT.1, discard)
        .await
        .unwrap_or(false)
}

/// An answer given before the request's body was read. What the client
/// sends of the body is read and thrown away first (within
/// [`DISCARD_LIMIT`]), so that a client that writes its whole body before
/// reading gets the answer rather than a broken pipe, and the connection
/// can carry its next request. When it cannot be read whole, or the client
/// waits for `100 Continue` (and sends nothing), the answer says the
/// connection closes: hyper cannot tell the rest of a body from a request.
///
/// Callers box its future: it is kept out of the future of every request.
async fn answer_unread<B>(request: Request<B>, response: HttpResponse) -> HttpResponse
where
    B: hyper::body::Body<Data = Bytes>,
{
    // hyper's size hint is exactly 0 for a request without a body.
    if request.body().size_hint().upper() == Some(0) {
        return response;
    }
    let expects_continue = waits_for_continue(&request);
    let body = std::pin::pin!(request.into_body());
    if !expects_continue && discard(body).await {
        return response;
    }
    closing(response)
}

/// Whether the client waits for `100 Continue` before sending its body
/// (reading the body is what sends the 100).
fn waits_for_continue<B>(request: &Request<B>) -> bool {
    request.headers().contains_key(hyper::header::EXPECT)
}

/// `response`, saying that the connection ends with it.
fn closing(mut response: HttpResponse) -> HttpResponse {
    response
        .headers_mut()
        .insert(hyper::header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// How long `uri` is as written (its `Display`), without writing it.
fn displayed_len(uri: &hyper::Uri) -> usize {
    uri.scheme_str()
        .map_or(0, |scheme| scheme.len() + "://".len())
        + uri
            .authority()
            .map_or(0, |authority| authority.as_str().len())
        + uri.path().len()
        + uri.query().map_or(0, |query| "?".len() + query.len())
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
    /// The registry a request target (path and query) reaches, after
    /// `http.server`'s folding of a leading `//` into `/`: a dispatcher's
    /// path, else one of the RPC paths (CPython's `is_rpc_path_valid`;
    /// none configured means any path). An absolute-form target
    /// (`http://host/RPC2`) is compared whole, as `http.server` keeps it,
    /// so it reaches only a server that takes any path.
    fn endpoint(&self, uri: &hyper::Uri) -> Option<(&Registry, String)> {
        let target = uri.path_and_query().map_or("/", |p| p.as_str());
        let target = if uri.scheme().is_some() {
            uri.to_string()
        } else if target.starts_with("//") {
            format!("/{}", target.trim_start_matches('/'))
        } else {
            target.to_owned()
        };
        if let Some((_, registry)) = self.dispatchers.iter().find(|(p, _)| *p == target) {
            return Some((registry, target));
        }
        if self.config.rpc_paths.is_empty() || self.config.rpc_paths.contains(&target) {
            return Some((&self.registry, target));
        }
        None
    }

    /// Where the default registry's page posts its calls.
    fn default_endpoint(&self) -> String {
        self.config
            .rpc_paths
            .iter()
            .find(|p| !p.ends_with(".css"))
            .cloned()
            .unwrap_or_else(|| "/".to_owned())
    }

    /// GET on an RPC path (or `/docs`): the documentation page of the
    /// registry there, or the stylesheet at a `.css` path (as
    /// `DocXMLRPCServer` serves `/pydoc.css`).
    fn documentation(
        &self,
        docs: &DocsConfig,
        registry: &Registry,
        target: &str,
        endpoint: String,
    ) -> HttpResponse {
        if target.ends_with(".css") {
            let mut response =
                Response::new(ResponseBody::new(Bytes::from_static(STYLESHEET.as_bytes())));
            response.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            );
            return response;
        }
        let mut others: Vec<String> = std::iter::once(self.default_endpoint())
            .chain(self.dispatchers.iter().map(|(p, _)| p.clone()))
            .filter(|p| *p != endpoint)
            .collect();
        others.dedup();
        let page = render_page(docs, &registry.describe(), &endpoint, &others);
        let mut response = Response::new(ResponseBody::new(Bytes::from(page)));
        let headers = response.headers_mut();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        if let Ok(policy) = HeaderValue::from_str(content_security_policy()) {
            headers.insert(hyper::header::CONTENT_SECURITY_POLICY, policy);
        }
        headers.insert(
            hyper::header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        headers.insert(
            hyper::header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        headers.insert(
            hyper::header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        );
        response
    }

    async fn handle<B>(&self, request: Request<B>, connection: &ConnectionInfo) -> HttpResponse
    where
        B: hyper::body::Body<Data = Bytes>,
    {
        // What the request log needs once the request is gone (a clock read
        // and a copy of the path, for every request when logging).
        let logged = self
            .config
            .log_requests
            .then(|| (Instant::now(), request.uri().path().to_owned()));
        let http_method = request.method().clone();
        let timer = connection.telemetry.as_ref().map(|t| t.request());
        let span = tracing::info_span!(
            "rpc",
            protocol = "xmlrpc",
            peer = %connection.peer.as_ref().map_or_else(String::new, ToString::to_string),
            http = %http_method,
            path = %request.uri().path(),
            method = tracing::field::Empty,
        );
        // Instrumented only when the span records: the wrapper is one more
        // move of the whole request future.
        let (response, rpc_method) = if span.is_disabled() {
            self.respond(request, connection).await
        } else {
            tracing::Instrument::instrument(self.respond(request, connection), span.clone()).await
        };
        if let Some(method) = &rpc_method {
            span.record("method", method.as_str());
        }
        if let (Some(mut timer), Some(telemetry)) = (timer, &connection.telemetry) {
            if let Some(LimitHit(hit)) = response.extensions().get::<LimitHit>() {
                telemetry.server().limit_hit(hit);
            }
            timer.set_method(rpc_method.as_deref().unwrap_or("(no method)"));
            let outcome = match (response.status(), response.extensions().get::<FaultCode>()) {
                (StatusCode::OK, Some(FaultCode(code))) => format!("fault {code}"),
                (StatusCode::OK, None) => "ok".to_owned(),
                (status, _) => format!("http {}", status.as_u16()),
            };
            timer.finish(&outcome);
        }
        if let Some((started, path)) = logged {
            let peer = connection.peer.as_ref();
            info!(
                target: "oxrpc::xmlrpc::request",
                "{} \"{} {}\" {} {} {:?}",
                peer.map_or_else(
                    || "-".to_owned(),
                    |peer| peer.ip().map_or_else(|| peer.to_string(), |ip| ip.to_string())
                ),
                http_method,
                path,
                response.status().as_u16(),
                rpc_method.as_deref().unwrap_or("-"),
                started.elapsed()
            );
        }
        response
    }

    async fn respond<B>(
        &self,
        request: Request<B>,
        connection: &ConnectionInfo,
    ) -> (HttpResponse, Option<String>)
    where
        B: hyper::body::Body<Data = Bytes>,
    {
        let reads_docs = matches!(*request.method(), HttpMethod::GET | HttpMethod::HEAD)
            && self.config.docs.is_some();
        if request.method() != HttpMethod::POST && !reads_docs {
            let method = request.method().as_str();
            let message = format!("Unsupported method ({})", crate::python_str_repr(method));
            let head = request.method() == HttpMethod::HEAD;
            let response = error_page(StatusCode::NOT_IMPLEMENTED, &message, !head);
            return (Box::pin(answer_unread(request, response)).await, None);
        }
        // hyper bounds the buffer a request head is read into; the cap on
        // the head itself is counted here, exactly.
        let head: usize = displayed_len(request.uri())
            + request
                .headers()
                .iter()
                .map(|(name, value)| name.as_str().len() + value.len() + 4)
                .sum::<usize>();
        if head > self.config.max_header_size {
            let response = limit(
                plain(
                    StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                    "request header fields too large\n",
                ),
                "header_size",
            );
            return (Box::pin(answer_unread(request, response)).await, None);
        }
        let mut user = None;
        if let Some(auth) = &self.config.basic_auth {
            if auth.admits(request.headers()) {
                user = Some(AuthUser {
                    name: auth.user.clone(),
                    method: AuthMethod::Basic,
                });
            } else {
                let mut response = plain(StatusCode::UNAUTHORIZED, "authentication required\n");
                response.headers_mut().insert(
                    hyper::header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Basic realm=\"oxrpc\""),
                );
                return (Box::pin(answer_unread(request, response)).await, None);
            }
        }
        let (registry, target) = match self.endpoint(request.uri()) {
            Some(found) => found,
            // Exactly `/docs`, as CPython matches its RPC paths: a query
            // makes it another path (404).
            None if reads_docs
                && request.uri().path() == "/docs"
                && request.uri().query().is_none() =>
            {
                let response = match &self.config.docs {
                    Some(docs) => {
                        let endpoint = self.default_endpoint();
                        self.documentation(docs, &self.registry, "/docs", endpoint)
                    }
                    None => plain(StatusCode::NOT_FOUND, "No such page"),
                };
                return (Box::pin(answer_unread(request, response)).await, None);
            }
            None => {
                let response = plain(StatusCode::NOT_FOUND, "No such page");
                return (Box::pin(answer_unread(request, response)).await, None);
            }
        };
        if reads_docs {
            if let Some(docs) = &self.config.docs {
                let response = self.documentation(docs, registry, &target, target.clone());
                return (Box::pin(answer_unread(request, response)).await, None);
            }
        }
        // CPython reads exactly Content-Length bytes and fails (500, no
        // body) without one; a chunked body is read here all the same.
        // Whatever body follows has no frame, so the connection ends with
        // the answer (as CPython's does) rather than read it as a request.
        let headers = request.headers();
        if !headers.contains_key(hyper::header::CONTENT_LENGTH)
            && !headers.contains_key(hyper::header::TRANSFER_ENCODING)
        {
            let mut response = empty(StatusCode::INTERNAL_SERVER_ERROR, None);
            response
                .headers_mut()
                .insert(hyper::header::CONNECTION, HeaderValue::from_static("close"));
            return (response, None);
        }
        // hyper reads one `chunked`; any other transfer coding, or chunked
        // twice, would reach the decoder as the body's bytes (RFC 9112: 501
        // for a coding not understood).
        // (A body of a known length came with none: skip the lookup.)
        if request.body().size_hint().exact().is_none()
            && headers.contains_key(hyper::header::TRANSFER_ENCODING)
        {
            let codings: Vec<&str> = headers
                .get_all(hyper::header::TRANSFER_ENCODING)
                .iter()
                .flat_map(|v| v.to_str().unwrap_or("?").split(','))
                .map(str::trim)
                .collect();
            if !matches!(codings.as_slice(), [only] if only.eq_ignore_ascii_case("chunked")) {
                let reason = format!(
                    "transfer coding {} not supported",
                    crate::python_str_repr(&codings.join(", ").to_lowercase())
                );
                let response = closing(empty(StatusCode::NOT_IMPLEMENTED, Some(reason)));
                return (response, None);
            }
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
                let response = empty(StatusCode::NOT_IMPLEMENTED, Some(reason));
                return (Box::pin(answer_unread(request, response)).await, None);
            }
        };
        let wants_gzip = request
            .headers()
            .get(ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .is_some_and(accepts_gzip);
        // A client waiting for `100 Continue` has sent no body: a refusal
        // must not read it (reading is what sends the 100). Only bodies over
        // SMALL can be refused (too large, or no memory for them), so only
        // theirs are asked.
        let expects_continue = request
            .body()
            .size_hint()
            .exact()
            .is_none_or(|declared| declared > SMALL as u64)
            && waits_for_continue(&request);
        let (parts, body) = request.into_parts();
        let context = RequestContext::new()
            .with_headers(parts.headers)
            .with_path(target)
            .with_certificates(connection.certificates.clone());
        let context = match &connection.peer {
            Some(peer) => context.with_peer(peer.clone()),
            None => context,
        };
        let context = match user.or_else(|| connection.certificate_user.clone()) {
            Some(user) => context.with_user(user),
            None => context,
        };
        let (body, mut held) = match read_body(
            body,
            expects_continue,
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
                return (limit(response, "body_size"), None);
            }
            Err(BodyError::Busy) => return (limit(closing(server_busy()), "memory_budget"), None),
            Err(BodyError::TimedOut) => {
                let response = plain(StatusCode::REQUEST_TIMEOUT, "request body timed out\n");
                return (limit(closing(response), "body_timeout"), None);
            }
            Err(BodyError::Unreadable) => {
                let response = plain(StatusCode::BAD_REQUEST, "could not read request body\n");
                return (closing(response), None);
            }
        };
        let call = match self.decode(body, gzipped, &mut held).await {
            Ok(call) => call,
            Err(Refusal::Http(response)) => return (response, None),
            Err(Refusal::Fault(e)) => {
                let fault = e.to_fault();
                let (body, gzipped, none) = self.small_document(encode_fault(&fault), wants_gzip);
                let response = fault_response(xml_response(body, gzipped, none), fault.code);
                return match parse_limit(&e) {
                    Some(hit) => (limit(response, hit), None),
                    None => (response, None),
                };
            }
        };
        let result = registry.answer(&context, &call.name, call.params).await;
        let name = call.name;
        // The request's memory goes back before the response takes its own.
        drop(held);
        let (response, hit) = match result {
            Ok(answer) => {
                let (body, gzipped, reservation, refused) = match answer {
                    Answer::Value(value) => self.encode(value, wants_gzip).await,
                    Answer::Encoded(encoded) => self.send_encoded(&encoded, wants_gzip).await,
                };
                let response = xml_response(body, gzipped, reservation);
                match refused {
                    Some((code, hit)) => (fault_response(response, code), Some(hit)),
                    None => (response, None),
                }
            }
            Err(fault) => {
                let (body, gzipped, none) = self.small_document(encode_fault(&fault), wants_gzip);
                (
                    fault_response(xml_response(body, gzipped, none), fault.code),
                    None,
                )
            }
        };
        match hit {
            Some(hit) => (limit(response, hit), Some(name)),
            None => (response, Some(name)),
        }
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
        if !gzipped && body.len() <= SMALL {
            return decode_call(&body, &self.config.limits).map_err(Refusal::Fault);
        }
        // Boxed: kept out of the future of every small request.
        Box::pin(self.decode_large(body, gzipped, held)).await
    }

    /// [`Shared::decode`] for a gzipped or large body.
    async fn decode_large(
        &self,
        body: Bytes,
        gzipped: bool,
        held: &mut Reservation,
    ) -> Result<MethodCall, Refusal> {
        let limits = self.config.limits;
        let _lane = self.heavy.acquire().await;
        let body = if gzipped {
            let max = self.config.max_decompressed_size;
            let inflated = tokio::task::spawn_blocking(move || gunzip(&body, max))
                .await
                .unwrap_or_else(|_| Err(GunzipError::Corrupt("the decoder failed".into())));
            match inflated {
                Ok(inflated) => Bytes::from(inflated),
                // CPython's `gzip_decode` refuses past its 20 MiB with a
                // ValueError, which its server answers as a corrupt body.
                Err(GunzipError::TooLarge(_)) => {
                    return Err(Refusal::Http(limit(
                        empty(
                            StatusCode::BAD_REQUEST,
                            Some("error decoding gzip content".into()),
                        ),
                        "decompressed_size",
                    )))
                }
                Err(GunzipError::Corrupt(_)) => {
                    return Err(Refusal::Http(empty(
                        StatusCode::BAD_REQUEST,
                        Some("error decoding gzip content".into()),
                    )))
                }
                // CPython's server does not catch gzip's EOFError: its
                // handler's catch-all answers 500 with no body.
                Err(GunzipError::Truncated) => {
                    return Err(Refusal::Http(empty(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        None,
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
            .ok_or_else(|| Refusal::Http(limit(server_busy(), "memory_budget")))?;
        held.join(parsed);
        tokio::task::spawn_blocking(move || decode_call(&body, &limits))
            .await
            .unwrap_or_else(|_| Err(ParseError::Invalid("the decoder failed".into())))
            .map_err(Refusal::Fault)
    }

    /// Encodes a result, within the response limit and with its share of
    /// the memory budget until written; gzipped when the client accepts it.
    /// With the fault code and limit when the response was refused.
    async fn encode(&self, value: Value, wants_gzip: bool) -> Prepared {
        let max = self.config.max_response_size;
        let size = value.encoded_size_at_most(max);
        if size > max {
            return self.refused(&response_too_large(max), "response_size", wants_gzip);
        }
        if size <= SMALL {
            let (body, gzipped, none) = match encode_response_with_capacity(&value, size) {
                Ok(xml) => self.small_document(xml, wants_gzip),
                Err(e) => self.small_document(cannot_encode(&e.to_string()), wants_gzip),
            };
            free_after_reply(value, size);
            return (body, gzipped, none, None);
        }
        // Boxed: kept out of the future of every small response.
        Box::pin(self.encode_large(value, size, wants_gzip)).await
    }

    /// [`Shared::encode`] for an answer encoded ahead: its bytes in the
    /// response envelope, within the same limits.
    async fn send_encoded(&self, encoded: &Encoded, wants_gzip: bool) -> Prepared {
        let max = self.config.max_response_size;
        if encoded.len() > max {
            return self.refused(&response_too_large(max), "response_size", wants_gzip);
        }
        if encoded.len() <= SMALL {
            let (body, gzipped, none) = self.small_document(encoded.in_response(), wants_gzip);
            return (body, gzipped, none, None);
        }
        // Boxed: kept out of the future of every small response.
        Box::pin(self.send_large_encoded(encoded.clone(), wants_gzip)).await
    }

    /// [`Shared::send_encoded`] for an answer over [`SMALL`]: its copy
    /// (and gzip) held against the memory budget, made on the blocking pool.
    async fn send_large_encoded(&self, encoded: Encoded, wants_gzip: bool) -> Prepared {
        let Some(reservation) = self
            .memory
            .reserve(encoded.len(), self.config.body_read_timeout)
            .await
        else {
            return self.too_many_large_responses(wants_gzip);
        };
        let threshold = self.config.gzip_threshold;
        let _lane = self.heavy.acquire().await;
        let (body, gzipped) = tokio::task::spawn_blocking(move || {
            compress_if_wanted(encoded.in_response(), wants_gzip, threshold)
        })
        .await
        .unwrap_or_else(|_| (Bytes::from(cannot_encode("the encoder failed")), false));
        (body, gzipped, reservation, None)
    }

    /// The fault for a large response the memory budget had no room for.
    fn too_many_large_responses(&self, wants_gzip: bool) -> Prepared {
        let busy = Fault::new(
            Fault::INTERNAL_ERROR,
            "server error. too many large responses in progress, try again",
        );
        self.refused(&busy, "memory_budget", wants_gzip)
    }

    /// A response refused at the limit `hit`: `fault` in its place.
    fn refused(&self, fault: &Fault, hit: &'static str, wants_gzip: bool) -> Prepared {
        let (body, gzipped, none) = self.small_document(encode_fault(fault), wants_gzip);
        (body, gzipped, none, Some((fault.code, hit)))
    }

    /// [`Shared::encode`] for a response of `size` bytes, over [`SMALL`].
    async fn encode_large(&self, value: Value, size: usize, wants_gzip: bool) -> Prepared {
        let Some(reservation) = self
            .memory
            .reserve(size, self.config.body_read_timeout)
            .await
        else {
            return self.too_many_large_responses(wants_gzip);
        };
        let threshold = self.config.gzip_threshold;
        let _lane = self.heavy.acquire().await;
        let encoded = tokio::task::spawn_blocking(move || {
            let xml = encode_response_with_capacity(&value, size)
                .unwrap_or_else(|e| cannot_encode(&e.to_string()));
            (compress_if_wanted(xml, wants_gzip, threshold), value)
        })
        .await;
        let (body, gzipped) = match encoded {
            Ok((encoded, value)) => {
                free_on_blocking_pool(value);
                encoded
            }
            Err(_) => (Bytes::from(cannot_encode("the encoder failed")), false),
        };
        (body, gzipped, reservation, None)
    }

    /// A document small enough to finish on the connection's task.
    fn small_document(&self, xml: String, wants_gzip: bool) -> (Bytes, bool, Reservation) {
        let (body, gzipped) = compress_if_wanted(xml, wants_gzip, self.config.gzip_threshold);
        (body, gzipped, Reservation::default())
    }
}

/// A response ready to send: its body, whether it is gzipped, the memory
/// it holds until written, and the fault code and limit when it was
/// refused.
type Prepared = (Bytes, bool, Reservation, Option<(i32, &'static str)>);

fn cannot_encode(reason: &str) -> String {
    encode_fault(&Fault::cannot_encode(reason))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_targets_length_is_the_length_it_is_written_with() {
        for target in [
            "/",
            "/RPC2",
            "//RPC2?x=1&y",
            "/?",
            "*",
            "http://example.com/RPC2?q",
            "http://[::1]:9000/",
            "example.com:443",
        ] {
            let uri: hyper::Uri = target.parse().expect("a valid target");
            assert_eq!(displayed_len(&uri), uri.to_string().len(), "{target}");
        }
    }
}
