//! Objects of the embedded interpreter, served to the peer.
//!
//! Every operation the peer asks for runs on the interpreter thread, so a
//! `PythonObject` takes over the whole dispatch of a request instead of
//! answering operation by operation: the request's arguments are converted,
//! the operation runs as Python would run it (attribute access is fully open
//! in classic mode, as in rpyc's `SlaveService`), and the result or the
//! raised exception comes back.

use crate::convert::{to_python, try_to_value};
use crate::exceptions::to_remote;
use crate::interpreter::Interpreter;
use crate::state::{self, call_helper};
use oxrpc_rpyc::{BrineValue, Context, HandlerId, IdPack, Reply, RpcObject, RpcResult, Value};
use rustpython_vm::{AsObject, PyObjectRef, PyResult, VirtualMachine};
use std::sync::Arc;

/// A Python object the peer holds a reference to.
pub struct PythonObject {
    object: Option<PyObjectRef>,
    type_name: String,
    type_id: i128,
    instance_id: i128,
    interpreter: Interpreter,
}

impl PythonObject {
    /// Wraps `object`; must run on its interpreter's thread.
    #[expect(
        clippy::expect_used,
        reason = "only called on an interpreter thread, where the state is installed first"
    )]
    pub(crate) fn new(vm: &VirtualMachine, object: PyObjectRef) -> PythonObject {
        let name = call_helper(vm, "name_pack", vec![object.clone()])
            .ok()
            .and_then(|n| n.str(vm).ok().map(|s| s.to_string()))
            .unwrap_or_else(|| "builtins.object".to_owned());
        let is_class = object.class().is(vm.ctx.types.type_type)
            || call_helper(vm, "is_class", vec![object.clone()])
                .map(|v| v.is(&vm.ctx.true_value))
                .unwrap_or(false);
        let type_id = call_helper(vm, "class_id", vec![object.clone()])
            .ok()
            .and_then(|v| v.try_to_value::<i64>(vm).ok())
            .map_or(1, i128::from);
        let instance_id = if is_class { 0 } else { object.get_id() as i128 };
        PythonObject {
            object: Some(object),
            type_name: name,
            type_id,
            instance_id,
            interpreter: state::with(|s| s.interpreter.clone())
                .or_else(Interpreter::current)
                .expect("PythonObject::new runs on an interpreter thread"),
        }
    }

    /// The wrapped object (only to be used on the interpreter thread).
    pub(crate) fn object(&self) -> &PyObjectRef {
        // Set at construction and only taken by Drop.
        self.object
            .as_ref()
            .unwrap_or_else(|| unreachable!("object taken before drop"))
    }
}

impl Drop for PythonObject {
    fn drop(&mut self) {
        if let Some(object) = self.object.take() {
            self.interpreter.drop_on_thread(object);
        }
    }
}

fn name_arg(vm: &VirtualMachine, value: &Value) -> PyResult<String> {
    match value {
        Value::Brine(BrineValue::Str(s)) => Ok(s.clone()),
        _ => Err(vm.new_type_error("attribute name must be a string")),
    }
}

fn python_args(
    vm: &VirtualMachine,
    args: impl IntoIterator<Item = Value>,
) -> PyResult<Vec<PyObjectRef>> {
    args.into_iter().map(|v| to_python(vm, v)).collect()
}

