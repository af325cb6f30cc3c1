//! Where instructions stand in the source, as CPython 3.11's compiler
//! records it.
//!
//! A traceback marks an instruction's position under the line and names
//! its line; `co_positions()` and `traceback.extract_tb` give its
//! columns. RustPython 0.5's compiler often gives an instruction whatever
//! position it set last while compiling its operands, where CPython gives
//! the construct's own:
//!
//! - an attribute's read, write or deletion (`LOAD_ATTR`, a method's
//!   load, `STORE_ATTR`, `DELETE_ATTR`): CPython's is the whole
//!   `value.name` (over lines, the name alone); RustPython's was within
//!   the value (`x` of `x.nope`, the call of `f(a).y`, the `super()` of
//!   `super().m`, the value of `x.y += v`): for the most common error
//!   there is, an attribute a value does not have;
//! - a decorator's call: CPython's is the decorator; RustPython's the
//!   whole statement, or for a class its last line;
//! - a class's building: CPython's is the statement from the `class`
//!   keyword; RustPython's its last line;
//! - `x += v`, `a, b = v`, `assert test, message` and `del name`:
//!   CPython's is the statement, the target, the test (the statement for
//!   a constant test) and the name; RustPython's the value, the value,
//!   the message (or the statement) and the statement.
//!
//! After the server compiles text, a code object with such instructions
//! has its source parsed again. Each instruction is paired with the node
//! of its kind (and name) that holds the position RustPython gave it, in
//! order, and its locations and location table (`location_table`) are
//! written with CPython's position for that node. Code read from
//! elsewhere (the frozen standard library, `marshal`) is left as it is.

use ruff_text_size::{Ranged, TextRange};
use rustpython_vm::builtins::{PyCode, PyStrInterned};
use rustpython_vm::bytecode::{CodeUnit, Instruction, OpArgState};
use rustpython_vm::compiler::ast::visitor::{walk_expr, walk_stmt, Visitor};
use rustpython_vm::compiler::ast::{
    Expr, ExprAttribute, ExprContext, ExprName, Stmt, StmtAssert, StmtAssign, StmtAugAssign,
    StmtClassDef, StmtDelete, StmtFor, StmtFunctionDef,
};
use rustpython_vm::compiler::core::{OneIndexed, SourceLocation};
use rustpython_vm::{PyObject, PyObjectRef, PyRef, VirtualMachine};
use std::collections::HashMap;

use super::location_table::{decoded, encoded, Entry};
use super::reparsed::Reparsed;

/// A stretch of source: first line (1-based), first column, last line and
/// end column (0-based UTF-8 bytes), as a code object's positions are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Span {
    start: (u32, u32),
    end: (u32, u32),
}

impl Span {
    fn holds(&self, other: &Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

/// An attribute in the source: its name, how it is used, where its value
/// stands and the position CPython's compiler records for it.
struct Read<'a> {
    name: &'a str,
    context: ExprContext,
    value: Span,
    recorded: Span,
    /// For the target of `x.y += v`, where `v` stands: RustPython writes
    /// the attribute there.
    augmented_by: Option<Span>,
}

/// A `class`, or a decorated `def`: its name, where the statement stands
/// with its decorators (RustPython calls a function's decorators there),
/// where each decorator does, and for a class where CPython builds it
/// (from the `class` keyword).
struct Definition<'a> {
    name: &'a str,
    statement: Span,
    decorators: Vec<Span>,
    class: Option<Span>,
}

/// What the source holds that RustPython's compiler places otherwise than
/// CPython's, in source order, and which of it is paired already.
struct Found<'a> {
    reads: Vec<Read<'a>>,
    definitions: Vec<Definition<'a>>,
    statements: Vec<Site<'a>>,
    reads_used: Vec<bool>,
    definitions_used: Vec<bool>,
    statements_used: Vec<bool>,
    /// The reads of each name, in source order.
    reads_named: HashMap<&'a str, Vec<usize>>,
    /// How many more candidates the pairing may look at: each pairing
    /// looks through those of its kind, so a source made of thousands of
    /// alike statements would take their square. Past it, what is left
    /// keeps RustPython's positions.
    budget: usize,
}

/// The candidates all pairings of one compiled source may look at.
const PAIRING_BUDGET: usize = 20_000_000;

impl Found<'_> {
    /// Whether `count` candidates may still be looked at (and, if so,
    /// counts them).
    fn affords(&mut self, count: usize) -> bool {
        let affords = count <= self.budget;
        self.budget = self.budget.saturating_sub(count);
        affords
    }
}

