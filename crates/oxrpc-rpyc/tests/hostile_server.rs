//! Hostile wire input against a running oxrpc RPyC server, from raw TCP:
//! every case gets an exception reply or a closed connection, the server
//! goes on serving normal clients (Rust and Python), and no server thread
//! ever panics.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

mod common;

use common::{server_panics, TestServer};
use oxrpc_rpyc::boxing::{Boxed, IdPack};
use oxrpc_rpyc::brine::{self, BrineValue};
use oxrpc_rpyc::channel::{encode_frame, FrameDecoder, FrameLimits};
use oxrpc_rpyc::message::{Message, MessageKind};
use oxrpc_rpyc::vinegar::{self, RemoteException};
use oxrpc_rpyc::{Config, HandlerId, Value};
use oxrpc_testkit::{expect_success, run_python_script};
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

/// What the server did with a request.
#[derive(Debug)]
enum Outcome {
    Reply(Boxed),
    Exception(RemoteException),
    Closed,
}

impl Outcome {
    fn exception(self) -> RemoteException {
        match self {
            Outcome::Exception(e) => e,
            other => panic!("expected an exception reply, got {other:?}"),
        }
    }
}

/// A client speaking the frame and message layers by hand.
struct Raw {
    stream: TcpStream,
    decoder: FrameDecoder,
    next_seq: u64,
}

