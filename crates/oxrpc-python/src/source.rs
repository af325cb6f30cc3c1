//! Checks on Python source before the embedded interpreter compiles it.
//!
//! RustPython's parser and compiler recurse once per level of the syntax
//! tree on the native stack: sixty thousand nested parentheses, a hundred
//! thousand unary minus signs (`- - - 1`), attribute lookups (`x.a.a.a`) or
//! additions (`1+1+1`) overflow even a 64 MiB stack and take the whole
//! process down. CPython refuses all of these with an exception: more than
//! 200 nested brackets is a `SyntaxError` ("too many nested parentheses"),
//! more than 100 levels of indentation an `IndentationError`, and a tree
//! deeper than its compiler's limit (about 3,000 levels) a `RecursionError`
//! ("maximum recursion depth exceeded during compilation"). [`check`] gives
//! the same answers before the source reaches the parser.
//!
//! The tree's depth is bounded without parsing: a node below another
//! needs a token of its own (an operator, a dot, a keyword such as `not`
//! or `lambda`, a bracket), and siblings are separated by commas and
//! statements. So the depth of what a segment between commas holds is at
//! most its tokens plus the deepest bracket inside it, and the depth of a
//! module is at most its deepest statement plus its indentation. The bound
//! only ever overestimates. [`MAX_DEPTH`] is CPython's own limit for the
//! deep shapes (unary and binary operators, attributes, calls, lambdas),
//! and half of what was measured to compile safely for every shape tried:
//! 6,000 levels of each compiled, while 10,000 `and`s overflowed the
//! stack. (CPython keeps `and`, `or` and comparison chains flat and
//! accepts longer ones; RustPython's compiler recurses on them too.)
//!
//! Strings are skipped, except the code in the fields of f-strings (and
//! 3.14's t-strings), which may nest other strings of the same quote.

/// CPython's `MAXLEVEL`: the deepest bracket nesting its tokenizer accepts.
pub(crate) const MAX_NESTING: usize = 200;

/// CPython's `MAXINDENT`: the most levels of indentation it accepts.
pub(crate) const MAX_INDENT: usize = 100;

/// The deepest syntax tree (as bounded above) that is compiled.
pub(crate) const MAX_DEPTH: usize = 3_000;

/// Why source is refused, as CPython words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// `SyntaxError: too many nested parentheses`.
    Nesting,
    /// `IndentationError: too many levels of indentation`.
    Indentation,
    /// `RecursionError: maximum recursion depth exceeded during compilation`.
    Depth,
}

impl Refusal {
    /// The exception's message.
    pub(crate) fn message(self) -> &'static str {
        match self {
            Refusal::Nesting => "too many nested parentheses",
            Refusal::Indentation => "too many levels of indentation",
            Refusal::Depth => "maximum recursion depth exceeded during compilation",
        }
    }
}

/// Whether the embedded interpreter can compile `code` without
/// overflowing its stack (see the module docs): `f((1, [2]), {'a': -3})`
/// passes, a hundred thousand minus signs do not, a list of a hundred
/// thousand negative numbers (wide, not deep) does.
pub(crate) fn check(code: &str) -> Result<(), Refusal> {
    Scanner::new(code.as_bytes()).run()
}

/// Bounds at one bracket level.
#[derive(Default)]
struct Level {
    /// Tokens that may deepen the tree in the current segment.
    tokens: usize,
    /// The deepest bracket closed in the current segment.
    deepest_inner: usize,
    /// The deepest segment ended at this level.
    deepest: usize,
}

impl Level {
    fn end_segment(&mut self) {
        self.deepest = self.deepest.max(self.tokens + self.deepest_inner);
        self.tokens = 0;
        self.deepest_inner = 0;
    }
}

/// What an f-string being scanned is in.
struct FString {
    quote: u8,
    triple: bool,
    /// Brackets open at the level the current field started, when in one.
    field_base: Option<usize>,
}

struct Scanner<'a> {
    bytes: &'a [u8],
    at: usize,
    levels: Vec<Level>,
    fstrings: Vec<FString>,
    indents: Vec<usize>,
    deepest_indent: usize,
}

impl<'a> Scanner<'a> {
    fn new(bytes: &'a [u8]) -> Scanner<'a> {
        Scanner {
            bytes,
            at: 0,
            levels: vec![Level::default()],
            fstrings: Vec::new(),
            indents: vec![0],
            deepest_indent: 0,
        }
    }

    fn peek(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.at + ahead).copied()
    }

    fn level(&mut self) -> &mut Level {
        let last = self.levels.len() - 1;
        &mut self.levels[last]
    }

    fn run(mut self) -> Result<(), Refusal> {
        self.indentation()?;
        while self.at < self.bytes.len() {
            if self.in_fstring_text() {
                self.fstring_text()?;
            } else {
                self.code()?;
            }
        }
        while self.levels.len() > 1 {
            self.close_bracket();
        }
        self.level().end_segment();
        if self.levels[0].deepest + self.deepest_indent > MAX_DEPTH {
            return Err(Refusal::Depth);
        }
        Ok(())
    }

