//! Graceful shutdown: in-flight calls finish, then the port is released.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

mod support;

use oxrpc_xmlrpc::blocking;
use std::net::TcpStream;
use std::time::Duration;
use support::reference::TestServer;

#[test]
fn shutdown_lets_in_flight_calls_finish() {
    let server = TestServer::start();
    let url = server.url();
    let addr = server.addr;
    let in_flight = std::thread::spawn(move || {
        let client = blocking::Client::new(&url).unwrap();
        client.call::<u32>("sleep", (700u32,))
    });
    // Let the call reach the server, then stop it while the call sleeps.
    std::thread::sleep(Duration::from_millis(200));
    server.stop();
    assert_eq!(in_flight.join().unwrap().unwrap(), 700);
    assert!(
        TcpStream::connect_timeout(&addr, Duration::from_secs(2)).is_err(),
        "the server still accepts connections after shutdown"
    );
}
