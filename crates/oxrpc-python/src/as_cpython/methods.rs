//! Putting a method in place of a builtin type's own.
//!
//! Each replacement in this folder ends the same way: a method made from a
//! Rust function is set on the shared type under the name of the one it
//! replaces (CPython's would be a slot wrapper; RustPython 0.5 makes only
//! method descriptors of other functions). The number slots also need
//! their `__op__` and reflected `__rop__` methods to call the new slot, as
//! the methods RustPython made from its own slots did. An `__init__` is
//! the exception: RustPython makes its slot wrapper again from the new
//! slot, so that subclasses made later take the slot from it.

use rustpython_vm::builtins::{PyBaseExceptionRef, PyDict, PyStr, PyType, PyTypeRef};
use rustpython_vm::class::PyClassImpl;
use rustpython_vm::function::{
    FuncArgs, IntoPyNativeFn, OptionalArg, PyMethodDef, PyMethodFlags, PyNativeFn,
};
use rustpython_vm::protocol::{PyNumberBinaryFunc, PyNumberTernaryFunc};
use rustpython_vm::{AsObject, Py, PyObject, PyObjectRef, PyPayload, PyResult, VirtualMachine};
use std::sync::OnceLock;

use super::type_names;

/// Sets `function` on `class` as its method `name`. Called once per
/// process for each, like RustPython's own definitions, which live as
/// long as the process.
pub(super) fn define<F, Kind>(
    vm: &VirtualMachine,
    class: &'static Py<PyType>,
    name: &'static str,
    function: F,
) where
    F: IntoPyNativeFn<Kind>,
{
    // The calling convention the interpreter calls a method of the
    // object's exact type inline for (every native function is called the
    // same way; the flags choose the interpreter's path).
    let definition = leaked_definition(name, function, PyMethodFlags::METHOD);
    let method = definition.build_method(&vm.ctx, class);
    class.set_attr(vm.ctx.intern_str(name), method.into());
}

/// Sets on `class`, in place of its method `name`, one that makes `check`
/// first and then calls the method it replaces. Called once per process.
pub(super) fn check_before<C>(
    vm: &VirtualMachine,
    class: &'static Py<PyType>,
    name: &'static str,
    check: C,
) where
    C: Fn(&FuncArgs, &VirtualMachine) -> PyResult<()> + Send + Sync + 'static,
{
    let Some(own) = class.get_attr(vm.ctx.intern_str(name)) else {
        return;
    };
    define(
        vm,
        class,
        name,
        move |args: FuncArgs, vm: &VirtualMachine| -> PyResult {
            check(&args, vm)?;
            own.call(args, vm)
        },
    );
}

/// A method's definition, kept for the life of the process like
/// RustPython's own.
fn leaked_definition<F, Kind>(
    name: &'static str,
    function: F,
    kind: PyMethodFlags,
) -> &'static PyMethodDef
where
    F: IntoPyNativeFn<Kind>,
{
    Box::leak(Box::new(PyMethodDef {
        name,
        func: Box::leak(Box::new(function.into_func())),
        flags: kind | PyMethodFlags::FASTCALL | PyMethodFlags::KEYWORDS,
        doc: None,
    }))
}

/// Sets `function` on `class` as its class method `name` (called with the
/// class it is looked up on, as `dict.fromkeys`). Called once per process.
pub(super) fn define_classmethod<F, Kind>(
    vm: &VirtualMachine,
    class: &'static Py<PyType>,
    name: &'static str,
    function: F,
) where
    F: IntoPyNativeFn<Kind>,
{
    let definition = leaked_definition(name, function, PyMethodFlags::CLASS);
    let method = definition.build_classmethod(&vm.ctx, class);
    class.set_attr(vm.ctx.intern_str(name), method.into());
}

/// The signature of an `__init__` slot.
pub(super) type InitSlot = fn(PyObjectRef, FuncArgs, &VirtualMachine) -> PyResult<()>;

/// The signature of a `new` slot (RustPython's type for it is not public).
pub(super) type NewSlot = fn(PyTypeRef, FuncArgs, &VirtualMachine) -> PyResult;

/// Sets `init` as `class`'s init slot, and its `__init__` to a slot
/// wrapper of it, made by RustPython as for its own types: a subclass
/// made later finds its slot in that wrapper (where a method would leave
/// it calling `__init__` by name), and `class.__init__(obj, ...)` and
/// `super().__init__(...)` call `init` too. Called once per process.
pub(super) fn define_init(vm: &VirtualMachine, class: &'static Py<PyType>, init: InitSlot) {
    let name = vm.ctx.intern_str("__init__");
    class.slots.init.store(Some(init));
    // The type's attribute cache is let go of before its dict changes.
    class.modified();
    let (place, before) = {
        let mut attributes = class.attributes.write();
        let place = attributes.get_index_of(name);
        attributes.shift_remove(name);
        (place, attributes.len())
    };
    // RustPython's own step for its types: a wrapper for each slot that has
    // none in the class's dict, `__init__` first (it is first of the slots),
    // and only it kept.
    rustpython_vm::class::add_operators(class, &vm.ctx);
    class.modified();
    let mut attributes = class.attributes.write();
    attributes.truncate(before + 1);
    if let (Some(place), Some(now)) = (place, attributes.get_index_of(name)) {
        attributes.move_index(now, place);
    }
}

