#!/usr/bin/env python3
"""Generates crates/oxrpc-python/src/as_cpython/arity_table.rs: what CPython
says when a builtin function or a builtin type's method is called with a
number of positional arguments it refuses, or with a keyword it does not
take.

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

Each is called again with each count and a keyword no builtin takes
(`KEYWORD`): where CPython refuses the keyword itself, the same way
whatever the arguments are (`list.copy() takes no keyword arguments`,
`'x' is an invalid keyword argument for split()`), the message is written
down too, with `{keyword}` where it names the keyword, and once for every
count (`ANY_COUNT`) when it is the same for all of them.
"""
import builtins
import os
import re
import sys

MAX_GIVEN = 6

# The keyword no builtin takes, and what stands for it in the table.
KEYWORD = "oxrpc_keyword"
KEYWORD_MARK = "{keyword}"
# What names a refusal of a keyword itself.
KEYWORD_REFUSAL = re.compile(r"takes no keyword arguments|is an invalid keyword argument for "
                             r"|got an unexpected keyword argument")

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
MODULES = ["math", "cmath", "_operator", "time", "zlib", "binascii", "_functools", "unicodedata"]


def key(function):
    """How a builtin is named in the table: its `__qualname__`, after its
    module's name when that is not `builtins` (`len`, `list.append`,
    `math.pow`), as the server names what it calls."""
    module = getattr(function, "__module__", None)
    if module is None or module == "builtins":
        return function.__qualname__
    return "%s.%s" % (module, function.__qualname__)


def refusal(make_callable, given, keywords):
    """The TypeError CPython raises for a call with `given` positional
    arguments and `keywords`, when it is the same whatever they are."""
    messages = set()
    for filler in (None, 0):
        try:
            make_callable()(*([filler] * given), **keywords)
        except TypeError as error:
            messages.add(str(error))
        except Exception:
            messages.add(None)
        else:
            messages.add(None)
    if len(messages) == 1:
        (message,) = messages
        return message
    return None


def refusals(make_callable):
    """`{given: message}` for the counts refused by count alone."""
    found = {}
    for given in range(MAX_GIVEN + 1):
        message = refusal(make_callable, given, {})
        if message is not None and ARITY.search(message):
            found[given] = message
    return found


def keyword_refusals(make_callable):
    """`{given: message}` for the counts with which a keyword is refused
    for being one; `{ANY_COUNT: message}` when that is every count, alike."""
    found = {}
    for given in range(MAX_GIVEN + 1):
        message = refusal(make_callable, given, {KEYWORD: 1})
        if message is not None and KEYWORD_REFUSAL.search(message):
            found[given] = message.replace(KEYWORD, KEYWORD_MARK)
    if len(found) == MAX_GIVEN + 1 and len(set(found.values())) == 1:
        return {"usize::MAX": found[0]}
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


def table(name, doc, rows):
    """A Rust constant of (`__qualname__`, count, message) rows, sorted as
    Rust sorts them (`usize::MAX` last) for a binary search."""
    rows = sorted(set(rows), key=lambda row: (row[0].encode(), row[1] == "usize::MAX", row[1] if row[1] != "usize::MAX" else 0))
    lines = ["/// %s" % line for line in doc] + ["pub(super) const %s: &[(&str, usize, &str)] = &[" % name]
    for qualname, given, message in rows:
        lines.append("    (%s, %s, %s)," % (rust_string(qualname), given, rust_string(message)))
    lines.append("];")
    return lines


# CPython's refusal of more arguments than a function that takes keywords
# has parameters.
TOO_MANY = re.compile(r"^(\w+)\(\) takes at most (\d+) (?:keyword )?arguments? \((\d+) given\)$")


def unknown_keywords(count):
    return {"%s%d" % (KEYWORD, at): 1 for at in range(count)}


def too_many_said(most, function, counted, given, keywords):
    """What `KEYWORD_MOST`'s rule says CPython refuses a call with, as
    `arity.rs`'s `too_many` says it (None when it refuses nothing)."""
    given = given if counted else 0
    total = given + keywords
    if total <= most:
        return None
    return "%s() takes at most %d %sargument%s (%d given)" % (
        function, most, "keyword " if given == 0 else "", "" if most == 1 else "s", total)


