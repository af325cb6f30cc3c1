//! Classic mode's root: rpyc's `SlaveService` (or, over pipes, its
//! `ClassicService`), on any object space; and the root of a connection
//! Python code on the server opens (`outbound.rs`): `ClassicService` for
//! `rpyc.classic.connect`, `VoidService` for `rpyc.connect`, or the
//! code's own service object.
//!
//! The root exposes `namespace`, `execute`, `eval`, `getmodule` and
//! `getconn`, which is all `rpyc.classic.connect` needs to offer
//! `conn.modules`, `conn.execute`, `conn.eval` and `conn.namespace`, and
//! what its helpers reach for: `getconn()._last_traceback` for `pm`.
//! Classic mode gives the peer full control of this process: attribute
//! access on interpreter objects is entirely open, as it is in rpyc.

use crate::convert::{to_python, try_to_value};
use crate::exceptions::to_remote;
use crate::object::{run_handler, PythonObject};
use crate::rpyc_config::{config_dict, rpyc_connid};
use crate::runtime::Runtime;
use crate::session::Session;
use crate::space::{ErrorKind, ObjectSpace};
use crate::worker::Worker;
use oxrpc_rpyc::{
    BoundMethod, BrineValue, Connection, Context, HandlerId, ObjectRef, RemoteException, Reply,
    RpcObject, RpcResult, Service, ThreadReading, Value, VoidService,
};
use std::sync::{Arc, Mutex, OnceLock};

/// The root a classic connection serves its peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Root {
    /// rpyc's `SlaveService`, as its threaded and forking servers serve.
    Slave,
    /// rpyc's `ClassicService` (full duplex): `rpyc_classic -m stdio`'s
    /// root, and a classic client's.
    Classic,
    /// rpyc's `VoidService`: nothing exposed, the peer reaches only the
    /// objects sent to it, under rpyc's default attribute rules (a
    /// connection Python code opens with `rpyc.connect`).
    Void,
    /// rpyc's `MasterService`: as `VoidService`, under its own name (the
    /// code's side installs the peer's `SlaveService` as `conn.modules`).
    Master,
    /// An instance of an `rpyc.Service` subclass the code defined: the
    /// Python object itself is the root (its `exposed_` members, under
    /// rpyc's attribute rules).
    Python,
}

impl Root {
    /// Whether the root exposes nothing and its objects follow rpyc's
    /// attribute rules.
    pub(crate) fn exposes_nothing(self) -> bool {
        // A Python service object, until it is there.
        matches!(self, Root::Void | Root::Master | Root::Python)
    }

    /// Whether the peer reaches every attribute of the objects it is sent
    /// (a `SlaveService`'s connection), rather than what rpyc's rules allow.
    fn opens_attributes(self) -> bool {
        matches!(self, Root::Slave | Root::Classic)
    }
}

/// Where a connection's requests run.
enum Interpreter<S: ObjectSpace> {
    /// A worker of its own from the space, started when it connects (an
    /// interpreter of its own with `--isolation connection`).
    Space(Arc<S>),
    /// The worker of the Python code that opened the connection: objects
    /// pass between the two connections as they are.
    Worker(Worker<S>),
}

/// The classic service of one connection, on the object space `S`.
pub struct ClassicService<S: ObjectSpace> {
    interpreter: Interpreter<S>,
    session: Mutex<Option<Arc<Session<S>>>>,
    root: Root,
    /// With [`Root::Python`], the service object, once the code's side has
    /// made it: every request on the root goes to it.
    python_root: OnceLock<Arc<PythonObject<S>>>,
}

impl<S: ObjectSpace + Default> ClassicService<S> {
    /// A service on the default object space of its backend; its session
    /// starts when its connection opens.
    pub fn new() -> ClassicService<S> {
        ClassicService::with_space(Arc::new(S::default()))
    }
}

impl<S: ObjectSpace + Default> Default for ClassicService<S> {
    fn default() -> Self {
        ClassicService::new()
    }
}

impl<S: ObjectSpace> ClassicService<S> {
    /// A service on `space` (one per connection; connections may share a
    /// space, and through it an interpreter).
    pub fn with_space(space: Arc<S>) -> ClassicService<S> {
        ClassicService {
            interpreter: Interpreter::Space(space),
            session: Mutex::new(None),
            root: Root::Slave,
            python_root: OnceLock::new(),
        }
    }