/// A call of `class` (a builtin type or its subclass) as RustPython makes
/// it for a type whose new object is empty: the `P` made, then `init`
/// run with the call's arguments. For the vector call slot of a type whose
/// `__init__` is replaced by [`define_init`].
pub(super) fn construct_then_init<P: PyPayload + Default + std::fmt::Debug>(
    class: &PyObject,
    args: Vec<PyObjectRef>,
    positional: usize,
    keyword_names: Option<&[PyObjectRef]>,
    init: InitSlot,
    vm: &VirtualMachine,
) -> PyResult {
    let Some(class) = class.downcast_ref::<PyType>() else {
        let name = P::class(&vm.ctx).name();
        return Err(vm.new_type_error(format!("{name}() needs a type")));
    };
    let made = P::default().into_ref_with_type(vm, class.to_owned())?;
    let args = FuncArgs::from_vectorcall_owned(args, positional, keyword_names);
    init(made.clone().into(), args, vm)?;
    Ok(made.into())
}

/// The function behind the builtin type `T`'s own method `name`, as
/// RustPython defined it (to be called as is, without the method object's
/// call, by a method of ours put in its place).
pub(super) fn native_function<T: PyClassImpl>(name: &str) -> Option<&'static dyn PyNativeFn> {
    T::METHOD_DEFS
        .iter()
        .find(|def| def.name == name)
        .map(|def| def.func)
}

/// The class `name` of the module `module`, made once by RustPython and
/// shared by every interpreter as the builtins are: imported in the
/// interpreter being set up, which is a client's and is left without the
/// modules the import brought (`array` brings `collections.abc`), as a
/// new interpreter starts with only the modules it needs.
pub(super) fn class_of_module(
    vm: &VirtualMachine,
    module: &'static str,
    name: &'static str,
) -> PyResult<&'static Py<PyType>> {
    let modules = vm.sys_module.get_attr("modules", vm)?;
    let modules = modules
        .downcast::<PyDict>()
        .map_err(|_| vm.new_type_error("sys.modules is not a dict".to_owned()))?;
    let before = modules.keys_vec();
    let class = vm.import(module, 0)?.get_attr(name, vm)?;
    for imported in modules.keys_vec() {
        if !before.iter().any(|known| known.is(&imported)) {
            modules.del_item(&*imported, vm)?;
        }
    }
    let class = class
        .downcast::<PyType>()
        .map_err(|_| vm.new_type_error(format!("{module}.{name} is not a type")))?;
    // The class lives as long as the process; the definitions of methods
    // set on it need it for as long.
    let class: &'static rustpython_vm::PyRef<PyType> = Box::leak(Box::new(class));
    Ok(class)
}

/// What a replacement kept of RustPython's own, from the cell its
/// `install` filled once per process; a RuntimeError naming `what` if
/// that found nothing to replace.
pub(super) fn kept<T>(
    cell: &'static OnceLock<Option<T>>,
    what: &str,
    vm: &VirtualMachine,
) -> PyResult<&'static T> {
    cell.get()
        .and_then(Option::as_ref)
        .ok_or_else(|| vm.new_runtime_error(format!("{what} not set up")))
}

/// CPython's TypeError for method `method` of type `class` called on
/// `zelf`, an object of another type. Its words depend on what CPython's
/// method is: a slot wrapper (`__add__`, `__repr__`) or a method
/// descriptor (`join`, `__format__`).
pub(super) fn not_a(
    class: &str,
    method: &str,
    zelf: &PyObject,
    vm: &VirtualMachine,
) -> PyBaseExceptionRef {
    let other = zelf.class().slot_name();
    vm.new_type_error(if is_slot_wrapper(class, method) {
        format!("descriptor '{method}' requires a '{class}' object but received a '{other}'")
    } else {
        format!("descriptor '{method}' for '{class}' objects doesn't apply to a '{other}' object")
    })
}

