//! `#[method]` functions, named, documented and with their parameters'
//! names taken from the Rust function, answer CPython's `ServerProxy`
//! exactly as the same Python functions registered with
//! `register_function` do (tests/interop/xmlrpc/method_checks.py).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

mod support;

use oxrpc_testkit::{expect_success, run_python_script};
use oxrpc_xmlrpc::{method, Server, ServerConfig};
use std::time::Duration;

/// Adds two integers.
#[method]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

/// Greets someone.
///
/// Both arguments are strings.
#[method]
async fn greet(name: String, greeting: String) -> String {
    format!("{greeting}, {name}!")
}

/// Multiplies two integers.
#[method(name = "math.mul")]
fn mul(a: i64, b: i64) -> i64 {
    a * b
}

#[test]
fn method_functions_answer_as_cpythons_register_function() {
    let server = support::serve(|| {
        let mut server = Server::with_config(ServerConfig {
            log_requests: false,
            ..ServerConfig::default()
        });
        server.add_method(add);
        server.add_method(greet);
        server.add_method(mul);
        server
    });
    let output = run_python_script(
        "xmlrpc/method_checks.py",
        &[&server.url()],
        Duration::from_secs(120),
    );
    let stdout = expect_success("method_checks.py", &output);
    assert!(stdout.contains("11 method checks passed"), "{stdout}");
}
