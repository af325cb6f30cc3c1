//! `oxrpc wire decode | proxy | replay` against real peers: rpyc 6.0.2
//! clients and servers, CPython's `xmlrpc.client`, and the binary's own
//! servers, over real sockets.
//!
//! Every server listens on an ephemeral port, so these tests run in
//! parallel with each other and with the suites on the notebook's ports.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

use oxrpc_testkit::{
    expect_success, interop_path, python_command, run_python_script, run_with_deadline, ChildGuard,
};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const DEADLINE: Duration = Duration::from_secs(60);

fn oxrpc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_oxrpc"))
}

/// A scratch directory for one test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("oxrpc-wire-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A child whose stdout is read continuously (so it never blocks on a full
/// pipe) into lines the test can wait for; killed when dropped.
struct Watched {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Watched {
    fn spawn(mut cmd: Command) -> Watched {
        cmd.stdin(Stdio::null()).stdout(Stdio::piped());
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}"));
        let stdout = child.stdout.take().unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                match line {
                    Ok(line) => sink.lock().unwrap().push(line),
                    Err(_) => break,
                }
            }
        });
        Watched { child, lines }
    }

    /// Waits for a line matching `pred`; returns it.
    fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            if let Some(line) = self.lines.lock().unwrap().iter().find(|l| pred(l)) {
                return line.clone();
            }
            assert!(
                started.elapsed() < DEADLINE,
                "no {what} after {DEADLINE:?}; output so far:\n{}",
                self.text()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn text(&self) -> String {
        self.lines.lock().unwrap().join("\n")
    }
}

impl Drop for Watched {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `oxrpc wire proxy` to `to`, recording to `record`; returns it and its port.
fn proxy(to: u16, protocol: &str, record: &Path) -> (Watched, u16) {
    let mut cmd = oxrpc();
    cmd.args(["wire", "proxy", "--listen", "127.0.0.1:0"])
        .args(["--to", &format!("127.0.0.1:{to}")])
        .args(["--protocol", protocol, "--record"])
        .arg(record);
    let proxy = Watched::spawn(cmd);
    let line = proxy.wait_for("the proxy's start line", |l| l.contains("listening on"));
    let port = line
        .split("listening on 127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {line:?}"));
    (proxy, port)
}

/// Waits until the proxy has closed (and recorded) connection `conn`.
fn wait_closed(proxy: &Watched, conn: u64) {
    let prefix = format!("[conn {conn} +");
    proxy.wait_for(&format!("conn {conn} closed"), |l| {
        l.starts_with(&prefix) && l.contains("] closed")
    });
}

/// A Python `ThreadedServer(MyService)`; returns it and its port.
fn python_myservice(answer: Option<i64>) -> (ChildGuard, u16) {
    let mut cmd = python_command();
    cmd.arg(interop_path("wire/myservice_server.py"));
    if let Some(answer) = answer {
        cmd.args(["--answer", &answer.to_string()]);
    }
    let mut server = ChildGuard::spawn(cmd);
    let line = server.wait_for_line("PORT");
    let port = line.trim().rsplit(' ').next().unwrap().parse().unwrap();
    (server, port)
}

/// `oxrpc service serve` on an ephemeral port; returns it and its port.
fn oxrpc_myservice() -> (ChildGuard, u16) {
    let mut cmd = oxrpc();
    cmd.args([
        "service",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "-q",
    ]);
    let mut server = ChildGuard::spawn(cmd);
    let line = server.wait_for_line("server started on");
    let port = line.trim().rsplit(':').next().unwrap().parse().unwrap();
    (server, port)
}

fn session(port: u16, service_callback: bool) -> String {
    let port = port.to_string();
    let mut args = vec!["127.0.0.1", port.as_str()];
    if service_callback {
        args.push("--service-callback");
    }
    let output = run_python_script("wire/session_client.py", &args, DEADLINE);
    let stdout = expect_success("the rpyc client session", &output);
    assert!(stdout.contains("answer 42"), "{stdout}");
    assert!(stdout.contains("forwarded callback 42"), "{stdout}");
    assert!(stdout.contains("session OK"), "{stdout}");
    stdout
}

fn wire(args: &[&str], files: &[&Path]) -> Output {
    let mut cmd = oxrpc();
    cmd.arg("wire").args(args).args(files);
    run_with_deadline(cmd, DEADLINE)
}

fn stdout_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn replay(record: &Path, port: u16) -> Output {
    replay_with(record, port, &[])
}

