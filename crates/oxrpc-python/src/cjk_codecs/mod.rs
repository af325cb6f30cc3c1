//! The CJK codecs of CPython 3.11 for RustPython's interpreters.
//!
//! RustPython 0.5 has no `_multibytecodec` nor `_codecs_jp` and its kin, so
//! `'日本'.encode('shift_jis')`, `gbk`, `big5`, `euc_kr` and the rest
//! raised `LookupError: unknown encoding` where rpyc_classic encodes, and
//! `open(path, encoding='cp932')` failed with it. The interpreters are
//! given those modules: `_codecs_jp`, `_codecs_cn`, `_codecs_kr`,
//! `_codecs_tw` and `_codecs_hk` hand out codec objects (`getcodec`), and
//! `_multibytecodec` (`multibytecodec.py`) the classes the standard
//! library's `encodings` modules of these codecs derive from, so
//! `codecs.lookup`, `str.encode`, `bytes.decode`, incremental codecs,
//! `TextIOWrapper` and `codecs.open` work as on CPython. The bytes are
//! decoded and encoded here (`decoder`, `encoder`), from CPython's own
//! tables (`tables`), so every sequence decodes, and every character
//! encodes, to what CPython gives, errors at the same places.
//!
//! The stateful codecs are written out over the tables: `hz` (`hz`, over
//! GB2312's) and the ISO-2022 codecs of `_codecs_iso2022` (`iso2022`,
//! over the sets they designate: `iso2022_jp` and its variants,
//! `iso2022_kr`).

mod decoder;
mod encoder;
mod hz;
mod iso2022;
mod natives;
mod tables;

use natives::{decode, encode, first_states, reset, Scheme};
use rustpython_vm::builtins::{PyModule, PyModuleDef, PyModuleSlots, PyStr};
use rustpython_vm::function::{FuncArgs, PyMethodDef, PyMethodFlags, PyNativeFn};
use rustpython_vm::scope::Scope;
use rustpython_vm::{Context, Py, PyResult, VirtualMachine};
use std::sync::OnceLock;

/// `_multibytecodec`'s classes (run in the module when it is imported).
const MULTIBYTECODEC: &str = include_str!("multibytecodec.py");

/// The modules handing out codecs, with the codecs each gives.
const FAMILIES: [(&str, &[&str]); 6] = [
    (
        "_codecs_jp",
        &[
            "shift_jis",
            "cp932",
            "euc_jp",
            "shift_jis_2004",
            "shift_jisx0213",
            "euc_jis_2004",
            "euc_jisx0213",
        ],
    ),
    ("_codecs_cn", &["gb2312", "gbk", "gb18030", "hz"]),
    ("_codecs_kr", &["euc_kr", "cp949", "johab"]),
    ("_codecs_tw", &["big5", "cp950"]),
    ("_codecs_hk", &["big5hkscs"]),
    (
        "_codecs_iso2022",
        &[
            "iso2022_kr",
            "iso2022_jp",
            "iso2022_jp_1",
            "iso2022_jp_2",
            "iso2022_jp_2004",
            "iso2022_jp_3",
            "iso2022_jp_ext",
        ],
    ),
];

/// The definitions of `_multibytecodec` and the codec modules, made once
/// per process.
pub(crate) fn module_defs(ctx: &Context) -> Vec<&'static PyModuleDef> {
    static DEFS: OnceLock<Vec<&'static PyModuleDef>> = OnceLock::new();
    DEFS.get_or_init(|| {
        let multibytecodec = definition(
            ctx,
            "_multibytecodec",
            vec![
                method("_oxrpc_decode", &decode),
                method("_oxrpc_encode", &encode),
                method("_oxrpc_reset", &reset),
                method("_oxrpc_first_states", &first_states),
            ],
            Some(fill_multibytecodec),
        );
        let families = FAMILIES.iter().map(|(name, codecs)| {
            let codecs: &'static [&'static str] = codecs;
            let module: &'static str = name;
            let getcodec =
                move |vm: &VirtualMachine, args: FuncArgs| getcodec(module, codecs, args, vm);
            let getcodec: &'static dyn PyNativeFn = Box::leak(Box::new(getcodec));
            definition(ctx, name, vec![method("getcodec", getcodec)], None)
        });
        std::iter::once(multibytecodec).chain(families).collect()
    })
    .clone()
}

/// What fills a module once it is made.
type Filler = fn(&VirtualMachine, &Py<PyModule>) -> PyResult<()>;

/// A module definition, kept for the life of the process.
fn definition(
    ctx: &Context,
    name: &str,
    methods: Vec<PyMethodDef>,
    exec: Option<Filler>,
) -> &'static PyModuleDef {
    Box::leak(Box::new(PyModuleDef {
        name: ctx.intern_str(name),
        doc: None,
        methods: Box::leak(methods.into_boxed_slice()),
        slots: PyModuleSlots { create: None, exec },
    }))
}

fn method(name: &'static str, func: &'static dyn PyNativeFn) -> PyMethodDef {
    PyMethodDef {
        name,
        func,
        flags: PyMethodFlags::EMPTY,
        doc: None,
    }
}

/// Runs `multibytecodec.py` in the module.
fn fill_multibytecodec(vm: &VirtualMachine, module: &Py<PyModule>) -> PyResult<()> {
    let scope = Scope::with_builtins(None, module.dict(), vm);
    crate::compiled::run(vm, scope, MULTIBYTECODEC, "<_multibytecodec>")?;
    Ok(())
}

/// `getcodec(encoding)` of the module `module` giving `codecs`: the codec
/// object, refused in CPython's words (`LookupError` for a name the module
/// does not give).
fn getcodec(module: &str, codecs: &[&str], args: FuncArgs, vm: &VirtualMachine) -> PyResult {
    if !args.kwargs.is_empty() {
        return Err(vm.new_type_error(format!("{module}.getcodec() takes no keyword arguments")));
    }
    let [encoding] = args.args.as_slice() else {
        return Err(vm.new_type_error(format!(
            "{module}.getcodec() takes exactly one argument ({} given)",
            args.args.len()
        )));
    };
    let Some(encoding) = encoding.downcast_ref::<PyStr>() else {
        return Err(vm.new_type_error("encoding name must be a string.".to_owned()));
    };
    let name = encoding.to_str().unwrap_or_default();
    if !codecs.contains(&name) || Scheme::named(name).is_none() {
        return Err(vm.new_lookup_error("no such codec is supported.".to_owned()));
    }
    let module = vm.import("_multibytecodec", 0)?;
    module
        .get_attr("_oxrpc_codec", vm)?
        .call((encoding.to_owned(),), vm)
}

#[cfg(test)]
mod tests;
