//! A `SyntaxError` reported as CPython 3.11 reports it.
//!
//! A classic client whose `conn.execute` or `conn.eval` sends source the
//! server cannot compile gets the `SyntaxError` back as a remote
//! exception: its class, its `args`, its public attributes (`msg`,
//! `lineno`, `offset`, `text`, `end_lineno`, `end_offset`) and a
//! traceback whose caret is drawn from them. RustPython 0.5 parses with
//! ruff's parser and reports in its own way:
//!
//! - `args` is `(msg,)`, where CPython's is `(msg, (filename, lineno,
//!   offset, text, end_lineno, end_offset))` (only the symbol table's
//!   errors, such as a duplicate parameter, keep `(msg,)` in CPython);
//! - the words differ: "unexpected indentation" for "unexpected indent",
//!   "invalid assignment target" where CPython names the target ("cannot
//!   assign to function call"), "unterminated string" for "unterminated
//!   string literal (detected at line 1)", an indented block expected
//!   after "`if` statement" where CPython says on which line;
//! - an error found after parsing (`'return' outside function`) carries
//!   the line's text and no end, where CPython carries the text only of a
//!   file it can read and the end of the statement or expression at fault;
//! - what CPython's tokenizer reports (a bracket never closed or closing
//!   another, a string never closed, a malformed number, tabs and spaces
//!   its two measures of indentation disagree on) RustPython's parser reports as something
//!   else, or, for some indentation, compiles.
//!
//! The compiler keeps none of what it knew, so the error is mended after
//! the fact from what RustPython reported and from the source (its lines
//! and tokens, [`source`]): [`parser_rules`] for errors the parser found
//! (with [`invalid_syntax`] for its generic failure, [`targets`] and
//! [`operands`] for the expressions around it), [`compiler_rules`] for
//! errors found after parsing, [`indentation`] and [`numbers`] for the
//! tokenizer's own checks. Each rule turns one of RustPython's reports into CPython's;
//! a report no rule knows keeps RustPython's words, in CPython's shape.
//! Source RustPython compiled whose indentation CPython refuses is
//! refused as CPython refuses it ([`refused_indentation`]).

mod compiler_rules;
mod indentation;
mod invalid_syntax;
mod numbers;
mod operands;
mod parser_rules;
mod source;
mod targets;

use rustpython_vm::builtins::{PyBaseExceptionRef, PyStr};
use rustpython_vm::{AsObject, PyObjectRef, VirtualMachine};
use source::Source;

/// How the source was compiled: as a module (`exec` mode), or as one
/// expression or statement (`eval` and `single`). CPython's tokenizer ends
/// a module's last line with a newline; it reads the others as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Input {
    Module,
    /// A module given as bytes (`compile(b'...')`, an imported file):
    /// CPython's parser then counts columns in bytes.
    ModuleBytes,
    Expression,
}

/// `error`, raised compiling `source` as `input`, as CPython reports it:
/// the same exception mended in place, or one of the class CPython
/// raises. An error already in CPython's shape (or not one the compiler
/// raised) is returned as it is.
///
/// ```ignore
/// let error = vm.new_syntax_error(&compile_error, Some("1 +"));
/// let error = syntax_errors::mend(error, "1 +", Input::Module, vm);
/// // error.args == ("invalid syntax", ("<string>", 1, 4, "1 +\n", 1, 4))
/// ```
pub(crate) fn mend(
    error: PyBaseExceptionRef,
    source: &str,
    input: Input,
    vm: &VirtualMachine,
) -> PyBaseExceptionRef {
    let Some(mut report) = Report::read(&error, vm) else {
        return error;
    };
    let source = Source::new(source);
    let shape = if report.end.is_some() {
        // (An expression's source is not checked for them.)
        if input != Input::Expression {
            tabs_and_spaces(&mut report, &source);
        }
        malformed_number(&mut report, &source);
        parser_rules::mend(&mut report, &source, input);
        if input == Input::Expression {
            parser_rules::as_expression(&mut report, &source);
        }
        if input != Input::ModuleBytes || report.msg.starts_with("unterminated") {
            report.in_characters(&source);
        }
        Shape::Full
    } else {
        compiler_rules::mend(&mut report, &source)
    };
    report.write(error, shape, vm)
}

