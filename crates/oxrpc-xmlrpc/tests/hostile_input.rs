//! Bad and hostile input gets a fault or an HTTP error within bounded time,
//! and the server keeps answering normal calls right after each case.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

mod support;

use oxrpc_xmlrpc::{blocking, Fault, Limits, ServerConfig, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};
use support::reference::TestServer;

fn server() -> TestServer {
    TestServer::start_with(ServerConfig {
        log_requests: false,
        max_body_size: 1 << 20,
        max_decompressed_size: 4 << 20,
        header_read_timeout: Duration::from_secs(1),
        body_read_timeout: Duration::from_secs(1),
        limits: Limits::default(),
        ..ServerConfig::default()
    })
}

/// Sends raw bytes and returns (status, body) of the answer.
fn raw(server: &TestServer, request: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(server.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    // Write from another thread: the server may answer (and stop reading)
    // before a too-large request is fully sent.
    let mut writer = stream.try_clone().unwrap();
    let request = request.to_vec();
    let sender = std::thread::spawn(move || {
        let _ = writer.write_all(&request);
    });
    let answer = read_response(&mut stream);
    drop(stream);
    let _ = sender.join();
    answer
}

fn read_response(stream: &mut TcpStream) -> (u16, String) {
    let mut data = Vec::new();
    let mut buf = [0u8; 65536];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                data.extend_from_slice(&buf[..n]);
                if let Some(body) = complete_response(&data) {
                    return body;
                }
            }
            Err(e) => panic!("read failed after {} bytes: {e}", data.len()),
        }
    }
    complete_response(&data)
        .unwrap_or_else(|| panic!("incomplete: {:?}", String::from_utf8_lossy(&data)))
}

fn complete_response(data: &[u8]) -> Option<(u16, String)> {
    let head = response_head(data)?;
    let body = data.get(head.body_start..head.body_start + head.body_len)?;
    Some((head.status, String::from_utf8_lossy(body).into_owned()))
}

/// What a response's head says, once it has all arrived.
struct ResponseHead {
    status: u16,
    /// Where the body starts in the data.
    body_start: usize,
    /// The declared `Content-Length`.
    body_len: usize,
}

fn response_head(data: &[u8]) -> Option<ResponseHead> {
    let body_start = data.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = String::from_utf8_lossy(&data[..body_start]).to_ascii_lowercase();
    let status = head.split(' ').nth(1)?.parse().ok()?;
    let body_len = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))?
        .trim()
        .parse()
        .ok()?;
    Some(ResponseHead {
        status,
        body_start,
        body_len,
    })
}

