//! Docstrings kept as they were written, as CPython 3.11 keeps them.
//!
//! RustPython 0.5 compiles as CPython 3.13 does, and 3.13's compiler
//! strips a docstring's indentation (`_PyCompile_CleanDoc`): a method
//! documented on two lines has `'Sum.\nMore.'` as its `__doc__` where
//! CPython 3.11 gives `'Sum.\n        More.'`. `help()` and
//! `inspect.getdoc` clean both the same way, but code that reads
//! `__doc__` itself sees the difference: doctest's examples and their
//! line offsets, docopt's usage text, a client reading a remote
//! function's documentation through its netref.
//!
//! The compiler keeps only the cleaned text, so when what it compiled
//! holds a docstring (a function flagged as having one, a module or class
//! body that stores `__doc__`), the source is parsed again and each
//! docstring constant is put back as written. The two are paired by the
//! cleaned text, in the order both walks meet them (a code object before
//! the code objects it holds, each in source order), so two docstrings
//! that clean to the same text keep their own indentation. Source that
//! holds no docstring is never parsed twice.

use super::reparsed::Reparsed;
use rustpython_vm::builtins::{PyCode, PyStr};
use rustpython_vm::bytecode::CodeFlags;
use rustpython_vm::compiler::ast::statement_visitor::{walk_stmt, StatementVisitor};
use rustpython_vm::compiler::ast::{self, Expr, Stmt};
use rustpython_vm::{PyObject, PyObjectRef, PyRef, VirtualMachine};
use std::borrow::Borrow;
use std::collections::{HashMap, VecDeque};

/// Whether a module's first string is its docstring: it is in `exec`
/// mode, not in `single` (an interactive statement) or `eval`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ModuleDoc {
    Counts,
    DoesNotCount,
}

/// `code`, compiled from `source`, with its docstrings as `source` wrote
/// them. The same object when nothing differs.
pub(crate) fn as_written(
    code: PyRef<PyCode>,
    source: &Reparsed<'_>,
    module_doc: ModuleDoc,
    vm: &VirtualMachine,
) -> PyRef<PyCode> {
    if !holds_docstring(&code) {
        return code;
    }
    let Some(parsed) = source.tree() else {
        return code;
    };
    let mut written = Written::default();
    if module_doc == ModuleDoc::Counts {
        written.add(&parsed.syntax().body);
    }
    for stmt in &parsed.syntax().body {
        written.visit_stmt(stmt);
    }
    if !written.any_differs {
        return code;
    }
    restored(&code, &mut written, vm).unwrap_or(code)
}

/// Whether `code`, or a code object it holds, has a docstring.
fn holds_docstring(code: &PyCode) -> bool {
    code.flags.contains(CodeFlags::HAS_DOCSTRING)
        || stores_doc(code)
        || code
            .constants
            .iter()
            .any(|constant| nested_code(constant.borrow()).is_some_and(holds_docstring))
}

/// A module's or a class body's code (not a function's) storing `__doc__`.
fn stores_doc(code: &PyCode) -> bool {
    !code.flags.contains(CodeFlags::OPTIMIZED)
        && code.names.iter().any(|name| name.as_str() == "__doc__")
}

fn nested_code(constant: &PyObject) -> Option<&PyCode> {
    constant.downcast_ref::<PyCode>().map(|code| &**code)
}

/// The docstrings of a parsed source, as written, queued under the text
/// the compiler keeps for each.
#[derive(Default)]
struct Written {
    by_cleaned: HashMap<String, VecDeque<String>>,
    any_differs: bool,
}

impl Written {
    /// The docstring `body` starts with, if it starts with one.
    fn add(&mut self, body: &[Stmt]) {
        let Some(Stmt::Expr(ast::StmtExpr { value, .. })) = body.first() else {
            return;
        };
        let Expr::StringLiteral(literal) = &**value else {
            return;
        };
        let raw = literal.value.to_str();
        let cleaned = cleaned(raw);
        self.any_differs |= cleaned != raw;
        self.by_cleaned
            .entry(cleaned)
            .or_default()
            .push_back(raw.to_owned());
    }

    /// The text written for the docstring the compiler kept as `cleaned`.
    fn take(&mut self, cleaned: &str) -> Option<String> {
        self.by_cleaned.get_mut(cleaned)?.pop_front()
    }
}

impl<'a> StatementVisitor<'a> for Written {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(def) => self.add(&def.body),
            Stmt::ClassDef(class) => self.add(&class.body),
            _ => {}
        }
        walk_stmt(self, stmt);
    }
}

