//! The format spec grammar's refusals, as CPython 3.11 words them.
//!
//! `format(x, spec)` (and every field of `str.format` and f-strings) reads
//! `spec` with CPython's `parse_internal_render_format_spec`, then checks
//! it against what the object is. RustPython 0.5 reads specs with a parser
//! of its own, which refuses the same specs in fewer words ("Invalid
//! format specifier", where CPython says "Invalid format specifier 'abc'
//! for object of type 'float'"), refuses some for other reasons
//! (`format(1.5, '.')` was an unknown format code '.', not a missing
//! precision) and takes some that CPython refuses for text
//! (`format('a', '+')`, `format('a', '=5')`).
//!
//! `refusal` is CPython's reading, and says what CPython would raise for a
//! spec, if anything. The `__format__` replacements ask it before they
//! format text, and when RustPython refuses a number's spec.

/// What an object's `__format__` formats, as CPython tells them apart.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Formatted {
    Text,
    Int,
    Float,
    Complex,
}

/// CPython 3.11's ValueError message for `spec` given to the `__format__`
/// of a `kind` object whose type is named `type_name`; `None` when
/// CPython takes the spec.
pub(super) fn refusal(spec: &str, kind: Formatted, type_name: &str) -> Option<String> {
    read(spec, kind, type_name).err()
}

/// `spec` as CPython 3.11 reads it for a `kind` object whose type is
/// named `type_name`, or the message of its ValueError.
pub(super) fn read(spec: &str, kind: Formatted, type_name: &str) -> Result<Spec, String> {
    // The usual spec is a few characters: read into the stack, not the
    // heap.
    let mut on_stack = ['\0'; 24];
    let on_heap: Vec<char>;
    let chars: &[char] = if spec.len() <= on_stack.len() {
        let mut count = 0;
        for (slot, c) in on_stack.iter_mut().zip(spec.chars()) {
            *slot = c;
            count += 1;
        }
        &on_stack[..count]
    } else {
        on_heap = spec.chars().collect();
        &on_heap
    };
    let end = chars.len();
    let mut at = 0;
    let (default_type, default_align) = match kind {
        Formatted::Text => ('s', '<'),
        Formatted::Int => ('d', '>'),
        Formatted::Float | Formatted::Complex => ('\0', '>'),
    };
    let is_align = |c: char| matches!(c, '<' | '>' | '=' | '^');
    let (mut fill, mut align) = (' ', default_align);
    let (mut fill_given, mut align_given) = (false, false);
    if end >= 2 && is_align(chars[1]) {
        (fill, align) = (chars[0], chars[1]);
        (fill_given, align_given) = (true, true);
        at = 2;
    } else if end >= 1 && is_align(chars[0]) {
        align = chars[0];
        align_given = true;
        at = 1;
    }
    let next_is = |at: usize, c: char| at < end && chars[at] == c;
    let sign = (at < end && matches!(chars[at], '+' | '-' | ' ')).then(|| chars[at]);
    at += usize::from(sign.is_some());
    let no_negative_zero = next_is(at, 'z');
    at += usize::from(no_negative_zero);
    let alternate = next_is(at, '#');
    at += usize::from(alternate);
    if !fill_given && next_is(at, '0') {
        fill = '0';
        if !align_given && default_align == '>' {
            align = '=';
        }
        at += 1;
    }
    let Some((width_digits, width)) = digits(chars, &mut at) else {
        return Err(TOO_MANY_DIGITS.to_owned());
    };
    let width = (width_digits > 0).then_some(width);
    let mut separator = None;
    if next_is(at, ',') {
        separator = Some(',');
        at += 1;
    }
    if next_is(at, '_') {
        if separator.is_some() {
            return Err(BOTH_SEPARATORS.to_owned());
        }
        separator = Some('_');
        at += 1;
    }
    if next_is(at, ',') && separator == Some('_') {
        return Err(BOTH_SEPARATORS.to_owned());
    }
    let mut precision = None;
    if next_is(at, '.') {
        at += 1;
        match digits(chars, &mut at) {
            None => return Err(TOO_MANY_DIGITS.to_owned()),
            Some((0, _)) => return Err("Format specifier missing precision".to_owned()),
            Some((_, digits)) => precision = Some(digits),
        }
    }
    if end - at > 1 {
        return Err(format!(
            "Invalid format specifier '{spec}' for object of type '{type_name}'"
        ));
    }
    let presentation = chars.get(at).copied().unwrap_or(default_type);
    if let Some(separator) = separator {
        match presentation {
            'd' | 'e' | 'f' | 'g' | 'E' | 'G' | '%' | 'F' | '\0' => {}
            'b' | 'o' | 'x' | 'X' if separator == '_' => {}
            other => {
                return Err(format!(
                    "Cannot specify '{separator}' with {}.",
                    quoted_code(other)
                ));
            }
        }
    }
    let read = Spec {
        fill,
        align,
        sign,
        no_negative_zero,
        alternate,
        width,
        separator,
        precision,
        presentation,
    };
    let refused = match kind {
        Formatted::Text => text_refusal(presentation, &read, type_name),
        Formatted::Int => int_refusal(presentation, &read, type_name),
        Formatted::Float => match presentation {
            '\0' | 'e' | 'E' | 'f' | 'F' | 'g' | 'G' | 'n' | '%' => None,
            other => Some(unknown_code(other, type_name)),
        },
        Formatted::Complex => complex_refusal(presentation, &read, type_name),
    };
    match refused {
        Some(message) => Err(message),
        None => Ok(read),
    }
}

