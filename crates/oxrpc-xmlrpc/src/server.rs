//! The XML-RPC HTTP server.
//!
//! hyper serves HTTP/1.1 with keep-alive (CPython's server closes every
//! connection) on connections `oxrpc-net` accepts (its cap, TLS, drain),
//! each request answered by the [`Router`] (paths, limits, gzip, the
//! documentation page, the HTTP answers CPython gives). Besides the
//! registry behind its RPC paths, a server can serve registries of their
//! own at other paths, as CPython's `MultiPathXMLRPCServer` does
//! ([`Server::add_dispatcher`]).

use crate::decode::Limits;
use crate::dispatch::Dispatch;
use crate::docs::DocsConfig;
use crate::handler::{AsyncHandler, Handler};
use crate::registry::{Method, Registry};
use crate::router::{ConnectionInfo, Router};
use hyper::header::HeaderValue;
use hyper_util::rt::TokioIo;
use oxrpc_net::{
    work_or_stop, Accepted, Credentials, Finished, IdleWatch, ListenConfig, Listener, Peer,
    Shutdown,
};
use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tracing::debug;

/// The most hyper reads from a connection at once (more when the head may
/// be larger): a request up to about this size that has arrived whole is
/// read in one call and reaches the router as one piece, which is then
/// decoded where it lies instead of being joined from 64 KiB reads. Its
/// memory is no more than such a body holds anyway (see `budget::SMALL`);
/// the head's own cap is counted exactly by the router.
const READ_BUFFER: usize = 128 * 1024;

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
    /// Time a client has to send complete request headers (slowloris
    /// guard), counted from the connection's start or the end of its last
    /// answer: also the longest a keep-alive connection waits idle.
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
    /// Serve a documentation page on GET (like CPython's
    /// `DocXMLRPCServer`); `None` answers GET with 501, as
    /// `SimpleXMLRPCServer` does.
    pub docs: Option<DocsConfig>,
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
    /// Whether a request's `Authorization` header carries these
    /// credentials: exactly one header, scheme `Basic` in any case (RFC
    /// 7617). Two headers are refused whatever they say, so that no proxy
    /// in front and this server can read different credentials.
    pub(crate) fn admits(&self, headers: &hyper::HeaderMap) -> bool {
        use base64::Engine;
        let mut values = headers.get_all(hyper::header::AUTHORIZATION).iter();
        let (Some(header), None) = (values.next(), values.next()) else {
            return false;
        };
        let Some((scheme, token)) = header.to_str().ok().and_then(|h| h.split_once(' ')) else {
            return false;
        };
        if !scheme.eq_ignore_ascii_case("basic") {
            return false;
        }
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
            max_decompressed_size: 20 << 20,
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
            docs: None,
        }
    }
}

/// An XML-RPC server: a [`Registry`] of methods served over HTTP, and
/// more at paths of their own.
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
    dispatchers: Vec<(String, Registry)>,
    config: ServerConfig,
}

impl Default for Server {
    fn default() -> Self {
        Server::new()
    }
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
            dispatchers: Vec::new(),
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

    /// Registers a function defined with [`#[method]`](crate::method)
    /// (see [`Registry::add_method`]).
    pub fn add_method(&mut self, method: impl crate::MethodFn) -> &mut Method {
        self.registry.add_method(method)
    }

    /// Installs the object that answers the names no function takes (see
    /// [`Registry::register_instance`]).
    pub fn register_instance(&mut self, instance: impl Dispatch) -> &mut Self {
        self.registry.register_instance(instance);
        self
    }

