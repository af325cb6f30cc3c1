//! `format()` of a float where RustPython 0.5 lays it out otherwise than
//! CPython 3.11.
//!
//! - A thousands separator: CPython groups the digits a float's text starts
//!   with, up to whatever follows them (a decimal point, an exponent, a
//!   `%`, or nothing), and groups nothing in `inf` or `nan`. RustPython
//!   grouped all it found before a decimal point: `format(1e16, ',')` was
//!   `'1e,+16'`, not `'1e+16'`; `format(12345.678, ',.0%')` was
//!   `'12,345,68%'`; `format(float('inf'), '010,')` was `'00,000,inf'`.
//!   Zero padding is grouped with the digits, as CPython's
//!   `_PyUnicode_InsertThousandsGrouping` does (`format(1e16, '012,')` is
//!   `'0,000,001e+16'`).
//! - No presentation type: with a precision, CPython writes at least one
//!   significant digit and, in fixed notation, at least one digit after the
//!   decimal point (`format(0.0, '.3')` is `'0.0'`, `format(0.5, '.0')` is
//!   `'0.5'`); with `#`, the shortest repr with a decimal point
//!   (`format(1e16, '#')` is `'1.e+16'`). RustPython gave `'0'`, `'5e-01'`
//!   and `'1e+16'`.
//! - `z` (3.11's PEP 682: a zero that was negative before rounding loses
//!   its sign), which RustPython refused as an invalid specifier.
//!
//! Float's `__format__` is replaced, once per process (the type is shared
//! by every interpreter). For those specs the text RustPython writes for a
//! spec without fill, alignment, width, grouping and `z` is corrected and
//! laid out here; every other spec, and any spec this parser does not
//! take, goes to RustPython's method as before. A complex's `format()` is
//! still RustPython's.

use super::format_spec::{self, Formatted};
use super::{format_refusals, methods};
use rustpython_vm::builtins::{PyFloat, PyStrRef};
use rustpython_vm::common::format::{FormatSpec, FormatSpecError};
use rustpython_vm::convert::IntoPyException;
use rustpython_vm::function::FuncArgs;
use rustpython_vm::{AsObject, PyObjectRef, PyRef, PyResult, VirtualMachine};
use std::sync::OnceLock;

static ORIGINAL_FORMAT: OnceLock<Option<PyObjectRef>> = OnceLock::new();

/// Puts CPython's layout in place, once per process.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    ORIGINAL_FORMAT.get_or_init(|| {
        let float_type = vm.ctx.types.float_type;
        let name = vm.ctx.intern_str("__format__");
        let original = float_type.get_attr(name)?;
        methods::define(vm, float_type, "__format__", format);
        Some(original)
    });
    Ok(())
}

/// RustPython's own `float.__format__(value, spec)`.
fn original_format(value: PyObjectRef, spec: PyObjectRef, vm: &VirtualMachine) -> PyResult {
    let Some(original) = ORIGINAL_FORMAT.get().and_then(Option::as_ref) else {
        return Err(vm.new_runtime_error("float's __format__ is not set up".to_owned()));
    };
    original.call(FuncArgs::from(vec![value, spec]), vm)
}

fn format(zelf: PyRef<PyFloat>, spec: PyStrRef, vm: &VirtualMachine) -> PyResult {
    if let Some(text) = spec.to_str() {
        format_refusals::refused_up_front(
            text,
            &format_refusals::NUMBER_SUSPECTS,
            Formatted::Float,
            zelf.as_object(),
            vm,
        )?;
    }
    laid_out(&zelf, &spec, vm).map_err(|error| match spec.to_str() {
        Some(text) => format_refusals::float_refused(error, text, zelf.as_object(), vm),
        None => error,
    })
}

/// `format()`'s text, or RustPython's refusal of the spec.
fn laid_out(zelf: &PyRef<PyFloat>, spec: &PyStrRef, vm: &VirtualMachine) -> PyResult {
    if spec.as_wtf8().is_empty() {
        // As CPython: format(x, '') is str(x).
        return Ok(zelf.as_object().str(vm)?.into());
    }
    let parsed = spec
        .to_str()
        .filter(|spec| may_differ(spec))
        .and_then(FloatSpec::parse);
    let Some(parsed) = parsed.filter(FloatSpec::differs_in_rustpython) else {
        return rustpython_format(zelf, spec, vm);
    };
    // The core spec has no `n` (the parse refuses it): RustPython's
    // formatter alone writes it.
    let text = FormatSpec::parse(parsed.rustpython_spec().as_str())
        .and_then(|core| core.format_float(zelf.to_f64()))
        .map_err(|error| error.into_pyexception(vm))?;
    Ok(vm.ctx.new_str(parsed.lay_out(&text)).into())
}

