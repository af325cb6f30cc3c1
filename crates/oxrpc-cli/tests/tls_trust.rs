//! Which certificates are trusted, decided by OpenSSL through the real
//! Python peers and by oxrpc, compared case by case.
//!
//! The certificates are made by `tests/interop/tls/make_openssl_certs.sh`
//! with the `openssl` command, as deployments make them: self-signed
//! `req -x509` certificates (CA:TRUE, the host only in the CN), v1
//! certificates from `x509 -req`, wildcards, IP-only subjectAltNames, wrong
//! key usages, untrusted issuers, a v1 root.
//!
//! - Servers: Python serves each certificate over TLS; Python's
//!   `ssl.create_default_context(cafile=)` (what `ServerProxy` uses) and
//!   `rpyc.ssl_connect(ca_certs=)` say which they accept under which host
//!   names, and oxrpc's client (`ServerCheck::CertificateAndName` and
//!   `ServerCheck::Certificate`) must say the same.
//! - Clients: stock rpyc clients present each client certificate to rpyc's
//!   `SSLAuthenticator` server and to `oxrpc service serve --ssl-cafile`;
//!   both servers must let in and keep out the same ones.
//! - The command line: `oxrpc classic eval` and `oxrpc service call` reach
//!   rpyc_classic and rpyc's `SSLAuthenticator` over TLS, with the checks
//!   Python makes by default and, by flag, the fewer ones rpyc makes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

use oxrpc::net::tls::{server_name, ClientTlsFiles, ServerCheck};
use oxrpc_testkit::{
    expect_success, free_port, interop_path, loopback, python_command, rpyc_classic_command,
    run_python_script, run_with_deadline, wait_for_port, ChildGuard,
};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

/// Each server certificate with the trust file its clients are given.
const SERVERS: &[(&str, &str)] = &[
    ("selfsigned-cn", "selfsigned-cn"),
    ("selfsigned-san", "selfsigned-san"),
    ("selfsigned-other", "selfsigned-cn"),
    ("v1-cn", "ca"),
    ("v1-wildcard", "ca"),
    ("v1-untrusted", "ca"),
    ("v3-cn", "ca"),
    ("v3-ip-only", "ca"),
    ("v3-client-only", "ca"),
    ("v3-under-v1-ca", "v1-ca"),
];

const HOSTS: &[&str] = &["localhost", "127.0.0.1", "a.oxrpc.test", "oxrpc.test"];

const CLIENTS: &[&str] = &[
    "client-selfsigned",
    "client-v1",
    "client-v1-untrusted",
    "client-server-only",
    "client-other",
];

fn make_certificates(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("oxrpc-trust-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut cmd = Command::new("sh");
    cmd.arg(interop_path("tls/make_openssl_certs.sh")).arg(&dir);
    expect_success(
        "make_openssl_certs.sh",
        &run_with_deadline(cmd, Duration::from_secs(120)),
    );
    dir
}

fn pem(dir: &Path, name: &str) -> String {
    dir.join(format!("{name}.pem")).to_str().unwrap().to_owned()
}

/// `openssl ARGS...`, which must succeed.
fn openssl(args: &[&std::ffi::OsStr]) {
    let mut cmd = Command::new("openssl");
    cmd.args(args);
    expect_success("openssl", &run_with_deadline(cmd, Duration::from_secs(60)));
}

/// `oxrpc service serve` started with these TLS files: what it printed
/// and how it ended (a server that starts would be stopped by the deadline).
fn serve_with(certfile: &str, keyfile: &Path) -> (bool, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_oxrpc"));
    cmd.args(["service", "serve", "-q", "--port", "0", "--ssl-certfile"])
        .arg(certfile)
        .arg("--ssl-keyfile")
        .arg(keyfile);
    let output = run_with_deadline(cmd, Duration::from_secs(60));
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.success(), stderr)
}

/// oxrpc's client: a TLS handshake with `127.0.0.1:port` under `host` (the
/// client has checked the server once it is done).
async fn oxrpc_verdict(port: u16, cafile: &str, host: &str, check: ServerCheck) -> String {
    let files = ClientTlsFiles {
        ca_certs: Some(cafile.into()),
        server_check: check,
        ..ClientTlsFiles::default()
    };
    let connector = files.connector().unwrap();
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let handshake = connector.connect(server_name(host).unwrap(), tcp);
    match tokio::time::timeout(Duration::from_secs(20), handshake).await {
        Ok(Ok(_)) => "ok".to_owned(),
        Ok(Err(e)) => format!("refused: {e}"),
        Err(_) => "refused: timed out".to_owned(),
    }
}

