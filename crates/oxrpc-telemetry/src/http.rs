//! The metrics address: `/metrics` for Prometheus, `/` for people,
//! `/status.json` for the page's refresh. GET only; anything else is 404
//! or 405. It serves only what the hub already holds, so a scrape costs
//! the servers nothing but the reads.

use crate::handles::Telemetry;
use crate::page;
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CACHE_CONTROL, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpListener;
use tracing::debug;

/// Most connections the metrics address serves at once.
const MAX_CONNECTIONS: usize = 64;

fn answer(telemetry: &Telemetry, request: &Request<Incoming>) -> Response<Full<Bytes>> {
    let (status, content_type, body) = match (request.method(), request.uri().path()) {
        (&Method::GET, "/metrics") => (
            StatusCode::OK,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
            telemetry.prometheus_text(),
        ),
        (&Method::GET, "/status.json") => (
            StatusCode::OK,
            "application/json",
            page::status(telemetry).to_string(),
        ),
        (&Method::GET, "/") => (
            StatusCode::OK,
            "text/html; charset=utf-8",
            page::html(&page::status(telemetry)),
        ),
        (&Method::GET, _) => (StatusCode::NOT_FOUND, "text/plain", "not found\n".into()),
        _ => (
            StatusCode::METHOD_NOT_ALLOWED,
            "text/plain",
            "GET only\n".into(),
        ),
    };
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Serves the metrics and the status page on `listener` until `shutdown`.
///
/// ```no_run
/// # async fn run() -> std::io::Result<()> {
/// let telemetry = oxrpc_telemetry::Telemetry::new();
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:9100").await?;
/// oxrpc_telemetry::serve(listener, telemetry, std::future::pending()).await
/// # }
/// ```
pub async fn serve(
    listener: TcpListener,
    telemetry: Telemetry,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let permits = std::sync::Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(10))
        .keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            _ = &mut shutdown => return Ok(()),
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => return Ok(()),
            },
        };
        let (stream, peer) = tokio::select! {
            _ = &mut shutdown => return Ok(()),
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    debug!(error = %e, "metrics: accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let (telemetry, http) = (telemetry.clone(), http.clone());
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let response = answer(&telemetry, &request);
                async move { Ok::<_, Infallible>(response) }
            });
            if let Err(e) = http.serve_connection(TokioIo::new(stream), service).await {
                debug!(%peer, error = %e, "metrics: connection ended with an error");
            }
            drop(permit);
        });
    }
}
