//! `str.format` and `str.format_map` as CPython 3.11 parses and fills
//! them.
//!
//! RustPython 0.5 parsed a format string otherwise, and said less when it
//! failed:
//!
//! - `'{!x}'.format(1)` gave `'1'`, where CPython refuses the unknown
//!   conversion ("Unknown conversion specifier x");
//! - a missing positional argument was "tuple index out of range", not
//!   "Replacement index 1 out of range for positional args tuple";
//! - a stray brace or a bad field was "Unexpected error parsing format
//!   string" or "expected '}' before end of string", where CPython says
//!   which ("Single '}' encountered in format string", "Empty attribute
//!   in format string", "unmatched '{' in format spec", "Max string
//!   recursion exceeded", ...).
//!
//! The two methods are replaced once per process (the type is shared by
//! every interpreter) by CPython's `unicode_format.h` done over the
//! string's WTF-8 bytes: every character that delimits a field is ASCII,
//! so slices between them are whole characters. Each field is looked up
//! as CPython looks it up, converted, and formatted with its
//! `__format__`.

use super::methods;
use rustpython_vm::builtins::{PyStr, PyStrRef};
use rustpython_vm::common::wtf8::{Wtf8, Wtf8Buf};
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{AsObject, PyObject, PyObjectRef, PyResult, VirtualMachine};
use std::sync::Once;

static REPLACED: Once = Once::new();

/// Puts the two methods in place, once per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    REPLACED.call_once(|| {
        let str_type = vm.ctx.types.str_type;
        methods::define(vm, str_type, "format", format);
        methods::define(vm, str_type, "format_map", format_map);
    });
    Ok(())
}

/// How deep format specs may nest fields: `'{0:{1}}'` but not
/// `'{0:{1:{2}}}'` (PEP 3101).
const RECURSION_DEPTH: u32 = 2;

fn format(zelf: PyObjectRef, args: FuncArgs, vm: &VirtualMachine) -> PyResult<PyStrRef> {
    filled(&zelf, "format", Source::Arguments(&args), vm)
}

fn format_map(zelf: PyObjectRef, mapping: PyObjectRef, vm: &VirtualMachine) -> PyResult<PyStrRef> {
    filled(&zelf, "format_map", Source::Mapping(&mapping), vm)
}

/// `zelf`, the str whose method `method` was called, filled from
/// `source`.
fn filled(
    zelf: &PyObject,
    method: &str,
    source: Source<'_>,
    vm: &VirtualMachine,
) -> PyResult<PyStrRef> {
    let Some(text) = zelf.downcast_ref::<PyStr>() else {
        return Err(methods::not_a("str", method, zelf, vm));
    };
    let mut filler = Filler {
        source,
        numbering: Numbering::Unset,
        vm,
    };
    let filled = filler.build(text.as_wtf8(), RECURSION_DEPTH)?;
    Ok(vm.ctx.new_str(filled))
}

/// Where fields' values come from.
enum Source<'a> {
    /// `format(*args, **kwargs)`.
    Arguments(&'a FuncArgs),
    /// `format_map(mapping)`: named fields only.
    Mapping(&'a PyObject),
}

/// Whether fields are numbered automatically (`{}`) or by hand (`{0}`);
/// a string may not mix the two.
enum Numbering {
    Unset,
    Automatic(usize),
    Manual,
}

/// One `{...}` of a format string, split as CPython's `parse_field`
/// splits it.
struct Field<'a> {
    name: &'a Wtf8,
    conversion: Option<u32>,
    spec: &'a Wtf8,
    spec_has_fields: bool,
}

/// What fills one format string's fields.
struct Filler<'a> {
    source: Source<'a>,
    numbering: Numbering,
    vm: &'a VirtualMachine,
}

