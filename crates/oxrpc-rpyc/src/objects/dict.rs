//! `builtins.dict`, keys in insertion order.

use super::{arg, cannot_access, plain_eq, repr_of, BoundMethod, IterObject, ListObject};
use crate::core::{tuple, Context, IntoValue, Reply, RpcObject, RpcResult, Value};
use crate::wire::brine::BrineValue;
use crate::wire::vinegar::RemoteException;
use std::sync::{Arc, Mutex};

/// The dict methods rpyc's default policy hides (they are public, not
/// safe dunders); `allow_public_attrs` opens them.
const PUBLIC_METHODS: &[&str] = &["keys", "values", "items", "get"];

/// A dict served as `builtins.dict`, keys in insertion order.
pub struct DictObject {
    entries: Mutex<Vec<(Value, Value)>>,
}

impl DictObject {
    /// A dict from key/value pairs (later duplicates win).
    pub fn from_pairs(pairs: impl IntoIterator<Item = (Value, Value)>) -> Arc<DictObject> {
        let dict = DictObject {
            entries: Mutex::new(Vec::new()),
        };
        for (k, v) in pairs {
            dict.insert(k, v);
        }
        Arc::new(dict)
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, Vec<(Value, Value)>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn insert(&self, key: Value, value: Value) {
        let mut entries = self.entries();
        match entries.iter_mut().find(|(k, _)| plain_eq(k, &key)) {
            Some(slot) => slot.1 = value,
            None => entries.push((key, value)),
        }
    }
}

impl RpcObject for DictObject {
    fn type_name(&self) -> &str {
        "builtins.dict"
    }

    fn callattr(
        self: Arc<Self>,
        cx: &Context,
        name: &str,
        args: Vec<Value>,
        _kw: Vec<(String, Value)>,
    ) -> Reply {
        if PUBLIC_METHODS.contains(&name) && !cx.connection().config().allow_public_attrs {
            return Reply::error(cannot_access(name));
        }
        let result: RpcResult = (|| match name {
            "__len__" => Ok(self.entries().len().into_value()),
            "__bool__" => Ok((!self.entries().is_empty()).into_value()),
            "__getitem__" | "get" => {
                let key = arg(&args, 0, name)?;
                let found = self
                    .entries()
                    .iter()
                    .find(|(k, _)| plain_eq(k, &key))
                    .map(|(_, v)| v.clone());
                match (found, name) {
                    (Some(v), _) => Ok(v),
                    (None, "get") => Ok(args.get(1).cloned().unwrap_or(Value::NONE)),
                    (None, _) => Err(RemoteException::key_error(
                        key.as_brine().cloned().unwrap_or(BrineValue::None),
                    )),
                }
            }
            "__setitem__" => {
                let (key, value) = (arg(&args, 0, name)?, arg(&args, 1, name)?);
                self.insert(key, value);
                Ok(Value::NONE)
            }
            "__contains__" => {
                let key = arg(&args, 0, name)?;
                Ok(self
                    .entries()
                    .iter()
                    .any(|(k, _)| plain_eq(k, &key))
                    .into_value())
            }
            "__iter__" | "keys" => {
                let keys = self.entries().iter().map(|(k, _)| k.clone()).collect();
                Ok(if name == "keys" {
                    ListObject::new(keys).into_value()
                } else {
                    Value::Object(IterObject::new(keys))
                })
            }
            "values" => Ok(ListObject::new(
                self.entries().iter().map(|(_, v)| v.clone()).collect(),
            )
            .into_value()),
            "items" => Ok(ListObject::new(
                self.entries()
                    .iter()
                    .map(|(k, v)| tuple(vec![k.clone(), v.clone()]))
                    .collect(),
            )
            .into_value()),
            "__repr__" | "__str__" => Ok(self.repr().into_value()),
            other => Err(cannot_access(other)),
        })();
        Reply::Ready(result)
    }

    fn getattr(self: Arc<Self>, cx: &Context, name: &str) -> Reply {
        match name {
            // Bound methods the peer may fetch then call, where rpyc's
            // policy lets it reach public methods.
            "keys" | "values" | "items" | "get" if cx.connection().config().allow_public_attrs => {
                Reply::Ready(Ok(Value::Object(Arc::new(BoundMethod {
                    target: self,
                    name: name.to_owned(),
                }))))
            }
            _ => Reply::error(cannot_access(name)),
        }
    }

    fn repr(&self) -> String {
        let inner: Vec<String> = self
            .entries()
            .iter()
            .map(|(k, v)| format!("{}: {}", repr_of(k), repr_of(v)))
            .collect();
        format!("{{{}}}", inner.join(", "))
    }

    fn hash(&self) -> Result<i64, RemoteException> {
        Err(RemoteException::type_error("unhashable type: 'dict'"))
    }

    fn dir(&self) -> Vec<String> {
        [
            "__contains__",
            "__getitem__",
            "__iter__",
            "__len__",
            "__setitem__",
            "get",
            "items",
            "keys",
            "values",
        ]
        .map(String::from)
        .to_vec()
    }
}

/// Maps cross as a reference to a Rust-side `builtins.dict`.
impl<K: Into<String>, T: IntoValue> IntoValue for std::collections::BTreeMap<K, T> {
    fn into_value(self) -> Value {
        DictObject::from_pairs(
            self.into_iter()
                .map(|(k, v)| (Value::string(k), v.into_value())),
        )
        .into_value()
    }
}

/// Maps cross as a reference to a Rust-side `builtins.dict`.
impl<K: Into<String>, T: IntoValue> IntoValue for std::collections::HashMap<K, T> {
    fn into_value(self) -> Value {
        DictObject::from_pairs(
            self.into_iter()
                .map(|(k, v)| (Value::string(k), v.into_value())),
        )
        .into_value()
    }
}
