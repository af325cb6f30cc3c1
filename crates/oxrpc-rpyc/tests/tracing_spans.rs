//! One `rpc` span per request served, with the handler, method, peer,
//! connection and seq; a call the server makes into the peer while
//! serving (a callback) is an `rpc.out` span inside the request's own.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

mod common;

use common::TestServer;
use oxrpc_rpyc::Config;
use oxrpc_testkit::{expect_success, python_command, run_with_deadline};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::Subscriber;
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;
use tracing_subscriber::registry::LookupSpan;

#[derive(Debug, Clone, Default)]
struct SpanSeen {
    name: String,
    fields: BTreeMap<String, String>,
    parent: Option<u64>,
    id: u64,
}

#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<SpanSeen>>>);

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(
            field.name().to_owned(),
            format!("{value:?}").trim_matches('"').to_owned(),
        );
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Recorder {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut seen = SpanSeen {
            name: attrs.metadata().name().to_owned(),
            id: id.into_u64(),
            parent: ctx
                .span(id)
                .and_then(|s| s.parent())
                .map(|p| p.id().into_u64()),
            ..SpanSeen::default()
        };
        attrs.record(&mut Fields(&mut seen.fields));
        self.0.lock().unwrap().push(seen);
    }
    fn on_record(&self, id: &Id, values: &Record<'_>, _ctx: Context<'_, S>) {
        let mut spans = self.0.lock().unwrap();
        if let Some(seen) = spans.iter_mut().find(|s| s.id == id.into_u64()) {
            values.record(&mut Fields(&mut seen.fields));
        }
    }
}

#[test]
fn a_span_per_call_and_callbacks_inside_their_caller() {
    let recorder = Recorder::default();
    tracing_subscriber::registry().with(recorder.clone()).init();
    let server = TestServer::start_with(Config::default());
    let code = format!(
        r#"
import rpyc
c = rpyc.connect({host:?}, {port})
assert c.root.get_answer() == 42
assert c.root.call_back(lambda x: x * 2, 21) == 42
print('ok')
"#,
        host = server.host(),
        port = server.port()
    );
    let mut cmd = python_command();
    cmd.args(["-c", &code]);
    let out = expect_success(
        "the client",
        &run_with_deadline(cmd, Duration::from_secs(60)),
    );
    assert_eq!(out.trim(), "ok");
    let spans = recorder.0.lock().unwrap().clone();
    let rpc: Vec<&SpanSeen> = spans.iter().filter(|s| s.name == "rpc").collect();
    let get_answer = rpc
        .iter()
        .find(|s| s.fields.get("method").map(String::as_str) == Some("call get_answer"))
        .unwrap_or_else(|| panic!("no span for the call: {rpc:#?}"));
    assert_eq!(get_answer.fields["protocol"], "rpyc");
    assert_eq!(get_answer.fields["handler"], "HANDLE_CALL");
    assert!(
        get_answer.fields["peer"].starts_with("127.0.0.1:"),
        "{get_answer:?}"
    );
    assert!(get_answer.fields["conn"].contains('/'), "{get_answer:?}");
    assert!(
        get_answer.fields["seq"].parse::<u64>().is_ok(),
        "{get_answer:?}"
    );
    // The callback: the server's HANDLE_CALL into the client, inside the
    // span of the request that made it.
    let call_back = rpc
        .iter()
        .find(|s| s.fields.get("method").map(String::as_str) == Some("call call_back"))
        .unwrap_or_else(|| panic!("no span for call_back: {rpc:#?}"));
    let out: Vec<&SpanSeen> = spans.iter().filter(|s| s.name == "rpc.out").collect();
    assert!(
        out.iter()
            .any(|s| s.parent == Some(call_back.id) && s.fields["handler"] == "HANDLE_CALL"),
        "no callback span inside call_back's: {out:#?}"
    );
    // One span per request: every request the client sent has one.
    assert!(rpc.len() >= 6, "{rpc:#?}");
    server.stop();
}
