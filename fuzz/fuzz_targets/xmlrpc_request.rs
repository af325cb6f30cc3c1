//! The XML-RPC request parser: any bytes give a call or an error.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = oxrpc_xmlrpc::decode_call(data, &oxrpc_xmlrpc::Limits::default());
});
