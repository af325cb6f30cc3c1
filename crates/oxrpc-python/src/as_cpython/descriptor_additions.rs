//! Functions of CPython 3.11's `os` on Linux that RustPython 0.5's `posix`
//! lacks and that act on a file descriptor: positioned and scattered I/O
//! (`pread`, `pwrite`, `readv`, `writev`, `preadv`, `pwritev`), `splice`,
//! `fdatasync`, `posix_fallocate`, `posix_fadvise`, `lockf`,
//! `memfd_create`, `eventfd` (with `eventfd_read` and `eventfd_write`),
//! the extended attributes (`getxattr`, `setxattr`, `listxattr`,
//! `removexattr`) and `ctermid`.
//!
//! A client's code met AttributeError for each. They are written with
//! `rustix` and `nix`, the crates RustPython's own `posix` is written
//! with, on the features it already builds. Each reads and refuses its
//! arguments as CPython's argument clinic does, in its words: a
//! descriptor or flags as a C int, a length as a `Py_ssize_t` ("Python
//! int too large to convert to C ssize_t"), an offset as an `off_t`
//! ("... to C long"), `eventfd`'s `initval` and `splice`'s `flags` as
//! `_PyLong_UnsignedInt_Converter` reads them ("value must be positive",
//! "an integer is required"), `memfd_create`'s `flags` masked to 32 bits,
//! `readv`'s buffers as writable ("Object is not writable."). A failed
//! call's `OSError` names no file, but for the extended attributes, which
//! name the path (or descriptor) they were given.
//!
//! A descriptor is lent to the system call by RustPython's own
//! conversion of an int, the one its `posix` functions use: Python hands
//! descriptors around as ints, and the call owns nothing.
//!
//! `readv` and `preadv` read into buffers of their own, then copy into
//! the caller's one at a time: a bytearray given twice is lent once at a
//! time, where lending both at once would wait on itself.
//!
//! `fdatasync` and `eventfd_read`/`eventfd_write` read their descriptor
//! as `PyObject_AsFileDescriptor` does (`fd_errors`, in front of these).
//! The extended attributes read their path as `path_t` does: -1 is
//! EFAULT once the other arguments are read, and an error names the
//! descriptor or the path. The docs and text signatures
//! are CPython's, from `builtin_docs`' table.

use super::clinic_signature::{c_int_argument, no_arguments, positional_only, Signature};
use super::fd_errors::{bad_address, descriptor_of_path, int_index, remade};
use super::memory_bounds::refuse_past_memory;
use super::module_additions::defined;
use num_traits::{Signed, ToPrimitive};
use rustpython_vm::builtins::{PyBaseExceptionRef, PyBytes, PyInt, PyStr};
use rustpython_vm::convert::{IntoPyException, TryFromBorrowedObject, TryFromObject};
use rustpython_vm::function::{ArgBytesLike, FuncArgs, PyMethodDef};
use rustpython_vm::ospath::{OsPath, PathConverter};
use rustpython_vm::protocol::PyBuffer;
use rustpython_vm::{AsObject, PyObject, PyObjectRef, PyResult, VirtualMachine};
use std::io::{IoSlice, IoSliceMut};
use std::os::fd::{BorrowedFd, IntoRawFd};
use std::os::unix::ffi::OsStrExt;

/// The added functions, as `posix`'s definition lists its own.
pub(super) fn definitions() -> Vec<PyMethodDef> {
    vec![
        defined("pread", &pread, ""),
        defined("pwrite", &pwrite, ""),
        defined("readv", &readv, ""),
        defined("writev", &writev, ""),
        defined("preadv", &preadv, ""),
        defined("pwritev", &pwritev, ""),
        defined("splice", &splice, ""),
        defined("fdatasync", &fdatasync, ""),
        defined("posix_fallocate", &posix_fallocate, ""),
        defined("posix_fadvise", &posix_fadvise, ""),
        defined("lockf", &lockf, ""),
        defined("memfd_create", &memfd_create, ""),
        defined("eventfd", &eventfd, ""),
        defined("eventfd_read", &eventfd_read, ""),
        defined("eventfd_write", &eventfd_write, ""),
        defined("getxattr", &getxattr, ""),
        defined("setxattr", &setxattr, ""),
        defined("listxattr", &listxattr, ""),
        defined("removexattr", &removexattr, ""),
        defined("ctermid", &ctermid, ""),
    ]
}

/// The most an extended attribute's value, or a file's list of them,
/// holds on Linux (`XATTR_SIZE_MAX`, `XATTR_LIST_MAX`): CPython asks with
/// this buffer when a smaller one is too small.
const XATTR_MAX: usize = 65536;

/// The most buffers one scattered read or write takes on Linux. More are
/// refused as the kernel refuses them: the call is made with none, for
/// what the kernel checks first (the descriptor, the offset), then
/// EINVAL; `rustix` would pass on the first 1,024 alone.
const IOV_MAX: usize = 1024;

