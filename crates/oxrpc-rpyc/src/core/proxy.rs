//! Proxies: our handles on the peer's objects (rpyc's "netrefs").
//!
//! A proxy is created when the peer sends a reference; receiving the same
//! reference again returns the same proxy with its count raised, and when
//! the last clone drops, one `HANDLE_DEL(obj, count)` tells the peer how many
//! references to release — the same bookkeeping Python's netrefs do, so the
//! peer's object table returns to its baseline.
//!
//! The calls mirror the XML-RPC client's: [`Proxy::call`] is typed
//! (`call::<i64>("get_answer", ())`), [`Proxy::call_value`] returns the
//! [`Value`] as it came.

use super::connection::Connection;
use super::convert::{FromValue, IntoArgs, IntoValue};
use super::error::Error;
use super::object::{CompareOp, Context, Reply, RpcObject};
use super::value::{tuple, Value};
use crate::wire::boxing::{Boxed, IdPack};
use crate::wire::brine::BrineValue;
use crate::wire::message::HandlerId;
use std::collections::VecDeque;
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
        self.connection.request_nowait(HandlerId::Del, args);
    }
}

/// A reference to an object of the peer.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let conn = oxrpc_rpyc::connect("localhost", 18861).await?;
/// let root = conn.root().await?;
/// let answer: i64 = root.call("get_answer", ()).await?;
/// assert_eq!(answer, 42);
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
        self.shared.connection.same_as(connection)
    }

    async fn request<const N: usize>(
        &self,
        handler: HandlerId,
        args: [Value; N],
    ) -> Result<Value, Error> {
        let mut request = Vec::with_capacity(N + 1);
        request.push(Value::Proxy(self.clone()));
        request.extend(args);
        self.shared.connection.request(handler, request).await
    }

    /// `getattr(obj, name)`.
    pub async fn getattr(&self, name: &str) -> Result<Value, Error> {
        self.request(HandlerId::GetAttr, [name.into()]).await
    }

    /// `setattr(obj, name, value)`.
    pub async fn setattr(&self, name: &str, value: impl IntoValue) -> Result<(), Error> {
        self.request(HandlerId::SetAttr, [name.into(), value.into_value()])
            .await
            .map(drop)
    }

    /// `delattr(obj, name)`.
    pub async fn delattr(&self, name: &str) -> Result<(), Error> {
        self.request(HandlerId::DelAttr, [name.into()])
            .await
            .map(drop)
    }

    /// Calls the method `name` with positional arguments in one round trip
    /// (`HANDLE_CALLATTR`) and converts the result.
    pub async fn call<R: FromValue>(&self, name: &str, args: impl IntoArgs) -> Result<R, Error> {
        self.call_kw(name, args, Vec::new()).await
    }

    /// Calls the method `name` with positional and keyword arguments.
    pub async fn call_kw<R: FromValue>(
        &self,
        name: &str,
        args: impl IntoArgs,
        kwargs: Vec<(String, Value)>,
    ) -> Result<R, Error> {
        let args = tuple(args.into_args());
        let value = self
            .request(
                HandlerId::CallAttr,
                [name.into(), args, kwargs_value(kwargs)],
            )
            .await?;
        Ok(R::from_value(value)?)
    }

    /// Calls the method `name` and returns the result as it came.
    pub async fn call_value(&self, name: &str, args: Vec<Value>) -> Result<Value, Error> {
        self.call_kw(name, args, Vec::new()).await
    }

    /// Calls the object itself (`obj(*args)`), e.g. a function the peer
    /// passed, and converts the result.
    pub async fn invoke<R: FromValue>(&self, args: impl IntoArgs) -> Result<R, Error> {
        let value = self.invoke_value(args.into_args(), Vec::new()).await?;
        Ok(R::from_value(value)?)
    }

    /// Calls the object itself with positional and keyword arguments and
    /// returns the result as it came.
    pub async fn invoke_value(
        &self,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    ) -> Result<Value, Error> {
        self.request(HandlerId::Call, [tuple(args), kwargs_value(kwargs)])
            .await
    }

    /// `repr(obj)`.
    pub async fn repr(&self) -> Result<String, Error> {
        Ok(String::from_value(
            self.request(HandlerId::Repr, []).await?,
        )?)
    }

    /// `str(obj)`.
    pub async fn str(&self) -> Result<String, Error> {
        Ok(String::from_value(self.request(HandlerId::Str, []).await?)?)
    }

    /// `hash(obj)`.
    pub async fn hash(&self) -> Result<i64, Error> {
        Ok(i64::from_value(self.request(HandlerId::Hash, []).await?)?)
    }

    /// `dir(obj)`.
    pub async fn dir(&self) -> Result<Vec<String>, Error> {
        Ok(Vec::<String>::from_value(
            self.request(HandlerId::Dir, []).await?,
        )?)
    }

    /// A rich comparison, e.g. `obj == other`.
    pub async fn compare(&self, other: Value, op: CompareOp) -> Result<Value, Error> {
        self.request(HandlerId::Cmp, [other, op.dunder().into()])
            .await
    }

    /// `len(obj)`.
    pub async fn len(&self) -> Result<usize, Error> {
        self.call("__len__", ()).await
    }

    /// `len(obj) == 0`.
    pub async fn is_empty(&self) -> Result<bool, Error> {
        Ok(self.len().await? == 0)
    }

    /// `obj[key]`.
    pub async fn getitem(&self, key: impl IntoValue) -> Result<Value, Error> {
        self.call("__getitem__", (key,)).await
    }

    /// `key in obj`.
    pub async fn contains(&self, key: impl IntoValue) -> Result<bool, Error> {
        self.call("__contains__", (key,)).await
    }

    /// Iterates the object: `iter(obj)` on the peer, then items in batches
    /// (`HANDLE_BUFFITER`), so a long sequence costs few round trips.
    pub async fn iter(&self) -> Result<RemoteIter, Error> {
        let iterator: Proxy = self.call("__iter__", ()).await?;
        Ok(RemoteIter {
            iterator,
            buffered: VecDeque::new(),
            done: false,
        })
    }

    /// Collects every item of an iterable.
    pub async fn to_vec(&self) -> Result<Vec<Value>, Error> {
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
    buffered: VecDeque<Value>,
    done: bool,
}

impl RemoteIter {
    const BATCH: i64 = 128;

    /// The next item, or `None` at the end.
    pub async fn next(&mut self) -> Result<Option<Value>, Error> {
        if self.buffered.is_empty() && !self.done {
            let batch = self
                .iterator
                .request(HandlerId::BuffIter, [Value::from(Self::BATCH)])
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
        Reply::pending(async move { Ok(self.proxy.getattr(&name).await?) })
    }
    fn call(
        self: Arc<Self>,
        _cx: &Context,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    ) -> Reply {
        Reply::pending(async move { Ok(self.proxy.invoke_value(args, kwargs).await?) })
    }
    fn callattr(
        self: Arc<Self>,
        _cx: &Context,
        name: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    ) -> Reply {
        let name = name.to_owned();
        Reply::pending(async move { Ok(self.proxy.call_kw::<Value>(&name, args, kwargs).await?) })
    }
}
