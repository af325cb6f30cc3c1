//! The notebook's XML-RPC client cell, in Rust:
//!
//! ```python
//! proxy = xmlrpc.client.ServerProxy('http://localhost:9000')
//! print(proxy.list_contents('/tmp'))
//! ```
//!
//! ```text
//! cargo run --example xmlrpc_client
//! ```

use oxrpc::xmlrpc::blocking::Client;

fn main() -> Result<(), oxrpc::xmlrpc::Error> {
    let proxy = Client::new("http://localhost:9000")?;
    let names: Vec<String> = proxy.call("list_contents", ("/tmp",))?;
    println!("{names:?}");
    Ok(())
}