impl Raw {
    fn connect(server: &TestServer) -> Raw {
        let stream = TcpStream::connect(server.addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .expect("read timeout");
        Raw {
            stream,
            decoder: FrameDecoder::new(),
            next_seq: 1000,
        }
    }

    fn send_bytes(&mut self, bytes: &[u8]) {
        // The server may already have closed: that is an outcome, not an error.
        let _ = self.stream.write_all(bytes);
    }

    fn send_payload(&mut self, payload: &[u8]) {
        let mut frame = Vec::new();
        encode_frame(payload, &mut frame).expect("frame");
        self.send_bytes(&frame);
    }

    fn send_message(&mut self, message: &Message) {
        self.send_payload(&message.encode());
    }

    /// Sends a request with any handler id and any boxed argument tuple.
    fn request_raw(&mut self, handler: BrineValue, args: Boxed) -> Outcome {
        self.next_seq += 1;
        let seq = self.next_seq;
        self.send_message(&Message {
            kind: MessageKind::Request,
            seq: seq.into(),
            payload: BrineValue::tuple([handler, args.into_brine()]),
        });
        self.outcome(seq)
    }

    fn request(&mut self, handler: HandlerId, args: Vec<Boxed>) -> Outcome {
        self.request_raw(BrineValue::Int(i64::from(handler.id())), Boxed::tuple(args))
    }

    fn ping(&mut self) -> Outcome {
        self.request(HandlerId::Ping, vec![Boxed::Value("still there?".into())])
    }

    fn assert_alive(&mut self) {
        match self.ping() {
            Outcome::Reply(Boxed::Value(BrineValue::Str(s))) if s == "still there?" => {}
            other => panic!("the connection should survive, ping gave {other:?}"),
        }
    }

    /// The next frame, or `None` once the server has closed the connection.
    fn next_frame(&mut self) -> Option<Vec<u8>> {
        loop {
            match self.decoder.next_frame() {
                Ok(Some(frame)) => return Some(frame.to_vec()),
                Ok(None) => {}
                Err(e) => panic!("the server sent a bad frame: {e}"),
            }
            let mut buf = [0u8; 64 * 1024];
            match self.stream.read(&mut buf) {
                Ok(0) => return None,
                Ok(n) => self.decoder.feed(&buf[..n]),
                Err(e) if e.kind() == ErrorKind::ConnectionReset => return None,
                Err(e) => panic!("no answer from the server: {e}"),
            }
        }
    }

    /// Waits for the answer to `seq`, refusing whatever the server asks of
    /// us meanwhile (its releases, calls it forwards to our objects).
    fn outcome(&mut self, seq: u64) -> Outcome {
        loop {
            let Some(frame) = self.next_frame() else {
                return Outcome::Closed;
            };
            let message = Message::decode(&frame).expect("the server sent a bad message");
            match message.kind {
                MessageKind::Request => {
                    let refusal = RemoteException::key_error("raw client");
                    let answer = Message::exception(message.seq, &refusal);
                    self.send_message(&answer);
                }
                MessageKind::Reply if message.seq_number() == Some(seq) => {
                    return Outcome::Reply(message.into_reply().expect("a boxed reply"));
                }
                MessageKind::Exception if message.seq_number() == Some(seq) => {
                    return Outcome::Exception(
                        message.into_exception().expect("a vinegar exception"),
                    );
                }
                _ => panic!("unexpected message {message:?}"),
            }
        }
    }

    /// Asserts the server closes the connection (after any answers).
    fn assert_closed(&mut self) {
        while let Some(frame) = self.next_frame() {
            let message = Message::decode(&frame).expect("a message");
            assert_ne!(message.kind, MessageKind::Reply, "{message:?}");
        }
    }
}

/// A normal Rust client is served.
fn still_serving(server: &TestServer) {
    let conn = oxrpc_rpyc::blocking::connect(&server.host(), server.port()).expect("connect");
    let root = conn.root().expect("root");
    let answer: i64 = root
        .call::<Value>("get_answer", ())
        .expect("get_answer")
        .extract()
        .expect("int");
    assert_eq!(answer, 42);
    conn.close();
}

fn root_id_pack(raw: &mut Raw) -> IdPack {
    match raw.request(HandlerId::GetRoot, vec![]) {
        Outcome::Reply(Boxed::RemoteRef(id_pack)) => id_pack,
        other => panic!("GETROOT gave {other:?}"),
    }
}

fn finish(server: TestServer) {
    still_serving(&server);
    server.stop();
    assert_eq!(server_panics(), 0, "a server thread panicked");
}

#[test]
fn truncated_frames() {
    let server = TestServer::start();
    // A header announcing 100 bytes, 10 of them, then EOF: closed.
    let mut raw = Raw::connect(&server);
    raw.send_bytes(&[0, 0, 0, 100, 0]);
    raw.send_bytes(&[1; 10]);
    raw.stream.shutdown(Shutdown::Write).expect("shutdown");
    raw.assert_closed();
    // A truncated header.
    let mut raw = Raw::connect(&server);
    raw.send_bytes(&[0, 0]);
    raw.stream.shutdown(Shutdown::Write).expect("shutdown");
    raw.assert_closed();
    // A frame left hanging does not hold up anyone else.
    let mut hanging = Raw::connect(&server);
    hanging.send_bytes(&[0, 0, 1, 0, 0, 1, 2, 3]);
    still_serving(&server);
    drop(hanging);
    // A frame without its trailing newline, twice: the first byte of the
    // second header is taken as the terminator (rpyc ignores its value), so
    // the stream is out of step from there on. Whatever the server makes of
    // it, it must end the exchange without hanging or panicking.
    let mut raw = Raw::connect(&server);
    let mut frame = Vec::new();
    encode_frame(
        &Message::request(
            1,
            HandlerId::Ping,
            Boxed::tuple(vec![Boxed::Value(1.into())]),
        )
        .encode(),
        &mut frame,
    )
    .expect("frame");
    frame.pop();
    raw.send_bytes(&frame);
    raw.send_bytes(&frame);
    raw.stream.shutdown(Shutdown::Write).expect("shutdown");
    while raw.next_frame().is_some() {}
    finish(server);
}

/// rpyc echoes any seq it gets (it never checks it), so a request numbered
/// -5, 2**100 or "abc" is answered with that same seq.
#[test]
fn any_sequence_number_is_echoed() {
    let server = TestServer::start();
    let mut raw = Raw::connect(&server);
    for seq in [
        BrineValue::Int(-5),
        BrineValue::BigInt(oxrpc_rpyc::BigInt::from(2u8).pow(100)),
        BrineValue::from("abc"),
        BrineValue::None,
    ] {
        raw.send_message(&Message {
            kind: MessageKind::Request,
            seq: seq.clone(),
            payload: BrineValue::tuple([
                1.into(),
                BrineValue::tuple([1.into(), BrineValue::tuple(["x".into()])]),
            ]),
        });
        let frame = raw.next_frame().expect("an answer");
        let answer = Message::decode(&frame).expect("a message");
        assert_eq!((answer.kind, answer.seq), (MessageKind::Reply, seq));
    }
    raw.assert_alive();
    finish(server);
}

#[test]
fn garbage_and_impossible_frames_close_the_connection() {
    let server = TestServer::start();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("4 GB length claim", vec![0xff, 0xff, 0xff, 0xff, 0x00]),
        (
            "4 GB compressed claim",
            vec![0xff, 0xff, 0xff, 0xfe, 0x01, 1, 2, 3],
        ),
        (
            "an HTTP request",
            b"GET / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
        ),
        ("invalid zlib", {
            let mut f = vec![0, 0, 0, 16, 1];
            f.extend_from_slice(&[0x55; 16]);
            f.push(b'\n');
            f
        }),
        ("truncated zlib", {
            let mut whole = Vec::new();
            encode_frame(&vec![b'a'; 10_000], &mut whole).expect("frame");
            let body = &whole[5..whole.len() - 1];
            let cut = &body[..body.len() / 2];
            let mut f = (cut.len() as u32).to_be_bytes().to_vec();
            f.push(1);
            f.extend_from_slice(cut);
            f.push(b'\n');
            f
        }),
    ];
    for (what, bytes) in cases {
        let mut raw = Raw::connect(&server);
        raw.send_bytes(&bytes);
        raw.assert_closed();
        still_serving(&server);
        eprintln!("{what}: closed");
    }
    let payloads: Vec<(&str, Vec<u8>)> = vec![
        (
            "random bytes",
            (0..200u32).map(|i| (i * 7919 % 251) as u8).collect(),
        ),
        ("unknown message kind", {
            let mut m =
                Message::request(1, HandlerId::Ping, Boxed::Value(BrineValue::Tuple(vec![])))
                    .encode();
            m[0] = 9;
            m
        }),
        ("unknown brine tag", vec![1, 0x11, 0x50, 0x07]),
        ("not a (seq, args) pair", vec![1, 0x50]),
        (
            "4 GB bytes claim inside a message",
            vec![1, 0x11, 0x50, 0x0f, 0xff, 0xff, 0xff, 0xff],
        ),
        ("int of 5000 digits", {
            let mut m = vec![1];
            m.extend(brine::dump(&BrineValue::tuple([
                BrineValue::Int(1),
                BrineValue::tuple([
                    1.into(),
                    BrineValue::tuple([
                        1.into(),
                        BrineValue::tuple([BrineValue::from(
                            oxrpc_rpyc::BigInt::from(10u8).pow(5000),
                        )]),
                    ]),
                ]),
            ])));
            m
        }),
    ];
    for (what, payload) in payloads {
        let mut raw = Raw::connect(&server);
        raw.send_payload(&payload);
        raw.assert_closed();
        still_serving(&server);
        eprintln!("{what}: closed");
    }
    finish(server);
}

