//! `_hashlib.HASH` and `_hashlib.HASHXOF`: the objects `hashlib.sha256()`
//! and `hashlib.new(name)` return, as CPython 3.11 makes them.
//!
//! An extendable digest (SHAKE) is a `HASHXOF`, a subclass of `HASH`
//! whose `digest` and `hexdigest` take the length wanted. Both share one
//! payload, as `bool` shares `int`'s: an `HASHXOF` is a `HASH` object of
//! the subclass, so the methods it inherits find their state.

use super::super::error_text::no_memory;
use super::algorithms::{Algorithm, State};
use super::arguments::{no_arguments, one_argument, read_only, with_data, Signature};
use rustpython_vm::builtins::PyTypeRef;
use rustpython_vm::class::StaticType;
use rustpython_vm::common::lock::PyMutex;
use rustpython_vm::function::{FuncArgs, PySetterValue};
use rustpython_vm::types::Representable;
use rustpython_vm::{Py, PyObjectRef, PyPayload, PyRef, PyResult, VirtualMachine};

/// A running digest.
#[rustpython_vm::pyclass(module = "_hashlib", name = "HASH")]
#[derive(PyPayload)]
pub(super) struct HashObject {
    algorithm: Algorithm,
    state: PyMutex<State>,
}

impl std::fmt::Debug for HashObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HASH {}", self.algorithm.python_name())
    }
}

impl HashObject {
    /// A new hash object of `algorithm`, of the class CPython gives it,
    /// having hashed `data` if any.
    pub(super) fn create(
        algorithm: Algorithm,
        data: Option<&PyObjectRef>,
        vm: &VirtualMachine,
    ) -> PyResult<PyObjectRef> {
        let mut state = State::new(algorithm);
        if let Some(data) = data {
            with_data(data, vm, |bytes| state.update(bytes))?;
        }
        Ok(HashObject::with_state(algorithm, state))
    }

    fn with_state(algorithm: Algorithm, state: State) -> PyObjectRef {
        let object = HashObject {
            algorithm,
            state: PyMutex::new(state),
        };
        let class = if algorithm.is_xof() {
            HashXof::static_type()
        } else {
            HashObject::static_type()
        };
        PyRef::new_ref(object, class.to_owned(), None).into()
    }

    /// The digest of a fixed-size algorithm (an extendable one's is
    /// asked for with a length, by `HASHXOF`'s own methods).
    fn fixed_digest(&self) -> Vec<u8> {
        self.state.lock().digest(0).unwrap_or_default()
    }
}

#[rustpython_vm::pyclass(with(Representable), flags(IMMUTABLETYPE))]
impl HashObject {
    #[pyslot]
    fn slot_new(_class: PyTypeRef, _args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        Err(vm.new_type_error("cannot create '_hashlib.HASH' instances"))
    }

