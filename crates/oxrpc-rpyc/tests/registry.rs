//! The registry (discovery) at library level: the bytes rpyc 6.0.2 sends
//! and answers (captured from the real registry and clients), the table's
//! semantics as rpyc's, its bounds under hostile packets, and our server,
//! client and registrar against Python's `rpyc_registry`, registry clients
//! and an auto-registering `ThreadedServer`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

use oxrpc_rpyc::brine::{self, BrineValue};
use oxrpc_rpyc::registry::protocol::{Reply, Request, RequestError};
use oxrpc_rpyc::registry::{
    blocking, service_aliases, Pick, Registrar, RegistryClient, RegistryConfig, RegistryError,
    RegistryLimits, RegistryServer,
};
use oxrpc_testkit::{
    expect_success, free_port, python_command, run_with_deadline, wait_for_port, ChildGuard,
};
use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, UdpSocket};
use std::time::{Duration, Instant};

fn hex(text: &str) -> Vec<u8> {
    text.split_whitespace()
        .map(|b| u8::from_str_radix(b, 16).unwrap())
        .collect()
}

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

fn servers(reply: Option<Vec<u8>>) -> Vec<(String, BrineValue)> {
    Reply::decode_servers(&reply.expect("a reply")).unwrap()
}

fn names(reply: Option<Vec<u8>>) -> Option<Vec<String>> {
    Reply::decode_names(&reply.expect("a reply")).unwrap()
}

fn pair(host: &str, port: i64) -> (String, BrineValue) {
    (host.to_owned(), BrineValue::Int(port))
}

fn raw(items: Vec<BrineValue>) -> Vec<u8> {
    brine::dump(&BrineValue::Tuple(items))
}

fn s(text: &str) -> BrineValue {
    BrineValue::from(text)
}

// ---------------------------------------------------------------------------
// The wire, byte for byte
// ---------------------------------------------------------------------------

/// Every request and reply captured (strace) from rpyc 6.0.2's registry,
/// its ThreadedServer, `rpyc_classic --register` and `rpyc.discover`.
#[test]
fn requests_and_replies_match_the_bytes_rpyc_sends() {
    let cases: [(&str, Request); 6] = [
        (
            "12 08 0d 52 50 59 43 08 0e 08 52 45 47 49 53 54 45 52 11 10 08 0b 4d 59 16 05 34 35 35 33 37",
            Request::register(["MY"], 45537),
        ),
        (
            "12 08 0d 52 50 59 43 08 0e 08 52 45 47 49 53 54 45 52 11 10 08 0e 05 53 4c 41 56 45 16 05 31 38 39 31 32",
            Request::register(["SLAVE"], 18912),
        ),
        (
            "12 08 0d 52 50 59 43 08 0e 0a 55 4e 52 45 47 49 53 54 45 52 10 16 05 34 32 39 32 33",
            Request::unregister(42923),
        ),
        (
            "12 08 0d 52 50 59 43 08 0e 05 51 55 45 52 59 10 08 0e 05 53 4c 41 56 45",
            Request::query("SLAVE"),
        ),
        (
            "12 08 0d 52 50 59 43 08 0d 4c 49 53 54 10 10 00",
            Request::list(None),
        ),
        (
            "12 08 0d 52 50 59 43 08 0d 4c 49 53 54 10 10 08 0e 09 31 32 37 2e 30 2e 30 2e 31",
            Request::list(Some("127.0.0.1")),
        ),
    ];
    for (bytes, request) in cases {
        assert_eq!(request.encode(), hex(bytes), "{request:?}");
        assert_eq!(Request::decode(&hex(bytes)).unwrap(), request);
    }

    let replies = [
        ("08 0b 4f 4b", Reply::Ok),
        (
            "10 11 08 0e 09 31 32 37 2e 30 2e 30 2e 31 16 05 31 38 39 31 32",
            Reply::Servers(vec![pair("127.0.0.1", 18912)]),
        ),
        ("02", Reply::Servers(vec![])),
        (
            "11 08 0b 4d 59 08 0e 05 53 4c 41 56 45",
            Reply::Names(Some(vec!["MY".into(), "SLAVE".into()])),
        ),
        ("02", Reply::Names(Some(vec![]))),
        ("00", Reply::Names(None)),
    ];
    for (bytes, reply) in replies {
        assert_eq!(reply.encode(), hex(bytes), "{reply:?}");
    }
    assert!(Reply::is_ok(&hex("08 0b 4f 4b")));
    assert!(!Reply::is_ok(&hex("0b 4f 4b"))); // bytes b"OK" is not "OK"
    assert_eq!(
        Reply::decode_servers(&hex(
            "10 11 08 0e 09 31 32 37 2e 30 2e 30 2e 31 16 05 31 38 39 31 32"
        ))
        .unwrap(),
        [pair("127.0.0.1", 18912)]
    );
    assert_eq!(
        Reply::decode_names(&hex("00")).unwrap(),
        None,
        "listing disabled"
    );
}

