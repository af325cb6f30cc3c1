//! CPython's CJK codecs as data: what each decodes a byte sequence to and
//! encodes a code point as, read from CPython 3.11 by
//! `tests/golden/classic/generate_cjk_codecs.py` (its docstring gives the
//! layout), with the character sets of the ISO-2022 codecs as codecs of
//! their own (`iso2022/jisx0208` and the rest: a set's seven-bit codes),
//! and packed into the binary (`tables.bin`, zlib, 613 KB). They
//! are unpacked the first time a client's code uses one of these codecs,
//! all at once (a few milliseconds); a codec's encoding map is built the
//! first time that codec encodes.

use std::collections::HashMap;
use std::io::Read;
use std::sync::OnceLock;

/// The tables, compressed.
static PACKED: &[u8] = include_bytes!("tables.bin");

/// What a byte leads to from a node of a codec's decoding tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Entry {
    /// The sequence so far is the code point.
    Char(u32),
    /// The sequence so far is incomplete: the node of what follows.
    Node(usize),
    /// The sequence's first so many bytes are illegal.
    Illegal(usize),
    /// The sequence so far is two code points (the pair of this index).
    Pair(usize),
    /// A gb18030 four-byte sequence starts here (`FourByteRule`).
    FourBytes,
    /// A KS X 1001 make-up sequence of eight bytes starts here
    /// (`MakeUpRule`).
    MakeUp,
}

impl Entry {
    /// The entry `value` packs: its kind in the top three bits.
    fn unpacked(value: u32) -> Option<Self> {
        let payload = (value & 0x1FFF_FFFF) as usize;
        Some(match value >> 29 {
            0 => Entry::Char(value & 0x1FFF_FFFF),
            1 => Entry::Node(payload),
            // At least one byte, so decoding always moves on.
            2 => Entry::Illegal(payload.max(1)),
            3 => Entry::Pair(payload),
            4 => Entry::FourBytes,
            5 => Entry::MakeUp,
            _ => return None,
        })
    }
}

/// gb18030's four-byte sequences: the runs of code points their linear
/// index maps to below U+10000 (above, the index is the code point's
/// offset from U+10000).
#[derive(Debug, Default)]
pub(super) struct FourByteRule {
    /// (first linear index, its code point), ascending by index; each
    /// index of a run adds one to its code point.
    pub(super) runs: Vec<(u32, u32)>,
}

/// euc_kr's make-up sequences (0xA4 0xD4 and three 0xA4 pairs naming an
/// initial, a medial and a final jamo) of the Hangul syllables KS X 1001
/// lacks.
#[derive(Debug)]
pub(super) struct MakeUpRule {
    /// Each second byte 0xA1-0xFE's initial, medial and final index (255:
    /// it names none).
    pub(super) jamo: [[u8; 94]; 3],
}

/// One codec: its decoding tree and what it encodes otherwise than the
/// tree read backwards.
#[derive(Debug)]
pub(super) struct Codec {
    /// Its name, as CPython's errors give it (`shift_jis`).
    pub(super) name: String,
    nodes: Vec<[u32; 256]>,
    /// The two code points `Entry::Pair` names.
    pub(super) pairs: Vec<(u32, u32)>,
    /// Code points encoded otherwise than the tree says (empty: not at all).
    exceptions: Vec<(u32, Vec<u8>)>,
    /// Pairs of code points encoded as one sequence.
    pub(super) pair_encodings: HashMap<(u32, u32), Vec<u8>>,
    /// The first code points of `pair_encodings`, sorted.
    pair_starters: Vec<u32>,
    pub(super) four_bytes: Option<FourByteRule>,
    pub(super) make_up: Option<MakeUpRule>,
    encoding: OnceLock<EncodingMap>,
}

/// What a codec writes for each code point it encodes alone: read by
/// index below U+10000 (most of a text), from a map beyond.
#[derive(Debug)]
struct EncodingMap {
    /// Each BMP code point's (start, length) in `bytes`; length 0: none.
    bmp: Vec<(u32, u8)>,
    /// The same for the code points beyond the BMP.
    beyond: HashMap<u32, (u32, u8)>,
    bytes: Vec<u8>,
}

impl EncodingMap {
    fn new(sequences: HashMap<u32, Vec<u8>>) -> Self {
        let mut map = EncodingMap {
            bmp: vec![(0, 0); 0x10000],
            beyond: HashMap::new(),
            bytes: Vec::new(),
        };
        let mut sequences: Vec<_> = sequences.into_iter().collect();
        sequences.sort_unstable();
        for (code, sequence) in sequences {
            let (Ok(start), Ok(length)) =
                (u32::try_from(map.bytes.len()), u8::try_from(sequence.len()))
            else {
                continue;
            };
            map.bytes.extend_from_slice(&sequence);
            match map.bmp.get_mut(code as usize) {
                Some(slot) => *slot = (start, length),
                None => {
                    map.beyond.insert(code, (start, length));
                }
            }
        }
        map
    }

