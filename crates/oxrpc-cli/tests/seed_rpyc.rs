//! The notebook's RPyC service cells: the Python client cell against the
//! `oxrpc` binary prints what it prints against the notebook's Python
//! server, and the binary's client drives the notebook's Python server.
//!
//! Both servers use the notebook's port 18861, so one test runs them in turn.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

use oxrpc_testkit::{expect_success, python_command, run_with_deadline, wait_for_port, ChildGuard};
use std::net::SocketAddr;
use std::process::{Command, Output};
use std::time::Duration;

const PORT: u16 = 18861;

fn oxrpc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_oxrpc"))
}

fn seed_client(server: &str) -> Output {
    let mut cmd = python_command();
    cmd.current_dir(oxrpc_testkit::interop_path("rpyc"))
        .args(["rpyc_consulta_base.py", server]);
    run_with_deadline(cmd, Duration::from_secs(60))
}

/// Replaces `0x...` addresses, which differ between runs.
/// `bound_methods.py` against the server on the notebook's port: how a
/// stock client sees MyService's methods as objects.
fn bound_methods() -> String {
    let mut cmd = python_command();
    cmd.current_dir(oxrpc_testkit::interop_path("rpyc"))
        .args(["bound_methods.py", "localhost"]);
    let output = run_with_deadline(cmd, Duration::from_secs(60));
    expect_success("bound_methods.py", &output)
}

fn normalise(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("0x") {
        out.push_str(&rest[..i]);
        out.push_str("0xADDR");
        rest = rest[i + 2..].trim_start_matches(|c: char| c.is_ascii_hexdigit());
    }
    out.push_str(rest);
    out
}

fn last_line(text: &str) -> &str {
    text.trim_end().lines().last().unwrap_or("")
}