/// The server unpacks requests the Python way (see `protocol`'s docs).
#[test]
fn requests_decode_as_rpycs_server_reads_them() {
    let server = RegistryServer::new(RegistryConfig {
        allow_listing: true,
        ..RegistryConfig::default()
    });
    let me = ip("127.0.0.1");

    // Commands in any case.
    let lower = raw(vec![
        s("RPYC"),
        s("register"),
        BrineValue::tuple([BrineValue::tuple([s("my")]), BrineValue::Int(1)]),
    ]);
    assert_eq!(server.handle(me, &lower), Some(Reply::Ok.encode()));
    let mixed = raw(vec![s("RPYC"), s("Query"), BrineValue::tuple([s("mY")])]);
    assert_eq!(servers(server.handle(me, &mixed)), [pair("127.0.0.1", 1)]);

    // A str of aliases registers one name per character.
    let chars = raw(vec![
        s("RPYC"),
        s("REGISTER"),
        BrineValue::tuple([s("ab"), BrineValue::Int(2)]),
    ]);
    assert_eq!(server.handle(me, &chars), Some(Reply::Ok.encode()));
    assert_eq!(
        names(server.handle(me, &Request::list(None).encode())),
        Some(vec!["MY".into(), "A".into(), "B".into()])
    );

    // Arguments may be any iterable: a frozenset, a str of one character.
    let frozen = raw(vec![
        s("RPYC"),
        s("QUERY"),
        BrineValue::FrozenSet(vec![s("a")]),
    ]);
    assert_eq!(servers(server.handle(me, &frozen)), [pair("127.0.0.1", 2)]);
    let one_char = raw(vec![s("RPYC"), s("QUERY"), s("b")]);
    assert_eq!(
        servers(server.handle(me, &one_char)),
        [pair("127.0.0.1", 2)]
    );

    // Trailing bytes after the document are ignored, as Python's brine does.
    let mut trailing = Request::query("MY").encode();
    trailing.extend_from_slice(b"junk");
    assert_eq!(
        servers(server.handle(me, &trailing)),
        [pair("127.0.0.1", 1)]
    );

    // What rpyc drops without a reply.
    let dropped: Vec<(Vec<u8>, &str)> = vec![
        (b"garbage".to_vec(), "not brine"),
        (Vec::new(), "empty"),
        (brine::dump(&s("RPYC")), "not a tuple"),
        (raw(vec![s("RPYC"), s("QUERY")]), "a pair, not a triple"),
        (
            raw(vec![
                BrineValue::Bytes(b"RPYC".to_vec()),
                s("QUERY"),
                BrineValue::tuple([s("MY")]),
            ]),
            "bytes magic",
        ),
        (
            raw(vec![
                s("RPYC"),
                BrineValue::Bytes(b"QUERY".to_vec()),
                BrineValue::tuple([s("MY")]),
            ]),
            "bytes command",
        ),
        (
            raw(vec![s("RPYC"), s("FOO"), BrineValue::tuple([])]),
            "unknown command",
        ),
        (
            raw(vec![s("RPYC"), s("QUERY"), BrineValue::tuple([])]),
            "too few arguments",
        ),
        (
            raw(vec![s("RPYC"), s("QUERY"), s("MY")]),
            "a str of two characters is two arguments",
        ),
        (
            raw(vec![s("RPYC"), s("QUERY"), BrineValue::Int(7)]),
            "arguments not iterable",
        ),
        (
            raw(vec![
                s("RPYC"),
                s("REGISTER"),
                BrineValue::tuple([
                    BrineValue::tuple([s("OK"), BrineValue::Int(1)]),
                    BrineValue::Int(5),
                ]),
            ]),
            "a name that is not a str",
        ),
        (
            raw(vec![
                s("RPYC"),
                s("REGISTER"),
                BrineValue::tuple([
                    BrineValue::tuple([s("T")]),
                    BrineValue::tuple([BrineValue::Int(5)]),
                ]),
            ]),
            "a tuple for a port",
        ),
        (
            raw(vec![
                s("RPYC"),
                s("LIST"),
                BrineValue::tuple([BrineValue::tuple([])]),
            ]),
            "LIST with an empty filter tuple",
        ),
        (
            raw(vec![
                s("RPYC"),
                s("LIST"),
                BrineValue::tuple([BrineValue::None]),
            ]),
            "LIST with a None filter",
        ),
    ];
    for (packet, why) in dropped {
        assert_eq!(server.handle(me, &packet), None, "{why}");
    }
    assert!(matches!(
        Request::decode(&raw(vec![
            BrineValue::Bytes(b"RPYC".to_vec()),
            s("QUERY"),
            BrineValue::tuple([s("MY")])
        ])),
        Err(RequestError::BadMagic(m)) if m == "b'RPYC'"
    ));
    assert!(matches!(
        Request::decode(&raw(vec![s("RPYC"), s("FOO"), BrineValue::tuple([])])),
        Err(RequestError::UnknownCommand(c)) if c == "'FOO'"
    ));

    // A str port (rpyc's Unix-socket servers) and None are stored as sent.
    let path = raw(vec![
        s("RPYC"),
        s("REGISTER"),
        BrineValue::tuple([BrineValue::tuple([s("UNIX")]), s("/tmp/x.sock")]),
    ]);
    assert_eq!(server.handle(me, &path), Some(Reply::Ok.encode()));
    assert_eq!(
        servers(server.handle(me, &Request::query("unix").encode())),
        [("127.0.0.1".to_owned(), s("/tmp/x.sock"))]
    );
}

// ---------------------------------------------------------------------------
// The table, as rpyc's behaves
// ---------------------------------------------------------------------------