/// `number` formatted by `spec` (not empty, and not the locale's `n`), as
/// CPython formats a float.
pub(super) fn float_text(number: f64, spec: &str) -> Result<String, FormatSpecError> {
    let parsed = Some(spec)
        .filter(|spec| may_differ(spec))
        .and_then(FloatSpec::parse)
        .filter(FloatSpec::differs_in_rustpython);
    let Some(parsed) = parsed else {
        return FormatSpec::parse(spec)
            .and_then(|spec| spec.format_float(number))
            .map(|text| without_point_after_non_finite(number, text));
    };
    let text = FormatSpec::parse(parsed.rustpython_spec().as_str())
        .and_then(|core| core.format_float(number))?;
    Ok(parsed.lay_out(&text))
}

/// Whether `spec` can be one that `FloatSpec::differs_in_rustpython`: it
/// has a separator or `z`, or a precision or `#` and no type. A cheap
/// look at its characters, so that the usual specs (`.2f`, `>10`) skip
/// the parse.
fn may_differ(spec: &str) -> bool {
    let has = |c: u8| spec.as_bytes().contains(&c);
    let typed = matches!(
        spec.as_bytes().last(),
        Some(b'e' | b'E' | b'f' | b'F' | b'g' | b'G' | b'%' | b'n')
    );
    has(b',') || has(b'_') || has(b'z') || (!typed && (has(b'.') || has(b'#')))
}

/// What RustPython's `float.__format__` writes for `spec`, from its
/// formatter directly (a call of the method would cost a Python call); a
/// spec for the locale's `n` goes to the method, which reads the locale.
fn rustpython_format(zelf: &PyRef<PyFloat>, spec: &PyStrRef, vm: &VirtualMachine) -> PyResult {
    let parsed = FormatSpec::parse(spec.as_wtf8()).map_err(|error| error.into_pyexception(vm))?;
    if parsed.has_locale_format() {
        return original_format(zelf.clone().into(), spec.clone().into(), vm);
    }
    let text = parsed
        .format_float(zelf.to_f64())
        .map_err(|error| error.into_pyexception(vm))?;
    Ok(vm
        .ctx
        .new_str(without_point_after_non_finite(zelf.to_f64(), text))
        .into())
}

/// `text` (`number` formatted) without the point RustPython's `#` puts
/// after `inf` or `nan` (`format(1e306, '#.0%')` was `'inf.%'`; CPython
/// writes no point in either). Only a number that is not finite, or
/// becomes infinite as a percentage, is looked at.
fn without_point_after_non_finite(number: f64, text: String) -> String {
    if (number * 100.0).is_finite() {
        return text;
    }
    text.replace("inf.", "inf").replace("nan.", "nan")
}

/// A parsed float format spec (CPython's `InternalFormatSpec`).
#[derive(Debug, PartialEq)]
struct FloatSpec {
    fill: char,
    align: char,
    sign: Option<char>,
    no_negative_zero: bool,
    alternate: bool,
    width: usize,
    separator: Option<char>,
    precision: Option<usize>,
    kind: Option<char>,
}

impl FloatSpec {
    /// A float's spec as CPython reads it (`format_spec`); `None` for a
    /// spec it would refuse, or one with the `n` type (the locale's).
    fn parse(spec: &str) -> Option<Self> {
        let read = format_spec::read(spec, Formatted::Float, "float").ok()?;
        let kind = match read.presentation {
            '\0' => None,
            'n' => return None,
            kind => Some(kind),
        };
        Some(FloatSpec {
            fill: read.fill,
            align: read.align,
            sign: read.sign,
            no_negative_zero: read.no_negative_zero,
            alternate: read.alternate,
            width: read.width.unwrap_or(0),
            separator: read.separator,
            precision: read.precision,
            kind,
        })
    }

    /// Whether RustPython lays this spec out otherwise than CPython.
    fn differs_in_rustpython(&self) -> bool {
        self.separator.is_some()
            || self.no_negative_zero
            || (self.kind.is_none() && (self.precision.is_some() || self.alternate))
    }

