//! `io.StringIO` as CPython 3.11 has it.
//!
//! RustPython 0.5's `StringIO` keeps its text as UTF-8 bytes and counts
//! positions in bytes: `StringIO('héllo').read(2)` failed with "Error
//! Retrieving Value" (half a character), `tell()` after reading `'hé'`
//! said 3, a seek could land inside a character. It keeps no newline mode
//! (`newline=None`, `''`, `'\r'` and `'\r\n'` translated and split
//! nothing, `newlines` was always None), nor any state CPython checks
//! (an object whose `__init__` never ran was an empty file), and its
//! arguments were bound and refused in other words.
//!
//! This class takes its place: every interpreter's `_io` module (so `io`,
//! which copies it) gets it as `StringIO`, a subclass of RustPython's
//! `_io._TextIOBase` as CPython's is. Positions count code points
//! ([`text`]); writes, lines and `newlines` follow the newline mode
//! ([`newlines`]); each method converts and refuses its arguments, and
//! checks the file's state, in the order and words of CPython's
//! `Modules/_io/stringio.c`. A write that would grow the file past what
//! the process can be given is refused with MemoryError, as CPython's
//! failed allocation is.

mod io_bases;
mod newlines;
mod text;

use super::clinic_signature::{no_arguments, one_argument, positional_only, Signature};
use super::memory_bounds::refuse_past_memory;
use super::methods;
use super::module_copy::{self, ExecSlot};
use super::sized_allocations::index_argument;
use super::text_open;
use newlines::{NewlineMode, SeenNewlines};
use rustpython_vm::builtins::{
    PyBaseObject, PyDict, PyInt, PyModule, PyModuleDef, PyStr, PyTuple, PyType, PyTypeRef,
};
use rustpython_vm::class::{PyClassDef, PyClassImpl, StaticType};
use rustpython_vm::common::lock::PyMutex;
use rustpython_vm::common::static_cell::StaticCell;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::object::{MaybeTraverse, TraverseFn};
use rustpython_vm::protocol::PyIterReturn;
use rustpython_vm::types::{Constructor, DefaultConstructor, Initializer, IterNext, Iterable};
use rustpython_vm::{
    AsObject, Context, Py, PyObject, PyObjectRef, PyPayload, PyRef, PyResult, VirtualMachine,
};
use std::borrow::Cow;
use std::sync::OnceLock;
use text::Text;

/// The definition of `_io` to give interpreters: RustPython's, whose
/// module gets this `StringIO` once RustPython's own code has filled it.
pub(crate) fn io_module_def(ctx: &Context) -> Option<&'static PyModuleDef> {
    static DEF: OnceLock<Option<&'static PyModuleDef>> = OnceLock::new();
    *DEF.get_or_init(|| {
        let original = module_copy::original(ctx, "_io")?;
        let exec = original.slots.exec?;
        ORIGINAL_EXEC.get_or_init(|| exec);
        let methods = module_copy::functions(original, |method| match method.name {
            "open" => module_copy::behind(method.func, text_open::open),
            _ => method.func,
        });
        Some(module_copy::copy(original, methods, Some(fill_io)))
    })
}

/// RustPython's filling of `_io`.
static ORIGINAL_EXEC: OnceLock<ExecSlot> = OnceLock::new();

fn fill_io(vm: &VirtualMachine, module: &Py<PyModule>) -> PyResult<()> {
    let Some(original) = ORIGINAL_EXEC.get() else {
        return Err(vm.new_runtime_error("_io is not set up".to_owned()));
    };
    original(vm, module)?;
    let base = module.as_object().get_attr("_TextIOBase", vm)?;
    let base: PyTypeRef = base
        .downcast()
        .map_err(|_| vm.new_runtime_error("_io._TextIOBase is not a class".to_owned()))?;
    io_bases::complete(vm, TextIoBase::static_cell().get_or_init(|| base));
    module
        .as_object()
        .set_attr("StringIO", StringIo::make_static_type(), vm)
}

/// `_io._TextIOBase`, RustPython's class, taken from the first `_io`
/// made: the base this `StringIO` is declared with.
pub(super) struct TextIoBase;

impl PyClassDef for TextIoBase {
    const NAME: &'static str = "_TextIOBase";
    const MODULE_NAME: Option<&'static str> = Some("_io");
    const TP_NAME: &'static str = "_io._TextIOBase";
    const BASICSIZE: usize = 0;
    type Base = PyBaseObject;
}

