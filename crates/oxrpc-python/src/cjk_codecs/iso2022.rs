//! The ISO-2022 codecs of CPython's `_codecs_iso2022` (`iso2022_kr` and
//! the `iso2022_jp` family), as CPython 3.11's: seven-bit text where
//! escape sequences designate a character set into G0 or G1 (G2 for a
//! single shift, `ESC N`, in `iso2022_jp_2`), shift out and shift in
//! (`iso2022_kr`) invoke G1 or G0, and each codec's encoder tries its sets
//! in a fixed order, writing a character in the first that has it.
//!
//! The state is CPython's eight state bytes: bytes 0-3 the set in G0-G3
//! (its escape's final byte, 0x80 added for a two-byte set; `B` is
//! ASCII), byte 4 the flags (shifted out; inside an escape sequence the
//! codec does not know, copied through as Latin-1 up to its final byte).
//! A client's `setstate` may write any bytes, which this reads as
//! CPython's code reads them (a set the codec does not have, which
//! CPython's looks for past the end of its list and may crash on, is
//! "RuntimeError: internal codec error" here). The sets' characters are
//! the tables' `iso2022/<set>` codecs (`tables`), read from CPython.
//!
//! Not as CPython's: RustPython's `TextIOWrapper` reads a decoder's state
//! as an i32 each time it reads a chunk (CPython's only when it tells),
//! so `read(n)` or `readline()` of an `iso2022_kr` text fails with an
//! OverflowError after a chunk that ends shifted out (the flag is in the
//! fifth state byte); `read()` of the whole and iteration read it.

use super::decoder::{Decoded, Stop};
use super::encoder::Encoded;
use super::tables::{self, Entry};
use std::sync::OnceLock;

const ESC: u8 = 0x1B;
const SHIFT_OUT: u8 = 0x0E;
const SHIFT_IN: u8 = 0x0F;
const LINE_FEED: u8 = 0x0A;
/// ASCII's mark.
const ASCII: u8 = b'B';
/// A two-byte set's mark has this bit.
const DOUBLE: u8 = 0x80;
const JISX0208: u8 = b'B' | DOUBLE;
/// The longest escape sequence read before it is taken as illegal.
const LONGEST_ESCAPE: usize = 16;
/// State byte 4: shifted out (G1 invoked).
const SHIFTED: u8 = 0x01;
/// State byte 4: inside an escape sequence of no set, copied through.
const ESCAPE_THROUGHOUT: u8 = 0x02;

/// Which of G0-G2 a set is designated into.
#[derive(Clone, Copy)]
enum Plane {
    G0,
    G1,
    G2,
}

