//! `posix` functions called with keywords, bound as CPython 3.11 binds
//! them.
//!
//! RustPython 0.5 takes most `posix` parameters by position only:
//! `os.mkdir(p, mode=0o700)` was "Unexpected keyword argument mode",
//! `os.chmod(p, mode=0o644)` and `os.stat(path=p)` "expected at least 1
//! arguments, got 0", and a function CPython takes no keywords for
//! (`os.read(fd=3, length=1)`, "posix.read() takes no keyword arguments")
//! said the same. Every one of RustPython's `posix` functions is called
//! here through a front that, where keywords are given, binds the call by
//! the function's parameters as CPython declares them (its text signature,
//! from `builtin_docs`' table), refusing it in Argument Clinic's words;
//! then gives RustPython's function the positional parameters by
//! position, a left-out one by its default, and the keyword-only ones
//! (`dir_fd`, `follow_symlinks`) by name, as RustPython takes those. A
//! call without keywords goes to RustPython's as it is, once the number
//! of its arguments is one the function takes (else it is refused in
//! CPython's words: "stat() missing required argument 'path' (pos 1)",
//! "posix.dup() takes exactly one argument (0 given)").
//!
//! A left-out parameter before a given one whose default is not a plain
//! value (`<unrepresentable>`) is given by name with those after it.

use super::clinic_signature::{positional_only, Signature};
use super::docs_table::FUNCTIONS;
use rustpython_vm::function::{FuncArgs, PyNativeFn};
use rustpython_vm::{PyObjectRef, PyResult, VirtualMachine};

/// Parameters CPython reads with its process id converter, which only
/// the old `PyArg_ParseTuple` takes: a function of positional-only
/// parameters with one of them refuses a wrong count in that parser's
/// words ("kill() takes exactly 2 arguments (1 given)"), the others in
/// Argument Clinic's ("lseek expected 3 arguments, got 1").
const PROCESS_IDS: [&str; 3] = ["pid", "pgid", "pgrp"];

/// A parameter's default, as a text signature writes it.
#[derive(Clone, Copy)]
enum Default {
    None,
    Bool(bool),
    Int(i64),
    EmptyTuple,
    /// One this front cannot make (`<unrepresentable>`, a name).
    Other,
}

impl Default {
    fn read(text: &str) -> Self {
        match text {
            "None" => Self::None,
            "True" => Self::Bool(true),
            "False" => Self::Bool(false),
            "()" => Self::EmptyTuple,
            _ => text.parse().map_or(Self::Other, Self::Int),
        }
    }

    fn value(self, vm: &VirtualMachine) -> Option<PyObjectRef> {
        Some(match self {
            Self::None => vm.ctx.none(),
            Self::Bool(truth) => vm.ctx.new_bool(truth).into(),
            Self::Int(number) => vm.ctx.new_int(number).into(),
            Self::EmptyTuple => vm.ctx.empty_tuple.clone().into(),
            Self::Other => return None,
        })
    }
}

/// A function's parameters as CPython declares them.
struct Declared {
    /// Every parameter, in order.
    parameters: Vec<&'static str>,
    /// Each parameter's default, where it has one.
    defaults: Vec<Option<Default>>,
    /// How many lead as positional-only.
    positional_only: usize,
    /// How many may be given by position (those before `*`).
    positional: usize,
}

/// A function declared as CPython declares it, bound by its signature.
struct Bound {
    signature: Signature,
    defaults: Vec<Option<Default>>,
}

/// `own`, the `posix` function `name`, taking keywords as CPython's does;
/// `own` itself where CPython's table gives no text signature for it.
pub(super) fn front(name: &'static str, own: &'static dyn PyNativeFn) -> &'static dyn PyNativeFn {
    let Some(declared) = declared(name) else {
        return own;
    };
    let required = declared
        .defaults
        .iter()
        .take_while(|default| default.is_none())
        .count();
    let bound: &'static Bound = Box::leak(Box::new(Bound {
        signature: Signature {
            function: name,
            parameters: Box::leak(declared.parameters.into_boxed_slice()),
            positional_only: declared.positional_only,
            positional: declared.positional,
            required: required.min(declared.positional),
        },
        defaults: declared.defaults,
    }));
    Box::leak(Box::new(move |vm: &VirtualMachine, args: FuncArgs| {
        if args.kwargs.is_empty() {
            bound.count_refused(name, args.args.len(), vm)?;
            return own(vm, args);
        }
        own(vm, bound.rebound(name, args, vm)?)
    }))
}

/// The name CPython gives the parameter at `index` of the `posix`
/// function `function` (`symlink`'s second is `dst`).
pub(super) fn parameter_name(function: &str, index: usize) -> Option<&'static str> {
    declared(function)?.parameters.get(index).copied()
}