/// What a statement does that RustPython places at another part of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    /// `x += v`: the operation, placed at `v`; CPython's at the statement.
    Augmented,
    /// `a, b = v` or `for a, b in v`: the unpacking, placed in `v`;
    /// CPython's at the target.
    Unpacked,
    /// `assert test, message`: the raise, placed at the message (or the
    /// statement); CPython's at the test.
    Asserted,
    /// `del name`: placed at the statement; CPython's at the name.
    Deleted,
}

/// A statement's act: where RustPython places it (`within`: anywhere in
/// it, or exactly there for `del`), the name it deletes, and CPython's
/// position for it.
struct Site<'a> {
    act: Act,
    within: Span,
    name: Option<&'a str>,
    recorded: Span,
}

/// `code`, compiled from `reparsed`'s source, with its instructions
/// placed as CPython places them. The same object when nothing differs.
pub(crate) fn as_cpython(
    code: PyRef<PyCode>,
    reparsed: &Reparsed<'_>,
    vm: &VirtualMachine,
) -> PyRef<PyCode> {
    if !may_be_misplaced(&code) {
        return code;
    }
    let Some(parsed) = reparsed.tree() else {
        return code;
    };
    let source = reparsed.source();
    let lines = LineStarts::of(source);
    let mut survey = Survey {
        lines: &lines,
        reads: Vec::new(),
        definitions: Vec::new(),
        statements: Vec::new(),
        source,
    };
    for statement in &parsed.syntax().body {
        survey.visit_stmt(statement);
    }
    let mut reads_named: HashMap<&str, Vec<usize>> = HashMap::new();
    for (at, read) in survey.reads.iter().enumerate() {
        reads_named.entry(read.name).or_default().push(at);
    }
    let mut found = Found {
        reads_named,
        budget: PAIRING_BUDGET,
        reads_used: vec![false; survey.reads.len()],
        definitions_used: vec![false; survey.definitions.len()],
        statements_used: vec![false; survey.statements.len()],
        reads: survey.reads,
        definitions: survey.definitions,
        statements: survey.statements,
    };
    if found.reads.is_empty() && found.definitions.is_empty() && found.statements.is_empty() {
        return code;
    }
    placed(&code, &mut found, vm).unwrap_or(code)
}

/// Whether `code` or a code object it holds has an instruction RustPython
/// may place otherwise than CPython.
fn may_be_misplaced(code: &PyCode) -> bool {
    code.code.instructions.iter().any(|unit| {
        matches!(
            unit.op,
            Instruction::LoadAttr { .. }
                | Instruction::LoadSuperAttr { .. }
                | Instruction::StoreAttr { .. }
                | Instruction::DeleteAttr { .. }
                | Instruction::Call { .. }
                | Instruction::CallKw { .. }
                | Instruction::CallFunctionEx
                | Instruction::BinaryOp { .. }
                | Instruction::UnpackSequence { .. }
                | Instruction::UnpackEx { .. }
                | Instruction::RaiseVarargs { .. }
                | Instruction::DeleteFast { .. }
                | Instruction::DeleteName { .. }
                | Instruction::DeleteGlobal { .. }
        )
    }) || code.code.constants.iter().any(|constant| {
        nested_code(&PyObjectRef::from(constant.clone())).is_some_and(may_be_misplaced)
    })
}

fn nested_code(constant: &PyObject) -> Option<&PyCode> {
    constant.downcast_ref::<PyCode>().map(|code| &**code)
}

/// Byte offsets where each line of a source starts (`\n`, `\r\n` and `\r`
/// end a line, as the parser reads them).
struct LineStarts(Vec<usize>);

impl LineStarts {
    fn of(source: &str) -> Self {
        let bytes = source.as_bytes();
        let mut starts = vec![0];
        let mut at = 0;
        while at < bytes.len() {
            match bytes[at] {
                b'\r' if bytes.get(at + 1) == Some(&b'\n') => {
                    at += 2;
                    starts.push(at);
                }
                b'\n' | b'\r' => {
                    at += 1;
                    starts.push(at);
                }
                _ => at += 1,
            }
        }
        Self(starts)
    }

    fn position(&self, offset: usize) -> (u32, u32) {
        let line = self.0.partition_point(|start| *start <= offset).max(1);
        let start = self.0.get(line - 1).copied().unwrap_or(0);
        let to_u32 = |value: usize| u32::try_from(value).unwrap_or(u32::MAX);
        (to_u32(line), to_u32(offset - start))
    }