    /// Serves `registry` at `path`, besides the RPC paths (CPython's
    /// `MultiPathXMLRPCServer.add_dispatcher`): calls posted there reach
    /// only it, and with the documentation page on, GET there shows it.
    /// Returns the registry, to register more; adding a path again
    /// replaces its registry.
    ///
    /// ```no_run
    /// use oxrpc_xmlrpc::{Registry, Server};
    ///
    /// let mut server = Server::new();
    /// let mut math = Registry::new();
    /// math.register("add", |a: i32, b: i32| a + b);
    /// server.add_dispatcher("/math", math);
    /// server.add_dispatcher("/text", Registry::new())
    ///     .register("upper", |s: String| s.to_uppercase());
    /// ```
    pub fn add_dispatcher(&mut self, path: &str, registry: Registry) -> &mut Registry {
        let index = match self.dispatchers.iter().position(|(p, _)| p == path) {
            Some(index) => {
                self.dispatchers[index].1 = registry;
                index
            }
            None => {
                self.dispatchers.push((path.to_owned(), registry));
                self.dispatchers.len() - 1
            }
        };
        &mut self.dispatchers[index].1
    }

    /// The registry served at `path` by [`Server::add_dispatcher`]
    /// (CPython's `get_dispatcher`).
    pub fn dispatcher_mut(&mut self, path: &str) -> Option<&mut Registry> {
        self.dispatchers
            .iter_mut()
            .find(|(p, _)| p == path)
            .map(|(_, registry)| registry)
    }

    /// The server as a hyper service, to mount in an application of your
    /// own (see [`Router`]).
    pub fn into_router(self) -> Router {
        Router::new(self.registry, self.dispatchers, self.config)
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
        let mut listen = self.config.listen.clone();
        if listen.tls.is_some() && listen.authenticator.is_none() {
            // Admits everyone, as no authenticator would, and keeps the
            // client certificate chain for the handlers' context.
            listen.authenticator = Some(Arc::new(keep_certificates));
        }
        let mut http = hyper::server::conn::http1::Builder::new();
        http
            // A client may shut down its side once its request is sent;
            // the answer still goes out, as CPython's does.
            .half_close(true)
            // The header timeout is the connection's idle watch (see
            // `serve_http`): hyper's own arms a timer for every request.
            .header_read_timeout(None)
            .max_buf_size(self.config.max_header_size.max(READ_BUFFER))
            .keep_alive(true);
        // Shared: each connection's task holds a pointer, not the settings.
        let http = Arc::new(http);
        let idle_limit = self.config.header_read_timeout;
        let router = self.into_router();
        oxrpc_net::serve(
            listener.into(),
            listen,
            shutdown,
            move |accepted, shutdown| {
                serve_http(http.clone(), router.clone(), accepted, idle_limit, shutdown)
            },
        )
        .await
    }
}

