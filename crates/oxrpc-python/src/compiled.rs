//! Our own Python source (the classic-mode support module, the thread
//! wrappers of the cycle collector), compiled once per process.
//!
//! Every interpreter runs the same few hundred lines when it starts. With an
//! interpreter per connection, compiling them again for each one was about
//! a sixth of the server's CPU on back-to-back connects, and
//! `VirtualMachine::run_string` also imports `linecache` to register the
//! source for tracebacks. Bytecode does not belong to an interpreter: it is
//! compiled here once and each interpreter makes its own code object from a
//! copy.

use rustpython_vm::builtins::PyBaseExceptionRef;
use rustpython_vm::bytecode::CodeObject;
use rustpython_vm::compiler::{compile, Mode};
use rustpython_vm::scope::Scope;
use rustpython_vm::{PyObjectRef, VirtualMachine};
use std::sync::Mutex;

/// A source compiled under a path, with the options it was compiled with.
struct Compiled {
    path: String,
    source: String,
    optimize: u8,
    code: CodeObject,
}

/// Few entries (one per source of ours): a list is enough.
static COMPILED: Mutex<Vec<Compiled>> = Mutex::new(Vec::new());

/// Runs `source` as module code in `scope`, compiling it only the first
/// time this process sees it under `path`.
pub(crate) fn run(
    vm: &VirtualMachine,
    scope: Scope,
    source: &str,
    path: &str,
) -> Result<PyObjectRef, PyBaseExceptionRef> {
    let code = code_for(vm, source, path)?;
    vm.run_code_obj(vm.ctx.new_code(code), scope)
}

/// The bytecode of `source`, from the cache or compiled now.
fn code_for(
    vm: &VirtualMachine,
    source: &str,
    path: &str,
) -> Result<CodeObject, PyBaseExceptionRef> {
    let opts = vm.compile_opts();
    let mut compiled = COMPILED.lock().unwrap_or_else(|p| p.into_inner());
    let found = compiled
        .iter()
        .find(|c| c.path == path && c.optimize == opts.optimize && c.source == source);
    if let Some(found) = found {
        return Ok(found.code.clone());
    }
    let code = compile(source, Mode::Exec, path, opts)
        .map_err(|error| vm.new_syntax_error(&error, Some(source)))?;
    compiled.push(Compiled {
        path: path.to_owned(),
        source: source.to_owned(),
        optimize: opts.optimize,
        code: code.clone(),
    });
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `x` after running `source` as `path` in a new interpreter.
    fn x_after(source: &str, path: &str) -> Result<i64, String> {
        use rustpython::InterpreterBuilderExt;
        let interpreter = rustpython_vm::Interpreter::builder(crate::space::interpreter_settings())
            .init_stdlib()
            .build();
        interpreter.enter(|vm| {
            let scope = vm.new_scope_with_builtins();
            run(vm, scope.clone(), source, path).map_err(|e| {
                let mut text = String::new();
                let _ = vm.write_exception(&mut text, &e);
                text
            })?;
            let x = scope.globals.get_item("x", vm).map_err(|_| "no x")?;
            x.try_into_value::<i64>(vm)
                .map_err(|_| "x is not an int".into())
        })
    }

    fn entries(path: &str) -> usize {
        let compiled = COMPILED.lock().unwrap_or_else(|p| p.into_inner());
        compiled.iter().filter(|c| c.path == path).count()
    }

    #[test]
    fn a_source_is_compiled_once_and_runs_in_every_interpreter() {
        assert_eq!(x_after("x = 6 * 7", "<once>"), Ok(42));
        assert_eq!(x_after("x = 6 * 7", "<once>"), Ok(42));
        assert_eq!(entries("<once>"), 1);
        // Another source under the same name is not mistaken for it.
        assert_eq!(x_after("x = 1", "<once>"), Ok(1));
        assert_eq!(entries("<once>"), 2);
    }

    #[test]
    fn a_syntax_error_is_raised_not_cached() {
        let error = x_after("x = (", "<broken>").unwrap_err();
        assert!(error.contains("SyntaxError"), "{error}");
        assert_eq!(entries("<broken>"), 0);
    }
}
