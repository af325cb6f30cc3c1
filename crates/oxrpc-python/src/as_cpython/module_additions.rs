//! Names CPython 3.11's builtin modules have on Linux that RustPython 0.5's
//! lack: constants, aliases and small functions.
//!
//! A client's code met AttributeError for `signal.SIGRTMIN`,
//! `select.POLLRDHUP`, `fcntl.F_SETSIG`, `socket.TCP_NOTSENT_LOWAT`,
//! `socket.IPV6_JOIN_GROUP`, `termios.CINTR`, `array.typecodes`,
//! `resource.getpagesize()`, `threading.get_native_id()` (and a thread's
//! `native_id`, which `threading` sets only when `_thread` has
//! `get_native_id`), `time.tzset()` and `os.O_ACCMODE`; `time`'s zone
//! constants are read again as CPython's (`time_zone`). Each module named here is given a
//! copy of its definition (see `module_copy`) whose slot fills it as
//! RustPython's does, then adds the names it lacks: constants by the C
//! library's definitions where the `libc` crate has them, else by Linux's
//! headers (the same on every architecture but where noted); `signal`'s
//! become members of `signal.Signals` as CPython's are, since `signal`
//! makes the enum from `_signal`'s names. `posix`'s functions are
//! `posix_additions`' and `descriptor_additions`'.

use super::clinic_signature::no_arguments;
use super::descriptor_additions;
use super::module_copy::{self, ExecSlot};
use super::posix_additions;
use super::time_zone;
use rustpython_vm::builtins::{PyModule, PyModuleDef};
use rustpython_vm::function::{FuncArgs, PyMethodDef, PyMethodFlags, PyNativeFn};
use rustpython_vm::{AsObject, Context, Py, PyObjectRef, PyResult, VirtualMachine};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};

/// The modules given names, in the order their definitions are made.
pub(super) const MODULES: [&str; 10] = [
    "posix", "_signal", "select", "fcntl", "resource", "_thread", "array", "time", "_socket",
    "termios",
];