#[test]
fn decompression_bomb_is_cut_off() {
    let server = TestServer::start_with(Config {
        frame_limits: FrameLimits {
            max_frame_len: 1 << 20,
            max_decompressed_len: 1 << 20,
        },
        ..Config::default()
    });
    let mut raw = Raw::connect(&server);
    // 16 MiB of zeros compress to a few KiB.
    let mut frame = Vec::new();
    encode_frame(&vec![0u8; 16 << 20], &mut frame).expect("frame");
    assert!(frame.len() < 1 << 20);
    raw.send_bytes(&frame);
    raw.assert_closed();
    finish(server);
}

#[test]
fn ten_thousand_deep_tuple() {
    let server = TestServer::start();
    let mut raw = Raw::connect(&server);
    // PING((((...None...)))): request, (seq 0, (handler 1, (VALUE, ...))).
    let mut payload = vec![1u8, 0x11, 0x50, 0x11, 0x51, 0x11, 0x51];
    payload.extend(std::iter::repeat_n(0x10u8, 10_000));
    payload.push(0x00);
    raw.send_payload(&payload);
    raw.assert_closed();
    // The same depth as boxed tuples: (TUPLE, ((TUPLE, (... (VALUE, None)))).
    let mut raw = Raw::connect(&server);
    let mut payload = vec![1u8, 0x11, 0x51, 0x11, 0x51];
    payload.extend(std::iter::repeat_n([0x11u8, 0x52, 0x10], 10_000).flatten());
    payload.extend_from_slice(&[0x11, 0x51, 0x00]);
    raw.send_payload(&payload);
    raw.assert_closed();
    finish(server);
}

