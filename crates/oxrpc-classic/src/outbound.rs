//! Connections Python code on the server opens to rpyc servers.
//!
//! Code a classic client runs may itself be an rpyc client: a chained
//! connection (`conn.modules.rpyc.classic.connect(...)`), rpyc over rpyc, a
//! gateway to machines the client cannot reach. On rpyc_classic's server
//! that is rpyc's own client. Here `rpyc.connect`, `rpyc.classic.connect`
//! and their kin (`rpyc_client.py`) open the connection through the
//! protocol crate, served by a [`ClassicService`] on the worker of the
//! code that opened it: the peer's objects become netrefs in this
//! interpreter as the client's are, and what is sent to the peer is this
//! interpreter's own objects, which the peer can call back while the code
//! waits for an answer (the worker serves those requests meanwhile, as
//! rpyc serves while it waits).
//!
//! A connection serving `VoidService` (`rpyc.connect`'s default),
//! `MasterService` or a service class of the code's own (its instance is
//! the root) lets its peer reach only what rpyc's default config allows of
//! the objects sent to it (safe and `exposed_` names, no pickling); one
//! serving `SlaveService` or `ClassicService` (`rpyc.classic.connect`)
//! lets it reach everything, as rpyc's do.
//!
//! The natives here are `_oxrpc_connect`, which opens a connection and
//! gives its session's key (or the error to raise), and `_oxrpc_session`,
//! the operations on it.

