//! One classic test suite, every server: Python's `rpyc_classic` (the
//! oracle), `oxrpc classic serve` on RustPython (an interpreter per
//! connection, and `--isolation shared`), and `oxrpc classic serve
//! --python cpython` (the host's CPython, with the test venv's numpy).
//! Each runs rpyc 6.0.2's stock classic client through the deep semantics
//! (`classic_checks.py`, whose output must match rpyc_classic's) and
//! through rpyc.classic's helpers (`classic_helpers.py`: teleport_function,
//! deliver, obtain, redirected_stdio, pm, interact, upload/download).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

mod common;
#[path = "common/pki.rs"]
mod pki;

use common::oxrpc_classic;
use oxrpc_testkit::{
    expect_success, free_port, proc_status_kib, rpyc_classic_command, run_python_script,
    spawn_rpyc_classic, ChildGuard,
};
use std::process::Command;
use std::time::{Duration, Instant};

fn script(name: &str, port: u16, args: &[&str], what: &str) -> String {
    let mut all = vec![port.to_string()];
    all.extend(args.iter().map(|a| a.to_string()));
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    let output = run_python_script(&format!("classic/{name}"), &all, Duration::from_secs(300));
    expect_success(&format!("{name} against {what}"), &output)
}

/// The test venv (numpy and rpyc live there).
#[cfg(feature = "cpython")]
fn venv() -> String {
    let python = oxrpc_testkit::python();
    python
        .parent()
        .and_then(|bin| bin.parent())
        .expect("the peers' python lives in VENV/bin")
        .display()
        .to_string()
}

/// What rpyc_classic prints for the semantic checks: the oracle.
fn reference_checks() -> String {
    let port = free_port();
    let _python = spawn_rpyc_classic(port);
    let reference = script("classic_checks.py", port, &[], "rpyc_classic");
    let helpers = script("classic_helpers.py", port, &["rpyc"], "rpyc_classic");
    assert!(helpers.contains("helper checks passed"), "{helpers}");
    let prints = script("prints_and_threads.py", port, &[MARKER], "rpyc_classic");
    assert!(prints.contains("server errors []"), "{prints}");
    reference + &prints
}

/// What `prints_and_threads.py` has remote code print.
const MARKER: &str = "printed remotely";

/// The semantic checks, then remote printing and callbacks from threads,
/// against the server on `port`.
fn checks(port: u16, what: &str) -> String {
    script("classic_checks.py", port, &[], what)
        + &script("prints_and_threads.py", port, &[MARKER], what)
}

#[test]
fn rustpython_backends_pass_the_classic_suite() {
    let reference = reference_checks();
    for (what, extra) in [
        ("oxrpc on RustPython", &[][..]),
        (
            "oxrpc on RustPython, --isolation shared",
            &["--isolation", "shared"][..],
        ),
    ] {
        let port = free_port();
        let _server = oxrpc_classic(port, extra);
        let got = checks(port, what);
        assert_eq!(got.trim(), reference.trim(), "{what}");
        let helpers = script("classic_helpers.py", port, &["rustpython"], what);
        assert!(
            helpers.contains("helper checks passed"),
            "{what}: {helpers}"
        );
    }
}

/// Python code on the server as an rpyc client (`server_side_client.py`):
/// `rpyc.classic.connect`, `rpyc.connect`, `unix_connect` and
/// `ssl_connect` to stock rpyc servers, rpyc over rpyc, callbacks under
/// rpyc's rules, errors across both hops, discovery through stock TCP and
/// UDP registries; the output must be
/// rpyc_classic's. On RustPython, oxrpc also closes the connections the
/// code left open when its client goes (rpyc_classic leaves those in
/// reference cycles to its collector, as CPython's backend does).
#[test]
fn server_code_connects_to_rpyc_servers_as_on_rpyc_classic() {
    let certs = pki::pki("server-side-client");
    let certs = certs.to_str().unwrap();
    let reference = on_rpyc_classic("server_side_client.py", &[certs]);
    // `--closes`: the connections the server's code left open (the three
    // it kept, two it named, and any a collector would find) end with the
    // client.
    let closing = "connections to the service: ";
    let mut servers = vec![
        ("oxrpc on RustPython", vec!["--closes"], vec![]),
        (
            "oxrpc on RustPython, --isolation shared",
            vec!["--closes"],
            vec!["--isolation", "shared"],
        ),
    ];
    // The host's CPython without rpyc: the same stand-ins as RustPython's.
    if cfg!(feature = "cpython") {
        servers.push((
            "oxrpc --python cpython, no rpyc",
            vec![],
            vec!["--python", "cpython"],
        ));
    }
    for (what, flags, extra) in servers {
        let port = free_port();
        let _server = oxrpc_classic(port, &extra);
        let args: Vec<&str> = [certs].into_iter().chain(flags.iter().copied()).collect();
        let got = script("server_side_client.py", port, &args, what);
        let (closed, rest): (Vec<&str>, Vec<&str>) =
            got.lines().partition(|line| line.starts_with(closing));
        if !flags.is_empty() {
            assert!(
                matches!(closed.as_slice(), [line] if line.ends_with(", 0 after it closed")),
                "{what}: {closed:?}"
            );
        }
        assert_eq!(rest.join("\n").trim(), reference.trim(), "{what}");
    }
}

