//! A handler learns the user a TLS client certificate names, for a call
//! from CPython's `ServerProxy` presenting one.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

mod support;

use oxrpc_net::tls::ServerTlsFiles;
use oxrpc_testkit::{expect_success, run_python_script};
use oxrpc_xmlrpc::{AuthMethod, AuthUser, Server, ServerConfig, Struct, Value};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use std::time::Duration;

#[test]
fn client_certificate_names_the_user() {
    let dir = std::env::temp_dir().join(format!("oxrpc-context-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "oxrpc test CA");
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issue = |names: Vec<String>, common_name: &str, stem: &str| {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(names).unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        let cert = params.signed_by(&key, &ca, &ca_key).unwrap();
        std::fs::write(dir.join(format!("{stem}.pem")), cert.pem()).unwrap();
        std::fs::write(dir.join(format!("{stem}.key")), key.serialize_pem()).unwrap();
    };
    issue(vec!["localhost".into()], "localhost", "server");
    issue(Vec::new(), "ana-client", "client");
    std::fs::write(dir.join("ca.pem"), ca.pem()).unwrap();

    let files = ServerTlsFiles {
        keyfile: dir.join("server.key"),
        certfile: dir.join("server.pem"),
        cafile: Some(dir.join("ca.pem")),
    };
    let acceptor = files.acceptor().unwrap();
    let server = support::serve(move || {
        let defaults = ServerConfig::default();
        let mut server = Server::with_config(ServerConfig {
            log_requests: false,
            listen: oxrpc_net::ListenConfig {
                tls: Some(acceptor),
                ..defaults.listen.clone()
            },
            ..defaults
        });
        server.register("whoami", |user: AuthUser| {
            let mut out = Struct::new();
            out.insert("name".into(), Value::from(user.name));
            out.insert(
                "certificate".into(),
                Value::Bool(user.method == AuthMethod::ClientCertificate),
            );
            out
        });
        server
    });
    let url = format!("https://localhost:{}/RPC2", server.addr.port());
    let output = run_python_script(
        "xmlrpc/tls_whoami.py",
        &[
            &url,
            dir.join("ca.pem").to_str().unwrap(),
            dir.join("client.pem").to_str().unwrap(),
            dir.join("client.key").to_str().unwrap(),
        ],
        Duration::from_secs(60),
    );
    let stdout = expect_success("tls_whoami.py", &output);
    let who: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(
        who,
        serde_json::json!({"name": "ana-client", "certificate": true})
    );
    let _ = std::fs::remove_dir_all(dir);
}
