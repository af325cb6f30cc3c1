//! The errors RustPython's parser finds, in CPython's words and places.

use super::invalid_syntax::{
    indented_expression, invalid_syntax, never_closed, tokenizer_error_first, unmatched_bracket,
};
use super::source::Source;
use super::targets::Target;
use super::{text_from_file, Input, Report};
use ruff_text_size::{Ranged, TextRange};
use rustpython_vm::compiler::ast::token::TokenKind;

/// RustPython's words for what CPython words otherwise, and nothing else.
const RENAMED: &[(&str, &str)] = &[
    (
        "positional argument cannot follow keyword argument",
        "positional argument follows keyword argument",
    ),
    (
        "positional argument cannot follow keyword argument unpacking",
        "positional argument follows keyword argument unpacking",
    ),
    (
        "iterable argument unpacking cannot follow keyword argument unpacking",
        "iterable argument unpacking follows keyword argument unpacking",
    ),
    (
        "unparenthesized generator expression cannot be used here",
        "Generator expression must be parenthesized",
    ),
    (
        "parameter cannot follow var-keyword parameter",
        "arguments cannot follow var-keyword argument",
    ),
    (
        "parameter without a default cannot follow a parameter with a default",
        "non-default argument follows default argument",
    ),
    (
        "expected one or more keyword parameter after `*` separator",
        "named arguments must follow bare *",
    ),
    (
        "only one '*' parameter allowed",
        "* argument may appear only once",
    ),
    ("only one '/' separator allowed", "/ may appear only once"),
    (
        "position-only parameter separator not allowed as first parameter",
        "at least one argument must precede /",
    ),
    (
        "expected a parameter or the end of the parameter list",
        "invalid syntax",
    ),
    (
        "expected one or more symbol names after import",
        "invalid syntax",
    ),
];

/// Errors of RustPython's parser (they come with an end).
pub(super) fn mend(report: &mut Report, source: &Source, input: Input) {
    let line = report.lineno;
    // At a line's end, CPython's span is empty.
    let at_line_end = source
        .byte_at(line, report.offset)
        .is_some_and(|at| source.text[at.to_usize()..].starts_with(['\n', '\r']));
    if at_line_end {
        report.end = Some((line, report.offset));
    }
    match report.msg.as_str() {
        "unexpected indentation" => {
            report.msg = "unexpected indent".to_owned();
            let indent = source.line(line).map_or(0, |text| {
                text.chars()
                    .take_while(|c| matches!(c, ' ' | '\t' | '\x0c'))
                    .count()
            });
            report.offset = indent as i64;
            report.end = Some((line, -1));
        }
        "unindent does not match any outer indentation level" => report.end = Some((line, -1)),
        "expected `except` or `finally` after `try` block" => {
            report.msg = "expected 'except' or 'finally' block".to_owned();
            // Where the source ends, CPython points past the last line.
            let blank = source.line(line).is_none_or(|text| text.trim().is_empty());
            let previous = line
                .checked_sub(1)
                .and_then(|previous| source.line(previous));
            if let (true, Some(text)) = (blank, previous) {
                report.lineno = line - 1;
                report.offset = text.len() as i64 + 1;
                report.text = Some(format!("{text}\n"));
            }
            report.end = Some((report.lineno, -1));
        }
        "expected a parameter name" => expression_with_assignment(report, source),
        "yield expression cannot be used here" => {
            report.msg = "invalid syntax".to_owned();
            report.end = Some((line, report.offset + "yield".len() as i64));
        }
        "inconsistent use of tabs and spaces in indentation" => {
            report.offset = 1;
            report.end = Some((line, 0));
        }
        "unexpected character after line continuation" => {
            report.msg = "unexpected character after line continuation character".to_owned();
            report.offset += 1;
            report.end = Some((line, 0));
        }
        "unterminated string" => unterminated_string(report, source),
        "invalid assignment target" => {
            if let Some(target) = Target::reported(report, source) {
                report.msg = if target.reads_as_comparison(source) {
                    format!(
                        "cannot assign to {} here. Maybe you meant '==' instead of '='?",
                        target.name
                    )
                } else {
                    format!("cannot assign to {}", target.name)
                };
            }
        }
        "invalid augmented assignment target" => {
            if let Some(target) = Target::reported(report, source) {
                report.msg = format!(
                    "'{}' is an illegal expression for augmented assignment",
                    target.name
                );
            }
        }
        msg if is_generic(msg) => {
            report.msg = "invalid syntax".to_owned();
            let mended = (input == Input::Expression && indented_expression(report, source))
                || unmatched_bracket(report, source)
                || never_closed(report, source, input)
                || invalid_syntax(report, source, input);
            if !mended {
                tokenizer_error_first(report, source, input);
            }
        }
        "positional argument cannot follow keyword argument"
        | "positional argument cannot follow keyword argument unpacking" => {
            rename(report);
            at_closing_bracket(report, source);
        }
        "iterable argument unpacking cannot follow keyword argument unpacking"
        | "only one '*' parameter allowed" => {
            rename(report);
            report.end = Some((line, report.offset + 1));
        }
        "expected one or more keyword parameter after `*` separator" => {
            rename(report);
            at_bare_star(report, source);
        }
        "bytes can only contain ASCII literal characters" => at_whole_token(report, source),
        "star import must be the only import" => {
            report.msg = "invalid syntax".to_owned();
            at_comma_after(report, source);
        }
        "cannot mix bytes and nonbytes literals" => {
            if let Some(end) = report.end {
                (report.lineno, report.offset) = end;
            }
        }
        "invalid decimal integer literal" => leading_zeros(report, source),
        msg if msg.starts_with("expected an indented block after ") => {
            indented_block(report, source);
        }
        msg if msg.starts_with("duplicate keyword argument \"") => {
            let name = msg["duplicate keyword argument \"".len()..].trim_end_matches('"');
            report.msg = format!("keyword argument repeated: {name}");
            // CPython finds it compiling, after parsing.
            report.text = text_from_file(&report.filename, line);
        }
        msg if msg.ends_with("' was never closed") => {
            report.end = Some((line, 0));
            if line < source.last_line() {
                report.text = source.line(line).map(str::to_owned);
            }
        }
        _ => rename(report),
    }
}