/// rpyc's asynchronous helpers in the server's code (`server_async.py`):
/// `rpyc.async_`, `timed`, `AsyncResult`'s states, callbacks (also with
/// nobody waiting), errors, expiry, requests by handler through a
/// netref's `____conn__`, a call that calls back into the server, and
/// `buffiter`, `restricted`, `exposed`, `BgServingThread`; the output must
/// be rpyc_classic's.
#[test]
fn server_code_calls_asynchronously_as_on_rpyc_classic() {
    let reference = on_rpyc_classic("server_async.py", &[]);
    on_every_backend(|what, port| {
        let got = script("server_async.py", port, &[], what);
        assert_eq!(got.trim(), reference.trim(), "{what}");
    });
}

/// What `name` prints against a fresh rpyc_classic (the oracle).
fn on_rpyc_classic(name: &str, args: &[&str]) -> String {
    let port = free_port();
    let _python = spawn_rpyc_classic(port);
    script(name, port, args, "rpyc_classic")
}

/// Starts `oxrpc classic serve` on each backend in turn (RustPython with
/// an interpreter per connection and shared; with the `cpython` feature
/// the host's CPython without rpyc and with the venv's) and runs
/// `check(what, port)` against it.
fn on_every_backend(mut check: impl FnMut(&str, u16)) {
    for (what, extra) in rustpython_servers().into_iter().chain(cpython_servers()) {
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        let port = free_port();
        let _server = oxrpc_classic(port, &extra);
        check(what, port);
    }
}

/// The CJK codecs in the server's Python (`cjk_codecs.py`): `encode` and
/// `decode` of seventeen codecs (HZ's state among them) with every
/// built-in error handler and handlers of the client's making, the
/// incremental codecs and their state, stream readers and writers, `TextIOWrapper`, `codecs.open`,
/// `getcodec`'s refusals, generated bytes and texts; `namereplace` of
/// characters named after Unicode 14.0 and the built-in handlers given
/// ranges outside their object (which panicked); the ISO-2022 codecs'
/// designations, shifts and state. RustPython has none of these codecs
/// of its own (`oxrpc_python`'s `cjk_codecs`). The output must be
/// rpyc_classic's, on the CPython backend that of rpyc_classic on the
/// interpreter it embeds (the host's CPython 3.11 may be an earlier patch
/// release than the venv's: 3.11.2 writes `iso2022_jp_2004`'s kana with
/// a semi-voiced mark otherwise than 3.11.7).
#[test]
fn cjk_codecs_answer_as_on_rpyc_classic() {
    let reference = on_rpyc_classic("cjk_codecs.py", &[]);
    assert!(
        reference.contains("cp932 round trip -> '日本語テキスト①Ⅱ"),
        "{reference}"
    );
    assert!(
        reference.contains("iso2022_jp decodes b'\\x1b$B$\"$$"),
        "{reference}"
    );
    for (what, extra) in rustpython_servers() {
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        let port = free_port();
        let _server = oxrpc_classic(port, &extra);
        let got = script("cjk_codecs.py", port, &[], what);
        assert_eq!(got.trim(), reference.trim(), "{what}");
    }
    on_the_cpython_backend_as_on_its_interpreter("cjk_codecs.py");
}

/// `name` against the CPython backend's servers, whose output must be
/// what it prints against rpyc_classic on the interpreter they embed.
#[cfg(feature = "cpython")]
fn on_the_cpython_backend_as_on_its_interpreter(name: &str) {
    let mut reference = None;
    for (what, extra) in cpython_servers() {
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        let port = free_port();
        let _server = oxrpc_classic(port, &extra);
        let reference = reference.get_or_insert_with(|| {
            let (_python, python_port) = embedded_rpyc_classic(port);
            script(
                name,
                python_port,
                &[],
                "rpyc_classic on the embedded CPython",
            )
        });
        let got = script(name, port, &[], what);
        assert_eq!(got.trim(), reference.trim(), "{what}");
    }
}

