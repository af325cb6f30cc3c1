//! The XML-RPC response parser: any bytes give a response or an error, and
//! whatever parses re-encodes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use oxrpc_xmlrpc::MethodResponse;

fuzz_target!(|data: &[u8]| {
    if let Ok(MethodResponse::Success(value)) =
        oxrpc_xmlrpc::decode_response(data, &oxrpc_xmlrpc::Limits::default())
    {
        let _ = oxrpc_xmlrpc::encode_response(&value);
    }
});
