#!/usr/bin/env python3
"""Generates crates/oxrpc-python/src/as_cpython/docs_table.rs: the
`__doc__` and `__text_signature__` CPython gives its builtin functions, the
methods of its builtin types, their slot wrappers, and the types themselves.

    .venv/bin/python tests/golden/classic/generate_docs.py          # rewrites the file
    .venv/bin/python tests/golden/classic/generate_docs.py --print  # writes it to stdout

`help()` and `inspect.signature()` read these two attributes, on a classic
client through the netref of a remote builtin. Functions and methods are
written under their `__qualname__`, after their module's name for a module
other than `builtins` (`len`, `list.append`, `dict.fromkeys`, `math.sqrt`,
`posix.listdir`), as `generate_arity.py` names them, and so are types
(`int`, `collections.deque`). Slot wrappers
(`list.__len__`, `[].__init__`) share one doc and signature per slot name
in CPython, whatever the type (this script checks it), and are written
under the slot's name.
"""
import builtins
import os
import sys
import types as types_module

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate_arity import MODULES, key, write_table  # noqa: E402

# Modules whose functions are covered, beyond those `generate_arity.py`
# calls: only their attributes are read here.
DOC_MODULES = sorted(set(MODULES) | {"_hashlib", "posix", "sys"})

# Modules whose types (those CPython defines in C) are covered, beyond the
# builtin types.
TYPE_MODULES = ["_blake2", "_hashlib", "array", "collections", "functools", "itertools", "operator", "struct"]

# Of those, the modules whose types' methods are covered too: those whose
# types classic mode defines itself, in CPython's terms (`as_cpython`).
METHOD_TYPE_MODULES = ["_blake2", "_hashlib"]

# And the other types classic mode defines itself, as (module, name).
METHOD_TYPES = [("_io", "StringIO")]

# Instances of the builtin types no module names (iterators, views), whose
# `__doc__` a client reads from the instance.
INSTANCES = [iter([]), iter(()), iter(""), iter(b""), iter(bytearray()), iter({}), iter(set()),
             iter(range(0)), reversed([]), reversed(range(0)), {}.keys(), {}.values(),
             {}.items(), iter({}.values()), iter({}.items()), reversed({}), iter(lambda: 0, 0)]

# What `vars(type)` holds that reads as a function or method.
ROUTINES = {
    "builtin_function_or_method",
    "classmethod_descriptor",
    "method_descriptor",
    "staticmethod",
}


def builtin_types():
    return [value for name, value in sorted(vars(builtins).items())
            if isinstance(value, type) and not name.startswith("_")]


def functions():
    """{key: (doc, signature)} of the functions and methods covered."""
    found = {}

    def add(function):
        name = key(function)
        entry = (function.__doc__, getattr(function, "__text_signature__", None))
        if found.setdefault(name, entry) != entry:
            raise SystemExit("two builtins named %s differ" % name)

    for name, value in sorted(vars(builtins).items()):
        if type(value).__name__ == "builtin_function_or_method":
            add(value)
    for module in DOC_MODULES:
        module = __import__(module)
        for name, value in sorted(vars(module).items()):
            if type(value).__name__ == "builtin_function_or_method" and not name.startswith("_"):
                add(value)
    module_types = [value for module in METHOD_TYPE_MODULES
                    for name, value in sorted(vars(__import__(module)).items())
                    if isinstance(value, type) and not name.startswith("_")]
    module_types += [getattr(__import__(module), name) for module, name in METHOD_TYPES]
    for kind in builtin_types() + module_types:
        for name, raw in sorted(vars(kind).items()):
            if type(raw).__name__ in ROUTINES:
                add(getattr(kind, name))
    return found


def slots():
    """{slot name: (doc, signature)} of the slot wrappers, the same for
    every builtin type."""
    found = {}
    for kind in builtin_types():
        for name, raw in sorted(vars(kind).items()):
            if type(raw).__name__ != "wrapper_descriptor":
                continue
            entry = (raw.__doc__, raw.__text_signature__)
            if found.setdefault(name, entry) != entry:
                raise SystemExit("the slot %s has two docs" % name)
    return found


def types():
    """{key: (doc, signature)} of the builtin types, of the C types of
    `TYPE_MODULES` and `types`, and of the types of `INSTANCES`."""
    found = {}
    candidates = builtin_types()
    for module in TYPE_MODULES + ["types"]:
        candidates += [value for name, value in sorted(vars(__import__(module)).items())
                       if isinstance(value, type) and not name.startswith("_")]
    candidates += [type(value) for value in INSTANCES]
    for kind in candidates:
        # Only types defined in C (a module's may be a heap type in 3.11);
        # a class's doc is its own, in both interpreters.
        if any(isinstance(value, types_module.FunctionType) for value in vars(kind).values()):
            continue
        # A type whose instances forward their attributes (GenericAlias)
        # reads as a descriptor: it has no doc of its own to copy.
        if not isinstance(kind.__doc__, (str, type(None))):
            continue
        found[key(kind)] = (kind.__doc__, kind.__text_signature__)
    return found


def getsets():
    """{key: (doc, None)} of the attributes the builtin types and the C
    types of `TYPE_MODULES` define with a getter or as a member
    (`int.real`, `complex.imag`, `_hashlib.HASH.name`), under their type's
    key."""
    found = {}
    candidates = builtin_types()
    for module in TYPE_MODULES:
        candidates += [value for name, value in sorted(vars(__import__(module)).items())
                       if isinstance(value, type) and not name.startswith("_")]
    for kind in candidates:
        if any(isinstance(value, types_module.FunctionType) for value in vars(kind).values()):
            continue
        for name, raw in sorted(vars(kind).items()):
            if type(raw).__name__ in ("getset_descriptor", "member_descriptor"):
                found["%s.%s" % (key(kind), name)] = (raw.__doc__, None)
    return found


def rust_string(text):
    if text is None:
        return "None"
    out = []
    for char in text:
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif char == "\n":
            out.append("\\n")
        elif " " <= char <= "~":
            out.append(char)
        else:
            out.append("\\u{%x}" % ord(char))
    return 'Some("%s")' % "".join(out)


def table(name, doc, entries):
    lines = ["", doc, "pub(super) const %s: &[(&str, Option<&str>, Option<&str>)] = &[" % name]
    for entry_key, (text, signature) in sorted(entries.items()):
        lines.append('    ("%s", %s, %s),' % (entry_key, rust_string(text), rust_string(signature)))
    lines.append("];")
    return lines


def render():
    lines = ["// Generated by tests/golden/classic/generate_docs.py from CPython %d.%d; do not edit."
             % sys.version_info[:2]]
    lines += table("FUNCTIONS",
                   "/// (name, `__doc__`, `__text_signature__`) of builtin functions and\n"
                   "/// methods, sorted by name for a binary search.",
                   functions())
    lines += table("TYPES",
                   "/// (name, `__doc__`, `__text_signature__`) of builtin types, sorted by\n"
                   "/// name for a binary search.",
                   types())
    lines += table("GETSETS",
                   "/// (type's name and attribute, `__doc__`, unused) of attributes with a\n"
                   "/// getter, sorted by name for a binary search.",
                   getsets())
    lines += table("SLOTS",
                   "/// (slot name, `__doc__`, `__text_signature__`) of slot wrappers,\n"
                   "/// sorted by name for a binary search.",
                   slots())
    return "\n".join(lines) + "\n"


def main():
    write_table(render(), "docs_table.rs")


if __name__ == "__main__":
    main()
