//! Classic mode: rpyc's `SlaveService`, on an embedded interpreter.
//!
//! Each connection gets its own interpreter thread with its own namespace,
//! like rpyc's per-connection `SlaveService`. The root exposes `namespace`,
//! `execute`, `eval`, `getmodule` and `getconn`, which is all rpyc's
//! `rpyc.classic.connect` needs to offer `conn.modules`, `conn.execute`,
//! `conn.eval` and `conn.namespace`. Classic mode gives the peer full
//! control of this process: attribute access on interpreter objects is
//! entirely open, as it is in rpyc.

use crate::convert::{to_python, to_value, try_to_value};
use crate::exceptions::to_remote;
use crate::interpreter::Interpreter;
use crate::netref::netref_op;
use crate::object::run_handler;
use crate::state::{self, call_helper, State};
use oxrpc_rpyc::{
    BoundMethod, BrineValue, Connection, Context, HandlerId, RemoteException, Reply, RpcObject,
    RpcResult, Service, Value,
};
use rustpython_vm::VirtualMachine;
use std::sync::{Arc, Mutex};

const SUPPORT: &str = include_str!("support.py");

/// The classic service of one connection.
#[derive(Default)]
pub struct ClassicService {
    interpreter: Mutex<Option<Interpreter>>,
}

impl ClassicService {
    /// A service whose interpreter starts when its connection opens.
    pub fn new() -> ClassicService {
        ClassicService::default()
    }

    fn interpreter(&self) -> Result<Interpreter, RemoteException> {
        self.interpreter
            .lock()
            .ok()
            .and_then(|i| i.clone())
            .ok_or_else(|| RemoteException::runtime_error("the interpreter is not running"))
    }

    fn run(
        &self,
        cx: &Context,
        f: impl FnOnce(&VirtualMachine) -> RpcResult + Send + 'static,
    ) -> Reply {
        match self.interpreter() {
            Ok(interpreter) => interpreter.answer(cx, f),
            Err(e) => Reply::error(e),
        }
    }
}

/// Installs `support.py`, `_oxrpc_op` and a fresh namespace on a new
/// interpreter thread.
fn initialise(vm: &VirtualMachine, interpreter: Interpreter) {
    let scope = vm.new_scope_with_builtins();
    let op = vm.new_function("_oxrpc_op", netref_op);
    let _ = scope.globals.set_item("_oxrpc_op", op.into(), vm);
    let _ = scope
        .globals
        .set_item("__name__", vm.ctx.new_str("oxrpc_support").into(), vm);
    if let Err(exc) = vm.run_string(scope.clone(), SUPPORT, "<oxrpc support>".to_owned()) {
        let mut text = String::new();
        let _ = vm.write_exception(&mut text, &exc);
        tracing::error!("cannot load the classic-mode support code: {text}");
        return;
    }
    let netref_class = match scope.globals.get_item("Netref", vm) {
        Ok(class) => class,
        Err(_) => return,
    };
    let namespace = vm.ctx.new_dict();
    state::install(State {
        support: scope.globals,
        netref_class,
        namespace,
        proxies: Default::default(),
        next_proxy: 0,
        interpreter,
    });
}

fn text_arg(args: &[Value], method: &str) -> Result<String, RemoteException> {
    match args.first() {
        Some(Value::Brine(BrineValue::Str(s))) => Ok(s.clone()),
        _ => Err(RemoteException::type_error(format!(
            "{method}() argument must be str"
        ))),
    }
}

/// Source the interpreter may compile without overflowing its stack.
fn checked(code: String) -> Result<String, RemoteException> {
    crate::source::check_nesting(&code)?;
    Ok(code)
}

fn python_call(
    vm: &VirtualMachine,
    helper: &'static str,
    text: String,
    with_namespace: bool,
) -> RpcResult {
    let mut args = vec![vm.ctx.new_str(text).into()];
    if with_namespace {
        let namespace = state::with(|s| s.namespace.clone())
            .ok_or_else(|| RemoteException::runtime_error("no namespace"))?;
        args.push(namespace.into());
    }
    match call_helper(vm, helper, args) {
        Ok(result) => try_to_value(vm, result),
        Err(exc) => Err(to_remote(vm, &exc)),
    }
}

impl RpcObject for ClassicService {
    fn type_name(&self) -> &str {
        "rpyc.core.service.SlaveService"
    }

    fn getattr(self: Arc<Self>, cx: &Context, name: &str) -> Reply {
        // SlaveService turns rpyc's `exposed_` prefix off: names are as is.
        let plain = name;
        match plain {
            "namespace" => self.run(cx, |vm| {
                let namespace = state::with(|s| s.namespace.clone())
                    .ok_or_else(|| RemoteException::runtime_error("no namespace"))?;
                Ok(to_value(vm, namespace.into()))
            }),
            "eval"
            | "execute"
            | "getmodule"
            | "getconn"
            | "get_service_name"
            | "get_service_aliases" => Reply::Ready(Ok(Value::Object(Arc::new(BoundMethod {
                target: self,
                name: plain.to_owned(),
            })))),
            _ => Reply::error(RemoteException::cannot_access(name)),
        }
    }

