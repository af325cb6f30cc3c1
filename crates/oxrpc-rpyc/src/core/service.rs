//! Services: what a connection exposes as its root.
//!
//! As in rpyc, a service is an object the peer reaches through `conn.root`,
//! with hooks that run when a connection opens and after it closes. Servers
//! create one service instance per connection, so a service's fields are
//! per-connection state. The `#[service]` attribute exposes the methods of
//! a plain `impl` block; or implement [`RpcObject`] by hand.
//!
//! ```
//! use oxrpc_rpyc::{service, Server};
//! use std::sync::Arc;
//!
//! /// The notebook's `MyService`.
//! struct MyService;
//!
//! #[service(name = "rpyc_base.MyService")]
//! impl MyService {
//!     /// `conn.root.get_answer()`
//!     #[exposed]
//!     fn get_answer(&self) -> i64 {
//!         42
//!     }
//!     /// `conn.root.the_real_answer_though`, an attribute
//!     #[exposed(attribute)]
//!     fn the_real_answer_though(&self) -> i64 {
//!         43
//!     }
//!     /// Not exposed: a peer gets `AttributeError`.
//!     fn get_question(&self) -> &'static str {
//!         "what is the airspeed velocity of an unladen swallow?"
//!     }
//! }
//!
//! // One MyService per connection, as rpyc's ThreadedServer(MyService).
//! let server = Server::new(|| Arc::new(MyService));
//! # let _ = server;
//! ```

use super::connection::Connection;
use super::object::{Context, Reply, RpcObject};
use super::thread_reading::ThreadReading;
use super::value::Value;
use crate::wire::message::HandlerId;

/// A service: an object served as a connection's root, with lifecycle hooks.
pub trait Service: RpcObject {
    /// Runs when a connection using this service opens.
    fn on_connect(&self, _connection: &Connection) {}
    /// Runs after the connection has closed.
    fn on_disconnect(&self, _connection: &Connection) {}

    /// Whether this service answers requests whose target is a plain value
    /// instead of an object (rpyc treats such a value as a Python object:
    /// `HANDLE_HASH(42)`); see [`Service::dispatch_on_value`]. Off by
    /// default: such requests get `TypeError`.
    fn serves_plain_values(&self) -> bool {
        false
    }

    /// Answers `handler` whose first argument, the target, is a plain value
    /// (only asked when [`Service::serves_plain_values`] says so).
    fn dispatch_on_value(&self, _cx: &Context, _handler: HandlerId, _args: Vec<Value>) -> Reply {
        Reply::error(crate::wire::vinegar::RemoteException::type_error(
            "expected one of this side's objects",
        ))
    }

    /// Whether this service would rather read its connection on a thread
    /// of its own (one that runs all of the connection's requests): then
    /// a connection over a plain socket hands it the reading after
    /// [`Service::on_connect`], through [`Service::adopt_reading`].
    fn reads_on_own_thread(&self) -> bool {
        false
    }

    /// Takes over the reading of the connection (see [`ThreadReading`]);
    /// giving it back (`Err`) has a task read it, as for any service.
    fn adopt_reading(&self, reading: Box<ThreadReading>) -> Result<(), Box<ThreadReading>> {
        Err(reading)
    }
}