    /// The service of a connection Python code opens from `worker`'s
    /// interpreter (`rpyc.connect` on the server), serving `root`.
    pub(crate) fn outbound(worker: Worker<S>, root: Root) -> ClassicService<S> {
        ClassicService {
            interpreter: Interpreter::Worker(worker),
            session: Mutex::new(None),
            root,
            python_root: OnceLock::new(),
        }
    }

    /// Serves `root`, a Python service object, as the root ([`Root::Python`]).
    pub(crate) fn set_python_root(&self, root: Arc<PythonObject<S>>) {
        let _ = self.python_root.set(root);
    }

    /// The session, once the connection has opened.
    pub(crate) fn opened_session(&self) -> Option<Arc<Session<S>>> {
        self.session.lock().ok().and_then(|s| s.clone())
    }

    /// Served as rpyc's `ClassicService` (`CLASSIC`), the full-duplex
    /// service its `rpyc_classic -m stdio` serves (through
    /// `rpyc.classic.connect_pipes`); `SlaveService` (`SLAVE`) otherwise,
    /// as its threaded and forking servers do.
    ///
    /// ```
    /// use oxrpc_classic::{ClassicService, ObjectSpace};
    ///
    /// /// The root `rpyc_classic -m stdio` would serve.
    /// fn over_pipes<S: ObjectSpace + Default>() -> ClassicService<S> {
    ///     ClassicService::new().full_duplex(true)
    /// }
    /// ```
    pub fn full_duplex(mut self, full_duplex: bool) -> ClassicService<S> {
        self.root = if full_duplex {
            Root::Classic
        } else {
            Root::Slave
        };
        self
    }

    /// The name of the class rpyc would serve.
    fn class_name(&self) -> &'static str {
        match self.root {
            Root::Slave => "SlaveService",
            Root::Classic => "ClassicService",
            Root::Void | Root::Python => "VoidService",
            Root::Master => "MasterService",
        }
    }

    fn session(&self) -> Result<Arc<Session<S>>, RemoteException> {
        self.session
            .lock()
            .ok()
            .and_then(|s| s.clone())
            .ok_or_else(|| RemoteException::runtime_error("the interpreter is not running"))
    }

    fn run(
        &self,
        cx: &Context,
        f: impl for<'a> FnOnce(S::Vm<'a>, &Arc<Session<S>>) -> RpcResult + Send + 'static,
    ) -> Reply {
        match self.session() {
            Ok(session) => {
                let worker = session.worker().clone();
                worker.answer(cx, move |vm| f(vm, &session))
            }
            Err(e) => Reply::error(e),
        }
    }
}

/// `rpyc.SlaveService.__doc__`, word for word.
const SLAVE_SERVICE_DOC: &str =
    "The SlaveService allows the other side to perform arbitrary imports and
    execution arbitrary code on the server. This is provided for compatibility
    with the classic RPyC (2.6) modus operandi.

    This service is very useful in local, secure networks, but it exposes
    a **major security risk** otherwise.";

/// The parameters of rpyc's `Slave` methods after `self`, which the
/// arguments of a call are bound to (by position or keyword, with
/// CPython's messages when they do not fit).
fn slave_parameters(method: &str) -> Option<&'static [&'static str]> {
    match method {
        "eval" | "execute" => Some(&["text"]),
        "getmodule" => Some(&["name"]),
        "getconn" => Some(&[]),
        _ => None,
    }
}

/// The source `eval` or `execute` runs, as Python's `eval` and `exec` take
/// it: a str, bytes, or a code object (any object of the server's, left
/// for Python to accept or refuse). Source too deep for the interpreter
/// is refused where it is compiled (RustPython's `compile` checks it).
fn source_arg(args: &[Value], builtin: &str) -> Result<Value, RemoteException> {
    match args.first() {
        Some(Value::Brine(BrineValue::Str(text))) => Ok(Value::string(text.clone())),
        Some(Value::Brine(BrineValue::Bytes(bytes))) => {
            Ok(Value::Brine(BrineValue::Bytes(bytes.clone())))
        }
        Some(object @ (Value::Object(_) | Value::Proxy(_))) => Ok(object.clone()),
        _ => Err(RemoteException::type_error(format!(
            "{builtin}() arg 1 must be a string, bytes or code object"
        ))),
    }
}

