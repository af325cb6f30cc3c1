//! `_hashlib`'s own functions and names, as CPython 3.11's
//! `_hashopenssl.c` defines them over OpenSSL 3: `new`, a constructor
//! per common digest (`openssl_sha256`, which `hashlib.sha256` is),
//! `get_fips_mode`, the digest names and the constructors' table HMAC
//! reads a `digestmod` function from.
//!
//! RustPython's `_hashlib` knew 14 digests (not `sha512_224`,
//! `sha512_256`, `ripemd160`, `sm3` or `md5-sha1`), only their Python
//! names (not OpenSSL's `SHA-256` or `sha2-512/224`), no `scrypt`, and
//! worded its refusals its own way ("a bytes-like object is required,
//! not 'str'" for text, where CPython says "Strings must be encoded
//! before hashing").

use super::algorithms::{Algorithm, CONSTRUCTED};
use super::arguments::{no_arguments, with_data, Signature};
use super::hash_object::HashObject;
use rustpython_vm::builtins::{PyBaseExceptionRef, PyFrozenSet, PyStr, PyTypeRef};
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{AsObject, PyObjectRef, PyPayload, PyResult, VirtualMachine};
use std::sync::OnceLock;

/// `UnsupportedDigestmodError`, made once per process, as RustPython's
/// own exception types are.
static UNSUPPORTED: OnceLock<PyTypeRef> = OnceLock::new();

pub(super) fn unsupported_digestmod_error(vm: &VirtualMachine) -> PyTypeRef {
    UNSUPPORTED
        .get_or_init(|| {
            vm.ctx.new_exception_type(
                "_hashlib",
                "UnsupportedDigestmodError",
                Some(vec![vm.ctx.exceptions.value_error.to_owned()]),
            )
        })
        .clone()
}

/// What OpenSSL's error queue says for a digest it does not know.
fn unsupported(vm: &VirtualMachine) -> PyBaseExceptionRef {
    vm.new_exception_msg(
        unsupported_digestmod_error(vm),
        "[digital envelope routines] unsupported".into(),
    )
}

/// CPython's ValueError when OpenSSL fails and says nothing (an HMAC or
/// PBKDF2 over an extendable digest).
pub(super) fn no_reason(vm: &VirtualMachine) -> PyBaseExceptionRef {
    vm.new_value_error("no reason supplied")
}

/// The digest `name` names, or `UnsupportedDigestmodError`.
pub(super) fn digest_by_name(name: &str, vm: &VirtualMachine) -> PyResult<Algorithm> {
    Algorithm::by_name(name).ok_or_else(|| unsupported(vm))
}

/// The digest an HMAC's `digestmod` names: a name, or one of this
/// module's constructors (`hashlib.sha256`).
pub(super) fn digest_by_digestmod(
    digestmod: &PyObjectRef,
    vm: &VirtualMachine,
) -> PyResult<Algorithm> {
    if let Some(name) = digestmod.downcast_ref::<PyStr>() {
        return digest_by_name(name.to_str().unwrap_or_default(), vm);
    }
    constructed_by(digestmod, vm).ok_or_else(|| {
        let shown = digestmod
            .repr(vm)
            .map(|text| text.as_wtf8().to_string())
            .unwrap_or_default();
        vm.new_exception_msg(
            unsupported_digestmod_error(vm),
            format!("Unsupported digestmod {shown}").into(),
        )
    })
}

/// The digest `function` constructs, if it is one of the constructors:
/// a builtin function of `_hashlib` (no other code can make one) named
/// after a digest.
fn constructed_by(function: &PyObjectRef, vm: &VirtualMachine) -> Option<Algorithm> {
    if !function
        .class()
        .is(vm.ctx.types.builtin_function_or_method_type)
    {
        return None;
    }
    let text = |name: &'static str| {
        let value = function.get_attr(name, vm).ok()?;
        value
            .downcast_ref::<PyStr>()
            .map(|text| text.as_wtf8().to_string())
    };
    if text("__module__")? != "_hashlib" {
        return None;
    }
    let name = text("__name__")?;
    let name = name.strip_prefix("openssl_")?;
    CONSTRUCTED
        .iter()
        .copied()
        .find(|algorithm| algorithm.python_name() == name)
}

