//! Where an attribute read, write or deletion stands in the source, as
//! CPython 3.11's compiler records it.
//!
//! CPython gives an attribute's instruction (`LOAD_ATTR`, a method's
//! load, `STORE_ATTR`, `DELETE_ATTR`) the position of the whole
//! `value.name` expression, and over lines the position of the name
//! alone; RustPython 0.5's compiler gives it whatever position it set
//! last while compiling the value (`x` of `x.nope`, the call of `f(a).y`,
//! the `super()` of `super().m`, the value of `x.y += v`). A traceback
//! marks that position under the line (`^` under `x` alone where CPython
//! marks `x.nope`), names its line, and `co_positions()` and
//! `traceback.extract_tb` give its columns: for the most common error
//! there is, an attribute a value does not have.
//!
//! After the server compiles text, a code object that uses an attribute
//! has its source parsed again; each instruction is paired with the
//! `Attribute` node of its name whose value holds the position RustPython
//! gave it (the innermost first, in order), and its locations and
//! location table are written with CPython's position for the node. Code
//! read from elsewhere (the frozen standard library, `marshal`) is left
//! as it is.

use ruff_text_size::{Ranged, TextRange};
use rustpython_vm::builtins::PyCode;
use rustpython_vm::bytecode::{CodeUnit, Instruction, OpArgState};
use rustpython_vm::compiler::ast::visitor::{walk_expr, walk_stmt, Visitor};
use rustpython_vm::compiler::ast::{Expr, ExprAttribute, ExprContext, Stmt, StmtAugAssign};
use rustpython_vm::compiler::core::{OneIndexed, SourceLocation};
use rustpython_vm::compiler::parser;
use rustpython_vm::{PyObject, PyObjectRef, PyRef, VirtualMachine};

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

/// `code`, compiled from `source`, with its attribute reads placed as
/// CPython places them. The same object when nothing differs.
pub(crate) fn as_cpython(code: PyRef<PyCode>, source: &str, vm: &VirtualMachine) -> PyRef<PyCode> {
    if !reads_attribute(&code) {
        return code;
    }
    let Ok(parsed) = parser::parse_module(source) else {
        return code;
    };
    let lines = LineStarts::of(source);
    let mut reads = Reads {
        lines: &lines,
        found: Vec::new(),
    };
    for statement in &parsed.syntax().body {
        reads.visit_stmt(statement);
    }
    let mut used = vec![false; reads.found.len()];
    placed(&code, &reads.found, &mut used, vm).unwrap_or(code)
}

