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
//! Not given: the stateful codecs, `hz` and `iso2022_*` (`_codecs_iso2022`):
//! they stay unknown encodings (`hz` says `no such codec is supported.`,
//! as `_codecs_cn.getcodec` does for a name it lacks).

mod decoder;
mod encoder;
mod tables;

use decoder::Stop;
use rustpython_vm::builtins::{PyModule, PyModuleDef, PyModuleSlots, PyStrRef};
use rustpython_vm::function::{ArgBytesLike, FuncArgs, PyMethodDef, PyMethodFlags, PyNativeFn};
use rustpython_vm::scope::Scope;
use rustpython_vm::{Context, Py, PyResult, VirtualMachine};
use std::sync::OnceLock;

/// `_multibytecodec`'s classes (run in the module when it is imported).
const MULTIBYTECODEC: &str = include_str!("multibytecodec.py");

/// The modules handing out codecs, with the codecs each gives.
const FAMILIES: [(&str, &[&str]); 5] = [
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
    ("_codecs_cn", &["gb2312", "gbk", "gb18030"]),
    ("_codecs_kr", &["euc_kr", "cp949", "johab"]),
    ("_codecs_tw", &["big5", "cp950"]),
    ("_codecs_hk", &["big5hkscs"]),
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
    let Some(encoding) = encoding.downcast_ref::<rustpython_vm::builtins::PyStr>() else {
        return Err(vm.new_type_error("encoding name must be a string.".to_owned()));
    };
    let name = encoding.to_str().unwrap_or_default();
    if !codecs.contains(&name) || tables::codec(name).is_none() {
        return Err(vm.new_lookup_error("no such codec is supported.".to_owned()));
    }
    let module = vm.import("_multibytecodec", 0)?;
    module
        .get_attr("_oxrpc_codec", vm)?
        .call((encoding.to_owned(),), vm)
}

/// The codec `name`, which `getcodec` checked.
fn codec_named(name: &PyStrRef, vm: &VirtualMachine) -> PyResult<&'static tables::Codec> {
    tables::codec(name.to_str().unwrap_or_default())
        .ok_or_else(|| vm.new_lookup_error("no such codec is supported.".to_owned()))
}

/// `Stop` as `multibytecodec.py` reads it: (kind, size).
fn stop_code(stop: Stop) -> (u8, usize) {
    match stop {
        Stop::End => (0, 0),
        Stop::Incomplete => (1, 0),
        Stop::Illegal(size) => (2, size),
    }
}

/// `_oxrpc_decode(name, data, start)`: the runs of `data` from `start`,
/// each `(text, position, stop, size)`, on past every illegal sequence to
/// the end or an incomplete sequence.
fn decode(vm: &VirtualMachine, args: FuncArgs) -> PyResult {
    let (name, data, start): (PyStrRef, ArgBytesLike, usize) = args.bind(vm)?;
    let codec = codec_named(&name, vm)?;
    let runs = data.with_ref(|bytes| {
        let mut runs = Vec::new();
        let mut position = start;
        loop {
            let decoded = decoder::decode(codec, bytes, position);
            let (stop, size) = stop_code(decoded.stop);
            runs.push((decoded.text, decoded.position, stop, size));
            match decoded.stop {
                Stop::Illegal(size) => position = decoded.position + size,
                Stop::End | Stop::Incomplete => break runs,
            }
        }
    });
    let runs = runs
        .into_iter()
        .map(|(text, position, stop, size)| vm.new_tuple((text, position, stop, size)).into())
        .collect();
    Ok(vm.ctx.new_list(runs).into())
}

/// `_oxrpc_encode(name, text, start, last)`: the runs of `text` from
/// `start`, each `(bytes, position, stop, size)`, on past every character
/// the codec cannot write to the end or (not `last`) a character that may
/// start a pair.
fn encode(vm: &VirtualMachine, args: FuncArgs) -> PyResult {
    let (name, text, start, last): (PyStrRef, PyStrRef, usize, bool) = args.bind(vm)?;
    let codec = codec_named(&name, vm)?;
    let points: Vec<u32> = text
        .as_wtf8()
        .code_points()
        .map(|point| point.to_u32())
        .collect();
    let mut runs = Vec::new();
    let mut position = start;
    loop {
        let encoded = encoder::encode(codec, &points, position, last);
        let (stop, size) = stop_code(encoded.stop);
        runs.push(
            vm.new_tuple((
                vm.ctx.new_bytes(encoded.bytes),
                encoded.position,
                stop,
                size,
            ))
            .into(),
        );
        match encoded.stop {
            Stop::Illegal(size) => position = encoded.position + size,
            Stop::End | Stop::Incomplete => break,
        }
    }
    Ok(vm.ctx.new_list(runs).into())
}

#[cfg(test)]
mod tests;