    fn get(&self, code: u32) -> Option<&[u8]> {
        let (start, length) = match self.bmp.get(code as usize) {
            Some(slot) => *slot,
            None => *self.beyond.get(&code)?,
        };
        let start = start as usize;
        (length > 0)
            .then(|| self.bytes.get(start..start + usize::from(length)))
            .flatten()
    }
}

impl Codec {
    /// What `byte` leads to from node `node` (the root is 0).
    pub(super) fn entry(&self, node: usize, byte: u8) -> Entry {
        self.nodes
            .get(node)
            .and_then(|entries| Entry::unpacked(entries[usize::from(byte)]))
            .unwrap_or(Entry::Illegal(1))
    }

    /// What the codec writes for `code` alone, where the tree or its
    /// exceptions say (the rules' code points are not in it).
    pub(super) fn encoded(&self, code: u32) -> Option<&[u8]> {
        self.encoding
            .get_or_init(|| EncodingMap::new(self.encoding_map()))
            .get(code)
    }

    /// Whether `code` can start a pair the codec encodes as one sequence.
    pub(super) fn starts_pair(&self, code: u32) -> bool {
        self.pair_starters.binary_search(&code).is_ok()
    }

    /// The tree read backwards (the first sequence of each code point,
    /// depth first, bytes ascending), then the exceptions.
    fn encoding_map(&self) -> HashMap<u32, Vec<u8>> {
        let mut map = HashMap::new();
        let mut prefix = Vec::new();
        self.walk(0, &mut prefix, &mut map, 0);
        for (code, data) in &self.exceptions {
            if data.is_empty() {
                map.remove(code);
            } else {
                map.insert(*code, data.clone());
            }
        }
        map
    }

    fn walk(
        &self,
        node: usize,
        prefix: &mut Vec<u8>,
        map: &mut HashMap<u32, Vec<u8>>,
        depth: usize,
    ) {
        // The generator's trees are at most three deep; a deeper one would
        // be a broken table, not a reason to recurse without end.
        if depth > 8 {
            return;
        }
        for byte in 0..=255u8 {
            match self.entry(node, byte) {
                Entry::Char(code) => {
                    map.entry(code).or_insert_with(|| {
                        let mut sequence = prefix.clone();
                        sequence.push(byte);
                        sequence
                    });
                }
                Entry::Node(next) => {
                    prefix.push(byte);
                    self.walk(next, prefix, map, depth + 1);
                    prefix.pop();
                }
                _ => {}
            }
        }
    }
}

/// The codecs, unpacked on first use; `None` if the packed tables are
/// broken (which the crate's tests rule out).
pub(super) fn codecs() -> Option<&'static [Codec]> {
    static CODECS: OnceLock<Option<Vec<Codec>>> = OnceLock::new();
    CODECS.get_or_init(unpack).as_deref()
}

/// The codec CPython calls `name`.
pub(super) fn codec(name: &str) -> Option<&'static Codec> {
    codecs()?.iter().find(|codec| codec.name == name)
}

fn unpack() -> Option<Vec<Codec>> {
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(PACKED)
        .read_to_end(&mut raw)
        .ok()?;
    parse(&raw)
}

/// The codecs `raw` (the uncompressed tables) holds.
pub(super) fn parse(raw: &[u8]) -> Option<Vec<Codec>> {
    let mut input = Reader { rest: raw };
    if input.take(6)? != b"OXCJK1" {
        return None;
    }
    let count = input.u8()?;
    let mut codecs = Vec::new();
    for _ in 0..count {
        let name_length = usize::from(input.u8()?);
        let name = String::from_utf8(input.take(name_length)?.to_vec()).ok()?;
        let rule = input.u8()?;
        let mut nodes = Vec::new();
        for _ in 0..input.u16()? {
            let mut entries = [0u32; 256];
            for entry in &mut entries {
                *entry = input.u32()?;
            }
            nodes.push(entries);
        }
        let mut pairs = Vec::new();
        for _ in 0..input.u16()? {
            pairs.push((input.u32()?, input.u32()?));
        }
        let mut exceptions = Vec::new();
        for _ in 0..input.u32()? {
            let code = input.u32()?;
            let length = usize::from(input.u8()?);
            exceptions.push((code, input.take(length)?.to_vec()));
        }
        let mut pair_encodings = HashMap::new();
        for _ in 0..input.u16()? {
            let pair = (input.u32()?, input.u32()?);
            let length = usize::from(input.u8()?);
            pair_encodings.insert(pair, input.take(length)?.to_vec());
        }
        let (mut four_bytes, mut make_up) = (None, None);
        match rule {
            0 => {}
            1 => {
                let mut runs = Vec::new();
                for _ in 0..input.u16()? {
                    runs.push((input.u32()?, input.u32()?));
                }
                four_bytes = Some(FourByteRule { runs });
            }
            2 => {
                let mut jamo = [[0u8; 94]; 3];
                for row in &mut jamo {
                    row.copy_from_slice(input.take(94)?);
                }
                make_up = Some(MakeUpRule { jamo });
            }
            _ => return None,
        }
        let mut pair_starters: Vec<u32> = pair_encodings.keys().map(|(first, _)| *first).collect();
        pair_starters.sort_unstable();
        pair_starters.dedup();
        codecs.push(Codec {
            name,
            nodes,
            pairs,
            exceptions,
            pair_encodings,
            pair_starters,
            four_bytes,
            make_up,
            encoding: OnceLock::new(),
        });
    }
    input.rest.is_empty().then_some(codecs)
}

