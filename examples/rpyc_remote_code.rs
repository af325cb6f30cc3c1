//! The notebook's remote-code cell in Rust: send `rpyc_remote_code.py`
//! (a Fibonacci function) to a classic server and call it there.
//!
//! ```text
//! cargo run --example rpyc_remote_code -- localhost
//! ```
//! (run it from `tests/interop/classic/`, where `rpyc_remote_code.py` is).

use oxrpc_rpyc::Proxy;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some(server) = std::env::args().nth(1) else {
        let program = std::env::args().next().unwrap_or_default();
        eprintln!("Usage {program} SERVER");
        std::process::exit(1);
    };
    let filename = "rpyc_remote_code.py";

    let conn = oxrpc_rpyc::classic::connect(&server).await?;
    let my_code = std::fs::read_to_string(filename)?;
    conn.execute(&my_code).await?;

    let rfib: Proxy = conn.namespace().await?.getitem("fib").await?.extract()?;
    for n in [1, 2, 5] {
        let values: Proxy = rfib.invoke((n,)).await?;
        println!("{}", values.str().await?); // [1] / [1, 1] / [1, 1, 2, 3, 5]
    }
    Ok(())
}
