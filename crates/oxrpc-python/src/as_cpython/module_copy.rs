//! A module's definition copied with functions of ours in it.
//!
//! Each interpreter makes its own modules, from definitions RustPython
//! shares between all of them. Where some of a module's functions must
//! behave as CPython's (`math`'s domain errors, `_hashlib`, the sizes
//! `posix.read` is given), the interpreters are given, in place of
//! RustPython's, a copy of its definition made once per process: the
//! same name, doc and slots, and the functions this folder gives it.

use rustpython_vm::builtins::{PyModule, PyModuleDef, PyModuleSlots};
use rustpython_vm::function::{FuncArgs, PyMethodDef, PyNativeFn};
use rustpython_vm::{Context, Py, PyResult, VirtualMachine};

/// The slot that fills a module once it is made.
pub(super) type ExecSlot = fn(&VirtualMachine, &Py<PyModule>) -> PyResult<()>;

/// RustPython's definition of the module `name`: its standard library's,
/// else one of the interpreter's own (`posix`, `_io`, ...).
pub(super) fn original(ctx: &Context, name: &str) -> Option<&'static PyModuleDef> {
    rustpython_stdlib::stdlib_module_defs(ctx)
        .into_iter()
        .chain(rustpython_vm::stdlib::builtin_module_defs(ctx))
        .find(|def| def.name.as_str() == name)
}

/// `original`'s definition with `methods` as its functions and `exec`
/// (else its own) filling it; kept for the life of the process.
pub(super) fn copy(
    original: &'static PyModuleDef,
    methods: Vec<PyMethodDef>,
    exec: Option<ExecSlot>,
) -> &'static PyModuleDef {
    let def = PyModuleDef {
        name: original.name,
        doc: original.doc,
        methods: Box::leak(methods.into_boxed_slice()),
        slots: PyModuleSlots {
            create: original.slots.create,
            exec: exec.or(original.slots.exec),
        },
    };
    Box::leak(Box::new(def))
}

/// `original`'s functions, each given the body `body` makes of it (its
/// own, or one of ours) and keeping its name, calling flags and doc, so
/// the interpreter calls it as directly as RustPython's.
pub(super) fn functions(
    original: &'static PyModuleDef,
    body: impl Fn(&'static PyMethodDef) -> &'static dyn PyNativeFn,
) -> Vec<PyMethodDef> {
    original
        .methods
        .iter()
        .map(|method| PyMethodDef {
            name: method.name,
            func: body(method),
            flags: method.flags,
            doc: method.doc,
        })
        .collect()
}

/// A module function put in front of RustPython's own (`own`): it is
/// given the call, and calls `own` when it should.
pub(super) type Front = fn(&'static dyn PyNativeFn, FuncArgs, &VirtualMachine) -> PyResult;

/// Module functions put in front of RustPython's ([`Front`]s, which are
/// plain functions), each with a body given the call: RustPython's own
/// function, the arguments and the interpreter.
macro_rules! fronts {
    ($($(#[$doc:meta])* $name:ident => $body:expr;)*) => {$(
        $(#[$doc])*
        pub(super) fn $name(
            own: &'static dyn rustpython_vm::function::PyNativeFn,
            args: rustpython_vm::function::FuncArgs,
            vm: &rustpython_vm::VirtualMachine,
        ) -> rustpython_vm::PyResult {
            $body(own, args, vm)
        }
    )*};
}
pub(super) use fronts;

/// The definitions of the modules `fronts` names, each a copy of
/// RustPython's with the functions it names behind their fronts.
pub(super) fn fronted(
    ctx: &Context,
    fronts: &[(&str, &[(&str, Front)])],
) -> Vec<&'static PyModuleDef> {
    fronts
        .iter()
        .filter_map(|(module, fronts)| {
            let original = original(ctx, module)?;
            let methods = functions(original, |method| {
                match fronts.iter().find(|(name, _)| *name == method.name) {
                    Some((_, front)) => behind(method.func, *front),
                    None => method.func,
                }
            });
            Some(copy(original, methods, None))
        })
        .collect()
}

/// `own` called through `front`, kept for the life of the process.
pub(super) fn behind(own: &'static dyn PyNativeFn, front: Front) -> &'static dyn PyNativeFn {
    Box::leak(Box::new(move |vm: &VirtualMachine, args: FuncArgs| {
        front(own, args, vm)
    }))
}
