//! Calls into the peer that the worker sends and waits for itself.
//!
//! Python code calling the peer (a callback, a netref's attribute) blocks
//! its worker until the reply. [`wait_for`](crate::worker::wait_for)
//! works from any thread: a task on the runtime sends the request and
//! hands the reply back, which costs two wake-ups across threads per call.
//! When the worker itself reads the connection (a classic client's own
//! connection, nearly always), rpyc's way is cheaper: the worker writes
//! the request, then reads the socket until its reply is in, serving what
//! else comes meanwhile (the peer's nested requests, other jobs), as
//! `wait_for` does. [`request_here`] does that, and declines (giving the
//! arguments back) whenever the general path must take the call: another
//! thread, a connection read elsewhere, a full output queue, releases
//! waiting for their answers.

use crate::session::Session;
use crate::space::ObjectSpace;
use crate::worker::serve_until;
use oxrpc_rpyc::{Connection, Error, HandlerId, Value};
use std::cell::RefCell;
use std::time::Instant;

/// Sends `handler(*args)` on `connection` (the session's peer) and waits
/// for the reply on this thread, within the connection's
/// `sync_request_timeout`; `Err(args)` when the call must go the general
/// way (see the module docs).
pub(crate) fn request_here<S: ObjectSpace>(
    vm: S::Vm<'_>,
    session: &Session<S>,
    connection: &Connection,
    handler: HandlerId,
    args: Vec<Value>,
) -> Result<Result<Value, Error>, Vec<Value>> {
    let worker = session.worker();
    if !worker.is_current()
        || !worker.reads(connection)
        || !connection.has_room_to_send()
        || connection.releases_unanswered()
    {
        return Err(args);
    }
    let _span = connection.outgoing_span(handler).entered();
    let limit = connection.sync_request_timeout();
    let reply = RefCell::new(connection.request_async(handler, args));
    let result = RefCell::new(None);
    let came = || {
        if result.borrow().is_some() {
            return true;
        }
        match reply.borrow_mut().try_take() {
            Some(got) => {
                *result.borrow_mut() = Some(got);
                true
            }
            None => false,
        }
    };
    serve_until::<S>(vm, came, Instant::now().checked_add(limit));
    // Dropped unanswered, the reply leaves the connection's table.
    drop(reply);
    Ok(result.into_inner().unwrap_or(Err(Error::Timeout(limit))))
}
