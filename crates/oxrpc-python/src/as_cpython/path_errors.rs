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
//! A path with a NUL in it is refused in CPython 3.11's words too: "embedded
//! null byte" for a str, "stat: embedded null character in path" for
//! bytes, where RustPython said "embedded null character in path" for
//! both.
//!
//! Each names the argument as CPython does: RustPython's `link` and
//! `symlink` called both of theirs "path" (CPython's `src` and `dst`).
//! A failed `symlink` names both its paths, and a failed `utime` none,
//! as CPython's do.

use super::error_text::{self, text_of};
use super::fd_errors;
use super::module_additions;
use super::posix_keywords;
use rustpython_vm::builtins::{PyBaseExceptionRef, PyBytes, PyModuleDef, PyStr};
use rustpython_vm::convert::TryFromObject;
use rustpython_vm::function::{FuncArgs, PyNativeFn};
use rustpython_vm::identifier;
use rustpython_vm::ospath::OsPath;
use rustpython_vm::{AsObject, PyObject, PyObjectRef, VirtualMachine};

/// What RustPython's converter's error starts with.
const UNNAMED: &str = "path should be ";

/// `posix`'s definition `def` with every function naming itself in its
/// path errors, taking keywords (`posix_keywords`) and reading a
/// descriptor as CPython's (`fd_errors`), and
/// with the names it lacks (`module_additions`); kept for the life of the
/// process.
pub(super) fn named_in_errors(def: &'static PyModuleDef) -> &'static PyModuleDef {
    // With the names CPython's has that RustPython's lacks.
    module_additions::with_additions(def, |method| {
        // RustPython's own take keywords as CPython's (the added bind
        // their own).
        let reading_descriptors = fd_errors::front(def, method);
        let own = if def.methods.iter().any(|own| std::ptr::eq(own, method)) {
            posix_keywords::front(method.name, reading_descriptors)
        } else {
            reading_descriptors
        };
        named(method.name, own)
    })
}

/// `own`, its path errors named after `function`.
fn named(function: &'static str, own: &'static dyn PyNativeFn) -> &'static dyn PyNativeFn {
    Box::leak(Box::new(move |vm: &VirtualMachine, args: FuncArgs| {
        // Kept to name a refused argument's type, and to tell a str
        // from bytes, as CPython does: a path is among the first two, or
        // named. A call without keywords allocates nothing for it.
        let kept = kept_paths(&args);
        own(vm, args).map_err(|error| {
            let given = kept.into_args();
            if let Some(reworded) = null_reworded(function, &error, &given, vm) {
                return reworded;
            }
            let error = reworded(function, error, &given, vm);
            match function {
                "symlink" => both_paths_named(error, &given, vm),
                // CPython's `utime` names no file in its errors.
                "utime" => fd_errors::remade(error, None, vm),
                _ => error,
            }
        })
    }))
}

/// What a call's errors may need of its arguments: its first two (where
/// a path is), or all of them when some are named.
enum KeptPaths {
    FirstTwo(Option<PyObjectRef>, Option<PyObjectRef>),
    All(FuncArgs),
}

fn kept_paths(args: &FuncArgs) -> KeptPaths {
    if args.kwargs.is_empty() {
        KeptPaths::FirstTwo(args.args.first().cloned(), args.args.get(1).cloned())
    } else {
        KeptPaths::All(args.clone())
    }
}

impl KeptPaths {
    fn into_args(self) -> FuncArgs {
        match self {
            Self::FirstTwo(first, second) => {
                FuncArgs::from(first.into_iter().chain(second).collect::<Vec<_>>())
            }
            Self::All(args) => args,
        }
    }
}

/// `symlink`'s failed call naming both its paths, as CPython's does
/// ("[Errno 2] No such file or directory: 'x' -> '/nonexistent/y'");
/// RustPython's named neither.
fn both_paths_named(
    error: PyBaseExceptionRef,
    given: &FuncArgs,
    vm: &VirtualMachine,
) -> PyBaseExceptionRef {
    if !error.fast_isinstance(vm.ctx.exceptions.os_error) {
        return error;
    }
    let path = |index: usize, name: &str| {
        let given = given.args.get(index).or_else(|| given.kwargs.get(name))?;
        OsPath::try_from_object(vm, given.clone())
            .ok()
            .map(|path| path.filename(vm))
    };
    let part = |name: &'static str| error.as_object().get_attr(name, vm).ok();
    let (Some(errno), Some(strerror), Some(source), Some(destination)) = (
        part("errno"),
        part("strerror"),
        path(0, "src"),
        path(1, "dst"),
    ) else {
        return error;
    };
    let args = vec![errno, strerror, source, vm.ctx.none(), destination];
    match error.class().as_object().call(args, vm) {
        Ok(made) => made.downcast().unwrap_or(error),
        Err(failed) => failed,
    }
}

