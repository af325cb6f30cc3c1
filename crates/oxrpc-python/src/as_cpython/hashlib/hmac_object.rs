//! `_hashlib.HMAC`, `hmac_new` and `hmac_digest`: HMAC over any of
//! `_hashlib`'s fixed-size digests, as `hmac.new(key, msg, 'sha256')`
//! and `hmac.digest(...)` reach them.

use super::super::error_text::no_memory;
use super::algorithms::{Algorithm, MacState};
use super::arguments::{buffer_argument, no_arguments, read_only, with_data, Signature};
use super::hash_object::hex;
use super::openssl::{digest_by_digestmod, no_reason};
use rustpython_vm::builtins::{PyBytes, PyTypeRef};
use rustpython_vm::common::lock::PyMutex;
use rustpython_vm::function::{FuncArgs, PySetterValue};
use rustpython_vm::types::Representable;
use rustpython_vm::{Py, PyObjectRef, PyPayload, PyResult, VirtualMachine};

/// A running HMAC.
#[rustpython_vm::pyclass(module = "_hashlib", name = "HMAC")]
#[derive(PyPayload)]
pub(super) struct HmacObject {
    algorithm: Algorithm,
    state: PyMutex<MacState>,
}

impl std::fmt::Debug for HmacObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HMAC {}", self.algorithm.python_name())
    }
}

#[rustpython_vm::pyclass(with(Representable), flags(IMMUTABLETYPE))]
impl HmacObject {
    #[pyslot]
    fn slot_new(_class: PyTypeRef, _args: FuncArgs, vm: &VirtualMachine) -> PyResult {
        Err(vm.new_type_error("cannot create '_hashlib.HMAC' instances"))
    }

    #[pygetset]
    fn name(&self) -> String {
        format!("hmac-{}", self.algorithm.python_name())
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
        Err(read_only("_hashlib.HMAC", "name", vm))
    }

    #[pygetset(setter)]
    fn set_digest_size(&self, _value: PySetterValue, vm: &VirtualMachine) -> PyResult<()> {
        Err(read_only("_hashlib.HMAC", "digest_size", vm))
    }

    #[pygetset(setter)]
    fn set_block_size(&self, _value: PySetterValue, vm: &VirtualMachine) -> PyResult<()> {
        Err(read_only("_hashlib.HMAC", "block_size", vm))
    }

    /// `update(msg)`: the message may be named.
    #[pymethod]
    fn update(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        let signature = Signature {
            function: "update",
            parameters: &["msg"],
            positional_only: 0,
            positional: 1,
            required: 1,
        };
        let Some(message) = signature.bind(args, vm)?.into_iter().next().flatten() else {
            return Err(vm.new_system_error("msg unbound"));
        };
        with_data(&message, vm, |bytes| self.state.lock().update(bytes))
    }

    #[pymethod]
    fn digest(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
        no_arguments("HMAC.digest", &args, vm)?;
        Ok(self.state.lock().digest())
    }

    #[pymethod]
    fn hexdigest(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<String> {
        no_arguments("HMAC.hexdigest", &args, vm)?;
        hex(&self.state.lock().digest()).ok_or_else(|| no_memory(vm))
    }

    #[pymethod]
    fn copy(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<HmacObject> {
        no_arguments("HMAC.copy", &args, vm)?;
        Ok(HmacObject {
            algorithm: self.algorithm,
            state: PyMutex::new(self.state.lock().clone()),
        })
    }
}

impl Representable for HmacObject {
    fn repr_str(zelf: &Py<Self>, _vm: &VirtualMachine) -> PyResult<String> {
        Ok(format!(
            "<{} HMAC object @ {:#x}>",
            zelf.algorithm.python_name(),
            zelf as *const Py<Self> as usize
        ))
    }
}

/// `hmac_new(key, msg=b'', digestmod=None)`.
pub(super) fn hmac_new(args: FuncArgs, vm: &VirtualMachine) -> PyResult<HmacObject> {
    let signature = Signature {
        function: "hmac_new",
        parameters: &["key", "msg", "digestmod"],
        positional_only: 0,
        positional: 3,
        required: 1,
    };
    let mut bound = signature.bind(args, vm)?.into_iter();
    let (key, message, digestmod) = (
        bound.next().flatten(),
        bound.next().flatten(),
        bound.next().flatten(),
    );
    let key = match key {
        Some(key) => buffer_argument(&key, vm)?,
        None => return Err(vm.new_system_error("key unbound")),
    };
    let Some(digestmod) = digestmod else {
        return Err(vm.new_type_error("Missing required parameter 'digestmod'."));
    };
    let algorithm = digest_by_digestmod(&digestmod, vm)?;
    let mut state = MacState::new(algorithm, &key).ok_or_else(|| no_reason(vm))?;
    if let Some(message) = message.filter(|m| !vm.is_none(m)) {
        with_data(&message, vm, |bytes| state.update(bytes))?;
    }
    Ok(HmacObject {
        algorithm,
        state: PyMutex::new(state),
    })
}

/// `hmac_digest(key, msg, digest)`: one HMAC at once.
pub(super) fn hmac_digest(args: FuncArgs, vm: &VirtualMachine) -> PyResult<PyBytes> {
    let signature = Signature {
        function: "hmac_digest",
        parameters: &["key", "msg", "digest"],
        positional_only: 0,
        positional: 3,
        required: 3,
    };
    let Ok([Some(key), Some(message), Some(digest)]) =
        <[Option<PyObjectRef>; 3]>::try_from(signature.bind(args, vm)?)
    else {
        return Err(vm.new_system_error("hmac_digest arguments unbound"));
    };
    let key = buffer_argument(&key, vm)?;
    let message = buffer_argument(&message, vm)?;
    let algorithm = digest_by_digestmod(&digest, vm)?;
    let mut state = MacState::new(algorithm, &key).ok_or_else(|| no_reason(vm))?;
    state.update(&message);
    Ok(state.digest().into())
}