impl Filler<'_> {
    /// CPython's `build_string`: `text` with its fields filled, its
    /// escaped braces single.
    fn build(&mut self, text: &Wtf8, depth: u32) -> PyResult<Wtf8Buf> {
        if depth == 0 {
            return Err(self.value_error("Max string recursion exceeded"));
        }
        let bytes = text.as_bytes();
        let mut filled = Wtf8Buf::with_capacity(text.len() + 100);
        let mut at = 0;
        while at < bytes.len() {
            let start = at;
            let brace = bytes[at..]
                .iter()
                .position(|&byte| byte == b'{' || byte == b'}')
                .map(|offset| at + offset);
            let Some(brace) = brace else {
                filled.push_wtf8(&text[start..]);
                break;
            };
            let kind = bytes[brace];
            at = brace + 1;
            let doubled = bytes.get(at) == Some(&kind);
            if kind == b'}' && !doubled {
                return Err(self.value_error("Single '}' encountered in format string"));
            }
            if kind == b'{' && at == bytes.len() {
                return Err(self.value_error("Single '{' encountered in format string"));
            }
            if doubled {
                filled.push_wtf8(&text[start..at]);
                at += 1;
                continue;
            }
            filled.push_wtf8(&text[start..brace]);
            let field = self.parse_field(text, &mut at)?;
            self.render(&field, &mut filled, depth)?;
        }
        Ok(filled)
    }

    /// CPython's `parse_field`: the field that starts at `at` (just past
    /// its `{`), with `at` moved past its `}`.
    fn parse_field<'t>(&self, text: &'t Wtf8, at: &mut usize) -> PyResult<Field<'t>> {
        let bytes = text.as_bytes();
        let name_start = *at;
        let mut last = 0u8;
        while *at < bytes.len() {
            last = bytes[*at];
            *at += 1;
            match last {
                b'{' => return Err(self.value_error("unexpected '{' in field name")),
                b'[' => {
                    while *at < bytes.len() && bytes[*at] != b']' {
                        *at += 1;
                    }
                }
                b'}' | b':' | b'!' => break,
                _ => {}
            }
        }
        let ended = matches!(last, b'}' | b':' | b'!');
        let name = &text[name_start..if ended { *at - 1 } else { *at }];
        let mut field = Field {
            name,
            conversion: None,
            spec: &text[*at..*at],
            spec_has_fields: false,
        };
        if last == b'}' && ended {
            return Ok(field);
        }
        if !ended || !matches!(last, b':' | b'!') {
            return Err(self.value_error("expected '}' before end of string"));
        }
        if last == b'!' {
            let Some(conversion) = text[*at..].code_points().next() else {
                return Err(
                    self.value_error("end of string while looking for conversion specifier")
                );
            };
            *at += conversion.len_wtf8();
            let conversion = conversion.to_u32();
            field.conversion = Some(conversion);
            if *at < bytes.len() {
                let next = bytes[*at];
                *at += 1;
                if next == b'}' {
                    return Ok(field);
                }
                if next != b':' {
                    return Err(self.value_error("expected ':' after conversion specifier"));
                }
            }
        }
        let spec_start = *at;
        let mut open = 1;
        while *at < bytes.len() {
            let byte = bytes[*at];
            *at += 1;
            match byte {
                b'{' => {
                    field.spec_has_fields = true;
                    open += 1;
                }
                b'}' => {
                    open -= 1;
                    if open == 0 {
                        field.spec = &text[spec_start..*at - 1];
                        return Ok(field);
                    }
                }
                _ => {}
            }
        }
        Err(self.value_error("unmatched '{' in format spec"))
    }

    /// CPython's `output_markup`: the field's value, converted and
    /// formatted by its spec (itself filled first if it has fields),
    /// added to `filled`.
    fn render(&mut self, field: &Field<'_>, filled: &mut Wtf8Buf, depth: u32) -> PyResult<()> {
        let vm = self.vm;
        let mut value = self.value(field.name)?;
        if let Some(conversion) = field.conversion {
            value = match conversion {
                0x72 => value.repr(vm)?.into(),
                0x73 => value.str(vm)?.into(),
                0x61 => value.ascii(vm)?.into(),
                33..=126 => {
                    let conversion = char::from_u32(conversion).unwrap_or('?');
                    return Err(
                        self.value_error(&format!("Unknown conversion specifier {conversion}"))
                    );
                }
                _ => {
                    return Err(self
                        .value_error(&format!("Unknown conversion specifier \\x{conversion:x}")));
                }
            };
        }
        let spec = if field.spec_has_fields {
            vm.ctx.new_str(self.build(field.spec, depth - 1)?)
        } else {
            vm.ctx.new_str(field.spec)
        };
        let formatted = vm.format(&value, spec)?;
        filled.push_wtf8(formatted.as_wtf8());
        Ok(())
    }

    /// CPython's `get_field_object`: the value a field name names, its
    /// first part an argument (by number or name), the rest attributes
    /// and items of it.
    fn value(&mut self, name: &Wtf8) -> PyResult {
        let vm = self.vm;
        let bytes = name.as_bytes();
        let first_end = bytes
            .iter()
            .position(|&byte| byte == b'.' || byte == b'[')
            .unwrap_or(bytes.len());
        let first = &name[..first_end];
        let mut value = match self.number(first)? {
            Some(index) => self.positional(index)?,
            None => self.named(first)?,
        };
        let mut at = first_end;
        while at < bytes.len() {
            let kind = bytes[at];
            at += 1;
            let part_start = at;
            let part = match kind {
                b'.' => {
                    while at < bytes.len() && bytes[at] != b'.' && bytes[at] != b'[' {
                        at += 1;
                    }
                    &name[part_start..at]
                }
                b'[' => {
                    let Some(close) = bytes[at..].iter().position(|&byte| byte == b']') else {
                        return Err(self.value_error("Missing ']' in format string"));
                    };
                    at += close + 1;
                    &name[part_start..at - 1]
                }
                _ => {
                    return Err(self
                        .value_error("Only '.' or '[' may follow ']' in format field specifier"));
                }
            };
            let index = if kind == b'[' {
                digits(part, vm)?
            } else {
                None
            };
            if part.is_empty() {
                return Err(self.value_error("Empty attribute in format string"));
            }
            value = match (kind, index) {
                (b'.', _) => value.get_attr(&vm.ctx.new_str(part), vm)?,
                (_, Some(index)) => value.get_item(vm.ctx.new_int(index).as_object(), vm)?,
                (_, None) => value.get_item(vm.ctx.new_str(part).as_object(), vm)?,
            };
        }
        Ok(value)
    }

    /// The argument number a field's first part gives: its own, the next
    /// one when it is empty, `None` for a name. CPython's
    /// `field_name_split`, which refuses to mix the two numberings.
    fn number(&mut self, first: &Wtf8) -> PyResult<Option<usize>> {
        let given = digits(first, self.vm)?;
        if given.is_none() && !first.is_empty() {
            return Ok(None);
        }
        match (&mut self.numbering, given) {
            (Numbering::Unset, None) => {
                self.numbering = Numbering::Automatic(1);
                Ok(Some(0))
            }
            (Numbering::Unset, Some(index)) => {
                self.numbering = Numbering::Manual;
                Ok(Some(index))
            }
            (Numbering::Automatic(next), None) => {
                let index = *next;
                *next += 1;
                Ok(Some(index))
            }
            (Numbering::Manual, Some(index)) => Ok(Some(index)),
            (Numbering::Manual, None) => Err(self.value_error(
                "cannot switch from manual field specification to automatic field numbering",
            )),
            (Numbering::Automatic(_), Some(_)) => Err(self.value_error(
                "cannot switch from automatic field numbering to manual field specification",
            )),
        }
    }

    fn positional(&self, index: usize) -> PyResult {
        let vm = self.vm;
        match self.source {
            Source::Arguments(args) => args.args.get(index).cloned().ok_or_else(|| {
                vm.new_index_error(format!(
                    "Replacement index {index} out of range for positional args tuple"
                ))
            }),
            Source::Mapping(_) => Err(self.value_error("Format string contains positional fields")),
        }
    }

    fn named(&self, name: &Wtf8) -> PyResult {
        let vm = self.vm;
        let key = || vm.ctx.new_str(name);
        match self.source {
            Source::Arguments(args) => name
                .as_str()
                .ok()
                .and_then(|name| args.kwargs.get(name).cloned())
                .ok_or_else(|| vm.new_key_error(key().into())),
            Source::Mapping(mapping) => mapping.get_item(&*key(), vm),
        }
    }

    fn value_error(&self, message: &str) -> rustpython_vm::builtins::PyBaseExceptionRef {
        self.vm.new_value_error(message.to_owned())
    }
}

/// CPython's `get_integer`: the number `text` writes in decimal digits,
/// `None` when it is empty or not all digits. Read left to right as
/// CPython reads it, so too many digits are refused before a later
/// character that is not one.
fn digits(text: &Wtf8, vm: &VirtualMachine) -> PyResult<Option<usize>> {
    let bytes = text.as_bytes();
    if bytes.is_empty() {
        return Ok(None);
    }
    let mut number: usize = 0;
    for &byte in bytes {
        if !byte.is_ascii_digit() {
            return Ok(None);
        }
        number = number
            .checked_mul(10)
            .and_then(|number| number.checked_add(usize::from(byte - b'0')))
            .filter(|&number| isize::try_from(number).is_ok())
            .ok_or_else(|| {
                vm.new_value_error("Too many decimal digits in format string".to_owned())
            })?;
    }
    Ok(Some(number))
}
