//! The notebook's `rpyc_variables.py` in Rust: variables and data
//! structures on a classic server.
//!
//! ```text
//! cargo run --example rpyc_variables -- localhost
//! ```

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some(server) = std::env::args().nth(1) else {
        let program = std::env::args().next().unwrap_or_default();
        eprintln!("Usage {program} SERVER");
        std::process::exit(1);
    };
    let conn = oxrpc_rpyc::classic::connect(&server).await?;
    // execute runs code on the server: create a variable and change it.
    conn.execute("x = 21").await?;
    conn.execute("x *= 2").await?;
    let x: i64 = conn.eval("x").await?.extract()?;
    println!("{x}"); // 42

    // The same with data structures.
    conn.execute("scores = { \"Foo\" : 10 }").await?;
    conn.execute("scores[\"Foo\"] += 1").await?;
    conn.execute("scores[\"Bar\"] = 42").await?;

    // eval returns the remote dict (by reference).
    let local_scores = oxrpc_rpyc::Proxy::from_value(conn.eval("scores").await?)?;
    println!("{}", local_scores.str().await?); // {'Foo': 11, 'Bar': 42}
    let foo_score: i64 = local_scores.getitem("Foo").await?.extract()?;
    println!("{foo_score}"); // 11

    // namespace reaches the server's variables: change one value there.
    let namespace = conn.namespace().await?;
    let scores = oxrpc_rpyc::Proxy::from_value(namespace.getitem("scores").await?)?;
    let bar: i64 = scores.getitem("Bar").await?.extract()?;
    scores.call::<()>("__setitem__", ("Bar", bar + 58)).await?;
    let updated = oxrpc_rpyc::Proxy::from_value(conn.eval("scores").await?)?;
    println!("{}", updated.str().await?); // {'Foo': 11, 'Bar': 100}

    println!("{}", local_scores.str().await?);
    Ok(())
}

use oxrpc_rpyc::FromValue;
