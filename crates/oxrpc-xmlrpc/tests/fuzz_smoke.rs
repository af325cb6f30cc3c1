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

/// The markup every mutation test uses, and what aims at the parser's
/// edges: CDATA, a DTD and its entity, another encoding, UTF-16.
fn dictionary() -> Vec<&'static [u8]> {
    let edges: &[&[u8]] = &[
        b"<![CDATA[",
        b"]]>",
        b"<!DOCTYPE x [<!ENTITY a \"b\">]>",
        b"&a;",
        b"<?xml version='1.0' encoding='latin-1'?>",
        b"\xff\xfe",
    ];
    [oxrpc_testkit::XMLRPC_MARKUP_TOKENS, edges].concat()
}

#[test]
fn xmlrpc_parsers_survive_mutated_documents() {
    let limits = Limits::default();
    let seeds = seeds();
    let dictionary = dictionary();
    let runs = oxrpc_testkit::fuzz_smoke(
        "xmlrpc request parser",
        &seeds,
        &dictionary,
        Duration::from_secs(8),
        |input| {
            let _ = decode_call(input, &limits);
        },
    );
    assert!(runs > 100);
    let runs = oxrpc_testkit::fuzz_smoke(
        "xmlrpc response parser",
        &seeds,
        &dictionary,
        Duration::from_secs(8),
        |input| {
            let _ = decode_response(input, &limits);
        },
    );
    assert!(runs > 100);
}
