//! "invalid syntax", RustPython's word for errors CPython names.
//!
//! CPython's parser, failing, tries its rules for common mistakes (a
//! forgotten comma, `=` for `==`, Python 2's `print x`), and its tokenizer
//! then reads the rest of the source for an error of its own (a string or
//! bracket never closed, a bracket that closes another). Each function
//! here is one of those, found from the tokens around the error.

use super::operands::{
    at_dictionary_key, disjunction_start, ends_operand_token, expression_end, in_comprehension,
    inside_parentheses, juxtaposed, operand_end, operand_start,
};
use super::parser_rules::{mend, place};
use super::source::Source;
use super::targets::{depth_zero, name_of_text, Target};
use super::{indentation, Class, Input, Report};
use ruff_text_size::{Ranged, TextRange};
use rustpython_vm::compiler::ast::token::{Token, TokenKind};
use rustpython_vm::compiler::parser::{LexicalErrorType, ParseErrorType};

/// An expression's source whose line is indented deeper than the one
/// before: CPython's tokenizer says "unexpected indent" (an `IndentationError`).
pub(super) fn indented_expression(report: &mut Report, source: &Source) -> bool {
    let line = report.lineno;
    let Some(text) = source.line(line) else {
        return false;
    };
    let indent = text.len() - text.trim_start_matches([' ', '\t', '\x0c']).len();
    let at_line_start = report.offset <= indent as i64 + 1;
    if !at_line_start || !indentation::unexpected_indent(source, line) {
        return false;
    }
    report.class = Class::Indentation;
    report.msg = "unexpected indent".to_owned();
    report.offset = indent as i64;
    report.end = Some((line, -1));
    true
}

/// Before it reports "invalid syntax", CPython reads the rest of the
/// source, and a tokenizer error there (an unterminated string, a number
/// with leading zeros) is reported instead. Whether one was, and is.
pub(super) fn tokenizer_error_first(report: &mut Report, source: &Source, input: Input) -> bool {
    let bad_closing = source.tokens().first_bad_closing();
    let lexical = source.first_lexical_error();
    let closing_first = match (&bad_closing, &lexical) {
        (Some(closing), Some(error)) => closing.start() < error.location.start(),
        (Some(_), None) => true,
        _ => false,
    };
    if let (true, Some(closing)) = (closing_first, bad_closing) {
        (report.lineno, report.offset) = source.offset_of(closing.start());
        return unmatched_bracket(report, source);
    }
    let Some(error) = lexical else {
        return false;
    };
    let msg = match &error.error {
        ParseErrorType::Lexical(LexicalErrorType::UnclosedStringError) => {
            "unterminated string".to_owned()
        }
        ParseErrorType::Lexical(LexicalErrorType::OtherError(text))
            if text.as_ref() == "Invalid decimal integer literal" =>
        {
            "invalid decimal integer literal".to_owned()
        }
        _ => return false,
    };
    let (lineno, offset) = source.offset_of(error.location.start());
    let before = report.clone();
    report.msg = msg;
    report.lineno = lineno;
    report.offset = offset;
    report.end = Some(source.offset_of(error.location.end()));
    report.text = source.line(lineno).map(|line| format!("{line}\n"));
    mend(report, source, input);
    // A rule that did not know it leaves RustPython's first report.
    if report.msg == "unterminated string" || report.msg == "invalid decimal integer literal" {
        *report = before;
        return false;
    }
    true
}

/// A closing bracket that closes nothing, or not the bracket open, is
/// the tokenizer's error where the parser stopped at it: "unmatched ')'",
/// "closing parenthesis ']' does not match opening parenthesis '('" (with
/// "on line N" when that one opened on another line).
pub(super) fn unmatched_bracket(report: &mut Report, source: &Source) -> bool {
    let Some(at) = source.byte_at(report.lineno, report.offset) else {
        return false;
    };
    let Some((closing, opening)) = source.tokens().closing_at(at) else {
        return false;
    };
    let closing_text = source.slice(closing);
    report.msg = match opening {
        None => format!("unmatched '{closing_text}'"),
        Some(opening) => {
            let (opened_on, _) = source.offset_of(opening.start());
            let opening_text = source.slice(opening);
            if opened_on == report.lineno {
                format!(
                    "closing parenthesis '{closing_text}' does not match opening parenthesis '{opening_text}'"
                )
            } else {
                format!(
                    "closing parenthesis '{closing_text}' does not match opening parenthesis '{opening_text}' on line {opened_on}"
                )
            }
        }
    };
    report.end = Some((report.lineno, report.offset));
    report.text = source.line(report.lineno).map(str::to_owned);
    true
}

