//! Python objects to and from protocol values (rpyc's boxing, seen from
//! the interpreter).
//!
//! What brine can carry crosses by value: exactly the types rpyc's
//! `brine.dumpable` accepts (checked by exact type, so subclasses such as an
//! `IntEnum` or a numpy scalar go by reference, as in rpyc). Everything else
//! becomes a [`PythonObject`] the peer reaches by reference, and the peer's
//! objects appear inside Python as `Netref` proxies.

use crate::faces::{own_object, python_face};
use crate::object::PythonObject;
use crate::runtime::{ProxyEntry, Runtime};
use crate::session::Session;
use crate::space::{ErrorKind, Kind, ObjectSpace};
use oxrpc_rpyc::{tuple, BrineValue, RemoteException, Value};
use std::sync::Arc;

/// How deep a value may nest when it is converted to be sent: about where
/// rpyc's own recursive `brine.dump` gives up (near 330 levels, which
/// drops rpyc_classic's connection; here the reply is a `RecursionError`).
pub(crate) const MAX_DEPTH: usize = 320;

/// A plain value, whole, when brine can carry all of it: frozensets and
/// slices holding tuples or other frozensets included.
pub(crate) fn deep_brine<S: ObjectSpace>(
    vm: S::Vm<'_>,
    rt: &Runtime<S>,
    obj: &S::Object,
    depth: usize,
) -> Option<BrineValue> {
    let kind = S::kind(vm, obj);
    if let Kind::Plain(v) = kind {
        return Some(v);
    }
    if depth >= MAX_DEPTH {
        return None;
    }
    match kind {
        Kind::Tuple(items) => items
            .iter()
            .map(|item| deep_brine(vm, rt, item, depth + 1))
            .collect::<Option<Vec<_>>>()
            .map(BrineValue::Tuple),
        Kind::FrozenSet | Kind::Slice => {
            let parts = rt
                .call(vm, "plain_parts", vec![S::clone_ref(vm, obj)])
                .ok()?;
            let Kind::Tuple(parts) = S::kind(vm, &parts) else {
                return None;
            };
            let mut parts: Vec<BrineValue> = parts
                .iter()
                .map(|p| deep_brine(vm, rt, p, depth + 1))
                .collect::<Option<_>>()?;
            if matches!(kind, Kind::FrozenSet) {
                return Some(BrineValue::FrozenSet(parts));
            }
            let step = parts.pop()?;
            let stop = parts.pop()?;
            let start = parts.pop()?;
            Some(BrineValue::Slice(
                Box::new(start),
                Box::new(stop),
                Box::new(step),
            ))
        }
        Kind::Plain(_) | Kind::Other => None,
    }
}

/// Converts a Python object to a value to send. Structures nested past
/// [`MAX_DEPTH`] cross by reference from there on (see [`try_to_value`]
/// for a reply, where rpyc answers `RecursionError` instead).
pub(crate) fn to_value<S: ObjectSpace>(
    vm: S::Vm<'_>,
    rt: &Runtime<S>,
    session: &Arc<Session<S>>,
    obj: S::Object,
) -> Value {
    convert(vm, rt, session, obj, 0)
        .unwrap_or_else(|obj| Value::Object(Arc::new(PythonObject::new(vm, rt, session, obj))))
}

/// Converts the result of a request to send it; a structure nested past
/// [`MAX_DEPTH`] is the `RecursionError` rpyc's `brine.dump` would raise.
pub(crate) fn try_to_value<S: ObjectSpace>(
    vm: S::Vm<'_>,
    rt: &Runtime<S>,
    session: &Arc<Session<S>>,
    obj: S::Object,
) -> Result<Value, RemoteException> {
    convert(vm, rt, session, obj, 0).map_err(|_| {
        RemoteException::recursion_error(
            "maximum recursion depth exceeded while encoding an object",
        )
    })
}

