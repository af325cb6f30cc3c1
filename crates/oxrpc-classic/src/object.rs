//! Interpreter objects, served to the peer.
//!
//! Every operation the peer asks for runs on the connection's worker, so a
//! [`PythonObject`] takes over the whole dispatch of a request instead of
//! answering operation by operation: the request's arguments are converted,
//! the operation runs as Python would run it (attribute access is fully open
//! in classic mode, as in rpyc's `SlaveService`; on a connection Python
//! code opened with `rpyc.connect`, it follows rpyc's rules under the
//! connection's `_config`), and the result or the
//! raised exception comes back. A raised exception is also kept as the
//! connection's last traceback, for `rpyc.classic.pm`.

use crate::convert::{to_python, try_to_value};
use crate::exceptions::to_remote;
use crate::runtime::Runtime;
use crate::session::Session;
use crate::space::{ErrorKind, Kind, ObjectSpace};
use oxrpc_rpyc::{BrineValue, Context, HandlerId, IdPack, Reply, RpcObject, RpcResult, Value};
use std::sync::Arc;

/// An interpreter object the peer holds a reference to.
pub struct PythonObject<S: ObjectSpace> {
    object: Option<S::Object>,
    type_name: String,
    type_id: i128,
    instance_id: i128,
    session: Arc<Session<S>>,
}

impl<S: ObjectSpace> PythonObject<S> {
    /// Wraps `object` (on its session's worker).
    pub(crate) fn new(
        vm: S::Vm<'_>,
        rt: &Runtime<S>,
        session: &Arc<Session<S>>,
        object: S::Object,
    ) -> PythonObject<S> {
        let pack = rt.call(vm, "id_pack", vec![S::clone_ref(vm, &object)]).ok();
        let parts = match pack.as_ref().map(|p| S::kind(vm, p)) {
            Some(Kind::Tuple(parts)) => parts,
            _ => Vec::new(),
        };
        let (type_name, type_id, instance_id) = match parts.as_slice() {
            [name, class, id] => (
                S::str(vm, name).unwrap_or_else(|_| "builtins.object".to_owned()),
                S::to_i64(vm, class).map_or(1, i128::from),
                S::to_i64(vm, id).map_or(0, i128::from),
            ),
            _ => ("builtins.object".to_owned(), 1, 0),
        };
        PythonObject {
            object: Some(object),
            type_name,
            type_id,
            instance_id,
            session: session.clone(),
        }
    }

    /// The wrapped object (only to be used on a thread of its interpreter).
    pub(crate) fn object(&self) -> Option<&S::Object> {
        self.object.as_ref()
    }
}

impl<S: ObjectSpace> Drop for PythonObject<S> {
    fn drop(&mut self) {
        if let Some(object) = self.object.take() {
            self.session.worker().drop_object(object);
        }
    }
}

/// An attribute name, as rpyc's `_access_attr` takes it: a str, or bytes
/// decoded as UTF-8.
fn name_arg<S: ObjectSpace>(vm: S::Vm<'_>, value: Option<Value>) -> Result<String, S::Error> {
    match value {
        Some(Value::Brine(BrineValue::Str(s))) => Ok(s),
        Some(Value::Brine(BrineValue::Bytes(b))) => String::from_utf8(b).map_err(|e| {
            let message = format!("'utf-8' codec can't decode bytes: {e}");
            S::error(vm, ErrorKind::Value, &message)
        }),
        _ => Err(S::error(vm, ErrorKind::Type, "name must be a string")),
    }
}

/// The `_rpyc_getattr` (`_rpyc_setattr`, `_rpyc_delattr`) of `obj`'s
/// class, which answers for its instances in rpyc's `_access_attr`.
fn attribute_hook<S: ObjectSpace>(
    vm: S::Vm<'_>,
    rt: &Runtime<S>,
    session: &Arc<Session<S>>,
    obj: &S::Object,
    hook: &str,
) -> Result<Option<S::Object>, S::Error> {
    let hook = to_python(vm, rt, session, Value::string(hook.to_owned()))?;
    let found = rt.call(vm, "attribute_hook", vec![S::clone_ref(vm, obj), hook])?;
    Ok((!S::is(vm, &found, &S::none(vm))).then_some(found))
}

/// The name the peer may reach `name` of `obj` by: `name` itself where
/// attribute access is open, else as rpyc's `_check_attr` decides under
/// the connection's `_config` (an `exposed_` name, or AttributeError).
fn allowed_name<S: ObjectSpace>(
    vm: S::Vm<'_>,
    rt: &Runtime<S>,
    session: &Arc<Session<S>>,
    obj: &S::Object,
    name: String,
    permission: &str,
) -> Result<String, S::Error> {
    if session.open_attributes() {
        return Ok(name);
    }
    let config = restricted_config(vm, rt, session)?;
    let name = to_python(vm, rt, session, Value::string(name))?;
    let permission = to_python(vm, rt, session, Value::string(permission.to_owned()))?;
    let allowed = rt.call(
        vm,
        "checked_name",
        vec![config, S::clone_ref(vm, obj), name, permission],
    )?;
    S::str(vm, &allowed)
}

