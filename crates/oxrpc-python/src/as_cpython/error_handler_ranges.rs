//! The built-in error handlers given an error whose range lies outside
//! its object, read as CPython reads it.
//!
//! A client may call a handler itself with any exception it builds:
//! `codecs.lookup_error('backslashreplace')(UnicodeDecodeError('x', b'ab',
//! 5, 9, 'r'))`. RustPython's `replace`, `xmlcharrefreplace`,
//! `backslashreplace`, `surrogatepass` and `surrogateescape` sliced the
//! object with that range and panicked (the request failed with "the
//! server failed while handling the request"). CPython reads the range
//! through getters that bring the start within the object and the end
//! past the start of it and not beyond (`(5, 9)` of a 3-character object
//! is `(2, 3)`): each interpreter's registry (and `codecs`' copies) gets
//! the handlers behind a front that does the same for the call, then puts
//! the exception's own range back (so an exception the handler raises is
//! the one given, as it was). A range still reversed once read so is read
//! as the empty one at its end, where CPython's answers differ by handler
//! (some a `SystemError`). `ignore` is fronted too: RustPython's answered
//! the end as given (9 there, an `OverflowError` for a negative start).

use rustpython_vm::builtins::{PyBytes, PyStr};
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{AsObject, PyObjectRef, PyResult, VirtualMachine};

/// The handlers fronted, with `codecs`' name for each (`None`: `codecs`
/// has no copy).
const HANDLERS: [(&str, Option<&str>); 6] = [
    ("ignore", Some("ignore_errors")),
    ("replace", Some("replace_errors")),
    ("xmlcharrefreplace", Some("xmlcharrefreplace_errors")),
    ("backslashreplace", Some("backslashreplace_errors")),
    ("surrogatepass", None),
    ("surrogateescape", None),
];

/// Puts the fronts in `vm`'s registry and `codecs`.
pub(super) fn install(vm: &VirtualMachine) -> PyResult<()> {
    let codecs = vm.import("codecs", 0)?;
    for (name, copy) in HANDLERS {
        let original = vm.state.codec_registry.lookup_error(name, vm)?;
        let function_name = format!("{name}_errors");
        let front: PyObjectRef = vm
            .new_function(
                Box::leak(function_name.into_boxed_str()),
                move |args: FuncArgs, vm: &VirtualMachine| within_range(&original, args, vm),
            )
            .into();
        vm.state
            .codec_registry
            .register_error(name.to_owned(), front.clone());
        if let Some(copy) = copy {
            codecs.set_attr(copy, front, vm)?;
        }
    }
    Ok(())
}

/// Calls `original` with the error's range read as CPython reads it.
fn within_range(original: &PyObjectRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let Some(error) = args.args.first().filter(|_| args.args.len() == 1) else {
        return original.call(args, vm);
    };
    let Some((start, end, size)) = range_of(error, vm) else {
        return original.call(args, vm);
    };
    let read_end = end.clamp(1.min(size), size);
    // A reversed range is read as the empty one at its end.
    let read_start = start.clamp(0, (size - 1).max(0)).min(read_end);
    if (read_start, read_end) == (start, end) {
        return original.call(args, vm);
    }
    error.set_attr("start", vm.ctx.new_int(read_start), vm)?;
    error.set_attr("end", vm.ctx.new_int(read_end), vm)?;
    let answer = original.call(args.clone(), vm);
    error.set_attr("start", vm.ctx.new_int(start), vm)?;
    error.set_attr("end", vm.ctx.new_int(end), vm)?;
    answer
}

/// An error's start, end and object's length, where it is a `UnicodeError`
/// with those.
fn range_of(error: &PyObjectRef, vm: &VirtualMachine) -> Option<(isize, isize, isize)> {
    if !error.fast_isinstance(vm.ctx.exceptions.unicode_error) {
        return None;
    }
    let object = error.get_attr("object", vm).ok()?;
    let size = if let Some(text) = object.downcast_ref::<PyStr>() {
        text.char_len()
    } else {
        object.downcast_ref::<PyBytes>()?.as_bytes().len()
    };
    let start = error.get_attr("start", vm).ok()?.try_into_value(vm).ok()?;
    let end = error.get_attr("end", vm).ok()?.try_into_value(vm).ok()?;
    Some((start, end, isize::try_from(size).ok()?))
}