/// A bracket still open where the source ends, opened before the error:
/// CPython's parser read on to the end, and its tokenizer's error is
/// "'(' was never closed", at the innermost one.
pub(super) fn never_closed(report: &mut Report, source: &Source, input: Input) -> bool {
    let Some(bracket) = source.tokens().unclosed_bracket() else {
        return false;
    };
    let Some(at) = source.byte_at(report.lineno, report.offset) else {
        return false;
    };
    if bracket.start() >= at {
        return false;
    }
    // Either the parser read on to the end (it stopped at the last token),
    // or it stopped on a later line than the bracket's and its tokenizer,
    // reading the rest for an error of its own, found the bracket open.
    let (bracket_line, _) = source.position(bracket.start());
    let read_to_end = !source.tokens().significant_after(at);
    if !read_to_end && bracket_line >= report.lineno {
        return false;
    }
    let (lineno, offset) = source.offset_of(bracket.start());
    report.msg = format!("'{}' was never closed", source.slice(bracket));
    report.lineno = lineno;
    report.offset = offset;
    report.text = source.line(lineno).map(|line| format!("{line}\n"));
    mend(report, source, input);
    true
}

/// "invalid syntax" is RustPython's word for errors CPython names: a
/// `del` of what cannot be deleted, Python 2's `print x`, an `else` or a
/// `try` without its colon, `=` written for `==` in a condition.
pub(super) fn invalid_syntax(report: &mut Report, source: &Source, input: Input) -> bool {
    if let Some(target) = Target::reported(report, source) {
        if !target.deletable && target.follows_del(source) {
            report.msg = format!("cannot delete {}", target.name);
            return true;
        }
    }
    let Some((at, line)) = source.statement_at(report.lineno, report.offset) else {
        return false;
    };
    // The token the parser stopped at (none: the statement's end).
    let index = line
        .iter()
        .position(|token| token.start() >= at)
        .unwrap_or(line.len());
    if missing_else(report, source, &line, index) {
        return true;
    }
    let Some(kind) = line
        .get(index)
        .filter(|token| token.start() == at)
        .map(|token| token.kind())
    else {
        return false;
    };
    // (An expression's source holds no statement.)
    if input != Input::Expression
        && kind.as_augmented_assign_operator().is_some()
        && depth_zero(&line[..index]).any(|token| token.kind() == TokenKind::Comma)
    {
        report.msg = "'tuple' is an illegal expression for augmented assignment".to_owned();
        place(
            report,
            source,
            TextRange::new(line[0].start(), line[index - 1].end()),
        );
        return true;
    }
    if matches!(kind, TokenKind::Comma | TokenKind::Rbrace) {
        let key = disjunction_start(&line, index);
        if let Some(key) = key.filter(|&key| at_dictionary_key(&line, key)) {
            return dictionary_key_without_colon(report, source, &line, key, index - 1);
        }
    }
    if index == 1 && kind != TokenKind::Lpar && line[0].kind() == TokenKind::Name {
        let name = source.slice(line[0].range());
        if matches!(name, "print" | "exec") {
            report.msg =
                format!("Missing parentheses in call to '{name}'. Did you mean {name}(...)?");
            let last = line[line.len() - 1].end();
            place(report, source, TextRange::new(line[0].start(), last));
            return true;
        }
    }
    if index == 1
        && kind != TokenKind::Colon
        && matches!(line[0].kind(), TokenKind::Else | TokenKind::Try)
    {
        report.msg = "expected ':'".to_owned();
        return true;
    }
    // Where a condition is read (after `if`, `elif`, `while`) or inside
    // brackets, an operand may be a named expression, and `=` is taken for
    // `==` or `:=`; anywhere else it is only "invalid syntax".
    let in_brackets = depth_zero(&line).all(|token| token.start() != at);
    let condition = input != Input::Expression
        && matches!(
            line[0].kind(),
            TokenKind::If | TokenKind::Elif | TokenKind::While
        );
    if kind == TokenKind::Equal && (condition || in_brackets) {
        return equal_for_comparison(report, source, &line, index);
    }
    forgotten_comma(report, source, &line, index)
}

/// "':' expected after dictionary key", at the last character of the key
/// (`line[first]` to `line[last]`, without its parentheses).
fn dictionary_key_without_colon(
    report: &mut Report,
    source: &Source,
    line: &[&Token],
    first: usize,
    last: usize,
) -> bool {
    let (_, last) = inside_parentheses(line, first, last);
    report.msg = "':' expected after dictionary key".to_owned();
    let (lineno, after) = source.offset_of(line[last].end());
    (report.lineno, report.offset) = (lineno, after - 1);
    report.end = Some((report.lineno, 0));
    true
}

