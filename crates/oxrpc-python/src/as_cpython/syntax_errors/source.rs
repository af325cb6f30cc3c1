//! The source a syntax error was raised for: its lines, and its tokens a
//! logical line at a time.

use ruff_text_size::{Ranged, TextRange, TextSize};
use rustpython_vm::compiler::ast::token::{Token, TokenKind};
use rustpython_vm::compiler::ast::Mod;
use rustpython_vm::compiler::parser::{
    self, Mode, ParseError, ParseErrorType, ParseOptions, Parsed,
};
use std::cell::OnceCell;

/// The source, by lines, and its tokens (read once, when a rule first
/// asks for them).
pub(super) struct Source<'a> {
    pub(super) text: &'a str,
    /// The byte where each line starts.
    starts: Vec<usize>,
    tokens: OnceCell<LineTokens>,
}

impl<'a> Source<'a> {
    pub(super) fn new(text: &'a str) -> Source<'a> {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        Source {
            text,
            starts,
            tokens: OnceCell::new(),
        }
    }

    /// Line `lineno` (from 1), without its line ending.
    pub(super) fn line(&self, lineno: usize) -> Option<&'a str> {
        let start = *self.starts.get(lineno.checked_sub(1)?)?;
        let end = self
            .starts
            .get(lineno)
            .map_or(self.text.len(), |next| next - 1);
        let line = self.text.get(start..end)?;
        Some(line.strip_suffix('\r').unwrap_or(line))
    }

    /// The line a tokenizer that reached the end last read: a final line
    /// ending does not begin another.
    pub(super) fn last_line(&self) -> usize {
        if self.text.ends_with('\n') {
            self.starts.len() - 1
        } else {
            self.starts.len()
        }
    }

    /// The byte at `offset` (a column counted in bytes, from 1, as
    /// RustPython reports it) of line `lineno`.
    pub(super) fn byte_at(&self, lineno: usize, offset: i64) -> Option<TextSize> {
        let start = *self.starts.get(lineno.checked_sub(1)?)?;
        let at = start + usize::try_from(offset.checked_sub(1)?).ok()?;
        if !self.text.is_char_boundary(at) {
            return None;
        }
        TextSize::try_from(at).ok()
    }

    /// A column counted in bytes (from 1) of line `lineno`, counted in
    /// characters as CPython's parser reports it. Past the line's end, a
    /// byte counts as one.
    pub(super) fn in_characters(&self, lineno: usize, offset: i64) -> i64 {
        let (Some(line), Ok(column)) = (self.line(lineno), usize::try_from(offset - 1)) else {
            return offset;
        };
        let within = column.min(line.len());
        match line.get(..within) {
            Some(text) => (text.chars().count() + (column - within)) as i64 + 1,
            None => offset,
        }
    }

    /// The line (from 1) and byte column (from 0) of `at`.
    pub(super) fn position(&self, at: TextSize) -> (usize, usize) {
        let at = at.to_usize();
        let line = self.starts.partition_point(|&start| start <= at);
        (line, at - self.starts[line - 1])
    }

    /// The line (from 1) and byte column (from 1) of `at`.
    pub(super) fn offset_of(&self, at: TextSize) -> (usize, i64) {
        let (line, column) = self.position(at);
        (line, column as i64 + 1)
    }

    /// The text of `range`.
    pub(super) fn slice(&self, range: TextRange) -> &'a str {
        self.text
            .get(range.start().to_usize()..range.end().to_usize())
            .unwrap_or("")
    }

    /// The nearest line before `lineno` (or `lineno` itself, when none
    /// before it) that starts with one of `keywords`.
    pub(super) fn header(&self, lineno: usize, keywords: &[&str]) -> Option<usize> {
        let starts_with_keyword = |n: usize| {
            self.line(n).is_some_and(|line| {
                let line = line.trim_start();
                let line = line.strip_prefix("async ").unwrap_or(line).trim_start();
                keywords.iter().any(|keyword| {
                    line.starts_with(keyword)
                        && !line[keyword.len()..]
                            .starts_with(|c: char| c.is_alphanumeric() || c == '_')
                })
            })
        };
        (1..lineno)
            .rev()
            .find(|&n| starts_with_keyword(n))
            .or_else(|| starts_with_keyword(lineno).then_some(lineno))
    }

    /// Whether line `lineno` opens an `except*` clause.
    pub(super) fn starts_with_star_except(&self, lineno: usize) -> bool {
        self.line(lineno).is_some_and(|line| {
            line.trim_start()
                .strip_prefix("except")
                .is_some_and(|rest| rest.trim_start().starts_with('*'))
        })
    }

    /// The first error ruff's lexer found in the source, if any.
    pub(super) fn first_lexical_error(&self) -> Option<&ParseError> {
        self.tokens()
            .parsed
            .errors()
            .iter()
            .find(|error| matches!(error.error, ParseErrorType::Lexical(_)))
    }

    /// The source's tokens, as far as ruff's parser reads them.
    pub(super) fn tokens(&self) -> &LineTokens {
        self.tokens.get_or_init(|| LineTokens {
            parsed: parser::parse_unchecked(self.text, ParseOptions::from(Mode::Module)),
        })
    }

    /// The byte a report's `(lineno, offset)` points at, and the tokens
    /// of the simple statement around it.
    pub(super) fn statement_at(
        &self,
        lineno: usize,
        offset: i64,
    ) -> Option<(TextSize, Vec<&Token>)> {
        let at = self.byte_at(lineno, offset)?;
        Some((at, self.tokens().statement_around(TextRange::empty(at))))
    }
}

