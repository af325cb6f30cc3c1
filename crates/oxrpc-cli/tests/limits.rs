//! Every limit of the servers, crossed, with the server still serving a
//! normal client right after; floods of connections, half-open and slow
//! connections, and 2 GiB decompression bombs, with the server's peak
//! memory kept under a stated bound.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

use flate2::{Compress, Compression, Crc, FlushCompress};
use oxrpc_testkit::{
    expect_success, free_port, loopback, proc_status_kib, python_command, rpyc_gave_up,
    run_with_deadline, wait_for_port, ChildGuard,
};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

fn oxrpc(args: &[&str]) -> ChildGuard {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_oxrpc"));
    cmd.args(args);
    ChildGuard::spawn(cmd)
}

/// Peak resident memory of a process, in MiB.
fn peak_rss_mib(pid: u32) -> u64 {
    proc_status_kib(pid, "VmHWM:") / 1024
}

/// A raw deflate stream that inflates to `total` zero bytes, built from one
/// full-flushed 1 MiB block repeated (a full flush makes blocks independent),
/// without ever holding the inflated bytes.
fn deflate_zeros(total: usize) -> Vec<u8> {
    let zeros = vec![0u8; 1 << 20];
    let mut compress = Compress::new(Compression::best(), false);
    let mut block = Vec::with_capacity(4096);
    compress
        .compress_vec(&zeros, &mut block, FlushCompress::Full)
        .unwrap();
    let mut out = Vec::with_capacity(block.len() * (total >> 20) + 16);
    for _ in 0..total >> 20 {
        out.extend_from_slice(&block);
    }
    let mut tail = Vec::with_capacity(64);
    compress
        .compress_vec(&[], &mut tail, FlushCompress::Finish)
        .unwrap();
    out.extend_from_slice(&tail);
    out
}

fn crc_of_zeros(total: usize) -> u32 {
    let zeros = vec![0u8; 1 << 20];
    let mut crc = Crc::new();
    for _ in 0..total >> 20 {
        crc.update(&zeros);
    }
    crc.sum()
}

/// gzip of 2 GiB of zeros.
fn gzip_bomb() -> Vec<u8> {
    let total = 2usize << 30;
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
    out.extend(deflate_zeros(total));
    out.extend_from_slice(&crc_of_zeros(total).to_le_bytes());
    out.extend_from_slice(&(total as u32).to_le_bytes());
    out
}

/// zlib of 2 GiB of zeros.
fn zlib_bomb() -> Vec<u8> {
    let total = 2usize << 30;
    let mut out = vec![0x78, 0xda];
    out.extend(deflate_zeros(total));
    let mut adler = (1u32, 0u32); // adler32 of zeros: a stays 1, b grows by 1 per byte
    for _ in 0..total >> 20 {
        adler.1 = ((adler.1 as u64 + (1u64 << 20)) % 65521) as u32;
    }
    out.extend_from_slice(&((adler.1 << 16) | adler.0).to_be_bytes());
    out
}

fn xmlrpc_ok(port: u16) {
    let mut cmd = python_command();
    cmd.args([
        "-c",
        &format!("import xmlrpc.client as x; assert x.ServerProxy('http://127.0.0.1:{port}').list_contents('/')"),
    ]);
    expect_success(
        "a normal XML-RPC call",
        &run_with_deadline(cmd, Duration::from_secs(30)),
    );
}

fn rpyc_ok(port: u16) {
    let mut cmd = python_command();
    cmd.args([
        "-c",
        &format!("import rpyc; assert rpyc.connect('127.0.0.1', {port}).root.get_answer() == 42"),
    ]);
    expect_success(
        "a normal RPyC call",
        &run_with_deadline(cmd, Duration::from_secs(30)),
    );
}

