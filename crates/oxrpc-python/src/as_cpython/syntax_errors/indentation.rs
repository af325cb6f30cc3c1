//! Indentation as CPython's tokenizer checks it.
//!
//! CPython measures each logical line's indentation twice, with tabs
//! stopping every eight columns and with a tab counting as one, and calls
//! the two measures' disagreeing about an indent or a dedent a `TabError`:
//! the block structure would depend on the tab size. RustPython calls any
//! source that indents with tabs on one line and spaces on another a
//! `TabError`, and misses a tab and spaces that only disagree in a nested
//! block. Both measures are taken here, over the lines where a logical line
//! starts (not a bracket's or a string's continuation, not a blank or a
//! comment-only line).

use super::source::Source;
use super::{Class, Report};

/// What CPython's tokenizer refuses in a line's indentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Refused {
    /// Tabs and spaces whose two measures disagree (a `TabError`).
    TabsAndSpaces(usize),
    /// A dedent to no enclosing block's indentation, measured with tab
    /// stops every eight columns (an `IndentationError`).
    Unindent(usize),
}

impl Refused {
    pub(super) fn line(self) -> usize {
        match self {
            Refused::TabsAndSpaces(line) | Refused::Unindent(line) => line,
        }
    }

    /// The error CPython reports for it.
    pub(super) fn report(self, source: &Source, filename: &str) -> Report {
        let line = self.line();
        let text = source.line(line).unwrap_or("");
        let (class, msg, offset, end) = match self {
            Refused::TabsAndSpaces(_) => (
                Class::Tab,
                "inconsistent use of tabs and spaces in indentation",
                1,
                0,
            ),
            Refused::Unindent(_) => (
                Class::Indentation,
                "unindent does not match any outer indentation level",
                text.chars().count() as i64 + 1,
                -1,
            ),
        };
        Report {
            class,
            msg: msg.to_owned(),
            filename: filename.to_owned(),
            lineno: line,
            offset,
            text: Some(format!("{text}\n")),
            end: Some((line, end)),
        }
    }
}

/// The first line whose indentation CPython's tokenizer refuses, if any.
pub(super) fn refused_line(source: &Source) -> Option<Refused> {
    let tokens = source.tokens();
    // The indentation of each enclosing block: (tab size 8, tab size 1).
    let mut blocks = vec![(0usize, 0usize)];
    for start in tokens.logical_line_starts() {
        let (lineno, column) = source.position(start);
        let indentation = source.line(lineno)?.get(..column)?;
        if !indentation
            .chars()
            .all(|c| matches!(c, ' ' | '\t' | '\x0c'))
        {
            continue;
        }
        let (width, alternative) = measure(indentation);
        let &(top, alternative_top) = blocks.last()?;
        let consistent = if width == top {
            alternative == alternative_top
        } else if width > top {
            blocks.push((width, alternative));
            alternative > alternative_top
        } else {
            while blocks.len() > 1 && blocks.last().is_some_and(|&(top, _)| width < top) {
                blocks.pop();
            }
            match blocks.last() {
                Some(&(top, _)) if top != width => return Some(Refused::Unindent(lineno)),
                Some(&(_, alternative_top)) => alternative == alternative_top,
                None => return None,
            }
        };
        if !consistent {
            return Some(Refused::TabsAndSpaces(lineno));
        }
    }
    None
}

/// An indentation's width with tab stops every 8 columns, and with a tab
/// counting as one. A form feed starts both again.
fn measure(indentation: &str) -> (usize, usize) {
    indentation
        .chars()
        .fold((0, 0), |(width, alternative), c| match c {
            '\t' => ((width / 8 + 1) * 8, alternative + 1),
            '\x0c' => (0, 0),
            _ => (width + 1, alternative + 1),
        })
}

/// Whether line `lineno` starts a logical line indented deeper than the
/// one before it (or than nothing, for the first), which an expression's
/// source may not be.
pub(super) fn unexpected_indent(source: &Source, lineno: usize) -> bool {
    let tokens = source.tokens();
    let mut previous = 0usize;
    for start in tokens.logical_line_starts() {
        let (line, column) = source.position(start);
        if line == lineno {
            return column > previous;
        }
        previous = column;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line_of(source: &str) -> Option<usize> {
        match refused_line(&Source::new(source)) {
            Some(Refused::TabsAndSpaces(line)) => Some(line),
            _ => None,
        }
    }

    /// Each case was run through CPython 3.11's `compile`.
    #[test]
    fn tabs_and_spaces_disagree_where_cpython_says_they_do() {
        assert_eq!(line_of("if 1:\n\tx = 1\n        y = 2\n"), Some(3));
        assert_eq!(line_of("def f():\n\tx = 1\n        y = 2\n"), Some(3));
        assert_eq!(line_of("def g():\n    pass\n\ty = 2"), Some(3));
        assert_eq!(line_of("if 1:\n\tif 2:\n\t    x = 1\n"), None);
        assert_eq!(line_of("if 1:\n\tx = (1,\n  2)\n"), None);
        assert_eq!(line_of("if 1:\n    x = 1\nif 2:\n\ty = 2\n"), None);
        assert_eq!(line_of("if 1:\n  \tx = 1\n\ty = 2\n"), Some(3));
    }

    #[test]
    fn an_unindent_to_no_block_is_refused_as_cpython_measures_it() {
        let refused = |source: &str| refused_line(&Source::new(source));
        assert_eq!(
            refused("if 1:\n\tif 2:\n\t \tx = 1\n\t  y = 2"),
            Some(Refused::Unindent(4))
        );
        assert_eq!(
            refused("if 1:\n\tx = 1\n    y = 2\nz z"),
            Some(Refused::Unindent(3))
        );
        assert_eq!(refused("if 1:\n  x = 1\ny = 2\n"), None);
    }

    #[test]
    fn tab_stops_are_every_eight_columns() {
        assert_eq!(measure("\t"), (8, 1));
        assert_eq!(measure("   \t"), (8, 4));
        assert_eq!(measure("\t  "), (10, 3));
        assert_eq!(measure("  \x0c "), (1, 1));
    }
}