/// What a designation's set is to the encoder.
#[derive(Clone, Copy)]
enum Set {
    /// The set of the tables' `iso2022/<name>`.
    Table(&'static str),
    /// JIS X 0213's plane 1 (`iso2022/<name>`) for the pairs it writes as
    /// one code only: a character that can start one makes the encoder
    /// look at the next (or wait for it).
    PairsOf(&'static str),
    /// A set the codec decodes after a single shift but never writes.
    Unwritten,
}

/// One set a codec may designate, in the order its encoder tries them.
struct Designation {
    mark: u8,
    plane: Plane,
    width: usize,
    set: Set,
}

/// A codec's configuration, as CPython's.
struct Config {
    name: &'static str,
    /// SI and SO are control characters, not shifts.
    no_shift: bool,
    /// `ESC . F` designates into G2 and `ESC N` shifts to it once.
    single_shift: bool,
    /// `ESC & @ ESC $ B` designates JIS X 0208 (its 1990 revision).
    jisx0208_revision: bool,
    designations: &'static [Designation],
}

const fn designation(mark: u8, plane: Plane, set: Set) -> Designation {
    let width = if mark & DOUBLE != 0 { 2 } else { 1 };
    Designation {
        mark,
        plane,
        width,
        set,
    }
}

const JISX0208_SET: Designation = designation(JISX0208, Plane::G0, Set::Table("jisx0208"));
const JISX0208_OLD: Designation = designation(b'@' | DOUBLE, Plane::G0, Set::Table("jisx0208"));
const JISX0212: Designation = designation(b'D' | DOUBLE, Plane::G0, Set::Table("jisx0212"));
const JISX0201_ROMAN: Designation = designation(b'J', Plane::G0, Set::Table("jisx0201_r"));

const CONFIGS: [Config; 7] = [
    Config {
        name: "iso2022_kr",
        no_shift: false,
        single_shift: false,
        jisx0208_revision: false,
        designations: &[designation(b'C' | DOUBLE, Plane::G1, Set::Table("ksx1001"))],
    },
    Config {
        name: "iso2022_jp",
        no_shift: true,
        single_shift: false,
        jisx0208_revision: true,
        designations: &[JISX0208_SET, JISX0201_ROMAN, JISX0208_OLD],
    },
    Config {
        name: "iso2022_jp_1",
        no_shift: true,
        single_shift: false,
        jisx0208_revision: true,
        designations: &[JISX0208_SET, JISX0212, JISX0201_ROMAN, JISX0208_OLD],
    },
    Config {
        name: "iso2022_jp_2",
        no_shift: true,
        single_shift: true,
        jisx0208_revision: true,
        designations: &[
            JISX0208_SET,
            JISX0212,
            designation(b'C' | DOUBLE, Plane::G0, Set::Table("ksx1001")),
            designation(b'A' | DOUBLE, Plane::G0, Set::Table("gb2312")),
            JISX0201_ROMAN,
            JISX0208_OLD,
            designation(b'A', Plane::G2, Set::Unwritten),
            designation(b'F', Plane::G2, Set::Unwritten),
        ],
    },
    Config {
        name: "iso2022_jp_2004",
        no_shift: true,
        single_shift: false,
        jisx0208_revision: true,
        designations: &[
            designation(b'Q' | DOUBLE, Plane::G0, Set::PairsOf("jisx0213_2004_1")),
            JISX0208_SET,
            designation(b'Q' | DOUBLE, Plane::G0, Set::Table("jisx0213_2004_1")),
            designation(b'P' | DOUBLE, Plane::G0, Set::Table("jisx0213_2004_2")),
        ],
    },
    Config {
        name: "iso2022_jp_3",
        no_shift: true,
        single_shift: false,
        jisx0208_revision: true,
        designations: &[
            designation(b'O' | DOUBLE, Plane::G0, Set::PairsOf("jisx0213_2000_1")),
            JISX0208_SET,
            designation(b'O' | DOUBLE, Plane::G0, Set::Table("jisx0213_2000_1")),
            designation(b'P' | DOUBLE, Plane::G0, Set::Table("jisx0213_2000_2")),
        ],
    },
    Config {
        name: "iso2022_jp_ext",
        no_shift: true,
        single_shift: false,
        jisx0208_revision: true,
        designations: &[
            JISX0208_SET,
            JISX0212,
            JISX0201_ROMAN,
            designation(b'I', Plane::G0, Set::Table("jisx0201_k")),
            JISX0208_OLD,
        ],
    },
];

/// An ISO-2022 codec with its sets' tables.
pub(super) struct Codec {
    config: &'static Config,
    /// Each designation's tables (`None`: a set it never writes).
    tables: Vec<Option<&'static tables::Codec>>,
    /// ISO 8859-7 as read after a single shift.
    greek: Option<&'static tables::Codec>,
}

/// The ISO-2022 codec CPython calls `name`, if it is one.
pub(super) fn codec(name: &str) -> Option<&'static Codec> {
    static CODECS: OnceLock<Option<Vec<Codec>>> = OnceLock::new();
    CODECS
        .get_or_init(|| {
            CONFIGS
                .iter()
                .map(|config| {
                    let tables = config
                        .designations
                        .iter()
                        .map(|designation| match designation.set {
                            Set::Table(set) | Set::PairsOf(set) => {
                                tables::codec(&format!("iso2022/{set}")).map(Some)
                            }
                            Set::Unwritten => Some(None),
                        })
                        .collect::<Option<Vec<_>>>()?;
                    let greek = config
                        .single_shift
                        .then(|| tables::codec("iso2022/iso8859_7"))
                        .flatten();
                    Some(Codec {
                        config,
                        tables,
                        greek,
                    })
                })
                .collect()
        })
        .as_ref()?
        .iter()
        .find(|codec| codec.config.name == name)
}

/// The state bytes of a new encoder (G0 and G1 ASCII) or decoder (G0-G2).
pub(super) fn first_state(decoding: bool) -> [u8; 8] {
    let mut state = [0; 8];
    let designated = if decoding { 3 } else { 2 };
    state[..designated].fill(ASCII);
    state
}

/// An escape sequence's final byte.
fn ends_escape(byte: u8) -> bool {
    byte.is_ascii_uppercase() || byte == b'@'
}

impl Codec {
    /// The first designation of the set `mark` (as CPython's decoder
    /// finds the set of a mark).
    fn designated(&self, mark: u8) -> Option<usize> {
        self.config
            .designations
            .iter()
            .position(|designation| designation.mark == mark)
    }

