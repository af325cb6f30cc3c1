//! Tells the crate whether it (and RustPython with it) is built without
//! optimisation, when a Python call takes far more of a thread's stack
//! (`space::PYTHON_STACK`). `debug_assertions` cannot tell: this crate
//! keeps them off in every profile, as RustPython's crates must.
//!
//! And packs the sources of the standard library RustPython freezes as
//! bytecode (`rustpython-pylib`'s `Lib`), each compressed on its own, for
//! `frozen_sources`: a frozen module's source, which tracebacks and
//! `inspect.getsource` read, is then there on a machine without them.

use flate2::write::DeflateEncoder;
use flate2::Compression;
use std::error::Error;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rustc-check-cfg=cfg(unoptimized)");
    if std::env::var("OPT_LEVEL").as_deref() == Ok("0") {
        println!("cargo::rustc-cfg=unoptimized");
    }
    pack_frozen_sources()
}

/// Writes `frozen_sources.bin` (the compressed sources, one after another)
/// and `frozen_sources.rs` (`FROZEN_SOURCES`: each module's name and the
/// span of its source in the first, sorted by name) to `OUT_DIR`.
fn pack_frozen_sources() -> Result<(), Box<dyn Error>> {
    let lib = Path::new(rustpython_pylib::LIB_PATH);
    println!("cargo::rerun-if-changed={}", lib.display());
    let mut modules = Vec::new();
    python_files(lib, lib, &mut modules)?;
    modules.sort();
    let mut packed = Vec::new();
    let mut index = format!(
        "/// Each frozen module's name and the span of its compressed source.\n\
         static FROZEN_SOURCES: [(&str, usize, usize); {}] = [\n",
        modules.len()
    );
    for (name, path) in &modules {
        let mut encoder = DeflateEncoder::new(Vec::new(), Compression::best());
        encoder.write_all(&std::fs::read(path)?)?;
        let compressed = encoder.finish()?;
        writeln!(
            index,
            "    ({name:?}, {}, {}),",
            packed.len(),
            compressed.len()
        )?;
        packed.extend_from_slice(&compressed);
    }
    index.push_str("];\n");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    std::fs::write(out.join("frozen_sources.bin"), packed)?;
    std::fs::write(out.join("frozen_sources.rs"), index)?;
    Ok(())
}

/// Every `.py` file under `dir` whose path names a module, with that name
/// (`json/__init__.py` is `json`, `json/decoder.py` is `json.decoder`).
fn python_files(
    lib: &Path,
    dir: &Path,
    modules: &mut Vec<(String, PathBuf)>,
) -> Result<(), Box<dyn Error>> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            python_files(lib, &path, modules)?;
            continue;
        }
        let Some(relative) = path.strip_prefix(lib)?.to_str() else {
            continue;
        };
        let Some(stem) = relative.strip_suffix(".py") else {
            continue;
        };
        let stem = stem.strip_suffix("/__init__").unwrap_or(stem);
        let parts: Vec<&str> = stem.split('/').collect();
        if parts.iter().all(|part| is_identifier(part)) {
            modules.push((parts.join("."), path.clone()));
        }
    }
    Ok(())
}

fn is_identifier(part: &str) -> bool {
    let mut chars = part.chars();
    chars
        .next()
        .is_some_and(|first| first == '_' || first.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}