/// The name `getmodule` imports, as `Slave.getmodule` takes it: a tuple
/// of str is joined with dots here (with CPython's message for an item
/// that is no str); anything else goes to Python as the client sent it,
/// where `importlib.import_module` judges it as it does under rpyc (a
/// relative name, bytes, a number, a client's object).
fn module_arg(args: Vec<Value>) -> Result<Value, RemoteException> {
    let Some(name) = args.into_iter().next() else {
        return Err(RemoteException::type_error(
            "Slave.getmodule() missing 1 required positional argument: 'name'",
        ));
    };
    if !matches!(name, Value::Tuple(_) | Value::Brine(BrineValue::Tuple(_))) {
        return Ok(name);
    }
    let parts = name.into_items().unwrap_or_default();
    let mut names = Vec::with_capacity(parts.len());
    for part in parts {
        match part {
            Value::Brine(BrineValue::Str(s)) => names.push(s),
            other => {
                return Err(RemoteException::type_error(format!(
                    "sequence item {}: expected str instance, {} found",
                    names.len(),
                    other.python_type()
                )))
            }
        }
    }
    Ok(Value::string(names.join(".")))
}

fn python_call<S: ObjectSpace>(
    vm: S::Vm<'_>,
    session: &Arc<Session<S>>,
    helper: &'static str,
    argument: Value,
    with_namespace: bool,
) -> RpcResult {
    let rt = Runtime::<S>::get(vm).map_err(|_| session.no_runtime())?;
    let outcome = (|| {
        let mut args = vec![to_python(vm, &rt, session, argument)?];
        if with_namespace {
            match session.namespace(vm) {
                Ok(namespace) => args.push(namespace),
                Err(e) => return Err(S::error(vm, ErrorKind::Runtime, &e.message())),
            }
        }
        rt.call(vm, helper, args)
    })();
    match outcome {
        Ok(result) => try_to_value(vm, &rt, session, result),
        Err(error) => {
            session.record_error(vm, &error);
            Err(to_remote(vm, &rt, &error))
        }
    }
}

impl<S: ObjectSpace> RpcObject for ClassicService<S> {
    fn type_name(&self) -> &str {
        if let Some(root) = self.python_root.get() {
            return root.type_name();
        }
        match self.root {
            Root::Slave => "rpyc.core.service.SlaveService",
            Root::Classic => "rpyc.core.service.ClassicService",
            Root::Void | Root::Python => "rpyc.core.service.VoidService",
            Root::Master => "rpyc.core.service.MasterService",
        }
    }

    fn instance_id(&self) -> Option<i128> {
        self.python_root.get().and_then(|root| root.instance_id())
    }

    /// A Python service object answers every request on the root.
    fn takes_over_dispatch(&self) -> bool {
        self.python_root.get().is_some()
    }

    fn dispatch(self: Arc<Self>, cx: &Context, handler: HandlerId, args: Vec<Value>) -> Reply {
        match self.python_root.get() {
            Some(root) => root.clone().dispatch(cx, handler, args),
            None => Reply::error(RemoteException::type_error(format!(
                "{} is not served by this object",
                handler.const_name()
            ))),
        }
    }

    fn getattr(self: Arc<Self>, cx: &Context, name: &str) -> Reply {
        // rpyc.Service's own: every root has them.
        let service_method = matches!(
            name,
            "get_service_name"
                | "get_service_aliases"
                | "exposed_get_service_name"
                | "exposed_get_service_aliases"
        );
        let bound = |target: Arc<Self>| {
            Reply::Ready(Ok(Value::Object(Arc::new(BoundMethod {
                target,
                name: name.trim_start_matches("exposed_").to_owned(),
            }))))
        };
        if self.root.exposes_nothing() {
            return match service_method {
                true => bound(self),
                false => Arc::new(VoidService).getattr(cx, name),
            };
        }
        // SlaveService turns rpyc's `exposed_` prefix off: names are as is.
        match name {
            "namespace" => self.run(cx, |vm, session| {
                let rt = Runtime::<S>::get(vm).map_err(|_| session.no_runtime())?;
                let namespace = session.namespace(vm)?;
                try_to_value(vm, &rt, session, namespace)
            }),
            "eval" | "execute" | "getmodule" | "getconn" => bound(self),
            _ if service_method => bound(self),
            // Service.ALIASES: the name comes from the class's.
            "ALIASES" => Reply::Ready(Ok(oxrpc_rpyc::tuple(Vec::new()))),
            // What `help()` and `inspect.getdoc` show of the root.
            "__doc__" => Reply::Ready(Ok(Value::string(SLAVE_SERVICE_DOC))),
            "_conn" => self.callattr(cx, "getconn", Vec::new(), Vec::new()),
            // rpyc_classic lets a client reach every attribute: what the
            // service lacks is Python's AttributeError, not a refusal.
            _ => Reply::error(RemoteException::no_attribute(
                self.type_name(),
                name,
                &self.repr(),
            )),
        }
    }