const BOTH_SEPARATORS: &str = "Cannot specify both ',' and '_'.";

/// A spec as CPython reads it (its `InternalFormatSpec`).
pub(super) struct Spec {
    pub(super) fill: char,
    pub(super) align: char,
    pub(super) sign: Option<char>,
    pub(super) no_negative_zero: bool,
    pub(super) alternate: bool,
    pub(super) width: Option<usize>,
    pub(super) separator: Option<char>,
    pub(super) precision: Option<usize>,
    /// The presentation type, `'\0'` for none.
    pub(super) presentation: char,
}

/// CPython's `format_string_internal` checks.
fn text_refusal(presentation: char, flags: &Spec, type_name: &str) -> Option<String> {
    if presentation != 's' {
        return Some(unknown_code(presentation, type_name));
    }
    let refusal = match flags {
        Spec {
            sign: Some(' '), ..
        } => "Space not allowed in string format specifier",
        Spec { sign: Some(_), .. } => "Sign not allowed in string format specifier",
        Spec {
            no_negative_zero: true,
            ..
        } => "Negative zero coercion (z) not allowed in string format specifier",
        Spec {
            alternate: true, ..
        } => "Alternate form (#) not allowed in string format specifier",
        Spec { align: '=', .. } => "'=' alignment not allowed in string format specifier",
        _ => return None,
    };
    Some(refusal.to_owned())
}

/// CPython's `format_long_internal` checks, for the integer types; the
/// float types of an int are a float's.
fn int_refusal(presentation: char, flags: &Spec, type_name: &str) -> Option<String> {
    match presentation {
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%' => return None,
        'b' | 'c' | 'd' | 'o' | 'x' | 'X' | 'n' => {}
        other => return Some(unknown_code(other, type_name)),
    }
    let refusal = if flags.precision.is_some() {
        "Precision not allowed in integer format specifier"
    } else if flags.no_negative_zero {
        "Negative zero coercion (z) not allowed in integer format specifier"
    } else if presentation == 'c' && flags.sign.is_some() {
        "Sign not allowed with integer format specifier 'c'"
    } else if presentation == 'c' && flags.alternate {
        "Alternate form (#) not allowed with integer format specifier 'c'"
    } else {
        return None;
    };
    Some(refusal.to_owned())
}

