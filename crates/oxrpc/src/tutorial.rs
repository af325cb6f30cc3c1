//! The services of the course notebook oxrpc reproduces.
//!
//! The notebook's XML-RPC server registers one function, `list_contents`,
//! on port 9000. Ours answers exactly as that Python function would,
//! including the fault a Python client sees for a missing directory.

use oxrpc_xmlrpc::{Fault, Server, ServerConfig, Value};

/// The notebook's XML-RPC port.
pub const XMLRPC_PORT: u16 = 9000;

/// `list_contents(dir_name)`: the names in a directory, in the order the
/// operating system lists them (as `os.listdir` returns them).
///
/// ```
/// let names = oxrpc::tutorial::list_contents("/".into()).unwrap();
/// assert!(names.iter().any(|n| n == "tmp"));
/// let fault = oxrpc::tutorial::list_contents("/no/such/dir".into()).unwrap_err();
/// assert_eq!(
///     fault.string,
///     "<class 'FileNotFoundError'>:[Errno 2] No such file or directory: '/no/such/dir'"
/// );
/// ```
pub fn list_contents(dir_name: String) -> Result<Vec<String>, Fault> {
    tracing::info!("list_contents({dir_name})");
    let fault = |e: std::io::Error| Fault::from_io_error(&e, Some(&dir_name));
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&dir_name).map_err(fault)? {
        names.push(
            entry
                .map_err(fault)?
                .file_name()
                .to_string_lossy()
                .into_owned(),
        );
    }
    Ok(names)
}

/// The notebook's XML-RPC server: `list_contents` plus the `system.*`
/// introspection and multicall methods. Directory reads run on the blocking
/// pool so a slow disk never stalls other clients.
pub fn xmlrpc_server(config: ServerConfig) -> Server {
    let mut server = Server::with_config(config);
    server
        .register_async("list_contents", |dir_name: Value| async move {
            // `os.listdir(None)` lists the working directory, and a client
            // with allow_none may send exactly that.
            let dir_name = match dir_name {
                Value::String(path) => path,
                Value::Nil => ".".to_owned(),
                other => {
                    return Err(Fault::python_exception(
                        "TypeError",
                        format_args!(
                            "listdir: path should be string, bytes, os.PathLike, integer or None, not {}",
                            python_type(&other)
                        ),
                    ))
                }
            };
            tokio::task::spawn_blocking(move || list_contents(dir_name))
                .await
                .unwrap_or_else(|e| Err(Fault::python_exception("RuntimeError", e)))
        })
        .params(&["dir_name"])
        .help("list_contents(dir_name) -> list of the names in the directory dir_name");
    server
}

/// The name of the Python type a client's value arrives as.
fn python_type(value: &Value) -> &'static str {
    match value {
        Value::Int(_) | Value::BigInt(_) => "int",
        Value::Bool(_) => "bool",
        Value::Double(_) | Value::BigDecimal(_) => "float",
        Value::DateTime(_) => "DateTime",
        Value::Base64(_) => "bytes",
        Value::Struct(_) => "dict",
        Value::Array(_) => "list",
        Value::String(_) => "str",
        Value::Nil => "NoneType",
    }
}

/// The notebook's RPyC service port.
pub const SERVICE_PORT: u16 = 18861;

/// The notebook's `MyService` (`rpyc_base.py`): `get_answer()` is exposed,
/// `the_real_answer_though` is an exposed attribute, `get_question()` is
/// not exposed, so a client asking for it gets rpyc's `AttributeError`.
#[derive(Debug, Default)]
pub struct MyService;

#[oxrpc_rpyc::service(name = "__main__.MyService")]
impl MyService {
    /// Runs when a connection is created (to init the service, if needed).
    fn on_connect(&self, _connection: &oxrpc_rpyc::Connection) {}

    /// Runs after the connection has already closed (to finalize the service,
    /// if needed).
    fn on_disconnect(&self, _connection: &oxrpc_rpyc::Connection) {}

    /// An exposed method.
    #[exposed]
    pub fn get_answer(&self) -> i64 {
        42
    }

    /// An exposed attribute.
    #[exposed(attribute)]
    pub fn the_real_answer_though(&self) -> i64 {
        43
    }

    /// Not exposed: only reachable from Rust.
    pub fn get_question(&self) -> &'static str {
        "¿cuál es la velocidad de una golondrina sin que lleve peso?"
    }
}
