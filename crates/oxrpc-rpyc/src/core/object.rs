//! Local objects: the one trait through which a connection serves them.
//!
//! Every request a peer sends about one of our objects (get an attribute,
//! call it, `repr` it, iterate it, ...) lands on [`RpcObject`]. Rust
//! services, the dict/list containers they return, and (in classic mode)
//! objects of an embedded interpreter all implement it. Operations return a
//! [`Reply`]: most finish at once and cost no allocation; those that need to
//! wait (an `async` service method calling back into the peer, or work queued
//! on an interpreter thread) return a future, and the connection keeps
//! serving other requests meanwhile.

use super::call_record::CallRecord;
use super::connection::{Connection, HANDLER_FAILED};
use super::value::Value;
use crate::wire::boxing::IdPack;
use crate::wire::brine::BrineValue;
use crate::wire::message::HandlerId;
use crate::wire::vinegar::RemoteException;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A shared reference to a local object.
pub type ObjectRef = Arc<dyn RpcObject>;

/// The outcome of an operation.
pub type RpcResult = Result<Value, RemoteException>;

/// A pending outcome.
pub type BoxFuture = Pin<Box<dyn Future<Output = RpcResult> + Send>>;

/// What an operation on a local object produces.
pub enum Reply {
    /// Finished.
    Ready(RpcResult),
    /// Still running; the connection awaits it without blocking others.
    Pending(BoxFuture),
    /// A [`Responder`] taken from the context will answer.
    Deferred,
}

impl Reply {
    /// A finished reply with a value.
    pub fn value(value: impl super::convert::IntoValue) -> Reply {
        Reply::Ready(Ok(value.into_value()))
    }

    /// A finished reply with an exception.
    pub fn error(exc: RemoteException) -> Reply {
        Reply::Ready(Err(exc))
    }

    /// A reply computed by a future.
    pub fn pending(future: impl Future<Output = RpcResult> + Send + 'static) -> Reply {
        Reply::Pending(Box::pin(future))
    }

    /// Waits for the outcome.
    pub async fn resolve(self) -> RpcResult {
        match self {
            Reply::Ready(result) => result,
            Reply::Pending(future) => future.await,
            Reply::Deferred => Err(RemoteException::runtime_error(
                "a deferred reply cannot be awaited in place",
            )),
        }
    }
}

impl From<RpcResult> for Reply {
    fn from(result: RpcResult) -> Self {
        Reply::Ready(result)
    }
}

/// Comparison operators, as `HANDLE_CMP` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CompareOp {
    /// Parses `"__eq__"` and friends.
    pub fn from_dunder(name: &str) -> Option<CompareOp> {
        Some(match name {
            "__eq__" => CompareOp::Eq,
            "__ne__" => CompareOp::Ne,
            "__lt__" => CompareOp::Lt,
            "__le__" => CompareOp::Le,
            "__gt__" => CompareOp::Gt,
            "__ge__" => CompareOp::Ge,
            _ => return None,
        })
    }

    /// The dunder name, `"__eq__"` and friends.
    pub fn dunder(self) -> &'static str {
        match self {
            CompareOp::Eq => "__eq__",
            CompareOp::Ne => "__ne__",
            CompareOp::Lt => "__lt__",
            CompareOp::Le => "__le__",
            CompareOp::Gt => "__gt__",
            CompareOp::Ge => "__ge__",
        }
    }
}

/// Who is asking: the connection the request came in on, so an object can
/// call back into the peer.
#[derive(Clone)]
pub struct Context {
    pub(crate) connection: Connection,
    /// The request being served, for [`Context::responder`].
    pub(crate) seq: Option<BrineValue>,
    /// The size of the request's frame: what it holds while it waits.
    pub(crate) request_bytes: usize,
    /// The request's telemetry, finished by whoever answers it.
    pub(crate) call: Option<Arc<CallRecord>>,
}

impl Context {
    /// The connection the request arrived on.
    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    /// A handle that answers the request being served from anywhere, any
    /// thread, later: return [`Reply::Deferred`] after taking it. It saves
    /// the hand-off back to an async task when the answer is computed on a
    /// thread of its own (an interpreter thread).
    ///
    /// `None` outside a request, or when the request may not wait: the
    /// connection has as many requests in progress as it may, or the
    /// server holds as much as it may for them. A handler then returns
    /// [`Reply::pending`], which answers such a request with the reason.
    pub fn responder(&self) -> Option<Responder> {
        let seq = self.seq.clone()?;
        let (in_progress, busy) = self.connection.begin_deferred(self.request_bytes).ok()?;
        Some(Responder {
            connection: Some(self.connection.clone()),
            seq,
            call: self.call.clone(),
            _counted: (in_progress, busy),
        })
    }
}