#[test]
fn unknown_handlers_get_key_error() {
    let server = TestServer::start();
    let mut raw = Raw::connect(&server);
    for id in [0i64, 21, 99, 255, 1 << 40, -1] {
        let exc = raw
            .request_raw(BrineValue::Int(id), Boxed::Value(BrineValue::Tuple(vec![])))
            .exception();
        assert_eq!(
            (exc.name.as_str(), exc.args.clone()),
            ("KeyError", vec![BrineValue::Int(id)]),
            "{exc:#}"
        );
        raw.assert_alive();
    }
    // A handler that is not even an int.
    let outcome = raw.request_raw("PING".into(), Boxed::Value(BrineValue::Tuple(vec![])));
    assert!(matches!(outcome, Outcome::Exception(_)), "{outcome:?}");
    raw.assert_alive();
    // Arguments that are not a boxed tuple.
    for args in [
        BrineValue::Int(5),
        BrineValue::tuple([9.into(), 1.into()]),
        BrineValue::tuple([2.into(), 1.into()]),
        BrineValue::tuple([1.into()]),
    ] {
        raw.next_seq += 1;
        let seq = raw.next_seq;
        raw.send_message(&Message {
            kind: MessageKind::Request,
            seq: seq.into(),
            payload: BrineValue::tuple([BrineValue::Int(1), args.clone()]),
        });
        let outcome = raw.outcome(seq);
        assert!(
            matches!(outcome, Outcome::Exception(_) | Outcome::Reply(_)),
            "{args}: {outcome:?}"
        );
        raw.assert_alive();
    }
    finish(server);
}

#[test]
fn references_to_objects_we_never_sent() {
    let server = TestServer::start();
    let mut raw = Raw::connect(&server);
    let root = root_id_pack(&mut raw);
    // The real root works...
    match raw.request(
        HandlerId::GetAttr,
        vec![
            Boxed::LocalRef(root.clone()),
            Boxed::Value("the_real_answer_though".into()),
        ],
    ) {
        Outcome::Reply(Boxed::Value(BrineValue::Int(43))) => {}
        other => panic!("{other:?}"),
    }
    // ...forged ones do not.
    let forged = [
        IdPack::new("__main__.TestService", root.type_id, root.instance_id + 16),
        IdPack::new("__main__.TestService", root.type_id + 1, root.instance_id),
        IdPack::new("builtins.list", 1, 12345),
        IdPack::new("builtins.list", 0, 0),
        IdPack::new("", -1, -1),
    ];
    for id_pack in forged {
        for (handler, extra) in [
            (HandlerId::GetAttr, vec![Boxed::Value("get_answer".into())]),
            (
                HandlerId::Call,
                vec![Boxed::Value(BrineValue::Tuple(vec![]))],
            ),
            (HandlerId::Repr, vec![]),
            (HandlerId::Str, vec![]),
            (HandlerId::Hash, vec![]),
            (HandlerId::Dir, vec![]),
            (HandlerId::BuffIter, vec![Boxed::Value(10.into())]),
        ] {
            let mut args = vec![Boxed::LocalRef(id_pack.clone())];
            args.extend(extra);
            let exc = raw.request(handler, args).exception();
            assert_eq!(exc.name, "KeyError", "{handler:?} {id_pack:?}: {exc:#}");
        }
        let exc = raw
            .request(HandlerId::Inspect, vec![Boxed::Value(id_pack.to_brine())])
            .exception();
        assert_eq!(exc.name, "KeyError", "{exc:#}");
        // Releasing an unknown object: an answer either way, no harm.
        let outcome = raw.request(
            HandlerId::Del,
            vec![Boxed::LocalRef(id_pack.clone()), Boxed::Value(1.into())],
        );
        assert!(!matches!(outcome, Outcome::Closed));
        raw.assert_alive();
    }
    // A release of more references than were handed out drops the root
    // from the table; the connection itself goes on.
    let outcome = raw.request(
        HandlerId::Del,
        vec![
            Boxed::LocalRef(root.clone()),
            Boxed::Value(1_000_000.into()),
        ],
    );
    assert!(matches!(outcome, Outcome::Reply(_)), "{outcome:?}");
    let exc = raw
        .request(
            HandlerId::GetAttr,
            vec![
                Boxed::LocalRef(root.clone()),
                Boxed::Value("get_answer".into()),
            ],
        )
        .exception();
    assert_eq!(exc.name, "KeyError");
    let root = root_id_pack(&mut raw);
    // One of *our* objects (a REMOTE_REF) where the server expects its own:
    // as rpyc's netref would, the server asks us; we refuse, it says so.
    let ours = IdPack::new("builtins.function", 7, 4242);
    let exc = raw
        .request(
            HandlerId::GetAttr,
            vec![Boxed::RemoteRef(ours.clone()), Boxed::Value("x".into())],
        )
        .exception();
    assert_eq!(exc.name, "KeyError", "{exc:#}");
    // Calling it makes the server call us back; we refuse, it reports that.
    let exc = raw
        .request(
            HandlerId::Call,
            vec![
                Boxed::RemoteRef(ours.clone()),
                Boxed::Value(BrineValue::Tuple(vec![])),
            ],
        )
        .exception();
    assert_eq!(exc.name, "KeyError", "{exc:#}");
    // Passing it to a service method that calls it back.
    let exc = raw
        .request(
            HandlerId::CallAttr,
            vec![
                Boxed::LocalRef(root.clone()),
                Boxed::Value("call_back".into()),
                Boxed::Tuple(vec![Boxed::RemoteRef(ours), Boxed::Value(1.into())]),
            ],
        )
        .exception();
    assert_eq!(exc.name, "KeyError", "{exc:#}");
    // Malformed id packs.
    for bad in [
        BrineValue::tuple([3.into(), BrineValue::tuple(["x".into(), 1.into()])]),
        BrineValue::tuple([3.into(), 7.into()]),
        BrineValue::tuple([
            4.into(),
            BrineValue::tuple(["x".into(), "y".into(), 1.into()]),
        ]),
    ] {
        raw.next_seq += 1;
        let seq = raw.next_seq;
        raw.send_message(&Message {
            kind: MessageKind::Request,
            seq: seq.into(),
            payload: BrineValue::tuple([
                BrineValue::Int(i64::from(HandlerId::Repr.id())),
                BrineValue::tuple([2.into(), BrineValue::tuple([bad.clone()])]),
            ]),
        });
        let outcome = raw.outcome(seq);
        assert!(
            matches!(outcome, Outcome::Exception(_) | Outcome::Closed),
            "{bad}: {outcome:?}"
        );
        if matches!(outcome, Outcome::Closed) {
            raw = Raw::connect(&server);
        }
        raw.assert_alive();
    }
    finish(server);
}

