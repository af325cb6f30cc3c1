//! Documents in the encodings CPython's reader takes, read by oxrpc and by
//! `xmlrpc.client.loads` side by side: every codec module and alias Python
//! has (and each spelled another way), each high byte alone in a string,
//! must give the same character or fail on both; and UTF-16 documents as
//! `dumps(..., encoding="utf-16")` writes them read back the same.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

use oxrpc_xmlrpc::{decode_response, Limits, MethodResponse, Value};
use serde_json::Value as Json;
use std::time::Duration;

/// For every name, what `loads` makes of each byte 0x7E..=0xFF alone in a
/// string (`null`: it failed); then UTF-16 documents and their strings.
const ORACLE: &str = r#"
import encodings, encodings.aliases, json, pkgutil, sys, warnings, xmlrpc.client
warnings.simplefilter('ignore')
names = sorted(m.name for m in pkgutil.iter_modules(encodings.__path__))
names += sorted(encodings.aliases.aliases)
names += [n.upper().replace('_', '-') for n in names]
names += ['UTF-8', 'utf-8', 'US-ASCII', 'ISO-8859-1', 'iso-8859-1', 'latin 1', 'Latin--1',
          'iso.8859.15', ' koi8 r ', 'windows-1252', 'nonsense', '']
def doc(name, byte):
    return (b"<?xml version='1.0' encoding='" + name.encode() + b"'?>\n<methodResponse><params><param>"
            b"<value><string>" + bytes([byte]) + b"</string></value></param></params></methodResponse>")
def read(data):
    try:
        return xmlrpc.client.loads(data)[0][0]
    except Exception:
        return None
singles = {name: [read(doc(name, b)) for b in range(0x7E, 0x100)] for name in names}
utf16 = []
for text in ['plain', 'caf\u00e9 \u20ac', 'emoji \U0001F600 \u00fc']:
    data = xmlrpc.client.dumps((text,), methodresponse=True, encoding='utf-16').encode('utf-16')
    utf16.append([data.hex(), read(data)])
    for codec in ('utf-16-le', 'utf-16-be'):
        body = xmlrpc.client.dumps((text,), methodresponse=True, encoding=codec).encode(codec)
        utf16.append([body.hex(), read(body)])
json.dump({'singles': singles, 'utf16': utf16}, sys.stdout)
"#;

fn oxrpc_reads(document: &[u8]) -> Option<String> {
    match decode_response(document, &Limits::default()) {
        Ok(MethodResponse::Success(Value::String(text))) => Some(text),
        Ok(other) => panic!("not a string: {other:?}"),
        Err(_) => None,
    }
}

fn from_hex(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&hex[at..at + 2], 16).unwrap())
        .collect()
}

#[test]
fn every_encoding_reads_as_cpython_reads_it() {
    let mut oracle = oxrpc_testkit::python_command();
    oracle.args(["-c", ORACLE]);
    let output = oxrpc_testkit::run_with_deadline(oracle, Duration::from_secs(300));
    let expected: Json = serde_json::from_str(&oxrpc_testkit::expect_success(
        "the encoding oracle",
        &output,
    ))
    .unwrap();

    let mut differences = Vec::new();
    let singles = expected["singles"].as_object().unwrap();
    let mut read_by_both = 0;
    for (name, outcomes) in singles {
        for (byte, outcome) in (0x7Eu8..=0xFF).zip(outcomes.as_array().unwrap()) {
            let mut document = format!(
                "<?xml version='1.0' encoding='{name}'?>\n<methodResponse><params><param>\
                 <value><string>"
            )
            .into_bytes();
            document.push(byte);
            document.extend_from_slice(b"</string></value></param></params></methodResponse>");
            let ours = oxrpc_reads(&document);
            let cpythons = outcome.as_str().map(str::to_owned);
            read_by_both += usize::from(ours.is_some() && cpythons.is_some());
            if ours != cpythons {
                differences.push(format!(
                    "{name:?} byte 0x{byte:02X}: CPython {cpythons:?}, oxrpc {ours:?}"
                ));
            }
        }
    }
    for pair in expected["utf16"].as_array().unwrap() {
        let document = from_hex(pair[0].as_str().unwrap());
        let cpythons = pair[1].as_str().map(str::to_owned);
        let ours = oxrpc_reads(&document);
        if ours != cpythons {
            differences.push(format!(
                "UTF-16 {}: CPython {cpythons:?}, oxrpc {ours:?}",
                pair[0]
            ));
        }
    }
    assert!(
        differences.is_empty(),
        "{} differences, the first: {:#?}",
        differences.len(),
        &differences
    );
    // The comparison is not empty: most codecs read most bytes.
    assert!(read_by_both > 40_000, "{read_by_both}");
    assert!(singles.len() > 500, "{}", singles.len());
}
