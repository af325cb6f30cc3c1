//! `OSError` built from arguments and written by `str()`, as CPython 3.11
//! does.
//!
//! CPython's `oserror_init` takes two to five arguments as `(errno,
//! strerror[, filename[, winerror[, filename2]]])`, keeping `errno` and
//! `strerror` whatever they are, and `filename2` only beside a filename
//! that is not None. A `BlockingIOError` whose third argument is a number
//! takes it as `characters_written`, through `PyNumber_AsSsize_t`
//! (`BlockingIOError(1, 'x', 5.5)` is refused: "'float' object cannot be
//! interpreted as an integer"). `OSError_str` writes `[Errno e] s` for
//! any `errno` and `strerror` so kept, None among them. RustPython 0.5:
//!
//! - wrote `str(OSError(None, None))` as `'(None, None)'`, not `'[Errno
//!   None] None'` (and `OSError(1, None)`, `BlockingIOError(1.5, None,
//!   None)` alike);
//! - kept `filename2` beside a None filename;
//! - took a third argument that is a number but not an integer as a
//!   `BlockingIOError`'s filename;
//! - ran no `__init__` for the `ConnectionError` subclasses, so
//!   `BrokenPipeError(1, 2, None).args` was `(1, 2)`: what `__new__` cut
//!   the arguments to, where CPython keeps them all unless a filename was
//!   given;
//! - gave a subclass with an `__init__` of its own the arguments and parts
//!   before that `__init__` ran (CPython's `__new__` leaves them to it:
//!   `args` is `()` until it does), and left keywords to `__init__` even
//!   where `OSError_new` refuses them, in the name of the class called
//!   (`OSError(13, 'x', x=1)`: "OSError() takes no keyword arguments", not
//!   the `PermissionError` it would have made).
//!
//! `OSError` and each of its builtin subclasses get CPython's `__new__`
//! and `__init__` in front of RustPython's, and `OSError` CPython's
//! `__str__`, once per process (the types are shared by every
//! interpreter).
//!
//! What still differs: RustPython answers None for a part never kept as
//! for one kept as None, so `__str__` takes `errno` and `strerror` as kept
//! when the error has two to five arguments. `e = OSError(); e.errno =
//! None; e.strerror = None` is then written `''`, where CPython writes
//! `'[Errno None] None'`.

use super::methods::{self, InitSlot, NewSlot};
use rustpython_vm::builtins::{PyBaseExceptionRef, PyType, PyTypeRef};
use rustpython_vm::common::wtf8::Wtf8Buf;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::protocol::PyNumber;
use rustpython_vm::{AsObject, Py, PyObjectRef, PyResult, VirtualMachine};
use std::sync::OnceLock;

/// RustPython's own slots of `OSError`, and the builtin classes whose
/// `__init__` is CPython's `OSError_init`.
#[derive(Clone, Copy)]
struct Originals {
    init: InitSlot,
    new: NewSlot,
    classes: [&'static Py<PyType>; 16],
}

static ORIGINALS: OnceLock<Option<Originals>> = OnceLock::new();

/// How many arguments `oserror_init` reads as the error's parts.
const PARTS: std::ops::RangeInclusive<usize> = 2..=5;

/// `OSError` and its builtin subclasses, whose `__init__` is CPython's
/// `OSError_init`, and as which RustPython raises a failed call's error.
pub(super) fn builtin_classes(vm: &VirtualMachine) -> [&'static Py<PyType>; 16] {
    let exceptions = &vm.ctx.exceptions;
    [
        exceptions.os_error,
        exceptions.blocking_io_error,
        exceptions.child_process_error,
        exceptions.connection_error,
        exceptions.broken_pipe_error,
        exceptions.connection_aborted_error,
        exceptions.connection_refused_error,
        exceptions.connection_reset_error,
        exceptions.file_exists_error,
        exceptions.file_not_found_error,
        exceptions.interrupted_error,
        exceptions.is_a_directory_error,
        exceptions.not_a_directory_error,
        exceptions.permission_error,
        exceptions.process_lookup_error,
        exceptions.timeout_error,
    ]
}

/// Puts CPython's `__new__`, `__init__` and `__str__` in place, once per
/// process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    ORIGINALS.get_or_init(|| {
        let exceptions = &vm.ctx.exceptions;
        let init = exceptions.os_error.slots.init.load()?;
        let new = exceptions.os_error.slots.new.load()?;
        let classes = builtin_classes(vm);
        for class in classes {
            methods::define_init(vm, class, checked_init);
            class.slots.new.store(Some(checked_new));
        }
        methods::define(vm, exceptions.os_error, "__str__", text);
        Some(Originals { init, new, classes })
    });
    Ok(())
}

