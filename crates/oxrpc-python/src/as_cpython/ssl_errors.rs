//! `ssl`'s exceptions as CPython 3.11's `_ssl` makes them.
//!
//! RustPython 0.5 defines them in a module it calls `ssl_error`: their
//! `__module__` and repr said `ssl_error.SSLError`, and pickle, which
//! finds a class again by its module and name, could not load one back.
//! Its `SSLError.__str__` gave a lone argument's own str, where CPython's
//! (`SSLError_str`) gives `strerror` when that is a str and `str(args)`
//! otherwise: `str(SSLError('x'))` is `"('x',)"`. And its
//! `SSLCertVerificationError` (which `ssl.CertificateError` names) was not
//! a `ValueError`, which CPython's is, so `except ValueError` around a
//! handshake or `match_hostname` missed it.
//!
//! The classes are RustPython's, shared by every interpreter, and each
//! interpreter's `_ssl`, as it is made, names them `ssl_error`'s again.
//! So interpreters are given a copy of `_ssl`'s definition (see
//! `module_copy`) that fills the module as RustPython's does, then names
//! the classes `ssl`'s; once per process, `SSLError` is given CPython's
//! `__str__` (its subclasses inherit it) and `SSLCertVerificationError`
//! CPython's bases, `(SSLError, ValueError)`, and its method resolution
//! order.

use super::methods;
use super::module_copy::{self, ExecSlot};
use rustpython_vm::builtins::{PyBaseExceptionRef, PyModule, PyModuleDef, PyStr, PyStrRef, PyType};
use rustpython_vm::{AsObject, Context, Py, PyResult, VirtualMachine};
use std::sync::{Once, OnceLock};

/// `_ssl`'s exception classes, all of which CPython's `_ssl` defines with
/// the module `ssl`.
const CLASSES: [&str; 7] = [
    "SSLError",
    "SSLZeroReturnError",
    "SSLWantReadError",
    "SSLWantWriteError",
    "SSLSyscallError",
    "SSLEOFError",
    "SSLCertVerificationError",
];

/// RustPython's `_ssl`: its definition's slot that fills the module.
static OWN_EXEC: OnceLock<Option<ExecSlot>> = OnceLock::new();

static CLASSES_MENDED: Once = Once::new();

/// The definition of `_ssl` to give interpreters, made once per process.
pub(crate) fn module_def(ctx: &Context) -> Option<&'static PyModuleDef> {
    static DEF: OnceLock<Option<&'static PyModuleDef>> = OnceLock::new();
    *DEF.get_or_init(|| {
        let original = module_copy::original(ctx, "_ssl")?;
        OWN_EXEC.get_or_init(|| original.slots.exec);
        let methods = module_copy::functions(original, |method| method.func);
        Some(module_copy::copy(original, methods, Some(exec)))
    })
}

/// Fills `_ssl` as RustPython does, then names its exceptions `ssl`'s.
fn exec(vm: &VirtualMachine, module: &Py<PyModule>) -> PyResult<()> {
    if let Some(own) = OWN_EXEC.get().copied().flatten() {
        own(vm, module)?;
    }
    let module_key = vm.ctx.intern_str("__module__");
    for name in CLASSES {
        let class = module.as_object().get_attr(name, vm)?;
        let Some(class) = class.downcast_ref::<PyType>() else {
            continue;
        };
        class.set_attr(module_key, vm.ctx.new_str("ssl").into());
    }
    let error = module.as_object().get_attr("SSLError", vm)?;
    let verification = module
        .as_object()
        .get_attr("SSLCertVerificationError", vm)?;
    if let (Some(error), Some(verification)) = (
        error.downcast_ref::<PyType>(),
        verification.downcast_ref::<PyType>(),
    ) {
        CLASSES_MENDED.call_once(|| {
            // The class lives as long as the process, as the method's
            // definition does.
            let error: &'static Py<PyType> = Box::leak(Box::new(error.to_owned()));
            methods::define(vm, error, "__str__", text);
            also_a_value_error(verification, vm);
        });
    }
    Ok(())
}

/// `SSLCertVerificationError` given `ValueError` as its second base, as
/// CPython's `_ssl` declares it: its order becomes CPython's
/// (SSLCertVerificationError, SSLError, OSError, ValueError, Exception,
/// BaseException, object). A `ValueError`'s layout is the
/// `BaseException` an `OSError` extends, so every method of `ValueError`'s
/// applies to it.
fn also_a_value_error(class: &Py<PyType>, vm: &VirtualMachine) {
    let value_error = vm.ctx.exceptions.value_error;
    let exception = vm.ctx.exceptions.exception_type;
    let mut order = class.mro.write();
    if order.iter().any(|base| base.is(value_error)) {
        return;
    }
    let Some(at) = order.iter().position(|base| base.is(exception)) else {
        return;
    };
    order.insert(at, value_error.to_owned());
    drop(order);
    class.bases.write().push(value_error.to_owned());
    class.modified();
}

/// CPython's `SSLError_str`.
fn text(error: PyBaseExceptionRef, vm: &VirtualMachine) -> PyResult<PyStrRef> {
    let strerror = error.as_object().get_attr("strerror", vm)?;
    match strerror.downcast::<PyStr>() {
        Ok(strerror) => Ok(strerror),
        Err(_) => error.args().as_object().str(vm),
    }
}
