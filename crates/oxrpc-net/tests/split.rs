//! A served connection split in two: each half works on its own while the
//! other is busy, through every layer the accept loop adds (prompt ACKs,
//! the write deadline, byte counts), and the bytes both halves move are
//! counted.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{send_then_read_done, LayeredServer, BIG};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn halves_of_a_layered_connection_work_at_once_and_are_counted() {
    let server = LayeredServer::start("split", |accepted, _shutdown| async move {
        assert_eq!(format!("{:?}", accepted.stream), "Stream::Layered");
        let (mut reader, mut writer) = accepted.stream.into_split();
        // The writer sends 1 MiB that the client reads only after it
        // has sent its own 1 MiB: the write stays pending meanwhile,
        // and the reader must make progress regardless.
        let writing = tokio::spawn(async move {
            writer.write_all(&vec![7u8; BIG]).await.unwrap();
            writer.flush().await.unwrap();
            writer
        });
        let mut received = vec![0u8; BIG];
        reader.read_exact(&mut received).await.unwrap();
        assert!(received.iter().all(|b| *b == 9));
        let mut writer = writing.await.unwrap();
        writer.write_all(b"done").await.unwrap();
        writer.shutdown().await.unwrap();
    })
    .await;

    let mut client = send_then_read_done(server.port).await;
    let mut rest = Vec::new();
    client.read_to_end(&mut rest).await.unwrap();
    assert!(rest.is_empty(), "the writer's shutdown ends the stream");

    let stats = server.telemetry.stats();
    assert_eq!(stats.bytes_in(), BIG as u64);
    assert_eq!(stats.bytes_out(), BIG as u64 + 4);
    server.stop().await;
}

#[tokio::test]
async fn foreign_streams_split_too() {
    let (ours, mut theirs) = tokio::io::duplex(64);
    let (mut reader, mut writer) = oxrpc_net::Stream::other(ours).into_split();
    writer.write_all(b"ping").await.unwrap();
    let mut got = [0u8; 4];
    theirs.read_exact(&mut got).await.unwrap();
    assert_eq!(&got, b"ping");
    theirs.write_all(b"pong").await.unwrap();
    reader.read_exact(&mut got).await.unwrap();
    assert_eq!(&got, b"pong");
}
