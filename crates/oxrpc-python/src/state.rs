//! What an interpreter thread keeps besides the interpreter: the helper
//! functions of `support.py`, the proxy class, and the table of the peer's
//! objects that Python code holds proxies to.

use crate::interpreter::Interpreter;
use oxrpc_rpyc::Proxy;
use rustpython_vm::builtins::PyDictRef;
use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine};
use std::cell::RefCell;
use std::collections::HashMap;

pub(crate) struct State {
    pub(crate) support: PyDictRef,
    pub(crate) netref_class: PyObjectRef,
    pub(crate) namespace: PyDictRef,
    pub(crate) proxies: HashMap<u64, Proxy>,
    pub(crate) next_proxy: u64,
    pub(crate) interpreter: Interpreter,
}

thread_local! {
    static STATE: RefCell<Option<State>> = const { RefCell::new(None) };
}

pub(crate) fn install(state: State) {
    STATE.with(|s| *s.borrow_mut() = Some(state));
}

pub(crate) fn with<T>(f: impl FnOnce(&mut State) -> T) -> Option<T> {
    STATE.with(|s| s.borrow_mut().as_mut().map(f))
}

/// A helper function of `support.py`.
pub(crate) fn helper(vm: &VirtualMachine, name: &'static str) -> PyResult<PyObjectRef> {
    let support = with(|s| s.support.clone())
        .ok_or_else(|| vm.new_runtime_error("the oxrpc support module is not loaded"))?;
    support.get_item(name, vm)
}

/// Calls a helper of `support.py` with positional arguments.
pub(crate) fn call_helper(
    vm: &VirtualMachine,
    name: &'static str,
    args: Vec<PyObjectRef>,
) -> PyResult {
    helper(vm, name)?.call(args, vm)
}
