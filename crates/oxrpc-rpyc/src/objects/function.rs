//! Rust closures the peer can call.

use super::cannot_access;
use crate::core::{BoxFuture, Context, Reply, RpcObject, RpcResult, Value};
use crate::wire::vinegar::RemoteException;
use std::sync::Arc;

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
/// Like a Python `def f(*args)`, these refuse keyword arguments with
/// Python's `TypeError`; [`Function::with_keywords`] takes them.
pub struct Function {
    name: String,
    body: Body,
}

type Keywords = Vec<(String, Value)>;

enum Body {
    Sync(Box<dyn Fn(Vec<Value>) -> RpcResult + Send + Sync>),
    Async(Box<dyn Fn(Vec<Value>) -> BoxFuture + Send + Sync>),
    SyncKeywords(Box<dyn Fn(Vec<Value>, Keywords) -> RpcResult + Send + Sync>),
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

    /// Wraps `body`, which also receives keyword arguments (a Python
    /// `def f(*args, **kwargs)`), as a callable named `name`.
    ///
    /// ```
    /// use oxrpc_rpyc::{Function, Value};
    ///
    /// let count = Function::with_keywords("count", |args: Vec<Value>, kwargs| {
    ///     Ok(Value::from((args.len() + kwargs.len()) as i64))
    /// });
    /// # let _ = count;
    /// ```
    pub fn with_keywords(
        name: impl Into<String>,
        body: impl Fn(Vec<Value>, Keywords) -> RpcResult + Send + Sync + 'static,
    ) -> Arc<Function> {
        Arc::new(Function {
            name: name.into(),
            body: Body::SyncKeywords(Box::new(body)),
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
    ///         let answer: i64 = root.call("get_answer", ()).await?;
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
    fn label(&self) -> String {
        self.name.clone()
    }
    fn call(
        self: Arc<Self>,
        _cx: &Context,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    ) -> Reply {
        if let (Some((key, _)), Body::Sync(_) | Body::Async(_)) = (kwargs.first(), &self.body) {
            return Reply::error(RemoteException::type_error(format!(
                "{}() got an unexpected keyword argument '{key}'",
                self.name
            )));
        }
        match &self.body {
            Body::Sync(body) => Reply::Ready(body(args)),
            Body::Async(body) => Reply::Pending(body(args)),
            Body::SyncKeywords(body) => Reply::Ready(body(args, kwargs)),
        }
    }
    /// rpyc's policy: no attribute of a function is safe, `__call__`
    /// included (a peer calls a function with `HANDLE_CALL`).
    fn callattr(
        self: Arc<Self>,
        _cx: &Context,
        name: &str,
        _args: Vec<Value>,
        _kwargs: Vec<(String, Value)>,
    ) -> Reply {
        Reply::error(cannot_access(name))
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
