//! `--metrics ADDR`: the counters after a known set of calls, faults,
//! exceptions and limit hits equal what the test did; and the live status
//! page, in headless Chromium, shows a connection the test opened and
//! updates by itself as calls are made.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

#[path = "../../oxrpc-xmlrpc/tests/support/browser.rs"]
mod browser;

use oxrpc_testkit::ChildGuard;
use oxrpc_testkit::{
    expect_success, free_port, loopback, python_command, run_with_deadline, wait_for_port,
};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `oxrpc <kind> serve` with `--metrics`; its port and the metrics port.
fn serve(kind: &str, extra: &[&str]) -> (ChildGuard, u16, u16) {
    let (port, metrics) = (free_port(), free_port());
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_oxrpc"));
    cmd.args([kind, "serve", "-q", "--host", "127.0.0.1", "--port"])
        .arg(port.to_string())
        .arg("--metrics")
        .arg(format!("127.0.0.1:{metrics}"))
        .args(extra);
    let server = ChildGuard::spawn_listening(cmd, port, Duration::from_secs(60));
    wait_for_port(loopback(metrics), Duration::from_secs(60));
    (server, port, metrics)
}

fn http_get(port: u16, path: &str) -> String {
    let answer = http_exchange(port, &format!("GET {path}"), "", Duration::from_secs(30)).unwrap();
    answer
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap()
}

/// `REQUEST_LINE HTTP/1.1` with `headers` (each ending in CRLF), on its own
/// connection: the whole answer, or the read's error after `wait`.
fn http_exchange(
    port: u16,
    request_line: &str,
    headers: &str,
    wait: Duration,
) -> std::io::Result<String> {
    let mut stream = TcpStream::connect(loopback(port))?;
    stream.set_read_timeout(Some(wait))?;
    write!(
        stream,
        "{request_line} HTTP/1.1\r\nHost: x\r\n{headers}Connection: close\r\n\r\n"
    )?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    Ok(answer)
}

/// The value of the sample `name{labels}` in a scrape (0 when absent).
fn sample(scrape: &str, series: &str) -> f64 {
    scrape
        .lines()
        .find_map(|l| l.strip_prefix(series).map(str::trim))
        .map_or(0.0, |v| v.parse().unwrap())
}

