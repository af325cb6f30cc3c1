//! The notebook's XML-RPC cells against the `oxrpc` binary, and the binary's
//! client commands against CPython's server.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

use oxrpc_testkit::{
    expect_success, loopback, python_command, run_python_script, run_with_deadline, wait_for_port,
    ChildGuard,
};
use std::process::Command;
use std::time::Duration;

fn oxrpc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_oxrpc"))
}

/// `oxrpc xmlrpc serve` on an ephemeral localhost port, with `extra`.
fn xmlrpc_serve(extra: &[&str]) -> Command {
    let mut cmd = oxrpc();
    cmd.args(["xmlrpc", "serve", "--host", "127.0.0.1", "--port", "0"])
        .args(extra);
    cmd
}

/// Starts `cmd` (an `oxrpc xmlrpc serve` on an ephemeral port) and returns
/// it with the URL it announces, without the trailing slash.
fn serve_xmlrpc(cmd: Command) -> (ChildGuard, String) {
    let mut server = ChildGuard::spawn(cmd);
    let url = server.wait_for_url();
    (server, url)
}

/// The notebook's client cell, unmodified, against `oxrpc xmlrpc serve` on
/// the notebook's port 9000.
#[test]
fn seed_client_cell_against_oxrpc_xmlrpc_serve() {
    let mut cmd = oxrpc();
    cmd.args(["xmlrpc", "serve", "--port", "9000"]);
    let mut server = ChildGuard::spawn(cmd);
    server.wait_for_line("ready");
    wait_for_port(loopback(9000), Duration::from_secs(10));

    let output = run_python_script("xmlrpc/run_seed_client.py", &[], Duration::from_secs(60));
    let stdout = expect_success("the seed's client cell", &output);
    assert!(stdout.contains("seed client cell OK"), "{stdout}");

    // The binary's own client against its own server: a fault is reported
    // with CPython's text and a failing exit status.
    let mut call = oxrpc();
    call.args([
        "xmlrpc",
        "call",
        "http://localhost:9000",
        "list_contents",
        "/no/such/dir",
    ]);
    let output = run_with_deadline(call, Duration::from_secs(30));
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("No such file or directory: '/no/such/dir'"),
        "{stderr}"
    );
}

