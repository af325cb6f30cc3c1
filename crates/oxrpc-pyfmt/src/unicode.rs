//! The Unicode properties Python's text depends on, as CPython 3.11 has
//! them.
//!
//! `repr()` escapes what `str.isprintable()` rejects, `int()` and
//! `float()` read any decimal digit, and `str.swapcase()` applies full case
//! mappings with a capital sigma's context. Both follow the Unicode version of the
//! interpreter's own database (CPython 3.11: 14.0), not the newest one: a
//! character assigned since is, to that Python, unassigned — escaped by
//! `repr()`, refused by `int()`. The tables in `unicode_db` are generated
//! from CPython itself, and a test holds them to the venv's Python.

use crate::unicode_db::{
    CASED, CASE_IGNORABLE, DECIMAL_RUNS, DIGITS, IDENTIFIER_CONTINUE, IDENTIFIER_START, LETTERS,
    LOWERCASE, NOT_PRINTABLE, NUMERIC, SWAPPED_CASE, TITLECASE, UPPERCASE,
};

/// The inclusive range of `table` holding `code`, if any.
fn range_of(table: &[(u32, u32)], code: u32) -> Option<(u32, u32)> {
    let after = table.partition_point(|&(start, _)| start <= code);
    let &(start, end) = table.get(after.checked_sub(1)?)?;
    (code <= end).then_some((start, end))
}

/// `str.isprintable()` of one character, as CPython 3.11 answers it.
///
/// ```
/// assert!(oxrpc_pyfmt::is_printable('\u{e9}'));
/// assert!(!oxrpc_pyfmt::is_printable('\u{a0}'));
/// ```
pub fn is_printable(c: char) -> bool {
    range_of(&NOT_PRINTABLE, u32::from(c)).is_none()
}

/// `str.isdigit()` of one character, as CPython 3.11 answers it: decimal
/// digits and the other digits (superscripts, circled numbers, ...).
///
/// ```
/// assert!(oxrpc_pyfmt::is_digit('\u{663}'));
/// assert!(oxrpc_pyfmt::is_digit('\u{2460}'));
/// assert!(!oxrpc_pyfmt::is_digit('\u{bd}'));
/// ```
pub fn is_digit(c: char) -> bool {
    range_of(&DIGITS, u32::from(c)).is_some()
}

/// `str.isalpha()` of one character, as CPython 3.11 answers it: a letter
/// (general category Lu, Ll, Lt, Lm or Lo), not a mark or a letter number.
///
/// ```
/// assert!(oxrpc_pyfmt::is_alpha('\u{e9}'));
/// assert!(!oxrpc_pyfmt::is_alpha('\u{93f}')); // a Devanagari vowel sign
/// assert!(!oxrpc_pyfmt::is_alpha('\u{2160}')); // Roman numeral one
/// ```
pub fn is_alpha(c: char) -> bool {
    range_of(&LETTERS, u32::from(c)).is_some()
}

/// `str.isdecimal()` of one character, as CPython 3.11 answers it.
///
/// ```
/// assert!(oxrpc_pyfmt::is_decimal('\u{ff11}'));
/// assert!(!oxrpc_pyfmt::is_decimal('\u{b2}'));
/// ```
pub fn is_decimal(c: char) -> bool {
    range_of(&DECIMAL_RUNS, u32::from(c)).is_some()
}

/// `str.isnumeric()` of one character, as CPython 3.11 answers it: any
/// numeric value, fractions and CJK numerals included.
///
/// ```
/// assert!(oxrpc_pyfmt::is_numeric('\u{bd}'));
/// assert!(oxrpc_pyfmt::is_numeric('\u{4e00}'));
/// assert!(!oxrpc_pyfmt::is_numeric('a'));
/// ```
pub fn is_numeric(c: char) -> bool {
    range_of(&NUMERIC, u32::from(c)).is_some()
}

/// `str.isalnum()` of one character: a letter, a digit or numeric.
pub fn is_alnum(c: char) -> bool {
    is_alpha(c) || is_digit(c) || is_numeric(c)
}

/// Whether `str.isidentifier()` takes `c` first (`first`) or after.
///
/// ```
/// assert!(oxrpc_pyfmt::is_identifier_char('_', true));
/// assert!(!oxrpc_pyfmt::is_identifier_char('1', true));
/// assert!(oxrpc_pyfmt::is_identifier_char('1', false));
/// ```
pub fn is_identifier_char(c: char, first: bool) -> bool {
    let table: &[(u32, u32)] = if first {
        &IDENTIFIER_START
    } else {
        &IDENTIFIER_CONTINUE
    };
    range_of(table, u32::from(c)).is_some()
}

/// A character's case, as `str.isupper()`, `str.islower()` and
/// `str.istitle()` read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Case {
    /// Uppercase (Lu, and Other_Uppercase such as circled capitals).
    Upper,
    /// Lowercase (Ll, and Other_Lowercase such as modifier letters).
    Lower,
    /// Titlecase (Lt: `ǅ`).
    Title,
    /// Not cased (or cased otherwise, as a modifier letter can be).
    None,
}

