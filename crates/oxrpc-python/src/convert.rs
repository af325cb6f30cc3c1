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
use oxrpc_rpyc::{tuple, BrineValue, RemoteException, Value};
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

/// How deep a value may nest when it is converted to be sent: about where
/// rpyc's own recursive `brine.dump` gives up (near 330 levels, which
/// drops rpyc_classic's connection; here the reply is a `RecursionError`).
pub(crate) const MAX_DEPTH: usize = 320;

/// A plain value, whole, when brine can carry all of it: frozensets and
/// slices holding tuples or other frozensets included.
fn deep_brine(vm: &VirtualMachine, obj: &PyObjectRef, depth: usize) -> Option<BrineValue> {
    if let Some(v) = brine_of(vm, obj) {
        return Some(v);
    }
    if depth >= MAX_DEPTH {
        return None;
    }
    let class = obj.class();
    if class.is(vm.ctx.types.tuple_type) {
        let items = obj.downcast_ref::<PyTuple>()?;
        let items: Option<Vec<BrineValue>> = items
            .iter()
            .map(|item| deep_brine(vm, item, depth + 1))
            .collect();
        return items.map(BrineValue::Tuple);
    }
    if class.is(vm.ctx.types.frozenset_type) || class.is(vm.ctx.types.slice_type) {
        let parts = call_helper(vm, "plain_parts", vec![obj.clone()]).ok()?;
        let parts = parts.downcast_ref::<PyTuple>()?;
        let mut parts: Vec<BrineValue> = parts
            .iter()
            .map(|p| deep_brine(vm, p, depth + 1))
            .collect::<Option<_>>()?;
        if class.is(vm.ctx.types.frozenset_type) {
            return Some(BrineValue::FrozenSet(parts));
        }
        let step = parts.pop()?;
        let stop = parts.pop()?;
        let start = parts.pop()?;
        return Some(BrineValue::Slice(
            Box::new(start),
            Box::new(stop),
            Box::new(step),
        ));
    }
    None
}

/// Converts a Python object to a value to send. Structures nested past
/// [`MAX_DEPTH`] cross by reference from there on (see [`try_to_value`]
/// for a reply, where rpyc answers `RecursionError` instead).
pub(crate) fn to_value(vm: &VirtualMachine, obj: PyObjectRef) -> Value {
    convert(vm, obj, 0).unwrap_or_else(|obj| Value::Object(Arc::new(PythonObject::new(vm, obj))))
}

/// Converts the result of a request to send it; a structure nested past
/// [`MAX_DEPTH`] is the `RecursionError` rpyc's `brine.dump` would raise.
pub(crate) fn try_to_value(
    vm: &VirtualMachine,
    obj: PyObjectRef,
) -> Result<Value, RemoteException> {
    convert(vm, obj, 0).map_err(|_| {
        RemoteException::recursion_error(
            "maximum recursion depth exceeded while encoding an object",
        )
    })
}

/// The conversion; `Err` hands back the object at which it went too deep.
fn convert(vm: &VirtualMachine, obj: PyObjectRef, depth: usize) -> Result<Value, PyObjectRef> {
    if let Some(v) = brine_of(vm, &obj) {
        return Ok(Value::Brine(v));
    }
    if depth >= MAX_DEPTH {
        return Err(obj);
    }
    let class = obj.class();
    if class.is(vm.ctx.types.tuple_type) {
        if let Some(items) = obj.downcast_ref::<PyTuple>() {
            let values = items
                .iter()
                .map(|item| convert(vm, item.clone(), depth + 1))
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(tuple(values));
        }
    }
    if class.is(vm.ctx.types.frozenset_type) || class.is(vm.ctx.types.slice_type) {
        // Plain when every element is; otherwise by reference.
        if let Some(plain) = deep_brine(vm, &obj, depth) {
            return Ok(Value::Brine(plain));
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
                return Ok(Value::Proxy(proxy));
            }
        }
    }
    Ok(Value::Object(Arc::new(PythonObject::new(vm, obj))))
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
