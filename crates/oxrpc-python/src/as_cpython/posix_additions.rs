//! Functions of CPython 3.11's `os` on Linux that RustPython 0.5's `posix`
//! lacks, where they need no file descriptor.
//!
//! `os.sched_getaffinity(0)` is how a program asks how many CPUs it may
//! use; `sched_setaffinity`, `killpg`, `mkfifo`, `major`, `minor` and
//! `makedev` are the rest of the set. Each takes and refuses its
//! arguments as CPython's does, in its words (its argument parser's:
//! "signed integer is greater than maximum" for a pid past a C int,
//! "CPU number too large", "an integer is required" for a device number),
//! and fails with the `OSError` the system call gave, naming no file, as
//! CPython's `posix_error()` does.
//!
//! - `sched_getaffinity` and `sched_setaffinity` ask the kernel with a
//!   set of 1,024 CPUs; CPUs past it in a mask are left out, as the kernel
//!   leaves out CPUs the machine does not have.
//! - `killpg(pgid, signal)` is `kill(-pgid, signal)` with a negative
//!   group refused (EINVAL), as glibc's is.
//! - `mkfifo` takes `dir_fd` where the path is absolute (where the system
//!   ignores it), and refuses it otherwise ("dir_fd unavailable on this
//!   platform"): opening relative to a descriptor needs code this crate
//!   does not write.
//!
//! The constants it lacks (`O_ACCMODE`, the `ST_*` mount flags, ...) are
//! `module_additions`'.
//!
//! Those that act on a file descriptor are `descriptor_additions`'. Not
//! added: `wait3`, `wait4` and `waitid` (the resource usage and the
//! `siginfo_t` they read need calls neither `nix` nor `rustix` makes
//! safely), `confstr`, `sched_rr_get_interval`, `forkpty` and
//! `login_tty`.

use super::clinic_signature::c_int_argument;
use super::clinic_signature::Signature;
use super::fd_errors::int_index;
use super::module_additions::defined;
use num_traits::{Signed, ToPrimitive};
use rustpython_vm::builtins::PyInt;
use rustpython_vm::convert::{IntoPyException, TryFromObject};
use rustpython_vm::function::{FuncArgs, PyMethodDef};
use rustpython_vm::ospath::OsPath;
use rustpython_vm::{AsObject, PyObject, PyObjectRef, PyResult, VirtualMachine};

/// The added functions, as `posix`'s definition lists its own.
pub(super) fn definitions() -> Vec<PyMethodDef> {
    vec![
        defined(
            "sched_getaffinity",
            &sched_getaffinity,
            "Return the affinity of the process identified by pid (or the current process if zero).\n\nThe affinity is returned as a set of CPU identifiers.",
        ),
        defined(
            "sched_setaffinity",
            &sched_setaffinity,
            "Set the CPU affinity of the process identified by pid to mask.\n\nmask should be an iterable of integers identifying CPUs.",
        ),
        defined(
            "killpg",
            &killpg,
            "Kill a process group with a signal.",
        ),
        defined(
            "mkfifo",
            &mkfifo,
            "Create a \"fifo\" (a POSIX named pipe).\n\nIf dir_fd is not None, it should be a file descriptor open to a directory,\n  and path should be relative; path will then be relative to that directory.\ndir_fd may not be implemented on your platform.\n  If it is unavailable, using it will raise a NotImplementedError.",
        ),
        defined(
            "major",
            &major,
            "Extracts a device major number from a raw device number.",
        ),
        defined(
            "minor",
            &minor,
            "Extracts a device minor number from a raw device number.",
        ),
        defined(
            "makedev",
            &makedev,
            "Composes a raw device number from the major and minor device numbers.",
        ),
    ]
}

/// The most CPUs a mask here holds (glibc's `CPU_SETSIZE`).
const CPUS: usize = 1024;