fn pread(vm: &VirtualMachine, args: FuncArgs) -> PyResult {
    let [fd, length, offset] = exactly("posix.pread", "pread", args, vm)?;
    let fd = c_int(&fd, vm)?;
    let length = ssize(&length, vm)?;
    let offset = off_t(&offset, vm)?;
    let (Ok(length), Ok(offset)) = (usize::try_from(length), u64::try_from(offset)) else {
        return Err(invalid_argument(vm));
    };
    refuse_past_memory(length as u128, vm)?;
    let fd = lent(fd, vm)?;
    let mut read = Vec::with_capacity(length);
    let done = if length == 0 {
        // Still asked of the system, which refuses a bad descriptor.
        rustix::io::pread(fd, &mut [0u8; 0][..], offset).map(drop)
    } else {
        rustix::io::pread(fd, rustix::buffer::spare_capacity(&mut read), offset).map(drop)
    };
    done.map_err(|error| system_error(error, vm))?;
    Ok(vm.ctx.new_bytes(read).into())
}

fn pwrite(vm: &VirtualMachine, args: FuncArgs) -> PyResult {
    let [fd, buffer, offset] = exactly("posix.pwrite", "pwrite", args, vm)?;
    let fd = c_int(&fd, vm)?;
    let buffer = ArgBytesLike::try_from_borrowed_object(vm, &buffer)?;
    let Ok(offset) = u64::try_from(off_t(&offset, vm)?) else {
        return Err(invalid_argument(vm));
    };
    let fd = lent(fd, vm)?;
    let written = buffer
        .with_ref(|bytes| rustix::io::pwrite(fd, bytes, offset))
        .map_err(|error| system_error(error, vm))?;
    Ok(vm.ctx.new_int(written).into())
}

fn readv(vm: &VirtualMachine, args: FuncArgs) -> PyResult {
    let [fd, buffers] = exactly("posix.readv", "readv", args, vm)?;
    let fd = c_int(&fd, vm)?;
    let buffers = writable_buffers(&buffers, "readv", vm)?;
    read_into(&buffers, vm, |slices| {
        rustix::io::readv(lent(fd, vm)?, slices).map_err(|error| system_error(error, vm))
    })
}

fn preadv(vm: &VirtualMachine, args: FuncArgs) -> PyResult {
    let given = positional_only("posix.preadv", "preadv", args, 3, 4, vm)?;
    let fd = c_int(&given[0], vm)?;
    let offset = off_t(&given[2], vm)?;
    let flags = flags_argument(given.get(3), vm)?;
    // CPython 3.11 names `preadv2`, which it calls, in this refusal.
    let buffers = writable_buffers(&given[1], "preadv2", vm)?;
    read_into(&buffers, vm, |slices| {
        // `preadv2` reads an offset of -1 as "the file's own".
        rustix::io::preadv2(lent(fd, vm)?, slices, offset as u64, flags)
            .map_err(|error| system_error(error, vm))
    })
}

fn writev(vm: &VirtualMachine, args: FuncArgs) -> PyResult {
    let [fd, buffers] = exactly("posix.writev", "writev", args, vm)?;
    let fd = c_int(&fd, vm)?;
    let buffers = readable_buffers(&buffers, "writev", vm)?;
    written_from(&buffers, vm, |slices| {
        rustix::io::writev(lent(fd, vm)?, slices).map_err(|error| system_error(error, vm))
    })
}

fn pwritev(vm: &VirtualMachine, args: FuncArgs) -> PyResult {
    let given = positional_only("posix.pwritev", "pwritev", args, 3, 4, vm)?;
    let fd = c_int(&given[0], vm)?;
    let offset = off_t(&given[2], vm)?;
    let flags = flags_argument(given.get(3), vm)?;
    let buffers = readable_buffers(&given[1], "pwritev", vm)?;
    written_from(&buffers, vm, |slices| {
        rustix::io::pwritev2(lent(fd, vm)?, slices, offset as u64, flags)
            .map_err(|error| system_error(error, vm))
    })
}

static SPLICE: Signature = Signature {
    function: "splice",
    parameters: &["src", "dst", "count", "offset_src", "offset_dst", "flags"],
    positional_only: 0,
    positional: 6,
    required: 3,
};