use crate::convert::from_brine;
use crate::object::PythonObject;
use crate::rpyc_config::{config_dict, rpyc_config};
use crate::runtime::Runtime;
use crate::service::{ClassicService, Root};
use crate::space::{ErrorKind, Kind, ObjectSpace};
use crate::worker::{current_worker, wait_for, Worker};
use oxrpc_net::tls::{ClientTlsFiles, ServerCheck};
use oxrpc_net::{ConnectOptions, Stream};
use oxrpc_rpyc::{BrineValue, Config, Connection, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// rpyc's `keepalive=True`: probes after a minute idle.
const KEEPALIVE_IDLE: Duration = Duration::from_secs(60);

/// Where to connect, as `rpyc_client.py` names it.
enum Target {
    Tcp {
        address: String,
        port: u16,
    },
    Unix {
        path: String,
    },
    Tls {
        host: String,
        port: u16,
        files: ClientTlsFiles,
    },
}

impl Target {
    async fn open(&self, options: &ConnectOptions) -> std::io::Result<Stream> {
        match self {
            Target::Tcp { address, port } => oxrpc_net::connect_tcp(address, *port, options).await,
            Target::Unix { path } => oxrpc_net::connect_unix(path, options).await,
            Target::Tls { host, port, files } => {
                oxrpc_net::connect_tls(host, *port, files, options).await
            }
        }
    }
}

/// The plain value (str, int, …) a native was given, or None.
pub(crate) fn plain<S: ObjectSpace>(vm: S::Vm<'_>, object: Option<&S::Object>) -> BrineValue {
    match object.map(|o| S::kind(vm, o)) {
        Some(Kind::Plain(value)) => value,
        _ => BrineValue::None,
    }
}

/// The text of a plain value that is a str.
pub(crate) fn text(value: &BrineValue) -> Option<String> {
    match value {
        BrineValue::Str(s) => Some(s.clone()),
        _ => None,
    }
}

fn bad<S: ObjectSpace>(vm: S::Vm<'_>, what: &str) -> S::Error {
    S::error(vm, ErrorKind::Type, &format!("_oxrpc_connect: {what}"))
}

/// `_oxrpc_connect(kind, address, port, root, options, service)`: opens a
/// connection (`kind` 'tcp', 'unix' or 'tls'; `root` 'void', 'master',
/// 'slave', 'classic', or 'python' to serve `service`, a Python object;
/// `options` the connect timeout, keepalive, and for TLS the
/// check of the server and the key, certificate and CA files) and gives
/// the key of its session, or `(errno, message, timed_out, refusal)` for
/// Python to raise (`refusal`: OpenSSL's verify code and words when TLS
/// refused the server's certificate).
pub(crate) fn connect<S: ObjectSpace>(
    vm: S::Vm<'_>,
    args: Vec<S::Object>,
) -> Result<S::Object, S::Error> {
    let kind = text(&plain::<S>(vm, args.first())).ok_or_else(|| bad::<S>(vm, "kind"))?;
    let address = text(&plain::<S>(vm, args.get(1))).ok_or_else(|| bad::<S>(vm, "address"))?;
    let port = match plain::<S>(vm, args.get(2)) {
        BrineValue::Int(port) => u16::try_from(port)
            .map_err(|_| S::error(vm, ErrorKind::Value, "port must be 0-65535."))?,
        _ => return Err(bad::<S>(vm, "port")),
    };
    let root = match text(&plain::<S>(vm, args.get(3))).as_deref() {
        Some("void") => Root::Void,
        Some("master") => Root::Master,
        Some("slave") => Root::Slave,
        Some("classic") => Root::Classic,
        Some("python") => Root::Python,
        _ => return Err(bad::<S>(vm, "root")),
    };
    let options: Vec<BrineValue> = match args.get(4).map(|o| S::kind(vm, o)) {
        Some(Kind::Tuple(items)) => items.iter().map(|i| plain::<S>(vm, Some(i))).collect(),
        _ => return Err(bad::<S>(vm, "options")),
    };
    let option = |i: usize| options.get(i).cloned().unwrap_or(BrineValue::None);
    let connect_options = ConnectOptions {
        connect_timeout: match option(0) {
            BrineValue::Float(seconds) => Duration::try_from_secs_f64(seconds).ok(),
            BrineValue::Int(seconds) => u64::try_from(seconds).ok().map(Duration::from_secs),
            _ => None,
        },
        keepalive: matches!(option(1), BrineValue::Bool(true)).then_some(KEEPALIVE_IDLE),
    };
    let path = |i: usize| text(&option(i)).map(std::path::PathBuf::from);
    let target = match kind.as_str() {
        "tcp" => Target::Tcp { address, port },
        "unix" => Target::Unix { path: address },
        "tls" => Target::Tls {
            host: address,
            port,
            files: ClientTlsFiles {
                keyfile: path(3),
                certfile: path(4),
                ca_certs: path(5),
                server_check: match text(&option(2)).as_deref() {
                    Some("nothing") => ServerCheck::Nothing,
                    Some("certificate") => ServerCheck::Certificate,
                    _ => ServerCheck::CertificateAndName,
                },
            },
        },
        _ => return Err(bad::<S>(vm, "kind")),
    };

    let rt = Runtime::<S>::get(vm)?;
    let (worker, runtime) = this_worker(vm, &rt)?;
    let service = Arc::new(ClassicService::outbound(worker.clone(), root));
    let opened: Arc<Mutex<Option<Connection>>> = Arc::new(Mutex::new(None));
    let (served, slot) = (service.clone(), opened.clone());
    let failure = wait_for::<S>(vm, &runtime, &worker, async move {
        match target.open(&connect_options).await {
            Ok(stream) => {
                let connection = Connection::start_stream(stream, served, Config::default());
                if let Ok(mut slot) = slot.lock() {
                    *slot = Some(connection);
                }
                Ok(Value::NONE)
            }
            Err(e) => {
                let refusal = oxrpc_net::tls::certificate_refusal(&e);
                Ok(Value::Brine(BrineValue::Tuple(vec![
                    e.raw_os_error()
                        .map_or(BrineValue::None, |errno| BrineValue::Int(i64::from(errno))),
                    BrineValue::Str(os_message(&e)),
                    BrineValue::Bool(e.kind() == std::io::ErrorKind::TimedOut),
                    refusal.map_or(BrineValue::None, |r| {
                        BrineValue::Tuple(vec![
                            BrineValue::Int(i64::from(r.verify_code)),
                            BrineValue::from(r.verify_message),
                        ])
                    }),
                ])))
            }
        }
    });
    let connection = opened.lock().ok().and_then(|mut slot| slot.take());
    let (connection, session) = match (connection, service.opened_session()) {
        (Some(connection), Some(session)) => (connection, session),
        (connection, _) => {
            // Opened, but its session did not start: nothing would serve it.
            if let Some(connection) = connection {
                runtime.spawn(async move { connection.close().await });
            }
            return match failure {
                Ok(Value::Brine(failure)) => from_brine(vm, &rt, failure),
                Ok(_) => Err(S::error(
                    vm,
                    ErrorKind::Runtime,
                    "the connection did not open",
                )),
                Err(e) => Err(S::error(vm, ErrorKind::Runtime, &e.message())),
            };
        }
    };
    session.start_now(vm, false);
    if root == Root::Python {
        let instance = args
            .get(5)
            .map(|o| S::clone_ref(vm, o))
            .unwrap_or_else(|| S::none(vm));
        // The service object is the root's Python face (`faces.rs`).
        session.set_root_face(S::clone_ref(vm, &instance));
        service.set_python_root(Arc::new(PythonObject::new(vm, &rt, &session, instance)));
    }
    rt.add_outbound(&session, connection);
    let stand_in = session.connection(vm);
    S::getattr(vm, &stand_in, "_oxrpc_session")
}

/// The worker the calling Python code runs on, and the tokio runtime its
/// connections run on: the current thread when it is a worker; from a
/// thread Python code started, the worker of one of the interpreter's
/// sessions (RustPython's: the one worker of the interpreter).
pub(crate) fn this_worker<S: ObjectSpace>(
    vm: S::Vm<'_>,
    rt: &Runtime<S>,
) -> Result<(Worker<S>, tokio::runtime::Handle), S::Error> {
    let session = rt.any_session().ok_or_else(|| {
        S::error(
            vm,
            ErrorKind::Runtime,
            "no connection is served by this interpreter",
        )
    })?;
    let worker = current_worker::<S>().unwrap_or_else(|| session.worker().clone());
    Ok((worker, session.runtime().clone()))
}

/// The OS's words for `e`, without what Rust adds (`(os error 111)`).
pub(crate) fn os_message(e: &std::io::Error) -> String {
    let message = e.to_string();
    match message.rfind(" (os error ") {
        Some(at) => message[..at].to_owned(),
        None => message,
    }
}

/// `_oxrpc_session(op, key, *args)`: `config` (rpyc's settings of the
/// connection, `SlaveService`'s when args[0] is true, as pairs),
/// `own_config` (the session's `_config` dict, made the first time),
/// `set_config` (the dict Python made of them), `close`, `closed`,
/// `ping`, and `let_go` (Python dropped the connection object).
pub(crate) fn session_op<S: ObjectSpace>(
    vm: S::Vm<'_>,
    args: Vec<S::Object>,
) -> Result<S::Object, S::Error> {
    let op = text(&plain::<S>(vm, args.first()))
        .ok_or_else(|| S::error(vm, ErrorKind::Type, "_oxrpc_session needs an operation"))?;
    let key = match plain::<S>(vm, args.get(1)) {
        BrineValue::Int(key) => u64::try_from(key).unwrap_or(0),
        _ => 0,
    };
    let rt = Runtime::<S>::get(vm)?;
    let session = rt.session(key);
    let closed = || S::error(vm, ErrorKind::Eof, "stream has been closed");
    let none = || Ok(S::none(vm));
    match op.as_str() {
        "config" => {
            let open = matches!(plain::<S>(vm, args.get(2)), BrineValue::Bool(true));
            let peer = session.and_then(|s| s.peer()).ok_or_else(closed)?;
            from_brine(vm, &rt, rpyc_config(&peer, open))
        }
        // The dict `getconn()._config` gives the peer: what the code reads
        // and writes as its connection's `_config`.
        "own_config" => {
            let session = session.ok_or_else(closed)?;
            let peer = session.peer().ok_or_else(closed)?;
            config_dict(vm, &rt, &session, &peer, session.open_attributes())
        }
        "set_config" => {
            let session = session.ok_or_else(closed)?;
            if let Some(config) = args.get(2) {
                let old = session.set_config(S::clone_ref(vm, config));
                drop(old);
            }
            none()
        }
        "closed" => {
            let open = session
                .and_then(|s| s.peer())
                .is_some_and(|peer| !peer.is_closed());
            S::from_plain(vm, BrineValue::Bool(!open))
        }
        "close" => {
            let Some(session) = session else {
                return none();
            };
            let Some(peer) = session.peer() else {
                return none();
            };
            let result = wait_for::<S>(vm, session.runtime(), session.worker(), async move {
                peer.close().await;
                Ok(Value::NONE)
            });
            drop(result);
            none()
        }
        "ping" => {
            let session = session.ok_or_else(closed)?;
            let peer = session.peer().ok_or_else(closed)?;
            let result = wait_for::<S>(vm, session.runtime(), session.worker(), async move {
                peer.ping().await.map(|_| Value::NONE).map_err(Into::into)
            });
            match result {
                Ok(_) => none(),
                Err(e) => Err(crate::exceptions::to_python_exception(vm, &rt, &e)),
            }
        }
        "let_go" => {
            if let Some(session) = session {
                rt.let_go_of_outbound(session.id());
            }
            none()
        }
        other => Err(S::error(
            vm,
            ErrorKind::Value,
            &format!("unknown session operation {other}"),
        )),
    }
}
