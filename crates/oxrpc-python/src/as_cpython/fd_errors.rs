//! `os` functions given a file descriptor, read and refused as CPython's
//! converters read and refuse it, and named in their errors where CPython
//! names it.
//!
//! CPython reads a descriptor three ways, and RustPython 0.5 differed in
//! each:
//!
//! - A path that may be a descriptor (`path_t` with `allow_fd`: `stat`,
//!   `chmod`, `chown`, `chdir`, `statvfs`, `truncate`, `listdir`,
//!   `scandir`, `pathconf`). The descriptor is the file an error names:
//!   `os.chmod(999, 0)` fails with "[Errno 9] Bad file descriptor: 999",
//!   and `os.listdir(w)` of a pipe's end with "[Errno 20] Not a
//!   directory: 7" (but its EBADF names none, and `truncate`'s errors
//!   none), where RustPython named none (and took no descriptor at all in
//!   `chdir`, which CPython changes to with `fchdir`). -1 is CPython's "no
//!   descriptor", which leaves it no path: `stat(-1)` fails with EFAULT
//!   ("[Errno 14] Bad address: -1"), `listdir(-1)` and `scandir(-1)` read
//!   the current directory, where RustPython gave EBADF. A descriptor past
//!   a C int is "fd is greater than maximum" (or "less than minimum").
//! - A C int alone (`fstat`, `fchown`, `fstatvfs`): an error names no
//!   file, where RustPython named the descriptor; anything without
//!   `__index__` is refused ("'str' object cannot be interpreted as an
//!   integer"), where RustPython's `fstat` took a path.
//! - `PyObject_AsFileDescriptor` (`fsync`, `fpathconf`, `fchdir`): an
//!   int, or what an object's `fileno()` returns, never negative ("file
//!   descriptor cannot be a negative integer (-1)"); an error names no
//!   file.
//!
//! An error is made again by calling its class, as CPython's
//! `PyErr_SetFromErrnoWithFilenameObject` does, with or without the
//! descriptor.
//!
//! Not covered: `utime` given a descriptor (RustPython has no `futimens`
//! to call); `pathconf(-1, ...)`, which crashes CPython 3.11, is left to
//! RustPython (EBADF).

use super::clinic_signature::c_int_argument;
use super::exception_args::system_message;
use super::type_names::renamed_in_cpython;
use num_traits::{Signed, ToPrimitive};
use rustpython_vm::builtins::{PyBaseException, PyBaseExceptionRef, PyInt, PyModuleDef};
use rustpython_vm::function::{FuncArgs, PyMethodDef, PyNativeFn};
use rustpython_vm::{AsObject, PyObject, PyObjectRef, PyRef, PyResult, VirtualMachine};

/// How a function reads its descriptor.
#[derive(Clone, Copy)]
enum Reading {
    /// A path that may be a descriptor: what -1 does there, and whether
    /// an error names the descriptor (CPython's `truncate` calls
    /// `ftruncate`, whose errors name no file; its `listdir` and `scandir`
    /// copy the descriptor first, an error of which names none, then name
    /// it when `fdopendir` fails).
    PathOrDescriptor(AtMinusOne, Naming),
    /// A C int alone.
    Descriptor,
    /// `PyObject_AsFileDescriptor`.
    FileDescriptorOf,
}

/// Whether an error names the descriptor a path was given as.
#[derive(Clone, Copy, PartialEq)]
enum Naming {
    Descriptor,
    /// Not for EBADF, which the copy of the descriptor fails with.
    DescriptorOnceCopied,
    Nothing,
}

/// What a path of -1 (no descriptor, no path) does.
#[derive(Clone, Copy)]
enum AtMinusOne {
    /// The system is asked about a null path and refuses it (EFAULT).
    BadAddress,
    /// The current directory is read.
    CurrentDirectory,
    /// Left to RustPython.
    Own,
}

