//! Throughput of the codec on a large document: the 108 KB echo that
//! `benches/xmlrpc/run` sends to the servers (216 structs of five members:
//! an int, a string, a double, a boolean and an array of strings), decoded
//! as a call and encoded back as the response, with no I/O.
//!
//! `cargo bench -p oxrpc-xmlrpc --bench codec` prints MB/s of document for
//! decode, encode and the round trip. Under `cargo test` it runs a few
//! rounds only and checks that the round trip gives the document back, so
//! the benchmark cannot rot.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use oxrpc_xmlrpc::{decode_call, encode_call, encode_response, Limits, Struct, Value};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// The allocator the oxrpc binary serves with: a decoded document is
/// thousands of small allocations, and the numbers should be the server's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The same values as `make_structs` in `benches/xmlrpc/run`.
fn structs() -> Value {
    Value::Array(
        (0..216)
            .map(|i: i64| {
                let mut member = Struct::new();
                member.insert("id".into(), Value::Int(i * 7919));
                member.insert(
                    "name".into(),
                    Value::String(format!("item {i} & \u{e9}t\u{e9}")),
                );
                member.insert("price".into(), Value::Double(i as f64 * 1.25 + 0.1));
                member.insert("active".into(), Value::Bool(i % 3 == 0));
                member.insert(
                    "tags".into(),
                    Value::Array(
                        ["a", "b"]
                            .iter()
                            .map(|t| Value::String(format!("{t}-{i}")))
                            .collect(),
                    ),
                );
                Value::Struct(member)
            })
            .collect(),
    )
}

/// Runs `f` until `budget` has passed (at least `min_rounds` times) and
/// returns the median time of a round: the machine is shared, and the
/// median is what noise moves least.
fn time(budget: Duration, min_rounds: usize, mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    let mut rounds = Vec::new();
    while rounds.len() < min_rounds || start.elapsed() < budget {
        let round = Instant::now();
        f();
        rounds.push(round.elapsed());
    }
    rounds.sort_unstable();
    rounds[rounds.len() / 2]
}

fn main() {
    let benching = std::env::args().any(|a| a == "--bench");
    let value = structs();
    let call = encode_call("echo", std::slice::from_ref(&value)).unwrap();
    let response = encode_response(&value).unwrap();
    let limits = Limits::default();

    // The round trip is exact, or the numbers mean nothing.
    let decoded = decode_call(call.as_bytes(), &limits).unwrap();
    assert_eq!(decoded.params, vec![value.clone()]);
    assert_eq!(encode_response(&decoded.params[0]).unwrap(), response);

    let (budget, min_rounds) = if benching {
        (Duration::from_secs(3), 50)
    } else {
        (Duration::ZERO, 3)
    };
    let decode = time(budget, min_rounds, || {
        black_box(decode_call(black_box(call.as_bytes()), &limits).unwrap());
    });
    let encode = time(budget, min_rounds, || {
        black_box(encode_response(black_box(&decoded.params[0])).unwrap());
    });
    let round_trip = time(budget, min_rounds, || {
        let call = decode_call(black_box(call.as_bytes()), &limits).unwrap();
        black_box(encode_response(&call.params[0]).unwrap());
    });
    let mb_per_s = |bytes: usize, t: Duration| bytes as f64 / t.as_secs_f64() / 1e6;
    println!(
        "document: call {} bytes, response {} bytes",
        call.len(),
        response.len()
    );
    println!(
        "decode      {:>8.1} µs  {:>6.0} MB/s",
        decode.as_secs_f64() * 1e6,
        mb_per_s(call.len(), decode)
    );
    println!(
        "encode      {:>8.1} µs  {:>6.0} MB/s",
        encode.as_secs_f64() * 1e6,
        mb_per_s(response.len(), encode)
    );
    println!(
        "round trip  {:>8.1} µs  {:>6.0} MB/s of request",
        round_trip.as_secs_f64() * 1e6,
        mb_per_s(call.len(), round_trip)
    );
}
