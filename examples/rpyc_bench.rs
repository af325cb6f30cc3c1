//! The Rust side of the RPyC benchmark (benches/rpyc/run).
//!
//! ```text
//! rpyc_bench serve PORT [--metrics]     # MyService for the clients to call
//! rpyc_bench latency HOST PORT N        # Rust client: get_answer() N times
//! rpyc_bench latency-blocking HOST PORT N  # the same, blocking client
//! rpyc_bench latency-task HOST PORT N   # the async client, called from a task on the runtime
//! rpyc_bench pingpong-serve PORT        # raw TCP echo server for the baseline
//! rpyc_bench pingpong PORT N            # raw TCP ping-pong baseline, same sizes
//! rpyc_bench pingpong-task PORT N       # the same, called from a task on the runtime
//! rpyc_bench pingpong-blocking PORT N   # the same over std's blocking socket (what C does)
//! rpyc_bench many HOST PORT N SECS PID  # N connections: idle memory, then all calling
//! rpyc_bench many-pingpong PORT N SECS PID  # the same load as raw TCP ping-pong
//! ```
//!
//! `serve` takes `--max-connections N` (default 1024) for `many`.
//!
//! Latencies print as `p50_us p99_us calls_per_second`.

use oxrpc::tutorial::MyService;
use oxrpc_rpyc::{Server, ServerConfig};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The allocator the oxrpc binary uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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