/// Whether `code` or a code object it holds uses an attribute.
fn reads_attribute(code: &PyCode) -> bool {
    code.code.instructions.iter().any(|unit| {
        matches!(
            unit.op,
            Instruction::LoadAttr { .. }
                | Instruction::LoadSuperAttr { .. }
                | Instruction::StoreAttr { .. }
                | Instruction::DeleteAttr { .. }
        )
    }) || code.code.constants.iter().any(|constant| {
        nested_code(&PyObjectRef::from(constant.clone())).is_some_and(reads_attribute)
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

/// Every `Attribute` node the source reads, in source order.
struct Reads<'s, 'a> {
    lines: &'s LineStarts,
    found: Vec<Read<'a>>,
}

impl<'a> Visitor<'a> for Reads<'_, 'a> {
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
            self.found.push(Read {
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
        walk_stmt(self, stmt);
        if let Stmt::AugAssign(StmtAugAssign { target, value, .. }) = stmt {
            if let (Expr::Attribute(_), Some(read)) = (
                &**target,
                self.found
                    .iter_mut()
                    .rev()
                    .find(|read| read.context == ExprContext::Store),
            ) {
                read.augmented_by = Some(self.lines.span(value.range()));
            }
        }
    }
}

/// `code` with its reads placed, or None when none moved (here or in the
/// code objects it holds).
fn placed(
    code: &PyCode,
    reads: &[Read<'_>],
    used: &mut [bool],
    vm: &VirtualMachine,
) -> Option<PyRef<PyCode>> {
    let mut constants: Vec<PyObjectRef> = code
        .code
        .constants
        .iter()
        .map(|constant| PyObjectRef::from(constant.clone()))
        .collect();
    let mut changed = false;
    for constant in constants.iter_mut() {
        if let Some(rebuilt) =
            nested_code(constant).and_then(|inner| placed(inner, reads, used, vm))
        {
            *constant = rebuilt.into();
            changed = true;
        }
    }
    let mut object = code.code.clone();
    let names: Vec<&str> = object.names.iter().map(|name| name.as_str()).collect();
    let table = Table {
        units: &object.instructions,
        names: &names,
        locations: &object.locations,
        linetable: &object.linetable,
        first_line: object.first_line_number,
    };
    if let Some((locations, linetable)) = moved(&table, reads, used) {
        object.locations = locations;
        object.linetable = linetable;
        changed = true;
    }
    if !changed {
        return None;
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
    names: &'c [&'c str],
    locations: &'c [Location],
    linetable: &'c [u8],
    first_line: Option<OneIndexed>,
}

/// The code object's locations and location table with each attribute
/// read at its node's position, or None when none moves.
fn moved(code: &Table<'_>, reads: &[Read<'_>], used: &mut [bool]) -> Option<Moved> {
    let units = code.units;
    if code.locations.len() != units.len() {
        return None;
    }
    let mut entries = decoded(code.linetable, code.first_line?.get(), units.len())?;
    let mut locations = code.locations.to_vec();
    let mut state = OpArgState::default();
    let mut any = false;
    for (index, unit) in units.iter().enumerate() {
        let (op, arg) = state.get(*unit);
        let arg = u32::from(arg);
        let (name_index, context) = match op {
            Instruction::LoadAttr { .. } => (arg >> 1, None),
            Instruction::LoadSuperAttr { .. } => (arg >> 2, None),
            Instruction::StoreAttr { .. } => (arg, Some(ExprContext::Store)),
            Instruction::DeleteAttr { .. } => (arg, Some(ExprContext::Del)),
            _ => continue,
        };
        let Some(name) = usize::try_from(name_index)
            .ok()
            .and_then(|at| code.names.get(at))
        else {
            continue;
        };
        let (start, end) = locations[index];
        let given = Span {
            start: as_position(start),
            end: as_position(end),
        };
        let Some(read) = paired(reads, used, name, context, &given) else {
            continue;
        };
        let whole = reads[read].recorded;
        if whole == given {
            continue;
        }
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
            locations[at] = (as_location(whole.start, start), as_location(whole.end, end));
            if let Entry::Full(..) = entries[at] {
                entries[at] = Entry::Full(
                    whole.start.0 as i32,
                    whole.end.0 as i32,
                    whole.start.1 as i32,
                    whole.end.1 as i32,
                );
            }
        }
        any = true;
    }
    any.then(|| {
        (
            locations.into_boxed_slice(),
            encoded(&entries, code.first_line.map_or(0, OneIndexed::get)),
        )
    })
}

/// The unused attribute named `name`, used as `context` (a load: as
/// anything, for `x.y += 1` loads what it stores), whose value holds
/// `given` (the one whose value is smallest), marked used; a used one
/// when no other holds it (a `finally` body is compiled twice).
fn paired(
    reads: &[Read<'_>],
    used: &mut [bool],
    name: &str,
    context: Option<ExprContext>,
    given: &Span,
) -> Option<usize> {
    let holding = |read: &Read<'_>| {
        read.name == name
            && context.is_none_or(|context| context == read.context)
            && (read.value.holds(given)
                || (context == Some(ExprContext::Store)
                    && read.augmented_by.is_some_and(|value| value.holds(given))))
    };
    let smallest = |fresh: bool| {
        reads
            .iter()
            .enumerate()
            .filter(|(at, read)| holding(read) && (!fresh || !used[*at]))
            .min_by_key(|(_, read)| (read.value.end, std::cmp::Reverse(read.value.start)))
            .map(|(at, _)| at)
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

/// One code unit's entry in a location table (CPython 3.11's format).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry {
    /// No location (kind 15).
    Nothing,
    /// A line without columns (kind 13).
    Line(i32),
    /// Line, end line, column and end column (the other kinds).
    Full(i32, i32, i32, i32),
}

/// The table's entries, one per code unit, or None when it does not
/// describe exactly `units` of them.
fn decoded(table: &[u8], first_line: usize, units: usize) -> Option<Vec<Entry>> {
    let mut bytes = table.iter().copied();
    let mut line = i32::try_from(first_line).ok()?;
    let mut entries = Vec::with_capacity(units);
    while let Some(head) = bytes.next() {
        if head & 0x80 == 0 {
            return None;
        }
        let kind = (head >> 3) & 15;
        let length = usize::from(head & 7) + 1;
        let entry = match kind {
            0..=9 => {
                let second = i32::from(bytes.next()?);
                let column = i32::from(kind) * 8 + (second >> 4);
                Entry::Full(line, line, column, column + (second & 15))
            }
            10..=12 => {
                line += i32::from(kind) - 10;
                let column = i32::from(bytes.next()?);
                let end = i32::from(bytes.next()?);
                Entry::Full(line, line, column, end)
            }
            13 => {
                line += signed_varint(&mut bytes)?;
                Entry::Line(line)
            }
            14 => {
                line += signed_varint(&mut bytes)?;
                let end_line = line + i32::try_from(varint(&mut bytes)?).ok()?;
                let column = i32::try_from(varint(&mut bytes)?).ok()? - 1;
                let end = i32::try_from(varint(&mut bytes)?).ok()? - 1;
                Entry::Full(line, end_line, column, end)
            }
            _ => Entry::Nothing,
        };
        entries.extend(std::iter::repeat_n(entry, length));
    }
    (entries.len() == units).then_some(entries)
}

fn varint(bytes: &mut impl Iterator<Item = u8>) -> Option<u32> {
    let mut value = 0u32;
    let mut shift = 0;
    loop {
        let byte = bytes.next()?;
        value |= u32::from(byte & 63).checked_shl(shift)?;
        if byte & 64 == 0 {
            return Some(value);
        }
        shift += 6;
    }
}

fn signed_varint(bytes: &mut impl Iterator<Item = u8>) -> Option<i32> {
    let raw = varint(bytes)?;
    let magnitude = i32::try_from(raw >> 1).ok()?;
    Some(if raw & 1 == 1 { -magnitude } else { magnitude })
}

/// `entries` as a location table: runs of equal entries, up to eight code
/// units each, in the long form (kind 14), none (15) or line only (13).
fn encoded(entries: &[Entry], first_line: usize) -> Box<[u8]> {
    let mut table = Vec::new();
    let mut line = i32::try_from(first_line).unwrap_or(i32::MAX);
    let mut at = 0;
    while at < entries.len() {
        let entry = entries[at];
        let run = entries[at..]
            .iter()
            .take(8)
            .take_while(|other| **other == entry)
            .count();
        let length = u8::try_from(run - 1).unwrap_or(7);
        match entry {
            Entry::Nothing => table.push(0x80 | (15 << 3) | length),
            Entry::Line(to) => {
                table.push(0x80 | (13 << 3) | length);
                push_signed_varint(&mut table, to - line);
                line = to;
            }
            Entry::Full(to, end_line, column, end) => {
                table.push(0x80 | (14 << 3) | length);
                push_signed_varint(&mut table, to - line);
                push_varint(&mut table, (end_line - to).max(0).unsigned_abs());
                push_varint(&mut table, (column + 1).max(0).unsigned_abs());
                push_varint(&mut table, (end + 1).max(0).unsigned_abs());
                line = to;
            }
        }
        at += run;
    }
    table.into_boxed_slice()
}

fn push_varint(table: &mut Vec<u8>, mut value: u32) {
    while value >= 64 {
        table.push(64 | (value & 63) as u8);
        value >>= 6;
    }
    table.push(value as u8);
}

fn push_signed_varint(table: &mut Vec<u8>, value: i32) {
    let raw = if value < 0 {
        (value.unsigned_abs() << 1) | 1
    } else {
        value.unsigned_abs() << 1
    };
    push_varint(table, raw);
}

#[cfg(test)]
mod tests {
    use super::{decoded, encoded, Entry};

    #[test]
    fn a_table_reads_back_as_written() {
        let entries = vec![
            Entry::Line(0),
            Entry::Full(1, 1, 0, 5),
            Entry::Full(1, 1, 0, 5),
            Entry::Nothing,
            Entry::Full(3, 4, 200, 7),
            Entry::Full(2, 2, 4, 9),
            Entry::Full(2, 2, -1, -1),
        ];
        let table = encoded(&entries, 1);
        assert_eq!(decoded(&table, 1, entries.len()), Some(entries.clone()));
        assert_eq!(decoded(&table, 1, entries.len() + 1), None);
        let long: Vec<Entry> = std::iter::repeat_n(Entry::Full(9, 9, 1, 2), 20).collect();
        assert_eq!(decoded(&encoded(&long, 1), 1, 20), Some(long));
    }

    #[test]
    fn the_short_and_one_line_forms_are_read() {
        // Kind 1 (column 8 + 2, width 3) for two units, then kind 11 (one
        // line down, columns 4 to 9) for one.
        let table = [0x80 | (1 << 3) | 1, (2 << 4) | 3, 0x80 | (11 << 3), 4, 9];
        assert_eq!(
            decoded(&table, 5, 3),
            Some(vec![
                Entry::Full(5, 5, 10, 13),
                Entry::Full(5, 5, 10, 13),
                Entry::Full(6, 6, 4, 9)
            ])
        );
    }
}