const READINGS: [(&str, Reading); 18] = [
    ("stat", path_or_descriptor_named(AtMinusOne::BadAddress)),
    ("chmod", path_or_descriptor_named(AtMinusOne::BadAddress)),
    ("chown", path_or_descriptor_named(AtMinusOne::BadAddress)),
    ("chdir", path_or_descriptor_named(AtMinusOne::BadAddress)),
    ("statvfs", path_or_descriptor_named(AtMinusOne::BadAddress)),
    ("pathconf", path_or_descriptor_named(AtMinusOne::Own)),
    (
        "truncate",
        Reading::PathOrDescriptor(AtMinusOne::BadAddress, Naming::Nothing),
    ),
    (
        "listdir",
        Reading::PathOrDescriptor(AtMinusOne::CurrentDirectory, Naming::DescriptorOnceCopied),
    ),
    (
        "scandir",
        Reading::PathOrDescriptor(AtMinusOne::CurrentDirectory, Naming::DescriptorOnceCopied),
    ),
    ("fstat", Reading::Descriptor),
    ("fchown", Reading::Descriptor),
    ("fstatvfs", Reading::Descriptor),
    ("fsync", Reading::FileDescriptorOf),
    ("fpathconf", Reading::FileDescriptorOf),
    ("fchdir", Reading::FileDescriptorOf),
    // `descriptor_additions`' functions.
    ("fdatasync", Reading::FileDescriptorOf),
    ("eventfd_read", Reading::FileDescriptorOf),
    ("eventfd_write", Reading::FileDescriptorOf),
];

const fn path_or_descriptor_named(at_minus_one: AtMinusOne) -> Reading {
    Reading::PathOrDescriptor(at_minus_one, Naming::Descriptor)
}

/// `posix`'s `method`, reading a descriptor as CPython's does: its own
/// function where it is not in the table.
pub(super) fn front(
    def: &'static PyModuleDef,
    method: &'static PyMethodDef,
) -> &'static dyn PyNativeFn {
    let own = method.func;
    let Some(&(name, reading)) = READINGS.iter().find(|(name, _)| *name == method.name) else {
        return own;
    };
    // `chdir` changes to a descriptor with `fchdir`.
    let by_descriptor = (name == "chdir")
        .then(|| def.methods.iter().find(|other| other.name == "fchdir"))
        .flatten()
        .map(|fchdir| fchdir.func);
    Box::leak(Box::new(
        move |vm: &VirtualMachine, args: FuncArgs| match reading {
            Reading::PathOrDescriptor(at_minus_one, naming) => {
                path_or_descriptor(own, by_descriptor, (at_minus_one, naming), args, vm)
            }
            Reading::Descriptor => {
                if let Some(given) = first_argument(&args, "fd") {
                    int_index(given, vm)?;
                }
                own(vm, args).map_err(|error| remade(error, None, vm))
            }
            Reading::FileDescriptorOf => {
                let args = with_file_descriptor(args, vm)?;
                own(vm, args).map_err(|error| remade(error, None, vm))
            }
        },
    ))
}

fn path_or_descriptor(
    own: &'static dyn PyNativeFn,
    by_descriptor: Option<&'static dyn PyNativeFn>,
    (at_minus_one, naming): (AtMinusOne, Naming),
    mut args: FuncArgs,
    vm: &VirtualMachine,
) -> PyResult {
    let Some(path) = first_argument(&args, "path").cloned() else {
        return own(vm, args);
    };
    let Some(number) = path.downcast_ref::<PyInt>() else {
        return own(vm, args);
    };
    let number = descriptor_of_path(number, vm)?;
    match (number, at_minus_one) {
        (-1, AtMinusOne::BadAddress) => return Err(bad_address(path, vm)),
        (-1, AtMinusOne::CurrentDirectory) => {
            match args.args.first_mut() {
                Some(first) => *first = vm.ctx.none(),
                None => {
                    args.kwargs.insert("path".to_owned(), vm.ctx.none());
                }
            }
            return own(vm, args);
        }
        _ => {}
    }
    let done = match by_descriptor {
        Some(by_descriptor) => by_descriptor(vm, FuncArgs::from(vec![path.clone()])),
        None => own(vm, args),
    };
    done.map_err(|error| {
        const EBADF: i32 = 9;
        let named = match naming {
            Naming::Descriptor => Some(path),
            Naming::DescriptorOnceCopied => {
                let errno = error.as_object().get_attr("errno", vm).ok();
                let unopened = errno.is_some_and(|errno| {
                    errno
                        .downcast_ref::<PyInt>()
                        .is_some_and(|errno| errno.as_bigint().to_i32() == Some(EBADF))
                });
                (!unopened).then_some(path)
            }
            Naming::Nothing => None,
        };
        remade(error, named, vm)
    })
}

