//! Numeric literals as CPython 3.11's tokenizer reads them.
//!
//! CPython's tokenizer refuses a malformed number itself, in its own
//! words and at the character where it stopped: "invalid decimal literal"
//! for `1_` or `3.14x`, "invalid hexadecimal literal" for `0x`, "invalid
//! digit '8' in octal literal". RustPython's lexer reads `1_` as a number
//! and a name and reports "invalid syntax", or "parseIntError { kind:
//! Empty }" for `0x`. This is the tokenizer's number scan (`tok_get`'s
//! number branch, `tok_decimal_tail`, `verify_end_of_number`), run from
//! where a number starts.

/// What CPython's tokenizer says of a number it refuses, and how many
/// bytes past the number's start it stopped (the error's column, counted
/// from the number's start, as the tokenizer counts it from the line's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Refused {
    pub(super) msg: String,
    pub(super) stopped: usize,
}

/// What CPython's tokenizer says of the number `text` starts with, if it
/// refuses it. (Leading zeros, which RustPython refuses too, are left to
/// its report.)
pub(super) fn refused(text: &str) -> Option<Refused> {
    let bytes = text.as_bytes();
    let number = match bytes {
        [first, ..] if first.is_ascii_digit() => true,
        [b'.', second, ..] => second.is_ascii_digit(),
        _ => false,
    };
    if !number {
        return None;
    }
    let mut scan = Scan {
        bytes: text.as_bytes(),
        at: 0,
    };
    scan.number().err()
}

