//! `hashlib`'s native modules, `_hashlib` and `_blake2`, as CPython 3.11
//! on Debian (OpenSSL 3) has them, where RustPython 0.5's differ.
//!
//! Each interpreter is given these definitions in place of RustPython's,
//! under the same names, before any code imports them. Their classes are
//! shared by every interpreter (immutable, as CPython's are); their
//! modules are each interpreter's own.

mod algorithms;
mod arguments;
mod blake2;
mod hash_object;
mod hmac_object;
mod kdf;
mod openssl;

use super::module_copy::{self, ExecSlot};
use rustpython_vm::builtins::{PyModule, PyModuleDef};
use rustpython_vm::function::{IntoPyNativeFn, PyMethodDef, PyMethodFlags};
use rustpython_vm::{Context, Py, PyResult, VirtualMachine};
use std::sync::OnceLock;

static BLAKE2: OnceLock<Option<&'static PyModuleDef>> = OnceLock::new();
static HASHLIB: OnceLock<Option<&'static PyModuleDef>> = OnceLock::new();

/// The definition of `_blake2` to give interpreters (see `blake2`).
pub(crate) fn blake2_module_def(ctx: &Context) -> Option<&'static PyModuleDef> {
    *BLAKE2.get_or_init(|| replacement(ctx, "_blake2", Vec::new(), fill_blake2))
}

/// The definition of `_hashlib` to give interpreters (see `openssl`).
pub(crate) fn hashlib_module_def(ctx: &Context) -> Option<&'static PyModuleDef> {
    *HASHLIB.get_or_init(|| {
        let original = module_copy::original(ctx, "_hashlib")?;
        let mut methods = vec![
            function("new", openssl::new),
            function("get_fips_mode", openssl::get_fips_mode),
            function("hmac_new", hmac_object::hmac_new),
            function("hmac_digest", hmac_object::hmac_digest),
            function("pbkdf2_hmac", kdf::pbkdf2_hmac),
            function("scrypt", kdf::scrypt),
        ];
        methods.extend(
            openssl::CONSTRUCTORS
                .iter()
                .map(|(name, constructor)| function(name, *constructor)),
        );
        // RustPython's comparison is CPython's (`_operator`'s rules).
        methods.extend(
            original
                .methods
                .iter()
                .filter(|method| method.name == "compare_digest")
                .map(|method| PyMethodDef {
                    name: method.name,
                    func: method.func,
                    flags: method.flags,
                    doc: method.doc,
                }),
        );
        replacement(ctx, "_hashlib", methods, fill_hashlib)
    })
}

/// A definition in place of RustPython's module `name`: `methods` as its
/// functions, `fill` setting the rest once they are in place.
fn replacement(
    ctx: &Context,
    name: &str,
    methods: Vec<PyMethodDef>,
    fill: ExecSlot,
) -> Option<&'static PyModuleDef> {
    let original = module_copy::original(ctx, name)?;
    Some(module_copy::copy(original, methods, Some(fill)))
}

/// A module function's definition, kept for the life of the process like
/// RustPython's own.
fn function<F, Kind>(name: &'static str, body: F) -> PyMethodDef
where
    F: IntoPyNativeFn<Kind>,
{
    PyMethodDef {
        name,
        func: Box::leak(Box::new(body.into_func())),
        flags: PyMethodFlags::FASTCALL | PyMethodFlags::KEYWORDS,
        doc: None,
    }
}

fn fill_blake2(vm: &VirtualMachine, module: &Py<PyModule>) -> PyResult<()> {
    blake2::populate(module, vm)
}

fn fill_hashlib(vm: &VirtualMachine, module: &Py<PyModule>) -> PyResult<()> {
    openssl::populate(module, vm)
}