/// Tokens, looked at a statement at a time.
pub(super) struct LineTokens {
    parsed: Parsed<Mod>,
}

impl LineTokens {
    /// The tokens outside f-strings: CPython 3.11 reads an f-string as one
    /// token, so the brackets in it are not the source's.
    fn outside_fstrings(&self) -> impl Iterator<Item = &Token> {
        let mut inside = 0usize;
        self.parsed
            .tokens()
            .iter()
            .filter(move |token| match token.kind() {
                TokenKind::FStringStart | TokenKind::TStringStart => {
                    inside += 1;
                    false
                }
                TokenKind::FStringEnd | TokenKind::TStringEnd => {
                    inside = inside.saturating_sub(1);
                    false
                }
                _ => inside == 0,
            })
    }

    /// Whether a token other than a line's end follows the one at `at`.
    pub(super) fn significant_after(&self, at: TextSize) -> bool {
        self.parsed.tokens().iter().any(|token| {
            token.start() > at
                && !matches!(
                    token.kind(),
                    TokenKind::Newline
                        | TokenKind::NonLogicalNewline
                        | TokenKind::Comment
                        | TokenKind::Indent
                        | TokenKind::Dedent
                        | TokenKind::EndOfFile
                        | TokenKind::Unknown
                )
        })
    }

    /// The innermost bracket still open where the tokens end.
    pub(super) fn unclosed_bracket(&self) -> Option<TextRange> {
        let mut open = Vec::new();
        for token in self.outside_fstrings() {
            match token.kind() {
                TokenKind::Lpar | TokenKind::Lsqb | TokenKind::Lbrace => open.push(token.range()),
                TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace => {
                    open.pop();
                }
                _ => {}
            }
        }
        open.pop()
    }

    /// The first closing bracket that closes nothing or another kind of
    /// bracket than the one open.
    pub(super) fn first_bad_closing(&self) -> Option<TextRange> {
        let mut open: Vec<TokenKind> = Vec::new();
        for token in self.outside_fstrings() {
            let kind = token.kind();
            let opener = match kind {
                TokenKind::Lpar | TokenKind::Lsqb | TokenKind::Lbrace => {
                    open.push(kind);
                    continue;
                }
                TokenKind::Rpar => TokenKind::Lpar,
                TokenKind::Rsqb => TokenKind::Lsqb,
                TokenKind::Rbrace => TokenKind::Lbrace,
                _ => continue,
            };
            if open.pop() != Some(opener) {
                return Some(token.range());
            }
        }
        None
    }

    /// The closing bracket that starts at `at`, when it closes nothing (with
    /// `None`) or another kind of bracket than the one open (with that
    /// one).
    pub(super) fn closing_at(&self, at: TextSize) -> Option<(TextRange, Option<TextRange>)> {
        let mut open: Vec<(TokenKind, TextRange)> = Vec::new();
        for token in self.outside_fstrings() {
            let kind = token.kind();
            let opener = match kind {
                TokenKind::Lpar | TokenKind::Lsqb | TokenKind::Lbrace => {
                    open.push((kind, token.range()));
                    continue;
                }
                TokenKind::Rpar => TokenKind::Lpar,
                TokenKind::Rsqb => TokenKind::Lsqb,
                TokenKind::Rbrace => TokenKind::Lbrace,
                _ => continue,
            };
            let top = open.pop();
            if token.start() != at {
                continue;
            }
            return match top {
                None => Some((token.range(), None)),
                Some((open_kind, range)) if open_kind != opener => {
                    Some((token.range(), Some(range)))
                }
                Some(_) => None,
            };
        }
        None
    }

    /// Where each number starts (as ruff's lexer read it, or failed to).
    pub(super) fn number_starts(&self) -> Vec<TextSize> {
        self.outside_fstrings()
            .filter(|token| {
                matches!(
                    token.kind(),
                    TokenKind::Int | TokenKind::Float | TokenKind::Complex | TokenKind::Unknown
                )
            })
            .map(|token| token.start())
            .collect()
    }

    /// Where each logical line's first token starts.
    pub(super) fn logical_line_starts(&self) -> Vec<TextSize> {
        let mut starts = Vec::new();
        let mut expecting = true;
        for token in self.parsed.tokens().iter() {
            let kind = token.kind();
            if matches!(
                kind,
                TokenKind::Indent
                    | TokenKind::Dedent
                    | TokenKind::Comment
                    | TokenKind::NonLogicalNewline
                    | TokenKind::EndOfFile
                    | TokenKind::Unknown
            ) {
                continue;
            }
            if expecting {
                starts.push(token.start());
            }
            expecting = kind == TokenKind::Newline;
        }
        starts
    }

    /// The tokens of the simple statement holding `range`: of its logical
    /// line, between semicolons.
    pub(super) fn statement_around(&self, range: TextRange) -> Vec<&Token> {
        let mut line = Vec::new();
        for token in self.parsed.tokens().iter() {
            let ends_line = matches!(
                token.kind(),
                TokenKind::Newline | TokenKind::EndOfFile | TokenKind::Semi
            );
            if token.start() >= range.end() && ends_line {
                break;
            }
            if ends_line {
                line.clear();
            } else if !matches!(
                token.kind(),
                TokenKind::NonLogicalNewline
                    | TokenKind::Comment
                    | TokenKind::Indent
                    | TokenKind::Dedent
            ) {
                line.push(token);
            }
        }
        line
    }
}
