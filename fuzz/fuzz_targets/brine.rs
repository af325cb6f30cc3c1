//! brine: any bytes load or fail; what loads dumps back to the same bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = oxrpc_rpyc::brine::load(data) {
        let again = oxrpc_rpyc::brine::dump(&value);
        assert_eq!(oxrpc_rpyc::brine::load(&again).ok(), Some(value));
    }
});
