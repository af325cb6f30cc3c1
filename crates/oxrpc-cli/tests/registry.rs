//! Discovery end to end: `oxrpc registry serve` and Python's
//! `rpyc_registry`, each in UDP and TCP mode, with servers of both kinds
//! registering (`oxrpc service serve --register`, `oxrpc classic serve
//! --register`, an auto-registering Python `ThreadedServer`,
//! `rpyc_classic --register`) and clients of both kinds finding them
//! (`rpyc.discover`, `rpyc.connect_by_service`, `oxrpc registry
//! discover/list`, `--by-name`); pruning after a short `--timeout`; and
//! unregistration when an oxrpc server is stopped with SIGTERM or SIGINT.
//!
//! Servers register over loopback unicast (`--registry-host 127.0.0.1`),
//! except where a test says it broadcasts.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

use oxrpc::rpyc::registry::protocol::Request;
use oxrpc::rpyc::registry::{blocking, RegistryClient};
use oxrpc_testkit::{
    expect_success, free_port, python_command, rpyc_classic_command, run_with_deadline,
    wait_for_port, ChildGuard,
};
use std::net::SocketAddr;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const DEADLINE: Duration = Duration::from_secs(60);

fn oxrpc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_oxrpc"))
}

fn run(mut cmd: Command) -> Output {
    cmd.env("OXRPC_LOG", "warn");
    run_with_deadline(cmd, Duration::from_secs(120))
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The last `:`-separated number on a line (`... started on [127.0.0.1]:PORT`).
fn port_of(line: &str) -> u16 {
    line.trim().rsplit(':').next().unwrap().parse().unwrap()
}

/// How the servers and clients of a test reach its registry.
#[derive(Clone, Copy)]
struct Registry {
    /// "UDP" or "TCP".
    mode: &'static str,
    port: u16,
}

impl Registry {
    /// `--registry-type/host/port` for 127.0.0.1.
    fn args(&self) -> Vec<String> {
        vec![
            "--registry-type".into(),
            self.mode.into(),
            "--registry-host".into(),
            "127.0.0.1".into(),
            "--registry-port".into(),
            self.port.to_string(),
        ]
    }

    fn client(&self) -> blocking::RegistryClient {
        let client = match self.mode {
            "UDP" => RegistryClient::udp_to("127.0.0.1"),
            _ => RegistryClient::tcp("127.0.0.1"),
        };
        blocking::RegistryClient::new(client.with_port(self.port)).unwrap()
    }

    /// Waits until `name` has exactly `servers` (in any order).
    fn wait_for(&self, name: &str, servers: &[u16]) {
        let client = self.client();
        let mut want: Vec<(String, u16)> = servers
            .iter()
            .map(|p| ("127.0.0.1".to_owned(), *p))
            .collect();
        want.sort();
        let started = Instant::now();
        loop {
            let mut found = client.discover(name).unwrap();
            found.sort();
            if found == want {
                return;
            }
            assert!(
                started.elapsed() < DEADLINE,
                "{name}: want {want:?}, the registry has {found:?}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Python: `rpyc.discover(name)`, and for MY,
    /// `rpyc.connect_by_service('MY').root.get_answer()`. `broadcast`:
    /// Python's default registrar (255.255.255.255), on this port.
    fn python_finds(&self, name: &str, broadcast: bool) -> String {
        let script = r#"
import sys, rpyc
from rpyc.utils.registry import UDPRegistryClient, TCPRegistryClient
kind, port, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if kind == "BROADCAST":
    registrar = UDPRegistryClient(port=port)
elif kind == "UDP":
    registrar = UDPRegistryClient(ip="127.0.0.1", port=port)
else:
    registrar = TCPRegistryClient("127.0.0.1", port=port)
print(rpyc.discover(name, registrar=registrar))
if name == "MY":
    print(rpyc.connect_by_service(name, registrar=registrar).root.get_answer())
"#;
        let kind = if broadcast { "BROADCAST" } else { self.mode };
        let mut cmd = python_command();
        cmd.args(["-c", script, kind, &self.port.to_string(), name]);
        expect_success("python discover", &run(cmd))
    }

    /// `oxrpc registry <what> ...` against this registry.
    fn oxrpc(&self, what: &[&str]) -> Output {
        let mut cmd = oxrpc();
        cmd.arg("registry").args(what).args(self.args());
        run(cmd)
    }
}

/// Python's `rpyc_registry -m MODE -p PORT [extra]`, answering.
fn python_registry(mode: &'static str, extra: &[&str]) -> (ChildGuard, Registry) {
    let port = free_port();
    let mut cmd = python_command();
    cmd.args([
        "-c",
        "import sys; from rpyc.cli.rpyc_registry import main; sys.argv[0] = 'rpyc_registry'; main()",
        "-m",
        mode,
        "-p",
        &port.to_string(),
        "-q",
        "1",
    ])
    .args(extra);
    let guard = ChildGuard::spawn(cmd);
    let registry = Registry { mode, port };
    if mode == "TCP" {
        wait_for_port(SocketAddr::from(([127, 0, 0, 1], port)), DEADLINE);
    } else {
        // Any answer to a QUERY says it is up.
        let query = Request::query("NOBODY").encode();
        let probe = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        probe
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let started = Instant::now();
        loop {
            probe.send_to(&query, ("127.0.0.1", port)).unwrap();
            if probe.recv(&mut [0u8; 1500]).is_ok() {
                break;
            }
            assert!(started.elapsed() < DEADLINE, "rpyc_registry never answered");
        }
    }
    (guard, registry)
}

/// `oxrpc registry serve -m MODE -p 0 [extra]`, with its port.
fn oxrpc_registry(mode: &'static str, extra: &[&str]) -> (ChildGuard, Registry) {
    let mut cmd = oxrpc();
    cmd.args(["registry", "serve", "-m", mode, "-p", "0"])
        .args(extra);
    let mut guard = ChildGuard::spawn(cmd);
    let line = guard.wait_for_line("server started");
    let port = port_of(&line);
    (guard, Registry { mode, port })
}

/// `oxrpc service serve -p 0 --register ...`, with its port.
fn oxrpc_service(registry: &Registry) -> (ChildGuard, u16) {
    let mut cmd = oxrpc();
    cmd.args(["service", "serve", "-q", "-p", "0", "--register"])
        .args(registry.args());
    let mut guard = ChildGuard::spawn(cmd);
    let port = port_of(&guard.wait_for_line("server started"));
    (guard, port)
}

/// A Python `ThreadedServer(MyService, auto_register=True)` registering
/// with `registry` from 127.0.0.1, with its port.
fn python_service(registry: &Registry) -> (ChildGuard, u16) {
    let mut cmd = python_command();
    cmd.args([
        "-c",
        r#"
import sys, rpyc
from rpyc.utils.server import ThreadedServer
from rpyc.utils.registry import UDPRegistryClient, TCPRegistryClient
class MyService(rpyc.Service):
    def exposed_get_answer(self):
        return 42
kind, port = sys.argv[1], int(sys.argv[2])
if kind == "UDP":
    registrar = UDPRegistryClient(ip="127.0.0.1", port=port)
else:
    registrar = TCPRegistryClient("127.0.0.1", port=port)
server = ThreadedServer(MyService, hostname="127.0.0.1", port=0, registrar=registrar, auto_register=True)
print("PORT", server.port, flush=True)
server.start()
"#,
        registry.mode,
        &registry.port.to_string(),
    ]);
    let mut guard = ChildGuard::spawn(cmd);
    let port = guard.wait_for_line("PORT").trim()[5..].parse().unwrap();
    (guard, port)
}

/// Sends `signal` to the child and waits for it to exit.
fn stop(mut child: ChildGuard, signal: &str) {
    let status = Command::new("kill")
        .args(["-s", signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    while !child.has_exited() {
        assert!(
            started.elapsed() < DEADLINE,
            "still running after SIG{signal}; its signal masks: {}",
            signal_masks(child.id())
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The pending, blocked, ignored and caught signal masks of process `pid`
/// (Linux's `/proc`), to tell why a signal did not stop it.
fn signal_masks(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map(|status| {
            status
                .lines()
                .filter(|line| line.starts_with("Sig") || line.starts_with("ShdPnd"))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_else(|e| format!("unreadable ({e})"))
}

/// `oxrpc service call --by-name MY get_answer` against `registry`.
fn call_by_name(registry: &Registry) -> Output {
    let mut cmd = oxrpc();
    cmd.args(["service", "call", "--by-name", "MY"])
        .args(registry.args())
        .arg("get_answer");
    run(cmd)
}

/// oxrpc's service registers with Python's registry (UDP and TCP):
/// Python's discover and connect_by_service reach it, so do oxrpc's
/// clients; SIGTERM unregisters it.
#[test]
fn oxrpc_service_registers_with_rpyc_registry() {
    for mode in ["UDP", "TCP"] {
        let (_registry_process, registry) = python_registry(mode, &["-l", "true"]);
        let (service, port) = oxrpc_service(&registry);
        registry.wait_for("MY", &[port]);

        let python = registry.python_finds("MY", false);
        assert_eq!(python, format!("(('127.0.0.1', {port}),)\n42\n"), "{mode}");
        let discovered = registry.oxrpc(&["discover", "my"]);
        assert_eq!(stdout(&discovered), format!("127.0.0.1:{port}\n"), "{mode}");
        let listed = registry.oxrpc(&["list"]);
        assert_eq!(stdout(&listed), "MY\n", "{mode}: {}", stderr(&listed));
        let answer = call_by_name(&registry);
        assert_eq!(stdout(&answer).trim(), "42", "{mode}: {}", stderr(&answer));

        stop(service, "TERM");
        registry.wait_for("MY", &[]);
        let gone = registry.oxrpc(&["discover", "MY"]);
        assert!(!gone.status.success());
        assert!(
            stderr(&gone).contains("no servers exposing 'MY' were found"),
            "{}",
            stderr(&gone)
        );
    }
}

/// `oxrpc registry serve` (UDP and TCP) with a Python server and an oxrpc
/// server under one name: both sides' clients see both; SIGINT
/// unregisters the oxrpc one.
#[test]
fn oxrpc_registry_serves_python_and_oxrpc_servers() {
    for mode in ["UDP", "TCP"] {
        let (_registry_process, registry) = oxrpc_registry(mode, &["-l"]);
        let (_python, python_port) = python_service(&registry);
        registry.wait_for("MY", &[python_port]);
        let (service, port) = oxrpc_service(&registry);
        registry.wait_for("MY", &[python_port, port]);

        // The Python server registered first: the oldest keepalive leads.
        let python = registry.python_finds("MY", false);
        assert_eq!(
            python,
            format!("(('127.0.0.1', {python_port}), ('127.0.0.1', {port}))\n42\n"),
            "{mode}"
        );
        let discovered = registry.oxrpc(&["discover", "MY"]);
        assert_eq!(
            stdout(&discovered),
            format!("127.0.0.1:{python_port}\n127.0.0.1:{port}\n"),
            "{mode}"
        );
        let listed = registry.oxrpc(&["list", "--filter-host", "127.0.0.1"]);
        assert_eq!(stdout(&listed), "MY\n", "{mode}");
        let answer = call_by_name(&registry);
        assert_eq!(stdout(&answer).trim(), "42", "{mode}: {}", stderr(&answer));

        stop(service, "INT");
        registry.wait_for("MY", &[python_port]);
    }
}

/// Python's broadcast discovery (its default registrar, 255.255.255.255)
/// finds an oxrpc service in an oxrpc UDP registry.
#[test]
fn python_discovers_by_broadcast() {
    let (_registry_process, registry) = oxrpc_registry("UDP", &[]);
    let (_service, port) = oxrpc_service(&registry);
    registry.wait_for("MY", &[port]);
    let python = registry.python_finds("MY", true);
    assert_eq!(python, format!("(('127.0.0.1', {port}),)\n42\n"));
}

/// With `--timeout 8`, a server that stops sending keepalives (its next
/// one is a minute away) is pruned by the first QUERY after 8 s; LIST does
/// not prune, as rpyc's does not.
#[test]
fn stale_servers_are_pruned_by_queries() {
    let (_registry_process, registry) = oxrpc_registry("UDP", &["-t", "8", "-l", "true"]);
    let (_service, port) = oxrpc_service(&registry);
    registry.wait_for("MY", &[port]);
    std::thread::sleep(Duration::from_secs(9));
    let listed = registry.oxrpc(&["list"]);
    assert_eq!(stdout(&listed), "MY\n", "stale, listed until queried");
    let gone = registry.oxrpc(&["discover", "MY"]);
    assert!(!gone.status.success(), "{}", stdout(&gone));
    let listed = registry.oxrpc(&["list"]);
    assert_eq!(stdout(&listed), "", "pruned by the query");
}

/// Classic mode: `oxrpc classic serve --register` registers SLAVE, as
/// `rpyc_classic --register` does, and `classic eval --by-name SLAVE`
/// reaches either.
#[test]
fn classic_servers_register_as_slave() {
    let (_registry_process, registry) = python_registry("UDP", &["-l", "true"]);
    let port = free_port();
    let mut cmd = oxrpc();
    cmd.args([
        "classic",
        "serve",
        "-q",
        "-p",
        &port.to_string(),
        "--register",
    ])
    .args(registry.args());
    let ours = ChildGuard::spawn(cmd);
    registry.wait_for("SLAVE", &[port]);
    let python = registry.python_finds("slave", false);
    assert_eq!(python, format!("(('127.0.0.1', {port}),)\n"));
    let eval = |expr: &str| {
        let mut cmd = oxrpc();
        cmd.args(["classic", "eval", "--by-name", "SLAVE"])
            .args(registry.args())
            .arg(expr);
        run(cmd)
    };
    let out = eval("6*7");
    assert_eq!(stdout(&out).trim(), "42", "{}", stderr(&out));
    // The shell finds it by name too (its input a pipe: no line editing).
    let mut shell = Command::new("sh");
    shell.arg("-c").arg(format!(
        "printf 'print(6 * 7)\\n' | {} classic shell --by-name SLAVE {}",
        env!("CARGO_BIN_EXE_oxrpc"),
        registry.args().join(" ")
    ));
    let out = run(shell);
    assert!(
        out.status.success()
            && stdout(&out).contains(&format!("127.0.0.1:{port}"))
            && stdout(&out)
                .lines()
                .any(|line| line.trim_start_matches(">>> ").trim() == "42"),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    stop(ours, "TERM");
    registry.wait_for("SLAVE", &[]);

    // rpyc_classic --register, found by oxrpc's client. (Not with
    // `--registry-type UDP`: plumbum lower-cases the value, rpyc_classic
    // compares it with "UDP", and any explicit type selects TCP.)
    let port = free_port();
    let mut cmd = rpyc_classic_command();
    cmd.args([
        "-q",
        "-p",
        &port.to_string(),
        "--register",
        "--registry-host",
        "127.0.0.1",
        "--registry-port",
        &registry.port.to_string(),
    ]);
    let _theirs = ChildGuard::spawn(cmd);
    registry.wait_for("SLAVE", &[port]);
    let out = eval("__import__('sys').implementation.name");
    assert_eq!(stdout(&out).trim(), "'cpython'", "{}", stderr(&out));
    let listed = registry.oxrpc(&["list"]);
    assert_eq!(stdout(&listed), "SLAVE\n");
}

/// The options' edges, as rpyc's: TCP needs a host even without
/// --register; a registry without listing refuses LIST; nothing found is
/// an error with rpyc's message.
#[test]
fn registry_options_and_errors() {
    let mut cmd = oxrpc();
    cmd.args(["service", "serve", "-p", "0", "--registry-type", "TCP"]);
    let out = run(cmd);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("With TCP registry, you must specify --registry-host"),
        "{}",
        stderr(&out)
    );

    let (_registry_process, registry) = oxrpc_registry("TCP", &[]);
    let listed = registry.oxrpc(&["list"]);
    assert!(!listed.status.success());
    assert!(
        stderr(&listed).contains("Registry doesn't allow listing"),
        "{}",
        stderr(&listed)
    );
    let missing = registry.oxrpc(&["discover", "nope"]);
    assert!(!missing.status.success());
    assert!(
        stderr(&missing).contains("no servers exposing 'nope' were found"),
        "{}",
        stderr(&missing)
    );
    let call = call_by_name(&registry);
    assert!(!call.status.success());
    assert!(
        stderr(&call).contains("no servers exposing 'MY' were found"),
        "{}",
        stderr(&call)
    );
    // A TCP registry nobody listens on is an error, not an empty answer.
    let nobody = Registry {
        mode: "TCP",
        port: free_port(),
    };
    let refused = nobody.oxrpc(&["discover", "MY"]);
    assert!(!refused.status.success());
}
