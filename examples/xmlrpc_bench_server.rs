//! The server side of the XML-RPC benchmark (benches/xmlrpc/run): `add` and
//! `echo`, no request log.
//!
//! ```text
//! cargo run --release --example xmlrpc_bench_server -- 9100 [--metrics] [--max-connections N] [--idle-timeout SECS]
//! ```

use oxrpc::xmlrpc::{Fault, Server, ServerConfig, Value};

/// The allocator the oxrpc binary uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    let args: Vec<String> = std::env::args().collect();
    let option = |name: &str| -> Option<u64> {
        args.windows(2)
            .find(|pair| pair[0] == name)
            .and_then(|pair| pair[1].parse().ok())
    };
    // `--max-connections N`: room for the many-connections benchmark.
    if let Some(n) = option("--max-connections") {
        config.listen.max_connections = usize::try_from(n).unwrap_or(usize::MAX);
    }
    // `--idle-timeout SECS`: how long a keep-alive connection may wait for
    // its next request (the header read timeout; 10 s by default), so the
    // many-connections benchmark's idle connections outlast their opening.
    if let Some(secs) = option("--idle-timeout") {
        config.header_read_timeout = std::time::Duration::from_secs(secs);
    }
    let mut server = Server::with_config(config);
    // A sum beyond 32 bits is CPython's fault too: its `dumps` refuses it.
    server.register("add", |a: i32, b: i32| {
        a.checked_add(b)
            .ok_or_else(|| Fault::python_exception("OverflowError", "int exceeds XML-RPC limits"))
    });
    server.register("echo", |value: Value| value);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("ready {port}");
    server.serve(listener).await
}