    fn callattr(
        self: Arc<Self>,
        cx: &Context,
        name: &str,
        args: Vec<Value>,
        _kwargs: Vec<(String, Value)>,
    ) -> Reply {
        let plain = name;
        match plain {
            "eval" => match text_arg(&args, "eval").and_then(checked) {
                Ok(text) => self.run(cx, move |vm| python_call(vm, "evaluate", text, true)),
                Err(e) => Reply::error(e),
            },
            "execute" => match text_arg(&args, "execute").and_then(checked) {
                Ok(text) => self.run(cx, move |vm| python_call(vm, "execute", text, true)),
                Err(e) => Reply::error(e),
            },
            "getmodule" => match text_arg(&args, "getmodule") {
                Ok(text) => self.run(cx, move |vm| python_call(vm, "getmodule", text, false)),
                Err(e) => Reply::error(e),
            },
            "getconn" => Reply::Ready(Ok(Value::Object(Arc::new(ConnectionObject(
                cx.connection().clone(),
            ))))),
            "get_service_name" => Reply::value("SLAVE"),
            "get_service_aliases" => {
                Reply::Ready(Ok(oxrpc_rpyc::tuple(vec![Value::from("SLAVE")])))
            }
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

    fn methods(&self) -> Vec<(String, String)> {
        [
            "eval",
            "execute",
            "getconn",
            "getmodule",
            "get_service_aliases",
            "get_service_name",
        ]
        .iter()
        .map(|n| ((*n).to_owned(), String::new()))
        .collect()
    }

    fn dir(&self) -> Vec<String> {
        ["eval", "execute", "getconn", "getmodule", "namespace"]
            .map(String::from)
            .to_vec()
    }
}

impl Service for ClassicService {
    /// rpyc's classic server treats a plain value where an object is
    /// expected as the Python object it is (`hash(42)`, `'a' < 'b'`).
    fn serves_plain_values(&self) -> bool {
        true
    }

    fn dispatch_on_value(&self, cx: &Context, handler: HandlerId, args: Vec<Value>) -> Reply {
        self.run(cx, move |vm| {
            let mut args = args.into_iter();
            let target = args.next().unwrap_or(Value::NONE);
            let target = to_python(vm, target).map_err(|exc| to_remote(vm, &exc))?;
            run_handler(vm, &target, handler, args.collect())
        })
    }

    fn on_connect(&self, connection: &Connection) {
        let name = format!(
            "oxrpc-classic-{}",
            connection.config().connid.as_deref().unwrap_or("conn")
        );
        let slot = Arc::new(Mutex::new(None::<Interpreter>));
        let slot_for_thread = slot.clone();
        let started = Interpreter::spawn(name, move |vm| {
            // The handle is set before any job can run.
            let handle = slot_for_thread.lock().ok().and_then(|h| h.clone());
            if let Some(handle) = handle.or_else(Interpreter::current) {
                initialise(vm, handle);
            }
        });
        match started {
            Ok(interpreter) => {
                if let Ok(mut s) = slot.lock() {
                    *s = Some(interpreter.clone());
                }
                if let Ok(mut mine) = self.interpreter.lock() {
                    *mine = Some(interpreter);
                }
            }
            Err(e) => tracing::error!(error = %e, "cannot start an interpreter thread"),
        }
    }

    fn on_disconnect(&self, _connection: &Connection) {
        if let Ok(mut interpreter) = self.interpreter.lock() {
            if let Some(interpreter) = interpreter.take() {
                interpreter.stop();
            }
        }
    }
}

/// What `getconn()` returns: the connection, which the peer can ping or
/// close, and ask how many objects the server holds for it.
struct ConnectionObject(Connection);

impl RpcObject for ConnectionObject {
    fn type_name(&self) -> &str {
        "rpyc.core.protocol.Connection"
    }
    fn repr(&self) -> String {
        format!("{:?}", self.0)
    }
    fn getattr(self: Arc<Self>, _cx: &Context, name: &str) -> Reply {
        match name {
            "ping" | "close" | "local_object_count" => {
                Reply::Ready(Ok(Value::Object(Arc::new(BoundMethod {
                    target: self,
                    name: name.to_owned(),
                }))))
            }
            other => Reply::error(RemoteException::cannot_access(other)),
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
            "local_object_count" => Reply::value(self.0.local_object_count()),
            "ping" => {
                let connection = self.0.clone();
                Reply::pending(async move { Ok(connection.ping().await.map(|_| Value::NONE)?) })
            }
            "close" => {
                let connection = self.0.clone();
                Reply::pending(async move {
                    connection.close().await;
                    Ok(Value::NONE)
                })
            }
            other => Reply::error(RemoteException::cannot_access(other)),
        }
    }
}
