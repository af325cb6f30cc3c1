//! The client's `headers=`, `verbose=` and HTTP proxy, and MultiCall over
//! its pooled connection, against CPython's SimpleXMLRPCServer (and a
//! small Python forward proxy, tests/interop/xmlrpc/http_proxy.py).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

use oxrpc_testkit::{python_command, ChildGuard};
use oxrpc_xmlrpc::{Client, Error, Proxy, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

fn start(script: &str, args: &[&str], ready: &str) -> (ChildGuard, u16) {
    let mut cmd = python_command();
    cmd.arg(oxrpc_testkit::interop_path(script)).args(args);
    let mut child = ChildGuard::spawn(cmd);
    let line = child.wait_for_line(ready);
    let port = line.trim().rsplit(' ').next().unwrap().parse().unwrap();
    (child, port)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// What `tracing` writes, kept for the test to read.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// An HTTP error carries the server's own reason phrase, as CPython's
/// ProtocolError does: CPython's server gives one when it cannot read the
/// body's encoding.
#[test]
fn an_http_error_keeps_the_servers_reason() {
    let (_server, port) = start("xmlrpc/header_server.py", &[], "ready");
    let url = format!("http://127.0.0.1:{port}/RPC2");
    runtime().block_on(async {
        let client = Client::builder(&url)
            .header("Content-Encoding", "deflate")
            .build()
            .unwrap();
        match client.call::<i64>("add", (1, 2)).await {
            Err(Error::Http { status, reason, .. }) => {
                assert_eq!(
                    (status, reason.as_str()),
                    (501, "encoding 'deflate' not supported")
                );
            }
            other => panic!("{other:?}"),
        }
    });
}

#[test]
fn custom_headers_reach_cpython() {
    let (_server, port) = start("xmlrpc/header_server.py", &[], "ready");
    let url = format!("http://127.0.0.1:{port}/RPC2");
    runtime().block_on(async {
        let client = Client::builder(&url)
            .header("X-Api-Key", "k3y")
            .headers([("X-Tag", "a"), ("X-Tag", "b")])
            .header("User-Agent", "inventory-sync/2.1")
            .build()
            .unwrap();
        let seen: HashMap<String, String> = client.call("headers", ()).await.unwrap();
        assert_eq!(seen["x-api-key"], "k3y", "{seen:?}");
        assert_eq!(seen["x-tag"], "a, b", "{seen:?}");
        // A header the client sets itself is replaced, not doubled.
        assert_eq!(seen["user-agent"], "inventory-sync/2.1", "{seen:?}");
        assert_eq!(seen["content-type"], "text/xml", "{seen:?}");
        // Every call carries them, multicall included.
        let mut batch = client.multicall();
        batch.add("headers", ()).add("add", (1, 2));
        let results = batch.send().await.unwrap();
        let Ok(Value::Struct(members)) = &results[0] else {
            panic!("{results:?}")
        };
        assert_eq!(members["x-api-key"], Value::from("k3y"));
        assert_eq!(results[1].as_ref().unwrap(), &Value::Int(3));

        // Bad header names and values are refused when building.
        assert!(Client::builder(&url)
            .header("bad name", "x")
            .build()
            .is_err());
        assert!(Client::builder(&url)
            .header("x-ok", "bad\nvalue")
            .build()
            .is_err());
    });
}

#[test]
fn verbose_logs_requests_and_responses_without_credentials() {
    let (_server, port) = start("xmlrpc/header_server.py", &[], "ready");
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    let url = format!("http://ana:s3cret@127.0.0.1:{port}/RPC2");
    tracing::subscriber::with_default(subscriber, || {
        runtime().block_on(async {
            let quiet = Client::new(&url).unwrap();
            let _: i32 = quiet.call("add", (1, 1)).await.unwrap();
            assert_eq!(captured.text(), "", "not verbose: nothing logged");

            let client = Client::builder(&url).verbose(true).build().unwrap();
            let sum: i32 = client.call("add", (2, 3)).await.unwrap();
            assert_eq!(sum, 5);
        })
    });
    let log = captured.text();
    println!("{log}");
    for expected in [
        &format!("send: POST http://127.0.0.1:{port}/RPC2 HTTP/1.1"),
        "content-type: text/xml",
        "authorization: <hidden>",
        "<methodName>add</methodName>",
        "<value><int>2</int></value>",
        "reply: HTTP/1.0 200 OK",
        "<value><int>5</int></value>",
    ] {
        assert!(log.contains(expected), "{expected:?} missing from:\n{log}");
    }
    // base64("ana:s3cret") never appears.
    assert!(!log.contains("YW5hOnMzY3JldA=="), "{log}");
    assert!(log.contains("oxrpc::xmlrpc::client"), "{log}");
}

#[test]
fn requests_go_through_an_http_proxy_on_one_pooled_connection() {
    let (_server, port) = start("xmlrpc/header_server.py", &[], "ready");
    let upstream = port.to_string();
    let (mut proxy, proxy_port) =
        start("xmlrpc/http_proxy.py", &[&upstream, "pu:pp"], "proxy ready");
    // A host name that resolves nowhere: only the proxy can reach it.
    let url = format!("http://xmlrpc-upstream.invalid:{port}/RPC2");
    runtime().block_on(async {
        let via = |credentials: &str| {
            Client::builder(&url)
                .proxy(Some(
                    Proxy::http(&format!("http://{credentials}@127.0.0.1:{proxy_port}")).unwrap(),
                ))
                .build()
                .unwrap()
        };
        let client = via("pu:pp");
        let sum: i32 = client.call("add", (2, 3)).await.unwrap();
        assert_eq!(sum, 5);
        let seen: HashMap<String, String> = client.call("headers", ()).await.unwrap();
        assert_eq!(seen["host"], format!("xmlrpc-upstream.invalid:{port}"));
        assert!(!seen.contains_key("proxy-authorization"), "{seen:?}");
        let mut batch = client.multicall();
        batch
            .add("add", (1, 2))
            .add("add", ("a", 1))
            .add("add", (10, 20));
        let results = batch.send().await.unwrap();
        assert_eq!(results[0].as_ref().unwrap(), &Value::Int(3));
        assert!(
            matches!(&results[1], Err(Error::Fault(f)) if f.string.contains("TypeError")),
            "{results:?}"
        );
        assert_eq!(results[2].as_ref().unwrap(), &Value::Int(30));
        let again: i32 = client.call("add", (4, 4)).await.unwrap();
        assert_eq!(again, 8);

        // The proxy checks its credentials.
        let refused = via("pu:wrong").call::<i32>("add", (1, 1)).await;
        assert!(
            matches!(refused, Err(Error::Http { status: 407, .. })),
            "{refused:?}"
        );
        // Without the proxy, the name does not resolve.
        let direct = Client::builder(&url).proxy(None).build().unwrap();
        let failed = direct.call::<i32>("add", (1, 1)).await;
        assert!(matches!(failed, Err(Error::Transport(_))), "{failed:?}");
    });
    // Four calls (one of them the multicall) on connection 1, then the
    // refused one on a connection of its own.
    let target = format!("POST http://xmlrpc-upstream.invalid:{port}/RPC2");
    for _ in 0..4 {
        let line = proxy.wait_for_line("proxy request");
        assert_eq!(line.trim(), format!("proxy request 1 {target} auth=ok"));
    }
    let line = proxy.wait_for_line("proxy request");
    assert_eq!(line.trim(), format!("proxy request 2 {target} auth=bad"));
}
