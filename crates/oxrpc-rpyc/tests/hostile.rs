//! Hostile input against the public decoders: every failure is a clean error,
//! never a panic, a hang or an outsized allocation.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

use oxrpc_rpyc::brine::{self, BrineValue};
use oxrpc_rpyc::channel::{encode_frame, FrameDecoder, FrameLimits};
use oxrpc_rpyc::error::{BrineError, FrameError, MessageError};
use oxrpc_rpyc::message::Message;
use oxrpc_rpyc::vinegar;

/// xorshift64*: deterministic, dependency-free noise.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

fn sample_message() -> Vec<u8> {
    let value = BrineValue::tuple([
        BrineValue::from("text é"),
        BrineValue::from(-123_456_789_012i64),
        BrineValue::from(oxrpc_rpyc::BigInt::from(3u8).pow(100)),
        BrineValue::Float(2.5),
        BrineValue::Complex(1.0, -1.0),
        BrineValue::FrozenSet(vec![1.into(), 2.into()]),
        BrineValue::slice(BrineValue::None, 3.into(), BrineValue::None),
        BrineValue::Bytes(vec![0; 300]),
        BrineValue::tuple((0..6).map(BrineValue::from)),
    ]);
    let mut out = vec![2, 0x11, 0x55];
    value.encode_into(&mut out);
    out
}

/// Decoding must not panic whatever it is given; exercise every decoder.
fn decode_everything(data: &[u8]) {
    let _ = brine::load(data);
    if let Ok(m) = Message::decode(data) {
        let _ = m.clone().into_request();
        let _ = m.clone().into_reply();
        let _ = m.into_exception();
    }
    if let Ok(v) = brine::load(data) {
        let _ = vinegar::load(v.clone());
        let _ = oxrpc_rpyc::Boxed::from_brine(v);
    }
    let mut d = FrameDecoder::with_limits(FrameLimits {
        max_frame_len: 1 << 16,
        max_decompressed_len: 1 << 20,
    });
    d.feed(data);
    while let Ok(Some(_)) = d.next_frame() {}
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..20_000 {
        let n = rng.below(64);
        let data = rng.bytes(n);
        decode_everything(&data);
    }
}

#[test]
fn mutated_valid_messages_never_panic() {
    let good = sample_message();
    assert!(Message::decode(&good).is_ok());
    let mut rng = Rng(42);
    for _ in 0..20_000 {
        let mut data = good.clone();
        match rng.below(3) {
            0 => {
                let i = rng.below(data.len());
                data[i] = rng.next() as u8;
            }
            1 => data.truncate(rng.below(good.len())),
            _ => {
                let i = rng.below(data.len());
                let n = 1 + rng.below(8);
                let extra = rng.bytes(n);
                data.splice(i..i, extra);
            }
        }
        decode_everything(&data);
        let mut framed = Vec::new();
        encode_frame(&data, &mut framed).unwrap();
        framed.truncate(rng.below(framed.len() + 1));
        decode_everything(&framed);
    }
}

#[test]
fn every_truncation_of_a_message_is_an_error() {
    let good = sample_message();
    for cut in 0..good.len() {
        let err = Message::decode(&good[..cut]).unwrap_err();
        assert!(
            matches!(
                err,
                MessageError::Empty | MessageError::Brine(BrineError::Truncated { .. })
            ),
            "{cut}: {err}"
        );
    }
}

#[test]
fn depth_bomb_inside_a_message() {
    let mut data = vec![1u8, 0x11, 0x50];
    data.extend(std::iter::repeat_n(0x10u8, 10_000));
    data.push(0x00);
    assert!(matches!(
        Message::decode(&data),
        Err(MessageError::Brine(BrineError::TooDeep { .. }))
    ));
}

#[test]
fn garbage_message_type() {
    for kind in [0u8, 4, 9, 0x80, 0xff] {
        let mut data = sample_message();
        data[0] = kind;
        assert_eq!(Message::decode(&data), Err(MessageError::UnknownKind(kind)));
    }
}

#[test]
fn four_gib_frame_claim_in_a_stream() {
    let mut d = FrameDecoder::new();
    let mut wire = Vec::new();
    encode_frame(b"fine", &mut wire).unwrap();
    wire.extend_from_slice(&[0xff, 0xff, 0xff, 0xfe, 0x01]);
    wire.extend_from_slice(&[0u8; 100]);
    d.feed(&wire);
    assert_eq!(d.next_frame().unwrap().unwrap(), &b"fine"[..]);
    assert!(matches!(
        d.next_frame(),
        Err(FrameError::TooLarge {
            len: 0xffff_fffe,
            ..
        })
    ));
    assert_eq!(d.next_frame(), Err(FrameError::Poisoned));
}

#[test]
fn huge_brine_lengths_inside_a_small_message() {
    // bytes of 4 GiB, a tuple of 4 Gi items, an int of 4 G digits: all claims.
    for body in [
        &b"\x0f\xff\xff\xff\xff"[..],
        b"\x15\xff\xff\xff\xff",
        b"\x17\xff\xff\xff\xff",
        b"\x08\x0f\xff\xff\xff\xff",
    ] {
        let mut data = vec![2u8, 0x11, 0x50];
        data.extend_from_slice(body);
        assert!(
            matches!(
                Message::decode(&data),
                Err(MessageError::Brine(BrineError::Truncated { .. }))
            ),
            "{body:?}"
        );
    }
}
