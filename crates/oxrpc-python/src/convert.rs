//! Python objects to and from protocol values.
//!
//! What brine can carry crosses by value: exactly the types rpyc's
//! `brine.dumpable` accepts (checked by exact type, so subclasses such as an
//! `IntEnum` go by reference, as in rpyc). Everything else becomes a
//! [`PythonObject`](crate::object::PythonObject) the peer reaches by
//! reference, and the peer's objects appear inside Python as `Netref`
//! proxies.

use crate::object::PythonObject;
use crate::state::{self, call_helper};
use oxrpc_rpyc::{tuple, BrineValue, Value};
use rustpython_vm::builtins::{PyBytes, PyComplex, PyFloat, PyInt, PyStr, PyTuple};
use rustpython_vm::{AsObject, PyObjectRef, PyResult, VirtualMachine};
use std::sync::Arc;

fn brine_of(vm: &VirtualMachine, obj: &PyObjectRef) -> Option<BrineValue> {
    let ctx = &vm.ctx;
    if vm.is_none(obj) {
        return Some(BrineValue::None);
    }
    let class = obj.class();
    if class.is(ctx.types.bool_type) {
        return Some(BrineValue::Bool(obj.is(&ctx.true_value)));
    }
    if class.is(ctx.types.int_type) {
        let int = obj.downcast_ref::<PyInt>()?;
        return Some(match int.try_to_primitive::<i64>(vm) {
            Ok(i) => BrineValue::Int(i),
            Err(_) => {
                let text = obj.str(vm).ok()?.to_string();
                BrineValue::BigInt(text.parse().ok()?)
            }
        });
    }
    if class.is(ctx.types.float_type) {
        return Some(BrineValue::Float(obj.downcast_ref::<PyFloat>()?.to_f64()));
    }
    if class.is(ctx.types.complex_type) {
        let c = obj.downcast_ref::<PyComplex>()?.to_complex();
        return Some(BrineValue::Complex(c.re, c.im));
    }
    if class.is(ctx.types.str_type) {
        return Some(BrineValue::Str(
            obj.downcast_ref::<PyStr>()?.to_string_lossy().into_owned(),
        ));
    }
    if class.is(ctx.types.bytes_type) {
        return Some(BrineValue::Bytes(
            obj.downcast_ref::<PyBytes>()?.as_bytes().to_vec(),
        ));
    }
    if obj.is(&ctx.ellipsis) {
        return Some(BrineValue::Ellipsis);
    }
    if obj.is(&ctx.not_implemented) {
        return Some(BrineValue::NotImplemented);
    }
    None
}

/// Converts a Python object to a value to send.
pub(crate) fn to_value(vm: &VirtualMachine, obj: PyObjectRef) -> Value {
    if let Some(v) = brine_of(vm, &obj) {
        return Value::Brine(v);
    }
    let class = obj.class();
    if class.is(vm.ctx.types.tuple_type) {
        if let Some(items) = obj.downcast_ref::<PyTuple>() {
            let values = items
                .iter()
                .map(|item| to_value(vm, item.clone()))
                .collect();
            return tuple(values);
        }
    }
    if class.is(vm.ctx.types.frozenset_type) || class.is(vm.ctx.types.slice_type) {
        // Plain when every element is; otherwise by reference.
        if let Ok(items) = call_helper(vm, "plain_parts", vec![obj.clone()]) {
            if let Some(parts) = items.downcast_ref::<PyTuple>() {
                let parts: Option<Vec<BrineValue>> =
                    parts.iter().map(|p| brine_of(vm, p)).collect();
                if let Some(mut parts) = parts {
                    if class.is(vm.ctx.types.frozenset_type) {
                        return Value::Brine(BrineValue::FrozenSet(parts));
                    }
                    if parts.len() == 3 {
                        let step = parts.pop().unwrap_or(BrineValue::None);
                        let stop = parts.pop().unwrap_or(BrineValue::None);
                        let start = parts.pop().unwrap_or(BrineValue::None);
                        return Value::Brine(BrineValue::Slice(
                            Box::new(start),
                            Box::new(stop),
                            Box::new(step),
                        ));
                    }
                }
            }
        }
    }
    let netref = state::with(|s| s.netref_class.clone());
    if let Some(netref_class) = netref {
        if class.as_object().is(&netref_class) {
            let id = obj
                .get_attr("_oxrpc_id", vm)
                .ok()
                .and_then(|v| v.try_to_value::<u64>(vm).ok());
            if let Some(proxy) =
                id.and_then(|id| state::with(|s| s.proxies.get(&id).cloned()).flatten())
            {
                return Value::Proxy(proxy);
            }
        }
    }
    Value::Object(Arc::new(PythonObject::new(vm, obj)))
}

