//! The peer's objects inside the interpreter.
//!
//! `support.py` defines `Netref`, a class whose every operation calls the
//! native function `_oxrpc_op(op, id, ...)` defined here. The function finds
//! the [`Proxy`](oxrpc_rpyc::Proxy) behind `id`, sends the request, and
//! blocks until the reply — on the worker that reads the connection, in
//! [`request_here`], else in [`wait_for`] — serving the jobs that arrive
//! meanwhile, so the peer can call back into us from inside its callback.

use crate::convert::{to_python, to_value};
use crate::exceptions::to_python_exception;
use crate::request_here::request_here;
use crate::runtime::{ProxyEntry, Runtime};
use crate::session::Session;
use crate::space::{ErrorKind, Kind, ObjectSpace};
use crate::worker::wait_for;
use oxrpc_rpyc::{tuple, BrineValue, CompareOp, FromValue, HandlerId, RemoteException, Value};
use std::sync::Arc;

/// A call's failure as it enters the interpreter: the peer's own exception
/// untouched (`make_exception` gives it rpyc's made-up class if needed),
/// anything else as the exception Python would see.
fn peer<T>(result: Result<T, oxrpc_rpyc::Error>) -> Result<T, RemoteException> {
    result.map_err(|e| match e {
        oxrpc_rpyc::Error::Remote(exc) => exc,
        other => other.into(),
    })
}

fn pairs<S: ObjectSpace>(vm: S::Vm<'_>, value: Value) -> Result<Vec<(String, Value)>, S::Error> {
    let items = value.into_items().unwrap_or_default();
    items
        .into_iter()
        .map(|pair| {
            let mut kv = pair.into_items().unwrap_or_default();
            let v = kv.pop().unwrap_or(Value::NONE);
            match kv.pop() {
                Some(Value::Brine(BrineValue::Str(k))) => Ok((k, v)),
                _ => Err(S::error(
                    vm,
                    ErrorKind::Type,
                    "keyword names must be strings",
                )),
            }
        })
        .collect()
}

fn string<S: ObjectSpace>(vm: S::Vm<'_>, obj: Option<&S::Object>) -> Result<String, S::Error> {
    match obj {
        Some(obj) => S::str(vm, obj),
        None => Err(S::error(vm, ErrorKind::Type, "_oxrpc_op: missing argument")),
    }
}

