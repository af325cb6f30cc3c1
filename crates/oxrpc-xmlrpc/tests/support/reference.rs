//! A server with the methods of `tests/interop/xmlrpc/reference_server.py`,
//! answering as those Python functions do, so the interop and differential
//! tests can compare it with the Python reference.

use super::{serve, Running};
use oxrpc_xmlrpc::{Encoded, Fault, Server, ServerConfig, Value};
use std::time::Duration;

/// The reference server, served until dropped.
pub type TestServer = Running;

impl Running {
    /// The reference methods, without a request log.
    pub fn start() -> TestServer {
        TestServer::start_with(ServerConfig {
            log_requests: false,
            ..ServerConfig::default()
        })
    }

    /// The reference methods on a server configured with `config`.
    pub fn start_with(config: ServerConfig) -> TestServer {
        serve(move || test_methods(Server::with_config(config)))
    }

    /// Stops the server and waits for it.
    pub fn stop(self) {}
}

fn type_error(message: String) -> Fault {
    Fault::python_exception("TypeError", message)
}

/// Python's `a + b` on what a client can send (numbers, strings, lists).
fn python_add(a: Value, b: Value) -> Result<Value, Fault> {
    let number = |v: &Value| match v {
        Value::Int(i) => Some(*i as f64),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        Value::Double(d) => Some(*d),
        _ => None,
    };
    let int = |v: &Value| match v {
        Value::Int(i) => Some(*i),
        Value::Bool(b) => Some(i64::from(*b)),
        _ => None,
    };
    Ok(match (&a, &b) {
        _ if int(&a).is_some() && int(&b).is_some() => {
            Value::Int(int(&a).unwrap_or(0) + int(&b).unwrap_or(0))
        }
        _ if number(&a).is_some() && number(&b).is_some() => {
            Value::Double(number(&a).unwrap_or(0.0) + number(&b).unwrap_or(0.0))
        }
        (Value::String(x), Value::String(y)) => Value::String(format!("{x}{y}")),
        (Value::String(_), other) => {
            return Err(type_error(format!(
                "can only concatenate str (not \"{}\") to str",
                other.python_type_name()
            )))
        }
        (Value::Array(x), Value::Array(y)) => Value::Array(x.iter().chain(y).cloned().collect()),
        (Value::Array(_), other) => {
            return Err(type_error(format!(
                "can only concatenate list (not \"{}\") to list",
                other.python_type_name()
            )))
        }
        (x, y) => {
            return Err(type_error(format!(
                "unsupported operand type(s) for +: '{}' and '{}'",
                x.python_type_name(),
                y.python_type_name()
            )))
        }
    })
}

/// Python's `'x' * n`.
fn python_big(n: Value) -> Result<String, Fault> {
    match n {
        Value::Int(n) => Ok("x".repeat(usize::try_from(n).unwrap_or(0))),
        Value::Bool(b) => Ok("x".repeat(usize::from(b))),
        other => Err(type_error(format!(
            "can't multiply sequence by non-int of type '{}'",
            other.python_type_name()
        ))),
    }
}

/// The methods of `tests/interop/xmlrpc/reference_server.py`, answering as
/// those Python functions do (so the differential harness can compare).
fn test_methods(mut server: Server) -> Server {
    server
        .register("list_contents", |dir: Value| -> Result<Vec<String>, Fault> {
            let dir = match dir {
                Value::String(dir) => dir,
                Value::Nil => ".".to_owned(),
                other => {
                    return Err(type_error(format!(
                        "listdir: path should be string, bytes, os.PathLike, integer or None, not {}",
                        other.python_type_name()
                    )))
                }
            };
            let entries =
                std::fs::read_dir(&dir).map_err(|e| Fault::from_io_error(&e, Some(&dir)))?;
            Ok(entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect())
        })
        .params(&["dir_name"]);
    server
        .register("echo", |value: Value| value)
        .params(&["value"])
        .help("Returns its argument unchanged.");
    // `echo` again, answered encoded ahead: the path a kept answer takes.
    server
        .register("echo_encoded", |value: Value| {
            Encoded::new(&value).map_err(Fault::cannot_encode)
        })
        .params(&["value"])
        .help("Returns its argument unchanged (oxrpc answers it encoded ahead).");
    server.register("add", python_add).params(&["a", "b"]);
    // A typed twin of `add`, for the tests of argument conversion.
    server.register("add_ints", |a: i32, b: i32| a + b);
    server
        .register("fail", |message: Value| -> Result<(), Fault> {
            Err(Fault::python_exception(
                "ValueError",
                message.to_python_str(),
            ))
        })
        .params(&["message"]);
    server
        .register("fault", |code: i32, message: String| -> Result<(), Fault> {
            Err(Fault::new(code, message))
        })
        .params(&["code", "message"]);
    server.register("none", || ());
    server.register("big_int", || 1i64 << 40);
    server.register("big", python_big).params(&["n"]);
    server.register_async("sleep", |millis: u32| async move {
        tokio::time::sleep(Duration::from_millis(u64::from(millis))).await;
        millis
    });
    server
}