/// Converts a received value to a Python object.
pub(crate) fn to_python(vm: &VirtualMachine, value: Value) -> PyResult<PyObjectRef> {
    let ctx = &vm.ctx;
    Ok(match value {
        Value::Brine(b) => match b {
            BrineValue::None => ctx.none(),
            BrineValue::Bool(v) => ctx.new_bool(v).into(),
            BrineValue::Int(i) => ctx.new_int(i).into(),
            BrineValue::BigInt(i) => {
                call_helper(vm, "int_of", vec![ctx.new_str(i.to_string()).into()])?
            }
            BrineValue::Float(f) => ctx.new_float(f).into(),
            BrineValue::Complex(re, im) => call_helper(
                vm,
                "complex_of",
                vec![ctx.new_float(re).into(), ctx.new_float(im).into()],
            )?,
            BrineValue::Str(s) => ctx.new_str(s).into(),
            BrineValue::Bytes(b) => ctx.new_bytes(b).into(),
            BrineValue::Ellipsis => ctx.ellipsis.clone().into(),
            BrineValue::NotImplemented => ctx.not_implemented(),
            BrineValue::Tuple(items) => {
                let items = items
                    .into_iter()
                    .map(|i| to_python(vm, Value::Brine(i)))
                    .collect::<PyResult<Vec<_>>>()?;
                ctx.new_tuple(items).into()
            }
            BrineValue::FrozenSet(items) => {
                let items = items
                    .into_iter()
                    .map(|i| to_python(vm, Value::Brine(i)))
                    .collect::<PyResult<Vec<_>>>()?;
                call_helper(vm, "frozenset_of", vec![ctx.new_tuple(items).into()])?
            }
            BrineValue::Slice(a, b, c) => {
                let parts = [*a, *b, *c]
                    .into_iter()
                    .map(|i| to_python(vm, Value::Brine(i)))
                    .collect::<PyResult<Vec<_>>>()?;
                call_helper(vm, "slice_of", parts)?
            }
        },
        Value::Tuple(items) => {
            let items = items
                .into_iter()
                .map(|i| to_python(vm, i))
                .collect::<PyResult<Vec<_>>>()?;
            ctx.new_tuple(items).into()
        }
        Value::Object(object) => match object
            .as_any()
            .and_then(|a| a.downcast_ref::<PythonObject>())
        {
            Some(python) => python.object().clone(),
            None => {
                return Err(vm.new_type_error(format!(
                    "a {} object of this server cannot enter the interpreter",
                    object.type_name()
                )))
            }
        },
        Value::Proxy(proxy) => {
            let netref_class = state::with(|s| s.netref_class.clone())
                .ok_or_else(|| vm.new_runtime_error("no proxy class"))?;
            let id = state::with(|s| {
                s.next_proxy += 1;
                s.proxies.insert(s.next_proxy, proxy);
                s.next_proxy
            })
            .unwrap_or(0);
            call_helper(vm, "new_netref", vec![netref_class, ctx.new_int(id).into()])?
        }
    })
}