impl StaticType for TextIoBase {
    fn static_cell() -> &'static StaticCell<PyTypeRef> {
        rustpython_vm::common::static_cell! {
            static CELL: PyTypeRef;
        }
        &CELL
    }
}

/// `StringIO(initial_value='', newline='\n')`.
const STRING_IO: Signature = Signature {
    function: "StringIO",
    parameters: &["initial_value", "newline"],
    positional_only: 0,
    positional: 2,
    required: 0,
};

/// An in-memory text file.
#[derive(Debug, Default, PyPayload)]
pub(super) struct StringIo {
    state: PyMutex<State>,
}

impl PyClassDef for StringIo {
    const NAME: &'static str = "StringIO";
    const MODULE_NAME: Option<&'static str> = Some("_io");
    const TP_NAME: &'static str = "_io.StringIO";
    // CPython's, with the signature at its head, as `type` reads it.
    const DOC: Option<&'static str> = Some(
        "StringIO(initial_value='', newline='\\n')\n--\n\nText I/O implementation using an in-memory buffer.\n\nThe initial_value argument \
         sets the value of object.  The newline\nargument is like the one of \
         TextIOWrapper's constructor.",
    );
    const BASICSIZE: usize = std::mem::size_of::<Self>();
    type Base = TextIoBase;
}

// It holds no Python object: nothing for the cycle collector to visit.
impl MaybeTraverse for StringIo {
    fn try_traverse(&self, _visit: &mut TraverseFn<'_>) {}
}

impl StaticType for StringIo {
    fn static_cell() -> &'static StaticCell<PyTypeRef> {
        rustpython_vm::common::static_cell! {
            static CELL: PyTypeRef;
        }
        &CELL
    }

    // Declared by hand for this: the base is a class found at run time.
    fn static_baseclass() -> &'static Py<PyType> {
        TextIoBase::static_type()
    }
}

/// What a `StringIO` holds and where it stands.
#[derive(Debug, Default)]
struct State {
    /// Whether `__init__` has run to its end (CPython's `ok`).
    initialized: bool,
    closed: bool,
    text: Text,
    /// In code points; may be past the end of the text.
    position: usize,
    newline: NewlineMode,
    seen: SeenNewlines,
}

impl State {
    /// CPython's `CHECK_INITIALIZED` and `CHECK_CLOSED`.
    fn check_open(&self, vm: &VirtualMachine) -> PyResult<()> {
        self.check_initialized(vm)?;
        if self.closed {
            return Err(vm.new_value_error("I/O operation on closed file"));
        }
        Ok(())
    }

    fn check_initialized(&self, vm: &VirtualMachine) -> PyResult<()> {
        if self.initialized {
            Ok(())
        } else {
            Err(vm.new_value_error("I/O operation on uninitialized object"))
        }
    }

    /// Writes `text` at the position as the newline mode writes it,
    /// moving the position past it.
    fn write(&mut self, text: &PyStr, vm: &VirtualMachine) -> PyResult<()> {
        let written = self.newline.written(text.as_wtf8(), &mut self.seen);
        let length = match &written {
            Cow::Borrowed(_) => text.char_len(),
            Cow::Owned(translated) => translated.code_points().count(),
        };
        let Some(end) = self
            .position
            .checked_add(length)
            .filter(|&end| end <= isize::MAX as usize)
        else {
            return Err(vm.new_overflow_error("new position too large"));
        };
        if end > self.text.len() {
            // CPython's buffer holds four bytes a character, and one more.
            refuse_past_memory((end as u128 + 1) * 4, vm)?;
        }
        // A translation puts ASCII newlines for ASCII newlines.
        self.text.write_at(self.position, &written, text.isascii());
        self.position = end;
        Ok(())
    }

    /// The line from the position, of at most `limit` code points.
    fn read_line(&mut self, limit: Option<usize>) -> rustpython_vm::common::wtf8::Wtf8Buf {
        let start = self.position;
        let left = self.text.len().saturating_sub(start);
        let limit = start + limit.map_or(left, |limit| limit.min(left));
        let end = self.text.line_end(start, limit, self.newline.line_ending());
        self.position = end;
        self.text.slice(start, end)
    }
}

