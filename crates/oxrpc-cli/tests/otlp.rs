//! `--otlp URL` (built with `--features otlp`): a server's per-call spans
//! reach an OpenTelemetry collector. The collector is a small HTTP listener
//! in the test that keeps every POST; OTLP's protobuf carries strings as
//! plain bytes, so the span, its fields and the service name are found in
//! the bodies. The calls come from a stock rpyc 6.0.2 client.
#![cfg(feature = "otlp")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

use oxrpc_testkit::{
    expect_success, free_port, loopback, python_command, run_with_deadline, wait_for_port,
    ChildGuard,
};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

type Posts = Arc<Mutex<Vec<(String, Vec<u8>)>>>;

/// Answers one HTTP/1.1 connection's requests with 200, keeping each
/// request's path and body.
fn serve_collector_connection(stream: TcpStream, posts: Posts) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let path = request_line
            .split_whitespace()
            .nth(1)
            .unwrap_or("")
            .to_owned();
        let mut length = 0usize;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap();
                }
            }
        }
        let mut body = vec![0u8; length];
        reader.read_exact(&mut body).unwrap();
        posts.lock().unwrap().push((path, body));
        let _ = writer.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\nContent-Length: 0\r\n\r\n",
        );
    }
}

fn collector() -> (SocketAddr, Posts) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let posts: Posts = Arc::default();
    let kept = posts.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let posts = kept.clone();
            std::thread::spawn(move || serve_collector_connection(stream, posts));
        }
    });
    (addr, posts)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn spans_of_a_python_clients_calls_reach_the_collector() {
    let (collector, posts) = collector();
    let port = free_port();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_oxrpc"));
    cmd.args(["--otlp", &format!("http://{collector}"), "service", "serve"])
        .args(["-p", &port.to_string()])
        .env("OXRPC_LOG", "error");
    let mut server = ChildGuard::spawn(cmd);
    wait_for_port(loopback(port), Duration::from_secs(30));

    let mut client = python_command();
    client.args([
        "-c",
        &format!(
            "import rpyc; c = rpyc.connect('localhost', {port}); \
             print(c.root.get_answer(), c.root.get_answer()); c.close()"
        ),
    ]);
    let output = run_with_deadline(client, Duration::from_secs(60));
    assert_eq!(expect_success("rpyc client", &output).trim(), "42 42");

    // SIGTERM: the server stops and flushes what it has not sent yet.
    let status = Command::new("kill")
        .args(["-s", "TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    while !server.has_exited() {
        assert!(started.elapsed() < Duration::from_secs(30), "still running");
        std::thread::sleep(Duration::from_millis(20));
    }

    let posts = posts.lock().unwrap();
    let traces: Vec<&[u8]> = posts
        .iter()
        .filter(|(path, _)| path == "/v1/traces")
        .map(|(_, body)| body.as_slice())
        .collect();
    assert!(
        !traces.is_empty(),
        "no export reached the collector: {posts:?}"
    );
    let all: Vec<u8> = traces.concat();
    for needle in [
        &b"oxrpc"[..], // service.name
        b"rpc",        // the span
        b"get_answer", // its method
        b"handler",    // its fields
        b"peer",
        b"127.0.0.1",
    ] {
        assert!(
            contains(&all, needle),
            "{:?} missing from the exported spans",
            String::from_utf8_lossy(needle)
        );
    }
}