    /// The spec RustPython writes the number's own text for: the sign,
    /// `#`, precision and type; no type takes a precision of at least one.
    fn rustpython_spec(&self) -> String {
        let mut spec: String = self.sign.into_iter().collect();
        if self.alternate {
            spec.push('#');
        }
        match (self.kind, self.precision) {
            (None, Some(precision)) => spec.push_str(&format!(".{}", precision.max(1))),
            (Some(kind), Some(precision)) => spec.push_str(&format!(".{precision}{kind}")),
            (Some(kind), None) => spec.push(kind),
            (None, None) => {}
        }
        spec
    }

    /// `text` (what RustPython wrote for `rustpython_spec`) as CPython
    /// writes it: corrected for no type and for `z`, its leading digits
    /// grouped, and the whole padded to the width (`calc_number_widths`
    /// and `fill_number`).
    fn lay_out(&self, text: &str) -> String {
        let (sign, rest) = match text.strip_prefix(['+', '-', ' ']) {
            Some(rest) => text.split_at(text.len() - rest.len()),
            None => ("", text),
        };
        let mut number = rest.to_owned();
        let finite = number.starts_with(|c: char| c.is_ascii_digit());
        // `#` gives `inf` and `nan` no decimal point; RustPython wrote one
        // before a `%` (`format(1.8e306, '#,.0%')` was `'inf.%'`).
        if !finite {
            number.retain(|c| c != '.');
        }
        if finite && self.kind.is_none() && !number.contains('.') {
            match (self.precision, number.find(['e', 'E'])) {
                // `#` without a precision: the repr, with a decimal point.
                (None, Some(exponent)) if self.alternate => number.insert(exponent, '.'),
                // A precision, in fixed notation: a digit after the point.
                (Some(_), None) => number.push_str(".0"),
                _ => {}
            }
        }
        let rounded_to_zero = finite
            && number
                .split(['e', 'E'])
                .next()
                .is_some_and(|mantissa| mantissa.bytes().all(|b| !b.is_ascii_digit() || b == b'0'));
        let sign = if self.no_negative_zero && sign == "-" && rounded_to_zero {
            match self.sign {
                Some('+') => "+",
                Some(' ') => " ",
                _ => "",
            }
        } else {
            sign
        };
        let digit_count = number.bytes().take_while(u8::is_ascii_digit).count();
        let (digits, remainder) = number.split_at(digit_count);
        let others = sign.chars().count() + remainder.chars().count();
        let zero_padded = self.fill == '0' && self.align == '=';
        let least_digits = if zero_padded {
            self.width.saturating_sub(others)
        } else {
            0
        };
        let grouped = if digits.is_empty() {
            String::new()
        } else {
            group(digits, least_digits, self.separator)
        };
        let padding = self.width.saturating_sub(others + grouped.chars().count());
        let pad = |count: usize| std::iter::repeat_n(self.fill, count).collect::<String>();
        let (left, middle, right) = match self.align {
            '<' => (0, 0, padding),
            '^' => (padding / 2, 0, padding - padding / 2),
            '=' => (0, padding, 0),
            _ => (padding, 0, 0),
        };
        format!(
            "{}{sign}{}{grouped}{remainder}{}",
            pad(left),
            pad(middle),
            pad(right)
        )
    }
}

/// CPython's `_PyUnicode_InsertThousandsGrouping`: `digits` in groups of
/// three from the right (no groups without a separator), zeros added
/// until the result is at least `least` characters, never starting with a
/// separator.
fn group(digits: &str, least: usize, separator: Option<char>) -> String {
    let Some(separator) = separator else {
        return format!("{digits:0>least$}");
    };
    let digits = digits.as_bytes();
    let mut remaining = digits.len() as isize;
    let mut least = least as isize;
    let mut groups: Vec<String> = Vec::new();
    loop {
        let length = 3.min(remaining.max(least).max(1));
        let zeros = (length - remaining).max(0) as usize;
        let taken = remaining.min(length).max(0);
        let end = remaining as usize;
        let start = (remaining - taken) as usize;
        let mut piece = "0".repeat(zeros);
        piece.push_str(&String::from_utf8_lossy(&digits[start..end]));
        groups.push(piece);
        remaining -= taken;
        least -= length;
        if remaining <= 0 && least <= 0 {
            break;
        }
        least -= 1;
    }
    groups.reverse();
    groups.join(&separator.to_string())
}

