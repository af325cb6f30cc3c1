//! `TextIOWrapper.tell()` refusing a decoder state past a C int in
//! CPython's words.
//!
//! A text file's position (its "cookie") carries the decoder's state
//! flags, which CPython reads as a C int: a stateful decoder whose state
//! does not fit (an `iso2022_kr` decoder shifted out has its flag in the
//! fifth state byte) makes CPython's `tell()` fail with "OverflowError:
//! signed integer is greater than maximum". RustPython's fails too, as
//! "Python int too large to convert to Rust i32"; here in CPython's words.
//!
//! Not mended: RustPython's wrapper reads the state as an i32 when it
//! reads a chunk (CPython only when it tells), so `read(n)` and
//! `readline()` past a chunk that ends in such a state fail there, in
//! RustPython's words, where CPython's read on.

use super::error_text;
use super::methods;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{PyResult, VirtualMachine};
use std::sync::Once;

static INSTALLED: Once = Once::new();

/// Puts the rewording before `TextIOWrapper.tell`, once per process (the
/// class is shared by every interpreter).
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    let mut result = Ok(());
    INSTALLED.call_once(|| {
        let class = match methods::class_of_module(vm, "_io", "TextIOWrapper") {
            Ok(class) => class,
            Err(error) => {
                result = Err(error);
                return;
            }
        };
        let Some(own) = class.get_attr(vm.ctx.intern_str("tell")) else {
            return;
        };
        methods::define(
            vm,
            class,
            "tell",
            move |args: FuncArgs, vm: &VirtualMachine| -> PyResult {
                own.call(args, vm).map_err(|error| {
                    error_text::reworded(
                        error,
                        vm.ctx.exceptions.overflow_error,
                        || "Python int too large to convert to Rust i32".to_owned(),
                        || "signed integer is greater than maximum".to_owned(),
                        vm,
                    )
                })
            },
        );
    });
    result
}