/// The tokenizer's cursor over a number's bytes: `at` is past the last
/// byte read, and reading past the end reads a NUL (nothing a number or a
/// name holds), as the tokenizer reads the line's end.
struct Scan<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Scan<'_> {
    fn next(&mut self) -> u8 {
        let byte = self.bytes.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        byte
    }

    fn back(&mut self) {
        self.at -= 1;
    }

    fn refuse(&self, msg: String) -> Result<(), Refused> {
        Err(Refused {
            msg,
            stopped: self.at,
        })
    }

    fn number(&mut self) -> Result<(), Refused> {
        match self.next() {
            b'0' => self.after_zero(),
            b'.' => {
                let next = self.next();
                self.fraction(next)
            }
            _ => {
                let next = self.decimal_tail()?;
                self.after_integer(next)
            }
        }
    }

    /// Digits with single underscores between them; the byte after.
    fn decimal_tail(&mut self) -> Result<u8, Refused> {
        loop {
            let mut byte = self.next();
            while byte.is_ascii_digit() {
                byte = self.next();
            }
            if byte != b'_' {
                return Ok(byte);
            }
            if !self.next().is_ascii_digit() {
                self.back();
                self.refuse("invalid decimal literal".to_owned())?;
            }
        }
    }

    fn after_integer(&mut self, next: u8) -> Result<(), Refused> {
        if next == b'.' {
            let next = self.next();
            return self.fraction(next);
        }
        self.exponent_or_end(next)
    }

    fn fraction(&mut self, next: u8) -> Result<(), Refused> {
        let next = if next.is_ascii_digit() {
            self.decimal_tail()?
        } else {
            next
        };
        self.exponent_or_end(next)
    }

    fn exponent_or_end(&mut self, next: u8) -> Result<(), Refused> {
        let mut next = next;
        if matches!(next, b'e' | b'E') {
            let e = next;
            next = self.next();
            if matches!(next, b'+' | b'-') {
                if !self.next().is_ascii_digit() {
                    self.back();
                    return self.refuse("invalid decimal literal".to_owned());
                }
            } else if !next.is_ascii_digit() {
                // The `e` may start a name: the number ends before it.
                self.back();
                return self.verify_end(e, "decimal");
            }
            next = self.decimal_tail()?;
        }
        if matches!(next, b'j' | b'J') {
            let next = self.next();
            return self.verify_end(next, "imaginary");
        }
        self.verify_end(next, "decimal")
    }

    fn after_zero(&mut self) -> Result<(), Refused> {
        let mut next = self.next();
        match next {
            b'x' | b'X' => return self.radix(|b| b.is_ascii_hexdigit(), "hexadecimal"),
            b'o' | b'O' => return self.radix(|b| (b'0'..b'8').contains(&b), "octal"),
            b'b' | b'B' => return self.radix(|b| b == b'0' || b == b'1', "binary"),
            _ => {}
        }
        loop {
            if next == b'_' {
                next = self.next();
                if !next.is_ascii_digit() {
                    self.back();
                    return self.refuse("invalid decimal literal".to_owned());
                }
            }
            if next != b'0' {
                break;
            }
            next = self.next();
        }
        if next.is_ascii_digit() {
            let next = self.decimal_tail()?;
            if !matches!(next, b'.' | b'e' | b'E' | b'j' | b'J') {
                // Leading zeros: RustPython's own report.
                return Ok(());
            }
            return self.after_integer(next);
        }
        self.after_integer(next)
    }

    /// The digits of a hexadecimal, octal or binary number after its
    /// prefix. A decimal digit an octal or binary number cannot hold is
    /// named.
    fn radix(&mut self, digit: impl Fn(u8) -> bool, kind: &str) -> Result<(), Refused> {
        let named = |byte: u8| kind != "hexadecimal" && byte.is_ascii_digit();
        let mut next = self.next();
        loop {
            if next == b'_' {
                next = self.next();
            }
            if !digit(next) {
                if named(next) {
                    return self.refuse(format!(
                        "invalid digit '{}' in {kind} literal",
                        next as char
                    ));
                }
                self.back();
                return self.refuse(format!("invalid {kind} literal"));
            }
            while digit(next) {
                next = self.next();
            }
            if next != b'_' {
                break;
            }
        }
        if named(next) {
            return self.refuse(format!(
                "invalid digit '{}' in {kind} literal",
                next as char
            ));
        }
        self.verify_end(next, kind)
    }

    /// A number may not run into a name (`1a`), but may into the keywords
    /// valid code puts right after one (`1if x else 2`), which CPython
    /// only warns of.
    fn verify_end(&mut self, next: u8, kind: &str) -> Result<(), Refused> {
        let rest = self.bytes.get(self.at..).unwrap_or(&[]);
        let keyword = match next {
            b'a' => rest.starts_with(b"nd"),
            b'e' => rest.starts_with(b"lse"),
            b'f' => rest.starts_with(b"or"),
            b'i' => matches!(rest.first(), Some(b'f' | b'n' | b's')),
            b'o' => rest.starts_with(b"r"),
            b'n' => rest.starts_with(b"ot"),
            _ => false,
        };
        if !keyword && (next.is_ascii_alphanumeric() || next == b'_' || next >= 128) {
            self.back();
            return self.refuse(format!("invalid {kind} literal"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(text: &str) -> Option<(String, usize)> {
        refused(text).map(|refused| (refused.msg, refused.stopped))
    }

    /// Each case was run through CPython 3.11's `compile` as `x = ` and
    /// the number: the column it reports is 4 more than `stopped`.
    #[test]
    fn numbers_are_refused_where_cpython_stops() {
        let decimal = |at| Some(("invalid decimal literal".to_owned(), at));
        assert_eq!(said("1_"), decimal(2));
        assert_eq!(said("1__0"), decimal(2));
        assert_eq!(said("1_a"), decimal(2));
        assert_eq!(said("1e"), decimal(1));
        assert_eq!(said("1e+"), decimal(3));
        assert_eq!(said("1.5e"), decimal(3));
        assert_eq!(said("1a"), decimal(1));
        assert_eq!(said("12abc"), decimal(2));
        assert_eq!(said("0_"), decimal(2));
        assert_eq!(said("1.2_"), decimal(4));
        assert_eq!(said("1_.2"), decimal(2));
        assert_eq!(said("1.e"), decimal(2));
        assert_eq!(said("3.14x"), decimal(4));
        let imaginary = |at| Some(("invalid imaginary literal".to_owned(), at));
        assert_eq!(said("5j5"), imaginary(2));
        assert_eq!(said("1j_"), imaginary(2));
        assert_eq!(said("1e5j5"), imaginary(4));
        assert_eq!(
            said("0x"),
            Some(("invalid hexadecimal literal".to_owned(), 2))
        );
        assert_eq!(
            said("0xg"),
            Some(("invalid hexadecimal literal".to_owned(), 2))
        );
        assert_eq!(
            said("0x_"),
            Some(("invalid hexadecimal literal".to_owned(), 3))
        );
        assert_eq!(
            said("0o8"),
            Some(("invalid digit '8' in octal literal".to_owned(), 3))
        );
        assert_eq!(said("0o"), Some(("invalid octal literal".to_owned(), 2)));
        assert_eq!(
            said("0b2"),
            Some(("invalid digit '2' in binary literal".to_owned(), 3))
        );
        assert_eq!(said("0b"), Some(("invalid binary literal".to_owned(), 2)));
        assert_eq!(said("0b1_"), Some(("invalid binary literal".to_owned(), 4)));
        for valid in [
            "1", "1_000", "0x_1f", "0o17", "0b1_0", "1.5e-3", "1j", ".5", "0", "00", "1if", "0.0",
            "$", "x1", ".",
        ] {
            assert_eq!(said(valid), None, "{valid}");
        }
    }
}
