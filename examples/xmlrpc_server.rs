//! The notebook's XML-RPC server cell, in Rust.
//!
//! Python registers `list_contents` on a `SimpleXMLRPCServer` at
//! localhost:9000 with `logRequests=True`; this does the same with oxrpc.
//! Run it, then the notebook's client cell (or `examples/xmlrpc_client.rs`).
//!
//! ```text
//! cargo run --example xmlrpc_server
//! ```

use oxrpc::xmlrpc::{Fault, Server};

fn list_contents(dir_name: String) -> Result<Vec<String>, Fault> {
    tracing::info!("list_contents({dir_name})");
    let entries =
        std::fs::read_dir(&dir_name).map_err(|e| Fault::from_io_error(&e, Some(&dir_name)))?;
    Ok(entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect())
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .init();
    let mut server = Server::new(); // logs every request, like logRequests=True
    server.register("list_contents", list_contents);
    let listener = tokio::net::TcpListener::bind(("localhost", 9000)).await?;
    println!("The server is ready to receive");
    println!("Use Control-C to exit");
    server.serve(listener).await?;
    println!("Exiting");
    Ok(())
}
