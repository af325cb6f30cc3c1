//! rpyc's registry client for Python code on the server: what
//! `rpyc.discover`, `rpyc.list_services`, `rpyc.connect_by_service` and
//! `rpyc.utils.registry`'s `UDPRegistryClient` and `TCPRegistryClient` do
//! there (`rpyc_client.py`), through the protocol crate's
//! [`RegistryClient`]: code a classic client runs finds servers by name as
//! it would on rpyc_classic's server.
//!
//! The native is `_oxrpc_registry(op, transport, ip, port, timeout, ipv6,
//! arg)`, waited for on the worker of the code that calls it (requests of
//! the client that arrive meanwhile are served).

use crate::convert::from_brine;
use crate::outbound::{os_message, plain, text, this_worker};
use crate::runtime::Runtime;
use crate::space::{ErrorKind, Kind, ObjectSpace};
use crate::worker::wait_for;
use oxrpc_rpyc::registry::{RegistryClient, RegistryError};
use oxrpc_rpyc::{BrineValue, Value};
use std::time::Duration;

/// What Python raises for a failed registry operation: the OS's error
/// (an errno and words), or a registry's answer it cannot read.
fn failure(e: RegistryError) -> Value {
    let (errno, message) = match e {
        RegistryError::Io(e) => (
            e.raw_os_error()
                .map_or(BrineValue::None, |errno| BrineValue::Int(i64::from(errno))),
            os_message(&e),
        ),
        other => (BrineValue::None, other.to_string()),
    };
    Value::Brine(BrineValue::Tuple(vec![
        BrineValue::from("error"),
        errno,
        BrineValue::Str(message),
    ]))
}

/// `_oxrpc_registry(op, transport, ip, port, timeout, ipv6, arg)`: `op`
/// 'discover' (arg: the name; the entries as the registry lists them),
/// 'list' (arg: the host to filter on, or None; the names, or None where
/// the registry does not list), 'register' (arg: `(aliases, port,
/// interface)`; whether a registry acknowledged) or 'unregister' (arg: the
/// port). The answer comes back as `('ok', value)`, a failure as
/// `('error', errno, message)`.
pub(crate) fn registry_op<S: ObjectSpace>(
    vm: S::Vm<'_>,
    args: Vec<S::Object>,
) -> Result<S::Object, S::Error> {
    let arg = |i: usize| plain::<S>(vm, args.get(i));
    let bad = |what: &str| S::error(vm, ErrorKind::Type, &format!("_oxrpc_registry: {what}"));
    let op = text(&arg(0)).ok_or_else(|| bad("op"))?;
    let ip = text(&arg(2)).ok_or_else(|| bad("ip"))?;
    let port = match arg(3) {
        BrineValue::Int(port) => u16::try_from(port).map_err(|_| bad("port"))?,
        _ => return Err(bad("port")),
    };
    let mut client = match text(&arg(1)).as_deref() {
        Some("udp") => RegistryClient::udp_to(ip),
        Some("tcp") => RegistryClient::tcp(ip),
        _ => return Err(bad("transport")),
    }
    .with_port(port)
    .with_ipv6(matches!(arg(5), BrineValue::Bool(true)));
    match arg(4) {
        BrineValue::Float(seconds) => {
            if let Ok(timeout) = Duration::try_from_secs_f64(seconds) {
                client = client.with_timeout(timeout);
            }
        }
        BrineValue::Int(seconds) => {
            if let Ok(seconds) = u64::try_from(seconds) {
                client = client.with_timeout(Duration::from_secs(seconds));
            }
        }
        _ => {}
    }
    let request = match op.as_str() {
        "discover" => Request::Discover(text(&arg(6)).ok_or_else(|| bad("name"))?),
        "list" => Request::List(text(&arg(6))),
        "register" => {
            let parts = match args.get(6).map(|o| S::kind(vm, o)) {
                Some(Kind::Tuple(parts)) => parts,
                _ => return Err(bad("registration")),
            };
            let aliases = match parts.first().map(|o| S::kind(vm, o)) {
                Some(Kind::Tuple(names)) => names
                    .iter()
                    .filter_map(|n| text(&plain::<S>(vm, Some(n))))
                    .collect(),
                _ => return Err(bad("aliases")),
            };
            let port = match plain::<S>(vm, parts.get(1)) {
                BrineValue::Int(port) => u16::try_from(port).map_err(|_| bad("port"))?,
                _ => return Err(bad("port")),
            };
            if let Some(interface) = text(&plain::<S>(vm, parts.get(2)))
                .and_then(|address| address.parse::<std::net::IpAddr>().ok())
            {
                client = client.with_interface(interface);
            }
            Request::Register(aliases, port)
        }
        "unregister" => match arg(6) {
            BrineValue::Int(port) => {
                Request::Unregister(u16::try_from(port).map_err(|_| bad("port"))?)
            }
            _ => return Err(bad("port")),
        },
        other => return Err(bad(&format!("unknown operation {other}"))),
    };
    let rt = Runtime::<S>::get(vm)?;
    let (worker, runtime) = this_worker(vm, &rt)?;
    let answer = wait_for::<S>(vm, &runtime, &worker, async move {
        Ok(request.run(&client).await.unwrap_or_else(failure))
    });
    match answer {
        Ok(Value::Brine(answer)) => from_brine(vm, &rt, answer),
        Ok(_) => Ok(S::none(vm)),
        Err(e) => Err(S::error(vm, ErrorKind::Runtime, &e.message())),
    }
}

/// A registry operation, made off the interpreter.
enum Request {
    Discover(String),
    List(Option<String>),
    Register(Vec<String>, u16),
    Unregister(u16),
}

impl Request {
    async fn run(self, client: &RegistryClient) -> Result<Value, RegistryError> {
        let brine = match self {
            Request::Discover(name) => BrineValue::Tuple(
                client
                    .discover_entries(&name)
                    .await?
                    .into_iter()
                    .map(|(host, port)| BrineValue::Tuple(vec![BrineValue::Str(host), port]))
                    .collect(),
            ),
            Request::List(filter) => match client.list_services(filter.as_deref()).await {
                Ok(names) => BrineValue::Tuple(names.into_iter().map(BrineValue::Str).collect()),
                Err(RegistryError::ListingDisabled) => BrineValue::None,
                Err(e) => return Err(e),
            },
            Request::Register(aliases, port) => {
                BrineValue::Bool(client.register(&aliases, port).await?)
            }
            Request::Unregister(port) => {
                client.unregister(port).await?;
                BrineValue::None
            }
        };
        Ok(Value::Brine(BrineValue::Tuple(vec![
            BrineValue::from("ok"),
            brine,
        ])))
    }
}