/// CPython's TypeError for method `method` of type `class` called
/// without the object it is to run on.
/// (A slot wrapper names the type as its messages do, a method by its
/// qualified name.)
pub(super) fn no_object(
    class: &Py<PyType>,
    method: &str,
    vm: &VirtualMachine,
) -> PyBaseExceptionRef {
    let type_name = class.slot_name();
    vm.new_type_error(if is_slot_wrapper(&type_name, method) {
        format!("descriptor '{method}' of '{type_name}' object needs an argument")
    } else {
        format!(
            "unbound method {}.{method}() needs an argument",
            class.name()
        )
    })
}

/// The methods CPython makes from its type slots (`slotdefs`).
const SLOT_METHODS: &[&str] = &[
    "__getattribute__",
    "__getattr__",
    "__setattr__",
    "__delattr__",
    "__repr__",
    "__hash__",
    "__call__",
    "__str__",
    "__lt__",
    "__le__",
    "__eq__",
    "__ne__",
    "__gt__",
    "__ge__",
    "__iter__",
    "__next__",
    "__get__",
    "__set__",
    "__delete__",
    "__init__",
    "__del__",
    "__await__",
    "__aiter__",
    "__anext__",
    "__add__",
    "__radd__",
    "__sub__",
    "__rsub__",
    "__mul__",
    "__rmul__",
    "__mod__",
    "__rmod__",
    "__divmod__",
    "__rdivmod__",
    "__pow__",
    "__rpow__",
    "__neg__",
    "__pos__",
    "__abs__",
    "__bool__",
    "__invert__",
    "__lshift__",
    "__rlshift__",
    "__rshift__",
    "__rrshift__",
    "__and__",
    "__rand__",
    "__xor__",
    "__rxor__",
    "__or__",
    "__ror__",
    "__int__",
    "__float__",
    "__iadd__",
    "__isub__",
    "__imul__",
    "__imod__",
    "__ipow__",
    "__ilshift__",
    "__irshift__",
    "__iand__",
    "__ixor__",
    "__ior__",
    "__floordiv__",
    "__rfloordiv__",
    "__truediv__",
    "__rtruediv__",
    "__ifloordiv__",
    "__itruediv__",
    "__index__",
    "__matmul__",
    "__rmatmul__",
    "__imatmul__",
    "__len__",
    "__getitem__",
    "__setitem__",
    "__delitem__",
    "__contains__",
];

/// Whether CPython's `class.method` is a slot wrapper: a slot's method,
/// unless the type defines it as a method of its own too (a faster path
/// CPython keeps beside the slot, `METH_COEXIST`).
fn is_slot_wrapper(class: &str, method: &str) -> bool {
    let coexisting = matches!(
        (class, method),
        ("list" | "dict", "__getitem__") | ("dict" | "set" | "frozenset", "__contains__")
    );
    !coexisting && SLOT_METHODS.contains(&method)
}

/// `not_a` unless `zelf` is a `class` (a method must check what the slot
/// it calls takes on trust).
pub(super) fn require(
    zelf: &PyObject,
    class: &'static Py<PyType>,
    method: &str,
    vm: &VirtualMachine,
) -> PyResult<()> {
    if zelf.fast_isinstance(class) {
        return Ok(());
    }
    Err(not_a(&class.slot_name(), method, zelf, vm))
}

/// Sets `name` and its reflection `reflected` (`__add__`, `__radd__`) on
/// `class` to call the binary number slot `slot`.
pub(super) fn define_binary(
    vm: &VirtualMachine,
    class: &'static Py<PyType>,
    (name, reflected): (&'static str, &'static str),
    slot: PyNumberBinaryFunc,
) {
    define(
        vm,
        class,
        name,
        move |zelf: PyObjectRef, other: PyObjectRef, vm: &VirtualMachine| slot(&zelf, &other, vm),
    );
    define(
        vm,
        class,
        reflected,
        move |zelf: PyObjectRef, other: PyObjectRef, vm: &VirtualMachine| slot(&other, &zelf, vm),
    );
}

/// Sets the bitwise or subtraction slot `name` names (`__or__`, `__and__`,
/// `__sub__`, `__xor__`) of `class`, for either side, to `slot`, and its
/// two methods to call it.
pub(super) fn define_binary_slot(
    vm: &VirtualMachine,
    class: &'static Py<PyType>,
    (name, reflected): (&'static str, &'static str),
    slot: PyNumberBinaryFunc,
) {
    let number = &class.slots.as_number;
    let cells = match name {
        "__or__" => Some((&number.or, &number.right_or)),
        "__and__" => Some((&number.and, &number.right_and)),
        "__sub__" => Some((&number.subtract, &number.right_subtract)),
        "__xor__" => Some((&number.xor, &number.right_xor)),
        _ => None,
    };
    if let Some((left, right)) = cells {
        left.store(Some(slot));
        right.store(Some(slot));
    }
    define_binary(vm, class, (name, reflected), slot);
}

