//! The XML-RPC endpoint mounted inside an application's own hyper server,
//! next to routes of its own, called by CPython's `ServerProxy`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

use bytes::Bytes;
use http_body_util::{combinators::BoxBody, BodyExt, Full};
use oxrpc_testkit::{expect_success, python_command, run_with_deadline};
use oxrpc_xmlrpc::{ClientAddr, ConnectionInfo, DocsConfig, Router, Server, ServerConfig};
use std::convert::Infallible;
use std::time::Duration;

async fn app(
    router: Router,
    connection: ConnectionInfo,
    mut request: hyper::Request<hyper::body::Incoming>,
) -> Result<hyper::Response<BoxBody<Bytes, Infallible>>, Infallible> {
    if request.uri().path() == "/health" {
        return Ok(hyper::Response::new(Full::new(Bytes::from("ok")).boxed()));
    }
    request.extensions_mut().insert(connection);
    Ok(router.handle(request).await.map(BodyExt::boxed))
}

#[test]
fn a_router_serves_inside_a_hyper_app() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut server = Server::with_config(ServerConfig {
        log_requests: false,
        docs: Some(DocsConfig::default()),
        ..ServerConfig::default()
    });
    server.register("add", |a: i32, b: i32| a + b);
    server.register("caller", |addr: ClientAddr| addr.0.ip().to_string());
    let router = server.into_router();
    runtime.spawn(async move {
        loop {
            let (stream, peer) = listener.accept().await.unwrap();
            let router = router.clone();
            tokio::spawn(async move {
                let connection = ConnectionInfo::new(Some(peer.into()), Vec::new());
                let service = hyper::service::service_fn(move |request| {
                    app(router.clone(), connection.clone(), request)
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    });

    let mut python = python_command();
    python.arg("-c").arg(format!(
        r#"
import urllib.request, xmlrpc.client
base = 'http://127.0.0.1:{port}'
assert urllib.request.urlopen(base + '/health').read() == b'ok'
proxy = xmlrpc.client.ServerProxy(base + '/RPC2')
assert proxy.add(2, 3) == 5
assert proxy.caller() == '127.0.0.1'
try:
    proxy.nope()
    raise SystemExit('no fault')
except xmlrpc.client.Fault as fault:
    assert 'method "nope" is not supported' in fault.faultString, fault
page = urllib.request.urlopen(base + '/docs').read().decode()
assert 'data-method="add"' in page
try:
    urllib.request.urlopen(base + '/elsewhere')
    raise SystemExit('no 404')
except urllib.error.HTTPError as error:
    assert error.code == 404
print('router checks passed')
"#
    ));
    let output = run_with_deadline(python, Duration::from_secs(60));
    let stdout = expect_success("router checks", &output);
    assert!(stdout.contains("router checks passed"), "{stdout}");
    runtime.shutdown_timeout(Duration::from_secs(5));
}