/// `_oxrpc_op(op, id, *rest)`: one operation on a peer object.
pub(crate) fn netref_op<S: ObjectSpace>(
    vm: S::Vm<'_>,
    args: Vec<S::Object>,
) -> Result<S::Object, S::Error> {
    let op = string::<S>(vm, args.first())?;
    let id = args
        .get(1)
        .and_then(|id| S::to_i64(vm, id))
        .and_then(|id| u64::try_from(id).ok())
        .ok_or_else(|| S::error(vm, ErrorKind::Type, "_oxrpc_op needs an object id"))?;
    let rt = Runtime::<S>::get(vm)?;
    if op == "release" {
        rt.release(id);
        return Ok(S::none(vm));
    }
    if op == "peer_root" {
        return peer_root(vm, &rt, id);
    }
    if op == "connection" {
        // A netref's `____conn__`: the connection its object came over.
        return Ok(rt
            .proxy(id)
            .and_then(|entry| entry.session.upgrade())
            .map_or_else(|| S::none(vm), |session| session.connection(vm)));
    }
    // A remote object outlives its entry only when its connection closed
    // (the entries go with it): rpyc's netrefs raise EOFError then.
    let entry = rt
        .proxy(id)
        .ok_or_else(|| S::error(vm, ErrorKind::Eof, "stream has been closed"))?;
    let session: Arc<Session<S>> = entry
        .session
        .upgrade()
        .ok_or_else(|| S::error(vm, ErrorKind::Eof, "stream has been closed"))?;
    follow_config_timeout(vm, &rt, &session);
    let rest = &args[2..];
    let arg = |i: usize| {
        rest.get(i)
            .map(|o| S::clone_ref(vm, o))
            .unwrap_or_else(|| S::none(vm))
    };
    let value = |i: usize| to_value(vm, &rt, &session, arg(i));
    let ask = |handler: HandlerId, args: Vec<Value>| ask::<S>(vm, &entry, &session, handler, args);
    let result = match op.as_str() {
        "getattr" => {
            let name = string::<S>(vm, rest.first())?;
            ask(HandlerId::GetAttr, vec![name.into()])
        }
        "setattr" => {
            let name = string::<S>(vm, rest.first())?;
            let value = value(1);
            ask(HandlerId::SetAttr, vec![name.into(), value]).map(|_| Value::NONE)
        }
        "delattr" => {
            let name = string::<S>(vm, rest.first())?;
            ask(HandlerId::DelAttr, vec![name.into()]).map(|_| Value::NONE)
        }
        "call" => {
            let call_args = value(0).into_items().unwrap_or_default();
            let kwargs = pairs::<S>(vm, value(1))?;
            ask(HandlerId::Call, vec![tuple(call_args), keywords(kwargs)])
        }
        "callattr" => {
            let name = string::<S>(vm, rest.first())?;
            let call_args = value(1).into_items().unwrap_or_default();
            let kwargs = pairs::<S>(vm, value(2))?;
            let args = vec![name.into(), tuple(call_args), keywords(kwargs)];
            ask(HandlerId::CallAttr, args)
        }
        "repr" => {
            ask(HandlerId::Repr, Vec::new()).and_then(|v| converted::<String>(v, Value::from))
        }
        "str" => ask(HandlerId::Str, Vec::new()).and_then(|v| converted::<String>(v, Value::from)),
        "hash" => ask(HandlerId::Hash, Vec::new()).and_then(|v| converted::<i64>(v, Value::from)),
        "dir" => ask(HandlerId::Dir, Vec::new()).and_then(|v| {
            converted::<Vec<String>>(v, |names| {
                tuple(names.into_iter().map(Value::from).collect())
            })
        }),
        "cmp" => {
            let other = value(0);
            let op_name = string::<S>(vm, rest.get(1))?;
            let op = CompareOp::from_dunder(&op_name).ok_or_else(|| {
                S::error(
                    vm,
                    ErrorKind::Type,
                    &format!("unknown comparison {op_name}"),
                )
            })?;
            ask(HandlerId::Cmp, vec![other, op.dunder().into()])
        }
        // `pickle.dumps(netref)`: the peer pickles its object (rpyc's
        // HANDLE_PICKLE), as `rpyc.classic.obtain` does from the client.
        "pickle" => {
            let protocol = match S::kind(vm, &arg(0)) {
                Kind::Plain(v) => Value::Brine(v),
                _ => Value::from(4),
            };
            ask(HandlerId::Pickle, vec![protocol])
        }
        // What the peer's class has (rpyc's HANDLE_INSPECT): the methods
        // of the netref class made for it.
        "inspect" => {
            let proxy = entry.proxy.clone();
            wait_for::<S>(vm, &entry.runtime, session.worker(), async move {
                let pack = Value::Brine(proxy.id_pack().to_brine());
                let connection = proxy.connection().clone();
                peer(connection.request(HandlerId::Inspect, vec![pack]).await)
            })
        }
        // `with netref:` ending (rpyc's HANDLE_CTXEXIT): the peer raises
        // the exception's class to call `__exit__`.
        "ctxexit" => {
            let exc = value(0);
            ask(HandlerId::CtxExit, vec![exc])
        }
        // isinstance(<netref>, <netref of a class>) across classes: the
        // peer's answer (rpyc's HANDLE_INSTANCECHECK).
        "instancecheck" => {
            let other = value(0);
            ask(HandlerId::InstanceCheck, vec![other])
        }
        other => {
            return Err(S::error(
                vm,
                ErrorKind::Value,
                &format!("unknown proxy operation {other}"),
            ))
        }
    };
    match result {
        Ok(value) => to_python(vm, &rt, &session, value),
        Err(remote) => Err(to_python_exception(vm, &rt, &remote)),
    }
}

