//! Shared setup of the RPyC integration tests: a Rust test service served by
//! `oxrpc_rpyc::Server` on an ephemeral port (its own runtime thread), and
//! the Python reference server (`tests/interop/rpyc/reference_server.py`,
//! real rpyc 6.0.2) for the Rust clients.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]
#![allow(dead_code)]

use oxrpc_rpyc::{Bytes, Config, Context, RemoteException, Server, ServerConfig, Value};
use oxrpc_testkit::{python_command, ChildGuard};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Once};
use std::time::{Duration, Instant};
use tokio::sync::{oneshot, Notify};

/// The name of every thread of the test servers' runtimes, so the panic hook
/// can tell a server panic from a failing assertion in a test.
pub const SERVER_THREAD: &str = "oxrpc-test-server";

static SERVER_PANICS: AtomicUsize = AtomicUsize::new(0);
/// `wait_gate` calls in progress, across every connection.
static GATE_WAITERS: AtomicUsize = AtomicUsize::new(0);

/// Counts a `wait_gate` call for as long as its future lives.
struct GateWaiter;

impl GateWaiter {
    fn new() -> GateWaiter {
        GATE_WAITERS.fetch_add(1, Ordering::SeqCst);
        GateWaiter
    }
}

impl Drop for GateWaiter {
    fn drop(&mut self) {
        GATE_WAITERS.fetch_sub(1, Ordering::SeqCst);
    }
}
static HOOK: Once = Once::new();

/// How many panics happened on server threads since the process started.
pub fn server_panics() -> usize {
    SERVER_PANICS.load(Ordering::SeqCst)
}

fn install_panic_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current()
                .name()
                .is_some_and(|n| n.starts_with(SERVER_THREAD))
            {
                SERVER_PANICS.fetch_add(1, Ordering::SeqCst);
            }
            previous(info);
        }));
    });
}

/// The service the Python clients drive. One instance per connection.
#[derive(Default)]
pub struct TestService {
    gate: Notify,
}

#[oxrpc_rpyc::service(name = "__main__.TestService")]
impl TestService {
    /// The answer.
    #[exposed]
    fn get_answer(&self) -> i64 {
        42
    }

    /// An exposed attribute.
    #[exposed(attribute)]
    fn the_real_answer_though(&self) -> i64 {
        43
    }