    /// Decodes `data` from `start` in `state` into `text` until its end or
    /// the first sequence it cannot (the state stays as it was there).
    pub(super) fn decode(
        &self,
        data: &[u8],
        start: usize,
        state: &mut [u8; 8],
        text: &mut String,
    ) -> Decoded {
        text.reserve(data.len().saturating_sub(start));
        let mut position = start;
        let stop = loop {
            let Some(&byte) = data.get(position) else {
                break Stop::End;
            };
            if state[4] & ESCAPE_THROUGHOUT != 0 {
                text.push(char::from(byte));
                position += 1;
                if ends_escape(byte) {
                    state[4] &= !ESCAPE_THROUGHOUT;
                }
                continue;
            }
            let step = match byte {
                ESC => self.escape(data, position, state, text),
                SHIFT_IN | SHIFT_OUT if !self.config.no_shift => {
                    if byte == SHIFT_OUT {
                        state[4] |= SHIFTED;
                    } else {
                        state[4] &= !SHIFTED;
                    }
                    Ok(1)
                }
                LINE_FEED => {
                    state[4] &= !SHIFTED;
                    text.push('\n');
                    Ok(1)
                }
                0x00..=0x1F => {
                    text.push(char::from(byte));
                    Ok(1)
                }
                0x80..=0xFF => Err(Stop::Illegal(1)),
                _ => self.character(data, position, state, text),
            };
            match step {
                Ok(length) => position += length,
                Err(stop) => break stop,
            }
        };
        Decoded { position, stop }
    }

    /// The character at `position` in the invoked set (G1 when shifted
    /// out): how many bytes it took.
    fn character(
        &self,
        data: &[u8],
        position: usize,
        state: &[u8; 8],
        text: &mut String,
    ) -> Result<usize, Stop> {
        let mark = if state[4] & SHIFTED != 0 {
            state[1]
        } else {
            state[0]
        };
        if mark == ASCII {
            text.push(char::from(*data.get(position).ok_or(Stop::End)?));
            return Ok(1);
        }
        // A mark of no set of this codec comes only from a client's
        // `setstate` (CPython's reads past its list there).
        let at = self.designated(mark).ok_or(Stop::Internal)?;
        let width = self.config.designations[at].width;
        let code = data
            .get(position..position + width)
            .ok_or(Stop::Incomplete)?;
        let Some(set) = self.tables[at] else {
            return Err(Stop::Illegal(width));
        };
        let entry = match set.entry(0, code[0]) {
            Entry::Node(node) if width == 2 => set.entry(node, code[1]),
            entry => entry,
        };
        match entry {
            Entry::Char(point) => text.push(char::from_u32(point).ok_or(Stop::Illegal(width))?),
            Entry::Pair(index) => {
                let (first, second) = set.pairs.get(index).ok_or(Stop::Illegal(width))?;
                for point in [*first, *second] {
                    text.push(char::from_u32(point).ok_or(Stop::Illegal(width))?);
                }
            }
            _ => return Err(Stop::Illegal(width)),
        }
        Ok(width)
    }