fn splice(vm: &VirtualMachine, args: FuncArgs) -> PyResult {
    let bound = SPLICE.bind(args, vm)?;
    let argument = |index: usize| bound.get(index).cloned().flatten();
    let (Some(source), Some(destination), Some(count)) = (argument(0), argument(1), argument(2))
    else {
        return Err(vm.new_type_error("splice() missing required argument".to_owned()));
    };
    let source = c_int(&source, vm)?;
    let destination = c_int(&destination, vm)?;
    let count = ssize(&count, vm)?;
    let offset = |index: usize| -> PyResult<Option<i64>> {
        match argument(index).filter(|given| !vm.is_none(given)) {
            Some(given) => off_t(&given, vm).map(Some),
            None => Ok(None),
        }
    };
    let (mut source_offset, mut destination_offset) = (offset(3)?, offset(4)?);
    let flags = match argument(5) {
        Some(flags) => unsigned_int(&flags, vm)?,
        None => 0,
    };
    let Ok(count) = usize::try_from(count) else {
        return Err(vm.new_value_error("negative value for 'count' not allowed".to_owned()));
    };
    let moved = nix::fcntl::splice(
        lent(source, vm)?,
        source_offset.as_mut(),
        lent(destination, vm)?,
        destination_offset.as_mut(),
        count,
        nix::fcntl::SpliceFFlags::from_bits_retain(flags),
    )
    .map_err(|error| error.into_pyexception(vm))?;
    Ok(vm.ctx.new_int(moved).into())
}

static FDATASYNC: Signature = Signature {
    function: "fdatasync",
    parameters: &["fd"],
    positional_only: 0,
    positional: 1,
    required: 1,
};

fn fdatasync(vm: &VirtualMachine, args: FuncArgs) -> PyResult {
    let [fd] = bound_all::<1>(&FDATASYNC, args, vm)?;
    let fd = c_int(&fd, vm)?;
    rustix::fs::fdatasync(lent(fd, vm)?).map_err(|error| system_error(error, vm))?;
    Ok(vm.ctx.none())
}

fn posix_fallocate(vm: &VirtualMachine, args: FuncArgs) -> PyResult {
    let [fd, offset, length] = exactly("posix.posix_fallocate", "posix_fallocate", args, vm)?;
    let fd = c_int(&fd, vm)?;
    let offset = off_t(&offset, vm)?;
    let length = off_t(&length, vm)?;
    nix::fcntl::posix_fallocate(lent(fd, vm)?, offset, length)
        .map_err(|error| error.into_pyexception(vm))?;
    Ok(vm.ctx.none())
}

fn posix_fadvise(vm: &VirtualMachine, args: FuncArgs) -> PyResult {
    use nix::fcntl::PosixFadviseAdvice as Advice;
    let [fd, offset, length, advice] = exactly("posix.posix_fadvise", "posix_fadvise", args, vm)?;
    let fd = c_int(&fd, vm)?;
    let offset = off_t(&offset, vm)?;
    let length = off_t(&length, vm)?;
    let advice = match c_int(&advice, vm)? {
        nix::libc::POSIX_FADV_NORMAL => Advice::POSIX_FADV_NORMAL,
        nix::libc::POSIX_FADV_SEQUENTIAL => Advice::POSIX_FADV_SEQUENTIAL,
        nix::libc::POSIX_FADV_RANDOM => Advice::POSIX_FADV_RANDOM,
        nix::libc::POSIX_FADV_NOREUSE => Advice::POSIX_FADV_NOREUSE,
        nix::libc::POSIX_FADV_WILLNEED => Advice::POSIX_FADV_WILLNEED,
        nix::libc::POSIX_FADV_DONTNEED => Advice::POSIX_FADV_DONTNEED,
        // The kernel knows no other advice, and refuses it once it has
        // looked at the descriptor: a bad one, then a pipe, come first.
        _ => {
            let status =
                nix::sys::stat::fstat(lent(fd, vm)?).map_err(|e| e.into_pyexception(vm))?;
            let pipe = status.st_mode & nix::libc::S_IFMT == nix::libc::S_IFIFO;
            let refused = if pipe {
                std::io::Error::from_raw_os_error(nix::libc::ESPIPE).into_pyexception(vm)
            } else {
                invalid_argument(vm)
            };
            return Err(refused);
        }
    };
    nix::fcntl::posix_fadvise(lent(fd, vm)?, offset, length, advice)
        .map_err(|error| error.into_pyexception(vm))?;
    Ok(vm.ctx.none())
}

