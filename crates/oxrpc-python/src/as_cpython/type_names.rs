//! A type's name as CPython 3.11's C code writes it in its messages.
//!
//! CPython's messages name a type by its `tp_name`, which for a type of a
//! C module carries the module: "'collections.deque' object has no
//! attribute 'x'", "'_io.BytesIO' object ...". RustPython 0.5 keeps the
//! same dotted name for its own types (`slot_name`) but words most
//! messages with the bare one ("'deque' object ..."); and some of the
//! types CPython writes in C are Python classes here (`datetime.date`,
//! `decimal.Decimal`), whose name carries no module at all.

use rustpython_vm::builtins::{PyStr, PyType};
use rustpython_vm::types::PyTypeFlags;
use rustpython_vm::{Py, VirtualMachine};

/// The types CPython writes in C that RustPython writes in Python, by
/// module and name.
const WRITTEN_IN_PYTHON_HERE: [(&str, &[&str]); 3] = [
    (
        "datetime",
        &[
            "date",
            "datetime",
            "time",
            "timedelta",
            "timezone",
            "tzinfo",
        ],
    ),
    ("decimal", &["Decimal", "Context"]),
    ("collections", &["OrderedDict", "defaultdict"]),
];

/// RustPython's types whose own name is not CPython's `tp_name`.
const RENAMED: [(&str, &str); 10] = [
    ("EllipsisType", "ellipsis"),
    ("weakref", "weakref.ReferenceType"),
    ("weakproxy", "weakref.ProxyType"),
    ("_operator.itemgetter", "operator.itemgetter"),
    ("_operator.attrgetter", "operator.attrgetter"),
    ("_operator.methodcaller", "operator.methodcaller"),
    ("_os.ScandirIter", "posix.ScandirIterator"),
    ("_os.DirEntry", "posix.DirEntry"),
    ("os.times_result", "posix.times_result"),
    ("itertools.tee", "itertools._tee"),
];

/// `class`'s `tp_name` in CPython 3.11.
pub(super) fn cpython_type_name(class: &Py<PyType>, vm: &VirtualMachine) -> String {
    if !class.slots.flags.has_feature(PyTypeFlags::HEAPTYPE) {
        let name = class.slot_name();
        return RENAMED
            .iter()
            .find(|(own, _)| *own == &*name)
            .map_or_else(|| name.to_string(), |(_, cpython)| (*cpython).to_owned());
    }
    let name = class.name().to_string();
    let module = class
        .attributes
        .read()
        .get(vm.ctx.intern_str("__module__"))
        .and_then(|module| Some(module.downcast_ref::<PyStr>()?.to_str()?.to_owned()));
    match module {
        Some(module)
            if WRITTEN_IN_PYTHON_HERE
                .iter()
                .any(|(known, names)| *known == module && names.contains(&name.as_str())) =>
        {
            format!("{module}.{name}")
        }
        _ => name,
    }
}
