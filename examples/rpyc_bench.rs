//! The Rust side of the RPyC benchmark (benches/rpyc/run).
//!
//! ```text
//! rpyc_bench serve PORT                 # MyService for the clients to call
//! rpyc_bench latency HOST PORT N        # Rust client: get_answer() N times
//! rpyc_bench pingpong-serve PORT        # raw TCP echo server for the baseline
//! rpyc_bench pingpong PORT N            # raw TCP ping-pong baseline, same sizes
//! ```
//!
//! Latencies print as `p50_us p99_us calls_per_second`.

use oxrpc::tutorial::MyService;
use oxrpc_rpyc::{Server, ServerConfig};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn report(mut samples: Vec<Duration>, total: Duration) {
    samples.sort();
    let pick = |q: f64| samples[((samples.len() as f64 - 1.0) * q) as usize].as_secs_f64() * 1e6;
    println!(
        "{:.1} {:.1} {:.0}",
        pick(0.50),
        pick(0.99),
        samples.len() as f64 / total.as_secs_f64()
    );
}

async fn latency(host: &str, port: u16, n: usize) -> Result<(), Box<dyn std::error::Error>> {
    let conn = oxrpc_rpyc::connect(host, port).await?;
    let root = conn.root().await?;
    for _ in 0..n / 10 {
        root.call::<i64>("get_answer", ()).await?; // warm-up
    }
    let mut samples = Vec::with_capacity(n);
    let started = Instant::now();
    for _ in 0..n {
        let t = Instant::now();
        let answer: i64 = root.call("get_answer", ()).await?;
        samples.push(t.elapsed());
        assert_eq!(answer, 42);
    }
    report(samples, started.elapsed());
    Ok(())
}

/// The baseline's server: answers every 40-byte request with 15 bytes, the
/// sizes of a get_answer() call over RPyC.
async fn pingpong_serve(port: u16) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("ready {port}");
    loop {
        let (mut socket, _) = listener.accept().await?;
        tokio::spawn(async move {
            let _ = socket.set_nodelay(true);
            let mut buf = [0u8; 40];
            while socket.read_exact(&mut buf).await.is_ok() {
                if socket.write_all(&buf[..15]).await.is_err() {
                    break;
                }
            }
        });
    }
}

async fn pingpong(port: u16, n: usize) -> std::io::Result<()> {
    let mut socket = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    socket.set_nodelay(true)?;
    let request = [7u8; 40];
    let mut reply = [0u8; 15];
    for _ in 0..n / 10 {
        socket.write_all(&request).await?;
        socket.read_exact(&mut reply).await?;
    }
    let mut samples = Vec::with_capacity(n);
    let started = Instant::now();
    for _ in 0..n {
        let t = Instant::now();
        socket.write_all(&request).await?;
        socket.read_exact(&mut reply).await?;
        samples.push(t.elapsed());
    }
    report(samples, started.elapsed());
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match args.first().map(String::as_str) {
        Some("serve") => {
            let port: u16 = args.get(1).ok_or("port")?.parse()?;
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
                println!("ready {port}");
                let mut config = ServerConfig::default();
                config.listen.log_connections = false;
                Server::with_config(|| Arc::new(MyService), config)
                    .serve(listener)
                    .await
            })?;
        }
        Some("latency") => {
            let host = args.get(1).ok_or("host")?.clone();
            let port: u16 = args.get(2).ok_or("port")?.parse()?;
            let n: usize = args.get(3).map_or(Ok(20_000), |s| s.parse())?;
            runtime.block_on(latency(&host, port, n))?;
        }
        Some("pingpong-serve") => {
            let port: u16 = args.get(1).ok_or("port")?.parse()?;
            runtime.block_on(pingpong_serve(port))?;
        }
        Some("pingpong") => {
            let port: u16 = args.get(1).ok_or("port")?.parse()?;
            let n: usize = args.get(2).map_or(Ok(20_000), |s| s.parse())?;
            runtime.block_on(pingpong(port, n))?;
        }
        _ => return Err("usage: rpyc_bench serve PORT | latency HOST PORT N | pingpong-serve PORT | pingpong PORT N".into()),
    }
    Ok(())
}