    /// The escape sequence at `position`: a designation (into the state),
    /// a single shift (its character into `text`), or an escape of no set
    /// (copied through from here). How many bytes it took.
    fn escape(
        &self,
        data: &[u8],
        position: usize,
        state: &mut [u8; 8],
        text: &mut String,
    ) -> Result<usize, Stop> {
        let sequence = &data[position..];
        let second = *sequence.get(1).ok_or(Stop::Incomplete)?;
        if matches!(second, b'(' | b')' | b'$' | b'.' | b'&') {
            return self.designation(sequence, state);
        }
        if self.config.single_shift && second == b'N' {
            let third = *sequence.get(2).ok_or(Stop::Incomplete)?;
            text.push(self.single_shifted(state[2], third)?);
            return Ok(3);
        }
        text.push('\u{1B}');
        state[4] |= ESCAPE_THROUGHOUT;
        Ok(1)
    }

    /// The designation `sequence` starts with, made in the state: its
    /// length, or how many of its bytes are illegal.
    fn designation(&self, sequence: &[u8], state: &mut [u8; 8]) -> Result<usize, Stop> {
        let mut at = 1;
        let length = loop {
            if at >= LONGEST_ESCAPE {
                return Err(Stop::Illegal(1));
            }
            let byte = *sequence.get(at).ok_or(Stop::Incomplete)?;
            if ends_escape(byte) {
                break at + 1;
            }
            // `&@` (the 1990 revision's announcer) is stepped over unread.
            if self.config.jisx0208_revision && byte == b'&' && sequence.get(at + 1) == Some(&b'@')
            {
                at += 2;
            }
            at += 1;
        };
        let byte = |at: usize| sequence[at];
        let (mark, plane) = match length {
            3 if byte(1) == b'$' => (byte(2) | DOUBLE, 0),
            3 => match byte(1) {
                b'(' => (byte(2), 0),
                b')' => (byte(2), 1),
                b'.' if self.config.single_shift => (byte(2), 2),
                _ => return Err(Stop::Illegal(3)),
            },
            4 if byte(1) == b'$' => match byte(2) {
                b'(' => (byte(3) | DOUBLE, 0),
                b')' => (byte(3) | DOUBLE, 1),
                _ => return Err(Stop::Illegal(4)),
            },
            6 if self.config.jisx0208_revision && sequence[3..6] == [ESC, b'$', b'B'] => {
                (JISX0208, 0)
            }
            _ => return Err(Stop::Illegal(length)),
        };
        if mark != ASCII && self.designated(mark).is_none() {
            return Err(Stop::Illegal(length));
        }
        state[plane] = mark;
        Ok(length)
    }

    /// The character `byte` is after a single shift to G2 (`set`).
    fn single_shifted(&self, set: u8, byte: u8) -> Result<char, Stop> {
        let point = match set {
            // ISO 8859-1's upper half.
            b'A' if byte < 0x80 => u32::from(byte) + 0x80,
            b'F' => match self.greek.map(|greek| greek.entry(0, byte)) {
                Some(Entry::Char(point)) => point,
                Some(_) => return Err(Stop::Illegal(3)),
                None => return Err(Stop::Internal),
            },
            ASCII if byte < 0x80 => u32::from(byte),
            b'A' | ASCII => return Err(Stop::Illegal(3)),
            _ => return Err(Stop::Internal),
        };
        char::from_u32(point).ok_or(Stop::Illegal(3))
    }

