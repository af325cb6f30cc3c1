#!/usr/bin/env python3
"""Generates crates/oxrpc-python/src/as_cpython/arity_table.rs: what CPython
says when a builtin function or a builtin type's method is called with a
number of positional arguments it refuses.

    .venv/bin/python tests/golden/classic/generate_arity.py          # rewrites the file
    .venv/bin/python tests/golden/classic/generate_arity.py --print  # writes it to stdout

CPython's builtins (functions, methods, and the builtin types and
exceptions themselves, as constructors) refuse a wrong count in the words
of their calling convention: `len() takes exactly one argument (0 given)`, `list.clear()
takes no arguments (1 given)`, `divmod expected 2 arguments, got 1`,
`round() missing required argument 'number' (pos 1)`. Each callable below
is called here with 0 to MAX_GIVEN positional arguments; a count it
refuses by its count alone (the same message whatever the arguments are)
is written down with the message, under the callable's `__qualname__`,
after its module's name for a module other than `builtins` (`len`,
`list.append`, `dict.fromkeys`, `math.pow`).
"""
import builtins
import os
import re
import sys

MAX_GIVEN = 6

# What names a refusal of the count itself (and not of an argument's type).
ARITY = re.compile(
    r"takes (exactly one|no|exactly \d+|at most \d+|at least \d+|from \d+ to \d+) (positional )?arguments?"
    r"|expected (at least |at most )?\d+ arguments?, got \d+"
    r"|missing required argument"
    r"|requires \d+ to \d+ arguments"
    r"|must have at least"
)

# Builtins that read the terminal or start the debugger, left out.
SKIPPED = {"input", "breakpoint", "help", "print"}
# `super()` without arguments looks at its caller's frame.
SKIPPED_TYPES = {"super"}

SAMPLES = {
    str: lambda: "ab",
    bytes: lambda: b"ab",
    bytearray: lambda: bytearray(b"ab"),
    list: lambda: [1, 2],
    tuple: lambda: (1, 2),
    dict: lambda: {1: 2},
    set: lambda: {1, 2},
    frozenset: lambda: frozenset({1, 2}),
    int: lambda: 5,
    float: lambda: 1.5,
    complex: lambda: 1 + 2j,
    range: lambda: range(3),
    memoryview: lambda: memoryview(b"ab"),
    slice: lambda: slice(1, 2),
}

CLASS_METHODS = [dict.fromkeys, int.from_bytes, bytes.fromhex, bytearray.fromhex, float.fromhex]

# Modules whose functions are covered too (none that acts on the process or
# the file system when called).
MODULES = ["math", "cmath", "_operator", "time", "zlib", "binascii", "_functools"]


def key(function):
    """How a builtin is named in the table: its `__qualname__`, after its
    module's name when that is not `builtins` (`len`, `list.append`,
    `math.pow`), as the server names what it calls."""
    module = getattr(function, "__module__", None)
    if module is None or module == "builtins":
        return function.__qualname__
    return "%s.%s" % (module, function.__qualname__)


def refusals(make_callable):
    """`{given: message}` for the counts refused by count alone."""
    found = {}
    for given in range(MAX_GIVEN + 1):
        messages = set()
        for filler in (None, 0):
            try:
                make_callable()(*([filler] * given))
            except TypeError as error:
                messages.add(str(error))
            except Exception:
                messages.add(None)
            else:
                messages.add(None)
        if len(messages) == 1:
            (message,) = messages
            if message is not None and ARITY.search(message):
                found[given] = message
    return found


def callables():
    """(qualname, a function making the callable) for each one covered."""
    for name in sorted(vars(builtins)):
        value = getattr(builtins, name)
        if type(value).__name__ == "builtin_function_or_method" and name not in SKIPPED:
            yield key(value), lambda value=value: value
    for name in sorted(vars(builtins)):
        value = getattr(builtins, name)
        if isinstance(value, type) and not name.startswith("_") and name not in SKIPPED_TYPES:
            yield key(value), lambda value=value: value
    for module in MODULES:
        module = __import__(module)
        for name in sorted(vars(module)):
            value = getattr(module, name)
            if type(value).__name__ == "builtin_function_or_method" and not name.startswith("_"):
                yield key(value), lambda value=value: value
    for kind, sample in SAMPLES.items():
        for name in sorted(vars(kind)):
            if name.startswith("_") or type(vars(kind)[name]).__name__ != "method_descriptor":
                continue
            yield "%s.%s" % (kind.__name__, name), lambda sample=sample, name=name: getattr(sample(), name)
    for method in CLASS_METHODS:
        yield key(method), lambda method=method: method


def rust_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render():
    rows = []
    for qualname, make in callables():
        for given, message in sorted(refusals(make).items()):
            rows.append((qualname, given, message))
    rows.sort()
    lines = [
        "// Generated by tests/golden/classic/generate_arity.py from CPython %d.%d; do not edit." % sys.version_info[:2],
        "",
        "/// (`__qualname__`, positional arguments given, CPython's TypeError),",
        "/// sorted for a binary search.",
        "pub(super) const REFUSALS: &[(&str, usize, &str)] = &[",
    ]
    for qualname, given, message in rows:
        lines.append("    (%s, %d, %s)," % (rust_string(qualname), given, rust_string(message)))
    lines.append("];")
    return "\n".join(lines) + "\n"


def write_table(text, file_name):
    """Writes `text` to crates/oxrpc-python/src/as_cpython/FILE_NAME, or to
    stdout with --print (what the crate's test compares with its table)."""
    if "--print" in sys.argv:
        sys.stdout.write(text)
        return
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    with open(os.path.join(root, "crates/oxrpc-python/src/as_cpython", file_name), "w") as out:
        out.write(text)


def main():
    write_table(render(), "arity_table.rs")


if __name__ == "__main__":
    main()
