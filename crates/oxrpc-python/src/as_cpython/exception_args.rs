//! An exception's `args` as CPython keeps them: never deleted, and for an
//! `OSError` a failed system call raised, the error number and message
//! alone.
//!
//! `del e.args` is refused with CPython's "args may not be deleted"
//! (RustPython: "can't delete attribute"), for every exception.
//!
//! CPython raises a failed system call's error as `OSError(errno,
//! strerror)` (`PyErr_SetFromErrno`), with a filename only where the call
//! had one: the `args` of `os.read(999, 1)`'s error are `(9, 'Bad file
//! descriptor')`. RustPython 0.5 builds it with all five parts, None for
//! the filename, `winerror` and `filename2`; and since `OSError.__init__`
//! keeps every argument when the filename is None, its `args` and
//! `repr()` were `(9, 'Bad file descriptor', None, None, None)`: for a
//! refused connection, a bad file descriptor, a missing process, a child
//! that is not there. (A classic client received two: `support.py` cut
//! them, also where client code had given five.)
//!
//! RustPython builds those errors without calling their type, so there is
//! no `__init__` to stand in front of. The arguments are settled where
//! they are read instead: `args`, `repr()` and `__reduce__` of `OSError`
//! and its subclasses. An error is taken as the system's when:
//!
//! - its class is one RustPython raises them as: `OSError`, one of its
//!   builtin subclasses, `socket.gaierror` or `herror`;
//! - its arguments are exactly an int, a str and three Nones;
//! - the str is the C library's message for that number (any message for
//!   `gaierror` and `herror`, whose messages come from `gai_strerror` and
//!   `hstrerror`).
//!
//! Code would have to write `OSError(9, os.strerror(9), None, None,
//! None)`, or `socket.gaierror(n, text, None, None, None)`, to make one
//! otherwise: the constructions read as the system's, whose five
//! arguments CPython keeps. `vars(OSError)` gains `args`, `__repr__` and a
//! `__reduce__` of its own, and `vars(BaseException)` a new `args`. Once
//! per process: the types are shared by every interpreter.

use super::methods;
use super::os_error_args::builtin_classes;
use super::unbound_local;
use rustpython_vm::builtins::{
    PyBaseException, PyBaseExceptionRef, PyInt, PyStr, PyTupleRef, PyType, PyTypeRef,
};
use rustpython_vm::function::{FuncArgs, PySetterValue};
use rustpython_vm::types::Initializer;
use rustpython_vm::{AsObject, PyObject, PyObjectRef, PyRef, PyResult, VirtualMachine};
use std::sync::OnceLock;

/// A `repr` slot.
type Repr = fn(&PyObject, &VirtualMachine) -> PyResult<PyRef<PyStr>>;

/// RustPython's own `repr` slot and `__reduce__` of `OSError`.
struct Originals {
    repr: Repr,
    reduce: PyObjectRef,
    /// `socket.gaierror` and `herror`.
    resolver_errors: Vec<PyTypeRef>,
}

static ORIGINALS: OnceLock<Option<Originals>> = OnceLock::new();

/// Puts the settling `args`, `__repr__` and `__reduce__` in place, once
/// per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    ORIGINALS.get_or_init(|| {
        let os_error = vm.ctx.exceptions.os_error;
        let repr = os_error.slots.repr.load()?;
        let reduce = os_error.get_attr(vm.ctx.intern_str("__reduce__"))?;
        // The static subclasses copied the slot when they were made;
        // classes made later find `__repr__` on `OSError`.
        for class in builtin_classes(vm) {
            class.slots.repr.store(Some(settled_repr));
        }
        methods::define(
            vm,
            os_error,
            "__repr__",
            |zelf: PyObjectRef, vm: &VirtualMachine| settled_repr(&zelf, vm),
        );
        let resolver_errors = resolver_errors(vm);
        for class in &resolver_errors {
            class.slots.repr.store(Some(settled_repr));
        }
        methods::define(vm, os_error, "__reduce__", settled_reduce);
        let args = vm
            .ctx
            .new_static_getset("args", os_error, get_settled_args, set_args);
        os_error.set_attr(vm.ctx.intern_str("args"), args.into());
        let base = vm.ctx.exceptions.base_exception_type;
        let args = vm.ctx.new_static_getset("args", base, get_args, set_args);
        base.set_attr(vm.ctx.intern_str("args"), args.into());
        Some(Originals {
            repr,
            reduce,
            resolver_errors,
        })
    });
    Ok(())
}

fn originals(vm: &VirtualMachine) -> PyResult<&'static Originals> {
    ORIGINALS
        .get()
        .and_then(Option::as_ref)
        .ok_or_else(|| vm.new_runtime_error("OSError is not set up".to_owned()))
}