    /// Encodes `text` from `start` in `state` onto `bytes`; `last` says no
    /// more text follows (a character that can start a pair is then
    /// written alone).
    pub(super) fn encode(
        &self,
        text: &[u32],
        start: usize,
        last: bool,
        state: &mut [u8; 8],
        bytes: &mut Vec<u8>,
    ) -> Encoded {
        bytes.reserve(text.len().saturating_sub(start) * 2);
        let mut position = start;
        let stop = loop {
            let Some(&point) = text.get(position) else {
                break Stop::End;
            };
            if let Some(ascii) = u8::try_from(point).ok().filter(u8::is_ascii) {
                if state[0] != ASCII {
                    bytes.extend_from_slice(&[ESC, b'(', ASCII]);
                    state[0] = ASCII;
                }
                if state[4] & SHIFTED != 0 {
                    bytes.push(SHIFT_IN);
                    state[4] &= !SHIFTED;
                }
                bytes.push(ascii);
                position += 1;
                continue;
            }
            let found = match self.written(text, position, last) {
                Ok(Some(found)) => found,
                Ok(None) => break Stop::Illegal(1),
                Err(stop) => break stop,
            };
            let designation = &self.config.designations[found.designation];
            let mark = designation.mark;
            match designation.plane {
                Plane::G0 => {
                    if state[4] & SHIFTED != 0 {
                        bytes.push(SHIFT_IN);
                        state[4] &= !SHIFTED;
                    }
                    if state[0] != mark {
                        match (designation.width, mark) {
                            (1, _) => bytes.extend_from_slice(&[ESC, b'(', mark]),
                            (_, JISX0208) => bytes.extend_from_slice(&[ESC, b'$', b'B']),
                            _ => bytes.extend_from_slice(&[ESC, b'$', b'(', mark & !DOUBLE]),
                        }
                        state[0] = mark;
                    }
                }
                Plane::G1 => {
                    if state[1] != mark {
                        if designation.width == 1 {
                            bytes.extend_from_slice(&[ESC, b')', mark]);
                        } else {
                            bytes.extend_from_slice(&[ESC, b'$', b')', mark & !DOUBLE]);
                        }
                        state[1] = mark;
                    }
                    if state[4] & SHIFTED == 0 {
                        bytes.push(SHIFT_OUT);
                        state[4] |= SHIFTED;
                    }
                }
                Plane::G2 => break Stop::Internal,
            }
            bytes.extend_from_slice(found.code);
            position += found.taken;
        };
        Encoded { position, stop }
    }

    /// The first designation with the character (or pair) at `position`;
    /// `None` if
    /// no set has it; `Stop::Incomplete` where it may start a pair and
    /// the text may go on.
    fn written(&self, text: &[u32], position: usize, last: bool) -> Result<Option<Written>, Stop> {
        let point = text[position];
        for (at, designation) in self.config.designations.iter().enumerate() {
            let Some(set) = self.tables[at] else {
                continue;
            };
            match designation.set {
                Set::PairsOf(_) if set.starts_pair(point) => match text.get(position + 1) {
                    None if !last => return Err(Stop::Incomplete),
                    None => {}
                    Some(next) => {
                        if let Some(code) = set.pair_encodings.get(&(point, *next)) {
                            return Ok(Some(Written {
                                designation: at,
                                code,
                                taken: 2,
                            }));
                        }
                    }
                },
                Set::PairsOf(_) | Set::Unwritten => {}
                Set::Table(_) => {
                    if let Some(code) = set.encoded(point) {
                        return Ok(Some(Written {
                            designation: at,
                            code,
                            taken: 1,
                        }));
                    }
                }
            }
        }
        Ok(None)
    }
}

/// Where an encoder writes a character (or a pair).
struct Written {
    /// The index of the designation of the set it is written in.
    designation: usize,
    /// Its code in that set.
    code: &'static [u8],
    /// How many characters it takes (two for a pair).
    taken: usize,
}

/// What ends an encoder's text in `state` (shift in, back to ASCII),
/// made in the state.
pub(super) fn ending(state: &mut [u8; 8]) -> Vec<u8> {
    let mut bytes = Vec::new();
    if state[4] & SHIFTED != 0 {
        bytes.push(SHIFT_IN);
        state[4] &= !SHIFTED;
    }
    if state[0] != ASCII {
        bytes.extend_from_slice(&[ESC, b'(', ASCII]);
        state[0] = ASCII;
    }
    bytes
}

/// A decoder's reset: G0 back to ASCII, shifted in.
pub(super) fn decoder_reset(state: &mut [u8; 8]) {
    state[0] = ASCII;
    state[4] &= !SHIFTED;
}