fn wait_until_free(addr: SocketAddr) {
    for _ in 0..200 {
        if std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(100)).is_err() {
            return;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!("port {addr} still taken");
}

#[test]
fn seed_service_cells_against_oxrpc_and_python() {
    let addr: SocketAddr = format!("127.0.0.1:{PORT}").parse().unwrap();

    // 1. The notebook's Python server and client, as the reference.
    let mut server = python_command();
    server
        .current_dir(oxrpc_testkit::interop_path("rpyc"))
        .arg("rpyc_base.py");
    let python_server = ChildGuard::spawn(server);
    wait_for_port(addr, Duration::from_secs(20));
    let reference = seed_client("localhost");
    // ThreadedServer listens on every interface: 127.0.0.2 reaches it
    // (it would not reach a server bound to 127.0.0.1 only).
    let reference_elsewhere = seed_client("127.0.0.2");
    let reference_out = String::from_utf8_lossy(&reference.stdout).into_owned();
    let reference_err = String::from_utf8_lossy(&reference.stderr).into_owned();
    let reference_methods = bound_methods();

    // 2. oxrpc's client against the Python server.
    let call = |args: &[&str]| {
        let mut cmd = oxrpc();
        cmd.args(["service", "call", "localhost:18861"]).args(args);
        run_with_deadline(cmd, Duration::from_secs(30))
    };
    let answer = call(&["get_answer"]);
    assert_eq!(String::from_utf8_lossy(&answer.stdout).trim(), "42");
    let attribute = call(&["the_real_answer_though"]);
    assert_eq!(String::from_utf8_lossy(&attribute.stdout).trim(), "43");
    // `--` ends the options and is no argument; a slot wrapper is called.
    let escaped = call(&["__eq__", "--", "-1"]);
    assert_eq!(
        String::from_utf8_lossy(&escaped.stdout).trim(),
        "NotImplemented"
    );
    let wrapper = call(&["__str__"]);
    assert!(
        String::from_utf8_lossy(&wrapper.stdout).starts_with("<__main__.MyService object at 0x"),
        "{}",
        String::from_utf8_lossy(&wrapper.stdout)
    );
    let hidden = call(&["get_question"]);
    assert!(!hidden.status.success());
    let hidden_err = String::from_utf8_lossy(&hidden.stderr);
    assert!(
        hidden_err.contains("AttributeError: cannot access 'get_question'"),
        "{hidden_err}"
    );
    drop(python_server);
    wait_until_free(addr);

    // 3. The same client cell against `oxrpc service serve`.
    let mut cmd = oxrpc();
    cmd.args(["service", "serve"]);
    let mut ours = ChildGuard::spawn(cmd);
    ours.wait_for_line("server started");
    wait_for_port(addr, Duration::from_secs(20));
    let got = seed_client("localhost");
    let got_elsewhere = seed_client("127.0.0.2");
    assert_eq!(
        normalise(&String::from_utf8_lossy(&got_elsewhere.stdout)),
        normalise(&String::from_utf8_lossy(&reference_elsewhere.stdout)),
    );
    assert!(
        String::from_utf8_lossy(&got_elsewhere.stdout).contains("42"),
        "{}",
        String::from_utf8_lossy(&got_elsewhere.stderr)
    );
    let got_out = String::from_utf8_lossy(&got.stdout).into_owned();
    let got_err = String::from_utf8_lossy(&got.stderr).into_owned();
    // Methods as objects: the notebook's have no docstring, rpyc's own do;
    // two lookups are equal and hash alike; format() takes no spec.
    assert_eq!(bound_methods(), reference_methods);
    assert!(
        reference_methods.contains("get_answer.__doc__ None"),
        "{reference_methods}"
    );

    // Same printed lines: the root, 42, 43.
    assert_eq!(normalise(&got_out), normalise(&reference_out));
    assert_eq!(
        got_out.lines().skip(1).collect::<Vec<_>>(),
        ["42", "43"],
        "{got_out}"
    );
    assert!(
        got_out.starts_with("<__main__.MyService object at 0x"),
        "{got_out}"
    );
    // Then the same failure: rpyc refuses the attribute that is not exposed.
    assert!(!got.status.success() && !reference.status.success());
    let error_line = |stderr: &str| {
        stderr
            .lines()
            .rfind(|l| l.starts_with("AttributeError"))
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(
        error_line(&got_err),
        error_line(&reference_err),
        "{got_err}\n---\n{reference_err}"
    );
    assert!(
        error_line(&got_err).contains("cannot access 'get_question'"),
        "{got_err}"
    );
    assert!(last_line(&got_err).is_empty() || got_err.contains("Remote Traceback"));
}

/// `service call`'s options against rpyc's ThreadedServer: `--timeout` is
/// rpyc's `sync_request_timeout` (a slower answer is given up on, a
/// quicker one arrives), `--kw` passes keyword arguments.
#[test]
fn service_call_options_against_python() {
    let mut server = python_command();
    server.arg(oxrpc_testkit::interop_path("rpyc/reference_server.py"));
    let mut server = ChildGuard::spawn(server);
    let address = format!("127.0.0.1:{}", server.announced_port("PORT "));
    let call = |timeout: &str, seconds: &str| {
        let mut cmd = oxrpc();
        cmd.args([
            "service",
            "call",
            "--timeout",
            timeout,
            &address,
            "slow",
            seconds,
        ]);
        run_with_deadline(cmd, Duration::from_secs(30))
    };
    let out = call("0.3", "2");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("within"), "{stderr}");
    let out = call("10", "0.5");
    assert_eq!(expect_success("slow call", &out).trim(), "0.5");
    // 0 waits as long as it takes.
    let out = call("0", "0.2");
    assert_eq!(expect_success("no timeout", &out).trim(), "0.2");
    let call_with = |args: &[&str]| {
        let mut cmd = oxrpc();
        cmd.args(["service", "call", &address]).args(args);
        run_with_deadline(cmd, Duration::from_secs(30))
    };
    let out = call_with(&["add", "1", "--kw", "b=41"]);
    assert_eq!(expect_success("add 1, b=41", &out).trim(), "42");
    let out = call_with(&["add", "--kw", "b=-2", "--kw", "a=44"]);
    assert_eq!(expect_success("add a=44, b=-2", &out).trim(), "42");
    let out = call_with(&["add", "1", "--kw", "c=2"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("TypeError"), "{stderr}");
    // JSON arrays and objects go as a Python client's lists and dicts do:
    // by reference, so the server indexes them and hands them back.
    let out = call_with(&["echo", r#"{"a": [1, {"b": null}], "c": "x"}"#]);
    assert_eq!(
        expect_success("echo a dict", &out).trim(),
        "{'a': [1, {'b': None}], 'c': 'x'}"
    );
    let out = call_with(&["add", "--kw", r#"a={"k": 40}"#, "--kw", "b=2"]);
    assert!(!out.status.success(), "a dict plus an int");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("unsupported operand"), "{stderr}");
    // Python refuses a keyword given twice.
    let out = call_with(&["add", "--kw", "a=1", "--kw", "a=2"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("repeated"), "{stderr}");
}

/// `server_signals.py SCENARIO` against rpyc's ThreadedServer (no
/// command) or against `oxrpc service serve` (`ours`): what it prints.
fn signal_scenario(scenario: &str, ours: bool) -> String {
    let port = oxrpc_testkit::free_port().to_string();
    let mut cmd = python_command();
    cmd.arg(oxrpc_testkit::interop_path("rpyc/server_signals.py"))
        .args([scenario, &port]);
    if ours {
        cmd.arg(env!("CARGO_BIN_EXE_oxrpc")).args([
            "service",
            "serve",
            "-q",
            "--host",
            "127.0.0.1",
            "--port",
            &port,
        ]);
    }
    let output = run_with_deadline(cmd, Duration::from_secs(180));
    expect_success("server_signals.py", &output)
}

/// Ctrl-C on a server with a client connected: the client reads the
/// hang-up as it reads rpyc's (`EOFError: connection closed by peer`), and
/// both servers exit cleanly.
#[test]
fn a_stopped_server_hangs_up_on_its_clients_as_rpyc_does() {
    // The client's next call after the hang-up races with the server's
    // kernel: the request meets the reset of the closed socket before or
    // after it is written, and now and then the client reads `Broken
    // pipe` (`closed: False`) instead, whichever server it talks to. The
    // hang-up given in the common case is the one to match, so each
    // server runs until it shows it (or five times).
    let common_hang_up = |ours: bool| {
        let mut last = String::new();
        for _ in 0..5 {
            last = signal_scenario("shutdown", ours);
            if last.contains("closed by peer") {
                break;
            }
        }
        last
    };
    let rpyc = common_hang_up(false);
    assert!(
        rpyc.contains("closed by peer"),
        "rpyc's ThreadedServer did not hang up with 'connection closed by peer' in 5 runs: {rpyc}"
    );
    let ours = common_hang_up(true);
    assert!(rpyc.contains("next call: EOFError"), "{rpyc}");
    assert_eq!(ours, rpyc);
}

/// A server started with SIGINT ignored (a script's background job) keeps
/// ignoring it and serving, as rpyc's ThreadedServer on CPython does;
/// SIGTERM stops both.
#[test]
fn a_server_started_with_sigint_ignored_keeps_serving_as_rpyc_does() {
    let rpyc = signal_scenario("ignored-interrupt", false);
    let ours = signal_scenario("ignored-interrupt", true);
    assert_eq!(
        rpyc,
        "before: 42\nrunning after SIGINT: True\nafter SIGINT: 42\nstopped by SIGTERM: True\n"
    );
    assert_eq!(ours, rpyc);
}