/// `latency` with the blocking client (its calls read their own replies).
fn latency_blocking(host: &str, port: u16, n: usize) -> Result<(), Box<dyn std::error::Error>> {
    let conn = oxrpc_rpyc::blocking::connect(host, port)?;
    let root = conn.root()?;
    for _ in 0..n / 10 {
        root.call::<i64>("get_answer", ())?; // warm-up
    }
    let mut samples = Vec::with_capacity(n);
    let started = Instant::now();
    for _ in 0..n {
        let t = Instant::now();
        let answer: i64 = root.call("get_answer", ())?;
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

/// `pingpong` over a blocking socket: a `send` and a `recv` per exchange,
/// the thread sleeping in the kernel until the reply is in, as a C client
/// does. No runtime, so no thread but the caller's is ever woken.
fn pingpong_blocking(port: u16, n: usize) -> std::io::Result<()> {
    use std::io::{Read, Write};
    let mut socket = std::net::TcpStream::connect(("127.0.0.1", port))?;
    socket.set_nodelay(true)?;
    let request = [7u8; 40];
    let mut reply = [0u8; 15];
    for _ in 0..n / 10 {
        socket.write_all(&request)?;
        socket.read_exact(&mut reply)?;
    }
    let mut samples = Vec::with_capacity(n);
    let started = Instant::now();
    for _ in 0..n {
        let t = Instant::now();
        socket.write_all(&request)?;
        socket.read_exact(&mut reply)?;
        samples.push(t.elapsed());
    }
    report(samples, started.elapsed());
    Ok(())
}

/// Resident memory of process `pid`, in KiB.
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// CPU time (user + system) a process has used, in clock ticks.
fn cpu_ticks(pid: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| {
            // The fields after the command name, which may hold spaces.
            let rest = stat.rsplit_once(')')?.1;
            let fields: Vec<&str> = rest.split_whitespace().collect();
            Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
        })
        .unwrap_or(0)
}

/// Clock ticks per second of /proc's CPU times.
const CLOCK_TICKS: f64 = 100.0;

/// The rate of a load and the CPU both processes spent on it, from the
/// moment it was created to the moment `finish` is called.
struct LoadMeter {
    server_pid: String,
    started: Instant,
    server_cpu: u64,
    client_cpu: u64,
}

impl LoadMeter {
    fn start(server_pid: u32) -> LoadMeter {
        let server_pid = server_pid.to_string();
        LoadMeter {
            server_cpu: cpu_ticks(&server_pid),
            client_cpu: cpu_ticks("self"),
            server_pid,
            started: Instant::now(),
        }
    }

    /// `calls` made so far: `(per second, server µs per call, client µs per
    /// call)`.
    fn finish(&self, calls: u64) -> (f64, f64, f64) {
        let made = calls.max(1) as f64;
        let per_call = |ticks: u64| ticks as f64 / CLOCK_TICKS / made * 1e6;
        (
            made / self.started.elapsed().as_secs_f64(),
            per_call(cpu_ticks(&self.server_pid).saturating_sub(self.server_cpu)),
            per_call(cpu_ticks("self").saturating_sub(self.client_cpu)),
        )
    }
}

/// Opens `n` connections, measures the server's memory per idle
/// connection, then has every connection call `get_answer()` in a loop
/// for `seconds`. Prints `connected errors kib_per_idle_connection
/// calls_per_second call_errors`.
async fn many(
    host: &str,
    port: u16,
    n: usize,
    seconds: u64,
    server_pid: u32,
) -> Result<(), Box<dyn std::error::Error>> {
    let before = rss_kib(server_pid);
    let gate = Arc::new(tokio::sync::Semaphore::new(256));
    let mut connecting = tokio::task::JoinSet::new();
    for _ in 0..n {
        let (host, gate) = (host.to_owned(), gate.clone());
        connecting.spawn(async move {
            let _permit = gate.acquire_owned().await.ok()?;
            let conn = oxrpc_rpyc::connect(&host, port).await.ok()?;
            let root = conn.root().await.ok()?;
            Some((conn, root))
        });
    }
    let mut open = Vec::with_capacity(n);
    let mut errors = 0usize;
    while let Some(joined) = connecting.join_next().await {
        match joined.ok().flatten() {
            Some(pair) => open.push(pair),
            None => errors += 1,
        }
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = rss_kib(server_pid);
    let per_connection = after.saturating_sub(before) as f64 / open.len().max(1) as f64;
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let calls = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let call_errors = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut calling = tokio::task::JoinSet::new();
    let meter = LoadMeter::start(server_pid);
    for (conn, root) in open {
        let (calls, call_errors) = (calls.clone(), call_errors.clone());
        calling.spawn(async move {
            while Instant::now() < deadline {
                match root.call::<i64>("get_answer", ()).await {
                    Ok(42) => calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
                    _ => call_errors.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
                };
            }
            drop(conn);
        });
    }
    while calling.join_next().await.is_some() {}
    let (rate, server_us, client_us) =
        meter.finish(calls.load(std::sync::atomic::Ordering::Relaxed));
    println!(
        "{} {} {:.1} {:.0} {} {:.1} {:.1}",
        n - errors,
        errors,
        per_connection,
        rate,
        call_errors.load(std::sync::atomic::Ordering::Relaxed),
        server_us,
        client_us,
    );
    Ok(())
}

/// The baseline of `many`: `n` raw TCP connections to `pingpong-serve`, every
/// one exchanging the sizes of a `get_answer()` call in a loop for
/// `seconds`, what any server pays for that many sockets in its working set.
/// Prints `connected calls_per_second server_cpu_per_call_us
/// client_cpu_per_call_us`.
async fn many_pingpong(
    port: u16,
    n: usize,
    seconds: u64,
    server_pid: u32,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut open = Vec::with_capacity(n);
    for _ in 0..n {
        let socket = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
        socket.set_nodelay(true)?;
        open.push(socket);
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let connected = open.len();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let calls = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut calling = tokio::task::JoinSet::new();
    let meter = LoadMeter::start(server_pid);
    for mut socket in open {
        let calls = calls.clone();
        calling.spawn(async move {
            let (request, mut reply) = ([7u8; 40], [0u8; 15]);
            while Instant::now() < deadline {
                if socket.write_all(&request).await.is_err()
                    || socket.read_exact(&mut reply).await.is_err()
                {
                    break;
                }
                calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        });
    }
    while calling.join_next().await.is_some() {}
    let (rate, server_us, client_us) =
        meter.finish(calls.load(std::sync::atomic::Ordering::Relaxed));
    println!("{connected} {rate:.0} {server_us:.1} {client_us:.1}");
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
            let max_connections: usize = match args.iter().position(|a| a == "--max-connections") {
                Some(at) => args.get(at + 1).ok_or("--max-connections N")?.parse()?,
                None => ServerConfig::default().listen.max_connections,
            };
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
                println!("ready {port}");
                let mut config = ServerConfig::default();
                config.listen.log_connections = false;
                config.listen.max_connections = max_connections;
                // `serve PORT --metrics`: the same with telemetry recording
                // (nobody scrapes it: this measures what recording costs).
                if args.iter().any(|a| a == "--metrics") {
                    let telemetry = oxrpc::telemetry::Telemetry::new();
                    config.listen.telemetry = Some(telemetry.server("bench"));
                }
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
        Some("latency-task") => {
            // How a service built on tokio calls: from a task on the
            // runtime, where the connection's reader task runs too.
            let host = args.get(1).ok_or("host")?.clone();
            let port: u16 = args.get(2).ok_or("port")?.parse()?;
            let n: usize = args.get(3).map_or(Ok(20_000), |s| s.parse())?;
            runtime.block_on(async move {
                tokio::spawn(async move { latency(&host, port, n).await.map_err(|e| e.to_string()) })
                    .await
            })??;
        }
        Some("latency-blocking") => {
            let host = args.get(1).ok_or("host")?.clone();
            let port: u16 = args.get(2).ok_or("port")?.parse()?;
            let n: usize = args.get(3).map_or(Ok(20_000), |s| s.parse())?;
            latency_blocking(&host, port, n)?;
        }
        Some("many") => {
            let host = args.get(1).ok_or("host")?.clone();
            let port: u16 = args.get(2).ok_or("port")?.parse()?;
            let n: usize = args.get(3).ok_or("n")?.parse()?;
            let seconds: u64 = args.get(4).ok_or("seconds")?.parse()?;
            let pid: u32 = args.get(5).ok_or("server pid")?.parse()?;
            runtime.block_on(many(&host, port, n, seconds, pid))?;
        }
        Some("many-pingpong") => {
            let port: u16 = args.get(1).ok_or("port")?.parse()?;
            let n: usize = args.get(2).ok_or("n")?.parse()?;
            let seconds: u64 = args.get(3).ok_or("seconds")?.parse()?;
            let pid: u32 = args.get(4).ok_or("server pid")?.parse()?;
            runtime.block_on(many_pingpong(port, n, seconds, pid))?;
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
        Some("pingpong-task") => {
            let port: u16 = args.get(1).ok_or("port")?.parse()?;
            let n: usize = args.get(2).map_or(Ok(20_000), |s| s.parse())?;
            runtime.block_on(async move { tokio::spawn(pingpong(port, n)).await })??;
        }
        Some("pingpong-blocking") => {
            let port: u16 = args.get(1).ok_or("port")?.parse()?;
            let n: usize = args.get(2).map_or(Ok(20_000), |s| s.parse())?;
            pingpong_blocking(port, n)?;
        }
        _ => return Err("usage: rpyc_bench serve PORT [--metrics] [--max-connections N] | latency HOST PORT N | latency-task HOST PORT N | latency-blocking HOST PORT N | many HOST PORT N SECS PID | many-pingpong PORT N SECS PID | pingpong-serve PORT | pingpong PORT N | pingpong-task PORT N | pingpong-blocking PORT N".into()),
    }
    Ok(())
}
