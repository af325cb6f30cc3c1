//! rpyc's `VoidService`: the root of a connection that exposes nothing.

use crate::core::{Context, Reply, RpcObject, Service};
use crate::wire::vinegar::RemoteException;
use std::sync::Arc;

/// The service that exposes nothing (rpyc's `VoidService`): the default for
/// clients, whose peers rarely need to reach them except through callbacks.
#[derive(Debug, Default, Clone, Copy)]
pub struct VoidService;

impl RpcObject for VoidService {
    fn type_name(&self) -> &str {
        "rpyc.core.service.VoidService"
    }
    fn getattr(self: Arc<Self>, _cx: &Context, name: &str) -> Reply {
        Reply::error(RemoteException::no_attribute(
            "VoidService",
            &format!("exposed_{name}"),
            &self.repr(),
        ))
    }
}

impl Service for VoidService {}
