//! The twenty request handlers, as rpyc's `Connection._handle_*` define them.
//!
//! Arguments arrive unboxed; the object an operation is about is the first
//! one. Wrong shapes get the `TypeError` Python would raise, unknown objects
//! a `KeyError`, so a confused or hostile peer gets an exception reply and
//! the connection goes on.

use crate::boxing::{Boxed, IdPack};
use crate::brine::BrineValue;
use crate::connection::Connection;
use crate::message::Handler;
use crate::object::{CompareOp, Context, ObjectRef, Reply, RpcResult};
use crate::value::{tuple, Value};
use crate::vinegar::RemoteException;

fn arity_error(handler: Handler, given: usize) -> RemoteException {
    RemoteException::builtin(
        "TypeError",
        format!(
            "{} got {given} arguments, which is not what the protocol defines",
            handler.const_name()
        ),
    )
}

fn object(value: &Value) -> Result<ObjectRef, RemoteException> {
    match value {
        Value::Object(object) => Ok(object.clone()),
        other => Err(RemoteException::builtin(
            "TypeError",
            format!(
                "expected one of this side's objects, got {}",
                other.python_type()
            ),
        )),
    }
}

fn name(value: &Value) -> Result<String, RemoteException> {
    match value {
        Value::Brine(BrineValue::Str(s)) => Ok(s.clone()),
        Value::Brine(BrineValue::Bytes(b)) => String::from_utf8(b.clone())
            .map_err(|_| RemoteException::builtin("TypeError", "name must be a string")),
        _ => Err(RemoteException::builtin(
            "TypeError",
            "name must be a string",
        )),
    }
}

fn positional(value: Value) -> Result<Vec<Value>, RemoteException> {
    value
        .into_items()
        .ok_or_else(|| RemoteException::builtin("TypeError", "arguments must be a tuple"))
}

fn keywords(value: Option<Value>) -> Result<Vec<(String, Value)>, RemoteException> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    positional(value)?
        .into_iter()
        .map(|pair| {
            let mut items = positional(pair)?;
            if items.len() != 2 {
                return Err(RemoteException::builtin(
                    "TypeError",
                    "kwargs must be (name, value) pairs",
                ));
            }
            let value = items.pop().unwrap_or(Value::NONE);
            Ok((name(&items[0])?, value))
        })
        .collect()
}

/// Python's `repr()` of a plain value (for `HANDLE_REPR` on one).
fn brine_repr(value: &BrineValue) -> String {
    value.to_string()
}

fn done(result: Result<Reply, RemoteException>) -> Reply {
    result.unwrap_or_else(Reply::error)
}

