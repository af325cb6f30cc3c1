//! A served connection whose reading half goes to a thread of its own:
//! the thread waits on the socket and on a wake-up descriptor, reads
//! without blocking, and hits its timeout when nothing comes; the async
//! writing half works meanwhile, through the accept loop's layers, and
//! both halves' bytes are counted. Streams that cannot be split so stay
//! whole and usable.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{send_then_read_done, LayeredServer, BIG};
use oxrpc_net::{Stream, ThreadReadHalf, Woken};
use std::io::{ErrorKind, Write};
use std::os::unix::net::UnixStream as StdUnixStream;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Reads `len` bytes on the current (non-runtime) thread, waiting on the
/// socket between reads; counts the wake-ups that came from `wake`.
fn read_on_thread(reader: &mut ThreadReadHalf, wake: &StdUnixStream, len: usize) -> Vec<u8> {
    let mut got = Vec::with_capacity(len);
    let mut buf = vec![0u8; 64 * 1024];
    while got.len() < len {
        let woken = reader.wait(wake, Some(Duration::from_secs(30))).unwrap();
        assert!(woken.socket, "nothing came within 30 s: {woken:?}");
        match reader.read(&mut buf) {
            Ok(0) => panic!("the peer closed after {} bytes", got.len()),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::WouldBlock => {}
            Err(e) => panic!("read failed: {e}"),
        }
    }
    got
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thread_reads_while_the_runtime_writes_through_every_layer() {
    let server = LayeredServer::start("thread-split", |accepted, _shutdown| async move {
        assert!(accepted.stream.splits_for_thread());
        let (mut reader, mut writer) = accepted.stream.into_thread_split().unwrap().unwrap();
        let (wake_tx, wake_rx) = StdUnixStream::pair().unwrap();
        wake_rx.set_nonblocking(true).unwrap();
        // The writer sends 1 MiB the client reads only after sending
        // its own: the write stays pending while the thread reads.
        let writing = tokio::spawn(async move {
            writer.write_all(&vec![7u8; BIG]).await.unwrap();
            writer.flush().await.unwrap();
            writer
        });
        let thread = std::thread::spawn(move || {
            // Nothing sent yet on the wake-up side: a short wait ends
            // with nothing woken, or with the client's first bytes.
            let first = reader
                .wait(&wake_rx, Some(Duration::from_millis(1)))
                .unwrap();
            assert!(!first.other, "{first:?}");
            let received = read_on_thread(&mut reader, &wake_rx, BIG);
            assert!(received.iter().all(|b| *b == 9));
            // The client now waits for "done": the socket is quiet, and
            // a byte on the wake-up side wakes the thread alone.
            (&wake_tx).write_all(&[1]).unwrap();
            let woken = reader
                .wait(&wake_rx, Some(Duration::from_secs(30)))
                .unwrap();
            assert_eq!(
                woken,
                Woken {
                    socket: false,
                    other: true
                }
            );
            let mut buf = [0u8; 16];
            let quiet = reader.read(&mut buf).unwrap_err();
            assert_eq!(quiet.kind(), ErrorKind::WouldBlock);
            reader
        });
        let mut writer = writing.await.unwrap();
        let reader = tokio::task::spawn_blocking(move || thread.join().unwrap())
            .await
            .unwrap();
        writer.write_all(b"done").await.unwrap();
        // The reading goes back to the runtime and sees the end.
        let mut reader = reader.into_async().unwrap();
        let mut rest = Vec::new();
        reader.read_to_end(&mut rest).await.unwrap();
        assert_eq!(rest, b"bye");
        writer.shutdown().await.unwrap();
    })
    .await;

    let mut client = send_then_read_done(server.port).await;
    client.write_all(b"bye").await.unwrap();
    client.shutdown().await.unwrap();
    let mut rest = Vec::new();
    client.read_to_end(&mut rest).await.unwrap();
    assert!(rest.is_empty(), "the writer's shutdown ends the stream");

    let stats = server.telemetry.stats();
    assert_eq!(stats.bytes_in(), BIG as u64 + 3);
    assert_eq!(stats.bytes_out(), BIG as u64 + 4);
    server.stop().await;
}

#[tokio::test]
async fn a_unix_socket_splits_for_a_thread_and_dropping_the_writer_ends_the_stream() {
    let (ours, mut theirs) = tokio::net::UnixStream::pair().unwrap();
    let (mut reader, writer) = Stream::Unix(ours).into_thread_split().unwrap().unwrap();
    theirs.write_all(b"ping").await.unwrap();
    let (_wake_tx, wake_rx) = StdUnixStream::pair().unwrap();
    let got = tokio::task::spawn_blocking(move || read_on_thread(&mut reader, &wake_rx, 4))
        .await
        .unwrap();
    assert_eq!(got, b"ping");
    drop(writer);
    let mut rest = Vec::new();
    theirs.read_to_end(&mut rest).await.unwrap();
    assert!(rest.is_empty());
}

#[tokio::test]
async fn streams_that_cannot_be_split_for_a_thread_stay_whole() {
    let (ours, mut theirs) = tokio::io::duplex(64);
    let stream = Stream::other(ours);
    assert!(!stream.splits_for_thread());
    let Err(stream) = stream.into_thread_split() else {
        panic!("a foreign stream was split for a thread");
    };
    let (mut reader, mut writer) = stream.into_split();
    writer.write_all(b"ping").await.unwrap();
    let mut got = [0u8; 4];
    theirs.read_exact(&mut got).await.unwrap();
    assert_eq!(&got, b"ping");
    theirs.write_all(b"pong").await.unwrap();
    reader.read_exact(&mut got).await.unwrap();
    assert_eq!(&got, b"pong");
}
