//! The sources of the standard library RustPython freezes into the binary.
//!
//! RustPython's frozen modules are bytecode alone: their loader had no
//! source to give, so a traceback through `json` or `subprocess` showed
//! no line of theirs and `inspect.getsource(json.dumps)` raised "could
//! not get source code", on a machine without RustPython's sources as on
//! any other. CPython's are files its loader reads. The build packs each
//! source, compressed on its own (2.7 MB for 10 MB of text), and a
//! module's is unpacked when asked for (`stdlib_fixes.py` makes it the
//! frozen importer's `get_source`, which `linecache` and `inspect` ask).

use std::io::Read;

include!(concat!(env!("OUT_DIR"), "/frozen_sources.rs"));

/// The compressed sources, in the spans `FROZEN_SOURCES` gives.
static PACKED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/frozen_sources.bin"));

/// The source of the frozen module `name` (`json`, `json.decoder`), or
/// `None` where there is no such module.
pub(crate) fn source_of(name: &str) -> Option<String> {
    let at = FROZEN_SOURCES
        .binary_search_by(|(module, _, _)| (*module).cmp(name))
        .ok()?;
    let (_, start, length) = *FROZEN_SOURCES.get(at)?;
    let packed = PACKED.get(start..start + length)?;
    let mut source = String::new();
    flate2::read::DeflateDecoder::new(packed)
        .read_to_string(&mut source)
        .ok()?;
    Some(source)
}

#[cfg(test)]
mod tests {
    use super::source_of;

    #[test]
    fn a_package_and_a_module_have_their_sources() {
        let package = source_of("json").unwrap_or_default();
        assert!(package.contains("def dumps("), "{package:.200}");
        let module = source_of("json.decoder").unwrap_or_default();
        assert!(module.contains("class JSONDecoder"), "{module:.200}");
    }

    #[test]
    fn what_is_not_a_module_has_none() {
        assert_eq!(source_of("json.nope"), None);
        assert_eq!(source_of(""), None);
    }
}
