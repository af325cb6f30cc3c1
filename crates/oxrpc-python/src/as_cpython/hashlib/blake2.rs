//! `_blake2` as CPython 3.11 has it: `hashlib.blake2b` and
//! `hashlib.blake2s` are classes that take BLAKE2's whole parameter block.
//!
//! RustPython 0.5's `_blake2.blake2b` was a function taking only the data:
//! `hashlib.blake2b(b'x', digest_size=16)`, a key (BLAKE2 as a MAC), a
//! salt, a personalisation or tree hashing were a `TypeError`, the
//! classes' `SALT_SIZE`-style constants were missing, and `isinstance(h,
//! hashlib.blake2b)` failed. This module is in its place in every
//! interpreter. Its arguments are read and refused in CPython's order and
//! words (Argument Clinic's conversions first, then the parameter checks
//! of `py_blake2b_new_impl`, the data last).
//!
//! ```python
//! >>> import hashlib
//! >>> hashlib.blake2b(b'abc', digest_size=16).hexdigest()
//! 'cf4ab791c62b8d2b2109c90275287816'
//! ```

use super::arguments::{
    bool_argument, buffer_argument, c_int_argument, no_arguments, one_argument, read_only,
    unsigned_long_argument, unsigned_long_long_argument, with_data, Signature,
};
use rustpython_vm::builtins::{PyModule, PyTypeRef};
use rustpython_vm::common::lock::PyMutex;
use rustpython_vm::function::{FuncArgs, PySetterValue};
use rustpython_vm::{AsObject, PyObjectRef, PyPayload, PyResult, VirtualMachine};

/// The parameters both constructors take, in their order: the data
/// (positional only), then the keywords.
const PARAMETERS: [&str; 13] = [
    "data",
    "digest_size",
    "key",
    "salt",
    "person",
    "fanout",
    "depth",
    "leaf_size",
    "node_offset",
    "node_depth",
    "inner_size",
    "last_node",
    "usedforsecurity",
];

/// What sets BLAKE2b and BLAKE2s apart for a caller: their sizes.
#[derive(Clone, Copy, Debug)]
pub(super) struct Variant {
    name: &'static str,
    max_digest_size: usize,
    max_key_size: usize,
    salt_size: usize,
    person_size: usize,
    block_size: usize,
    /// BLAKE2s keeps 48 bits of node offset; BLAKE2b all 64.
    max_node_offset: u64,
}

const BLAKE2B: Variant = Variant {
    name: "blake2b",
    max_digest_size: 64,
    max_key_size: 64,
    salt_size: 16,
    person_size: 16,
    block_size: 128,
    max_node_offset: u64::MAX,
};

const BLAKE2S: Variant = Variant {
    name: "blake2s",
    max_digest_size: 32,
    max_key_size: 32,
    salt_size: 8,
    person_size: 8,
    block_size: 64,
    max_node_offset: (1 << 48) - 1,
};

/// A running hash of either variant.
#[derive(Clone)]
enum State {
    B(blake2b_simd::State),
    S(blake2s_simd::State),
}

impl State {
    fn update(&mut self, data: &[u8]) {
        match self {
            State::B(state) => {
                state.update(data);
            }
            State::S(state) => {
                state.update(data);
            }
        }
    }

    fn digest(&self) -> Vec<u8> {
        match self {
            State::B(state) => state.finalize().as_bytes().to_vec(),
            State::S(state) => state.finalize().as_bytes().to_vec(),
        }
    }
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BLAKE2 state")
    }
}

/// The parameter block, checked.
struct Parameters {
    digest_size: usize,
    key: Vec<u8>,
    salt: Vec<u8>,
    person: Vec<u8>,
    fanout: u8,
    depth: u8,
    leaf_size: u32,
    node_offset: u64,
    node_depth: u8,
    inner_size: usize,
    last_node: bool,
}

