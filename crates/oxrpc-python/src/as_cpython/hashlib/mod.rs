//! `hashlib`'s native modules as CPython 3.11 on Debian (OpenSSL 3)
//! has them, where RustPython 0.5's differ.
//!
//! Each interpreter is given these definitions in place of RustPython's,
//! under the same names, before any code imports them.

mod arguments;
mod blake2;

use rustpython_vm::builtins::{PyModule, PyModuleDef, PyModuleSlots};
use rustpython_vm::{Context, Py, PyResult, VirtualMachine};
use std::sync::OnceLock;

static BLAKE2: OnceLock<Option<&'static PyModuleDef>> = OnceLock::new();

/// The definition of `_blake2` to give interpreters (see `blake2`).
pub(crate) fn blake2_module_def(ctx: &Context) -> Option<&'static PyModuleDef> {
    *BLAKE2.get_or_init(|| {
        let original = rustpython_stdlib::stdlib_module_defs(ctx)
            .into_iter()
            .find(|def| def.name.as_str() == "_blake2")?;
        let def = PyModuleDef {
            name: original.name,
            doc: original.doc,
            methods: &[],
            slots: PyModuleSlots {
                create: original.slots.create,
                exec: Some(fill_blake2),
            },
        };
        Some(&*Box::leak(Box::new(def)))
    })
}

fn fill_blake2(vm: &VirtualMachine, module: &Py<PyModule>) -> PyResult<()> {
    blake2::populate(module, vm)
}
