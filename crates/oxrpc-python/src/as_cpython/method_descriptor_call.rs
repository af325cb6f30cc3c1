//! A type's method called on an object of another type, or on nothing,
//! refused in CPython 3.11's words.
//!
//! CPython checks the object an unbound method is called on before it
//! reads any argument: `str.upper(1)` is "descriptor 'upper' for 'str'
//! objects doesn't apply to a 'int' object", and `str.upper()` "unbound
//! method str.upper() needs an argument". RustPython 0.5 binds that object
//! as it binds every argument, and said "Expected type 'str' but 'int'
//! found." and "expected at least 1 arguments, got 0".
//!
//! The two call slots of `method_descriptor` (shared by every
//! interpreter) are wrapped once per process. A call goes to RustPython
//! as before; only when it raises a TypeError is the call looked at, and
//! the error replaced by CPython's when CPython would have refused the
//! call before running the method. The interpreter's inline calls of a
//! method descriptor take only calls on the method's exact type, so they
//! need no wrapping.

use super::methods;
use rustpython_vm::builtins::{PyBaseExceptionRef, PyStr, PyType};
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{AsObject, PyObject, PyObjectRef, PyResult, VirtualMachine};
use std::sync::OnceLock;

type Call = fn(&PyObject, FuncArgs, &VirtualMachine) -> PyResult;
type VectorCall =
    fn(&PyObject, Vec<PyObjectRef>, usize, Option<&[PyObjectRef]>, &VirtualMachine) -> PyResult;

/// RustPython's call slots of `method_descriptor`.
struct Originals {
    call: Call,
    vectorcall: VectorCall,
}

static ORIGINALS: OnceLock<Option<Originals>> = OnceLock::new();

/// Wraps the two call slots, once per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    ORIGINALS.get_or_init(|| {
        let slots = &vm.ctx.types.method_descriptor_type.slots;
        let originals = Originals {
            call: slots.call.load()?,
            vectorcall: slots.vectorcall.load()?,
        };
        slots.call.store(Some(call));
        slots.vectorcall.store(Some(vectorcall));
        Some(originals)
    });
    Ok(())
}

fn originals(vm: &VirtualMachine) -> PyResult<&'static Originals> {
    ORIGINALS
        .get()
        .and_then(Option::as_ref)
        .ok_or_else(|| vm.new_runtime_error("method_descriptor is not set up".to_owned()))
}

fn call(descriptor: &PyObject, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let first = args.args.first().cloned();
    (originals(vm)?.call)(descriptor, args, vm)
        .map_err(|error| worded(error, descriptor, first, vm))
}

fn vectorcall(
    descriptor: &PyObject,
    args: Vec<PyObjectRef>,
    positional: usize,
    keyword_names: Option<&[PyObjectRef]>,
    vm: &VirtualMachine,
) -> PyResult {
    let first = args.first().filter(|_| positional > 0).cloned();
    (originals(vm)?.vectorcall)(descriptor, args, positional, keyword_names, vm)
        .map_err(|error| worded(error, descriptor, first, vm))
}

/// `error`, raised by a call of `descriptor` with `first` as its first
/// argument: CPython's TypeError instead when CPython refuses that call
/// before it runs the method.
fn worded(
    error: PyBaseExceptionRef,
    descriptor: &PyObject,
    first: Option<PyObjectRef>,
    vm: &VirtualMachine,
) -> PyBaseExceptionRef {
    if !error.fast_isinstance(vm.ctx.exceptions.type_error) {
        return error;
    }
    let class = descriptor.get_attr("__objclass__", vm).ok();
    let name = descriptor.get_attr("__name__", vm).ok();
    let (Some(class), Some(name)) = (
        class
            .as_ref()
            .and_then(|class| class.downcast_ref::<PyType>()),
        name.as_ref().and_then(|name| name.downcast_ref::<PyStr>()),
    ) else {
        return error;
    };
    match first {
        None => methods::no_object(class, &name.as_wtf8().to_string(), vm),
        Some(object) if !object.fast_isinstance(class) => {
            methods::not_a(&class.slot_name(), &name.as_wtf8().to_string(), &object, vm)
        }
        Some(_) => error,
    }
}
