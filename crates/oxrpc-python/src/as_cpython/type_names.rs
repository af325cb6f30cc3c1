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

/// `class`'s `tp_name` in CPython 3.11 where it is not the name RustPython
/// gives it (`name()`, the bare one); `None` where they agree, found
/// without building a string (every user class).
pub(super) fn renamed_in_cpython(class: &Py<PyType>, vm: &VirtualMachine) -> Option<String> {
    if !class.slots.flags.has_feature(PyTypeFlags::HEAPTYPE) {
        let name = class.slot_name();
        if let Some((_, cpython)) = RENAMED.iter().find(|(own, _)| *own == &*name) {
            return Some((*cpython).to_owned());
        }
        return name.contains('.').then(|| name.to_string());
    }
    let name = class.name();
    let (module, _) = WRITTEN_IN_PYTHON_HERE
        .iter()
        .find(|(_, names)| names.contains(&&*name))?;
    let attributes = class.attributes.read();
    let declared = attributes.get(vm.ctx.intern_str("__module__"))?;
    let declared = declared.downcast_ref::<PyStr>()?;
    (declared.as_wtf8() == *module).then(|| format!("{module}.{name}"))
}
