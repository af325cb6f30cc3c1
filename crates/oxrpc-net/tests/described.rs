//! `describe_certificate` against what Python's `ssl` module says of the
//! same certificates (`tests/golden/tls/certificates.json`, made by
//! `tests/golden/tls/generate.sh` with the openssl command and
//! `ssl._ssl._test_decode_cert`, the decoder behind `getpeercert()`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use oxrpc_net::tls::{describe_certificate, AltNameDescription, NameDescription};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use serde_json::{json, Map, Value};

fn name_json(name: &NameDescription) -> Value {
    Value::Array(
        name.iter()
            .map(|relative| {
                Value::Array(
                    relative
                        .iter()
                        .map(|(kind, value)| json!([kind, value]))
                        .collect(),
                )
            })
            .collect(),
    )
}

/// The dict `getpeercert()` returns, tuples as lists, keys in its order.
fn as_python_dict(der: &[u8]) -> Value {
    let described = describe_certificate(der).unwrap();
    let mut dict = Map::new();
    dict.insert("subject".into(), name_json(&described.subject));
    dict.insert("issuer".into(), name_json(&described.issuer));
    dict.insert("version".into(), json!(described.version));
    dict.insert("serialNumber".into(), json!(described.serial_number));
    dict.insert("notBefore".into(), json!(described.not_before));
    dict.insert("notAfter".into(), json!(described.not_after));
    if !described.subject_alt_names.is_empty() {
        let names = described
            .subject_alt_names
            .iter()
            .map(|alt| match alt {
                AltNameDescription::Text(kind, value) => json!([kind, value]),
                AltNameDescription::Directory(name) => json!(["DirName", name_json(name)]),
            })
            .collect();
        dict.insert("subjectAltName".into(), Value::Array(names));
    }
    for (key, uris) in [
        ("OCSP", &described.ocsp),
        ("caIssuers", &described.ca_issuers),
        ("crlDistributionPoints", &described.crl_distribution_points),
    ] {
        if !uris.is_empty() {
            dict.insert(key.into(), json!(uris));
        }
    }
    Value::Object(dict)
}

#[test]
fn certificates_are_described_as_pythons_ssl_describes_them() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/golden/tls/certificates.json"
    );
    let vectors: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert!(vectors.len() >= 4);
    for vector in vectors {
        let der =
            CertificateDer::from_pem_slice(vector["pem"].as_str().unwrap().as_bytes()).unwrap();
        let ours = as_python_dict(&der);
        // Key order too: Python's dict keeps it.
        let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        assert_eq!(
            keys(&ours),
            keys(&vector["described"]),
            "{}",
            vector["name"]
        );
        assert_eq!(ours, vector["described"], "{}", vector["name"]);
    }
}
