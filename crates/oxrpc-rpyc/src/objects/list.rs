//! `builtins.list`, backed by a `Vec`.

use super::{arg, cannot_access, index_of, plain_eq, repr_of, slice_bounds, IterObject};
use crate::core::{CompareOp, Context, IntoValue, ObjectRef, Reply, RpcObject, RpcResult, Value};
use crate::wire::brine::BrineValue;
use crate::wire::vinegar::RemoteException;
use std::sync::{Arc, Mutex};

/// The longest list `*` may build (a small request must not earn a huge
/// allocation).
const MAX_REPEAT: usize = 1 << 20;

/// `list + x` for anything but a list of ours (a netref names its class
/// dotted, as rpyc's own message shows).
fn concatenate_error(type_name: &str) -> RemoteException {
    RemoteException::type_error(format!(
        "can only concatenate list (not \"{type_name}\") to list"
    ))
}

/// A list served as `builtins.list`.
pub struct ListObject {
    items: Mutex<Vec<Value>>,
}

impl ListObject {
    /// A list holding `items`.
    pub fn new(items: Vec<Value>) -> Arc<ListObject> {
        Arc::new(ListObject {
            items: Mutex::new(items),
        })
    }

    fn items(&self) -> std::sync::MutexGuard<'_, Vec<Value>> {
        self.items.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl RpcObject for ListObject {
    fn type_name(&self) -> &str {
        "builtins.list"
    }

    fn callattr(
        self: Arc<Self>,
        _cx: &Context,
        name: &str,
        args: Vec<Value>,
        _kw: Vec<(String, Value)>,
    ) -> Reply {
        let result: RpcResult = (|| match name {
            "__len__" => Ok(self.items().len().into_value()),
            "__bool__" => Ok((!self.items().is_empty()).into_value()),
            "__getitem__" => {
                let key = arg(&args, 0, name)?;
                let items = self.items();
                match key {
                    Value::Brine(BrineValue::Slice(a, b, c)) => {
                        let picked = slice_bounds(&a, &b, &c, items.len())?;
                        let values = picked.into_iter().map(|i| items[i].clone()).collect();
                        Ok(ListObject::new(values).into_value())
                    }
                    key => Ok(items[index_of(&key, items.len())?].clone()),
                }
            }
            "__setitem__" => {
                let (key, value) = (arg(&args, 0, name)?, arg(&args, 1, name)?);
                let mut items = self.items();
                let i = index_of(&key, items.len())?;
                items[i] = value;
                Ok(Value::NONE)
            }
            "__contains__" => {
                let needle = arg(&args, 0, name)?;
                Ok(self
                    .items()
                    .iter()
                    .any(|v| plain_eq(v, &needle))
                    .into_value())
            }
            "__iter__" => Ok(Value::Object(IterObject::new(self.items().clone()))),
            "__repr__" | "__str__" => Ok(self.repr().into_value()),
            "__mul__" | "__rmul__" => {
                let times = match arg(&args, 0, name)? {
                    Value::Brine(BrineValue::Int(n)) => usize::try_from(n).unwrap_or(0),
                    Value::Brine(BrineValue::Bool(b)) => usize::from(b),
                    other => {
                        return Err(RemoteException::type_error(format!(
                            "can't multiply sequence by non-int of type '{}'",
                            other.python_type()
                        )))
                    }
                };
                let items = self.items();
                let total = items.len().saturating_mul(times);
                if total > MAX_REPEAT {
                    return Err(RemoteException::memory_error(""));
                }
                let repeated: Vec<Value> = items.iter().cloned().cycle().take(total).collect();
                Ok(ListObject::new(repeated).into_value())
            }
            "__add__" => match arg(&args, 0, name)? {
                Value::Object(other) => {
                    match other.as_any().and_then(|a| a.downcast_ref::<ListObject>()) {
                        Some(other) => {
                            let mut joined = self.items().clone();
                            joined.extend(other.items().iter().cloned());
                            Ok(ListObject::new(joined).into_value())
                        }
                        None => Err(concatenate_error(
                            other.type_name().rsplit('.').next().unwrap_or("object"),
                        )),
                    }
                }
                Value::Proxy(proxy) => Err(concatenate_error(&proxy.id_pack().type_name)),
                other => Err(concatenate_error(&other.python_type())),
            },
            "__eq__" | "__ne__" => {
                let other = arg(&args, 0, name)?;
                let equal = match &other {
                    Value::Object(o) => Arc::ptr_eq(&(self.clone() as ObjectRef), o),
                    _ => false,
                };
                Ok((equal == (name == "__eq__")).into_value())
            }
            other => Err(cannot_access(other)),
        })();
        Reply::Ready(result)
    }

    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }

    fn getattr(self: Arc<Self>, _cx: &Context, name: &str) -> Reply {
        Reply::error(cannot_access(name))
    }

    fn repr(&self) -> String {
        let inner: Vec<String> = self.items().iter().map(repr_of).collect();
        format!("[{}]", inner.join(", "))
    }

    fn hash(&self) -> Result<i64, RemoteException> {
        Err(RemoteException::type_error("unhashable type: 'list'"))
    }

    fn compare(&self, other: &Value, op: CompareOp) -> RpcResult {
        let same = matches!(other, Value::Object(o) if std::ptr::eq(Arc::as_ptr(o) as *const (), self as *const Self as *const ()));
        Ok(match op {
            CompareOp::Eq => same.into_value(),
            CompareOp::Ne => (!same).into_value(),
            _ => Value::Brine(BrineValue::NotImplemented),
        })
    }

    fn dir(&self) -> Vec<String> {
        [
            "__contains__",
            "__getitem__",
            "__iter__",
            "__len__",
            "__setitem__",
        ]
        .map(String::from)
        .to_vec()
    }

    fn next_items(self: Arc<Self>, _cx: &Context, _count: usize) -> Reply {
        Reply::error(RemoteException::type_error(
            "'list' object is not an iterator",
        ))
    }
}

/// Lists cross as a reference to a Rust-side `builtins.list`, so the peer
/// can index, iterate and measure it like a Python list.
impl<T: IntoValue> IntoValue for Vec<T> {
    fn into_value(self) -> Value {
        ListObject::new(self.into_iter().map(T::into_value).collect()).into_value()
    }
}
