//! `os.utime(fd, ...)`: a file's times set through its descriptor, as
//! CPython 3.11 sets them on Linux (`futimens`).
//!
//! RustPython's `utime` takes a path only: `os.utime(fd)` was "utime:
//! path should be string, bytes or os.PathLike, not int", and
//! `os.supports_fd` could not list it. Here a call given an int for its
//! path is made as CPython's makes it, in its order and words:
//!
//! - `times` is a 2-tuple of seconds, each an int or a float rounded down
//!   to the nanosecond ("utime: 'times' must be either a tuple of two ints
//!   or None", "Invalid value NaN (not a number)", "timestamp out of range
//!   for platform time_t"); `ns` a 2-tuple of nanoseconds, split with
//!   `divmod`; neither is "now"; both is refused, also with `ns=None`.
//! - A `dir_fd` is refused with a descriptor ("can't specify dir_fd
//!   without matching path"), and so is `follow_symlinks` false.
//! - -1, `path_t`'s "no descriptor", leaves no path at all: glibc's
//!   `utimensat` refuses it (EINVAL).
//!
//! A failed call names no file, as CPython's `utime` names none. Any
//! other path is RustPython's.

use super::clinic_signature::{c_int_argument, Signature};
use super::fd_errors::{descriptor_of_path, int_index};
use super::module_copy::fronts;
use num_traits::ToPrimitive;
use rustpython_vm::builtins::{PyBaseExceptionRef, PyFloat, PyInt, PyTuple};
use rustpython_vm::convert::{IntoPyException, TryFromObject};
use rustpython_vm::function::{FuncArgs, PyNativeFn};
use rustpython_vm::{PyObject, PyObjectRef, PyResult, VirtualMachine};
use std::os::fd::BorrowedFd;

fronts! {
    /// `os.utime(path, times=None, *, ns, dir_fd=None, follow_symlinks=True)`.
    utime => by_descriptor_too;
}

static UTIME: Signature = Signature {
    function: "utime",
    parameters: &["path", "times", "ns", "dir_fd", "follow_symlinks"],
    positional_only: 0,
    positional: 2,
    required: 1,
};

const NANOSECONDS: i64 = 1_000_000_000;

fn by_descriptor_too(
    own: &'static dyn PyNativeFn,
    args: FuncArgs,
    vm: &VirtualMachine,
) -> PyResult {
    let given = args.args.first().or_else(|| args.kwargs.get("path"));
    let Some(number) = given.and_then(|given| given.downcast_ref::<PyInt>()) else {
        return own(vm, args);
    };
    let descriptor = descriptor_of_path(number, vm)?;
    let bound = UTIME.bind(args, vm)?;
    let argument = |index: usize| bound.get(index).cloned().flatten();
    let dir_fd = match argument(3).filter(|dir_fd| !vm.is_none(dir_fd)) {
        Some(dir_fd) => {
            if dir_fd.downcast_ref::<PyInt>().is_none()
                && dir_fd.class().slots.as_number.index.load().is_none()
            {
                return Err(vm.new_type_error(format!(
                    "argument should be integer or None, not {}",
                    dir_fd.class().name()
                )));
            }
            Some(c_int_argument(&dir_fd, vm)?)
        }
        None => None,
    };
    let follow_symlinks = match argument(4) {
        Some(follow) => follow.try_to_bool(vm)?,
        None => true,
    };
    let times = argument(1).filter(|times| !vm.is_none(times));
    let ns = argument(2);
    let when = match (times, ns) {
        (Some(_), Some(_)) => {
            return Err(vm.new_value_error(
                "utime: you may specify either 'times' or 'ns' but not both".to_owned(),
            ))
        }
        (Some(times), None) => {
            let [access, modification] = pair(&times, vm).ok_or_else(|| {
                vm.new_type_error(
                    "utime: 'times' must be either a tuple of two ints or None".to_owned(),
                )
            })?;
            Some([seconds(&access, vm)?, seconds(&modification, vm)?])
        }
        (None, Some(ns)) => {
            let [access, modification] = pair(&ns, vm).ok_or_else(|| {
                vm.new_type_error("utime: 'ns' must be a tuple of two ints".to_owned())
            })?;
            Some([nanoseconds(&access, vm)?, nanoseconds(&modification, vm)?])
        }
        (None, None) => None,
    };
    if dir_fd.is_some() {
        return Err(
            vm.new_value_error("utime: can't specify dir_fd without matching path".to_owned())
        );
    }
    if !follow_symlinks {
        return Err(
            vm.new_value_error("utime: cannot use fd and follow_symlinks together".to_owned())
        );
    }
    if descriptor == -1 {
        return Err(std::io::Error::from_raw_os_error(nix::libc::EINVAL).into_pyexception(vm));
    }
    let now = rustix::fs::Timespec {
        tv_sec: 0,
        tv_nsec: rustix::fs::UTIME_NOW,
    };
    let [last_access, last_modification] = when.map_or([now, now], |[access, modification]| {
        let at = |(seconds, nanoseconds): (i64, i64)| rustix::fs::Timespec {
            tv_sec: seconds,
            tv_nsec: nanoseconds,
        };
        [at(access), at(modification)]
    });
    let fd = BorrowedFd::try_from_object(vm, vm.ctx.new_int(descriptor).into())?;
    rustix::fs::futimens(
        fd,
        &rustix::fs::Timestamps {
            last_access,
            last_modification,
        },
    )
    .map_err(|error| std::io::Error::from(error).into_pyexception(vm))?;
    Ok(vm.ctx.none())
}

