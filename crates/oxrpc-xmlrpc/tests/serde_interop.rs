//! serde types through CPython: structs, maps, sequences, tuples, enums,
//! options, bytes and date-times (ours, chrono's and time's) sent to
//! CPython's SimpleXMLRPCServer, which reads them into dicts, lists,
//! `DateTime` and `Binary` and writes them back, and read again into the
//! Rust types. Plus what the mapping does at its edges.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

use oxrpc_testkit::{python_command, ChildGuard};
use oxrpc_xmlrpc::{
    as_datetime, from_value, to_value, Binary, Client, DateTime, Serde, Struct, Value,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Status {
    Packed,
    Shipped,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Route {
    Direct,
    Via { hub: String, hops: u8 },
    Legs(Vec<String>),
    Courier(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Shipment {
    id: u32,
    label: String,
    weight: f64,
    fragile: bool,
    tags: Vec<String>,
    dims: (u32, u32, u32),
    contents: BTreeMap<String, u32>,
    bins: HashMap<u16, String>,
    shipped: DateTime,
    label_png: Binary,
    note: Option<String>,
    status: Status,
    route: Route,
    detours: Vec<Route>,
    nothing: (),
    #[serde(with = "as_datetime")]
    eta: chrono::NaiveDateTime,
    #[serde(with = "as_datetime")]
    signed: time::OffsetDateTime,
    #[serde(with = "serde_bytes_like")]
    raw: Vec<u8>,
}

/// `Vec<u8>` as bytes (serde writes it as a sequence otherwise).
mod serde_bytes_like {
    pub fn serialize<S: serde::Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(bytes)
    }
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        <oxrpc_xmlrpc::Binary as serde::Deserialize>::deserialize(d).map(|b| b.0)
    }
}

fn sample() -> Shipment {
    Shipment {
        id: 7,
        label: "caja <frágil> & \"cuidado\"".into(),
        weight: 12.5,
        fragile: true,
        tags: vec!["priority".into(), "ñandú".into()],
        dims: (30, 20, 10),
        contents: [("mugs".to_string(), 4), ("plates".to_string(), 6)]
            .into_iter()
            .collect(),
        bins: [(1, "A".to_string()), (65535, "Z".to_string())]
            .into_iter()
            .collect(),
        shipped: "20261126T01:10:20".parse().unwrap(),
        label_png: Binary((0..=255).collect()),
        note: None,
        status: Status::Shipped,
        route: Route::Via {
            hub: "MAD".into(),
            hops: 2,
        },
        detours: vec![
            Route::Direct,
            Route::Legs(vec!["BCN".into(), "VLC".into()]),
            Route::Courier("Ana".into()),
        ],
        nothing: (),
        eta: chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
            .unwrap()
            .and_hms_opt(9, 30, 0)
            .unwrap(),
        signed: time::OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap(),
        raw: vec![0, 1, 2, 254, 255],
    }
}

fn reference_server() -> (ChildGuard, String) {
    let mut cmd = python_command();
    cmd.arg(oxrpc_testkit::interop_path("xmlrpc/reference_server.py"));
    let mut child = ChildGuard::spawn(cmd);
    let line = child.wait_for_line("ready");
    let port = line.trim().rsplit(' ').next().unwrap().to_owned();
    (child, format!("http://127.0.0.1:{port}"))
}

#[test]
fn structs_round_trip_through_cpython() {
    let (_server, url) = reference_server();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = Client::new(&url).unwrap();
        let sent = sample();
        let value = to_value(&sent).unwrap();
        // The wire types CPython sees.
        assert!(matches!(value.get("shipped"), Some(Value::DateTime(_))));
        assert!(matches!(value.get("eta"), Some(Value::DateTime(_))));
        assert!(matches!(value.get("label_png"), Some(Value::Base64(_))));
        assert!(matches!(value.get("raw"), Some(Value::Base64(_))));
        assert_eq!(value.get("note"), Some(&Value::Nil));
        assert_eq!(value.get("status"), Some(&Value::from("Shipped")));
        assert_eq!(
            value.get("dims"),
            Some(&Value::Array(vec![
                Value::Int(30),
                Value::Int(20),
                Value::Int(10)
            ]))
        );
        assert_eq!(
            value.get("signed").map(|v| v.to_python_str()),
            Some("20270115T08:00:00".to_owned())
        );

        let Serde(back): Serde<Shipment> = client.call("echo", (value.clone(),)).await.unwrap();
        assert_eq!(back, sent);
        // CPython's own view of it: a dict, list, DateTime, Binary.
        let echoed = client.call_value("echo", vec![value]).await.unwrap();
        let Value::Struct(members) = echoed else {
            panic!("{echoed:?}")
        };
        assert_eq!(members["bins"].get("65535"), Some(&Value::from("Z")));
        assert_eq!(
            members["route"].get("Via").and_then(|v| v.get("hops")),
            Some(&Value::Int(2))
        );

        // Typed date-times through CPython's DateTime.
        let eta: chrono::NaiveDateTime = client.call("echo", (sent.eta,)).await.unwrap();
        assert_eq!(eta, sent.eta);
        let signed: time::OffsetDateTime = client.call("echo", (sent.signed,)).await.unwrap();
        assert_eq!(signed, sent.signed);
        let utc = sent.eta.and_utc();
        let back: chrono::DateTime<chrono::Utc> = client.call("echo", (utc,)).await.unwrap();
        assert_eq!(back, utc);

        // What CPython returns that does not fit says where.
        let mut broken = to_value(&sample()).unwrap();
        if let Value::Struct(members) = &mut broken {
            members.insert(
                "detours".into(),
                Value::Array(vec![Value::from("Direct"), Value::from("Teleport")]),
            );
        }
        let error = client
            .call::<Serde<Shipment>>("echo", (broken,))
            .await
            .unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains("detours[1]: unknown variant `Teleport`"),
            "{text}"
        );
    });
}