    /// Not exposed.
    pub fn get_question(&self) -> &'static str {
        "not exposed"
    }

    /// Returns its argument.
    #[exposed]
    fn echo(&self, value: Value) -> Value {
        value
    }

    /// Adds two ints (for arity and type errors), exactly as Python does
    /// for any two that fit an i64: the sum may not.
    #[exposed]
    fn add(&self, a: i64, b: i64) -> i128 {
        i128::from(a) + i128::from(b)
    }

    /// Keyword arguments: `kw(a, b)`.
    #[exposed]
    fn kw(&self, a: i64, b: String) -> String {
        format!("{a}:{b}")
    }

    /// A list the peer gets a proxy to.
    #[exposed]
    fn get_list(&self) -> Vec<i64> {
        vec![1, 2, 3, 4, 5]
    }

    /// A list of strings.
    #[exposed]
    fn get_words(&self) -> Vec<String> {
        vec!["alpha".into(), "beta".into(), "gamma".into()]
    }

    /// A dict the peer gets a proxy to.
    #[exposed]
    fn get_dict(&self) -> Arc<oxrpc_rpyc::DictObject> {
        // In insertion order, as the Python service's dict literal.
        oxrpc_rpyc::DictObject::from_pairs(
            [("one", 1), ("two", 2), ("three", 3)].map(|(k, v)| (Value::from(k), Value::from(v))),
        )
    }

    /// A dict of lists.
    #[exposed]
    fn get_nested(&self) -> BTreeMap<String, Vec<i64>> {
        [("a", vec![1, 2]), ("b", vec![3, 4, 5])]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect()
    }

    /// Raises the built-in exception `kind` with `message`, as the Python
    /// service's `raise getattr(builtins, kind)(message)` does.
    #[exposed]
    fn raise_error(&self, kind: Value, message: Value) -> Result<(), RemoteException> {
        use oxrpc_rpyc::BrineValue;
        let kind = match kind {
            Value::Brine(BrineValue::Str(kind)) => kind,
            other => {
                return Err(RemoteException::type_error(format!(
                    "attribute name must be string, not '{}'",
                    other.python_type()
                )))
            }
        };
        let message = match message {
            Value::Brine(v) => v,
            other => BrineValue::Str(format!("{other:?}")),
        };
        // The non-exception builtins the differential harness tries.
        let not_an_exception =
            || RemoteException::type_error("exceptions must derive from BaseException");
        match kind.as_str() {
            "print" | "len" => return Err(not_an_exception()),
            "object" => return Err(RemoteException::type_error("object() takes no arguments")),
            // The builtins that are constants: calling one is a TypeError.
            "True" | "False" | "__debug__" => {
                return Err(RemoteException::type_error("'bool' object is not callable"))
            }
            "None" => {
                return Err(RemoteException::type_error(
                    "'NoneType' object is not callable",
                ))
            }
            "Ellipsis" => {
                return Err(RemoteException::type_error(
                    "'ellipsis' object is not callable",
                ))
            }
            "NotImplemented" => {
                return Err(RemoteException::type_error(
                    "'NotImplementedType' object is not callable",
                ))
            }
            "int" => {
                return Err(match &message {
                    BrineValue::Str(text) => {
                        if oxrpc_pyfmt::int_text(text).is_some() {
                            not_an_exception()
                        } else {
                            RemoteException::value_error(format!(
                                "invalid literal for int() with base 10: {message}"
                            ))
                        }
                    }
                    _ => not_an_exception(),
                })
            }
            _ => {}
        }
        if !BUILTIN_EXCEPTIONS.contains(&kind.as_str()) {
            let mut exc = RemoteException::attribute_error(format!(
                "module 'builtins' has no attribute '{kind}'"
            ));
            exc.attrs = vec![
                ("name".into(), kind.into()),
                ("obj".into(), "<module 'builtins' (built-in)>".into()),
            ];
            return Err(exc);
        }
        let wants = match kind.as_str() {
            "UnicodeDecodeError" | "UnicodeEncodeError" => Some(5),
            "UnicodeTranslateError" => Some(4),
            _ => None,
        };
        if let Some(wants) = wants {
            return Err(RemoteException::type_error(format!(
                "function takes exactly {wants} arguments (1 given)"
            )));
        }
        if kind.ends_with("ExceptionGroup") {
            return Err(RemoteException::type_error(
                "BaseExceptionGroup.__new__() takes exactly 2 arguments (1 given)",
            ));
        }
        // Aliases of OSError are raised as OSError.
        let class = match kind.as_str() {
            "EnvironmentError" | "IOError" => "OSError",
            other => other,
        };
        Err(RemoteException::new("builtins", class, vec![message]))
    }

    /// Calls `callback(value)` in the peer and returns what it returned.
    #[exposed]
    async fn call_back(&self, callback: Value, value: Value) -> Result<Value, RemoteException> {
        match callback {
            Value::Proxy(callback) => Ok(callback.invoke((value,)).await?),
            other => Err(RemoteException::type_error(format!(
                "'{}' object is not callable",
                other.python_type()
            ))),
        }
    }

    /// Sleeps, then returns its argument.
    #[exposed]
    async fn slow(&self, millis: i64) -> i64 {
        tokio::time::sleep(Duration::from_millis(millis.max(0) as u64)).await;
        millis
    }

    /// Sleeps holding `payload`: a request that waits with what it
    /// carries; returns the payload's length.
    #[exposed]
    async fn slow_holding(&self, millis: i64, payload: Bytes) -> i64 {
        tokio::time::sleep(Duration::from_millis(millis.max(0) as u64)).await;
        payload.0.len() as i64
    }

    /// Waits until `open_gate` is called on this connection.
    #[exposed]
    async fn wait_gate(&self) -> &'static str {
        let _waiter = GateWaiter::new();
        self.gate.notified().await;
        "opened"
    }

    /// How many `wait_gate` calls are in progress on the whole server.
    #[exposed]
    fn gate_waiters(&self) -> usize {
        GATE_WAITERS.load(Ordering::SeqCst)
    }

    /// Releases one `wait_gate`.
    #[exposed]
    fn open_gate(&self) {
        self.gate.notify_one();
    }

    /// How many of our objects the caller holds references to.
    #[exposed]
    fn local_object_count(&self, cx: &Context) -> usize {
        cx.connection().local_object_count()
    }

    /// How many of the server's requests to the caller await a reply.
    #[exposed]
    fn requests_awaiting_reply(&self, cx: &Context) -> usize {
        cx.connection().requests_awaiting_reply()
    }

    /// `n` bytes.
    #[exposed]
    fn make_bytes(&self, n: i64) -> Bytes {
        Bytes((0..n.max(0)).map(|i| (i % 251) as u8).collect())
    }

    /// `len(data)`, as the Python service computes it.
    #[exposed]
    async fn bytes_len(&self, data: Value) -> Result<i64, RemoteException> {
        use oxrpc_rpyc::BrineValue;
        Ok(match data {
            Value::Brine(BrineValue::Str(s)) => s.chars().count() as i64,
            Value::Brine(BrineValue::Bytes(b)) => b.len() as i64,
            Value::Brine(BrineValue::Tuple(t) | BrineValue::FrozenSet(t)) => t.len() as i64,
            Value::Tuple(t) => t.len() as i64,
            Value::Proxy(p) => p.len().await? as i64,
            other => {
                return Err(RemoteException::type_error(format!(
                    "object of type '{}' has no len()",
                    other.python_type()
                )))
            }
        })
    }
}

