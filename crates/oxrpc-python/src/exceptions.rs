//! Python exceptions to and from rpyc's vinegar form.
//!
//! An exception raised by client code keeps its real class name, module,
//! arguments and the interpreter's traceback text, so a Python peer re-raises
//! a `ZeroDivisionError` as one. An exception coming back from the peer (a
//! callback that raised) becomes the matching builtin exception inside our
//! interpreter, or a plain `Exception` naming the remote class.

use crate::convert::{to_python, to_value};
use crate::state::call_helper;
use oxrpc_rpyc::{BrineValue, RemoteException, Value};
use rustpython_vm::builtins::{PyBaseExceptionRef, PyTuple};
use rustpython_vm::{AsObject, VirtualMachine};

pub(crate) fn to_remote(vm: &VirtualMachine, exc: &PyBaseExceptionRef) -> RemoteException {
    let class = exc.class();
    let name = class.name().to_string();
    let module = class
        .as_object()
        .get_attr("__module__", vm)
        .ok()
        .and_then(|m| m.str(vm).ok().map(|s| s.to_string()))
        .unwrap_or_else(|| "builtins".to_owned());
    if name == "StopIteration" && module == "builtins" {
        return RemoteException::stop_iteration();
    }
    // rpyc's vinegar: the args and the public attributes, each as a value
    // brine carries or its repr (support.py's `exception_parts`).
    let plain = |obj: rustpython_vm::PyObjectRef| match to_value(vm, obj.clone()) {
        Value::Brine(v) => v,
        _ => BrineValue::Str(
            obj.repr(vm)
                .map(|r| r.to_string())
                .unwrap_or_else(|_| "<unprintable>".into()),
        ),
    };
    let (args, attrs) = match call_helper(vm, "exception_parts", vec![exc.clone().into()])
        .ok()
        .and_then(|parts| parts.downcast::<PyTuple>().ok())
    {
        Some(parts) if parts.len() == 2 => {
            let items = |i: usize| {
                parts.as_slice()[i]
                    .downcast_ref::<PyTuple>()
                    .map(|t| t.as_slice().to_vec())
                    .unwrap_or_default()
            };
            let args: Vec<BrineValue> = items(0).into_iter().map(plain).collect();
            let attrs: Vec<(String, BrineValue)> = items(1)
                .into_iter()
                .filter_map(|pair| {
                    let pair = pair.downcast_ref::<PyTuple>()?.as_slice().to_vec();
                    let name = pair.first()?.str(vm).ok()?.to_string();
                    Some((name, plain(pair.get(1)?.clone())))
                })
                .collect();
            (args, attrs)
        }
        _ => (
            exc.args().iter().map(|a| plain(a.clone())).collect(),
            Vec::new(),
        ),
    };
    let mut traceback = String::new();
    let _ = vm.write_exception(&mut traceback, exc);
    let mut remote = RemoteException::new(module, name, args).with_traceback(traceback);
    remote.attrs = attrs;
    remote
}

pub(crate) fn to_python_exception(
    vm: &VirtualMachine,
    remote: &RemoteException,
) -> PyBaseExceptionRef {
    let make = || -> Result<PyBaseExceptionRef, PyBaseExceptionRef> {
        let brine = |v: &BrineValue| to_python(vm, Value::Brine(v.clone()));
        let args = remote
            .args
            .iter()
            .map(brine)
            .collect::<Result<Vec<_>, _>>()?;
        let attrs = remote
            .attrs
            .iter()
            .map(|(name, value)| {
                Ok(vm
                    .ctx
                    .new_tuple(vec![vm.ctx.new_str(name.as_str()).into(), brine(value)?])
                    .into())
            })
            .collect::<Result<Vec<_>, PyBaseExceptionRef>>()?;
        let instance = call_helper(
            vm,
            "make_exception",
            vec![
                vm.ctx.new_str(remote.module.as_str()).into(),
                vm.ctx.new_str(remote.name.as_str()).into(),
                vm.ctx.new_tuple(args).into(),
                vm.ctx.new_tuple(attrs).into(),
                vm.ctx.new_str(remote.traceback.as_str()).into(),
            ],
        )?;
        instance
            .downcast::<rustpython_vm::builtins::PyBaseException>()
            .map_err(|_| vm.new_runtime_error("make_exception returned a non-exception"))
    };
    make().unwrap_or_else(|e| e)
}