/// CPython's `OSError_new`: keywords refused in the name of the class
/// called, before `OSError(13, ...)` becomes a `PermissionError`, unless
/// the class has an `__init__` of its own to take them and the
/// arguments.
fn checked_new(class: PyTypeRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let Some(originals) = ORIGINALS.get().copied().flatten() else {
        return Err(vm.new_runtime_error("OSError is not set up".to_owned()));
    };
    let name = vm.ctx.names.__init__;
    // The class itself first.
    let initialiser = class
        .mro
        .read()
        .iter()
        .find(|base| base.attributes.read().contains_key(name))
        .cloned();
    let builtin = |defining: &PyTypeRef| originals.classes.iter().any(|known| defining.is(*known));
    let own_init = !initialiser.as_ref().is_none_or(builtin);
    if !own_init && !args.kwargs.is_empty() {
        return Err(vm.new_type_error(format!("{}() takes no keyword arguments", class.name())));
    }
    let made = (originals.new)(class, args, vm)?;
    if own_init {
        // CPython leaves the arguments to that `__init__`: until it runs,
        // there are none, and no parts.
        made.set_attr("args", vm.ctx.empty_tuple.clone(), vm)?;
        for part in ["errno", "strerror", "filename", "filename2"] {
            made.set_attr(part, vm.ctx.none(), vm)?;
        }
    }
    Ok(made)
}

/// CPython's `OSError_init`: a `BlockingIOError`'s count checked, then
/// RustPython's, then `filename2` let go of where CPython never keeps it.
fn checked_init(zelf: PyObjectRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
    let Some(originals) = ORIGINALS.get().copied().flatten() else {
        return Err(vm.new_runtime_error("OSError is not set up".to_owned()));
    };
    let count = args.args.len();
    let third = args.args.get(2).filter(|_| PARTS.contains(&count)).cloned();
    let mut written_count = false;
    if let Some(third) = &third {
        if zelf.class().is(vm.ctx.exceptions.blocking_io_error)
            && !vm.is_none(third)
            && PyNumber::check(third)
        {
            // `PyNumber_AsSsize_t(filename, PyExc_ValueError)`.
            methods::index_sized_raising(third, vm.ctx.exceptions.value_error, vm)?;
            written_count = true;
        }
    }
    (originals.init)(zelf.clone(), args, vm)?;
    let no_filename = third.is_some_and(|third| written_count || vm.is_none(&third));
    if count == 5 && no_filename {
        zelf.set_attr("filename2", vm.ctx.none(), vm)?;
    }
    Ok(())
}

/// CPython's `OSError_str`.
fn text(zelf: PyBaseExceptionRef, vm: &VirtualMachine) -> PyResult {
    let error = zelf.as_object();
    let part = |name: &'static str| -> PyResult<Option<PyObjectRef>> {
        let value = error.get_attr(name, vm)?;
        Ok((!vm.is_none(&value)).then_some(value))
    };
    let args = zelf.args();
    // CPython keeps `errno` and `strerror` from two to five arguments,
    // None or not; RustPython answers None for both "not kept" and "None".
    let parts_given = PARTS.contains(&args.len());
    let (errno, strerror) = (part("errno")?, part("strerror")?);
    let filename = part("filename")?;
    let kept = |value: &Option<PyObjectRef>| value.is_some() || parts_given;
    if filename.is_none() && !(kept(&errno) && kept(&strerror)) {
        // `BaseException_str`.
        return match args.as_slice() {
            [] => Ok(vm.ctx.empty_str.to_owned().into()),
            [only] => Ok(only.str(vm)?.into()),
            _ => Ok(args.as_object().str(vm)?.into()),
        };
    }
    let shown = |value: Option<PyObjectRef>| value.unwrap_or_else(|| vm.ctx.none()).str(vm);
    let mut written = Wtf8Buf::from("[Errno ");
    written.push_wtf8(shown(errno)?.as_wtf8());
    written.push_str("] ");
    written.push_wtf8(shown(strerror)?.as_wtf8());
    if let Some(filename) = filename {
        written.push_str(": ");
        written.push_wtf8(filename.repr(vm)?.as_wtf8());
        if let Some(other) = part("filename2")? {
            written.push_str(" -> ");
            written.push_wtf8(other.repr(vm)?.as_wtf8());
        }
    }
    Ok(vm.ctx.new_str(written).into())
}