/// Sets `__pow__` and `__rpow__` on `class` to call the power slot
/// `slot`, with the modulus `None` when none is given.
pub(super) fn define_power(
    vm: &VirtualMachine,
    class: &'static Py<PyType>,
    slot: PyNumberTernaryFunc,
) {
    define(
        vm,
        class,
        "__pow__",
        move |zelf: PyObjectRef,
              other: PyObjectRef,
              modulo: OptionalArg<PyObjectRef>,
              vm: &VirtualMachine|
              -> PyResult { slot(&zelf, &other, &modulo.unwrap_or_none(vm), vm) },
    );
    define(
        vm,
        class,
        "__rpow__",
        move |zelf: PyObjectRef,
              other: PyObjectRef,
              modulo: OptionalArg<PyObjectRef>,
              vm: &VirtualMachine|
              -> PyResult { slot(&other, &zelf, &modulo.unwrap_or_none(vm), vm) },
    );
}

/// An argument given as a string, or refused.
pub(super) fn string_argument<'a>(
    method: &str,
    name: &str,
    argument: Option<&'a PyObjectRef>,
    vm: &VirtualMachine,
) -> PyResult<Option<&'a PyStr>> {
    let Some(argument) = argument else {
        return Ok(None);
    };
    match argument.downcast_ref::<PyStr>() {
        Some(text) => Ok(Some(text)),
        None => Err(vm.new_type_error(format!(
            "{method}() argument '{name}' must be str, not {}",
            argument_type_name(argument, vm)
        ))),
    }
}

/// A text argument as CPython's `const char *` conversion takes it
/// (`PyUnicode_AsUTF8AndSize`, then the check for NUL): a lone surrogate
/// is UnicodeEncodeError "surrogates not allowed" over the first run of
/// them, a NUL character ValueError "embedded null character".
pub(super) fn c_string_argument(text: &PyStr, vm: &VirtualMachine) -> PyResult<()> {
    if let Some(text) = text.to_str() {
        if text.contains('\0') {
            return Err(vm.new_value_error("embedded null character".to_owned()));
        }
        return Ok(());
    }
    // Not UTF-8: there is a lone surrogate.
    let is_surrogate = |point: u32| (0xD800..0xE000).contains(&point);
    let points: Vec<u32> = text.as_wtf8().code_points().map(|c| c.to_u32()).collect();
    let start = points
        .iter()
        .position(|&point| is_surrogate(point))
        .unwrap_or(0);
    let run = points[start..]
        .iter()
        .take_while(|&&point| is_surrogate(point));
    let end = start + run.count();
    Err(vm.new_unicode_encode_error_real(
        vm.ctx.new_str("utf-8"),
        vm.ctx.new_str(text.as_wtf8().to_owned()),
        start,
        end,
        vm.ctx.new_str("surrogates not allowed"),
    ))
}

/// `PyNumber_AsSsize_t(value, PyExc_OverflowError)`: an object with
/// `__index__` as a `Py_ssize_t`, or CPython's OverflowError naming the
/// value's type ("cannot fit 'int' into an index-sized integer").
pub(super) fn index_sized(value: &PyObject, vm: &VirtualMachine) -> PyResult<isize> {
    index_sized_raising(value, vm.ctx.exceptions.overflow_error, vm)
}

/// `PyNumber_AsSsize_t(value, error)`: [`index_sized`] with `error` for a
/// value past a `Py_ssize_t`.
pub(super) fn index_sized_raising(
    value: &PyObject,
    error: &'static Py<PyType>,
    vm: &VirtualMachine,
) -> PyResult<isize> {
    let index = value.try_index(vm)?;
    num_traits::ToPrimitive::to_isize(index.as_bigint()).ok_or_else(|| {
        let message = format!(
            "cannot fit '{}' into an index-sized integer",
            value.class().slot_name()
        );
        vm.new_exception_msg(error.to_owned(), message.into())
    })
}

/// [`index_sized`] of a value refused first, with the TypeError
/// `refusal` words from its type's name, when it has no `__index__`.
pub(super) fn index_sized_or(
    value: &PyObject,
    refusal: impl FnOnce(&str) -> String,
    vm: &VirtualMachine,
) -> PyResult<isize> {
    if value.class().slots.as_number.index.load().is_none() {
        return Err(vm.new_type_error(refusal(value.class().slot_name().as_ref())));
    }
    index_sized(value, vm)
}

/// How CPython names an argument's type in its refusal (`None` for None,
/// else the type's `tp_name`, as `_PyArg_BadArgument` does: "not
/// _io.BytesIO").
pub(super) fn argument_type_name(argument: &PyObjectRef, vm: &VirtualMachine) -> String {
    if vm.is_none(argument) {
        return "None".to_owned();
    }
    let class = argument.class();
    type_names::renamed_in_cpython(class, vm).unwrap_or_else(|| class.name().to_string())
}