#[test]
fn wrong_arity_and_types_for_every_handler() {
    let server = TestServer::start();
    let mut raw = Raw::connect(&server);
    let root = Boxed::LocalRef(root_id_pack(&mut raw));
    for handler in HandlerId::ALL {
        if handler == HandlerId::Close {
            continue;
        }
        let mut shapes: Vec<Vec<Boxed>> = vec![
            vec![Boxed::Value(BrineValue::None); 7],
            vec![root.clone(); 7],
        ];
        if handler != HandlerId::GetRoot {
            shapes.push(vec![]);
        }
        if !matches!(handler, HandlerId::Ping | HandlerId::GetRoot) {
            // The right count for the handler, wrong types.
            let n = match handler {
                HandlerId::Repr
                | HandlerId::Str
                | HandlerId::Hash
                | HandlerId::Dir
                | HandlerId::Inspect => 1,
                HandlerId::SetAttr => 3,
                HandlerId::CallAttr => 4,
                HandlerId::OldSlicing => 6,
                _ => 2,
            };
            shapes.push(vec![Boxed::Value(1.into()); n]);
            shapes.push(vec![Boxed::Value(BrineValue::Bytes(vec![0xff])); n]);
            let mut with_root = vec![root.clone()];
            with_root.extend(vec![Boxed::Value(BrineValue::Float(f64::NAN)); n - 1]);
            shapes.push(with_root);
        }
        for args in shapes {
            let n = args.len();
            let outcome = raw.request(handler, args);
            match outcome {
                Outcome::Exception(_) => {}
                Outcome::Reply(_)
                    if matches!(
                        handler,
                        HandlerId::Del
                            | HandlerId::Dir
                            | HandlerId::Repr
                            | HandlerId::Str
                            | HandlerId::Hash
                            | HandlerId::Cmp
                    ) => {}
                other => panic!("{handler:?} with {n} args: {other:?}"),
            }
            raw.assert_alive();
        }
    }
    // CLOSE with arguments: an exception or a closed connection.
    match raw.request(HandlerId::Close, vec![Boxed::Value(1.into()); 7]) {
        Outcome::Exception(_) => raw.assert_alive(),
        Outcome::Closed => {}
        other => panic!("CLOSE gave {other:?}"),
    }
    finish(server);
}