/// `wire replay --to 127.0.0.1:PORT EXTRA... RECORDING`.
fn replay_with(record: &Path, port: u16, extra: &[&str]) -> Output {
    let to = format!("127.0.0.1:{port}");
    let mut args = vec!["replay", "--to", &to];
    args.extend(extra);
    wire(&args, &[record])
}

/// Asserts a decoded rpyc session shows the messages a Python client's
/// get_answer, exception and callback produce.
fn assert_rpyc_session_decoded(text: &str) {
    for needle in [
        "c2s ",
        "@0 request seq=0 HANDLE_GETROOT()",
        "reply seq=0 REMOTE_REF ('__main__.MyService', ",
        "request seq=2 HANDLE_GETATTR(obj, name)",
        "obj  = LOCAL_REF ('__main__.MyService', ",
        "name = VALUE 'get_answer'",
        "reply seq=2 REMOTE_REF ('builtins.method', ",
        "request seq=3 HANDLE_CALL(obj, args, kwargs)",
        "reply seq=3 VALUE 42",
        "name = VALUE 'the_real_answer_though'",
        "VALUE 43",
        "builtins.AttributeError",
        "args      = (\"cannot access 'get_question'\",)",
        "_remote_version='6.0.2'",
        "| AttributeError: cannot access 'get_question'",
        // The callback: the client hands over its function...
        "obj    = REMOTE_REF ('builtins.function', ",
        // ...and the server calls it back, over the same connection.
        "request seq=0 HANDLE_CALL(obj, args, kwargs)",
        "obj    = LOCAL_REF ('builtins.function', ",
        "HANDLE_CLOSE()",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    let callback = text
        .lines()
        .find(|l| l.contains("s2c") && l.contains("request seq=0 HANDLE_CALL"))
        .unwrap_or_else(|| panic!("no callback request from the server in:\n{text}"));
    assert!(callback.starts_with("[conn 1 s2c +"), "{callback}");
}

#[test]
fn rpyc_python_server_recorded_decoded_and_replayed() {
    let scratch = Scratch::new("python");
    let record = scratch.path("session.jsonl");
    let (_server, port) = python_myservice(None);
    let (_changed, changed_port) = python_myservice(Some(43));
    let (proxy, proxy_port) = proxy(port, "auto", &record);

    let stdout = session(proxy_port, true);
    assert!(stdout.contains("service callback 42"), "{stdout}");
    wait_closed(&proxy, 1);

    // Live: the proxy printed the conversation as it went.
    let live = proxy.text();
    assert!(live.contains("[conn 1 c2s +"), "{live}");
    assert!(live.contains("reply seq=3 VALUE 42"), "{live}");
    assert!(live.contains(" ms)"), "replies carry their latency: {live}");

    // The recording is versioned JSON lines.
    let text = std::fs::read_to_string(&record).unwrap();
    let header: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(header["format"], "oxrpc-wire-recording");
    assert_eq!(header["version"], 1);
    for line in text.lines().skip(1) {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(record["conn"], 1, "{line}");
        assert!(record["t_us"].is_u64(), "{line}");
    }

    // decode shows every message.
    let decoded = wire(&["decode"], &[&record]);
    let text = expect_success("wire decode", &decoded);
    assert_rpyc_session_decoded(&text);
    assert!(
        text.contains("request seq=10 HANDLE_CALL(obj, args, kwargs)"),
        "{text}"
    );
    assert!(
        text.contains("args   = TUPLE (REMOTE_REF ('builtins.function', "),
        "{text}"
    );
    assert!(text.contains("0 error(s)"), "{text}");

    // replay against the same server: nothing differs.
    let same = replay(&record, port);
    let out = expect_success("replay against the same server", &same);
    assert!(out.contains(", 0 difference(s)"), "{out}");
    assert!(!out.contains("- recorded"), "{out}");
    assert!(!out.contains("size budget"), "{out}");

    // A recording that ran out of its size budget says so when replayed:
    // what it lacks was not compared.
    let cut = scratch.path("cut.jsonl");
    std::fs::write(
        &cut,
        format!(
            "{}{{\"t_us\":9999999,\"event\":\"truncated\",\"max_bytes\":4096}}\n",
            std::fs::read_to_string(&record).unwrap()
        ),
    )
    .unwrap();
    let out = expect_success("replay of a cut recording", &replay(&cut, port));
    assert!(
        out.contains("stops at its size budget (4096 bytes, --max-record-size)"),
        "{out}"
    );

    // replay against a server whose get_answer returns 43: exactly that.
    let changed = replay(&record, changed_port);
    let out = stdout_of(&changed);
    assert_eq!(changed.status.code(), Some(1), "{out}");
    assert!(out.contains("conn 1: the reply value differs"), "{out}");
    assert!(
        out.contains("request seq=3 HANDLE_CALL(obj, args, kwargs)"),
        "{out}"
    );
    assert!(out.contains("- recorded: reply seq=3 VALUE 42"), "{out}");
    assert!(out.contains("+ replayed: reply seq=3 VALUE 43"), "{out}");
    assert!(
        out.contains("replay: 1 connection(s),") && out.contains(", 1 difference(s)"),
        "{out}"
    );
    assert_eq!(out.matches("- recorded:").count(), 1, "{out}");
}

#[test]
fn rpyc_oxrpc_server_recorded_decoded_and_replayed() {
    let scratch = Scratch::new("oxrpc");
    let record = scratch.path("session.jsonl");
    let (_server, port) = oxrpc_myservice();
    let (proxy, proxy_port) = proxy(port, "rpyc", &record);

    session(proxy_port, false);
    wait_closed(&proxy, 1);

    let decoded = wire(&["decode"], &[&record]);
    let text = expect_success("wire decode", &decoded);
    assert_rpyc_session_decoded(&text);
    // oxrpc's traceback text names the server.
    assert!(
        text.contains("| Traceback (most recent call last):"),
        "{text}"
    );

    let same = replay(&record, port);
    let out = expect_success("replay against the same server", &same);
    assert!(out.contains(", 0 difference(s)"), "{out}");

    // The same recording against a fresh server process: new object ids,
    // still nothing differs.
    let (_fresh, fresh_port) = oxrpc_myservice();
    let out = expect_success(
        "replay against a fresh server",
        &replay(&record, fresh_port),
    );
    assert!(out.contains(", 0 difference(s)"), "{out}");
}

#[test]
fn xmlrpc_exchange_through_the_proxy() {
    let scratch = Scratch::new("xmlrpc");
    let record = scratch.path("session.jsonl");
    let listed = scratch.path("listed");
    std::fs::create_dir_all(&listed).unwrap();
    for name in ["alpha.txt", "beta.txt"] {
        std::fs::write(listed.join(name), b"x").unwrap();
    }
    let mut cmd = oxrpc();
    cmd.args([
        "xmlrpc",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "-q",
    ]);
    let mut server = ChildGuard::spawn(cmd);
    let line = server.wait_for_line("ready on");
    let port: u16 = line
        .split("http://127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {line:?}"));
    let (proxy, proxy_port) = proxy(port, "xmlrpc", &record);

    let output = run_python_script(
        "wire/xmlrpc_session.py",
        &[
            &format!("http://127.0.0.1:{proxy_port}"),
            listed.to_str().unwrap(),
        ],
        DEADLINE,
    );
    let stdout = expect_success("the xmlrpc client session", &output);
    assert!(stdout.contains("['alpha.txt', 'beta.txt']"), "{stdout}");
    assert!(stdout.contains("session OK"), "{stdout}");
    wait_closed(&proxy, 1);

    let live = proxy.text();
    assert!(live.contains("POST /RPC2 HTTP/1.1"), "{live}");
    assert!(
        live.contains("methodCall list_contents (1 param)"),
        "{live}"
    );

    let decoded = wire(&["decode"], &[&record]);
    let text = expect_success("wire decode", &decoded);
    for needle in [
        "protocol xmlrpc",
        "[conn 1 c2s +",
        "methodCall list_contents (1 param)",
        &format!("[0] string '{}'", listed.display()),
        "HTTP/1.1 200 OK",
        "methodResponse",
        "array (2 items)",
        "string 'alpha.txt'",
        "methodResponse fault 1",
        "faultCode   int 1",
        "No such file or directory: '/no/such/dir'",
        "methodCall system.listMethods (0 params)",
        "string 'system.multicall'",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    assert!(text.contains("0 error(s)"), "{text}");

    let out = expect_success("xmlrpc replay", &replay(&record, port));
    assert!(
        out.contains("3 answer(s) compared, 0 difference(s)"),
        "{out}"
    );

    // Replayed against a server that answers otherwise (CPython's
    // reference server has no list_contents): the difference shows.
    let mut cmd = python_command();
    cmd.arg(interop_path("xmlrpc/reference_server.py"));
    let mut reference = ChildGuard::spawn(cmd);
    let line = reference.wait_for_line("ready");
    let reference_port: u16 = line.trim().rsplit(' ').next().unwrap().parse().unwrap();
    // CPython's server lists the directory and words the fault as oxrpc
    // does, closes the connection after every response (the replay opens
    // another), and has more methods: that is the one difference.
    let different = replay(&record, reference_port);
    let out = stdout_of(&different);
    assert_eq!(different.status.code(), Some(1), "{out}");
    assert!(
        out.contains("3 answer(s) compared, 1 difference(s)"),
        "{out}"
    );
    assert!(out.contains("conn 1: the response value differs"), "{out}");
    assert!(
        out.contains("methodCall system.listMethods (0 params)"),
        "{out}"
    );
    assert!(out.contains("string 'echo'"), "{out}");
}

/// What a decode of hostile input must do: exit 1 (not crash), and say
/// what is wrong and where.
fn assert_decode_error(args: &[&str], input: &Path, needles: &[&str]) -> String {
    let output = wire(&[&["decode"][..], args].concat(), &[input]);
    let text = stdout_of(&output);
    assert_eq!(
        output.status.code(),
        Some(1),
        "decode {args:?} must fail cleanly\nstdout:\n{text}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for needle in needles {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    text
}

fn frame(payload: &[u8], compressed: bool) -> Vec<u8> {
    let mut wire = (payload.len() as u32).to_be_bytes().to_vec();
    wire.push(u8::from(compressed));
    wire.extend_from_slice(payload);
    wire.push(b'\n');
    wire
}

const GETROOT: &[u8] = b"\x01\x11\x50\x11\x53\x11\x51\x02";

#[test]
fn decode_reports_hostile_input_with_offsets() {
    let scratch = Scratch::new("hostile");
    let write = |name: &str, bytes: &[u8]| {
        let path = scratch.path(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };

    // Good input first: raw bytes and hex text.
    let good = write("good.bin", &frame(GETROOT, false));
    let text = expect_success("decode", &wire(&["decode"], &[&good]));
    assert!(text.contains("@0 request seq=0 HANDLE_GETROOT()"), "{text}");
    let hex = write("good.hex", b"00000008 00\n0111501153115102 0a\n");
    let text = expect_success("decode --hex", &wire(&["decode", "--hex"], &[&hex]));
    assert!(text.contains("@0 request seq=0 HANDLE_GETROOT()"), "{text}");

    // Garbage: an impossible length in the first header.
    let garbage = write(
        "garbage.bin",
        b"\xde\xad\xbe\xef\x00 this is not rpyc at all",
    );
    assert_decode_error(
        &["--protocol", "rpyc"],
        &garbage,
        &["@0 error at byte 0: frame: announced length 3735928559 exceeds the limit of 67108864 bytes"],
    );

    // Oversized against a lowered limit, after a good frame: the good
    // frame still decodes, the error names the second frame's offset.
    let mut bytes = frame(GETROOT, false);
    bytes.extend_from_slice(&frame(&[0x02; 5000], false));
    let oversized = write("oversized.bin", &bytes);
    assert_decode_error(
        &["--max-frame-size", "1000"],
        &oversized,
        &[
            "@0 request seq=0 HANDLE_GETROOT()",
            "@14 error at byte 14: frame: announced length 5000 exceeds the limit of 1000 bytes",
        ],
    );

    // Truncated: a frame cut short by the end of the input.
    let mut bytes = frame(GETROOT, false);
    bytes.extend_from_slice(&frame(GETROOT, false)[..9]);
    let truncated = write("truncated.bin", &bytes);
    assert_decode_error(
        &[],
        &truncated,
        &["@14 error at byte 14: truncated frame: the header announces a 8-byte payload, the stream ends 4 byte(s) into it"],
    );

    // A zlib bomb: 64 MiB of zeros in about 64 KiB, inflated only up to the limit.
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..64 {
        encoder.write_all(&zeros).unwrap();
    }
    let bomb = encoder.finish().unwrap();
    assert!(bomb.len() < 200 * 1024, "{}", bomb.len());
    let mut bytes = frame(&bomb, true);
    bytes.extend_from_slice(&frame(GETROOT, false));
    let bombed = write("bomb.bin", &bytes);
    let text = assert_decode_error(
        &["--max-decompressed-size", "1048576"],
        &bombed,
        &["@0 error at byte 0: frame: decompressed payload exceeds the limit of 1048576 bytes"],
    );
    // The framing is intact: the frame after the bomb is decoded.
    assert!(text.contains("request seq=0 HANDLE_GETROOT()"), "{text}");

    // Bad brine inside a good frame spoils that frame only.
    let mut bytes = frame(b"\x01\x11\x50\x07", false);
    bytes.extend_from_slice(&frame(GETROOT, false));
    let bad_brine = write("brine.bin", &bytes);
    assert_decode_error(
        &[],
        &bad_brine,
        &[
            "@0 error: undecodable message: brine: unknown tag 0x07 at byte 2 (stream byte 8)",
            "@10 request seq=0 HANDLE_GETROOT()",
        ],
    );

    // Unknown message kind.
    let kind = write("kind.bin", &frame(b"\x09\x11\x50\x00", false));
    assert_decode_error(&[], &kind, &["invalid message type 9"]);

    // Hex text with a stray character.
    let bad_hex = write("bad.hex", b"0000 00zz");
    assert_decode_error(
        &["--hex"],
        &bad_hex,
        &["invalid character 'z' at byte 7 of the text"],
    );

    // XML-RPC: an HTTP body larger than the limit, and a broken document.
    let http = write(
        "big.http",
        b"POST /RPC2 HTTP/1.1\r\nContent-Length: 999999999999\r\n\r\n<?xml",
    );
    assert_decode_error(
        &[],
        &http,
        &["@0 error at byte 0: Content-Length 999999999999 exceeds the body limit"],
    );
    let broken = write(
        "broken.http",
        b"POST /RPC2 HTTP/1.1\r\nContent-Length: 27\r\n\r\n<methodCall><methodName>x</",
    );
    assert_decode_error(&["--protocol", "xmlrpc"], &broken, &["body at byte 43:"]);

    // A recording with a broken line says which line.
    let recording = write(
        "bad.jsonl",
        b"{\"format\":\"oxrpc-wire-recording\",\"version\":1,\"protocol\":\"rpyc\"}\n{\"conn\":1,\"dir\":\"c2s\",\"t_us\":1,\"hex\":\"0000000800011150115311510\"}\n",
    );
    assert_decode_error(
        &[],
        &recording,
        &["recording line 2: bad hex: hex input: odd number of hex digits"],
    );
    // ...and one from a newer format version is refused, not guessed at.
    let newer = write(
        "newer.jsonl",
        b"{\"format\":\"oxrpc-wire-recording\",\"version\":2}\n",
    );
    let output = wire(&["decode"], &[&newer]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("format version 2 is not supported"),
        "{stderr}"
    );
}

#[test]
fn proxy_reports_hostile_clients_and_keeps_serving() {
    let scratch = Scratch::new("proxy-hostile");
    let record = scratch.path("session.jsonl");
    let (_server, port) = oxrpc_myservice();
    let (proxy, proxy_port) = proxy(port, "rpyc", &record);
    let send = |bytes: &[u8]| {
        let mut s = TcpStream::connect(("127.0.0.1", proxy_port)).unwrap();
        s.write_all(bytes).unwrap();
        let _ = s.shutdown(std::net::Shutdown::Write);
        // Read until the server (through the proxy) closes, whatever it says.
        s.set_read_timeout(Some(DEADLINE)).unwrap();
        let _ = std::io::Read::read_to_end(&mut s, &mut Vec::new());
    };
    // 1: garbage, 2: an oversized frame, 3: a truncated frame, 4: bad brine.
    send(b"\xde\xad\xbe\xef\x00garbage");
    send(&[0x7f, 0xff, 0xff, 0xff, 0x00]);
    send(&frame(GETROOT, false)[..9]);
    send(&frame(b"\x01\x11\x50\x07", false));
    for conn in 1..=4 {
        wait_closed(&proxy, conn);
    }
    // 5: a real client, after all that.
    session(proxy_port, false);
    wait_closed(&proxy, 5);

    let live = proxy.text();
    for needle in [
        "[conn 1 c2s +",
        "@0 error at byte 0: frame: announced length 3735928559 exceeds the limit of 67108864 bytes",
        "@0 error at byte 0: frame: announced length 2147483647 exceeds the limit",
        "@0 error at byte 0: truncated frame: the header announces a 8-byte payload",
        "@0 error: undecodable message: brine: unknown tag 0x07",
    ] {
        assert!(live.contains(needle), "missing {needle:?} in:\n{live}");
    }
    let after = live
        .split("[conn 5 ")
        .skip(1)
        .collect::<Vec<_>>()
        .join("[conn 5 ");
    assert!(after.contains("reply seq=3 VALUE 42"), "{live}");

    // The recording holds all five connections, and the hostile ones
    // decode to the same errors.
    let decoded = wire(&["decode"], &[&record]);
    assert_eq!(decoded.status.code(), Some(1));
    let text = stdout_of(&decoded);
    assert!(text.contains("[conn 5 c2s +"), "{text}");
    assert!(text.contains("truncated frame"), "{text}");
    assert!(text.contains("4 error(s)"), "{text}");

    // The hostile connections cannot be replayed; the real one still is,
    // alone (--conn 5) or with the others named as skipped.
    let replayed = replay_with(&record, port, &["--conn", "5"]);
    let text = stdout_of(&replayed);
    assert!(text.contains("replay: 1 connection(s), "), "{text}");
    assert!(text.contains(", 0 difference(s)"), "{text}");
    let replayed = replay_with(&record, port, &[]);
    let text = stdout_of(&replayed);
    assert!(text.contains("conn 1: not replayed: "), "{text}");
    assert!(
        text.contains("replay: 1 connection(s) (4 more not replayable)"),
        "{text}"
    );
    let refused = replay_with(&record, port, &["--conn", "1"]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("conn 1 cannot be replayed"), "{stderr}");
}

#[test]
fn proxy_to_an_unreachable_server_says_so_and_goes_on() {
    let scratch = Scratch::new("unreachable");
    let record = scratch.path("session.jsonl");
    // A port nothing listens on (bound, then released).
    let dead = oxrpc_testkit::free_port();
    let (proxy, proxy_port) = proxy(dead, "rpyc", &record);
    for _ in 0..2 {
        let mut s = TcpStream::connect(("127.0.0.1", proxy_port)).unwrap();
        s.set_read_timeout(Some(DEADLINE)).unwrap();
        let mut rest = Vec::new();
        let _ = std::io::Read::read_to_end(&mut s, &mut rest);
        assert!(rest.is_empty());
    }
    wait_closed(&proxy, 2);
    let live = proxy.text();
    assert!(
        live.contains(&format!("closed: cannot connect to 127.0.0.1:{dead}")),
        "{live}"
    );
    let text = std::fs::read_to_string(&record).unwrap();
    assert_eq!(text.matches("\"event\":\"close\"").count(), 2, "{text}");
    assert!(text.contains("\"error\":\"cannot connect to"), "{text}");
}

/// A proxy whose standard output nobody reads (`| less`, not scrolled)
/// still forwards: what the display cannot take is left out and counted,
/// and the count is said once output flows again.
#[test]
fn a_stalled_display_never_holds_the_traffic_up() {
    let (_server, port) = python_myservice(None);
    let mut cmd = oxrpc();
    cmd.args(["wire", "proxy", "--listen", "127.0.0.1:0"])
        .args(["--to", &format!("127.0.0.1:{port}")])
        .stdin(Stdio::null())
        .stdout(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let proxy_port: u16 = first
        .split("listening on 127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {first:?}"));
    // Nothing reads the proxy's output now: 3,000 calls print far more
    // than a pipe and the proxy's queue hold.
    let code = format!(
        "import rpyc\n\
         c = rpyc.connect('127.0.0.1', {proxy_port}, config={{'sync_request_timeout': 20}})\n\
         print(sum(c.root.get_answer() for _ in range(3000)))"
    );
    let mut python = python_command();
    python.args(["-c", &code]);
    let out = run_with_deadline(python, Duration::from_secs(300));
    assert_eq!(
        expect_success("calls through the proxy", &out).trim(),
        "126000"
    );
    // Reading again: the proxy says how much it left out.
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        for line in stdout.lines() {
            let Ok(line) = line else { break };
            let done = line.contains("lines not shown");
            text.push_str(&line);
            text.push('\n');
            if done {
                break;
            }
        }
        text
    });
    // One more connection gives the printer something to print.
    let mut python = python_command();
    python.args([
        "-c",
        &format!("import rpyc; print(rpyc.connect('127.0.0.1', {proxy_port}).root.get_answer())"),
    ]);
    expect_success(
        "one more call",
        &run_with_deadline(python, Duration::from_secs(60)),
    );
    let started = Instant::now();
    while !reader.is_finished() {
        assert!(started.elapsed() < DEADLINE, "no 'lines not shown' note");
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    let text = reader.join().unwrap();
    assert!(
        text.contains("lines not shown: standard output was not keeping up"),
        "{text}"
    );
}
