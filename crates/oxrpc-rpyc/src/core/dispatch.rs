//! The twenty request handlers, as rpyc's `Connection._handle_*` define
//! them: one function each, fed by a typed argument reader.
//!
//! Arguments arrive unboxed; the object an operation is about is the first
//! one. A wrong count or shape gets the `TypeError` Python would raise,
//! an unknown object a `KeyError`, so a confused or hostile peer gets an
//! exception reply and the connection goes on. `HANDLE_CLOSE` and
//! `HANDLE_DEL` are served by the connection itself, before unboxing.

use super::args::{check_handler_arguments, keyword_pairs, name_of, positional_items, Args};
use super::connection::Connection;
use super::object::{CompareOp, Context, ObjectRef, Reply, RpcResult};
use super::value::{tuple, Value};
use crate::wire::boxing::Boxed;
use crate::wire::brine::BrineValue;
use crate::wire::message::HandlerId;
use crate::wire::vinegar::RemoteException;

type Handled = Result<Reply, RemoteException>;

/// Runs `handler` on `args`.
pub(crate) fn dispatch(cx: &Context, handler: HandlerId, args: Vec<Value>) -> Reply {
    match args.first() {
        Some(Value::Object(object))
            if object.takes_over_dispatch() && handler != HandlerId::Ping =>
        {
            return object.clone().dispatch(cx, handler, args);
        }
        // One of the peer's own objects as the target of an operation
        // Python carries out through the netref's own method, which asks
        // the peer (`hash(netref)`, `dir(netref)`, iterating it): the peer
        // answers, as it would an rpyc server.
        Some(Value::Proxy(proxy)) if answered_by_owner(handler) => {
            let connection = proxy.connection().clone();
            // rpyc "keeps unwrapping" an instance check on a netref: it
            // asks the owner to inspect the other id pack, and answers
            // with what the owner says.
            let (handler, args) = match handler {
                HandlerId::InstanceCheck => {
                    (HandlerId::Inspect, args.into_iter().skip(1).collect())
                }
                _ => (handler, args),
            };
            return Reply::pending(async move { Ok(connection.request(handler, args).await?) });
        }
        // A plain value as the target, for a service that treats it as an
        // object of its own (classic mode's interpreter).
        Some(Value::Brine(_) | Value::Tuple(_))
            if targets_an_object(handler) && cx.connection.local_root().serves_plain_values() =>
        {
            if let Err(e) = check_handler_arguments(handler, args.len()) {
                return Reply::error(e);
            }
            return cx
                .connection
                .local_root()
                .dispatch_on_value(cx, handler, args);
        }
        _ => {}
    }
    let handled = Args::bind(handler, args).and_then(|mut args| {
        let args = &mut args;
        match handler {
            HandlerId::Ping => ping(args),
            HandlerId::GetRoot => getroot(cx),
            HandlerId::GetAttr => getattr(cx, args),
            HandlerId::SetAttr => setattr(cx, args),
            HandlerId::DelAttr => delattr(cx, args),
            HandlerId::Call => call(cx, args),
            HandlerId::CallAttr => callattr(cx, args),
            HandlerId::Repr => repr(args),
            HandlerId::Str => str(args),
            HandlerId::Hash => hash(args),
            HandlerId::Cmp => cmp(args),
            HandlerId::Dir => dir(args),
            HandlerId::Pickle => pickle(),
            HandlerId::Inspect => inspect(cx, args),
            HandlerId::BuffIter => buffiter(cx, args),
            HandlerId::OldSlicing => oldslicing(cx, args),
            HandlerId::CtxExit => ctxexit(cx, args),
            HandlerId::InstanceCheck => instancecheck(args),
            // Served by the connection before unboxing.
            HandlerId::Close | HandlerId::Del => Ok(Reply::value(())),
        }
    });
    handled.unwrap_or_else(Reply::error)
}

/// Whether rpyc's handler, given one of the peer's objects, ends up asking
/// the peer the same question through the netref (its `__hash__`,
/// `__dir__`, `__iter__` and comparison methods; for an instance check,
/// `HANDLE_INSPECT` of the other id pack).
/// Attribute access and calls are not among them: they are checked here
/// first (`ForwardedProxy`).
fn answered_by_owner(handler: HandlerId) -> bool {
    matches!(
        handler,
        HandlerId::Hash
            | HandlerId::Cmp
            | HandlerId::Dir
            | HandlerId::BuffIter
            | HandlerId::InstanceCheck
    )
}

/// Whether `handler`'s first argument is the object it acts on (repr and
/// str of a plain value are answered here, as Python would).
fn targets_an_object(handler: HandlerId) -> bool {
    !matches!(
        handler,
        HandlerId::Ping
            | HandlerId::Close
            | HandlerId::GetRoot
            | HandlerId::Del
            | HandlerId::Inspect
            | HandlerId::Repr
            | HandlerId::Str
            | HandlerId::InstanceCheck
    )
}

