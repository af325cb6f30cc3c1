//! Reading a request's arguments, typed, with rpyc's errors.
//!
//! rpyc calls `Connection._handle_<name>(self, *args)`, so a request with
//! the wrong number of arguments gets the `TypeError` CPython raises for
//! that function (`Connection._handle_getattr() takes 3 positional
//! arguments but 4 were given`), and a handler that wants an object, a
//! name or a count gets Python's error for anything else. [`Args::bind`]
//! checks the count against the handler's signature; the typed readers
//! then take the arguments in order.

use super::object::ObjectRef;
use super::proxy::ForwardedProxy;
use super::value::Value;
use crate::wire::boxing::IdPack;
use crate::wire::brine::BrineValue;
use crate::wire::message::HandlerId;
use crate::wire::vinegar::RemoteException;
use oxrpc_pyfmt::Signature;

/// The parameters of rpyc's `Connection._handle_*` methods (after `self`)
/// and how many of them are required.
fn signature(handler: HandlerId) -> Signature<'static> {
    let (qualname, params, required): (&str, &[&str], usize) = match handler {
        HandlerId::Ping => ("Connection._handle_ping", &["data"], 1),
        HandlerId::Close => ("Connection._handle_close", &[], 0),
        HandlerId::GetRoot => ("Connection._handle_getroot", &[], 0),
        HandlerId::GetAttr => ("Connection._handle_getattr", &["obj", "name"], 2),
        HandlerId::DelAttr => ("Connection._handle_delattr", &["obj", "name"], 2),
        HandlerId::SetAttr => ("Connection._handle_setattr", &["obj", "name", "value"], 3),
        HandlerId::Call => ("Connection._handle_call", &["obj", "args", "kwargs"], 2),
        HandlerId::CallAttr => (
            "Connection._handle_callattr",
            &["obj", "name", "args", "kwargs"],
            3,
        ),
        HandlerId::Repr => ("Connection._handle_repr", &["obj"], 1),
        HandlerId::Str => ("Connection._handle_str", &["obj"], 1),
        HandlerId::Cmp => ("Connection._handle_cmp", &["obj", "other", "op"], 2),
        HandlerId::Hash => ("Connection._handle_hash", &["obj"], 1),
        HandlerId::Dir => ("Connection._handle_dir", &["obj"], 1),
        HandlerId::Pickle => ("Connection._handle_pickle", &["obj", "proto"], 2),
        HandlerId::Del => ("Connection._handle_del", &["obj", "count"], 1),
        HandlerId::Inspect => ("Connection._handle_inspect", &["id_pack"], 1),
        HandlerId::BuffIter => ("Connection._handle_buffiter", &["obj", "count"], 2),
        HandlerId::OldSlicing => (
            "Connection._handle_oldslicing",
            &["obj", "attempt", "fallback", "start", "stop", "args"],
            6,
        ),
        HandlerId::CtxExit => ("Connection._handle_ctxexit", &["obj", "exc"], 2),
        HandlerId::InstanceCheck => (
            "Connection._handle_instancecheck",
            &["obj", "other_id_pack"],
            2,
        ),
    };
    Signature::method(qualname, params).with_required(required)
}

/// Whether `given` arguments (the target object first) fit rpyc's
/// `Connection._handle_*` for `handler`; if not, the `TypeError` rpyc's
/// handler raises. For objects that take over their own dispatch
/// ([`crate::RpcObject::takes_over_dispatch`]).
///
/// ```
/// use oxrpc_rpyc::{check_handler_arguments, HandlerId};
///
/// assert!(check_handler_arguments(HandlerId::GetAttr, 2).is_ok());
/// let error = check_handler_arguments(HandlerId::GetAttr, 3).unwrap_err();
/// assert_eq!(error.name, "TypeError");
/// ```
///
/// The dispatcher checks `HANDLE_DEL` with it too, whose arguments are
/// read before unboxing.
pub fn check_handler_arguments(handler: HandlerId, given: usize) -> Result<(), RemoteException> {
    signature(handler)
        .bind(vec![(); given], Vec::new())
        .map(drop)
        .map_err(RemoteException::type_error)
}

/// A request's arguments, bound to its handler's parameters.
pub(crate) struct Args {
    slots: std::vec::IntoIter<Option<Value>>,
}

impl Args {
    /// Binds `args` to `handler`'s parameters, or the `TypeError` rpyc's
    /// handler would raise for their count.
    pub(crate) fn bind(handler: HandlerId, args: Vec<Value>) -> Result<Args, RemoteException> {
        let slots = signature(handler)
            .bind(args, Vec::new())
            .map_err(RemoteException::type_error)?;
        Ok(Args {
            slots: slots.into_iter(),
        })
    }

    /// The next argument; `None` (Python's) for an optional one left out.
    pub(crate) fn value(&mut self) -> Value {
        self.slots.next().flatten().unwrap_or(Value::NONE)
    }