    fn span(&self, range: TextRange) -> Span {
        Span {
            start: self.position(range.start().to_usize()),
            end: self.position(range.end().to_usize()),
        }
    }
}

/// Every attribute, class, decorated function and statement of the
/// source whose position may differ, in source order.
struct Survey<'s, 'a> {
    lines: &'s LineStarts,
    reads: Vec<Read<'a>>,
    definitions: Vec<Definition<'a>>,
    statements: Vec<Site<'a>>,
    source: &'a str,
}

impl<'a> Visitor<'a> for Survey<'_, 'a> {
    fn visit_expr(&mut self, expr: &'a Expr) {
        if let Expr::Attribute(ExprAttribute {
            value,
            attr,
            ctx,
            range,
            ..
        }) = expr
        {
            let mut recorded = self.lines.span(*range);
            if recorded.start.0 != recorded.end.0 {
                // Over lines, CPython 3.11 starts it at the name
                // (`update_start_location_to_match_attr`), counting the
                // name's characters back from the end's byte column.
                let length = u32::try_from(attr.as_str().chars().count()).unwrap_or(u32::MAX);
                recorded.start = (recorded.end.0, recorded.end.1.saturating_sub(length));
            }
            self.reads.push(Read {
                name: attr.as_str(),
                context: *ctx,
                value: self.lines.span(value.range()),
                recorded,
                augmented_by: None,
            });
        }
        walk_expr(self, expr);
    }

    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        self.note_definition(stmt);
        self.note_sites(stmt);
        walk_stmt(self, stmt);
        if let Stmt::AugAssign(StmtAugAssign { target, value, .. }) = stmt {
            if let (Expr::Attribute(_), Some(read)) = (
                &**target,
                self.reads
                    .iter_mut()
                    .rev()
                    .find(|read| read.context == ExprContext::Store),
            ) {
                read.augmented_by = Some(self.lines.span(value.range()));
            }
        }
    }
}

impl<'a> Survey<'_, 'a> {
    /// Notes what `stmt` does that RustPython places otherwise.
    fn note_sites(&mut self, stmt: &'a Stmt) {
        let statement = self.lines.span(stmt.range());
        let site = |act, within: Span, name, recorded| Site {
            act,
            within,
            name,
            recorded,
        };
        let unpacked = |target: &Expr| matches!(target, Expr::Tuple(_) | Expr::List(_));
        match stmt {
            Stmt::AugAssign(StmtAugAssign { value, .. }) => {
                let value = self.lines.span(value.range());
                self.statements
                    .push(site(Act::Augmented, value, None, statement));
            }
            Stmt::Assign(StmtAssign { targets, value, .. }) => {
                let value = self.lines.span(value.range());
                for target in targets.iter().filter(|target| unpacked(target)) {
                    let target = self.lines.span(target.range());
                    self.statements
                        .push(site(Act::Unpacked, value, None, target));
                }
            }
            Stmt::For(StmtFor { target, iter, .. }) if unpacked(target) => {
                let iter = self.lines.span(iter.range());
                let target = self.lines.span(target.range());
                self.statements
                    .push(site(Act::Unpacked, iter, None, target));
            }
            Stmt::Assert(StmtAssert { test, msg, .. }) => {
                let within = msg
                    .as_ref()
                    .map_or(statement, |msg| self.lines.span(msg.range()));
                // A constant test is folded away: CPython raises at the
                // statement.
                let raised = if test.is_literal_expr() {
                    statement
                } else {
                    self.lines.span(test.range())
                };
                self.statements
                    .push(site(Act::Asserted, within, None, raised));
            }
            Stmt::Delete(StmtDelete { targets, .. }) => {
                for target in targets {
                    if let Expr::Name(ExprName { id, range, .. }) = target {
                        let name = self.lines.span(*range);
                        self.statements.push(site(
                            Act::Deleted,
                            statement,
                            Some(id.as_str()),
                            name,
                        ));
                    }
                }
            }
            _ => {}
        }
    }

    /// Notes `stmt` when it is a class or a decorated function.
    fn note_definition(&mut self, stmt: &'a Stmt) {
        let (name, decorators, is_class) = match stmt {
            Stmt::FunctionDef(StmtFunctionDef {
                name,
                decorator_list,
                ..
            }) => (name, decorator_list, false),
            Stmt::ClassDef(StmtClassDef {
                name,
                decorator_list,
                ..
            }) => (name, decorator_list, true),
            _ => return,
        };
        if !is_class && decorators.is_empty() {
            return;
        }
        let statement = self.lines.span(stmt.range());
        let class = is_class.then(|| {
            // The first line after the decorators that starts with the
            // keyword.
            let after = decorators.last().map_or(stmt.start(), |last| last.end());
            let keyword = self.source[after.to_usize()..]
                .match_indices("class")
                .map(|(at, _)| after.to_usize() + at)
                .find(|at| {
                    let line_start = self.source[..*at]
                        .rfind(['\n', '\r'])
                        .map_or(0, |end| end + 1);
                    self.source[line_start..*at].trim().is_empty()
                })
                .unwrap_or(stmt.start().to_usize());
            Span {
                start: self.lines.position(keyword),
                end: statement.end,
            }
        });
        self.definitions.push(Definition {
            name: name.as_str(),
            statement,
            decorators: decorators
                .iter()
                .map(|decorator| self.lines.span(decorator.expression.range()))
                .collect(),
            class,
        });
    }
}

