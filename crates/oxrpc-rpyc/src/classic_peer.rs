//! What a Rust classic client shows its server: rpyc's `ClassicService`
//! names, with no interpreter behind them.
//!
//! rpyc's `ClassicService` is symmetric: each end is both master and slave.
//! A server running it (`rpyc_classic -m stdio` does; its threaded and
//! forking modes serve `SlaveService`, which does not) starts every
//! connection by driving the client's root as a classic root, before it
//! answers anything: it fetches `getmodule`, calls `getmodule("builtins")`
//! and `getmodule("importlib.util")`, and fetches `eval`, `execute` and
//! `namespace`. If any of that fails the server drops the connection (rpyc's
//! own `VoidService` and `ClassicClient` clients fail there).
//!
//! [`ClientService`] answers all of it. A Rust client has no Python to
//! offer, so what it hands out are stand-ins: `getmodule(name)` returns a
//! module object whose attributes (beyond `__name__`) raise an
//! `AttributeError` saying so; `eval` and `execute` raise
//! `NotImplementedError`; `namespace` is an empty dict. The server can
//! connect, and its code learns clearly, on first use, that this peer
//! runs no Python.

use crate::core::{Context, Reply, RpcObject, Service, Value};
use crate::objects::{DictObject, Function};
use crate::wire::brine::BrineValue;
use crate::wire::vinegar::RemoteException;
use std::sync::Arc;

/// The names rpyc's classic root has.
const NAMES: [&str; 4] = ["eval", "execute", "getmodule", "namespace"];

/// What every refusal says.
const NO_PYTHON: &str = "this peer is an oxrpc (Rust) client and runs no Python";

/// The root a classic client exposes to its server (see the module docs):
/// enough of rpyc's `ClassicService` for servers that call their clients
/// on connect, such as `rpyc_classic -m stdio`. One per connection.
///
/// ```no_run
/// use oxrpc_rpyc::classic::{ClassicConnection, ClientService};
/// use oxrpc_rpyc::{Config, Connector};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// // A Python ThreadedServer(ClassicService, port=18812) calls back on connect.
/// let connection = Connector::tcp("localhost", 18812)
///     .service(|| std::sync::Arc::new(ClientService::default()))
///     .connect()
///     .await?;
/// let conn = ClassicConnection::new(connection).await?;
/// # Ok(()) }
/// ```
pub struct ClientService {
    namespace: Arc<DictObject>,
}

impl Default for ClientService {
    fn default() -> Self {
        ClientService {
            namespace: DictObject::from_pairs([]),
        }
    }
}

impl RpcObject for ClientService {
    fn type_name(&self) -> &str {
        "oxrpc.classic.ClientService"
    }

    fn getattr(self: Arc<Self>, _cx: &Context, name: &str) -> Reply {
        match name {
            "getmodule" => Reply::value(Value::Object(Function::new("getmodule", getmodule))),
            "eval" | "execute" => {
                let what = name.to_owned();
                Reply::value(Value::Object(Function::new(name, move |_| {
                    Err(RemoteException::not_implemented_error(format!(
                        "{what}: {NO_PYTHON}"
                    )))
                })))
            }
            "namespace" => Reply::value(Value::Object(self.namespace.clone())),
            _ => Reply::error(RemoteException::no_attribute(
                self.type_name(),
                name,
                &self.repr(),
            )),
        }
    }

    fn dir(&self) -> Vec<String> {
        NAMES.iter().map(|n| (*n).to_owned()).collect()
    }

    fn repr(&self) -> String {
        "<oxrpc classic client>".to_owned()
    }
}

impl Service for ClientService {}

/// `getmodule(name)`: a stand-in module named `name` (rpyc also accepts
/// the name as a tuple of parts).
fn getmodule(args: Vec<Value>) -> Result<Value, RemoteException> {
    let name = match args.into_iter().next() {
        Some(Value::Brine(BrineValue::Str(name))) => name,
        Some(Value::Brine(BrineValue::Tuple(parts))) => parts
            .iter()
            .map(|p| match p {
                BrineValue::Str(s) => Ok(s.as_str()),
                _ => Err(RemoteException::type_error("module name parts must be str")),
            })
            .collect::<Result<Vec<_>, _>>()?
            .join("."),
        _ => {
            return Err(RemoteException::type_error(
                "getmodule() takes a module name",
            ))
        }
    };
    Ok(Value::Object(Arc::new(Module { name })))
}

/// A module this side does not have.
struct Module {
    name: String,
}

impl RpcObject for Module {
    fn type_name(&self) -> &str {
        "builtins.module"
    }

    fn getattr(self: Arc<Self>, _cx: &Context, name: &str) -> Reply {
        if name == "__name__" {
            return Reply::value(self.name.as_str());
        }
        let mut message = format!("module '{}' has no attribute '{name}': ", self.name);
        message.push_str(NO_PYTHON);
        Reply::error(RemoteException::attribute_error(message))
    }

    fn repr(&self) -> String {
        format!("<module '{}' (oxrpc client, no Python)>", self.name)
    }
}