#[cfg(test)]
mod tests {
    use super::{group, FloatSpec};

    /// CPython's layout of `text`, RustPython's for the spec's core.
    fn lay_out(spec: &str, text: &str) -> String {
        FloatSpec::parse(spec)
            .map(|spec| spec.lay_out(text))
            .unwrap_or_default()
    }

    #[test]
    fn groups_as_cpython_does() {
        assert_eq!(group("1", 0, Some(',')), "1");
        assert_eq!(group("1234567", 0, Some(',')), "1,234,567");
        assert_eq!(group("1", 8, Some(',')), "0,000,001");
        assert_eq!(group("1234", 7, Some('_')), "001_234");
        assert_eq!(group("123", 4, Some(',')), "0,123");
        assert_eq!(group("12", 5, None), "00012");
    }

    #[test]
    fn lays_out_what_cpython_lays_out() {
        // Each is CPython 3.11's format(x, spec), from the text RustPython
        // writes for the spec's core.
        for (spec, text, cpython) in [
            (",", "1e+16", "1e+16"),
            ("012,", "1e+16", "0,000,001e+16"),
            ("0=12,", "1e+16", "0,000,001e+16"),
            ("*>12,", "1e+16", "*******1e+16"),
            ("+,", "+1e+16", "+1e+16"),
            ("010,", "inf", "0000000inf"),
            ("010,", "-inf", "-000000inf"),
            ("010,.1f", "1234.5", "0,001,234.5"),
            ("09,.1f", "1234.5", "001,234.5"),
            ("015,", "1234567.0", "0,001,234,567.0"),
            (",.0%", "1234568%", "1,234,568%"),
            ("_.2f", "1234567.00", "1_234_567.00"),
            ("^13,", "-1234.5", "  -1,234.5   "),
            ("<10,", "1234.5", "1,234.5   "),
            ("x=10,", "-1234.5", "-xx1,234.5"),
            (".3", "0", "0.0"),
            ("-.10", "-0", "-0.0"),
            (".0", "0.5", "0.5"),
            ("#", "1e+16", "1.e+16"),
            ("#10", "5e-324", "   5.e-324"),
            ("#.0", "1.e+02", "1.e+02"),
            ("z", "-0.0", "0.0"),
            ("+z.2f", "-0.00", "+0.00"),
            (" z.1e", "-0.0e+00", " 0.0e+00"),
            ("z.2f", "-0.01", "-0.01"),
            ("z", "nan", "nan"),
            ("z010,.1%", "-0.0%", "000,000.0%"),
            (".3", "1e+16", "1e+16"),
        ] {
            assert_eq!(lay_out(spec, text), cpython, "format(x, {spec:?})");
        }
    }

    #[test]
    fn looks_closer_at_every_spec_that_differs() {
        for spec in [
            ",", "_", "z", ".3", "#", "*<,", "010,.1%", "#10", "z.2f", " z",
        ] {
            assert!(super::may_differ(spec), "{spec:?}");
            let parsed = FloatSpec::parse(spec);
            assert!(
                parsed.is_some_and(|spec| spec.differs_in_rustpython()),
                "{spec:?}"
            );
        }
        for spec in [".2f", ">10", "e", "+.3e", "#.2f", "10.4%", "n"] {
            assert!(!super::may_differ(spec), "{spec:?}");
        }
    }

    #[test]
    fn leaves_other_specs_alone() {
        for spec in ["", "10", ".3f", "+e", "<10.2%", "#.2f"] {
            let differs = FloatSpec::parse(spec).is_some_and(|spec| spec.differs_in_rustpython());
            assert!(!differs, "{spec:?}");
        }
        for spec in [",,", ",_", ",d", ",n", ",.", ",.3fx", "zz"] {
            assert_eq!(FloatSpec::parse(spec), None, "{spec:?}");
        }
        let core = |spec: &str| FloatSpec::parse(spec).map(|spec| spec.rustpython_spec());
        assert_eq!(core("*<+z#020,.3e").as_deref(), Some("+#.3e"));
        assert_eq!(core(".0").as_deref(), Some(".1"));
        assert_eq!(core("#").as_deref(), Some("#"));
    }
}
