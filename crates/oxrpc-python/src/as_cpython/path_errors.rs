//! The errors of `os` functions given a path of the wrong type, named
//! after the function as CPython names them; and an int refused in
//! CPython's words: "Python int too large to convert to C int" (RustPython
//! named its `i32`), "'float' object cannot be interpreted as an integer"
//! (RustPython: "Expected type 'int' but 'float' found.").
//!
//! CPython's `path_t` converter knows which function it converts for:
//! `os.stat(1.5)` is "stat: path should be string, bytes, os.PathLike or
//! integer, not float". RustPython 0.5's names it only for `rename` (and
//! `replace`, as "rename"), so every other function said "path should be
//! ...". Every function of each interpreter's `posix` (see `module_copy`)
//! is called through one that puts its name in front of that error;
//! `listdir` and `scandir`, whose path may also be `None`, list it as
//! CPython does.
//!
//! Not covered: the second path of `link` and `symlink` (CPython's `src`
//! and `dst`) is still called "path", and `utime`, which takes no file
//! descriptor here, does not list "integer".

use super::error_text::{self, text_of};
use super::fd_errors;
use super::module_additions;
use rustpython_vm::builtins::{PyBaseExceptionRef, PyModuleDef};
use rustpython_vm::function::{FuncArgs, PyNativeFn};
use rustpython_vm::{PyObject, VirtualMachine};

/// What RustPython's converter's error starts with.
const UNNAMED: &str = "path should be ";

/// `posix`'s definition `def` with every function naming itself in its
/// path errors and reading a descriptor as CPython's (`fd_errors`), and
/// with the names it lacks (`module_additions`); kept for the life of the
/// process.
pub(super) fn named_in_errors(def: &'static PyModuleDef) -> &'static PyModuleDef {
    // With the names CPython's has that RustPython's lacks.
    module_additions::with_additions(def, |method| {
        named(method.name, fd_errors::front(def, method))
    })
}

/// `own`, its path errors named after `function`.
fn named(function: &'static str, own: &'static dyn PyNativeFn) -> &'static dyn PyNativeFn {
    Box::leak(Box::new(move |vm: &VirtualMachine, args: FuncArgs| {
        // Kept to name its type as CPython does, should it be refused.
        let first = args.args.first().cloned();
        own(vm, args).map_err(|error| reworded(function, error, first.as_deref(), vm))
    }))
}

/// `error`, if it is RustPython's unnamed path error, or its refusal of
/// an int, in CPython's words.
fn reworded(
    function: &str,
    error: PyBaseExceptionRef,
    first: Option<&PyObject>,
    vm: &VirtualMachine,
) -> PyBaseExceptionRef {
    // RustPython names the Rust type an int did not fit into.
    let error = error_text::reworded(
        error,
        vm.ctx.exceptions.overflow_error,
        || "Python int too large to convert to Rust i32".to_owned(),
        || "Python int too large to convert to C int".to_owned(),
        vm,
    );
    let type_error = vm.ctx.exceptions.type_error;
    let Some(text) = text_of(&error, type_error, vm) else {
        return error;
    };
    // RustPython's conversion to an int names what it expected; CPython's
    // `_PyLong_AsInt` what it could not read, by its `tp_name` where that
    // is the first argument's type (a descriptor's), else by the name
    // RustPython gives.
    if let Some(given) = text
        .strip_prefix("Expected type 'int' but '")
        .and_then(|rest| rest.strip_suffix("' found."))
    {
        if let Some(first) = first.filter(|first| *first.class().name() == *given) {
            return fd_errors::not_an_integer(first, vm);
        }
        return vm.new_type_error(format!(
            "'{given}' object cannot be interpreted as an integer"
        ));
    }
    // RustPython's `replace` is its `rename`, named so.
    if function == "replace" {
        if let Some(rest) = text.strip_prefix("rename: ") {
            return vm.new_type_error(format!("replace: {rest}"));
        }
    }
    if !text.starts_with(UNNAMED) {
        return error;
    }
    let text = match function {
        "listdir" | "scandir" => text.replacen(
            "os.PathLike or integer, not",
            "os.PathLike, integer or None, not",
            1,
        ),
        // A descriptor is taken here (see `fd_errors`), but RustPython's
        // converter does not say so.
        "chdir" | "truncate" => text.replacen(
            "bytes or os.PathLike, not",
            "bytes, os.PathLike or integer, not",
            1,
        ),
        _ => text,
    };
    vm.new_type_error(format!("{function}: {text}"))
}