/// The case of `c`, by CPython 3.11's database.
///
/// ```
/// use oxrpc_pyfmt::{case_of, Case};
/// assert_eq!(case_of('\u{c0}'), Case::Upper);
/// assert_eq!(case_of('\u{1c5}'), Case::Title);
/// assert_eq!(case_of('1'), Case::None);
/// ```
pub fn case_of(c: char) -> Case {
    let code = u32::from(c);
    if range_of(&UPPERCASE, code).is_some() {
        Case::Upper
    } else if range_of(&LOWERCASE, code).is_some() {
        Case::Lower
    } else if range_of(&TITLECASE, code).is_some() {
        Case::Title
    } else {
        Case::None
    }
}

/// `str.swapcase()` as CPython 3.11 computes it: uppercase letters to
/// their full lowercase and lowercase ones to their full uppercase (`ß`
/// becomes `SS`), a capital sigma to the final `ς` where it ends a word
/// (after a cased letter, not before one, case-ignorable characters
/// skipped both ways).
///
/// ```
/// assert_eq!(oxrpc_pyfmt::swapcase("Straße"), "sTRASSE");
/// assert_eq!(oxrpc_pyfmt::swapcase("ὈΔΥΣΣΕΎΣ"), "ὀδυσσεύς");
/// ```
pub fn swapcase(text: &str) -> String {
    let mut swapped = String::with_capacity(text.len());
    for (at, c) in text.char_indices() {
        if c == CAPITAL_SIGMA {
            let (before, after) = (&text[..at], &text[at + c.len_utf8()..]);
            swapped.push(if ends_a_word(before, after) {
                '\u{3c2}'
            } else {
                '\u{3c3}'
            });
            continue;
        }
        let code = u32::from(c);
        match SWAPPED_CASE.binary_search_by_key(&code, |&(from, _)| from) {
            Ok(found) => swapped.push_str(SWAPPED_CASE[found].1),
            Err(_) => swapped.push(c),
        }
    }
    swapped
}

const CAPITAL_SIGMA: char = '\u{3a3}';

/// CPython's `handle_capital_sigma`: a cased letter in the text `before`
/// the sigma, and none in the text `after` it, case-ignorable characters
/// skipped.
fn ends_a_word(before: &str, after: &str) -> bool {
    let is_ignorable = |c: &char| range_of(&CASE_IGNORABLE, u32::from(*c)).is_some();
    let is_cased = |c: char| range_of(&CASED, u32::from(c)).is_some();
    let before = before.chars().rev().find(|c| !is_ignorable(c));
    let after = after.chars().find(|c| !is_ignorable(c));
    before.is_some_and(is_cased) && !after.is_some_and(is_cased)
}

/// `unicodedata.decimal(c)`: the value of a decimal digit.
pub(crate) fn decimal_value(c: char) -> Option<u8> {
    let code = u32::from(c);
    let (start, _) = range_of(&DECIMAL_RUNS, code)?;
    u8::try_from((code - start) % 10).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_as_cpython_3_11() {
        for c in ['a', ' ', '\u{e9}', '\u{4e2d}', '\u{1f600}', '\u{10ffff}'] {
            assert_eq!(is_printable(c), c != '\u{10ffff}', "{c:?}");
        }
        // Control, format, separators, private use, unassigned.
        for c in [
            '\0', '\n', '\u{7f}', '\u{a0}', '\u{ad}', '\u{2028}', '\u{e000}', '\u{378}',
        ] {
            assert!(!is_printable(c), "{c:?}");
        }
        // Egyptian hieroglyphs of Unicode 16.0: unassigned in 14.0.
        assert!(!is_printable('\u{13460}'));
        assert_eq!(decimal_value('7'), Some(7));
        assert_eq!(decimal_value('\u{669}'), Some(9));
        assert_eq!(decimal_value('\u{1d7ce}'), Some(0));
        assert_eq!(decimal_value('\u{1d7e2}'), Some(0));
        // Superscript two: a digit, not a decimal one.
        assert_eq!(decimal_value('\u{b2}'), None);
        // Nag Mundari digits, Unicode 15.0.
        assert_eq!(decimal_value('\u{1e4f5}'), None);
    }

    /// The checked-in tables are what the generator makes from the venv's
    /// CPython now.
    #[test]
    fn swaps_case_as_cpython_3_11() {
        // Each is CPython 3.11's text.swapcase().
        for (text, cpython) in [
            ("\u{3a3}", "\u{3c3}"),
            ("A\u{3a3}", "a\u{3c2}"),
            ("A\u{3a3}B", "a\u{3c3}b"),
            ("A'\u{3a3}", "a'\u{3c2}"),
            ("1\u{3a3}", "1\u{3c3}"),
            ("A\u{3a3}.", "a\u{3c2}."),
            ("A\u{3a3}.b", "a\u{3c3}.B"),
            ("\u{3a3}\u{3a3}", "\u{3c3}\u{3c2}"),
            ("a\u{3a3}\u{345}", "A\u{3c2}\u{399}"),
            ("\u{2b0}\u{3a3}", "\u{2b0}\u{3c3}"),
            ("A\u{2b0}\u{3a3}", "a\u{2b0}\u{3c2}"),
            ("\u{1c5}", "\u{1c5}"),
            ("\u{130}", "i\u{307}"),
            ("\u{fb01}", "FI"),
            ("", ""),
        ] {
            assert_eq!(swapcase(text), cpython, "{text:?}");
        }
    }

    #[test]
    fn tables_are_cpythons() {
        oxrpc_testkit::assert_generated_by_python(
            "pyfmt/generate_unicode.py",
            "crates/oxrpc-pyfmt/src/unicode_db.rs",
            include_str!("unicode_db.rs"),
        );
    }
}
