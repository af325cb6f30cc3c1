//! Unicode's normalization forms (UAX #15) by CPython 3.11's database.
//!
//! RustPython's `unicodedata.normalize` reads Unicode 10.0: the
//! characters given a decomposition since (`㋿` U+32FF is `令和` under
//! NFKC, the Dives Akuru vowel U+11938 is U+11935 U+11930) were left as
//! they were. This is the algorithm over `unicodedata_table`'s
//! decompositions, canonical combining classes and composing pairs, with
//! the Hangul syllables computed as the standard computes them.

use super::unicodedata_table as table;

/// A normalization form.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Form {
    Nfc,
    Nfd,
    Nfkc,
    Nfkd,
}

impl Form {
    /// The form `name` names (`"NFC"`, ...), as `normalize` takes it.
    pub(super) fn named(name: &str) -> Option<Self> {
        match name {
            "NFC" => Some(Self::Nfc),
            "NFD" => Some(Self::Nfd),
            "NFKC" => Some(Self::Nfkc),
            "NFKD" => Some(Self::Nfkd),
            _ => None,
        }
    }

    fn compatibility(self) -> bool {
        matches!(self, Self::Nfkc | Self::Nfkd)
    }

    fn composed(self) -> bool {
        matches!(self, Self::Nfc | Self::Nfkc)
    }
}

const HANGUL_FIRST: u32 = 0xAC00;
const HANGUL_COUNT: u32 = 11172;
const LEADING_FIRST: u32 = 0x1100;
const VOWEL_FIRST: u32 = 0x1161;
const TRAILING_FIRST: u32 = 0x11A7;
const VOWELS: u32 = 21;
const TRAILINGS: u32 = 28;

/// `text` in the normal form `form`.
pub(super) fn normalize(form: Form, text: &[u32]) -> Vec<u32> {
    let mut out = Vec::with_capacity(text.len());
    for point in text {
        decompose(*point, form.compatibility(), &mut out);
    }
    reorder(&mut out);
    if form.composed() {
        compose(&mut out);
    }
    out
}

/// The canonical combining class of `point`.
fn combining_class(point: u32) -> u8 {
    let at = table::COMBINING.partition_point(|(_, last, _)| *last < point);
    table::COMBINING.get(at).map_or(0, |(_, _, class)| *class)
}

/// Appends the full decomposition of `point` to `out`: canonical, and
/// compatibility ones too where `compatibility`.
fn decompose(point: u32, compatibility: bool, out: &mut Vec<u32>) {
    if (HANGUL_FIRST..HANGUL_FIRST + HANGUL_COUNT).contains(&point) {
        let index = point - HANGUL_FIRST;
        out.push(LEADING_FIRST + index / (VOWELS * TRAILINGS));
        out.push(VOWEL_FIRST + index % (VOWELS * TRAILINGS) / TRAILINGS);
        if index % TRAILINGS != 0 {
            out.push(TRAILING_FIRST + index % TRAILINGS);
        }
        return;
    }
    let mapping = table::DECOMPOSITION
        .binary_search_by_key(&point, |(code, _)| *code)
        .ok()
        .and_then(|at| table::DECOMPOSITION.get(at))
        .map(|(_, mapping)| *mapping);
    let Some(mapping) = mapping else {
        out.push(point);
        return;
    };
    if mapping.starts_with('<') && !compatibility {
        out.push(point);
        return;
    }
    for part in mapping.split(' ').filter(|part| !part.starts_with('<')) {
        match u32::from_str_radix(part, 16) {
            Ok(code) => decompose(code, compatibility, out),
            Err(_) => out.push(point),
        }
    }
}

/// The canonical ordering: each run of non-starters sorted, stably, by
/// combining class.
fn reorder(text: &mut [u32]) {
    let mut start = 0;
    while start < text.len() {
        let end = text
            .get(start..)
            .and_then(|rest| rest.iter().position(|point| combining_class(*point) == 0))
            .map_or(text.len(), |at| start + at);
        if let Some(run) = text.get_mut(start..end) {
            run.sort_by_key(|point| combining_class(*point));
        }
        start = end + 1;
    }
}

/// The canonical composition of a decomposed, ordered `text`.
fn compose(text: &mut Vec<u32>) {
    let Some(&first) = text.first() else {
        return;
    };
    let mut out: Vec<u32> = Vec::with_capacity(text.len());
    out.push(first);
    let mut starter = (combining_class(first) == 0).then_some(0);
    // The class of the last character kept after the starter (256 where
    // the text begins with a non-starter, which blocks every pair).
    let mut last_class: u16 = if starter.is_some() { 0 } else { 256 };
    for &point in text.iter().skip(1) {
        let class = u16::from(combining_class(point));
        let composite = starter
            .and_then(|at| out.get(at).copied())
            .and_then(|base| composite_of(base, point));
        if let (Some(at), Some(composite)) = (starter, composite) {
            if last_class < class || last_class == 0 {
                if let Some(base) = out.get_mut(at) {
                    *base = composite;
                }
                continue;
            }
        }
        if class == 0 {
            starter = Some(out.len());
        }
        last_class = class;
        out.push(point);
    }
    *text = out;
}

/// What `first` and `second` compose to, if anything.
fn composite_of(first: u32, second: u32) -> Option<u32> {
    let leading = first.wrapping_sub(LEADING_FIRST);
    let vowel = second.wrapping_sub(VOWEL_FIRST);
    if leading < 19 && vowel < VOWELS {
        return Some(HANGUL_FIRST + (leading * VOWELS + vowel) * TRAILINGS);
    }
    let syllable = first.wrapping_sub(HANGUL_FIRST);
    let trailing = second.wrapping_sub(TRAILING_FIRST);
    if syllable < HANGUL_COUNT && syllable % TRAILINGS == 0 && (1..TRAILINGS).contains(&trailing) {
        return Some(first + trailing);
    }
    table::COMPOSITIONS
        .binary_search_by_key(&(first, second), |(a, b, _)| (*a, *b))
        .ok()
        .and_then(|at| table::COMPOSITIONS.get(at))
        .map(|(_, _, composite)| *composite)
}

#[cfg(test)]
mod tests {
    use super::{normalize, Form};

    #[test]
    fn characters_decomposed_since_unicode_10() {
        assert_eq!(normalize(Form::Nfkc, &[0x32FF]), [0x4EE4, 0x548C]);
        assert_eq!(normalize(Form::Nfd, &[0x11938]), [0x11935, 0x11930]);
        assert_eq!(normalize(Form::Nfc, &[0x11935, 0x11930]), [0x11938]);
    }

    #[test]
    fn hangul_and_marks_in_order() {
        assert_eq!(normalize(Form::Nfd, &[0xAC01]), [0x1100, 0x1161, 0x11A8]);
        assert_eq!(normalize(Form::Nfc, &[0x1100, 0x1161, 0x11A8]), [0xAC01]);
        // a dot below (220) goes before a dot above (230), then composes
        assert_eq!(normalize(Form::Nfc, &[0x0073, 0x0307, 0x0323]), [0x1E69]);
    }
}