fn post(body: &[u8], extra_headers: &str) -> Vec<u8> {
    let mut request = format!(
        "POST /RPC2 HTTP/1.1\r\nHost: test\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n{extra_headers}\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    request
}

fn fault_code(body: &str) -> i64 {
    match oxrpc_xmlrpc::decode_response(body.as_bytes(), &Limits::default()) {
        Ok(oxrpc_xmlrpc::MethodResponse::Fault(f)) => i64::from(f.code),
        other => panic!("expected a fault, got {other:?}"),
    }
}

fn still_serving(server: &TestServer) {
    let client = blocking::Client::new(&server.url()).unwrap();
    let sum: i32 = client.call("add", (2, 3)).unwrap();
    assert_eq!(sum, 5);
}

fn call_xml(method: &str, params: &str) -> Vec<u8> {
    post(
        format!("<?xml version='1.0'?><methodCall><methodName>{method}</methodName><params>{params}</params></methodCall>").as_bytes(),
        "",
    )
}

#[test]
fn protocol_errors_are_faults() {
    let server = server();
    let (status, body) = raw(
        &server,
        &post(b"<methodCall><methodName>add</methodName><par", ""),
    );
    assert_eq!(
        (status, fault_code(&body)),
        (200, i64::from(Fault::PARSE_ERROR))
    );
    still_serving(&server);

    let (status, body) = raw(&server, &post(b"\x00\x01garbage", ""));
    assert_eq!(status, 200);
    assert!(fault_code(&body) < 0);
    still_serving(&server);

    let (_, body) = raw(&server, &call_xml("nope", ""));
    assert_eq!(fault_code(&body), 1);
    assert!(body.contains("method \"nope\" is not supported"));

    let (_, body) = raw(
        &server,
        &call_xml("add", "<param><value><int>1</int></value></param>"),
    );
    assert!(body.contains("TypeError"), "{body}");
    let (_, body) = raw(
        &server,
        &call_xml(
            "add_ints",
            "<param><value>1</value></param><param><value><int>1</int></value></param>",
        ),
    );
    assert!(
        body.contains("add_ints() argument 1 must be int, not str"),
        "{body}"
    );
    let (_, body) = raw(
        &server,
        &call_xml(
            "add",
            &"<param><value><int>1</int></value></param>".repeat(3),
        ),
    );
    assert!(
        body.contains("takes 2 positional arguments but 3 were given"),
        "{body}"
    );
    still_serving(&server);
}

#[test]
fn http_errors_match_cpython() {
    let server = server();
    let (status, _) = raw(&server, b"GET / HTTP/1.1\r\nHost: test\r\n\r\n");
    assert_eq!(status, 501);
    let (status, body) = raw(
        &server,
        &post(b"<x/>", "").replacen(b"/RPC2", b"/elsewhere", 1),
    );
    assert_eq!((status, body.as_str()), (404, "No such page"));
    let (status, _) = raw(&server, &post(b"<x/>", "Content-Encoding: br\r\n"));
    assert_eq!(status, 501);
    let (status, _) = raw(
        &server,
        &post(b"not gzip at all", "Content-Encoding: gzip\r\n"),
    );
    assert_eq!(status, 400);
    // Transfer codings other than chunked are not read as the body.
    for coding in ["gzip, chunked", "chunked, chunked", "identity, chunked"] {
        let request = format!(
            "POST /RPC2 HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: {coding}\r\n\r\n4\r\n<x/>\r\n0\r\n\r\n"
        );
        let (status, _) = raw(&server, request.as_bytes());
        assert_eq!(status, 501, "{coding}");
    }
    still_serving(&server);
}

trait ReplaceN {
    fn replacen(&self, from: &[u8], to: &[u8], n: usize) -> Vec<u8>;
}
impl ReplaceN for Vec<u8> {
    fn replacen(&self, from: &[u8], to: &[u8], _n: usize) -> Vec<u8> {
        let at = self.windows(from.len()).position(|w| w == from).unwrap();
        [&self[..at], to, &self[at + from.len()..]].concat()
    }
}

#[test]
fn oversized_bodies_are_refused() {
    let server = server();
    // Declared too large: refused before reading it.
    let (status, _) = raw(
        &server,
        b"POST /RPC2 HTTP/1.1\r\nHost: t\r\nContent-Length: 5000000000\r\n\r\n",
    );
    assert_eq!(status, 413);
    // Actually too large.
    let big = format!(
        "<methodCall><methodName>echo</methodName><params><param><value>{}</value></param></params></methodCall>",
        "x".repeat(2 << 20)
    );
    let (status, _) = raw(&server, &post(big.as_bytes(), ""));
    assert_eq!(status, 413);
    // Chunked, without a length, too large.
    let mut chunked =
        b"POST /RPC2 HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..40 {
        chunked.extend_from_slice(format!("{:x}\r\n", 65536).as_bytes());
        chunked.extend_from_slice(&[b'y'; 65536]);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let (status, _) = raw(&server, &chunked);
    assert_eq!(status, 413);
    still_serving(&server);
}

#[test]
fn gzip_bomb_is_cut_off() {
    let server = server();
    // 64 MiB of zeros inflates far past the 4 MiB limit from ~64 KiB on the wire.
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..64 {
        encoder.write_all(&zeros).unwrap();
    }
    let bomb = encoder.finish().unwrap();
    assert!(bomb.len() < 1 << 20);
    let (status, _) = raw(&server, &post(&bomb, "Content-Encoding: gzip\r\n"));
    assert_eq!(status, 400);
    still_serving(&server);
}

#[test]
fn xml_bombs_are_faults() {
    let server = server();
    let laughs = br#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<methodCall><methodName>echo</methodName><params><param><value>&lol9;</value></param></params></methodCall>"#;
    let (status, body) = raw(&server, &post(laughs, ""));
    assert_eq!(
        (status, fault_code(&body)),
        (200, i64::from(Fault::PARSE_ERROR))
    );

    let deep = format!(
        "<methodCall><methodName>echo</methodName><params><param>{}{}</param></params></methodCall>",
        "<value><array><data>".repeat(10_000),
        "</data></array></value>".repeat(10_000)
    );
    let (status, body) = raw(&server, &post(deep.as_bytes(), ""));
    assert_eq!(
        (status, fault_code(&body)),
        (200, i64::from(Fault::INVALID_REQUEST))
    );
    assert!(body.contains("nesting deeper than"), "{body}");

    let external = br#"<?xml version="1.0"?><!DOCTYPE x SYSTEM "file:///etc/passwd"><methodCall><methodName>echo</methodName></methodCall>"#;
    let (_, body) = raw(&server, &post(external, ""));
    assert_eq!(fault_code(&body), i64::from(Fault::PARSE_ERROR));
    still_serving(&server);
}

#[test]
fn slow_clients_are_dropped_while_others_are_served() {
    let server = server();
    // Headers that never finish: the connection is closed after the header timeout.
    let mut slow = TcpStream::connect(server.addr).unwrap();
    slow.write_all(b"POST /RPC2 HTTP/1.1\r\nHost: t\r\n")
        .unwrap();
    // A body that never finishes: 408 after the body timeout.
    let mut slow_body = TcpStream::connect(server.addr).unwrap();
    slow_body
        .write_all(b"POST /RPC2 HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n<methodCall>")
        .unwrap();
    // Meanwhile others are served.
    still_serving(&server);

    let started = Instant::now();
    slow.set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut buf = [0u8; 1024];
    let n = slow.read(&mut buf).unwrap_or(0);
    let answer = String::from_utf8_lossy(&buf[..n]).into_owned();
    assert!(
        n == 0 || answer.starts_with("HTTP/1.1 408"),
        "expected the slow connection closed, got {answer:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(20));
    slow_body
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let (status, _) = read_response(&mut slow_body);
    assert_eq!(status, 408);
    still_serving(&server);
}

/// Reads until the peer closes the connection; how long that took.
fn closed_within(stream: &mut TcpStream) -> Duration {
    let started = Instant::now();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut buf = [0u8; 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return started.elapsed(),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return started.elapsed(),
            Err(e) => panic!("still open after {:?}: {e}", started.elapsed()),
        }
    }
}

#[test]
fn a_trickled_request_head_is_no_activity() {
    let server = server();
    let mut trickle = TcpStream::connect(server.addr).unwrap();
    let mut writer = trickle.try_clone().unwrap();
    // A byte every 200 ms for 15 s, well past the 1 s header timeout.
    let sender = std::thread::spawn(move || {
        let head = b"POST /RPC2 HTTP/1.1\r\nHost: t\r\n"
            .iter()
            .chain(std::iter::repeat(&b'x'));
        for byte in head.take(75) {
            if writer.write_all(&[*byte]).is_err() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        false
    });
    still_serving(&server);
    let waited = closed_within(&mut trickle);
    assert!(waited < Duration::from_secs(10), "closed after {waited:?}");
    assert!(sender.join().unwrap(), "the whole trickle was taken");
    still_serving(&server);
}

#[test]
fn idle_keep_alive_connections_are_closed_after_the_header_timeout() {
    let server = server();
    let mut stream = TcpStream::connect(server.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream
        .write_all(&call_xml(
            "add",
            "<param><value><int>2</int></value></param><param><value><int>3</int></value></param>",
        ))
        .unwrap();
    assert_eq!(read_response(&mut stream).0, 200);
    let waited = closed_within(&mut stream);
    assert!(waited < Duration::from_secs(15), "closed after {waited:?}");
}

#[test]
fn a_slowly_read_answer_outlasts_the_header_timeout() {
    let server = server();
    // A small receive buffer, read slowly: the 16 MB answer (more than the
    // kernel buffers on both ends hold) takes seconds to go out, several
    // times the 1 s header timeout, most of them with the server's writes
    // waiting for the reader.
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket.set_recv_buffer_size(8192).unwrap();
    socket.connect(&server.addr.into()).unwrap();
    let mut stream: TcpStream = socket.into();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let size = 16 << 20;
    stream
        .write_all(&call_xml(
            "big",
            &format!("<param><value><int>{size}</int></value></param>"),
        ))
        .unwrap();
    let started = Instant::now();
    let mut data = Vec::new();
    let mut buf = [0u8; 65536];
    let mut expected_len = None;
    while expected_len.is_none_or(|len| data.len() < len) {
        let n = stream.read(&mut buf).unwrap();
        assert!(
            n > 0,
            "closed after {} bytes, {:?}",
            data.len(),
            started.elapsed()
        );
        data.extend_from_slice(&buf[..n]);
        if expected_len.is_none() {
            expected_len = response_head(&data).map(|head| head.body_start + head.body_len);
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let (status, body) = complete_response(&data).unwrap();
    assert_eq!(status, 200);
    assert!(body.contains(&"x".repeat(size)));
    // It did take longer than the timeout (else this test proves nothing).
    let took = started.elapsed();
    assert!(took > Duration::from_secs(2), "{took:?}");
    // Then, idle, the connection goes.
    closed_within(&mut stream);
}

#[test]
fn keep_alive_serves_many_calls_on_one_connection() {
    let server = server();
    let mut stream = TcpStream::connect(server.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    for i in 0..50 {
        stream
            .write_all(&call_xml("add", &format!("<param><value><int>{i}</int></value></param><param><value><int>1</int></value></param>")))
            .unwrap();
        let (status, body) = read_response(&mut stream);
        assert_eq!(status, 200);
        match oxrpc_xmlrpc::decode_response(body.as_bytes(), &Limits::default()).unwrap() {
            oxrpc_xmlrpc::MethodResponse::Success(v) => assert_eq!(v, Value::Int(i + 1)),
            other => panic!("{other:?}"),
        }
    }
}