#[test]
fn the_mapping_at_its_edges() {
    // Integers beyond 64 bits, and back.
    assert_eq!(
        to_value(&u64::MAX).unwrap(),
        Value::BigInt(u64::MAX.to_string())
    );
    assert_eq!(
        from_value::<u64>(Value::BigInt(u64::MAX.to_string())).unwrap(),
        u64::MAX
    );
    assert_eq!(to_value(&-5i128).unwrap(), Value::Int(-5));
    // An int where a float is wanted, as Python's arithmetic allows.
    assert_eq!(from_value::<f64>(Value::Int(3)).unwrap(), 3.0);
    // Missing members are None; unknown ones are ignored.
    #[derive(Debug, Deserialize, PartialEq)]
    struct Partial {
        a: i32,
        b: Option<String>,
    }
    let mut members = Struct::new();
    members.insert("a".into(), Value::Int(1));
    members.insert("zzz".into(), Value::Nil);
    assert_eq!(
        from_value::<Partial>(Value::Struct(members)).unwrap(),
        Partial { a: 1, b: None }
    );
    // Map keys must have a text.
    let mut keyed: HashMap<(u8, u8), u8> = HashMap::new();
    keyed.insert((1, 2), 3);
    let error = to_value(&keyed).unwrap_err();
    assert!(
        error.to_string().contains("member names must be strings"),
        "{error}"
    );
    // Tuples must have their length.
    let error = from_value::<(i32, i32)>(Value::Array(vec![Value::Int(1)])).unwrap_err();
    assert!(error.to_string().contains("invalid length 1"), "{error}");
    let error = from_value::<(i32,)>(Value::Array(vec![Value::Int(1), Value::Int(2)])).unwrap_err();
    assert!(error.to_string().contains("invalid length 2"), "{error}");
    // Paths through maps with keys that are not names.
    let error = from_value::<HashMap<String, Vec<u8>>>(Value::Struct(
        [(
            "a b".to_string(),
            Value::Array(vec![Value::Int(1), Value::Int(300)]),
        )]
        .into_iter()
        .collect(),
    ))
    .unwrap_err();
    assert_eq!(error.path(), "['a b'][1]");
    // A serde Value mirror: any value into Value and out again.
    let value = to_value(&sample()).unwrap();
    let json = serde_json::to_value(&value).unwrap();
    assert_eq!(json["shipped"], "20261126T01:10:20");
    assert_eq!(json["status"], "Shipped");
    let again: Value = from_value(value.clone()).unwrap();
    // (through serde a DateTime reads as its text)
    assert_eq!(again.get("label"), value.get("label"));
    assert_eq!(
        again.get("shipped"),
        Some(&Value::from("20261126T01:10:20"))
    );
}