#[test]
fn oxrpc_clients_trust_the_servers_python_trusts() {
    let dir = make_certificates("servers");
    let mut cmd = python_command();
    cmd.arg(interop_path("tls/openssl_trust.py"))
        .arg("serve")
        .arg(&dir)
        .args(SERVERS.iter().map(|(name, _)| *name));
    let mut servers = ChildGuard::spawn(cmd);
    let ports: Value = serde_json::from_str(&servers.wait_for_line("{")).unwrap();

    // (server, trust file, host, mode)
    let mut cases = Vec::new();
    for (server, trust) in SERVERS {
        for host in HOSTS {
            cases.push((*server, pem(&dir, trust), *host, "default"));
        }
        cases.push((*server, pem(&dir, trust), "127.0.0.1", "rpyc"));
    }
    let case_file = dir.join("cases.json");
    let described: Vec<Value> = cases
        .iter()
        .map(|(server, cafile, host, mode)| {
            json!({"port": ports[server], "cafile": cafile, "host": host, "mode": mode})
        })
        .collect();
    std::fs::write(&case_file, serde_json::to_vec(&described).unwrap()).unwrap();
    let output = run_python_script(
        "tls/openssl_trust.py",
        &["verify", case_file.to_str().unwrap()],
        Duration::from_secs(300),
    );
    let python: Vec<String> =
        serde_json::from_str(expect_success("openssl_trust.py verify", &output).trim()).unwrap();
    assert_eq!(python.len(), cases.len());

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut differences = Vec::new();
    let mut accepted = 0;
    for ((server, cafile, host, mode), python) in cases.iter().zip(&python) {
        let check = match *mode {
            "rpyc" => ServerCheck::Certificate,
            _ => ServerCheck::CertificateAndName,
        };
        let port = ports[server].as_u64().unwrap() as u16;
        let oxrpc = runtime.block_on(oxrpc_verdict(port, cafile, host, check));
        println!("{server:16} {host:13} {mode:8} python: {python:60} oxrpc: {oxrpc}");
        if (python == "ok") != (oxrpc == "ok") {
            differences.push(format!(
                "{server} as {host} ({mode}): python {python}, oxrpc {oxrpc}"
            ));
        }
        accepted += usize::from(python == "ok");
    }
    assert!(differences.is_empty(), "{differences:#?}");
    // The shapes webpki alone refuses are among those Python accepts.
    for must in [
        "selfsigned-cn localhost default",
        "v1-cn localhost default",
        "v1-wildcard a.oxrpc.test default",
        "v3-ip-only localhost default",
    ] {
        let found = cases
            .iter()
            .zip(&python)
            .any(|((s, _, h, m), p)| format!("{s} {h} {m}") == must && p == "ok");
        assert!(found, "python should accept {must}");
    }
    assert!(
        accepted >= 15 && accepted < cases.len() / 2 + 10,
        "{accepted}"
    );

    // ServerCheck::Nothing takes any server, as rpyc.ssl_connect does
    // without ca_certs.
    let untrusted = ports["v1-untrusted"].as_u64().unwrap() as u16;
    let nothing = runtime.block_on(oxrpc_verdict(
        untrusted,
        &pem(&dir, "ca"),
        "a.oxrpc.test",
        ServerCheck::Nothing,
    ));
    assert_eq!(nothing, "ok");
    drop(servers);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn oxrpc_server_lets_in_the_client_certificates_rpyc_lets_in() {
    let dir = make_certificates("clients");
    let trust = pem(&dir, "clients-trust");
    // Both servers present an X.509 v1 certificate, which Python's clients
    // take (checked below for oxrpc's server).
    let (key, cert) = (
        dir.join("v1-cn.key").to_str().unwrap().to_owned(),
        pem(&dir, "v1-cn"),
    );
    let mut cmd = python_command();
    cmd.arg(interop_path("tls/ssl_rpyc_server.py"))
        .args([&key, &cert, &trust]);
    let mut rpyc_server = ChildGuard::spawn(cmd);
    let rpyc_port = rpyc_server.announced_port("ready");
    let oxrpc_port = free_port();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_oxrpc"));
    cmd.args(["service", "serve", "-q", "--host", "127.0.0.1", "--port"])
        .arg(oxrpc_port.to_string())
        .args(["--ssl-keyfile", &key, "--ssl-certfile", &cert])
        .args(["--ssl-cafile", &trust]);
    let _oxrpc_server = ChildGuard::spawn(cmd);
    wait_for_port(
        format!("127.0.0.1:{oxrpc_port}").parse().unwrap(),
        Duration::from_secs(30),
    );

    let answers = |port: u16| -> Vec<Value> {
        let port = port.to_string();
        let mut args = vec!["clients", dir.to_str().unwrap(), &port];
        args.extend(CLIENTS);
        let output = run_python_script("tls/openssl_trust.py", &args, Duration::from_secs(300));
        serde_json::from_str(expect_success("openssl_trust.py clients", &output).trim()).unwrap()
    };
    let by_rpyc = answers(rpyc_port);
    let by_oxrpc = answers(oxrpc_port);
    for ((client, rpyc), oxrpc) in CLIENTS.iter().zip(&by_rpyc).zip(&by_oxrpc) {
        println!("{client:20} rpyc: {rpyc:50} oxrpc: {oxrpc}");
    }
    let let_in = |answers: &[Value]| -> Vec<bool> {
        answers.iter().map(|answer| *answer == json!(42)).collect()
    };
    assert_eq!(
        let_in(&by_oxrpc),
        let_in(&by_rpyc),
        "{by_rpyc:?} / {by_oxrpc:?}"
    );
    // The self-signed and the v1 client certificates are let in.
    assert_eq!(let_in(&by_rpyc), [true, true, false, false, false]);

    // Python's client checks oxrpc's v1 server certificate against the CA.
    let case_file = dir.join("cases.json");
    let case = json!([{"port": oxrpc_port, "cafile": pem(&dir, "ca"), "host": "localhost",
                       "mode": "default"}]);
    std::fs::write(&case_file, case.to_string()).unwrap();
    let output = run_python_script(
        "tls/openssl_trust.py",
        &["verify", case_file.to_str().unwrap()],
        Duration::from_secs(60),
    );
    assert_eq!(
        expect_success("openssl_trust.py verify", &output).trim(),
        r#"["ok"]"#
    );

    // oxrpc's own client, presenting a v1 certificate and checking rpyc's
    // v1 server certificate against the CA.
    let port = rpyc_port;
    let files = ClientTlsFiles {
        keyfile: Some(dir.join("client-v1.key")),
        certfile: Some(dir.join("client-v1.pem")),
        ca_certs: Some(dir.join("ca.pem")),
        server_check: ServerCheck::CertificateAndName,
    };
    assert_eq!(oxrpc_get_answer(port, &files), 42);
    drop(rpyc_server);

    // A key that is not the v1 certificate's is refused at start, as
    // Python's load_cert_chain refuses it.
    let mismatched = [
        pem(&dir, "v1-cn"),
        pem(&dir, "v3-cn").replace(".pem", ".key"),
    ];
    let mut cmd = python_command();
    cmd.arg("-c").arg(
        "import ssl, sys\n\
         try:\n    ssl.create_default_context().load_cert_chain(sys.argv[1], sys.argv[2])\n\
         except ssl.SSLError as e:\n    print(e.reason)",
    );
    cmd.args(&mismatched);
    let python = run_with_deadline(cmd, Duration::from_secs(60));
    assert_eq!(
        expect_success("load_cert_chain", &python).trim(),
        "KEY_VALUES_MISMATCH"
    );
    let (started, stderr) = serve_with(&mismatched[0], Path::new(&mismatched[1]));
    assert!(!started, "{stderr}");
    assert!(stderr.contains("key values mismatch"), "{stderr}");

    // An encrypted key: Python asks for its pass phrase; a server says
    // what to do.
    let encrypted = dir.join("encrypted.key");
    let plain = dir.join("v1-cn.key");
    openssl(&[
        "pkey".as_ref(),
        "-aes256".as_ref(),
        "-passout".as_ref(),
        "pass:secret".as_ref(),
        "-in".as_ref(),
        plain.as_os_str(),
        "-out".as_ref(),
        encrypted.as_os_str(),
    ]);
    let (_, stderr) = serve_with(&mismatched[0], &encrypted);
    assert!(stderr.contains("the private key is encrypted"), "{stderr}");

    // Keys Python's OpenSSL signs with and rustls's ring cannot: said so,
    // not "failed to parse".
    for (algorithm, options, kind) in [
        ("RSA-PSS", &[][..], "an RSA-PSS key"),
        (
            "EC",
            &["-pkeyopt", "ec_paramgen_curve:P-521"][..],
            "a P-521",
        ),
        ("ED448", &[][..], "an Ed448 key"),
    ] {
        let key = dir.join(format!("{algorithm}.key"));
        let mut args: Vec<&std::ffi::OsStr> = vec![
            "genpkey".as_ref(),
            "-algorithm".as_ref(),
            algorithm.as_ref(),
        ];
        args.extend(options.iter().map(std::ffi::OsStr::new));
        args.extend(["-out".as_ref(), key.as_os_str()]);
        openssl(&args);
        let (_, stderr) = serve_with(&mismatched[0], &key);
        assert!(
            stderr.contains(kind) && stderr.contains("cannot sign"),
            "{stderr}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn oxrpc_command_line_clients_reach_rpyc_tls_servers_with_rpycs_choice_of_checks() {
    let dir = make_certificates("cli");
    let file = |name: &str| dir.join(name).to_str().unwrap().to_owned();
    // rpyc_classic presents the v1 certificate that names only localhost,
    // and wants a client certificate the trust file vouches for.
    let port = free_port();
    let mut cmd = rpyc_classic_command();
    cmd.args(["--host", "127.0.0.1", "-p", &port.to_string()])
        .args(["--ssl-keyfile", &file("v1-cn.key")])
        .args(["--ssl-certfile", &file("v1-cn.pem")])
        .args(["--ssl-cafile", &file("clients-trust.pem")]);
    let _rpyc_classic = ChildGuard::spawn(cmd);
    wait_for_port(loopback(port), Duration::from_secs(30));
    let client = [
        "--ssl-certfile",
        &file("client-v1.pem"),
        "--ssl-keyfile",
        &file("client-v1.key"),
    ];
    let ca = ["--ssl-cafile", &file("ca.pem")];
    let eval = |options: &[&[&str]], host: &str| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_oxrpc"));
        cmd.args(["classic", "eval"]);
        for group in options {
            cmd.args(*group);
        }
        cmd.arg(format!("{host}:{port}")).arg("6*7");
        let output = run_with_deadline(cmd, Duration::from_secs(60));
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        match output.status.success() {
            true => String::from_utf8_lossy(&output.stdout).trim().to_owned(),
            false => format!("failed: {stderr}"),
        }
    };
    // The default checks the name too, as ssl.create_default_context does.
    assert_eq!(eval(&[&ca, &client], "localhost"), "42");
    let by_address = eval(&[&ca, &client], "127.0.0.1");
    assert!(by_address.contains("NotValidForName"), "{by_address}");
    assert!(
        by_address.contains("--ssl-no-check-hostname"),
        "{by_address}"
    );
    // rpyc.classic.ssl_connect(ca_certs=...) does not check the name, and
    // without ca_certs checks nothing; each is a flag.
    let no_name = ["--ssl-no-check-hostname"];
    assert_eq!(eval(&[&ca, &client, &no_name], "127.0.0.1"), "42");
    assert_eq!(eval(&[&["--ssl-no-verify"], &client], "127.0.0.1"), "42");
    // Still a trusted certificate: another CA's is refused.
    let other_ca = ["--ssl-cafile", &file("other-ca.pem")];
    let untrusted = eval(&[&other_ca, &client, &no_name], "127.0.0.1");
    assert!(untrusted.contains("UnknownIssuer"), "{untrusted}");
    assert!(
        untrusted.contains("--ssl-no-verify skips the check"),
        "{untrusted}"
    );
    // Without a client certificate rpyc_classic lets nobody in, and its
    // alert says why.
    let no_certificate = eval(&[&ca], "localhost");
    assert!(no_certificate.starts_with("failed"), "{no_certificate}");
    assert!(no_certificate.contains("alert"), "{no_certificate}");
    // ...in the error itself, not only in a log line before it.
    let last = no_certificate.trim_end().lines().last().unwrap_or_default();
    assert!(last.contains("alert"), "{no_certificate}");
    // What the Python client does with the same server and files.
    let mut cmd = python_command();
    cmd.arg("-c")
        .arg(
            "import sys, rpyc\n\
             c = rpyc.classic.ssl_connect('127.0.0.1', int(sys.argv[1]), keyfile=sys.argv[2],\n\
             \x20   certfile=sys.argv[3], ca_certs=sys.argv[4])\n\
             print(c.eval('6*7'))",
        )
        .args([
            &port.to_string(),
            &file("client-v1.key"),
            &file("client-v1.pem"),
            &file("ca.pem"),
        ]);
    let python = run_with_deadline(cmd, Duration::from_secs(60));
    assert_eq!(
        expect_success("rpyc.classic.ssl_connect", &python).trim(),
        "42"
    );

    // `service call` over TLS to rpyc's SSLAuthenticator server.
    let mut cmd = python_command();
    cmd.arg(interop_path("tls/ssl_rpyc_server.py")).args([
        file("v1-cn.key"),
        file("v1-cn.pem"),
        file("clients-trust.pem"),
    ]);
    let mut service = ChildGuard::spawn(cmd);
    let service_port = service.announced_port("ready");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_oxrpc"));
    cmd.args(["service", "call"])
        .args(ca)
        .args(client)
        .arg(format!("localhost:{service_port}"))
        .arg("get_answer");
    let output = run_with_deadline(cmd, Duration::from_secs(60));
    assert_eq!(expect_success("service call", &output).trim(), "42");
    let _ = std::fs::remove_dir_all(&dir);
}

/// What a classic server's connection holds as `credentials`: rpyc's
/// `SSLAuthenticator` gives the client certificate as `getpeercert()`
/// describes it when the server asks for one (`--ssl-cafile`), and None
/// when it does not. rpyc_classic and `oxrpc classic serve`, with the same
/// files, must give stock clients the same dicts.
#[test]
fn classic_credentials_describe_the_client_certificate_as_rpyc_classic_does() {
    let dir = make_certificates("credentials");
    let file = |name: &str| dir.join(name).to_str().unwrap().to_owned();
    let server_files = [
        "--ssl-keyfile".to_owned(),
        file("v3-cn.key"),
        "--ssl-certfile".to_owned(),
        file("v3-cn.pem"),
    ];
    let with_ca = ["--ssl-cafile".to_owned(), file("clients-trust.pem")];
    let mut servers = Vec::new();
    for asks in [true, false] {
        let (rpyc_port, oxrpc_port) = (free_port(), free_port());
        let mut cmd = rpyc_classic_command();
        cmd.args(["--host", "127.0.0.1", "-p", &rpyc_port.to_string()])
            .args(&server_files);
        let mut cmd_oxrpc = Command::new(env!("CARGO_BIN_EXE_oxrpc"));
        cmd_oxrpc
            .args(["classic", "serve", "-q", "--host", "127.0.0.1", "-p"])
            .arg(oxrpc_port.to_string())
            .args(&server_files);
        if asks {
            cmd.args(&with_ca);
            cmd_oxrpc.args(&with_ca);
        }
        servers.push((
            asks,
            rpyc_port,
            oxrpc_port,
            ChildGuard::spawn(cmd),
            ChildGuard::spawn(cmd_oxrpc),
        ));
    }
    for (asks, rpyc_port, oxrpc_port, _rpyc, _oxrpc) in &servers {
        for port in [rpyc_port, oxrpc_port] {
            wait_for_port(loopback(*port), Duration::from_secs(60));
        }
        let clients: &[&str] = match asks {
            true => &["client-rich", "client-v1", "client-selfsigned"],
            false => &["client-rich", "-"],
        };
        let held = |port: &u16| -> Vec<Value> {
            let port = port.to_string();
            let mut args = vec!["credentials", dir.to_str().unwrap(), &port];
            args.extend(clients);
            let output = run_python_script("tls/openssl_trust.py", &args, Duration::from_secs(120));
            serde_json::from_str(expect_success("openssl_trust.py credentials", &output).trim())
                .unwrap()
        };
        let (by_rpyc, by_oxrpc) = (held(rpyc_port), held(oxrpc_port));
        for ((client, rpyc), oxrpc) in clients.iter().zip(&by_rpyc).zip(&by_oxrpc) {
            println!("{client} (CA asked: {asks})\n  rpyc:  {rpyc}\n  oxrpc: {oxrpc}");
        }
        assert_eq!(by_oxrpc, by_rpyc);
        let rich = by_rpyc[0].as_str().unwrap();
        match asks {
            true => assert!(
                rich.contains("('commonName', 'rich client')") && rich.contains("Móstoles"),
                "{rich}"
            ),
            false => assert_eq!(rich, "None"),
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `get_answer()` through oxrpc's client over TLS with `files`, from the
/// server at `localhost:port`.
fn oxrpc_get_answer(port: u16, files: &ClientTlsFiles) -> i64 {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let conn = oxrpc::rpyc::connect_tls(
            "localhost",
            port,
            files,
            Arc::new(oxrpc::rpyc::VoidService),
            oxrpc::rpyc::Config::default(),
        )
        .await
        .unwrap();
        let root = conn.root().await.unwrap();
        let answer = root
            .call::<oxrpc::rpyc::Value>("get_answer", ())
            .await
            .unwrap()
            .extract()
            .unwrap();
        conn.close().await;
        answer
    })
}

/// `PORT` of an rpyc `SSLAuthenticator` server with these files, kept
/// running by the guard.
fn rpyc_tls_server(key: &str, cert: &str, cafile: &str) -> (ChildGuard, u16) {
    let mut cmd = python_command();
    cmd.arg(interop_path("tls/ssl_rpyc_server.py"))
        .args([key, cert, cafile]);
    let mut server = ChildGuard::spawn(cmd);
    let port = server.announced_port("ready");
    (server, port)
}

/// What a stock `rpyc.ssl_connect` presenting `name`'s certificate and
/// checking the server against `ca_certs` gets from `get_answer()`.
fn stock_client(port: u16, dir: &Path, name: &str, ca_certs: &str) -> String {
    let key = dir.join(format!("{name}.key"));
    let args = [
        "chain",
        &port.to_string(),
        key.to_str().unwrap(),
        &pem(dir, name),
        ca_certs,
    ];
    let output = run_python_script("tls/openssl_trust.py", &args, Duration::from_secs(60));
    expect_success("openssl_trust.py chain", &output)
        .trim()
        .to_owned()
}

/// A certificate file holding the leaf alone, and a CA file holding the
/// intermediate that issued it and the root: Python's OpenSSL sends the
/// leaf with its issuers from the CA file, so a peer that trusts the root
/// alone accepts it. oxrpc's server and client send the same chain.
#[test]
fn issuers_in_the_ca_file_go_out_with_a_lone_certificate_as_openssl_sends_them() {
    let dir = make_certificates("intermediate");
    let (bundle, root) = (pem(&dir, "intermediate-bundle"), pem(&dir, "ca"));
    let key = |name: &str| dir.join(format!("{name}.key")).to_str().unwrap().to_owned();

    // Servers: the leaf and the bundle; the client trusts the root.
    let server_cert = pem(&dir, "via-intermediate");
    let (_rpyc_server, rpyc_port) =
        rpyc_tls_server(&key("via-intermediate"), &server_cert, &bundle);
    let oxrpc_port = free_port();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_oxrpc"));
    cmd.args(["service", "serve", "-q", "--host", "127.0.0.1", "--port"])
        .arg(oxrpc_port.to_string())
        .args(["--ssl-keyfile", &key("via-intermediate")])
        .args(["--ssl-certfile", &server_cert, "--ssl-cafile", &bundle]);
    let _oxrpc_server = ChildGuard::spawn(cmd);
    wait_for_port(
        format!("127.0.0.1:{oxrpc_port}").parse().unwrap(),
        Duration::from_secs(30),
    );
    assert_eq!(stock_client(rpyc_port, &dir, "client-v1", &root), "42");
    assert_eq!(stock_client(oxrpc_port, &dir, "client-v1", &root), "42");

    // Clients: the client leaf and the bundle, to a server that trusts the
    // root alone.
    let (_root_only, port) = rpyc_tls_server(&key("v1-cn"), &pem(&dir, "v1-cn"), &root);
    assert_eq!(
        stock_client(port, &dir, "client-via-intermediate", &bundle),
        "42"
    );
    let files = ClientTlsFiles {
        keyfile: Some(dir.join("client-via-intermediate.key")),
        certfile: Some(dir.join("client-via-intermediate.pem")),
        ca_certs: Some(bundle.into()),
        server_check: ServerCheck::Certificate,
    };
    assert_eq!(oxrpc_get_answer(port, &files), 42);
}