/// Serves HTTP on one admitted connection until the client leaves, the
/// server shuts down (then in-flight requests finish first), or the
/// connection has sat `idle_limit` without a complete request head.
#[expect(
    clippy::manual_async_fn,
    reason = "an async fn's task would hold its arguments twice (see the body)"
)]
fn serve_http(
    http: Arc<hyper::server::conn::http1::Builder>,
    router: Router,
    accepted: Accepted,
    idle_limit: Duration,
    mut shutdown: Shutdown,
) -> impl Future<Output = ()> {
    // An async block rather than an `async fn`: the arguments are then held
    // once in every connection's task, not once as arguments and again as
    // the locals they are moved into.
    async move {
        let peer = accepted.peer.clone();
        let certificates = match accepted.credentials {
            Some(credentials) => credentials.peer_certificates,
            None => accepted.stream.peer_certificates(),
        };
        // What every request of the connection shares: one reference count
        // taken per request, not one for each part.
        let tls = accepted.tls;
        let shared = Arc::new(PerConnection {
            tls,
            router,
            info: ConnectionInfo::new(Some(accepted.peer), certificates)
                .with_telemetry(accepted.telemetry),
            slot: accepted.slot,
        });
        let for_requests = shared.clone();
        let service = hyper::service::service_fn(move |request| {
            let shared = for_requests.clone();
            // Boxed: hyper keeps room for one request's future in every
            // connection, idle or not; the whole future is a few KiB.
            Box::pin(async move {
                let _busy = shared.slot.busy();
                let closes = shared.tls && is_python_xmlrpc(&request);
                let mut response = shared.router.handle_on(request, &shared.info).await;
                if closes {
                    response
                        .headers_mut()
                        .insert(hyper::header::CONNECTION, HeaderValue::from_static("close"));
                }
                Ok::<_, Infallible>(response)
            })
        });
        let slot = &shared.slot;
        let (stream, idle) = IdleWatch::new(accepted.stream);
        let connection = http.serve_connection(TokioIo::new(stream), service);
        tokio::pin!(connection);
        // What ends a connection besides its client, polled only when one of
        // them fires (not on every request's wake-up). Pinned here and lent:
        // moved into `work_or_stop`, it would take room twice in every idle
        // connection's task.
        let stop = std::pin::pin!(async {
            tokio::select! {
                // No request head within the limit (slowloris), or an idle
                // keep-alive connection: closed, as a header timeout would.
                () = idle.idle_for(slot, idle_limit) => Stop::Idle,
                _ = shutdown.requested() => Stop::Drain,
                // The server is full and this connection is idle: between
                // requests, or with only part of a head in. A request that
                // began since it was chosen, or an answer a slow reader
                // still takes, goes out first.
                _ = slot.evicted() => if slot.is_busy() || idle.answer_stalled() {
                    Stop::Drain
                } else {
                    Stop::Evicted
                },
            }
        });
        // The connection first: a request head that has just arrived marks the
        // slot busy before the idle watch looks at it.
        let result = match work_or_stop(connection.as_mut(), stop).await {
            Finished::Work(result) => result,
            Finished::Stopped(stop @ (Stop::Idle | Stop::Evicted)) => {
                if matches!(stop, Stop::Idle) {
                    debug!(%peer, "connection idle past the header read timeout");
                } else {
                    debug!(%peer, "connection idle while the server is full: closed");
                }
                // Closed as a server closes a keep-alive connection: over
                // TLS with close_notify first, which a client reads as a
                // clean close (Python's ssl raises on a bare FIN, and
                // ServerProxy does not retry that). A head still trickling
                // in gets no more time than the close takes.
                connection.as_mut().graceful_shutdown();
                tokio::time::timeout(GRACEFUL_CLOSE, connection)
                    .await
                    .unwrap_or(Ok(()))
            }
            Finished::Stopped(Stop::Drain) => {
                connection.as_mut().graceful_shutdown();
                connection.await
            }
        };
        if let Err(e) = result {
            debug!(%peer, error = %e, "connection ended with an error");
        }
    }
}

/// Whether the request comes from Python's `ServerProxy`. Over TLS its
/// answer closes the connection, as CPython's server closes every one:
/// when a server closes an idle kept-alive TLS connection, the client's
/// next request fails with `ssl.SSLEOFError`, which `ServerProxy` does not
/// retry (it retries a reset or a closed plain connection).
fn is_python_xmlrpc<B>(request: &hyper::Request<B>) -> bool {
    request
        .headers()
        .get(hyper::header::USER_AGENT)
        .is_some_and(|agent| agent.as_bytes().starts_with(b"Python-xmlrpc/"))
}

/// A connection's router, caller and slot, shared by its requests.
struct PerConnection {
    /// Whether the connection is TLS.
    tls: bool,
    router: Router,
    info: ConnectionInfo,
    slot: oxrpc_net::Slot,
}

/// How long closing an idle connection may take (a TLS close_notify and
/// the end of the stream), past which it is dropped.
const GRACEFUL_CLOSE: Duration = Duration::from_secs(1);

/// Why a connection ended before its client ended it.
enum Stop {
    /// Idle past the header read timeout: closed with no more than
    /// [`GRACEFUL_CLOSE`] for the close itself.
    Idle,
    /// Idle when the server is full and a client waits: closed as [`Stop::Idle`].
    /// A head still trickling in is no request in progress, and draining
    /// it would keep the slot until the header read timeout.
    Evicted,
    /// Server shutdown, or eviction while a request or its answer is
    /// under way: that answer goes out first.
    Drain,
}

/// The authenticator a TLS server runs when given none: everyone is
/// admitted, with the certificate chain TLS verified.
fn keep_certificates(_peer: &Peer, certificates: &[Vec<u8>]) -> Result<Credentials, String> {
    Ok(Credentials {
        peer_certificates: certificates.to_vec(),
        info: String::new(),
    })
}
