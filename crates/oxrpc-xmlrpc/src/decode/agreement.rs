//! The layout reader is an optimisation of the general one: on every
//! document it takes, both must read the same thing. Mutated documents
//! (golden vectors from CPython, and what our encoder writes for varied
//! values) find the corners where they could part.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::encoding::prepare_input;
use super::{general, layout, Limits};
use crate::encode::{encode_call, encode_fault, encode_response};
use crate::fault::Fault;
use crate::value::{DateTime, Struct, Value};
use std::time::Duration;

/// The markup every mutation test uses, and what takes a document out of
/// the layout or to its edges: the other scalars, empty-element spellings,
/// the other references, CDATA, a comment, a processing instruction, an
/// attribute, line ends and characters XML forbids.
fn dictionary() -> Vec<&'static [u8]> {
    let edges: &[&[u8]] = &[
        b"<string>",
        b"</string>",
        b"<boolean>",
        b"<string/>",
        b"<value/>",
        b"&lt;",
        b"&quot;",
        b"&#38;",
        b"&#x26;",
        b"<![CDATA[x]]>",
        b"<!-- c -->",
        b"<?pi x?>",
        b" a='1'",
        b"\r",
        b"\x0c",
        b"\x00",
        b"\xef\xbf\xbe",
        b" ",
        b"\t",
    ];
    [oxrpc_testkit::XMLRPC_MARKUP_TOKENS, edges].concat()
}

fn sample_values() -> Vec<Value> {
    let mut member = Struct::new();
    member.insert("id".into(), Value::Int(7919));
    member.insert("name".into(), Value::from("item 3 & \u{e9}t\u{e9} <b>"));
    member.insert("price".into(), Value::Double(3.85));
    member.insert("active".into(), Value::Bool(true));
    member.insert(
        "tags".into(),
        Value::Array(vec![Value::from("a-3"), Value::from("b-3")]),
    );
    member.insert("none".into(), Value::Nil);
    let mut nested = Struct::new();
    nested.insert("inner".into(), Value::Struct(member.clone()));
    nested.insert("empty".into(), Value::Struct(Struct::new()));
    vec![
        Value::Struct(member),
        Value::Struct(nested),
        Value::Array(vec![
            Value::Int(-5),
            Value::Int(1 << 40),
            Value::from(""),
            Value::from("  spaced  "),
            Value::Base64(b"bytes\x00\xff".to_vec()),
            Value::DateTime(DateTime::from_wire("20261201T03:04:05")),
            Value::Array(Vec::new()),
        ]),
        Value::Double(-1e300),
        Value::from("quote \" and ' and > and \u{1F600}"),
    ]
}

fn seeds() -> Vec<Vec<u8>> {
    let mut seeds = Vec::new();
    for value in sample_values() {
        seeds.push(
            encode_call("m", std::slice::from_ref(&value))
                .unwrap()
                .into_bytes(),
        );
        seeds.push(encode_response(&value).unwrap().into_bytes());
    }
    seeds.push(encode_call("none", &[]).unwrap().into_bytes());
    seeds.push(encode_fault(&Fault::new(4, "Too many <params>")).into_bytes());
    seeds.extend(oxrpc_testkit::xmlrpc_golden_documents());
    seeds
}

/// Runs mutated documents through both readers under `limits`; returns
/// how many the layout reader took.
fn compare(name: &str, limits: &Limits) -> u64 {
    let mut taken = 0u64;
    let runs = oxrpc_testkit::fuzz_smoke(
        name,
        &seeds(),
        &dictionary(),
        Duration::from_secs(3),
        |input| {
            let Ok(input) = prepare_input(input) else {
                return;
            };
            let Ok(document) = std::str::from_utf8(&input) else {
                return;
            };
            if let Ok(fast) = layout::read(document, limits) {
                taken += 1;
                let general = general::read(document, limits);
                assert_eq!(
                    general.as_ref().ok(),
                    Some(&fast),
                    "the readers disagree on {document:?} (general: {general:?})"
                );
            }
        },
    );
    eprintln!("{name}: the layout reader took {taken} of {runs}");
    assert!(runs > 1_000);
    taken
}

#[test]
fn both_readers_read_mutated_documents_alike() {
    let taken = compare("default limits", &Limits::default());
    // The mutations must leave enough documents in the layout for the
    // comparison to mean something.
    assert!(taken > 1_000, "only {taken} documents were in the layout");
    compare(
        "tight limits",
        &Limits {
            max_depth: 2,
            max_values: 12,
        },
    );
}

#[test]
fn cpython_layout_is_read_by_the_layout_reader() {
    for seed in seeds().iter().take(sample_values().len() * 2 + 2) {
        let document = std::str::from_utf8(seed).unwrap();
        let fast = layout::read(document, &Limits::default());
        assert!(fast.is_ok(), "not in the layout: {document}");
        assert_eq!(fast.ok(), general::read(document, &Limits::default()).ok());
    }
}
