//! Putting a method in place of a builtin type's own.
//!
//! Each replacement in this folder ends the same way: a method made from a
//! Rust function is set on the shared type under the name of the one it
//! replaces (CPython's would be a slot wrapper; RustPython 0.5 makes only
//! method descriptors of other functions). The number slots also need
//! their `__op__` and reflected `__rop__` methods to call the new slot, as
//! the methods RustPython made from its own slots did.

use rustpython_vm::builtins::{PyBaseExceptionRef, PyType};
use rustpython_vm::function::{IntoPyNativeFn, OptionalArg};
use rustpython_vm::protocol::{PyNumberBinaryFunc, PyNumberTernaryFunc};
use rustpython_vm::{AsObject, Py, PyObject, PyObjectRef, PyResult, VirtualMachine};

/// Sets `function` on `class` as its method `name`.
pub(super) fn define<F, Kind>(
    vm: &VirtualMachine,
    class: &'static Py<PyType>,
    name: &'static str,
    function: F,
) where
    F: IntoPyNativeFn<Kind>,
{
    let method = vm.new_method(name, class, function);
    class.set_attr(vm.ctx.intern_str(name), method.into());
}

/// CPython's TypeError for method `method` of type `class` called on
/// `zelf`, an object of another type.
pub(super) fn not_a(
    class: &str,
    method: &str,
    zelf: &PyObject,
    vm: &VirtualMachine,
) -> PyBaseExceptionRef {
    vm.new_type_error(format!(
        "descriptor '{method}' requires a '{class}' object but received a '{}'",
        zelf.class().slot_name()
    ))
}

/// `not_a` unless `zelf` is a `class` (a method must check what the slot
/// it calls takes on trust).
pub(super) fn require(
    zelf: &PyObject,
    class: &'static Py<PyType>,
    method: &str,
    vm: &VirtualMachine,
) -> PyResult<()> {
    if zelf.fast_isinstance(class) {
        return Ok(());
    }
    Err(not_a(&class.slot_name(), method, zelf, vm))
}

/// Sets `name` and its reflection `reflected` (`__add__`, `__radd__`) on
/// `class` to call the binary number slot `slot`.
pub(super) fn define_binary(
    vm: &VirtualMachine,
    class: &'static Py<PyType>,
    (name, reflected): (&'static str, &'static str),
    slot: PyNumberBinaryFunc,
) {
    define(
        vm,
        class,
        name,
        move |zelf: PyObjectRef, other: PyObjectRef, vm: &VirtualMachine| slot(&zelf, &other, vm),
    );
    define(
        vm,
        class,
        reflected,
        move |zelf: PyObjectRef, other: PyObjectRef, vm: &VirtualMachine| slot(&other, &zelf, vm),
    );
}

/// Sets `__pow__` and `__rpow__` on `class` to call the power slot
/// `slot`, with the modulus `None` when none is given.
pub(super) fn define_power(
    vm: &VirtualMachine,
    class: &'static Py<PyType>,
    slot: PyNumberTernaryFunc,
) {
    define(
        vm,
        class,
        "__pow__",
        move |zelf: PyObjectRef,
              other: PyObjectRef,
              modulo: OptionalArg<PyObjectRef>,
              vm: &VirtualMachine|
              -> PyResult { slot(&zelf, &other, &modulo.unwrap_or_none(vm), vm) },
    );
    define(
        vm,
        class,
        "__rpow__",
        move |zelf: PyObjectRef,
              other: PyObjectRef,
              modulo: OptionalArg<PyObjectRef>,
              vm: &VirtualMachine|
              -> PyResult { slot(&other, &zelf, &modulo.unwrap_or_none(vm), vm) },
    );
}