    fn callattr(
        self: Arc<Self>,
        cx: &Context,
        name: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    ) -> Reply {
        if self.root.exposes_nothing() && !name.starts_with("get_service_") {
            return Arc::new(VoidService).callattr(cx, name, args, kwargs);
        }
        let args = match slave_parameters(name) {
            Some(params) => {
                let qualname = format!("Slave.{name}");
                match oxrpc_pyfmt::Signature::method(&qualname, params).bind(args, kwargs) {
                    Ok(slots) => slots.into_iter().flatten().collect(),
                    Err(message) => return Reply::error(RemoteException::type_error(message)),
                }
            }
            None if name.starts_with("get_service_") => {
                return oxrpc_rpyc::__private::service_classmethod(
                    self.class_name(),
                    name,
                    args,
                    kwargs,
                )
            }
            None => args,
        };
        match name {
            "eval" => match source_arg(&args, "eval") {
                Ok(source) => self.run(cx, move |vm, s| {
                    python_call(vm, s, "evaluate", source, true)
                }),
                Err(e) => Reply::error(e),
            },
            "execute" => match source_arg(&args, "exec") {
                Ok(source) => {
                    self.run(cx, move |vm, s| python_call(vm, s, "execute", source, true))
                }
                Err(e) => Reply::error(e),
            },
            "getmodule" => match module_arg(args) {
                Ok(name) => self.run(cx, move |vm, s| {
                    python_call(vm, s, "getmodule", name, false)
                }),
                Err(e) => Reply::error(e),
            },
            "getconn" => match self.session().map(|s| s.connection_object()) {
                Ok(Some(object)) => Reply::Ready(Ok(Value::Object(object))),
                Ok(None) => Reply::error(RemoteException::eof_error("stream has been closed")),
                Err(e) => Reply::error(e),
            },
            "namespace" => {
                Reply::error(RemoteException::type_error("'dict' object is not callable"))
            }
            _ => Reply::error(RemoteException::cannot_access(name)),
        }
    }

    // `Service._rpyc_setattr` / `_rpyc_delattr`.
    fn setattr(self: Arc<Self>, _cx: &Context, _name: &str, _value: Value) -> Reply {
        Reply::error(RemoteException::attribute_error("access denied"))
    }

    fn delattr(self: Arc<Self>, _cx: &Context, _name: &str) -> Reply {
        Reply::error(RemoteException::attribute_error("access denied"))
    }

    /// rpyc.Service's routines, then `Slave`'s, as rpyc lists a
    /// `SlaveService`'s.
    fn methods(&self) -> Vec<(String, String)> {
        if self.root.exposes_nothing() {
            return VoidService.methods();
        }
        oxrpc_rpyc::__private::service_methods(&[
            ("execute", "execute arbitrary code (using ``exec``)"),
            ("eval", "evaluate arbitrary code (using ``eval``)"),
            ("getmodule", "imports an arbitrary module"),
            (
                "getconn",
                "returns the local connection instance to the other side",
            ),
        ])
    }

