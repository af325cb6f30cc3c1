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
//! The vector call slot of `method_descriptor` (shared by every
//! interpreter), through which Python code's calls of a method descriptor
//! go, is wrapped once per process. A call goes to RustPython as before;
//! only when it raises a TypeError is the call looked at, and the error
//! replaced by CPython's when CPython would have refused the call before
//! running the method, either for the object or, through `arity`'s tables,
//! for the count of arguments or a keyword. The interpreter's inline calls of a method
//! descriptor take only calls on the method's exact type, so they need no
//! wrapping. The other call slot, through which native code calls (the
//! `__format__` of every format, `map(str.upper, ...)`), is left as it
//! is: wrapping it cost every format ~10 ns, for the wording of a call
//! that fails.

use super::arity::{self, VectorCall};
use super::closed_files;
use super::methods;
use rustpython_vm::builtins::{PyBaseExceptionRef, PyStr, PyType};
use rustpython_vm::{AsObject, PyObject, PyObjectRef, PyResult, VirtualMachine};
use std::sync::OnceLock;

/// RustPython's vector call slot of `method_descriptor`.
static ORIGINAL: OnceLock<Option<VectorCall>> = OnceLock::new();

/// Wraps the slot, once per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    ORIGINAL.get_or_init(|| {
        let slot = &vm.ctx.types.method_descriptor_type.slots.vectorcall;
        let original = slot.load()?;
        slot.store(Some(vectorcall));
        Some(original)
    });
    Ok(())
}

fn vectorcall(
    descriptor: &PyObject,
    args: Vec<PyObjectRef>,
    positional: usize,
    keyword_names: Option<&[PyObjectRef]>,
    vm: &VirtualMachine,
) -> PyResult {
    let Some(Some(original)) = ORIGINAL.get() else {
        return Err(vm.new_runtime_error("method_descriptor is not set up".to_owned()));
    };
    let first = args.first().filter(|_| positional > 0).cloned();
    let keywords = keyword_names.map_or(0, <[PyObjectRef]>::len);
    original(descriptor, args, positional, keyword_names, vm)
        .map_err(|error| worded(error, descriptor, first, (positional, keywords), vm))
}

/// `error`, raised by a call of `descriptor` with `first` as its first
/// argument, `positional` arguments in all and `keywords` keywords: CPython's
/// TypeError instead when CPython refuses that call before it runs the
/// method (on no object, on another type's, or with a count of arguments
/// the method does not take).
fn worded(
    error: PyBaseExceptionRef,
    descriptor: &PyObject,
    first: Option<PyObjectRef>,
    (positional, keywords): (usize, usize),
    vm: &VirtualMachine,
) -> PyBaseExceptionRef {
    if error.fast_isinstance(vm.ctx.exceptions.value_error) {
        // A method's refusal of its closed file.
        return closed_files::worded_by_name(error, first, descriptor, vm);
    }
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
        Some(_) => arity::worded(
            error,
            &format!("{}.{}", class.name(), name.as_wtf8()),
            (positional.saturating_sub(1), keywords),
            arity::Form::ThroughType,
            vm,
        ),
    }
}
