//! Builtins as CPython 3.11 computes them, where RustPython 0.5 differs.
//!
//! A classic client runs its code on the server and reads back what that
//! code computed, as it would from rpyc_classic on CPython. Where
//! RustPython's builtins answer otherwise (arithmetic, text, reprs), the
//! types it shares between all interpreters are given CPython's behaviour
//! once per process, before any client code runs: a slot or a method is
//! replaced, and the operands it does not concern still go to RustPython.
//! Each file is one such difference and says what it was. What still
//! differs is listed, with why, as the allowances of the classic
//! differential (`tests/interop/differential/classic_diff.py`).
//!
//! A replacement goes into its type before the cell that keeps
//! RustPython's original is filled; no other interpreter may run
//! meanwhile, and none does: the first interpreter of the process installs
//! all of them while every other waits (`crate::first_setup`).

mod absolute_value;
mod arity;
// Generated, and checked against its generator byte for byte.
#[rustfmt::skip]
mod arity_table;
mod attribute_error_names;
mod attribute_lookup;
mod bool_format;
mod builtin_docs;
mod builtin_errors;
mod builtin_functions;
mod bytes_from_iterable;
mod charmap;
pub(crate) mod clinic_signature;
// Generated, and checked against its generator byte for byte.
#[rustfmt::skip]
mod closed_file_table;
mod closed_files;
pub(crate) mod code_in_namespace;
mod codec_errors;
mod collect_iterable;
mod complex_arithmetic;
mod complex_repr;
mod consume_iterable;
mod dict_fromkeys;
mod dict_update;
mod dict_view_sets;
mod dir_names;
// Generated, and checked against its generator byte for byte.
#[rustfmt::skip]
mod docs_table;
mod descriptor_additions;
mod error_callbacks;
mod error_handler_ranges;
mod error_text;
mod exception_args;
mod exception_group;
mod exception_keywords;
mod fd_errors;
mod float_arithmetic;
mod float_constructor;
mod float_format;
mod float_hex;
mod float_round;
mod float_to_int;
mod format_refusals;
mod format_spec;
mod generator_throw;
pub(crate) mod hashlib;
mod hex_separator;
mod import_error;
mod items;
mod itimer_errors;
mod join;
mod link_follow;
mod location_table;
mod match_defaults;
pub(crate) mod math_domain;
mod memory_bounds;
mod memoryview_order;
mod method_descriptor_call;
mod methods;
mod module_additions;
mod module_copy;
mod name_replace;
mod normal_forms;
mod notimplemented_bool;
mod numbers_from_text;
mod numeric_hash;
mod os_error_args;
mod path_errors;
mod percent_format;
mod posix_additions;
mod posix_keywords;
pub(crate) mod reparsed;
mod sequence_errors;
mod sequence_fast;
mod sequence_repeat;
mod set_algebra;
mod sized_allocations;
pub(crate) mod source_positions;
pub(crate) mod ssl_errors;
mod str_format;
mod str_methods;
mod str_repr;
mod strftime_zone;
pub(crate) mod string_io;
mod syntax_error_args;
pub(crate) mod syntax_errors;
mod text_codec_fast_path;
mod text_open;
mod text_tell;
mod time_zone;
mod type_names;
mod unbound_local;
pub(crate) mod unicodedata;
#[rustfmt::skip]
mod unicodedata_table;
mod unicode_error_str;
mod unsupported_operations;
mod utf16_utf32;
mod utime_descriptor;
mod wide_codec_functions;
pub(crate) mod written_docstrings;

use rustpython_vm::builtins::PyModuleDef;
use rustpython_vm::{Context, PyResult, VirtualMachine};
use std::sync::OnceLock;