    /// rpyc's `SlaveService` has `__slots__` all the way up, so its `dir()`
    /// is `object`'s, `Service`'s and `Slave`'s names, without `__dict__`.
    fn dir(&self) -> Vec<String> {
        // `ClassicService` adds `MasterService._install`.
        if self.root.exposes_nothing() {
            return VoidService.dir();
        }
        let install: &[&str] = if self.root == Root::Classic {
            &["_install"]
        } else {
            &[]
        };
        oxrpc_rpyc::__private::object_dir(
            &[
                install,
                &[
                    "ALIASES",
                    "__module__",
                    "__slots__",
                    "_conn",
                    "_connect",
                    "_protocol",
                    "_rpyc_delattr",
                    "_rpyc_setattr",
                    "eval",
                    "execute",
                    "exposed_get_service_aliases",
                    "exposed_get_service_name",
                    "get_service_aliases",
                    "get_service_name",
                    "getconn",
                    "getmodule",
                    "namespace",
                    "on_connect",
                    "on_disconnect",
                ],
            ]
            .concat(),
        )
    }
}

impl<S: ObjectSpace> Service for ClassicService<S> {
    /// rpyc's classic server treats a plain value where an object is
    /// expected as the Python object it is (`hash(42)`, `'a' < 'b'`).
    fn serves_plain_values(&self) -> bool {
        true
    }

    fn dispatch_on_value(&self, cx: &Context, handler: HandlerId, args: Vec<Value>) -> Reply {
        if let Err(error) = oxrpc_rpyc::check_handler_arguments(handler, args.len()) {
            return Reply::error(error);
        }
        self.run(cx, move |vm, session| {
            let rt = Runtime::<S>::get(vm).map_err(|_| session.no_runtime())?;
            let mut args = args.into_iter();
            let target = args.next().unwrap_or(Value::NONE);
            let target = to_python(vm, &rt, session, target).map_err(|e| to_remote(vm, &rt, &e))?;
            run_handler(vm, session, &target, handler, args.collect())
        })
    }

    fn on_connect(&self, connection: &Connection) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::error!("classic mode needs a tokio runtime");
            return;
        };
        // Python code's own connections follow rpyc's default rules for
        // what the peer may reach, unless they serve a SlaveService.
        let open_attributes = self.root.opens_attributes();
        let session = match &self.interpreter {
            Interpreter::Space(space) => {
                let name = format!(
                    "oxrpc-classic-{}",
                    connection.config().connid.as_deref().unwrap_or("conn")
                );
                match space.worker(name) {
                    Ok(worker) => Session::new(
                        worker,
                        space.worker_per_connection(),
                        runtime,
                        connection.clone(),
                        open_attributes,
                        ConnectionObject::for_session,
                    ),
                    Err(e) => {
                        tracing::error!(error = %e, "cannot start a classic-mode worker");
                        return;
                    }
                }
            }
            Interpreter::Worker(worker) => Session::new(
                worker.clone(),
                false,
                runtime,
                connection.clone(),
                open_attributes,
                ConnectionObject::for_session,
            ),
        };
        // Over stdio the process's own streams carry the protocol;
        // rpyc_classic then points Python's at /dev/null.
        let over_stdio =
            matches!(self.interpreter, Interpreter::Space(_)) && self.root == Root::Classic;
        session.start(over_stdio);
        if let Ok(mut mine) = self.session.lock() {
            *mine = Some(session);
        }
    }

    /// A worker of its own reads its connection: each request wakes the
    /// thread that runs it, and only that one. (A connection Python code
    /// opened is read by a task: its worker reads the one it serves.)
    fn reads_on_own_thread(&self) -> bool {
        match &self.interpreter {
            Interpreter::Space(space) => space.worker_per_connection(),
            Interpreter::Worker(_) => false,
        }
    }

    fn adopt_reading(&self, reading: Box<ThreadReading>) -> Result<(), Box<ThreadReading>> {
        match self.session() {
            Ok(session) => session.worker().adopt(reading),
            Err(_) => Err(reading),
        }
    }

    fn on_disconnect(&self, _connection: &Connection) {
        let session = self.session.lock().ok().and_then(|mut s| s.take());
        if let Some(session) = session {
            if self.python_root.get().is_some() {
                // The code's own service hears that the peer went
                // (`on_disconnect`), before the session is taken apart.
                let ended = session.clone();
                session.worker().send(Box::new(move |vm| {
                    let Ok(rt) = Runtime::<S>::get(vm) else {
                        return;
                    };
                    let stand_in = ended.connection(vm);
                    if let Ok(key) = S::getattr(vm, &stand_in, "_oxrpc_session") {
                        if let Err(e) = rt.call(vm, "connection_ended", vec![key]) {
                            tracing::warn!("on_disconnect raised: {}", S::traceback_text(vm, &e));
                        }
                    }
                }));
            }
            session.close();
        }
    }
}