/// An int given as a path (`path_t`'s `allow_fd`), as the descriptor it
/// names: refused past a C int as CPython's `_fd_converter` refuses it.
pub(super) fn descriptor_of_path(number: &PyInt, vm: &VirtualMachine) -> PyResult<i32> {
    number.as_bigint().to_i32().ok_or_else(|| {
        let words = if number.as_bigint().is_negative() {
            "fd is less than minimum"
        } else {
            "fd is greater than maximum"
        };
        vm.new_overflow_error(words.to_owned())
    })
}

/// The call's first argument, by position or by `keyword`.
fn first_argument<'a>(args: &'a FuncArgs, keyword: &str) -> Option<&'a PyObjectRef> {
    args.args.first().or_else(|| args.kwargs.get(keyword))
}

/// `args` with its first argument (or `fd`) read as
/// `PyObject_AsFileDescriptor` reads it: an int, or an object's
/// `fileno()`, never negative.
fn with_file_descriptor(mut args: FuncArgs, vm: &VirtualMachine) -> PyResult<FuncArgs> {
    let slot = match args.args.first_mut() {
        Some(first) => first,
        None => match args.kwargs.get_mut("fd") {
            Some(given) => given,
            None => return Ok(args),
        },
    };
    let number = if slot.class().slots.as_number.index.load().is_some() {
        slot.clone()
    } else {
        let fileno = vm
            .get_attribute_opt(slot.clone(), "fileno")?
            .ok_or_else(|| {
                vm.new_type_error("argument must be an int, or have a fileno() method.".to_owned())
            })?;
        let number = fileno.call((), vm)?;
        if number.downcast_ref::<PyInt>().is_none() {
            return Err(vm.new_type_error("fileno() returned a non-integer".to_owned()));
        }
        number
    };
    let descriptor = c_int_argument(&number, vm)?;
    if descriptor < 0 {
        return Err(vm.new_value_error(format!(
            "file descriptor cannot be a negative integer ({descriptor})"
        )));
    }
    *slot = vm.ctx.new_int(descriptor).into();
    Ok(args)
}

/// `given`'s `__index__`, refused in CPython's words where it has none.
pub(super) fn int_index(given: &PyObject, vm: &VirtualMachine) -> PyResult<PyRef<PyInt>> {
    if given.class().slots.as_number.index.load().is_none() {
        return Err(not_an_integer(given, vm));
    }
    given.try_index(vm)
}

/// CPython's refusal of a value with no `__index__` where an int is read.
pub(super) fn not_an_integer(given: &PyObject, vm: &VirtualMachine) -> PyBaseExceptionRef {
    let class = given.class();
    let name = renamed_in_cpython(class, vm).unwrap_or_else(|| class.name().to_string());
    vm.new_type_error(format!(
        "'{name}' object cannot be interpreted as an integer"
    ))
}

/// CPython's error for a call given -1 for its path: the system is asked
/// about a null path, and refuses it with EFAULT.
pub(super) fn bad_address(given: PyObjectRef, vm: &VirtualMachine) -> PyBaseExceptionRef {
    const EFAULT: i32 = 14;
    let message = system_message(EFAULT);
    let args = vec![
        vm.ctx.new_int(EFAULT).into(),
        vm.ctx.new_str(message).into(),
        given,
    ];
    made(vm.ctx.exceptions.os_error.as_object(), args, vm)
}

/// An `OSError` made again with `filename` as its file (or none), where
/// it names another; any other error as it is.
pub(super) fn remade(
    error: PyBaseExceptionRef,
    filename: Option<PyObjectRef>,
    vm: &VirtualMachine,
) -> PyBaseExceptionRef {
    if !error.fast_isinstance(vm.ctx.exceptions.os_error) {
        return error;
    }
    let part = |name: &'static str| error.as_object().get_attr(name, vm).ok();
    let (Some(errno), Some(strerror), Some(named)) =
        (part("errno"), part("strerror"), part("filename"))
    else {
        return error;
    };
    let same = match &filename {
        Some(filename) => named.is(filename),
        None => vm.is_none(&named),
    };
    if same {
        return error;
    }
    let mut args = vec![errno, strerror];
    args.extend(filename);
    made(error.class().as_object(), args, vm)
}

/// The exception `class(*args)` makes, or the error making it raised.
fn made(class: &PyObject, args: Vec<PyObjectRef>, vm: &VirtualMachine) -> PyBaseExceptionRef {
    class
        .call(args, vm)
        .and_then(|made| {
            made.downcast::<PyBaseException>()
                .map_err(|_| vm.new_type_error("an exception class made no exception".to_owned()))
        })
        .unwrap_or_else(|error| error)
}