impl Parameters {
    /// Reads `args` as `blake2b(data=b'', /, *, digest_size=..., ...)`:
    /// the parameters and the data, or CPython's error.
    fn read(
        variant: Variant,
        args: FuncArgs,
        vm: &VirtualMachine,
    ) -> PyResult<(Parameters, Option<PyObjectRef>)> {
        let signature = Signature {
            function: variant.name,
            parameters: &PARAMETERS,
            positional_only: 1,
            positional: 1,
            required: 0,
        };
        let Ok(
            [data, digest_size, key, salt, person, fanout, depth, leaf_size, node_offset, node_depth, inner_size, last_node, used_for_security],
        ) = <[Option<PyObjectRef>; 13]>::try_from(signature.bind(args, vm)?)
        else {
            return Err(vm.new_system_error("blake2 arguments bound wrongly"));
        };
        // Argument Clinic's conversions, in the parameters' order.
        let digest_size = digest_size
            .map(|o| c_int_argument(&o, vm))
            .transpose()?
            .unwrap_or(variant.max_digest_size as i32);
        let key = key.map(|o| buffer_argument(&o, vm)).transpose()?;
        let salt = salt.map(|o| buffer_argument(&o, vm)).transpose()?;
        let person = person.map(|o| buffer_argument(&o, vm)).transpose()?;
        let fanout = fanout.map(|o| c_int_argument(&o, vm)).transpose()?;
        let depth = depth.map(|o| c_int_argument(&o, vm)).transpose()?;
        let leaf_size = leaf_size
            .map(|o| unsigned_long_argument(&o, vm))
            .transpose()?;
        let node_offset = node_offset
            .map(|o| unsigned_long_long_argument(&o, vm))
            .transpose()?;
        let node_depth = node_depth.map(|o| c_int_argument(&o, vm)).transpose()?;
        let inner_size = inner_size.map(|o| c_int_argument(&o, vm)).transpose()?;
        let last_node = last_node.map(|o| bool_argument(o, vm)).transpose()?;
        if let Some(used_for_security) = used_for_security {
            bool_argument(used_for_security, vm)?;
        }

        // `py_blake2b_new_impl`'s checks, in its order.
        let value_error = |text: String| Err(vm.new_value_error(text));
        let digest_size = match usize::try_from(digest_size) {
            Ok(size) if (1..=variant.max_digest_size).contains(&size) => size,
            _ => {
                return value_error(format!(
                    "digest_size must be between 1 and {} bytes",
                    variant.max_digest_size
                ))
            }
        };
        let salt = salt.unwrap_or_default();
        if salt.len() > variant.salt_size {
            return value_error(format!(
                "maximum salt length is {} bytes",
                variant.salt_size
            ));
        }
        let person = person.unwrap_or_default();
        if person.len() > variant.person_size {
            return value_error(format!(
                "maximum person length is {} bytes",
                variant.person_size
            ));
        }
        let Ok(fanout) = u8::try_from(fanout.unwrap_or(1)) else {
            return value_error("fanout must be between 0 and 255".to_owned());
        };
        let depth = match u8::try_from(depth.unwrap_or(1)) {
            Ok(depth) if depth > 0 => depth,
            _ => return value_error("depth must be between 1 and 255".to_owned()),
        };
        let Ok(leaf_size) = u32::try_from(leaf_size.unwrap_or(0)) else {
            return Err(vm.new_overflow_error("leaf_size is too large"));
        };
        let node_offset = node_offset.unwrap_or(0);
        if node_offset > variant.max_node_offset {
            return Err(vm.new_overflow_error("node_offset is too large"));
        }
        let Ok(node_depth) = u8::try_from(node_depth.unwrap_or(0)) else {
            return value_error("node_depth must be between 0 and 255".to_owned());
        };
        let inner_size = match usize::try_from(inner_size.unwrap_or(0)) {
            Ok(size) if size <= variant.max_digest_size => size,
            // CPython's words, its slip included.
            _ => {
                return value_error(format!(
                    "inner_size must be between 0 and is {}",
                    variant.max_digest_size
                ))
            }
        };
        let key = key.unwrap_or_default();
        if key.len() > variant.max_key_size {
            return value_error(format!(
                "maximum key length is {} bytes",
                variant.max_key_size
            ));
        }
        let parameters = Parameters {
            digest_size,
            key,
            salt,
            person,
            fanout,
            depth,
            leaf_size,
            node_offset,
            node_depth,
            inner_size,
            last_node: last_node.unwrap_or(false),
        };
        Ok((parameters, data))
    }

