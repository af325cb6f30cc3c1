//! `getattr(obj, name, default)` and `hasattr(obj, name)` answered without
//! building an AttributeError for a missing attribute.
//!
//! RustPython 0.5's two look the attribute up as `obj.name` does and catch
//! the AttributeError: for a missing one the error is built, its message
//! formatted, its `name` and `obj` set, then dropped. `hasattr(o, 'x')` of
//! an instance without `x` took ~1,290 ns against CPython 3.11's ~29, a
//! type's ~1,030 against ~136, a module's ~3,230 against ~459 (RustPython's
//! module error reads the module's spec to word its message). CPython asks
//! the lookups it knows to say "not found" without raising
//! (`_PyObject_LookupAttr`); this does the same for the same ones:
//! object's generic lookup, a type's, a module's (without a module
//! `__getattr__`), and a class statement's, whose lookup RustPython
//! makes call `__getattribute__` by name (object's or type's, here
//! looked up directly) and then its `__getattr__`, if it has one, without
//! an error built before it. Any other `__getattribute__` (a class's own)
//! goes to RustPython's as before, and so does every call that is not the
//! common shape (a name that is not a string, a wrong count). Keywords are
//! refused in CPython's words (RustPython's said "expected at least 2
//! arguments, got 1").
//!
//! What is observable stays: a descriptor that raises AttributeError
//! still means "missing", any other exception still propagates, and
//! `__getattr__` is still called exactly once for a missing attribute.

use super::builtin_functions;
use rustpython_vm::builtins::{PyModule, PyStr, PyType};
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{AsObject, Py, PyObject, PyObjectRef, PyResult, VirtualMachine};
use std::sync::OnceLock;

/// The signature of a `getattro` slot (RustPython's type for it is not
/// public).
type GetattroFunc = fn(&PyObject, &Py<PyStr>, &VirtualMachine) -> PyResult;

static GETATTR: builtin_functions::Cell = OnceLock::new();
static HASATTR: builtin_functions::Cell = OnceLock::new();

/// Puts both in place in `vm`'s builtins module.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    builtin_functions::replace(vm, &GETATTR, "getattr", getattr)?;
    builtin_functions::replace(vm, &HASATTR, "hasattr", hasattr)
}

/// `getattr(obj, name[, default])`: with a default, a missing attribute
/// is the default; without one, RustPython's (the error is the answer).
fn getattr(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    refuse_keywords("getattr", &args, vm)?;
    if let [object, name, default] = args.args.as_slice() {
        if let Some(name) = name.downcast_ref::<PyStr>() {
            if let Some(found) = look_up_quietly(object, name, vm) {
                return Ok(found?.unwrap_or_else(|| default.clone()));
            }
        }
    }
    builtin_functions::call_original(&GETATTR, args, vm)
}

/// `hasattr(obj, name)`.
fn hasattr(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    refuse_keywords("hasattr", &args, vm)?;
    if let [object, name] = args.args.as_slice() {
        if let Some(name) = name.downcast_ref::<PyStr>() {
            if let Some(found) = look_up_quietly(object, name, vm) {
                return Ok(vm.ctx.new_bool(found?.is_some()).into());
            }
        }
    }
    builtin_functions::call_original(&HASATTR, args, vm)
}

/// Neither takes keywords, refused before the count is checked, as
/// CPython refuses them.
fn refuse_keywords(name: &str, args: &FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
    if args.kwargs.is_empty() {
        return Ok(());
    }
    Err(vm.new_type_error(format!("{name}() takes no keyword arguments")))
}

/// `object.name`, `Ok(None)` where it would raise AttributeError; `None`
/// where `object`'s type looks attributes up in a way not known here.
fn look_up_quietly(
    object: &PyObject,
    name: &Py<PyStr>,
    vm: &VirtualMachine,
) -> Option<PyResult<Option<PyObjectRef>>> {
    let class = object.class();
    let lookup = class.slots.getattro.load()?;
    let types = &vm.ctx.types;
    let is = |known: &Py<PyType>| {
        known
            .slots
            .getattro
            .load()
            .is_some_and(|slot| std::ptr::fn_addr_eq(slot, lookup))
    };
    let found = if is(types.object_type) {
        object.generic_getattr_opt(name, None, vm)
    } else if is(types.type_type) {
        type_attribute(object.downcast_ref::<PyType>()?, name, vm)
    } else if is(types.module_type) {
        if object.downcast_ref::<PyModule>().is_none() || has_module_getattr(object, vm) {
            return None;
        }
        object.generic_getattr_opt(name, None, vm)
    } else if is_python_level(lookup, vm) {
        let found = match inherited_getattribute(class, vm)? {
            Inherited::FromObject => object.generic_getattr_opt(name, None, vm),
            Inherited::FromType => type_attribute(object.downcast_ref::<PyType>()?, name, vm),
        };
        if class.has_attr(vm.ctx.names.__getattr__) {
            getattr_hook(object, name, found, vm)
        } else {
            found
        }
    } else {
        return None;
    };
    Some(missing_when_attribute_error(found, vm))
}