#[test]
fn stray_replies_and_empty_frames_are_ignored() {
    let server = TestServer::start();
    let mut raw = Raw::connect(&server);
    raw.send_message(&Message::reply(123_456, Boxed::Value(1.into())));
    raw.send_message(&Message::exception(
        654_321,
        &RemoteException::value_error("unasked"),
    ));
    raw.send_payload(b"");
    raw.assert_alive();
    // StopIteration's short form as a stray exception.
    raw.send_message(&Message {
        kind: MessageKind::Exception,
        seq: BrineValue::Int(9),
        payload: vinegar::dump(&RemoteException::stop_iteration()),
    });
    raw.assert_alive();
    // A reply or exception that cannot be read ends the connection, as in
    // rpyc (which unboxes before it looks for the request).
    for malformed in [
        Message {
            kind: MessageKind::Exception,
            seq: BrineValue::Int(7),
            payload: BrineValue::tuple([1.into(), 2.into()]),
        },
        Message {
            kind: MessageKind::Reply,
            seq: BrineValue::Int(8),
            payload: BrineValue::tuple([9.into(), 2.into()]),
        },
    ] {
        let mut raw = Raw::connect(&server);
        raw.send_message(&malformed);
        raw.assert_closed();
    }
    still_serving(&server);
    finish(server);
}

#[test]
fn python_client_is_served_after_every_kind_of_abuse() {
    let server = TestServer::start();
    let abuse: Vec<Vec<u8>> = vec![
        vec![0xff, 0xff, 0xff, 0xff, 0x00],
        vec![0, 0, 0, 5, 1, 1, 2, 3, 4, 5, b'\n'],
        {
            let mut f = Vec::new();
            encode_frame(&[1, 0x11, 0x50, 0x07], &mut f).expect("frame");
            f
        },
        {
            let mut payload = vec![1u8, 0x11, 0x50, 0x11, 0x51, 0x11, 0x51];
            payload.extend(std::iter::repeat_n(0x10u8, 10_000));
            payload.push(0);
            let mut f = Vec::new();
            encode_frame(&payload, &mut f).expect("frame");
            f
        },
    ];
    for bytes in &abuse {
        let mut raw = Raw::connect(&server);
        raw.send_bytes(bytes);
        raw.assert_closed();
    }
    let mut raw = Raw::connect(&server);
    let exc = raw
        .request_raw(BrineValue::Int(77), Boxed::Value(BrineValue::Tuple(vec![])))
        .exception();
    assert_eq!(exc.name, "KeyError");
    // One connection stays open mid-frame while Python is served.
    raw.send_bytes(&[0, 0, 0, 50, 0, 1]);
    let port = server.port().to_string();
    let output = run_python_script(
        "rpyc/small_client.py",
        &[&server.host(), &port, "1"],
        Duration::from_secs(60),
    );
    let stdout = expect_success("small_client.py", &output);
    assert_eq!(stdout.trim(), "OK 1");
    drop(raw);
    finish(server);
}

/// A call the server makes into a stock Python client that answers too
/// late times out, and leaves nothing behind: after fifty of them the
/// connection holds no request waiting for a reply (each used to stay for
/// the life of the connection).
#[test]
fn timed_out_calls_into_the_peer_leave_nothing_behind() {
    let server = TestServer::start_with(Config {
        sync_request_timeout: Duration::from_millis(100),
        ..Config::default()
    });
    let script = format!(
        r#"
import time, rpyc
conn = rpyc.connect({host:?}, {port}, config={{"sync_request_timeout": 30}})
def late(x):
    time.sleep(0.15)
    return x
failures = 0
for i in range(50):
    try:
        conn.root.call_back(late, i)
    except Exception as e:
        failures += 1
        last = type(e).__name__
time.sleep(0.5)
conn.root.echo(1)  # lets the late replies arrive
print(failures, last, conn.root.requests_awaiting_reply())
"#,
        host = server.host(),
        port = server.port()
    );
    let mut cmd = oxrpc_testkit::python_command();
    cmd.args(["-c", &script]);
    let output = oxrpc_testkit::run_with_deadline(cmd, Duration::from_secs(90));
    let stdout = expect_success("the late-answering client", &output);
    assert_eq!(stdout.trim(), "50 TimeoutError 0", "{stdout}");
    finish(server);
}