    /// The hash's initial state. Every size was checked against the
    /// variant's in `read`, so the crates' own assertions hold.
    fn state(&self, variant: Variant) -> State {
        // The two crates' parameter builders take the same calls.
        macro_rules! state_of {
            ($crate_name:ident, $variant:ident) => {{
                let mut params = $crate_name::Params::new();
                params
                    .hash_length(self.digest_size)
                    .key(&self.key)
                    .salt(&self.salt)
                    .personal(&self.person)
                    .fanout(self.fanout)
                    .max_depth(self.depth)
                    .max_leaf_length(self.leaf_size)
                    .node_offset(self.node_offset)
                    .node_depth(self.node_depth)
                    .inner_hash_length(self.inner_size)
                    .last_node(self.last_node);
                State::$variant(params.to_state())
            }};
        }
        if variant.block_size == BLAKE2B.block_size {
            state_of!(blake2b_simd, B)
        } else {
            state_of!(blake2s_simd, S)
        }
    }
}

/// A hash object's state and size, behind the lock its methods share.
#[derive(Debug)]
pub(super) struct Hasher {
    variant: Variant,
    digest_size: usize,
    state: PyMutex<State>,
}

impl Hasher {
    fn new(variant: Variant, args: FuncArgs, vm: &VirtualMachine) -> PyResult<Self> {
        let (parameters, data) = Parameters::read(variant, args, vm)?;
        let mut state = parameters.state(variant);
        // The data is read last, after every parameter was checked.
        if let Some(data) = data {
            with_data(&data, vm, |bytes| state.update(bytes))?;
        }
        Ok(Hasher {
            variant,
            digest_size: parameters.digest_size,
            state: PyMutex::new(state),
        })
    }

    fn update(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
        let data = one_argument(&format!("{}.update", self.variant.name), args, vm)?;
        with_data(&data, vm, |bytes| self.state.lock().update(bytes))
    }

    fn digest(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
        no_arguments(&format!("{}.digest", self.variant.name), &args, vm)?;
        Ok(self.state.lock().digest())
    }