/// Waits until `series` reaches `value` (connections close asynchronously).
fn settle(metrics: u16, series: &str, value: f64) -> String {
    let started = Instant::now();
    loop {
        let scrape = http_get(metrics, "/metrics");
        if sample(&scrape, series) == value || started.elapsed() > Duration::from_secs(30) {
            return scrape;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn rpyc_counters_equal_what_the_clients_did() {
    let (_server, port, metrics) = serve("service", &["--max-frame-size", "100000"]);
    // The readiness probe is a connection too (one, as it found the
    // port open at once or after a few refusals): count from after it.
    settle(metrics, r#"oxrpc_connections_total{server="service"}"#, 1.0);
    let before = sample(
        &settle(metrics, r#"oxrpc_connections_open{server="service"}"#, 0.0),
        r#"oxrpc_connections_total{server="service"}"#,
    );
    let code = format!(
        r#"
import rpyc
c = rpyc.connect('127.0.0.1', {port})
for _ in range(7):
    assert c.root.get_answer() == 42
errors = 0
for _ in range(3):
    try:
        c.root.get_answer(1)
    except TypeError:
        errors += 1
c.close()
print(errors)
"#
    );
    let mut cmd = python_command();
    cmd.args(["-c", &code]);
    let out = expect_success(
        "the rpyc client",
        &run_with_deadline(cmd, Duration::from_secs(60)),
    );
    assert_eq!(out.trim(), "3");
    // Two connections announcing frames over --max-frame-size.
    for _ in 0..2 {
        let mut raw = TcpStream::connect(loopback(port)).unwrap();
        raw.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        raw.write_all(&[0, 0x10, 0, 0, 0]).unwrap(); // 1 MiB, uncompressed
        let mut buf = [0u8; 64];
        while matches!(raw.read(&mut buf), Ok(n) if n > 0) {}
    }
    let scrape = settle(metrics, r#"oxrpc_connections_open{server="service"}"#, 0.0);
    eprintln!("{scrape}");
    let s = |series: &str| sample(&scrape, series);
    assert_eq!(
        s(r#"oxrpc_calls_total{server="service",method="call get_answer",outcome="ok"}"#),
        7.0
    );
    assert_eq!(
        s(r#"oxrpc_calls_total{server="service",method="call get_answer",outcome="TypeError"}"#),
        3.0
    );
    assert_eq!(
        s(r#"oxrpc_calls_total{server="service",method="getattr get_answer",outcome="ok"}"#),
        10.0
    );
    assert_eq!(
        s(r#"oxrpc_call_duration_seconds_count{server="service",method="call get_answer"}"#),
        10.0
    );
    assert_eq!(
        s(
            r#"oxrpc_call_duration_seconds_bucket{le="+Inf",server="service",method="call get_answer"}"#
        ),
        10.0
    );
    assert_eq!(
        s(r#"oxrpc_connections_total{server="service"}"#) - before,
        3.0
    );
    assert_eq!(s(r#"oxrpc_connections_open{server="service"}"#), 0.0);
    assert_eq!(s(r#"oxrpc_requests_in_progress{server="service"}"#), 0.0);
    assert_eq!(s(r#"oxrpc_local_objects{server="service"}"#), 0.0);
    assert_eq!(
        s(r#"oxrpc_limit_hits_total{server="service",limit="frame_size"}"#),
        2.0
    );
    assert!(s(r#"oxrpc_received_bytes_total{server="service"}"#) > 200.0);
    assert!(s(r#"oxrpc_sent_bytes_total{server="service"}"#) > 200.0);
    // The JSON behind the status page says the same.
    let status: serde_json::Value =
        serde_json::from_str(&http_get(metrics, "/status.json")).unwrap();
    let server = &status["servers"][0];
    assert_eq!(server["connections_total"].as_f64().unwrap() - before, 3.0);
    assert_eq!(server["limits"]["frame_size"], 2);
    assert!(status["errors"].as_array().unwrap().len() >= 2, "{status}");
}

#[test]
fn xmlrpc_counters_equal_what_the_clients_did() {
    let (_server, port, metrics) = serve("xmlrpc", &["--max-body-size", "4096"]);
    let code = format!(
        r#"
import xmlrpc.client as x
p = x.ServerProxy('http://127.0.0.1:{port}')
for _ in range(4):
    assert 'bin' in p.list_contents('/')
faults = 0
for _ in range(2):
    try:
        p.no_such_method()
    except x.Fault as f:
        assert f.faultCode == 1
        faults += 1
try:
    p.list_contents('a' * 10000)
except x.ProtocolError as e:
    assert e.errcode == 413
    faults += 10
print(faults)
"#
    );
    let mut cmd = python_command();
    cmd.args(["-c", &code]);
    let out = expect_success(
        "the xmlrpc client",
        &run_with_deadline(cmd, Duration::from_secs(60)),
    );
    assert_eq!(out.trim(), "12");
    let scrape = settle(
        metrics,
        r#"oxrpc_requests_in_progress{server="xmlrpc"}"#,
        0.0,
    );
    let s = |series: &str| sample(&scrape, series);
    assert_eq!(
        s(r#"oxrpc_calls_total{server="xmlrpc",method="list_contents",outcome="ok"}"#),
        4.0
    );
    assert_eq!(
        s(r#"oxrpc_calls_total{server="xmlrpc",method="no_such_method",outcome="fault 1"}"#),
        2.0
    );
    assert_eq!(
        s(r#"oxrpc_calls_total{server="xmlrpc",method="(no method)",outcome="http 413"}"#),
        1.0
    );
    assert_eq!(
        s(r#"oxrpc_limit_hits_total{server="xmlrpc",limit="body_size"}"#),
        1.0
    );
    assert_eq!(
        s(r#"oxrpc_call_duration_seconds_count{server="xmlrpc",method="list_contents"}"#),
        4.0
    );
    assert!(s(r#"oxrpc_received_bytes_total{server="xmlrpc"}"#) > 10_000.0);
}

#[test]
fn the_status_page_shows_a_connection_and_updates_itself() {
    let (_server, port, metrics) = serve("service", &[]);
    // A client that connects, calls three times, says so, waits for a
    // line on stdin, calls five more times, and stays connected.
    let code = format!(
        r#"
import sys, time, rpyc
c = rpyc.connect('127.0.0.1', {port})
for _ in range(3): c.root.get_answer()
print('ready', flush=True)
sys.stdin.readline()
for _ in range(5): c.root.get_answer()
print('more', flush=True)
sys.stdin.readline()
"#
    );
    let mut client = python_command()
        .args(["-c", &code])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = client.stdin.take().unwrap();
    let mut stdout = std::io::BufReader::new(client.stdout.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
    assert_eq!(line.trim(), "ready");

    let mut page = browser::Browser::start();
    page.goto(&format!("http://127.0.0.1:{metrics}/"));
    assert_eq!(
        page.eval("document.title"),
        serde_json::json!("oxrpc status")
    );
    let rows = "Array.from(document.querySelectorAll('#connections-service tbody tr')).map(r => Array.from(r.cells).map(c => c.textContent))";
    let shown = page.eval(rows);
    eprintln!("connections shown: {shown}");
    let rows_now = shown.as_array().unwrap();
    assert_eq!(rows_now.len(), 1, "{shown}");
    assert!(
        rows_now[0][1].as_str().unwrap().starts_with("127.0.0.1:"),
        "{shown}"
    );
    let calls_before: u64 = rows_now[0][3].as_str().unwrap().parse().unwrap();
    assert!(calls_before >= 6, "{shown}");

    // More calls; the page refreshes by itself, without a reload.
    writeln!(stdin).unwrap();
    line.clear();
    std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
    assert_eq!(line.trim(), "more");
    page.wait_for(&format!(
        "Number(document.querySelector('#connections-service tbody tr').cells[3].textContent) >= {}",
        calls_before + 10
    ));
    page.wait_for("Number(document.getElementById('refreshes').textContent) > 0");
    let methods = page.eval(
        "Array.from(document.querySelectorAll('#methods-service tbody tr')).map(r => r.cells[0].textContent + '=' + r.cells[1].textContent)",
    );
    eprintln!("methods shown: {methods}");
    assert!(
        methods
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m.as_str() == Some("call get_answer=8")),
        "{methods}"
    );
    drop(stdin);
    let _ = client.wait();
}

/// What a peer can do to the metrics address: name a method 200 KB long
/// (counted under `(other)`, so the scrape stays small), and hold more
/// connections than the address serves without sending anything (the
/// oldest make room, so a scraper still gets in); HEAD is answered as GET,
/// other methods get 405 with `Allow`.
#[test]
fn the_metrics_address_stays_small_and_reachable_under_a_hostile_peer() {
    let (_server, port, metrics) = serve("xmlrpc", &[]);
    let code = format!(
        r#"
import xmlrpc.client as x
p = x.ServerProxy('http://127.0.0.1:{port}')
for i in range(20):
    try:
        getattr(p, str(i) + 'n' * 200_000)()
    except x.Fault:
        pass
print('done')
"#
    );
    let mut cmd = python_command();
    cmd.args(["-c", &code]);
    let out = expect_success(
        "long names",
        &run_with_deadline(cmd, Duration::from_secs(120)),
    );
    assert_eq!(out.trim(), "done");
    let scrape = http_get(metrics, "/metrics");
    assert!(scrape.len() < 64 * 1024, "{} bytes", scrape.len());
    assert_eq!(
        sample(
            &scrape,
            r#"oxrpc_calls_total{server="xmlrpc",method="(other)",outcome="fault 1"}"#
        ),
        20.0
    );

    // Idle connections are closed after 10 s without a request; a scraper
    // must get in well before that (a generous bound on a scrape of
    // milliseconds, not a measure of speed).
    let idle: Vec<TcpStream> = (0..100)
        .map(|_| TcpStream::connect(loopback(metrics)).unwrap())
        .collect();
    let scrape = http_exchange(metrics, "GET /metrics", "", Duration::from_secs(8));
    assert!(
        scrape
            .as_ref()
            .is_ok_and(|s| s.contains("oxrpc_calls_total")),
        "{scrape:?}"
    );
    drop(idle);

    let raw = |method: &str, headers: &str| {
        let request_line = format!("{method} /metrics");
        http_exchange(metrics, &request_line, headers, Duration::from_secs(30)).unwrap()
    };
    // The classic text format unless OpenMetrics is asked for, as
    // Prometheus asks.
    let classic = raw("GET", "");
    assert!(classic.contains("text/plain; version=0.0.4"), "{classic}");
    assert!(
        classic.contains("\n# TYPE oxrpc_calls_total counter\n"),
        "{classic}"
    );
    assert!(!classic.contains("# EOF"), "{classic}");
    let openmetrics = raw(
        "GET",
        "Accept: application/openmetrics-text;version=1.0.0,text/plain;q=0.5\r\n",
    );
    assert!(
        openmetrics.contains("application/openmetrics-text"),
        "{openmetrics}"
    );
    assert!(
        openmetrics.contains("\n# TYPE oxrpc_calls counter\n"),
        "{openmetrics}"
    );
    assert!(openmetrics.ends_with("# EOF\n"), "{openmetrics}");
    let head = raw("HEAD", "");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(head.ends_with("\r\n\r\n"), "a body after HEAD: {head}");
    let post = raw("POST", "");
    assert!(post.starts_with("HTTP/1.1 405"), "{post}");
    assert!(
        post.to_ascii_lowercase().contains("allow: get, head"),
        "{post}"
    );
}