impl StringIo {
    /// `__init__`'s work, also done by `__setstate__`.
    fn initialize(
        &self,
        value: Option<&PyObject>,
        newline: Option<&PyObject>,
        vm: &VirtualMachine,
    ) -> PyResult<()> {
        let newline = NewlineMode::from_argument(newline, vm)?;
        let value = match value {
            Some(value) if !vm.is_none(value) => {
                let Some(text) = value.downcast_ref::<PyStr>() else {
                    return Err(vm.new_type_error(format!(
                        "initial_value must be str or None, not {}",
                        value.class().name()
                    )));
                };
                Some(text)
            }
            _ => None,
        };
        let mut state = self.state.lock();
        *state = State {
            newline,
            ..State::default()
        };
        if let Some(text) = value.filter(|text| !text.is_empty()) {
            state.write(text, vm)?;
            state.position = 0;
        }
        state.initialized = true;
        Ok(())
    }

    /// `__setstate__`'s work once the state is known to be a 4-tuple.
    fn restore(zelf: &Py<Self>, state: &[PyObjectRef], vm: &VirtualMachine) -> PyResult<()> {
        let [value, newline, position, dict, ..] = state else {
            return Ok(());
        };
        zelf.initialize(Some(value), Some(newline), vm)?;
        // The value was translated when it was saved: it is put back as
        // it is, not written again.
        let text = value
            .downcast_ref::<PyStr>()
            .map_or_else(Text::default, |text| Text::from_wtf8(text.as_wtf8()));
        zelf.state.lock().text = text;
        let Some(position) = position.downcast_ref::<PyInt>() else {
            return Err(vm.new_type_error(format!(
                "third item of state must be an integer, got {}",
                position.class().slot_name()
            )));
        };
        let Some(position) = num_traits::ToPrimitive::to_isize(position.as_bigint()) else {
            return Err(vm.new_overflow_error("Python int too large to convert to C ssize_t"));
        };
        let Ok(position) = usize::try_from(position) else {
            return Err(vm.new_value_error("position value cannot be negative"));
        };
        zelf.state.lock().position = position;
        if vm.is_none(dict) {
            return Ok(());
        }
        let Some(items) = dict.downcast_ref::<PyDict>() else {
            return Err(vm.new_type_error(format!(
                "fourth item of state should be a dict, got a {}",
                dict.class().slot_name()
            )));
        };
        // The instance's dict is updated, not replaced, as CPython does.
        if let Some(own) = zelf.as_object().dict() {
            for (key, value) in items {
                own.set_item(&*key, value, vm)?;
            }
        }
        Ok(())
    }
}

impl DefaultConstructor for StringIo {}

impl Initializer for StringIo {
    type Args = FuncArgs;

    fn init(zelf: PyRef<Self>, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        let mut bound = STRING_IO.bind(args, vm)?.into_iter();
        let (value, newline) = (bound.next().flatten(), bound.next().flatten());
        zelf.initialize(value.as_deref(), newline.as_deref(), vm)
    }
}

#[rustpython_vm::pyclass(
    with(Constructor, Initializer, Iterable, IterNext),
    flags(BASETYPE, HAS_DICT, HAS_WEAKREF)
)]
impl StringIo {
    // Each method binds and converts its arguments first, as Argument
    // Clinic's wrapper does, then checks the file's state.

    #[pymethod]
    fn getvalue(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
        no_arguments("StringIO.getvalue", &args, vm)?;
        let state = self.state.lock();
        state.check_open(vm)?;
        Ok(vm.ctx.new_str(state.text.whole()).into())
    }