/// Runs one handler on the interpreter thread.
pub(crate) fn run_handler(
    vm: &VirtualMachine,
    obj: &PyObjectRef,
    handler: HandlerId,
    args: Vec<Value>,
) -> RpcResult {
    let result: PyResult<PyObjectRef> = (|| {
        let mut args = args.into_iter();
        match handler {
            HandlerId::GetAttr => {
                let name = vm
                    .ctx
                    .new_str(name_arg(vm, &args.next().unwrap_or(Value::NONE))?);
                obj.get_attr(&name, vm)
            }
            HandlerId::SetAttr => {
                let name = vm
                    .ctx
                    .new_str(name_arg(vm, &args.next().unwrap_or(Value::NONE))?);
                let value = to_python(vm, args.next().unwrap_or(Value::NONE))?;
                obj.set_attr(&name, value, vm)?;
                Ok(vm.ctx.none())
            }
            HandlerId::DelAttr => {
                let name = vm
                    .ctx
                    .new_str(name_arg(vm, &args.next().unwrap_or(Value::NONE))?);
                obj.del_attr(&name, vm)?;
                Ok(vm.ctx.none())
            }
            // rpyc's `_handle_call(obj, args, kwargs=())`.
            HandlerId::Call => {
                let call_args = to_python(vm, args.next().unwrap_or(Value::NONE))?;
                let kwargs = match args.next() {
                    Some(kwargs) => to_python(vm, kwargs)?,
                    None => vm.ctx.empty_tuple.clone().into(),
                };
                call_helper(vm, "call", vec![obj.clone(), call_args, kwargs])
            }
            HandlerId::CallAttr => {
                let name = to_python(vm, args.next().unwrap_or(Value::NONE))?;
                let call_args = to_python(vm, args.next().unwrap_or(Value::NONE))?;
                let kwargs = match args.next() {
                    Some(kwargs) => to_python(vm, kwargs)?,
                    None => vm.ctx.empty_tuple.clone().into(),
                };
                call_helper(vm, "callattr", vec![obj.clone(), name, call_args, kwargs])
            }
            HandlerId::Repr => Ok(obj.repr(vm)?.into()),
            HandlerId::Str => Ok(obj.str(vm)?.into()),
            HandlerId::Hash => Ok(vm.ctx.new_int(obj.hash(vm)?).into()),
            HandlerId::Cmp => {
                let mut rest = python_args(
                    vm,
                    [
                        args.next().unwrap_or(Value::NONE),
                        args.next().unwrap_or(Value::NONE),
                    ],
                )?;
                rest.insert(0, obj.clone());
                if vm.is_none(&rest[2]) {
                    rest[2] = vm.ctx.new_str("__cmp__").into();
                }
                call_helper(vm, "compare", rest)
            }
            HandlerId::Dir => call_helper(vm, "dir_of", vec![obj.clone()]),
            HandlerId::Inspect => call_helper(vm, "methods", vec![obj.clone()]),
            HandlerId::BuffIter => {
                let count = to_python(vm, args.next().unwrap_or(Value::NONE))?;
                call_helper(vm, "buffiter", vec![obj.clone(), count])
            }
            HandlerId::OldSlicing => {
                let mut rest = python_args(
                    vm,
                    (0..5)
                        .map(|_| args.next().unwrap_or(Value::NONE))
                        .collect::<Vec<_>>(),
                )?;
                rest.insert(0, obj.clone());
                call_helper(vm, "oldslicing", rest)
            }
            HandlerId::CtxExit => {
                let exc = to_python(vm, args.next().unwrap_or(Value::NONE))?;
                call_helper(vm, "ctxexit", vec![obj.clone(), exc])
            }
            HandlerId::InstanceCheck => {
                // The instance was resolved to one of our objects before the
                // job was queued (see `dispatch`); None if it is not ours.
                let instance = to_python(vm, args.next().unwrap_or(Value::NONE))?;
                let name = to_python(vm, args.next().unwrap_or(Value::NONE))?;
                if vm.is_none(&instance) {
                    return call_helper(vm, "instancecheck_builtin", vec![name, obj.clone()]);
                }
                call_helper(vm, "instancecheck", vec![instance, obj.clone()])
            }
            // Classic mode enables pickling, as rpyc's SlaveService does
            // (`rpyc.classic.obtain` relies on it).
            HandlerId::Pickle => {
                let protocol = to_python(vm, args.next().unwrap_or(Value::NONE))?;
                call_helper(vm, "pickle_dumps", vec![obj.clone(), protocol])
            }
            other => Err(vm.new_type_error(format!(
                "{} does not apply to an object",
                other.const_name()
            ))),
        }
    })();
    match result {
        Ok(value) => try_to_value(vm, value),
        Err(exc) => Err(to_remote(vm, &exc)),
    }
}

impl RpcObject for PythonObject {
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
        if !args.is_empty() {
            args.remove(0); // the object itself
        }
        if handler == HandlerId::InstanceCheck {
            // `isinstance(peer's netref to one of our objects, this class)`;
            // for an id pack of no object of ours, the class name it gives.
            let id_pack = args
                .first()
                .and_then(|v| v.as_brine().cloned())
                .and_then(|b| IdPack::from_brine(b).ok());
            let instance = id_pack
                .as_ref()
                .and_then(|id| cx.connection().local_object(id).ok());
            let name = id_pack.map(|id| id.type_name).unwrap_or_default();
            args = vec![
                instance.map_or(Value::NONE, Value::Object),
                Value::string(name),
            ];
        }
        let this = self.clone();
        self.interpreter
            .answer(cx, move |vm| run_handler(vm, this.object(), handler, args))
    }

    fn repr(&self) -> String {
        format!("<{} object>", self.type_name)
    }
}
