//! Services: what a connection exposes as its root.
//!
//! As in rpyc, a service is an object the peer reaches through `conn.root`,
//! with hooks that run when a connection opens and after it closes. Servers
//! create one service instance per connection, so a service's fields are
//! per-connection state. The `#[service]` attribute exposes the methods of
//! a plain `impl` block; or implement [`RpcObject`] by hand.

use super::connection::Connection;
use super::object::RpcObject;

/// A service: an object served as a connection's root, with lifecycle hooks.
pub trait Service: RpcObject {
    /// Runs when a connection using this service opens.
    fn on_connect(&self, _connection: &Connection) {}
    /// Runs after the connection has closed.
    fn on_disconnect(&self, _connection: &Connection) {}
}
