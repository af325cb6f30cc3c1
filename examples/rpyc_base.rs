//! The notebook's `rpyc_base.py` in Rust: `MyService` on a threaded server
//! at port 18861.
//!
//! ```text
//! cargo run --example rpyc_base
//! python rpyc_consulta_base.py localhost    # the notebook's client, unchanged
//! ```

use oxrpc_rpyc::{Connection, Server};
use std::sync::Arc;

#[derive(Default)]
struct MyService;

#[oxrpc_rpyc::service(name = "__main__.MyService")]
impl MyService {
    fn on_connect(&self, _conn: &Connection) {
        // code that runs when a connection is created
        // (to init the service, if needed)
    }

    fn on_disconnect(&self, _conn: &Connection) {
        // code that runs after the connection has already closed
        // (to finalize the service, if needed)
    }

    #[exposed] // this is an exposed method
    fn get_answer(&self) -> i64 {
        42
    }

    #[exposed(attribute)] // an exposed attribute
    fn the_real_answer_though(&self) -> i64 {
        43
    }

    // while this method is not exposed
    #[allow(dead_code)]
    fn get_question(&self) -> &'static str {
        "¿cuál es la velocidad de una golondrina sin que lleve peso?"
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .init();
    let listener = tokio::net::TcpListener::bind(("localhost", 18861)).await?;
    // A service instance per connection, like ThreadedServer(MyService, ...).
    Server::new(|| Arc::new(MyService)).serve(listener).await
}