#[test]
fn the_table_behaves_as_rpycs() {
    let server = RegistryServer::new(RegistryConfig {
        allow_listing: true,
        pruning_timeout: Duration::from_secs(3),
        ..RegistryConfig::default()
    });
    let t0 = Instant::now();
    let at = |secs: f64| t0 + Duration::from_secs_f64(secs);
    let (a, b) = (ip("127.0.0.1"), ip("127.0.0.2"));
    let register = |from, name: &str, port, when| {
        server.handle_at(from, &Request::register([name], port).encode(), when)
    };

    // Oldest keepalive first; a re-registration moves to the end.
    assert_eq!(register(a, "MY", 1, at(0.0)), Some(Reply::Ok.encode()));
    register(a, "MY", 2, at(0.1));
    let query =
        |name: &str, when| servers(server.handle_at(a, &Request::query(name).encode(), when));
    assert_eq!(
        query("MY", at(0.2)),
        [pair("127.0.0.1", 1), pair("127.0.0.1", 2)]
    );
    register(a, "my", 1, at(0.3));
    assert_eq!(
        query("my", at(0.4)),
        [pair("127.0.0.1", 2), pair("127.0.0.1", 1)]
    );

    // LIST: registration order, the filter on the host, None when disabled.
    register(b, "SLAVE", 18912, at(0.5));
    let list = |filter: Option<&str>, when| {
        names(server.handle_at(a, &Request::list(filter).encode(), when))
    };
    assert_eq!(list(None, at(0.6)), Some(vec!["MY".into(), "SLAVE".into()]));
    assert_eq!(list(Some("127.0.0.2"), at(0.6)), Some(vec!["SLAVE".into()]));
    assert_eq!(list(Some("10.1.2.3"), at(0.6)), Some(vec![]));
    // A plain string as the filter: rpyc looks at its first character only.
    let plain = raw(vec![
        s("RPYC"),
        s("LIST"),
        BrineValue::tuple([s("127.0.0.2")]),
    ]);
    assert_eq!(names(server.handle_at(a, &plain, at(0.6))), Some(vec![]));
    let hidden = RegistryServer::new(RegistryConfig::default());
    assert_eq!(names(hidden.handle(a, &Request::list(None).encode())), None);
    // Disabled listing answers None before looking at the filter at all.
    let bad_filter = raw(vec![
        s("RPYC"),
        s("LIST"),
        BrineValue::tuple([BrineValue::None]),
    ]);
    assert_eq!(names(hidden.handle(a, &bad_filter)), None);

    // Pruning is lazy, in QUERY: port 2 was last seen at 0.1, port 1 at
    // 0.3 (re-registered); at 3.2 only port 1 is younger than 3 s.
    assert_eq!(query("MY", at(3.2)), [pair("127.0.0.1", 1)]);
    // LIST does not prune: SLAVE (registered at 0.5) is listed when stale.
    assert_eq!(
        list(None, at(10.0)),
        Some(vec!["MY".into(), "SLAVE".into()])
    );
    assert_eq!(query("SLAVE", at(10.0)), []);
    assert_eq!(query("MY", at(10.0)), []);
    assert_eq!(list(None, at(10.0)), Some(vec![]));
    assert_eq!(server.entries(), 0);

    // UNREGISTER needs the same source address, and clears every name.
    server.handle_at(a, &Request::register(["X", "Y"], 7).encode(), at(11.0));
    server.handle_at(b, &Request::register(["X"], 7).encode(), at(11.0));
    assert_eq!(
        server.handle_at(a, &Request::unregister(7).encode(), at(11.1)),
        Some(Reply::Ok.encode())
    );
    assert_eq!(query("X", at(11.2)), [pair("127.0.0.2", 7)]);
    assert_eq!(query("Y", at(11.2)), []);
    assert_eq!(list(None, at(11.2)), Some(vec!["X".into()]));
}

// ---------------------------------------------------------------------------
// Bounds
// ---------------------------------------------------------------------------

#[test]
fn every_dimension_of_the_table_is_bounded() {
    let limits = RegistryLimits {
        max_entries: 50,
        max_entries_per_name: 5,
        max_entries_per_host: 20,
        max_names_per_registration: 4,
        max_name_len: 16,
        max_port_len: 16,
    };
    let server = RegistryServer::new(RegistryConfig {
        limits,
        pruning_timeout: Duration::from_secs(60),
        ..RegistryConfig::default()
    });
    let t0 = Instant::now();
    let me = ip("10.0.0.1");
    let register = |from: IpAddr, names: &[&str], port: u16, when: Instant| {
        server.handle_at(
            from,
            &Request::register(names.iter().copied(), port).encode(),
            when,
        )
    };
    let ok = Some(Reply::Ok.encode());

    assert_eq!(
        register(me, &["A", "B", "C", "D", "E"], 1, t0),
        None,
        "5 names"
    );
    assert_eq!(register(me, &["A", "B", "C", "D"], 1, t0), ok);
    assert_eq!(register(me, &[&"N".repeat(17)], 1, t0), None, "17 bytes");
    // The limit counts the name as stored, upper-cased.
    assert_eq!(register(me, &[&"ß".repeat(8)], 1, t0), ok);
    let long_port = raw(vec![
        s("RPYC"),
        s("REGISTER"),
        BrineValue::tuple([BrineValue::tuple([s("P")]), s(&"/".repeat(20))]),
    ]);
    assert_eq!(server.handle_at(me, &long_port, t0), None, "a 20-byte path");

    // Per name: 5 servers.
    for port in 2..=5 {
        assert_eq!(register(me, &["A"], port, t0), ok);
    }
    assert_eq!(register(me, &["A"], 6, t0), None, "a sixth server of A");
    // Keepalives of present entries need no room.
    assert_eq!(register(me, &["A", "B"], 1, t0), ok);
    // All or nothing: B has room, A does not.
    assert_eq!(register(me, &["B", "A"], 7, t0), None);

    // Per host: 20 entries (so far 4 + 1 + 4 = 9).
    for port in 10..21 {
        assert_eq!(register(me, &[&format!("H{port}")], port, t0), ok);
    }
    assert_eq!(server.entries(), 20);
    assert_eq!(register(me, &["Z"], 99, t0), None, "host full");

    // In all: 50 entries.
    for i in 0..40u8 {
        let from = IpAddr::from([10, 0, 1, i]);
        let _ = register(from, &["FLOOD"], 1, t0);
        let _ = register(from, &[&format!("F{i}")], 1, t0);
    }
    assert_eq!(server.entries(), 50);
    assert_eq!(
        register(ip("10.0.2.1"), &["NEW"], 1, t0),
        None,
        "table full"
    );
    // A keepalive is still accepted when the table is full...
    assert_eq!(register(me, &["A"], 3, t0 + Duration::from_secs(30)), ok);
    // ...and stale entries make room for new ones: at t0 + 61 s all but
    // A:3 (refreshed at t0 + 30 s) are older than the 60 s timeout.
    assert_eq!(
        register(ip("10.0.2.1"), &["NEW"], 1, t0 + Duration::from_secs(61)),
        ok
    );
    assert_eq!(server.entries(), 2, "A:3 and NEW are left");
    assert_eq!(
        servers(server.handle_at(
            me,
            &Request::query("a").encode(),
            t0 + Duration::from_secs(62)
        )),
        [pair("10.0.0.1", 3)]
    );
}

