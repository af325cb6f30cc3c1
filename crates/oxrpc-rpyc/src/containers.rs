//! Rust-side lists, dicts, iterators and functions, served under the type
//! names of Python's builtins.
//!
//! A Python peer that receives a reference named `builtins.list` builds its
//! proxy from its own `list` class without asking us anything, so `len()`,
//! indexing, `in`, iteration and `str()` all work on a `Vec` a Rust service
//! returned. Only what rpyc's default policy lets a peer reach on a real list
//! (the "safe" dunder methods) is served, plus read-only dict views.

use crate::brine::BrineValue;
use crate::object::{
    cannot_access, BoxFuture, CompareOp, Context, ObjectRef, Reply, RpcObject, RpcResult,
};
use crate::value::{tuple, IntoValue, Value};
use crate::vinegar::RemoteException;
use std::sync::{Arc, Mutex};

fn repr_of(value: &Value) -> String {
    match value {
        Value::Brine(v) => v.to_string(),
        Value::Tuple(items) => {
            let inner: Vec<String> = items.iter().map(repr_of).collect();
            if inner.len() == 1 {
                format!("({},)", inner[0])
            } else {
                format!("({})", inner.join(", "))
            }
        }
        Value::Object(o) => o.repr(),
        Value::Proxy(p) => format!("<proxy {}>", p.id_pack().type_name),
    }
}

/// Equality of plain values (what `==` and `in` need on containers).
fn plain_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Brine(x), Value::Brine(y)) => match (x, y) {
            (BrineValue::Int(i), BrineValue::Float(f))
            | (BrineValue::Float(f), BrineValue::Int(i)) => (*i as f64) == *f,
            _ => x == y,
        },
        (Value::Object(x), Value::Object(y)) => Arc::ptr_eq(x, y),
        (Value::Tuple(x), Value::Tuple(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| plain_eq(a, b))
        }
        _ => false,
    }
}

fn index_of(value: &Value, len: usize) -> Result<usize, RemoteException> {
    let i = match value {
        Value::Brine(BrineValue::Int(i)) => *i,
        Value::Brine(BrineValue::Bool(b)) => i64::from(*b),
        other => {
            return Err(RemoteException::builtin(
                "TypeError",
                format!(
                    "list indices must be integers or slices, not {}",
                    other.python_type()
                ),
            ))
        }
    };
    let len_i = len as i64;
    let resolved = if i < 0 { i + len_i } else { i };
    if resolved < 0 || resolved >= len_i {
        return Err(RemoteException::builtin(
            "IndexError",
            "list index out of range",
        ));
    }
    Ok(resolved as usize)
}

fn slice_bounds(
    start: &BrineValue,
    stop: &BrineValue,
    step: &BrineValue,
    len: usize,
) -> Result<Vec<usize>, RemoteException> {
    let as_opt = |v: &BrineValue| match v {
        BrineValue::None => Ok(None),
        BrineValue::Int(i) => Ok(Some(*i)),
        _ => Err(RemoteException::builtin(
            "TypeError",
            "slice indices must be integers or None",
        )),
    };
    let step = as_opt(step)?.unwrap_or(1);
    if step == 0 {
        return Err(RemoteException::builtin(
            "ValueError",
            "slice step cannot be zero",
        ));
    }
    let len = len as i64;
    let clamp = |i: i64, lo: i64, hi: i64| i.max(lo).min(hi);
    let norm = |i: i64| if i < 0 { i + len } else { i };
    let (start, stop) = if step > 0 {
        (
            as_opt(start)?.map_or(0, |i| clamp(norm(i), 0, len)),
            as_opt(stop)?.map_or(len, |i| clamp(norm(i), 0, len)),
        )
    } else {
        (
            as_opt(start)?.map_or(len - 1, |i| clamp(norm(i), -1, len - 1)),
            as_opt(stop)?.map_or(-1, |i| clamp(norm(i), -1, len - 1)),
        )
    };
    let mut out = Vec::new();
    let mut i = start;
    while (step > 0 && i < stop) || (step < 0 && i > stop) {
        out.push(i as usize);
        i += step;
    }
    Ok(out)
}

/// A list served as `builtins.list`.
pub struct ListObject {
    items: Mutex<Vec<Value>>,
}

impl ListObject {
    /// A list holding `items`.
    pub fn new(items: Vec<Value>) -> Arc<ListObject> {
        Arc::new(ListObject {
            items: Mutex::new(items),
        })
    }

