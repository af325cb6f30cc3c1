//! `builtins.list_iterator`.

use super::cannot_access;
use crate::core::{tuple, Context, Reply, RpcObject, Value};
use crate::wire::vinegar::RemoteException;
use std::sync::{Arc, Mutex};

/// An iterator over values, served as `builtins.list_iterator`.
pub struct IterObject {
    state: Mutex<std::vec::IntoIter<Value>>,
}

impl IterObject {
    /// An iterator over `items`.
    pub fn new(items: Vec<Value>) -> Arc<IterObject> {
        Arc::new(IterObject {
            state: Mutex::new(items.into_iter()),
        })
    }

    fn take(&self, count: usize) -> Vec<Value> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.by_ref().take(count).collect()
    }
}

impl RpcObject for IterObject {
    fn type_name(&self) -> &str {
        "builtins.list_iterator"
    }
    fn callattr(
        self: Arc<Self>,
        _cx: &Context,
        name: &str,
        _args: Vec<Value>,
        _kw: Vec<(String, Value)>,
    ) -> Reply {
        match name {
            "__next__" => match self.take(1).pop() {
                Some(v) => Reply::Ready(Ok(v)),
                None => Reply::error(RemoteException::stop_iteration()),
            },
            "__iter__" => Reply::Ready(Ok(Value::Object(self))),
            "__length_hint__" => {
                let left = self.state.lock().map(|s| s.len()).unwrap_or(0);
                Reply::value(left)
            }
            other => Reply::error(cannot_access(other)),
        }
    }
    fn next_items(self: Arc<Self>, _cx: &Context, count: usize) -> Reply {
        Reply::Ready(Ok(tuple(self.take(count))))
    }
}
