//! The metrics address: `/metrics` for Prometheus, `/` for people,
//! `/status.json` for the page's refresh. GET and HEAD; anything else is
//! 404 or 405. It serves only what the hub already holds, so a scrape
//! costs the servers nothing but the reads.
//!
//! At most [`MAX_CONNECTIONS`] connections are open at once; one more
//! closes the oldest, so connections that hold a slot and send nothing
//! cannot keep a scraper out.

use crate::handles::Telemetry;
use crate::page;
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{HeaderValue, ACCEPT, ALLOW, CACHE_CONTROL, CONTENT_TYPE};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::collections::VecDeque;
use std::convert::Infallible;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tracing::debug;

/// Most connections the metrics address serves at once.
const MAX_CONNECTIONS: usize = 64;

fn answer(telemetry: &Telemetry, request: &Request<Incoming>) -> Response<Full<Bytes>> {
    // HEAD is answered as GET is; hyper leaves the body out.
    let reads = matches!(*request.method(), Method::GET | Method::HEAD);
    let (status, content_type, body) = match (reads, request.uri().path()) {
        // OpenMetrics to those who ask for it (Prometheus does), the
        // classic text format to everyone else.
        (true, "/metrics") if asks_for_openmetrics(request) => (
            StatusCode::OK,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
            telemetry.prometheus_text(),
        ),
        (true, "/metrics") => (
            StatusCode::OK,
            "text/plain; version=0.0.4; charset=utf-8",
            telemetry.prometheus_classic_text(),
        ),
        (true, "/status.json") => (
            StatusCode::OK,
            "application/json",
            page::status(telemetry).to_string(),
        ),
        (true, "/") => (
            StatusCode::OK,
            "text/html; charset=utf-8",
            page::html(&page::status(telemetry)),
        ),
        (true, _) => (StatusCode::NOT_FOUND, "text/plain", "not found\n".into()),
        (false, _) => (
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
    if status == StatusCode::METHOD_NOT_ALLOWED {
        response
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
    }
    response
}

fn asks_for_openmetrics(request: &Request<Incoming>) -> bool {
    request
        .headers()
        .get_all(ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .any(|value| value.contains("application/openmetrics-text"))
}

/// The open connections, oldest first, each with the signal that closes
/// it.
#[derive(Default)]
struct OpenConnections {
    next: u64,
    open: VecDeque<(u64, Arc<Notify>)>,
}

impl OpenConnections {
    /// A slot for a new connection: its number and close signal. When all
    /// are taken, the oldest connection is told to close.
    fn admit(&mut self) -> (u64, Arc<Notify>) {
        if self.open.len() >= MAX_CONNECTIONS {
            if let Some((_, oldest)) = self.open.pop_front() {
                oldest.notify_one();
            }
        }
        self.next += 1;
        let close = Arc::new(Notify::new());
        self.open.push_back((self.next, close.clone()));
        (self.next, close)
    }

    fn leave(&mut self, id: u64) {
        self.open.retain(|(open, _)| *open != id);
    }
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
    let connections = Arc::new(Mutex::new(OpenConnections::default()));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(10))
        .keep_alive(true);
    tokio::pin!(shutdown);
    loop {
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
        let (id, close) = match connections.lock() {
            Ok(mut open) => open.admit(),
            Err(_) => return Ok(()),
        };
        let (telemetry, http, connections) = (telemetry.clone(), http.clone(), connections.clone());
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let response = answer(&telemetry, &request);
                async move { Ok::<_, Infallible>(response) }
            });
            tokio::select! {
                served = http.serve_connection(TokioIo::new(stream), service) => {
                    if let Err(e) = served {
                        debug!(%peer, error = %e, "metrics: connection ended with an error");
                    }
                }
                _ = close.notified() => debug!(%peer, "metrics: closed the oldest connection to make room"),
            }
            if let Ok(mut open) = connections.lock() {
                open.leave(id);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_past_the_cap_closes_the_oldest() {
        let mut open = OpenConnections::default();
        let first = open.admit();
        for _ in 1..MAX_CONNECTIONS {
            open.admit();
        }
        assert_eq!(open.open.len(), MAX_CONNECTIONS);
        let newest = open.admit();
        assert_eq!(open.open.len(), MAX_CONNECTIONS);
        assert!(open.open.iter().all(|(id, _)| *id != first.0));
        // The stored notification wakes the oldest when it next waits.
        let waker = ready_at_first_poll(first.1.notified());
        assert!(waker, "the oldest was not told to close");
        open.leave(newest.0);
        assert_eq!(open.open.len(), MAX_CONNECTIONS - 1);
    }

    /// Whether `future` is ready at its first poll.
    fn ready_at_first_poll(future: impl Future<Output = ()>) -> bool {
        let mut future = std::pin::pin!(future);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        future.as_mut().poll(&mut cx).is_ready()
    }
}
