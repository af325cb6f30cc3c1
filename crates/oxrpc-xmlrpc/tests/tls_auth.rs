//! The client over https (rustls) with basic auth from the URL, against
//! CPython's SimpleXMLRPCServer wrapped in TLS with certificates made here.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

use oxrpc_testkit::{python_command, ChildGuard};
use oxrpc_xmlrpc::{Client, Error};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use std::sync::Arc;

struct Pki {
    ca_der: rustls::pki_types::CertificateDer<'static>,
    cert_pem: String,
    key_pem: String,
}

fn make_pki() -> Pki {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "oxrpc test CA");
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    let cert = params.signed_by(&key, &ca, &ca_key).unwrap();
    Pki {
        ca_der: ca.der().clone(),
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    }
}

fn tls_config(ca: &rustls::pki_types::CertificateDer<'static>) -> rustls::ClientConfig {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca.clone()).unwrap();
    rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth()
}

#[test]
fn https_and_basic_auth_against_cpython() {
    let pki = make_pki();
    let dir = std::env::temp_dir().join(format!("oxrpc-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cert_path = dir.join("cert.pem");
    let key_path = dir.join("key.pem");
    std::fs::write(&cert_path, &pki.cert_pem).unwrap();
    std::fs::write(&key_path, &pki.key_pem).unwrap();

    let mut cmd = python_command();
    cmd.arg(oxrpc_testkit::interop_path("xmlrpc/tls_auth_server.py"))
        .arg(&cert_path)
        .arg(&key_path)
        .args(["al@ice", "s3:cret"]);
    let mut server = ChildGuard::spawn(cmd);
    let port = server
        .wait_for_line("ready")
        .trim()
        .rsplit(' ')
        .next()
        .unwrap()
        .to_owned();

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        // Credentials from the URL (percent-encoded), trusted CA: works.
        let url = format!("https://al%40ice:s3%3Acret@localhost:{port}");
        let client = Client::builder(&url)
            .tls_config(tls_config(&pki.ca_der))
            .build()
            .unwrap();
        let who: String = client.call("whoami", ()).await.unwrap();
        assert_eq!(who, "al@ice");
        let sum: i32 = client.call("add", (40, 2)).await.unwrap();
        assert_eq!(sum, 42);

        // No credentials: the server's 401 is a typed HTTP error.
        let anonymous = Client::builder(&format!("https://localhost:{port}"))
            .tls_config(tls_config(&pki.ca_der))
            .build()
            .unwrap();
        match anonymous.call_value("whoami", vec![]).await {
            Err(Error::Http { status: 401, .. }) => {}
            other => panic!("{other:?}"),
        }

        // The default roots do not trust our test CA: the handshake fails.
        let untrusted = Client::new(&url).unwrap();
        match untrusted.call_value("whoami", vec![]).await {
            Err(Error::Transport(message)) => {
                assert!(message.contains("certificate"), "{message}")
            }
            other => panic!("{other:?}"),
        }
    });
    let _ = std::fs::remove_dir_all(&dir);
}
