//! `os.listdir(path=...)` and `os.scandir(path=...)`, as CPython 3.11
//! takes them.
//!
//! RustPython 0.5 takes their one argument by position only:
//! `os.listdir(path='/')` was "Unexpected keyword argument path". Each
//! interpreter's `posix` has these two behind fronts (see `module_copy`)
//! that bind the argument as Argument Clinic does, refusals in its words,
//! and give it to RustPython's function by position. A call without
//! keywords goes to it as it is.

use super::clinic_signature::Signature;
use super::module_copy::fronts;
use rustpython_vm::function::{FuncArgs, PyNativeFn};
use rustpython_vm::{PyResult, VirtualMachine};

fronts! {
    /// `os.listdir(path=None)`.
    listdir => |own, args, vm| by_position("listdir", own, args, vm);
    /// `os.scandir(path=None)`.
    scandir => |own, args, vm| by_position("scandir", own, args, vm);
}

/// The call of `function(path=None)` bound and given to `own` by
/// position (a path of `None` is as none).
fn by_position(
    function: &'static str,
    own: &'static dyn PyNativeFn,
    args: FuncArgs,
    vm: &VirtualMachine,
) -> PyResult {
    if args.kwargs.is_empty() && args.args.len() <= 1 {
        return own(vm, args);
    }
    let signature = Signature {
        function,
        parameters: &["path"],
        positional_only: 0,
        positional: 1,
        required: 0,
    };
    signature.call_by_position(args, false, vm, |args| own(vm, args))
}