fn sched_getaffinity(vm: &VirtualMachine, args: FuncArgs) -> PyResult {
    let [pid] = one_argument("sched_getaffinity", args, vm)?;
    let pid = parsed_int(&pid, vm)?;
    let cpus = nix::sched::sched_getaffinity(nix::unistd::Pid::from_raw(pid))
        .map_err(|error| error.into_pyexception(vm))?;
    let allowed: Vec<PyObjectRef> = (0..CPUS)
        .filter(|&cpu| cpus.is_set(cpu).unwrap_or(false))
        .map(|cpu| vm.ctx.new_int(cpu).into())
        .collect();
    vm.ctx
        .types
        .set_type
        .as_object()
        .call((vm.ctx.new_list(allowed),), vm)
}

fn sched_setaffinity(vm: &VirtualMachine, args: FuncArgs) -> PyResult {
    let [pid, mask] = exactly("sched_setaffinity", args, vm)?;
    let pid = parsed_int(&pid, vm)?;
    let mut cpus = nix::sched::CpuSet::new();
    let items = mask.get_iter(vm)?;
    while let rustpython_vm::protocol::PyIterReturn::Return(item) = items.next(vm)? {
        let Some(number) = item.downcast_ref::<PyInt>() else {
            return Err(vm.new_type_error(format!(
                "expected an iterator of ints, but iterator yielded {}",
                item.class().as_object().repr(vm)?.as_wtf8()
            )));
        };
        let number = number.as_bigint();
        let Some(cpu) = number.to_i64() else {
            return Err(long_overflow(vm));
        };
        if cpu < 0 {
            return Err(vm.new_value_error("negative CPU number".to_owned()));
        }
        if cpu > i64::from(i32::MAX) - 1 {
            return Err(vm.new_overflow_error("CPU number too large".to_owned()));
        }
        if let Ok(cpu) = usize::try_from(cpu) {
            if cpu < CPUS {
                cpus.set(cpu).map_err(|error| error.into_pyexception(vm))?;
            }
        }
    }
    nix::sched::sched_setaffinity(nix::unistd::Pid::from_raw(pid), &cpus)
        .map_err(|error| error.into_pyexception(vm))?;
    Ok(vm.ctx.none())
}

fn killpg(vm: &VirtualMachine, args: FuncArgs) -> PyResult {
    let [group, signal] = exactly("killpg", args, vm)?;
    let group = parsed_int(&group, vm)?;
    let signal = parsed_int(&signal, vm)?;
    if group < 0 {
        return Err(std::io::Error::from_raw_os_error(nix::libc::EINVAL).into_pyexception(vm));
    }
    let kill = vm.import("posix", 0)?.get_attr("kill", vm)?;
    kill.call(
        (vm.ctx.new_int(group.wrapping_neg()), vm.ctx.new_int(signal)),
        vm,
    )
}

static MKFIFO: Signature = Signature {
    function: "mkfifo",
    parameters: &["path", "mode", "dir_fd"],
    positional_only: 0,
    positional: 2,
    required: 1,
};

fn mkfifo(vm: &VirtualMachine, args: FuncArgs) -> PyResult {
    let mut bound = MKFIFO.bind(args, vm)?.into_iter();
    let mut next = || bound.next().flatten();
    let (Some(path), mode, dir_fd) = (next(), next(), next()) else {
        return Err(
            vm.new_type_error("mkfifo() missing required argument 'path' (pos 1)".to_owned())
        );
    };
    let path = OsPath::try_from_object(vm, path)?;
    let mode = match mode {
        Some(mode) => c_int_argument(&mode, vm)?,
        None => 0o666,
    };
    if let Some(dir_fd) = dir_fd.filter(|dir_fd| !vm.is_none(dir_fd)) {
        c_int_argument(&dir_fd, vm)?;
        if !std::path::Path::new(&path.path).is_absolute() {
            return Err(
                vm.new_not_implemented_error("dir_fd unavailable on this platform".to_owned())
            );
        }
    }
    // The mode is the C int CPython passes on, its bits as given.
    let mode = nix::sys::stat::Mode::from_bits_retain(mode as nix::libc::mode_t);
    nix::unistd::mkfifo(path.path.as_os_str(), mode).map_err(|error| error.into_pyexception(vm))?;
    Ok(vm.ctx.none())
}