/// The conversion; `Err` hands back the object at which it went too deep.
fn convert<S: ObjectSpace>(
    vm: S::Vm<'_>,
    rt: &Runtime<S>,
    session: &Arc<Session<S>>,
    obj: S::Object,
    depth: usize,
) -> Result<Value, S::Object> {
    let kind = S::kind(vm, &obj);
    if let Kind::Plain(v) = kind {
        return Ok(Value::Brine(v));
    }
    if depth >= MAX_DEPTH {
        return Err(obj);
    }
    match kind {
        Kind::Tuple(items) => {
            let values = items
                .into_iter()
                .map(|item| convert(vm, rt, session, item, depth + 1))
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(tuple(values));
        }
        // Plain when every element is; otherwise by reference.
        Kind::FrozenSet | Kind::Slice => {
            if let Some(plain) = deep_brine(vm, rt, &obj, depth) {
                return Ok(Value::Brine(plain));
            }
        }
        // The peer's own object goes back as its reference. A netref to
        // another connection's object (one Python code opened, or the
        // client's, sent on to that connection) is an object of this
        // side, as rpyc boxes it: every operation on it goes through the
        // netref, as Python code's would.
        Kind::Plain(_) | Kind::Other => {
            if let Some(entry) = rt.netref_id(vm, &obj).and_then(|id| rt.proxy(id)) {
                if std::ptr::eq(entry.session.as_ptr(), Arc::as_ptr(session)) {
                    return Ok(Value::Proxy(entry.proxy));
                }
            }
            // The face of the connection's root or connection goes as
            // the object it stands for.
            if let Some(own) = own_object(vm, session, &obj) {
                return Ok(own);
            }
        }
    }
    Ok(Value::Object(Arc::new(PythonObject::new(
        vm, rt, session, obj,
    ))))
}

/// Converts a received value to a Python object.
pub(crate) fn to_python<S: ObjectSpace>(
    vm: S::Vm<'_>,
    rt: &Runtime<S>,
    session: &Arc<Session<S>>,
    value: Value,
) -> Result<S::Object, S::Error> {
    match value {
        Value::Brine(b) => from_brine(vm, rt, b),
        Value::Tuple(items) => {
            let items = items
                .into_iter()
                .map(|i| to_python(vm, rt, session, i))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(S::new_tuple(vm, items))
        }
        Value::Object(object) => match object
            .as_any()
            .and_then(|a| a.downcast_ref::<PythonObject<S>>())
        {
            Some(python) => python
                .object()
                .map(|o| S::clone_ref(vm, o))
                .ok_or_else(|| S::error(vm, ErrorKind::Runtime, "the object was released")),
            // The connection's root, its connection and their methods.
            None => python_face(vm, rt, session, &object)?.ok_or_else(|| {
                S::error(
                    vm,
                    ErrorKind::Type,
                    &format!(
                        "a {} object of this server cannot enter the interpreter",
                        object.type_name()
                    ),
                )
            }),
        },
        Value::Proxy(proxy) => rt.new_netref(
            vm,
            ProxyEntry {
                proxy,
                session: Arc::downgrade(session),
                runtime: session.runtime().clone(),
            },
        ),
    }
}

pub(crate) fn from_brine<S: ObjectSpace>(
    vm: S::Vm<'_>,
    rt: &Runtime<S>,
    value: BrineValue,
) -> Result<S::Object, S::Error> {
    let each = |items: Vec<BrineValue>| {
        items
            .into_iter()
            .map(|i| from_brine(vm, rt, i))
            .collect::<Result<Vec<_>, _>>()
    };
    match value {
        BrineValue::BigInt(i) => {
            let text = S::from_plain(vm, BrineValue::Str(i.to_string()))?;
            rt.call(vm, "int_of", vec![text])
        }
        BrineValue::Complex(re, im) => {
            let re = S::from_plain(vm, BrineValue::Float(re))?;
            let im = S::from_plain(vm, BrineValue::Float(im))?;
            rt.call(vm, "complex_of", vec![re, im])
        }
        BrineValue::Tuple(items) => Ok(S::new_tuple(vm, each(items)?)),
        BrineValue::FrozenSet(items) => {
            let items = S::new_tuple(vm, each(items)?);
            rt.call(vm, "frozenset_of", vec![items])
        }
        BrineValue::Slice(a, b, c) => rt.call(vm, "slice_of", each(vec![*a, *b, *c])?),
        scalar => S::from_plain(vm, scalar),
    }
}