/// Source compiled as an expression is read as written: no newline ends
/// its last line, and "invalid syntax" where it ends is at column 0.
pub(super) fn as_expression(report: &mut Report, source: &Source) {
    let line = report.lineno;
    let Some(text) = source.line(line) else {
        return;
    };
    let ended = line < source.last_line() || source.text.ends_with('\n');
    let Some(written) = &report.text else {
        return;
    };
    if !ended && written.strip_suffix('\n') == Some(text) {
        report.text = Some(text.to_owned());
        let at_end = source
            .byte_at(line, report.offset)
            .is_some_and(|at| at.to_usize() == source.text.len());
        if at_end && report.msg == "invalid syntax" {
            report.offset = 0;
            report.end = Some((line, 0));
        }
    }
}

/// Whether RustPython's `msg` is its word for the parser's generic
/// failure, CPython's "invalid syntax".
pub(super) fn is_generic(msg: &str) -> bool {
    msg == "invalid syntax"
        || msg == "invalid syntax: unexpected token at the end of an expression"
        || msg == "expected a statement"
        || msg.starts_with("expected an expression or a '")
        || msg.starts_with("parseIntError")
}

/// A message that only RustPython words otherwise.
fn rename(report: &mut Report) {
    if let Some((_, cpython)) = RENAMED
        .iter()
        .find(|(rustpython, _)| *rustpython == report.msg)
    {
        report.msg = (*cpython).to_owned();
    }
}

/// Points the report at `range`.
pub(super) fn place(report: &mut Report, source: &Source, range: TextRange) {
    (report.lineno, report.offset) = source.offset_of(range.start());
    report.end = Some(source.offset_of(range.end()));
}

/// CPython points an argument out of order at the bracket that closes the
/// call, the last token it read.
fn at_closing_bracket(report: &mut Report, source: &Source) {
    let Some((at, line)) = source.statement_at(report.lineno, report.offset) else {
        return;
    };
    let mut depth = 0usize;
    for token in line.iter().filter(|token| token.start() >= at) {
        match token.kind() {
            TokenKind::Lpar | TokenKind::Lsqb | TokenKind::Lbrace => depth += 1,
            TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace if depth == 0 => {
                place(report, source, token.range());
                return;
            }
            TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace => depth -= 1,
            _ => {}
        }
    }
}

/// CPython points "named arguments must follow bare *" at the `*` of a
/// function's parameters, and at the last token it read of a lambda's
/// (`*` then `:`, or `,` then `:` or `**`).
fn at_bare_star(report: &mut Report, source: &Source) {
    let Some((at, line)) = source.statement_at(report.lineno, report.offset) else {
        return;
    };
    let Some(star) = line
        .iter()
        .rposition(|token| token.start() <= at && token.kind() == TokenKind::Star)
    else {
        return;
    };
    let in_lambda = line[..star]
        .iter()
        .rev()
        .take_while(|token| token.kind() != TokenKind::Colon)
        .any(|token| token.kind() == TokenKind::Lambda);
    if !in_lambda {
        place(report, source, line[star].range());
        return;
    }
    let last = match line.get(star + 1).map(|token| token.kind()) {
        Some(TokenKind::Comma) => star + 2,
        _ => star + 1,
    };
    if let Some(token) = line.get(last) {
        place(report, source, token.range());
    }
}

