//! Channel frames and messages: a byte stream split into frames, each
//! decoded as a message and interpreted as request, reply or exception.
#![no_main]
use libfuzzer_sys::fuzz_target;
use oxrpc_rpyc::channel::{FrameDecoder, FrameLimits};
use oxrpc_rpyc::message::Message;

fuzz_target!(|data: &[u8]| {
    let mut decoder = FrameDecoder::with_limits(FrameLimits {
        max_frame_len: 1 << 20,
        max_decompressed_len: 4 << 20,
    });
    decoder.feed(data);
    while let Ok(Some(frame)) = decoder.next_frame() {
        if let Ok(message) = Message::decode(&frame) {
            let _ = message.clone().into_request();
            let _ = message.clone().into_reply();
            let _ = message.into_exception();
        }
    }
});