/// Runs `handler` on `args`.
pub(crate) fn dispatch(cx: &Context, handler: Handler, args: Vec<Value>) -> Reply {
    if let Some(Value::Object(object)) = args.first() {
        if object.takes_over_dispatch() && handler != Handler::Ping {
            return object.clone().dispatch(cx, handler, args);
        }
    }
    let n = args.len();
    let mut args = args.into_iter();
    let mut next = || args.next().unwrap_or(Value::NONE);
    match handler {
        Handler::Ping if n == 1 => Reply::Ready(Ok(next())),
        Handler::GetRoot if n == 0 => {
            let root: ObjectRef = cx.connection.local_root().clone();
            Reply::Ready(Ok(Value::Object(root)))
        }
        Handler::GetAttr if n == 2 => {
            let (obj, attr) = (next(), next());
            done(object(&obj).and_then(|o| Ok(o.getattr(cx, &name(&attr)?))))
        }
        Handler::SetAttr if n == 3 => {
            let (obj, attr, value) = (next(), next(), next());
            done(object(&obj).and_then(|o| Ok(o.setattr(cx, &name(&attr)?, value))))
        }
        Handler::DelAttr if n == 2 => {
            let (obj, attr) = (next(), next());
            done(object(&obj).and_then(|o| Ok(o.delattr(cx, &name(&attr)?))))
        }
        Handler::Call if n == 2 || n == 3 => {
            let obj = next();
            let call_args = next();
            let kwargs = if n == 3 { Some(next()) } else { None };
            match obj {
                Value::Proxy(proxy) => {
                    // The peer asks us to call its own object: forward.
                    done((|| {
                        let (a, k) = (positional(call_args)?, keywords(kwargs)?);
                        Ok(Reply::pending(async move { proxy.call_value(a, k).await }))
                    })())
                }
                obj => done(
                    object(&obj)
                        .and_then(|o| Ok(o.call(cx, positional(call_args)?, keywords(kwargs)?))),
                ),
            }
        }
        Handler::CallAttr if n == 3 || n == 4 => {
            let (obj, attr, call_args) = (next(), next(), next());
            let kwargs = if n == 4 { Some(next()) } else { None };
            done(object(&obj).and_then(|o| {
                Ok(o.callattr(cx, &name(&attr)?, positional(call_args)?, keywords(kwargs)?))
            }))
        }
        Handler::Repr if n == 1 => match next() {
            Value::Object(o) => Reply::value(o.repr()),
            Value::Brine(v) => Reply::value(brine_repr(&v)),
            other => Reply::value(format!("{other:?}")),
        },
        Handler::Str if n == 1 => match next() {
            Value::Object(o) => Reply::value(o.str()),
            Value::Brine(BrineValue::Str(s)) => Reply::value(s),
            Value::Brine(v) => Reply::value(brine_repr(&v)),
            other => Reply::value(format!("{other:?}")),
        },
        Handler::Hash if n == 1 => done(object(&next()).and_then(|o| o.hash().map(Reply::value))),
        Handler::Cmp if n == 2 || n == 3 => {
            let (obj, other) = (next(), next());
            let op = if n == 3 {
                name(&next())
            } else {
                Ok("__cmp__".to_owned())
            };
            done((|| {
                let op = op?;
                let op = CompareOp::from_dunder(&op).ok_or_else(|| {
                    RemoteException::builtin("AttributeError", format!("cannot access '{op}'"))
                })?;
                Ok(Reply::Ready(object(&obj)?.compare(&other, op)))
            })())
        }
        Handler::Dir if n == 1 => done(object(&next()).map(|o| {
            let names: Vec<Value> = o.dir().into_iter().map(Value::string).collect();
            Reply::Ready(Ok(tuple(names)))
        })),
        Handler::Pickle => Reply::error(RemoteException::builtin(
            "ValueError",
            "pickling is disabled",
        )),
        Handler::Inspect if n == 1 => done((|| {
            let id_pack = match next() {
                Value::Brine(v) => IdPack::from_brine(v)
                    .map_err(|e| RemoteException::builtin("ValueError", e.to_string()))?,
                _ => return Err(RemoteException::builtin("TypeError", "expected an id pack")),
            };
            let object = cx.connection.local_object(&id_pack)?;
            if object.takes_over_dispatch() {
                return Ok(object.clone().dispatch(
                    cx,
                    Handler::Inspect,
                    vec![Value::Object(object)],
                ));
            }
            let methods: Vec<Value> = object
                .methods()
                .into_iter()
                .map(|(name, doc)| tuple(vec![Value::string(name), Value::string(doc)]))
                .collect();
            Ok(Reply::Ready(Ok(tuple(methods))))
        })()),
        Handler::BuffIter if n == 2 => {
            let (obj, count) = (next(), next());
            done((|| {
                let count = match count {
                    Value::Brine(BrineValue::Int(c)) => {
                        usize::try_from(c).unwrap_or(0).min(1 << 16)
                    }
                    _ => {
                        return Err(RemoteException::builtin(
                            "TypeError",
                            "count must be an int",
                        ))
                    }
                };
                Ok(object(&obj)?.next_items(cx, count))
            })())
        }
        Handler::OldSlicing if n == 6 => {
            let (obj, attempt, _fallback, start, stop, extra) =
                (next(), next(), next(), next(), next(), next());
            done((|| {
                let slice = match (start, stop) {
                    (Value::Brine(a), Value::Brine(b)) => Value::Brine(BrineValue::Slice(
                        Box::new(a),
                        Box::new(b),
                        Box::new(BrineValue::None),
                    )),
                    _ => {
                        return Err(RemoteException::builtin(
                            "TypeError",
                            "slice bounds must be plain values",
                        ))
                    }
                };
                let mut call_args = vec![slice];
                call_args.extend(positional(extra)?);
                Ok(object(&obj)?.callattr(cx, &name(&attempt)?, call_args, Vec::new()))
            })())
        }
        Handler::CtxExit if n == 2 => {
            let (obj, exc) = (next(), next());
            done(object(&obj).map(|o| o.ctx_exit(cx, exc)))
        }
        Handler::InstanceCheck if n == 2 => {
            let (obj, other) = (next(), next());
            done((|| {
                let id_pack = match other {
                    Value::Brine(v) => IdPack::from_brine(v)
                        .map_err(|e| RemoteException::builtin("ValueError", e.to_string()))?,
                    _ => return Err(RemoteException::builtin("TypeError", "expected an id pack")),
                };
                Ok(Reply::value(object(&obj)?.instance_check(&id_pack)))
            })())
        }
        // CLOSE and DEL are handled by the connection before unboxing.
        Handler::Close | Handler::Del => Reply::Ready(Ok(Value::NONE)),
        other => Reply::error(arity_error(other, n)),
    }
}

/// `HANDLE_DEL(obj, count)`: the peer released `count` references.
pub(crate) fn release(connection: &Connection, args: Boxed) -> RpcResult {
    let items = args
        .into_items()
        .map_err(|e| RemoteException::builtin("TypeError", e.to_string()))?;
    let mut items = items.into_iter();
    let id_pack = match items.next() {
        Some(Boxed::LocalRef(id_pack)) => id_pack,
        _ => {
            return Err(RemoteException::builtin(
                "TypeError",
                "HANDLE_DEL expects one of our objects",
            ))
        }
    };
    let count = match items.next() {
        None => 1,
        Some(Boxed::Value(BrineValue::Int(c))) => u64::try_from(c).unwrap_or(0),
        Some(_) => {
            return Err(RemoteException::builtin(
                "TypeError",
                "count must be an int",
            ))
        }
    };
    connection.release_local(&id_pack, count);
    Ok(Value::NONE)
}

impl Value {
    /// A `str` value.
    pub fn string(text: impl Into<String>) -> Value {
        Value::Brine(BrineValue::Str(text.into()))
    }
}