/// `lockf(fd, command, length)`, as glibc writes it: a record lock from
/// the file's position, `length` bytes long (0: to its end), through
/// `fcntl`.
fn lockf(vm: &VirtualMachine, args: FuncArgs) -> PyResult {
    use nix::fcntl::{fcntl, FcntlArg};
    use nix::libc;
    let [fd, command, length] = exactly("posix.lockf", "lockf", args, vm)?;
    let fd = c_int(&fd, vm)?;
    let command = c_int(&command, vm)?;
    let length = off_t(&length, vm)?;
    let lock = |kind: libc::c_int| libc::flock {
        l_type: kind as libc::c_short,
        l_whence: libc::SEEK_CUR as libc::c_short,
        l_start: 0,
        l_len: length,
        l_pid: 0,
    };
    let fd = lent(fd, vm)?;
    let done = match command {
        libc::F_TEST => {
            let mut asked = lock(libc::F_RDLCK);
            fcntl(fd, FcntlArg::F_GETLK(&mut asked)).and_then(|_| {
                let free = i32::from(asked.l_type) == libc::F_UNLCK
                    || asked.l_pid == nix::unistd::getpid().as_raw();
                if free {
                    Ok(0)
                } else {
                    Err(nix::errno::Errno::EACCES)
                }
            })
        }
        libc::F_ULOCK => fcntl(fd, FcntlArg::F_SETLK(&lock(libc::F_UNLCK))),
        libc::F_LOCK => fcntl(fd, FcntlArg::F_SETLKW(&lock(libc::F_WRLCK))),
        libc::F_TLOCK => fcntl(fd, FcntlArg::F_SETLK(&lock(libc::F_WRLCK))),
        _ => Err(nix::errno::Errno::EINVAL),
    };
    done.map_err(|error| error.into_pyexception(vm))?;
    Ok(vm.ctx.none())
}

static MEMFD_CREATE: Signature = Signature {
    function: "memfd_create",
    parameters: &["name", "flags"],
    positional_only: 0,
    positional: 2,
    required: 1,
};

fn memfd_create(vm: &VirtualMachine, args: FuncArgs) -> PyResult {
    let bound = MEMFD_CREATE.bind(args, vm)?;
    let mut bound = bound.into_iter().flatten();
    let name = bound.next().ok_or_else(|| {
        vm.new_type_error("memfd_create() missing required argument 'name' (pos 1)".to_owned())
    })?;
    // `PyUnicode_FSConverter`: a str, bytes or os.PathLike, without NUL.
    if !path_like(&name, vm) {
        return Err(vm.new_type_error(format!(
            "expected str, bytes or os.PathLike object, not {}",
            name.class().name()
        )));
    }
    let name = PathConverter::new().non_strict().try_path(name, vm)?;
    if name.path.as_encoded_bytes().contains(&0) {
        return Err(vm.new_value_error("embedded null byte".to_owned()));
    }
    let flags = match bound.next() {
        // `unsigned_int(bitwise=True)`: an int's low 32 bits.
        Some(flags) => int_index(&flags, vm)?.as_u32_mask(),
        None => nix::libc::MFD_CLOEXEC,
    };
    let made = rustix::fs::memfd_create(
        name.path.as_os_str(),
        rustix::fs::MemfdFlags::from_bits_retain(flags),
    )
    .map_err(|error| system_error(error, vm))?;
    Ok(vm.ctx.new_int(made.into_raw_fd()).into())
}

static EVENTFD: Signature = Signature {
    function: "eventfd",
    parameters: &["initval", "flags"],
    positional_only: 0,
    positional: 2,
    required: 1,
};

fn eventfd(vm: &VirtualMachine, args: FuncArgs) -> PyResult {
    let bound = EVENTFD.bind(args, vm)?;
    let mut bound = bound.into_iter();
    let Some(initial) = bound.next().flatten() else {
        return Err(
            vm.new_type_error("eventfd() missing required argument 'initval' (pos 1)".to_owned())
        );
    };
    let initial = unsigned_int(&initial, vm)?;
    let flags = match bound.next().flatten() {
        Some(flags) => c_int(&flags, vm)?,
        None => nix::libc::EFD_CLOEXEC,
    };
    let made = rustix::event::eventfd(
        initial,
        rustix::event::EventfdFlags::from_bits_retain(flags as u32),
    )
    .map_err(|error| system_error(error, vm))?;
    Ok(vm.ctx.new_int(made.into_raw_fd()).into())
}

static EVENTFD_READ: Signature = Signature {
    function: "eventfd_read",
    parameters: &["fd"],
    positional_only: 0,
    positional: 1,
    required: 1,
};

fn eventfd_read(vm: &VirtualMachine, args: FuncArgs) -> PyResult {
    let [fd] = bound_all::<1>(&EVENTFD_READ, args, vm)?;
    let fd = c_int(&fd, vm)?;
    let mut counter = [0u8; 8];
    let read =
        rustix::io::read(lent(fd, vm)?, &mut counter).map_err(|error| system_error(error, vm))?;
    // glibc's `eventfd_read` fails on a short read, with no errno of its
    // own; an event counter is always read whole.
    if read != counter.len() {
        return Err(invalid_argument(vm));
    }
    Ok(vm.ctx.new_int(u64::from_ne_bytes(counter)).into())
}

static EVENTFD_WRITE: Signature = Signature {
    function: "eventfd_write",
    parameters: &["fd", "value"],
    positional_only: 0,
    positional: 2,
    required: 2,
};