    fn in_fstring_text(&self) -> bool {
        self.fstrings.last().is_some_and(|f| f.field_base.is_none())
    }

    /// One token of code (or of an f-string's field).
    fn code(&mut self) -> Result<(), Refusal> {
        let byte = self.bytes[self.at];
        match byte {
            b'#' => {
                while self.at < self.bytes.len() && self.bytes[self.at] != b'\n' {
                    self.at += 1;
                }
            }
            b'\\' if self.peek(1) == Some(b'\n') => self.at += 2,
            b'\n' => {
                self.at += 1;
                if self.levels.len() == 1 && self.fstrings.is_empty() {
                    self.level().end_segment();
                    self.indentation()?;
                }
            }
            b'\'' | b'"' => self.string(""),
            b'(' | b'[' | b'{' => {
                self.level().tokens += 1;
                self.levels.push(Level::default());
                if self.levels.len() - 1 > MAX_NESTING {
                    return Err(Refusal::Nesting);
                }
                self.at += 1;
            }
            b')' | b']' | b'}' => {
                let base = self.fstrings.last().and_then(|f| f.field_base);
                if byte == b'}' && base == Some(self.levels.len()) {
                    // The end of an f-string's field.
                    if let Some(fstring) = self.fstrings.last_mut() {
                        fstring.field_base = None;
                    }
                } else if self.levels.len() > 1 {
                    self.close_bracket();
                }
                self.at += 1;
            }
            b',' | b';' => {
                self.level().end_segment();
                self.at += 1;
            }
            b':' if self.fstrings.last().and_then(|f| f.field_base) == Some(self.levels.len()) => {
                // A format spec: text again, whose own fields are code.
                if let Some(fstring) = self.fstrings.last_mut() {
                    fstring.field_base = None;
                }
                self.level().tokens += 1;
                self.at += 1;
            }
            b if b.is_ascii_alphabetic() || b == b'_' || b >= 0x80 => self.word(),
            b if b.is_ascii_digit() => {
                while self
                    .peek(0)
                    .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
                {
                    self.at += 1;
                }
            }
            b' ' | b'\t' | b'\r' | b'\x0c' => self.at += 1,
            _ => {
                self.level().tokens += 1;
                self.at += 1;
            }
        }
        Ok(())
    }

