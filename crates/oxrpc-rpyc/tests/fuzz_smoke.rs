//! A bounded fuzz smoke run of every RPyC decoder and of a live connection
//! (the long runs use libFuzzer, see fuzz/): mutated golden inputs must give
//! a value, an error or a closed connection, never a panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

use oxrpc_rpyc::channel::FrameDecoder;
use oxrpc_rpyc::message::Message;
use oxrpc_rpyc::{brine, Config, Connection, RemoteException};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

fn hex(text: &str) -> Vec<u8> {
    (0..text.len() / 2)
        .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

fn golden(name: &str) -> serde_json::Value {
    let path = oxrpc_testkit::workspace_root()
        .join("tests/golden/rpyc")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn brine_seeds() -> Vec<Vec<u8>> {
    golden("brine.json")["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| hex(v["hex"].as_str().unwrap()))
        .collect()
}

/// The captured Python-to-Python conversation, client side, split in frames.
fn conversation_frames() -> Vec<Vec<u8>> {
    let stream = hex(golden("conversation.json")["client_to_server"]
        .as_str()
        .unwrap());
    let mut frames = Vec::new();
    let mut rest = &stream[..];
    while rest.len() >= 5 {
        let len = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        let end = (5 + len + 1).min(rest.len());
        frames.push(rest[..end].to_vec());
        rest = &rest[end..];
    }
    frames
}

const DICTIONARY: &[&[u8]] = &[
    b"\x0e",
    b"\x0f",
    b"\x10",
    b"\x11",
    b"\x12",
    b"\x13",
    b"\x14",
    b"\x15",
    b"\x16",
    b"\x17",
    b"\x18",
    b"\x19",
    b"\x1a",
    b"\x1b",
    b"\xff\xff\xff\xff",
    b"\x00\x00\x10\x00\x01",
    b"\x78\x01",
];

#[test]
fn brine_and_messages_survive_mutation() {
    let seeds = brine_seeds();
    let runs = oxrpc_testkit::fuzz_smoke(
        "brine",
        &seeds,
        DICTIONARY,
        Duration::from_secs(6),
        |input| {
            let _ = brine::load(input);
        },
    );
    assert!(runs > 100);
    let messages: Vec<Vec<u8>> = conversation_frames()
        .into_iter()
        .filter(|f| f.len() > 6)
        .map(|f| f[5..f.len() - 1].to_vec())
        .collect();
    let runs = oxrpc_testkit::fuzz_smoke(
        "message",
        &messages,
        DICTIONARY,
        Duration::from_secs(6),
        |input| {
            if let Ok(message) = Message::decode(input) {
                let _ = message.clone().into_request();
                let _ = message.clone().into_reply();
                let _ = message.into_exception();
            }
        },
    );
    assert!(runs > 100);
    let stream: Vec<u8> = conversation_frames().concat();
    let runs = oxrpc_testkit::fuzz_smoke(
        "frames",
        &[stream],
        DICTIONARY,
        Duration::from_secs(6),
        |input| {
            let mut decoder = FrameDecoder::new();
            decoder.feed(input);
            while let Ok(Some(_)) = decoder.next_frame() {}
            // The same bytes with small frames served in place, as the
            // connection's readers take them.
            let mut decoder = FrameDecoder::new();
            decoder.feed(input);
            loop {
                if decoder.serve_small_frame(64, |p| p.len()).is_some() {
                    continue;
                }
                if !matches!(decoder.next_frame(), Ok(Some(_))) {
                    break;
                }
            }
        },
    );
    assert!(runs > 100);
}

struct Echo;

#[oxrpc_rpyc::service(name = "fuzz.Echo")]
impl Echo {
    #[exposed]
    fn get_answer(&self) -> i64 {
        42
    }
    #[exposed]
    fn echo(&self, value: oxrpc_rpyc::Value) -> oxrpc_rpyc::Value {
        value
    }
    #[exposed]
    fn numbers(&self) -> Vec<i64> {
        vec![1, 2, 3]
    }
    #[exposed]
    fn fail(&self) -> Result<(), RemoteException> {
        Err(RemoteException::value_error("no"))
    }
}

static PANICS: AtomicUsize = AtomicUsize::new(0);

/// Sequences of frames against a live connection: the connection must
/// answer or close, and no task may panic.
#[test]
fn live_connection_survives_mutated_conversations() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::SeqCst);
        previous(info);
    }));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let seeds = vec![conversation_frames().concat()];
    let runs = oxrpc_testkit::fuzz_smoke(
        "live connection",
        &seeds,
        DICTIONARY,
        Duration::from_secs(10),
        |input| {
            runtime.block_on(async {
                let (ours, mut theirs) = tokio::io::duplex(1 << 20);
                let connection = Connection::start(ours, Arc::new(Echo), Config::default());
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let _ = theirs.write_all(input).await;
                let _ = theirs.shutdown().await;
                let mut sink = Vec::new();
                let _ =
                    tokio::time::timeout(Duration::from_millis(200), theirs.read_to_end(&mut sink))
                        .await;
                connection.close().await;
            });
        },
    );
    assert!(runs > 50);
    assert_eq!(
        PANICS.load(Ordering::SeqCst),
        0,
        "a connection task panicked"
    );
}