fn eventfd_write(vm: &VirtualMachine, args: FuncArgs) -> PyResult {
    let [fd, value] = bound_all::<2>(&EVENTFD_WRITE, args, vm)?;
    let fd = c_int(&fd, vm)?;
    // `_PyLong_UnsignedLongLong_Converter`.
    let value = unsigned_argument(&value, vm)?
        .as_bigint()
        .to_u64()
        .ok_or_else(|| vm.new_overflow_error("int too big to convert".to_owned()))?;
    let written = rustix::io::write(lent(fd, vm)?, &value.to_ne_bytes())
        .map_err(|error| system_error(error, vm))?;
    if written != 8 {
        return Err(invalid_argument(vm));
    }
    Ok(vm.ctx.none())
}

/// `ctermid()`: glibc's names the controlling terminal `/dev/tty`, always.
fn ctermid(vm: &VirtualMachine, args: FuncArgs) -> PyResult {
    no_arguments("posix.ctermid", &args, vm)?;
    Ok(vm.ctx.new_str("/dev/tty").into())
}

/// A path (and whether it was given, which an error then names), or
/// the descriptor it may be given as.
enum Target {
    Path(OsPath, bool),
    Descriptor(i32),
}

/// Where an extended attribute is read: which file, and whether a link
/// is followed.
struct Attributed {
    target: Target,
    follow_symlinks: bool,
}

impl Attributed {
    /// `path` read as `path_t` (with `allow_fd`) reads it for `function`,
    /// and `follow_symlinks`, refused with a descriptor.
    fn read(
        function: &'static str,
        path: Option<PyObjectRef>,
        follow_symlinks: Option<PyObjectRef>,
        vm: &VirtualMachine,
    ) -> PyResult<Self> {
        let follow_symlinks = match follow_symlinks {
            Some(given) => given.try_to_bool(vm)?,
            None => true,
        };
        let target = match path.filter(|path| !vm.is_none(path)) {
            None => Target::Path(OsPath::new_str("."), false),
            Some(given) => match given.downcast_ref::<PyInt>() {
                Some(number) => Target::Descriptor(descriptor_of_path(number, vm)?),
                None => Target::Path(path_argument(function, "path", true, &given, vm)?, true),
            },
        };
        if matches!(target, Target::Descriptor(_)) && !follow_symlinks {
            return Err(vm.new_value_error(format!(
                "{function}: cannot use fd and follow_symlinks together"
            )));
        }
        Ok(Self {
            target,
            follow_symlinks,
        })
    }

    /// The descriptor to ask of, once every argument is read: -1 is
    /// `path_t`'s "no descriptor", and the system, asked about no path,
    /// refuses it (EFAULT).
    fn descriptor(&self, number: i32, vm: &VirtualMachine) -> PyResult<BorrowedFd<'static>> {
        if number == -1 {
            return Err(bad_address(vm.ctx.new_int(number).into(), vm));
        }
        lent(number, vm)
    }

    /// `error` naming the file it was asked of.
    fn failed(&self, error: rustix::io::Errno, vm: &VirtualMachine) -> PyBaseExceptionRef {
        let named = match &self.target {
            Target::Path(path, true) => Some(path.filename(vm)),
            Target::Path(_, false) => None,
            Target::Descriptor(number) => Some(vm.ctx.new_int(*number).into()),
        };
        remade(system_error(error, vm), named, vm)
    }
}

static GETXATTR: Signature = Signature {
    function: "getxattr",
    parameters: &["path", "attribute", "follow_symlinks"],
    positional_only: 0,
    positional: 2,
    required: 2,
};

fn getxattr(vm: &VirtualMachine, args: FuncArgs) -> PyResult {
    let [path, attribute, follow] = bound_some::<3>(&GETXATTR, args, vm)?;
    let file = Attributed::read("getxattr", path, follow, vm)?;
    let name = attribute_name("getxattr", attribute, vm)?;
    let mut value = Vec::with_capacity(XATTR_MAX);
    let buffer = rustix::buffer::spare_capacity(&mut value);
    let done = match &file.target {
        Target::Descriptor(number) => {
            rustix::fs::fgetxattr(file.descriptor(*number, vm)?, &name.path, buffer)
        }
        Target::Path(path, _) if file.follow_symlinks => {
            rustix::fs::getxattr(path.path.as_os_str(), &name.path, buffer)
        }
        Target::Path(path, _) => rustix::fs::lgetxattr(path.path.as_os_str(), &name.path, buffer),
    };
    done.map_err(|error| file.failed(error, vm))?;
    Ok(vm.ctx.new_bytes(value).into())
}

static SETXATTR: Signature = Signature {
    function: "setxattr",
    parameters: &["path", "attribute", "value", "flags", "follow_symlinks"],
    positional_only: 0,
    positional: 4,
    required: 3,
};

