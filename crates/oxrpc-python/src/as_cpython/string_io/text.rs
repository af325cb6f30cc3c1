//! The characters a `StringIO` holds, indexed by code point.
//!
//! CPython's positions in a `StringIO` count code points: `read(2)` of
//! `'héllo'` is `'hé'` and `tell()` is then 2. The text is kept as one
//! unit per code point, as CPython's buffer keeps them, in bytes while
//! every one is ASCII (the usual file of text) and in 32 bits once one is
//! not, so a position is an index either way.

use rustpython_vm::common::wtf8::{CodePoint, Wtf8, Wtf8Buf};

/// A run of code points that can be read, overwritten and extended at any
/// position.
#[derive(Debug)]
pub(super) enum Text {
    /// Every code point is ASCII: one byte each.
    Ascii(Vec<u8>),
    /// Any code point, lone surrogates included.
    Wide(Vec<u32>),
}

/// Where a line ends, as the file's newline mode reads lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LineEnding {
    /// At each `'\n'`.
    Lf,
    /// At each `'\r'`.
    Cr,
    /// At each `'\r\n'`.
    CrLf,
    /// At the first of `'\r\n'`, `'\r'` or `'\n'`.
    Any,
}

impl Default for Text {
    fn default() -> Self {
        Text::Ascii(Vec::new())
    }
}

impl Text {
    /// A text holding exactly `text`.
    pub(super) fn from_wtf8(text: &Wtf8) -> Text {
        let mut new = Text::default();
        new.write_at(0, text, text.is_ascii());
        new
    }

    /// How many code points it holds.
    pub(super) fn len(&self) -> usize {
        match self {
            Text::Ascii(units) => units.len(),
            Text::Wide(units) => units.len(),
        }
    }

    /// The code points from `start` up to `end` (both within the text).
    pub(super) fn slice(&self, start: usize, end: usize) -> Wtf8Buf {
        match self {
            Text::Ascii(units) => {
                let ascii = units.get(start..end).unwrap_or_default();
                // ASCII is UTF-8 as it is; the check is a fast scan.
                std::str::from_utf8(ascii)
                    .map(|text| Wtf8Buf::from_string(text.to_owned()))
                    .unwrap_or_default()
            }
            Text::Wide(units) => units
                .get(start..end)
                .unwrap_or_default()
                .iter()
                .filter_map(|&unit| CodePoint::from_u32(unit))
                .collect(),
        }
    }

    /// All of it (`getvalue`).
    pub(super) fn whole(&self) -> Wtf8Buf {
        self.slice(0, self.len())
    }

    /// Writes `text` (`ascii` if it is) from `position` on, over what is
    /// there and past the end, with NULs between the end and `position`
    /// if it is past it. The caller has checked that the new length can be
    /// allocated.
    pub(super) fn write_at(&mut self, position: usize, text: &Wtf8, ascii: bool) {
        if matches!(self, Text::Ascii(_)) && !ascii {
            self.widen();
        }
        match self {
            Text::Ascii(units) => put(units, position, text.as_bytes().iter().copied()),
            Text::Wide(units) => put(
                units,
                position,
                text.code_points().map(|point| point.to_u32()),
            ),
        }
    }

    /// Cuts the text to `size` code points (a size past the end leaves it).
    pub(super) fn truncate(&mut self, size: usize) {
        match self {
            Text::Ascii(units) => units.truncate(size),
            Text::Wide(units) => units.truncate(size),
        }
    }

    /// Where the line that starts at `start` ends, looking no further than
    /// `limit` (within the text): just past its line ending, else `limit`.
    pub(super) fn line_end(&self, start: usize, limit: usize, ending: LineEnding) -> usize {
        match self {
            Text::Ascii(units) => line_end(units.get(start..limit), ending, start, limit),
            Text::Wide(units) => line_end(units.get(start..limit), ending, start, limit),
        }
    }

    /// Turns an ASCII text into a wide one, before a write that is not
    /// ASCII.
    fn widen(&mut self) {
        if let Text::Ascii(units) = self {
            let wide = units.iter().map(|&unit| u32::from(unit)).collect();
            *self = Text::Wide(wide);
        }
    }
}

/// Writes `units` into `buffer` from `position`, padding with zeros up
/// to it.
fn put<T: Copy + Default>(buffer: &mut Vec<T>, position: usize, units: impl Iterator<Item = T>) {
    if buffer.len() <= position {
        // Appending, the usual write.
        buffer.resize(position, T::default());
        buffer.extend(units);
        return;
    }
    for (at, unit) in (position..).zip(units) {
        match buffer.get_mut(at) {
            Some(slot) => *slot = unit,
            None => buffer.push(unit),
        }
    }
}

/// [`Text::line_end`] over the units of one width: `units` are those
/// from `start` to `limit`.
fn line_end<T: Copy + Into<u32>>(
    units: Option<&[T]>,
    ending: LineEnding,
    start: usize,
    limit: usize,
) -> usize {
    const CR: u32 = '\r' as u32;
    const LF: u32 = '\n' as u32;
    let Some(units) = units else {
        return limit;
    };
    let at = |index: usize| units.get(index).map(|&unit| unit.into());
    let found = match ending {
        LineEnding::Lf => units
            .iter()
            .position(|&unit| unit.into() == LF)
            .map(|index| index + 1),
        LineEnding::Cr => units
            .iter()
            .position(|&unit| unit.into() == CR)
            .map(|index| index + 1),
        LineEnding::CrLf => (0..units.len())
            .find(|&index| at(index) == Some(CR) && at(index + 1) == Some(LF))
            .map(|index| index + 2),
        LineEnding::Any => units
            .iter()
            .position(|&unit| matches!(unit.into(), CR | LF))
            .map(|index| match (at(index), at(index + 1)) {
                (Some(CR), Some(LF)) => index + 2,
                _ => index + 1,
            }),
    };
    found.map_or(limit, |length| start + length)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(value: &str) -> Text {
        Text::from_wtf8(Wtf8::new(value))
    }

    #[test]
    fn positions_count_code_points_in_either_width() {
        let mut file = text("héllo");
        assert_eq!(file.len(), 5);
        assert_eq!(file.slice(0, 2).as_bytes(), "hé".as_bytes());
        file.write_at(7, Wtf8::new("x"), true);
        assert_eq!(file.slice(0, 8).as_bytes(), "héllo\0\0x".as_bytes());
        let mut ascii = text("abc");
        ascii.write_at(1, Wtf8::new("é"), false);
        assert!(matches!(ascii, Text::Wide(_)));
        assert_eq!(ascii.slice(0, 3).as_bytes(), "aéc".as_bytes());
        ascii.truncate(1);
        assert_eq!(ascii.len(), 1);
    }

    #[test]
    fn lines_end_as_the_newline_mode_reads_them() {
        let file = text("a\r\nb\rc\n");
        assert_eq!(file.line_end(0, 7, LineEnding::Any), 3);
        assert_eq!(file.line_end(3, 7, LineEnding::Any), 5);
        assert_eq!(file.line_end(0, 7, LineEnding::Lf), 3);
        assert_eq!(file.line_end(0, 7, LineEnding::Cr), 2);
        assert_eq!(file.line_end(2, 7, LineEnding::CrLf), 7);
        // A '\r' at the limit ends the line there: what follows is not
        // looked at.
        assert_eq!(file.line_end(0, 2, LineEnding::Any), 2);
        assert_eq!(file.line_end(0, 2, LineEnding::CrLf), 2);
    }
}