/// A UDP registry under garbage, oversized datagrams and a registration
/// flood answers a normal QUERY right after, with its table bounded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_udp_registry_survives_hostile_packets() {
    let limits = RegistryLimits {
        max_entries: 300,
        max_entries_per_host: 300,
        ..RegistryLimits::default()
    };
    let server = RegistryServer::new(RegistryConfig {
        limits,
        ..RegistryConfig::default()
    });
    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let port = socket.local_addr().unwrap().port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn({
        let server = server.clone();
        async move {
            server
                .serve_udp(socket, async {
                    let _ = stopped.await;
                })
                .await
        }
    });
    let client = RegistryClient::udp_to("127.0.0.1")
        .with_port(port)
        .with_timeout(Duration::from_secs(10));
    assert!(client.register(&["LEGIT".into()], 4242).await.unwrap());

    let flood = tokio::task::spawn_blocking(move || {
        let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
        let target = SocketAddr::from(([127, 0, 0, 1], port));
        let mut packets: Vec<Vec<u8>> = vec![
            b"garbage".to_vec(),
            vec![0xff; 1400],
            vec![0x15, 0xff, 0xff, 0xff, 0xff], // a tuple of 4 Gi items, announced
            vec![0x10; 1400],                   // nesting 1400 deep
            Request::register(["X"], 1).encode().repeat(100), // 3 KB: oversized
            Request::query("LEGIT").encode()[..10].to_vec(), // truncated
        ];
        for i in 0..5000 {
            packets.push(Request::register([format!("FLOOD{i}")], (i % 60000) as u16).encode());
        }
        for packet in &packets {
            let _ = sender.send_to(packet, target);
        }
    });
    flood.await.unwrap();

    // The flood's replies went back to its socket; ours is answered. (The
    // kernel drops datagrams while the socket's buffer is full, so a query
    // sent at that moment is asked again.)
    let quick = client.clone().with_timeout(Duration::from_secs(2));
    let mut found = Vec::new();
    for _ in 0..30 {
        found = quick.discover("legit").await.unwrap();
        if !found.is_empty() {
            break;
        }
    }
    assert_eq!(found, [("127.0.0.1".to_owned(), 4242)]);
    assert!(server.entries() <= 300, "{} entries", server.entries());
    assert!(server.entries() > 1, "the flood registered up to the bound");
    let _ = stop.send(());
    serving.await.unwrap().unwrap();
}

/// A TCP registry: a request may come in pieces; a client that sends
/// nothing does not hold up others; oversized and garbage requests get no
/// reply, the connection held open as rpyc's registry holds it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tcp_registry_serves_around_stalled_and_hostile_clients() {
    let server = RegistryServer::new(RegistryConfig {
        tcp_read_timeout: Duration::from_secs(30),
        ..RegistryConfig::default()
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn({
        let server = server.clone();
        async move {
            server
                .serve_tcp(listener, async {
                    let _ = stopped.await;
                })
                .await
        }
    });
    let client = RegistryClient::tcp("127.0.0.1")
        .with_port(port)
        .with_timeout(Duration::from_secs(10));

    let checks = tokio::task::spawn_blocking(move || {
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        // Connected and silent: rpyc's registry would stall on this one.
        let _silent = TcpStream::connect(addr).unwrap();
        // A request in two pieces.
        let mut split = TcpStream::connect(addr).unwrap();
        split
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let request = Request::register(["SPLIT"], 4000).encode();
        split.write_all(&request[..7]).unwrap();
        split.flush().unwrap();
        std::thread::sleep(Duration::from_millis(100));
        split.write_all(&request[7..]).unwrap();
        let mut reply = Vec::new();
        split.read_to_end(&mut reply).unwrap();
        assert_eq!(reply, Reply::Ok.encode());
        // Garbage and oversized requests: no reply, and (as rpyc's registry
        // does) no close either until the client goes.
        for bad in [b"garbage".to_vec(), vec![0x10; 3000]] {
            let mut stream = TcpStream::connect(addr).unwrap();
            stream
                .set_read_timeout(Some(Duration::from_millis(500)))
                .unwrap();
            let _ = stream.write_all(&bad);
            let mut reply = [0u8; 16];
            let silence = stream.read(&mut reply).unwrap_err();
            assert!(
                matches!(
                    silence.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ),
                "{silence}"
            );
        }
        // One request per connection: a second is never read.
        let mut twice = TcpStream::connect(addr).unwrap();
        twice
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let mut both = Request::query("SPLIT").encode();
        both.extend(Request::query("SPLIT").encode());
        twice.write_all(&both).unwrap();
        let mut reply = Vec::new();
        twice.read_to_end(&mut reply).unwrap();
        assert_eq!(
            Reply::decode_servers(&reply).unwrap(),
            [pair("127.0.0.1", 4000)]
        );
        assert!(brine::load(&reply).is_ok(), "exactly one reply");
        _silent
    });
    let silent = checks.await.unwrap();
    assert_eq!(
        client.discover("split").await.unwrap(),
        [("127.0.0.1".to_owned(), 4000)]
    );
    drop(silent);
    let _ = stop.send(());
    serving.await.unwrap().unwrap();
}

// ---------------------------------------------------------------------------
// Against the real Python peers
// ---------------------------------------------------------------------------

/// Sends one datagram to 127.0.0.1:`port` and waits for an answer.
fn udp_exchange(port: u16, packet: &[u8], wait: Duration) -> Option<Vec<u8>> {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_read_timeout(Some(wait)).unwrap();
    socket.send_to(packet, ("127.0.0.1", port)).unwrap();
    let mut buf = [0u8; 65536];
    socket.recv(&mut buf).ok().map(|n| buf[..n].to_vec())
}

/// Python's `rpyc_registry` in `mode` on `port`, listing enabled, answering.
fn python_registry(mode: &str, port: u16, extra: &[&str]) -> ChildGuard {
    let mut cmd = python_command();
    cmd.args([
        "-c",
        "import sys; from rpyc.cli.rpyc_registry import main; sys.argv[0] = 'rpyc_registry'; main()",
        "-m",
        mode,
        "-p",
        &port.to_string(),
        "-q",
        "1",
    ])
    .args(extra);
    let guard = ChildGuard::spawn(cmd);
    if mode == "TCP" {
        wait_for_port(
            SocketAddr::from(([127, 0, 0, 1], port)),
            Duration::from_secs(60),
        );
    } else {
        let started = Instant::now();
        while udp_exchange(
            port,
            &Request::query("NOBODY").encode(),
            Duration::from_millis(200),
        )
        .is_none()
        {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "rpyc_registry did not answer"
            );
        }
    }
    guard
}

