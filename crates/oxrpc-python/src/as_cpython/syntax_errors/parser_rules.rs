//! The errors RustPython's parser finds, in CPython's words and places.

use super::source::Source;
use super::targets::depth_zero;
use super::targets::Target;
use super::{indentation, text_from_file, Class, Input, Report};
use ruff_text_size::{Ranged, TextRange};
use rustpython_vm::compiler::ast::token::{Token, TokenKind};
use rustpython_vm::compiler::parser::{LexicalErrorType, ParseErrorType};

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
        "invalid syntax"
        | "invalid syntax: unexpected token at the end of an expression"
        | "expected a statement" => {
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

/// An expression's source whose line is indented deeper than the one
/// before: CPython's tokenizer says "unexpected indent" (an `IndentationError`).
fn indented_expression(report: &mut Report, source: &Source) -> bool {
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

/// A message that only RustPython words otherwise.
fn rename(report: &mut Report) {
    if let Some((_, cpython)) = RENAMED
        .iter()
        .find(|(rustpython, _)| *rustpython == report.msg)
    {
        report.msg = (*cpython).to_owned();
    }
}

/// Before it reports "invalid syntax", CPython reads the rest of the
/// source, and a tokenizer error there (an unterminated string, a number
/// with leading zeros) is reported instead. Whether one was, and is.
fn tokenizer_error_first(report: &mut Report, source: &Source, input: Input) -> bool {
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
fn unmatched_bracket(report: &mut Report, source: &Source) -> bool {
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
fn never_closed(report: &mut Report, source: &Source, input: Input) -> bool {
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
fn invalid_syntax(report: &mut Report, source: &Source, input: Input) -> bool {
    if let Some(target) = Target::reported(report, source) {
        if !target.deletable && target.follows_del(source) {
            report.msg = format!("cannot delete {}", target.name);
            return true;
        }
    }
    let Some(at) = source.byte_at(report.lineno, report.offset) else {
        return false;
    };
    let tokens = source.tokens();
    let line = tokens.statement_around(TextRange::empty(at));
    let Some(index) = line.iter().position(|token| token.start() == at) else {
        return false;
    };
    let kind = line[index].kind();
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
    if depth <= 0 || !ends_operand_token(line[first_end].kind()) {
        return false;
    }
    if !starts_operand_token(line[second].kind()) {
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
            let juxtaposed = line.get(after).is_some_and(|token| {
                starts_operand_token(token.kind())
                    && !matches!(token.kind(), TokenKind::Lpar | TokenKind::Lsqb)
            });
            if !juxtaposed {
                return false;
            }
            (first_start, second) = (second, after);
        }
    }
    if at_dictionary_key(line, first_start) {
        report.msg = "':' expected after dictionary key".to_owned();
        (report.lineno, report.offset) = source.offset_of(line[first_start].start());
        report.end = Some((report.lineno, 0));
        return true;
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

/// Whether `line[at]` is where a dict display's key goes: after `{` or a
/// comma, in braces that already hold a `key: value` or a `**mapping`.
fn at_dictionary_key(line: &[&Token], at: usize) -> bool {
    let Some(before) = at.checked_sub(1) else {
        return false;
    };
    if !matches!(line[before].kind(), TokenKind::Comma | TokenKind::Lbrace) {
        return false;
    }
    let mut depth = 0usize;
    let mut dict = false;
    for token in line[..at].iter().rev() {
        match token.kind() {
            TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace => depth += 1,
            TokenKind::Lpar | TokenKind::Lsqb => {
                if depth == 0 {
                    return false;
                }
                depth -= 1;
            }
            TokenKind::Lbrace => {
                if depth == 0 {
                    return dict;
                }
                depth -= 1;
            }
            TokenKind::Colon | TokenKind::DoubleStar if depth == 0 => dict = true,
            _ => {}
        }
    }
    false
}

/// Whether `line[at]` is in a comprehension's clauses, in the brackets
/// around it.
fn in_comprehension(line: &[&Token], at: usize) -> bool {
    let mut depth = 0usize;
    for token in line[..at].iter().rev() {
        match token.kind() {
            TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace => depth += 1,
            TokenKind::Lpar | TokenKind::Lsqb | TokenKind::Lbrace => {
                if depth == 0 {
                    return false;
                }
                depth -= 1;
            }
            TokenKind::For if depth == 0 => return true,
            _ => {}
        }
    }
    false
}

/// Tokens an operand can end with.
fn ends_operand_token(kind: TokenKind) -> bool {
    matches!(
        kind,
        TokenKind::Name
            | TokenKind::Int
            | TokenKind::Float
            | TokenKind::Complex
            | TokenKind::String
            | TokenKind::FStringEnd
            | TokenKind::Rpar
            | TokenKind::Rsqb
            | TokenKind::Rbrace
            | TokenKind::True
            | TokenKind::False
            | TokenKind::None
            | TokenKind::Ellipsis
    )
}

/// Tokens an operand can start with.
fn starts_operand_token(kind: TokenKind) -> bool {
    matches!(
        kind,
        TokenKind::Name
            | TokenKind::Int
            | TokenKind::Float
            | TokenKind::Complex
            | TokenKind::String
            | TokenKind::FStringStart
            | TokenKind::Lpar
            | TokenKind::Lsqb
            | TokenKind::Lbrace
            | TokenKind::True
            | TokenKind::False
            | TokenKind::None
            | TokenKind::Ellipsis
            | TokenKind::Minus
            | TokenKind::Plus
            | TokenKind::Tilde
            | TokenKind::Not
            | TokenKind::Lambda
            | TokenKind::Await
    )
}

/// Where the `disjunction` (an operand with its `not`, `and`, `or` and
/// comparisons) that ends just before `line[before]` starts.
fn disjunction_start(line: &[&Token], before: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut first = None;
    for index in (0..before).rev() {
        let kind = line[index].kind();
        match kind {
            TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace => depth += 1,
            TokenKind::Lpar | TokenKind::Lsqb | TokenKind::Lbrace => {
                if depth == 0 {
                    break;
                }
                depth -= 1;
            }
            _ if depth == 0 && ends_disjunction(kind) => break,
            _ => {}
        }
        first = Some(index);
    }
    first
}

/// Where the expression that starts at `line[from]` ends: before a token
/// no expression holds outside brackets, or before a second operand
/// written right after it.
fn expression_end(line: &[&Token], from: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut last: Option<usize> = None;
    for (index, token) in line.iter().enumerate().skip(from) {
        let kind = token.kind();
        if depth == 0 {
            if ends_disjunction(kind) && kind != TokenKind::If && kind != TokenKind::Else {
                break;
            }
            // (A bracket right after an operand is a call or a subscript.)
            let juxtaposed = last.is_some_and(|last| {
                ends_operand_token(line[last].kind())
                    && starts_operand_token(kind)
                    && !matches!(kind, TokenKind::Lpar | TokenKind::Lsqb)
            });
            if juxtaposed {
                break;
            }
        }
        match kind {
            TokenKind::Lpar | TokenKind::Lsqb | TokenKind::Lbrace => depth += 1,
            TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace => {
                if depth == 0 {
                    break;
                }
                depth -= 1;
            }
            _ => {}
        }
        last = Some(index);
    }
    last
}

/// Tokens outside brackets that bound a `disjunction`.
fn ends_disjunction(kind: TokenKind) -> bool {
    matches!(
        kind,
        TokenKind::Colon
            | TokenKind::Comma
            | TokenKind::Semi
            | TokenKind::Newline
            | TokenKind::Equal
            | TokenKind::ColonEqual
            | TokenKind::If
            | TokenKind::Else
            | TokenKind::For
            | TokenKind::Async
            | TokenKind::Lambda
            | TokenKind::Yield
            | TokenKind::Star
            | TokenKind::DoubleStar
            | TokenKind::Rarrow
    )
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
    // CPython's span is inside the operand's parentheses.
    let (mut first, mut last) = (start, equal - 1);
    while line[first].kind() == TokenKind::Lpar
        && line[last].kind() == TokenKind::Rpar
        && first + 1 < last
    {
        (first, last) = (first + 1, last - 1);
    }
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
        TokenKind::True | TokenKind::False | TokenKind::None | TokenKind::Lsqb
    ) {
        return false;
    }
    let Some(name) = super::targets::name_of_text(source.slice(target)) else {
        return false;
    };
    if matches!(name, "tuple" | "generator expression") {
        return false;
    }
    report.msg = format!("cannot assign to {name} here. Maybe you meant '==' instead of '='?");
    place(report, source, target);
    true
}

/// Where an operand (a `bitwise_or`) that starts at `line[from]` ends:
/// the index of its last token.
fn operand_end(line: &[&Token], from: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut last = None;
    for (index, token) in line.iter().enumerate().skip(from) {
        let kind = token.kind();
        if depth == 0 && ends_operand(kind) {
            break;
        }
        match kind {
            TokenKind::Lpar | TokenKind::Lsqb | TokenKind::Lbrace => depth += 1,
            TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace => {
                if depth == 0 {
                    break;
                }
                depth -= 1;
            }
            _ => {}
        }
        last = Some(index);
    }
    last
}

/// Where the operand that ends just before `line[before]` starts.
fn operand_start(line: &[&Token], before: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut first = None;
    for index in (0..before).rev() {
        let kind = line[index].kind();
        if depth == 0 && (ends_operand(kind) || is_statement_keyword(kind)) {
            break;
        }
        match kind {
            TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace => depth += 1,
            TokenKind::Lpar | TokenKind::Lsqb | TokenKind::Lbrace => {
                if depth == 0 {
                    break;
                }
                depth -= 1;
            }
            _ => {}
        }
        first = Some(index);
    }
    first
}

/// Tokens no `bitwise_or` holds outside brackets.
fn ends_operand(kind: TokenKind) -> bool {
    matches!(
        kind,
        TokenKind::Colon
            | TokenKind::Comma
            | TokenKind::Semi
            | TokenKind::Newline
            | TokenKind::Equal
            | TokenKind::ColonEqual
            | TokenKind::And
            | TokenKind::Or
            | TokenKind::Not
            | TokenKind::If
            | TokenKind::Else
            | TokenKind::For
            | TokenKind::Async
            | TokenKind::In
            | TokenKind::Is
            | TokenKind::Lambda
            | TokenKind::EqEqual
            | TokenKind::NotEqual
            | TokenKind::Less
            | TokenKind::LessEqual
            | TokenKind::Greater
            | TokenKind::GreaterEqual
            | TokenKind::Rarrow
    )
}

/// Keywords that open a statement or clause before its condition.
fn is_statement_keyword(kind: TokenKind) -> bool {
    matches!(
        kind,
        TokenKind::Elif
            | TokenKind::While
            | TokenKind::Assert
            | TokenKind::Return
            | TokenKind::Del
            | TokenKind::With
            | TokenKind::Yield
            | TokenKind::Raise
            | TokenKind::From
    )
}

/// Points the report at `range`.
fn place(report: &mut Report, source: &Source, range: TextRange) {
    (report.lineno, report.offset) = source.offset_of(range.start());
    report.end = Some(source.offset_of(range.end()));
}

/// CPython points an argument out of order at the bracket that closes the
/// call, the last token it read.
fn at_closing_bracket(report: &mut Report, source: &Source) {
    let Some(at) = source.byte_at(report.lineno, report.offset) else {
        return;
    };
    let tokens = source.tokens();
    let line = tokens.statement_around(TextRange::empty(at));
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
    let Some(at) = source.byte_at(report.lineno, report.offset) else {
        return;
    };
    let tokens = source.tokens();
    let line = tokens.statement_around(TextRange::empty(at));
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
    let Some(end) = source.byte_at(end_line, end_offset) else {
        return;
    };
    let tokens = source.tokens();
    let line = tokens.statement_around(TextRange::empty(end));
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
    let Some(at) = source.byte_at(report.lineno, report.offset) else {
        return;
    };
    let tokens = source.tokens();
    let line = tokens.statement_around(TextRange::empty(at));
    let comma = line
        .iter()
        .find(|token| token.start() >= at && token.kind() == TokenKind::Comma);
    if let Some(comma) = comma {
        place(report, source, comma.range());
    }
}

/// CPython points a bad bytes literal at the whole string.
fn at_whole_token(report: &mut Report, source: &Source) {
    let Some(at) = source.byte_at(report.lineno, report.offset) else {
        return;
    };
    let tokens = source.tokens();
    let line = tokens.statement_around(TextRange::empty(at));
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
