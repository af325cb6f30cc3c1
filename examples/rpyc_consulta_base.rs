//! The notebook's `rpyc_consulta_base.py` in Rust: connect to the service on
//! port 18861 and use its root object.
//!
//! ```text
//! cargo run --example rpyc_consulta_base -- localhost
//! ```

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some(server) = std::env::args().nth(1) else {
        let program = std::env::args().next().unwrap_or_default();
        eprintln!("Usage {program} SERVER");
        std::process::exit(1);
    };

    // The connection goes to the service created by rpyc_base.
    let conn = oxrpc_rpyc::blocking::connect(&server, 18861)?;

    // The service is exposed as the root of the connection.
    let root = conn.root()?;
    println!("{}", root.str()?);

    // The root is a reference to the service instance on the server: its
    // exposed methods and attributes can be used.
    println!("{}", root.call::<i64>("get_answer", ())?);
    println!(
        "{}",
        root.getattr("the_real_answer_though")?.extract::<i64>()?
    );

    // This method cannot be accessed: AttributeError, as from Python.
    match root.call::<oxrpc_rpyc::Value>("get_question", ()) {
        Ok(value) => println!("{value:?}"),
        Err(e) => println!("{e}"),
    }
    Ok(())
}
