//! The errors of `os` functions given a path of the wrong type, named
//! after the function as CPython names them.
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
//! and `dst`) is still called "path", and the functions RustPython gives
//! no file-descriptor form (`utime`, `truncate`, `chdir`) do not list
//! "integer".

use super::error_text::text_of;
use super::module_copy;
use rustpython_vm::builtins::{PyBaseExceptionRef, PyModuleDef};
use rustpython_vm::function::{FuncArgs, PyNativeFn};
use rustpython_vm::VirtualMachine;

/// What RustPython's converter's error starts with.
const UNNAMED: &str = "path should be ";

/// `posix`'s definition `def` with every function naming itself in its
/// path errors; kept for the life of the process.
pub(super) fn named_in_errors(def: &'static PyModuleDef) -> &'static PyModuleDef {
    let methods = module_copy::functions(def, |method| named(method.name, method.func));
    module_copy::copy(def, methods, None)
}

/// `own`, its path errors named after `function`.
fn named(function: &'static str, own: &'static dyn PyNativeFn) -> &'static dyn PyNativeFn {
    Box::leak(Box::new(move |vm: &VirtualMachine, args: FuncArgs| {
        own(vm, args).map_err(|error| reworded(function, error, vm))
    }))
}

/// `error`, if it is RustPython's unnamed path error, in CPython's words.
fn reworded(function: &str, error: PyBaseExceptionRef, vm: &VirtualMachine) -> PyBaseExceptionRef {
    let type_error = vm.ctx.exceptions.type_error;
    let Some(text) = text_of(&error, type_error, vm) else {
        return error;
    };
    // RustPython's `replace` is its `rename`, named so.
    if function == "replace" {
        if let Some(rest) = text.strip_prefix("rename: ") {
            return vm.new_type_error(format!("replace: {rest}"));
        }
    }
    if !text.starts_with(UNNAMED) {
        return error;
    }
    let text = if matches!(function, "listdir" | "scandir") {
        text.replacen(
            "os.PathLike or integer, not",
            "os.PathLike, integer or None, not",
            1,
        )
    } else {
        text
    };
    vm.new_type_error(format!("{function}: {text}"))
}