/// What `getconn()` returns: the connection, which the peer can ping or
/// close, ask how many objects the server holds for it, and read the
/// traceback of its last failed request from (`_last_traceback`, which
/// `rpyc.classic.pm` debugs).
struct ConnectionObject<S: ObjectSpace> {
    connection: Connection,
    session: Arc<Session<S>>,
}

impl<S: ObjectSpace> ConnectionObject<S> {
    /// The object for `session`'s connection, while it is open.
    fn for_session(session: &Arc<Session<S>>) -> Option<ObjectRef> {
        Some(Arc::new(ConnectionObject {
            connection: session.peer()?,
            session: session.clone(),
        }))
    }
}

impl<S: ObjectSpace> RpcObject for ConnectionObject<S> {
    fn type_name(&self) -> &str {
        "rpyc.core.protocol.Connection"
    }
    /// rpyc's `Connection.__repr__`: its connid, and an address.
    fn repr(&self) -> String {
        let connid = rpyc_connid(&self.connection).unwrap_or_else(|| "conn".to_owned());
        format!(
            "<rpyc.core.protocol.Connection '{connid}' object at {:#010x}>",
            std::ptr::from_ref(self) as usize
        )
    }
    /// What this stand-in serves of rpyc's `Connection`.
    fn dir(&self) -> Vec<String> {
        oxrpc_rpyc::__private::object_dir(&[
            "_config",
            "_last_traceback",
            "close",
            "closed",
            "local_object_count",
            "ping",
            "root",
        ])
    }
    fn methods(&self) -> Vec<(String, String)> {
        ["close", "ping"]
            .iter()
            .map(|n| ((*n).to_owned(), String::new()))
            .collect()
    }
    fn getattr(self: Arc<Self>, cx: &Context, name: &str) -> Reply {
        match name {
            "ping" | "close" | "local_object_count" => {
                Reply::Ready(Ok(Value::Object(Arc::new(BoundMethod {
                    target: self,
                    name: name.to_owned(),
                }))))
            }
            "_last_traceback" => {
                let session = self.session.clone();
                let worker = session.worker().clone();
                worker.answer(cx, move |vm| {
                    let rt = Runtime::<S>::get(vm).map_err(|_| session.no_runtime())?;
                    let traceback = session.last_traceback(vm);
                    try_to_value(vm, &rt, &session, traceback)
                })
            }
            "closed" => Reply::value(self.connection.is_closed()),
            // The client's own service, as this side sees it.
            "root" => {
                let connection = self.connection.clone();
                Reply::pending(async move { Ok(Value::Proxy(connection.root().await?)) })
            }
            // A dict of the interpreter's, kept for the connection: the
            // peer reads it, copies it, and writes to it as to rpyc's.
            "_config" => {
                let connection = self.connection.clone();
                let session = self.session.clone();
                let worker = session.worker().clone();
                worker.answer(cx, move |vm| {
                    let rt = Runtime::<S>::get(vm).map_err(|_| session.no_runtime())?;
                    let config = config_dict(vm, &rt, &session, &connection, true)
                        .map_err(|e| to_remote(vm, &rt, &e))?;
                    try_to_value(vm, &rt, &session, config)
                })
            }
            other => Reply::error(RemoteException::no_attribute(
                self.type_name(),
                other,
                &self.repr(),
            )),
        }
    }
    fn callattr(
        self: Arc<Self>,
        _cx: &Context,
        name: &str,
        _args: Vec<Value>,
        _kwargs: Vec<(String, Value)>,
    ) -> Reply {
        match name {
            "local_object_count" => Reply::value(self.connection.local_object_count()),
            "ping" => {
                let connection = self.connection.clone();
                Reply::pending(async move { Ok(connection.ping().await.map(|_| Value::NONE)?) })
            }
            "close" => {
                let connection = self.connection.clone();
                Reply::pending(async move {
                    connection.close().await;
                    Ok(Value::NONE)
                })
            }
            other => Reply::error(RemoteException::cannot_access(other)),
        }
    }
}
