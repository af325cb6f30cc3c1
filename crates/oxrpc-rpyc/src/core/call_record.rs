//! One request's entry in the server's telemetry.
//!
//! A request can be answered in three places: at once, by a spawned task
//! (async handlers), or by a [`Responder`](super::object::Responder) on
//! another thread (classic mode's interpreter). The record travels with
//! the request's [`Context`](super::object::Context), and whichever sends
//! the answer finishes it with the outcome (`ok` or the exception's class);
//! one dropped unanswered counts as cancelled.

use super::object::RpcResult;
use super::value::Value;
use crate::wire::message::HandlerId;
use oxrpc_net::telemetry::{CallTimer, ConnectionTelemetry};
use std::sync::Mutex;

/// A call being timed.
pub(crate) struct CallRecord(Mutex<Option<CallTimer>>);

impl CallRecord {
    /// Starts timing `handler` on `args` (the unboxed arguments).
    pub(crate) fn start(
        telemetry: &ConnectionTelemetry,
        handler: HandlerId,
        args: &[Value],
    ) -> CallRecord {
        CallRecord(Mutex::new(Some(
            telemetry.call(&method_label(handler, args)),
        )))
    }

    /// Records the outcome of `result`.
    pub(crate) fn finish(&self, result: &RpcResult) {
        let timer = self.0.lock().ok().and_then(|mut t| t.take());
        if let Some(timer) = timer {
            match result {
                Ok(_) => timer.finish("ok"),
                Err(exc) => timer.finish(&exc.name),
            }
        }
    }
}

/// What a request is counted as: the handler, and the attribute or method
/// it names (`callattr get_answer`, `call get_answer`, `getattr ...`).
pub(crate) fn method_label(handler: HandlerId, args: &[Value]) -> String {
    let handler_name = handler.const_name();
    let short = handler_name
        .strip_prefix("HANDLE_")
        .unwrap_or(handler_name)
        .to_ascii_lowercase();
    let named = match handler {
        HandlerId::GetAttr | HandlerId::SetAttr | HandlerId::DelAttr | HandlerId::CallAttr => {
            match args.get(1) {
                Some(Value::Brine(crate::wire::brine::BrineValue::Str(name))) => Some(name.clone()),
                _ => None,
            }
        }
        HandlerId::Call => match args.first() {
            Some(Value::Object(object)) => Some(object.label()),
            _ => None,
        },
        _ => None,
    };
    match named {
        Some(name) => format!("{short} {name}"),
        None => short,
    }
}
