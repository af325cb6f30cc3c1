//! The errors RustPython's compiler finds after parsing: CPython's text
//! (read back from the file) and the span of the node at fault.

use super::source::Source;
use super::{text_from_file, Report, Shape};
use ruff_text_size::{Ranged, TextRange, TextSize};
use rustpython_vm::compiler::ast::visitor::source_order::{SourceOrderVisitor, TraversalSignal};
use rustpython_vm::compiler::ast::AnyNodeRef;
use rustpython_vm::compiler::parser;

/// Errors of RustPython's compiler (they come without an end): the text
/// is what CPython reads back from the file, and the span is the node's.
pub(super) fn mend(report: &mut Report, source: &Source) -> Shape {
    report.text = text_from_file(&report.filename, report.lineno);
    let Some(at) = source.byte_at(report.lineno, report.offset) else {
        return Shape::Full;
    };
    let Ok(parsed) = parser::parse_module(source.text) else {
        return Shape::Full;
    };
    let mut found = Located::at(at);
    for stmt in &parsed.syntax().body {
        found.visit_stmt(stmt);
    }
    let msg = report.msg.clone();
    let (span, shape) = match msg.as_str() {
        "'yield from' outside function" => {
            report.msg = "'yield' outside function".to_owned();
            (found.starting, Shape::Full)
        }
        "'continue' outside loop" => {
            report.msg = "'continue' not properly in loop".to_owned();
            (found.starting, Shape::Full)
        }
        "'await' outside async function" if !found.in_function => {
            report.msg = "'await' outside function".to_owned();
            (found.starting, Shape::Full)
        }
        "starred assignment target must be in a list or tuple" => (found.starred, Shape::Full),
        "multiple starred expressions in assignment" => (found.starred_sequence, Shape::Full),
        msg if msg.starts_with("cannot define nonlocal '") && msg.ends_with("' at top level.") => {
            report.msg = "nonlocal declaration not allowed at module level".to_owned();
            (found.statement, Shape::MessageOnly)
        }
        msg if msg.starts_with("name '")
            && (msg.ends_with(" before global declaration")
                || msg.ends_with(" before nonlocal declaration")) =>
        {
            (found.statement, Shape::MessageOnly)
        }
        msg if msg.starts_with("duplicate argument '") => (found.starting, Shape::MessageOnly),
        "'async for' outside async function" | "'async with' outside async function" => {
            (found.statement, Shape::Full)
        }
        _ => (found.starting, Shape::Full),
    };
    if let Some(span) = span {
        let (line, column) = source.position(span.start());
        let (end_line, end_column) = source.position(span.end());
        report.lineno = line;
        report.offset = column as i64 + 1;
        report.end = Some((end_line, end_column as i64 + 1));
    }
    shape
}

/// The nodes of a parsed source that a compiler error's position points
/// into.
struct Located {
    at: TextSize,
    /// The innermost node that starts there.
    starting: Option<TextRange>,
    /// The innermost statement around it.
    statement: Option<TextRange>,
    /// In that statement, the first starred expression and the first list
    /// or tuple holding two.
    starred: Option<TextRange>,
    starred_sequence: Option<TextRange>,
    in_function: bool,
}

impl Located {
    fn at(at: TextSize) -> Located {
        Located {
            at,
            starting: None,
            statement: None,
            starred: None,
            starred_sequence: None,
            in_function: false,
        }
    }
}

impl<'a> SourceOrderVisitor<'a> for Located {
    fn enter_node(&mut self, node: AnyNodeRef<'a>) -> TraversalSignal {
        let range = node.range();
        let around = range.start() <= self.at && self.at <= range.end();
        if let Some(statement) = self.statement {
            // Inside the statement found: its starred targets.
            if statement.contains_range(range) && !range.is_empty() {
                match node {
                    AnyNodeRef::ExprStarred(_) if self.starred.is_none() => {
                        self.starred = Some(range);
                    }
                    AnyNodeRef::ExprTuple(tuple)
                        if self.starred_sequence.is_none() && two_starred(&tuple.elts) =>
                    {
                        self.starred_sequence = Some(range);
                    }
                    AnyNodeRef::ExprList(list)
                        if self.starred_sequence.is_none() && two_starred(&list.elts) =>
                    {
                        self.starred_sequence = Some(range);
                    }
                    _ => {}
                }
            }
        }
        if !around {
            return TraversalSignal::Skip;
        }
        if node.is_statement() {
            self.statement = Some(range);
            self.starred = None;
            self.starred_sequence = None;
        }
        if matches!(
            node,
            AnyNodeRef::StmtFunctionDef(_) | AnyNodeRef::ExprLambda(_)
        ) {
            self.in_function = true;
        }
        if range.start() == self.at {
            self.starting = Some(range);
        }
        TraversalSignal::Traverse
    }
}

/// Whether a target list holds more than one starred target.
fn two_starred(targets: &[rustpython_vm::compiler::ast::Expr]) -> bool {
    targets
        .iter()
        .filter(|target| target.is_starred_expr())
        .count()
        > 1
}
