//! A `StringIO`'s newline mode: what its writes translate, where its
//! lines end, and which newlines it reports having seen.
//!
//! The mode is the constructor's `newline` argument, as CPython 3.11 reads
//! it: `None` translates `'\r\n'` and `'\r'` to `'\n'` as text is written
//! and reports the newlines it saw; `''` translates nothing, ends a line
//! at any newline and reports them; `'\n'` (the default) does nothing;
//! `'\r'` and `'\r\n'` write `'\n'` as themselves and end lines there.

use super::text::LineEnding;
use rustpython_vm::builtins::PyStr;
use rustpython_vm::common::wtf8::{Wtf8, Wtf8Buf};
use rustpython_vm::{PyObject, PyObjectRef, PyResult, VirtualMachine};
use std::borrow::Cow;

/// The `newline` a `StringIO` was made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum NewlineMode {
    /// `None`: universal newlines, translated to `'\n'`.
    Translated,
    /// `''`: universal newlines, kept as written.
    Universal,
    /// `'\n'`.
    #[default]
    Lf,
    /// `'\r'`.
    Cr,
    /// `'\r\n'`.
    CrLf,
}

impl NewlineMode {
    /// The mode `newline` asks for (absent: the default), or CPython's
    /// refusal of it.
    pub(super) fn from_argument(newline: Option<&PyObject>, vm: &VirtualMachine) -> PyResult<Self> {
        let Some(newline) = newline else {
            return Ok(NewlineMode::Lf);
        };
        if vm.is_none(newline) {
            return Ok(NewlineMode::Translated);
        }
        let Some(text) = newline.downcast_ref::<PyStr>() else {
            return Err(vm.new_type_error(format!(
                "newline must be str or None, not {}",
                newline.class().name()
            )));
        };
        match text.as_wtf8().as_bytes() {
            b"" => Ok(NewlineMode::Universal),
            b"\n" => Ok(NewlineMode::Lf),
            b"\r" => Ok(NewlineMode::Cr),
            b"\r\n" => Ok(NewlineMode::CrLf),
            _ => Err(vm.new_value_error(format!(
                "illegal newline value: {}",
                newline.repr(vm)?.as_wtf8()
            ))),
        }
    }

    /// The `newline` that makes this mode again (the second item of
    /// `__getstate__`).
    pub(super) fn argument(self, vm: &VirtualMachine) -> PyObjectRef {
        let text = match self {
            NewlineMode::Translated => return vm.ctx.none(),
            NewlineMode::Universal => "",
            NewlineMode::Lf => "\n",
            NewlineMode::Cr => "\r",
            NewlineMode::CrLf => "\r\n",
        };
        vm.ctx.new_str(text).into()
    }

    /// Where a line ends when read.
    pub(super) fn line_ending(self) -> LineEnding {
        match self {
            NewlineMode::Universal => LineEnding::Any,
            NewlineMode::Translated | NewlineMode::Lf => LineEnding::Lf,
            NewlineMode::Cr => LineEnding::Cr,
            NewlineMode::CrLf => LineEnding::CrLf,
        }
    }

    /// Whether the newlines written are reported (`newlines` is `None`
    /// in the other modes).
    pub(super) fn reports_newlines(self) -> bool {
        matches!(self, NewlineMode::Translated | NewlineMode::Universal)
    }

    /// `text` as this mode writes it, noting the newlines it holds in
    /// `seen` where the mode reports them.
    pub(super) fn written<'a>(self, text: &'a Wtf8, seen: &mut SeenNewlines) -> Cow<'a, Wtf8> {
        let bytes = text.as_bytes();
        match self {
            NewlineMode::Lf => Cow::Borrowed(text),
            _ if !bytes.iter().any(|&byte| byte == b'\r' || byte == b'\n') => Cow::Borrowed(text),
            NewlineMode::Universal => {
                seen.note(bytes);
                Cow::Borrowed(text)
            }
            NewlineMode::Translated => {
                seen.note(bytes);
                Cow::Owned(translated(text))
            }
            NewlineMode::Cr => Cow::Owned(each_lf_as(text, "\r")),
            NewlineMode::CrLf => Cow::Owned(each_lf_as(text, "\r\n")),
        }
    }
}

/// `text` with each `'\r\n'` and each `'\r'` as `'\n'`. Newlines are
/// ASCII, never part of a longer code point's bytes.
fn translated(text: &Wtf8) -> Wtf8Buf {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        if byte == b'\r' {
            out.push(b'\n');
            if bytes.get(index + 1) == Some(&b'\n') {
                index += 1;
            }
        } else {
            out.push(byte);
        }
        index += 1;
    }
    // Only ASCII bytes were replaced by ASCII bytes: still WTF-8.
    Wtf8Buf::from_bytes(out).unwrap_or_else(|_| text.to_owned())
}

/// `text` with each `'\n'` written as `newline`.
fn each_lf_as(text: &Wtf8, newline: &str) -> Wtf8Buf {
    let mut out = Vec::with_capacity(text.len() + newline.len());
    for &byte in text.as_bytes() {
        if byte == b'\n' {
            out.extend_from_slice(newline.as_bytes());
        } else {
            out.push(byte);
        }
    }
    Wtf8Buf::from_bytes(out).unwrap_or_else(|_| text.to_owned())
}

/// The kinds of newline written so far, as CPython's newline decoder
/// counts them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct SeenNewlines {
    lf: bool,
    cr: bool,
    crlf: bool,
}

impl SeenNewlines {
    fn note(&mut self, bytes: &[u8]) {
        let mut index = 0;
        while let Some(&byte) = bytes.get(index) {
            match byte {
                b'\n' => self.lf = true,
                b'\r' if bytes.get(index + 1) == Some(&b'\n') => {
                    self.crlf = true;
                    index += 1;
                }
                b'\r' => self.cr = true,
                _ => {}
            }
            index += 1;
        }
    }

    /// What `newlines` answers: `None`, one newline, or a tuple of them
    /// in CPython's order.
    pub(super) fn to_python(self, vm: &VirtualMachine) -> PyObjectRef {
        let kinds: Vec<PyObjectRef> = [(self.cr, "\r"), (self.lf, "\n"), (self.crlf, "\r\n")]
            .into_iter()
            .filter(|(seen, _)| *seen)
            .map(|(_, newline)| vm.ctx.new_str(newline).into())
            .collect();
        match <[PyObjectRef; 1]>::try_from(kinds) {
            Ok([one]) => one,
            Err(kinds) if kinds.is_empty() => vm.ctx.none(),
            Err(kinds) => vm.ctx.new_tuple(kinds).into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translated_writes_make_every_newline_lf_and_note_each_kind() {
        let mut seen = SeenNewlines::default();
        let written = NewlineMode::Translated.written(Wtf8::new("a\r\nb\rc\nd\r"), &mut seen);
        assert_eq!(written.as_bytes(), b"a\nb\nc\nd\n");
        assert_eq!(
            seen,
            SeenNewlines {
                lf: true,
                cr: true,
                crlf: true
            }
        );
    }

    #[test]
    fn cr_modes_write_lf_as_their_newline() {
        let mut seen = SeenNewlines::default();
        let written = NewlineMode::CrLf.written(Wtf8::new("a\nb\r"), &mut seen);
        assert_eq!(written.as_bytes(), b"a\r\nb\r");
        let written = NewlineMode::Cr.written(Wtf8::new("a\nb"), &mut seen);
        assert_eq!(written.as_bytes(), b"a\rb");
        assert_eq!(seen, SeenNewlines::default());
    }
}