    /// The next argument, if the peer sent it.
    pub(crate) fn optional(&mut self) -> Option<Value> {
        self.slots.next().flatten()
    }

    /// The next argument as one of our objects.
    pub(crate) fn object(&mut self) -> Result<ObjectRef, RemoteException> {
        match self.value() {
            Value::Object(object) => Ok(object),
            // One of the peer's own objects, sent back to it as the target:
            // the operation goes to the peer, as rpyc's netref would send it.
            Value::Proxy(proxy) => Ok(std::sync::Arc::new(ForwardedProxy::new(proxy))),
            other => Err(RemoteException::type_error(format!(
                "expected one of this side's objects, got {}",
                other.python_type()
            ))),
        }
    }

    /// The next argument as an attribute name: a str, or bytes as UTF-8
    /// (rpyc's `_access_attr`).
    pub(crate) fn name(&mut self) -> Result<String, RemoteException> {
        name_of(self.value())
    }

    /// The next argument as a positional-argument tuple (`*args`).
    pub(crate) fn positional(&mut self) -> Result<Vec<Value>, RemoteException> {
        positional_items(self.value())
    }

    /// The next argument as an id pack (`HANDLE_INSPECT`,
    /// `HANDLE_INSTANCECHECK`).
    pub(crate) fn id_pack(&mut self) -> Result<IdPack, RemoteException> {
        // rpyc looks the value up among its objects: what is not an id pack
        // of ours is a KeyError naming it.
        match self.value() {
            Value::Brine(v) => IdPack::from_local_ref(v).map_err(RemoteException::key_error),
            other => Err(RemoteException::key_error(other.python_type())),
        }
    }

    /// The next argument as the id pack of a class the peer asks about
    /// (`HANDLE_INSTANCECHECK`), indexed as rpyc indexes it.
    pub(crate) fn class_id_pack(&mut self) -> Result<IdPack, RemoteException> {
        match self.value() {
            Value::Brine(v) => IdPack::from_remote_ref(v).map_err(|e| e.to_python()),
            other => Err(RemoteException::type_error(format!(
                "'{}' object is not subscriptable",
                other.python_type()
            ))),
        }
    }

    /// The next argument as an item count (`HANDLE_BUFFITER`); negative
    /// counts take nothing, as `islice` would refuse them.
    pub(crate) fn count(&mut self) -> Result<usize, RemoteException> {
        match self.value() {
            Value::Brine(BrineValue::Int(c)) => Ok(usize::try_from(c).unwrap_or(0)),
            Value::Brine(BrineValue::BigInt(c)) => Ok(usize::try_from(c).unwrap_or(usize::MAX)),
            _ => Err(RemoteException::value_error(
                "Stop argument for islice() must be None or an integer: 0 <= x <= sys.maxsize.",
            )),
        }
    }
}

/// An attribute name: a str, or bytes as UTF-8 (rpyc's `_access_attr`).
pub(crate) fn name_of(value: Value) -> Result<String, RemoteException> {
    match value {
        Value::Brine(BrineValue::Str(s)) => Ok(s),
        Value::Brine(BrineValue::Bytes(b)) => String::from_utf8(b).map_err(|e| {
            RemoteException::builtin(
                crate::wire::Builtin::UnicodeDecodeError,
                format!(
                    "'utf-8' codec can't decode byte at position {}: invalid utf-8",
                    e.utf8_error().valid_up_to()
                ),
            )
        }),
        _ => Err(RemoteException::type_error("name must be a string")),
    }
}

/// A positional-argument tuple (`*args`), sent by value.
pub(crate) fn positional_items(value: Value) -> Result<Vec<Value>, RemoteException> {
    value.into_iterable_items().map_err(|value| {
        RemoteException::type_error(format!(
            "argument after * must be an iterable, not {}",
            value.python_type()
        ))
    })
}

/// `(name, value)` keyword pairs (`**dict(kwargs)`), sent by value.
pub(crate) fn keyword_pairs(value: Value) -> Result<Vec<(String, Value)>, RemoteException> {
    let pairs = value.into_iterable_items().map_err(|value| {
        RemoteException::type_error(format!("'{}' object is not iterable", value.python_type()))
    })?;
    pairs
        .into_iter()
        .enumerate()
        .map(|(i, pair)| {
            let items = pair.into_iterable_items().map_err(|_| {
                RemoteException::type_error(format!(
                    "cannot convert dictionary update sequence element #{i} to a sequence"
                ))
            })?;
            let [key, value]: [Value; 2] = items.try_into().map_err(|items: Vec<Value>| {
                RemoteException::value_error(format!(
                    "dictionary update sequence element #{i} has length {}; 2 is required",
                    items.len()
                ))
            })?;
            match key {
                Value::Brine(BrineValue::Str(key)) => Ok((key, value)),
                _ => Err(RemoteException::type_error("keywords must be strings")),
            }
        })
        .collect()
}
