//! The codecs against CPython's: the tables are what the generator reads
//! from the pinned Python now, and every input `cjk_codecs_oracle.py`
//! gives (all one- and two-byte sequences, the rules' sequences at their
//! edges, every code point, the pairs) decodes and encodes here as there.

use super::decoder::Stop;
use super::tables;
use super::{Scheme, FAMILIES};
use oxrpc_testkit::{expect_success, golden_path, python_command, run_with_deadline};
use std::io::Read;
use std::time::Duration;

#[test]
fn the_tables_are_what_cpython_gives_now() {
    let mut generate = python_command();
    generate
        .arg(golden_path("classic/generate_cjk_codecs.py"))
        .arg("--print");
    let output = run_with_deadline(generate, Duration::from_secs(300));
    expect_success("generate_cjk_codecs.py --print", &output);
    let mut checked_in = Vec::new();
    flate2::read::ZlibDecoder::new(&include_bytes!("tables.bin")[..])
        .read_to_end(&mut checked_in)
        .expect("the checked-in tables inflate");
    assert!(
        output.stdout == checked_in,
        "crates/oxrpc-python/src/cjk_codecs/tables.bin is stale: run \
         .venv/bin/python tests/golden/classic/generate_cjk_codecs.py"
    );
}

#[test]
fn every_codec_decodes_and_encodes_as_cpythons() {
    let codecs = tables::codecs().expect("the tables unpack");
    let codecs: Vec<_> = codecs
        .iter()
        .filter(|codec| !codec.name.starts_with("iso2022/"))
        .collect();
    assert_eq!(codecs.len(), 16);
    let names = codecs
        .iter()
        .map(|codec| codec.name.as_str())
        .chain(["hz"])
        .chain(iso2022_codecs());
    let mut differences = Vec::new();
    let mut checked = 0usize;
    for name in names {
        let codec = Scheme::named(name).expect("a codec of the tables");
        let mut oracle = python_command();
        oracle
            .arg(golden_path("classic/cjk_codecs_oracle.py"))
            .arg(name);
        let output = run_with_deadline(oracle, Duration::from_secs(300));
        expect_success("cjk_codecs_oracle.py", &output);
        let mut records = Records {
            rest: &output.stdout,
        };
        while !records.rest.is_empty() {
            let kind = records.u8();
            let length = usize::from(records.u8());
            let (input, ours) = if kind == 0 {
                let data = records.take(length).to_vec();
                let ours = decoded(codec, &data);
                (format!("{data:02x?}"), ours)
            } else {
                let text: Vec<u32> = (0..length).map(|_| records.u32()).collect();
                let ours = encoded(codec, &text);
                (format!("{text:x?}"), ours)
            };
            let theirs = records.outcome(kind == 0);
            checked += 1;
            if ours != theirs && differences.len() < 20 {
                differences.push(format!(
                    "{name} {input}: CPython {theirs:x?}, here {ours:x?}"
                ));
            }
        }
    }
    assert!(checked > 24 * 1_000_000, "only {checked} inputs checked");
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

/// An input's outcome: the output (code points or bytes) or the error's
/// (start, end, reason: 1 illegal, 2 incomplete).
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Output(Vec<u32>),
    Error(usize, usize, u8),
    /// CPython's `RuntimeError: internal codec error`.
    Internal,
}

/// The codecs `_codecs_iso2022` gives.
fn iso2022_codecs() -> Vec<&'static str> {
    FAMILIES
        .iter()
        .filter(|(module, _)| *module == "_codecs_iso2022")
        .flat_map(|(_, codecs)| codecs.iter().copied())
        .collect()
}

/// What `scheme` makes of `data` decoded whole, from its first state.
fn decoded(scheme: Scheme, data: &[u8]) -> Outcome {
    let mut state = scheme.first_state(true);
    let mut text = String::new();
    let decoded = scheme.decode(data, 0, &mut state, &mut text);
    match decoded.stop {
        Stop::End => Outcome::Output(text.chars().map(u32::from).collect()),
        Stop::Incomplete => Outcome::Error(decoded.position, data.len(), 2),
        Stop::Illegal(size) => Outcome::Error(decoded.position, decoded.position + size, 1),
        Stop::Internal => Outcome::Internal,
    }
}

/// What `scheme` makes of `text` encoded whole, from its first state to
/// its text's end.
fn encoded(scheme: Scheme, text: &[u32]) -> Outcome {
    let mut state = scheme.first_state(false);
    let mut bytes = Vec::new();
    let encoded = scheme.encode(text, 0, true, &mut state, &mut bytes);
    bytes.extend(scheme.ending(&mut state, false));
    match encoded.stop {
        Stop::End => Outcome::Output(bytes.iter().map(|byte| u32::from(*byte)).collect()),
        Stop::Incomplete => Outcome::Error(encoded.position, text.len(), 2),
        Stop::Illegal(size) => Outcome::Error(encoded.position, encoded.position + size, 1),
        Stop::Internal => Outcome::Internal,
    }
}

/// The oracle's records (its docstring gives their layout).
struct Records<'a> {
    rest: &'a [u8],
}

impl<'a> Records<'a> {
    fn take(&mut self, length: usize) -> &'a [u8] {
        let (taken, rest) = self.rest.split_at(length);
        self.rest = rest;
        taken
    }

    fn u8(&mut self) -> u8 {
        self.take(1)[0]
    }

    fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.take(4).try_into().expect("four bytes"))
    }

    fn outcome(&mut self, text: bool) -> Outcome {
        let kind = self.u8();
        if kind == 3 {
            return Outcome::Internal;
        }
        if kind == 0 {
            let count = self.u32();
            Outcome::Output(
                (0..count)
                    .map(|_| {
                        if text {
                            self.u32()
                        } else {
                            u32::from(self.u8())
                        }
                    })
                    .collect(),
            )
        } else {
            let start = self.u32() as usize;
            let end = self.u32() as usize;
            Outcome::Error(start, end, self.u8())
        }
    }
}
