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
//!
//! What `compile` and `exec` compile from text also has its docstrings
//! put back as written ([`written_docstrings`]): `exec` of text is given
//! the code compiled as its own compilation would, then docstrings mended.
//! A code object in a namespace is run without RustPython's detour
//! ([`code_in_namespace`]). And the three take their arguments as CPython
//! 3.11's do where RustPython's differed: `exec` of bytes, `exec`'s
//! `closure=None`, keywords refused, NUL refused, `exec` returning `None`.
//!
//! Source the three cannot compile raises the `SyntaxError` CPython
//! raises for it ([`syntax_errors`]); `eval` of text compiles it here for
//! that. A module RustPython compiled whose indentation CPython's
//! tokenizer refuses (tabs and spaces) is refused too.

use crate::as_cpython::code_in_namespace;
use crate::as_cpython::reparsed::Reparsed;
use crate::as_cpython::source_positions;
use crate::as_cpython::syntax_errors::{self, Input};
use crate::as_cpython::written_docstrings::{self, ModuleDoc};
use crate::source::{self, Refusal};
use rustpython_vm::builtins::{PyBaseExceptionRef, PyByteArray, PyBytes, PyCode, PyStr};
use rustpython_vm::compiler::Mode;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{PyObjectRef, PyRef, PyResult, VirtualMachine};

/// Replaces `vm`'s `compile`, `eval` and `exec` with checking ones.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    let compile = vm.builtins.get_attr("compile", vm)?;
    let eval = vm.builtins.get_attr("eval", vm)?;
    let exec = vm.builtins.get_attr("exec", vm)?;
    // A builtin calling a builtin: no frame in between, so `eval` and
    // `exec` without namespaces still see their caller's.
    let compiling = {
        let compile = compile.clone();
        vm.new_function("compile", move |args: FuncArgs, vm: &VirtualMachine| {
            let source = args
                .args
                .first()
                .or_else(|| args.kwargs.get("source"))
                .cloned();
            let Some(source) = source else {
                return compile.call(args, vm);
            };
            check(&source, vm)?;
            let module_doc = mode_of(&args);
            let input = match module_doc {
                ModuleDoc::Counts => Input::Module,
                ModuleDoc::DoesNotCount => Input::Expression,
            };
            let filename = args
                .args
                .get(1)
                .or_else(|| args.kwargs.get("filename"))
                .and_then(|name| name.downcast_ref::<PyStr>())
                .and_then(|name| name.to_str().map(str::to_owned));
            let compiled = compile
                .call(args, vm)
                .map_err(|error| mended(error, &source, input, vm))?;
            if let (Input::Module, Some(filename)) = (input, filename) {
                refuse_indentation(&source, &filename, vm)?;
            }
            Ok(with_written_docstrings(compiled, &source, module_doc, vm))
        })
    };
    let evaluating = vm.new_function("eval", move |mut args: FuncArgs, vm: &VirtualMachine| {
        if !args.kwargs.is_empty() {
            return Err(vm.new_type_error("eval() takes no keyword arguments"));
        }
        if let Some(source) = args.args.first() {
            if !is_source(source, vm) {
                return Err(
                    vm.new_type_error("eval() arg 1 must be a string, bytes or code object")
                );
            }
            check(source, vm)?;
            if let Some(code) = compiled_for_eval(source, vm)? {
                args.args[0] = code;
            }
        }
        code_in_namespace::run(&args, vm).unwrap_or_else(|| eval.call(args, vm))
    });
    let executing = vm.new_function("exec", move |mut args: FuncArgs, vm: &VirtualMachine| {
        let source = args.args.first().cloned();
        exec_keywords(&mut args, source.as_ref(), vm)?;
        if let Some(source) = source {
            check(&source, vm)?;
            if let Some(code) = compiled_for_exec(&source, &compile, vm)? {
                args.args[0] = code;
            }
        }
        code_in_namespace::run(&args, vm)
            .unwrap_or_else(|| exec.call(args, vm))
            .map(|_| vm.ctx.none())
    });
    vm.builtins.set_attr("compile", compiling, vm)?;
    vm.builtins.set_attr("eval", evaluating, vm)?;
    vm.builtins.set_attr("exec", executing, vm)
}