/// CPython's `format_complex_internal` checks.
fn complex_refusal(presentation: char, flags: &Spec, type_name: &str) -> Option<String> {
    if !matches!(presentation, '\0' | 'e' | 'E' | 'f' | 'F' | 'g' | 'G' | 'n') {
        return Some(unknown_code(presentation, type_name));
    }
    if flags.fill == '0' {
        return Some("Zero padding is not allowed in complex format specifier".to_owned());
    }
    if flags.align == '=' {
        return Some("'=' alignment flag is not allowed in complex format specifier".to_owned());
    }
    None
}

/// CPython's `unknown_presentation_type`.
fn unknown_code(presentation: char, type_name: &str) -> String {
    format!(
        "Unknown format code {} for object of type '{type_name}'",
        quoted_code(presentation)
    )
}

/// A presentation type as CPython quotes it: the character when it is
/// printable ASCII, its code in hex otherwise.
fn quoted_code(presentation: char) -> String {
    if (33..128).contains(&u32::from(presentation)) {
        format!("'{presentation}'")
    } else {
        format!("'\\x{:x}'", u32::from(presentation))
    }
}

/// CPython's `get_integer`: how many digits were read at `at` (moved past
/// them) and the number they write; `None`, for CPython's "Too many
/// decimal digits in format string", when they overflow a C `ssize_t`.
fn digits(chars: &[char], at: &mut usize) -> Option<(usize, usize)> {
    let start = *at;
    let mut number: i64 = 0;
    while let Some(digit) = chars.get(*at).and_then(|c| c.to_digit(10)) {
        number = number.checked_mul(10)?.checked_add(i64::from(digit))?;
        *at += 1;
    }
    Some((*at - start, usize::try_from(number).ok()?))
}

/// CPython's message for a width or precision that overflows.
const TOO_MANY_DIGITS: &str = "Too many decimal digits in format string";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_cpython_refuses_in_its_words() {
        let cases = [
            (
                "abc",
                Formatted::Float,
                "float",
                Some("Invalid format specifier 'abc' for object of type 'float'"),
            ),
            (
                ".",
                Formatted::Float,
                "float",
                Some("Format specifier missing precision"),
            ),
            (
                "+",
                Formatted::Text,
                "str",
                Some("Sign not allowed in string format specifier"),
            ),
            (
                "=5",
                Formatted::Text,
                "str",
                Some("'=' alignment not allowed in string format specifier"),
            ),
            (
                ",,",
                Formatted::Float,
                "float",
                Some("Cannot specify ',' with ','."),
            ),
            (
                "_,",
                Formatted::Float,
                "float",
                Some("Cannot specify both ',' and '_'."),
            ),
            (
                ",x",
                Formatted::Int,
                "int",
                Some("Cannot specify ',' with 'x'."),
            ),
            ("_x", Formatted::Int, "int", None),
            (
                ".2d",
                Formatted::Int,
                "int",
                Some("Precision not allowed in integer format specifier"),
            ),
            (
                "+c",
                Formatted::Int,
                "int",
                Some("Sign not allowed with integer format specifier 'c'"),
            ),
            (
                "d",
                Formatted::Text,
                "str",
                Some("Unknown format code 'd' for object of type 'str'"),
            ),
            (
                "010",
                Formatted::Complex,
                "complex",
                Some("Zero padding is not allowed in complex format specifier"),
            ),
            ("*^+#012,.3f", Formatted::Float, "float", None),
            ("<10s", Formatted::Text, "str", None),
        ];
        for (spec, kind, type_name, expected) in cases {
            assert_eq!(
                refusal(spec, kind, type_name).as_deref(),
                expected,
                "{spec:?} for {type_name}"
            );
        }
        assert_eq!(
            refusal("99999999999999999999", Formatted::Int, "int").as_deref(),
            Some(TOO_MANY_DIGITS)
        );
    }
}