    fn items(&self) -> std::sync::MutexGuard<'_, Vec<Value>> {
        self.items.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn arg(args: &[Value], i: usize, method: &str) -> Result<Value, RemoteException> {
    args.get(i).cloned().ok_or_else(|| {
        RemoteException::builtin(
            "TypeError",
            format!("{method}() missing a required argument"),
        )
    })
}

impl RpcObject for ListObject {
    fn type_name(&self) -> &str {
        "builtins.list"
    }

    fn callattr(
        self: Arc<Self>,
        _cx: &Context,
        name: &str,
        args: Vec<Value>,
        _kw: Vec<(String, Value)>,
    ) -> Reply {
        let result: RpcResult = (|| match name {
            "__len__" => Ok(self.items().len().into_value()),
            "__bool__" => Ok((!self.items().is_empty()).into_value()),
            "__getitem__" => {
                let key = arg(&args, 0, name)?;
                let items = self.items();
                match key {
                    Value::Brine(BrineValue::Slice(a, b, c)) => {
                        let picked = slice_bounds(&a, &b, &c, items.len())?;
                        let values = picked.into_iter().map(|i| items[i].clone()).collect();
                        Ok(ListObject::new(values).into_value())
                    }
                    key => Ok(items[index_of(&key, items.len())?].clone()),
                }
            }
            "__setitem__" => {
                let (key, value) = (arg(&args, 0, name)?, arg(&args, 1, name)?);
                let mut items = self.items();
                let i = index_of(&key, items.len())?;
                items[i] = value;
                Ok(Value::NONE)
            }
            "__contains__" => {
                let needle = arg(&args, 0, name)?;
                Ok(self
                    .items()
                    .iter()
                    .any(|v| plain_eq(v, &needle))
                    .into_value())
            }
            "__iter__" => Ok(Value::Object(IterObject::new(self.items().clone()))),
            "__repr__" | "__str__" => Ok(self.repr().into_value()),
            "__eq__" | "__ne__" => {
                let other = arg(&args, 0, name)?;
                let equal = match &other {
                    Value::Object(o) => Arc::ptr_eq(&(self.clone() as ObjectRef), o),
                    _ => false,
                };
                Ok((equal == (name == "__eq__")).into_value())
            }
            other => Err(cannot_access(other)),
        })();
        Reply::Ready(result)
    }

    fn getattr(self: Arc<Self>, _cx: &Context, name: &str) -> Reply {
        Reply::error(cannot_access(name))
    }

    fn repr(&self) -> String {
        let inner: Vec<String> = self.items().iter().map(repr_of).collect();
        format!("[{}]", inner.join(", "))
    }

    fn hash(&self) -> Result<i64, RemoteException> {
        Err(RemoteException::builtin(
            "TypeError",
            "unhashable type: 'list'",
        ))
    }

    fn compare(&self, other: &Value, op: CompareOp) -> RpcResult {
        let same = matches!(other, Value::Object(o) if std::ptr::eq(Arc::as_ptr(o) as *const (), self as *const Self as *const ()));
        Ok(match op {
            CompareOp::Eq => same.into_value(),
            CompareOp::Ne => (!same).into_value(),
            _ => Value::Brine(BrineValue::NotImplemented),
        })
    }

    fn dir(&self) -> Vec<String> {
        [
            "__contains__",
            "__getitem__",
            "__iter__",
            "__len__",
            "__setitem__",
        ]
        .map(String::from)
        .to_vec()
    }

    fn next_items(self: Arc<Self>, _cx: &Context, _count: usize) -> Reply {
        Reply::error(RemoteException::builtin(
            "TypeError",
            "'list' object is not an iterator",
        ))
    }
}

/// A dict served as `builtins.dict`, keys in insertion order.
pub struct DictObject {
    entries: Mutex<Vec<(Value, Value)>>,
}

impl DictObject {
    /// A dict from key/value pairs (later duplicates win).
    pub fn from_pairs(pairs: impl IntoIterator<Item = (Value, Value)>) -> Arc<DictObject> {
        let dict = DictObject {
            entries: Mutex::new(Vec::new()),
        };
        for (k, v) in pairs {
            dict.insert(k, v);
        }
        Arc::new(dict)
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, Vec<(Value, Value)>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn insert(&self, key: Value, value: Value) {
        let mut entries = self.entries();
        match entries.iter_mut().find(|(k, _)| plain_eq(k, &key)) {
            Some(slot) => slot.1 = value,
            None => entries.push((key, value)),
        }
    }
}

impl RpcObject for DictObject {
    fn type_name(&self) -> &str {
        "builtins.dict"
    }