/// `exec`'s keywords as CPython 3.11 takes them: only `closure`, which
/// only a code object may be given (and `None` means none).
fn exec_keywords(
    args: &mut FuncArgs,
    source: Option<&PyObjectRef>,
    vm: &VirtualMachine,
) -> PyResult<()> {
    if let Some(name) = args.kwargs.keys().find(|name| name.as_str() != "closure") {
        return Err(vm.new_type_error(format!(
            "'{name}' is an invalid keyword argument for exec()"
        )));
    }
    let Some(closure) = args.kwargs.get("closure") else {
        return Ok(());
    };
    if vm.is_none(closure) {
        args.kwargs.swap_remove("closure");
    } else if source.is_none_or(|source| source.downcast_ref::<PyCode>().is_none()) {
        return Err(vm.new_type_error("closure can only be used when source is a code object"));
    }
    Ok(())
}

/// The code `exec` runs for source given as text or bytes, compiled as
/// its own compilation would and with docstrings as written; `None` for
/// a code object. Anything else is refused in CPython's words.
fn compiled_for_exec(
    source: &PyObjectRef,
    compile: &PyObjectRef,
    vm: &VirtualMachine,
) -> PyResult<Option<PyObjectRef>> {
    if source.downcast_ref::<PyCode>().is_some() {
        return Ok(None);
    }
    if let Some(text) = source
        .downcast_ref::<PyStr>()
        .and_then(|text| text.to_str())
    {
        let code = vm
            .compile(text, Mode::Exec, "<string>".to_owned())
            .map_err(|error| {
                mended(
                    vm.new_syntax_error(&error, Some(text)),
                    source,
                    Input::Module,
                    vm,
                )
            })?;
        refuse_indentation(source, "<string>", vm)?;
        return Ok(Some(
            as_cpython_compiles(code, text, ModuleDoc::Counts, vm).into(),
        ));
    }
    if is_source(source, vm) {
        // Text with surrogates (refused as the compiler refuses it), and
        // bytes read by their coding declaration.
        let compiled = compile
            .call((source.clone(), "<string>", "exec"), vm)
            .map_err(|error| mended(error, source, Input::Module, vm))?;
        refuse_indentation(source, "<string>", vm)?;
        return Ok(Some(with_written_docstrings(
            compiled,
            source,
            ModuleDoc::Counts,
            vm,
        )));
    }
    Err(vm.new_type_error("exec() arg 1 must be a string, bytes or code object"))
}

/// The code `eval` runs for source given as text: compiled from the
/// first character that is not a space or a tab, as CPython's `eval`
/// strips them. `None` for anything else, which RustPython's `eval` runs.
fn compiled_for_eval(source: &PyObjectRef, vm: &VirtualMachine) -> PyResult<Option<PyObjectRef>> {
    let Some(text) = source
        .downcast_ref::<PyStr>()
        .and_then(|text| text.to_str())
    else {
        return Ok(None);
    };
    let text = text.trim_start_matches([' ', '\t']);
    let code = vm
        .compile(text, Mode::Eval, "<string>".to_owned())
        .map_err(|error| {
            syntax_errors::mend(
                vm.new_syntax_error(&error, Some(text)),
                text,
                Input::Expression,
                vm,
            )
        })?;
    Ok(Some(
        as_cpython_compiles(code, text, ModuleDoc::DoesNotCount, vm).into(),
    ))
}

/// `code`, compiled from `text`, as CPython's compiler leaves it: its
/// docstrings as written, its instructions where CPython places them.
fn as_cpython_compiles(
    code: PyRef<PyCode>,
    text: &str,
    module_doc: ModuleDoc,
    vm: &VirtualMachine,
) -> PyRef<PyCode> {
    let source = Reparsed::new(text);
    let code = written_docstrings::as_written(code, &source, module_doc, vm);
    source_positions::as_cpython(code, &source, vm)
}