/// `f(a + 1 = 2)`: CPython's words for an expression where a keyword
/// argument's name goes, over the expression and its `=`.
fn expression_with_assignment(report: &mut Report, source: &Source) {
    let Some((end_line, end_offset)) = report.end else {
        return;
    };
    let Some((end, line)) = source.statement_at(end_line, end_offset) else {
        return;
    };
    let equal = line
        .iter()
        .find(|token| token.start() >= end && token.kind() != TokenKind::Rpar);
    if let Some(equal) = equal.filter(|token| token.kind() == TokenKind::Equal) {
        let written = source
            .byte_at(report.lineno, report.offset)
            .map(|start| source.slice(TextRange::new(start, end)).trim());
        report.msg = match written {
            Some(constant @ ("None" | "True" | "False")) => format!("cannot assign to {constant}"),
            _ => "expression cannot contain assignment, perhaps you meant \"==\"?".to_owned(),
        };
        report.end = Some(source.offset_of(equal.end()));
    }
}

/// CPython points a second name after `import *` at the comma.
fn at_comma_after(report: &mut Report, source: &Source) {
    let Some((at, line)) = source.statement_at(report.lineno, report.offset) else {
        return;
    };
    let comma = line
        .iter()
        .find(|token| token.start() >= at && token.kind() == TokenKind::Comma);
    if let Some(comma) = comma {
        place(report, source, comma.range());
    }
}

/// CPython points a bad bytes literal at the whole string.
fn at_whole_token(report: &mut Report, source: &Source) {
    let Some((at, line)) = source.statement_at(report.lineno, report.offset) else {
        return;
    };
    if let Some(token) = line.iter().find(|token| token.range().contains(at)) {
        place(report, source, token.range());
    }
}

/// "leading zeros in decimal integer literals are not permitted; use an
/// 0o prefix for octal integers", from the literal's start to the first
/// digit after its zeros, over the line as written.
fn leading_zeros(report: &mut Report, source: &Source) {
    let Some(at) = source.byte_at(report.lineno, report.offset) else {
        return;
    };
    let literal = &source.text[at.to_usize()..];
    let zeros = literal.len() - literal.trim_start_matches(['0', '_']).len();
    let rest = &literal[zeros..];
    if zeros == 0 || !literal.starts_with('0') || !rest.starts_with(|c: char| c.is_ascii_digit()) {
        return;
    }
    report.msg = "leading zeros in decimal integer literals are not permitted; \
                  use an 0o prefix for octal integers"
        .to_owned();
    report.end = Some((report.lineno, report.offset + zeros as i64));
    report.text = source.line(report.lineno).map(str::to_owned);
}

/// "unterminated string literal (detected at line N)": the string's start
/// is both ends, and the text is the line as written. A triple-quoted one
/// is detected where the source ends.
fn unterminated_string(report: &mut Report, source: &Source) {
    let line = report.lineno;
    let Some(text) = source.line(line) else {
        return;
    };
    let column = usize::try_from(report.offset - 1).unwrap_or(0);
    let token: String = text
        .get(column..)
        .unwrap_or("")
        .chars()
        .skip_while(|c| c.is_ascii_alphabetic())
        .take(3)
        .collect();
    let mut quotes = token.chars();
    let triple = match quotes.next() {
        Some(quote) => quotes.next() == Some(quote) && quotes.next() == Some(quote),
        None => false,
    };
    report.msg = if triple {
        format!(
            "unterminated triple-quoted string literal (detected at line {})",
            source.last_line()
        )
    } else {
        format!("unterminated string literal (detected at line {line})")
    };
    report.text = Some(text.to_owned());
    report.end = Some((line, report.offset));
}

/// The clauses RustPython names by their keyword.
const CLAUSES: &[&str] = &[
    "if", "elif", "else", "for", "while", "with", "try", "except", "finally", "match", "case",
];

/// "expected an indented block after 'if' statement on line N": CPython
/// names the clause by its keyword and says where its header starts.
fn indented_block(report: &mut Report, source: &Source) {
    let after = &report.msg["expected an indented block after ".len()..];
    let (keywords, name): (&[&str], _) = match after {
        "function definition" => (&["def", "async"], None),
        "`class` definition" => (&["class"], None),
        _ => {
            let Some(keyword) = after.split('`').nth(1) else {
                return;
            };
            let Some(keyword) = CLAUSES.iter().find(|clause| **clause == keyword) else {
                return;
            };
            (std::slice::from_ref(keyword), Some(*keyword))
        }
    };
    let Some(header) = source.header(report.lineno, keywords) else {
        return;
    };
    // Pointed at the header's own line end, CPython points at the next
    // line's start.
    if header == report.lineno {
        if let Some(next) = source.line(header + 1) {
            report.lineno = header + 1;
            report.offset = 0;
            report.text = Some(format!("{next}\n"));
            report.end = Some((header + 1, -1));
        }
    }
    let what = match name {
        None if keywords[0] == "class" => "class definition".to_owned(),
        None => "function definition".to_owned(),
        Some("except") if source.starts_with_star_except(header) => {
            "'except*' statement".to_owned()
        }
        Some(keyword) => format!("'{keyword}' statement"),
    };
    report.msg = format!("expected an indented block after {what} on line {header}");
}