/// CPython's tokenizer refuses an indentation (tabs and spaces whose two
/// measures of a block disagree, an unindent to no block as it measures
/// tabs) before the parser reads that line; RustPython's `TabError` where
/// they agree was an unindent to no enclosing level.
fn tabs_and_spaces(report: &mut Report, source: &Source) {
    let refused = indentation::refused_line(source);
    let before = |line: usize| line <= report.lineno || report.msg.starts_with("invalid syntax");
    match refused {
        Some(refused) if before(refused.line()) => {
            *report = refused.report(source, &report.filename)
        }
        None if report.class == Class::Tab => {
            report.class = Class::Indentation;
            report.msg = "unindent does not match any outer indentation level".to_owned();
        }
        _ => {}
    }
}

/// The error CPython raises for `source`, compiled as a module, that
/// RustPython compiled: an indentation CPython's tokenizer refuses.
pub(crate) fn refused_indentation(
    source: &str,
    filename: &str,
    vm: &VirtualMachine,
) -> Option<PyBaseExceptionRef> {
    // Only tabs make the two measures differ.
    let tab_indented = source.lines().any(|line| {
        line.starts_with([' ', '\t']) && line[..line.len() - line.trim_start().len()].contains('\t')
    });
    if !tab_indented {
        return None;
    }
    let source = Source::new(source);
    let refused = indentation::refused_line(&source)?;
    let report = refused.report(&source, filename);
    let placeholder = vm.new_exception_msg(vm.ctx.exceptions.syntax_error.to_owned(), "".into());
    Some(report.write(placeholder, Shape::Full, vm))
}

/// CPython's tokenizer refuses a malformed number when it reaches it:
/// before the parser's error when the number comes first, and after a
/// generic failure, reading the rest of the source.
fn malformed_number(report: &mut Report, source: &Source) {
    if report.class != Class::Syntax {
        return;
    }
    let Some((at, refused)) = source
        .tokens()
        .number_starts()
        .into_iter()
        .find_map(|start| {
            let (lineno, column) = source.position(start);
            let rest = source.line(lineno)?.get(column..)?;
            numbers::refused(rest)
                .map(|refused| ((lineno, (column + refused.stopped) as i64), refused))
        })
    else {
        return;
    };
    let reported = (report.lineno, report.offset);
    if at > reported && !parser_rules::is_generic(&report.msg) {
        return;
    }
    report.msg = refused.msg;
    (report.lineno, report.offset) = at;
    report.end = Some(at);
    report.text = source.line(at.0).map(str::to_owned);
}

/// Which of the syntax error classes it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Class {
    Syntax,
    Indentation,
    Tab,
}

/// What a `SyntaxError` says, read from its attributes.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Report {
    pub(super) class: Class,
    pub(super) msg: String,
    pub(super) filename: String,
    pub(super) lineno: usize,
    pub(super) offset: i64,
    pub(super) text: Option<String>,
    /// RustPython's parser gives an end; its compiler does not.
    pub(super) end: Option<(usize, i64)>,
}

/// Whether CPython's `args` hold the details or only the message (the
/// symbol table's errors set the attributes but not `args`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    Full,
    MessageOnly,
}