/// A Python `ThreadedServer(MyService)` auto-registering with the registry
/// at 127.0.0.1:`registry` over `kind`; returns it and its port.
fn python_my_service(kind: &str, registry: u16) -> (ChildGuard, u16) {
    let mut guard = python_my_service_at(kind, registry, "");
    let line = guard.wait_for_line("PORT");
    let port = line.trim().rsplit(' ').next().unwrap().parse().unwrap();
    (guard, port)
}

/// The same, listening on the Unix socket `socket_path` when it is not
/// empty (it registers the path as its port); prints `PORT N` when ready.
fn python_my_service_at(kind: &str, registry: u16, socket_path: &str) -> ChildGuard {
    let mut cmd = python_command();
    cmd.args([
        "-c",
        r#"
import sys, rpyc
from rpyc.utils.server import ThreadedServer
from rpyc.utils.registry import UDPRegistryClient, TCPRegistryClient
class MyService(rpyc.Service):
    def exposed_get_answer(self):
        return 42
kind, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if kind == "UDP":
    registrar = UDPRegistryClient(ip="127.0.0.1", port=port)
else:
    registrar = TCPRegistryClient("127.0.0.1", port=port)
where = dict(socket_path=path) if path else dict(hostname="127.0.0.1", port=0)
server = ThreadedServer(MyService, registrar=registrar, auto_register=True, **where)
print("PORT", server.port, flush=True)
server.start()
"#,
        kind,
        &registry.to_string(),
        socket_path,
    ]);
    ChildGuard::spawn(cmd)
}

fn python(script: &str, args: &[&str]) -> String {
    let mut cmd = python_command();
    cmd.arg("-c").arg(script).args(args);
    expect_success("python", &run_with_deadline(cmd, Duration::from_secs(120)))
}

/// Python's registry clients (UDP and TCP) against our registry server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rpycs_registry_clients_against_our_server() {
    let server = RegistryServer::new(RegistryConfig {
        allow_listing: true,
        ..RegistryConfig::default()
    });
    let udp = tokio::net::UdpSocket::bind("0.0.0.0:0").await.unwrap();
    let udp_port = udp.local_addr().unwrap().port();
    let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let tcp_port = tcp.local_addr().unwrap().port();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let wait = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let serving_udp = tokio::spawn({
        let (server, stopped) = (server.clone(), stopped.clone());
        async move { server.serve_udp(udp, wait(stopped)).await }
    });
    let serving_tcp = tokio::spawn({
        let server = server.clone();
        async move { server.serve_tcp(tcp, wait(stopped)).await }
    });

    let script = r#"
import sys, rpyc
from rpyc.utils.registry import UDPRegistryClient, TCPRegistryClient
from rpyc.utils.factory import DiscoveryError
kind, port = sys.argv[1], int(sys.argv[2])
if kind == "UDP":
    registrar = UDPRegistryClient(ip="127.0.0.1", port=port)
elif kind == "BROADCAST":
    registrar = UDPRegistryClient(port=port)
else:
    registrar = TCPRegistryClient("127.0.0.1", port=port)
print(registrar.register(("MY", "other"), 45537, interface="127.0.0.1"))
print(rpyc.discover("my", registrar=registrar))
print(rpyc.list_services(registrar=registrar))
print(rpyc.list_services(registrar=registrar, filter_host="127.0.0.1"))
print(rpyc.list_services(registrar=registrar, filter_host="10.9.9.9"))
# A query rpyc's registry cannot answer (not a name): silence, which the
# client reads as its timeout.
print(registrar.discover(5))
# As many names, as long, as a request carries (rpyc's registry takes them).
many = tuple("alias%d" % i for i in range(100)) + ("n" * 400,)
print(registrar.register(many, 45538, interface="127.0.0.1"))
print(rpyc.discover("ALIAS99", registrar=registrar), rpyc.discover("N" * 400, registrar=registrar))
registrar.unregister(45538)
registrar.unregister(45537)
import time
deadline = time.time() + (3 if kind == "BROADCAST" else 60)
while True:
    try:
        found = rpyc.discover("MY", registrar=registrar)
    except DiscoveryError as e:
        print(e)
        break
    if time.time() > deadline:
        print("still", found)
        break
    time.sleep(0.1)
"#;
    for (kind, port) in [
        ("UDP", udp_port),
        ("TCP", tcp_port),
        ("BROADCAST", udp_port),
    ] {
        let port = port.to_string();
        let out = tokio::task::spawn_blocking(move || python(script, &[kind, &port]))
            .await
            .unwrap();
        let lines: Vec<&str> = out.lines().collect();
        // rpyc's UNREGISTER leaves from an unbound socket: broadcast, it
        // comes from another address than the registration (made from
        // 127.0.0.1), and a registry (rpyc's and ours) keeps the entry.
        let last = if kind == "BROADCAST" {
            "still (('127.0.0.1', 45537),)"
        } else {
            "no servers exposing 'MY' were found"
        };
        assert_eq!(
            lines,
            [
                "True",
                "(('127.0.0.1', 45537),)",
                "('MY', 'OTHER')",
                "('MY', 'OTHER')",
                "()",
                "()",
                "True",
                "(('127.0.0.1', 45538),) (('127.0.0.1', 45538),)",
                last,
            ],
            "{kind}: {out}"
        );
    }
    let _ = stop.send(true);
    serving_udp.await.unwrap().unwrap();
    serving_tcp.await.unwrap().unwrap();
}