/// `a if b` with no `else` before the parser stopped at `line[stop]`:
/// "expected 'else' after 'if' expression", over the body and the
/// condition.
fn missing_else(report: &mut Report, source: &Source, line: &[&Token], stop: usize) -> bool {
    let mut depth = 0usize;
    let mut condition_if = None;
    for index in (0..stop).rev() {
        match line[index].kind() {
            TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace => depth += 1,
            TokenKind::Lpar | TokenKind::Lsqb | TokenKind::Lbrace => {
                if depth == 0 {
                    break;
                }
                depth -= 1;
            }
            TokenKind::If if depth == 0 => {
                condition_if = Some(index);
                break;
            }
            TokenKind::Comma
            | TokenKind::Colon
            | TokenKind::Equal
            | TokenKind::ColonEqual
            | TokenKind::Lambda
            | TokenKind::For
            | TokenKind::Else
                if depth == 0 =>
            {
                break;
            }
            _ => {}
        }
    }
    // Not an `if` statement's, nor a comprehension's, and with a body
    // before it and a condition after it.
    let Some(condition_if) = condition_if.filter(|&index| index > 0 && index + 1 < stop) else {
        return false;
    };
    if in_comprehension(line, condition_if) || !ends_operand_token(line[condition_if - 1].kind()) {
        return false;
    }
    let Some(body) = disjunction_start(line, condition_if) else {
        return false;
    };
    let (body, _) = inside_parentheses(line, body, condition_if - 1);
    report.msg = "expected 'else' after 'if' expression".to_owned();
    place(
        report,
        source,
        TextRange::new(line[body].start(), line[stop - 1].end()),
    );
    true
}

/// `(1 2)`: inside brackets, an operand right after another is read as a
/// missing comma, over both ("invalid syntax. Perhaps you forgot a
/// comma?").
fn forgotten_comma(report: &mut Report, source: &Source, line: &[&Token], second: usize) -> bool {
    let Some(first_end) = second.checked_sub(1) else {
        return false;
    };
    let depth = line[..second]
        .iter()
        .fold(0i64, |depth, token| match token.kind() {
            TokenKind::Lpar | TokenKind::Lsqb | TokenKind::Lbrace => depth + 1,
            TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace => depth - 1,
            _ => depth,
        });
    if depth <= 0 || !juxtaposed(line[first_end].kind(), line[second].kind()) {
        return false;
    }
    let Some(mut first_start) = disjunction_start(line, second) else {
        return false;
    };
    if in_comprehension(line, second) {
        return false;
    }
    let mut second = second;
    if line[first_start].kind() == TokenKind::Name {
        // A soft keyword is another rule's.
        let soft = ["match", "case", "_", "type", "print", "exec"];
        if soft.contains(&source.slice(line[first_start].range())) {
            return false;
        }
        // A name before a string is skipped: the strings are the operand
        // that an operand after them may follow.
        if first_start == first_end && line[second].kind() == TokenKind::String {
            let after = second
                + line[second..]
                    .iter()
                    .take_while(|token| token.kind() == TokenKind::String)
                    .count();
            let follows = line
                .get(after)
                .is_some_and(|token| juxtaposed(TokenKind::String, token.kind()));
            if !follows {
                return false;
            }
            (first_start, second) = (second, after);
        }
    }
    if at_dictionary_key(line, first_start) {
        return dictionary_key_without_colon(report, source, line, first_start, first_end);
    }
    let Some(second_end) = expression_end(line, second) else {
        return false;
    };
    report.msg = "invalid syntax. Perhaps you forgot a comma?".to_owned();
    place(
        report,
        source,
        TextRange::new(line[first_start].start(), line[second_end].end()),
    );
    true
}

/// `if x = 1:`: CPython reads `=` where a condition is expected as `==`
/// or `:=` mistyped. After a name, "invalid syntax. Maybe you meant '=='
/// or ':=' instead of '='?" over the name and the operand after; after
/// anything else, what it cannot be assigned to, over that operand.
fn equal_for_comparison(
    report: &mut Report,
    source: &Source,
    line: &[&Token],
    equal: usize,
) -> bool {
    let value_start = line.get(equal + 1).map(|token| token.kind());
    if matches!(
        value_start,
        Some(TokenKind::Yield | TokenKind::Not | TokenKind::Lambda | TokenKind::Star)
    ) {
        return false;
    }
    let Some(value_end) = operand_end(line, equal + 1) else {
        return false;
    };
    if line
        .get(value_end + 1)
        .is_some_and(|next| matches!(next.kind(), TokenKind::Equal | TokenKind::ColonEqual))
    {
        return false;
    }
    let Some(start) = operand_start(line, equal) else {
        return false;
    };
    let (first, last) = inside_parentheses(line, start, equal - 1);
    let target = TextRange::new(line[first].start(), line[last].end());
    if start + 1 == equal && line[start].kind() == TokenKind::Name {
        report.msg = "invalid syntax. Maybe you meant '==' or ':=' instead of '='?".to_owned();
        place(
            report,
            source,
            TextRange::new(target.start(), line[value_end].end()),
        );
        return true;
    }
    if matches!(
        line[start].kind(),
        TokenKind::True | TokenKind::False | TokenKind::None
    ) {
        return false;
    }
    let Some(name) = name_of_text(source.slice(target)) else {
        return false;
    };
    // (CPython's lookahead leaves out lists, tuples and generators.)
    if matches!(name, "list" | "tuple" | "generator expression") {
        return false;
    }
    report.msg = format!("cannot assign to {name} here. Maybe you meant '==' instead of '='?");
    place(report, source, target);
    true
}
