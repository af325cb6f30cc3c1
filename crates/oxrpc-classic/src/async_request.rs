//! Requests the server's code sends without waiting for their replies.
//!
//! rpyc's `Connection.async_request` (behind `rpyc.async_`, `rpyc.timed`
//! and every `AsyncResult`) writes the request at once and returns; the
//! reply is dispatched to the `AsyncResult` whenever the connection is
//! next served, and its callbacks run then. Code on the server uses them
//! on the client's objects (a callback it notifies without blocking) and
//! on connections it opened. Here the request goes out from the calling
//! thread ([`oxrpc_rpyc::Connection::request_async`]), a task waits for its
//! reply, and when it comes the task posts a job to the connection's
//! worker, which hands it to the `AsyncResult` (support.py's
//! `async_arrived`) and runs its callbacks, as rpyc's serving thread does.
//! Python waits for a reply (`AsyncResult.wait`, `Connection.serve`)
//! serving the connection meanwhile: on the connection's own worker in
//! [`serve_until`] (the reply is a frame it reads, or the job the task
//! posts), elsewhere in [`wait_for`]; `AsyncResult.ready` serves what the
//! connection has already sent and looks (rpyc's `poll_all`), so a reply
//! that is there is seen there.
//!
//! The native is `_oxrpc_async(op, ...)`: `reserve` a handle, `send` the
//! request, `wait` for and `take` its reply, `forget` it; `serve` the
//! connection until a message was served or a timeout (rpyc's
//! `Connection.serve`, which says whether one was), and its `timeout` for
//! a synchronous request.
//! Replies not yet taken are held in [`AsyncReplies`], at most
//! [`MAX_AWAITING`] per interpreter.

use crate::convert::{to_python, to_value};
use crate::exceptions::to_python_exception;
use crate::outbound::{plain, text};
use crate::runtime::Runtime;
use crate::session::Session;
use crate::space::{ErrorKind, ObjectSpace};
use crate::worker::{poll_all, serve_one, serve_until, wait_for};
use oxrpc_rpyc::{AsyncReply, BrineValue, HandlerId, RemoteException, Value};
use std::collections::HashMap;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Most asynchronous requests awaiting their replies in one interpreter.
pub(crate) const MAX_AWAITING: usize = 65_536;

/// Where a request's reply is.
enum Reply {
    /// Not settled yet: the connection routes it here when it comes.
    Awaited(AsyncReply),
    Came(Result<Value, RemoteException>),
    Taken,
}

/// A request sent without waiting. Its task polls the reply through the
/// lock, and Python may settle it first ([`Pending::settled`]), right
/// after serving the connection itself (`AsyncResult.ready`).
struct Pending {
    reply: Mutex<Option<Reply>>,
    arrived: watch::Sender<bool>,
    /// The key of the session whose connection carries it.
    session: u64,
}

impl Pending {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Reply>> {
        self.reply.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether the reply has come (or was taken), looking now.
    fn settled(&self) -> bool {
        let mut reply = self.lock();
        if let Some(Reply::Awaited(awaited)) = reply.as_mut() {
            if let Some(result) = awaited.try_take() {
                *reply = Some(Reply::Came(remote(result)));
            }
        }
        !matches!(*reply, Some(Reply::Awaited(_)))
    }

    /// Waits for the reply (for the task that hands it over); true if it
    /// settled it, false if Python did first (and then hands it over
    /// itself).
    async fn settle(&self) -> bool {
        poll_fn(|cx| {
            let mut reply = self.lock();
            let Some(Reply::Awaited(awaited)) = reply.as_mut() else {
                return Poll::Ready(false);
            };
            let result = std::task::ready!(Pin::new(awaited).poll(cx));
            *reply = Some(Reply::Came(remote(result)));
            Poll::Ready(true)
        })
        .await
    }

