//! Python exceptions to and from rpyc's vinegar form.
//!
//! An exception raised by client code keeps its real class name, module,
//! arguments and the interpreter's traceback text, so a Python peer re-raises
//! a `ZeroDivisionError` as one. An exception coming back from the peer (a
//! callback that raised) becomes the matching builtin exception inside our
//! interpreter, or a plain `Exception` naming the remote class.

use crate::convert::to_value;
use crate::state::call_helper;
use oxrpc_rpyc::{BrineValue, RemoteException, Value};
use rustpython_vm::builtins::PyBaseExceptionRef;
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
    let args = exc
        .args()
        .iter()
        .map(|arg| match to_value(vm, arg.clone()) {
            Value::Brine(v) => v,
            _ => BrineValue::Str(
                arg.repr(vm)
                    .map(|r| r.to_string())
                    .unwrap_or_else(|_| "<unprintable>".into()),
            ),
        })
        .collect();
    let mut traceback = String::new();
    let _ = vm.write_exception(&mut traceback, exc);
    RemoteException::new(module, name, args).with_traceback(traceback)
}

pub(crate) fn to_python_exception(
    vm: &VirtualMachine,
    remote: &RemoteException,
) -> PyBaseExceptionRef {
    let make = || -> Result<PyBaseExceptionRef, PyBaseExceptionRef> {
        let instance = call_helper(
            vm,
            "make_exception",
            vec![
                vm.ctx.new_str(remote.module.as_str()).into(),
                vm.ctx.new_str(remote.name.as_str()).into(),
                vm.ctx.new_str(remote.message()).into(),
            ],
        )?;
        instance
            .downcast::<rustpython_vm::builtins::PyBaseException>()
            .map_err(|_| vm.new_runtime_error("make_exception returned a non-exception"))
    };
    make().unwrap_or_else(|e| e)
}
