//! `_hashlib.pbkdf2_hmac` and `_hashlib.scrypt`: key derivation, with
//! CPython 3.11's checks and words, and OpenSSL 3's limits for scrypt
//! (`hashlib.scrypt` was missing on RustPython).

use super::super::error_text::no_memory;
use super::algorithms::{pbkdf2_hmac as derive_pbkdf2, Algorithm};
use super::arguments::{buffer_argument, Signature};
use super::openssl::{digest_by_name, no_reason};
use rustpython_vm::builtins::{PyBytes, PyInt, PyStr};
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine};

/// C's INT_MAX, OpenSSL's bound on lengths and counts.
const INT_MAX: i64 = i32::MAX as i64;

/// `pbkdf2_hmac(hash_name, password, salt, iterations, dklen=None)`.
pub(super) fn pbkdf2_hmac(args: FuncArgs, vm: &VirtualMachine) -> PyResult<PyBytes> {
    let signature = Signature {
        function: "pbkdf2_hmac",
        parameters: &["hash_name", "password", "salt", "iterations", "dklen"],
        positional_only: 0,
        positional: 5,
        required: 4,
    };
    let Ok([Some(hash_name), Some(password), Some(salt), Some(iterations), dklen]) =
        <[Option<PyObjectRef>; 5]>::try_from(signature.bind(args, vm)?)
    else {
        return Err(vm.new_system_error("pbkdf2_hmac arguments unbound"));
    };
    let Some(hash_name) = hash_name.downcast_ref::<PyStr>() else {
        return Err(vm.new_type_error(format!(
            "pbkdf2_hmac() argument 'hash_name' must be str, not {}",
            hash_name.class().name()
        )));
    };
    let password = buffer_argument(&password, vm)?;
    let salt = buffer_argument(&salt, vm)?;
    let iterations = c_long_argument(&iterations, vm)?;

    let algorithm = digest_by_name(hash_name.to_str().unwrap_or_default(), vm)?;
    if iterations < 1 {
        return Err(vm.new_value_error("iteration value must be greater than 0."));
    }
    if iterations > INT_MAX {
        return Err(vm.new_overflow_error("iteration value is too great."));
    }
    let length = match dklen.filter(|d| !vm.is_none(d)) {
        Some(dklen) => c_long_argument(&dklen, vm)?,
        None => openssl_size(algorithm) as i64,
    };
    if length < 1 {
        return Err(vm.new_value_error("key length must be greater than 0."));
    }
    if length > INT_MAX {
        return Err(vm.new_overflow_error("key length is too great."));
    }
    let mut key = zeroed(length as usize, vm)?;
    if !derive_pbkdf2(algorithm, &password, &salt, iterations as u32, &mut key) {
        return Err(no_reason(vm));
    }
    Ok(key.into())
}

/// The size OpenSSL 3 gives a digest: a SHAKE's is its security strength.
fn openssl_size(algorithm: Algorithm) -> usize {
    match algorithm {
        Algorithm::Shake128 => 16,
        Algorithm::Shake256 => 32,
        fixed => fixed.digest_size(),
    }
}

/// A `long` parameter: any object with `__index__`, within 64 bits.
fn c_long_argument(value: &PyObjectRef, vm: &VirtualMachine) -> PyResult<i64> {
    let int = value.try_index(vm)?;
    num_traits::ToPrimitive::to_i64(int.as_bigint())
        .ok_or_else(|| vm.new_overflow_error("Python int too large to convert to C long"))
}

/// `length` zero bytes, or a MemoryError.
fn zeroed(length: usize, vm: &VirtualMachine) -> PyResult<Vec<u8>> {
    let mut bytes = Vec::new();
    bytes.try_reserve_exact(length).map_err(|_| no_memory(vm))?;
    bytes.resize(length, 0);
    Ok(bytes)
}

/// OpenSSL 3's `SCRYPT_MAX_MEM`: the memory scrypt may take when
/// `maxmem` is 0.
const SCRYPT_MAX_MEMORY: u64 = 32 * 1024 * 1024;

/// OpenSSL's `SCRYPT_PR_MAX`: the bound on `p * r`.
const SCRYPT_PR_MAX: u64 = (1 << 30) - 1;

