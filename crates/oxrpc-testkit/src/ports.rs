//! Ports for the servers tests start, and waiting for them to listen.
//!
//! A test picks a port, then starts a server on it, often a Python process
//! that takes a second to bind. A port taken with `bind(0)` and released
//! comes from the kernel's ephemeral range, and in that second the kernel
//! may hand the same port to anyone: to another test's `bind(0)` (on this
//! machine two consecutive `bind(0)` calls return the same port about once
//! in 10,000), or to an outgoing connection as its source port. The
//! server then fails to bind, and the test talks to whoever holds the port,
//! or to no one. So [`free_port`] hands out ports from *below* the
//! ephemeral range, where the kernel never picks one on its own, checks
//! that nothing holds each one, and never hands out the same port twice in
//! one process.

use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Where the kernel's ephemeral range starts when it cannot be read.
const DEFAULT_EPHEMERAL_START: u16 = 32768;

/// The lowest port handed out: above the fixed ports tests use (the
/// notebook's 9000, 18812 and 18861, rpyc's registry on 18811, the
/// classic TLS port 18821, the addresses the registry tests register,
/// up to 20100).
const LOWEST: u16 = 21_000;

/// A port nothing holds on any local IPv4 address (TCP or UDP), for a
/// server a test is about to start.
///
/// It lies below the kernel's ephemeral range, so it stays free until the
/// server binds it whatever else connects meanwhile, and it is never handed
/// out twice in one process (tests in a binary run in parallel). Each
/// process starts at its own place in the range.
///
/// ```
/// let a = oxrpc_testkit::free_port();
/// let b = oxrpc_testkit::free_port();
/// assert_ne!(a, b);
/// assert!(std::net::TcpListener::bind(("127.0.0.1", a)).is_ok());
/// ```
pub fn free_port() -> u16 {
    static NEXT: Mutex<Option<u16>> = Mutex::new(None);
    let (low, high) = handout_range();
    let span = high - low;
    let mut next = NEXT.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut candidate = next.unwrap_or_else(|| {
        let offset = std::process::id().wrapping_mul(7919) % u32::from(span);
        low + u16::try_from(offset).unwrap_or(0)
    });
    for _ in 0..span {
        let port = candidate;
        candidate = if candidate + 1 >= high {
            low
        } else {
            candidate + 1
        };
        if nothing_holds(port) {
            *next = Some(candidate);
            return port;
        }
    }
    panic!("every port in {low}..{high} is taken")
}

/// The ports [`free_port`] hands out: from [`LOWEST`] up to the start of
/// the kernel's ephemeral range.
fn handout_range() -> (u16, u16) {
    let ephemeral_start = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|range| range.split_whitespace().next()?.parse().ok())
        .unwrap_or(DEFAULT_EPHEMERAL_START);
    assert!(
        ephemeral_start > LOWEST + 1_000,
        "the ephemeral range starts at {ephemeral_start}, leaving too few ports below it"
    );
    (LOWEST, ephemeral_start)
}

/// Whether `port` can be bound on every IPv4 address, for TCP and UDP (a
/// registry test's server takes both).
fn nothing_holds(port: u16) -> bool {
    let any = SocketAddr::from((Ipv4Addr::UNSPECIFIED, port));
    TcpListener::bind(any).is_ok() && UdpSocket::bind(any).is_ok()
}

/// `127.0.0.1:port`, where the tests' servers listen.
///
/// ```
/// assert_eq!(oxrpc_testkit::loopback(9000).to_string(), "127.0.0.1:9000");
/// ```
pub fn loopback(port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}

/// Waits until something accepts TCP connections on `addr`.
pub fn wait_for_port(addr: SocketAddr, deadline: Duration) {
    let started = Instant::now();
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        assert!(
            started.elapsed() < deadline,
            "nothing listening on {addr} after {deadline:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// Handed out from threads at once, as parallel tests do: no port
    /// twice, none in the ephemeral range, each one bindable.
    #[test]
    fn ports_are_distinct_and_outside_the_ephemeral_range() {
        let (_, ephemeral_start) = handout_range();
        let threads: Vec<_> = (0..4)
            .map(|_| std::thread::spawn(|| (0..500).map(|_| free_port()).collect::<Vec<_>>()))
            .collect();
        let mut seen = HashSet::new();
        for thread in threads {
            for port in thread.join().unwrap() {
                assert!(port < ephemeral_start, "{port} is in the ephemeral range");
                assert!(seen.insert(port), "{port} was handed out twice");
            }
        }
        let port = free_port();
        assert!(TcpListener::bind(("127.0.0.1", port)).is_ok());
    }

    /// A port something listens on does not count as free, so
    /// [`free_port`] passes it over; released, it counts again.
    #[test]
    fn a_held_port_does_not_count_as_free() {
        let port = free_port();
        let held = TcpListener::bind(("127.0.0.1", port)).unwrap();
        assert!(!nothing_holds(port));
        drop(held);
        assert!(nothing_holds(port));
    }
}