def keyword_most(make_callable):
    """(how many parameters, the function's name in its errors, whether
    positional arguments count among them, the fewest and the most
    positional arguments with which CPython counts so, `usize::MAX` for
    any number past two) for a callable that takes keywords: the rule that
    says what CPython says for every count of positional arguments (0 to 2)
    and of keywords (1 to 5) tried in that range, or None. A function with
    `*args` (`zip`, `max`) parses its keywords alone; some find a required
    argument missing (`enumerate`), or too many positional ones
    (`sorted`), first."""
    said = {}
    for given in range(3):
        for keywords in range(1, 6):
            said[given, keywords] = refusal(make_callable, given, unknown_keywords(keywords))
    found = [TOO_MANY.match(message or "") for message in said.values()]
    found = [match for match in found if match]
    if not found:
        return None
    most, function = int(found[0].group(2)), found[0].group(1)
    for fewest, most_given in ((0, 2), (1, 2), (0, 1), (1, 1), (2, 2), (0, 0)):
        for counted in (True, False):
            if all(message == too_many_said(most, function, counted, given, keywords)
                   for (given, keywords), message in said.items()
                   if fewest <= given <= most_given
                   and (too_many_said(most, function, counted, given, keywords) or TOO_MANY.match(message or ""))):
                return most, function, counted, fewest, "usize::MAX" if most_given == 2 else most_given
    return None


def descriptor_calls():
    """(qualname, a function calling the method through its type) for each
    method of the sample types: `'a'.startswith(...)` calls it so, and
    CPython names it differently there for some calling conventions
    (`str.startswith() takes no keyword arguments`, where the bound
    method says `startswith() takes ...`)."""
    for kind, sample in SAMPLES.items():
        for name in sorted(vars(kind)):
            if name.startswith("_") or type(vars(kind)[name]).__name__ != "method_descriptor":
                continue
            method = getattr(kind, name)
            yield ("%s.%s" % (kind.__name__, name),
                   lambda sample=sample, method=method: lambda *a, **k: method(sample(), *a, **k))


def render():
    rows, keyword_rows, descriptor_rows, most_rows = [], [], [], []
    # `print` refuses a keyword it does not take before it writes anything.
    keywords_only = [("print", lambda: print)]
    for qualname, make in list(callables()) + keywords_only:
        if (qualname, make) not in keywords_only:
            for given, message in refusals(make).items():
                rows.append((qualname, given, message))
        found = keyword_refusals(make)
        for given, message in found.items():
            keyword_rows.append((qualname, given, message))
        if any(KEYWORD_MARK in message for message in found.values()):
            most = keyword_most(make)
            if most is not None:
                most_rows.append((qualname,) + most)
    bound = {(qualname, given): message for qualname, given, message in keyword_rows}
    for qualname, make in descriptor_calls():
        for given, message in keyword_refusals(make).items():
            if bound.get((qualname, given)) != message:
                descriptor_rows.append((qualname, given, message))
    lines = [
        "// Generated by tests/golden/classic/generate_arity.py from CPython %d.%d; do not edit." % sys.version_info[:2],
        "",
    ]
    lines += table("REFUSALS", ["(`__qualname__`, positional arguments given, CPython's TypeError),",
                                "sorted for a binary search."], rows)
    lines.append("")
    lines += table("KEYWORD_REFUSALS", ["(`__qualname__`, positional arguments given or `usize::MAX` for any",
                                        "count, CPython's TypeError for a keyword it does not take, `{keyword}`",
                                        "naming it), sorted for a binary search."], keyword_rows)
    lines.append("")
    lines += table("DESCRIPTOR_KEYWORD_REFUSALS", ["The same, for a method called through its type (`'a'.startswith(x=1)`,",
                                                   "`str.startswith('a', x=1)`), where it differs."], descriptor_rows)
    lines.append("")
    lines.append("/// (`__qualname__`, how many parameters, the name its errors give it,")
    lines.append("/// whether positional arguments count among them, the fewest and the")
    lines.append("/// most positional arguments with which CPython counts so) of each")
    lines.append("/// builtin in `KEYWORD_REFUSALS` that names the keyword: CPython refuses")
    lines.append("/// more arguments than that before it looks at their names.")
    lines.append("pub(super) const KEYWORD_MOST: &[(&str, usize, &str, bool, usize, usize)] = &[")
    for qualname, most, function, counted, fewest, most_given in sorted(set(most_rows),
                                                                       key=lambda row: row[0].encode()):
        lines.append("    (%s, %d, %s, %s, %d, %s)," % (rust_string(qualname), most, rust_string(function),
                                                      "true" if counted else "false", fewest, most_given))
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