fn http_post(port: u16, headers: &str, body: &[u8]) -> String {
    let mut stream = TcpStream::connect(loopback(port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut request = format!(
        "POST /RPC2 HTTP/1.1\r\nHost: t\r\nContent-Length: {}\r\n{headers}\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    let sender = std::thread::spawn(move || {
        let _ = writer.write_all(&request);
    });
    let mut answer = vec![0u8; 4096];
    let n = stream.read(&mut answer).unwrap_or(0);
    let _ = sender.join();
    String::from_utf8_lossy(&answer[..n]).into_owned()
}

#[test]
fn xmlrpc_limits_floods_and_bombs() {
    let port = free_port();
    let port_s = port.to_string();
    let server = oxrpc(&[
        "xmlrpc",
        "serve",
        "-q",
        "--port",
        &port_s,
        "--max-values",
        "1000",
        "--read-timeout",
        "2",
    ]);
    wait_for_port(loopback(port), Duration::from_secs(30));

    // Too many values: a fault, then service as usual.
    let many = format!(
        "<methodCall><methodName>list_contents</methodName><params>{}</params></methodCall>",
        "<param><value><array><data><value>1</value></data></array></value></param>".repeat(1200)
    );
    let answer = http_post(port, "", many.as_bytes());
    assert!(answer.contains("more than 1000 values"), "{answer}");
    xmlrpc_ok(port);

    // A request head larger than allowed: refused, then service as usual.
    let huge_header = format!("X-Padding: {}\r\n", "p".repeat(200_000));
    let answer = http_post(port, &huge_header, b"<x/>");
    assert!(
        answer.is_empty()
            || answer.starts_with("HTTP/1.1 431")
            || answer.starts_with("HTTP/1.1 400"),
        "{answer}"
    );
    xmlrpc_ok(port);

    // 2 GiB gzip bomb (about 2 MB on the wire): refused as CPython refuses
    // a body over its 20 MiB inflated, memory stays bounded.
    let bomb = gzip_bomb();
    assert!(bomb.len() < 8 << 20);
    let answer = http_post(port, "Content-Encoding: gzip\r\n", &bomb);
    assert!(
        answer.starts_with("HTTP/1.1 400 error decoding gzip content"),
        "{answer}"
    );
    xmlrpc_ok(port);

    // 1,000 connections that never send a byte, and 50 that stall halfway.
    let idle: Vec<TcpStream> = (0..1000)
        .map(|_| TcpStream::connect(loopback(port)).unwrap())
        .collect();
    let slow: Vec<TcpStream> = (0..50)
        .map(|_| {
            let mut s = TcpStream::connect(loopback(port)).unwrap();
            let _ = s.write_all(b"POST /RPC2 HTTP/1.1\r\nContent-Length: 100\r\n\r\n<metho");
            s
        })
        .collect();
    xmlrpc_ok(port);
    // The read timeout (2 s) closes the stalled ones.
    for mut s in slow {
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let mut buf = [0u8; 256];
        let _ = s.read(&mut buf);
    }
    drop(idle);
    xmlrpc_ok(port);

    // Stated bound: 20 MiB decompressed-body cap plus the server itself.
    let peak = peak_rss_mib(server.id());
    eprintln!("peak RSS of the server: {peak} MiB");
    assert!(peak < 200, "peak RSS {peak} MiB");
}

#[test]
fn rpyc_limits_floods_and_bombs() {
    let port = free_port();
    let port_s = port.to_string();
    let server = oxrpc(&[
        "service",
        "serve",
        "-q",
        "--port",
        &port_s,
        "--max-frame-size",
        "1048576",
        "--max-decompressed-size",
        "16777216",
        "--idle-timeout",
        "2",
        "--max-connections",
        "1100",
    ]);
    wait_for_port(loopback(port), Duration::from_secs(30));

    // A frame over --max-frame-size: the connection is closed, others served.
    let mut stream = TcpStream::connect(loopback(port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let _ = stream.write_all(&[0, 0x20, 0, 0, 0]); // a 2 MiB frame header
    let _ = stream.write_all(&vec![0u8; 64 * 1024]);
    assert!(rpyc_gave_up(&mut stream));
    rpyc_ok(port);

    // A 2 GiB zlib bomb in one compressed frame: cut at 16 MiB, closed.
    let bomb = zlib_bomb();
    let mut frame = (bomb.len() as u32).to_be_bytes().to_vec();
    frame.push(1);
    frame.extend_from_slice(&bomb);
    frame.push(b'\n');
    let mut stream = TcpStream::connect(loopback(port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let _ = stream.write_all(&frame);
    assert!(rpyc_gave_up(&mut stream));
    rpyc_ok(port);

    // Idle connections are closed after --idle-timeout.
    let mut idle = TcpStream::connect(loopback(port)).unwrap();
    idle.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    assert!(rpyc_gave_up(&mut idle), "idle connection not closed");

    // 1,000 connections at once, half of them stalled mid-frame.
    let flood: Vec<TcpStream> = (0..1000)
        .map(|i| {
            let mut s = TcpStream::connect(loopback(port)).unwrap();
            if i % 2 == 0 {
                let _ = s.write_all(&[0, 0, 0, 100, 0, 1, 2]);
            }
            s
        })
        .collect();
    rpyc_ok(port);
    drop(flood);
    rpyc_ok(port);

    // Stated bound: the 16 MiB decompression cap plus the server itself.
    let peak = peak_rss_mib(server.id());
    eprintln!("peak RSS of the server: {peak} MiB");
    assert!(peak < 200, "peak RSS {peak} MiB");
}

/// Clients that connect to a classic server and never speak (a port scan, a
/// flood of bare connects, however spaced) cost a thread each, not an
/// interpreter (nor a spare one, replaced for each): the
/// server's memory grows by far less than an interpreter each (~3.4 MiB),
/// and a stock client is served meanwhile and after.
#[test]
fn classic_bare_connects_build_no_interpreter() {
    let port = free_port();
    let port_s = port.to_string();
    let server = oxrpc(&["classic", "serve", "-q", "--port", &port_s]);
    wait_for_port(loopback(port), Duration::from_secs(60));
    let classic_ok = || {
        let mut cmd = python_command();
        cmd.args([
            "-c",
            &format!("import rpyc; c = rpyc.classic.connect('127.0.0.1', {port}); assert c.eval('6 * 7') == 42"),
        ]);
        expect_success(
            "a classic client",
            &run_with_deadline(cmd, Duration::from_secs(60)),
        );
    };
    classic_ok();
    std::thread::sleep(Duration::from_millis(500));
    let before = proc_status_kib(server.id(), "VmRSS:") / 1024;
    // 90 at once, then 60 spaced out, long enough apart for a spare
    // interpreter to be ready for each (each used to take one).
    let mut bare: Vec<TcpStream> = (0..90)
        .map(|_| TcpStream::connect(loopback(port)).unwrap())
        .collect();
    for _ in 0..60 {
        bare.push(TcpStream::connect(loopback(port)).unwrap());
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_secs(2));
    classic_ok();
    let during = proc_status_kib(server.id(), "VmRSS:") / 1024;
    eprintln!("server RSS {before} MiB, then {during} MiB with 150 silent clients");
    assert!(
        during < before + 150,
        "150 silent clients took the server from {before} to {during} MiB"
    );
    drop(bare);
    classic_ok();
}

/// One interpreter for every connection (`--isolation shared`): requests a
/// stock rpyc client queues behind a busy job wait for the interpreter, and
/// hold their arguments while they do. The queue is bounded per connection
/// (`--max-pending-requests`) and by the bytes they hold server-wide
/// (`--max-input`): the rest are refused at once, the server's memory stays
/// bounded, and both clients are served once the job is done.
#[test]
fn classic_requests_queued_behind_a_busy_interpreter_are_bounded() {
    let port = free_port();
    let port_s = port.to_string();
    let server = oxrpc(&[
        "classic",
        "serve",
        "-q",
        "--port",
        &port_s,
        "--isolation",
        "shared",
        "--max-pending-requests",
        "40",
        "--max-input",
        "2000000",
    ]);
    wait_for_port(loopback(port), Duration::from_secs(60));
    let script = format!(
        r#"
import os, time, rpyc
def connect():
    return rpyc.classic.connect('127.0.0.1', {port})
def outcomes(calls):
    ok, refused = 0, set()
    for call in calls:
        try:
            call.value
            ok += 1
        except RuntimeError as e:
            refused.add(str(e).splitlines()[0])
    return ok, sorted(refused)
busy_client, other = connect(), connect()
measure = rpyc.async_(busy_client.builtins.len)
count = rpyc.async_(other.builtins.len)
busy = rpyc.async_(busy_client.execute)("import time\nt = time.time()\nwhile time.time() - t < 6: pass")
big = [measure(os.urandom(100_000)) for _ in range(60)]
small = [count('x') for _ in range(60)]
time.sleep(1)
print('peak', int(open('/proc/{pid}/status').read().split('VmHWM:')[1].split()[0]) // 1024, flush=True)
busy.value
print('big', *outcomes(big))
print('small', *outcomes(small))
print('after', busy_client.eval('1 + 1'), other.eval('2 + 2'), len(busy_client.builtins.bytes(300_000)))
"#,
        pid = server.id()
    );
    let mut cmd = python_command();
    cmd.args(["-c", &script]);
    let out = expect_success(
        "a client queueing requests behind a busy job",
        &run_with_deadline(cmd, Duration::from_secs(120)),
    );
    let field = |name: &str| -> usize {
        out.lines()
            .find_map(|l| {
                l.strip_prefix(name)?
                    .split_whitespace()
                    .next()?
                    .parse()
                    .ok()
            })
            .unwrap_or_else(|| panic!("no {name} in {out}"))
    };
    // 100 KB each: the connection's own 256 KiB, then the server's 2 MB.
    let big = field("big ");
    assert!((10..=25).contains(&big), "{out}");
    assert!(
        out.contains("the server holds as much as it may for requests in progress"),
        "{out}"
    );
    // Tiny ones: the count per connection.
    assert_eq!(field("small "), 40, "{out}");
    assert!(
        out.contains("more than 40 requests in progress on this connection"),
        "{out}"
    );
    assert!(out.contains("after 2 4 300000"), "{out}");
    eprintln!("{out}");
    let peak = field("peak ");
    assert!(peak < 300, "peak RSS {peak} MiB: {out}");
}

/// With --max-connections reached (and idle eviction off), the next client
/// waits in the backlog (its request times out), and is served as soon as
/// a slot frees.
#[test]
fn connection_limit_holds_clients_back_until_a_slot_frees() {
    let port = free_port();
    let port_s = port.to_string();
    let _server = oxrpc(&[
        "service",
        "serve",
        "-q",
        "--port",
        &port_s,
        "--max-connections",
        "2",
        "--idle-share",
        "1",
    ]);
    wait_for_port(loopback(port), Duration::from_secs(30));
    // wait_for_port's probe took a slot for a moment; let it go.
    std::thread::sleep(Duration::from_millis(200));
    let held: Vec<TcpStream> = (0..2)
        .map(|_| TcpStream::connect(loopback(port)).unwrap())
        .collect();
    let mut cmd = python_command();
    cmd.args([
        "-c",
        &format!(
            "import rpyc\nc = rpyc.connect('127.0.0.1', {port}, config={{'sync_request_timeout': 2}})\n\
             try:\n    c.root.get_answer()\n    print('served')\nexcept Exception as e:\n    print('waiting', type(e).__name__)"
        ),
    ]);
    let out = expect_success(
        "a client over the limit",
        &run_with_deadline(cmd, Duration::from_secs(30)),
    );
    assert!(out.contains("waiting"), "{out}");
    drop(held);
    rpyc_ok(port);
}

/// A full server keeps its idle clients while no one else wants in: four
/// stock rpyc clients on `--max-connections 4` still answer after idling
/// past `min_idle`; a fifth client then makes the one idle the longest
/// (only that one) give way, and is served.
#[test]
fn a_full_server_evicts_only_for_a_waiting_client() {
    let port = free_port();
    let _server = oxrpc(&[
        "service",
        "serve",
        "-q",
        "--port",
        &port.to_string(),
        "--max-connections",
        "4",
    ]);
    wait_for_port(loopback(port), Duration::from_secs(30));
    // wait_for_port's probe took a slot for a moment; let it go.
    std::thread::sleep(Duration::from_millis(200));
    let mut cmd = python_command();
    cmd.args([
        "-c",
        &format!(
            "import time, rpyc\n\
             def call(c):\n    try:\n        return c.root.get_answer()\n    except Exception as e:\n        return type(e).__name__\n\
             conns = [rpyc.connect('127.0.0.1', {port}) for _ in range(4)]\n\
             print([call(c) for c in conns])\n\
             time.sleep(2.5)\n\
             print([call(c) for c in conns])\n\
             time.sleep(1.5)\n\
             fifth = rpyc.connect('127.0.0.1', {port}, config={{'sync_request_timeout': 20}})\n\
             print(call(fifth), [call(c) for c in conns])"
        ),
    ]);
    let out = expect_success(
        "four idle clients, then a fifth",
        &run_with_deadline(cmd, Duration::from_secs(60)),
    );
    assert_eq!(
        out,
        "[42, 42, 42, 42]\n[42, 42, 42, 42]\n42 ['EOFError', 42, 42, 42]\n"
    );
}

/// Slowloris at the connection cap: more connections than the XML-RPC
/// server has slots, each trickling a request head that never ends (and
/// reconnecting when closed). A head half in is no request in progress, so
/// those connections give way to a waiting client as idle ones do, instead
/// of holding their slots until the header read timeout (two minutes
/// here, far beyond the client's 30 s).
#[test]
fn trickled_heads_give_way_to_a_waiting_xmlrpc_client() {
    let port = free_port();
    let _server = oxrpc(&[
        "xmlrpc",
        "serve",
        "-q",
        "--port",
        &port.to_string(),
        "--max-connections",
        "8",
        "--read-timeout",
        "120",
    ]);
    wait_for_port(loopback(port), Duration::from_secs(30));
    let mut cmd = python_command();
    cmd.args([
        "-c",
        &format!(
            "import socket, threading, time, xmlrpc.client\n\
             port = {port}\n\
             def head():\n    s = socket.create_connection(('127.0.0.1', port))\n    s.sendall(b'POST /RPC2 HTTP/1.1\\r\\nHost: t\\r\\n')\n    return s\n\
             held = [head() for _ in range(12)]\n\
             def trickle():\n    while True:\n        for i, s in enumerate(held):\n            try:\n                s.sendall(b'X-Slow: 1\\r\\n')\n            except OSError:\n                try:\n                    held[i] = head()\n                except OSError:\n                    pass\n        time.sleep(0.2)\n\
             threading.Thread(target=trickle, daemon=True).start()\n\
             time.sleep(1.5)\n\
             socket.setdefaulttimeout(30)\n\
             for _ in range(3):\n    print(len(xmlrpc.client.ServerProxy(f'http://127.0.0.1:{{port}}').list_contents('/')) > 0)\n"
        ),
    ]);
    let out = expect_success(
        "a client behind twelve trickled heads",
        &run_with_deadline(cmd, Duration::from_secs(120)),
    );
    assert_eq!(out, "True\nTrue\nTrue\n");
    xmlrpc_ok(port);
}

/// A stock rpyc client opening `clients` connections to `port`, calling
/// on each, then on each again: the oldest must still be there. It lifts
/// its own open-file limit as far as the system allows. Prints "N kept".
const MANY_CLIENTS: &str = "import resource, sys, rpyc\n\
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)\n\
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))\n\
    port, n = int(sys.argv[1]), int(sys.argv[2])\n\
    conns = [rpyc.connect('127.0.0.1', port) for _ in range(n)]\n\
    first = [c.root.get_answer() for c in conns]\n\
    again = [c.root.get_answer() for c in conns]\n\
    print(sum(a == 42 for a in first + again) // 2, 'kept', flush=True)\n";

/// More clients than a listener's default 1024 slots, all kept: rpyc's
/// ThreadedServer has no cap, and `oxrpc service serve` holds 10,000 by
/// default (and lifts its own open-file limit), so neither turns a live
/// client away.
#[test]
fn more_clients_than_1024_are_all_kept_as_rpyc_keeps_them() {
    const CLIENTS: &str = "1100";
    let mut reference = python_command();
    reference.args([
        "-c",
        "import rpyc\nfrom rpyc.utils.server import ThreadedServer\n\
         class MyService(rpyc.Service):\n    def exposed_get_answer(self):\n        return 42\n\
         t = ThreadedServer(MyService, hostname='127.0.0.1', port=0, \
         protocol_config={'sync_request_timeout': 60})\n\
         print('PORT', t.port, flush=True)\nt.start()\n",
    ]);
    let mut reference = ChildGuard::spawn(reference);
    let reference_port = reference.announced_port("PORT");
    let port = free_port();
    let _ours = oxrpc(&["service", "serve", "-q", "--port", &port.to_string()]);
    wait_for_port(loopback(port), Duration::from_secs(30));
    for port in [reference_port, port] {
        let mut clients = python_command();
        clients.args(["-c", MANY_CLIENTS, &port.to_string(), CLIENTS]);
        let out = run_with_deadline(clients, Duration::from_secs(300));
        assert_eq!(
            expect_success("many clients", &out).trim(),
            format!("{CLIENTS} kept")
        );
    }
}
