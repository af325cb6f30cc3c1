//! `math`'s domain errors in CPython 3.11's words.
//!
//! RustPython 0.5's `math` words a domain error as CPython 3.14 does:
//! `math.sqrt(-1)` said "expected a nonnegative input, got -1.0",
//! `math.log(0)` "expected a positive input", `math.acos(2)` "expected a
//! number in range from -1 up to 1, got 2.0", `math.cos(math.inf)`
//! "expected a finite input, got inf". CPython 3.11 says "math domain
//! error" for every one of them. And `math.factorial(1.5)` said "Expected
//! type 'int' but 'float' found.", where CPython says "'float' object
//! cannot be interpreted as an integer", and `math.floor('a')` "type
//! 'str' doesn't define '__floor__' method", not "must be real number,
//! not str".
//!
//! Each interpreter makes its own `math` module from a definition shared
//! by all. Interpreters are given, in place of RustPython's, a copy of
//! that definition (made once per process) whose functions reword those
//! errors. The functions keep their calling flags, so the interpreter
//! calls them as directly as it called RustPython's.

use super::error_text::text_of;
use super::module_copy;
use rustpython_vm::builtins::{PyBaseExceptionRef, PyModuleDef};
use rustpython_vm::function::{FuncArgs, PyNativeFn};
use rustpython_vm::Context;
use rustpython_vm::{PyResult, VirtualMachine};
use std::sync::OnceLock;

static MATH: OnceLock<Option<&'static PyModuleDef>> = OnceLock::new();

/// The definition of `math` to give interpreters, in place of the one
/// of RustPython's standard library.
pub(crate) fn module_def(ctx: &Context) -> Option<&'static PyModuleDef> {
    *MATH.get_or_init(|| {
        let original = module_copy::original(ctx, "math")?;
        let methods = module_copy::functions(original, |method| rewording(method.func));
        Some(module_copy::copy(original, methods, None))
    })
}

/// `function`, with a domain error worded as CPython 3.11 words it.
fn rewording(function: &'static dyn PyNativeFn) -> &'static dyn PyNativeFn {
    Box::leak(Box::new(
        move |vm: &VirtualMachine, args: FuncArgs| -> PyResult {
            function(vm, args).map_err(|error| domain_error(error, vm))
        },
    ))
}

/// `error` as "math domain error" when it is RustPython's wording of one,
/// and an argument that is not an int refused as CPython refuses it.
fn domain_error(error: PyBaseExceptionRef, vm: &VirtualMachine) -> PyBaseExceptionRef {
    if let Some(text) = text_of(&error, vm.ctx.exceptions.value_error, vm) {
        if text.starts_with("expected a ") {
            return vm.new_value_error("math domain error".to_owned());
        }
    }
    match text_of(&error, vm.ctx.exceptions.type_error, vm).and_then(|text| not_a_number(&text)) {
        Some(message) => vm.new_type_error(message),
        None => error,
    }
}

/// CPython's TypeError for an argument of the wrong type, from
/// RustPython's `text`: an int expected, or a number `floor`, `ceil` or
/// `trunc` cannot round.
fn not_a_number(text: &str) -> Option<String> {
    if let Some(rest) = text.strip_prefix("Expected type 'int' but '") {
        let type_name = rest.strip_suffix("' found.")?;
        return Some(format!(
            "'{type_name}' object cannot be interpreted as an integer"
        ));
    }
    let rest = text.strip_prefix("type '")?;
    let (type_name, method) = rest.split_once("' doesn't define '")?;
    match method.strip_suffix("' method")? {
        "__floor__" | "__ceil__" => Some(format!("must be real number, not {type_name}")),
        "__trunc__" => Some(format!("type {type_name} doesn't define __trunc__ method")),
        _ => None,
    }
}