/// `HANDLE_PING(data)`: echoes `data`.
fn ping(args: &mut Args) -> Handled {
    Ok(Reply::Ready(Ok(args.value())))
}

/// `HANDLE_GETROOT()`: our service.
fn getroot(cx: &Context) -> Handled {
    let root: ObjectRef = cx.connection.local_root().clone();
    Ok(Reply::Ready(Ok(Value::Object(root))))
}

/// `HANDLE_GETATTR(obj, name)`.
fn getattr(cx: &Context, args: &mut Args) -> Handled {
    let object = args.object()?;
    Ok(object.getattr(cx, &args.name()?))
}

/// `HANDLE_SETATTR(obj, name, value)`.
fn setattr(cx: &Context, args: &mut Args) -> Handled {
    let (object, name) = (args.object()?, args.name()?);
    Ok(object.setattr(cx, &name, args.value()))
}

/// `HANDLE_DELATTR(obj, name)`.
fn delattr(cx: &Context, args: &mut Args) -> Handled {
    let object = args.object()?;
    Ok(object.delattr(cx, &args.name()?))
}

/// `HANDLE_CALL(obj, args, kwargs=())`; a proxy of the peer's own sent
/// back to be called is forwarded to it.
fn call(cx: &Context, args: &mut Args) -> Handled {
    let target = args.value();
    let (positional, keywords) = (args.value(), args.optional());
    with_arguments(
        cx,
        positional,
        keywords,
        move |cx, positional, keywords| match target {
            Value::Proxy(proxy) => Ok(Reply::pending(async move {
                Ok(proxy.invoke_value(positional, keywords).await?)
            })),
            Value::Object(object) => Ok(object.call(cx, positional, keywords)),
            other => Err(RemoteException::type_error(format!(
                "'{}' object is not callable",
                other.python_type()
            ))),
        },
    )
}

/// `HANDLE_CALLATTR(obj, name, args, kwargs=())`.
fn callattr(cx: &Context, args: &mut Args) -> Handled {
    let (object, name) = (args.object()?, args.name()?);
    let (positional, keywords) = (args.value(), args.optional());
    with_arguments(cx, positional, keywords, move |cx, positional, keywords| {
        Ok(object.callattr(cx, &name, positional, keywords))
    })
}

/// Runs `act` on `*args` and `**kwargs` unpacked: at once when they came
/// by value, after fetching them from the peer when one came as the
/// peer's own object (a list, a dict: rpyc sends those by reference, and
/// its server iterates them).
fn with_arguments(
    cx: &Context,
    positional: Value,
    keywords: Option<Value>,
    act: impl FnOnce(&Context, Vec<Value>, Vec<(String, Value)>) -> Handled + Send + 'static,
) -> Handled {
    let by_reference =
        matches!(positional, Value::Proxy(_)) || matches!(keywords, Some(Value::Proxy(_)));
    if !by_reference {
        let (positional, keywords) = unpacked_values(positional, keywords)?;
        return act(cx, positional, keywords);
    }
    let cx = cx.clone();
    Ok(Reply::pending(async move {
        let (positional, keywords) = unpacked(positional, keywords).await?;
        act(&cx, positional, keywords)?.resolve().await
    }))
}

/// `*args` and `**kwargs` sent by value.
type Unpacked = (Vec<Value>, Vec<(String, Value)>);

fn unpacked_values(
    positional: Value,
    keywords: Option<Value>,
) -> Result<Unpacked, RemoteException> {
    let positional = positional_items(positional)?;
    let keywords = match keywords {
        Some(keywords) => keyword_pairs(keywords)?,
        None => Vec::new(),
    };
    Ok((positional, keywords))
}

/// `*args` and `**kwargs`, the peer's own objects among them fetched from
/// it item by item, as rpyc iterates them.
async fn unpacked(positional: Value, keywords: Option<Value>) -> Result<Unpacked, RemoteException> {
    let positional = match positional {
        Value::Proxy(proxy) => tuple(proxy.to_vec().await?),
        value => value,
    };
    // rpyc's `dict(kwargs)` iterates a netref (its `keys` is not an
    // attribute a peer may read), so a dict's keys come as the items.
    let keywords = match keywords {
        Some(Value::Proxy(proxy)) => Some(tuple(proxy.to_vec().await?)),
        other => other,
    };
    unpacked_values(positional, keywords)
}