/// Refuses a module's source RustPython compiled whose indentation
/// CPython's tokenizer refuses (tabs and spaces it measures otherwise).
fn refuse_indentation(source: &PyObjectRef, filename: &str, vm: &VirtualMachine) -> PyResult<()> {
    let refused = if let Some(text) = source.downcast_ref::<PyStr>() {
        text.to_str()
            .and_then(|text| syntax_errors::refused_indentation(text, filename, vm))
    } else if let Some(bytes) = source.downcast_ref::<PyBytes>() {
        std::str::from_utf8(bytes.as_bytes())
            .ok()
            .and_then(|text| syntax_errors::refused_indentation(text, filename, vm))
    } else {
        None
    };
    refused.map_or(Ok(()), Err)
}

/// `error`, raised compiling `source`, as CPython reports it when it is a
/// syntax error and `source` is text (or bytes that are UTF-8).
fn mended(
    error: PyBaseExceptionRef,
    source: &PyObjectRef,
    input: Input,
    vm: &VirtualMachine,
) -> PyBaseExceptionRef {
    if let Some(text) = source.downcast_ref::<PyStr>() {
        if let Some(text) = text.to_str() {
            return syntax_errors::mend(error, text, input, vm);
        }
    } else if let Some(bytes) = source.downcast_ref::<PyBytes>() {
        if let Ok(text) = std::str::from_utf8(bytes.as_bytes()) {
            let input = match input {
                Input::Module => Input::ModuleBytes,
                other => other,
            };
            return syntax_errors::mend(error, text, input, vm);
        }
    }
    error
}

/// The check of `source` when it is text (a code object or an AST passes).
fn check(source: &PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
    if holds_null(source) {
        return Err(vm.new_exception_msg(
            vm.ctx.exceptions.syntax_error.to_owned(),
            "source code string cannot contain null bytes".into(),
        ));
    }
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

/// Whether `compile`'s mode makes a module's first string its docstring.
fn mode_of(args: &FuncArgs) -> ModuleDoc {
    let mode = args.args.get(2).or_else(|| args.kwargs.get("mode"));
    match mode.and_then(|mode| mode.downcast_ref::<PyStr>()) {
        Some(mode) if mode.to_str() == Some("exec") => ModuleDoc::Counts,
        _ => ModuleDoc::DoesNotCount,
    }
}

/// `compiled` with the docstrings `source` wrote, when it is a code object
/// compiled from text (not an AST, not a code object passed through).
fn with_written_docstrings(
    compiled: PyObjectRef,
    source: &PyObjectRef,
    module_doc: ModuleDoc,
    vm: &VirtualMachine,
) -> PyObjectRef {
    let Ok(code) = compiled.clone().downcast::<PyCode>() else {
        return compiled;
    };
    if let Some(text) = source.downcast_ref::<PyStr>() {
        if let Some(text) = text.to_str() {
            return as_cpython_compiles(code, text, module_doc, vm).into();
        }
    } else if let Some(bytes) = source.downcast_ref::<PyBytes>() {
        if let Ok(text) = std::str::from_utf8(bytes.as_bytes()) {
            return as_cpython_compiles(code, text, module_doc, vm).into();
        }
    }
    compiled
}

/// Whether text or bytes given as source hold a NUL, which CPython refuses
/// before it parses (RustPython's parser reads it as a bad token).
fn holds_null(source: &PyObjectRef) -> bool {
    if let Some(text) = source.downcast_ref::<PyStr>() {
        text.as_wtf8().as_bytes().contains(&0)
    } else if let Some(bytes) = source.downcast_ref::<PyBytes>() {
        bytes.as_bytes().contains(&0)
    } else if let Some(bytes) = source.downcast_ref::<PyByteArray>() {
        bytes.borrow_buf().contains(&0)
    } else {
        false
    }
}

/// Whether `exec` and `eval` take `source`: text, bytes-like or code.
fn is_source(source: &PyObjectRef, vm: &VirtualMachine) -> bool {
    source.downcast_ref::<PyStr>().is_some()
        || source.downcast_ref::<PyCode>().is_some()
        || source.try_bytes_like(vm, |_| ()).is_ok()
}