    #[pymethod]
    fn tell(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<usize> {
        no_arguments("StringIO.tell", &args, vm)?;
        let state = self.state.lock();
        state.check_open(vm)?;
        Ok(state.position)
    }

    #[pymethod]
    fn read(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
        let args = positional_only("StringIO.read", "read", args, 0, 1, vm)?;
        let size = optional_size(args.first(), vm)?;
        let mut state = self.state.lock();
        state.check_open(vm)?;
        let start = state.position;
        let left = state.text.len().saturating_sub(start);
        let count = size.map_or(left, |size| size.min(left));
        state.position += count;
        Ok(vm
            .ctx
            .new_str(state.text.slice(start, start + count))
            .into())
    }

    #[pymethod]
    fn readline(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
        let args = positional_only("StringIO.readline", "readline", args, 0, 1, vm)?;
        let size = optional_size(args.first(), vm)?;
        let mut state = self.state.lock();
        state.check_open(vm)?;
        Ok(vm.ctx.new_str(state.read_line(size)).into())
    }

    #[pymethod]
    fn truncate(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<usize> {
        let args = positional_only("StringIO.truncate", "truncate", args, 0, 1, vm)?;
        let size = match args.first() {
            Some(size) if !vm.is_none(size) => Some(ssize_or_none(size, vm)?),
            _ => None,
        };
        let mut state = self.state.lock();
        state.check_open(vm)?;
        let size = match size {
            None => state.position,
            Some(size) => usize::try_from(size)
                .map_err(|_| vm.new_value_error(format!("Negative size value {size}")))?,
        };
        state.text.truncate(size);
        Ok(size)
    }

    #[pymethod]
    fn seek(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<usize> {
        let args = positional_only("StringIO.seek", "seek", args, 1, 2, vm)?;
        let (position, whence) = match args.as_slice() {
            [position] => (index_argument(position, vm)?, 0),
            [position, whence] => (
                index_argument(position, vm)?,
                super::clinic_signature::c_int_argument(whence, vm)?,
            ),
            _ => return Err(vm.new_type_error("seek expected at least 1 argument, got 0")),
        };
        let mut state = self.state.lock();
        state.check_open(vm)?;
        if !(0..=2).contains(&whence) {
            return Err(
                vm.new_value_error(format!("Invalid whence ({whence}, should be 0, 1 or 2)"))
            );
        }
        if position < 0 && whence == 0 {
            return Err(vm.new_value_error(format!("Negative seek position {position}")));
        }
        if whence != 0 && position != 0 {
            return Err(vm.new_os_error("Can't do nonzero cur-relative seeks".to_owned()));
        }
        state.position = match whence {
            0 => position.unsigned_abs(),
            1 => state.position,
            _ => state.text.len(),
        };
        Ok(state.position)
    }

    #[pymethod]
    fn write(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<usize> {
        let text = one_argument("StringIO.write", args, vm)?;
        let mut state = self.state.lock();
        state.check_initialized(vm)?;
        let Some(text) = text.downcast_ref::<PyStr>() else {
            return Err(vm.new_type_error(format!(
                "string argument expected, got '{}'",
                text.class().slot_name()
            )));
        };
        state.check_open(vm)?;
        let length = text.char_len();
        if length > 0 {
            state.write(text, vm)?;
        }
        Ok(length)
    }

    #[pymethod]
    fn close(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        no_arguments("StringIO.close", &args, vm)?;
        let mut state = self.state.lock();
        state.closed = true;
        state.text = Text::default();
        Ok(())
    }

    #[pymethod]
    fn readable(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<bool> {
        self.answer_true("StringIO.readable", args, vm)
    }

    #[pymethod]
    fn writable(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<bool> {
        self.answer_true("StringIO.writable", args, vm)
    }

    #[pymethod]
    fn seekable(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<bool> {
        self.answer_true("StringIO.seekable", args, vm)
    }

    #[pymethod]
    fn __getstate__(zelf: PyRef<Self>, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        no_arguments("StringIO.__getstate__", &args, vm)?;
        let (value, newline, position) = {
            let state = zelf.state.lock();
            state.check_open(vm)?;
            (
                vm.ctx.new_str(state.text.whole()),
                state.newline,
                state.position,
            )
        };
        // CPython makes an instance's dict when first asked for it and
        // saves a copy once there is one; RustPython makes it with the
        // instance, so an empty one stands for none yet.
        let dict = match zelf.as_object().dict() {
            Some(dict) if !dict.is_empty() => dict.copy().into_ref(&vm.ctx).into(),
            _ => vm.ctx.none(),
        };
        Ok(vm
            .ctx
            .new_tuple(vec![
                value.into(),
                newline.argument(vm),
                vm.ctx.new_int(position).into(),
                dict,
            ])
            .into())
    }

    #[pymethod]
    fn __setstate__(zelf: PyRef<Self>, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        let state = one_argument("StringIO.__setstate__", args, vm)?;
        if zelf.state.lock().closed {
            return Err(vm.new_value_error("I/O operation on closed file"));
        }
        let items = state
            .downcast_ref::<PyTuple>()
            .map(|tuple| tuple.as_slice().to_vec())
            .filter(|items| items.len() >= 4);
        let Some(items) = items else {
            return Err(vm.new_type_error(format!(
                "{}.__setstate__ argument should be 4-tuple, got {}",
                zelf.class().slot_name(),
                state.class().slot_name()
            )));
        };
        Self::restore(&zelf, &items, vm)
    }

    // `_IOBase.flush`, as CPython's reads it for a `StringIO`: it looks for
    // `__IOBase_closed`, which `StringIO.close` does not set, so it
    // answers None whatever the state (RustPython's asks `closed`).
    #[pymethod]
    fn flush(zelf: PyRef<Self>, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        no_arguments("_IOBase.flush", &args, vm)?;
        let closed = match vm.get_attribute_opt(zelf.into(), "__IOBase_closed")? {
            Some(closed) => closed.try_to_bool(vm)?,
            None => false,
        };
        if closed {
            return Err(vm.new_value_error("I/O operation on closed file."));
        }
        Ok(())
    }

    #[pygetset]
    fn closed(&self, vm: &VirtualMachine) -> PyResult<bool> {
        let state = self.state.lock();
        state.check_initialized(vm)?;
        Ok(state.closed)
    }

    #[pygetset]
    fn line_buffering(&self, vm: &VirtualMachine) -> PyResult<bool> {
        self.state.lock().check_open(vm)?;
        Ok(false)
    }

    #[pygetset]
    fn newlines(&self, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
        let state = self.state.lock();
        state.check_open(vm)?;
        Ok(if state.newline.reports_newlines() {
            state.seen.to_python(vm)
        } else {
            vm.ctx.none()
        })
    }
}

impl StringIo {
    /// `readable`, `writable` and `seekable`: True while the file is open.
    fn answer_true(&self, function: &str, args: FuncArgs, vm: &VirtualMachine) -> PyResult<bool> {
        no_arguments(function, &args, vm)?;
        self.state.lock().check_open(vm)?;
        Ok(true)
    }
}

impl Iterable for StringIo {
    fn slot_iter(zelf: PyObjectRef, vm: &VirtualMachine) -> PyResult {
        // `_IOBase.__iter__`: the file itself, unless `closed` says it is.
        if zelf.get_attr("closed", vm)?.try_to_bool(vm)? {
            return Err(vm.new_value_error("I/O operation on closed file."));
        }
        Ok(zelf)
    }

    fn iter(zelf: PyRef<Self>, vm: &VirtualMachine) -> PyResult {
        Self::slot_iter(zelf.into(), vm)
    }
}

impl IterNext for StringIo {
    fn next(zelf: &Py<Self>, vm: &VirtualMachine) -> PyResult<PyIterReturn> {
        let line = if zelf.class().is(StringIo::static_type()) {
            let mut state = zelf.state.lock();
            state.check_open(vm)?;
            vm.ctx.new_str(state.read_line(None)).into()
        } else {
            // A subclass's own `readline` is asked, as CPython asks it.
            zelf.state.lock().check_open(vm)?;
            let line = vm.call_method(zelf.as_object(), "readline", ())?;
            if line.downcast_ref::<PyStr>().is_none() {
                return Err(vm.new_os_error(format!(
                    "readline() should have returned a str object, not '{}'",
                    line.class().slot_name()
                )));
            }
            line
        };
        let empty = line
            .downcast_ref::<PyStr>()
            .is_some_and(|line| line.is_empty());
        Ok(if empty {
            PyIterReturn::StopIteration(None)
        } else {
            PyIterReturn::Return(line)
        })
    }
}

/// A `Py_ssize_t(accept={int, NoneType})` size: `None` when absent, None
/// or negative (read to the end).
fn optional_size(size: Option<&PyObjectRef>, vm: &VirtualMachine) -> PyResult<Option<usize>> {
    match size {
        Some(size) if !vm.is_none(size) => Ok(usize::try_from(ssize_or_none(size, vm)?).ok()),
        _ => Ok(None),
    }
}

/// `_Py_convert_optional_to_ssize_t` of a value that is not None.
fn ssize_or_none(size: &PyObject, vm: &VirtualMachine) -> PyResult<isize> {
    methods::index_sized_or(
        size,
        |name| format!("argument should be integer or None, not '{name}'"),
        vm,
    )
}
