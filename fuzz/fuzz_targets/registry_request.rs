//! The registry's request decoder: any datagram decodes or is refused, and
//! never panics or allocates beyond the packet's own size.
#![no_main]
use libfuzzer_sys::fuzz_target;
use oxrpc_rpyc::registry::protocol::Request;

fuzz_target!(|data: &[u8]| {
    let _ = Request::decode(data);
});