/// The exception classes of Python's `builtins`.
const BUILTIN_EXCEPTIONS: &[&str] = &[
    "ArithmeticError",
    "AssertionError",
    "AttributeError",
    "BaseException",
    "BaseExceptionGroup",
    "BlockingIOError",
    "BrokenPipeError",
    "BufferError",
    "BytesWarning",
    "ChildProcessError",
    "ConnectionAbortedError",
    "ConnectionError",
    "ConnectionRefusedError",
    "ConnectionResetError",
    "DeprecationWarning",
    "EOFError",
    "EncodingWarning",
    "EnvironmentError",
    "Exception",
    "ExceptionGroup",
    "FileExistsError",
    "FileNotFoundError",
    "FloatingPointError",
    "FutureWarning",
    "GeneratorExit",
    "IOError",
    "ImportError",
    "ImportWarning",
    "IndentationError",
    "IndexError",
    "InterruptedError",
    "IsADirectoryError",
    "KeyError",
    "KeyboardInterrupt",
    "LookupError",
    "MemoryError",
    "ModuleNotFoundError",
    "NameError",
    "NotADirectoryError",
    "NotImplementedError",
    "OSError",
    "OverflowError",
    "PendingDeprecationWarning",
    "PermissionError",
    "ProcessLookupError",
    "RecursionError",
    "ReferenceError",
    "ResourceWarning",
    "RuntimeError",
    "RuntimeWarning",
    "StopAsyncIteration",
    "StopIteration",
    "SyntaxError",
    "SyntaxWarning",
    "SystemError",
    "SystemExit",
    "TabError",
    "TimeoutError",
    "TypeError",
    "UnboundLocalError",
    "UnicodeDecodeError",
    "UnicodeEncodeError",
    "UnicodeError",
    "UnicodeTranslateError",
    "UnicodeWarning",
    "UserWarning",
    "ValueError",
    "Warning",
    "ZeroDivisionError",
];

/// An oxrpc RPyC server running [`TestService`] on its own runtime thread.
pub struct TestServer {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestServer {
    pub fn start() -> TestServer {
        TestServer::start_with(Config::default())
    }

    pub fn start_with(connection: Config) -> TestServer {
        install_panic_hook();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name(SERVER_THREAD.into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .thread_name(SERVER_THREAD)
                    .enable_all()
                    .build()
                    .expect("server runtime");
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                        .await
                        .expect("bind");
                    addr_tx
                        .send(listener.local_addr().expect("local addr"))
                        .expect("send addr");
                    let config = ServerConfig {
                        connection,
                        listen: oxrpc_net::ListenConfig {
                            log_connections: false,
                            shutdown_grace: Duration::from_secs(2),
                            ..oxrpc_net::ListenConfig::named("TEST")
                        },
                    };
                    Server::with_config(|| Arc::new(TestService::default()), config)
                        .serve_with_shutdown(listener, async {
                            let _ = stop_rx.await;
                        })
                        .await
                        .expect("serve");
                });
            })
            .expect("spawn server thread");
        let addr = addr_rx
            .recv_timeout(Duration::from_secs(10))
            .expect("server address");
        TestServer {
            addr,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    pub fn host(&self) -> String {
        self.addr.ip().to_string()
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Stops the server; panics if its thread panicked.
    pub fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            thread.join().expect("the server thread panicked");
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The Python reference server (real rpyc `ThreadedServer`) on an ephemeral
/// port; killed when dropped.
pub struct PythonServer {
    pub port: u16,
    _child: ChildGuard,
}

impl PythonServer {
    pub fn start() -> PythonServer {
        let mut cmd = python_command();
        cmd.arg(oxrpc_testkit::interop_path("rpyc/reference_server.py"));
        let mut child = ChildGuard::spawn(cmd);
        let line = child.wait_for_line("PORT ");
        let port = line
            .trim()
            .strip_prefix("PORT ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("bad port line from reference_server.py: {line:?}"));
        PythonServer {
            port,
            _child: child,
        }
    }
}

/// Polls `condition` every few milliseconds until it holds or `deadline`
/// passes; returns whether it held.
pub fn wait_until(deadline: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    loop {
        if condition() {
            return true;
        }
        if started.elapsed() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}