/// `handler(obj, *args)` on the peer's object behind `entry`: on this
/// thread when the worker reads the connection itself ([`request_here`]),
/// else through [`wait_for`].
fn ask<S: ObjectSpace>(
    vm: S::Vm<'_>,
    entry: &ProxyEntry<S>,
    session: &Session<S>,
    handler: HandlerId,
    args: Vec<Value>,
) -> Result<Value, RemoteException> {
    let connection = entry.proxy.connection().clone();
    let mut request = Vec::with_capacity(args.len() + 1);
    request.push(Value::Proxy(entry.proxy.clone()));
    request.extend(args);
    match request_here::<S>(vm, session, &connection, handler, request) {
        Ok(result) => peer(result),
        Err(request) => wait_for::<S>(vm, &entry.runtime, session.worker(), async move {
            peer(connection.request(handler, request).await)
        }),
    }
}

/// The reply as the type a request's caller expects (a `repr` is a str),
/// made into a value again by `into`.
fn converted<T: FromValue>(
    value: Value,
    into: impl FnOnce(T) -> Value,
) -> Result<Value, RemoteException> {
    T::from_value(value)
        .map(into)
        .map_err(|e| oxrpc_rpyc::Error::Conversion(e).into())
}

/// Keyword arguments as rpyc sends them: a tuple of (name, value) pairs.
fn keywords(pairs: Vec<(String, Value)>) -> Value {
    tuple(
        pairs
            .into_iter()
            .map(|(name, value)| tuple(vec![name.into(), value]))
            .collect(),
    )
}

/// rpyc reads `sync_request_timeout` from the connection's `_config` for
/// each request it makes: a client that changed it there (through
/// `getconn()._config`, to let a long callback run) has the requests made
/// for it wait that long; `None` waits as long as it takes.
fn follow_config_timeout<S: ObjectSpace>(
    vm: S::Vm<'_>,
    rt: &Runtime<S>,
    session: &Arc<Session<S>>,
) {
    let Some(config) = session.config_if_made(vm) else {
        return;
    };
    let Some(connection) = session.peer() else {
        return;
    };
    let value = S::getattr(vm, &config, "get").and_then(|get| {
        let key = S::from_plain(vm, BrineValue::from("sync_request_timeout"))?;
        S::call(vm, &get, vec![key])
    });
    let seconds = match value.map(|v| to_value(vm, rt, session, v)) {
        Ok(Value::Brine(BrineValue::None)) => f64::INFINITY,
        Ok(Value::Brine(BrineValue::Float(seconds))) => seconds,
        Ok(Value::Brine(BrineValue::Int(seconds))) => seconds as f64,
        Ok(Value::Brine(BrineValue::Bool(seconds))) => f64::from(u8::from(seconds)),
        // Anything else leaves the wait as it is.
        _ => return,
    };
    let limit = std::time::Duration::try_from_secs_f64(seconds.max(0.0)).unwrap_or(NO_LIMIT);
    if connection.sync_request_timeout() != limit {
        connection.set_sync_request_timeout(limit);
    }
}

/// What `sync_request_timeout=None` means: no limit (a year).
const NO_LIMIT: std::time::Duration = std::time::Duration::from_secs(365 * 24 * 3600);

/// `_oxrpc_op('peer_root', session)`: the root object of the peer of the
/// session registered as `session` (rpyc's `Connection.root`; a classic
/// client serves rpyc's `SlaveService` there).
fn peer_root<S: ObjectSpace>(
    vm: S::Vm<'_>,
    rt: &Arc<Runtime<S>>,
    key: u64,
) -> Result<S::Object, S::Error> {
    let closed = || S::error(vm, ErrorKind::Runtime, "the connection has closed");
    let session = rt.session(key).ok_or_else(closed)?;
    follow_config_timeout(vm, rt, &session);
    let connection = session.peer().ok_or_else(closed)?;
    let result = wait_for::<S>(vm, session.runtime(), session.worker(), async move {
        peer(connection.root().await).map(Value::Proxy)
    });
    match result {
        Ok(value) => to_python(vm, rt, &session, value),
        Err(remote) => Err(to_python_exception(vm, rt, &remote)),
    }
}