    #[pygetset]
    fn name(&self) -> &'static str {
        self.algorithm.python_name()
    }

    #[pygetset]
    fn digest_size(&self) -> usize {
        self.algorithm.digest_size()
    }

    #[pygetset]
    fn block_size(&self) -> usize {
        self.algorithm.block_size()
    }

    #[pygetset(setter)]
    fn set_name(&self, _value: PySetterValue, vm: &VirtualMachine) -> PyResult<()> {
        Err(read_only("_hashlib.HASH", "name", vm))
    }

    #[pygetset(setter)]
    fn set_digest_size(&self, _value: PySetterValue, vm: &VirtualMachine) -> PyResult<()> {
        Err(read_only("_hashlib.HASH", "digest_size", vm))
    }

    #[pygetset(setter)]
    fn set_block_size(&self, _value: PySetterValue, vm: &VirtualMachine) -> PyResult<()> {
        Err(read_only("_hashlib.HASH", "block_size", vm))
    }

    #[pymethod]
    fn update(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        let data = one_argument("HASH.update", args, vm)?;
        with_data(&data, vm, |bytes| self.state.lock().update(bytes))
    }

    #[pymethod]
    fn digest(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
        no_arguments("HASH.digest", &args, vm)?;
        Ok(self.fixed_digest())
    }

    #[pymethod]
    fn hexdigest(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<String> {
        no_arguments("HASH.hexdigest", &args, vm)?;
        hex(&self.fixed_digest()).ok_or_else(|| no_memory(vm))
    }

    #[pymethod]
    fn copy(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<PyObjectRef> {
        no_arguments("HASH.copy", &args, vm)?;
        let state = self.state.lock().clone();
        Ok(HashObject::with_state(self.algorithm, state))
    }
}

impl Representable for HashObject {
    fn repr_str(zelf: &Py<Self>, _vm: &VirtualMachine) -> PyResult<String> {
        let class = if zelf.algorithm.is_xof() {
            "HASHXOF"
        } else {
            "HASH"
        };
        Ok(format!(
            "<{} _hashlib.{class} object @ {:#x}>",
            zelf.algorithm.python_name(),
            zelf as *const Py<Self> as usize
        ))
    }
}

/// `_hashlib.HASHXOF`: an extendable digest. Its objects are
/// `HashObject`s of this class.
#[rustpython_vm::pyclass(module = "_hashlib", name = "HASHXOF", base = HashObject)]
#[derive(Debug)]
#[repr(transparent)]
pub(super) struct HashXof(HashObject);

#[rustpython_vm::pyclass(flags(IMMUTABLETYPE))]
impl HashXof {
    #[pyslot]
    fn slot_new(_class: PyTypeRef, _args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        Err(vm.new_type_error("cannot create '_hashlib.HASHXOF' instances"))
    }

    #[pygetset]
    fn digest_size(_zelf: PyObjectRef) -> usize {
        0
    }

    #[pymethod]
    fn digest(zelf: PyObjectRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
        let length = xof_length("digest", args, vm)?;
        let Ok(length) = usize::try_from(length) else {
            return Err(vm.new_system_error("Negative size passed to PyBytes_FromStringAndSize"));
        };
        xof_output(&zelf, length, vm)
    }

    #[pymethod]
    fn hexdigest(zelf: PyObjectRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult<String> {
        let length = xof_length("hexdigest", args, vm)?;
        // CPython allocates a negative length as a huge size.
        let Ok(length) = usize::try_from(length) else {
            return Err(no_memory(vm));
        };
        hex(&xof_output(&zelf, length, vm)?).ok_or_else(|| no_memory(vm))
    }
}

/// Reads the `length` argument (`Py_ssize_t`) of an extendable digest's
/// `method`.
fn xof_length(method: &'static str, args: FuncArgs, vm: &VirtualMachine) -> PyResult<i64> {
    let signature = Signature {
        function: method,
        parameters: &["length"],
        positional_only: 0,
        positional: 1,
        required: 1,
    };
    let Some(length) = signature.bind(args, vm)?.into_iter().next().flatten() else {
        return Err(vm.new_system_error("length unbound"));
    };
    let length = length.try_index(vm)?;
    num_traits::ToPrimitive::to_i64(length.as_bigint())
        .ok_or_else(|| vm.new_overflow_error("Python int too large to convert to C ssize_t"))
}

/// `length` bytes of the extendable digest `zelf`, or a MemoryError where
/// that many cannot be had.
fn xof_output(zelf: &PyObjectRef, length: usize, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
    let Some(object) = zelf.downcast_ref::<HashObject>() else {
        return Err(vm.new_type_error("descriptor requires a '_hashlib.HASHXOF' object"));
    };
    let output = object.state.lock().digest(length);
    output.ok_or_else(|| no_memory(vm))
}

/// `bytes` in hexadecimal, or None where the memory cannot be had.
pub(super) fn hex(bytes: &[u8]) -> Option<String> {
    let mut text = String::new();
    text.try_reserve_exact(bytes.len().checked_mul(2)?).ok()?;
    for byte in bytes {
        text.push(char::from(b"0123456789abcdef"[usize::from(byte >> 4)]));
        text.push(char::from(b"0123456789abcdef"[usize::from(byte & 15)]));
    }
    Some(text)
}