fn major(vm: &VirtualMachine, args: FuncArgs) -> PyResult {
    let [device] = one_argument("major", args, vm)?;
    let device = device_number(&device, vm)?;
    Ok(vm.ctx.new_int(nix::sys::stat::major(device)).into())
}

fn minor(vm: &VirtualMachine, args: FuncArgs) -> PyResult {
    let [device] = one_argument("minor", args, vm)?;
    let device = device_number(&device, vm)?;
    Ok(vm.ctx.new_int(nix::sys::stat::minor(device)).into())
}

fn makedev(vm: &VirtualMachine, args: FuncArgs) -> PyResult {
    if !args.kwargs.is_empty() {
        return Err(vm.new_type_error("posix.makedev() takes no keyword arguments".to_owned()));
    }
    let [major, minor] = <[PyObjectRef; 2]>::try_from(args.args).map_err(|given| {
        vm.new_type_error(format!("makedev expected 2 arguments, got {}", given.len()))
    })?;
    // C ints, passed on as glibc's unsigned ones.
    let major = c_int_argument(&major, vm)? as u32;
    let minor = c_int_argument(&minor, vm)? as u32;
    let device = nix::sys::stat::makedev(u64::from(major), u64::from(minor));
    // `_PyLong_FromDev`: a `long long`.
    Ok(vm.ctx.new_int(device as i64).into())
}

/// A `METH_O` function's one argument.
fn one_argument(function: &str, args: FuncArgs, vm: &VirtualMachine) -> PyResult<[PyObjectRef; 1]> {
    if !args.kwargs.is_empty() {
        return Err(vm.new_type_error(format!("posix.{function}() takes no keyword arguments")));
    }
    <[PyObjectRef; 1]>::try_from(args.args).map_err(|given| {
        vm.new_type_error(format!(
            "posix.{function}() takes exactly one argument ({} given)",
            given.len()
        ))
    })
}

/// The two arguments of a function `PyArg_ParseTuple` reads.
fn exactly(function: &str, args: FuncArgs, vm: &VirtualMachine) -> PyResult<[PyObjectRef; 2]> {
    if !args.kwargs.is_empty() {
        return Err(vm.new_type_error(format!("posix.{function}() takes no keyword arguments")));
    }
    <[PyObjectRef; 2]>::try_from(args.args).map_err(|given| {
        vm.new_type_error(format!(
            "{function}() takes exactly 2 arguments ({} given)",
            given.len()
        ))
    })
}

/// `PyArg_Parse`'s `i`: a C long first, then a C int.
fn parsed_int(value: &PyObject, vm: &VirtualMachine) -> PyResult<i32> {
    let index = int_index(value, vm)?;
    let Some(long) = index.as_bigint().to_i64() else {
        return Err(long_overflow(vm));
    };
    i32::try_from(long).map_err(|_| {
        vm.new_overflow_error(
            if long > 0 {
                "signed integer is greater than maximum"
            } else {
                "signed integer is less than minimum"
            }
            .to_owned(),
        )
    })
}

fn long_overflow(vm: &VirtualMachine) -> rustpython_vm::builtins::PyBaseExceptionRef {
    vm.new_overflow_error("Python int too large to convert to C long".to_owned())
}

/// `_Py_Dev_Converter`: `PyLong_AsUnsignedLongLong`, which reads an int
/// alone.
fn device_number(value: &PyObject, vm: &VirtualMachine) -> PyResult<u64> {
    let Some(number) = value.downcast_ref::<PyInt>() else {
        return Err(vm.new_type_error("an integer is required".to_owned()));
    };
    let number = number.as_bigint();
    if number.is_negative() {
        return Err(vm.new_overflow_error("can't convert negative int to unsigned".to_owned()));
    }
    number
        .to_u64()
        .ok_or_else(|| vm.new_overflow_error("int too big to convert".to_owned()))
}