    fn callattr(
        self: Arc<Self>,
        _cx: &Context,
        name: &str,
        args: Vec<Value>,
        _kw: Vec<(String, Value)>,
    ) -> Reply {
        let result: RpcResult = (|| match name {
            "__len__" => Ok(self.entries().len().into_value()),
            "__bool__" => Ok((!self.entries().is_empty()).into_value()),
            "__getitem__" | "get" => {
                let key = arg(&args, 0, name)?;
                let found = self
                    .entries()
                    .iter()
                    .find(|(k, _)| plain_eq(k, &key))
                    .map(|(_, v)| v.clone());
                match (found, name) {
                    (Some(v), _) => Ok(v),
                    (None, "get") => Ok(args.get(1).cloned().unwrap_or(Value::NONE)),
                    (None, _) => Err(RemoteException::new(
                        crate::vinegar::BUILTINS,
                        "KeyError",
                        vec![key.as_brine().cloned().unwrap_or(BrineValue::None)],
                    )),
                }
            }
            "__setitem__" => {
                let (key, value) = (arg(&args, 0, name)?, arg(&args, 1, name)?);
                self.insert(key, value);
                Ok(Value::NONE)
            }
            "__contains__" => {
                let key = arg(&args, 0, name)?;
                Ok(self
                    .entries()
                    .iter()
                    .any(|(k, _)| plain_eq(k, &key))
                    .into_value())
            }
            "__iter__" | "keys" => {
                let keys = self.entries().iter().map(|(k, _)| k.clone()).collect();
                Ok(if name == "keys" {
                    ListObject::new(keys).into_value()
                } else {
                    Value::Object(IterObject::new(keys))
                })
            }
            "values" => Ok(ListObject::new(
                self.entries().iter().map(|(_, v)| v.clone()).collect(),
            )
            .into_value()),
            "items" => Ok(ListObject::new(
                self.entries()
                    .iter()
                    .map(|(k, v)| tuple(vec![k.clone(), v.clone()]))
                    .collect(),
            )
            .into_value()),
            "__repr__" | "__str__" => Ok(self.repr().into_value()),
            other => Err(cannot_access(other)),
        })();
        Reply::Ready(result)
    }

    fn getattr(self: Arc<Self>, _cx: &Context, name: &str) -> Reply {
        match name {
            // Bound methods the peer may fetch then call.
            "keys" | "values" | "items" | "get" => {
                Reply::Ready(Ok(Value::Object(Arc::new(BoundMethod {
                    target: self,
                    name: name.to_owned(),
                }))))
            }
            _ => Reply::error(cannot_access(name)),
        }
    }

    fn repr(&self) -> String {
        let inner: Vec<String> = self
            .entries()
            .iter()
            .map(|(k, v)| format!("{}: {}", repr_of(k), repr_of(v)))
            .collect();
        format!("{{{}}}", inner.join(", "))
    }

    fn hash(&self) -> Result<i64, RemoteException> {
        Err(RemoteException::builtin(
            "TypeError",
            "unhashable type: 'dict'",
        ))
    }

    fn dir(&self) -> Vec<String> {
        [
            "__contains__",
            "__getitem__",
            "__iter__",
            "__len__",
            "__setitem__",
            "get",
            "items",
            "keys",
            "values",
        ]
        .map(String::from)
        .to_vec()
    }
}

/// A method of a local object, fetched with `getattr` to be called later.
pub struct BoundMethod {
    /// The object the method belongs to.
    pub target: ObjectRef,
    /// The method name.
    pub name: String,
}

impl RpcObject for BoundMethod {
    fn type_name(&self) -> &str {
        "builtins.method"
    }
    fn call(
        self: Arc<Self>,
        cx: &Context,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    ) -> Reply {
        self.target.clone().callattr(cx, &self.name, args, kwargs)
    }
    fn callattr(
        self: Arc<Self>,
        cx: &Context,
        name: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    ) -> Reply {
        if name == "__call__" {
            return self.call(cx, args, kwargs);
        }
        Reply::error(cannot_access(name))
    }
    fn repr(&self) -> String {
        format!("<bound method {} of {}>", self.name, self.target.repr())
    }
}

/// An iterator over values, served as `builtins.list_iterator`.
pub struct IterObject {
    state: Mutex<std::vec::IntoIter<Value>>,
}

impl IterObject {
    /// An iterator over `items`.
    pub fn new(items: Vec<Value>) -> Arc<IterObject> {
        Arc::new(IterObject {
            state: Mutex::new(items.into_iter()),
        })
    }

