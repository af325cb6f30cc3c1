//! `SyntaxError` built from arguments and written by `str()`, as CPython
//! 3.11 does.
//!
//! CPython's `SyntaxError_init` turns a second argument into a tuple
//! (`PySequence_Tuple`: any iterable, `"'int' object is not iterable"`
//! otherwise) and parses it with `PyArg_ParseTuple(info, "OOOO|OO")`:
//! `(filename, lineno, offset, text[, end_lineno, end_offset])`, refused
//! as "function takes at least 4 arguments (3 given)" or "at most 6".
//! RustPython 0.5 read a tuple of four or six only, took anything else as
//! no details at all (`SyntaxError('m', 5)` was made), and refused other
//! lengths as "function takes exactly 4 or 6 arguments". Its `TabError`
//! kept an initialiser that read no details at all.
//!
//! CPython's `SyntaxError_str` writes the message alone unless the
//! filename is a str or the line number an int (exactly): `'m (f.py, line
//! 3)'`, `'m (f.py)'`, `'m (line 3)'`, a line number past a C long as -1.
//! RustPython 0.5 wrote both whatever they were (`str(SyntaxError('m'))`
//! was `'m (None, line None)'`).
//!
//! `SyntaxError`, `IndentationError` and `TabError` get CPython's
//! `__init__`, and `SyntaxError` its `__str__` (the others inherit it),
//! once per process (the types are shared by every interpreter).
//!
//! What still differs: the details live in the instance's dict, with
//! `print_file_and_line`, where CPython keeps them in the object
//! (`vars(SyntaxError('m', ('f', 1, 2, 't')))` is `{}` in CPython), and
//! so does `__reduce__`'s state.

use super::methods::{self, InitSlot};
use rustpython_vm::builtins::{PyBaseExceptionRef, PyInt, PyStr, PyTuple};
use rustpython_vm::common::wtf8::Wtf8;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{AsObject, PyObjectRef, PyResult, VirtualMachine};
use std::sync::OnceLock;

/// RustPython's own `SyntaxError.__init__`, which sets the arguments.
static ORIGINAL_INIT: OnceLock<Option<InitSlot>> = OnceLock::new();

/// The details' names, in the order of the tuple that gives them.
const DETAILS: [&str; 6] = [
    "filename",
    "lineno",
    "offset",
    "text",
    "end_lineno",
    "end_offset",
];

/// Puts CPython's `__init__` and `__str__` in place, once per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    ORIGINAL_INIT.get_or_init(|| {
        let exceptions = &vm.ctx.exceptions;
        let original = exceptions.syntax_error.slots.init.load()?;
        for class in [
            exceptions.syntax_error,
            exceptions.indentation_error,
            exceptions.tab_error,
        ] {
            methods::define_init(vm, class, init);
        }
        methods::define(vm, exceptions.syntax_error, "__str__", text);
        Some(original)
    });
    Ok(())
}

/// CPython's `SyntaxError_init`: the message, and the details from a
/// second argument when there are exactly two.
fn init(zelf: PyObjectRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
    let Some(original) = ORIGINAL_INIT.get().copied().flatten() else {
        return Err(vm.new_runtime_error("SyntaxError is not set up".to_owned()));
    };
    if let [_, details] = args.args.as_slice() {
        if let Some(given) = details.downcast_ref_if_exact::<PyTuple>(vm) {
            if matches!(given.len(), 4 | 6) {
                // RustPython's reads these as CPython does, but for the
                // end of a location given without one.
                if given.len() == 4 {
                    forget_end(&zelf, vm)?;
                }
                return original(zelf, args, vm);
            }
        }
        let details = vm
            .ctx
            .types
            .tuple_type
            .as_object()
            .call((details.clone(),), vm)?;
        let Some(details) = details.downcast_ref::<PyTuple>() else {
            return Err(vm.new_type_error("tuple() did not make a tuple".to_owned()));
        };
        let given = details.len();
        if !(4..=DETAILS.len()).contains(&given) {
            let (bound, most) = if given < 4 {
                ("at least", 4)
            } else {
                ("at most", DETAILS.len())
            };
            return Err(vm.new_type_error(format!(
                "function takes {bound} {most} arguments ({given} given)"
            )));
        }
        for (at, name) in DETAILS.into_iter().enumerate() {
            let value = details.get(at).cloned().unwrap_or_else(|| vm.ctx.none());
            zelf.set_attr(name, value, vm)?;
        }
        if given == 5 {
            return Err(vm.new_type_error(
                "end_offset must be provided when end_lineno is provided".to_owned(),
            ));
        }
        // RustPython's reads a tuple of details again, to the same effect;
        // anything else it leaves alone.
    }
    original(zelf, args, vm)
}

/// Sets the end of the location to None, where an earlier `__init__` set
/// it (CPython's `SyntaxError_init` resets it for four details).
fn forget_end(zelf: &PyObjectRef, vm: &VirtualMachine) -> PyResult<()> {
    let Some(dict) = zelf.dict() else {
        return Ok(());
    };
    for name in ["end_lineno", "end_offset"] {
        if dict.get_item_opt(name, vm)?.is_some() {
            dict.set_item(name, vm.ctx.none(), vm)?;
        }
    }
    Ok(())
}

/// CPython's `SyntaxError_str`.
fn text(zelf: PyBaseExceptionRef, vm: &VirtualMachine) -> PyResult {
    let detail = |name: &str| -> PyResult<Option<PyObjectRef>> {
        match zelf.as_object().dict() {
            Some(dict) => dict.get_item_opt(name, vm),
            None => Ok(None),
        }
    };
    let message = zelf.get_arg(0).unwrap_or_else(|| vm.ctx.none()).str(vm)?;
    let filename = detail("filename")?;
    let filename = filename
        .as_ref()
        .and_then(|name| name.downcast_ref::<PyStr>());
    let line = detail("lineno")?;
    let line = line
        .as_ref()
        .filter(|line| line.class().is(vm.ctx.types.int_type))
        .and_then(|line| line.downcast_ref::<PyInt>())
        // `PyLong_AsLongAndOverflow`'s -1 for a number past a C long.
        .map(|line| line.try_to_primitive::<i64>(vm).unwrap_or(-1));
    let mut written = message.as_wtf8().to_owned();
    match (filename, line) {
        (None, None) => return Ok(message.into()),
        (Some(filename), line) => {
            written.push_str(" (");
            written.push_wtf8(base_name(filename));
            if let Some(line) = line {
                written.push_str(&format!(", line {line}"));
            }
        }
        (None, Some(line)) => written.push_str(&format!(" (line {line}")),
    }
    written.push_str(")");
    Ok(vm.ctx.new_str(written).into())
}

/// What follows the filename's last `/` (CPython's `my_basename`).
fn base_name(filename: &PyStr) -> &Wtf8 {
    let whole = filename.as_wtf8();
    let bytes = whole.as_bytes();
    match bytes.iter().rposition(|&byte| byte == b'/') {
        Some(slash) => whole.get(slash + 1..).unwrap_or(whole),
        None => whole,
    }
}
