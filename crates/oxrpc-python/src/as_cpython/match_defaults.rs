//! `re.Match.groups(default=...)` and `groupdict(default=...)`, as
//! CPython 3.11 takes them.
//!
//! RustPython 0.5 takes the default for groups that did not take part by
//! position only: `m.groups(default='')` was "Unexpected keyword argument
//! default". The two methods of `_sre`'s `Match` (a class every
//! interpreter shares) are replaced once per process by ones that bind
//! the argument as Argument Clinic does and give it to RustPython's by
//! position (refusing too many in CPython's words); a call without
//! keywords goes to RustPython's as it is.

use super::clinic_signature::Signature;
use super::methods;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{PyResult, VirtualMachine};
use std::sync::Once;

static REPLACED: Once = Once::new();

/// Puts the two methods in place, once per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    let mut outcome = Ok(());
    REPLACED.call_once(|| {
        outcome = methods::class_of_module(vm, "_sre", "Match").map(|class| {
            for signature in [&GROUPS, &GROUPDICT] {
                let Some(own) = class.get_attr(vm.ctx.intern_str(signature.function)) else {
                    continue;
                };
                methods::define(
                    vm,
                    class,
                    signature.function,
                    move |args: FuncArgs, vm: &VirtualMachine| -> PyResult {
                        // The receiver and at most the default, by position.
                        if args.kwargs.is_empty() && args.args.len() <= 2 {
                            return own.call(args, vm);
                        }
                        signature.call_by_position(args, true, vm, |args| own.call(args, vm))
                    },
                );
            }
        });
    });
    outcome
}

/// `Match.groups(default=None)`.
static GROUPS: Signature = Signature {
    function: "groups",
    parameters: &["default"],
    positional_only: 0,
    positional: 1,
    required: 0,
};

/// `Match.groupdict(default=None)`.
static GROUPDICT: Signature = Signature {
    function: "groupdict",
    parameters: &["default"],
    positional_only: 0,
    positional: 1,
    required: 0,
};
