//! Python exceptions to and from rpyc's vinegar form.
//!
//! An exception raised by client code keeps its real class name, module,
//! arguments and the interpreter's traceback text, so a Python peer re-raises
//! a `ZeroDivisionError` as one. An exception coming back from the peer (a
//! callback that raised) becomes the matching exception class inside the
//! interpreter when it has one, or a class made up in its name, as rpyc's
//! `vinegar.load` does.

use crate::convert::{deep_brine, from_brine};
use crate::runtime::Runtime;
use crate::space::{Kind, ObjectSpace};
use oxrpc_rpyc::{BrineValue, RemoteException};

fn text<S: ObjectSpace>(vm: S::Vm<'_>, object: &S::Object, name: &str) -> Option<String> {
    let value = S::getattr(vm, object, name).ok()?;
    S::str(vm, &value).ok()
}

fn items<S: ObjectSpace>(vm: S::Vm<'_>, object: &S::Object) -> Vec<S::Object> {
    match S::kind(vm, object) {
        Kind::Tuple(items) => items,
        _ => Vec::new(),
    }
}

/// The exception `error` as the peer will receive it.
pub(crate) fn to_remote<S: ObjectSpace>(
    vm: S::Vm<'_>,
    rt: &Runtime<S>,
    error: &S::Error,
) -> RemoteException {
    let exc = S::exception(vm, error);
    let class = S::class_of(vm, &exc);
    let name = text::<S>(vm, &class, "__name__").unwrap_or_else(|| "Exception".to_owned());
    let module = text::<S>(vm, &class, "__module__").unwrap_or_else(|| "builtins".to_owned());
    if name == "StopIteration" && module == "builtins" {
        return RemoteException::stop_iteration();
    }
    let (module, name) = match (module.as_str(), name.as_str()) {
        // Python 3.13 renamed `re.error`, keeping the old name as an alias:
        // clients of every version find `re.error`, only 3.13's the new one.
        ("re", "PatternError") => ("re".to_owned(), "error".to_owned()),
        _ => (module, name),
    };
    // rpyc's vinegar: the args and the public attributes, each as a value
    // brine carries or its repr (support.py's `exception_parts`).
    let plain = |obj: &S::Object| {
        deep_brine(vm, rt, obj, 0).unwrap_or_else(|| {
            BrineValue::Str(S::repr(vm, obj).unwrap_or_else(|_| "<unprintable>".into()))
        })
    };
    let parts = rt
        .call(vm, "exception_parts", vec![S::clone_ref(vm, &exc)])
        .map(|parts| items::<S>(vm, &parts))
        .unwrap_or_default();
    let (args, attrs) = match parts.as_slice() {
        [args, attrs] => {
            let args: Vec<BrineValue> = items::<S>(vm, args).iter().map(plain).collect();
            let attrs: Vec<(String, BrineValue)> = items::<S>(vm, attrs)
                .iter()
                .filter_map(|pair| match items::<S>(vm, pair).as_slice() {
                    [name, value] => Some((S::str(vm, name).ok()?, plain(value))),
                    _ => None,
                })
                .collect();
            (args, attrs)
        }
        _ => (Vec::new(), Vec::new()),
    };
    let traceback = S::traceback_text(vm, error);
    let mut remote = RemoteException::new(module, name, args).with_traceback(traceback);
    remote.attrs = attrs;
    remote
}

/// The peer's exception, raised inside the interpreter.
pub(crate) fn to_python_exception<S: ObjectSpace>(
    vm: S::Vm<'_>,
    rt: &Runtime<S>,
    remote: &RemoteException,
) -> S::Error {
    let make = || -> Result<S::Object, S::Error> {
        let brine = |v: &BrineValue| from_brine(vm, rt, v.clone());
        let args = remote
            .args
            .iter()
            .map(brine)
            .collect::<Result<Vec<_>, _>>()?;
        let attrs = remote
            .attrs
            .iter()
            .map(|(name, value)| {
                let name = S::from_plain(vm, BrineValue::Str(name.clone()))?;
                Ok(S::new_tuple(vm, vec![name, brine(value)?]))
            })
            .collect::<Result<Vec<_>, S::Error>>()?;
        let str_of = |s: &str| S::from_plain(vm, BrineValue::Str(s.to_owned()));
        rt.call(
            vm,
            "make_exception",
            vec![
                str_of(&remote.module)?,
                str_of(&remote.name)?,
                S::new_tuple(vm, args),
                S::new_tuple(vm, attrs),
                str_of(&remote.traceback)?,
            ],
        )
    };
    match make() {
        Ok(instance) => S::raise(vm, instance),
        Err(error) => error,
    }
}