/// Answers one request, once (see [`Context::responder`]). Dropped unused,
/// it answers with an error so the peer never waits forever.
pub struct Responder {
    connection: Option<Connection>,
    seq: BrineValue,
    call: Option<Arc<CallRecord>>,
    _counted: (super::in_progress::InProgress, oxrpc_net::Busy),
}

impl Responder {
    /// Sends the answer.
    pub fn send(mut self, result: RpcResult) {
        if let Some(connection) = self.connection.take() {
            if let Some(call) = &self.call {
                call.finish(&result);
            }
            connection.finish_deferred(std::mem::take(&mut self.seq), result);
        }
    }
}

impl Drop for Responder {
    fn drop(&mut self) {
        if let Some(connection) = self.connection.take() {
            // Dropped while unwinding: the code answering it panicked (the
            // thread goes on serving; see oxrpc-classic's worker).
            let why = if std::thread::panicking() {
                format!("{HANDLER_FAILED} (it panicked)")
            } else {
                "the request was dropped unanswered".to_owned()
            };
            let result = Err(RemoteException::runtime_error(why));
            if let Some(call) = &self.call {
                call.finish(&result);
            }
            connection.finish_deferred(std::mem::take(&mut self.seq), result);
        }
    }
}

/// An object the connection can serve. Only `type_name` is required; every
/// other operation defaults to Python's answer for an object that lacks it.
pub trait RpcObject: Send + Sync + 'static {
    /// What a call of this object is counted as in the server's metrics
    /// (`call <label>`): its type by default, a method's own name for
    /// methods.
    fn label(&self) -> String {
        self.type_name().to_owned()
    }

    /// The dotted class name the peer sees (`"builtins.dict"`,
    /// `"oxrpc.tutorial.MyService"`). Names of Python builtins make Python
    /// peers use their ready-made proxy classes.
    fn type_name(&self) -> &str;

    /// A stable id for the class (the id pack's second element).
    fn type_id(&self) -> i128 {
        type_id_of(self.type_name())
    }

    /// The id the peer knows this object by (the id pack's third element).
    /// `None` uses the object's address; wrappers of objects that have an
    /// identity of their own (a Python object's `id()`) return it, so two
    /// wrappers of one object are one object to the peer. Classes use 0, as
    /// rpyc does.
    fn instance_id(&self) -> Option<i128> {
        None
    }

    /// Access to the concrete type, for code that needs to recognise its own
    /// objects coming back from the peer.
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        None
    }

    /// Whether [`RpcObject::dispatch`] serves every request about this object
    /// (for objects whose operations must all run in one place, such as an
    /// interpreter thread) instead of the per-operation methods.
    fn takes_over_dispatch(&self) -> bool {
        false
    }

    /// Serves one request about this object; `args` are the handler's
    /// arguments, the object itself first. Only called when
    /// [`RpcObject::takes_over_dispatch`] is true.
    fn dispatch(self: Arc<Self>, _cx: &Context, handler: HandlerId, _args: Vec<Value>) -> Reply {
        Reply::error(RemoteException::type_error(format!(
            "{} is not served by this object",
            handler.const_name()
        )))
    }

    /// `getattr(obj, name)`.
    fn getattr(self: Arc<Self>, _cx: &Context, name: &str) -> Reply {
        Reply::error(RemoteException::no_attribute(
            self.type_name(),
            name,
            &self.repr(),
        ))
    }

    /// `setattr(obj, name, value)`; refused by default as in rpyc.
    fn setattr(self: Arc<Self>, _cx: &Context, name: &str, _value: Value) -> Reply {
        Reply::error(RemoteException::cannot_access(name))
    }

    /// `delattr(obj, name)`; refused by default as in rpyc.
    fn delattr(self: Arc<Self>, _cx: &Context, name: &str) -> Reply {
        Reply::error(RemoteException::cannot_access(name))
    }

    /// `obj(*args, **kwargs)`.
    fn call(
        self: Arc<Self>,
        _cx: &Context,
        _args: Vec<Value>,
        _kwargs: Vec<(String, Value)>,
    ) -> Reply {
        Reply::error(RemoteException::type_error(format!(
            "'{}' object is not callable",
            short_name(self.type_name())
        )))
    }

    /// `getattr(obj, name)(*args, **kwargs)` in one step.
    fn callattr(
        self: Arc<Self>,
        cx: &Context,
        name: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    ) -> Reply {
        match self.getattr(cx, name) {
            Reply::Ready(Ok(Value::Object(method))) => method.call(cx, args, kwargs),
            Reply::Ready(Ok(other)) => Reply::error(RemoteException::type_error(format!(
                "'{}' object is not callable",
                other.python_type()
            ))),
            Reply::Ready(Err(e)) => Reply::error(e),
            // A getattr that answers through a responder has answered the
            // whole request already (only objects that take over dispatch
            // defer, and they do not come through here).
            Reply::Deferred => Reply::Deferred,
            Reply::Pending(future) => {
                let cx = cx.clone();
                Reply::pending(async move {
                    match future.await? {
                        Value::Object(method) => method.call(&cx, args, kwargs).resolve().await,
                        Value::Proxy(proxy) => Ok(proxy.invoke_value(args, kwargs).await?),
                        other => Err(RemoteException::type_error(format!(
                            "'{}' object is not callable",
                            other.python_type()
                        ))),
                    }
                })
            }
        }
    }

    /// `repr(obj)`.
    fn repr(&self) -> String {
        format!(
            "<{} object at {:#x}>",
            self.type_name(),
            self as *const Self as *const () as usize
        )
    }

    /// `str(obj)`.
    fn str(&self) -> String {
        self.repr()
    }

    /// `hash(obj)`: identity by default, like `object.__hash__`.
    fn hash(&self) -> Result<i64, RemoteException> {
        Ok((self as *const Self as *const () as usize >> 4) as i64)
    }

    /// A rich comparison with `other`; by default `object`'s: `==` and
    /// `!=` by identity, `NotImplemented` otherwise.
    fn compare(&self, other: &Value, op: CompareOp) -> RpcResult {
        let same = match other {
            Value::Object(o) => std::ptr::eq(
                Arc::as_ptr(o) as *const (),
                self as *const Self as *const (),
            ),
            _ => false,
        };
        Ok(match (op, same) {
            (CompareOp::Eq, true) => Value::Brine(BrineValue::Bool(true)),
            (CompareOp::Ne, true) => Value::Brine(BrineValue::Bool(false)),
            _ => Value::Brine(BrineValue::NotImplemented),
        })
    }

    /// `dir(obj)`.
    fn dir(&self) -> Vec<String> {
        Vec::new()
    }

    /// `(name, doc)` of the methods a proxy class for this object should
    /// have (`HANDLE_INSPECT`, asked for non-builtin type names).
    fn methods(&self) -> Vec<(String, String)> {
        Vec::new()
    }

    /// Up to `count` items from iterating the object (`HANDLE_BUFFITER`).
    fn next_items(self: Arc<Self>, cx: &Context, count: usize) -> Reply {
        let _ = (cx, count);
        Reply::error(RemoteException::type_error(format!(
            "'{}' object is not iterable",
            short_name(self.type_name())
        )))
    }

    /// `obj.__exit__(exc, type, tb)` for a `with` block on a proxy.
    fn ctx_exit(self: Arc<Self>, cx: &Context, exc: Value) -> Reply {
        self.callattr(
            cx,
            "__exit__",
            vec![exc, Value::NONE, Value::NONE],
            Vec::new(),
        )
    }

    /// `isinstance(<peer object with other_id_pack>, obj)`, for class objects.
    fn instance_check(&self, _other: &IdPack) -> bool {
        false
    }
}

/// The class id the protocol uses for a type name: stable, positive, non-zero.
pub(crate) fn type_id_of(type_name: &str) -> i128 {
    // FNV-1a: deterministic across runs and builds, unlike std's hasher.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in type_name.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    i128::from(hash >> 1) | 1
}

/// The id pack the peer will know `object` by.
/// The class's own name, as Python's messages give it (`MyService` for
/// `__main__.MyService`).
fn short_name(type_name: &str) -> &str {
    type_name.rsplit('.').next().unwrap_or("object")
}

pub(crate) fn id_pack_of(object: &ObjectRef) -> IdPack {
    IdPack::new(
        object.type_name().to_owned(),
        object.type_id(),
        object
            .instance_id()
            .unwrap_or(Arc::as_ptr(object) as *const () as usize as i128),
    )
}