fn setxattr(vm: &VirtualMachine, args: FuncArgs) -> PyResult {
    let [path, attribute, value, flags, follow] = bound_some::<5>(&SETXATTR, args, vm)?;
    let file = Attributed::read("setxattr", path, follow, vm)?;
    let name = attribute_name("setxattr", attribute, vm)?;
    let value = value.ok_or_else(|| {
        vm.new_type_error("setxattr() missing required argument 'value' (pos 3)".to_owned())
    })?;
    let value = ArgBytesLike::try_from_borrowed_object(vm, &value)?;
    let flags = match flags {
        Some(flags) => c_int(&flags, vm)?,
        None => 0,
    };
    let flags = rustix::fs::XattrFlags::from_bits_retain(flags as u32);
    let done = value.with_ref(|value| match &file.target {
        Target::Descriptor(number) => file
            .descriptor(*number, vm)
            .map(|fd| rustix::fs::fsetxattr(fd, &name.path, value, flags)),
        Target::Path(path, _) if file.follow_symlinks => Ok(rustix::fs::setxattr(
            path.path.as_os_str(),
            &name.path,
            value,
            flags,
        )),
        Target::Path(path, _) => Ok(rustix::fs::lsetxattr(
            path.path.as_os_str(),
            &name.path,
            value,
            flags,
        )),
    })?;
    done.map_err(|error| file.failed(error, vm))?;
    Ok(vm.ctx.none())
}

static LISTXATTR: Signature = Signature {
    function: "listxattr",
    parameters: &["path", "follow_symlinks"],
    positional_only: 0,
    positional: 1,
    required: 0,
};

fn listxattr(vm: &VirtualMachine, args: FuncArgs) -> PyResult {
    let [path, follow] = bound_some::<2>(&LISTXATTR, args, vm)?;
    let file = Attributed::read("listxattr", path, follow, vm)?;
    let mut list = Vec::with_capacity(XATTR_MAX);
    let buffer = rustix::buffer::spare_capacity(&mut list);
    let done = match &file.target {
        Target::Descriptor(number) => rustix::fs::flistxattr(file.descriptor(*number, vm)?, buffer),
        Target::Path(path, _) if file.follow_symlinks => {
            rustix::fs::listxattr(path.path.as_os_str(), buffer)
        }
        Target::Path(path, _) => rustix::fs::llistxattr(path.path.as_os_str(), buffer),
    };
    done.map_err(|error| file.failed(error, vm))?;
    // Names end in NUL; each is decoded as the file system's, as CPython
    // decodes them whatever the path was given as.
    let names = list
        .split(|&byte| byte == 0)
        .filter(|name| !name.is_empty())
        .map(|name| vm.fsdecode(std::ffi::OsStr::from_bytes(name)).into())
        .collect();
    Ok(vm.ctx.new_list(names).into())
}

static REMOVEXATTR: Signature = Signature {
    function: "removexattr",
    parameters: &["path", "attribute", "follow_symlinks"],
    positional_only: 0,
    positional: 2,
    required: 2,
};

fn removexattr(vm: &VirtualMachine, args: FuncArgs) -> PyResult {
    let [path, attribute, follow] = bound_some::<3>(&REMOVEXATTR, args, vm)?;
    let file = Attributed::read("removexattr", path, follow, vm)?;
    let name = attribute_name("removexattr", attribute, vm)?;
    let done = match &file.target {
        Target::Descriptor(number) => {
            rustix::fs::fremovexattr(file.descriptor(*number, vm)?, &name.path)
        }
        Target::Path(path, _) if file.follow_symlinks => {
            rustix::fs::removexattr(path.path.as_os_str(), &name.path)
        }
        Target::Path(path, _) => rustix::fs::lremovexattr(path.path.as_os_str(), &name.path),
    };
    done.map_err(|error| file.failed(error, vm))?;
    Ok(vm.ctx.none())
}

/// An attribute's name, read as `path_t` reads it (without a
/// descriptor).
fn attribute_name(
    function: &'static str,
    given: Option<PyObjectRef>,
    vm: &VirtualMachine,
) -> PyResult<OsPath> {
    let given = given.ok_or_else(|| {
        vm.new_type_error(format!(
            "{function}() missing required argument 'attribute' (pos 2)"
        ))
    })?;
    path_argument(function, "attribute", false, &given, vm)
}

/// `given` read as `path_t` reads the argument `argument` of `function`:
/// a str, bytes or os.PathLike, refused in its words (which name ints
/// too where a descriptor is taken).
fn path_argument(
    function: &'static str,
    argument: &'static str,
    allow_fd: bool,
    given: &PyObjectRef,
    vm: &VirtualMachine,
) -> PyResult<OsPath> {
    if !path_like(given, vm) {
        return Err(vm.new_type_error(format!(
            "{function}: {argument} should be string, bytes{} not {}",
            if allow_fd {
                ", os.PathLike or integer,"
            } else {
                " or os.PathLike,"
            },
            given.class().name()
        )));
    }
    PathConverter::new()
        .function(function)
        .argument(argument)
        .try_path(given.clone(), vm)
}

