//! What Python's `dir()` lists for the objects we serve under Python's
//! names: `object`'s own attributes, plus what each kind of object adds.

/// `dir(object())` on CPython 3.11, sorted.
const OBJECT_DIR: [&str; 24] = [
    "__class__",
    "__delattr__",
    "__dir__",
    "__doc__",
    "__eq__",
    "__format__",
    "__ge__",
    "__getattribute__",
    "__getstate__",
    "__gt__",
    "__hash__",
    "__init__",
    "__init_subclass__",
    "__le__",
    "__lt__",
    "__ne__",
    "__new__",
    "__reduce__",
    "__reduce_ex__",
    "__repr__",
    "__setattr__",
    "__sizeof__",
    "__str__",
    "__subclasshook__",
];

/// `dir()` of an object whose class adds `extra` to `object`'s
/// attributes: sorted and without repeats, as Python's is.
pub(crate) fn python_dir<'a>(extra: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut names: Vec<String> = OBJECT_DIR
        .into_iter()
        .chain(extra)
        .map(str::to_owned)
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}
