//! The server side of the XML-RPC benchmark (benches/xmlrpc/run): `add` and
//! `echo`, no request log.
//!
//! ```text
//! cargo run --release --example xmlrpc_bench_server -- 9100 [--metrics]
//! ```

use oxrpc::xmlrpc::{Server, ServerConfig, Value};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(9100);
    let mut config = ServerConfig {
        log_requests: false,
        ..ServerConfig::default()
    };
    // `PORT --metrics`: with telemetry recording, to measure its cost.
    if std::env::args().any(|a| a == "--metrics") {
        let telemetry = oxrpc::telemetry::Telemetry::new();
        config.listen.telemetry = Some(telemetry.server("bench"));
    }
    let mut server = Server::with_config(config);
    server.register("add", |a: i32, b: i32| a + b);
    server.register("echo", |value: Value| value);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("ready {port}");
    server.serve(listener).await
}