/// `scrypt(password, *, salt=None, n=None, r=None, p=None, maxmem=0,
/// dklen=64)`.
pub(super) fn scrypt(args: FuncArgs, vm: &VirtualMachine) -> PyResult<PyBytes> {
    let signature = Signature {
        function: "scrypt",
        parameters: &["password", "salt", "n", "r", "p", "maxmem", "dklen"],
        positional_only: 0,
        positional: 1,
        required: 1,
    };
    let Ok([Some(password), salt, n, r, p, maxmem, dklen]) =
        <[Option<PyObjectRef>; 7]>::try_from(signature.bind(args, vm)?)
    else {
        return Err(vm.new_system_error("scrypt arguments unbound"));
    };
    // Argument Clinic's conversions, in order.
    let password = buffer_argument(&password, vm)?;
    let salt = salt.map(|salt| buffer_argument(&salt, vm)).transpose()?;
    for (name, value) in [("n", &n), ("r", &r), ("p", &p)] {
        if let Some(value) = value {
            if value.downcast_ref::<PyInt>().is_none() {
                return Err(vm.new_type_error(format!(
                    "scrypt() argument '{name}' must be int, not {}",
                    value.class().name()
                )));
            }
        }
    }
    let maxmem = maxmem
        .map(|m| c_long_argument(&m, vm))
        .transpose()?
        .unwrap_or(0);
    let dklen = dklen
        .map(|d| c_long_argument(&d, vm))
        .transpose()?
        .unwrap_or(64);

    // `_hashlib_scrypt_impl`'s checks.
    let Some(salt) = salt else {
        return Err(vm.new_type_error("salt is required"));
    };
    let n = unsigned_long(n.as_ref(), "n", vm)?;
    if n < 2 || n & (n - 1) != 0 {
        return Err(vm.new_value_error("n must be a power of 2."));
    }
    let r = unsigned_long(r.as_ref(), "r", vm)?;
    let p = unsigned_long(p.as_ref(), "p", vm)?;
    if !(0..=INT_MAX).contains(&maxmem) {
        return Err(vm.new_value_error(format!(
            "maxmem must be positive and smaller than {INT_MAX}"
        )));
    }
    if !(1..=INT_MAX).contains(&dklen) {
        return Err(vm.new_value_error(format!(
            "dklen must be greater than 0 and smaller than {INT_MAX}"
        )));
    }
    // OpenSSL's own checks (`scrypt_alg`), which name no reason for a zero
    // `r` or `p`.
    let invalid = || vm.new_value_error("Invalid parameter combination for n, r, p, maxmem.");
    if r == 0 || p == 0 {
        return Err(invalid());
    }
    if r > u64::from(u32::MAX) || p > u64::from(u32::MAX) {
        return Err(vm.new_value_error("[digital envelope routines] parameter too large"));
    }
    let maxmem = if maxmem == 0 {
        SCRYPT_MAX_MEMORY
    } else {
        maxmem as u64
    };
    if !scrypt_fits(n, r, p, maxmem) {
        return Err(vm.new_value_error("[digital envelope routines] memory limit exceeded"));
    }
    let params = ::scrypt::Params::new(n.trailing_zeros() as u8, r as u32, p as u32, 32)
        .map_err(|_| invalid())?;
    let mut key = zeroed(dklen as usize, vm)?;
    ::scrypt::scrypt(&password, &salt, &params, &mut key).map_err(|_| invalid())?;
    Ok(key.into())
}

/// An `unsigned long` scrypt parameter, or its "is required" error.
fn unsigned_long(value: Option<&PyObjectRef>, name: &str, vm: &VirtualMachine) -> PyResult<u64> {
    value
        .and_then(|value| value.downcast_ref::<PyInt>())
        .and_then(|int| num_traits::ToPrimitive::to_u64(int.as_bigint()))
        .ok_or_else(|| vm.new_type_error(format!("{name} is required and must be an unsigned int")))
}

/// Whether scrypt's work area for `n`, `r` and `p` is within OpenSSL's
/// limits and `maxmem` bytes.
fn scrypt_fits(n: u64, r: u64, p: u64, maxmem: u64) -> bool {
    if p > SCRYPT_PR_MAX / r {
        return false;
    }
    if 16 * r <= 63 && n >= 1 << (16 * r) {
        return false;
    }
    let block = p * 128 * r;
    if block > INT_MAX as u64 {
        return false;
    }
    if n + 2 > u64::MAX / 128 / r {
        return false;
    }
    let work = 128 * r * (n + 2);
    block.checked_add(work).is_some_and(|total| total <= maxmem)
}