    fn hexdigest(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<String> {
        no_arguments(&format!("{}.hexdigest", self.variant.name), &args, vm)?;
        let digest = self.state.lock().digest();
        Ok(digest.iter().map(|byte| format!("{byte:02x}")).collect())
    }

    fn copy(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<Self> {
        no_arguments(&format!("{}.copy", self.variant.name), &args, vm)?;
        Ok(Hasher {
            variant: self.variant,
            digest_size: self.digest_size,
            state: PyMutex::new(self.state.lock().clone()),
        })
    }
}

/// Stamps out one of the two classes: the same methods over `Hasher`,
/// with the variant's constants and docstrings.
macro_rules! blake2_class {
    ($class:ident, $name:literal, $variant:expr, $doc:literal) => {
        #[doc = $doc]
        #[rustpython_vm::pyclass(module = "_blake2", name = $name)]
        #[derive(Debug, rustpython_vm::PyPayload)]
        pub(super) struct $class(Hasher);

        #[rustpython_vm::pyclass(flags(IMMUTABLETYPE))]
        impl $class {
            #[pyslot]
            fn slot_new(class: PyTypeRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult {
                Ok($class(Hasher::new($variant, args, vm)?)
                    .into_ref_with_type(vm, class)?
                    .into())
            }

            #[pygetset]
            fn name(&self) -> &'static str {
                self.0.variant.name
            }

            #[pygetset]
            fn digest_size(&self) -> usize {
                self.0.digest_size
            }

            #[pygetset]
            fn block_size(&self) -> usize {
                self.0.variant.block_size
            }

            // RustPython names the class without its module in the error
            // for an attribute without a setter; CPython's tp_name has it.
            #[pygetset(setter)]
            fn set_name(&self, _value: PySetterValue, vm: &VirtualMachine) -> PyResult<()> {
                Err(read_only(
                    &format!("_blake2.{}", self.0.variant.name),
                    "name",
                    vm,
                ))
            }

            #[pygetset(setter)]
            fn set_digest_size(&self, _value: PySetterValue, vm: &VirtualMachine) -> PyResult<()> {
                Err(read_only(
                    &format!("_blake2.{}", self.0.variant.name),
                    "digest_size",
                    vm,
                ))
            }

            #[pygetset(setter)]
            fn set_block_size(&self, _value: PySetterValue, vm: &VirtualMachine) -> PyResult<()> {
                Err(read_only(
                    &format!("_blake2.{}", self.0.variant.name),
                    "block_size",
                    vm,
                ))
            }

            /// Update this hash object's state with the provided bytes-like object.
            #[pymethod]
            fn update(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<()> {
                self.0.update(args, vm)
            }

            /// Return the digest value as a bytes object.
            #[pymethod]
            fn digest(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
                self.0.digest(args, vm)
            }

            /// Return the digest value as a string of hexadecimal digits.
            #[pymethod]
            fn hexdigest(&self, args: FuncArgs, vm: &VirtualMachine) -> PyResult<String> {
                self.0.hexdigest(args, vm)
            }

            /// Return a copy of the hash object.
            #[pymethod]
            fn copy(
                zelf: rustpython_vm::PyRef<Self>,
                args: FuncArgs,
                vm: &VirtualMachine,
            ) -> PyResult<rustpython_vm::PyRef<Self>> {
                let copy = $class(zelf.0.copy(args, vm)?);
                copy.into_ref_with_type(vm, zelf.class().to_owned())
            }
        }
    };
}

blake2_class!(
    Blake2b,
    "blake2b",
    BLAKE2B,
    "Return a new BLAKE2b hash object."
);
blake2_class!(
    Blake2s,
    "blake2s",
    BLAKE2S,
    "Return a new BLAKE2s hash object."
);

/// The module's classes and constants, set on `module` as CPython's
/// `_blake2` has them.
pub(super) fn populate(module: &rustpython_vm::Py<PyModule>, vm: &VirtualMachine) -> PyResult<()> {
    use rustpython_vm::class::PyClassImpl;
    let classes: [(&str, PyTypeRef); 2] = [
        ("blake2b", Blake2b::make_static_type()),
        ("blake2s", Blake2s::make_static_type()),
    ];
    for ((name, class), variant) in classes.into_iter().zip([BLAKE2B, BLAKE2S]) {
        let constants = [
            ("SALT_SIZE", variant.salt_size),
            ("PERSON_SIZE", variant.person_size),
            ("MAX_KEY_SIZE", variant.max_key_size),
            ("MAX_DIGEST_SIZE", variant.max_digest_size),
        ];
        for (constant, value) in constants {
            let value = vm.ctx.new_int(value);
            // The classes are shared by every interpreter: set once.
            if class.get_attr(vm.ctx.intern_str(constant)).is_none() {
                class.set_attr(vm.ctx.intern_str(constant), value.clone().into());
            }
            let prefixed = format!("{}_{constant}", name.to_uppercase());
            module.set_attr(vm.ctx.intern_str(prefixed), value, vm)?;
        }
        module.set_attr(name, class, vm)?;
    }
    Ok(())
}
