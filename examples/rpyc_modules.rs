//! The notebook's `rpyc_modules.py` in Rust: remote modules on a classic
//! server (Python's `rpyc_classic` or `oxrpc classic serve`).
//!
//! ```text
//! cargo run --example rpyc_modules -- localhost
//! ```

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some(server) = std::env::args().nth(1) else {
        let program = std::env::args().next().unwrap_or_default();
        eprintln!("Usage {program} SERVER");
        std::process::exit(1);
    };
    // First connect to the remote server.
    let conn = oxrpc_rpyc::classic::connect(&server).await?;

    // Bind a local name to the server's `sys` module (imported there if needed).
    let rsys = conn.modules("sys").await?;
    // Then use it as if it were local: read its attributes.
    let version: String = rsys.getattr("version").await?.extract()?;
    println!("{version}");

    // The same with the os module.
    let ros = conn.modules("os").await?;
    let name: String = ros.getattr("name").await?.extract()?;
    println!("Name:  {name}");
    Ok(())
}