/// `code` with its reads placed, or None when none moved (here or in the
/// code objects it holds).
fn placed(code: &PyCode, found: &mut Found<'_>, vm: &VirtualMachine) -> Option<PyRef<PyCode>> {
    let mut constants: Vec<PyObjectRef> = code
        .code
        .constants
        .iter()
        .map(|constant| PyObjectRef::from(constant.clone()))
        .collect();
    let mut changed = false;
    for constant in constants.iter_mut() {
        if let Some(rebuilt) = nested_code(constant).and_then(|inner| placed(inner, found, vm)) {
            *constant = rebuilt.into();
            changed = true;
        }
    }
    let table = Table {
        units: &code.code.instructions,
        names: &code.code.names,
        locals: &code.code.varnames,
        locations: &code.code.locations,
        linetable: &code.code.linetable,
        first_line: code.code.first_line_number,
    };
    let moved = moved(&table, found);
    if moved.is_none() && !changed {
        return None;
    }
    let mut object = code.code.clone();
    if let Some((locations, linetable)) = moved {
        object.locations = locations;
        object.linetable = linetable;
    }
    object.constants = constants.into_iter().map(Into::into).collect();
    Some(vm.ctx.new_code(object))
}

/// A code unit's start and end in the source.
type Location = (SourceLocation, SourceLocation);

/// A code object's new locations and location table.
type Moved = (Box<[Location]>, Box<[u8]>);

/// What of a code object says where its instructions stand.
struct Table<'c> {
    units: &'c [CodeUnit],
    names: &'c [&'static PyStrInterned],
    locals: &'c [&'static PyStrInterned],
    locations: &'c [Location],
    linetable: &'c [u8],
    first_line: Option<OneIndexed>,
}

impl Table<'_> {
    /// The name an instruction's argument `at` gives.
    fn name(&self, at: u32) -> Option<&'static str> {
        let at = usize::try_from(at).ok()?;
        self.names.get(at).map(|name| name.as_str())
    }

    /// The local variable an instruction's argument `at` gives.
    fn local(&self, at: u32) -> Option<&'static str> {
        let at = usize::try_from(at).ok()?;
        self.locals.get(at).map(|name| name.as_str())
    }
}