/// `HANDLE_REPR(obj)`.
fn repr(args: &mut Args) -> Handled {
    Ok(match args.value() {
        Value::Object(object) => Reply::value(object.repr()),
        Value::Brine(value) => Reply::value(value.to_string()),
        // One of the peer's own objects: rpyc asks the peer.
        Value::Proxy(proxy) => {
            Reply::pending(async move { Ok(Value::string(proxy.repr().await?)) })
        }
        other => Reply::value(format!("{other:?}")),
    })
}

/// `HANDLE_STR(obj)`.
fn str(args: &mut Args) -> Handled {
    Ok(match args.value() {
        Value::Object(object) => Reply::value(object.str()),
        Value::Brine(BrineValue::Str(text)) => Reply::value(text),
        Value::Brine(value) => Reply::value(value.to_string()),
        Value::Proxy(proxy) => Reply::pending(async move { Ok(Value::string(proxy.str().await?)) }),
        other => Reply::value(format!("{other:?}")),
    })
}

/// `HANDLE_HASH(obj)`.
fn hash(args: &mut Args) -> Handled {
    Ok(Reply::value(args.object()?.hash()?))
}

/// `HANDLE_CMP(obj, other, op='__cmp__')`.
fn cmp(args: &mut Args) -> Handled {
    let (object, other) = (args.object()?, args.value());
    let op = match args.optional() {
        Some(op) => name_of(op)?,
        None => "__cmp__".to_owned(),
    };
    let Some(op) = CompareOp::from_dunder(&op) else {
        // A netref's `__cmp__` sends this; rpyc looks it up on the
        // object's type, which no Python 3 class has.
        if op == "__cmp__" {
            return Err(RemoteException::type_has_no_attribute(
                object.type_name(),
                &op,
            ));
        }
        return Err(RemoteException::cannot_access(&op));
    };
    Ok(Reply::Ready(object.compare(&other, op)))
}

/// `HANDLE_DIR(obj)`.
fn dir(args: &mut Args) -> Handled {
    let names: Vec<Value> = args
        .object()?
        .dir()
        .into_iter()
        .map(Value::string)
        .collect();
    Ok(Reply::Ready(Ok(tuple(names))))
}

/// `HANDLE_PICKLE(obj, proto)`: refused, as rpyc's default `allow_pickle`
/// is off (classic mode's objects take over dispatch and allow it).
fn pickle() -> Handled {
    Err(RemoteException::value_error("pickling is disabled"))
}

/// `HANDLE_INSPECT(id_pack)`: `(name, doc)` of the methods a proxy class
/// for one of our objects should have.
fn inspect(cx: &Context, args: &mut Args) -> Handled {
    let object = cx.connection.local_object(&args.id_pack()?)?;
    if object.takes_over_dispatch() {
        return Ok(object
            .clone()
            .dispatch(cx, HandlerId::Inspect, vec![Value::Object(object)]));
    }
    let methods: Vec<Value> = object
        .methods()
        .into_iter()
        // `inspect.getdoc` gives None for a routine without a docstring.
        .map(|(name, doc)| {
            let doc = if doc.is_empty() {
                Value::NONE
            } else {
                Value::string(doc)
            };
            tuple(vec![Value::string(name), doc])
        })
        .collect();
    Ok(Reply::Ready(Ok(tuple(methods))))
}

/// `HANDLE_BUFFITER(obj, count)`: up to `count` items, at most 65,536 per
/// request.
fn buffiter(cx: &Context, args: &mut Args) -> Handled {
    let object = args.object()?;
    let count = args.count()?.min(1 << 16);
    Ok(object.next_items(cx, count))
}

