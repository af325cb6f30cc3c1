//! The peer's objects inside the interpreter.
//!
//! `support.py` defines `Netref`, a class whose every operation calls the
//! native function `_oxrpc_op(op, id, ...)` defined here. The function finds
//! the [`Proxy`](oxrpc_rpyc::Proxy) behind `id`, sends the request, and
//! blocks this interpreter thread in [`wait_for`] — which keeps serving the
//! jobs that arrive meanwhile, so the peer can call back into us from inside
//! its callback.

use crate::convert::{to_python, to_value};
use crate::exceptions::to_python_exception;
use crate::interpreter::wait_for;
use crate::state;
use oxrpc_rpyc::{BrineValue, CompareOp, Value};
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine};

fn string(vm: &VirtualMachine, obj: &PyObjectRef) -> PyResult<String> {
    Ok(obj.str(vm)?.to_string())
}

fn pairs(vm: &VirtualMachine, value: Value) -> PyResult<Vec<(String, Value)>> {
    let items = value.into_items().unwrap_or_default();
    items
        .into_iter()
        .map(|pair| {
            let mut kv = pair.into_items().unwrap_or_default();
            let v = kv.pop().unwrap_or(Value::NONE);
            match kv.pop() {
                Some(Value::Brine(BrineValue::Str(k))) => Ok((k, v)),
                _ => Err(vm.new_type_error("keyword names must be strings")),
            }
        })
        .collect()
}

/// `_oxrpc_op(op, id, *rest)`: one operation on a peer object.
/// A call's failure as it enters the interpreter: the peer's own exception
/// untouched (`make_exception` gives it rpyc's made-up class if needed),
/// anything else as the exception Python would see.
fn peer<T>(result: Result<T, oxrpc_rpyc::Error>) -> Result<T, oxrpc_rpyc::RemoteException> {
    result.map_err(|e| match e {
        oxrpc_rpyc::Error::Remote(exc) => exc,
        other => other.into(),
    })
}

pub(crate) fn netref_op(args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    let mut positional = args.args.into_iter();
    let op = match positional.next() {
        Some(op) => string(vm, &op)?,
        None => return Err(vm.new_type_error("_oxrpc_op needs an operation")),
    };
    let id = match positional.next() {
        Some(id) => id.try_to_value::<u64>(vm)?,
        None => return Err(vm.new_type_error("_oxrpc_op needs an object id")),
    };
    if op == "release" {
        state::with(|s| s.proxies.remove(&id));
        return Ok(vm.ctx.none());
    }
    let proxy = state::with(|s| s.proxies.get(&id).cloned())
        .flatten()
        .ok_or_else(|| vm.new_runtime_error("the remote object was released"))?;
    let rest: Vec<PyObjectRef> = positional.collect();
    let arg = |i: usize| rest.get(i).cloned().unwrap_or_else(|| vm.ctx.none());
    let result = match op.as_str() {
        "getattr" => {
            let name = string(vm, &arg(0))?;
            wait_for(vm, async move { peer(proxy.getattr(&name).await) })
        }
        "setattr" => {
            let name = string(vm, &arg(0))?;
            let value = to_value(vm, arg(1));
            wait_for(vm, async move {
                peer(proxy.setattr(&name, value).await.map(|_| Value::NONE))
            })
        }
        "delattr" => {
            let name = string(vm, &arg(0))?;
            wait_for(vm, async move {
                peer(proxy.delattr(&name).await.map(|_| Value::NONE))
            })
        }
        "call" => {
            let call_args = to_value(vm, arg(0)).into_items().unwrap_or_default();
            let kwargs = pairs(vm, to_value(vm, arg(1)))?;
            wait_for(vm, async move {
                peer(proxy.invoke_value(call_args, kwargs).await)
            })
        }
        "callattr" => {
            let name = string(vm, &arg(0))?;
            let call_args = to_value(vm, arg(1)).into_items().unwrap_or_default();
            let kwargs = pairs(vm, to_value(vm, arg(2)))?;
            wait_for(vm, async move {
                peer(proxy.call_kw::<Value>(&name, call_args, kwargs).await)
            })
        }
        "repr" => wait_for(vm, async move { peer(proxy.repr().await.map(Value::from)) }),
        "str" => wait_for(vm, async move { peer(proxy.str().await.map(Value::from)) }),
        "hash" => wait_for(vm, async move { peer(proxy.hash().await.map(Value::from)) }),
        "dir" => wait_for(vm, async move {
            let names = peer(proxy.dir().await)?;
            Ok(oxrpc_rpyc::tuple(
                names.into_iter().map(Value::from).collect(),
            ))
        }),
        "cmp" => {
            let other = to_value(vm, arg(0));
            let op_name = string(vm, &arg(1))?;
            let op = CompareOp::from_dunder(&op_name)
                .ok_or_else(|| vm.new_type_error(format!("unknown comparison {op_name}")))?;
            wait_for(vm, async move { peer(proxy.compare(other, op).await) })
        }
        other => return Err(vm.new_value_error(format!("unknown proxy operation {other}"))),
    };
    match result {
        Ok(value) => to_python(vm, value),
        Err(remote) => Err(to_python_exception(vm, &remote)),
    }
}
