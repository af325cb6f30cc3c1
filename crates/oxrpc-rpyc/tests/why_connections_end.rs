//! Calls waiting when a connection ends learn why it ended, whichever
//! side of the socket found out first.
//!
//! A peer that refuses us after the TLS handshake (a client certificate it
//! wanted) sends an alert and resets the connection: our next write fails
//! with a bare broken pipe, and only the reader, a moment later, reads the
//! alert that says why. The calls waiting must get the alert.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

use oxrpc_rpyc::{Config, Connection, Error, VoidService};
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Sleep;

/// What the peer said, as rustls reports a fatal alert.
const ALERT: &str = "received fatal alert: CertificateRequired";

/// How long after the failed write the alert is read.
const ALERT_DELAY: Duration = Duration::from_millis(20);

/// A stream whose every write fails, and whose reading ends with the
/// alert shortly after the first failed write.
#[derive(Default)]
struct RefusingPeer {
    alert_at: Mutex<Option<Pin<Box<Sleep>>>>,
    reader: Mutex<Option<Waker>>,
}

impl AsyncRead for RefusingPeer {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        _buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let mut alert_at = self.alert_at.lock().unwrap();
        match alert_at.as_mut() {
            Some(sleep) => sleep
                .as_mut()
                .poll(cx)
                .map(|()| Err(io::Error::new(io::ErrorKind::InvalidData, ALERT))),
            None => {
                *self.reader.lock().unwrap() = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

impl AsyncWrite for RefusingPeer {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, _: &[u8]) -> Poll<io::Result<usize>> {
        self.alert_at
            .lock()
            .unwrap()
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(ALERT_DELAY)));
        if let Some(reader) = self.reader.lock().unwrap().take() {
            reader.wake();
        }
        Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// The runtime's clock is paused, so the 20 ms and whatever the connection
/// waits for come in order however loaded the machine is.
#[tokio::test(start_paused = true)]
async fn a_call_waiting_when_a_write_fails_gets_the_reason_the_reader_reads() {
    let conn = Connection::start(
        RefusingPeer::default(),
        Arc::new(VoidService),
        Config::default(),
    );
    let error = conn
        .root()
        .await
        .expect_err("no root through a refusing peer");
    match &error {
        Error::Protocol(message) => assert!(message.contains(ALERT), "{message}"),
        other => panic!("expected the alert, got {other:?}"),
    }
    // A call made after the end gets the same reason.
    let later = conn.root().await.expect_err("still refused");
    assert!(later.to_string().contains(ALERT), "{later}");
}