/// The modules whose functions CPython's differ from RustPython's, or
/// that lack names CPython's have, given to every interpreter in place of
/// RustPython's: copies with those functions behind fronts of this folder
/// (see `module_copy`), every `posix` function naming itself in its path
/// errors (`path_errors`), and the names added (`module_additions`), made
/// once per process.
pub(crate) fn module_defs(ctx: &Context) -> Vec<&'static PyModuleDef> {
    static DEFS: OnceLock<Vec<&'static PyModuleDef>> = OnceLock::new();
    let fronts: [(&str, &[(&str, module_copy::Front)]); 6] = [
        (
            "posix",
            &[
                ("read", sized_allocations::os_read),
                ("link", link_follow::link),
                ("utime", utime_descriptor::utime),
                ("urandom", sized_allocations::os_urandom),
                ("getrandom", sized_allocations::os_getrandom),
            ],
        ),
        ("_struct", &[("pack", sized_allocations::struct_pack)]),
        (
            "_codecs",
            &[
                ("lookup", codec_errors::lookup),
                ("encode", codec_errors::encode),
                ("decode", codec_errors::decode),
                ("utf_16_decode", codec_errors::utf_16_decode),
                ("utf_16_le_decode", codec_errors::utf_16_le_decode),
                ("utf_16_be_decode", codec_errors::utf_16_be_decode),
                ("utf_16_ex_decode", codec_errors::utf_16_ex_decode),
                ("utf_32_decode", codec_errors::utf_32_decode),
                ("utf_32_le_decode", codec_errors::utf_32_le_decode),
                ("utf_32_be_decode", codec_errors::utf_32_be_decode),
                ("utf_32_ex_decode", codec_errors::utf_32_ex_decode),
            ],
        ),
        (
            "zlib",
            &[("decompress", sized_allocations::zlib_decompress)],
        ),
        (
            "_signal",
            &[
                ("setitimer", itimer_errors::setitimer),
                ("getitimer", itimer_errors::getitimer),
            ],
        ),
        ("time", &[("strftime", strftime_zone::strftime)]),
    ];
    DEFS.get_or_init(|| {
        let fronted = module_copy::fronted(ctx, &fronts);
        let missing = module_additions::missing_from(ctx, &fronted);
        fronted
            .into_iter()
            .chain(missing)
            .map(|def| match def.name.as_str() {
                "posix" => path_errors::named_in_errors(def),
                _ => module_additions::with_additions(def, |method| method.func),
            })
            .collect()
    })
    .clone()
}

/// Gives `vm` CPython's builtins where they differ. The functions of the
/// builtins module (`round`, `min`, ...) live in each interpreter, so they
/// are replaced in every one; the rest are types shared by all, replaced
/// by the first interpreter only.
pub(crate) fn install(vm: &VirtualMachine) -> PyResult<()> {
    float_round::install(vm)?;
    builtin_errors::install(vm)?;
    float_constructor::install(vm)?;
    numbers_from_text::install(vm)?;
    percent_format::install(vm)?;
    join::install(vm)?;
    attribute_lookup::install(vm)?;
    absolute_value::install(vm)?;
    sequence_repeat::install(vm)?;
    sized_allocations::install(vm)?;
    dict_update::install(vm)?;
    collect_iterable::install(vm)?;
    consume_iterable::install(vm)?;
    set_algebra::install(vm)?;
    dict_view_sets::install(vm)?;
    dict_fromkeys::install(vm)?;
    str_format::install(vm)?;
    format_refusals::install(vm)?;
    float_arithmetic::install(vm)?;
    complex_arithmetic::install(vm)?;
    float_to_int::install(vm)?;
    numeric_hash::install(vm)?;
    float_hex::install(vm)?;
    float_format::install(vm)?;
    str_methods::install(vm)?;
    text_codec_fast_path::install(vm)?;
    name_replace::install(vm)?;
    charmap::install(vm)?;
    wide_codec_functions::install(vm)?;
    error_handler_ranges::install(vm)?;
    hex_separator::install(vm)?;
    memoryview_order::install(vm)?;
    match_defaults::install(vm)?;
    bytes_from_iterable::install(vm)?;
    str_repr::install(vm)?;
    complex_repr::install(vm)?;
    bool_format::install(vm)?;
    dir_names::install(vm)?;
    unicode_error_str::install(vm)?;
    generator_throw::install(vm)?;
    sequence_errors::install(vm)?;
    import_error::install(vm)?;
    notimplemented_bool::install(vm)?;
    method_descriptor_call::install(vm)?;
    syntax_error_args::install(vm)?;
    os_error_args::install(vm)?;
    exception_args::install(vm)?;
    unbound_local::install(vm)?;
    itimer_errors::install(vm)?;
    exception_group::install(vm)?;
    exception_keywords::install(vm)?;
    closed_files::install(vm)?;
    unsupported_operations::install(vm)?;
    text_open::install(vm)?;
    text_tell::install(vm)?;
    attribute_error_names::install(vm);
    builtin_docs::install(vm)?;
    arity::install(vm)
}
