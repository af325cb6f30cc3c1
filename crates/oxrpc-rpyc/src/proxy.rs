//! Proxies: our handles on the peer's objects (rpyc's "netrefs").
//!
//! A proxy is created when the peer sends a reference; receiving the same
//! reference again returns the same proxy with its count raised, and when
//! the last clone drops, one `HANDLE_DEL(obj, count)` tells the peer how many
//! references to release — the same bookkeeping Python's netrefs do, so the
//! peer's object table returns to its baseline.

use crate::boxing::{Boxed, IdPack};
use crate::brine::BrineValue;
use crate::connection::Connection;
use crate::message::Handler;
use crate::object::{CompareOp, Context, Reply, RpcObject, RpcResult};
use crate::value::{tuple, FromValue, IntoArgs, Value};
use crate::vinegar::RemoteException;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

pub(crate) struct ProxyShared {
    id_pack: IdPack,
    refcount: AtomicU64,
    connection: Connection,
}

impl ProxyShared {
    pub(crate) fn new(id_pack: IdPack, connection: Connection) -> ProxyShared {
        ProxyShared {
            id_pack,
            refcount: AtomicU64::new(1),
            connection,
        }
    }

    pub(crate) fn add_reference(&self) {
        self.refcount.fetch_add(1, Ordering::Relaxed);
    }
}

impl Drop for ProxyShared {
    fn drop(&mut self) {
        self.connection
            .forget_proxy(&self.id_pack, self as *const ProxyShared);
        let count = self.refcount.load(Ordering::Relaxed);
        let args = Boxed::tuple(vec![
            Boxed::LocalRef(self.id_pack.clone()),
            Boxed::Value(BrineValue::Int(i64::try_from(count).unwrap_or(i64::MAX))),
        ]);
        self.connection.request_nowait(Handler::Del, args);
    }
}

/// A reference to an object of the peer.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let conn = oxrpc_rpyc::connect("localhost", 18861).await?;
/// let root = conn.root().await?;
/// let answer: i64 = root.call("get_answer", ()).await?.extract()?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Proxy {
    shared: Arc<ProxyShared>,
}

fn kwargs_value(kwargs: Vec<(String, Value)>) -> Value {
    tuple(
        kwargs
            .into_iter()
            .map(|(k, v)| tuple(vec![Value::Brine(BrineValue::Str(k)), v]))
            .collect(),
    )
}

impl Proxy {
    pub(crate) fn from_shared(shared: Arc<ProxyShared>) -> Proxy {
        Proxy { shared }
    }

    /// The peer's id for the object: `(type name, class id, instance id)`.
    pub fn id_pack(&self) -> &IdPack {
        &self.shared.id_pack
    }

    /// The connection the object lives behind.
    pub fn connection(&self) -> &Connection {
        &self.shared.connection
    }

    pub(crate) fn belongs_to(&self, connection: &Connection) -> bool {
        Arc::ptr_eq(&self.shared.connection.inner, &connection.inner)
    }

    async fn request(&self, handler: Handler, mut args: Vec<Value>) -> RpcResult {
        args.insert(0, Value::Proxy(self.clone()));
        self.shared.connection.request(handler, args).await
    }

    /// `getattr(obj, name)`.
    pub async fn getattr(&self, name: &str) -> RpcResult {
        self.request(Handler::GetAttr, vec![name.into()]).await
    }

    /// `setattr(obj, name, value)`.
    pub async fn setattr(
        &self,
        name: &str,
        value: impl crate::value::IntoValue,
    ) -> Result<(), RemoteException> {
        self.request(Handler::SetAttr, vec![name.into(), value.into_value()])
            .await
            .map(drop)
    }

    /// `delattr(obj, name)`.
    pub async fn delattr(&self, name: &str) -> Result<(), RemoteException> {
        self.request(Handler::DelAttr, vec![name.into()])
            .await
            .map(drop)
    }

    /// Calls the method `name` with positional arguments (one round trip,
    /// `HANDLE_CALLATTR`).
    pub async fn call(&self, name: &str, args: impl IntoArgs) -> RpcResult {
        self.call_kw(name, args, Vec::new()).await
    }

    /// Calls the method `name` with positional and keyword arguments.
    pub async fn call_kw(
        &self,
        name: &str,
        args: impl IntoArgs,
        kwargs: Vec<(String, Value)>,
    ) -> RpcResult {
        let args = tuple(args.into_args());
        self.request(
            Handler::CallAttr,
            vec![name.into(), args, kwargs_value(kwargs)],
        )
        .await
    }

    /// Calls the object itself (`obj(*args)`), e.g. a function the peer passed.
    pub async fn invoke(&self, args: impl IntoArgs) -> RpcResult {
        self.call_value(args.into_args(), Vec::new()).await
    }

    /// Calls the object itself with values.
    pub async fn call_value(&self, args: Vec<Value>, kwargs: Vec<(String, Value)>) -> RpcResult {
        self.request(Handler::Call, vec![tuple(args), kwargs_value(kwargs)])
            .await
    }