/// Our client (UDP and TCP) against Python's `rpyc_registry`: register,
/// discover, list, unregister, and connect_by_service to a Python server
/// that auto-registered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_client_against_rpycs_registry() {
    for mode in ["UDP", "TCP"] {
        let port = free_port();
        let _registry = python_registry(mode, port, &["-l", "true"]);
        let client = match mode {
            "UDP" => RegistryClient::udp_to("127.0.0.1"),
            _ => RegistryClient::tcp("127.0.0.1"),
        }
        .with_port(port)
        .with_timeout(Duration::from_secs(10))
        .with_interface(ip("127.0.0.1"));

        assert!(
            client.register(&["Rusty".into()], 1234).await.unwrap(),
            "{mode}"
        );
        assert_eq!(
            client.discover("RUSTY").await.unwrap(),
            [("127.0.0.1".to_owned(), 1234)]
        );
        assert_eq!(client.list_services(None).await.unwrap(), ["RUSTY"]);
        assert_eq!(
            client.list_services(Some("127.0.0.1")).await.unwrap(),
            ["RUSTY"]
        );
        assert!(client
            .list_services(Some("10.9.9.9"))
            .await
            .unwrap()
            .is_empty());
        client.unregister(1234).await.unwrap();
        let started = Instant::now();
        while !client.discover("RUSTY").await.unwrap().is_empty() {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "{mode}: still registered"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }

        // A Python server registers itself; we find it and call it.
        let (_server, server_port) =
            tokio::task::spawn_blocking(move || python_my_service(mode, port))
                .await
                .unwrap();
        let started = Instant::now();
        let found = loop {
            let found = client.discover("MY").await.unwrap();
            if !found.is_empty() {
                break found;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "{mode}: MY never registered"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        assert_eq!(found, [("127.0.0.1".to_owned(), server_port)]);
        let conn = client.connect_by_service("my").await.unwrap();
        let answer: i64 = conn
            .root()
            .await
            .unwrap()
            .call("get_answer", ())
            .await
            .unwrap();
        assert_eq!(answer, 42);
        conn.close().await;
    }
}

/// Python's registry with listing off answers LIST with None: our client
/// says so as rpyc's `list_services` does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listing_disabled_is_an_error_and_silence_is_empty() {
    let port = free_port();
    let _registry = python_registry("UDP", port, &[]);
    let client = RegistryClient::udp_to("127.0.0.1")
        .with_port(port)
        .with_timeout(Duration::from_secs(10));
    let err = client.list_services(None).await.unwrap_err();
    assert!(matches!(err, RegistryError::ListingDisabled), "{err:?}");
    assert_eq!(err.to_string(), "Registry doesn't allow listing");

    // Nobody on a port: UDP gives an empty answer, TCP an error.
    let nobody = free_port();
    let quiet = RegistryClient::udp_to("127.0.0.1")
        .with_port(nobody)
        .with_timeout(Duration::from_millis(500));
    assert!(quiet.discover("MY").await.unwrap().is_empty());
    assert!(quiet.list_services(None).await.unwrap().is_empty());
    assert!(!quiet.register(&["MY".into()], 1).await.unwrap());
    let err = quiet.connect_by_service("MY").await.unwrap_err();
    assert_eq!(err.to_string(), "no servers exposing 'MY' were found");
    let tcp = RegistryClient::tcp("127.0.0.1").with_port(nobody);
    assert!(matches!(
        tcp.discover("MY").await,
        Err(RegistryError::Io(_))
    ));
}

/// Our registrar keeps a service registered with Python's registry,
/// Python's `rpyc.discover` finds it, and stopping unregisters it. The
/// registrar broadcasts (rpyc's default) from 127.0.0.1.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_registrar_broadcasts_to_rpycs_registry() {
    let port = free_port();
    let _registry = python_registry("UDP", port, &["-l", "true"]);
    let client = RegistryClient::udp()
        .with_port(port)
        .with_interface(ip("127.0.0.1"));
    let registration = Registrar::new(client.clone(), service_aliases("__main__.MyService"), 45537)
        .with_interval(Duration::from_millis(200))
        .start();
    let started = Instant::now();
    while registration.acknowledged() < 2 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "no keepalive acknowledged"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let script = r#"
import sys, rpyc
from rpyc.utils.registry import UDPRegistryClient
registrar = UDPRegistryClient(ip="127.0.0.1", port=int(sys.argv[1]))
print(rpyc.discover("MY", registrar=registrar))
"#;
    let port_arg = port.to_string();
    let out = tokio::task::spawn_blocking(move || python(script, &[&port_arg]))
        .await
        .unwrap();
    assert_eq!(out.trim(), "(('127.0.0.1', 45537),)");
    // Our broadcast discover reaches it as well.
    assert_eq!(
        client.discover("MY").await.unwrap(),
        [("127.0.0.1".to_owned(), 45537)]
    );
    registration.stop().await;
    let started = Instant::now();
    while !client.discover("MY").await.unwrap().is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "not unregistered"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// connect_by_service: registry order as rpyc (the oldest keepalive
