//! A live connection fed arbitrary bytes: it answers or closes, never panics
//! (a panicking task aborts the fuzzer, which libFuzzer reports).
#![no_main]
use libfuzzer_sys::fuzz_target;
use oxrpc_rpyc::{Config, Connection, ListObject, Reply, RpcObject, Service, Value};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct Root;

impl RpcObject for Root {
    fn type_name(&self) -> &str {
        "fuzz.Root"
    }
    fn callattr(
        self: Arc<Self>,
        _cx: &oxrpc_rpyc::Context,
        name: &str,
        args: Vec<Value>,
        _kwargs: Vec<(String, Value)>,
    ) -> Reply {
        match name {
            "echo" => Reply::Ready(Ok(args.into_iter().next().unwrap_or(Value::NONE))),
            "list" => Reply::Ready(Ok(Value::Object(ListObject::new(args)))),
            other => Reply::error(oxrpc_rpyc::RemoteException::cannot_access(other)),
        }
    }
}

impl Service for Root {}

fuzz_target!(|data: &[u8]| {
    std::panic::set_hook(Box::new(|_| std::process::abort()));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (ours, mut theirs) = tokio::io::duplex(1 << 20);
        let connection = Connection::start(ours, Arc::new(Root), Config::default());
        let _ = theirs.write_all(data).await;
        let _ = theirs.shutdown().await;
        let mut sink = Vec::new();
        let _ = tokio::time::timeout(Duration::from_millis(50), theirs.read_to_end(&mut sink)).await;
        connection.close().await;
    });
});