/// `new(name, string=b'', *, usedforsecurity=True)`.
pub(super) fn new(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let signature = Signature {
        function: "new",
        parameters: &["name", "string", "usedforsecurity"],
        positional_only: 0,
        positional: 2,
        required: 1,
    };
    let Ok([Some(name), data, used_for_security]) =
        <[Option<PyObjectRef>; 3]>::try_from(signature.bind(args, vm)?)
    else {
        return Err(vm.new_system_error("new arguments unbound"));
    };
    if let Some(used_for_security) = used_for_security {
        used_for_security.try_to_bool(vm)?;
    }
    // `PyArg_Parse(name, "s")`: a str that is valid UTF-8 and has no NUL.
    let name = name
        .downcast_ref::<PyStr>()
        .and_then(|name| name.to_str())
        .filter(|name| !name.contains('\0'))
        .ok_or_else(|| vm.new_type_error("name must be a string"))?
        .to_owned();
    // The data is checked before the name is looked up.
    if let Some(data) = &data {
        with_data(data, vm, |_| ())?;
    }
    let algorithm = digest_by_name(&name, vm)?;
    HashObject::create(algorithm, data.as_ref(), vm)
}

/// `openssl_NAME(string=b'', *, usedforsecurity=True)`, the constructor
/// of `algorithm` named `function`.
fn construct(
    algorithm: Algorithm,
    function: &'static str,
    args: FuncArgs,
    vm: &VirtualMachine,
) -> PyResult {
    let signature = Signature {
        function,
        parameters: &["string", "usedforsecurity"],
        positional_only: 0,
        positional: 1,
        required: 0,
    };
    let Ok([data, used_for_security]) =
        <[Option<PyObjectRef>; 2]>::try_from(signature.bind(args, vm)?)
    else {
        return Err(vm.new_system_error("constructor arguments unbound"));
    };
    if let Some(used_for_security) = used_for_security {
        used_for_security.try_to_bool(vm)?;
    }
    HashObject::create(algorithm, data.as_ref(), vm)
}

/// The constructors, one function each (a module function's name is
/// static).
macro_rules! constructors {
    ($($function:ident => $algorithm:ident),* $(,)?) => {
        $(
            fn $function(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
                construct(Algorithm::$algorithm, stringify!($function), args, vm)
            }
        )*

        /// (name, function) of each constructor, in `CONSTRUCTED`'s order.
        pub(super) const CONSTRUCTORS: [(&str, fn(FuncArgs, &VirtualMachine) -> PyResult); 12] = [
            $((stringify!($function), $function),)*
        ];
    };
}

constructors! {
    openssl_md5 => Md5,
    openssl_sha1 => Sha1,
    openssl_sha224 => Sha224,
    openssl_sha256 => Sha256,
    openssl_sha384 => Sha384,
    openssl_sha512 => Sha512,
    openssl_sha3_224 => Sha3_224,
    openssl_sha3_256 => Sha3_256,
    openssl_sha3_384 => Sha3_384,
    openssl_sha3_512 => Sha3_512,
    openssl_shake_128 => Shake128,
    openssl_shake_256 => Shake256,
}

/// `get_fips_mode()`: OpenSSL here is not in FIPS mode.
pub(super) fn get_fips_mode(args: FuncArgs, vm: &VirtualMachine) -> PyResult<i32> {
    no_arguments("_hashlib.get_fips_mode", &args, vm)?;
    Ok(0)
}

/// Sets the module's names that are not functions: the classes, the
/// error, `openssl_md_meth_names` and `_constructors`.
pub(super) fn populate(
    module: &rustpython_vm::Py<rustpython_vm::builtins::PyModule>,
    vm: &VirtualMachine,
) -> PyResult<()> {
    use super::hash_object::HashXof;
    use super::hmac_object::HmacObject;
    use rustpython_vm::class::PyClassImpl;
    module.set_attr("HASH", HashObject::make_static_type(), vm)?;
    module.set_attr("HASHXOF", HashXof::make_static_type(), vm)?;
    module.set_attr("HMAC", HmacObject::make_static_type(), vm)?;
    module.set_attr(
        "UnsupportedDigestmodError",
        unsupported_digestmod_error(vm),
        vm,
    )?;
    let names = Algorithm::python_names().map(|name| vm.ctx.new_str(name).into());
    let names = PyFrozenSet::from_iter(vm, names)?.into_ref(&vm.ctx);
    module.set_attr("openssl_md_meth_names", names, vm)?;
    let constructors = vm.ctx.new_dict();
    for ((function, _), algorithm) in CONSTRUCTORS.iter().zip(CONSTRUCTED) {
        let function = module.as_object().get_attr(*function, vm)?;
        constructors.set_item(
            &*function,
            vm.ctx.new_str(algorithm.python_name()).into(),
            vm,
        )?;
    }
    module.set_attr("_constructors", constructors, vm)?;
    Ok(())
}
