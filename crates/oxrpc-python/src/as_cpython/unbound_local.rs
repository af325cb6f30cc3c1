//! An `UnboundLocalError` the interpreter raises, worded as CPython 3.11
//! words it.
//!
//! Reading a local variable before it is assigned raises "local variable
//! 'x' referenced before assignment" under RustPython 0.5 (CPython 3.10's
//! words), where CPython 3.11 says "cannot access local variable 'x'
//! where it is not associated with a value". A client meets it as the
//! error's `args`, its `str()`, and the last line of the remote
//! traceback.
//!
//! RustPython builds the error inside its frame without calling the type,
//! so there is no `__init__` to stand in front of. As `exception_args`
//! does for `OSError`, the words are settled where they are read: the
//! `repr()` slot of `UnboundLocalError` itself (the class RustPython
//! raises), its `__str__`, `__repr__` and `__reduce__` (which `str()` and
//! pickle look up by name), and `BaseException`'s `args`
//! (`exception_args`) reword a single argument that is exactly
//! RustPython's sentence, in place, so the error keeps 3.11's words from
//! then on. Once per process: the type is shared by every interpreter.

use super::methods;
use rustpython_vm::builtins::{PyBaseException, PyBaseExceptionRef, PyStr, PyTupleRef};
use rustpython_vm::function::FuncArgs;
use rustpython_vm::types::Initializer;
use rustpython_vm::{AsObject, PyObject, PyObjectRef, PyRef, PyResult, VirtualMachine};
use std::sync::OnceLock;

/// A `repr` slot.
type Repr = fn(&PyObject, &VirtualMachine) -> PyResult<PyRef<PyStr>>;

/// RustPython's own `__str__`, `repr` slot and `__reduce__` of
/// `UnboundLocalError` (`BaseException`'s).
struct Originals {
    str: PyObjectRef,
    repr: Repr,
    reduce: PyObjectRef,
}

static ORIGINALS: OnceLock<Option<Originals>> = OnceLock::new();

/// Puts the rewording `__str__`, `repr()` and `__reduce__` in place,
/// once per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    ORIGINALS.get_or_init(|| {
        let class = vm.ctx.exceptions.unbound_local_error;
        let originals = Originals {
            str: class.get_attr(vm.ctx.intern_str("__str__"))?,
            repr: class.slots.repr.load()?,
            reduce: class.get_attr(vm.ctx.intern_str("__reduce__"))?,
        };
        class.slots.repr.store(Some(settled_repr));
        methods::define(
            vm,
            class,
            "__str__",
            |zelf: PyObjectRef, vm: &VirtualMachine| settled_str(&zelf, vm),
        );
        methods::define(
            vm,
            class,
            "__repr__",
            |zelf: PyObjectRef, vm: &VirtualMachine| settled_repr(&zelf, vm),
        );
        methods::define(vm, class, "__reduce__", settled_reduce);
        Some(originals)
    });
    Ok(())
}

fn originals(vm: &VirtualMachine) -> PyResult<&'static Originals> {
    ORIGINALS
        .get()
        .and_then(Option::as_ref)
        .ok_or_else(|| vm.new_runtime_error("UnboundLocalError is not set up".to_owned()))
}

/// 3.11's sentence for RustPython's, or None when `text` is not exactly
/// RustPython's for some name.
fn as_3_11(text: &str) -> Option<String> {
    let name = text
        .strip_prefix("local variable '")?
        .strip_suffix("' referenced before assignment")?;
    let is_identifier = name
        .chars()
        .next()
        .is_some_and(|first| first == '_' || first.is_alphabetic())
        && name.chars().all(|c| c == '_' || c.is_alphanumeric());
    is_identifier.then(|| {
        format!("cannot access local variable '{name}' where it is not associated with a value")
    })
}

/// The error's arguments, reworded first when it is an `UnboundLocalError`
/// whose one argument is RustPython's sentence (and from then on).
pub(super) fn settled(error: &PyRef<PyBaseException>, vm: &VirtualMachine) -> PyResult<PyTupleRef> {
    let args = error.args();
    if !error.class().is(vm.ctx.exceptions.unbound_local_error) {
        return Ok(args);
    }
    let reworded = match args.as_slice() {
        [only] => only
            .downcast_ref_if_exact::<PyStr>(vm)
            .and_then(|text| text.to_str())
            .and_then(as_3_11),
        _ => None,
    };
    let Some(reworded) = reworded else {
        return Ok(args);
    };
    let one: Vec<PyObjectRef> = vec![vm.ctx.new_str(reworded).into()];
    PyBaseException::init(error.clone(), FuncArgs::from(one), vm)?;
    Ok(error.args())
}

fn as_error(zelf: &PyObject, method: &str, vm: &VirtualMachine) -> PyResult<PyBaseExceptionRef> {
    zelf.to_owned()
        .downcast::<PyBaseException>()
        .map_err(|other| methods::not_a("BaseException", method, &other, vm))
}

fn settled_str(zelf: &PyObject, vm: &VirtualMachine) -> PyResult<PyRef<PyStr>> {
    settled(&as_error(zelf, "__str__", vm)?, vm)?;
    originals(vm)?
        .str
        .call((zelf.to_owned(),), vm)?
        .downcast::<PyStr>()
        .map_err(|_| vm.new_type_error("__str__ returned non-string".to_owned()))
}

fn settled_repr(zelf: &PyObject, vm: &VirtualMachine) -> PyResult<PyRef<PyStr>> {
    settled(&as_error(zelf, "__repr__", vm)?, vm)?;
    (originals(vm)?.repr)(zelf, vm)
}

fn settled_reduce(zelf: PyObjectRef, vm: &VirtualMachine) -> PyResult {
    settled(&as_error(&zelf, "__reduce__", vm)?, vm)?;
    originals(vm)?.reduce.call((zelf,), vm)
}

#[cfg(test)]
mod tests {
    use super::as_3_11;

    #[test]
    fn only_rustpythons_sentence_is_reworded() {
        assert_eq!(
            as_3_11("local variable 'x' referenced before assignment").as_deref(),
            Some("cannot access local variable 'x' where it is not associated with a value")
        );
        assert_eq!(
            as_3_11("local variable 'é_1' referenced before assignment").as_deref(),
            Some("cannot access local variable 'é_1' where it is not associated with a value")
        );
        assert_eq!(
            as_3_11("local variable 'a b' referenced before assignment"),
            None
        );
        assert_eq!(
            as_3_11("local variable '' referenced before assignment"),
            None
        );
        assert_eq!(as_3_11("something else"), None);
    }
}
