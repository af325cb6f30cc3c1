//! TLS and authentication against the real Python peers: rpyc's
//! `ssl_connect` (with, without and with a foreign client certificate) to
//! `oxrpc service serve` and `oxrpc classic serve`; CPython's xmlrpc client
//! over https with basic auth to `oxrpc xmlrpc serve`; oxrpc's client to a
//! stock `ThreadedServer` behind `SSLAuthenticator`. Certificates are made
//! here, for this run only.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

#[path = "common/pki.rs"]
mod pki;

use oxrpc_testkit::{
    expect_success, free_port, loopback, python_command, run_python_script, wait_for_port,
    ChildGuard,
};
use pki::pki;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

fn oxrpc(args: &[&str]) -> ChildGuard {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_oxrpc"));
    cmd.args(args);
    ChildGuard::spawn(cmd)
}

#[test]
fn python_tls_clients_against_oxrpc_servers() {
    let dir = pki("python-clients");
    let file = |name: &str| dir.join(name).to_str().unwrap().to_owned();
    let tls = [
        "--ssl-keyfile".to_owned(),
        file("server.key"),
        "--ssl-certfile".to_owned(),
        file("server.pem"),
    ];
    let (service_port, classic_port, xmlrpc_port) = (free_port(), free_port(), free_port());
    let service_port_s = service_port.to_string();
    let mut args = vec!["service", "serve", "-q", "--port", &service_port_s];
    args.extend(tls.iter().map(String::as_str));
    let ca_file = file("ca.pem");
    args.extend(["--ssl-cafile", &ca_file]);
    let _service = oxrpc(&args);
    let classic_port_s = classic_port.to_string();
    let mut args = vec!["classic", "serve", "-q", "-p", &classic_port_s];
    args.extend(tls.iter().map(String::as_str));
    args.extend(["--ssl-cafile", &ca_file]);
    let _classic = oxrpc(&args);
    let xmlrpc_port_s = xmlrpc_port.to_string();
    let mut args = vec![
        "xmlrpc",
        "serve",
        "-q",
        "--port",
        &xmlrpc_port_s,
        "--basic-auth",
        "alice:s3cret",
        // Idle connections close after a second: the script calls again
        // after a longer pause on the same ServerProxy.
        "--read-timeout",
        "1",
    ];
    args.extend(tls.iter().map(String::as_str));
    let _xmlrpc = oxrpc(&args);
    for port in [service_port, classic_port, xmlrpc_port] {
        wait_for_port(loopback(port), Duration::from_secs(30));
    }
    let output = run_python_script(
        "tls/python_tls_clients.py",
        &[
            dir.to_str().unwrap(),
            &service_port_s,
            &classic_port_s,
            &xmlrpc_port_s,
        ],
        Duration::from_secs(120),
    );
    let stdout = expect_success("python_tls_clients.py", &output);
    assert!(stdout.contains("checks passed"), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn oxrpc_tls_client_against_rpyc_ssl_authenticator() {
    let dir = pki("rust-client");
    let file = |name: &str| dir.join(name);
    let mut cmd = python_command();
    cmd.arg(oxrpc_testkit::interop_path("tls/ssl_rpyc_server.py"))
        .arg(file("server.key"))
        .arg(file("server.pem"))
        .arg(file("ca.pem"));
    let mut server = ChildGuard::spawn(cmd);
    let port: u16 = server
        .wait_for_line("ready")
        .trim()
        .rsplit(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let with_cert = oxrpc::net::tls::ClientTlsFiles {
            keyfile: Some(file("client.key")),
            certfile: Some(file("client.pem")),
            ca_certs: Some(file("ca.pem")),
            server_check: oxrpc::net::tls::ServerCheck::CertificateAndName,
        };
        let conn = oxrpc::rpyc::connect_tls(
            "localhost",
            port,
            &with_cert,
            Arc::new(oxrpc::rpyc::VoidService),
            oxrpc::rpyc::Config::default(),
        )
        .await
        .unwrap();
        let root = conn.root().await.unwrap();
        let answer: i64 = root
            .call::<oxrpc::rpyc::Value>("get_answer", ())
            .await
            .unwrap()
            .extract()
            .unwrap();
        assert_eq!(answer, 42);
        conn.close().await;

        // The key in the certificate's own file, as
        // rpyc.ssl_connect(certfile=...) alone takes it.
        let combined = file("client-combined.pem");
        let mut both = std::fs::read(file("client.key")).unwrap();
        both.extend(std::fs::read(file("client.pem")).unwrap());
        std::fs::write(&combined, both).unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_oxrpc"));
        cmd.args([
            "service",
            "call",
            &format!("localhost:{port}"),
            "get_answer",
        ])
        .arg("--ssl-cafile")
        .arg(file("ca.pem"))
        .arg("--ssl-certfile")
        .arg(&combined);
        let out = tokio::task::spawn_blocking(move || {
            oxrpc_testkit::run_with_deadline(cmd, Duration::from_secs(30))
        })
        .await
        .unwrap();
        assert_eq!(expect_success("--ssl-certfile alone", &out).trim(), "42");

        // Without a client certificate the server refuses us: the
        // connection dies before any answer comes back.
        let without = oxrpc::net::tls::ClientTlsFiles {
            ca_certs: Some(file("ca.pem")),
            ..Default::default()
        };
        let refused = async {
            let conn = oxrpc::rpyc::connect_tls(
                "localhost",
                port,
                &without,
                Arc::new(oxrpc::rpyc::VoidService),
                oxrpc::rpyc::Config::default(),
            )
            .await?;
            conn.root()
                .await
                .map_err(|e| std::io::Error::other(e.to_string()))
        };
        assert!(tokio::time::timeout(Duration::from_secs(30), refused)
            .await
            .unwrap()
            .is_err());
    });
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `oxrpc xmlrpc call` to CPython's XML-RPC server over https, its
/// certificate from a private CA: trusted through --ssl-cafile or, as
/// Python's own client does, through SSL_CERT_FILE; refused otherwise.
#[test]
fn xmlrpc_client_trusts_a_private_ca_as_python_does() {
    let dir = pki("xmlrpc-client");
    let file = |name: &str| dir.join(name);
    let mut cmd = python_command();
    cmd.arg(oxrpc_testkit::interop_path("tls/https_xmlrpc_server.py"))
        .arg(file("server.key"))
        .arg(file("server.pem"));
    let mut server = ChildGuard::spawn(cmd);
    let url = format!("https://localhost:{}", server.announced_port("ready"));
    let call = |extra: &[&str], env: Option<&Path>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_oxrpc"));
        cmd.args(["xmlrpc", "call"])
            .args(extra)
            .args([url.as_str(), "echo", "secure"]);
        cmd.env_remove("SSL_CERT_FILE");
        if let Some(ca) = env {
            cmd.env("SSL_CERT_FILE", ca);
        }
        oxrpc_testkit::run_with_deadline(cmd, Duration::from_secs(30))
    };
    let ca = file("ca.pem");
    let out = call(&["--ssl-cafile", ca.to_str().unwrap()], None);
    assert_eq!(expect_success("--ssl-cafile", &out).trim(), "\"secure\"");
    let out = call(&[], Some(&ca));
    assert_eq!(expect_success("SSL_CERT_FILE", &out).trim(), "\"secure\"");
    let out = call(&[], None);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("certificate"), "{stderr}");
    assert!(
        stderr.contains("--ssl-cafile FILE names the one that did)"),
        "{stderr}"
    );
    drop(server);
    // The scheme the server does not speak: the error says which to use.
    // (CPython's https server resets a plain request without a word; a
    // rustls server answers it with an alert, which is not HTTP.)
    let port = free_port();
    let _tls_server = oxrpc(&[
        "xmlrpc",
        "serve",
        "-q",
        "--port",
        &port.to_string(),
        "--ssl-keyfile",
        file("server.key").to_str().unwrap(),
        "--ssl-certfile",
        file("server.pem").to_str().unwrap(),
    ]);
    wait_for_port(loopback(port), Duration::from_secs(30));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_oxrpc"));
    let plain_url = format!("http://localhost:{port}");
    cmd.args(["xmlrpc", "call", plain_url.as_str(), "system.listMethods"]);
    let out = oxrpc_testkit::run_with_deadline(cmd, Duration::from_secs(30));
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("use an https:// URL"), "{stderr}");
    let mut cmd = python_command();
    cmd.arg(oxrpc_testkit::interop_path("xmlrpc/reference_server.py"));
    let mut plain = ChildGuard::spawn(cmd);
    let tls_url = format!("https://localhost:{}", plain.announced_port("ready"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_oxrpc"));
    cmd.args(["xmlrpc", "call", tls_url.as_str(), "echo", "x"]);
    let out = oxrpc_testkit::run_with_deadline(cmd, Duration::from_secs(30));
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("use an http:// URL"), "{stderr}");
    drop(plain);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A server whose TLS files cannot be read says so and exits without first
/// announcing that it started (rpyc_classic refuses them up front), so a
/// harness waiting for "server started" is not misled.
#[test]
fn unreadable_tls_files_stop_a_server_before_it_announces_itself() {
    for mode in ["classic", "service"] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_oxrpc"));
        cmd.args([mode, "serve", "-p"])
            .arg(oxrpc_testkit::free_port().to_string())
            .args([
                "--ssl-keyfile",
                "/nonexistent/server.key",
                "--ssl-certfile",
                "/nonexistent/server.pem",
            ]);
        let output = oxrpc_testkit::run_with_deadline(cmd, Duration::from_secs(30));
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!output.status.success(), "{mode}: {said}");
        assert!(!said.contains("server started"), "{mode}: {said}");
        assert!(said.contains("/nonexistent/server"), "{mode}: {said}");
    }
}
