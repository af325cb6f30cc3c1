//! Instance dispatch, dotted names, several paths, serde structs and
//! request context, driven by CPython's `ServerProxy` and compared call by
//! call with CPython's own `MultiPathXMLRPCServer` set up the same way
//! (tests/interop/xmlrpc/dispatch_checks.py).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

mod support;

use oxrpc_testkit::{expect_success, run_python_script};
use oxrpc_xmlrpc::{
    AuthMethod, AuthUser, BasicAuth, Binary, ClientAddr, DateTime, Dispatch, Fault, Headers,
    Registry, RequestContext, Serde, Server, ServerConfig, Struct, Value,
};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Answers `inventory.*` as the Python reference's `_dispatch` does.
struct Inventory;

impl Dispatch for Inventory {
    async fn dispatch(
        &self,
        method: &str,
        params: Vec<Value>,
        _context: &RequestContext,
    ) -> Result<Value, Fault> {
        match method {
            "inventory.count" => Ok(Value::Int(params.len() as i64)),
            "inventory.echo" => Ok(Value::Array(params)),
            _ => Err(Fault::method_not_supported(method)),
        }
    }

    fn list_methods(&self) -> Vec<String> {
        vec!["inventory.count".into(), "inventory.echo".into()]
    }

    fn method_help(&self, method: &str) -> Option<String> {
        match method {
            "inventory.count" => Some("Counts its arguments.".into()),
            "inventory.echo" => Some("Returns its arguments.".into()),
            _ => None,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Customer {
    name: String,
    email: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Line {
    sku: String,
    qty: u32,
    price: f64,
}

#[derive(Debug, Serialize, Deserialize)]
struct Order {
    id: i64,
    customer: Customer,
    lines: Vec<Line>,
    placed: DateTime,
    note: Binary,
    tags: Vec<String>,
    coupon: Option<String>,
}

#[derive(Debug, Serialize)]
enum Kind {
    Bulk,
    Small,
}

#[derive(Debug, Serialize)]
struct Summary {
    id: i64,
    customer: String,
    total: f64,
    items: u32,
    placed: DateTime,
    note_size: usize,
    first_tag: Option<String>,
    kind: Kind,
}

fn summarize(Serde(order): Serde<Order>) -> Serde<Summary> {
    Serde(Summary {
        id: order.id,
        total: order.lines.iter().map(|l| f64::from(l.qty) * l.price).sum(),
        items: order.lines.iter().map(|l| l.qty).sum(),
        placed: order.placed,
        note_size: order.note.0.len(),
        first_tag: order.tags.first().cloned(),
        kind: if order.lines.len() > 2 {
            Kind::Bulk
        } else {
            Kind::Small
        },
        customer: order.customer.name,
    })
}

fn tree(allow_dotted_names: bool) -> Registry {
    let mut tree = Registry::new();
    tree.set_allow_dotted_names(allow_dotted_names);
    tree.register("ping", || "pong").help("Answers pong.");
    let mut math = Registry::new();
    math.register("add", |a: f64, b: f64| a + b)
        .help("Adds two numbers.");
    math.register("pow", |a: i64, b: u32| a.pow(b))
        .help("Raises a to the power b.");
    math.register("_secret", || "leaked");
    tree.nest("math", math);
    tree
}

fn whoami(
    addr: ClientAddr,
    headers: Headers,
    user: Option<AuthUser>,
    context: RequestContext,
) -> Struct {
    let mut out = Struct::new();
    out.insert("addr".into(), Value::from(addr.0.ip().to_string()));
    let agent = headers
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    out.insert("agent".into(), Value::from(agent));
    out.insert(
        "user".into(),
        Value::from(user.as_ref().map_or("", |u| u.name.as_str())),
    );
    let method = match user.map(|u| u.method) {
        Some(AuthMethod::Basic) => "basic",
        Some(AuthMethod::ClientCertificate) => "certificate",
        _ => "",
    };
    out.insert("method".into(), Value::from(method));
    out.insert("path".into(), Value::from(context.path()));
    out
}

/// The server dispatch_checks.py expects, with `config`.
fn layout(config: ServerConfig) -> Server {
    let mut server = Server::with_config(config);
    server.config_mut().rpc_paths = vec!["/RPC2".into()];
    server.register("add", |a: Value, b: Value| match (a, b) {
        (Value::Int(a), Value::Int(b)) => Ok(Value::Int(a + b)),
        _ => Err(Fault::python_exception("TypeError", "ints only")),
    });
    server.register("list-contents", |dir: String| {
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .map_err(|e| Fault::from_io_error(&e, Some(&dir)))?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        Ok::<_, Fault>(names)
    });
    server.register("whoami", whoami);
    server.register_instance(Inventory);
    server.add_dispatcher("/tree", tree(true));
    server.add_dispatcher("/flat", tree(false));
    let orders = server.add_dispatcher("/serde", Registry::new());
    orders.set_introspection(false);
    orders.register("summarize", summarize);
    orders.register("roundtrip", |order: Serde<Order>| order);
    server
}

#[test]
fn dispatch_paths_and_structs_match_cpython() {
    let quiet = || ServerConfig {
        log_requests: false,
        ..ServerConfig::default()
    };
    let server = support::serve(move || layout(quiet()));
    let authenticated = support::serve(move || {
        layout(ServerConfig {
            basic_auth: Some(BasicAuth {
                user: "ana".into(),
                password: "s3cret".into(),
            }),
            ..quiet()
        })
    });
    let output = run_python_script(
        "xmlrpc/dispatch_checks.py",
        &[&server.url(), &authenticated.url()],
        Duration::from_secs(180),
    );
    let stdout = expect_success("dispatch_checks.py", &output);
    println!("{stdout}");
    assert!(stdout.contains("dispatch checks passed"), "{stdout}");
}