/// Little-endian reads from the tables.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, length: usize) -> Option<&'a [u8]> {
        if self.rest.len() < length {
            return None;
        }
        let (taken, rest) = self.rest.split_at(length);
        self.rest = rest;
        Some(taken)
    }

    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes(self.take(2)?.try_into().ok()?))
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
}

impl FourByteRule {
    /// The code point of the four-byte sequence at the start of `bytes`:
    /// `None` when fewer than four bytes have come, `Err(1)` when the
    /// sequence is illegal (its first byte is).
    pub(super) fn decode(&self, bytes: &[u8]) -> Option<Result<u32, usize>> {
        let [first, second, third, fourth] = *bytes.get(..4)? else {
            return None;
        };
        let leads = 0x81..=0xFE;
        let digits = 0x30..=0x39;
        if !leads.contains(&first)
            || !digits.contains(&second)
            || !leads.contains(&third)
            || !digits.contains(&fourth)
        {
            return Some(Err(1));
        }
        let (first, second, third, fourth) = (
            u32::from(first - 0x81),
            u32::from(second - 0x30),
            u32::from(third - 0x81),
            u32::from(fourth - 0x30),
        );
        let within = (second * 126 + third) * 10 + fourth;
        if first < 4 {
            let linear = first * 12_600 + within;
            if linear < BMP_LINEAR_END {
                let at = self.runs.partition_point(|(start, _)| *start <= linear);
                let (start, code) = *self.runs.get(at.checked_sub(1)?)?;
                return Some(Ok(code + (linear - start)));
            }
        } else if first >= 15 {
            let code = 0x10000 + (first - 15) * 12_600 + within;
            if code <= 0x10_FFFF {
                return Some(Ok(code));
            }
        }
        Some(Err(1))
    }

    /// The four bytes of `code`, where this rule writes it.
    pub(super) fn encode(&self, code: u32) -> Option<[u8; 4]> {
        let linear = if code >= 0x10000 {
            if code > 0x10_FFFF {
                return None;
            }
            15 * 12_600 + (code - 0x10000)
        } else {
            self.runs
                .iter()
                .enumerate()
                .find_map(|(at, (start, first))| {
                    let end = self
                        .runs
                        .get(at + 1)
                        .map_or(BMP_LINEAR_END, |(next, _)| *next);
                    (code >= *first && code - first < end - start).then(|| start + (code - first))
                })?
        };
        let digit = |value: u32| u8::try_from(value).unwrap_or(0);
        Some([
            digit(linear / 12_600) + 0x81,
            digit(linear / 1_260 % 10) + 0x30,
            digit(linear / 10 % 126) + 0x81,
            digit(linear % 10) + 0x30,
        ])
    }
}

/// The linear indexes of gb18030's four-byte sequences below U+10000.
const BMP_LINEAR_END: u32 = 39_420;

/// The first Hangul syllable and how many there are.
const SYLLABLES: std::ops::Range<u32> = 0xAC00..0xAC00 + 11_172;

impl MakeUpRule {
    /// The syllable of the make-up sequence at the start of `bytes`
    /// (0xA4 0xD4 already read): `None` when fewer than eight bytes have
    /// come, `Err(1)` when it names no syllable.
    pub(super) fn decode(&self, bytes: &[u8]) -> Option<Result<u32, usize>> {
        let sequence = bytes.get(..8)?;
        let mut indexes = [0u32; 3];
        for (slot, (pair, table)) in sequence[2..].chunks_exact(2).zip(&self.jamo).enumerate() {
            let index = match pair {
                [0xA4, second @ 0xA1..=0xFE] => table[usize::from(second - 0xA1)],
                _ => 255,
            };
            if index == 255 {
                return Some(Err(1));
            }
            indexes[slot] = u32::from(index);
        }
        let [initial, medial, last] = indexes;
        Some(Ok(SYLLABLES.start + (initial * 21 + medial) * 28 + last))
    }

    /// The make-up sequence of the Hangul syllable `code`.
    pub(super) fn encode(&self, code: u32) -> Option<[u8; 8]> {
        if !SYLLABLES.contains(&code) {
            return None;
        }
        let offset = code - SYLLABLES.start;
        let wanted = [offset / 588, offset % 588 / 28, offset % 28];
        let mut sequence = [0xA4, 0xD4, 0xA4, 0, 0xA4, 0, 0xA4, 0];
        for (slot, (table, index)) in self.jamo.iter().zip(wanted).enumerate() {
            let at = table.iter().position(|value| u32::from(*value) == index)?;
            sequence[3 + 2 * slot] = 0xA1 + u8::try_from(at).ok()?;
        }
        Some(sequence)
    }
}