    /// `repr(obj)`.
    pub async fn repr(&self) -> Result<String, RemoteException> {
        String::from_value(self.request(Handler::Repr, Vec::new()).await?)
    }

    /// `str(obj)`.
    pub async fn str(&self) -> Result<String, RemoteException> {
        String::from_value(self.request(Handler::Str, Vec::new()).await?)
    }

    /// `hash(obj)`.
    pub async fn hash(&self) -> Result<i64, RemoteException> {
        i64::from_value(self.request(Handler::Hash, Vec::new()).await?)
    }

    /// `dir(obj)`.
    pub async fn dir(&self) -> Result<Vec<String>, RemoteException> {
        Vec::<String>::from_value(self.request(Handler::Dir, Vec::new()).await?)
    }

    /// A rich comparison, e.g. `obj == other`.
    pub async fn compare(&self, other: Value, op: CompareOp) -> RpcResult {
        let name = match op {
            CompareOp::Eq => "__eq__",
            CompareOp::Ne => "__ne__",
            CompareOp::Lt => "__lt__",
            CompareOp::Le => "__le__",
            CompareOp::Gt => "__gt__",
            CompareOp::Ge => "__ge__",
        };
        self.request(Handler::Cmp, vec![other, name.into()]).await
    }

    /// `len(obj)`.
    pub async fn len(&self) -> Result<usize, RemoteException> {
        usize::from_value(self.call("__len__", ()).await?)
    }

    /// `len(obj) == 0`.
    pub async fn is_empty(&self) -> Result<bool, RemoteException> {
        Ok(self.len().await? == 0)
    }

    /// `obj[key]`.
    pub async fn getitem(&self, key: impl crate::value::IntoValue) -> RpcResult {
        self.call("__getitem__", (key,)).await
    }

    /// `key in obj`.
    pub async fn contains(
        &self,
        key: impl crate::value::IntoValue,
    ) -> Result<bool, RemoteException> {
        bool::from_value(self.call("__contains__", (key,)).await?)
    }

    /// Iterates the object: `iter(obj)` on the peer, then items in batches
    /// (`HANDLE_BUFFITER`), so a long sequence costs few round trips.
    pub async fn iter(&self) -> Result<RemoteIter, RemoteException> {
        let iterator = match self.call("__iter__", ()).await? {
            Value::Proxy(p) => p,
            other => {
                return Err(RemoteException::builtin(
                    "TypeError",
                    format!("__iter__ returned {}", other.python_type()),
                ))
            }
        };
        Ok(RemoteIter {
            iterator,
            buffered: std::collections::VecDeque::new(),
            done: false,
        })
    }

    /// Collects every item of an iterable.
    pub async fn to_vec(&self) -> Result<Vec<Value>, RemoteException> {
        let mut iter = self.iter().await?;
        let mut items = Vec::new();
        while let Some(item) = iter.next().await? {
            items.push(item);
        }
        Ok(items)
    }
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<proxy {:?}>", self.shared.id_pack)
    }
}

/// Items of a remote iterator, fetched in batches.
pub struct RemoteIter {
    iterator: Proxy,
    buffered: std::collections::VecDeque<Value>,
    done: bool,
}

impl RemoteIter {
    const BATCH: i64 = 128;

    /// The next item, or `None` at the end.
    pub async fn next(&mut self) -> Result<Option<Value>, RemoteException> {
        if self.buffered.is_empty() && !self.done {
            let batch = self
                .iterator
                .request(
                    Handler::BuffIter,
                    vec![Value::Brine(BrineValue::Int(Self::BATCH))],
                )
                .await?;
            let items = batch.into_items().unwrap_or_default();
            if (items.len() as i64) < Self::BATCH {
                self.done = true;
            }
            self.buffered.extend(items);
        }
        Ok(self.buffered.pop_front())
    }
}

/// A proxy of one connection served to another connection's peer: every
/// operation is forwarded (rpyc over rpyc).
pub(crate) struct ForwardedProxy {
    proxy: Proxy,
}

impl ForwardedProxy {
    pub(crate) fn new(proxy: Proxy) -> Self {
        ForwardedProxy { proxy }
    }
}

impl RpcObject for ForwardedProxy {
    fn type_name(&self) -> &str {
        &self.proxy.id_pack().type_name
    }
    fn getattr(self: Arc<Self>, _cx: &Context, name: &str) -> Reply {
        let name = name.to_owned();
        Reply::pending(async move { self.proxy.getattr(&name).await })
    }
    fn call(
        self: Arc<Self>,
        _cx: &Context,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    ) -> Reply {
        Reply::pending(async move { self.proxy.call_value(args, kwargs).await })
    }
    fn callattr(
        self: Arc<Self>,
        _cx: &Context,
        name: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    ) -> Reply {
        let name = name.to_owned();
        Reply::pending(async move { self.proxy.call_kw(&name, args, kwargs).await })
    }
}
