//! A code object's location table, in CPython 3.11's format.
//!
//! `co_positions()` and tracebacks read an instruction's columns from
//! this table: one entry per code unit, runs of up to eight units with
//! the same position written once, each in the shortest of 16 kinds
//! (`Objects/locations.md` in CPython's sources). `decoded` reads every
//! kind; `encoded` writes the long kind, "no columns" and "no location",
//! which every reader of the format reads.

/// One code unit's entry in a location table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Entry {
    /// No location (kind 15).
    Nothing,
    /// A line without columns (kind 13).
    Line(i32),
    /// Line, end line, column and end column (the other kinds).
    Full(i32, i32, i32, i32),
}

/// The table's entries, one per code unit, or None when it does not
/// describe exactly `units` of them.
pub(super) fn decoded(table: &[u8], first_line: usize, units: usize) -> Option<Vec<Entry>> {
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
pub(super) fn encoded(entries: &[Entry], first_line: usize) -> Box<[u8]> {
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