/// Whether `given` is a str, bytes or os.PathLike.
fn path_like(given: &PyObject, vm: &VirtualMachine) -> bool {
    given.downcast_ref::<PyStr>().is_some()
        || given.downcast_ref::<PyBytes>().is_some()
        || given.class().has_attr(vm.ctx.intern_str("__fspath__"))
}

/// The `N` arguments of a positional-only function, or CPython's
/// refusal (`function` names it for keywords, `method` for the count).
fn exactly<const N: usize>(
    function: &str,
    method: &str,
    args: FuncArgs,
    vm: &VirtualMachine,
) -> PyResult<[PyObjectRef; N]> {
    <[PyObjectRef; N]>::try_from(positional_only(function, method, args, N, N, vm)?)
        .map_err(|_| vm.new_type_error(format!("{method} expected {N} arguments")))
}

/// Every parameter of `signature` bound, all of them required.
fn bound_all<const N: usize>(
    signature: &Signature,
    args: FuncArgs,
    vm: &VirtualMachine,
) -> PyResult<[PyObjectRef; N]> {
    let bound: Option<Vec<PyObjectRef>> = signature.bind(args, vm)?.into_iter().collect();
    bound
        .and_then(|bound| <[PyObjectRef; N]>::try_from(bound).ok())
        .ok_or_else(|| vm.new_type_error(format!("{}() missing an argument", signature.function)))
}

/// Every parameter of `signature` bound, where given.
fn bound_some<const N: usize>(
    signature: &Signature,
    args: FuncArgs,
    vm: &VirtualMachine,
) -> PyResult<[Option<PyObjectRef>; N]> {
    <[Option<PyObjectRef>; N]>::try_from(signature.bind(args, vm)?)
        .map_err(|_| vm.new_type_error(format!("{}() takes {N} arguments", signature.function)))
}

/// `readv`'s buffers: a sequence of writable bytes-like objects.
fn writable_buffers(
    given: &PyObject,
    function: &str,
    vm: &VirtualMachine,
) -> PyResult<Vec<PyBuffer>> {
    each_of_sequence(given, function, vm, |item| {
        let buffer = contiguous(item, vm)?;
        if buffer.desc.readonly {
            return Err(vm.new_buffer_error("Object is not writable.".to_owned()));
        }
        Ok(buffer)
    })
}

/// `writev`'s buffers: a sequence of bytes-like objects, copied.
fn readable_buffers(
    given: &PyObject,
    function: &str,
    vm: &VirtualMachine,
) -> PyResult<Vec<Vec<u8>>> {
    each_of_sequence(given, function, vm, |item| {
        let buffer = contiguous(item, vm)?;
        let bytes = buffer.as_contiguous().map(|bytes| bytes.to_vec());
        Ok(bytes.unwrap_or_default())
    })
}

/// `item`'s buffer, refused as `PyObject_GetBuffer` refuses a strided
/// memoryview where a plain buffer is asked for.
fn contiguous(item: &PyObject, vm: &VirtualMachine) -> PyResult<PyBuffer> {
    let buffer = PyBuffer::try_from_borrowed_object(vm, item)?;
    if !buffer.desc.is_contiguous() {
        return Err(
            vm.new_buffer_error("memoryview: underlying buffer is not C-contiguous".to_owned())
        );
    }
    Ok(buffer)
}

/// `read` of each item of the sequence `given` (CPython's
/// `PySequence_Check`, then each item by index).
fn each_of_sequence<T>(
    given: &PyObject,
    function: &str,
    vm: &VirtualMachine,
    mut read: impl FnMut(&PyObject) -> PyResult<T>,
) -> PyResult<Vec<T>> {
    let sequence = given.sequence_unchecked();
    if !sequence.check()
        || given
            .downcast_ref::<rustpython_vm::builtins::PyDict>()
            .is_some()
    {
        return Err(vm.new_type_error(format!("{function}() arg 2 must be a sequence")));
    }
    let length = sequence.length(vm)?;
    let mut items = Vec::with_capacity(length.min(1024));
    for index in 0..length {
        // By `__getitem__`: RustPython's item slot of bytes gives bytes.
        let item = given.get_item(vm.ctx.new_int(index).as_object(), vm)?;
        items.push(read(&item)?);
    }
    Ok(items)
}

