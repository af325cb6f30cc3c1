//! `oxrpc xmlrpc call` with `--header`, `--verbose` and the proxy the
//! environment names (`HTTP_PROXY`, `NO_PROXY`), against CPython's
//! SimpleXMLRPCServer and a small Python forward proxy.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

use oxrpc_testkit::{expect_success, python_command, run_with_deadline, ChildGuard};
use std::process::Command;
use std::time::Duration;

fn start(script: &str, args: &[&str], ready: &str) -> (ChildGuard, u16) {
    let mut cmd = python_command();
    cmd.arg(oxrpc_testkit::interop_path(script)).args(args);
    let mut child = ChildGuard::spawn(cmd);
    let line = child.wait_for_line(ready);
    let port = line.trim().rsplit(' ').next().unwrap().parse().unwrap();
    (child, port)
}

/// `oxrpc ARGS...` with only the proxy settings given here.
fn oxrpc(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_oxrpc"));
    cmd.args(args);
    for var in [
        "http_proxy",
        "HTTP_PROXY",
        "https_proxy",
        "HTTPS_PROXY",
        "no_proxy",
        "NO_PROXY",
        "REQUEST_METHOD",
    ] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    run_with_deadline(cmd, Duration::from_secs(60))
}

#[test]
fn headers_verbose_and_proxy_from_the_environment() {
    let (_server, port) = start("xmlrpc/header_server.py", &[], "ready");
    let direct = format!("http://127.0.0.1:{port}/RPC2");

    // --header, as NAME:VALUE, repeatable.
    let out = oxrpc(
        &[
            "xmlrpc",
            "call",
            &direct,
            "headers",
            "-H",
            "X-Api-Key: k3y",
            "--header",
            "User-Agent:cli-test/1",
        ],
        &[],
    );
    let seen: serde_json::Value =
        serde_json::from_str(&expect_success("call headers", &out)).unwrap();
    assert_eq!(seen["x-api-key"], "k3y", "{seen}");
    assert_eq!(seen["user-agent"], "cli-test/1", "{seen}");

    // --verbose logs both directions on stderr.
    let out = oxrpc(
        &["xmlrpc", "call", &direct, "add", "2", "3", "--verbose"],
        &[],
    );
    assert_eq!(expect_success("call add -v", &out).trim(), "5");
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(log.contains("send: POST"), "{log}");
    assert!(log.contains("<methodName>add</methodName>"), "{log}");
    assert!(log.contains("reply: HTTP/1.0 200 OK"), "{log}");

    // HTTP_PROXY: a name only the proxy can reach.
    let (mut proxy, proxy_port) = start(
        "xmlrpc/http_proxy.py",
        &[&port.to_string(), "pu:pp"],
        "proxy ready",
    );
    let hidden = format!("http://xmlrpc-upstream.invalid:{port}/RPC2");
    let via = format!("http://pu:pp@127.0.0.1:{proxy_port}");
    let out = oxrpc(
        &["xmlrpc", "call", &hidden, "add", "2", "3"],
        &[("HTTP_PROXY", &via)],
    );
    assert_eq!(expect_success("call via HTTP_PROXY", &out).trim(), "5");
    let line = proxy.wait_for_line("proxy request");
    assert!(line.contains(&format!("POST {hidden} auth=ok")), "{line}");
    // `methods` makes several calls, all through the proxy.
    let out = oxrpc(&["xmlrpc", "methods", &hidden], &[("http_proxy", &via)]);
    let listing = expect_success("methods via http_proxy", &out);
    assert!(listing.contains("system.multicall"), "{listing}");

    // NO_PROXY exempts the server (which then does not resolve), and so
    // does --no-proxy.
    for (env, flag) in [
        (
            vec![("HTTP_PROXY", via.as_str()), ("NO_PROXY", ".invalid")],
            None,
        ),
        (vec![("HTTP_PROXY", via.as_str())], Some("--no-proxy")),
    ] {
        let mut args = vec!["xmlrpc", "call", &hidden, "add", "1", "1"];
        args.extend(flag);
        let out = oxrpc(&args, &env);
        assert!(!out.status.success(), "{env:?} {flag:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("transport error"), "{stderr}");
    }
}

/// `oxrpc xmlrpc call URL METHOD` with its standard output (or, with
/// `stderr_closed`, its standard error) a pipe nobody reads any more.
fn call_into_a_closed_pipe(method: &str, stderr_closed: bool) -> std::process::Output {
    let (_server, port) = start("xmlrpc/header_server.py", &[], "ready");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_oxrpc"));
    cmd.args(["xmlrpc", "call"])
        .arg(format!("http://127.0.0.1:{port}/RPC2"))
        .arg(method)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    // The reading end goes before the call has had its answer.
    match stderr_closed {
        true => drop(child.stderr.take()),
        false => drop(child.stdout.take()),
    }
    // The server answers at once; the call cannot outlive its own timeout.
    child.wait_with_output().unwrap()
}

/// `oxrpc xmlrpc call ... | head -1`: the reader goes away, and the call
/// stops quietly with SIGPIPE's status instead of a panic.
#[test]
fn a_closed_standard_output_ends_the_call_quietly() {
    let output = call_into_a_closed_pipe("system.listMethods", false);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(output.status.code(), Some(141), "{stderr}");
}

/// `oxrpc xmlrpc call ... 2>&1 | true`: a call that fails writes its error
/// to a standard error nobody reads, and stops with SIGPIPE's status
/// instead of a panic (101).
#[test]
fn a_closed_standard_error_ends_a_failed_call_quietly() {
    let output = call_into_a_closed_pipe("no.such.method", true);
    assert_eq!(output.status.code(), Some(141));
}

/// `oxrpc xmlrpc call URL ARGS...` against the header server, no proxy.
fn call(port: u16, args: &[&str]) -> std::process::Output {
    let url = format!("http://127.0.0.1:{port}/RPC2");
    let mut all = vec!["xmlrpc", "call", &url];
    all.extend_from_slice(args);
    oxrpc(&all, &[])
}

#[test]
fn large_results_of_a_cpython_server_are_read_within_flags() {
    let (_server, port) = start("xmlrpc/header_server.py", &[], "ready");
    // 300,000 names: past the server-side value limit, which a client
    // reading a server it chose to call does not apply (CPython's reads
    // any number).
    let out = call(port, &["names", "300000"]);
    let text = expect_success("300,000 names", &out);
    assert!(
        text.contains("n299999"),
        "{}",
        &text[text.len().saturating_sub(200)..]
    );
    let out = call(port, &["names", "2000", "--max-values", "1000"]);
    assert!(!out.status.success());
    let error = String::from_utf8_lossy(&out.stderr);
    assert!(error.contains("1000 values"), "{error}");
    let out = call(port, &["names", "2000", "--max-response-size", "10000"]);
    assert!(!out.status.success());

    // Nesting: 64 levels by default, more when asked.
    let out = call(port, &["nested", "70"]);
    assert!(!out.status.success());
    let error = String::from_utf8_lossy(&out.stderr);
    assert!(error.contains("64"), "{error}");
    let out = call(port, &["nested", "70", "--max-depth", "100"]);
    let text = expect_success("70 levels", &out);
    assert_eq!(text.matches('[').count(), 70, "{text}");
}

/// `xmlrpc methods` prints the list of a server that answers nothing more
/// about its methods (no `system.methodSignature`, a help of None), with
/// each help's paragraphs as written.
#[test]
fn methods_of_a_server_with_little_introspection() {
    let (_server, port) = start("xmlrpc/terse_server.py", &[], "ready");
    let url = format!("http://127.0.0.1:{port}/RPC2");
    let out = oxrpc(&["xmlrpc", "methods", &url], &[]);
    let listing = expect_success("methods", &out);
    let lines: Vec<&str> = listing.lines().map(str::trim_end).collect();
    assert_eq!(
        lines,
        [
            "add",
            "    Adds two numbers.",
            "",
            "    The paragraph after a blank line.",
            "nodoc",
            "system.listMethods",
            "    system.listMethods() => ['add', 'subtract', 'multiple']",
            "",
            "    Returns a list of the methods supported by the server.",
            "system.methodHelp",
        ],
        "{listing}"
    );
}

/// Responses whose markup only expat's rules decide (names, comments,
/// processing instructions, the declaration, attribute values): `xmlrpc
/// call` reads what CPython's ServerProxy reads and refuses what it
/// refuses, document by document, from a live server.
#[test]
fn markup_in_responses_is_judged_as_server_proxy_judges_it() {
    let (_server, port) = start("xmlrpc/markup_server.py", &[], "ready");
    let mut check = python_command();
    check
        .arg(oxrpc_testkit::interop_path("xmlrpc/markup_server.py"))
        .args(["--check", &port.to_string()]);
    let python = expect_success(
        "ServerProxy",
        &run_with_deadline(check, Duration::from_secs(60)),
    );
    let verdicts: Vec<(&str, &str)> = python
        .lines()
        .filter_map(|line| line.split_once(' '))
        .collect();
    assert!(verdicts.len() >= 20, "{python}");
    assert!(verdicts.iter().any(|(_, v)| *v == "ok"), "{python}");
    assert!(verdicts.iter().any(|(_, v)| *v == "refused"), "{python}");
    for (name, verdict) in verdicts {
        let url = format!("http://127.0.0.1:{port}/{name}");
        let out = oxrpc(&["xmlrpc", "call", &url, "m"], &[]);
        let ours = if out.status.success() {
            "ok"
        } else {
            "refused"
        };
        assert_eq!(
            ours,
            verdict,
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