impl Bound {
    /// CPython's refusal of `given` positional arguments, where it is not
    /// a number the function takes: `METH_NOARGS`'s and `METH_O`'s words
    /// for a function of none or one positional-only parameter, else
    /// Argument Clinic's (or `PyArg_ParseTuple`'s, see [`PROCESS_IDS`]).
    fn count_refused(&self, name: &str, given: usize, vm: &VirtualMachine) -> PyResult<()> {
        let signature = &self.signature;
        if (signature.required..=signature.positional).contains(&given) {
            return Ok(());
        }
        let (all, only) = (signature.parameters.len(), signature.positional_only);
        let words = if all == 0 {
            format!("posix.{name}() takes no arguments ({given} given)")
        } else if all == 1 && only == 1 && signature.required == 1 {
            format!("posix.{name}() takes exactly one argument ({given} given)")
        } else if all == only && signature.parameters.iter().any(|p| PROCESS_IDS.contains(p)) {
            // `PyArg_ParseTuple`, which a process id's converter needs.
            format!("{name}() takes exactly {all} arguments ({given} given)")
        } else if all == only {
            positional_only(
                name,
                name,
                FuncArgs::from(vec![vm.ctx.none(); given]),
                signature.required,
                all,
                vm,
            )?;
            return Ok(());
        } else {
            signature.bind(FuncArgs::from(vec![vm.ctx.none(); given]), vm)?;
            return Ok(());
        };
        Err(vm.new_type_error(words))
    }

    /// `args` bound, then laid out as RustPython's function takes them.
    fn rebound(&self, name: &str, args: FuncArgs, vm: &VirtualMachine) -> PyResult<FuncArgs> {
        let signature = &self.signature;
        if signature.positional_only == signature.parameters.len() {
            return Err(vm.new_type_error(format!("posix.{name}() takes no keyword arguments")));
        }
        let bound = signature.bind(args, vm)?;
        let positional = signature.positional;
        let last_given = bound[..positional]
            .iter()
            .rposition(Option::is_some)
            .map_or(0, |last| last + 1);
        let mut laid_out = FuncArgs::default();
        let mut by_name = false;
        for (index, value) in bound.into_iter().enumerate() {
            if index < last_given && !by_name {
                let default = || self.defaults[index].and_then(|default| default.value(vm));
                if let Some(value) = value.clone().or_else(default) {
                    laid_out.args.push(value);
                    continue;
                }
                by_name = true;
            }
            if let Some(value) = value {
                laid_out
                    .kwargs
                    .insert(signature.parameters[index].to_owned(), value);
            }
        }
        Ok(laid_out)
    }
}

/// The parameters of `posix.{name}` as CPython's text signature declares
/// them: `($module, fd, /)`, `($module, /, path, *, dir_fd=None)`.
fn declared(name: &str) -> Option<Declared> {
    let key = format!("posix.{name}");
    let at = FUNCTIONS
        .binary_search_by(|(known, _, _)| (*known).cmp(key.as_str()))
        .ok()?;
    let text = FUNCTIONS[at].2?;
    let inner = text.strip_prefix('(')?.strip_suffix(')')?;
    let mut declared = Declared {
        parameters: Vec::new(),
        defaults: Vec::new(),
        positional_only: 0,
        positional: usize::MAX,
    };
    for part in inner.split(',').map(str::trim) {
        match part {
            "$module" => {}
            "/" => declared.positional_only = declared.parameters.len(),
            "*" => declared.positional = declared.parameters.len(),
            _ => {
                let (parameter, default) = match part.split_once('=') {
                    Some((parameter, default)) => (parameter, Some(Default::read(default))),
                    None => (part, None),
                };
                declared.parameters.push(parameter);
                declared.defaults.push(default);
            }
        }
    }
    declared.positional = declared.positional.min(declared.parameters.len());
    Some(declared)
}

#[cfg(test)]
mod tests {
    use super::declared;

    #[test]
    fn a_text_signature_gives_the_parameters_and_how_each_is_taken() {
        let stat = declared("stat").expect("posix.stat has a text signature");
        assert_eq!(stat.parameters, ["path", "dir_fd", "follow_symlinks"]);
        assert_eq!((stat.positional_only, stat.positional), (0, 1));
        let read = declared("read").expect("posix.read has a text signature");
        assert_eq!(read.parameters, ["fd", "length"]);
        assert_eq!((read.positional_only, read.positional), (2, 2));
        let mkdir = declared("mkdir").expect("posix.mkdir has a text signature");
        assert_eq!(mkdir.parameters, ["path", "mode", "dir_fd"]);
        assert_eq!(mkdir.positional, 2);
        assert!(matches!(mkdir.defaults[1], Some(super::Default::Int(511))));
        assert_eq!(super::parameter_name("symlink", 1), Some("dst"));
    }
}