/// The code object's locations and location table with each attribute
/// and decorator call at CPython's position, or None when none moves.
fn moved(code: &Table<'_>, found: &mut Found<'_>) -> Option<Moved> {
    let units = code.units;
    if code.locations.len() != units.len() {
        return None;
    }
    let mut placing = Placing {
        units,
        entries: decoded(code.linetable, code.first_line?.get(), units.len())?,
        locations: code.locations.to_vec(),
        any: false,
    };
    let mut state = OpArgState::default();
    // The calls just before, and how many arguments each had: a class's
    // building and decorators' calls end in the store of its name.
    let mut calls: Vec<(usize, u32)> = Vec::new();
    for (index, unit) in units.iter().enumerate() {
        let (op, arg) = state.get(*unit);
        let arg = u32::from(arg);
        let attribute = match op {
            Instruction::ExtendedArg | Instruction::Cache => continue,
            Instruction::Call { .. } | Instruction::CallKw { .. } => {
                calls.push((index, arg));
                continue;
            }
            // Arguments unpacked (`class C(*bases)`): two or more.
            Instruction::CallFunctionEx => {
                calls.push((index, u32::MAX));
                continue;
            }
            Instruction::LoadAttr { .. } => Some((arg >> 1, None)),
            Instruction::LoadSuperAttr { .. } => Some((arg >> 2, None)),
            Instruction::StoreAttr { .. } => Some((arg, Some(ExprContext::Store))),
            Instruction::DeleteAttr { .. } => Some((arg, Some(ExprContext::Del))),
            _ => None,
        };
        let stored = match op {
            Instruction::StoreName { .. } | Instruction::StoreGlobal { .. } => code.name(arg),
            Instruction::StoreFast { .. } => code.local(arg),
            _ => None,
        };
        if let Some(name) = stored {
            for (call, span) in defined(found, name, &calls, &placing) {
                placing.place(call, span);
            }
        }
        calls.clear();
        let act = match op {
            Instruction::BinaryOp { .. } if (13..=25).contains(&arg) => {
                Some((Act::Augmented, None))
            }
            Instruction::UnpackSequence { .. } | Instruction::UnpackEx { .. } => {
                Some((Act::Unpacked, None))
            }
            Instruction::RaiseVarargs { .. } => Some((Act::Asserted, None)),
            Instruction::DeleteFast { .. } => Some((Act::Deleted, code.local(arg))),
            Instruction::DeleteName { .. } | Instruction::DeleteGlobal { .. } => {
                Some((Act::Deleted, code.name(arg)))
            }
            _ => None,
        };
        if let Some((act, name)) = act {
            let given = placing.given(index);
            if let Some(site) = acting(found, act, name, &given) {
                placing.place(index, found.statements[site].recorded);
            }
        }
        let Some((name_index, context)) = attribute else {
            continue;
        };
        let Some(name) = code.name(name_index) else {
            continue;
        };
        let given = placing.given(index);
        if let Some(read) = paired(found, name, context, &given) {
            placing.place(index, found.reads[read].recorded);
        }
    }
    let Placing {
        entries,
        locations,
        any,
        ..
    } = placing;
    any.then(|| {
        (
            locations.into_boxed_slice(),
            encoded(&entries, code.first_line.map_or(0, OneIndexed::get)),
        )
    })
}

/// A code object's positions as they are being moved.
struct Placing<'c> {
    units: &'c [CodeUnit],
    entries: Vec<Entry>,
    locations: Vec<Location>,
    any: bool,
}

impl Placing<'_> {
    /// Where RustPython placed the instruction at `index`.
    fn given(&self, index: usize) -> Span {
        let (start, end) = self.locations[index];
        Span {
            start: as_position(start),
            end: as_position(end),
        }
    }

    /// Places the instruction at `index` (its extended arguments and
    /// caches with it) at `span`.
    fn place(&mut self, index: usize, span: Span) {
        if self.given(index) == span {
            return;
        }
        let units = self.units;
        let first = index
            - units[..index]
                .iter()
                .rev()
                .take_while(|unit| matches!(unit.op, Instruction::ExtendedArg))
                .count();
        let last = index
            + units[index + 1..]
                .iter()
                .take_while(|unit| matches!(unit.op, Instruction::Cache))
                .count();
        for at in first..=last {
            let (start, end) = self.locations[at];
            self.locations[at] = (as_location(span.start, start), as_location(span.end, end));
            if let Entry::Full(..) = self.entries[at] {
                self.entries[at] = Entry::Full(
                    span.start.0 as i32,
                    span.end.0 as i32,
                    span.start.1 as i32,
                    span.end.1 as i32,
                );
            }
        }
        self.any = true;
    }
}