    fn take(&self, count: usize) -> Vec<Value> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.by_ref().take(count).collect()
    }
}

impl RpcObject for IterObject {
    fn type_name(&self) -> &str {
        "builtins.list_iterator"
    }
    fn callattr(
        self: Arc<Self>,
        _cx: &Context,
        name: &str,
        _args: Vec<Value>,
        _kw: Vec<(String, Value)>,
    ) -> Reply {
        match name {
            "__next__" => match self.take(1).pop() {
                Some(v) => Reply::Ready(Ok(v)),
                None => Reply::error(RemoteException::stop_iteration()),
            },
            "__iter__" => Reply::Ready(Ok(Value::Object(self))),
            "__length_hint__" => {
                let left = self.state.lock().map(|s| s.len()).unwrap_or(0);
                Reply::value(left)
            }
            other => Reply::error(cannot_access(other)),
        }
    }
    fn next_items(self: Arc<Self>, _cx: &Context, count: usize) -> Reply {
        Reply::Ready(Ok(tuple(self.take(count))))
    }
}

/// A Rust closure the peer can call, served as `builtins.function`: how
/// callbacks are passed to the peer.
///
/// ```
/// use oxrpc_rpyc::{Function, Value, FromValue};
///
/// let double = Function::new("double", |args: Vec<Value>| {
///     let n = i64::from_value(args.into_iter().next().unwrap_or(Value::NONE))?;
///     Ok(Value::from(n * 2))
/// });
/// # let _ = double;
/// ```
///
/// A callback that must itself call the peer (or wait for anything) is made
/// with [`Function::new_async`]: the connection keeps serving while it runs.
pub struct Function {
    name: String,
    body: Body,
}

enum Body {
    Sync(Box<dyn Fn(Vec<Value>) -> RpcResult + Send + Sync>),
    Async(Box<dyn Fn(Vec<Value>) -> BoxFuture + Send + Sync>),
}

impl Function {
    /// Wraps `body` as a callable named `name`.
    pub fn new(
        name: impl Into<String>,
        body: impl Fn(Vec<Value>) -> RpcResult + Send + Sync + 'static,
    ) -> Arc<Function> {
        Arc::new(Function {
            name: name.into(),
            body: Body::Sync(Box::new(body)),
        })
    }

    /// Wraps an async `body` as a callable named `name`; it may await calls
    /// back into the peer.
    ///
    /// ```no_run
    /// use oxrpc_rpyc::{Function, Value};
    ///
    /// # async fn run(root: oxrpc_rpyc::Proxy) -> Result<(), oxrpc_rpyc::RemoteException> {
    /// let answer_plus = Function::new_async("answer_plus", move |args: Vec<Value>| {
    ///     let root = root.clone();
    ///     async move {
    ///         let answer: i64 = root.call("get_answer", ()).await?.extract()?;
    ///         let n: i64 = args.into_iter().next().unwrap_or(Value::NONE).extract()?;
    ///         Ok(Value::from(answer + n))
    ///     }
    /// });
    /// # let _ = answer_plus; Ok(()) }
    /// ```
    pub fn new_async<F, Fut>(name: impl Into<String>, body: F) -> Arc<Function>
    where
        F: Fn(Vec<Value>) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = RpcResult> + Send + 'static,
    {
        Arc::new(Function {
            name: name.into(),
            body: Body::Async(Box::new(move |args| Box::pin(body(args)))),
        })
    }
}

impl RpcObject for Function {
    fn type_name(&self) -> &str {
        "builtins.function"
    }
    fn call(
        self: Arc<Self>,
        _cx: &Context,
        args: Vec<Value>,
        _kwargs: Vec<(String, Value)>,
    ) -> Reply {
        match &self.body {
            Body::Sync(body) => Reply::Ready(body(args)),
            Body::Async(body) => Reply::Pending(body(args)),
        }
    }
    fn callattr(
        self: Arc<Self>,
        cx: &Context,
        name: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    ) -> Reply {
        match name {
            "__call__" => self.call(cx, args, kwargs),
            other => Reply::error(cannot_access(other)),
        }
    }
    fn getattr(self: Arc<Self>, _cx: &Context, name: &str) -> Reply {
        match name {
            "__name__" => Reply::value(self.name.clone()),
            other => Reply::error(cannot_access(other)),
        }
    }
    fn repr(&self) -> String {
        format!(
            "<function {} at {:#x}>",
            self.name, self as *const Self as usize
        )
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Value {
        Value::Brine(BrineValue::Int(v))
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Brine(BrineValue::Str(v.to_owned()))
    }
}
impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Brine(BrineValue::Str(v))
    }
}