/// RustPython's refusal of a path with a NUL in it ("[function: ]embedded
/// null character in path"), in CPython 3.11's words: a str (or what an
/// os.PathLike gives) is refused by `PyUnicode_FSConverter` ("embedded
/// null byte"), bytes by `path_t` itself ("stat: embedded null character
/// in path"). `None` for any other error.
fn null_reworded(
    function: &str,
    error: &PyBaseExceptionRef,
    given: &FuncArgs,
    vm: &VirtualMachine,
) -> Option<PyBaseExceptionRef> {
    let text = text_of(error, vm.ctx.exceptions.value_error, vm)?;
    text.split_once("embedded null character in ")?;
    // An os.PathLike is read as what it gives.
    let path_of = |value: &PyObjectRef| match value.downcast_ref::<PyStr>() {
        Some(_) => Some(value.clone()),
        None if value.downcast_ref::<PyBytes>().is_some() => Some(value.clone()),
        None => vm
            .call_special_method(value, identifier!(vm, __fspath__), ())
            .ok(),
    };
    let holds_nul = |value: &PyObjectRef| match path_of(value) {
        Some(path) => match path.downcast_ref::<PyStr>() {
            Some(text) => text.as_bytes().contains(&0),
            None => path
                .downcast_ref::<PyBytes>()
                .is_some_and(|bytes| bytes.as_bytes().contains(&0)),
        },
        None => false,
    };
    let words = match refused_argument(function, given, holds_nul) {
        Some((argument, value)) if value.downcast_ref::<PyBytes>().is_some() => {
            format!("{function}: embedded null character in {argument}")
        }
        _ => "embedded null byte".to_owned(),
    };
    Some(vm.new_value_error(words))
}

/// The first argument of the call `given` that `refused` holds, by
/// position then by name, and the name CPython's `function` gives it
/// (RustPython's names the second path of `link` and `symlink` "path"):
/// "path" where CPython's table has no signature for it.
fn refused_argument<'a>(
    function: &str,
    given: &'a FuncArgs,
    refused: impl Fn(&PyObjectRef) -> bool,
) -> Option<(&'a str, &'a PyObjectRef)> {
    let by_position = given
        .args
        .iter()
        .enumerate()
        .find(|(_, value)| refused(value));
    match by_position {
        Some((index, value)) => Some((
            posix_keywords::parameter_name(function, index).unwrap_or("path"),
            value,
        )),
        None => given
            .kwargs
            .iter()
            .find(|(_, value)| refused(value))
            .map(|(name, value)| (name.as_str(), value)),
    }
}

/// `error`, if it is RustPython's unnamed path error, or its refusal of
/// an int, in CPython's words.
fn reworded(
    function: &str,
    error: PyBaseExceptionRef,
    given: &FuncArgs,
    vm: &VirtualMachine,
) -> PyBaseExceptionRef {
    let first: Option<&PyObject> = given.args.first().map(|first| &**first);
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
    let Some(rest) = text.strip_prefix(UNNAMED) else {
        return error;
    };
    // The argument refused, by the type the error names, under the name
    // CPython gives it.
    let refused_type = rest.rsplit_once(", not ").map(|(_, name)| name);
    let refused = refused_type
        .and_then(|name| refused_argument(function, given, |value| *value.class().name() == *name));
    let text = match refused {
        Some((argument, _)) if argument != "path" => format!("{argument} should be {rest}"),
        _ => text,
    };
    let text = match function {
        "listdir" | "scandir" => text.replacen(
            "os.PathLike or integer, not",
            "os.PathLike, integer or None, not",
            1,
        ),
        // A descriptor is taken here (see `fd_errors`), but RustPython's
        // converter does not say so.
        "chdir" | "truncate" | "utime" => text.replacen(
            "bytes or os.PathLike, not",
            "bytes, os.PathLike or integer, not",
            1,
        ),
        _ => text,
    };
    vm.new_type_error(format!("{function}: {text}"))
}