/// first), rpyc's message when every server is down, a random order on
/// request; and the blocking client.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_by_service_picks_as_rpyc_does() {
    let server = RegistryServer::new(RegistryConfig::default());
    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let port = socket.local_addr().unwrap().port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn({
        let server = server.clone();
        async move {
            server
                .serve_udp(socket, async {
                    let _ = stopped.await;
                })
                .await
        }
    });
    let client = RegistryClient::udp_to("127.0.0.1")
        .with_port(port)
        .with_timeout(Duration::from_secs(10));
    let (dead1, dead2) = (free_port(), free_port());
    assert!(client.register(&["DOWN".into()], dead1).await.unwrap());
    assert!(client.register(&["DOWN".into()], dead2).await.unwrap());
    let err = client.connect_by_service("down").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("All services are down: (('127.0.0.1', {dead1}), ('127.0.0.1', {dead2}))")
    );

    // Two live servers: in registry order the first always wins.
    let a = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let b = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (pa, pb) = (
        a.local_addr().unwrap().port(),
        b.local_addr().unwrap().port(),
    );
    for listener in [a, b] {
        tokio::spawn(
            oxrpc_rpyc::Server::new(|| std::sync::Arc::new(oxrpc_rpyc::VoidService))
                .serve_with_shutdown(listener, std::future::pending()),
        );
    }
    assert!(client.register(&["TWO".into()], pa).await.unwrap());
    assert!(client.register(&["TWO".into()], pb).await.unwrap());
    let mut picked = std::collections::BTreeSet::new();
    for _ in 0..8 {
        let port = client
            .connect_by_service_with("TWO", |_, port| async move { Ok(port) })
            .await
            .unwrap();
        picked.insert(port);
    }
    assert_eq!(picked.into_iter().collect::<Vec<_>>(), [pa]);
    let random = client.clone().with_pick(Pick::Random);
    let mut picked = std::collections::BTreeSet::new();
    for _ in 0..64 {
        picked.insert(
            random
                .connect_by_service_with("TWO", |_, port| async move { Ok(port) })
                .await
                .unwrap(),
        );
    }
    assert_eq!(picked.len(), 2, "a random order reaches both servers");
    let conn = client.connect_by_service("TWO").await.unwrap();
    conn.ping().await.unwrap();
    conn.close().await;

    // The blocking client, from a thread without a runtime.
    let blocking_client = client.clone();
    tokio::task::spawn_blocking(move || {
        let registry = blocking::RegistryClient::new(blocking_client).unwrap();
        assert_eq!(registry.discover("TWO").unwrap().len(), 2);
        assert!(registry.register(&["THREE".into()], 3).unwrap());
        registry.unregister(3).unwrap();
        let conn = registry.connect_by_service("TWO").unwrap();
        conn.ping().unwrap();
        conn.close();
    })
    .await
    .unwrap();

    let _ = stop.send(());
    serving.await.unwrap().unwrap();
}

/// Replies keep what fits in what rpyc's clients read (1500 bytes for a
/// QUERY; 15,000 for a LIST over UDP, 1500 over TCP), so Python's
/// `discover` and `list_services` decode them whole however many servers
/// and names there are (against rpyc's own registry they would get a cut
/// reply they cannot decode).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_replies_fit_what_rpycs_clients_read() {
    let server = RegistryServer::new(RegistryConfig {
        allow_listing: true,
        ..RegistryConfig::default()
    });
    let me = ip("127.0.0.1");
    for port in 20000..20100 {
        assert!(server
            .handle(me, &Request::register(["MANY"], port).encode())
            .is_some());
    }
    for i in 0..2000u32 {
        let from = IpAddr::from([10, 1, (i / 200) as u8, (i % 200) as u8]);
        assert!(server
            .handle(from, &Request::register([format!("N{i:04}")], 1).encode())
            .is_some());
    }
    let reply = server.handle(me, &Request::query("MANY").encode()).unwrap();
    assert!(reply.len() <= 1500, "{}", reply.len());
    let fitting = Reply::decode_servers(&reply).unwrap();
    assert!(
        fitting.len() > 50 && fitting.len() < 100,
        "{}",
        fitting.len()
    );
    assert_eq!(fitting[0], pair("127.0.0.1", 20000), "the oldest first");

    let udp = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let udp_port = udp.local_addr().unwrap().port();
    let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let tcp_port = tcp.local_addr().unwrap().port();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let wait = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let serving_udp = tokio::spawn({
        let (server, stopped) = (server.clone(), stopped.clone());
        async move { server.serve_udp(udp, wait(stopped)).await }
    });
    let serving_tcp = tokio::spawn({
        let server = server.clone();
        async move { server.serve_tcp(tcp, wait(stopped)).await }
    });
    let script = r#"
import sys, rpyc
from rpyc.utils.registry import UDPRegistryClient, TCPRegistryClient
udp = UDPRegistryClient(ip="127.0.0.1", port=int(sys.argv[1]))
tcp = TCPRegistryClient("127.0.0.1", port=int(sys.argv[2]))
for registrar in (udp, tcp):
    found = rpyc.discover("MANY", registrar=registrar)
    names = rpyc.list_services(registrar=registrar)
    print(len(found), found[0], len(names), names[0])
"#;
    let args = [udp_port.to_string(), tcp_port.to_string()];
    let out = tokio::task::spawn_blocking(move || python(script, &[&args[0], &args[1]]))
        .await
        .unwrap();
    let n = fitting.len();
    // MANY (6 bytes) first, then 5-character names of 8 bytes each, after
    // a 5-byte tuple header.
    let (udp_names, tcp_names) = (1 + (15000 - 5 - 6) / 8, 1 + (1500 - 5 - 6) / 8);
    assert_eq!(
        out,
        format!(
            "{n} ('127.0.0.1', 20000) {udp_names} MANY\n{n} ('127.0.0.1', 20000) {tcp_names} MANY\n"
        )
    );
    let _ = stop.send(true);
    serving_udp.await.unwrap().unwrap();
    serving_tcp.await.unwrap().unwrap();
}

/// A UDP registry on `::` (rpyc_registry -6) is dual-stack: IPv4 senders
/// are recorded as `::ffff:a.b.c.d`, IPv6 ones as themselves, as rpyc
/// records them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dual_stack_registry_records_what_rpycs_does() {
    let server = RegistryServer::new(RegistryConfig::default());
    let udp = tokio::net::UdpSocket::bind("[::]:0").await.unwrap();
    let port = udp.local_addr().unwrap().port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn({
        let server = server.clone();
        async move {
            server
                .serve_udp(udp, async {
                    let _ = stopped.await;
                })
                .await
        }
    });
    let script = r#"