/// Writes `buffers` with `write`.
fn written_from(
    buffers: &[Vec<u8>],
    vm: &VirtualMachine,
    write: impl FnOnce(&[IoSlice<'_>]) -> PyResult<usize>,
) -> PyResult {
    if buffers.len() > IOV_MAX {
        write(&[])?;
        return Err(invalid_argument(vm));
    }
    let slices: Vec<IoSlice<'_>> = buffers.iter().map(|bytes| IoSlice::new(bytes)).collect();
    Ok(vm.ctx.new_int(write(&slices)?).into())
}

/// Reads with `read` into buffers of this function's own, as long as
/// `buffers`, then copies what was read into each in turn.
fn read_into(
    buffers: &[PyBuffer],
    vm: &VirtualMachine,
    read: impl FnOnce(&mut [IoSliceMut<'_>]) -> PyResult<usize>,
) -> PyResult {
    if buffers.len() > IOV_MAX {
        read(&mut [])?;
        return Err(invalid_argument(vm));
    }
    let lengths: Vec<usize> = buffers.iter().map(|buffer| buffer.desc.len).collect();
    refuse_past_memory(lengths.iter().map(|&length| length as u128).sum(), vm)?;
    let mut own: Vec<Vec<u8>> = lengths.iter().map(|&length| vec![0; length]).collect();
    let mut slices: Vec<IoSliceMut<'_>> =
        own.iter_mut().map(|bytes| IoSliceMut::new(bytes)).collect();
    let read = read(&mut slices)?;
    let mut left = read;
    for (buffer, bytes) in buffers.iter().zip(&own) {
        if left == 0 {
            break;
        }
        let taken = left.min(bytes.len());
        let Some(mut target) = buffer.as_contiguous_mut() else {
            return Err(
                vm.new_buffer_error("non-contiguous buffer is not a bytes-like object".to_owned())
            );
        };
        target[..taken].copy_from_slice(&bytes[..taken]);
        left -= taken;
    }
    Ok(vm.ctx.new_int(read).into())
}

/// `preadv`'s and `pwritev`'s `flags`: a C int, 0 when not given.
fn flags_argument(
    given: Option<&PyObjectRef>,
    vm: &VirtualMachine,
) -> PyResult<rustix::io::ReadWriteFlags> {
    let flags = match given {
        Some(flags) => c_int(flags, vm)?,
        None => 0,
    };
    Ok(rustix::io::ReadWriteFlags::from_bits_retain(flags as u32))
}

/// The descriptor `number` lent to a system call, by RustPython's own
/// conversion (which is where the one unchecked step lives).
fn lent(number: i32, vm: &VirtualMachine) -> PyResult<BorrowedFd<'static>> {
    BorrowedFd::try_from_object(vm, vm.ctx.new_int(number).into())
}

/// An `int` argument: anything with `__index__`, within a C int.
fn c_int(given: &PyObjectRef, vm: &VirtualMachine) -> PyResult<i32> {
    // Its `__index__` asked once: the int it gives is read again.
    c_int_argument(&int_index(given, vm)?.into(), vm)
}

/// A `Py_ssize_t` argument.
fn ssize(given: &PyObject, vm: &VirtualMachine) -> PyResult<isize> {
    int_index(given, vm)?.as_bigint().to_isize().ok_or_else(|| {
        vm.new_overflow_error("Python int too large to convert to C ssize_t".to_owned())
    })
}

/// A `Py_off_t` argument (`PyLong_AsLongLong`).
fn off_t(given: &PyObject, vm: &VirtualMachine) -> PyResult<i64> {
    int_index(given, vm)?.as_bigint().to_i64().ok_or_else(|| {
        vm.new_overflow_error("Python int too large to convert to C long".to_owned())
    })
}

/// An int that is not negative, as CPython's unsigned converters read
/// one: an int itself (no `__index__`), else "an integer is required".
fn unsigned_argument<'a>(given: &'a PyObject, vm: &VirtualMachine) -> PyResult<&'a PyInt> {
    let Some(number) = given.downcast_ref::<PyInt>() else {
        return Err(vm.new_type_error("an integer is required".to_owned()));
    };
    if number.as_bigint().is_negative() {
        return Err(vm.new_value_error("value must be positive".to_owned()));
    }
    Ok(number)
}

/// `_PyLong_UnsignedInt_Converter`.
fn unsigned_int(given: &PyObject, vm: &VirtualMachine) -> PyResult<u32> {
    unsigned_argument(given, vm)?
        .as_bigint()
        .to_u32()
        .ok_or_else(|| vm.new_overflow_error("Python int too large for C unsigned int".to_owned()))
}

/// The system's refusal of an argument (EINVAL), where this code refuses
/// it before the call would.
fn invalid_argument(vm: &VirtualMachine) -> PyBaseExceptionRef {
    std::io::Error::from_raw_os_error(nix::libc::EINVAL).into_pyexception(vm)
}

/// A failed system call's `OSError`, naming no file.
fn system_error(error: rustix::io::Errno, vm: &VirtualMachine) -> PyBaseExceptionRef {
    std::io::Error::from(error).into_pyexception(vm)
}