    /// The reply, once.
    fn take(&self) -> Option<Result<Value, RemoteException>> {
        if !self.settled() {
            return None;
        }
        match self.lock().replace(Reply::Taken) {
            Some(Reply::Came(result)) => Some(result),
            _ => None,
        }
    }
}

/// A failure as Python will see it.
fn remote(result: Result<Value, oxrpc_rpyc::Error>) -> Result<Value, RemoteException> {
    result.map_err(|e| match e {
        oxrpc_rpyc::Error::Remote(exc) => exc,
        other => other.into(),
    })
}

/// The replies of an interpreter's asynchronous requests, by handle.
#[derive(Default)]
pub(crate) struct AsyncReplies {
    awaited: Mutex<HashMap<u64, Arc<Pending>>>,
    next: AtomicU64,
}

impl AsyncReplies {
    fn get(&self, handle: u64) -> Option<Arc<Pending>> {
        self.awaited.lock().ok()?.get(&handle).cloned()
    }

    fn remove(&self, handle: u64) -> Option<Arc<Pending>> {
        self.awaited.lock().ok()?.remove(&handle)
    }

    /// Registers a request to come, or None when too many await theirs.
    fn add(&self, session: u64) -> Option<(u64, Arc<Pending>)> {
        let mut awaited = self.awaited.lock().ok()?;
        if awaited.len() >= MAX_AWAITING {
            return None;
        }
        let handle = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let entry = Arc::new(Pending {
            reply: Mutex::new(None),
            arrived: watch::channel(false).0,
            session,
        });
        awaited.insert(handle, entry.clone());
        Some((handle, entry))
    }
}

fn number<S: ObjectSpace>(
    vm: S::Vm<'_>,
    object: Option<&S::Object>,
    what: &str,
) -> Result<u64, S::Error> {
    match plain::<S>(vm, object) {
        BrineValue::Int(n) => u64::try_from(n).ok(),
        _ => None,
    }
    .ok_or_else(|| S::error(vm, ErrorKind::Type, &format!("_oxrpc_async needs {what}")))
}

/// A wait of `object` seconds (`None`: as long as it takes).
fn seconds<S: ObjectSpace>(vm: S::Vm<'_>, object: Option<&S::Object>) -> Option<Duration> {
    let seconds = match plain::<S>(vm, object) {
        BrineValue::Float(s) => s,
        BrineValue::Int(s) => s as f64,
        _ => return None,
    };
    Some(Duration::try_from_secs_f64(seconds.max(0.0)).unwrap_or(Duration::MAX))
}

/// `_oxrpc_async(op, ...)`: see the module docs.
pub(crate) fn async_op<S: ObjectSpace>(
    vm: S::Vm<'_>,
    args: Vec<S::Object>,
) -> Result<S::Object, S::Error> {
    let op = text(&plain::<S>(vm, args.first()))
        .ok_or_else(|| S::error(vm, ErrorKind::Type, "_oxrpc_async needs an operation"))?;
    let rt = Runtime::<S>::get(vm)?;
    match op.as_str() {
        "reserve" => {
            let key = number::<S>(vm, args.get(1), "a connection")?;
            let (handle, _) = rt.async_replies().add(key).ok_or_else(|| {
                S::error(
                    vm,
                    ErrorKind::Runtime,
                    &format!("more than {MAX_AWAITING} asynchronous requests await their replies"),
                )
            })?;
            S::from_plain(vm, BrineValue::Int(handle as i64))
        }
        "send" => {
            let key = number::<S>(vm, args.get(1), "a connection")?;
            let handle = number::<S>(vm, args.get(2), "a handle")?;
            let session = session::<S>(vm, &rt, key)?;
            send(vm, &rt, handle, &session, args.get(3), args.get(4))?;
            Ok(S::none(vm))
        }
        "forget" => {
            rt.async_replies()
                .remove(number::<S>(vm, args.get(1), "a handle")?);
            Ok(S::none(vm))
        }
        "timeout" => {
            let key = number::<S>(vm, args.get(1), "a connection")?;
            let limit = session::<S>(vm, &rt, key)?
                .peer()
                .map_or(Duration::ZERO, |peer| peer.sync_request_timeout());
            S::from_plain(vm, BrineValue::Float(limit.as_secs_f64()))
        }
        "wait" => {
            let handle = number::<S>(vm, args.get(1), "a handle")?;
            let arrived = wait(vm, &rt, handle, seconds::<S>(vm, args.get(2)));
            S::from_plain(vm, BrineValue::Bool(arrived))
        }
        "take" => take(vm, &rt, number::<S>(vm, args.get(1), "a handle")?),
        "serve" => {
            let session = session::<S>(vm, &rt, number::<S>(vm, args.get(1), "a connection")?)?;
            let served = serve(vm, &session, seconds::<S>(vm, args.get(2)));
            S::from_plain(vm, BrineValue::Bool(served))
        }
        other => Err(S::error(
            vm,
            ErrorKind::Value,
            &format!("unknown asynchronous operation {other}"),
        )),
    }
}

/// Serves the session's connection until something has been served (a
/// request of the peer's, a reply) or `limit` has passed (zero: only what
/// has already come; `None`: no limit), and says whether something was,
/// as rpyc's `Connection.serve`. On a thread that is not the connection's
/// worker (one Python code started), the worker serves and this thread
/// only waits out `limit` (at most a second when none is given), and says
/// nothing was served here.
fn serve<S: ObjectSpace>(vm: S::Vm<'_>, session: &Session<S>, limit: Option<Duration>) -> bool {
    if limit == Some(Duration::ZERO) {
        return poll_all::<S>(vm);
    }
    if session.worker().is_current() {
        let deadline = limit.and_then(|limit| Instant::now().checked_add(limit));
        return serve_one::<S>(vm, deadline).unwrap_or(false);
    }
    let limit = limit.unwrap_or(Duration::from_secs(1));
    let waited = wait_for::<S>(vm, session.runtime(), session.worker(), async move {
        tokio::time::sleep(limit).await;
        Ok(Value::NONE)
    });
    drop(waited);
    false
}

fn session<S: ObjectSpace>(
    vm: S::Vm<'_>,
    rt: &Runtime<S>,
    key: u64,
) -> Result<Arc<Session<S>>, S::Error> {
    rt.session(key)
        .ok_or_else(|| S::error(vm, ErrorKind::Eof, "stream has been closed"))
}

/// Sends `handler(*args)`, its reply to be kept as `handle`'s.
fn send<S: ObjectSpace>(
    vm: S::Vm<'_>,
    rt: &Arc<Runtime<S>>,
    handle: u64,
    session: &Arc<Session<S>>,
    handler: Option<&S::Object>,
    args: Option<&S::Object>,
) -> Result<(), S::Error> {
    let handler = match plain::<S>(vm, handler) {
        BrineValue::Int(id) => HandlerId::try_from(id).ok(),
        _ => None,
    }
    .ok_or_else(|| S::error(vm, ErrorKind::Value, "no such request handler"))?;
    if handler == HandlerId::Del {
        // A netref releases its object itself, when Python lets it go.
        return Err(S::error(
            vm,
            ErrorKind::Value,
            "HANDLE_DEL is sent by the netref when it is released",
        ));
    }
    let replies = rt.async_replies().clone();
    let awaited = replies
        .get(handle)
        .ok_or_else(|| S::error(vm, ErrorKind::Value, "no such asynchronous request"))?;
    let connection = session
        .peer()
        .ok_or_else(|| S::error(vm, ErrorKind::Eof, "stream has been closed"))?;
    let args = match args {
        Some(args) => to_value(vm, rt, session, S::clone_ref(vm, args))
            .into_items()
            .unwrap_or_default(),
        None => Vec::new(),
    };
    if !connection.has_room_to_send() {
        // The peer is not reading what it was sent: wait for it, serving
        // meanwhile, rather than queue without end.
        let full = connection.clone();
        let waited = wait_for::<S>(vm, session.runtime(), session.worker(), async move {
            full.room_to_send().await;
            Ok(Value::NONE)
        });
        drop(waited);
    }
    *awaited.lock() = Some(Reply::Awaited(connection.request_async(handler, args)));
    let worker = session.worker().clone();
    session.runtime().spawn(async move {
        let settled_here = awaited.settle().await;
        awaited.arrived.send_replace(true);
        if !settled_here {
            return;
        }
        // The worker hands the reply over and runs the callbacks; if it has
        // gone, nobody will take the reply.
        let delivered = worker.send(Box::new(move |vm| {
            if let Ok(rt) = Runtime::<S>::get(vm) {
                if let Ok(handle) = S::from_plain(vm, BrineValue::Int(handle as i64)) {
                    let _ = rt.call(vm, "async_arrived", vec![handle]);
                }
            }
        }));
        if !delivered {
            replies.remove(handle);
        }
    });
    Ok(())
}

/// Waits at most `limit` (`None`: no limit) for the reply of `handle`,
/// serving its connection meanwhile; true once it has come (or was taken).
/// A zero `limit` serves only what has already come (rpyc's `poll_all`).
fn wait<S: ObjectSpace>(
    vm: S::Vm<'_>,
    rt: &Runtime<S>,
    handle: u64,
    limit: Option<Duration>,
) -> bool {
    let Some(awaited) = rt.async_replies().get(handle) else {
        return true;
    };
    if awaited.settled() {
        return true;
    }
    if limit == Some(Duration::ZERO) {
        poll_all::<S>(vm);
        return awaited.settled();
    }
    let Some(session) = rt.session(awaited.session) else {
        // The connection has gone: its reply (an EOFError) is on its way.
        return awaited.settled();
    };
    // On the connection's own worker, the reply is a frame this thread
    // reads or a job posted to it: serve until it is in.
    if session.worker().is_current() {
        let deadline = limit.and_then(|limit| Instant::now().checked_add(limit));
        return serve_until::<S>(vm, || awaited.settled(), deadline).unwrap_or(false);
    }
    let mut arrived = awaited.arrived.subscribe();
    let waited = wait_for::<S>(vm, session.runtime(), session.worker(), async move {
        let came = async {
            let _ = arrived.wait_for(|came| *came).await;
        };
        match limit {
            Some(limit) => {
                let _ = tokio::time::timeout(limit, came).await;
            }
            None => came.await,
        }
        Ok(Value::NONE)
    });
    drop(waited);
    awaited.settled()
}

/// The reply of `handle` as `(is_exception, value)`, once: None until it
/// has come, and after it was taken.
fn take<S: ObjectSpace>(
    vm: S::Vm<'_>,
    rt: &Arc<Runtime<S>>,
    handle: u64,
) -> Result<S::Object, S::Error> {
    let replies = rt.async_replies();
    let Some(awaited) = replies.get(handle) else {
        return Ok(S::none(vm));
    };
    let Some(reply) = awaited.take() else {
        return Ok(S::none(vm));
    };
    replies.remove(handle);
    let session = rt.session(awaited.session);
    let (is_exception, value) = match (reply, session) {
        (Ok(value), Some(session)) => (false, to_python(vm, rt, &session, value)?),
        (Ok(_), None) => {
            let gone = S::error(vm, ErrorKind::Eof, "stream has been closed");
            (true, S::exception(vm, &gone))
        }
        (Err(remote), _) => (
            true,
            S::exception(vm, &to_python_exception(vm, rt, &remote)),
        ),
    };
    let flag = S::from_plain(vm, BrineValue::Bool(is_exception))?;
    Ok(S::new_tuple(vm, vec![flag, value]))
}
