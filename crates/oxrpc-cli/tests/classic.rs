//! Classic mode: the notebook's classic scripts, unmodified, against
//! `oxrpc classic serve` and against Python's `rpyc_classic`; deep
//! semantics driven by rpyc's classic client against both; and oxrpc's Rust
//! classic client and CLI against both.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

mod common;

use oxrpc_testkit::{
    expect_success, free_port, loopback, python_command, rpyc_classic_command, run_python_script,
    run_with_deadline, spawn_rpyc_classic, ChildGuard,
};
use std::process::{Command, Output};
use std::time::Duration;

fn oxrpc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_oxrpc"))
}

fn seed_script(name: &str) -> Output {
    let mut cmd = python_command();
    cmd.current_dir(oxrpc_testkit::interop_path("classic"))
        .args([name, "localhost"]);
    run_with_deadline(cmd, Duration::from_secs(120))
}

fn stdout(output: &Output, what: &str) -> String {
    expect_success(what, output)
}

/// The notebook's three classic scripts against both servers on the
/// notebook's port 18812, one server after the other.
#[test]
fn seed_classic_scripts_print_the_same_against_both_servers() {
    let scripts = ["rpyc_modules.py", "rpyc_variables.py", "rpyc_fib.py"];
    let python = spawn_rpyc_classic(18812);
    let reference: Vec<String> = scripts.iter().map(|s| stdout(&seed_script(s), s)).collect();
    drop(python);
    for _ in 0..200 {
        if std::net::TcpStream::connect_timeout(&loopback(18812), Duration::from_millis(50))
            .is_err()
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    let _ours = common::oxrpc_classic(18812, &[]);
    let got: Vec<String> = scripts.iter().map(|s| stdout(&seed_script(s), s)).collect();

    // rpyc_modules.py prints sys.version (RustPython's on our side), then os.name.
    assert!(got[0].contains("RustPython"), "{}", got[0]);
    assert_eq!(got[0].lines().last(), reference[0].lines().last());
    assert_eq!(got[0].lines().last(), Some("Name:  posix"));
    // The other two print exactly the same.
    assert_eq!(got[1], reference[1]);
    assert_eq!(got[2], reference[2]);
    assert_eq!(
        got[1].lines().collect::<Vec<_>>(),
        [
            "42",
            "{'Foo': 11, 'Bar': 42}",
            "11",
            "{'Foo': 11, 'Bar': 100}",
            "{'Foo': 11, 'Bar': 100}"
        ]
    );
    assert_eq!(
        got[2].lines().collect::<Vec<_>>(),
        ["[1]", "[1, 1]", "[1, 1, 2, 3, 5]"]
    );
}

/// Exceptions, callbacks, generators, `with`, slicing, comparisons, big
/// values, async requests, 20 concurrent isolated connections, netref
/// release: the same checks pass against rpyc_classic and against ours.
#[test]
fn classic_semantics_match_rpyc_classic() {
    let python_port = free_port();
    let _python = spawn_rpyc_classic(python_port);
    let output = run_python_script(
        "classic/classic_checks.py",
        &[&python_port.to_string()],
        Duration::from_secs(300),
    );
    let reference = expect_success("classic_checks.py against rpyc_classic", &output);

    let port = free_port();
    let _ours = common::oxrpc_classic(port, &[]);
    let output = run_python_script(
        "classic/classic_checks.py",
        &[&port.to_string()],
        Duration::from_secs(300),
    );
    let got = expect_success("classic_checks.py against oxrpc classic", &output);
    assert!(got.contains("checks passed"), "{got}");
    assert_eq!(got.trim(), reference.trim());
}

/// oxrpc's Rust classic client runs the notebook's three flows against
/// both servers.
#[test]
fn rust_classic_client_against_both_servers() {
    let python_port = free_port();
    let _python = spawn_rpyc_classic(python_port);
    let port = free_port();
    let _ours = common::oxrpc_classic(port, &[]);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    for (server, port) in [("rpyc_classic", python_port), ("oxrpc", port)] {
        runtime.block_on(async {
            let conn = oxrpc::rpyc::classic::connect_port("localhost", port)
                .await
                .unwrap();
            // rpyc_modules: sys.version and os.name.
            let sys = conn.modules("sys").await.unwrap();
            let version: String = sys.getattr("version").await.unwrap().extract().unwrap();
            assert!(!version.is_empty(), "{server}");
            let os = conn.modules("os").await.unwrap();
            let name: String = os.getattr("name").await.unwrap().extract().unwrap();
            assert_eq!(name, "posix", "{server}");

            // rpyc_variables.
            conn.execute("x = 21").await.unwrap();
            conn.execute("x *= 2").await.unwrap();
            let x: i64 = conn.eval("x").await.unwrap().extract().unwrap();
            assert_eq!(x, 42, "{server}");
            conn.execute("scores = { \"Foo\" : 10 }").await.unwrap();
            conn.execute("scores[\"Foo\"] += 1").await.unwrap();
            conn.execute("scores[\"Bar\"] = 42").await.unwrap();
            let scores = conn
                .eval("scores")
                .await
                .unwrap()
                .as_proxy()
                .cloned()
                .unwrap();
            assert_eq!(
                scores.str().await.unwrap(),
                "{'Foo': 11, 'Bar': 42}",
                "{server}"
            );
            let foo: i64 = scores.getitem("Foo").await.unwrap().extract().unwrap();
            assert_eq!(foo, 11);
            let namespace = conn.namespace().await.unwrap();
            let remote_scores = namespace
                .getitem("scores")
                .await
                .unwrap()
                .as_proxy()
                .cloned()
                .unwrap();
            let bar: i64 = remote_scores
                .getitem("Bar")
                .await
                .unwrap()
                .extract()
                .unwrap();
            remote_scores
                .call::<oxrpc::rpyc::Value>("__setitem__", ("Bar", bar + 58))
                .await
                .unwrap();
            let again = conn
                .eval("scores")
                .await
                .unwrap()
                .as_proxy()
                .cloned()
                .unwrap();
            assert_eq!(
                again.str().await.unwrap(),
                "{'Foo': 11, 'Bar': 100}",
                "{server}"
            );

            // The remote fib.
            let code =
                std::fs::read_to_string(oxrpc_testkit::interop_path("classic/rpyc_remote_code.py"))
                    .unwrap();
            conn.execute(&code).await.unwrap();
            let fib = namespace
                .getitem("fib")
                .await
                .unwrap()
                .as_proxy()
                .cloned()
                .unwrap();
            let five: oxrpc::rpyc::Proxy = fib.invoke((5,)).await.unwrap();
            assert_eq!(five.str().await.unwrap(), "[1, 1, 2, 3, 5]", "{server}");
            let items = five.to_vec().await.unwrap();
            let items: Vec<i64> = items.into_iter().map(|v| v.extract().unwrap()).collect();
            assert_eq!(items, [1, 1, 2, 3, 5]);

            // Exceptions come back typed.
            let err = conn
                .eval("1/0")
                .await
                .unwrap_err()
                .remote()
                .cloned()
                .unwrap();
            assert_eq!(err.name, "ZeroDivisionError", "{server}");

            // Files both ways.
            let path = format!("/tmp/oxrpc-classic-{server}-{}", std::process::id());
            let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
            conn.upload(&data, &path).await.unwrap();
            assert_eq!(conn.download(&path).await.unwrap(), data, "{server}");
            let _ = std::fs::remove_file(&path);
            conn.close().await;
        });
    }
}

/// `oxrpc classic ARGS...`, run to its end.
fn classic_cli(args: &[&str]) -> Output {
    let mut cmd = oxrpc();
    cmd.args(["classic"]).args(args);
    run_with_deadline(cmd, Duration::from_secs(60))
}

/// The CLI's classic client commands against rpyc_classic.
#[test]
fn classic_cli_against_rpyc_classic() {
    let port = free_port();
    let _python = spawn_rpyc_classic(port);
    let host = format!("localhost:{port}");
    let run = classic_cli;
    let out = run(&["eval", &host, "6 * 7"]);
    assert_eq!(expect_success("eval", &out).trim(), "42");
    // An expression may start with '-', options may follow it.
    let out = run(&["eval", &host, "-2**64", "--timeout", "30"]);
    assert_eq!(expect_success("eval", &out).trim(), "-18446744073709551616");
    let script = std::env::temp_dir().join(format!("oxrpc-exec-{}.py", std::process::id()));
    std::fs::write(
        &script,
        "import os\nwith open('/tmp/oxrpc-exec-marker', 'w') as f:\n    f.write('hi')\n",
    )
    .unwrap();
    expect_success("exec", &run(&["exec", &host, script.to_str().unwrap()]));
    let local = std::env::temp_dir().join(format!("oxrpc-download-{}", std::process::id()));
    expect_success(
        "download",
        &run(&[
            "download",
            &host,
            "/tmp/oxrpc-exec-marker",
            local.to_str().unwrap(),
        ]),
    );
    assert_eq!(std::fs::read_to_string(&local).unwrap(), "hi");
    expect_success(
        "upload",
        &run(&[
            "upload",
            &host,
            script.to_str().unwrap(),
            "/tmp/oxrpc-uploaded.py",
        ]),
    );
    let out = run(&[
        "eval",
        &host,
        "open('/tmp/oxrpc-uploaded.py').read().count('\\n')",
    ]);
    assert_eq!(expect_success("eval", &out).trim(), "3");
    // A result past the client's limits ends the connection, and the
    // error says which limit, not only that it closed.
    let out = run(&["eval", &host, "tuple(range(1100000))"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr
            .lines()
            .last()
            .unwrap_or_default()
            .contains("more than 1048576 values"),
        "{stderr}"
    );
    // A directory goes whole, both ways, as rpyc.classic's upload and
    // download copy one.
    let id = std::process::id();
    let tree = std::env::temp_dir().join(format!("oxrpc-tree-{id}"));
    std::fs::create_dir_all(tree.join("sub/deeper")).unwrap();
    std::fs::write(tree.join("top.txt"), b"top").unwrap();
    std::fs::write(tree.join("sub/deeper/bytes.bin"), [0u8, 255, 10, 13]).unwrap();
    let remote_tree = format!("/tmp/oxrpc-remote-tree-{id}");
    expect_success(
        "upload a directory",
        &run(&["upload", &host, tree.to_str().unwrap(), &remote_tree]),
    );
    let listing = run(&[
        "eval",
        &host,
        &format!("sorted(p[len({remote_tree:?}):] for p, _, _ in __import__('os').walk({remote_tree:?}))"),
    ]);
    assert_eq!(
        expect_success("walk", &listing).trim(),
        "['', '/sub', '/sub/deeper']"
    );
    let back = std::env::temp_dir().join(format!("oxrpc-tree-back-{id}"));
    expect_success(
        "download a directory",
        &run(&["download", &host, &remote_tree, back.to_str().unwrap()]),
    );
    assert_eq!(std::fs::read(back.join("top.txt")).unwrap(), b"top");
    assert_eq!(
        std::fs::read(back.join("sub/deeper/bytes.bin")).unwrap(),
        [0u8, 255, 10, 13]
    );
    // A local path that cannot be read is named in the message.
    let missing = tree.join("missing.txt");
    let out = run(&["upload", &host, missing.to_str().unwrap(), "/tmp/x"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.txt"));
    let out = run(&["exec", &host, missing.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.txt"));
    // A name that is not UTF-8 stops the upload, as rpyc's stops with a
    // UnicodeEncodeError, instead of arriving under another name.
    let odd = tree.join("odd");
    std::fs::create_dir_all(&odd).unwrap();
    std::fs::write(
        odd.join(<std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(b"bad\xffname")),
        b"x",
    )
    .unwrap();
    let out = run(&[
        "upload",
        &host,
        odd.to_str().unwrap(),
        &format!("{remote_tree}-odd"),
    ]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not UTF-8"), "{stderr}");
    let remote_odd = format!("{remote_tree}-odd");
    for dir in [
        &tree,
        &back,
        std::path::Path::new(&remote_tree),
        std::path::Path::new(&remote_odd),
    ] {
        let _ = std::fs::remove_dir_all(dir);
    }
    // A remote exception is summed up as Python's str() of it.
    for (expression, summary) in [
        (
            "open('/nonexistent/x')",
            "FileNotFoundError: [Errno 2] No such file or directory: '/nonexistent/x'\n",
        ),
        (
            "import os",
            "SyntaxError: invalid syntax (<string>, line 1)\n",
        ),
    ] {
        let out = run(&["eval", &host, expression]);
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(summary), "{stderr}");
    }
    // Tuples holding remote objects print as the Python prompt shows them
    // (each item's repr, asked of the server), and a repr that fails fails
    // the command as it raises in Python.
    for expression in [
        "(1, [2])",
        "((1, [2]), 3)",
        "([],)",
        "(1, {'a': [1]}, 'x', None)",
    ] {
        let mut python = python_command();
        python.args(["-c", &format!("print(repr({expression}))")]);
        let expected = run_with_deadline(python, Duration::from_secs(60));
        let expected = expect_success("python", &expected).trim().to_owned();
        let out = run(&["eval", &host, expression]);
        assert_eq!(expect_success(expression, &out).trim(), expected);
    }
    let out = run(&[
        "eval",
        &host,
        "type('Bad', (), {'__repr__': lambda s: 1/0, '__module__': 'probe'})()",
    ]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("ZeroDivisionError"), "{stderr}");
    for p in [script, local] {
        let _ = std::fs::remove_file(p);
    }
}

/// What remote code prints reaches the server's standard output (and
/// standard error), and a thread started by remote code calls the client's
/// callbacks, as with rpyc_classic: the same script against both servers,
/// then the marker read from oxrpc's output.
/// Sorted relative paths of the files and directories under `root`.
fn tree_listing(root: &std::path::Path) -> Vec<String> {
    fn walk(root: &std::path::Path, dir: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let kind = std::fs::symlink_metadata(&path).unwrap().file_type();
            let shown = path.strip_prefix(root).unwrap().display().to_string();
            if kind.is_dir() {
                out.push(format!("{shown}/"));
                walk(root, &path, out);
            } else {
                out.push(format!("{shown} {}", std::fs::read(&path).unwrap().len()));
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out.sort();
    out
}

/// `classic upload` and `download` copy what `rpyc.classic.upload` and
/// `download` copy, with rpyc as the oracle: a FIFO, a device, a broken
/// link and a link loop inside a directory are passed over (reading them
/// would wait forever, grow forever, or fail the whole copy), the same
/// paths named on their own are refused, and a file of several chunks
/// arrives whole.
#[test]
fn classic_transfers_copy_what_rpyc_copies() {
    let port = free_port();
    let _python = spawn_rpyc_classic(port);
    let host = format!("localhost:{port}");
    let run = classic_cli;
    let base = std::env::temp_dir().join(format!("oxrpc-odd-tree-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let src = base.join("src");
    std::fs::create_dir_all(src.join("sub")).unwrap();
    std::fs::write(src.join("a.txt"), b"a").unwrap();
    let big: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(src.join("sub/big.bin"), &big).unwrap();
    std::fs::write(src.join("zz.txt"), b"zz").unwrap();
    let fifo = src.join("m_fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    std::os::unix::fs::symlink("/dev/zero", src.join("m_zero")).unwrap();
    std::os::unix::fs::symlink(src.join("nowhere"), src.join("m_broken")).unwrap();
    std::os::unix::fs::symlink(src.join("m_loop"), src.join("m_loop")).unwrap();
    std::os::unix::fs::symlink(src.join("a.txt"), src.join("m_link")).unwrap();

    // The oracle: rpyc's own upload and download of the same tree.
    let mut python = python_command();
    python.args([
        "-c",
        "import rpyc, sys\nfrom rpyc.utils.classic import upload, download\n\
         c = rpyc.classic.connect('localhost', int(sys.argv[1]))\n\
         upload(c, sys.argv[2], sys.argv[3])\ndownload(c, sys.argv[2], sys.argv[4])",
        &port.to_string(),
        src.to_str().unwrap(),
        base.join("rpyc_up").to_str().unwrap(),
        base.join("rpyc_down").to_str().unwrap(),
    ]);
    expect_success(
        "rpyc's upload and download",
        &run_with_deadline(python, Duration::from_secs(60)),
    );
    let up = base.join("up");
    let down = base.join("down");
    expect_success(
        "upload",
        &run(&["upload", &host, src.to_str().unwrap(), up.to_str().unwrap()]),
    );
    expect_success(
        "download",
        &run(&[
            "download",
            &host,
            src.to_str().unwrap(),
            down.to_str().unwrap(),
        ]),
    );
    let expected = tree_listing(&base.join("rpyc_up"));
    assert!(
        expected.contains(&"sub/big.bin 3000000".to_owned()),
        "{expected:?}"
    );
    assert!(expected.contains(&"m_link 1".to_owned()), "{expected:?}");
    assert_eq!(tree_listing(&up), expected, "upload");
    assert_eq!(tree_listing(&base.join("rpyc_down")), expected);
    assert_eq!(tree_listing(&down), expected, "download");
    assert_eq!(std::fs::read(up.join("sub/big.bin")).unwrap(), big);
    assert_eq!(std::fs::read(down.join("sub/big.bin")).unwrap(), big);
    // Named on their own, they are refused (rpyc: ValueError).
    for name in ["m_fifo", "m_zero", "m_broken", "m_loop"] {
        let path = src.join(name);
        let out = run(&["upload", &host, path.to_str().unwrap(), "/tmp/oxrpc-never"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && stderr.contains("cannot upload"),
            "{name}: {stderr}"
        );
        let out = run(&[
            "download",
            &host,
            path.to_str().unwrap(),
            "/tmp/oxrpc-never",
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && stderr.contains("cannot download"),
            "{name}: {stderr}"
        );
    }
    let _ = std::fs::remove_dir_all(&base);
}

#[test]
fn remote_code_prints_and_its_threads_call_back() {
    let marker = "printed by remote code, café ✓";
    let run = |port: u16| {
        let output = run_python_script(
            "classic/prints_and_threads.py",
            &[&port.to_string(), marker],
            Duration::from_secs(120),
        );
        expect_success("prints_and_threads.py", &output)
    };
    let port = free_port();
    let reference = {
        let _python = spawn_rpyc_classic(port);
        run(port)
    };
    assert!(
        reference.contains("received ['from a thread, later', 'from a thread, waited for']")
            && reference.contains("server errors []"),
        "{reference}"
    );
    let port = free_port();
    let mut cmd = oxrpc();
    cmd.args(["classic", "serve", "-q", "-p", &port.to_string()]);
    let mut ours = ChildGuard::spawn_listening(cmd, port, Duration::from_secs(30));
    assert_eq!(run(port), reference);
    ours.wait_for_line(marker);
    // The second connection's print, not flushed by anyone but the
    // interpreter's teardown.
    ours.wait_for_line(&format!("{marker} at the end"));
}

/// `-m oneshot` announces its port like rpyc_classic and serves one client;
/// the mode is read in any case, as rpyc_classic reads it;
/// `-m stdio` serves one connection over its standard input and output
/// (rpyc's `connect_pipes`).
#[test]
fn oneshot_and_stdio_modes() {
    let mut cmd = oxrpc();
    cmd.args(["classic", "serve", "-q", "-m", "ONESHOT", "-p", "0"]);
    let mut oneshot = ChildGuard::spawn(cmd);
    oneshot.wait_for_line("rpyc-oneshot");
    let line = oneshot.wait_for_line("\t");
    let port = line.trim().rsplit('\t').next().unwrap().to_owned();
    let mut client = python_command();
    client.args([
        "-c",
        &format!("import rpyc\nc = rpyc.classic.connect('127.0.0.1', {port})\nprint(c.eval('6 * 7'))\nc.close()"),
    ]);
    let out = expect_success(
        "oneshot client",
        &run_with_deadline(client, Duration::from_secs(60)),
    );
    assert_eq!(out.trim(), "42");

    let script = format!(
        "import subprocess, rpyc\n\
         p = subprocess.Popen([{bin:?}, 'classic', 'serve', '-q', '-m', 'Stdio'], stdin=subprocess.PIPE, stdout=subprocess.PIPE)\n\
         c = rpyc.classic.connect_pipes(p.stdout, p.stdin)\n\
         c.execute('x = 20')\n\
         c.execute('import sys; print(\\'remote noise\\'); sys.stdout.flush()')\n\
         print(c.eval('x + 22'))\n\
         c.close()\n\
         p.stdin.close()\n\
         print('exit', p.wait(timeout=30))",
        bin = env!("CARGO_BIN_EXE_oxrpc")
    );
    let mut client = python_command();
    client.args(["-c", &script]);
    let out = expect_success(
        "stdio client",
        &run_with_deadline(client, Duration::from_secs(60)),
    );
    assert!(out.starts_with("42\n"), "{out}");
    assert!(out.contains("exit 0"), "{out}");

    // Over pipes rpyc_classic serves its full-duplex ClassicService, and
    // so does ours.
    let over_pipes = |mut server: Command| {
        server.args(["-q", "-m", "stdio"]);
        let script = "import subprocess, sys, rpyc\n\
             p = subprocess.Popen(sys.argv[1:], stdin=subprocess.PIPE, stdout=subprocess.PIPE)\n\
             c = rpyc.classic.connect_pipes(p.stdout, p.stdin)\n\
             print(c.root.get_service_name(), c.root.get_service_aliases())\n\
             print(sorted(set(dir(c.root)) - set(dir(object()))))\n\
             print(c.eval('6 * 7'))\n\
             c.close()\n\
             p.stdin.close()\n\
             print('exit', p.wait(timeout=30))";
        let mut client = python_command();
        client
            .args(["-c", script])
            .arg(server.get_program())
            .args(server.get_args());
        expect_success(
            "stdio client",
            &run_with_deadline(client, Duration::from_secs(60)),
        )
    };
    let rpyc = over_pipes(oxrpc_testkit::rpyc_classic_command());
    assert!(rpyc.starts_with("CLASSIC ('CLASSIC',)\n"), "{rpyc}");
    let mut ours = oxrpc();
    ours.args(["classic", "serve"]);
    let ours = over_pipes(ours);
    assert_eq!(ours, rpyc);
}

/// The server's own modules, found through PYTHONPATH: a client imports
/// them by name from `oxrpc classic serve` as from `rpyc_classic` started
/// with the same environment, and each server's `sys.path` holds the
/// directory, made absolute.
#[test]
fn pythonpath_modules_import_as_on_rpyc_classic() {
    let root = std::env::temp_dir().join(format!("oxrpc-pythonpath-{}", std::process::id()));
    let package = root.join("probe_pkg");
    std::fs::create_dir_all(&package).unwrap();
    std::fs::write(package.join("__init__.py"), "").unwrap();
    std::fs::write(
        package.join("answers.py"),
        "ANSWER = 42\ndef twice(x):\n    return 2 * x\n",
    )
    .unwrap();
    let client = |port: u16| {
        let mut cmd = python_command();
        cmd.args([
            "-c",
            &format!(
                "import rpyc, sys\nc = rpyc.classic.connect('127.0.0.1', {port})\n\
                 m = c.modules['probe_pkg.answers']\n\
                 print(m.ANSWER, m.twice(21), m.__name__)\n\
                 print(sys.argv[1] in list(c.modules.sys.path))"
            ),
            &root.display().to_string(),
        ]);
        expect_success(
            "import through PYTHONPATH",
            &run_with_deadline(cmd, Duration::from_secs(60)),
        )
    };
    let pythonpath = format!("/nonexistent-oxrpc-dir:{}", root.display());
    let port = free_port();
    let mut cmd = rpyc_classic_command();
    cmd.args(["-q", "-p", &port.to_string()])
        .env("PYTHONPATH", &pythonpath);
    let python = ChildGuard::spawn_listening(cmd, port, Duration::from_secs(30));
    let reference = client(port);
    drop(python);
    let port = free_port();
    let mut cmd = oxrpc();
    // A relative entry too, made absolute against the server's directory.
    cmd.args(["classic", "serve", "-q", "-p", &port.to_string()])
        .env("PYTHONPATH", format!("probe_pkg/..:{pythonpath}"))
        .current_dir(&root);
    let _ours = ChildGuard::spawn_listening(cmd, port, Duration::from_secs(30));
    let got = client(port);
    std::fs::remove_dir_all(&root).unwrap();
    assert_eq!(reference, "42 42 probe_pkg.answers\nTrue\n");
    assert_eq!(got, reference);
}
