//! Services: what a connection exposes as its root.
//!
//! As in rpyc, a service is an object the peer reaches through `conn.root`,
//! with hooks that run when a connection opens and after it closes. Servers
//! create one service instance per connection, so a service's fields are
//! per-connection state. Use the `#[service]` attribute (crate
//! `oxrpc-rpyc-macros`, re-exported by `oxrpc`) to expose methods of a plain
//! `impl` block; or implement [`RpcObject`] by hand.

use crate::connection::Connection;
use crate::object::{no_attribute, Context, Reply, RpcObject};
use std::sync::Arc;

/// A service: an object served as a connection's root, with lifecycle hooks.
pub trait Service: RpcObject {
    /// Runs when a connection using this service opens.
    fn on_connect(&self, _connection: &Connection) {}
    /// Runs after the connection has closed.
    fn on_disconnect(&self, _connection: &Connection) {}
}

/// The service that exposes nothing (rpyc's `VoidService`): the default for
/// clients, whose peers rarely need to reach them except through callbacks.
#[derive(Debug, Default, Clone, Copy)]
pub struct VoidService;

impl RpcObject for VoidService {
    fn type_name(&self) -> &str {
        "rpyc.core.service.VoidService"
    }
    fn getattr(self: Arc<Self>, _cx: &Context, name: &str) -> Reply {
        Reply::error(no_attribute("VoidService", &format!("exposed_{name}")))
    }
}

impl Service for VoidService {}