/// The calls of `calls` (those just before the store of `name`) that
/// define the first unpaired class or decorated function named `name`,
/// each with CPython's position for it, and that definition marked
/// paired. A function's decorators are called without arguments at its
/// statement; a class is built by a call of two arguments or more
/// anywhere in it, then its decorators are called.
fn defined(
    found: &mut Found<'_>,
    name: &str,
    calls: &[(usize, u32)],
    placing: &Placing<'_>,
) -> Vec<(usize, Span)> {
    let fits = |definition: &Definition<'_>| {
        let decorators = definition.decorators.len();
        let needed = decorators + usize::from(definition.class.is_some());
        if definition.name != name || needed == 0 || calls.len() < needed {
            return false;
        }
        let own = &calls[calls.len() - needed..];
        let (building, decorating) = own.split_at(needed - decorators);
        decorating.iter().all(|(_, argc)| *argc == 0)
            && match (building.first(), definition.class) {
                (Some((call, argc)), Some(_)) => {
                    *argc >= 2 && definition.statement.holds(&placing.given(*call))
                }
                (None, None) => decorating
                    .first()
                    .is_some_and(|(call, _)| definition.statement == placing.given(*call)),
                _ => false,
            }
    };
    if !found.affords(found.definitions.len()) {
        return Vec::new();
    }
    let Some(chosen) = found
        .definitions
        .iter()
        .enumerate()
        .position(|(at, definition)| !found.definitions_used[at] && fits(definition))
    else {
        return Vec::new();
    };
    found.definitions_used[chosen] = true;
    let definition = &found.definitions[chosen];
    let decorators = definition.decorators.len();
    let own = &calls[calls.len() - decorators - usize::from(definition.class.is_some())..];
    let mut placed: Vec<(usize, Span)> = Vec::new();
    if let (Some(class), Some((call, _))) = (definition.class, own.first()) {
        placed.push((*call, class));
    }
    // The first decorator call applies the last decorator.
    let decorating = &own[own.len() - decorators..];
    placed.extend(
        decorating
            .iter()
            .zip(definition.decorators.iter().rev())
            .map(|((call, _), span)| (*call, *span)),
    );
    placed
}

/// The first unpaired statement doing `act` (to `name`) where RustPython
/// placed `given`, marked paired.
fn acting(found: &mut Found<'_>, act: Act, name: Option<&str>, given: &Span) -> Option<usize> {
    if !found.affords(found.statements.len()) {
        return None;
    }
    let chosen = found.statements.iter().enumerate().position(|(at, site)| {
        !found.statements_used[at]
            && site.act == act
            && site.name == name
            && if act == Act::Deleted {
                site.within == *given
            } else {
                site.within.holds(given)
            }
    })?;
    found.statements_used[chosen] = true;
    Some(chosen)
}

/// The unused attribute named `name`, used as `context` (a load: as
/// anything, for `x.y += 1` loads what it stores), whose value holds
/// `given` (the one whose value is smallest), marked used; a used one
/// when no other holds it (a `finally` body is compiled twice).
fn paired(
    found: &mut Found<'_>,
    name: &str,
    context: Option<ExprContext>,
    given: &Span,
) -> Option<usize> {
    let named = found.reads_named.get(name)?.len();
    if !found.affords(named) {
        return None;
    }
    let reads = &found.reads;
    let used = &mut found.reads_used;
    let holding = |read: &Read<'_>| {
        context.is_none_or(|context| context == read.context)
            && (read.value.holds(given)
                || (context == Some(ExprContext::Store)
                    && read.augmented_by.is_some_and(|value| value.holds(given))))
    };
    let named = found.reads_named.get(name)?;
    let smallest = |fresh: bool| {
        named
            .iter()
            .copied()
            .filter(|at| holding(&reads[*at]) && (!fresh || !used[*at]))
            .min_by_key(|at| {
                (
                    reads[*at].value.end,
                    std::cmp::Reverse(reads[*at].value.start),
                )
            })
    };
    let chosen = smallest(true).or_else(|| smallest(false))?;
    used[chosen] = true;
    Some(chosen)
}

fn as_position(location: SourceLocation) -> (u32, u32) {
    let to_u32 = |value: usize| u32::try_from(value).unwrap_or(u32::MAX);
    (
        to_u32(location.line.get()),
        to_u32(location.character_offset.to_zero_indexed()),
    )
}

fn as_location((line, column): (u32, u32), like: SourceLocation) -> SourceLocation {
    SourceLocation {
        line: OneIndexed::new(line as usize).unwrap_or(like.line),
        character_offset: OneIndexed::from_zero_indexed(column as usize),
    }
}

#[cfg(test)]
mod tests {
    use super::{LineStarts, Span};

    #[test]
    fn positions_are_lines_and_byte_columns() {
        let lines = LineStarts::of("a\nbé\r\ncd\re");
        assert_eq!(lines.position(0), (1, 0));
        assert_eq!(lines.position(2), (2, 0));
        // `é` is two bytes: the column after it is 3.
        assert_eq!(lines.position(5), (2, 3));
        assert_eq!(lines.position(7), (3, 0));
        assert_eq!(lines.position(10), (4, 0));
    }

    #[test]
    fn a_span_holds_what_lies_within_it() {
        let outer = Span {
            start: (1, 4),
            end: (2, 3),
        };
        let inner = Span {
            start: (1, 8),
            end: (1, 9),
        };
        assert!(outer.holds(&inner) && outer.holds(&outer) && !inner.holds(&outer));
    }
}
