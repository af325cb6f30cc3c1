//! `generator.throw()` as CPython 3.11 runs it.
//!
//! PEP 479: a `StopIteration` leaving a generator's frame becomes
//! `RuntimeError('generator raised StopIteration')`, so that it cannot end
//! the loop driving the generator by mistake. RustPython 0.5 converts one
//! the generator raises while it runs, but let one thrown in with
//! `throw()` out as it was (`(x for x in ()).throw(StopIteration)` raised
//! `StopIteration`, not `RuntimeError`). It also warned of the
//! three-argument form, which only 3.12 deprecates.
//!
//! The generator type's `throw` is replaced, once per process (the type is
//! shared by every interpreter), by one that converts what leaves a
//! generator that was not already finished: a finished generator raises
//! what was thrown, and one that catches it and returns stops as usual.
//! Coroutines and async generators keep RustPython's `throw`.

use super::methods;
use rustpython_vm::builtins::PyGenerator;
use rustpython_vm::convert::ToPyResult;
use rustpython_vm::function::OptionalArg;
use rustpython_vm::{AsObject, PyObjectRef, PyRef, PyResult, VirtualMachine};
use std::sync::Once;

static REPLACED: Once = Once::new();

/// Puts 3.11's `throw` in place, once per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    REPLACED.call_once(|| {
        let generator_type = vm.ctx.types.generator_type;
        methods::define(vm, generator_type, "throw", throw);
    });
    Ok(())
}

fn throw(
    zelf: PyRef<PyGenerator>,
    exception: PyObjectRef,
    value: OptionalArg,
    traceback: OptionalArg,
    vm: &VirtualMachine,
) -> PyResult {
    let generator = zelf.as_coro();
    let finished = generator.closed();
    let outcome = generator.throw(
        zelf.as_object(),
        exception,
        value.unwrap_or_none(vm),
        traceback.unwrap_or_none(vm),
        vm,
    );
    match outcome {
        Err(error) if !finished && error.fast_isinstance(vm.ctx.exceptions.stop_iteration) => {
            let converted = vm.new_runtime_error("generator raised StopIteration".to_owned());
            converted.set___cause__(Some(error));
            Err(converted)
        }
        outcome => outcome?.to_pyresult(vm),
    }
}