/// The two items of `given`, if it is exactly a tuple of two.
fn pair(given: &PyObject, vm: &VirtualMachine) -> Option<[PyObjectRef; 2]> {
    let tuple = given.downcast_ref_if_exact::<PyTuple>(vm)?;
    <[PyObjectRef; 2]>::try_from(tuple.as_slice().to_vec()).ok()
}

/// `_PyTime_ObjectToTimespec` rounding down: seconds and nanoseconds.
fn seconds(given: &PyObject, vm: &VirtualMachine) -> PyResult<(i64, i64)> {
    if let Some(float) = given.downcast_ref::<PyFloat>() {
        let value = float.to_f64();
        if value.is_nan() {
            return Err(vm.new_value_error("Invalid value NaN (not a number)".to_owned()));
        }
        let mut whole = value.trunc();
        let mut part = ((value - whole) * 1e9).floor();
        if part >= 1e9 {
            part -= 1e9;
            whole += 1.0;
        } else if part < 0.0 {
            part += 1e9;
            whole -= 1.0;
        }
        // Within an i64, as `_Py_InIntegralTypeRange(time_t, ...)` asks.
        if !(-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&whole) {
            return Err(time_t_overflow(vm));
        }
        return Ok((whole as i64, part as i64));
    }
    Ok((time_t(given, vm)?, 0))
}

/// `split_py_long_to_s_and_ns`: `divmod(given, 10**9)`.
fn nanoseconds(given: &PyObject, vm: &VirtualMachine) -> PyResult<(i64, i64)> {
    // The builtin's `divmod`, which refuses in CPython's words.
    let divmod = vm.builtins.get_attr("divmod", vm)?;
    let split = divmod.call((given.to_owned(), vm.ctx.new_int(NANOSECONDS)), vm)?;
    let Some([whole, part]) = pair(&split, vm) else {
        return Err(vm.new_type_error(format!(
            "{}.__divmod__() must return a 2-tuple, not {}",
            given.class().name(),
            split.class().name()
        )));
    };
    let whole = time_t(&whole, vm)?;
    let part = c_int_argument(&part, vm)?;
    Ok((whole, i64::from(part)))
}

/// `_PyLong_AsTime_t`.
fn time_t(given: &PyObject, vm: &VirtualMachine) -> PyResult<i64> {
    int_index(given, vm)?
        .as_bigint()
        .to_i64()
        .ok_or_else(|| time_t_overflow(vm))
}

fn time_t_overflow(vm: &VirtualMachine) -> PyBaseExceptionRef {
    vm.new_overflow_error("timestamp out of range for platform time_t".to_owned())
}