/// The `_config` of a connection whose attribute access follows rpyc's
/// rules: the one Python code set, else rpyc's defaults.
fn restricted_config<S: ObjectSpace>(
    vm: S::Vm<'_>,
    rt: &Runtime<S>,
    session: &Arc<Session<S>>,
) -> Result<S::Object, S::Error> {
    if let Some(config) = session.config_if_made(vm) {
        return Ok(config);
    }
    let peer = session
        .peer()
        .ok_or_else(|| S::error(vm, ErrorKind::Eof, "stream has been closed"))?;
    crate::rpyc_config::config_dict(vm, rt, session, &peer, false)
}

/// Runs one handler on `obj`, on the worker.
pub(crate) fn run_handler<S: ObjectSpace>(
    vm: S::Vm<'_>,
    session: &Arc<Session<S>>,
    obj: &S::Object,
    handler: HandlerId,
    args: Vec<Value>,
) -> RpcResult {
    let rt = Runtime::<S>::get(vm).map_err(|_| session.no_runtime())?;
    let rt = &*rt;
    let result: Result<S::Object, S::Error> = (|| {
        let mut args = args.into_iter();
        let mut next = || to_python(vm, rt, session, args.next().unwrap_or(Value::NONE));
        let this = || S::clone_ref(vm, obj);
        match handler {
            HandlerId::GetAttr => {
                let name = name_arg::<S>(vm, args_next(&mut args))?;
                if let Some(hook) = attribute_hook(vm, rt, session, obj, "_rpyc_getattr")? {
                    let name = to_python(vm, rt, session, Value::string(name))?;
                    return S::call(vm, &hook, vec![this(), name]);
                }
                let name = allowed_name(vm, rt, session, obj, name, "allow_getattr")?;
                S::getattr(vm, obj, &name).or_else(|missing| {
                    // A package's submodule nobody imported yet (support.py).
                    let name = to_python(vm, rt, session, Value::string(name))?;
                    match rt.call(vm, "submodule", vec![this(), name]) {
                        Ok(found) if !S::is(vm, &found, &S::none(vm)) => Ok(found),
                        _ => Err(missing),
                    }
                })
            }
            HandlerId::SetAttr => {
                let name = name_arg::<S>(vm, args_next(&mut args))?;
                let value = to_python(vm, rt, session, args.next().unwrap_or(Value::NONE))?;
                if let Some(hook) = attribute_hook(vm, rt, session, obj, "_rpyc_setattr")? {
                    let name = to_python(vm, rt, session, Value::string(name))?;
                    return S::call(vm, &hook, vec![this(), name, value]);
                }
                let name = allowed_name(vm, rt, session, obj, name, "allow_setattr")?;
                S::setattr(vm, obj, &name, value)?;
                Ok(S::none(vm))
            }
            HandlerId::DelAttr => {
                let name = name_arg::<S>(vm, args_next(&mut args))?;
                if let Some(hook) = attribute_hook(vm, rt, session, obj, "_rpyc_delattr")? {
                    let name = to_python(vm, rt, session, Value::string(name))?;
                    return S::call(vm, &hook, vec![this(), name]);
                }
                let name = allowed_name(vm, rt, session, obj, name, "allow_delattr")?;
                S::delattr(vm, obj, &name)?;
                Ok(S::none(vm))
            }
            // rpyc's `_handle_call(obj, args, kwargs=())`.
            HandlerId::Call => {
                let call_args = next()?;
                let kwargs = next_or_empty(vm, rt, session, args.next())?;
                let connection = session.connection(vm);
                rt.call(vm, "call", vec![connection, this(), call_args, kwargs])
            }
            HandlerId::CallAttr => {
                let mut name = next()?;
                if !session.open_attributes()
                    && attribute_hook(vm, rt, session, obj, "_rpyc_getattr")?.is_none()
                {
                    let given = match S::kind(vm, &name) {
                        Kind::Plain(BrineValue::Str(s)) => s,
                        Kind::Plain(BrineValue::Bytes(b)) => {
                            String::from_utf8_lossy(&b).into_owned()
                        }
                        _ => return Err(S::error(vm, ErrorKind::Type, "name must be a string")),
                    };
                    let allowed = allowed_name(vm, rt, session, obj, given, "allow_getattr")?;
                    name = to_python(vm, rt, session, Value::string(allowed))?;
                }
                let call_args = next()?;
                let kwargs = next_or_empty(vm, rt, session, args.next())?;
                let connection = session.connection(vm);
                rt.call(
                    vm,
                    "callattr",
                    vec![connection, this(), name, call_args, kwargs],
                )
            }
            HandlerId::Repr => S::from_plain(vm, BrineValue::Str(S::repr(vm, obj)?)),
            HandlerId::Str => S::from_plain(vm, BrineValue::Str(S::str(vm, obj)?)),
            HandlerId::Hash => S::from_plain(vm, BrineValue::Int(S::hash(vm, obj)?)),
            HandlerId::Cmp => {
                let other = next()?;
                let mut op = next()?;
                if matches!(S::kind(vm, &op), Kind::Plain(BrineValue::None)) {
                    op = S::from_plain(vm, BrineValue::Str("__cmp__".into()))?;
                }
                rt.call(vm, "compare", vec![this(), other, op])
            }
            HandlerId::Dir => rt.call(vm, "dir_of", vec![this()]),
            HandlerId::Inspect => rt.call(vm, "methods", vec![this()]),
            HandlerId::BuffIter => {
                let count = next()?;
                rt.call(vm, "buffiter", vec![this(), count])
            }
            HandlerId::OldSlicing => {
                let mut rest = vec![this()];
                for _ in 0..5 {
                    rest.push(next()?);
                }
                rt.call(vm, "oldslicing", rest)
            }
            HandlerId::CtxExit => {
                let exc = next()?;
                rt.call(vm, "ctxexit", vec![this(), exc])
            }
            HandlerId::InstanceCheck => {
                // `dispatch` left the class name the peer's id pack gives.
                let name = next()?;
                rt.call(vm, "instancecheck_by_name", vec![name, this()])
            }
            // Classic mode enables pickling, as rpyc's SlaveService does
            // (`rpyc.classic.obtain` relies on it).
            HandlerId::Pickle => {
                if !session.open_attributes() {
                    let config = restricted_config(vm, rt, session)?;
                    rt.call(vm, "pickling_allowed", vec![config])?;
                }
                let protocol = next()?;
                rt.call(vm, "pickle_dumps", vec![this(), protocol])
            }
            other => Err(S::error(
                vm,
                ErrorKind::Type,
                &format!("{} does not apply to an object", other.const_name()),
            )),
        }
    })();
    match result {
        Ok(value) => try_to_value(vm, rt, session, value),
        Err(error) => {
            session.record_error(vm, &error);
            Err(to_remote(vm, rt, &error))
        }
    }
}

