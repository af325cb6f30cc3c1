//! Tells the crate whether it (and RustPython with it) is built without
//! optimisation, when a Python call takes far more of a thread's stack
//! (`space::PYTHON_STACK`). `debug_assertions` cannot tell: this crate
//! keeps them off in every profile, as RustPython's crates must.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(unoptimized)");
    if std::env::var("OPT_LEVEL").as_deref() == Ok("0") {
        println!("cargo::rustc-cfg=unoptimized");
    }
}