/// A name's value.
enum Value {
    Int(i64),
    Text(&'static str),
    /// The builtin `OSError` (what `resource.error` names).
    OsError,
}

/// The names `module` lacks.
fn constants(module: &str) -> Vec<(&'static str, Value)> {
    use nix::libc;
    use Value::Int;
    match module {
        "posix" => {
            let mount = |flag: libc::c_ulong| Int(i64::try_from(flag).unwrap_or(-1));
            vec![
                ("O_ACCMODE", Int(libc::O_ACCMODE.into())),
                ("O_FSYNC", Int(libc::O_FSYNC.into())),
                ("O_LARGEFILE", Int(libc::O_LARGEFILE.into())),
                ("RTLD_DEEPBIND", Int(libc::RTLD_DEEPBIND.into())),
                ("RWF_APPEND", Int(libc::RWF_APPEND.into())),
                ("RWF_DSYNC", Int(libc::RWF_DSYNC.into())),
                ("RWF_HIPRI", Int(libc::RWF_HIPRI.into())),
                ("RWF_NOWAIT", Int(libc::RWF_NOWAIT.into())),
                ("RWF_SYNC", Int(libc::RWF_SYNC.into())),
                ("ST_APPEND", mount(libc::ST_APPEND)),
                ("ST_MANDLOCK", mount(libc::ST_MANDLOCK)),
                ("ST_NOATIME", mount(libc::ST_NOATIME)),
                ("ST_NODEV", mount(libc::ST_NODEV)),
                ("ST_NODIRATIME", mount(libc::ST_NODIRATIME)),
                ("ST_NOEXEC", mount(libc::ST_NOEXEC)),
                ("ST_RELATIME", mount(libc::ST_RELATIME)),
                ("ST_SYNCHRONOUS", mount(libc::ST_SYNCHRONOUS)),
                ("ST_WRITE", mount(libc::ST_WRITE)),
                ("TMP_MAX", Int(libc::TMP_MAX.into())),
                ("MFD_HUGE_64KB", Int(libc::MFD_HUGE_64KB.into())),
                ("MFD_HUGE_512KB", Int(libc::MFD_HUGE_512KB.into())),
                ("MFD_HUGE_1MB", Int(libc::MFD_HUGE_1MB.into())),
                ("MFD_HUGE_2MB", Int(libc::MFD_HUGE_2MB.into())),
                ("MFD_HUGE_8MB", Int(libc::MFD_HUGE_8MB.into())),
                ("MFD_HUGE_16MB", Int(libc::MFD_HUGE_16MB.into())),
                ("MFD_HUGE_32MB", Int(libc::MFD_HUGE_32MB.into())),
                ("MFD_HUGE_256MB", Int(libc::MFD_HUGE_256MB.into())),
                ("MFD_HUGE_512MB", Int(libc::MFD_HUGE_512MB.into())),
                ("MFD_HUGE_1GB", Int(libc::MFD_HUGE_1GB.into())),
                ("MFD_HUGE_2GB", Int(libc::MFD_HUGE_2GB.into())),
                ("MFD_HUGE_16GB", Int(libc::MFD_HUGE_16GB.into())),
                // `linux/limits.h`.
                ("NGROUPS_MAX", Int(65536)),
                ("XATTR_SIZE_MAX", Int(65536)),
            ]
        }
        "_signal" => vec![
            ("SIGCLD", Int(libc::SIGCHLD.into())),
            ("SIGIOT", Int(libc::SIGABRT.into())),
            ("SIGPOLL", Int(libc::SIGPOLL.into())),
            ("SIGRTMIN", Int(libc::SIGRTMIN().into())),
            ("SIGRTMAX", Int(libc::SIGRTMAX().into())),
        ],
        "select" => vec![
            ("PIPE_BUF", Int(i64::try_from(libc::PIPE_BUF).unwrap_or(-1))),
            // `asm-generic/poll.h` (x86, ARM; SPARC and MIPS differ).
            ("POLLMSG", Int(0x400)),
            ("POLLRDBAND", Int(libc::POLLRDBAND.into())),
            ("POLLRDHUP", Int(libc::POLLRDHUP.into())),
            ("POLLRDNORM", Int(libc::POLLRDNORM.into())),
            ("POLLWRBAND", Int(libc::POLLWRBAND.into())),
            ("POLLWRNORM", Int(libc::POLLWRNORM.into())),
        ],
        "fcntl" => vec![
            // `linux/fcntl.h`: directory notification.
            ("DN_ACCESS", Int(0x1)),
            ("DN_MODIFY", Int(0x2)),
            ("DN_CREATE", Int(0x4)),
            ("DN_DELETE", Int(0x8)),
            ("DN_RENAME", Int(0x10)),
            ("DN_ATTRIB", Int(0x20)),
            ("DN_MULTISHOT", Int(0x8000_0000)),
            ("FASYNC", Int(libc::O_ASYNC.into())),
            // `asm-generic/fcntl.h` (x86, ARM; others differ).
            ("F_EXLCK", Int(4)),
            ("F_SHLCK", Int(8)),
            ("F_SETSIG", Int(10)),
            ("F_GETSIG", Int(11)),
            // glibc's on 64-bit machines, where they are the plain ones.
            ("F_GETLK64", Int(libc::F_GETLK.into())),
            ("F_SETLK64", Int(libc::F_SETLK.into())),
            ("F_SETLKW64", Int(libc::F_SETLKW.into())),
            // `asm-generic/fcntl.h`: the mandatory locks of old kernels.
            ("LOCK_MAND", Int(32)),
            ("LOCK_READ", Int(64)),
            ("LOCK_WRITE", Int(128)),
            ("LOCK_RW", Int(192)),
        ],
        "resource" => vec![
            ("RLIMIT_OFILE", Int(i64::from(libc::RLIMIT_NOFILE))),
            ("error", Value::OsError),
        ],
        // `linux/socket.h`, `linux/in.h`, `linux/in6.h`, `linux/if_packet.h`,
        // `linux/if_alg.h`, `linux/can/j1939.h`, `linux/tipc.h`,
        // `linux/vm_sockets.h`, `linux/tcp.h`, `netdb.h` (glibc's).
        "_socket" => vec![
            ("AF_ROSE", Int(11)),
            ("AF_QIPCRTR", Int(42)),
            ("ALG_OP_SIGN", Int(2)),
            ("ALG_OP_VERIFY", Int(3)),
            ("ALG_SET_PUBKEY", Int(6)),
            ("EAI_ADDRFAMILY", Int(-9)),
            ("IOCTL_VM_SOCKETS_GET_LOCAL_CID", Int(0x7b9)),
            ("IPV6_JOIN_GROUP", Int(20)),
            ("IPV6_LEAVE_GROUP", Int(21)),
            ("IPV6_RTHDR_TYPE_0", Int(0)),
            ("IP_BIND_ADDRESS_NO_PORT", Int(24)),
            ("IP_DEFAULT_MULTICAST_TTL", Int(1)),
            ("IP_MAX_MEMBERSHIPS", Int(20)),
            ("IP_RECVRETOPTS", Int(7)),
            ("J1939_EE_INFO_NONE", Int(0)),
            ("J1939_EE_INFO_TX_ABORT", Int(1)),
            ("J1939_FILTER_MAX", Int(512)),
            ("NI_MAXSERV", Int(32)),
            ("PACKET_HOST", Int(0)),
            ("PACKET_BROADCAST", Int(1)),
            ("PACKET_MULTICAST", Int(2)),
            ("PACKET_OTHERHOST", Int(3)),
            ("PACKET_OUTGOING", Int(4)),
            ("PACKET_LOOPBACK", Int(5)),
            ("PACKET_FASTROUTE", Int(6)),
            // `asm-generic/socket.h` (x86, ARM; others differ).
            ("SO_INCOMING_CPU", Int(49)),
            ("TCP_NOTSENT_LOWAT", Int(25)),
            ("TIPC_ADDR_NAMESEQ", Int(1)),
            ("TIPC_ADDR_NAME", Int(2)),
            ("TIPC_ADDR_ID", Int(3)),
            ("TIPC_ZONE_SCOPE", Int(1)),
            ("TIPC_CLUSTER_SCOPE", Int(2)),
            ("TIPC_NODE_SCOPE", Int(3)),
            ("TIPC_IMPORTANCE", Int(127)),
            ("TIPC_SRC_DROPPABLE", Int(128)),
            ("TIPC_DEST_DROPPABLE", Int(129)),
            ("TIPC_CONN_TIMEOUT", Int(130)),
            ("TIPC_LOW_IMPORTANCE", Int(0)),
            ("TIPC_MEDIUM_IMPORTANCE", Int(1)),
            ("TIPC_HIGH_IMPORTANCE", Int(2)),
            ("TIPC_CRITICAL_IMPORTANCE", Int(3)),
            ("TIPC_SUB_PORTS", Int(1)),
            ("TIPC_SUB_SERVICE", Int(2)),
            ("TIPC_SUB_CANCEL", Int(4)),
            // `~0U`, which CPython hands on as a C int.
            ("TIPC_WAIT_FOREVER", Int(-1)),
            ("TIPC_PUBLISHED", Int(1)),
            ("TIPC_WITHDRAWN", Int(2)),
            ("TIPC_SUBSCR_TIMEOUT", Int(3)),
            ("TIPC_CFG_SRV", Int(0)),
            ("TIPC_TOP_SRV", Int(1)),
        ],
        // The control characters of `sys/ttydefaults.h`, the line
        // disciplines of `linux/tty.h`, and `asm-generic/ioctls.h`'s
        // requests (x86, ARM; PowerPC, MIPS and SPARC differ).
        "termios" => vec![
            ("CEOF", Int(4)),
            ("CEOL", Int(0)),
            ("CEOT", Int(4)),
            ("CERASE", Int(0o177)),
            ("CFLUSH", Int(15)),
            ("CINTR", Int(3)),
            ("CKILL", Int(21)),
            ("CLNEXT", Int(22)),
            ("CQUIT", Int(0o34)),
            ("CRPRNT", Int(18)),
            ("CSTART", Int(17)),
            ("CSTOP", Int(19)),
            ("CSUSP", Int(26)),
            ("CDSUSP", Int(25)),
            ("CWERASE", Int(23)),
            ("NCC", Int(8)),
            ("N_TTY", Int(0)),
            ("N_SLIP", Int(1)),
            ("N_MOUSE", Int(2)),
            ("N_PPP", Int(3)),
            ("N_STRIP", Int(4)),
            ("IOCSIZE_MASK", Int(0x3fff_0000)),
            ("IOCSIZE_SHIFT", Int(16)),
            ("TIOCSSERIAL", Int(0x541F)),
            ("TIOCPKT", Int(0x5420)),
            ("TIOCNOTTY", Int(0x5422)),
            ("TIOCSETD", Int(0x5423)),
            ("TIOCGETD", Int(0x5424)),
            ("TCSBRKP", Int(0x5425)),
            ("FIOASYNC", Int(0x5452)),
            ("TIOCSERCONFIG", Int(0x5453)),
            ("TIOCSERGWILD", Int(0x5454)),
            ("TIOCSERSWILD", Int(0x5455)),
            ("TIOCGLCKTRMIOS", Int(0x5456)),
            ("TIOCSLCKTRMIOS", Int(0x5457)),
            ("TIOCSERGSTRUCT", Int(0x5458)),
            ("TIOCSERGETLSR", Int(0x5459)),
            ("TIOCSERGETMULTI", Int(0x545A)),
            ("TIOCSERSETMULTI", Int(0x545B)),
            ("TIOCMIWAIT", Int(0x545C)),
            ("TIOCGICOUNT", Int(0x545D)),
            ("TIOCPKT_DATA", Int(0)),
            ("TIOCPKT_FLUSHREAD", Int(1)),
            ("TIOCPKT_FLUSHWRITE", Int(2)),
            ("TIOCPKT_STOP", Int(4)),
            ("TIOCPKT_START", Int(8)),
            ("TIOCPKT_NOSTOP", Int(16)),
            ("TIOCPKT_DOSTOP", Int(32)),
            ("TIOCSER_TEMT", Int(1)),
        ],
        // The type codes CPython 3.11's `array` takes, as it lists them.
        "array" => vec![("typecodes", Value::Text("bBuhHiIlLqQfd"))],
        _ => Vec::new(),
    }
}

/// A module function's definition, as RustPython's module definitions
/// list their own.
pub(super) fn defined(
    name: &'static str,
    func: &'static dyn PyNativeFn,
    doc: &'static str,
) -> PyMethodDef {
    PyMethodDef {
        name,
        func,
        flags: PyMethodFlags::EMPTY,
        doc: Some(doc),
    }
}

/// The functions `module` lacks.
fn functions(module: &str) -> Vec<PyMethodDef> {
    match module {
        "posix" => posix_additions::definitions()
            .into_iter()
            .chain(descriptor_additions::definitions())
            .collect(),
        "_thread" => vec![defined(
            "get_native_id",
            &get_native_id,
            "Return a non-negative integer identifying the thread as reported\nby the OS (kernel). This may be used to uniquely identify a\nparticular thread within a system.",
        )],
        "resource" => vec![defined("getpagesize", &getpagesize, "")],
        "time" => vec![defined("tzset", &time_zone::tzset, "")],
        _ => Vec::new(),
    }
}

/// `def` with the names its module lacks, or `def` where it lacks none;
/// `with` makes each of the module's functions (its own and the added)
/// from its definition. Made once per process.
pub(super) fn with_additions(
    def: &'static PyModuleDef,
    with: impl Fn(&'static PyMethodDef) -> &'static dyn PyNativeFn,
) -> &'static PyModuleDef {
    let name = def.name.as_str();
    if !MODULES.contains(&name) {
        return def;
    }
    let added: &'static [PyMethodDef] = Box::leak(functions(name).into_boxed_slice());
    let methods = def
        .methods
        .iter()
        .chain(added)
        .map(|method| PyMethodDef {
            name: method.name,
            func: with(method),
            flags: method.flags,
            doc: method.doc,
        })
        .collect();
    own_execs().push((name, def.slots.exec));
    module_copy::copy(def, methods, Some(exec))
}

/// Each module's own slot that fills it, by name.
type OwnExecs = Vec<(&'static str, Option<ExecSlot>)>;

fn own_execs() -> MutexGuard<'static, OwnExecs> {
    static OWN: OnceLock<Mutex<OwnExecs>> = OnceLock::new();
    OWN.get_or_init(Default::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
}

/// Fills a module as its own slot does, then adds the names it lacks.
fn exec(vm: &VirtualMachine, module: &Py<PyModule>) -> PyResult<()> {
    let name = module.as_object().get_attr("__name__", vm)?.str(vm)?;
    let name = name.to_str().unwrap_or_default();
    let own = own_execs()
        .iter()
        .find(|(known, _)| *known == name)
        .and_then(|(_, own)| *own);
    if let Some(own) = own {
        own(vm, module)?;
    }
    for (constant, value) in constants(name) {
        if module.as_object().get_attr(constant, vm).is_ok() {
            continue;
        }
        let value: PyObjectRef = match value {
            Value::Int(number) => vm.ctx.new_int(number).into(),
            Value::Text(text) => vm.ctx.new_str(text).into(),
            Value::OsError => vm.ctx.exceptions.os_error.to_owned().into(),
        };
        module.as_object().set_attr(constant, value, vm)?;
    }
    if name == "time" {
        time_zone::set_zone_constants(module.as_object(), vm)?;
    }
    Ok(())
}

/// The definitions of the modules given names that `defs` lacks, as
/// RustPython's own.
pub(super) fn missing_from(
    ctx: &Context,
    defs: &[&'static PyModuleDef],
) -> Vec<&'static PyModuleDef> {
    MODULES
        .iter()
        .filter(|name| !defs.iter().any(|def| def.name.as_str() == **name))
        .filter_map(|name| module_copy::original(ctx, name))
        .collect()
}

/// `_thread.get_native_id()`: the kernel's id of the calling thread.
fn get_native_id(vm: &VirtualMachine, args: FuncArgs) -> PyResult {
    no_arguments("_thread.get_native_id", &args, vm)?;
    Ok(vm.ctx.new_int(nix::unistd::gettid().as_raw()).into())
}

/// `resource.getpagesize()`.
fn getpagesize(vm: &VirtualMachine, args: FuncArgs) -> PyResult {
    no_arguments("resource.getpagesize", &args, vm)?;
    let size = nix::unistd::sysconf(nix::unistd::SysconfVar::PAGE_SIZE)
        .map_err(|error| rustpython_vm::convert::IntoPyException::into_pyexception(error, vm))?
        .unwrap_or(4096);
    Ok(vm.ctx.new_int(size).into())
}
