//! A bounded fuzz smoke run of the XML-RPC parsers (the long runs use
//! libFuzzer, see fuzz/): mutated golden documents must give a value or an
//! error, never a panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

use oxrpc_xmlrpc::{decode_call, decode_response, Limits};
use std::time::Duration;

fn seeds() -> Vec<Vec<u8>> {
    oxrpc_testkit::xmlrpc_golden_documents()
}

const DICTIONARY: &[&[u8]] = &[
    b"<value>",
    b"</value>",
    b"<array><data>",
    b"</data></array>",
    b"<struct>",
    b"<member>",
    b"<name>",
    b"</name>",
    b"<int>",
    b"<i8>",
    b"<double>",
    b"<base64>",
    b"<nil/>",
    b"&amp;",
    b"&#",
    b"<![CDATA[",
    b"]]>",
    b"<!DOCTYPE x [<!ENTITY a \"b\">]>",
    b"&a;",
    b"ex:",
    b"<?xml version='1.0' encoding='latin-1'?>",
    b"\xff\xfe",
    b"\r\n",
];

#[test]
fn xmlrpc_parsers_survive_mutated_documents() {
    let limits = Limits::default();
    let seeds = seeds();
    let runs = oxrpc_testkit::fuzz_smoke(
        "xmlrpc request parser",
        &seeds,
        DICTIONARY,
        Duration::from_secs(8),
        |input| {
            let _ = decode_call(input, &limits);
        },
    );
    assert!(runs > 100);
    let runs = oxrpc_testkit::fuzz_smoke(
        "xmlrpc response parser",
        &seeds,
        DICTIONARY,
        Duration::from_secs(8),
        |input| {
            let _ = decode_response(input, &limits);
        },
    );
    assert!(runs > 100);
}
