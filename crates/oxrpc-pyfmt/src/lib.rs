//! Python's own text, written from Rust.
//!
//! Both protocols put Python-formatted text on the wire: XML-RPC faults
//! carry `repr()` of paths and CPython's `TypeError` wording; RPyC replies to
//! `HANDLE_REPR`/`HANDLE_STR` with Python's rendering of lists and dicts, and
//! exceptions carry Python's messages. A client compares those strings, so
//! "roughly like Python" is a bug. Each function here is checked against
//! what CPython 3.11 prints.
//!
//! ```
//! assert_eq!(oxrpc_pyfmt::str_repr("it's"), "\"it's\"");
//! assert_eq!(oxrpc_pyfmt::float_repr(1e-05), "1e-05");
//! assert_eq!(oxrpc_pyfmt::complex_repr(1.0, 2.0), "(1+2j)");
//! ```

mod float;
mod numeric;
mod signature;
mod text;
mod unicode;
#[rustfmt::skip]
mod unicode_db;

pub use float::{complex_repr, float_repr, write_complex_repr, write_float_repr};
pub use numeric::{
    digits_and_spaces_as_ascii, float_text, int_digits_over_limit, int_text,
    underscores_between_digits, INT_MAX_STR_DIGITS,
};
pub use signature::Signature;
pub use text::{
    bytes_repr, code_point_escape, str_repr, write_bytes_repr, write_code_point_escape,
    write_str_repr,
};
pub use unicode::{
    case_of, is_alnum, is_alpha, is_decimal, is_digit, is_identifier_char, is_numeric,
    is_printable, swapcase, Case,
};
