//! The builtins that compile source check it first.
//!
//! Source reaches the compiler from a client's `conn.eval` and
//! `conn.execute`, and from code that builds it as it runs:
//! `eval("-" * 100000 + "1")`, `compile(...)`, `ast.literal_eval` of a
//! deep list, an imported file (see [`crate::source`]). RustPython's
//! parser and compiler recurse
//! once per level of the syntax tree on the interpreter thread's stack,
//! and an overflow aborts the whole process, every client with it. So the
//! interpreter's `compile`, `eval` and `exec` (which `ast.parse` and the
//! import system call) refuse such source first, with the exception
//! CPython raises for it.

use crate::source::{self, Refusal};
use rustpython_vm::builtins::{PyByteArray, PyBytes, PyStr};
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine};

/// Replaces `vm`'s `compile`, `eval` and `exec` with checking ones.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    for name in ["compile", "eval", "exec"] {
        let builtin = vm.builtins.get_attr(name, vm)?;
        // A builtin calling a builtin: no frame in between, so `eval` and
        // `exec` without namespaces still see their caller's.
        let checking = vm.new_function(name, move |args: FuncArgs, vm: &VirtualMachine| {
            if let Some(source) = args.args.first().or_else(|| args.kwargs.get("source")) {
                check(source, vm)?;
            }
            builtin.call(args, vm)
        });
        vm.builtins.set_attr(name, checking, vm)?;
    }
    Ok(())
}

/// The check of `source` when it is text (a code object or an AST passes).
fn check(source: &PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
    let verdict = if let Some(text) = source.downcast_ref::<PyStr>() {
        source::check(&text.to_string_lossy())
    } else if let Some(bytes) = source.downcast_ref::<PyBytes>() {
        source::check(&String::from_utf8_lossy(bytes.as_bytes()))
    } else if let Some(bytes) = source.downcast_ref::<PyByteArray>() {
        source::check(&String::from_utf8_lossy(&bytes.borrow_buf()))
    } else {
        Ok(())
    };
    verdict.map_err(|refusal| {
        let class = match refusal {
            Refusal::Nesting => vm.ctx.exceptions.syntax_error,
            Refusal::Indentation => vm.ctx.exceptions.indentation_error,
            Refusal::Depth => vm.ctx.exceptions.recursion_error,
        };
        vm.new_exception_msg(class.to_owned(), refusal.message().into())
    })
}