/// `oxrpc xmlrpc call` and `methods` against CPython's SimpleXMLRPCServer.
#[test]
fn oxrpc_cli_against_cpython_server() {
    let mut cmd = python_command();
    cmd.arg(oxrpc_testkit::interop_path("xmlrpc/reference_server.py"));
    let mut server = ChildGuard::spawn(cmd);
    let line = server.wait_for_line("ready");
    let url = format!(
        "http://127.0.0.1:{}",
        line.trim().rsplit(' ').next().unwrap()
    );

    let run = |args: &[&str]| {
        let mut c = oxrpc();
        c.args(args);
        run_with_deadline(c, Duration::from_secs(30))
    };
    let out = run(&["xmlrpc", "call", &url, "add", "2", "3"]);
    assert_eq!(expect_success("call add", &out).trim(), "5");
    let out = run(&["xmlrpc", "call", &url, "add", "-5", "-2.5"]);
    assert_eq!(expect_success("call add", &out).trim(), "-7.5");
    // `--` ends the options; it is no argument (a second one is).
    let out = run(&["xmlrpc", "call", &url, "add", "--", "-5", "-2.5"]);
    assert_eq!(expect_success("call add --", &out).trim(), "-7.5");
    let out = run(&["xmlrpc", "call", &url, "echo", "--", "--"]);
    assert_eq!(expect_success("call echo -- --", &out).trim(), "\"--\"");
    // What only looks numeric is text, as Python's json.loads reads it.
    let out = run(&["xmlrpc", "call", &url, "echo", "2024-01-05"]);
    assert_eq!(
        expect_success("call echo a date", &out).trim(),
        "\"2024-01-05\""
    );
    // Numbers as Python's json reads them, signed exponents and
    // infinities too, are arguments, not options.
    let out = run(&["xmlrpc", "call", &url, "add", "-1E-5", "-2.5E+1"]);
    assert_eq!(expect_success("call add", &out).trim(), "-25.00001");
    let out = run(&["xmlrpc", "call", &url, "echo", "[-Infinity, NaN]"]);
    let json: serde_json::Value = serde_json::from_str(&expect_success("call echo", &out)).unwrap();
    assert_eq!(
        json,
        serde_json::json!([{"double": "-inf"}, {"double": "nan"}])
    );
    let out = run(&["xmlrpc", "call", &url, "add", "-Infinity", "1"]);
    let json: serde_json::Value = serde_json::from_str(&expect_success("call add", &out)).unwrap();
    assert_eq!(json, serde_json::json!({"double": "-inf"}));
    let out = run(&[
        "xmlrpc",
        "call",
        &url,
        "echo",
        r#"{"a": [1, 2.5, null, "x"]}"#,
    ]);
    let json: serde_json::Value = serde_json::from_str(&expect_success("call echo", &out)).unwrap();
    assert_eq!(json, serde_json::json!({"a": [1, 2.5, null, "x"]}));
    let out = run(&["xmlrpc", "call", &url, "list_contents", "/"]);
    let names: Vec<String> = serde_json::from_str(&expect_success("list_contents", &out)).unwrap();
    assert!(names.iter().any(|n| n == "tmp"), "{names:?}");
    let out = run(&["xmlrpc", "methods", &url]);
    let listing = expect_success("methods", &out);
    assert!(listing.contains("echo"), "{listing}");
    assert!(
        listing.contains("Returns its argument unchanged."),
        "{listing}"
    );
    let out = run(&["xmlrpc", "call", &url, "fail", "boom"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("<class 'ValueError'>:boom"));
    // A reason is said once, though the error also names it as its cause.
    let out = run(&["xmlrpc", "call", &url, "echo", "a\u{1}b"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("cannot carry").count(), 1, "{stderr}");
    // --timeout bounds the wait for an answer; 0 waits as long as it takes.
    let out = run(&["xmlrpc", "call", "--timeout", "0.3", &url, "sleep", "1500"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no answer within"), "{stderr}");
    let out = run(&["xmlrpc", "call", "--timeout", "0", &url, "sleep", "1200"]);
    assert_eq!(expect_success("call with no timeout", &out).trim(), "1200");
    // An integer beyond 64 bits arrives whole (as <biginteger>), alone or
    // nested, and a struct's members in the order they were typed: the
    // fault echoes what the server received.
    for (arg, received) in [
        (
            "123456789012345678901234567890",
            "123456789012345678901234567890",
        ),
        (
            "[-98765432109876543210, 1.5]",
            "[-98765432109876543210, 1.5]",
        ),
        (
            r#"{"z": 1, "a": [{"y": 2, "b": 3}], "m": 4}"#,
            "{'z': 1, 'a': [{'y': 2, 'b': 3}], 'm': 4}",
        ),
        // Numbers as Python's json reads them: -0 is the int 0, a float
        // beyond double precision is infinite.
        ("[-0, -0.0, 1e400, -1e400]", "[0, -0.0, inf, -inf]"),
    ] {
        let out = run(&["xmlrpc", "call", &url, "fail", arg]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("<class 'ValueError'>:{received}")),
            "{stderr}"
        );
    }
    // --tagged reads the shapes results print as: what comes back as
    // base64 or a dateTime goes back as one.
    let printed = |out: &std::process::Output| expect_success("call", out).trim().to_owned();
    let blob = printed(&run(&[
        "xmlrpc",
        "call",
        &url,
        "echo",
        "--tagged",
        r#"{"base64": "AP8="}"#,
    ]));
    let again = printed(&run(&["xmlrpc", "call", &url, "echo", "--tagged", &blob]));
    assert_eq!(again, blob);
    let out = run(&[
        "xmlrpc",
        "call",
        &url,
        "fail",
        "--tagged",
        r#"[{"base64": "AP8="}, {"dateTime.iso8601": "20200102T03:04:05"}, {"double": "nan"}, {"base64": "x", "y": 1}]"#,
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // CPython's server reads them as Binary and DateTime.
    assert!(
        stderr.contains("[<xmlrpc.client.Binary object at"),
        "{stderr}"
    );
    assert!(
        stderr.contains("<DateTime '20200102T03:04:05' at"),
        "{stderr}"
    );
    assert!(stderr.contains("nan, {'base64': 'x', 'y': 1}]"), "{stderr}");
    let out = run(&[
        "xmlrpc",
        "call",
        &url,
        "echo",
        "--tagged",
        r#"{"base64": "*"}"#,
    ]);
    assert!(!out.status.success());
}

/// `oxrpc xmlrpc call` reads the answers of a CPython server started with
/// another `encoding` (its documents declare it): single-byte codecs and
/// UTF-16 alike.
#[test]
fn oxrpc_cli_reads_cpython_servers_answering_in_other_encodings() {
    const SERVER: &str = "import sys, xmlrpc.server as s\n\
        srv = s.SimpleXMLRPCServer(('127.0.0.1', 0), logRequests=False, encoding=sys.argv[1])\n\
        srv.register_function(lambda value: value, 'echo')\n\
        print('ready', srv.server_address[1], flush=True)\n\
        srv.serve_forever()\n";
    for (encoding, text) in [
        ("cp1252", "caf\u{e9} \u{20ac}"),
        ("koi8-r", "\u{43f}\u{440}\u{438}\u{432}\u{435}\u{442}"),
        ("utf-16", "caf\u{e9} \u{1f600}"),
    ] {
        let mut cmd = python_command();
        cmd.args(["-c", SERVER, encoding]);
        let mut server = ChildGuard::spawn(cmd);
        let port = server.announced_port("ready");
        let mut call = oxrpc();
        call.args([
            "xmlrpc",
            "call",
            &format!("http://127.0.0.1:{port}"),
            "echo",
            text,
        ]);
        let out = run_with_deadline(call, Duration::from_secs(30));
        let printed = expect_success("call echo", &out);
        assert_eq!(printed.trim(), format!("\"{text}\""), "{encoding}");
    }
}

/// The notebook's server at its edges, compared with CPython's: a `None`
/// path, nested multicall, and a body over the size limit (a 413 the
/// client can read, not a broken pipe).
#[test]
fn notebook_server_edges_match_cpython() {
    let directory = std::env::temp_dir().join(format!("oxrpc-edges-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    std::fs::write(directory.join("marker-file"), b"x").unwrap();
    let mut cmd = xmlrpc_serve(&["--quiet", "--max-body-size", "1000000"]);
    cmd.current_dir(&directory);
    let (_server, url) = serve_xmlrpc(cmd);
    let output = run_python_script(
        "xmlrpc/notebook_edges.py",
        &[&url, directory.to_str().unwrap()],
        Duration::from_secs(60),
    );
    let stdout = expect_success("notebook_edges.py", &output);
    assert!(stdout.contains("notebook edges OK"), "{stdout}");
    let _ = std::fs::remove_dir_all(&directory);
}

/// What `oxrpc xmlrpc serve` writes on stderr while a stock `ServerProxy`
/// calls `list_contents` twice, with and without `--quiet`.
fn server_log(quiet: bool) -> String {
    let log_path =
        std::env::temp_dir().join(format!("oxrpc-quiet-{}-{quiet}.log", std::process::id()));
    let mut cmd = xmlrpc_serve(&[]);
    cmd.env_remove("OXRPC_LOG")
        .stderr(std::fs::File::create(&log_path).unwrap());
    if quiet {
        cmd.arg("--quiet");
    }
    let (server, url) = serve_xmlrpc(cmd);
    let mut client = python_command();
    client.args([
        "-c",
        "import sys, xmlrpc.client as x\n\
         p = x.ServerProxy(sys.argv[1])\n\
         assert 'tmp' in p.list_contents('/')\n\
         p.list_contents('/tmp')\n",
        &url,
    ]);
    expect_success(
        "ServerProxy.list_contents",
        &run_with_deadline(client, Duration::from_secs(60)),
    );
    drop(server);
    let log = std::fs::read_to_string(&log_path).unwrap();
    let _ = std::fs::remove_file(&log_path);
    log
}

/// `--quiet` means no line per request, as `logRequests=False` does for
/// SimpleXMLRPCServer; without it each call is logged.
#[test]
fn quiet_server_logs_no_request() {
    let chatty = server_log(false);
    assert!(chatty.contains("list_contents(/tmp)"), "{chatty}");
    let quiet = server_log(true);
    assert!(!quiet.contains("list_contents"), "{quiet}");
    assert!(!quiet.contains("POST"), "{quiet}");
}

/// `list_contents` never serves a stale listing: a stock `ServerProxy`
/// compares each answer with `os.listdir` while random changes hit the
/// directories (and the directories above them, and a symbolic link).
#[test]
fn list_contents_stays_fresh_while_directories_change() {
    let (_server, url) = serve_xmlrpc(xmlrpc_serve(&["--quiet"]));
    let scratch = std::env::temp_dir().join(format!("oxrpc-fresh-{}", std::process::id()));
    let output = run_python_script(
        "xmlrpc/listing_freshness.py",
        &[&url, scratch.to_str().unwrap(), "400"],
        Duration::from_secs(120),
    );
    let stdout = expect_success("listing_freshness.py", &output);
    assert!(stdout.contains("listings fresh"), "{stdout}");
}