import sys, rpyc
from rpyc.utils.registry import UDPRegistryClient
port = int(sys.argv[1])
v4 = UDPRegistryClient(ip="127.0.0.1", port=port)
v6 = UDPRegistryClient(ip="::1", port=port, ipv6=True)
print(v4.register(("FOUR",), 4444, interface="127.0.0.1"), v6.register(("SIX",), 6666, interface="::1"))
print(rpyc.discover("FOUR", registrar=v6), rpyc.discover("SIX", registrar=v4))
"#;
    let arg = port.to_string();
    let out = tokio::task::spawn_blocking(move || python(script, &[&arg]))
        .await
        .unwrap();
    assert_eq!(
        out,
        "True True\n(('::ffff:127.0.0.1', 4444),) (('::1', 6666),)\n"
    );
    let ours = RegistryClient::udp_to("::1")
        .with_ipv6(true)
        .with_port(port)
        .with_timeout(Duration::from_secs(10));
    assert_eq!(
        ours.discover("four").await.unwrap(),
        [("::ffff:127.0.0.1".to_owned(), 4444)]
    );
    assert_eq!(
        ours.discover("six").await.unwrap(),
        [("::1".to_owned(), 6666)]
    );
    let _ = stop.send(());
    serving.await.unwrap().unwrap();
}

/// Mutated requests and replies never panic the server or the client's
/// decoders (the bounded smoke `scripts/test` runs; the table stays
/// bounded throughout).
#[test]
fn mutated_packets_never_panic() {
    let limits = RegistryLimits {
        max_entries: 200,
        ..RegistryLimits::default()
    };
    let server = RegistryServer::new(RegistryConfig {
        allow_listing: true,
        limits,
        ..RegistryConfig::default()
    });
    let seeds: Vec<Vec<u8>> = [
        Request::register(["MY", "SLAVE"], 45537).encode(),
        Request::unregister(42923).encode(),
        Request::query("SLAVE").encode(),
        Request::list(None).encode(),
        Request::list(Some("127.0.0.1")).encode(),
        Reply::Servers(vec![pair("127.0.0.1", 18912)]).encode(),
        Reply::Names(Some(vec!["MY".into()])).encode(),
    ]
    .into();
    let dictionary: &[&[u8]] = &[
        b"\x08\x0dRPYC",
        b"\x08\x0e\x08REGISTER",
        b"\x10",
        b"\x14\xff",
        b"\x16\x05",
        b"\x00",
    ];
    let mut sources = 0u32;
    let runs = oxrpc_testkit::fuzz_smoke(
        "registry",
        &seeds,
        dictionary,
        Duration::from_secs(3),
        |input| {
            sources = sources.wrapping_add(1);
            let from = IpAddr::from((sources % 64).to_be_bytes());
            let _ = server.handle(from, input);
            let _ = Reply::decode_servers(input);
            let _ = Reply::decode_names(input);
            let _ = Reply::is_ok(input);
        },
    );
    assert!(runs > 0);
    assert!(server.entries() <= 200);
}

/// Ports are one port when Python's `==` says so (rpyc keys its table by
/// `(host, port)` tuples): the same raw packets to `rpyc_registry` and to
/// ours get the same bytes back, registering 3.0, 3, True, (5+0j) and 5,
/// then unregistering by an equal port of another type.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ports_are_equal_as_python_compares_them() {
    let reference_port = free_port();
    let _reference = python_registry("UDP", reference_port, &[]);
    let server = RegistryServer::new(RegistryConfig::default());
    let udp = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let ours = udp.local_addr().unwrap().port();
    let serving = tokio::spawn(async move { server.serve_udp(udp, std::future::pending()).await });
    let register = |port: BrineValue| {
        raw(vec![
            s("RPYC"),
            s("REGISTER"),
            BrineValue::tuple([BrineValue::tuple([s("PFL")]), port]),
        ])
    };
    let unregister =
        |port: BrineValue| raw(vec![s("RPYC"), s("UNREGISTER"), BrineValue::tuple([port])]);
    let query = raw(vec![s("RPYC"), s("QUERY"), BrineValue::tuple([s("PFL")])]);
    let steps = [
        register(BrineValue::Float(3.0)),
        register(BrineValue::Int(3)),
        register(BrineValue::Bool(true)),
        query.clone(),
        unregister(BrineValue::Int(3)),
        query.clone(),
        register(BrineValue::Complex(5.0, 0.0)),
        register(BrineValue::Int(5)),
        register(BrineValue::Float(f64::NAN)),
        unregister(BrineValue::Int(1)),
        unregister(BrineValue::Float(5.0)),
        query.clone(),
    ];
    let replies = tokio::task::spawn_blocking(move || {
        steps
            .iter()
            .map(|packet| {
                let wait = Duration::from_secs(5);
                (
                    udp_exchange(reference_port, packet, wait),
                    udp_exchange(ours, packet, wait),
                )
            })
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    for (step, (reference, ours)) in replies.iter().enumerate() {
        assert!(
            reference.is_some(),
            "rpyc_registry did not answer step {step}"
        );
        assert_eq!(ours, reference, "step {step}");
    }
    // What the last QUERY found: only the NaN, equal to no port.
    let last = servers(replies.last().unwrap().1.clone());
    assert_eq!(last.len(), 1, "{last:?}");
    serving.abort();
}

/// rpyc's Unix-socket servers register their socket's path as the port:
/// our client lists the entry as the registry sent it, connects to TCP
/// servers only, and says what it left aside instead of "nothing found"
/// (rpyc's `connect_by_service` fails on the path: "All services are
/// down").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unix_socket_servers_are_named_when_none_is_tcp() {
    let registry = free_port();
    let _registry = python_registry("UDP", registry, &[]);
    let dir = std::env::temp_dir().join(format!("oxrpc-registry-unix-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("my.sock");
    let mut server = python_my_service_at("UDP", registry, path.to_str().unwrap());
    server.wait_for_line("PORT");
    let client = RegistryClient::udp_to("127.0.0.1")
        .with_port(registry)
        .with_timeout(Duration::from_secs(5));
    let entry = (
        "127.0.0.1".to_owned(),
        BrineValue::from(path.to_str().unwrap()),
    );
    let started = Instant::now();
    while client.discover_entries("MY").await.unwrap() != [entry.clone()] {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "never registered"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(client.discover("MY").await.unwrap().is_empty());
    let err = client.connect_by_service("MY").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "no servers exposing 'MY' were found over TCP; the registry lists it at \
             (('127.0.0.1', '{}'),), which is no host and TCP port",
            path.display()
        )
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