/// `HANDLE_OLDSLICING(obj, attempt, fallback, start, stop, args)`:
/// `obj.<attempt>(slice(start, stop), *args)`, and when that raises,
/// `obj.<fallback>(start, stop, *args)` with a missing stop as
/// `sys.maxsize` (Python 2's `__getslice__` protocol), whose error is the
/// one the peer sees.
fn oldslicing(cx: &Context, args: &mut Args) -> Handled {
    let (object, attempt, fallback) = (args.object()?, args.name()?, args.value());
    let (Value::Brine(start), Value::Brine(stop)) = (args.value(), args.value()) else {
        return Err(RemoteException::type_error(
            "slice bounds must be plain values",
        ));
    };
    let rest = args.positional()?;
    let slice = Value::Brine(BrineValue::Slice(
        Box::new(start.clone()),
        Box::new(stop.clone()),
        Box::new(BrineValue::None),
    ));
    let attempted = object.clone().callattr(
        cx,
        &attempt,
        [vec![slice], rest.clone()].concat(),
        Vec::new(),
    );
    let cx = cx.clone();
    Ok(Reply::pending(async move {
        let error = match attempted.resolve().await {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        let Ok(fallback) = name_of(fallback) else {
            return Err(error);
        };
        let stop = match stop {
            BrineValue::None => BrineValue::Int(i64::MAX),
            stop => stop,
        };
        let bounds = vec![Value::Brine(start), Value::Brine(stop)];
        object
            .callattr(&cx, &fallback, [bounds, rest].concat(), Vec::new())
            .resolve()
            .await
    }))
}

/// `HANDLE_CTXEXIT(obj, exc)`: `obj.__exit__(...)` at the end of a `with`
/// block on a proxy.
fn ctxexit(cx: &Context, args: &mut Args) -> Handled {
    let object = args.object()?;
    Ok(object.ctx_exit(cx, args.value()))
}

/// `HANDLE_INSTANCECHECK(obj, other_id_pack)`.
fn instancecheck(args: &mut Args) -> Handled {
    let object = args.object()?;
    let class = args.class_id_pack()?;
    // rpyc makes a proxy of a builtin class it knows by name and asks
    // `isinstance(proxy, obj)`: an object that is not a class (none of a
    // service's are) makes that a TypeError.
    if is_builtin_class(&class.type_name) {
        return Err(RemoteException::type_error(
            "isinstance() arg 2 must be a type, a tuple of types, or a union",
        ));
    }
    Ok(Reply::value(object.instance_check(&class)))
}

/// Whether rpyc has a ready-made proxy class for `name`: its
/// `builtin_classes_cache`, built from `netref._builtin_types`. Of the
/// exception classes only `BaseException` and `Exception` are there, so
/// `builtins.ValueError` misses the cache and rpyc answers `False`.
fn is_builtin_class(name: &str) -> bool {
    const TYPES: &[&str] = &[
        "type",
        "object",
        "bool",
        "complex",
        "dict",
        "float",
        "int",
        "list",
        "slice",
        "str",
        "tuple",
        "set",
        "frozenset",
        "NoneType",
        "builtin_function_or_method",
        "generator",
        "method",
        "code",
        "frame",
        "traceback",
        "module",
        "function",
        "wrapper_descriptor",
        "method-wrapper",
        "list_iterator",
        "tuple_iterator",
        "set_iterator",
        "bytes",
        "bytearray",
        "range_iterator",
        "memoryview",
        "BaseException",
        "Exception",
    ];
    name.strip_prefix("builtins.")
        .is_some_and(|short| TYPES.contains(&short))
}

/// `HANDLE_DEL(obj, count=1)`: the peer released `count` references.
/// rpyc looks the object up first, so one we do not hold is a `KeyError`
/// naming its id pack.
pub(crate) fn release(connection: &Connection, args: Boxed) -> RpcResult {
    let items = match args {
        Boxed::Tuple(items) => items,
        Boxed::Value(BrineValue::Tuple(items)) => items.into_iter().map(Boxed::Value).collect(),
        Boxed::Value(other) => {
            return Err(RemoteException::type_error(format!(
                "Value after * must be an iterable, not {}",
                other.type_name()
            )))
        }
        Boxed::LocalRef(_) | Boxed::RemoteRef(_) => {
            return Err(RemoteException::type_error(
                "Value after * must be an iterable, not object",
            ))
        }
    };
    check_handler_arguments(HandlerId::Del, items.len())?;
    let mut items = items.into_iter();
    let id_pack = match items.next() {
        Some(Boxed::LocalRef(id_pack)) => id_pack,
        Some(Boxed::RemoteRef(id_pack)) => {
            return Err(RemoteException::key_error(id_pack.to_brine()))
        }
        Some(other) => {
            let type_name = format!("builtins.{}", other.into_brine().type_name());
            return Err(RemoteException::key_error(BrineValue::tuple([
                BrineValue::Str(type_name),
                BrineValue::Int(0),
                BrineValue::Int(0),
            ])));
        }
        None => return Ok(Value::NONE),
    };
    // Any Python number, compared and subtracted as rpyc does.
    let count = match items.next() {
        None => 1.0,
        Some(Boxed::Value(BrineValue::Int(c))) => c as f64,
        Some(Boxed::Value(BrineValue::BigInt(c))) => {
            num_traits::ToPrimitive::to_f64(&c).unwrap_or(f64::INFINITY)
        }
        Some(Boxed::Value(BrineValue::Float(c))) => c,
        Some(Boxed::Value(BrineValue::Bool(c))) => f64::from(u8::from(c)),
        Some(other) => {
            return Err(RemoteException::type_error(format!(
                "'<' not supported between instances of 'int' and '{}'",
                other.into_brine().type_name()
            )))
        }
    };
    if connection.release_local(&id_pack, count) {
        Ok(Value::NONE)
    } else {
        Err(RemoteException::key_error(id_pack.to_brine()))
    }
}
