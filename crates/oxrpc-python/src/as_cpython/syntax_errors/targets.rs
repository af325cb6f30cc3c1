//! The expression a parser error points at, named as CPython names it,
//! and the statement around it.

use super::source::Source;
use super::Report;
use ruff_text_size::{Ranged, TextRange};
use rustpython_vm::compiler::ast::token::{Token, TokenKind};
use rustpython_vm::compiler::ast::{Expr, UnaryOp};
use rustpython_vm::compiler::parser;

/// The expression a parser error's span covers, and what CPython calls it.
pub(super) struct Target {
    range: TextRange,
    pub(super) name: &'static str,
    /// Whether it reads at the level CPython tries `a = b` as a mistaken
    /// comparison (a `bitwise_or`).
    bitwise_or: bool,
    pub(super) deletable: bool,
    leads_with_constant: bool,
}

impl Target {
    pub(super) fn reported(report: &Report, source: &Source) -> Option<Target> {
        let (end_line, end_offset) = report.end?;
        let start = source.byte_at(report.lineno, report.offset)?;
        let end = source.byte_at(end_line, end_offset)?;
        let written = source.text.get(start.to_usize()..end.to_usize())?;
        if written.trim().is_empty() {
            return None;
        }
        let parsed = parser::parse_expression(&format!("(\n{written}\n)")).ok()?;
        let expr = &*parsed.syntax().body;
        let leads_with_constant = ["True", "None", "False"].iter().any(|word| {
            written.starts_with(word)
                && !written[word.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
        });
        Some(Target {
            range: TextRange::new(start, end),
            name: name_of(expr),
            bitwise_or: !matches!(
                expr,
                Expr::Compare(_)
                    | Expr::BoolOp(_)
                    | Expr::If(_)
                    | Expr::Lambda(_)
                    | Expr::Named(_)
                    | Expr::Yield(_)
                    | Expr::YieldFrom(_)
                    | Expr::Starred(_)
                    | Expr::Tuple(_)
                    | Expr::List(_)
                    | Expr::Generator(_)
                    | Expr::BooleanLiteral(_)
                    | Expr::NoneLiteral(_)
            ) && !matches!(expr, Expr::UnaryOp(unary) if unary.op == UnaryOp::Not),
            deletable: matches!(
                expr,
                Expr::Name(_)
                    | Expr::Attribute(_)
                    | Expr::Subscript(_)
                    | Expr::Tuple(_)
                    | Expr::List(_)
            ),
            leads_with_constant,
        })
    }

    /// Whether CPython takes `target = value` for a comparison written
    /// with one `=` ("cannot assign to literal here. Maybe you meant '=='
    /// instead of '='?"): the target, its own parentheses around it, is the
    /// whole of what precedes the statement's only `=`, or the last item of
    /// an unparenthesized tuple there, and the value starts as an operand.
    pub(super) fn reads_as_comparison(&self, source: &Source) -> bool {
        let tokens = source.tokens();
        let line = tokens.statement_around(self.range);
        let before: Vec<_> = line
            .iter()
            .filter(|t| t.end() <= self.range.start())
            .collect();
        let after: Vec<_> = line
            .iter()
            .filter(|t| t.start() >= self.range.end())
            .collect();
        let opened = before
            .iter()
            .rev()
            .take_while(|t| t.kind() == TokenKind::Lpar)
            .count();
        let closed = after
            .iter()
            .take_while(|t| t.kind() == TokenKind::Rpar)
            .count();
        if closed > opened {
            return false;
        }
        let parenthesized = closed > 0;
        if !parenthesized && (!self.bitwise_or || self.leads_with_constant) {
            return false;
        }
        let Some(equal) = after.get(closed) else {
            return false;
        };
        if equal.kind() != TokenKind::Equal {
            return false;
        }
        let depth_zero_equals = depth_zero(&line)
            .filter(|t| t.kind() == TokenKind::Equal)
            .count();
        if depth_zero_equals != 1 {
            return false;
        }
        // What precedes the target, back to the statement's start, may
        // only be other items of an unparenthesized tuple.
        let preceding = &before[..before.len() - opened];
        if preceding.last().is_some_and(|t| {
            !matches!(
                t.kind(),
                TokenKind::Comma | TokenKind::Colon | TokenKind::Semi
            )
        }) {
            return false;
        }
        let value_start = after.get(closed + 1).map(|t| t.kind());
        !matches!(
            value_start,
            None | Some(
                TokenKind::Yield
                    | TokenKind::Not
                    | TokenKind::Lambda
                    | TokenKind::Star
                    | TokenKind::Newline
            )
        )
    }

    /// Whether the target is what a `del` statement names.
    pub(super) fn follows_del(&self, source: &Source) -> bool {
        let tokens = source.tokens();
        let line = tokens.statement_around(self.range);
        let mut statement_is_del = false;
        for token in line.iter().filter(|t| t.end() <= self.range.start()) {
            match token.kind() {
                TokenKind::Del => statement_is_del = true,
                TokenKind::Semi => statement_is_del = false,
                _ => {}
            }
        }
        statement_is_del
    }
}

/// The tokens of a logical line outside any bracket.
pub(super) fn depth_zero<'t>(line: &'t [&'t Token]) -> impl Iterator<Item = &'t Token> + 't {
    let mut depth = 0usize;
    line.iter().copied().filter(move |token| {
        match token.kind() {
            TokenKind::Lpar | TokenKind::Lsqb | TokenKind::Lbrace => depth += 1,
            TokenKind::Rpar | TokenKind::Rsqb | TokenKind::Rbrace => {
                depth = depth.saturating_sub(1);
                return false;
            }
            _ => {}
        }
        depth == 0
    })
}

/// CPython's name for the expression `written` is, when it is one.
pub(super) fn name_of_text(written: &str) -> Option<&'static str> {
    let parsed = parser::parse_expression(&format!("(\n{written}\n)")).ok()?;
    Some(name_of(&parsed.syntax().body))
}

/// CPython's name for an expression in its messages
/// (`_PyPegen_get_expr_name`).
pub(super) fn name_of(expr: &Expr) -> &'static str {
    match expr {
        Expr::Attribute(_) => "attribute",
        Expr::Subscript(_) => "subscript",
        Expr::Starred(_) => "starred",
        Expr::Name(_) => "name",
        Expr::List(_) => "list",
        Expr::Tuple(_) => "tuple",
        Expr::Lambda(_) => "lambda",
        Expr::Call(_) => "function call",
        Expr::BoolOp(_) | Expr::BinOp(_) | Expr::UnaryOp(_) => "expression",
        Expr::Generator(_) => "generator expression",
        Expr::Yield(_) | Expr::YieldFrom(_) => "yield expression",
        Expr::Await(_) => "await expression",
        Expr::ListComp(_) => "list comprehension",
        Expr::SetComp(_) => "set comprehension",
        Expr::DictComp(_) => "dict comprehension",
        Expr::Dict(_) => "dict literal",
        Expr::Set(_) => "set display",
        Expr::FString(_) | Expr::TString(_) => "f-string expression",
        Expr::NoneLiteral(_) => "None",
        Expr::BooleanLiteral(literal) if literal.value => "True",
        Expr::BooleanLiteral(_) => "False",
        Expr::EllipsisLiteral(_) => "ellipsis",
        Expr::StringLiteral(_) | Expr::BytesLiteral(_) | Expr::NumberLiteral(_) => "literal",
        Expr::Compare(_) => "comparison",
        Expr::If(_) => "conditional expression",
        Expr::Named(_) => "named expression",
        Expr::Slice(_) | Expr::IpyEscapeCommand(_) => "expression",
    }
}
