//! One `rpc` span per XML-RPC request, with the method, peer, HTTP method
//! and path; what the handler logs happens inside it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

mod support;

use oxrpc_testkit::{expect_success, python_command, run_with_deadline};
use oxrpc_xmlrpc::Server;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;
use tracing_subscriber::registry::LookupSpan;

#[derive(Debug, Clone, Default)]
struct Seen {
    spans: BTreeMap<u64, (String, BTreeMap<String, String>)>,
    /// (event message, the name of the span it happened in)
    events: Vec<(String, Option<u64>)>,
}

#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Seen>>);

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
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, _ctx: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        attrs.record(&mut Fields(&mut fields));
        self.0
            .lock()
            .unwrap()
            .spans
            .insert(id.into_u64(), (attrs.metadata().name().to_owned(), fields));
    }
    fn on_record(&self, id: &Id, values: &Record<'_>, _ctx: Context<'_, S>) {
        if let Some((_, fields)) = self.0.lock().unwrap().spans.get_mut(&id.into_u64()) {
            values.record(&mut Fields(fields));
        }
    }
    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        let span = ctx.event_span(event).map(|s| s.id().into_u64());
        self.0
            .lock()
            .unwrap()
            .events
            .push((fields.remove("message").unwrap_or_default(), span));
    }
}

#[test]
fn a_span_per_request_with_the_handler_inside() {
    let recorder = Recorder::default();
    tracing_subscriber::registry().with(recorder.clone()).init();
    let running = support::serve(|| {
        let mut server = Server::new();
        server.register("add", |a: i32, b: i32| {
            tracing::info!("adding inside the handler");
            a + b
        });
        server
    });
    let code = format!(
        "import xmlrpc.client as x\nassert x.ServerProxy({:?}).add(2, 3) == 5\nprint('ok')",
        running.url()
    );
    let mut cmd = python_command();
    cmd.args(["-c", &code]);
    let out = expect_success(
        "ServerProxy",
        &run_with_deadline(cmd, Duration::from_secs(60)),
    );
    assert_eq!(out.trim(), "ok");
    drop(running);
    let seen = recorder.0.lock().unwrap().clone();
    let (id, (_, fields)) = seen
        .spans
        .iter()
        .find(|(_, (name, fields))| {
            name == "rpc" && fields.get("method").map(String::as_str) == Some("add")
        })
        .unwrap_or_else(|| panic!("no rpc span for add: {seen:#?}"));
    assert_eq!(fields["protocol"], "xmlrpc");
    assert_eq!(fields["http"], "POST");
    assert_eq!(fields["path"], "/RPC2");
    assert!(fields["peer"].starts_with("127.0.0.1:"), "{fields:?}");
    assert!(
        seen.events
            .iter()
            .any(|(message, span)| message == "adding inside the handler" && *span == Some(*id)),
        "the handler's event is not inside the request's span: {seen:#?}"
    );
}
