//! The crate's layers import one way, from the wire up: `wire` knows
//! nothing above it, `config` only the wire, `core` (where the protocol's
//! own recursion lives) nothing above it, `objects` only core and below,
//! and the endpoints anything beneath them. This test reads the sources
//! and fails on an import that runs the other way, so the layering in
//! `lib.rs`'s docs stays true.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    unreachable_pub
)]

use std::collections::BTreeSet;
use std::path::Path;

/// The layer a source file belongs to, by its place in `src/`.
fn layer_of(relative: &str) -> &'static str {
    match relative.split('/').next().unwrap_or("") {
        "wire" => "wire",
        "core" => "core",
        "objects" => "objects",
        "config.rs" => "config",
        _ => "endpoints",
    }
}

/// The layer a `crate::` path names.
fn layer_named(module: &str) -> &'static str {
    match module {
        "wire" | "boxing" | "brine" | "channel" | "message" | "vinegar" => "wire",
        "core" => "core",
        "objects" | "containers" => "objects",
        "config" => "config",
        _ => "endpoints",
    }
}

fn rank(layer: &str) -> usize {
    ["wire", "config", "core", "objects", "endpoints"]
        .iter()
        .position(|l| *l == layer)
        .unwrap()
}

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn imports_run_one_way_from_the_wire_up() {
    // The run-time variable first: cargo reuses test binaries across
    // checkouts, and the compile-time path may name another one.
    let package = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf());
    let src = package.join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut upward = BTreeSet::new();
    for file in files {
        let relative = file
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let me = layer_of(&relative);
        for line in std::fs::read_to_string(&file).unwrap().lines() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            for (at, _) in code.match_indices("crate::") {
                let module: String = code[at + "crate::".len()..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                let target = layer_named(&module);
                if rank(target) > rank(me) {
                    upward.insert(format!(
                        "{relative} ({me}) imports crate::{module} ({target})"
                    ));
                }
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports that run upward:\n{}",
        upward.into_iter().collect::<Vec<_>>().join("\n")
    );
}
