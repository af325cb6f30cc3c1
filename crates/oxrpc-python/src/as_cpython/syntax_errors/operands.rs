//! Operands as CPython's grammar reads them, found in a statement's
//! tokens: where one starts and ends (its brackets stepped over whole),
//! which tokens can open or close one, and what surrounds it (a dict's
//! braces, a comprehension's clauses). The rules that name an error after
//! the operands around it read them here.

use rustpython_vm::compiler::ast::token::{Token, TokenKind};

/// Where the operand (a `bitwise_or`) that ends just before
/// `line[before]` starts.
pub(super) fn operand_start(line: &[&Token], before: usize) -> Option<usize> {
    extent_back(line, before, |kind| {
        ends_operand(kind) || is_statement_keyword(kind)
    })
}

/// Where the operand (a `bitwise_or`) that starts at `line[from]` ends:
/// the index of its last token.
pub(super) fn operand_end(line: &[&Token], from: usize) -> Option<usize> {
    extent_forward(line, from, |_, kind| ends_operand(kind))
}

/// Where the `disjunction` (an operand with its `not`, `and`, `or` and
/// comparisons) that ends just before `line[before]` starts.
pub(super) fn disjunction_start(line: &[&Token], before: usize) -> Option<usize> {
    extent_back(line, before, ends_disjunction)
}

/// Where the expression that starts at `line[from]` ends: before a token
/// no expression holds outside brackets, or before a second operand
/// written right after it.
pub(super) fn expression_end(line: &[&Token], from: usize) -> Option<usize> {
    extent_forward(line, from, |previous, kind| {
        let bounds = ends_disjunction(kind) && kind != TokenKind::If && kind != TokenKind::Else;
        bounds || previous.is_some_and(|previous| juxtaposed(previous, kind))
    })
}

/// The tokens from `line[first]` to `line[last]` without the parentheses
/// around them all, as CPython's spans leave them out.
pub(super) fn inside_parentheses(line: &[&Token], first: usize, last: usize) -> (usize, usize) {
    let (mut first, mut last) = (first, last);
    while line[first].kind() == TokenKind::Lpar
        && line[last].kind() == TokenKind::Rpar
        && first + 1 < last
    {
        (first, last) = (first + 1, last - 1);
    }
    (first, last)
}

/// Whether an operand that starts with `next` is written right after one
/// that ended with `previous` (a bracket after an operand is a call or a
/// subscript, not a second operand).
pub(super) fn juxtaposed(previous: TokenKind, next: TokenKind) -> bool {
    ends_operand_token(previous)
        && starts_operand_token(next)
        && !matches!(next, TokenKind::Lpar | TokenKind::Lsqb)
}

/// The first index of the run of tokens that ends just before
/// `line[before]`, stepping back over brackets whole, until a token
/// `bounds` outside them or the bracket that opens around them.
fn extent_back(
    line: &[&Token],
    before: usize,
    bounds: impl Fn(TokenKind) -> bool,
) -> Option<usize> {
    extent(line, (0..before).rev(), closes, opens, |_, kind| {
        bounds(kind)
    })
}

/// The last index of the run of tokens that starts at `line[from]`,
/// stepping over brackets whole, until a token `bounds` (given the kind of
/// the token before it) outside them or the bracket that closes around
/// them.
fn extent_forward(
    line: &[&Token],
    from: usize,
    bounds: impl Fn(Option<TokenKind>, TokenKind) -> bool,
) -> Option<usize> {
    extent(line, from..line.len(), opens, closes, bounds)
}

/// The farthest index `indices` reach in `line` over whole brackets (a
/// token `deeper` enters one, `shallower` leaves it), before a token
/// `bounds` outside them or a bracket left that was not entered.
fn extent(
    line: &[&Token],
    indices: impl Iterator<Item = usize>,
    deeper: fn(TokenKind) -> bool,
    shallower: fn(TokenKind) -> bool,
    bounds: impl Fn(Option<TokenKind>, TokenKind) -> bool,
) -> Option<usize> {
    let mut depth = 0usize;
    let mut reached: Option<usize> = None;
    for index in indices {
        let kind = line[index].kind();
        if depth == 0 && bounds(reached.map(|reached| line[reached].kind()), kind) {
            break;
        }
        if deeper(kind) {
            depth += 1;
        } else if shallower(kind) {
            if depth == 0 {
                break;
            }
            depth -= 1;
        }
        reached = Some(index);
    }
    reached
}

/// Whether `kind` opens a bracket.
fn opens(kind: TokenKind) -> bool {
    matches!(kind, TokenKind::Lpar | TokenKind::Lsqb | TokenKind::Lbrace)
}

/// Whether `kind` closes a bracket.
fn closes(kind: TokenKind) -> bool {
    matches!(kind, TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace)
}

/// Whether `line[at]` is where a dict display's key goes: after `{` or a
/// comma, in braces that already hold a `key: value` or a `**mapping`.
pub(super) fn at_dictionary_key(line: &[&Token], at: usize) -> bool {
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
pub(super) fn in_comprehension(line: &[&Token], at: usize) -> bool {
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

/// Tokens that are an operand by themselves: names, numbers, strings and
/// the constants.
fn is_atom(kind: TokenKind) -> bool {
    matches!(
        kind,
        TokenKind::Name
            | TokenKind::Int
            | TokenKind::Float
            | TokenKind::Complex
            | TokenKind::String
            | TokenKind::True
            | TokenKind::False
            | TokenKind::None
            | TokenKind::Ellipsis
    )
}

/// Tokens an operand can end with.
pub(super) fn ends_operand_token(kind: TokenKind) -> bool {
    is_atom(kind) || closes(kind) || kind == TokenKind::FStringEnd
}

/// Tokens an operand can start with.
pub(super) fn starts_operand_token(kind: TokenKind) -> bool {
    is_atom(kind)
        || opens(kind)
        || matches!(
            kind,
            TokenKind::FStringStart
                | TokenKind::Minus
                | TokenKind::Plus
                | TokenKind::Tilde
                | TokenKind::Not
                | TokenKind::Lambda
                | TokenKind::Await
        )
}

/// Tokens outside brackets that end any expression: punctuation between
/// clauses and the keywords that start one.
fn ends_clause(kind: TokenKind) -> bool {
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
            | TokenKind::Rarrow
    )
}

/// Tokens outside brackets that bound a `disjunction`.
fn ends_disjunction(kind: TokenKind) -> bool {
    ends_clause(kind)
        || matches!(
            kind,
            TokenKind::Yield | TokenKind::Star | TokenKind::DoubleStar
        )
}

/// Tokens no `bitwise_or` holds outside brackets: those, and the boolean
/// and comparison operators.
fn ends_operand(kind: TokenKind) -> bool {
    ends_clause(kind)
        || matches!(
            kind,
            TokenKind::And
                | TokenKind::Or
                | TokenKind::Not
                | TokenKind::In
                | TokenKind::Is
                | TokenKind::EqEqual
                | TokenKind::NotEqual
                | TokenKind::Less
                | TokenKind::LessEqual
                | TokenKind::Greater
                | TokenKind::GreaterEqual
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
