//! Rust-side lists, dicts, iterators and functions, served under the type
//! names of Python's builtins, built on core's public API only.
//!
//! A Python peer that receives a reference named `builtins.list` builds its
//! proxy from its own `list` class without asking us anything, so `len()`,
//! indexing, `in`, iteration and `str()` all work on a `Vec` a Rust service
//! returned. Only what rpyc's default policy lets a peer reach on a real list
//! (the "safe" dunder methods) is served, plus read-only dict views.

mod dict;
mod function;
mod iter;
mod list;
mod method;
mod python_dir;
mod void;
mod wrapper;

pub use dict::DictObject;
pub use function::Function;
pub use iter::IterObject;
pub use list::ListObject;
pub use method::BoundMethod;
pub use void::VoidService;
pub use wrapper::MethodWrapper;

pub(crate) use python_dir::python_dir;

use crate::core::Value;
use crate::wire::brine::BrineValue;
use crate::wire::vinegar::RemoteException;
use std::sync::Arc;

fn cannot_access(name: &str) -> RemoteException {
    RemoteException::cannot_access(name)
}

/// Python's `repr()` of a value held in a container.
fn repr_of(value: &Value) -> String {
    match value {
        Value::Brine(v) => v.to_string(),
        Value::Tuple(items) => {
            let inner: Vec<String> = items.iter().map(repr_of).collect();
            if inner.len() == 1 {
                format!("({},)", inner[0])
            } else {
                format!("({})", inner.join(", "))
            }
        }
        Value::Object(o) => o.repr(),
        Value::Proxy(p) => format!("<proxy {}>", p.id_pack().type_name),
    }
}

/// Equality of plain values (what `==` and `in` need on containers).
fn plain_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Brine(x), Value::Brine(y)) => match (x, y) {
            (BrineValue::Int(i), BrineValue::Float(f))
            | (BrineValue::Float(f), BrineValue::Int(i)) => (*i as f64) == *f,
            _ => x == y,
        },
        (Value::Object(x), Value::Object(y)) => Arc::ptr_eq(x, y),
        (Value::Tuple(x), Value::Tuple(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| plain_eq(a, b))
        }
        _ => false,
    }
}

fn index_of(value: &Value, len: usize) -> Result<usize, RemoteException> {
    let i = match value {
        Value::Brine(BrineValue::Int(i)) => *i,
        Value::Brine(BrineValue::Bool(b)) => i64::from(*b),
        other => {
            return Err(RemoteException::type_error(format!(
                "list indices must be integers or slices, not {}",
                other.python_type()
            )))
        }
    };
    let len_i = len as i64;
    let resolved = if i < 0 { i + len_i } else { i };
    if resolved < 0 || resolved >= len_i {
        return Err(RemoteException::index_error("list index out of range"));
    }
    Ok(resolved as usize)
}

fn slice_bounds(
    start: &BrineValue,
    stop: &BrineValue,
    step: &BrineValue,
    len: usize,
) -> Result<Vec<usize>, RemoteException> {
    let as_opt = |v: &BrineValue| match v {
        BrineValue::None => Ok(None),
        BrineValue::Int(i) => Ok(Some(*i)),
        _ => Err(RemoteException::type_error(
            "slice indices must be integers or None",
        )),
    };
    let step = as_opt(step)?.unwrap_or(1);
    if step == 0 {
        return Err(RemoteException::value_error("slice step cannot be zero"));
    }
    let len = len as i64;
    let clamp = |i: i64, lo: i64, hi: i64| i.max(lo).min(hi);
    let norm = |i: i64| if i < 0 { i + len } else { i };
    let (start, stop) = if step > 0 {
        (
            as_opt(start)?.map_or(0, |i| clamp(norm(i), 0, len)),
            as_opt(stop)?.map_or(len, |i| clamp(norm(i), 0, len)),
        )
    } else {
        (
            as_opt(start)?.map_or(len - 1, |i| clamp(norm(i), -1, len - 1)),
            as_opt(stop)?.map_or(-1, |i| clamp(norm(i), -1, len - 1)),
        )
    };
    let mut out = Vec::new();
    let mut i = start;
    while (step > 0 && i < stop) || (step < 0 && i > stop) {
        out.push(i as usize);
        i += step;
    }
    Ok(out)
}

/// Argument `i` of a container method, or the `TypeError` for a missing one.
fn arg(args: &[Value], i: usize, method: &str) -> Result<Value, RemoteException> {
    args.get(i).cloned().ok_or_else(|| {
        RemoteException::type_error(format!("{method}() missing a required argument"))
    })
}