fn args_next(args: &mut std::vec::IntoIter<Value>) -> Option<Value> {
    args.next()
}

fn next_or_empty<S: ObjectSpace>(
    vm: S::Vm<'_>,
    rt: &Runtime<S>,
    session: &Arc<Session<S>>,
    value: Option<Value>,
) -> Result<S::Object, S::Error> {
    match value {
        Some(value) => to_python(vm, rt, session, value),
        None => Ok(S::new_tuple(vm, Vec::new())),
    }
}

impl<S: ObjectSpace> RpcObject for PythonObject<S> {
    fn type_name(&self) -> &str {
        &self.type_name
    }

    fn type_id(&self) -> i128 {
        self.type_id
    }

    fn instance_id(&self) -> Option<i128> {
        Some(self.instance_id)
    }

    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }

    fn takes_over_dispatch(&self) -> bool {
        true
    }

    fn dispatch(self: Arc<Self>, cx: &Context, handler: HandlerId, mut args: Vec<Value>) -> Reply {
        if let Err(error) = oxrpc_rpyc::check_handler_arguments(handler, args.len()) {
            return Reply::error(error);
        }
        if !args.is_empty() {
            args.remove(0); // the object itself
        }
        if handler == HandlerId::InstanceCheck {
            // `isinstance(the peer's netref, this class)`: rpyc's server
            // answers from the class name in the netref's id pack alone,
            // even when the netref is to one of its own objects.
            let name = args
                .first()
                .and_then(|v| v.as_brine().cloned())
                .and_then(|b| IdPack::from_brine(b).ok())
                .map(|id| id.type_name)
                .unwrap_or_default();
            args = vec![Value::string(name)];
        }
        let this = self.clone();
        self.session
            .worker()
            .answer(cx, move |vm| match this.object() {
                Some(object) => run_handler(vm, &this.session, object, handler, args),
                None => Err(oxrpc_rpyc::RemoteException::runtime_error(
                    "the object was released",
                )),
            })
    }

    fn repr(&self) -> String {
        format!("<{} object>", self.type_name)
    }
}