impl Report {
    fn read(error: &PyBaseExceptionRef, vm: &VirtualMachine) -> Option<Report> {
        let exceptions = &vm.ctx.exceptions;
        let class = error.class();
        let class = if class.is(exceptions.syntax_error) {
            Class::Syntax
        } else if class.is(exceptions.indentation_error) {
            Class::Indentation
        } else if class.is(exceptions.tab_error) {
            Class::Tab
        } else {
            return None;
        };
        let args = error.args();
        let [msg] = args.as_slice() else {
            return None;
        };
        let msg = msg.downcast_ref::<PyStr>()?.to_str()?.to_owned();
        let object = error.as_object();
        let number = |name: &'static str| {
            object
                .get_attr(name, vm)
                .ok()
                .and_then(|value| value.try_to_value::<i64>(vm).ok())
        };
        let text_of = |name: &'static str| {
            object
                .get_attr(name, vm)
                .ok()
                .and_then(|value| value.downcast_ref::<PyStr>()?.to_str().map(str::to_owned))
        };
        let lineno = usize::try_from(number("lineno")?).ok()?;
        let end = match (number("end_lineno"), number("end_offset")) {
            (Some(line), Some(offset)) => Some((usize::try_from(line).ok()?, offset)),
            _ => None,
        };
        Some(Report {
            class,
            msg,
            filename: text_of("filename")?,
            lineno,
            offset: number("offset")?,
            text: text_of("text"),
            end,
        })
    }

    /// CPython's parser counts columns in characters; RustPython's, and
    /// CPython's compiler, in bytes. (-1 and 0 are not columns.)
    fn in_characters(&mut self, source: &Source) {
        if self.offset > 0 {
            self.offset = source.in_characters(self.lineno, self.offset);
        }
        if let Some((line, offset)) = self.end {
            if offset > 0 {
                self.end = Some((line, source.in_characters(line, offset)));
            }
        }
    }

    fn write(
        self,
        error: PyBaseExceptionRef,
        shape: Shape,
        vm: &VirtualMachine,
    ) -> PyBaseExceptionRef {
        let ctx = &vm.ctx;
        let int = |value: i64| -> PyObjectRef { ctx.new_int(value).into() };
        let text: PyObjectRef = match &self.text {
            Some(text) => ctx.new_str(text.as_str()).into(),
            None => ctx.none(),
        };
        let (end_lineno, end_offset) = match self.end {
            Some((line, offset)) => (int(line as i64), int(offset)),
            None => (ctx.none(), ctx.none()),
        };
        let msg: PyObjectRef = ctx.new_str(self.msg.as_str()).into();
        let filename: PyObjectRef = ctx.new_str(self.filename.as_str()).into();
        let filename_again = filename.clone();
        let details = ctx.new_tuple(vec![
            filename,
            int(self.lineno as i64),
            int(self.offset),
            text.clone(),
            end_lineno.clone(),
            end_offset.clone(),
        ]);
        let args = match shape {
            Shape::Full => ctx.new_tuple(vec![msg.clone(), details.into()]),
            Shape::MessageOnly => ctx.new_tuple(vec![msg.clone()]),
        };
        let exceptions = &ctx.exceptions;
        let class = match self.class {
            Class::Syntax => exceptions.syntax_error,
            Class::Indentation => exceptions.indentation_error,
            Class::Tab => exceptions.tab_error,
        };
        let error = if error.class().is(class) {
            error
        } else {
            vm.new_exception(class.to_owned(), Vec::new())
        };
        let object = error.as_object();
        // Setting attributes of a SyntaxError cannot fail.
        let _ = object.set_attr("args", args, vm);
        let _ = object.set_attr("msg", msg, vm);
        let _ = object.set_attr("lineno", int(self.lineno as i64), vm);
        let _ = object.set_attr("offset", int(self.offset), vm);
        let _ = object.set_attr("text", text, vm);
        let _ = object.set_attr("end_lineno", end_lineno, vm);
        let _ = object.set_attr("end_offset", end_offset, vm);
        let _ = object.set_attr("filename", filename_again, vm);
        error
    }
}

/// The line CPython's compiler puts in `text`: read back from the file it
/// was told the source came from, `None` when there is no such file.
pub(super) fn text_from_file(filename: &str, lineno: usize) -> Option<String> {
    use std::io::BufRead;
    if filename.starts_with('<') {
        return None;
    }
    let file = std::fs::File::open(filename).ok()?;
    let line = std::io::BufReader::new(file)
        .lines()
        .nth(lineno.checked_sub(1)?)?
        .ok()?;
    Some(line + "\n")
}