/// The error's arguments, cut to `(errno, strerror)` first when they are
/// the five a failed system call left (and from then on).
fn settled(error: &PyRef<PyBaseException>, vm: &VirtualMachine) -> PyResult<PyTupleRef> {
    let args = error.args();
    let [errno, strerror, filename, winerror, filename2] = args.as_slice() else {
        return Ok(args);
    };
    if ![filename, winerror, filename2]
        .iter()
        .all(|part| vm.is_none(part))
    {
        return Ok(args);
    }
    let (Some(number), Some(message)) = (
        errno.downcast_ref_if_exact::<PyInt>(vm),
        strerror.downcast_ref_if_exact::<PyStr>(vm),
    ) else {
        return Ok(args);
    };
    let class = error.class();
    let resolver = originals(vm)?
        .resolver_errors
        .iter()
        .any(|known| class.is(known));
    let raised = resolver || builtin_classes(vm).iter().any(|known| class.is(*known));
    if !raised || !(resolver || is_system_message(number, message, vm)) {
        return Ok(args);
    }
    let two = vec![errno.clone(), strerror.clone()];
    PyBaseException::init(error.clone(), FuncArgs::from(two), vm)?;
    Ok(error.args())
}

/// Whether `message` is what the C library says for error `number`
/// (`strerror`, which Rust's standard library asks too).
fn is_system_message(number: &PyInt, message: &PyStr, vm: &VirtualMachine) -> bool {
    let Ok(number) = number.try_to_primitive::<i32>(vm) else {
        return false;
    };
    match usize::try_from(number)
        .ok()
        .and_then(|at| SYSTEM_MESSAGES.get(at))
    {
        Some(known) => message.as_wtf8() == known.get_or_init(|| system_message(number)).as_str(),
        None => message.as_wtf8() == system_message(number).as_str(),
    }
}

/// The C library's messages for Linux's error numbers (up to 133), each
/// asked once: an error is settled each time it is first read.
static SYSTEM_MESSAGES: [OnceLock<String>; 134] = [const { OnceLock::new() }; 134];

/// What the C library says for error `number`, without the number Rust's
/// standard library adds.
pub(super) fn system_message(number: i32) -> String {
    let said = std::io::Error::from_raw_os_error(number).to_string();
    let suffix = format!(" (os error {number})");
    match said.strip_suffix(&suffix) {
        Some(message) => message.to_owned(),
        None => said,
    }
}

/// `socket.gaierror` and `herror` (made once per process from
/// `_socket`'s definition) do not take `OSError`'s new repr slot: theirs
/// is set here too. Imported for this alone: no interpreter starts with
/// it.
fn resolver_errors(vm: &VirtualMachine) -> Vec<PyTypeRef> {
    let imported = || -> PyResult<Vec<PyTypeRef>> {
        let modules = vm.sys_module.get_attr("modules", vm)?;
        let had_socket = modules.get_item("_socket", vm).is_ok();
        let socket = vm.import("_socket", 0)?;
        if !had_socket {
            modules.del_item("_socket", vm)?;
        }
        ["gaierror", "herror"]
            .into_iter()
            .map(|name| {
                socket
                    .get_attr(name, vm)?
                    .downcast::<PyType>()
                    .map_err(|_| vm.new_type_error(format!("_socket.{name} is not a class")))
            })
            .collect()
    };
    imported().unwrap_or_default()
}

/// `zelf` as an exception, or the refusal of the descriptor `method` of
/// `class` (CPython's `OSError` takes its `args` and `__repr__` from
/// `BaseException`).
fn as_error(
    zelf: &PyObject,
    class: &str,
    method: &str,
    vm: &VirtualMachine,
) -> PyResult<PyBaseExceptionRef> {
    zelf.to_owned()
        .downcast::<PyBaseException>()
        .map_err(|other| methods::not_a(class, method, &other, vm))
}

fn settled_repr(zelf: &PyObject, vm: &VirtualMachine) -> PyResult<PyRef<PyStr>> {
    let error = as_error(zelf, "BaseException", "__repr__", vm)?;
    settled(&error, vm)?;
    (originals(vm)?.repr)(zelf, vm)
}

fn settled_reduce(zelf: PyObjectRef, vm: &VirtualMachine) -> PyResult {
    let error = as_error(&zelf, "OSError", "__reduce__", vm)?;
    settled(&error, vm)?;
    originals(vm)?.reduce.call((zelf,), vm)
}

/// `error.args` (an `UnboundLocalError`'s in 3.11's words).
fn get_args(zelf: PyObjectRef, vm: &VirtualMachine) -> PyResult<PyTupleRef> {
    unbound_local::settled(&as_error(&zelf, "BaseException", "args", vm)?, vm)
}

/// `error.args` of an `OSError`.
fn get_settled_args(zelf: PyObjectRef, vm: &VirtualMachine) -> PyResult<PyTupleRef> {
    settled(&as_error(&zelf, "BaseException", "args", vm)?, vm)
}

/// `error.args = value`: any iterable, as a tuple; never deleted.
fn set_args(zelf: PyObjectRef, value: PySetterValue, vm: &VirtualMachine) -> PyResult<()> {
    let error = as_error(&zelf, "BaseException", "args", vm)?;
    let PySetterValue::Assign(value) = value else {
        return Err(vm.new_type_error("args may not be deleted".to_owned()));
    };
    let items = vm.ctx.types.tuple_type.as_object().call((value,), vm)?;
    let items: Vec<PyObjectRef> = items.try_into_value(vm)?;
    PyBaseException::init(error, FuncArgs::from(items), vm)
}

#[cfg(test)]
mod tests {
    use super::system_message;

    #[test]
    fn the_c_librarys_message_without_rusts_number() {
        assert_eq!(system_message(9), "Bad file descriptor");
        assert_eq!(system_message(111), "Connection refused");
        assert!(!system_message(99999).contains("os error"));
    }
}
