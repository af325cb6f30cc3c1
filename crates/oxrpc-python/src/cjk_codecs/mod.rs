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
//! `hz`, stateful, is written out (`hz`) over GB2312's tables. Not given:
//! the ISO-2022 codecs (`iso2022_jp` and its variants, `iso2022_kr`, of
//! `_codecs_iso2022`), which stay unknown encodings.

mod decoder;
mod encoder;
mod hz;
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
    ("_codecs_cn", &["gb2312", "gbk", "gb18030", "hz"]),
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
                method("_oxrpc_reset", &reset),
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
    if !codecs.contains(&name) || Scheme::named(name).is_none() {
        return Err(vm.new_lookup_error("no such codec is supported.".to_owned()));
    }
    let module = vm.import("_multibytecodec", 0)?;
    module
        .get_attr("_oxrpc_codec", vm)?
        .call((encoding.to_owned(),), vm)
}

/// How a codec decodes and encodes.
#[derive(Clone, Copy)]
enum Scheme {
    /// Sequence by sequence from its tables, without state.
    Tables(&'static tables::Codec),
    /// HZ, over GB2312's tables, with a state.
    Hz(&'static tables::Codec),
}

impl Scheme {
    fn named(name: &str) -> Option<Self> {
        match name {
            "hz" => tables::codec("gb2312").map(Scheme::Hz),
            _ => tables::codec(name).map(Scheme::Tables),
        }
    }

    /// The codec `name`, which `getcodec` checked.
    fn of(name: &PyStrRef, vm: &VirtualMachine) -> PyResult<Self> {
        Self::named(name.to_str().unwrap_or_default())
            .ok_or_else(|| vm.new_lookup_error("no such codec is supported.".to_owned()))
    }
}

/// `Stop` as `multibytecodec.py` reads it: (kind, size).
fn stop_code(stop: Stop) -> (u8, usize) {
    match stop {
        Stop::End => (0, 0),
        Stop::Incomplete => (1, 0),
        Stop::Illegal(size) => (2, size),
    }
}

/// The state byte a codec reads from CPython's eight state bytes, as an
/// int (`getstate` gives them all; the codecs use the first).
fn state_byte(state: u64) -> u8 {
    state.to_le_bytes()[0]
}

/// `state` with its first byte `byte`.
fn with_state_byte(state: u64, byte: u8) -> u64 {
    let mut bytes = state.to_le_bytes();
    bytes[0] = byte;
    u64::from_le_bytes(bytes)
}

/// `_oxrpc_decode(name, data, start, state)`: the runs of `data` from
/// `start`, each `(text, position, stop, size, state)`, on past every
/// illegal sequence (which leaves the state as it was) to the end or an
/// incomplete sequence.
fn decode(vm: &VirtualMachine, args: FuncArgs) -> PyResult {
    let (name, data, start, state): (PyStrRef, ArgBytesLike, usize, u64) = args.bind(vm)?;
    let scheme = Scheme::of(&name, vm)?;
    let runs = data.with_ref(|bytes| {
        let mut runs = Vec::new();
        let mut position = start;
        let mut byte = state_byte(state);
        loop {
            let decoded = match scheme {
                Scheme::Tables(codec) => decoder::decode(codec, bytes, position),
                Scheme::Hz(gb2312) => hz::decode(gb2312, bytes, position, &mut byte),
            };
            let (stop, size) = stop_code(decoded.stop);
            let state = with_state_byte(state, byte);
            runs.push((decoded.text, decoded.position, stop, size, state));
            match decoded.stop {
                Stop::Illegal(size) => position = decoded.position + size,
                Stop::End | Stop::Incomplete => break runs,
            }
        }
    });
    let runs = runs
        .into_iter()
        .map(|run| vm.new_tuple(run).into())
        .collect();
    Ok(vm.ctx.new_list(runs).into())
}

/// `_oxrpc_encode(name, text, start, last, state)`: the runs of `text`
/// from `start`, each `(bytes, position, stop, size, state)`, to the end,
/// or (not `last`) a character that may start a pair; past the characters
/// the codec cannot write where it has no state (with a state, what the
/// error handler writes changes it: one run).
fn encode(vm: &VirtualMachine, args: FuncArgs) -> PyResult {
    let (name, text, start, last, state): (PyStrRef, PyStrRef, usize, bool, u64) = args.bind(vm)?;
    let scheme = Scheme::of(&name, vm)?;
    let points: Vec<u32> = text
        .as_wtf8()
        .code_points()
        .map(|point| point.to_u32())
        .collect();
    let mut runs = Vec::new();
    let mut position = start;
    let mut byte = state_byte(state);
    loop {
        let encoded = match scheme {
            Scheme::Tables(codec) => encoder::encode(codec, &points, position, last),
            Scheme::Hz(gb2312) => hz::encode(gb2312, &points, position, &mut byte),
        };
        let (stop, size) = stop_code(encoded.stop);
        runs.push(
            vm.new_tuple((
                vm.ctx.new_bytes(encoded.bytes),
                encoded.position,
                stop,
                size,
                with_state_byte(state, byte),
            ))
            .into(),
        );
        match (encoded.stop, scheme) {
            (Stop::Illegal(size), Scheme::Tables(_)) => position = encoded.position + size,
            _ => break,
        }
    }
    Ok(vm.ctx.new_list(runs).into())
}

/// `_oxrpc_reset(name, state, decoding)`: what ends the text in `state`
/// and the state after it, `(bytes, state)`, or (`decoding`) the state a
/// decoder's reset leaves. A codec without state leaves it as it is (as
/// CPython's, which have no reset of their own).
fn reset(vm: &VirtualMachine, args: FuncArgs) -> PyResult {
    let (name, state, decoding): (PyStrRef, u64, bool) = args.bind(vm)?;
    let (bytes, byte) = match Scheme::of(&name, vm)? {
        Scheme::Tables(_) => (Vec::new(), state_byte(state)),
        Scheme::Hz(_) if decoding => (Vec::new(), 0),
        Scheme::Hz(_) => {
            let mut byte = state_byte(state);
            (hz::reset(&mut byte), byte)
        }
    };
    Ok(vm
        .new_tuple((vm.ctx.new_bytes(bytes), with_state_byte(state, byte)))
        .into())
}

#[cfg(test)]
mod tests;