#[cfg(not(feature = "cpython"))]
fn on_the_cpython_backend_as_on_its_interpreter(_name: &str) {}

/// What the server gave a client that is not a plain value, handed back
/// (`handed_back.py`): the root, `getconn()`'s connection and their bound
/// methods are, in the server's Python, a `SlaveService` and a
/// `Connection` that work as rpyc_classic's do, and go back to the client
/// as its own netrefs; the roots of connections the server's code opened
/// come back as that code's service objects. The output must be
/// rpyc_classic's.
#[test]
fn objects_handed_back_are_the_servers_own_as_on_rpyc_classic() {
    let reference = on_rpyc_classic("handed_back.py", &[]);
    assert!(
        reference.contains("comes back as the root -> True"),
        "{reference}"
    );
    on_every_backend(|what, port| {
        let got = script("handed_back.py", port, &[], what);
        assert_eq!(got.trim(), reference.trim(), "{what}");
    });
}

/// rpyc.classic's helpers that take a connection, in the server's code on
/// a classic connection of its own (`server_classic_helpers.py`):
/// `upload`, `download` and their kin, `deliver`, `redirected_stdio`,
/// `pm`, `interact` and `teleport_function`, with the server itself as
/// the peer and with a stock rpyc_classic as the peer. The output must be
/// rpyc_classic's; on RustPython, which cannot make the CPython bytecode
/// `teleport_function` sends, the teleport lines are one refusal that
/// says so.
#[test]
fn server_code_uses_rpyc_classic_helpers_as_on_rpyc_classic() {
    let reference = on_rpyc_classic("server_classic_helpers.py", &[]);
    assert!(reference.contains("teleport -> 49"), "{reference}");
    let stock_peer = free_port();
    let _stock_peer = spawn_rpyc_classic(stock_peer);
    let stock_peer = stock_peer.to_string();
    let without_teleport = |output: &str| {
        output
            .lines()
            .filter(|line| !line.starts_with("teleport"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let check = |what: &str, got: &str| {
        if what.contains("RustPython") {
            let teleport: Vec<&str> = got.lines().filter(|l| l.starts_with("teleport")).collect();
            assert_eq!(teleport.len(), 1, "{what}: {got}");
            assert!(
                teleport[0].starts_with(
                    "teleport -> NotImplementedError: teleport_function sends CPython bytecode"
                ),
                "{what}: {got}"
            );
            assert_eq!(
                without_teleport(got),
                without_teleport(&reference),
                "{what}"
            );
        } else {
            assert_eq!(got.trim(), reference.trim(), "{what}");
        }
    };
    on_every_backend(|what, port| {
        for peer in [port.to_string(), stock_peer.clone()] {
            let what = format!("{what}, peer on port {peer}");
            check(
                &what,
                &script("server_classic_helpers.py", port, &[&peer], &what),
            );
        }
    });
}

/// The server's code sending asynchronous calls to a client that reads
/// nothing (`server_async_backpressure.py`) stops sending, as rpyc's
/// blocking write does, rather than queue 200 MB, and another client is
/// served meanwhile. The script reads the sender's progress through a
/// module both connections share: rpyc_classic's, and oxrpc's with
/// `--isolation shared`.
#[test]
fn server_code_stops_sending_to_a_client_that_does_not_read() {
    let reference = on_rpyc_classic("server_async_backpressure.py", &[]);
    assert!(
        reference.contains("stopped while the client read nothing: True"),
        "{reference}"
    );
    let port = free_port();
    let _server = oxrpc_classic(port, &["--isolation", "shared"]);
    let what = "oxrpc on RustPython, --isolation shared";
    let got = script("server_async_backpressure.py", port, &[], what);
    assert_eq!(got.trim(), reference.trim(), "{what}");
}

/// The RustPython servers: an interpreter per connection, and one shared.
fn rustpython_servers() -> Vec<(&'static str, Vec<String>)> {
    vec![
        ("oxrpc on RustPython", vec![]),
        (
            "oxrpc on RustPython, --isolation shared",
            vec!["--isolation".to_string(), "shared".to_string()],
        ),
    ]
}

/// The CPython backend's servers, with the `cpython` feature: on the
/// host's CPython without rpyc (the stand-ins), and with the venv's rpyc
/// (whose own helpers then send through oxrpc's netrefs).
#[cfg(feature = "cpython")]
fn cpython_servers() -> Vec<(&'static str, Vec<String>)> {
    let cpython = || vec!["--python".to_string(), "cpython".to_string()];
    let with_rpyc = [cpython(), vec!["--venv".to_string(), venv()]].concat();
    vec![
        ("oxrpc --python cpython, no rpyc", cpython()),
        ("oxrpc --python cpython, the venv's rpyc", with_rpyc),
    ]
}

#[cfg(not(feature = "cpython"))]
fn cpython_servers() -> Vec<(&'static str, Vec<String>)> {
    Vec::new()
}

#[cfg(feature = "cpython")]
#[test]
fn cpython_backend_passes_the_classic_suite_with_numpy() {
    let reference = reference_checks();
    let port = free_port();
    let venv = venv();
    let _server = oxrpc_classic(port, &["--python", "cpython", "--venv", &venv]);
    let what = "oxrpc --python cpython";
    let got = checks(port, what);
    assert_eq!(got.trim(), reference.trim(), "{what}");
    let helpers = script("classic_helpers.py", port, &["cpython"], what);
    assert!(helpers.contains("helper checks passed"), "{helpers}");
}

/// The classic differential (`classic_diff.py`) with its allow-list off:
/// the CPython backend runs clients' code on the interpreter rpyc_classic
/// runs on, so every difference a stock client can observe is ours. The
/// reference runs on the embedded interpreter itself (its `base_prefix`'s
/// python, with the venv's rpyc on its path), so module paths, versions
/// and messages are the same on both sides.
#[cfg(feature = "cpython")]
#[test]
fn cpython_backend_behaves_as_rpyc_classic_strictly() {
    let candidate = free_port();
    let venv = venv();
    let _server = oxrpc_classic(candidate, &["--python", "cpython", "--venv", &venv]);
    let (_reference, reference) = embedded_rpyc_classic(candidate);
    oxrpc_testkit::run_differential_with(
        "classic_diff.py",
        &format!("127.0.0.1:{reference}"),
        &format!("127.0.0.1:{candidate}"),
        25,
        Duration::from_secs(900),
        &["--strict"],
    );
}

/// rpyc_classic on the interpreter the CPython backend serving on
/// `candidate` embeds (its `base_prefix`'s python, with the venv's rpyc on
/// its path), and its port: the oracle where the host's CPython is not
/// the venv's (another patch release answers some corners otherwise).
#[cfg(feature = "cpython")]
fn embedded_rpyc_classic(candidate: u16) -> (oxrpc_testkit::ChildGuard, u16) {
    let mut ask = oxrpc_testkit::python_command();
    ask.args([
        "-c",
        &format!(
            "import os, rpyc; s = rpyc.classic.connect('localhost', {candidate}).modules.sys; \
             print(os.path.join(s.base_prefix, 'bin', 'python%d.%d' % tuple(s.version_info[:2]))); \
             print(os.path.dirname(os.path.dirname(rpyc.__file__)))"
        ),
    ]);
    let output = oxrpc_testkit::run_with_deadline(ask, Duration::from_secs(60));
    let answer = expect_success("the embedded interpreter", &output);
    let mut lines = answer.lines();
    let (embedded, site) = (lines.next().unwrap(), lines.next().unwrap());
    let reference = free_port();
    let mut python = Command::new(embedded);
    python
        .env("PYTHONPATH", site)
        .env("PYTHONDONTWRITEBYTECODE", "1");
    let mut cmd = oxrpc_testkit::rpyc_classic_with(python);
    cmd.args(["--host", "127.0.0.1", "-q", "-p", &reference.to_string()]);
    let guard = oxrpc_testkit::ChildGuard::spawn_listening(cmd, reference, Duration::from_secs(30));
    (guard, reference)
}

/// `VIRTUAL_ENV` is honoured as `--venv` is: numpy imports without the flag.
#[cfg(feature = "cpython")]
#[test]
fn cpython_backend_sees_virtual_env() {
    let port = free_port();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_oxrpc"));
    cmd.args(["classic", "serve", "-q", "--python", "cpython", "-p"])
        .arg(port.to_string())
        .env("VIRTUAL_ENV", venv());
    let _server = oxrpc_testkit::ChildGuard::spawn_listening(cmd, port, Duration::from_secs(60));
    let mut client = oxrpc_testkit::python_command();
    client.args([
        "-c",
        &format!(
            "import rpyc; c = rpyc.classic.connect('localhost', {port}); \
             print(c.eval('__import__(\"numpy\").arange(5).sum().item()'), \
             c.modules.sys.implementation.name, \
             c.modules.subprocess.check_output([c.modules.sys.executable, '-c', \
             'import sys; print(sys.prefix)'], text=True).strip())"
        ),
    ]);
    let output = oxrpc_testkit::run_with_deadline(client, Duration::from_secs(120));
    // sys.executable is the venv's python: a subprocess of it is in the venv.
    assert_eq!(
        expect_success("VIRTUAL_ENV", &output).trim(),
        format!("10 cpython {}", venv())
    );
}

/// The host's CPython without rpyc installed (no `--venv`): the server's
/// `rpyc.utils.teleportation` is oxrpc's stand-in, and a stock client's
/// teleported function runs from its CPython bytecode.
#[cfg(feature = "cpython")]
#[test]
fn cpython_backend_without_rpyc_teleports_through_the_stand_in() {
    let port = free_port();
    let _server = oxrpc_classic(port, &["--python", "cpython"]);
    let mut client = oxrpc_testkit::python_command();
    client.args([
        "-c",
        &format!(
            "import rpyc\n\
             def triple(x, *, plus=1):\n    return x * 3 + plus\n\
             c = rpyc.classic.connect('localhost', {port})\n\
             shim = c.modules['rpyc.utils.teleportation']\n\
             remote = rpyc.classic.teleport_function(c, triple)\n\
             print(hasattr(shim, '_code_from_source'), remote(4), remote(4, plus=0), \
             c.eval('triple(2)'))"
        ),
    ]);
    let output = oxrpc_testkit::run_with_deadline(client, Duration::from_secs(120));
    assert_eq!(
        expect_success("teleport without rpyc", &output).trim(),
        "True 13 12 7"
    );
}

/// Without the `cpython` feature the binary says how to get the backend.
#[cfg(not(feature = "cpython"))]
#[test]
fn cpython_backend_needs_the_feature() {
    let output = Command::new(env!("CARGO_BIN_EXE_oxrpc"))
        .args(["classic", "serve", "--python", "cpython", "-p"])
        .arg(free_port().to_string())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--features cpython"), "{stderr}");
}

/// Options that do not fit the chosen interpreter are refused up front.
#[test]
fn interpreter_options_are_checked() {
    let output = Command::new(env!("CARGO_BIN_EXE_oxrpc"))
        .args(["classic", "serve", "--venv", "/nonexistent", "-p"])
        .arg(free_port().to_string())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--venv needs --python cpython"), "{stderr}");
}

/// Text files take the encoding CPython's start gives them in the
/// environment the server starts in: the locale's codeset under a real
/// locale (`'UTF-8'`, with the UTF-8 mode off), UTF-8 under the C locale
/// (coerced unless `LC_ALL` is set), ASCII for `encoding='locale'` when
/// `LC_ALL=C` forbids the coercion, and `PYTHONUTF8` over all of it; and
/// `time`'s zone constants are the zone's (`TZ`) as CPython 3.11 reads
/// them. Each environment starts rpyc_classic and oxrpc alike; every
/// answer of `locale_encodings.py` must be rpyc_classic's.
#[test]
fn text_files_and_time_take_the_locale_and_zone_the_server_starts_in() {
    const CLEARED: [&str; 7] = [
        "LANG",
        "LANGUAGE",
        "LC_ALL",
        "LC_CTYPE",
        "PYTHONUTF8",
        "PYTHONCOERCECLOCALE",
        "TZ",
    ];
    let environments: [&[(&str, &str)]; 10] = [
        &[],
        &[("LANG", "C.UTF-8")],
        &[("LC_ALL", "C")],
        &[("LC_ALL", "C"), ("PYTHONUTF8", "0")],
        &[("LANG", "C.UTF-8"), ("PYTHONUTF8", "1")],
        &[("PYTHONCOERCECLOCALE", "0")],
        &[("LANG", "xx_XX.UTF-8")],
        &[("TZ", "Asia/Kolkata")],
        &[("TZ", "Australia/Sydney")],
        &[("TZ", "America/New_York")],
    ];
    same_as_rpyc_classic_in("locale_encodings.py", &CLEARED, &environments);
}

/// Runs `name` against rpyc_classic and `oxrpc classic serve`, both
/// started in each of `environments` (the variables `cleared` taken out of
/// this process's first), and asserts the outputs are the same.
fn same_as_rpyc_classic_in(name: &str, cleared: &[&str], environments: &[&[(&str, &str)]]) {
    let in_environment = |cmd: &mut Command, environment: &[(&str, &str)]| {
        for variable in cleared {
            cmd.env_remove(variable);
        }
        cmd.envs(environment.iter().copied());
    };
    for environment in environments {
        let port = free_port();
        let mut python = rpyc_classic_command();
        python.args(["-q", "-p", &port.to_string()]);
        in_environment(&mut python, environment);
        let reference = {
            let _python = ChildGuard::spawn_listening(python, port, Duration::from_secs(30));
            script(name, port, &[], "rpyc_classic")
        };
        let port = free_port();
        let mut oxrpc = Command::new(env!("CARGO_BIN_EXE_oxrpc"));
        oxrpc.args(["classic", "serve", "-q", "-p", &port.to_string()]);
        in_environment(&mut oxrpc, environment);
        let _server = ChildGuard::spawn_listening(oxrpc, port, Duration::from_secs(60));
        let got = script(name, port, &[], "oxrpc classic serve");
        assert_eq!(got, reference, "environment {environment:?}");
    }
}

/// The `PYTHON*` variables CPython reads when it starts, in the environment
/// the server starts in (`startup_environment.py`): `sys.flags`, `assert`
/// and docstrings under `PYTHONOPTIMIZE`, the warnings filters, bytecode
/// written or not, the int-to-text limit, the standard streams' error
/// handlers; the output must be rpyc_classic's started the same way.
#[test]
fn interpreters_take_the_python_variables_the_server_starts_with() {
    const CLEARED: [&str; 12] = [
        "LANG",
        "LC_ALL",
        "LC_CTYPE",
        "PYTHONUTF8",
        "PYTHONOPTIMIZE",
        "PYTHONWARNINGS",
        "PYTHONDONTWRITEBYTECODE",
        "PYTHONINTMAXSTRDIGITS",
        "PYTHONIOENCODING",
        "PYTHONUNBUFFERED",
        "PYTHONNOUSERSITE",
        "PYTHONDEVMODE",
    ];
    let environments: [&[(&str, &str)]; 12] = [
        &[],
        &[("PYTHONOPTIMIZE", "1")],
        &[("PYTHONOPTIMIZE", "2")],
        &[("PYTHONDONTWRITEBYTECODE", "1"), ("PYTHONUNBUFFERED", "1")],
        &[(
            "PYTHONWARNINGS",
            "error::DeprecationWarning,ignore::UserWarning",
        )],
        &[("PYTHONINTMAXSTRDIGITS", "640")],
        &[("PYTHONIOENCODING", ":replace")],
        &[("PYTHONIOENCODING", "latin-1:backslashreplace")],
        &[("PYTHONIOENCODING", "UTF8")],
        &[("LANG", "C.UTF-8")],
        &[("LC_ALL", "C")],
        &[("LANG", "xx_XX.UTF-8")],
    ];
    same_as_rpyc_classic_in("startup_environment.py", &CLEARED, &environments);
    // An encoding Python does not know: CPython would not start; oxrpc's
    // interpreters start, and keep UTF-8.
    let port = free_port();
    let mut oxrpc = Command::new(env!("CARGO_BIN_EXE_oxrpc"));
    oxrpc.args(["classic", "serve", "-q", "-p", &port.to_string()]);
    oxrpc.env("PYTHONIOENCODING", "no-such-encoding:replace");
    let _server = ChildGuard::spawn_listening(oxrpc, port, Duration::from_secs(60));
    let got = script(
        "startup_environment.py",
        port,
        &[],
        "an unknown PYTHONIOENCODING",
    );
    assert!(
        got.contains("the streams' encodings -> ['utf-8', 'utf-8', 'utf-8']"),
        "{got}"
    );
}

/// An interpreter per connection stays one per connection when interpreters
/// are built ahead (`--spare-interpreters`): a connection handed a spare
/// sees no other connection's modules. `--isolation shared`, like
/// rpyc_classic, shares one.
#[test]
fn spare_interpreters_keep_connections_isolated() {
    let port = free_port();
    let _python = spawn_rpyc_classic(port);
    let reference = script("interpreter_isolation.py", port, &[], "rpyc_classic");
    assert_eq!(reference.trim(), "shared");
    for (extra, expected) in [
        (&[][..], "isolated"),
        (&["--spare-interpreters", "0"][..], "isolated"),
        (&["--spare-interpreters", "3"][..], "isolated"),
        (&["--isolation", "shared"][..], "shared"),
    ] {
        let port = free_port();
        let _server = oxrpc_classic(port, extra);
        let what = format!("oxrpc classic serve {}", extra.join(" "));
        let got = script("interpreter_isolation.py", port, &[], &what);
        assert_eq!(got.trim(), expected, "{what}");
    }
}

/// Clients that connect together to a server that has served no one get
/// whole interpreters. Every interpreter shares RustPython's builtin
/// types, whose slots the first interpreter's setup replaces: an
/// interpreter built meanwhile (the spare being built at start, or
/// another client's) once met a replaced slot with nothing behind it, and
/// started with half its importlib or not at all. Sixteen stock clients,
/// waiting for the server before it listens, connect a tenth of a second
/// apart from the moment it does (so some interpreters are at each stage
/// of their start while the first one sets up), to fresh servers with and
/// without a spare, twice each; every one gets rpyc_classic's answers.
#[test]
fn first_connections_at_once_get_whole_interpreters() {
    let clients = ["16", "0.1"];
    let port = free_port();
    let _python = spawn_rpyc_classic(port);
    let reference = script(
        "first_connections_at_once.py",
        port,
        &clients,
        "rpyc_classic",
    );
    assert_eq!(reference.trim(), "whole 16");
    for extra in [&[][..], &["--spare-interpreters", "0"][..]] {
        for round in 0..2 {
            let port = free_port();
            let what = format!("oxrpc classic serve {} (round {round})", extra.join(" "));
            let waiting = {
                let what = what.clone();
                std::thread::spawn(move || {
                    script("first_connections_at_once.py", port, &clients, &what)
                })
            };
            let mut server = oxrpc_classic(port, extra);
            let got = waiting.join().unwrap();
            assert_eq!(got.trim(), "whole 16", "{what}");
            assert!(!server.has_exited(), "{what}: the server exited");
        }
    }
}

/// What a new RustPython interpreter holds before remote code runs: the
/// modules RustPython's own start imports, the support module's, and the
/// rpyc stand-ins, nothing more. Every module imported at start is built
/// again for every connection: the server's signal hooks once imported
/// `signal`, `enum`, `threading` and `os` there, which nearly doubled each
/// connection's memory (4.8 to 9.3 MiB) and halved the rate of new
/// connections. A module added to this list must earn its place.
const FRESH_INTERPRETER_MODULES: &[&str] = &[
    "__main__",
    "_abc",
    "_ast",
    "_codecs",
    "_frozen_importlib",
    "_frozen_importlib_external",
    "_imp",
    "_io",
    "_signal",
    "_sysconfigdata",
    "_thread",
    "_types",
    "_typing",
    "_warnings",
    "_weakref",
    "abc",
    "builtins",
    "codecs",
    "encodings",
    "encodings.aliases",
    "encodings.ascii",
    "encodings.latin_1",
    "encodings.utf_8",
    "gc",
    "importlib",
    "importlib._abc",
    "importlib._bootstrap",
    "importlib._bootstrap_external",
    "importlib.util",
    "itertools",
    "marshal",
    "posix",
    "pyexpat",
    "rpyc",
    "rpyc.classic",
    "rpyc.core",
    "rpyc.core.async_",
    "rpyc.core.netref",
    "rpyc.core.protocol",
    "rpyc.core.service",
    "rpyc.lib",
    "rpyc.lib.compat",
    "rpyc.utils",
    "rpyc.utils.classic",
    "rpyc.utils.factory",
    "rpyc.utils.helpers",
    "rpyc.utils.registry",
    "rpyc.utils.teleportation",
    "rpyc.version",
    "select",
    "sys",
    "time",
    "types",
    "zipimport",
];

/// A stock client's first look at a new interpreter, built ahead as a
/// spare, built for the connection, or the shared one, finds only
/// [`FRESH_INTERPRETER_MODULES`]; and the modules left out import through
/// `conn.modules` as they do on rpyc_classic.
#[test]
fn new_interpreters_start_with_only_the_modules_they_need() {
    let reference_port = free_port();
    let reference = spawn_rpyc_classic(reference_port);
    let on_rpyc = script(
        "fresh_interpreter_modules.py",
        reference_port,
        &[],
        "rpyc_classic",
    );
    drop(reference);
    let imported_on_rpyc = on_rpyc.lines().last();
    assert_eq!(
        imported_on_rpyc,
        Some("imported later: enum os signal threading"),
        "rpyc_classic"
    );
    for extra in [
        &[][..],
        &["--spare-interpreters", "0"][..],
        &["--isolation", "shared"][..],
    ] {
        let port = free_port();
        let _server = oxrpc_classic(port, extra);
        let what = format!("oxrpc classic serve {}", extra.join(" "));
        let got = script("fresh_interpreter_modules.py", port, &[], &what);
        let mut lines: Vec<&str> = got.lines().collect();
        assert_eq!(lines.pop(), imported_on_rpyc, "{what}");
        let modules = lines;
        let unexpected: Vec<&&str> = modules
            .iter()
            .filter(|name| !FRESH_INTERPRETER_MODULES.contains(name))
            // The same module under its platform's name.
            .filter(|name| !name.starts_with("_sysconfigdata_"))
            .collect();
        assert!(
            unexpected.is_empty(),
            "{what}: a new interpreter imports {unexpected:?} before remote code runs"
        );
        // The list is read, not empty: the interpreter's own start is there.
        for needed in ["sys", "builtins", "rpyc.core.netref"] {
            assert!(modules.contains(&needed), "{what}: {modules:?}");
        }
    }
}

/// RustPython's cycle collector is process-wide and walks every
/// interpreter's objects: run unguarded while other interpreters ran, it
/// aborted the server. Collections now run only while no interpreter
/// thread is inside Python. Six clients churn connections (and with them
/// interpreters, spares being built meanwhile) making cycles and calling
/// gc.collect(); the server survives and answers throughout, and a quiet
/// client's gc.collect() still finds its cycles.
#[test]
fn interpreters_collect_cyclic_garbage_while_others_run() {
    let port = free_port();
    let mut server = oxrpc_classic(port, &[]);
    let got = script("garbage_under_load.py", port, &["8"], "garbage under load");
    assert_eq!(got, "errors 0\ncollected ok\n");
    assert!(!server.has_exited(), "the server exited under load");
}

/// An interpreter per connection gives its memory back when its connection
/// ends. RustPython keeps an interpreter's whole object graph referenced
/// from outside its collector's view (every function holds the builtins
/// dict untraced; some classes stay referenced too), so each connection
/// used to leave its interpreter behind: ~2.4 MiB, for good. 80 connections
/// that each define classes of those kinds must now grow the server by
/// less than two MiB apiece. A client left two
/// threads sleeping in a loop first: their interpreter is kept for them
/// (they go on running), and their sleeps must not keep collections away
/// (which made every later connection leave ~5 MiB).
#[test]
fn ended_interpreters_give_their_memory_back() {
    let port = free_port();
    let mut server = oxrpc_classic(port, &[]);
    let pid = server.id();
    let warm = script("connection_churn.py", port, &["10"], "warm-up connections");
    assert_eq!(warm.trim(), "ok 10");
    let rounds_file = std::env::temp_dir().join(format!("oxrpc-left-threads-{port}"));
    let rounds_path = rounds_file.to_str().unwrap();
    let left = script(
        "connection_churn.py",
        port,
        &["1", "--leave-threads", rounds_path],
        "a connection leaving threads",
    );
    assert_eq!(left.trim(), "ok 1");
    let before = proc_status_kib(pid, "VmRSS:");
    let churn = script("connection_churn.py", port, &["80"], "connection churn");
    assert_eq!(churn.trim(), "ok 80");
    let after = proc_status_kib(pid, "VmRSS:");
    let growth = after.saturating_sub(before);
    eprintln!("server RSS over 80 connections: {before} -> {after} KiB");
    // One interpreter is ~3,400 KiB resident; with these classes and
    // `json` the leak was ~8,900 KiB a connection, and ~5 MiB once the
    // left threads kept every collection away. Two MiB a connection allows
    // for the allocator keeping freed pages and for what RustPython's
    // collector still cannot free (cycles through closures): in a debug
    // build that was ~250-500 KiB, and is now 0.8-1.4 MiB (measured at
    // 08fe4bf as well: 76 and 96 MiB over the 80 connections), which a
    // one-MiB bound failed on about half the runs. The bound still fails
    // either leak it was written for by a wide margin.
    assert!(
        growth < 160 * 1024,
        "the server grew by {growth} KiB over 80 connections ({before} -> {after} KiB)"
    );
    let rounds = || -> u64 {
        let text = std::fs::read_to_string(&rounds_file).unwrap_or_default();
        text.trim().parse().unwrap_or(0)
    };
    // The threads write every 0.2 s; a debug build under a loaded machine
    // may stall them for a while (a full collection), so they get 20 s to
    // show one more round.
    let rounds_then = rounds();
    let deadline = Instant::now() + Duration::from_secs(20);
    while rounds() <= rounds_then && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        rounds() > rounds_then,
        "the threads the client left stopped (round {rounds_then})"
    );
    let _ = std::fs::remove_file(&rounds_file);
    let _ = std::fs::remove_file(format!("{rounds_path}.part"));
    assert!(!server.has_exited(), "the server exited");
}
