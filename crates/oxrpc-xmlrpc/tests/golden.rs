//! The codec against golden vectors written by CPython's own `xmlrpc.client`
//! (tests/golden/xmlrpc/generate.py): every document CPython wrote must be
//! reproduced byte for byte, and every document must read back as the values
//! CPython made of it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

use oxrpc_xmlrpc::{
    decode_call, decode_response, encode_call, encode_fault, encode_response, write_value,
    DateTime, Fault, Limits, MethodResponse, Struct, Value,
};
use serde_json::Value as Json;

fn vectors() -> Json {
    let path = oxrpc_testkit::workspace_root().join("tests/golden/xmlrpc/vectors.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("vectors.json is JSON")
}

/// Builds the value a CPython description stands for.
fn value_of(description: &Json) -> Value {
    let (tag, body) = description
        .as_object()
        .and_then(|o| o.iter().next())
        .expect("a one-key object");
    match tag.as_str() {
        "nil" => Value::Nil,
        "boolean" => Value::Bool(body.as_bool().unwrap()),
        "int" => match body {
            Json::Number(n) => Value::Int(n.as_i64().unwrap()),
            Json::String(digits) => Value::BigInt(digits.clone()),
            other => panic!("int {other}"),
        },
        "double" => {
            let text = body.as_str().unwrap();
            Value::Double(match text {
                "inf" => f64::INFINITY,
                "-inf" => f64::NEG_INFINITY,
                _ => text.parse().unwrap(),
            })
        }
        "bigdecimal" => Value::BigDecimal(body.as_str().unwrap().to_owned()),
        "string" => Value::String(body.as_str().unwrap().to_owned()),
        "base64" => {
            let hex = body.as_str().unwrap();
            Value::Base64(
                (0..hex.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                    .collect(),
            )
        }
        "dateTime" => Value::DateTime(body.as_str().unwrap().parse::<DateTime>().unwrap()),
        "array" => Value::Array(body.as_array().unwrap().iter().map(value_of).collect()),
        "struct" => {
            let mut members = Struct::new();
            for pair in body.as_array().unwrap() {
                members.insert(pair[0].as_str().unwrap().to_owned(), value_of(&pair[1]));
            }
            Value::Struct(members)
        }
        other => panic!("unknown description tag {other}"),
    }
}

/// Equality that also tells 0.0 from -0.0.
fn assert_same(got: &Value, want: &Value, name: &str) {
    assert_eq!(got, want, "{name}");
    if let (Value::Double(a), Value::Double(b)) = (got, want) {
        assert_eq!(a.to_bits(), b.to_bits(), "{name}: sign or payload differs");
    }
}

fn values_of(vector: &Json) -> Vec<Value> {
    vector["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(value_of)
        .collect()
}

#[test]
fn encoder_reproduces_cpython_dumps_byte_for_byte() {
    let vectors = vectors();
    let dumps = vectors["dumps"].as_array().unwrap();
    assert!(dumps.len() > 60, "the generator wrote too few vectors");
    for vector in dumps {
        let name = vector["name"].as_str().unwrap();
        let want = vector["xml"].as_str().unwrap();
        let got = match vector["kind"].as_str().unwrap() {
            "params" => {
                let mut out = String::from("<params>\n<param>\n");
                write_value(&mut out, &values_of(vector)[0]).unwrap();
                out.push_str("</param>\n</params>\n");
                out
            }
            "response" => encode_response(&values_of(vector)[0]).unwrap(),
            "call" => encode_call(vector["method"].as_str().unwrap(), &values_of(vector)).unwrap(),
            "fault" => encode_fault(&Fault::new(
                vector["fault"]["code"].as_i64().unwrap() as i32,
                vector["fault"]["string"].as_str().unwrap(),
            )),
            other => panic!("kind {other}"),
        };
        assert_eq!(got, want, "{name}");
    }
}

#[test]
fn decoder_reads_what_cpython_reads() {
    let vectors = vectors();
    let all = vectors["dumps"]
        .as_array()
        .unwrap()
        .iter()
        .chain(vectors["loads"].as_array().unwrap());
    let limits = Limits::default();
    let mut checked = 0;
    for vector in all {
        let name = vector["name"].as_str().unwrap();
        let xml = vector["xml"].as_str().unwrap().as_bytes();
        match vector["kind"].as_str().unwrap() {
            "params" => continue, // a fragment, not a document
            "response" => {
                let want = values_of(vector).remove(0);
                match decode_response(xml, &limits) {
                    Ok(MethodResponse::Success(got)) => assert_same(&got, &want, name),
                    other => panic!("{name}: {other:?}"),
                }
            }
            "call" => {
                let call = decode_call(xml, &limits).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(call.name, vector["method"].as_str().unwrap(), "{name}");
                let want = values_of(vector);
                assert_eq!(call.params.len(), want.len(), "{name}");
                for (got, want) in call.params.iter().zip(&want) {
                    assert_same(got, want, name);
                }
            }
            "fault" => {
                let want = Fault::new(
                    vector["fault"]["code"].as_i64().unwrap() as i32,
                    vector["fault"]["string"].as_str().unwrap(),
                );
                assert_eq!(
                    decode_response(xml, &limits),
                    Ok(MethodResponse::Fault(want)),
                    "{name}"
                );
            }
            other => panic!("kind {other}"),
        }
        checked += 1;
    }
    assert!(checked > 50, "only {checked} vectors checked");
}

#[test]
fn decoder_refuses_what_cpython_refuses() {
    let vectors = vectors();
    let refused = vectors["refused"].as_array().unwrap();
    assert!(refused.len() >= 5);
    for vector in refused {
        let name = vector["name"].as_str().unwrap();
        let xml = vector["xml"].as_str().unwrap().as_bytes();
        let read = decode_response(xml, &Limits::default());
        let Err(error) = read else {
            panic!("{name}: CPython refuses it, we read {read:?}");
        };
        // Where CPython's reader raised (not expat), a server answers with
        // the same fault.
        let fault = vector["fault"].as_str().unwrap();
        if !fault.contains("ExpatError") {
            assert_eq!(error.to_fault(), Fault::new(1, fault), "{name}");
        }
    }
}