/// `code` rebuilt with written docstrings, `None` when nothing changed.
fn restored(code: &PyCode, written: &mut Written, vm: &VirtualMachine) -> Option<PyRef<PyCode>> {
    let mut constants: Vec<PyObjectRef> = code
        .constants
        .iter()
        .map(|constant| PyObjectRef::from(constant.clone()))
        .collect();
    let mut changed = false;
    let doc_index = if code.flags.contains(CodeFlags::HAS_DOCSTRING) {
        Some(0)
    } else if stores_doc(code) {
        constants.iter().position(|constant| {
            text_of(constant).is_some_and(|text| written.by_cleaned.contains_key(text))
        })
    } else {
        None
    };
    if let Some(index) = doc_index {
        let raw = constants
            .get(index)
            .and_then(text_of)
            .and_then(|cleaned| written.take(cleaned));
        if let (Some(raw), Some(slot)) = (raw, constants.get_mut(index)) {
            if text_of(slot) != Some(raw.as_str()) {
                *slot = vm.ctx.new_str(raw).into();
                changed = true;
            }
        }
    }
    for constant in constants.iter_mut() {
        let rebuilt = nested_code(constant).and_then(|inner| restored(inner, written, vm));
        if let Some(rebuilt) = rebuilt {
            *constant = rebuilt.into();
            changed = true;
        }
    }
    if !changed {
        return None;
    }
    let mut object = code.code.clone();
    object.constants = constants.into_iter().map(Into::into).collect();
    Some(vm.ctx.new_code(object))
}

fn text_of(constant: &PyObjectRef) -> Option<&str> {
    constant
        .downcast_ref::<PyStr>()
        .and_then(|text| text.to_str())
}

/// The text CPython 3.13's compiler (and RustPython 0.5's) keeps of a
/// docstring: tabs expanded, the first line's leading spaces removed, and
/// from the other lines the spaces all non-blank ones share.
fn cleaned(doc: &str) -> String {
    let doc = tabs_expanded(doc);
    let margin = doc
        .split('\n')
        .skip(1)
        .filter(|line| line.chars().any(|c| c != ' '))
        .map(|line| line.chars().take_while(|&c| c == ' ').count())
        .min()
        .unwrap_or(0);
    let mut lines = doc.split('\n');
    let first = lines.next().unwrap_or("");
    let first_trimmed = first.trim_start();
    if first_trimmed.len() == first.len() && margin == 0 {
        return doc;
    }
    let mut text = String::with_capacity(doc.len());
    text.push_str(first_trimmed);
    for line in lines {
        text.push('\n');
        let skip = line.chars().take(margin).take_while(|&c| c == ' ').count();
        text.push_str(&line[skip..]);
    }
    text
}

/// `str.expandtabs(8)` as the compiler applies it: a tab stop every eight
/// columns, counted from each `\n` or `\r`.
fn tabs_expanded(text: &str) -> String {
    const TAB: usize = 8;
    let mut expanded = String::with_capacity(text.len());
    let mut column = 0;
    for c in text.chars() {
        match c {
            '\t' => {
                let spaces = TAB - column % TAB;
                expanded.extend(std::iter::repeat_n(' ', spaces));
                column += spaces;
            }
            '\n' | '\r' => {
                expanded.push(c);
                column = 0;
            }
            _ => {
                expanded.push(c);
                column += 1;
            }
        }
    }
    expanded
}

#[cfg(test)]
mod tests {
    use super::cleaned;
    use rustpython_vm::compiler::core::bytecode::ConstantData;
    use rustpython_vm::compiler::{compile, CompileOpts, Mode};

    /// The docstring RustPython's compiler keeps for `def f():` + `body`.
    fn compiler_keeps(body: &str) -> String {
        let source = format!("def f():\n{body}\n");
        let module = compile(&source, Mode::Exec, "<test>", CompileOpts::default())
            .expect("the test source compiles");
        let function = module
            .constants
            .iter()
            .find_map(|constant| match constant {
                ConstantData::Code { code } => Some(code),
                _ => None,
            })
            .expect("a function");
        match function.constants.first() {
            Some(ConstantData::Str { value }) => value.to_string(),
            other => panic!("no docstring: {other:?}"),
        }
    }

    #[test]
    fn the_cleaning_is_the_compilers() {
        let bodies = [
            "    'one line'",
            "    '  leading spaces'",
            "    \"\"\"Sum.\n\n    More.\n    \"\"\"",
            "    \"\"\"\n        Starts on the next line.\n          deeper\n        \"\"\"",
            "    \"\"\"Tabs\n\tone\n\t\ttwo\n    \"\"\"",
            "    \"\"\"a\tb\n  x\tyz\n   \"\"\"",
            "    'escaped\\n      newline\\n    and \\t tab'",
            "    \"\"\"blank lines\n\n   \n      kept\n    \"\"\"",
            "    \"\"\"carriage\r\n    return\"\"\"",
            "    'a' 'b\\n  c'",
            "    \"\"\"no margin\nat all\"\"\"",
            "    \"\"\"é accents\n      ü\"\"\"",
        ];
        for body in bodies {
            let source = format!("def f():\n{body}\n");
            let parsed = rustpython_vm::compiler::parser::parse_module(&source).expect("parses");
            let raw = match &parsed.syntax().body[0] {
                super::Stmt::FunctionDef(def) => match &def.body[0] {
                    super::Stmt::Expr(expr) => match &*expr.value {
                        super::Expr::StringLiteral(literal) => literal.value.to_str().to_owned(),
                        other => panic!("{other:?}"),
                    },
                    other => panic!("{other:?}"),
                },
                other => panic!("{other:?}"),
            };
            assert_eq!(cleaned(&raw), compiler_keeps(body), "{body:?}");
        }
    }
}