    /// A name, a keyword, or a string's prefix.
    fn word(&mut self) {
        let start = self.at;
        while self
            .peek(0)
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80)
        {
            self.at += 1;
        }
        let word = &self.bytes[start..self.at];
        if matches!(self.peek(0), Some(b'\'' | b'"'))
            && word.len() <= 3
            && word
                .iter()
                .all(|b| matches!(b.to_ascii_lowercase(), b'r' | b'b' | b'u' | b'f' | b't'))
        {
            let prefix = std::str::from_utf8(word).unwrap_or("");
            self.string(prefix);
            return;
        }
        if matches!(
            word,
            b"not"
                | b"and"
                | b"or"
                | b"if"
                | b"else"
                | b"lambda"
                | b"await"
                | b"in"
                | b"is"
                | b"yield"
                | b"for"
                | b"async"
                | b"from"
        ) {
            self.level().tokens += 1;
        }
    }

    /// A string literal starting at the quote under the cursor.
    fn string(&mut self, prefix: &str) {
        let quote = self.bytes[self.at];
        let triple = self.peek(1) == Some(quote) && self.peek(2) == Some(quote);
        self.at += if triple { 3 } else { 1 };
        let formatted = prefix
            .bytes()
            .any(|b| matches!(b.to_ascii_lowercase(), b'f' | b't'));
        if formatted {
            // Counted as a token: the f-string node holds its fields.
            self.level().tokens += 1;
            self.fstrings.push(FString {
                quote,
                triple,
                field_base: None,
            });
            return;
        }
        while self.at < self.bytes.len() {
            if self.closes(quote, triple) {
                return;
            }
            match self.bytes[self.at] {
                b'\\' => self.at += 2,
                b'\n' if !triple => return,
                _ => self.at += 1,
            }
        }
    }

    /// Whether the quote under the cursor ends the string; steps past it.
    fn closes(&mut self, quote: u8, triple: bool) -> bool {
        if self.bytes[self.at] != quote {
            return false;
        }
        if !triple {
            self.at += 1;
            return true;
        }
        if self.peek(1) == Some(quote) && self.peek(2) == Some(quote) {
            self.at += 3;
            return true;
        }
        false
    }

    /// The text of the innermost f-string, up to a field or its end.
    fn fstring_text(&mut self) -> Result<(), Refusal> {
        let Some(fstring) = self.fstrings.last() else {
            return Ok(());
        };
        let (quote, triple) = (fstring.quote, fstring.triple);
        while self.at < self.bytes.len() {
            if self.closes(quote, triple) {
                self.fstrings.pop();
                return Ok(());
            }
            match self.bytes[self.at] {
                b'\\' => self.at += 2,
                b'\n' if !triple => {
                    self.fstrings.pop();
                    return Ok(());
                }
                b'{' if self.peek(1) == Some(b'{') => self.at += 2,
                b'{' => {
                    self.at += 1;
                    let base = self.levels.len();
                    if let Some(fstring) = self.fstrings.last_mut() {
                        fstring.field_base = Some(base);
                    }
                    return Ok(());
                }
                // The end of the field a format spec belongs to, or `}}`.
                b'}' => self.at += 1,
                _ => self.at += 1,
            }
        }
        Ok(())
    }

    fn close_bracket(&mut self) {
        if let Some(mut inner) = self.levels.pop() {
            inner.end_segment();
            let level = self.level();
            level.deepest_inner = level.deepest_inner.max(inner.deepest + 1);
        }
    }

    /// The indentation of the line starting under the cursor (blank and
    /// comment-only lines have none).
    fn indentation(&mut self) -> Result<(), Refusal> {
        let mut width = 0;
        let mut at = self.at;
        while let Some(&b) = self.bytes.get(at) {
            match b {
                b' ' => width += 1,
                b'\t' => width = (width / 8 + 1) * 8,
                b'\x0c' => width = 0,
                _ => break,
            }
            at += 1;
        }
        if matches!(self.bytes.get(at), None | Some(b'\n' | b'\r' | b'#')) {
            return Ok(());
        }
        while self.indents.last().is_some_and(|&top| top > width) {
            self.indents.pop();
        }
        if self.indents.last().is_some_and(|&top| top < width) || self.indents.is_empty() {
            self.indents.push(width);
        }
        let depth = self.indents.len() - 1;
        if depth > MAX_INDENT {
            return Err(Refusal::Indentation);
        }
        self.deepest_indent = self.deepest_indent.max(depth);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{check, Refusal, MAX_DEPTH};

    #[test]
    fn counts_brackets_outside_strings_and_comments() {
        assert_eq!(check("f((1, [2]), {'a': 3})"), Ok(()));
        assert_eq!(
            check(&format!("{}{}", "(".repeat(200), ")".repeat(200))),
            Ok(())
        );
        assert_eq!(check(&"(".repeat(201)), Err(Refusal::Nesting));
        assert_eq!(check(&format!("x = '{}'", "(".repeat(500))), Ok(()));
        assert_eq!(
            check(&format!("x = \"\"\"{}\n\"\"\"", "[".repeat(500))),
            Ok(())
        );
        assert_eq!(check(&format!("# {}\nx = 1", "{".repeat(500))), Ok(()));
        assert_eq!(check(&format!("x = 'it\\'s {}'", "(".repeat(500))), Ok(()));
    }

    #[test]
    fn deep_chains_are_refused_wide_ones_are_not() {
        let n = MAX_DEPTH + 1;
        for deep in [
            format!("{}1", "-".repeat(n)),
            format!("{}1", "not ".repeat(n)),
            format!("1{}", "+1".repeat(n)),
            format!("x{}", ".a".repeat(n)),
            format!("f{}", "()".repeat(n)),
            format!("x{}", "[0]".repeat(n)),
            format!("{}1", "lambda: ".repeat(n)),
            format!("1{}", " if 1 else 1".repeat(n)),
        ] {
            assert_eq!(check(&deep), Err(Refusal::Depth), "{}", &deep[..20]);
        }
        // Depth accumulates through brackets, each level under the limit.
        let level = format!("{}(", "-".repeat(MAX_DEPTH / 100));
        assert_eq!(check(&level.repeat(150)), Err(Refusal::Depth));
        // Wide: many siblings, each shallow.
        for wide in [
            format!("[{}]", "-1.5, ".repeat(50_000)),
            format!("{{{}}}", "'k': -x.y, ".repeat(50_000)),
            "x = 1\n".repeat(50_000),
            format!("x = '{}'", "-".repeat(100_000)),
        ] {
            assert_eq!(check(&wide), Ok(()), "{}", &wide[..20]);
        }
    }

    #[test]
    fn fstring_fields_are_code_even_with_nested_quotes() {
        let chain = "-".repeat(MAX_DEPTH + 1);
        assert_eq!(check(&format!("f'{{{chain}1}}'")), Err(Refusal::Depth));
        assert_eq!(
            check(&format!("f\"{{f\"x\" + {chain}1}}\"")),
            Err(Refusal::Depth)
        );
        assert_eq!(
            check(&format!("t'{{x:{{{chain}1}}}}'")),
            Err(Refusal::Depth)
        );
        assert_eq!(check(&format!("f'{chain}'")), Ok(()));
        assert_eq!(check(&format!("rb'{chain}'")), Ok(()));
        assert_eq!(check("f'{x!r:>{width}} {{literal}}' + 'a'"), Ok(()));
    }

    #[test]
    fn indentation_is_bounded() {
        let nested = |levels: usize| {
            (0..levels)
                .map(|i| format!("{}if 1:\n", " ".repeat(i)))
                .collect::<String>()
                + &" ".repeat(levels)
                + "pass\n"
        };
        assert_eq!(check(&nested(99)), Ok(()));
        assert_eq!(check(&nested(101)), Err(Refusal::Indentation));
    }
}