/// An AttributeError raised by the lookup (a property's, a descriptor's,
/// a `__getattr__`'s) means "missing", as it does for RustPython's.
fn missing_when_attribute_error(
    found: PyResult<Option<PyObjectRef>>,
    vm: &VirtualMachine,
) -> PyResult<Option<PyObjectRef>> {
    match found {
        Err(error) if error.fast_isinstance(vm.ctx.exceptions.attribute_error) => Ok(None),
        found => found,
    }
}

/// `type.__getattribute__` (RustPython's `PyType::getattro`) without its
/// error: the metatype's data descriptor, then the class's own MRO (a
/// descriptor bound to no instance), then the metatype's attribute.
fn type_attribute(
    class: &Py<PyType>,
    name: &Py<PyStr>,
    vm: &VirtualMachine,
) -> PyResult<Option<PyObjectRef>> {
    // Every attribute of a type is kept under an interned name.
    let Some(name) = vm.ctx.interned_str(name) else {
        return Ok(None);
    };
    let metatype = class.class();
    let metatype_attribute = metatype.get_attr(name);
    if let Some(attribute) = &metatype_attribute {
        let descriptor = attribute.class();
        if descriptor.slots.descr_set.load().is_some() {
            if let Some(get) = descriptor.slots.descr_get.load() {
                let owner = metatype.to_owned().into();
                return get(
                    attribute.clone(),
                    Some(class.to_owned().into()),
                    Some(owner),
                    vm,
                )
                .map(Some);
            }
        }
    }
    if let Some(attribute) = class.get_attr(name) {
        return match attribute.class().slots.descr_get.load() {
            Some(get) => get(attribute, None, Some(class.to_owned().into()), vm).map(Some),
            None => Ok(Some(attribute)),
        };
    }
    match metatype_attribute {
        Some(attribute) => vm
            .call_if_get_descriptor(&attribute, class.to_owned().into())
            .map(Some),
        None => Ok(None),
    }
}

/// Whether a module defines `__getattr__` (PEP 562), which RustPython's
/// lookup calls; such modules keep RustPython's.
fn has_module_getattr(module: &PyObject, vm: &VirtualMachine) -> bool {
    module.dict().is_none_or(|dict| {
        dict.get_item_opt(vm.ctx.names.__getattr__, vm)
            .map_or(true, |hook| hook.is_some())
    })
}

/// Whose `__getattribute__` a class of Python's making has inherited.
enum Inherited {
    FromObject,
    FromType,
}

/// `object`'s or `type`'s `__getattribute__`, where `class` has one of
/// them; `None` for its own or another's.
fn inherited_getattribute(class: &Py<PyType>, vm: &VirtualMachine) -> Option<Inherited> {
    static GENERIC: OnceLock<Option<[PyObjectRef; 2]>> = OnceLock::new();
    let name = vm.ctx.names.__getattribute__;
    let [of_object, of_type] = GENERIC
        .get_or_init(|| {
            let types = &vm.ctx.types;
            Some([
                types.object_type.get_attr(name)?,
                types.type_type.get_attr(name)?,
            ])
        })
        .as_ref()?;
    let own = class.get_attr(name)?;
    if own.is(of_object) {
        Some(Inherited::FromObject)
    } else if own.is(of_type) {
        Some(Inherited::FromType)
    } else {
        None
    }
}

/// Whether `lookup` is the slot RustPython gives a class of Python's
/// making (a class statement's): it calls `__getattribute__`, then
/// `__getattr__` where the class has one and the first raised
/// AttributeError. Its function is not public; a class made for it once
/// per process shows it.
fn is_python_level(lookup: GetattroFunc, vm: &VirtualMachine) -> bool {
    static PYTHON_LEVEL: OnceLock<Option<GetattroFunc>> = OnceLock::new();
    let python_level = PYTHON_LEVEL.get_or_init(|| {
        // A class with `__getattr__` always gets that slot.
        let namespace = vm.ctx.new_dict();
        namespace
            .set_item(vm.ctx.names.__getattr__, vm.ctx.none(), vm)
            .ok()?;
        let arguments = ("WithGetattr", vm.ctx.empty_tuple.clone(), namespace);
        let made = vm
            .ctx
            .types
            .type_type
            .as_object()
            .call(arguments, vm)
            .ok()?;
        made.downcast_ref::<PyType>()?.slots.getattro.load()
    });
    python_level.is_some_and(|slot| std::ptr::fn_addr_eq(slot, lookup))
}

/// `__getattr__` called for an attribute the lookup before it did not
/// find, as RustPython's slot calls it after an AttributeError.
fn getattr_hook(
    object: &PyObject,
    name: &Py<PyStr>,
    found: PyResult<Option<PyObjectRef>>,
    vm: &VirtualMachine,
) -> PyResult<Option<PyObjectRef>> {
    let found = missing_when_attribute_error(found, vm)?;
    if found.is_some() {
        return Ok(found);
    }
    vm.call_special_method(object, vm.ctx.names.__getattr__, (name.to_owned(),))
        .map(Some)
}
