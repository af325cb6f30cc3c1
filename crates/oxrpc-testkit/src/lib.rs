//! Helpers shared by the oxrpc test suites.
//!
//! Interoperability is the product, so most tests drive a real Python peer
//! (CPython's `xmlrpc`, `rpyc` 6.0.2). Those peers live in the venv that
//! `scripts/python-env` builds from `tests/interop/requirements.txt`. A test
//! that cannot find them fails with a message saying how to install them: a
//! missing peer must never turn into a silently skipped test.
// A test helper: failing loudly is its job, and nothing here faces a peer.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

mod ports;
pub use ports::{free_port, loopback, wait_for_port};

/// Leaves a stale Unix socket file at `path`, as a crashed server does:
/// the file stays, nobody answers. Returns once a connect is refused: a
/// child another test forks meanwhile holds a copy of the listener until
/// it execs, and a connect would reach that copy.
pub fn stale_unix_socket(path: &std::path::Path) {
    drop(std::os::unix::net::UnixListener::bind(path).unwrap());
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::os::unix::net::UnixStream::connect(path).is_ok() {
        assert!(
            Instant::now() < deadline,
            "{} still answers after its listener closed",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The workspace root (the directory holding the top-level `Cargo.toml`).
///
/// Found at run time, from the package directory cargo runs the test in
/// (`CARGO_MANIFEST_DIR` in the test's environment, else the working
/// directory): cargo reuses compiled test binaries across checkouts of the
/// same workspace, so a path baked in at compile time may name another
/// checkout.
pub fn workspace_root() -> PathBuf {
    let start = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::current_dir().ok())
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    start
        .ancestors()
        .find(|dir| dir.join("tests/interop").is_dir() && dir.join("Cargo.toml").is_file())
        .expect("the tests run inside the oxrpc workspace (no tests/interop above them)") // ok: test helper, not on a peer path
        .to_path_buf()
}

/// A file under `tests/interop/`.
pub fn interop_path(relative: &str) -> PathBuf {
    workspace_root().join("tests/interop").join(relative)
}

/// A file under `tests/golden/`.
pub fn golden_path(relative: &str) -> PathBuf {
    workspace_root().join("tests/golden").join(relative)
}

/// Every document of the XML-RPC golden vectors CPython wrote or read
/// (`tests/golden/xmlrpc/vectors.json`), the `params` fragments wrapped in
/// a call to `m`: seeds for mutation tests.
pub fn xmlrpc_golden_documents() -> Vec<Vec<u8>> {
    let path = golden_path("xmlrpc/vectors.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())); // ok: test helper
    let json: serde_json::Value = serde_json::from_str(&text).expect("the golden vectors are JSON"); // ok: test helper
    let mut documents = Vec::new();
    for group in ["dumps", "loads", "refused"] {
        for vector in json[group].as_array().into_iter().flatten() {
            let Some(xml) = vector["xml"].as_str() else {
                continue;
            };
            let xml = if vector["kind"] == "params" {
                format!("<methodCall><methodName>m</methodName>{xml}</methodCall>")
            } else {
                xml.to_owned()
            };
            documents.push(xml.into_bytes());
        }
    }
    documents
}

/// The XML-RPC markup mutation tests splice into documents: every
/// container's tags, the common scalars, a reference, a namespace prefix and
/// a CRLF. Each test adds the tokens aimed at what it checks.
pub const XMLRPC_MARKUP_TOKENS: &[&[u8]] = &[
    b"<value>",
    b"</value>",
    b"<array><data>",
    b"</data></array>",
    b"<struct>",
    b"</struct>",
    b"<member>",
    b"</member>",
    b"<name>",
    b"</name>",
    b"<int>",
    b"<i8>",
    b"<double>",
    b"<base64>",
    b"<nil/>",
    b"&amp;",
    b"&#",
    b"ex:",
    b"\r\n",
];

/// The Python interpreter holding the pinned peers.
///
/// `OXRPC_PYTHON` wins when set; otherwise the workspace's `.venv`. Panics with
/// instructions when neither exists, so a missing peer fails the test.
pub fn python() -> PathBuf {
    if let Some(path) = std::env::var_os("OXRPC_PYTHON") {
        let path = PathBuf::from(path);
        assert!(
            path.exists(),
            "OXRPC_PYTHON={} does not exist; run scripts/python-env",
            path.display()
        );
        return path;
    }
    let venv = workspace_root().join(".venv/bin/python");
    assert!(
        venv.exists(),
        "the pinned Python peers are missing: run `scripts/python-env` (or `scripts/test`, \
         which does it) to create {}",
        venv.display()
    );
    venv
}

/// A `Command` running the pinned Python with unbuffered output.
pub fn python_command() -> Command {
    let mut cmd = Command::new(python());
    cmd.env("PYTHONUNBUFFERED", "1")
        .env("PYTHONDONTWRITEBYTECODE", "1");
    cmd
}

/// Python's `rpyc_classic` (rpyc 6.0.2's classic server) as a command,
/// for the caller to add its options (`-q`, `-p PORT`, `--register`, ...).
pub fn rpyc_classic_command() -> Command {
    rpyc_classic_with(python_command())
}

/// Python's `rpyc_classic` (rpyc 6.0.2's classic server, quiet) on
/// `port`, accepting connections.
pub fn spawn_rpyc_classic(port: u16) -> ChildGuard {
    let mut cmd = rpyc_classic_command();
    cmd.args(["-q", "-p", &port.to_string()]);
    ChildGuard::spawn_listening(cmd, port, Duration::from_secs(30))
}

/// [`rpyc_classic_command`] run by `python`, a command for an interpreter
/// other than the venv's (the caller puts rpyc on its path).
pub fn rpyc_classic_with(mut python: Command) -> Command {
    python.args([
        "-c",
        "import sys; from rpyc.cli.rpyc_classic import main; sys.argv[0] = 'rpyc_classic'; main()",
    ]);
    python
}

/// Runs a Python script from `tests/interop/` to completion with a deadline.
///
/// Returns the captured output; panics if the deadline passes.
pub fn run_python_script(script: &str, args: &[&str], deadline: Duration) -> Output {
    let mut cmd = python_command();
    cmd.arg(interop_path(script)).args(args);
    run_with_deadline(cmd, deadline)
}

/// Runs `cmd` to completion, killing it and panicking after `deadline`.
pub fn run_with_deadline(mut cmd: Command, deadline: Duration) -> Output {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}"));
    let mut stdout = child.stdout.take().expect("piped"); // ok: test helper, not on a peer path
    let mut stderr = child.stderr.take().expect("piped"); // ok: test helper, not on a peer path
    let out_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        buf
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr.read_to_end(&mut buf);
        buf
    });
    let started = Instant::now();
    let status = loop {
        let exited = child.try_wait().expect("wait"); // ok: test helper, not on a peer path
        if let Some(status) = exited {
            break status;
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            let out = out_reader.join().unwrap_or_default();
            let err = err_reader.join().unwrap_or_default();
            panic!(
                "{cmd:?} still running after {deadline:?}\nstdout:\n{}\nstderr:\n{}",
                String::from_utf8_lossy(&out),
                String::from_utf8_lossy(&err)
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Output {
        status,
        stdout: out_reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
    }
}

/// Panics with both streams unless `output` is a success; returns stdout.
pub fn expect_success(what: &str, output: &Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{what} failed ({})\nstdout:\n{stdout}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// Panics unless `checked_in`, the text of the generated file `file`
/// (relative to the workspace), is what `tests/golden/GENERATOR --print`
/// writes with the pinned Python now.
pub fn assert_generated_by_python(generator: &str, file: &str, checked_in: &str) {
    let mut generate = python_command();
    generate.arg(golden_path(generator)).arg("--print");
    let output = run_with_deadline(generate, Duration::from_secs(120));
    let generated = expect_success(&format!("{generator} --print"), &output);
    assert!(
        generated == checked_in,
        "{file} is stale: run .venv/bin/python tests/golden/{generator}"
    );
}

/// Runs a differential driver (`tests/interop/differential/DRIVER`) with
/// the peers at `reference` and `candidate` (`HOST:PORT`) and panics unless
/// it saw no difference. `OXRPC_DIFF_EXAMPLES` sets the examples per
/// property (`default_examples` without it); `OXRPC_DIFF_SEED` a seed, for
/// runs that explore other examples than the suite's (without it the run
/// is derandomized, the same every time).
pub fn run_differential(
    driver: &str,
    reference: &str,
    candidate: &str,
    default_examples: u32,
    deadline: Duration,
) {
    run_differential_with(
        driver,
        reference,
        candidate,
        default_examples,
        deadline,
        &[],
    );
}

/// [`run_differential`] with more of the driver's options: `--strict`
/// turns its allow-list off, for a candidate that runs the same
/// interpreter as the reference, where every difference is the
/// candidate's.
pub fn run_differential_with(
    driver: &str,
    reference: &str,
    candidate: &str,
    default_examples: u32,
    deadline: Duration,
    options: &[&str],
) {
    let examples =
        std::env::var("OXRPC_DIFF_EXAMPLES").unwrap_or_else(|_| default_examples.to_string());
    let mut args = vec![
        "--reference",
        reference,
        "--candidate",
        candidate,
        "--examples",
        &examples,
    ];
    let seed = std::env::var("OXRPC_DIFF_SEED").ok();
    if let Some(seed) = &seed {
        args.extend(["--seed", seed.as_str()]);
    }
    args.extend(options);
    let output = run_python_script(&format!("differential/{driver}"), &args, deadline);
    let stdout = expect_success(driver, &output);
    // Shown with `--nocapture`: what ran, and how many examples each.
    println!("{stdout}");
    assert!(stdout.contains(" 0 failed"), "{stdout}");
}

/// Whether an RPyC server gave up on `stream`: the stream ends (or fails)
/// having carried at most a short HANDLE_CLOSE request, which rpyc sends
/// when it closes a connection, and never an answer. Reads until the end or
/// the stream's read timeout.
pub fn rpyc_gave_up(stream: &mut TcpStream) -> bool {
    let mut back = Vec::new();
    let _ = stream.take(4096).read_to_end(&mut back);
    back.len() < 64
}

/// A field of `/proc/PID/status` as written there (`VmRSS:` gives
/// `"1234 kB"`, `SigIgn:` a hex mask).
pub fn proc_status(pid: u32, field: &str) -> String {
    let path = format!("/proc/{pid}/status");
    let status =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}")); // ok: test helper
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .map(|v| v.trim().to_owned())
        .unwrap_or_else(|| panic!("no {field} in {path}")) // ok: test helper
}

/// A memory field of `/proc/PID/status` (`VmRSS:`, `VmHWM:`), in KiB.
pub fn proc_status_kib(pid: u32, field: &str) -> u64 {
    let value = proc_status(pid, field);
    value
        .split_whitespace()
        .next()
        .and_then(|kib| kib.parse().ok())
        .unwrap_or_else(|| panic!("{field} is not a size: {value}")) // ok: test helper
}

/// A child process killed when dropped, so a failing test leaves no server behind.
pub struct ChildGuard {
    child: Child,
    /// What the child printed on stdout, line by line, as far as read so far.
    lines: Option<BufReader<std::process::ChildStdout>>,
}

impl ChildGuard {
    /// Spawns `cmd` with piped stdout (stderr inherited, so it shows in test output).
    pub fn spawn(mut cmd: Command) -> ChildGuard {
        cmd.stdin(Stdio::null()).stdout(Stdio::piped());
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}"));
        let lines = child.stdout.take().map(BufReader::new);
        ChildGuard { child, lines }
    }

    /// Spawns `cmd`, a server told to listen on `port`, and waits until it
    /// accepts connections on [`loopback`]`(port)`. Fails at once if the
    /// server exits first, saying so, and after `deadline` if it is still
    /// running but not listening.
    pub fn spawn_listening(cmd: Command, port: u16, deadline: Duration) -> ChildGuard {
        let program = cmd.get_program().to_string_lossy().into_owned();
        let mut guard = ChildGuard::spawn(cmd);
        let addr = loopback(port);
        let started = Instant::now();
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            if let Ok(Some(status)) = guard.child.try_wait() {
                panic!("{program} exited ({status}) before listening on {addr}");
            }
            assert!(
                started.elapsed() < deadline,
                "{program} is running but not listening on {addr} after {deadline:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        guard
    }

    /// Reads stdout lines until one contains `needle`; returns that line.
    pub fn wait_for_line(&mut self, needle: &str) -> String {
        let reader = self.lines.as_mut().expect("stdout is piped"); // ok: test helper, not on a peer path
        let mut line = String::new();
        loop {
            line.clear();
            let n = reader.read_line(&mut line).expect("read child stdout"); // ok: test helper, not on a peer path
            assert!(n > 0, "child exited before printing {needle:?}");
            if line.contains(needle) {
                return line;
            }
        }
    }

    /// Reads stdout up to the line containing `needle` (`"ready 8000"`,
    /// `"PORT 8000"`) and returns the port that ends it.
    pub fn announced_port(&mut self, needle: &str) -> u16 {
        let line = self.wait_for_line(needle);
        line.trim()
            .rsplit(' ')
            .next()
            .and_then(|port| port.parse().ok())
            .unwrap_or_else(|| panic!("no port at the end of {line:?}"))
    }

    /// Reads stdout up to the server's "ready" line and returns the
    /// `http://` URL it announces, without the trailing slash.
    pub fn wait_for_url(&mut self) -> String {
        let line = self.wait_for_line("ready");
        line.split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in the ready line {line:?}"))
            .trim_end_matches('/')
            .to_owned()
    }

    /// Whether the child has exited (and is reaped).
    pub fn has_exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }

    /// The child's process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A small, deterministic mutation fuzzer for the CI smoke runs (the long
/// runs use libFuzzer, see `fuzz/`). Mutates `seeds` with bit flips,
/// insertions and deletions, splices of `dictionary` tokens and
/// truncations; calls `target` on each input until `budget` runs out; and
/// reports a panicking input in hex. Returns how many inputs ran.
pub fn fuzz_smoke(
    name: &str,
    seeds: &[Vec<u8>],
    dictionary: &[&[u8]],
    budget: Duration,
    mut target: impl FnMut(&[u8]),
) -> u64 {
    assert!(!seeds.is_empty(), "{name}: no seeds");
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15 ^ name.len() as u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let started = Instant::now();
    let mut runs = 0u64;
    while started.elapsed() < budget {
        let seed = &seeds[(next() as usize) % seeds.len()];
        let mut input = seed.clone();
        for _ in 0..1 + next() % 8 {
            let len = input.len().max(1);
            let at = (next() as usize) % len;
            match next() % 6 {
                0 if !input.is_empty() => {
                    let i = at % input.len();
                    input[i] ^= 1 << (next() % 8);
                }
                1 => input.insert(at.min(input.len()), next() as u8),
                2 if !input.is_empty() => {
                    input.remove(at % input.len());
                }
                3 if !dictionary.is_empty() => {
                    let token = dictionary[(next() as usize) % dictionary.len()];
                    let at = at.min(input.len());
                    input.splice(at..at, token.iter().copied());
                }
                4 => input.truncate(at),
                _ => {
                    // Duplicate a slice: grows nesting and repetition.
                    let end = (at + 1 + (next() as usize) % 64).min(input.len());
                    let start = at.min(end);
                    let chunk = input[start..end].to_vec();
                    input.splice(start..start, chunk);
                }
            }
        }
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| target(&input)));
        if outcome.is_err() {
            let hex: String = input.iter().map(|b| format!("{b:02x}")).collect();
            panic!("{name}: panic on input {hex}");
        }
        runs += 1;
    }
    eprintln!("{name}: {runs} inputs in {:?}, no panic", started.elapsed());
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[should_panic(expected = "exited (exit status: 3) before listening on 127.0.0.1:")]
    fn a_server_that_exits_is_reported_at_once() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "exit 3"]);
        ChildGuard::spawn_listening(cmd, free_port(), Duration::from_secs(600));
    }

    #[test]
    fn a_listening_server_is_waited_for() {
        let port = free_port();
        let mut cmd = python_command();
        cmd.args([
            "-c",
            &format!(
                "import socket, time; time.sleep(0.5); s = socket.socket(); \
                 s.bind(('127.0.0.1', {port})); s.listen(); time.sleep(60)"
            ),
        ]);
        let mut server = ChildGuard::spawn_listening(cmd, port, Duration::from_secs(60));
        assert!(TcpStream::connect(loopback(port)).is_ok());
        assert!(!server.has_exited());
    }
}
