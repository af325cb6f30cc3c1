//! `io.StringIO(initial_value=..., newline=...)`, as CPython 3.11 takes
//! its arguments.
//!
//! RustPython 0.5's `StringIO.__init__` names its first parameter
//! `object` and takes it by position only: `io.StringIO(initial_value=
//! 'ab')` was "Unexpected keyword argument initial_value", and an initial
//! value that is not text, or a newline CPython refuses, was refused in
//! other words (or not at all). The `__init__` of the class (`_io`'s,
//! shared by every interpreter) is replaced once per process: the
//! arguments are bound as Argument Clinic binds them and checked as
//! `_io_StringIO___init___impl` checks them, then given to RustPython's.
//!
//! Not covered: RustPython keeps no newline mode, so `newline=None`,
//! `'\r'` and `'\r\n'` translate nothing where CPython translates.

use super::clinic_signature::Signature;
use super::methods::{self, InitSlot};
use rustpython_vm::builtins::PyStr;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{PyObject, PyObjectRef, PyResult, VirtualMachine};
use std::sync::OnceLock;

/// RustPython's own init slot of `StringIO`.
static ORIGINAL: OnceLock<Option<InitSlot>> = OnceLock::new();

/// `StringIO(initial_value='', newline='\n')`.
const STRING_IO: Signature = Signature {
    function: "StringIO",
    parameters: &["initial_value", "newline"],
    positional_only: 0,
    positional: 2,
    required: 0,
};

/// Puts the `__init__` in place, once per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    if ORIGINAL.get().is_some() {
        return Ok(());
    }
    let class = methods::class_of_module(vm, "_io", "StringIO")?;
    ORIGINAL.get_or_init(|| {
        let original = class.slots.init.load()?;
        methods::define_init(vm, class, init);
        Some(original)
    });
    Ok(())
}

fn init(zelf: PyObjectRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
    let original = methods::kept(&ORIGINAL, "StringIO", vm)?;
    // The usual call, a text (or nothing) by position, is RustPython's.
    if args.kwargs.is_empty() && args.args.len() <= 1 {
        if let Some(value) = args.args.first() {
            check_initial_value(value, vm)?;
        }
        return original(zelf, args, vm);
    }
    let mut bound = STRING_IO.bind(args, vm)?.into_iter();
    let (initial_value, newline) = (bound.next().flatten(), bound.next().flatten());
    if let Some(newline) = &newline {
        check_newline(newline, vm)?;
    }
    if let Some(value) = &initial_value {
        check_initial_value(value, vm)?;
    }
    let mut forwarded = FuncArgs::from(initial_value.into_iter().collect::<Vec<_>>());
    if let Some(newline) = newline {
        forwarded.kwargs.insert("newline".to_owned(), newline);
    }
    original(zelf, forwarded, vm)
}

/// CPython's refusal of a newline that is not `None`, `''`, `'\n'`,
/// `'\r'` or `'\r\n'`.
fn check_newline(newline: &PyObject, vm: &VirtualMachine) -> PyResult<()> {
    if vm.is_none(newline) {
        return Ok(());
    }
    let Some(text) = newline.downcast_ref::<PyStr>() else {
        return Err(vm.new_type_error(format!(
            "newline must be str or None, not {}",
            newline.class().name()
        )));
    };
    match text.as_wtf8().as_bytes() {
        b"" | b"\n" | b"\r" | b"\r\n" => Ok(()),
        _ => Err(vm.new_value_error(format!(
            "illegal newline value: {}",
            newline.repr(vm)?.as_wtf8()
        ))),
    }
}

/// CPython's refusal of an initial value that is neither text nor
/// `None`.
fn check_initial_value(value: &PyObject, vm: &VirtualMachine) -> PyResult<()> {
    if vm.is_none(value) || value.downcast_ref::<PyStr>().is_some() {
        return Ok(());
    }
    Err(vm.new_type_error(format!(
        "initial_value must be str or None, not {}",
        value.class().name()
    )))
}
