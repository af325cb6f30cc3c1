"""Differential test of rpyc classic mode: rpyc_classic (CPython) vs a
candidate (oxrpc classic serve, which runs the code on RustPython).

    python classic_diff.py --reference HOST:PORT --candidate HOST:PORT \
        [--examples N] [--seed S] [--only PROPERTY] [--survey]

One rpyc 6.0.2 classic client per peer; every generated operation runs on
both, and what the client observes (values by type and value, nan-aware;
remote exceptions by class, args and public attributes) must be identical,
except for the allow-listed differences below.
"""

import builtins
import math
import os
import re
import sys

import rpyc
from hypothesis import strategies as st

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _diffkit as dk  # noqa: E402


# --- allow-list -------------------------------------------------------------------
# The candidate runs the remote code on RustPython (0.5.0), not CPython.
# Entries here are differences of the *interpreter*, never of the protocol:
# implementation details CPython leaves open (message texts, dunder names),
# and the `rustpython-*` entries, deviations of RustPython itself from
# CPython 3.11 that oxrpc cannot fix without patching the interpreter (remove
# an entry once it is fixed there or worked around). Each use is counted and
# shown in the summary with an example. A difference in what rpyc's protocol
# carries (values, netrefs, exceptions, callbacks) is a bug for the Rust side
# and must fail.


def _raise_both_same_class(exp, got):
    return exp[0] == "raise" and got[0] == "raise" and exp[1:3] == got[1:3]


def _only_message_differs(label, exp, got):
    # Same exception class; the args differ only in message text that the
    # interpreter wrote itself ('division by zero', "unsupported operand
    # type(s) ...", "function takes exactly 5 arguments (1 given)").
    if not _raise_both_same_class(exp, got):
        return False
    if label.startswith(("roundtrip", "exact/")):
        return False
    if label.startswith("exceptions/"):
        # Exceptions raised with explicit args: their args are data and must
        # round-trip exactly. Only when constructing the requested class
        # failed (TypeError/ValueError from the interpreter) is the message
        # the interpreter's.
        requested = label.split()[-1]
        if exp[2] == requested or exp[2] not in ("TypeError", "ValueError") or requested in ("TypeError", "ValueError"):
            return False
    ea, ga = exp[3], got[3]
    return len(ea) == len(ga) and all(e == g or (e[0] == "str" and g[0] == "str") for e, g in zip(ea, ga))


def _ellipsis_type_name(label, exp, got):
    # type(...).__name__ is 'ellipsis' in CPython 3.11, 'EllipsisType' in
    # RustPython (an internal type name; types.EllipsisType is the same
    # object in both).
    return label == "remote type" and exp == ("ok", ("str", "ellipsis")) and got == ("ok", ("str", "EllipsisType"))


def _unicode_error_range(label, exp, got):
    # UnicodeDecodeError/UnicodeEncodeError with start/end outside the
    # object: CPython accepts any int, RustPython raises OverflowError
    # ('Python int too large to convert to Rust usize') for negative ones.
    return got[0] == "raise" and got[2] == "OverflowError" and "Rust usize" in repr(got[3])


def _reference_drops_text_details(label, exp, got):
    # SyntaxError(msg, details) whose details is a string of four or six
    # characters: CPython unpacks them as filename, lineno, offset, text
    # (...), and rpyc_classic, formatting the raised exception's traceback,
    # fails (str + int) and drops the connection, so the example's other
    # calls (the exception returned as a value) find it closed too; oxrpc
    # answers them all.
    requested = label.split()[-1]
    return (label.startswith("exceptions/") and requested in ("SyntaxError", "IndentationError", "TabError")
            and exp == ("raise", "builtins", "EOFError", (("str", "stream has been closed"),), ())
            and (got[0] == "ok" or (got[0] == "raise" and got[2] == requested)))


def _reference_fails_unicode_error_str(label, exp, got):
    # A UnicodeError whose start is negative: CPython 3.11's str() of it
    # reads the object at that index and raises SystemError ("<class
    # 'str'> returned a result with an exception set"), and rpyc_classic,
    # formatting the raised exception, drops the connection; oxrpc answers.
    requested = label.split()[-1]
    return (label.startswith("exceptions/")
            and requested in ("UnicodeTranslateError", "UnicodeEncodeError", "UnicodeDecodeError")
            and exp == ("raise", "builtins", "EOFError", (("str", "stream has been closed"),), ())
            and (got[0] == "ok" or (got[0] == "raise" and got[2] == requested)))


def _sequence_items(n):
    """n with every string spelling a list or a tuple reduced to its items
    ('[a, b]' and '(a, b)' alike, '(a,)' as 'a')."""
    if isinstance(n, tuple):
        if len(n) == 2 and n[0] == "str" and isinstance(n[1], str) and len(n[1]) >= 2:
            text = n[1]
            if (text[0], text[-1]) in (("[", "]"), ("(", ")")):
                inner = text[1:-1]
                return ("str", inner[:-1] if inner.endswith(",") else inner)
            return n
        return tuple(_sequence_items(x) for x in n)
    if isinstance(n, list):
        return [_sequence_items(x) for x in n]
    return n


def _exception_group_args(label, exp, got):
    return (label.startswith("exceptions/group") and exp != got
            and _sequence_items(exp) == _sequence_items(got))


def _display_unpacking_hint(label, exp, got):
    # [*it] and (*it,) collect `it` without asking its length or
    # __length_hint__ on RustPython, so the error of one that fails is not raised.
    return (label.startswith(("collect [*", "collect (*")) and ("Hinted(" in label or "Sized(" in label)
            and exp[0] == "raise" and got != exp)


def _rustls_verify_code(label, exp, got):
    # A certificate refused for a cause rustls's verifier reports only as
    # a failure (a CA's certificate serving as a server's, a name it does
    # not hold): RustPython's _ssl gives verify_code 1 where OpenSSL names
    # the cause (18 self-signed, 62 hostname mismatch). The same class and
    # reason; only the code differs.
    # (urllib's URLError carries the refusal with its verify_message.)
    if exp[0] != "ok" or got[0] != "ok":
        return False
    e, g = exp[1], got[1]
    if label.startswith("exact/tls "):
        return (len(e) == len(g) == 6 and e[1] == g[1] == ("str", "refused") and e[2] == g[2]
                and e[4:] == g[4:] and g[3] == ("int", 1))
    if label.startswith("exact/https "):
        return (len(e) == len(g) == 6 and e[1] == g[1] == ("str", "refused") and e[2:4] == g[2:4]
                and g[4:] == (("int", 1), ("str", "certificate verification failed")))
    return False


def _rustls_no_common_name(label, exp, got):
    # A certificate a CA issued with no DNS name in its subjectAltName
    # (none at all, or IP addresses only), its host name only its
    # subject's common name: OpenSSL takes the common name, rustls's
    # verifier never does (nor do browsers), so RustPython's _ssl refuses
    # what CPython's accepts. (A self-signed one the context trusts as
    # such is checked by RustPython's own code, which takes the common
    # name.)
    import ast
    if not label.startswith("exact/tls (") or exp[0] != "ok" or got[0] != "ok":
        return False
    server_cert, _, hostname, check_hostname, _ = ast.literal_eval(label[len("exact/tls "):])
    return (server_cert in ("v3-cn", "v3-ip-only") and hostname != "127.0.0.1" and check_hostname
            and exp[1][1] == ("str", "talked")
            and got[1][1:4] == (("str", "refused"), ("str", "SSLCertVerificationError"), ("int", 1)))


# A name alias and a named sequence, which CPython's unicodedata.lookup
# finds and the server's name database (unicode_names2) does not hold.
_ALIASES_AND_SEQUENCES = ("LATIN CAPITAL LETTER GHA",
                          "BYZANTINE MUSICAL SYMBOL FHTORA SKLIRON CHROMA VASIS")


def _unicodedata_aliases(label, exp, got):
    return (any(label == "exact/unicodedata unicodedata.lookup(%r)" % name for name in _ALIASES_AND_SEQUENCES)
            and exp[0] == "ok" and exp[1][1] == ("str", "value")
            and got[0] == "ok" and got[1][1:3] == (("str", "raised"), ("str", "KeyError")))


# The names RustPython's _ssl (on rustls) defines that 3.11's does not:
# alerts and flags of later versions, which `ssl` copies.
_RUSTPYTHON_SSL_EXTRAS = frozenset([
    "ALERT_DESCRIPTION_CERTIFICATE_REQUIRED", "ALERT_DESCRIPTION_DECRYPTION_FAILED",
    "ALERT_DESCRIPTION_EXPORT_RESTRICTION", "ALERT_DESCRIPTION_INAPPROPRIATE_FALLBACK",
    "ALERT_DESCRIPTION_MISSING_EXTENSION", "ALERT_DESCRIPTION_NO_APPLICATION_PROTOCOL",
    "ALERT_DESCRIPTION_NO_CERTIFICATE", "HAS_PHA", "HAS_PSK", "OP_LEGACY_SERVER_CONNECT",
    "PROTOCOL_TLSv1_3", "SSL_ERROR_NONE",
])


def _ssl_extra_names(label, exp, got):
    # ssl's names: every one 3.11's has, and some of later versions more.
    import ast
    if label != "exact/ssl " + SSL_NAMES or exp[0] != "ok" or got[0] != "ok":
        return False
    try:
        expected = set(ast.literal_eval(exp[1][2][1]))
        candidate = set(ast.literal_eval(got[1][2][1]))
    except (ValueError, SyntaxError, IndexError, TypeError):
        return False
    return expected <= candidate and candidate - expected <= _RUSTPYTHON_SSL_EXTRAS


SSL_NAMES = "sorted(n for n in dir(ssl) if not n.startswith('_'))"


ALLOWED = [
    dk.Allowed(
        "interpreter-message",
        "an exception the interpreter raised itself has the same class but different message "
        "text on RustPython (messages are CPython implementation details)",
        _only_message_differs,
    ),
    dk.Allowed("rustpython-ellipsis-type-name", "type(...).__name__ is 'EllipsisType' on RustPython",
               _ellipsis_type_name),
    dk.Allowed("rustpython-exception-group-args", "an exception group's args hold the tuple "
               "RustPython made of its exceptions, not the list it was given (the payload the "
               "server sends; rpyc's own client cannot rebuild a group either way)",
               _exception_group_args),
    dk.Allowed("reference-drops-text-details", "rpyc_classic drops the connection when it "
               "formats a SyntaxError whose details were a string; oxrpc answers with it",
               _reference_drops_text_details),
    dk.Allowed("rustpython-unicode-error-range", "UnicodeError start/end outside the object raise "
               "OverflowError on RustPython", _unicode_error_range),
    dk.Allowed("reference-unicode-error-str", "rpyc_classic drops the connection when it formats "
               "a UnicodeError whose start is negative (CPython 3.11's str() of it raises "
               "SystemError); oxrpc answers with it", _reference_fails_unicode_error_str),
    dk.Allowed("rustpython-display-unpacking-hint", "[*it] and (*it,) do not ask it for its "
               "length or __length_hint__ on RustPython, so their errors are not raised",
               _display_unpacking_hint),
    dk.Allowed("rustpython-ssl-verify-code", "a certificate rustls refuses for a cause it reports "
               "only as a failure has verify_code 1, where OpenSSL names the cause",
               _rustls_verify_code),
    dk.Allowed("rustls-no-common-name", "a CA-issued certificate whose host name is only its "
               "common name is refused under check_hostname: rustls never takes the common name",
               _rustls_no_common_name),
    dk.Allowed("unicodedata-aliases", "unicodedata.lookup finds no name alias or named sequence "
               "(the server's name database holds neither)", _unicodedata_aliases),
    dk.Allowed("rustpython-ssl-extra-names", "ssl has every name of 3.11's and some alerts and "
               "flags of later versions", _ssl_extra_names),
]


# --- strategies ---------------------------------------------------------------------

EDGE_INTS = [0, 1, -1, 2**31 - 1, 2**31, -2**31, -2**31 - 1, 2**63 - 1, 2**63, -2**63,
             -2**63 - 1, 2**64 - 1, 2**64, -2**64, 10**100, -10**100, 2**1000, -(2**1000) + 1]
EDGE_FLOATS = [math.nan, math.inf, -math.inf, 0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308,
               1.7976931348623157e308, 0.1, 1e16, 1e22, 1e23, 123456789.125, -1.5, 1 / 3]

ints = st.one_of(st.integers(-1000, 1000), st.sampled_from(EDGE_INTS), st.integers())
floats = st.one_of(st.sampled_from(EDGE_FLOATS), st.floats())
complexes = st.builds(complex, floats, floats)
# Any code point but the surrogates (brine sends str as UTF-8); astral included.
text = st.text(st.characters(exclude_categories=("Cs",)), max_size=24)
small_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=8)
binary = st.binary(max_size=32)
slices = st.builds(slice, st.none() | st.integers(-20, 20), st.none() | st.integers(-20, 20),
                   st.none() | st.integers(-5, 5).filter(bool))

hashable_atoms = st.one_of(st.none(), st.booleans(), ints, floats, complexes, binary, text,
                           st.just(Ellipsis), st.just(NotImplemented))
hashables = st.recursive(
    hashable_atoms,
    lambda h: st.one_of(st.lists(h, max_size=4).map(tuple), st.frozensets(h, max_size=4)),
    max_leaves=10,
)
brine_values = st.recursive(
    st.one_of(hashable_atoms, slices),
    lambda v: st.one_of(st.lists(v, max_size=4).map(tuple), st.frozensets(hashables, max_size=4)),
    max_leaves=16,
)

brine_no_frozenset = st.recursive(st.one_of(hashable_atoms, slices), lambda v: st.lists(v, max_size=4).map(tuple),
                                  max_leaves=12)


def contains(v, types):
    if isinstance(v, types):
        return True
    if isinstance(v, (tuple, frozenset)):
        return any(contains(x, types) for x in v)
    if isinstance(v, slice):
        return any(contains(x, types) for x in (v.start, v.stop, v.step))
    return False


def has_nan(v):
    if isinstance(v, float):
        return math.isnan(v)
    if isinstance(v, complex):
        return math.isnan(v.real) or math.isnan(v.imag)
    if isinstance(v, (tuple, frozenset)):
        return any(has_nan(x) for x in v)
    return False


# --- generated programs --------------------------------------------------------------
# Small typed expression grammar; the values stay small (bounded exponents,
# shifts and repetitions) so that every program runs in microseconds.

VARS_INT = ["i0", "i1", "i2"]
VARS_STR = ["s0", "s1"]
VARS_LIST = ["l0", "l1"]
VARS_DICT = ["d0"]
PRELUDE = "i0, i1, i2 = 7, -3, 0\ns0, s1 = 'Hello, World', 'a,b,,c'\nl0, l1 = [3, 1, 2], ['x', 'y']\nd0 = {'k': 1}\n"

int_lit = st.one_of(st.integers(-50, 50), st.sampled_from([0, 1, 2**31, 2**63, -2**64, 10**20]))
str_lit = st.one_of(st.sampled_from(["''", "'a'", "'abc'", "' pad '", "'A-b_C'", "'x,y,z'", "'12'",
                                     "'-7'", "'3.5'", "'ß'", "'ﬁ'", "'éÉ'", "'İ'", "'日本'", "'🐍'",
                                     "'tab\\there'", "'\\u0130x'"]),
                    small_text.map(repr))


def _int_expr(leaf_s, leaf_l):
    def extend(inner):
        small = st.integers(0, 6).map(str)
        return st.one_of(
            st.tuples(inner, st.sampled_from(["+", "-", "*", "//", "%", "&", "|", "^"]), inner).map(
                lambda t: "(%s %s %s)" % t),
            st.tuples(inner, st.sampled_from(["**", "<<", ">>"]), small).map(lambda t: "(%s %s %s)" % t),
            inner.map(lambda e: "(-%s)" % e),
            inner.map(lambda e: "abs(%s)" % e),
            leaf_s.map(lambda e: "len(%s)" % e),
            st.tuples(leaf_s, leaf_s).map(lambda t: "%s.find(%s)" % t),
            st.tuples(leaf_s, leaf_s).map(lambda t: "%s.count(%s)" % t),
            leaf_l.map(lambda e: "len(%s)" % e),
            st.tuples(inner, inner).map(lambda t: "divmod(%s, %s)[0]" % t),
            st.tuples(inner, inner).map(lambda t: "max(%s, %s)" % t),
            st.tuples(inner, inner).map(lambda t: "min(%s, %s)" % t),
            leaf_s.map(lambda e: "int(%s)" % e),
            st.tuples(inner, st.integers(-3, 3)).map(lambda t: "round(%s, %d)" % t),
            st.tuples(inner, inner).map(lambda t: "int(%s / (%s or 1))" % t),
            st.tuples(inner, inner).map(lambda t: "(%s > %s)" % t),
            inner.map(lambda e: "hash(%s)" % e),
            inner.map(lambda e: "(%s).bit_length()" % e),
        )

    return st.recursive(st.one_of(int_lit.map(str), st.sampled_from(VARS_INT)), extend, max_leaves=6)


def _str_expr():
    """Expressions of type str (mostly: a few mix types on purpose)."""
    def extend(inner):
        n = st.integers(-2, 5).map(str)
        return st.one_of(
            st.tuples(inner, inner).map(lambda t: "(%s + %s)" % t),
            st.tuples(inner, n).map(lambda t: "(%s * %s)" % t),
            st.tuples(inner, st.sampled_from(["upper", "lower", "strip", "title", "swapcase",
                                              "capitalize", "casefold", "lstrip", "rstrip"])).map(
                lambda t: "%s.%s()" % t),
            st.tuples(inner, inner, inner).map(lambda t: "%s.replace(%s, %s)" % t),
            st.tuples(inner, st.integers(-4, 6), st.integers(-4, 6)).map(lambda t: "%s[%d:%d]" % t),
            st.tuples(inner, st.integers(-4, 6)).map(lambda t: "%s[%d]" % t),
            st.tuples(inner, st.integers(0, 12), st.sampled_from(["'*'", "' '", "'-'"])).map(
                lambda t: "%s.center(%d, %s)" % t),
            st.tuples(inner, st.integers(0, 10)).map(lambda t: "%s.zfill(%d)" % t),
            st.tuples(inner, inner).map(lambda t: "%s.join(%s.split(','))" % t),
            st.sampled_from(VARS_INT + ["l0", "d0", "l1"]).map(lambda e: "str(%s)" % e),
            st.sampled_from(VARS_INT).map(lambda e: "hex(%s)" % e),
            st.tuples(st.sampled_from(VARS_INT), st.sampled_from(
                ["'>6'", "'<6'", "'^7'", "'+'", "'x'", "'o'", "'b'", "','", "'_'", "'08.3f'", "'e'",
                 "'.2%'", "'g'", "'#x'", "'c'"])).map(lambda t: "format(%s, %s)" % t),
            inner.map(lambda e: "repr(%s)" % e),
            inner.map(lambda e: "ascii(%s)" % e),
            st.tuples(inner, st.sampled_from(VARS_INT)).map(lambda t: "'{!r:>12}|{:+}'.format(%s, %s)" % t),
            st.tuples(inner, st.sampled_from(VARS_INT)).map(lambda t: "('%%s=%%d' %% (%s, %s))" % t),
            inner.map(lambda e: "%s.encode('utf-8').hex()" % e),
            inner.map(lambda e: "''.join(sorted(%s))" % e),
            inner.map(lambda e: "%s.expandtabs(4)" % e),
            st.tuples(inner, st.sampled_from(VARS_INT)).map(lambda t: "(%s + %s)" % t),  # TypeError
        )

    return st.recursive(st.one_of(str_lit, st.sampled_from(VARS_STR)), extend, max_leaves=5)


def _str_other(s):
    """str methods that return something else."""
    return st.one_of(
        st.tuples(s, st.sampled_from(["isdigit", "isalpha", "isupper", "isspace", "isidentifier",
                                      "isprintable", "isdecimal", "isnumeric", "isalnum", "split",
                                      "splitlines", "encode", "isascii", "istitle"])).map(
            lambda t: "%s.%s()" % t),
        st.tuples(s, s).map(lambda t: "%s.split(%s or ',')" % t),
        st.tuples(s, s).map(lambda t: "%s.rsplit(%s or ',', 1)" % t),
        st.tuples(s, s).map(lambda t: "%s.partition(%s or '-')" % t),
        st.tuples(s, s).map(lambda t: "%s.startswith(%s)" % t),
        st.tuples(s, s).map(lambda t: "(%s < %s)" % t),
        s.map(lambda e: "[ord(c) for c in %s]" % e),
        s.map(lambda e: "%s.encode('utf-8')" % e),
        s.map(lambda e: "%s.encode('utf-16-le')" % e),
        s.map(lambda e: "%s.encode('ascii', 'replace')" % e),
        s.map(lambda e: "sorted(set(%s))" % e),
    )


STR_EXPR = _str_expr()
INT_EXPR = _int_expr(STR_EXPR, st.sampled_from(VARS_LIST))
FLOAT_EXPR = st.one_of(
    st.tuples(INT_EXPR, INT_EXPR).map(lambda t: "(%s / %s)" % t),
    st.sampled_from(["0.1 + 0.2", "1e308 * 10", "-0.0", "2 ** 0.5", "float('nan')", "1/3",
                     "round(2.675, 2)", "(-8) ** (1/3)", "float('-inf')", "10 ** -5", "1e16 + 1",
                     "float('1e500')", "int(1e18)", "0.1 * 3", "5e-324 / 2", "9007199254740993.0",
                     "float(2**63)", "divmod(7.5, -2)", "7.5 % -2", "-7 // 2.0", "math.fsum([.1]*10)",
                     "math.sqrt(2)", "math.floor(-2.5)", "math.ceil(2.1)", "math.pi",
                     "float.fromhex('0x1.8p1')", "(1.5).hex()", "(0.1).as_integer_ratio()",
                     "(2.5).is_integer()", "complex(1, -0.0)", "abs(-3+4j)", "(1+2j) * (3-1j)"]),
)
LIST_EXPR = st.one_of(
    st.lists(INT_EXPR, max_size=4).map(lambda xs: "[%s]" % ", ".join(xs)),
    st.tuples(st.sampled_from(VARS_LIST), st.sampled_from(VARS_LIST)).map(lambda t: "(%s + %s)" % t),
    st.sampled_from(VARS_LIST).map(lambda e: "sorted(%s, key=str)" % e),
    st.sampled_from(VARS_LIST).map(lambda e: "list(reversed(%s))" % e),
    st.tuples(st.integers(-5, 5), st.integers(-5, 10), st.sampled_from([1, 2, -1, 3])).map(
        lambda t: "list(range(%d, %d, %d))" % t),
    st.tuples(st.integers(0, 6), INT_EXPR).map(lambda t: "[x * %s for x in range(%d)]" % (t[1], t[0])),
    STR_EXPR.map(lambda e: "list(%s)" % e),
    st.sampled_from(VARS_LIST).map(lambda e: "list(enumerate(%s))" % e),
    st.sampled_from(VARS_LIST).map(lambda e: "list(zip(%s, 'abc'))" % e),
    st.sampled_from(VARS_LIST).map(lambda e: "%s[::-1]" % e),
)
DICT_EXPR = st.one_of(
    st.lists(st.tuples(STR_EXPR, INT_EXPR), max_size=3).map(
        lambda kv: "{%s}" % ", ".join("%s: %s" % p for p in kv)),
    st.tuples(st.sampled_from(VARS_LIST), STR_EXPR).map(lambda t: "dict(zip(%s, %s))" % t),
    st.integers(0, 5).map(lambda n: "{str(k): k * k for k in range(%d)}" % n),
    st.sampled_from(["dict(d0, z=2)", "{**d0, 'k': 9}", "dict.fromkeys('abc', 0)",
                     "sorted(d0.items())", "list(d0)"]),
)
ANY_EXPR = st.one_of(INT_EXPR, STR_EXPR, FLOAT_EXPR, LIST_EXPR, DICT_EXPR, _str_other(STR_EXPR))

STATEMENT = st.one_of(
    st.tuples(st.sampled_from(VARS_INT), INT_EXPR).map(lambda t: "%s = %s" % t),
    st.tuples(st.sampled_from(VARS_INT), st.sampled_from(["+=", "-=", "*=", "//=", "%="]), INT_EXPR).map(
        lambda t: "%s %s %s" % t),
    st.tuples(st.sampled_from(VARS_STR), STR_EXPR).map(lambda t: "%s = str(%s)" % t),
    st.tuples(st.sampled_from(VARS_STR), STR_EXPR).map(lambda t: "%s += str(%s)" % t),
    st.tuples(st.sampled_from(VARS_LIST), LIST_EXPR).map(lambda t: "%s = list(%s)" % t),
    st.tuples(st.sampled_from(VARS_LIST), ANY_EXPR).map(lambda t: "%s.append(%s)" % t),
    st.tuples(st.sampled_from(VARS_LIST), st.integers(-3, 3)).map(lambda t: "del %s[%d]" % t),
    st.tuples(st.sampled_from(VARS_LIST)).map(lambda t: "%s.sort(key=repr)" % t),
    st.tuples(STR_EXPR, ANY_EXPR).map(lambda t: "d0[%s] = %s" % t),
    st.tuples(STR_EXPR).map(lambda t: "d0.pop(%s, None)" % t),
    st.tuples(STR_EXPR).map(lambda t: "del d0[%s]" % t),
    st.tuples(st.sampled_from(VARS_INT), INT_EXPR, INT_EXPR).map(
        lambda t: "%s = %s if %s else -1" % (t[0], t[1], t[2])),
    st.tuples(st.sampled_from(VARS_LIST), st.integers(0, 4), INT_EXPR).map(
        lambda t: "for _k in range(%d):\n    %s.append(_k + %s)" % (t[1], t[0], t[2])),
    st.tuples(INT_EXPR, STR_EXPR).map(lambda t: "assert %s, %s" % t),
    st.tuples(INT_EXPR, st.sampled_from(VARS_STR), STR_EXPR).map(
        lambda t: "try:\n    _t = %s\nexcept ZeroDivisionError as _e:\n    %s = str(_e.__class__.__name__)\nelse:\n    %s = %s" % (
            t[0], t[1], t[1], t[2])),
    st.tuples(STR_EXPR).map(lambda t: "raise ValueError(%s)" % t),
)
PROGRAMS = st.tuples(st.lists(STATEMENT, min_size=1, max_size=6), ANY_EXPR)

# --- exceptions ----------------------------------------------------------------------------

EXCEPTION_NAMES = sorted(
    n for n, o in vars(builtins).items()
    if isinstance(o, type) and issubclass(o, BaseException)
    # KeyboardInterrupt ends the server's connection (rpyc propagates it
    # locally by default); it has a property of its own.
    and n != "KeyboardInterrupt"
)
arg_values = st.one_of(st.none(), st.booleans(), st.integers(-5, 300), small_text, st.floats(-10, 10),
                       st.tuples(small_text, st.integers(0, 9)))
plain_args = st.lists(arg_values, max_size=3).map(tuple)
errnos = st.sampled_from([1, 2, 4, 11, 13, 17, 20, 21, 32, 103, 104, 110, 111, 3, 10, 0, 999, -1])


def exception_args(name):
    """(args, kwargs) strategies that construct `name`, plus some that don't."""
    cls = getattr(builtins, name)
    specific = []
    if issubclass(cls, OSError):
        specific.append(st.tuples(errnos, small_text).map(tuple))
        specific.append(st.tuples(errnos, small_text, small_text).map(tuple))
        specific.append(st.tuples(errnos, small_text, small_text, st.none(), small_text).map(tuple))
        if name == "BlockingIOError":
            specific.append(st.tuples(errnos, small_text, st.integers(0, 99)).map(tuple))
    if name == "UnicodeDecodeError":
        specific.append(st.tuples(st.sampled_from(["utf-8", "ascii", "latin-1"]), binary,
                                  st.integers(-1, 5), st.integers(-1, 9), small_text))
    if name == "UnicodeEncodeError":
        specific.append(st.tuples(st.sampled_from(["utf-8", "ascii"]), small_text,
                                  st.integers(-1, 5), st.integers(-1, 9), small_text))
    if name == "UnicodeTranslateError":
        specific.append(st.tuples(small_text, st.integers(-1, 5), st.integers(-1, 9), small_text))
    if issubclass(cls, SyntaxError):
        specific.append(st.tuples(small_text, st.tuples(small_text, st.integers(0, 9), st.integers(0, 9),
                                                        small_text)))
        specific.append(st.tuples(small_text, st.tuples(small_text, st.integers(0, 9), st.integers(0, 9),
                                                        small_text, st.integers(0, 9), st.integers(0, 9))))
    args = st.one_of(plain_args, *specific) if specific else plain_args
    kwargs = st.just(())
    if issubclass(cls, ImportError):
        kwargs = st.lists(st.tuples(st.sampled_from(["name", "path"]), st.none() | small_text),
                          max_size=2, unique_by=lambda kv: kv[0]).map(tuple)
    elif name == "AttributeError":
        kwargs = st.lists(st.tuples(st.sampled_from(["name", "obj"]), st.none() | small_text | st.integers()),
                          max_size=2, unique_by=lambda kv: kv[0]).map(tuple)
    elif name in ("NameError", "UnboundLocalError"):
        kwargs = st.lists(st.tuples(st.just("name"), st.none() | small_text), max_size=1).map(tuple)
    return st.tuples(st.just(name), args, kwargs)


EXCEPTIONS = st.sampled_from([n for n in EXCEPTION_NAMES if "ExceptionGroup" not in n]).flatmap(exception_args)

# Exceptions built from source text (exception_construction), in every
# argument shape their classes parse: SyntaxError's details of any length
# and kind, OSError's parts with None among them and a BlockingIOError's
# count of any number, a group's message and exceptions of every kind, and
# keywords, which only AttributeError, NameError and ImportError take;
# sometimes through a subclass the client made. (The Unicode errors are
# left to `exceptions`: CPython 3.11's str() of one with a negative
# position fails.)
syntax_details_items = st.sampled_from(["'f.py'", "'a/b/f.py'", "'a/'", "None", "b'f'", "1", "3", "True",
                                        "10**30", "-2**63-1", "'x'", "2.5", "'t'"])
syntax_details = st.one_of(
    st.lists(syntax_details_items, max_size=7).map(lambda xs: "(%s)" % "".join(x + ", " for x in xs)),
    st.lists(syntax_details_items, min_size=4, max_size=6).map(lambda xs: "[%s]" % ", ".join(xs)),
    st.sampled_from(["'abcd'", "'abcdef'", "'abc'", "5", "None", "{}"]))
os_error_parts = st.sampled_from(["1", "2", "13", "None", "1.5", "'e'", "'x'", "'f'", "b'f'", "5", "2**70",
                                  "True", "1j", "-1"])
group_messages = st.sampled_from(["'m'", "''", "5", "None", "b'm'"])
group_members = st.sampled_from(["[ValueError('v')]", "[ValueError(), KeyError(1)]", "[KeyboardInterrupt()]",
                                 "[ValueError(), SystemExit(2)]", "[]", "None", "{ValueError()}",
                                 "{ValueError(): 1}", "'ab'", "(e for e in [ValueError()])", "[1]",
                                 "range(2)", "[ExceptionGroup('i', [OSError(2, 'x')])]"])
exception_keywords = st.one_of(
    st.just([]), st.just([]),
    st.lists(st.tuples(st.sampled_from(["x", "name", "obj", "path", "errno"]),
                       st.sampled_from(["1", "'n'", "None"])),
             min_size=1, max_size=2, unique_by=lambda kv: kv[0]))
CONSTRUCTED_NAMES = [n for n in EXCEPTION_NAMES if not n.startswith("Unicode") or n == "UnicodeError"]


def exception_source(name):
    """Source text building `name`, or a subclass of it, from arguments."""
    cls = getattr(builtins, name)
    shapes = [st.lists(arg_values.map(repr), max_size=3)]
    if issubclass(cls, SyntaxError):
        shapes.append(st.tuples(st.one_of(small_text.map(repr), st.sampled_from(["None", "5"])),
                                syntax_details).map(list))
    if issubclass(cls, OSError):
        shapes.append(st.lists(os_error_parts, min_size=2, max_size=6))
    if issubclass(cls, BaseExceptionGroup):
        shapes = [st.tuples(group_messages, group_members).map(list), st.lists(group_messages, max_size=3)]
    made = st.sampled_from([name, "type('E', (%s,), {})" % name,
                            "type('E', (%s,), {'__init__': lambda self, *a, **k: %s.__init__(self, *a)})"
                            % (name, name)])
    return st.builds(lambda made, args, keywords: "%s(%s)" % (made, ", ".join(
                         args + ["%s=%s" % keyword for keyword in keywords])),
                     made, st.one_of(*shapes), exception_keywords)


TEXT_ARGUMENT_VALUES = {
    "encoding": ["None", "'locale'", "'utf-8'", "'UTF-8'", "'latin-1'", "'ascii'", "'NOPE'", "'No Such'",
                 "'LOCALE'", "1", "b'utf-8'", "'a\\0b'", "'utf_16'", "'hex'", "io.BytesIO()"],
    "errors": ["None", "'strict'", "'replace'", "'ignore'", "1", "b'strict'", "io.BytesIO()"],
    "newline": ["None", "''", "'\\n'", "'\\r'", "'\\r\\n'", "'x'", "1"],
    "line_buffering": ["False", "True", "0", "1", "2", "'x'", "2.5", "2**40", "None", "-1"],
    "write_through": ["False", "True", "1", "'x'", "2.5", "2**70"],
}
TEXT_PARAMETERS = list(TEXT_ARGUMENT_VALUES)


@st.composite
def text_wrapper_source(draw):
    """A TextIOWrapper call with some of its arguments, some by position
    and the rest by name, now and then one unknown, one given twice or
    one too many; or open() or a codec function naming an encoding."""
    form = draw(st.sampled_from(["wrapper"] * 4 + ["open", "codec", "wide"]))
    if form == "wide":
        reader = draw(st.sampled_from(["utf_16", "utf_16_le", "utf_16_be", "utf_32", "utf_32_le", "utf_32_be"]))
        data = draw(st.sampled_from([b"x", b"\x00\xd8", b"\x00\xd8a", b"\xfe\xff\x00", b"\xfe\xff\xd8\x00",
                                     b"\x00\x00\x11\x00", b"\x00\x11\x00\x00", b"abcd",
                                     b"\x00\x00\xfe\xff\x00\x11\x00\x00", b"a\x00b\x00"]))
        final = draw(st.booleans())
        if reader in ("utf_16", "utf_32") and draw(st.booleans()):
            order = draw(st.sampled_from([-1, 0, 1]))
            return "codecs.%s_ex_decode(%r, 'strict', %d, %r)" % (reader, data, order, final)
        return "codecs.%s_decode(%r, 'strict', %r)" % (reader, data, final)
    if form == "codec":
        name = draw(st.sampled_from(TEXT_ARGUMENT_VALUES["encoding"] + ["'Nope-X'", "' utf 8 '", "'UTF_8'"]))
        call = draw(st.sampled_from(["codecs.lookup(%s)", "codecs.encode('x', %s)", "codecs.decode(b'x', %s)",
                                     "codecs.encode('x', encoding=%s)", "codecs.getencoder(%s)",
                                     "codecs.getincrementaldecoder(%s)", "'x'.encode(%s)",
                                     "bytearray('x', %s)", "bytes('x', %s)", "str(b'x', %s)"]))
        return call % name
    if form == "open":
        keywords = ["%s=%s" % (p, draw(st.sampled_from(TEXT_ARGUMENT_VALUES[p])))
                    for p in draw(st.lists(st.sampled_from(["encoding", "errors", "newline"]),
                                           max_size=2, unique=True))]
        mode = draw(st.sampled_from(["'r'", "'w+'", "'rb'"]))
        return "open(%s)" % ", ".join(["path", mode] + keywords)
    chosen = draw(st.lists(st.sampled_from(TEXT_PARAMETERS), max_size=5, unique=True))
    chosen = [p for p in TEXT_PARAMETERS if p in chosen]
    values = [(p, draw(st.sampled_from(TEXT_ARGUMENT_VALUES[p]))) for p in chosen]
    # Positional up to the first gap in the parameters' order.
    positional_most = 0
    while positional_most < len(values) and values[positional_most][0] == TEXT_PARAMETERS[positional_most]:
        positional_most += 1
    by_position = draw(st.integers(0, positional_most))
    buffer_named = by_position == 0 and draw(st.booleans())
    arguments = [] if buffer_named else ["io.BytesIO(b'ab')"]
    arguments += [value for _, value in values[:by_position]]
    keywords = ["%s=%s" % pair for pair in values[by_position:]]
    if buffer_named:
        keywords.insert(draw(st.integers(0, len(keywords))), "buffer=io.BytesIO(b'ab')")
    extra = draw(st.sampled_from([None] * 6 + ["unknown", "twice", "too many", "no buffer"]))
    if extra == "unknown":
        keywords.append("foo=1")
    elif extra == "twice" and arguments:
        keywords.append("%s=None" % (["buffer"] + TEXT_PARAMETERS)[len(arguments) - 1])
    elif extra == "too many":
        arguments += ["None"] * (7 - len(arguments))
    elif extra == "no buffer" and not buffer_named:
        arguments = arguments[1:]
    return "io.TextIOWrapper(%s)" % ", ".join(arguments + keywords)


# --- the driver ------------------------------------------------------------------------------

HELPERS = r'''
import builtins as _b
import math

def ident(x):
    return x

def apply(f, *a, **k):
    return f(*a, **k)

def apply_each(f, xs):
    return [f(x) for x in xs]

def raiser(name, args, kw):
    raise getattr(_b, name)(*args, **dict(kw))

def make_exc(name, args, kw):
    return getattr(_b, name)(*args, **dict(kw))

_EXCEPTION_PARTS = ('errno', 'strerror', 'filename', 'filename2', 'characters_written', 'lineno',
                    'offset', 'text', 'end_lineno', 'end_offset', 'msg', 'name', 'obj', 'path',
                    'message', 'exceptions', 'code', 'value')

def call_outcome(source, scope=None):
    """What evaluating the call `source` gives: the class of its value,
    or the error it raised, as text."""
    try:
        value = eval(source, globals() if scope is None else scope)
    except Exception as error:
        return ('raised', type(error).__name__, ascii(str(error)))
    return ('made', type(value).__name__)

def closed_file_outcome(opener, call):
    """call_outcome of `call` on `f`, a file `opener` opened (on `path`,
    a file of two lines) and closed."""
    import io, os, tempfile
    path = os.path.join(tempfile.gettempdir(), 'oxrpc-differential-closed-file')
    with open(path, 'wb') as out:
        out.write(b'ab\ncd\n')
    f = eval(opener, {'io': io, 'path': path})
    f.close()
    return call_outcome(call, {'f': f})

def text_outcome(source):
    """What evaluating `source` gives, with io, codecs and `path` (a file
    of two lines) at hand: a text wrapper's encoding, errors and flags, a
    string or bytes as text, another value's class; or the error it
    raised."""
    import codecs, io, os, tempfile
    path = os.path.join(tempfile.gettempdir(), 'oxrpc-differential-text')
    with open(path, 'wb') as out:
        out.write(b'ab\ncd\n')
    try:
        value = eval(source, {'io': io, 'codecs': codecs, 'path': path})
    except Exception as error:
        return ('raised', type(error).__name__, ascii(str(error)))
    if isinstance(value, io.TextIOWrapper):
        return ('wrapper', value.encoding, value.errors, value.line_buffering, value.write_through,
                ascii(value.read()) if value.readable() else 'unreadable')
    if isinstance(value, (str, bytes, bytearray)):
        return ('made', type(value).__name__, ascii(value))
    return ('made', type(value).__name__)

_FAILING = [None]

def _failing_search(name):
    if name != _FAILING_NAME:
        return None
    def fail(*args, **kwargs):
        raise _FAILING[0]()
    import codecs
    return codecs.CodecInfo(fail, fail, name=_FAILING_NAME)

# A name of this connection's own: the codec registry is the process's.
_FAILING_NAME = 'oxrpc_failing_%d' % id(_FAILING)
__import__('codecs').register(_failing_search)

def codec_failure(raised, call):
    """What `call` raises when the codec it names (`{codec}`) raises the
    exception `raised` builds: class, args, cause, whether the context is
    suppressed or set, notes."""
    import codecs
    _FAILING[0] = lambda: eval(raised)
    try:
        eval(call.format(codec=repr(_FAILING_NAME)), {'codecs': codecs})
    except BaseException as error:
        return ('raised', type(error).__name__,
                ascii(error.args).replace(_FAILING_NAME, '<codec>'),
                type(error.__cause__).__name__, error.__suppress_context__, error.__context__ is None,
                ascii(getattr(error, '__notes__', None)))
    return ('returned',)

def missing_attribute(source, name):
    """The AttributeError of `name` read from what `source` evaluates to:
    its args, name, whether obj is that object, and its str."""
    import collections, datetime, decimal, io, itertools, operator, os, re, struct, sys, time, types
    target = eval(source)
    try:
        getattr(target, name)
    except AttributeError as error:
        return (ascii(error.args), error.name, error.obj is target, ascii(str(error)))
    return ('found',)

def open_file_outcome(opener, call):
    """call_outcome of `call` on `f`, a file `opener` opened (on `path`,
    a file of two lines), closed after."""
    import io, os, tempfile
    path = os.path.join(tempfile.gettempdir(), 'oxrpc-differential-open-file')
    with open(path, 'wb') as out:
        out.write(b'ab\ncd\n')
    f = eval(opener, {'io': io, 'path': path})
    try:
        return call_outcome(call, {'f': f})
    finally:
        f.close()

def sqlite_session(statements):
    """Each (sql, parameters) run in turn on a new in-memory database:
    the rows it gave, or the error it raised."""
    import sqlite3
    connection = sqlite3.connect(':memory:')
    outcomes = []
    for sql, parameters in statements:
        try:
            rows = connection.execute(sql, parameters).fetchall()
        except Exception as error:
            outcomes.append(('raised', type(error).__name__, ascii(str(error))))
        else:
            outcomes.append(('rows', ascii(rows)))
    outcomes.append(('dump', ascii(list(connection.iterdump()))))
    connection.close()
    return outcomes

def built_exception(source):
    """What evaluating `source` builds, as text: the exception's class,
    repr, str, args (not a group's: see exception_construction) and
    the parts its class defines; or the error building it raised."""
    try:
        e = eval(source)
    except Exception as error:
        return ('raised', type(error).__name__, ascii(str(error)))
    try:
        text = ascii(str(e))
    except Exception as error:
        text = 'str() raised ' + type(error).__name__
    args = 'a group' if isinstance(e, BaseExceptionGroup) else ascii(e.args)
    parts = []
    for name in _EXCEPTION_PARTS:
        try:
            parts.append((name, ascii(getattr(e, name))))
        except AttributeError:
            pass
    return ('built', type(e).__name__, ascii(repr(e)), text, args, tuple(parts))

def descriptor_outcome(call):
    """What `call` gives, run with a scratch file `p` (holding b'0123456789',
    open read-write as `fd`), a pipe (`r`, `w`) and its directory `d`: its
    result, or its error as class, str and args, the directory's name
    written as D. Everything is closed and removed after."""
    import os, shutil, tempfile
    d = tempfile.mkdtemp()
    p = os.path.join(d, 'f')
    with open(p, 'wb') as f:
        f.write(b'0123456789')
    fd = os.open(p, os.O_RDWR)
    r, w = os.pipe()
    try:
        result = ('ok', ascii(eval(call, {'os': os, 'p': p, 'd': d, 'fd': fd, 'r': r, 'w': w})))
    except BaseException as error:
        text = str(error).replace(d, 'D')
        # A descriptor an error names is numbered as the server's others are.
        for name, number in (('fd', fd), ('r', r), ('w', w)):
            if text.endswith(': %d' % number):
                text = text[:-len(str(number))] + name
        result = ('raised', type(error).__name__, ascii(text), ascii(error.args).replace(d, 'D'))
    finally:
        for descriptor in (fd, r, w):
            os.close(descriptor)
        shutil.rmtree(d)
    return result

def raised_by_system(source):
    """The error running `source` raised, seen whole on the server: class,
    repr, str, args, the parts its class defines, __reduce__, a pickle's
    and a copy's repr, args set anew, and `del e.args`."""
    import copy, os, pickle, signal, socket
    try:
        exec(source)
    except BaseException as error:
        e = error
    else:
        return ('nothing raised',)
    seen = [type(e).__module__, type(e).__name__, ascii(repr(e)), ascii(str(e)), ascii(e.args)]
    for name in _EXCEPTION_PARTS:
        try:
            seen.append((name, ascii(getattr(e, name))))
        except AttributeError:
            pass
    seen.append(ascii(e.__reduce__()[1:]))
    for remake in (lambda e: pickle.loads(pickle.dumps(e)), copy.copy):
        try:
            seen.append(ascii(repr(remake(e))))
        except Exception as error:
            seen.append(type(error).__name__)
    e.args = iter([1, 2])
    seen.append(ascii(repr(e)))
    try:
        del e.args
    except Exception as error:
        seen.append(type(error).__name__ + ' ' + ascii(str(error)))
    return tuple(seen)

def tls_over_memory(certs, server_cert, trust, hostname, check_hostname, maximum):
    """One TLS conversation between two SSLObjects over MemoryBIOs, both
    ends on the server: the client's handshake outcome (its error's class,
    verify_code and reason, or the version, cipher, peer certificate and
    a message each way), and the client context's verify flags after."""
    import os, ssl
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(os.path.join(certs, server_cert + '.pem'),
                                   os.path.join(certs, server_cert + '.key'))
    client_context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client_context.check_hostname = check_hostname
    client_context.load_verify_locations(os.path.join(certs, trust))
    client_context.maximum_version = getattr(ssl.TLSVersion, maximum)
    to_server, to_client = ssl.MemoryBIO(), ssl.MemoryBIO()
    from_client, from_server = ssl.MemoryBIO(), ssl.MemoryBIO()
    client = client_context.wrap_bio(to_client, from_client, server_hostname=hostname)
    server = server_context.wrap_bio(to_server, from_server, server_side=True)

    def carry():
        to_server.write(from_client.read())
        to_client.write(from_server.read())

    failures = {}
    for _ in range(8):
        waiting = False
        for name, end in (('client', client), ('server', server)):
            if name in failures:
                continue
            try:
                end.do_handshake()
            except ssl.SSLWantReadError:
                waiting = True
            except ssl.SSLError as error:
                failures[name] = error
        carry()
        if not waiting or 'client' in failures:
            break
    if 'client' in failures:
        error = failures['client']
        return ('refused', type(error).__name__, getattr(error, 'verify_code', None),
                getattr(error, 'reason', None), int(client_context.verify_flags))
    client.write(b'ping')
    carry()
    request = server.read(100)
    server.write(b'pong')
    carry()
    return ('talked', client.version(), server.version(), client.cipher(), server.cipher(),
            ascii(client.getpeercert()), server.getpeercert(), client.server_hostname,
            client.server_side, server.server_side, request, client.read(100),
            int(client_context.verify_flags))

def expression_outcome(source, modules):
    """What `source` evaluates to, as ascii(), with each of `modules`
    imported under its name; or its error's class and str."""
    scope = {name: __import__(name) for name in modules}
    try:
        return ('value', ascii(eval(source, scope)))
    except Exception as error:
        return ('raised', type(error).__name__, ascii(str(error)))

def https_get(url, cafile, method):
    """What urllib gives for `method` on `url` (an https one) trusting
    `cafile` alone: the status, body and content type, or the error and
    the SSL error under it."""
    import ssl, urllib.error, urllib.request
    context = ssl.create_default_context(cafile=cafile)
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method), context=context,
                                    timeout=10) as response:
            return ('answered', response.status, response.read(), response.headers['Content-Type'])
    except urllib.error.HTTPError as error:
        return ('http error', error.code, error.read())
    except urllib.error.URLError as error:
        reason = error.reason
        return ('refused', type(error).__name__, type(reason).__name__,
                getattr(reason, 'verify_code', None), getattr(reason, 'verify_message', None))

def unicodedata_outcome(point):
    """What each of unicodedata's functions says of chr(point), and
    lookup of its name, each a value or an error."""
    import unicodedata
    character = chr(point)
    seen = []
    for function in ('category', 'bidirectional', 'east_asian_width', 'combining', 'mirrored',
                     'decomposition', 'decimal', 'digit', 'numeric', 'name'):
        try:
            seen.append(ascii(getattr(unicodedata, function)(character)))
        except Exception as error:
            seen.append((type(error).__name__, str(error)))
    try:
        seen.append(ascii(unicodedata.lookup(unicodedata.name(character))))
    except Exception as error:
        seen.append(type(error).__name__)
    for form in ('NFC', 'NFD', 'NFKC', 'NFKD'):
        seen.append(ascii(unicodedata.normalize(form, character)))
    return seen

def normal_forms(text):
    """Each normal form of `text` and whether it is in it."""
    import unicodedata
    return [(ascii(unicodedata.normalize(form, text)), unicodedata.is_normalized(form, text))
            for form in ('NFC', 'NFD', 'NFKC', 'NFKD')]

def hostname_outcome(cert, hostname):
    """What 3.11's ssl.match_hostname says of `cert` (a getpeercert()
    dict) and `hostname`: nothing, or its error, and its deprecation
    warnings."""
    import ssl, warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        try:
            ssl.match_hostname(cert, hostname)
            outcome = ('matched',)
        except Exception as error:
            outcome = ('raised', type(error).__name__, ascii(str(error)))
    # (only its own: a ResourceWarning of some earlier object may be
    # raised as the collector runs meanwhile)
    return outcome + tuple((w.category.__name__, str(w.message)) for w in caught
                           if w.category is DeprecationWarning)

class Obj:
    cls_attr = 'class-level'

    def __init__(self):
        self.a = 1
        self.b = 'two'

    @property
    def prop(self):
        return self.a * 2

    @property
    def ro(self):
        return 'read-only'

    def method(self, x=0):
        return (self.a, x)

    # repr must not raise: rpyc 6.0.2 reprs the `obj` of an AttributeError
    # while dumping it, and a raising repr kills its connection.
    def __repr__(self):
        return 'Obj(a=%r)' % (getattr(self, 'a', None),)

    def __str__(self):
        return 'obj with a=%s' % (getattr(self, 'a', None),)

    def __len__(self):
        return len(self.__dict__)

class Num:
    def __init__(self, n):
        self.n = n
    def __eq__(self, other):
        return self.n == getattr(other, 'n', other)
    def __lt__(self, other):
        return self.n < getattr(other, 'n', other)
    def __le__(self, other):
        return self.n <= getattr(other, 'n', other)
    def __hash__(self):
        return hash(self.n)
    def __repr__(self):
        return 'Num(%r)' % (self.n,)
    def __bool__(self):
        return bool(self.n)
    def __index__(self):
        return self.n
    def __add__(self, other):
        return Num(self.n + getattr(other, 'n', other))
    def __radd__(self, other):
        return Num(getattr(other, 'n', other) + self.n)

class CM:
    def __init__(self, value, swallow, exit_raises=False):
        self.value = value
        self.swallow = swallow
        self.exit_raises = exit_raises
        self.log = []
    def __enter__(self):
        self.log.append('enter')
        return self.value
    def __exit__(self, t, v, tb):
        self.log.append(('exit', None if t is None else t.__name__,
                         None if v is None else repr(tuple(v.args)), tb is None))
        if self.exit_raises:
            raise RuntimeError('exit raised')
        return self.swallow

def gen(n, fail_at=-1):
    for i in range(n):
        if i == fail_at:
            raise ValueError('gen failed at %d' % i)
        yield i * i

class Hinted:
    """An iterator whose __length_hint__ says `hint` (raises it when it names an
    exception class)."""
    def __init__(self, n, hint, fail_at=-1):
        self.i, self.n, self.hint, self.fail_at = 0, n, hint, fail_at
    def __iter__(self):
        return self
    def __next__(self):
        if self.i == self.fail_at:
            raise ValueError('hinted failed at %d' % self.i)
        if self.i >= self.n:
            raise StopIteration
        self.i += 1
        return self.i
    def __length_hint__(self):
        if isinstance(self.hint, str) and self.hint.startswith('raise '):
            raise getattr(_b, self.hint[6:])('hint')
        return self.hint

class Sized:
    """An iterable whose __len__ says `length` (raises it when it names an
    exception class), with n items."""
    def __init__(self, n, length):
        self.n, self.length = n, length
    def __iter__(self):
        return iter(range(self.n))
    def __len__(self):
        if isinstance(self.length, str) and self.length.startswith('raise '):
            raise getattr(_b, self.length[6:])('len')
        return self.length

class LS(list):
    pass

class TS(tuple):
    pass

def shown(r):
    """repr of a result, a set's items sorted (their order is a hash detail)."""
    if isinstance(r, (set, frozenset)):
        return (type(r).__name__, sorted(map(repr, r)))
    return (type(r).__name__, repr(r))

def shown_deep(r):
    """shown(), into tuples and lists too."""
    if isinstance(r, (tuple, list)):
        return (type(r).__name__, [shown_deep(x) for x in r])
    return shown(r)

def on_itself(method, items, source):
    """list.METHOD on a list that has items: `source` builds the iterable
    from the list itself."""
    target = list(items)
    try:
        getattr(target, method)(source(target))
    except Exception as error:
        return ('raised', type(error).__name__, str(error), target)
    return target

def extended(items, source):
    return on_itself('extend', items, source)

def reinit(items, source):
    return on_itself('__init__', items, source)

ASKED = []

class Attrs:
    cls_attr = 'c'
    def __init__(self):
        self.inst = 'i'
    def method(self):
        return 1
    @property
    def prop(self):
        return 'p'
    @property
    def prop_missing(self):
        raise AttributeError('from property')
    @property
    def prop_fails(self):
        raise ValueError('from property')

class Hooked(Attrs):
    """__getattr__ answers, says missing or fails, and logs each call."""
    def __init__(self, answer):
        super().__init__()
        self.answer = answer
    def __getattr__(self, name):
        ASKED.append(name)
        if self.answer == 'missing':
            raise AttributeError(name)
        if self.answer == 'fails':
            raise KeyError(name)
        return self.answer

class Guarded(Attrs):
    def __getattribute__(self, name):
        if name.startswith('hidden'):
            raise AttributeError(name)
        return object.__getattribute__(self, name)

class Slotted:
    __slots__ = ('a', 'b')
    def __init__(self):
        self.a = 1

class Meta(type):
    meta_attr = 'm'
    @property
    def meta_prop(cls):
        return 'mp'
    @property
    def meta_missing(cls):
        raise AttributeError('meta')

class WithMeta(metaclass=Meta):
    own = 'o'

class MetaHooked(type):
    def __getattr__(cls, name):
        ASKED.append(name)
        if name == 'dynamic':
            return 'd'
        raise AttributeError(name)

class WithMetaHook(metaclass=MetaHooked):
    pass

class StrName(str):
    pass

import types as _types

def _lazy(name):
    ASKED.append(name)
    if name.startswith('l'):
        return 'lazy ' + name
    raise AttributeError(name)

lazy_module = _types.ModuleType('lazy_module')
lazy_module.present = 1
lazy_module.__getattr__ = _lazy
plain_module = _types.ModuleType('plain_module')
plain_module.present = 2

def coded(thunk):
    """What an encode or decode gave or raised, in ASCII: rpyc cannot send
    a string with a lone surrogate (brine writes UTF-8)."""
    try:
        found = thunk()
    except Exception as error:
        return ('raised', type(error).__name__, ascii(error.args))
    return (type(found).__name__, ascii(found))

def looked_up(target, name, how):
    """getattr with and without a default, or hasattr; what it gave (a plain
    value, else its type) and which __getattr__ hooks ran."""
    del ASKED[:]
    try:
        if how == 'getattr':
            found = getattr(target, name)
        elif how == 'default':
            found = getattr(target, name, 'DEFAULT')
        else:
            found = hasattr(target, name)
    except Exception as error:
        return ('raised', type(error).__name__, str(error), list(ASKED))
    if not isinstance(found, (int, str, float, type(None), tuple)):
        found = type(found).__name__
    return (found, list(ASKED))
def traceback_outcome(directory, name, source, limit, chain):
    """Runs f() of a module written to `directory` as `name`.py, with a
    module `<name>_helper` beside it, and gives how the traceback module
    shows its failure: format_exception (with limit and chain),
    format_exception_only, and the frames in the module's file."""
    import importlib.util, os, sys, traceback
    helper = name + '_helper'
    sys.modules[helper] = type(sys)(helper)
    sys.modules[helper].name = 1
    path = os.path.join(directory, name + '.py')
    with open(path, 'w', encoding='utf-8') as out:
        out.write(source.replace('HELPER', helper))
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    try:
        # Run as its loader would, without the loader's own frames (which
        # name the frozen importlib otherwise here).
        with open(path, 'rb') as source_file:
            exec(compile(source_file.read(), path, 'exec'), module.__dict__)
        module.f()
    except BaseException as error:
        def shown(lines):
            return ''.join(lines).replace(path, 'MODULE').replace(helper, 'HELPER')
        return (shown(traceback.format_exception(error, limit=limit, chain=chain)),
                shown(traceback.format_exception_only(error)),
                tuple((frame.lineno, frame.end_lineno, frame.colno, frame.end_colno, frame.name, frame.line)
                      for frame in traceback.extract_tb(error.__traceback__) if frame.filename == path))
    finally:
        del sys.modules[helper]
    return 'no error'
'''


class ClassicDriver(dk.Driver):
    def _open(self, addr):
        conn = rpyc.classic.connect(addr[0], addr[1], keepalive=False)
        conn._config["sync_request_timeout"] = 20
        conn.execute(HELPERS)
        return conn

    def connect(self):
        self.ref = self._open(self.args.reference)
        self.cand = self._open(self.args.candidate)

    def ensure_connected(self):
        if self.ref is None or self.ref.closed:
            self.ref = self._open(self.args.reference)
        if self.cand is None or self.cand.closed:
            self.cand = self._open(self.args.candidate)

    def close(self):
        for c in (self.ref, self.cand):
            try:
                c.close()
            except Exception:
                pass



_CERTS = []


def openssl_certs():
    """The directory of certificates tests/interop/tls/make_openssl_certs.sh
    makes with the openssl command, made once per run."""
    if not _CERTS:
        import subprocess
        import tempfile
        import atexit
        import shutil
        directory = tempfile.mkdtemp(prefix="oxrpc-diff-certs-")
        atexit.register(shutil.rmtree, directory, True)
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tls", "make_openssl_certs.sh")
        subprocess.run(["sh", script, directory], check=True, capture_output=True)
        _CERTS.append(directory)
    return _CERTS[0]


_HTTPS = []


def https_server():
    """The port of an HTTPS server (CPython's http.server over ssl, with
    the certificate for oxrpc.test and 127.0.0.1 from openssl_certs) that
    answers a GET with its path and a 404 for /missing, started once per
    run in this process."""
    if not _HTTPS:
        import http.server
        import ssl
        import threading

        class Answer(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path == "/missing":
                    self.send_error(404)
                    return
                body = ("path %s" % self.path).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        certs = openssl_certs()
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(os.path.join(certs, "selfsigned-san.pem"),
                                os.path.join(certs, "selfsigned-san.key"))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answer)
        server.daemon_threads = True
        server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        _HTTPS.append(server.server_address[1])
    return _HTTPS[0]

_TRACEBACK_DIRECTORY = []
_TRACEBACK_NAMES = []


def traceback_directory():
    """A directory for the generated modules, removed at exit."""
    if not _TRACEBACK_DIRECTORY:
        import atexit
        import shutil
        import tempfile
        directory = tempfile.mkdtemp(prefix="oxrpc-diff-tracebacks-")
        atexit.register(shutil.rmtree, directory, True)
        _TRACEBACK_DIRECTORY.append(directory)
    return _TRACEBACK_DIRECTORY[0]


@st.composite
def failing_functions(draw):
    """(source of a module whose f() fails, limit, chain)."""
    space = st.sampled_from(["", " ", "  "])
    operator = draw(st.sampled_from(["+", "-", "*", "/", "//", "%", "**", "<<", ">>", "&", "|", "^", "@"]))
    left = draw(st.sampled_from(["a", "(a)", "s", "a * 2", "(a + 1)", "d['k']", "'漢字'"]))
    binary = "%s%s%s%s%s" % (left, draw(space), operator, draw(space),
                             draw(st.sampled_from(["b", "(b)", "None"])))
    subscript = draw(st.sampled_from([
        "d['q']", "d [ 'q' ]", "xs[5]", "d['k']['q']", "{'漢': 1}['漢字']", "xs[a:b]['x']", "(d)['q']"]))
    call = draw(st.sampled_from([
        "int('x')", "int(\n        'x',\n    )", "g(a, b)", "s.encode('nope')", "max()", "len(a)",
        "getattr(a, 'bit_lenght')", "getattr(s, 'uper')", "getattr(d, 'item')", "dict(a=1)['b']",
        "sorted([3, 'x'])", "h(g, a)"]))
    name = draw(st.sampled_from(["valu", "os", "sys", "lenn", "jsn", "xss", "nope"]))
    attribute = draw(st.sampled_from([
        "a.nope", "a.real.nope", "s.uper()", "[].appendd(1)", "d.get('q').strip()", "str(a).nope",
        "(a\n            .nope)", "b.x.y", "d['k'].nope", "(a).imag.real.nope", "s .  nope", "'漢'.nope"]))
    failing = draw(st.sampled_from(["binary", "subscript", "call", "name", "multiline", "attribute"]))
    expression = {"binary": binary, "subscript": subscript, "call": call, "name": name,
                  "multiline": "(a +\n            b)", "attribute": attribute}[failing]
    statement = draw(st.sampled_from(["return {}", "x = {}", "y = 3 + ({})", "print({})", "{}",
                                      "return [{}]", "v = {}  # a comment"]))
    body = ["    value = a = 1", "    b = None", "    s = '漢字'", "    d = {'k': {}}", "    xs = [1]"]
    ending = draw(st.sampled_from(["expression", "import", "raise", "recursion", "unbound", "store",
                                   "decorated", "statement"]))
    statement_form = draw(st.sampled_from([
        "value += 'a'", "xs[0] += 'a'", "value  +=  (\n        'a')", "p, q = [1]", "[p, q] = r2 = [1]",
        "p, *q, t = [1]", "for p, q in [[1]]:\n        pass", "assert a == 2, 'nope'",
        "assert (a ==\n        2), ('m' +\n   'n')", "assert a > 1", "assert False, 'm'", "assert None", "del later\n    later = 1",
        "del a, later\n    later = 1", "b.y += 1"]))
    decorated = draw(st.sampled_from([
        "@boomer\ndef inner():\n    pass", "@maker(1)\n@maker(2)\ndef inner():\n    pass",
        "@boomer\nclass Inner:\n    pass", "@(lambda fn: fn)\n@boomer\ndef inner(): pass",
        "@maker(\n    3)\ndef inner():\n    pass", "class Holder:\n    @boomer\n    def method(self):\n        pass",
        "class Failing:\n    x = 1\n    y = x + None", "@maker(1)\nclass Failing(dict, metaclass=type):\n    z = {}['k']"]))
    where = draw(st.sampled_from(["function", "module"]))
    if ending == "expression":
        body.append("    " + statement.format(expression))
    elif ending == "import":
        body.append("    from HELPER import " + draw(st.sampled_from(["nmae", "name_", "other"])))
    elif ending == "decorated":
        if where == "function":
            body.extend("    " + line for line in decorated.split("\n"))
        else:
            body.append("    pass")
    elif ending == "statement":
        body.append("    " + statement_form)
    elif ending == "store":
        body.append("    " + draw(st.sampled_from(["a.x = 1", "del a.x", "a.real += 1", "s.y = d.z = 2",
                                                     "b.x, a.y = 1, 2", "(a\n     .x) = 1"])))
    elif ending == "unbound":
        body.append("    " + draw(st.sampled_from(["print(later)", "x = [later]", "return later + 1"])))
        body.append("    later = 1")
    elif ending == "recursion":
        depth = draw(st.sampled_from([1, 3, 5, 12]))
        body.append("    return r(%d)" % depth)
    else:
        raised = draw(st.sampled_from(["ValueError('v')", "KeyError('k')", "OSError(2, 'gone')",
                                       "ExceptionGroup('g', [ValueError(1), TypeError('t')])"]))
        how = draw(st.sampled_from(["plain", "note", "cause", "context", "suppressed"]))
        if how == "plain":
            body.append("    raise " + raised)
        elif how == "note":
            body.append("    e = %s" % raised)
            body.append("    e.add_note(%r)" % draw(st.sampled_from(["a note", "two\nlines", ""])))
            body.append("    raise e")
        else:
            body.append("    try:")
            body.append("        " + statement.format(expression))
            body.append("    except Exception as inner:")
            body.append("        raise %s%s" % (raised, {"cause": " from inner", "context": "",
                                                      "suppressed": " from None"}[how]))
    source = "\n".join([
        "def g(p, q):",
        "    return p + q",
        "",
        "def h(fn, p):",
        "    return fn(p, None) * 2",
        "",
        "def r(n):",
        "    return r(n - 1) if n else 1 + None",
        "",
        "def boomer(fn):",
        "    raise ValueError('decorated')",
        "",
        "def maker(n):",
        "    return boomer if n > 1 else (lambda fn: fn)",
        "",
    ] + (decorated.split("\n") + [""] if ending == "decorated" and where == "module" else []) + [
        "def f():",
    ] + body) + "\n"
    return source, draw(st.sampled_from([None, 1, 2, -1])), draw(st.booleans())


def build(argv=None):
    args = dk.parse_args(__doc__.split("\n\n")[0], argv)
    d = ClassicDriver(args, ALLOWED)

    @d.prop(brine_values)
    def roundtrip_namespace(ctx, v):
        def run(c):
            c.namespace["v"] = v
            return c.eval("v")
        ctx.same("roundtrip_namespace", run)

    @d.prop(brine_values)
    def roundtrip_identity(ctx, v):
        ctx.same("roundtrip_identity", lambda c: c.namespace["ident"](v))
        ctx.same("roundtrip_apply", lambda c: c.namespace["apply"](c.namespace["ident"], v))

    @d.prop(brine_values)
    def remote_view_of_value(ctx, v):
        def setup(c):
            c.namespace["v"] = v
        ctx.same("setup", setup)
        ctx.same("remote type", lambda c: c.eval("type(v).__name__"))
        ctx.same("remote equality", lambda c: c.eval("v == v"))
        ctx.same("remote bool", lambda c: c.eval("bool(v)"))
        # repr: a frozenset's member order is a hash-table detail, not language.
        if not contains(v, frozenset):
            ctx.same("remote repr", lambda c: c.eval("repr(v)"))
            ctx.same("remote str", lambda c: c.eval("str(v)"))
        # hash: str/bytes hashes are randomized per process (PYTHONHASHSEED).
        # None, Ellipsis and NotImplemented hash by address in 3.11.
        # A nan hashes by address since 3.10.
        if not contains(v, (str, bytes, slice, frozenset, type(None), type(Ellipsis), type(NotImplemented))) \
                and not has_nan(v):
            ctx.same("remote hash", lambda c: c.eval("hash(v)"))
        if isinstance(v, (tuple, frozenset, str, bytes)):
            ctx.same("remote len", lambda c: c.eval("len(v)"))
            # (a frozenset's order is a hash-table detail: only membership)
            ctx.same("remote list", lambda c: c.eval("all(x in v for x in v) if isinstance(v, frozenset) else tuple(v)"))
        if isinstance(v, (int, float, complex)) and not isinstance(v, bool):
            ctx.same("remote neg", lambda c: c.eval("-v"))
            ctx.same("remote abs", lambda c: c.eval("abs(v)"))
            ctx.same("remote add", lambda c: c.eval("v + 1"))
            ctx.same("remote mul", lambda c: c.eval("v * 3"))
            ctx.same("remote truediv", lambda c: c.eval("v / 7"))
            if not isinstance(v, complex):
                ctx.same("remote floordiv", lambda c: c.eval("v // -3"))
                ctx.same("remote mod", lambda c: c.eval("v % 5"))
                ctx.same("remote round", lambda c: c.eval("round(v, 3) if isinstance(v, float) else round(v, -2)"))
                ctx.same("remote float", lambda c: c.eval("float(v)"))
                ctx.same("remote int", lambda c: c.eval("int(v)"))
                ctx.same("remote str-roundtrip", lambda c: c.eval("type(v)(repr(v)) == v"))
        if isinstance(v, float):
            ctx.same("remote float.hex", lambda c: c.eval("v.hex()"))
            ctx.same("remote is_integer", lambda c: c.eval("v.is_integer()"))
            ctx.same("remote format", lambda c: c.eval("format(v, '.17g') + format(v, 'e') + format(v, '%')"))
        if isinstance(v, str):
            ctx.same("remote encode", lambda c: c.eval("v.encode('utf-8')"))
            ctx.same("remote upper", lambda c: c.eval("v.upper()"))
            ctx.same("remote isprintable", lambda c: c.eval("v.isprintable()"))
        if isinstance(v, bytes):
            ctx.same("remote decode", lambda c: c.eval("v.decode('latin-1')"))
            ctx.same("remote hex", lambda c: c.eval("v.hex()"))

    @d.prop(PROGRAMS)
    def program(ctx, prog):
        statements, final = prog
        source = "\n".join(statements) + "\n_r = " + final + "\n"

        def run(c):
            c.execute(PRELUDE + "_r = None")
            c.execute(source)
        ctx.same("program exec", run)
        for var in VARS_INT + VARS_STR + VARS_LIST + VARS_DICT + ["_r"]:
            ctx.same("program var %s" % var, lambda c, var=var: c.eval("repr(%s)" % var))

    @d.prop(st.lists(ANY_EXPR, min_size=1, max_size=4))
    def program_eval(ctx, exprs):
        def setup(c):
            c.execute(PRELUDE)
        ctx.same("setup", setup)
        for e in exprs:
            ctx.same("program eval %s" % e, lambda c, e=e: c.eval(e))
            ctx.same("program eval repr %s" % e, lambda c, e=e: c.eval("repr(%s)" % e))

    attr_names = st.sampled_from(["a", "b", "prop", "ro", "cls_attr", "method", "missing", "_private",
                                  "x", "ünï", "__weird__"])
    obj_ops = st.one_of(
        st.tuples(st.just("get"), attr_names),
        # (no frozensets: Obj's repr shows the value, and a frozenset's order is a hash detail)
        st.tuples(st.just("set"), attr_names, brine_no_frozenset),
        st.tuples(st.just("del"), attr_names),
        st.tuples(st.just("has"), attr_names),
        st.tuples(st.just("call"), brine_values),
        st.tuples(st.just("repr")),
        st.tuples(st.just("str")),
        st.tuples(st.just("len")),
        st.tuples(st.just("dir")),
        st.tuples(st.just("vars")),
        st.tuples(st.just("eq"), brine_values),
        st.tuples(st.just("bool")),
    )

    @d.prop(st.lists(obj_ops, min_size=1, max_size=8))
    def objattr(ctx, ops):
        objs = {}

        def setup(c):
            objs[id(c)] = c.namespace["Obj"]()
        ctx.same("objattr setup", setup)

        def apply(c, op):
            o = objs[id(c)]
            kind = op[0]
            if kind == "get":
                r = getattr(o, op[1])
                return ("method",) if op[1] == "method" else r
            if kind == "set":
                setattr(o, op[1], op[2])
                return None
            if kind == "del":
                delattr(o, op[1])
                return None
            if kind == "has":
                return hasattr(o, op[1])
            if kind == "call":
                return o.method(op[1])
            if kind == "repr":
                return repr(o)
            if kind == "str":
                return str(o)
            if kind == "len":
                return len(o)
            if kind == "dir":
                return sorted(dir(o))
            if kind == "vars":
                return sorted(c.eval("lambda o: list(vars(o))")(o))
            if kind == "eq":
                return o == op[1]
            if kind == "bool":
                return bool(o)
            raise AssertionError(op)

        for op in ops:
            ctx.same("objattr %r" % (op,), lambda c, op=op: apply(c, op))

    @d.prop(st.tuples(st.lists(brine_values, max_size=6), st.integers(-8, 8), slices, brine_values))
    def iterate_list(ctx, case):
        items, index, sl, probe = case
        lists = {}

        def setup(c):
            c.namespace["L"] = tuple(items)
            lists[id(c)] = c.eval("list(L)")
        ctx.same("iterate setup", setup)
        L = lambda c: lists[id(c)]  # noqa: E731
        ctx.same("iterate list()", lambda c: list(L(c)))
        ctx.same("iterate for", lambda c: [x for x in L(c)])
        ctx.same("iterate len", lambda c: len(L(c)))
        ctx.same("iterate index", lambda c: L(c)[index])
        ctx.same("iterate slice", lambda c: list(L(c)[sl]))
        ctx.same("iterate contains", lambda c: probe in L(c))
        ctx.same("iterate reversed", lambda c: list(reversed(L(c))))
        ctx.same("iterate repr", lambda c: repr(L(c)) if not any(contains(x, frozenset) for x in items) else None)
        ctx.same("iterate bool", lambda c: bool(L(c)))
        ctx.same("iterate count", lambda c: L(c).count(probe))
        ctx.same("iterate eq", lambda c: L(c) == list(items))

        def mutate(c):
            lst = L(c)
            lst.append(probe)
            lst[0] = index
            lst.insert(index, "ins")
            del lst[-1]
            return list(lst)
        ctx.same("iterate mutate", mutate)

    @d.prop(st.tuples(st.dictionaries(text, brine_values, max_size=6), text))
    def iterate_dict(ctx, case):
        items, probe = case
        dicts = {}

        def setup(c):
            c.namespace["D"] = tuple(items.items())
            dicts[id(c)] = c.eval("dict(D)")
        ctx.same("iterate setup", setup)
        D = lambda c: dicts[id(c)]  # noqa: E731
        ctx.same("iterate dict keys", lambda c: list(D(c)))
        ctx.same("iterate dict items", lambda c: list(D(c).items()))
        ctx.same("iterate dict values", lambda c: list(D(c).values()))
        ctx.same("iterate dict len", lambda c: len(D(c)))
        ctx.same("iterate dict getitem", lambda c: D(c)[probe])
        ctx.same("iterate dict get", lambda c: D(c).get(probe, "dflt"))
        ctx.same("iterate dict in", lambda c: probe in D(c))

        def mutate(c):
            d = D(c)
            d[probe] = 1
            d.pop(probe)
            d.setdefault("z", None)
            return list(d.items())
        ctx.same("iterate dict mutate", mutate)

    @d.prop(st.tuples(st.integers(0, 12), st.integers(-1, 12), st.integers(0, 14)))
    def iterate_generator(ctx, case):
        n, fail_at, take = case
        gens = {}

        def setup(c):
            gens[id(c)] = c.namespace["gen"](n, fail_at)
        ctx.same("iterate gen setup", setup)

        def take_some(c):
            g = gens[id(c)]
            return [next(g) for _ in range(take)]
        ctx.same("iterate gen next", take_some)
        ctx.same("iterate gen rest", lambda c: list(gens[id(c)]))
        ctx.same("iterate gen exhausted", lambda c: next(gens[id(c)]))
        ctx.same("iterate genexpr", lambda c: list(c.eval("(x * 3 for x in range(%d) if x != %d)" % (n, fail_at))))
        ctx.same("iterate iter(range)", lambda c: list(c.eval("iter(range(%d, -%d, -2))" % (n, take))))

    hints = st.sampled_from([0, 1, 3, 100, -1, 2 ** 70, 1.5, True, "x", None, NotImplemented,
                             "raise TypeError", "raise ValueError", "raise KeyError"])
    collected_sources = st.one_of(
        st.tuples(st.integers(0, 6), st.integers(-1, 6)).map(lambda c: "gen(%d, %d)" % c),
        st.integers(0, 6).map(lambda n: "map(abs, range(-%d, 0))" % n),
        st.integers(0, 6).map(lambda n: "zip(range(%d), 'abcd')" % n),
        st.integers(0, 6).map(lambda n: "filter(None, range(%d))" % n),
        st.integers(0, 6).map(lambda n: "iter(list(range(%d)))" % n),
        st.integers(0, 6).map(lambda n: "list(range(%d))" % n),
        st.integers(0, 6).map(lambda n: "tuple('abcdef'[:%d])" % n),
        st.integers(0, 6).map(lambda n: "reversed(range(%d))" % n),
        st.integers(0, 6).map(lambda n: "range(%d)" % n),
        st.integers(0, 6).map(lambda n: "'abcdef'[:%d]" % n),
        st.integers(0, 6).map(lambda n: "{i: -i for i in range(%d)}.items()" % n),
        st.tuples(st.integers(0, 6), hints, st.integers(-1, 6)).map(lambda c: "Hinted(%d, %r, %d)" % c),
        st.tuples(st.integers(0, 6), hints).map(lambda c: "Sized(%d, %r)" % c),
        st.just("5"),
    )
    collectors = st.sampled_from(["list(%s)", "tuple(%s)", "LS(%s)", "TS(%s)", "[*%s]", "(*%s,)",
                                  "list(%s, key=1)", "tuple(iterable=%s)", "LS(iterable=%s)",
                                  "reinit([7, 8], lambda l: %s)", "reinit([7, 8], iter)",
                                  "reinit([7, 8], lambda l: l)", "reinit([7, 8], tuple)",
                                  "reinit([7, 8], lambda l: map(l.append, %s))"])

    @d.prop(st.tuples(collectors, collected_sources))
    def collect_iterables(ctx, case):
        collector, source = case
        expression = collector % source if "%s" in collector else collector
        ctx.same("collect %s" % expression, lambda c: c.eval("(lambda r: (type(r).__name__, repr(r)))(%s)" % expression))

    consumers = st.sampled_from([
        "any(%s)", "all(%s)", "sum(%s)", "sum(%s, 10)", "sum(%s, start=0.5)", "sum(%s, [])",
        "sum(%s, '')", "sum(%s, start=b'')", "sum(%s, bytearray())", "sum(%s, 1, 2)",
        "sum(%s, foo=1)", "sum(iterable=%s)", "any(%s, x=1)", "all(iterable=%s)",
        "set(%s)", "set(%s, x=1)", "frozenset(%s)", "frozenset(%s, x=1)", "type('F', (frozenset,), {})(%s)",
        "frozenset(%s) is frozenset(())", "(lambda s: (s.update(%s, [9]), s)[1])({7})",
        "(lambda s: (s.__init__(%s), s)[1])({7})", "set().update(%s, x=1)",
        "sorted(%s)", "sorted(%s, reverse=True)", "sorted(%s, key=repr)", "sorted(%s, foo=1)",
        "extended([7, 8], lambda l: %s)", "extended([7, 8], lambda l: l)",
        "extended([7, 8], lambda l: map(l.append, %s))",
        "dict.fromkeys(%s)", "dict.fromkeys(%s, [])", "dict.fromkeys(%s, value=1)", "dict.fromkeys()",
        "dict.fromkeys(%s, 1, 2)", "{1: 2}.fromkeys(%s)",
        "type('D', (dict,), {'__setitem__': lambda s, k, v: dict.__setitem__(s, k, (v, 'set'))}).fromkeys(%s)",
        "type('D', (dict,), {'__init__': lambda s: dict.__init__(s, {'pre': 1})}).fromkeys(%s, 0)",
        "type('D', (dict,), {'__new__': lambda c: [5]}).fromkeys(%s)",
    ])

    @d.prop(st.tuples(consumers, collected_sources))
    def consume_iterables(ctx, case):
        consumer, source = case
        expression = consumer % source if "%s" in consumer else consumer
        ctx.same("consume %s" % expression, lambda c: c.eval("shown(%s)" % expression))

    lookup_targets = st.sampled_from([
        "Attrs()", "Hooked(7)", "Hooked('missing')", "Hooked('fails')", "Guarded()", "Slotted()",
        "WithMeta", "WithMeta()", "WithMetaHook", "Attrs", "Hooked", "lazy_module", "plain_module",
        "1", "'s'", "[]", "int", "type", "None", "_types", "Meta", "looked_up"])
    lookup_names = st.tuples(
        st.sampled_from(["%r", "StrName(%r)", "''.join(list(%r))", "5", "None"]),
        st.sampled_from(["inst", "cls_attr", "method", "prop", "prop_missing", "prop_fails", "missing",
                         "hidden_x", "a", "b", "answer", "__class__", "__dict__", "__doc__", "dynamic",
                         "meta_attr", "meta_prop", "meta_missing", "own", "present", "lx", "mro",
                         "__name__", "real", "append", "__getattr__", "__slots__", ""]),
    ).map(lambda c: c[0] % c[1] if "%" in c[0] else c[0])
    lookup_forms = st.sampled_from(["getattr", "default", "hasattr"])
    lookup_calls = st.sampled_from(["looked_up(%s, %s, %r)"] * 6 + [
        "getattr(%s, %s, 1, 2)", "hasattr(%s)", "getattr(%s, %s, default=1)", "hasattr(%s, name=%s)"])

    @d.prop(st.tuples(lookup_calls, lookup_targets, lookup_names, lookup_forms))
    def attribute_lookups(ctx, case):
        call, target, name, form = case
        expression = call % ((target, name, form)[:call.count("%")])
        ctx.same("lookup %s" % expression, lambda c: c.eval("shown(%s)" % expression))

    codec_texts = st.one_of(
        st.text(alphabet=st.sampled_from("aZ09 \x00\x7f\x80\xe9\xff\u0100\u20ac\U0001f600\ud800\udcff"),
                max_size=6).map(repr),
        st.text(alphabet=st.sampled_from("ab\xe9\u20ac"), max_size=4).map(lambda t: "StrName(%r)" % t))
    codec_bytes = st.tuples(
        st.sampled_from(["%r", "bytearray(%r)", "memoryview(%r).tobytes()"]),
        st.binary(max_size=6).map(lambda b: b if b else b"").flatmap(
            lambda b: st.sampled_from([b, "\u20ac".encode() + b, b"\xc3", b"\xed\xa0\x80", b"ok"]))
    ).map(lambda c: c[0] % (c[1],))
    codec_names = st.sampled_from(["'utf-8'", "'UTF-8'", "'utf8'", "'utf_8'", "'Utf 8'", "'U8'", "'utf-8 '",
                                   "'ascii'", "'ASCII'", "'us-ascii'", "'us_ascii'", "'646'", "'latin-1'",
                                   "'latin1'", "'Latin_1'", "'ISO-8859-1'", "'iso8859_1'", "'L1'",
                                   "'no-such-codec'", "StrName('utf-8')", "5", "None", "'\\ud800'",
                                   "'utf\\x00-8'", "'a\\ud800\\udc00b'"])
    codec_errors = st.sampled_from(["'strict'", "'replace'", "'ignore'", "'surrogateescape'",
                                    "'backslashreplace'", "'no-such-handler'", "5", "None", "'str\\x00ict'",
                                    "'\\udcff'"])
    codec_calls = st.sampled_from([
        "{source}.{method}()", "{source}.{method}({encoding})", "{source}.{method}({encoding}, {errors})",
        "{source}.{method}(encoding={encoding})", "{source}.{method}(errors={errors})",
        "{source}.{method}({encoding}, errors={errors})", "{source}.{method}(errors={errors}, encoding={encoding})",
        "{source}.{method}({encoding}, encoding={encoding})", "{source}.{method}({encoding}, {errors}, {encoding})",
        "{source}.{method}(codec={encoding})", "{source}.{method}(errors={errors}, codec={encoding})",
        "{made}({source}, {encoding})", "{made}({source}, {encoding}, {errors})", "{made}({source}, {errors})",
        "{made}({source}, encoding={encoding})", "{made}({source}, {encoding}, {errors}, 1)",
        "{made}({other}, {encoding})", "{made}(5, {encoding})", "{made}(memoryview({source}), {encoding})"])

    # A codec's name and handler are converted as C strings first: a lone
    # surrogate or a NUL refused before anything is looked up.
    @d.prop(st.tuples(st.booleans(), codec_texts, codec_bytes, codec_calls, codec_names, codec_errors),
            explicit=[(True, "''", "b''", "{made}({source}, {encoding}, {errors})", "'\\ud800'", "5"),
                      (True, "'a'", "b''", "{source}.{method}({encoding})", "'utf\\x00-8'", "None"),
                      (False, "''", "b'a'", "{source}.{method}({encoding}, {errors})", "'utf-8'",
                       "'str\\x00ict'"),
                      (False, "'a'", "b'a'", "{made}({source}, {encoding})", "'a\\ud800\\udc00b'", "None")])
    def text_codecs(ctx, case):
        encoding, text, data, call, name, errors = case
        # encode: a str's method or bytes(str, ...); decode: of bytes or by str(bytes, ...)
        if encoding:
            parts = dict(source=text, method="encode", made="bytes", other=data)
        else:
            parts = dict(source=data, method="decode", made="str", other=text)
        if "memoryview" in call and encoding:
            call = call.replace("memoryview({source})", "{other}")
        expression = call.format(encoding=name, errors=errors, **parts)
        ctx.same("codec %s" % expression, lambda c: c.eval("coded(lambda: %s)" % expression))

    wide_names = st.sampled_from(["utf-16", "UTF-16", "utf_16", "utf16", "U16", "utf-16-le", "UTF-16LE",
                                  "utf_16_be", "utf-16be", "utf-32", "utf32", "u32", "UTF-32-LE", "utf_32_be",
                                  "utf-32be"])
    wide_texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=6)

    wide_bytes = st.binary(max_size=9).flatmap(lambda b: st.sampled_from([
        b, b"\xff\xfe" + b, b"\xfe\xff" + b, b"\x00\xd8" + b, b"\xd8\x00\x00\xdc" + b, b"\x00\xdc" + b]))

    @d.prop(st.tuples(wide_texts, wide_names, wide_names,
                      st.sampled_from(["encode", "decode", "str", "bytes", "bytearray", "marked", "cut",
                                       "any", "handled"]),
                      wide_bytes, st.sampled_from(["strict", "replace", "ignore", "backslashreplace"])))
    def wide_codecs(ctx, case):
        """UTF-16 and UTF-32 of text without surrogates, and the bytes they
        make read back, by the same codec or another of the family (a mark
        read or kept, another order, a code unit cut); and any bytes read,
        strictly or with a handler."""
        text, name, reader, form, raw, handler = case
        data = text.encode(name)
        expression = {
            "encode": "%r.encode(%r)" % (text, name),
            "decode": "%r.decode(%r)" % (data, reader),
            "str": "str(%r, %r)" % (data, reader),
            "bytes": "bytes(%r, %r)" % (text, name),
            "bytearray": "bytearray(%r).decode(%r)" % (data, reader),
            "marked": "%r.decode(%r)" % ("\ufeff".encode(name) + data, reader),
            "cut": "%r.decode(%r)" % (data[:-1], reader),
            "any": "%r.decode(%r)" % (raw, reader),
            "handled": "%r.decode(%r, %r)" % (raw, reader, handler),
        }[form]
        ctx.same("codec %s" % expression, lambda c: c.eval("coded(lambda: %s)" % expression))

    @d.prop(st.sampled_from([
        "-1", "2 ** 70", "-0.0", "float('-inf')", "float('nan')", "True", "3 - 4j", "'x'", "None", "[]",
        "__import__('decimal').Decimal('-1.5')", "__import__('fractions').Fraction(-1, 2)",
        "type('A', (), {'__abs__': lambda s: 7})()", "type('A', (), {'__abs__': lambda s, x: 7})()",
        "type('I', (int,), {})(-3)", "type('I', (int,), {'__abs__': lambda s: 'own'})(-3)",
        "type('A', (), {'__abs__': None})()", "type('A', (), {'__abs__': 5})()",
        "type('F', (float,), {'__abs__': lambda s: 1 / 0})(-2.0)", "x=1", "", "1, 2"]), examples=0.3)
    def absolute_values(ctx, operand):
        expression = "abs(%s)" % operand
        ctx.same("abs %s" % expression, lambda c: c.eval("shown(%s)" % expression))

    @d.prop(st.sampled_from([
        "len", "str.upper", "str.encode", "bytes.decode", "dict.fromkeys", "sorted", "abs", "int.__add__",
        "(1).__add__", "''.join", "math.sqrt", "list.append", "getattr", "hasattr", "print", "range", "dict.get",
        "max", "divmod", "isinstance", "sum", "repr", "str.split", "list.sort", "object.__init__", "iter",
        "str.replace", "math.log", "dict.pop", "set.add", "bytes.hex", "int.to_bytes", "float.hex", "round",
        "pow", "any", "str.format", "math.isclose", "functools.reduce", "operator.add", "itertools.chain",
        "[].append", "{}.get", "len.__call__"]), examples=0.5)
    def server_signatures(ctx, name):
        """inspect.signature() of a builtin, run in the server's own Python."""
        expression = "str(__import__('inspect').signature(%s))" % name
        setup = "import math, functools, operator, itertools"
        def run(c):
            c.execute(setup)
            return c.eval(expression)
        ctx.same("signature %s" % name, run)

    doc_lines = st.lists(st.tuples(st.sampled_from(["", " ", "  ", "    ", "        ", "\t", "  \t", "\t  ", "\u3000"]),
                                   st.text("ab .:\u00e9", max_size=5)), min_size=1, max_size=4)
    doc_places = {
        "module": ("{doc}\nx = 1\n", "__doc__"),
        "def": ("def f():\n    {doc}\n    return 1\n", "f"),
        "async def": ("async def f():\n    {doc}\n", "f"),
        "class": ("class K:\n    {doc}\n    x = 1\n", "K"),
        "method": ("class K:\n    def m(self):\n        {doc}\n", "K.m"),
        "nested": ("def outer():\n    def inner():\n        {doc}\n    return inner\n", "outer()"),
        "in if": ("if True:\n    def f():\n        {doc}\n", "f"),
        "class in class": ("class K:\n    'outer'\n    class I:\n        {doc}\n", "K.I"),
        "not first": ("def f():\n    x = 1\n    {doc}\n", "f"),
    }

    @d.prop(st.tuples(doc_lines, st.sampled_from(['"""', "'''", 'r"""', "repr", "concat"]),
                      st.sampled_from(sorted(doc_places)),
                      st.sampled_from(["execute", "exec", "compile exec", "compile single", "compile bytes"]),
                      st.booleans()))
    def written_docstrings(ctx, case):
        """__doc__ as the source wrote it (CPython 3.11 keeps a docstring's
        indentation), wherever a docstring can be and however the source
        is compiled; a sibling whose docstring differs only in its
        indentation keeps its own."""
        lines, form, place, route, sibling = case
        value = "\n".join(indent + text for indent, text in lines)
        if form == "repr":
            literal = repr(value)
        elif form == "concat":
            literal = "%r %r" % (value[:len(value) // 2], value[len(value) // 2:])
        else:
            quote = form[-3:]
            literal = form + value + quote if value[-1:] != quote[0] else repr(value)
        shape, target = doc_places[place]
        source = shape.format(doc=literal)
        if sibling:
            deeper = "\n".join(("    " if i else "") + indent + text for i, (indent, text) in enumerate(lines))
            source += "def sibling():\n    %r\n" % deeper
        mode = "single" if route == "compile single" and place != "module" and not sibling else "exec"
        compiled = {
            "exec": "exec(_doc_source, _doc_ns)",
            "compile exec": "exec(compile(_doc_source, '<doc>', 'exec'), _doc_ns)",
            "compile single": "exec(compile(_doc_source, '<doc>', %r), _doc_ns)" % mode,
            "compile bytes": "exec(compile(_doc_source.encode(), '<doc>', 'exec'), _doc_ns)",
        }

        def run(c):
            if route == "execute":
                c.execute(source)
                read = lambda e: c.eval(e)
            else:
                c.namespace["_doc_source"] = source
                c.execute("_doc_ns = {}\n" + compiled[route])
                read = lambda e: c.eval("eval(%r, _doc_ns)" % e)
            doc = target if target == "__doc__" else target + ".__doc__"
            seen = [read(doc)]
            if sibling:
                seen.append(read("sibling.__doc__"))
            if target != "__doc__":
                seen.append(read("__import__('inspect').getdoc(%s)" % target))
            return seen
        ctx.same("docstring %s %s via %s%s" % (literal, place, route, " with a sibling" if sibling else ""), run)

    @d.prop(st.sampled_from([
        "exec('x = 1', {})", "exec('x = 1', globals={})", "exec('x = 1', {}, locals={})", "exec('x = 1', foo=1)",
        "exec('x = 1', closure=None)", "exec('x = 1', {}, closure=())", "exec(compile('1', 's', 'eval'), {})",
        "exec(compile('1', 's', 'eval'))", "eval(compile('x = 1', 's', 'exec'), {})", "exec('x = 1\\0', {})",
        "exec(b'x = 1\\0', {})", "eval('1\\0', {})", "compile('x\\0', 's', 'exec')", "exec(b'x = 1', {})",
        "exec(b'# coding: latin-1\\nx = \"\\xe9\"', {})", "exec(bytearray(b'x = 1'), {})",
        "exec(memoryview(b'x = 1'), {})", "eval(b'1', {})", "eval(bytearray(b'2'), {})", "exec(5)", "exec(None, {})",
        "eval(5)", "eval()", "exec()", "exec('x = 1', {}, {}, {})", "eval('1', {}, {}, {})",
        "eval('1', globals={})", "eval(compile('1', 's', 'eval'), closure=None)",
        "(lambda g: (exec(compile('x = 1', 's', 'exec'), g), sorted(g), type(g['__builtins__']).__name__))({})",
        "(lambda g, l: (exec('x = y', g, l), sorted(g), l))({'y': 5}, {})",
        "(lambda g: (exec('x = 2', g, None), g['x']))({})", "(lambda: [exec('q = 1'), 'q' in locals()])()",
        "eval(compile('len', 's', 'eval'), {'__builtins__': {}})", "eval(compile('x', 's', 'eval'), {}, {'x': 3})",
        "eval(compile('x', 's', 'eval'), [], {'x': 3})", "eval('x', {}, [])",
        "exec(compile('def f(): return g', 's', 'exec').co_consts[0], {})",
        "exec('x = 1', type('D', (dict,), {})())", "eval('x', {}, __import__('collections').ChainMap({'x': 4}))",
        "exec('raise ValueError(5)', {})", "eval(' 7', {})", "eval('\\t7', {})",
        "compile('x = 1', 's', 'exec', dont_inherit=True).co_name",
        "compile(b'x = 1', 's', 'exec').co_filename", "compile('1', 's', 'eval', optimize=2).co_name"]), examples=0.6)
    def compile_exec_eval(ctx, expression):
        """compile, exec and eval called as CPython 3.11 takes them."""
        ctx.same("call %s" % expression, lambda c: c.eval("shown(%s)" % expression))

    syntax_prefixes = st.sampled_from(["", "x = 1\n", "\u00e9 = '\u00e9'\n", "def g():\n    pass\n", "\n\n", "# c\n"])
    block_headers = st.sampled_from([
        "if x:", "if x:\n  pass\nelif y:", "if x:\n  pass\nelse:", "for i in y:", "async for i in y:", "while x:",
        "with a as b:", "try:", "try:\n  pass\nexcept E:", "try:\n  pass\nexcept* E:", "try:\n  pass\nfinally:",
        "def f(a):", "async def f():", "@d\ndef f():", "class C(B):", "class C:", "match x:",
        "for i in y:\n  pass\nelse:", "if (a and\n    b):", "def f(a,\n      b):", "    if x:"])
    block_bodies = st.sampled_from(["pass", "x = 1", "return", "if y: pass"])
    indents = st.sampled_from([" ", "  ", "    ", "\t", "        "])
    string_openers = st.sampled_from(["'", '"', "'" * 3, '"' * 3, "b'", "rb'", "u'", 'R' + '"' * 3])
    string_texts = st.sampled_from(["abc", "", "\u00e9t\u00e9", "a\\'b", "x\ny = 2", "a\nb\nc"])
    targets = st.sampled_from([
        "1", "'s'", "f()", "a.b()", "x + 1", "-x", "~x", "not x", "a < b", "a and b", "a if b else c", "lambda: 1",
        "(yield)", "[a for a in b]", "{a for a in b}", "{a: b for a in b}", "(a for a in b)", "{a: b}", "{a}", "...",
        "f'{x}'", "None", "True", "False", "(1)", "((f()))", "(a < b)", "await x", "(x := 1)", "(x, 1)",
        "[1, x]", "{**a}", "b'x'", "1 .real", "f(\u00e9)", "'\u00e9'", "x @ y", "None + 1"])
    values = st.sampled_from(["1", "x", "yield x", "not x", "lambda: 0", "*a", "(1, 2)", "f(x)", "a if b else c",
                              "x, y", "await z"])
    target_places = st.sampled_from([
        "{t} = {v}", "for {t} in y: pass", "with a as {t}: pass", "with a as ({t}, b): pass", "[x for {t} in y]",
        "{t} += 1", "{t} **= 2", "del {t}", "del x, {t}", "x = {t} = {v}", "{t} = x = {v}",
        "x, {t} = 1, 2", "[x, {t}] = 1, 2", "if 1: {t} = {v}", "x = 1; {t} = {v}", "{t} = {v}  # c",
        "if {t} = {v}: pass", "while x.y = {t}: pass", "f({t} = {v})", "assert {t} = 1"])
    compiler_statements = st.sampled_from([
        "break", "continue", "return 5", "return", "yield 1", "yield from x", "await x", "x = await y", "nonlocal x",
        "*a = 1", "*a, *b = c", "[*a, *b] = c", "*a", "print(*a)", "async with x: pass", "async for x in y: pass",
        "def f():\n  await x", "def f():\n  x = (await y)", "def f(a, a): pass", "lambda x, x: 1",
        "def f(a, *, a): pass", "def f():\n  x = 1\n  nonlocal x", "def f():\n  x = 1\n  global x",
        "f(x=1, x=2)", "class C:\n  break", "for x in y:\n  def f():\n    continue", "if x:\n  return 1",
        "x = 1; break", "(await x for x in y)"])
    call_arguments = st.lists(st.sampled_from(["a", "*b", "x=1", "**k", "c", "y=2"]),
                              min_size=1, max_size=4)
    parameter_lists = st.sampled_from([
        "(*)", "(*, **k)", "(a, *, **k)", "(**k, a)", "(**k, *a)", "(a=1, b)", "(*a, *b)", "(a, a)",
        "(*, a)", "(a, /, b)", "(/, a)", "(a, /, /)", "(a=1, /, b)"])
    whole_sources = st.sampled_from([
        "1 +", "def f(:\n pass", "x = (1,", "x = [1, 2", "a b c", "x = 1 +* 2", "import", "from x import",
        "from x import *, y", "x = $", "x = 1 ? 2", "else: pass", "elif 1: pass", "if 1: pass\nelse pass", "try pass",
        "x := 1", "[x for x in 1, 2]", "import a.b as c.d", "x = a if b else", "a.1", "x = 1.2.3", "u'abc' b'abc'",
        "'abc' b'abc'", "b'\u00e9'", "x = b'a' b'\u00e9'", "print x", "print x, y  # c", "exec 'x'", "print(x) y",
        "x = 08", "x = 008", "x = 0_8", "x = 1 +\\ 2", "x = (\n1,\n2", "if True:\n    x = 1\n   y = 2",
        "x = 1 +* 2; y = 'abc", "x = 1 +* 2\ny = 08", "\u00e9 = 1; break", "x = '\u00e9' + 'abc", "f(**x, *y)",
        "print(*a, **b, *c)", "f(**a, b=1, *c)", "try:\n  pass", "1 = x", "x = (1,\n"])

    juxtaposed = st.sampled_from([
        "a b", "1 2", "a.b c.d", "a < b c", "not a b", "f() g()", "-1 2", "'a' 'b' c", "1 if x else 2 3", "x, y z",
        "a b c", "[1] (2)", "x for x in y z", "a == b c"])
    unclosed = st.sampled_from([
        "x = (1 2", "x = (1 +", "x = [1,\n  2 +", "f(1 = 2", "x = {1: (2, 3", "f(a b", "if (x:\n  pass",
        "x = (1]", "x = 1)", "x = [1, 2)", "print(1, 2\ny = 3"])
    mistakes = st.sampled_from([
        "{1: 2, %s}", "{1: 2, %s, 3: 4}", "{**a, %s}", "x = %s if b", "x = (%s if b)", "f(%s if b, c)",
        "[%s if b for c in d]", "%s, b += 1", "(%s, b) -= 1", "[%s = 1]", "{%s = 1}", "f(%s if b c)",
        "x = %s if b else", "if %s = 1: pass", "while %s = 2: pass"])
    mistaken = st.sampled_from(["a", "1", "f()", "a.b", "'s'", "-a", "(a)", "[a]", "a + 1"])
    malformed_numbers = st.sampled_from([
        "1_", "1__0", "1_a", "1e", "1e+", "1.5e", "5j5", "1j_", "0x", "0xg", "0x_", "0o8", "0o", "0b2", "0b", "1a",
        "12abc", "0_", "1.2_", "1_.2", "0b1_", "0o1_", "1e5j5", "1.e", "3.14x", "0o12345678", "0x1g", ".5x", "1if",
        "1_000", "0x_1f", "1else", "00", "\u00e91"])
    number_places = st.sampled_from([
        "x = %s", "f(%s)", "[%s, 1]", "y = %s + 1", "x = 1 +* 2; y = %s", "x = %s; y = 1 +* 2",
        "if %s: pass", "x = '%s' + %s"])
    mixed_indents = st.sampled_from([" ", "  ", "    ", "\t", "  \t", "\t  ", "        ", "\t\t", " \t"])

    @d.prop(st.tuples(st.one_of(
        st.tuples(syntax_prefixes, block_headers, block_bodies).map(lambda c: c[0] + c[1] + "\n" + c[2]),
        st.tuples(st.sampled_from(["(%s)", "[%s]", "{%s}", "f(%s)", "print(%s)", "x = (%s)", "{1: %s}", "f(**k %s)"]),
                  juxtaposed).map(lambda c: c[0] % c[1]),
        st.tuples(syntax_prefixes, unclosed).map(lambda c: c[0] + c[1]),
        st.tuples(syntax_prefixes, mistakes, mistaken).map(lambda c: c[0] + c[1] % c[2]),
        st.tuples(syntax_prefixes, number_places, malformed_numbers).map(
            lambda c: c[0] + c[1].replace("%s", c[2])),
        st.tuples(mixed_indents, mixed_indents, mixed_indents, st.booleans()).map(
            lambda c: ("if 1:\n%sif 2:\n%s%sx = 1\n%sy = 2" % (c[0], c[0], c[1], c[2]) if c[3]
                       else "if 1:\n%sx = 1\n%sy = 2\nz z" % (c[0], c[1]))),
        st.tuples(syntax_prefixes, indents, st.booleans()).map(
            lambda c: c[0] + ("x = 1\n%sy = 2" % c[1] if c[2] else "%sy = 2" % c[1])),
        st.tuples(syntax_prefixes, string_openers, string_texts, st.booleans()).map(
            lambda c: c[0] + "x = " + c[1] + c[2] + ("\ny = 1" if c[3] else "")),
        st.tuples(syntax_prefixes, target_places, targets, values).filter(
            lambda c: not (" in y" in c[1] or c[1].startswith(("if {t} =", "while", "x = {t} =")))
            or c[2].split()[0] not in ("not", "a", "lambda:", "(a")).filter(
            lambda c: not (c[1].startswith("f(") and c[2] == "(x := 1)")).map(
            lambda c: c[0] + c[1].format(t=c[2], v=c[3])),
        st.tuples(syntax_prefixes, compiler_statements).map(lambda c: c[0] + c[1]),
        # (Not generated: `*b` after `**k` with another error before it, which
        # CPython places at the token its argument rules last read.)
        call_arguments.filter(lambda a: len(a) == len(set(a))
                              and not ("**k" in a and "*b" in a[a.index("**k"):])).map(
            lambda a: "f(%s)" % ", ".join(a)),
        st.tuples(st.sampled_from(["def f%s: pass", "lambda %s: 1", "async def f%s: pass"]), parameter_lists).map(
            lambda c: c[0] % (c[1] if c[0].startswith(("def", "async")) else c[1][1:-1])),
        whole_sources), st.sampled_from(["execute", "compile exec", "eval", "compile eval", "compile bytes"]),
        st.booleans()))
    def syntax_errors(ctx, case):
        """Source that does not compile, sent to execute, eval and compile:
        the SyntaxError's class, args (the message and CPython's details
        tuple), msg, lineno, offset, text, end_lineno and end_offset as
        CPython 3.11 reports them."""
        source, route, trailing_newline = case
        if trailing_newline:
            source += "\n"
        # (Not generated: bytes and text literals mixed in an expression,
        # which CPython reports at an end the mended error cannot know.)
        if "eval" in route and "b'abc'" in source:
            route = "compile exec"
        code = {
            "compile exec": "compile(%r, '<diff>', 'exec')" % source,
            "compile eval": "compile(%r, 'diff.py', 'eval')" % source,
            "compile bytes": "compile(%r.encode(), '<diff>', 'exec')" % source,
        }

        def run(c):
            if route == "execute":
                return c.execute(source)
            if route == "eval":
                return c.eval(source)
            return c.eval("type(%s).__name__" % code[route])
        ctx.same("syntax %s via %s" % (source, route), run)

    summands = st.sampled_from([
        "0", "1", "-7", "True", "False", "2**62", "2**63 - 1", "-2**63", "2**63", "-2**63 - 1", "10**30",
        "0.5", "-0.0", "1e308", "float('inf')", "float('-inf')", "float('nan')", "2.0**53", "1e-300",
        "1j", "type('I', (int,), {})(3)", "type('I', (int,), {'__radd__': lambda s, o: 'radd'})(3)",
        "type('F', (float,), {})(1.5)", "type('F', (float,), {'__radd__': lambda s, o: 'fradd'})(1.5)",
        "__import__('fractions').Fraction(1, 3)", "__import__('decimal').Decimal('0.1')", "None", "'a'",
        "[1]", "(2,)"])

    @d.prop(st.tuples(st.lists(summands, max_size=6),
                      st.sampled_from(["[%s]", "(%s,)", "iter([%s])", "(x for x in [%s])", "LS([%s])"]),
                      st.sampled_from(["", ", 0", ", 5", ", 0.0", ", -0.0", ", 2**63", ", 1.5", ", True", ", []",
                                       ", ()", ", start=2**62", ", type('I', (int,), {})(1)",
                                       ", __import__('fractions').Fraction(1, 2)"])))
    def sums(ctx, case):
        """sum() of mixed numbers: the running total as CPython keeps it
        (machine ints, then doubles, then objects), at every boundary."""
        items, container, start = case
        iterable = container % ", ".join(items) if items else container.replace("%s,", "").replace("%s", "")
        expression = "sum(%s%s)" % (iterable, start)
        ctx.same("sum %s" % expression, lambda c: c.eval("shown(%s)" % expression))

    byte_items = st.sampled_from([
        "0", "65", "255", "256", "-1", "True", "2**70", "'a'", "1.5", "None", "b'x'",
        "type('I', (int,), {'__index__': lambda s: 300})(66)", "type('X', (), {'__index__': lambda s: 67})()",
        "type('X', (), {'__index__': lambda s: 999})()", "type('X', (), {'__index__': lambda s: 1 / 0})()"])
    byte_sources = st.sampled_from([
        "[%s]", "(%s,)", "iter([%s])", "(x for x in [%s])", "map(lambda x: x, [%s])", "LS([%s])",
        "type('It', (), {'__iter__': lambda s: iter([%s])})()",
        "type('It', (), {'__iter__': lambda s: iter([%s]), '__length_hint__': lambda s: 1 / 0})()",
        "type('It', (), {'__iter__': lambda s: iter([%s]), '__len__': lambda s: 'x'})()",
        "dict.fromkeys([%s])", "(lambda l: (x for x in l if len(l) > 8 or not l.append(1)))([%s])"])
    byte_others = st.sampled_from([
        "range(3)", "range(250, 260)", "1.5", "None", "object()", "'ab'", "3", "-1", "b'ab'",
        "bytearray(b'ab')", "memoryview(b'ab')", "type('B', (), {'__bytes__': lambda s: b'own'})()",
        "type('B', (list,), {'__bytes__': lambda s: b'own'})([1])", "iter('ab')", "{'a': 1}", "5, 6", "x=[1]"])
    byte_makers = st.sampled_from([
        "bytes(%s)", "bytearray(%s)", "type('BS', (bytes,), {})(%s)", "type('BA', (bytearray,), {})(%s)",
        "(lambda b: (b.__init__(%s), b)[1])(bytearray(b'old'))",
        "(lambda b: (b.__init__(%s), b)[1])(bytearray())",
        "(lambda b, m: (b.__init__(%s), b)[1])(bytearray(b'old'), memoryview(bytearray(b'')))"])

    @d.prop(st.tuples(byte_makers, st.one_of(
        st.tuples(byte_sources, st.lists(byte_items, max_size=4)).map(
            lambda c: c[0] % ", ".join(c[1]) if c[1] else c[0].replace("%s,", "").replace("%s", "")),
        byte_others)))
    def bytes_from_iterables(ctx, case):
        """bytes(...) and bytearray(...) of iterables and of what is not
        one, with CPython's refusals; bytearray keeps what it read before
        an error."""
        maker, source = case
        expression = maker % source
        ctx.same("bytes %s" % expression, lambda c: c.eval("shown(%s)" % expression))
        # (CPython sizes a bytearray to a list or tuple of exact ints before
        # it reads them: what one out of range leaves in it is whatever the
        # memory held.)
        if "b.__init__" in maker and not source.startswith(("[", "(")):
            partial = maker.replace("(b.__init__(%s), b)[1]", "(coded(lambda: b.__init__(%s)), b)")
            ctx.same("bytearray kept %s" % source, lambda c: c.eval("shown(%s)" % (partial % source)))

    set_keys = st.sampled_from(["1", "1.0", "True", "0", "False", "0.0", "2", "'a'", "b'a'", "(1, 2)", "None",
                                "-1", "2**64", "float('inf')"])
    set_kinds = st.sampled_from(["{%s}", "frozenset({%s})", "set([%s])", "[%s]", "(%s,)", "SS({%s})",
                                 "FS({%s})", "dict.fromkeys([%s]).keys()", "iter([%s])",
                                 "dict.fromkeys([%s]).items()", "{(k, None) for k in [%s]}"])
    set_operand = st.tuples(set_kinds, st.lists(set_keys, max_size=4)).map(
        lambda c: (c[0] % ", ".join(c[1])) if c[1] else {"{%s}": "set()", "(%s,)": "()", "SS({%s})": "SS()",
                                                           "FS({%s})": "FS()"}.get(c[0], c[0] % ""))
    set_operations = st.sampled_from([
        "a | b", "a & b", "a - b", "a ^ b", "a | a", "a & a", "a - a", "a ^ a", "b | a", "b & a",
        "a.union(b)", "a.union()", "a.union(b, c)", "a.union(a)", "a.intersection(b)", "a.intersection()",
        "a.intersection(b, c)", "a.intersection(a, b)", "a.difference(b)", "a.difference()",
        "a.difference(b, c)", "a.difference(b, a)", "a.symmetric_difference(b)", "a.symmetric_difference(a)",
        "a.symmetric_difference(b, c)", "a.issubset(b)", "a.issubset(a)", "a.issuperset(b)", "a.isdisjoint(b)",
        "a.isdisjoint(a)", "a.union(x=b)", "a.issubset()", "(a.__ior__(b), a)", "(a.__iand__(b), a)",
        "(a.__isub__(b), a)", "(a.__ixor__(b), a)", "(a.__iand__(a), a)", "(a.__isub__(a), a)",
        "(a.__ixor__(a), a)", "(lambda r: (r, r is a))(a.__ixor__(b))", "a.__or__(b)", "a.__ror__(b)", "a.__rsub__(b)",
        "a.__and__(5)", "set.union(b, a)", "frozenset.union(a, b)", "a <= b", "a < b", "a == b", "a != b",
        "a >= b", "a > b", "b == a", "a.__eq__(b)", "a.__lt__(b)",
        "[a.union(b) is a, a.intersection() is a]", "(lambda r: (r, r is a))(a.__ior__(b))"])

    @d.prop(st.tuples(set_operations, set_operand, set_operand, set_operand))
    def set_algebra(ctx, case):
        """Set operators and methods between sets, frozensets, subclasses
        and other iterables: the keys kept (1, 1.0 or True) and the type."""
        operation, a, b, c = case
        setup = "a = %s; b = %s; c = %s" % (a, b, c)

        def run(c_):
            c_.execute("class SS(set): pass\nclass FS(frozenset): pass\n" + setup)
            return c_.eval("shown_deep(%s)" % operation)
        ctx.same("sets %s with %s" % (operation, setup), run)

    local_exc = st.sampled_from([None, ValueError, KeyError, ZeroDivisionError, RuntimeError, "remote"])

    @d.prop(st.tuples(brine_values, st.booleans(), st.booleans(), local_exc, small_text))
    def with_statement(ctx, case):
        value, swallow, exit_raises, body_exc, message = case

        def run(c):
            cm = c.namespace["CM"](value, swallow, exit_raises)
            seen = None
            try:
                with cm as got:
                    seen = got
                    if body_exc == "remote":
                        c.eval("1/0")
                    elif body_exc is not None:
                        raise body_exc(message)
                body = "completed"
            except (ValueError, KeyError, ZeroDivisionError, RuntimeError) as e:
                body = dk.norm_exception(e)
            return (seen, body, list(cm.log))
        ctx.same("with", run)

    @d.prop(EXCEPTIONS, examples=1.5,
            explicit=[("UnicodeDecodeError", ("utf-8", b"", 0, 0, "x"), ()),
                      ("UnicodeDecodeError", ("ascii", b"\x05", 0, 1, "r"), ()),
                      ("UnicodeEncodeError", ("ascii", "ab", 0, 0, "r"), ()),
                      ("UnicodeTranslateError", ("\u0100", 0, 1, "r"), ()),
                      ("ImportError", ("a", "b"), ()),
                      ("ImportError", (), (("name_from", "x"),)),
                      ("ModuleNotFoundError", ("m",), (("name", "n"), ("path", "p"))),
                      ("TabError", ("m", ("f", 1, 2, "t")), ()),
                      ("IndentationError", ("m", ("f", 1, 2, "t", 1, 3)), ())])
    def exceptions(ctx, case):
        name, args, kwargs = case
        code = "raise %s(*__exc_args, **dict(__exc_kw))" % name

        def via_execute(c):
            c.namespace["__exc_args"] = args
            c.namespace["__exc_kw"] = kwargs
            c.execute(code)
        ctx.same("exceptions/execute %s" % name, via_execute)
        ctx.same("exceptions/call %s" % name, lambda c: c.namespace["raiser"](name, args, kwargs))
        ctx.same("exceptions/eval %s" % name, lambda c: c.eval("(_ for _ in ()).throw(%s(*__exc_args, **dict(__exc_kw)))" % name))
        # The exception object itself, by reference: repr/str/args/attrs are
        # computed remotely.
        def instance(c):
            e = c.namespace["make_exc"](name, args, kwargs)
            return (repr(e), str(e), tuple(e.args))
        ctx.same("exceptions/instance %s" % name, instance)

    @d.prop(st.tuples(st.sampled_from(["ExceptionGroup", "BaseExceptionGroup"]), small_text,
                      st.lists(st.sampled_from(["ValueError('v')", "TypeError('t', 1)", "KeyError(3)",
                                                "SystemExit(2)", "OSError(2, 'x')"]), min_size=1, max_size=3)),
            examples=0.2)
    def exception_groups(ctx, case):
        name, msg, members = case
        code = "raise %s(%r, [%s])" % (name, msg, ", ".join(members))

        def run(c):
            # rpyc 6.0.2's client cannot rebuild an exception group (vinegar
            # calls BaseExceptionGroup.__new__ without arguments) and raises
            # TypeError itself: what the server sent is compared instead.
            sent = []
            load = rpyc.core.vinegar.load

            def recording(val, *args, **kwargs):
                sent.append(val)
                return load(val, *args, **kwargs)
            rpyc.core.vinegar.load = recording
            try:
                c.execute(code)
                return ("no exception",)
            except Exception as e:
                # The payload without its traceback text (file paths), and
                # without object addresses (bound methods among the attrs).
                return (dk.norm_exception(e), [dk.scrub_strs(dk.norm(v[:3])) for v in sent])
            finally:
                rpyc.core.vinegar.load = load
        ctx.same("exceptions/group %s" % code, run)

    # A builtin called with a keyword it does not take, or with more
    # arguments than it has parameters, among keywords it takes: refused in
    # CPython's words, which depend on the builtin's calling convention
    # ("list.copy() takes no keyword arguments", "'x' is an invalid
    # keyword argument for split()", "int() takes at most 2 arguments (3
    # given)") and, for some methods, on whether the method is called
    # through its type ('a'.startswith(...)) or bound first.
    # Each builtin with arguments it takes, positional (how many it needs
    # first) and by keyword, so that only the keyword refused, or the
    # count, can fail the call; one more positional argument (None) is
    # sometimes given. (sorted's keywords go to list.sort, which counts
    # them in CPython: sorted([], key=None, reverse=True, x=None) is "sort()
    # takes at most 2 keyword arguments (3 given)", not yet here.)
    keyword_callables = st.sampled_from([
        ("len", ["[1]"], 1, {}), ("abs", ["-1"], 1, {}),
        ("sorted", ["[2, 1]"], 1, {}),
        ("max", ["[1]"], 1, {"key": "None", "default": "0"}), ("round", ["1.25"], 1, {"ndigits": "1"}),
        ("int", ["'12'", "10"], 0, {"base": "10"}), ("str", ["b'a'", "'ascii'"], 0, {"errors": "'strict'"}),
        ("zip", ["[1]", "[2]"], 0, {"strict": "True"}), ("map", ["len", "['a']"], 2, {}),
        ("enumerate", ["[1]", "1"], 1, {"start": "1"}), ("range", ["3"], 1, {}), ("iter", ["[1]"], 1, {}),
        ("divmod", ["7", "2"], 2, {}), ("pow", ["2", "3", "5"], 2, {}), ("isinstance", ["1", "int"], 2, {}),
        ("'a,b'.split", ["','", "1"], 0, {}), ("'ab'.startswith", ["'a'", "0", "1"], 1, {}),
        ("'a'.upper", [], 0, {}), ("'a'.encode", ["'utf-8'", "'strict'"], 0, {}),
        ("'a'.ljust", ["3", "'*'"], 1, {}), ("'a\\nb'.splitlines", ["True"], 0, {}), ("[3, 1].copy", [], 0, {}),
        ("[3, 1].sort", [], 0, {"key": "None", "reverse": "True"}), ("[].append", ["1"], 1, {}),
        ("{1: 2}.get", ["1", "0"], 1, {}), ("{1}.union", ["[2]", "[3]"], 0, {}),
        ("b'a'.decode", ["'utf-8'", "'strict'"], 0, {}), ("(1).to_bytes", ["2", "'big'"], 0, {"signed": "True"}),
        ("dict.fromkeys", ["'ab'", "0"], 1, {}), ("str.startswith", ["'ab'", "'a'"], 2, {}),
        ("(lambda f: f)('ab'.startswith)", ["'a'"], 1, {}), ("(lambda f: f)({1}.union)", ["[2]"], 0, {}),
        ("float", ["'1.5'"], 0, {}), ("complex", ["1", "2"], 0, {}), ("__import__('math').sqrt", ["4"], 1, {}),
        ("bytes.fromhex", ["'ab'"], 1, {}), ("ValueError", ["'v'"], 0, {}), ("OSError", ["2", "'x'"], 0, {}),
        ("print", ["1"], 0, {"sep": "''", "end": "''"})])

    @d.prop(st.tuples(keyword_callables, st.integers(0, 4), st.sampled_from(["x", "y"]), st.booleans()),
            examples=1.0,
            explicit=[(("[3, 1].copy", [], 0, {}), 0, "x", False),
                      (("'a,b'.split", ["','", "1"], 0, {}), 0, "x", False),
                      (("'a,b'.split", ["','", "1"], 0, {}), 2, "x", False),
                      (("int", ["'12'", "10"], 0, {"base": "10"}), 1, "x", True),
                      (("int", ["'12'", "10"], 0, {"base": "10"}), 2, "x", True),
                      (("zip", ["[1]", "[2]"], 0, {"strict": "True"}), 2, "x", True),
                      (("'ab'.startswith", ["'a'", "0", "1"], 1, {}), 1, "x", False),
                      (("(lambda f: f)('ab'.startswith)", ["'a'"], 1, {}), 1, "x", False),
                      (("print", ["1"], 0, {"sep": "''", "end": "''"}), 1, "x", True),
                      (("(1).to_bytes", ["2", "'big'"], 0, {"signed": "True"}), 3, "x", True),
                      (("range", ["3"], 1, {}), 1, "x", False)])
    def builtin_keyword_refusals(ctx, case):
        (function, positional, required, accepted), given, unknown, with_accepted = case
        # (zip and map would iterate the extra argument before they read
        # the keywords in RustPython.)
        given = min(max(given, required), len(positional) + (function not in ("zip", "map")))
        arguments = (positional + ["None"])[:given]
        keywords = ["%s=%s" % item for item in accepted.items()] if with_accepted else []
        source = "%s(%s)" % (function, ", ".join(arguments + keywords + ["%s=None" % unknown]))
        ctx.same("exact/" + source, lambda c: c.namespace["call_outcome"](source))

    # A method of one of io's file classes called on a closed file:
    # refused in the words of the C file CPython wrote the class in ("I/O
    # operation on closed file." or without the full stop, "read of closed
    # file", "write to closed file"), before it looks at what it is asked.
    # (iter() and the __iter__ and __next__ slots are left out: see the
    # note in closed_files.rs.)
    # Each opener with the calls its class takes on an open file (what a
    # class does not take is refused in other words on RustPython, open or
    # closed: "BytesIO.detach() not supported" for "detach"). A buffered
    # file's readline(0) is left out: RustPython answers b'' without
    # looking at the file.
    reading = ["f.read()", "f.read(1)", "f.readline()", "f.readline(1)", "f.readlines()", "next(f)",
               "f.readinto(bytearray(2))", "f.readable()", "f.seekable()", "f.seek(0)", "f.seek(0, 2)",
               "f.tell()", "f.flush()", "f.isatty()", "f.__enter__()", "f.closed"]
    named = ["f.name", "f.mode"]
    writing = ["f.write(%s)", "f.writelines([%s])", "f.writelines([])", "f.truncate()", "f.truncate(0)",
               "f.writable()", "f.seekable()", "f.tell()", "f.flush()", "f.isatty()", "f.__enter__()"]
    binary_writing = [call % "b'x'" if "%s" in call else call for call in writing]
    text_writing = [call % "'x'" if "%s" in call else call for call in writing]
    buffered = ["f.peek(1)", "f.read1(1)", "f.readinto1(bytearray(2))", "f.detach()", "f.fileno()"]
    file_calls = st.sampled_from(
        [("io.FileIO(path, 'r')", call) for call in reading + named + ["f.readall()", "f.fileno()"]]
        + [("io.FileIO(path, 'a')", call) for call in binary_writing + named + ["f.fileno()"]]
        + [("open(path, 'rb')", call) for call in reading + named + buffered]
        + [("open(path, 'ab')", call) for call in binary_writing + named + ["f.detach()", "f.fileno()"]]
        + [("open(path, 'r+b')", call) for call in reading + named + binary_writing + buffered]
        + [("open(path, 'r')", call) for call in reading + named + ["f.detach()", "f.fileno()", "f.reconfigure()"]
           if "readinto" not in call]
        + [("open(path, 'a')", call) for call in text_writing + named + ["f.detach()", "f.readable()"]]
        + [("io.BytesIO(b'ab')", call) for call in reading + binary_writing
           + ["f.read1(1)", "f.getvalue()", "f.getbuffer()", "f.__getstate__()"]])

    @d.prop(file_calls, examples=1.0,
            explicit=[("open(path, 'rb')", "f.flush()"), ("open(path, 'r')", "f.read()"),
                      ("io.BytesIO(b'ab')", "f.write(b'x')"), ("io.BytesIO(b'ab')", "f.readable()"),
                      ("open(path, 'rb')", "f.readable()"), ("open(path, 'rb')", "next(f)"),
                      ("open(path, 'rb')", "f.truncate()"), ("io.FileIO(path, 'r')", "f.write(b'x')"),
                      ("open(path, 'ab')", "f.write(b'x')"), ("open(path, 'r+b')", "f.detach()")])
    def closed_file_refusals(ctx, case):
        opener, call = case
        ctx.same("exact/closed %s then %s" % (opener, call),
                 lambda c: c.namespace["closed_file_outcome"](opener, call))

    # A text wrapper built from arguments in every shape CPython's Argument
    # Clinic takes or refuses, and codecs named as a client names them: the
    # locale's encoding (None, 'locale'), the flags as C ints, refusals
    # word for word, and an unknown codec named as given ("unknown
    # encoding: No Such", where RustPython's registry named it normalised),
    # text that does not start with the byte order mark its codec needs,
    # and the UTF-16 and UTF-32 readers naming their byte order when they
    # fail ("'utf-16-le' codec can't decode ...").
    # An errors naming no handler is left out: RustPython refuses it at
    # once, CPython at the first character it cannot code.
    @d.prop(text_wrapper_source(), examples=0.6,
            explicit=["io.TextIOWrapper(io.BytesIO(b'ab'))", "io.TextIOWrapper(buffer=io.BytesIO(b'ab'))",
                      "io.TextIOWrapper()", "io.TextIOWrapper(io.BytesIO(b'ab'), None, buffer=1)",
                      "io.TextIOWrapper(io.BytesIO(b'ab'), 'locale', None, None, 0, 0, 1)",
                      "io.TextIOWrapper(io.BytesIO(b'ab'), encoding=1)",
                      "io.TextIOWrapper(io.BytesIO(b'ab'), line_buffering='x')",
                      "io.TextIOWrapper(io.BytesIO(b'ab'), foo=1)", "open(path, encoding='NOPE')",
                      "open(path).encoding", "open(path, encoding='locale')", "codecs.lookup('No Such')",
                      "codecs.encode('x', 'NOPE')", "bytearray('x', 'NOPE')", "codecs.getencoder('Nope-X')",
                      "codecs.lookup(1)", "codecs.encode('x', encoding='a\\0b')", "open(path, errors=1)",
                      "open(path, encoding='utf_16')", "codecs.getincrementaldecoder('utf-16')().decode(b'ab')"])
    def text_wrapper_construction(ctx, source):
        ctx.same("exact/text " + source, lambda c: c.namespace["text_outcome"](source))

    # A codec that fails, called every way that looks it up: CPython raises
    # the error again as "encoding with '<codec>' codec failed (ValueError:
    # m)" with the first as its cause, when it can rebuild it (a class of
    # BaseException's construction and layout, no arguments or one str, an
    # empty __dict__), and leaves it alone otherwise.
    codec_failures = st.tuples(
        st.sampled_from(["ValueError('m')", "ValueError()", "ValueError('a', 'b')", "ValueError(1)",
                         "KeyError('k')", "KeyError(1)", "RuntimeError('m')", "UnicodeError('m')",
                         "UserWarning('m')", "Exception('m')", "BaseException('m')", "ArithmeticError('m')",
                         "OSError('m')", "MemoryError('m')", "StopIteration('m')", "AttributeError('m')",
                         "NameError('m')", "SystemExit('m')", "UnicodeDecodeError('x', b'', 0, 0, 'r')",
                         "type('Sub', (ValueError,), {})('m')",
                         "type('Own', (ValueError,), {'__init__': lambda s, *a: ValueError.__init__(s, *a)})('m')",
                         "type('Bare', (ValueError,), {'__slots__': ()})('m')",
                         "type('Weak', (ValueError,), {'__slots__': ('__weakref__',)})('m')",
                         "type('Held', (ValueError,), {'__slots__': ('x',)})('m')",
                         "type('Made', (ValueError,), {'__new__': lambda c, *a: ValueError.__new__(c, *a)})('m')",
                         "(lambda e: (setattr(e, 'x', 1), e)[1])(ValueError('m'))",
                         "(lambda e: (e.add_note('n'), e)[1])(ValueError('m'))"]),
        st.sampled_from(["codecs.encode('x', {codec})", "codecs.decode(b'x', {codec})",
                         "codecs.encode('x', encoding={codec})", "'x'.encode({codec})", "b'x'.decode({codec})",
                         "bytearray(b'x').decode({codec})", "str(b'x', {codec})", "bytes('x', {codec})",
                         "bytearray('x', {codec})", "codecs.getencoder({codec})('x')"]))

    @d.prop(codec_failures, examples=0.5,
            explicit=[("ValueError('m')", "codecs.encode('x', {codec})"), ("KeyError(1)", "'x'.encode({codec})"),
                      ("type('Bare', (ValueError,), {'__slots__': ()})('m')", "b'x'.decode({codec})"),
                      ("(lambda e: (e.add_note('n'), e)[1])(ValueError('m'))", "str(b'x', {codec})")])
    def codec_failure_reworded(ctx, case):
        raised, call = case
        ctx.same("exact/codec failure %s in %s" % case, lambda c: c.namespace["codec_failure"](raised, call))

    # A missing attribute of an object of a type CPython writes in C names
    # the type by its tp_name ("'collections.deque' object has no
    # attribute 'x'", "type object 'datetime.date' ..."), on the server
    # and through a netref on the client.
    missing_attribute_targets = st.sampled_from([
        "collections.deque()", "collections.deque", "collections.OrderedDict()", "collections.defaultdict()",
        "io.BytesIO()", "io.StringIO()", "open(os.devnull)", "open(os.devnull, 'rb')",
        "open(os.devnull, 'rb', buffering=0)", "io.BytesIO", "re.compile('a')", "re.match('a', 'a')",
        "itertools.count()", "itertools.chain()", "itertools.tee([])[0]", "struct.Struct('i')",
        "datetime.date(2020, 1, 2)", "datetime.datetime(2020, 1, 2)", "datetime.timedelta(1)",
        "datetime.timezone.utc", "datetime.date", "decimal.Decimal(1)", "decimal.getcontext()",
        "operator.itemgetter(1)", "operator.attrgetter('a')", "os.stat('/')", "os.times()",
        "time.localtime()", "sys.flags", "types.SimpleNamespace()", "Ellipsis", "1", "[]", "int",
        "type('C', (), {})()", "type('D', (collections.deque,), {})()", "__import__('weakref').ref(int)",
        "os.scandir('/')", "__import__('array').array('i')", "__import__('functools').partial(print)"])

    @d.prop(st.tuples(missing_attribute_targets, st.sampled_from(["zz", "append_", "__zz__"]), st.booleans()),
            examples=0.5,
            explicit=[("collections.deque()", "zz", True), ("io.BytesIO()", "zz", False),
                      ("datetime.date", "zz", True), ("Ellipsis", "zz", True)])
    def missing_attribute_names(ctx, case):
        source, name, on_server = case
        if on_server or source.startswith("type("):
            ctx.same("exact/missing %s.%s" % (source, name),
                     lambda c: c.namespace["missing_attribute"](source, name))
            return

        def through_netref(c):
            # The client's copy of the error: its class and message (rpyc
            # sends `obj` as its repr, which is the object's own business).
            target = c.eval("(lambda collections, datetime, decimal, io, itertools, operator, os, re, struct, "
                            "sys, time, types: %s)(*[__import__(m) for m in ('collections', 'datetime', "
                            "'decimal', 'io', 'itertools', 'operator', 'os', 're', 'struct', 'sys', 'time', "
                            "'types')])" % source)
            try:
                getattr(target, name)
            except AttributeError as error:
                return ('raised', type(error).__name__, error.args, error.name)
            return ('found',)
        ctx.same("exact/netref missing %s.%s" % (source, name), through_netref)

    # What a file cannot do, refused in CPython's words: only the operation
    # ("write", "fileno"), or the mode a raw file was not opened for ("File
    # not open for reading").
    unsupported_calls = st.sampled_from(
        [("io.BytesIO()", call) for call in ["f.fileno()", "f.detach()"]]
        + [("io.StringIO()", call) for call in ["f.fileno()", "f.detach()"]]
        + [("io.TextIOWrapper(io.BytesIO())", call) for call in ["f.fileno()", "f.seek(1, 1)"]]
        + [("open(path, 'rb')", call) for call in ["f.write(b'x')", "f.truncate()", "f.writelines([])"]]
        + [("open(path, 'ab')", call) for call in ["f.read()", "f.read1(1)", "f.peek()", "f.readinto(bytearray(1))"]]
        + [("open(path, 'rb', buffering=0)", call) for call in ["f.write(b'x')", "f.truncate()"]]
        # (a raw file's readall() is left out: CPython's reads without
        # looking at the mode and fails as the system does, EBADF)
        + [("open(path, 'ab', buffering=0)", call) for call in ["f.read()", "f.readinto(bytearray(1))"]]
        + [("open(path, 'r')", call) for call in ["f.write('x')", "f.truncate()", "f.seek(1, 1)"]]
        + [("open(path, 'a')", call) for call in ["f.read()", "f.readline()"]])

    @d.prop(unsupported_calls, examples=1.0,
            explicit=[("open(path, 'rb')", "f.write(b'x')"), ("io.BytesIO()", "f.fileno()"),
                      ("open(path, 'ab', buffering=0)", "f.read()")])
    def unsupported_operations(ctx, case):
        opener, call = case
        ctx.same("exact/unsupported %s then %s" % case,
                 lambda c: c.namespace["open_file_outcome"](opener, call))

    # What the 3.14 standard library RustPython runs gives otherwise than
    # 3.11's, made 3.11's: pickle's default protocol (the bytes of
    # pickle.dumps) and calendar's weekdays as ints.
    @d.prop(st.one_of(
        # (distinct atoms: which equal objects are one object, which
        # pickle's memo shows, is the interpreter's business)
        st.lists(st.one_of(st.none(), st.booleans(), ints, floats, small_text, binary), max_size=6,
                 unique_by=repr).map(lambda v: "__import__('pickle').dumps(%r)" % (v,)),
        st.tuples(st.integers(1, 9999), st.integers(1, 12)).map(
            lambda t: "__import__('calendar').monthrange(%d, %d)" % t),
        st.tuples(st.integers(1, 9999), st.integers(1, 12), st.integers(1, 28)).map(
            lambda t: "__import__('calendar').weekday(%d, %d, %d)" % t),
        st.sampled_from(["__import__('calendar').MONDAY", "__import__('calendar').SUNDAY",
                         "__import__('calendar').monthcalendar(2024, 2)",
                         "list(__import__('calendar').Calendar(6).iterweekdays())",
                         "__import__('pickle').DEFAULT_PROTOCOL",
                         "(__import__('sqlite3').version, __import__('sqlite3').version_info)",
                         "__import__('locale').normalize('C.UTF-8')",
                         "sorted(__import__('locale').locale_alias.items())",
                         "__import__('time').strftime('%Z %z %%Z', __import__('time').gmtime(0))",
                         "__import__('time').strftime('%Z|%z', __import__('time').struct_time("
                         "(2024, 1, 1, 0, 0, 0, 0, 1, 0, 'A%B', -37800)))",
                         "__import__('time').strftime('%z', __import__('time').struct_time("
                         "(2024, 1, 1, 0, 0, 0, 0, 1, -1, 'X', 3600)))",
                         "__import__('time').strftime(b'%Z')",
                         "(__import__('time').timezone, __import__('time').altzone)"])),
        examples=0.3,
        explicit=["__import__('pickle').dumps([1, 'a'])", "__import__('calendar').monthrange(2024, 2)",
                  "sorted(__import__('locale').locale_alias.items())"])
    def stdlib_values_as_3_11(ctx, expression):
        if "nan" in expression or "inf" in expression:
            return
        ctx.same("exact/stdlib " + expression, lambda c: c.eval(expression))

    # sqlite3 (SQLite built in): a table made, filled, read, changed and
    # dumped by generated statements, and the errors SQLite and the module
    # raise, compared with CPython's sqlite3 row by row and word for word.
    # (A statement given another number of parameters than it uses, and a
    # closed connection, are left out: RustPython's module words them as
    # 3.12 does, "... and 2 were supplied.", and as a connection never
    # initialised, "Base Connection.__init__ not called.")
    sqlite_values = st.one_of(st.none(), st.integers(-2**63, 2**63 - 1), st.floats(allow_nan=False),
                              small_text, binary)
    sqlite_statements = st.one_of(
        st.tuples(st.just("insert into t(b, c, d, e) values (?, ?, ?, ?)"),
                  st.tuples(sqlite_values, sqlite_values, sqlite_values, sqlite_values)),
        st.tuples(st.sampled_from([
            "select * from t order by a", "select count(*), sum(a), min(b), max(c) from t",
            "select typeof(b), typeof(c), typeof(d), length(b) from t order by a",
            "select group_concat(a) from t", "select avg(a), total(c) from t",
            "select * from t where b is null order by a", "select hex(d), quote(b) from t order by a",
            "delete from t where a % 2 = 0", "select * from nope", "select f from t", "selec 1",
            "select 1/0", "select abs(-9223372036854775808)", "select * from t order by e",
            "update t set e = 1", "select upper(b), lower(b) from t order by a",
            "select cast(c as integer), cast(b as real) from t order by a",
            "insert into t(a) values (1)", "select a, b from t where a > 1 order by a desc limit 2",
            "create table t(x)", "drop table nope", "select json_array(1, 'a')",
            "select printf('%5.2f|%d|%s', 3.14159, 42, 'x')", "select substr('hello', 2, 3)",
            "select coalesce(null, 2)", "select 1 union select 2 order by 1",
        ]), st.just(())),
        st.tuples(st.sampled_from(["select ?", "select ? + 1", "select typeof(?)", "select quote(?)",
                                   "select * from t where a = ?"]),
                  st.tuples(sqlite_values)))

    @d.prop(st.lists(sqlite_statements, max_size=8).map(
                lambda body: [("create table t(a integer primary key, b text, c real, d blob, e unique)", ())]
                + body), examples=0.4,
            explicit=[[("create table t(a integer primary key, b text, c real, d blob, e unique)", ()),
                       ("insert into t(b, c, d, e) values (?, ?, ?, ?)", ("x", 1.5, b"\x00", None)),
                       ("select * from t order by a", ())]])
    def sqlite_sessions(ctx, statements):
        ctx.same("exact/sqlite %r" % (statements,), lambda c: c.namespace["sqlite_session"](statements))

    # ssl (`_ssl` on rustls): a TLS conversation between two MemoryBIO ends
    # on the server, certificates made by the openssl command (the TLS
    # trust differential's), trusted by a generated trust file, with a
    # generated hostname, hostname check and highest version; compared
    # with CPython's ssl on OpenSSL outcome for outcome.
    tls_servers = ["selfsigned-cn", "selfsigned-san", "v3-cn", "v3-ip-only", "via-intermediate"]
    tls_trusts = ["ca.pem", "selfsigned-san.pem", "selfsigned-cn.pem", "intermediate-bundle.pem"]

    @d.prop(st.tuples(st.sampled_from(tls_servers), st.sampled_from(tls_trusts),
                      st.sampled_from(["localhost", "oxrpc.test", "127.0.0.1", "other.test"]),
                      st.booleans(), st.sampled_from(["TLSv1_2", "TLSv1_3", "MAXIMUM_SUPPORTED"])),
            examples=0.3,
            explicit=[("selfsigned-san", "selfsigned-san.pem", "oxrpc.test", True, "TLSv1_3"),
                      ("v3-cn", "ca.pem", "localhost", True, "TLSv1_2"),
                      ("selfsigned-cn", "ca.pem", "localhost", False, "MAXIMUM_SUPPORTED")])
    def tls_conversations(ctx, case):
        certs = openssl_certs()
        ctx.same("exact/tls %r" % (case,), lambda c: c.namespace["tls_over_memory"](certs, *case))

    # urllib over ssl: an HTTPS server (CPython's, in this process) asked
    # by each peer's urllib, trusting its certificate or another, by a
    # name it holds or not.
    @d.prop(st.tuples(st.sampled_from(["127.0.0.1", "localhost"]),
                      st.sampled_from(["/", "/a?b=c", "/missing", "/%C3%A9"]),
                      st.sampled_from(["selfsigned-san.pem", "ca.pem"])),
            examples=0.3,
            explicit=[("127.0.0.1", "/", "selfsigned-san.pem"), ("localhost", "/", "selfsigned-san.pem"),
                      ("127.0.0.1", "/missing", "selfsigned-san.pem")])
    def https_with_urllib(ctx, case):
        host, path, trust = case
        url = "https://%s:%d%s" % (host, https_server(), path)
        cafile = os.path.join(openssl_certs(), trust)
        ctx.same("exact/https %r" % (case,), lambda c: c.namespace["https_get"](url, cafile, "GET"))

    # Tracebacks through a module's file, as the traceback module shows
    # them (3.11's carets under a line, no "Did you mean"): generated
    # functions failing in a binary operation, a subscript, a call (over
    # lines too), an attribute read, written or deleted (over lines too),
    # a decorator or a class body (in a function, a class or the module),
    # a name, a local read before it is assigned, an import, a raise with
    # notes, a cause, a context or a group, a recursion; wide characters
    # before the failing part, an augmented assignment, an unpacking, an
    # assert, a `del`. Comprehensions and list(), tuple(), set(), all() or
    # any() of a generator are left out: RustPython's compiler inlines
    # them (README).
    @d.prop(failing_functions(), examples=0.5,
            explicit=[("def f():\n    a, b = 1, None\n    return a + b\n", None, True)])
    def tracebacks_through_files(ctx, case):
        source, limit, chain = case
        directory = traceback_directory()
        name = "tbmod_%d_%d" % (os.getpid(), len(_TRACEBACK_NAMES))
        _TRACEBACK_NAMES.append(name)
        ctx.same("exact/traceback %r" % (case,),
                 lambda c: c.namespace["traceback_outcome"](directory, name, source, limit, chain))

    # unicodedata, as CPython 3.11's (Unicode 14.0.0): every function on a
    # code point anywhere, or one assigned since Unicode 10, a Hangul
    # syllable, a surrogate, a private use or a noncharacter.
    @d.prop(st.one_of(st.integers(0, 0x10FFFF), st.integers(0x1F900, 0x1FAFF),
                      st.integers(0xAC00, 0xD7A3), st.integers(0x0860, 0x08FF),
                      st.sampled_from([0x1F970, 0x08BE, 0x31350, 0x2CEB0, 0x18B00, 0x1FAF8, 0xD800,
                                       0xE000, 0xFFFF, 0x0378, 0x2155, 0x0660, 0x00B2, 0x4E00, 0x0000])),
            examples=2.0, explicit=[0x1F970, 0xAC00, 0x0378])
    def unicodedata_points(ctx, point):
        ctx.same("exact/unicodedata %#x" % point, lambda c: c.namespace["unicodedata_outcome"](point))

    # Normal forms of text mixing letters, Hangul jamo and syllables,
    # combining marks in every order and the characters decomposed since
    # Unicode 10.
    normal_pool = st.sampled_from(
        list("aeiouAEIOUn") + [chr(code) for code in range(0x300, 0x370)]
        + ["\u0345", "\u0344", "\u0f71", "\u0f72", "\u0f80", "\u1100", "\u1161", "\u11a8",
           "\uac00", "\u0d46", "\u0d3e", "\u32ff", "\U00011935", "\U00011930", "\U00011938",
           "\ua7f2", "\u1e9b", "\u0323", "\ufb2c", "\u2126", "\u00c5", "\u212b"])

    @d.prop(st.lists(normal_pool, max_size=8).map("".join), examples=1.0,
            explicit=["\u32ff", "\U00011935\U00011930", "\u1e9b\u0323", "\u1100\u1161\u11a8"])
    def unicodedata_normal_forms(ctx, text):
        ctx.same("exact/normal forms %r" % text, lambda c: c.namespace["normal_forms"](text))

    @d.prop(st.sampled_from([
        "unicodedata.normalize()", "unicodedata.normalize('NFC')", "unicodedata.normalize(1, 'a')",
        "unicodedata.normalize('NFC', 1)", "unicodedata.normalize('X', 'a')",
        "unicodedata.normalize(form='NFC', unistr='a')", "unicodedata.is_normalized('X', 'a')",
        "unicodedata.is_normalized('NFC')", "unicodedata.normalize('NFC', 'a', 1)",
        "unicodedata.normalize.__doc__", "unicodedata.unidata_version", "unicodedata.category('ab')", "unicodedata.category(1)",
        "unicodedata.category()", "unicodedata.category(chr=' ')", "unicodedata.name()",
        "unicodedata.name('a', 1, 2)", "unicodedata.numeric('x', None)", "unicodedata.decimal('\\u0378')",
        "unicodedata.lookup(b'LATIN SMALL LETTER A')", "unicodedata.lookup('NO SUCH NAME')",
        "unicodedata.lookup(1)", "unicodedata.lookup(bytearray(b'A'))", "unicodedata.lookup('x' * 300)",
        "unicodedata.lookup(b'LATIN SMALL LETTER A\\x00')", "unicodedata.lookup(b'\\xff')",
        "unicodedata.lookup('latin small letter a')", "unicodedata.lookup('CJK UNIFIED IDEOGRAPH-4E00')",
        "unicodedata.lookup('HANGUL SYLLABLE GAG')", "unicodedata.category.__doc__", "unicodedata.numeric.__text_signature__",
        "unicodedata.name.__module__", "unicodedata.name.__qualname__",
        "unicodedata.normalize('NFKC', '\\u1e9b\\u0323')", "unicodedata.ucd_3_2_0.unidata_version",
        "unicodedata.lookup('LATIN CAPITAL LETTER GHA')", "unicodedata.lookup('BYZANTINE MUSICAL SYMBOL FHTORA SKLIRON CHROMA VASIS')",
    ]), examples=1.0)
    def unicodedata_surface(ctx, expression):
        ctx.same("exact/unicodedata " + expression,
                 lambda c: c.namespace["expression_outcome"](expression, ["unicodedata"]))

    # 3.11's ssl.match_hostname (gone from ssl since 3.12), on certificates
    # as getpeercert() gives them: its matches, its refusals and their
    # words, its DeprecationWarning.
    cert_names = st.sampled_from(["example.com", "*.example.com", "a.example.com", "f*.example.com",
                                  "*.a.example.com", "xn--*.example.com", "*", "EXAMPLE.com",
                                  "192.168.0.1", "::1", "127.0.0.1 ", ""])
    san_entries = st.one_of(st.tuples(st.just("DNS"), cert_names),
                            st.tuples(st.sampled_from(["IP Address"]),
                                      st.sampled_from(["192.168.0.1", "::1", "0:0:0:0:0:0:0:1", "10.0.0.1"])),
                            st.tuples(st.just("email"), cert_names))
    peer_certs = st.one_of(
        st.just({}), st.just(None),
        st.builds(lambda san, cns: {"subjectAltName": tuple(san),
                                    "subject": tuple(((("commonName", cn),),) for cn in cns)},
                  st.lists(san_entries, max_size=3), st.lists(cert_names, max_size=2)))

    @d.prop(st.tuples(peer_certs, st.sampled_from(["example.com", "a.example.com", "b.a.example.com",
                                                   "foo.example.com", "EXAMPLE.COM", "example.com.",
                                                   "192.168.0.1", "::1", "10.0.0.1", "xn--a.example.com",
                                                   "", "192.168.0.1\x00x"])),
            examples=0.5,
            explicit=[({"subjectAltName": (("DNS", "*.example.com"),)}, "a.example.com"),
                      ({"subject": ((("commonName", "example.com"),),)}, "example.com")])
    def ssl_match_hostname(ctx, case):
        cert, hostname = case
        ctx.same("exact/match_hostname %r" % (case,),
                 lambda c: c.namespace["hostname_outcome"](cert, hostname))

    # ssl's surface as 3.11's: what a client reads before it connects.
    @d.prop(st.sampled_from([
        "ssl.wrap_socket(None, server_side=True)", "ssl.wrap_socket(None, keyfile='k')",
        "ssl.RAND_pseudo_bytes(4)[1], len(ssl.RAND_pseudo_bytes(9)[0])", "len(ssl.RAND_bytes(16))",
        "ssl.RAND_bytes(-1)", "ssl.RAND_status()",
        "ssl.create_default_context().verify_mode, ssl.create_default_context().check_hostname",
        "ssl._create_unverified_context().verify_mode",
        "ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).protocol, ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).verify_mode",
        "ssl.create_default_context().minimum_version, ssl.create_default_context().maximum_version",
        "ssl.PROTOCOL_TLS_CLIENT, ssl.CERT_REQUIRED, ssl.HAS_SNI, ssl.HAS_ALPN, ssl.HAS_TLSv1_3",
        "ssl.Purpose.SERVER_AUTH, ssl.Purpose.CLIENT_AUTH.oid",
        "ssl.cert_time_to_seconds('May  9 00:00:00 2007 GMT')", "ssl.cert_time_to_seconds('nonsense')",
        "ssl.DER_cert_to_PEM_cert(b'0123')", "ssl.PEM_cert_to_DER_cert('nope')",
        "ssl.get_protocol_name(ssl.PROTOCOL_TLS_CLIENT)", "ssl.get_protocol_name(99)",
        "ssl.SSLContext(99)", "ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_cert_chain('/nonexistent')",
        "ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations()",
        "ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).set_alpn_protocols(['h2', 'http/1.1'])",
        "ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).set_alpn_protocols(['x' * 256])",
        "ssl.MemoryBIO().read(), ssl.MemoryBIO().pending, ssl.MemoryBIO().eof",
        "ssl.SSLError(1, 'x').args, str(ssl.SSLError(1, 'x'))",
        "issubclass(ssl.SSLCertVerificationError, ValueError), ssl.CertificateError",
        "ssl.socket_error, ssl.SSLZeroReturnError.__mro__",
        SSL_NAMES,
    ]), examples=1.0)
    def ssl_surface(ctx, expression):
        ctx.same("exact/ssl " + expression, lambda c: c.namespace["expression_outcome"](expression, ["ssl"]))

    # An exception's construction, compared whole and word for word: what
    # it builds (class, repr, str, args, parts) or what it raises
    # (exception_source). A group's args are left out: RustPython keeps
    # the tuple it made of the exceptions (rustpython-exception-group-args).
    @d.prop(st.sampled_from(CONSTRUCTED_NAMES).flatmap(exception_source), examples=1.0,
            explicit=["ValueError(x=1)", "type('E', (Exception,), {})(x=1)", "NameError(name='n', x=1)",
                      "AttributeError(x=1)", "type('E', (ImportError,), {})(x=1)",
                      "UnicodeDecodeError('utf-8', b'', 0, 0, 'x', y=1)", "SyntaxError()",
                      "SyntaxError('m', 5)", "SyntaxError('m', ('f', 1, 2))",
                      "SyntaxError('m', ('f', 1, 2, 't', 5, 6, 7))", "SyntaxError('m', (None, 1, 2, 't'))",
                      "SyntaxError('m', ('a/f.py', 10**30, 2, 't'))", "TabError('x', ('', True, 0, ''))",
                      "IndentationError('m', ['f', 1, 2, 't'])", "OSError(None, None)",
                      "BlockingIOError(1.5, None, None)", "BlockingIOError(1, 'x', 5.5)",
                      "BlockingIOError(1, 'x', 2**70)", "BrokenPipeError(1, 2, None)",
                      "OSError(1, 2, None, None, 'g')", "ExceptionGroup('m', [ValueError()], x=1)",
                      "BaseExceptionGroup(5, [ValueError()])", "BaseExceptionGroup('m', {ValueError(): 1})",
                      "BaseExceptionGroup('m', (e for e in [ValueError()]))",
                      "type('E', (ExceptionGroup,), {})('m', [ValueError()], y=2)",
                      "(lambda e: (e.__init__(2), e)[1])(ValueError(1))",
                      "(lambda e: (e.__init__('n', ('g', 2, 3, 'u')), e)[1])(SyntaxError('m', ('f', 1, 2, 't', 1, 5)))"])
    def exception_construction(ctx, source):
        ctx.same("exact/exception " + source, lambda c: c.namespace["built_exception"](source))

    @d.prop(st.sampled_from(["KeyboardInterrupt()", "KeyboardInterrupt('x')"]), examples=0.02)
    def keyboard_interrupt(ctx, expr):
        # rpyc propagates KeyboardInterrupt on the server side: the
        # connection ends and the client sees EOFError.
        def run(c):
            try:
                c.execute("raise " + expr)
            finally:
                try:
                    c.close()
                except Exception:
                    pass
        ctx.same("exceptions/keyboard_interrupt", run)

    callbacks = st.sampled_from(["identity", "repr", "raise_value", "raise_key", "tuple", "nested",
                                 "local_list", "kwargs", "raise_custom"])

    class LocalError(Exception):
        pass

    def make_callback(c, kind):
        if kind == "identity":
            return lambda x: x
        if kind == "repr":
            # (a frozenset's repr order follows hashes; nan and None hash by address)
            return lambda x: repr(x) if not contains(x, frozenset) else "<frozenset>"
        if kind == "tuple":
            return lambda x: (x, "local")
        if kind == "raise_value":
            def f(x):
                raise ValueError("local", x)
            return f
        if kind == "raise_key":
            def f(x):
                raise KeyError(x)
            return f
        if kind == "raise_custom":
            def f(x):
                raise LocalError("custom", 1)
            return f
        if kind == "nested":
            return lambda x: c.namespace["apply"](lambda y: ("inner", y), x)
        if kind == "local_list":
            return lambda x: [x, x]
        if kind == "kwargs":
            return lambda x, **k: (x, sorted(k.items()))
        raise AssertionError(kind)

    @d.prop(st.tuples(callbacks, brine_values, st.integers(0, 4)))
    def callback(ctx, case):
        kind, value, n = case

        def once(c):
            r = c.namespace["apply"](make_callback(c, kind), value)
            return list(r) if isinstance(r, list) else r
        ctx.same("callback %s" % kind, once)

        def each(c):
            r = c.namespace["apply_each"](make_callback(c, kind), list(range(n)))
            return [list(x) if dk.netref_name(x) == "builtins.list" else x for x in r]
        ctx.same("callback each %s" % kind, each)
        if kind == "kwargs":
            ctx.same("callback kwargs", lambda c: c.namespace["apply"](make_callback(c, kind), value, z=1, a="b"))

    config_keys = ["allow_all_attrs", "allow_delattr", "allow_exposed_attrs", "allow_getattr", "allow_pickle",
                   "allow_public_attrs", "allow_safe_attrs", "allow_setattr", "before_closed", "bind_threads",
                   "close_catchall", "credentials", "exposed_prefix", "import_custom_exceptions",
                   "include_local_traceback", "include_local_version", "instantiate_custom_exceptions",
                   "instantiate_oldstyle_exceptions", "log_exceptions", "propagate_KeyboardInterrupt_locally",
                   "propagate_SystemExit_locally", "sync_request_timeout"]
    root_looks = ["missing", "missing private", "_conn", "ALIASES", "exposed_get_service_name",
                  "exposed_get_service_aliases", "dir", "class routines", "peer root", "config keys", "rpyc version"] + config_keys

    @d.prop(st.sampled_from(root_looks), examples=0.05, explicit=root_looks)
    def classic_root(ctx, look):
        # rpyc_classic's root (SlaveService) and its connection, as a client
        # reaches them (every attribute allowed).
        def run(c):
            root = c.root
            if look == "missing":
                return root.no_such_name
            if look == "missing private":
                return root._no_such_name
            if look == "_conn":
                return dk.scrub(repr(root._conn)).split("'")[0]
            if look == "ALIASES":
                return root.ALIASES
            if look.startswith("exposed_"):
                return getattr(root, look)()
            if look == "dir":
                # (rpyc's also lists its on_connect/on_disconnect hooks)
                return [n for n in dir(root) if not n.startswith("_") and not n.startswith("on_")]
            if look == "class routines":
                # The root's class as the client builds it (HANDLE_INSPECT).
                cls = type(root)
                return [(n, getattr(cls, n).__doc__) for n in sorted(dir(cls)) if not n.startswith("__")]
            if look == "peer root":
                return type(root.getconn().root).__name__
            if look == "rpyc version":
                version = c.modules["rpyc.version"]
                return (c.modules.rpyc.__version__, version.version, version.release_date)
            config = root.getconn()._config
            if look == "config keys":
                return sorted(config)
            return config[look]
        ctx.same("root %s" % look, run)

    # The root's methods called with arguments bound by keyword, missing,
    # extra, or of types Slave's methods handle or refuse.
    root_call_cases = {
        "eval()": lambda r: r.eval(),
        "eval(text=)": lambda r: r.eval(text="1+1"),
        "eval(self=)": lambda r: r.eval(self=1),
        "eval(x=)": lambda r: r.eval("1", x=1),
        "eval(a, b)": lambda r: r.eval("1", "2"),
        "eval(5)": lambda r: r.eval(5),
        "eval(bytes)": lambda r: r.eval(b"6*7"),
        "execute(text=)": lambda r: r.execute(text="kw_set = 1"),
        "execute(5)": lambda r: r.execute(5),
        "getmodule()": lambda r: r.getmodule(),
        "getmodule(tuple)": lambda r: r.getmodule(("os", "path")).__name__,
        "getmodule(name=)": lambda r: r.getmodule(name="json").__name__,
        "getmodule(5)": lambda r: r.getmodule(5),
        "getmodule(None)": lambda r: r.getmodule(None),
        "getmodule(bytes)": lambda r: r.getmodule(b"os"),
        "getmodule(relative)": lambda r: r.getmodule(".os"),
        "getmodule(empty)": lambda r: r.getmodule(""),
        "getmodule(empty tuple)": lambda r: r.getmodule(()),
        "getmodule(tuple of int)": lambda r: r.getmodule(("os", 5)),
        "getmodule(client list)": lambda r: r.getmodule([1, 2]),
        "getconn(1)": lambda r: r.getconn(1),
        "get_service_name(1)": lambda r: r.get_service_name(1),
        "get_service_name(x=)": lambda r: r.get_service_name(x=1),
        "get_service_aliases(cls=)": lambda r: r.get_service_aliases(cls=1),
    }

    @d.prop(st.sampled_from(sorted(root_call_cases)), examples=0.05, explicit=sorted(root_call_cases))
    def root_calls(ctx, call):
        ctx.same("root." + call, lambda c: root_call_cases[call](c.root))

    class ClientThing:
        pass

    client_objects = {
        "list": lambda: [1, 2], "dict": lambda: {"a": 1}, "set": lambda: {1, 2}, "bytearray": lambda: bytearray(b"x"),
        "function": lambda: (lambda: 1), "builtin": lambda: len, "instance": ClientThing, "class": lambda: ClientThing,
        "builtin class": lambda: dict, "exception class": lambda: KeyError, "module": lambda: sys,
        "generator": lambda: (i for i in range(2)), "object": object,
    }
    looks = ["type name", "class name", "is list", "is dict", "is set", "is callable type", "is type",
             "is module type", "isinstance tuple of", "issubclass of type"]

    @d.prop(st.tuples(st.sampled_from(sorted(client_objects)), st.sampled_from(looks)))
    def client_objects_on_the_server(ctx, case):
        # An object the client passes by reference, as server code sees it:
        # a netref class named after its type, whose __class__ is the local
        # class of that name (rpyc's class_factory).
        kind, look = case
        code = {
            "type name": "type(o).__name__",
            "class name": "getattr(o.__class__, '__name__', repr(o.__class__))",
            "is list": "isinstance(o, list)",
            "is dict": "isinstance(o, dict)",
            "is set": "isinstance(o, (set, frozenset))",
            "is callable type": "isinstance(o, type(len))",
            "is type": "isinstance(o, type)",
            "is module type": "isinstance(o, type(sys))",
            "isinstance tuple of": "isinstance(o, (int, str, list, dict))",
            "issubclass of type": "isinstance(o, type) and issubclass(o.__class__, type)",
        }[look]

        def run(c):
            c.execute("import sys\ndef __look(o):\n    return " + code)
            return c.namespace["__look"](client_objects[kind]())
        ctx.same("client %s: %s" % (kind, look), run)

    @d.prop(st.lists(st.tuples(st.sampled_from(["alpha", "beta", "_p", "__q", "x1", "ünï"]), brine_values),
                     max_size=5))
    def dir_of_remote_objects(ctx, attrs):
        def run(c):
            o = c.namespace["Obj"]()
            for k, v in attrs:
                setattr(o, k, v)
            public = sorted(n for n in dir(o) if not n.startswith("__"))
            return public
        ctx.same("dir public", run)

        def dunder(c):
            o = c.namespace["Obj"]()
            return sorted(n for n in dir(o) if n.startswith("__"))
        ctx.same("dir dunder", dunder)
        ctx.same("dir class", lambda c: sorted(n for n in dir(c.namespace["Obj"]) if not n.startswith("__")))

    proto_ops = st.sampled_from(["repr", "str", "len", "hash", "bool", "eq_local", "eq_remote", "lt_local",
                                 "lt_remote", "le", "sorted", "add", "radd", "index", "in_list"])

    @d.prop(st.tuples(st.integers(-10**20, 10**20), st.integers(-5, 5), proto_ops))
    def object_protocol(ctx, case):
        n, m, op = case

        def run(c):
            Num = c.namespace["Num"]
            a, b = Num(n), Num(m)
            if op == "repr":
                return repr(a)
            if op == "str":
                return str(a)
            if op == "len":
                return len(c.eval("list(range(%d))" % abs(m)))
            if op == "hash":
                return hash(a)
            if op == "bool":
                return bool(a)
            if op == "eq_local":
                return (a == n, a == m, a != n)
            if op == "eq_remote":
                return (a == b, a != b)
            if op == "lt_local":
                return (a < m, a > m)
            if op == "lt_remote":
                return (a < b, b < a)
            if op == "le":
                return (a <= b, a >= b)
            if op == "sorted":
                return [x.n for x in sorted([a, b, Num(0)])]
            if op == "add":
                return (a + m).n
            if op == "radd":
                return (m + a).n
            if op == "index":
                return [10, 20, 30, 40, 50][b] if -5 <= m < 5 else None
            if op == "in_list":
                return (a in [n], m in c.eval("[%d, %d]" % (n, m)))
            raise AssertionError(op)
        ctx.same("objproto %s" % op, run)

    # A package's submodules as attributes: rpyc_classic's process has
    # imported these before any client came; oxrpc's interpreters import
    # them when a client asks.
    module_looks = {
        "urllib.parse": lambda c: c.modules.urllib.parse.quote("a b/c"),
        "urllib.request": lambda c: c.modules.urllib.request.Request("http://h/p?q").get_method(),
        "concurrent.futures": lambda c: c.modules.concurrent.futures.ThreadPoolExecutor.__name__,
        "http.client": lambda c: c.modules.http.client.NOT_FOUND,
        "missing in a package": lambda c: c.modules.urllib.nonexistent,
        "missing in a module": lambda c: c.modules.os.nonexistent,
    }

    # Time zones from the host's database, and sysconfig's variables
    # (RustPython's build copied its whole environment into them).
    module_looks.update({
        "zoneinfo.TZPATH": lambda c: c.eval("__import__('zoneinfo').TZPATH"),
        "zoneinfo offset": lambda c: c.eval(
            "str(__import__('datetime').datetime(2026, 7, 1, 12, tzinfo=__import__('zoneinfo')"
            ".ZoneInfo('Europe/Madrid')).utcoffset())"),
        "sysconfig build environment": lambda c: c.eval(
            "[k for k in ('CARGO_PKG_NAME', 'CARGO_HOME', 'PATH', 'HOME', 'OUT_DIR') "
            "if k in __import__('sysconfig').get_config_vars()]"),
    })

    @d.prop(st.sampled_from(sorted(module_looks)), examples=0.05, explicit=sorted(module_looks))
    def module_surface(ctx, look):
        ctx.same("modules.%s" % look, module_looks[look])

    # rpyc's _access_attr: a class's own _rpyc_getattr/_rpyc_setattr/
    # _rpyc_delattr answer for its instances; names may come as bytes.
    def hooked(c):
        c.execute("class _Hooked:\n"
                  "    def _rpyc_getattr(self, name): return 'hooked:' + name\n"
                  "    def _rpyc_setattr(self, name, value): self.__dict__['set_' + name] = value\n"
                  "    def _rpyc_delattr(self, name): self.__dict__['deleted'] = name\n"
                  "_hooked = _Hooked()")
        return c.namespace["_hooked"]

    def hooks_all(c):
        h = hooked(c)
        got = [h.foo]
        h.a = 1
        del h.b
        return got + [c.eval("sorted(_hooked.__dict__.items())")]

    def bytes_names(c):
        from rpyc.core import consts
        target = c.eval("[3, 1, 2]")
        length = c.sync_request(consts.HANDLE_GETATTR, target, b"__len__")()
        c.sync_request(consts.HANDLE_CALLATTR, target, b"sort", (), ())
        return (length, list(target))
    def extra_argument(c):
        from rpyc.core import consts
        return c.sync_request(consts.HANDLE_GETATTR, c.eval("[1]"), "append", "extra")

    def missing_argument(c):
        from rpyc.core import consts
        return c.sync_request(consts.HANDLE_CALLATTR, c.eval("[1]"), "append")
    attribute_looks = {"hooks": hooks_all, "bytes names": bytes_names,
                       "an extra argument": extra_argument, "a missing argument": missing_argument}

    @d.prop(st.sampled_from(sorted(attribute_looks)), examples=0.05, explicit=sorted(attribute_looks))
    def attribute_access(ctx, look):
        ctx.same("attribute access %s" % look, attribute_looks[look])

    # hashlib's BLAKE2 classes: constructors given every parameter (each
    # from values in range, at its bounds, past them and of the wrong
    # type), then a run of updates, copies and digests. Each step's value
    # or exception is compared; the first difference ends the example.
    # Not generated: an unknown attribute and pickling, whose messages name
    # the class as RustPython names every native class ('blake2b' for
    # CPython's '_blake2.blake2b', as 'BytesIO' for '_io.BytesIO').
    hash_setup = (
        "import hashlib, hmac, _hashlib, array, re\n"
        "class Index:\n"
        "    def __index__(self): return 3\n"
        "def hash_steps(constructor, steps):\n"
        "    ns = {'hashlib': hashlib, 'hmac': hmac, '_hashlib': _hashlib, 'array': array, 'Index': Index}\n"
        "    out = []\n"
        "    for kind, src in ((('e', constructor),) + steps):\n"
        "        try:\n"
        "            if kind == 'e':\n"
        "                v = eval(src, ns)\n"
        "                if isinstance(v, str):\n"
        "                    v = re.sub('0x[0-9a-f]+', '0x?', v)\n"
        "                out.append(('ok', v if isinstance(v, (str, bytes, int, bool, type(None))) else\n"
        "                            (type(v).__module__, type(v).__qualname__)))\n"
        "                ns.setdefault('h', v)\n"
        "            else:\n"
        "                exec(src, ns)\n"
        "                out.append(('ok',))\n"
        "        except BaseException as e:\n"
        "            out.append(('raise', type(e).__module__, type(e).__qualname__,\n"
        "                        re.sub('0x[0-9a-f]+', '0x?', str(e))))\n"
        "            if 'h' not in ns:\n"
        "                break\n"
        "    return tuple(out)\n")
    def compare_hash_steps(ctx, tag, constructor, operations):
        """Runs `constructor` then each operation (kind:source) on both
        peers, and compares step by step up to the first difference."""
        steps = tuple(tuple(op.split(":", 1)) for op in operations)

        def run(c):
            if "hash_steps" not in c.namespace:
                c.execute(hash_setup)
            return c.eval("hash_steps(%r, %r)" % (constructor, steps))
        exp = dk.outcome(lambda: run(ctx.ref))
        got = dk.outcome(lambda: run(ctx.cand))
        if exp[0] != "ok" or got[0] != "ok" or len(exp[1]) != len(got[1]):
            ctx.compare("exact/%s %s then %s" % (tag, constructor, operations), exp, got)
            return
        labels = [constructor] + ["%s then %s" % (constructor, op) for op in operations]
        for label, want, have in zip(labels, exp[1][1:], got[1][1:]):
            if not ctx.compare("exact/%s %s" % (tag, label), ("ok", want), ("ok", have)):
                return

    blake2_data = ["b''", "b'abc'", "b'x' * 200", "bytearray(b'ab')", "memoryview(b'abcd')[1:]",
                   "memoryview(b'abcd')[::2]", "memoryview(bytes(8)).cast('B', (2, 4))", "array.array('i', [1, 2])",
                   "'abc'", "None", "1", "[1]"]
    blake2_parameters = {
        "digest_size": ["0", "1", "16", "20", "32", "33", "64", "65", "-1", "2**31", "Index()", "True", "1.5",
                        "None", "'8'"],
        "key": ["b''", "b'k'", "b'x' * 32", "b'x' * 33", "b'x' * 64", "b'x' * 65", "'k'", "None", "bytearray(b'k')",
                "memoryview(b'abcd')[::2]", "array.array('i', [1])", "1"],
        "salt": ["b''", "b's'", "b'x' * 8", "b'x' * 9", "b'x' * 16", "b'x' * 17", "'s'", "None"],
        "person": ["b''", "b'p'", "b'x' * 8", "b'x' * 9", "b'x' * 16", "b'x' * 17", "'p'", "None"],
        "fanout": ["0", "1", "2", "255", "256", "-1", "Index()", "1.5", "None"],
        "depth": ["0", "1", "3", "255", "256", "-1", "True"],
        "leaf_size": ["0", "5", "2**32 - 1", "2**32", "2**64 - 1", "2**64", "-1", "True", "1.5", "Index()", "None"],
        "node_offset": ["0", "7", "2**48 - 1", "2**48", "2**64 - 1", "2**64", "-1", "1.5", "Index()"],
        "node_depth": ["0", "1", "255", "256", "-1"],
        "inner_size": ["0", "16", "32", "33", "64", "65", "-1"],
        "last_node": ["False", "True", "0", "2", "1.5", "None", "'x'", "2**40"],
        "usedforsecurity": ["True", "False", "0", "'x'", "None"],
        "data": ["b'x'"],
        "bogus": ["1"],
    }
    blake2_arguments = st.tuples(
        st.sampled_from(["blake2b", "blake2s", "new('blake2b'", "new('blake2s'"]),
        st.lists(st.sampled_from(blake2_data), max_size=2),
        st.dictionaries(st.sampled_from(sorted(blake2_parameters)), st.just(None), max_size=4).flatmap(
            lambda names: st.tuples(*[st.tuples(st.just(n), st.sampled_from(blake2_parameters[n]))
                                      for n in sorted(names)])))
    hash_operations = st.lists(st.sampled_from([
        "e:h.hexdigest()", "e:h.digest()", "s:h.update(b'more')", "s:h.update('text')", "s:h.update(None)",
        "s:h.update()", "s:h.update(b'a', b'b')", "s:h.update(data=b'a')", "s:h.update(memoryview(b'abcd')[::2])",
        "s:h.update(b'y' * 300)", "e:h.copy().hexdigest()", "s:h = h.copy()", "e:(h.name, h.digest_size, h.block_size)",
        "e:h.digest(1)", "e:h.copy(1)", "s:h.name = 'x'", "e:type(h) is getattr(hashlib, h.name)",
        "e:(type(h).SALT_SIZE, type(h).PERSON_SIZE, type(h).MAX_KEY_SIZE, type(h).MAX_DIGEST_SIZE)",
        "e:type(h).__doc__", "e:h.update.__doc__", "e:h == h.copy()",
        "s:type(h).foo = 1", "e:type('S', (type(h),), {})", "e:repr(h).split(' at ')[0]",
        "e:sorted(n for n in vars(__import__('_blake2')) if not n.startswith('__'))",
    ]), max_size=6)

    def blake2_call(arguments):
        constructor, data, keywords = arguments
        if constructor.startswith("new("):
            # hashlib.new's own signature is RustPython's hashlib.py's
            # (CPython 3.14's): it refuses a second data otherwise.
            data = data[:1]
        parts = list(data) + ["%s=%s" % pair for pair in keywords]
        if constructor.startswith("new("):
            return "hashlib.%s%s)" % (constructor, "".join(", " + p for p in parts))
        return "hashlib.%s(%s)" % (constructor, ", ".join(parts))

    @d.prop(st.tuples(blake2_arguments, hash_operations), examples=0.5,
            explicit=[(("blake2b", ["b'abc'"], (("digest_size", "16"),)), ["e:h.hexdigest()"]),
                      (("blake2s", [], (("key", "b'k'"), ("person", "b'p'"), ("salt", "b's'"))), ["e:h.digest()"]),
                      (("blake2b", ["b'a'"], (("depth", "3"), ("fanout", "2"), ("inner_size", "32"),
                                              ("last_node", "True"))), ["e:h.hexdigest()"])])
    def blake2_hashes(ctx, case):
        arguments, operations = case
        compare_hash_steps(ctx, "blake2", blake2_call(arguments), operations)

    # hashlib's digests, HMACs and key derivations (CPython's `_hashlib`
    # over OpenSSL 3): constructors by Python and OpenSSL names (aliases,
    # OIDs, case, unknown ones), with data of every kind, then updates,
    # copies and digests (an extendable one's at generated lengths); HMACs
    # by name and by constructor; PBKDF2 and scrypt at their bounds.
    digest_names = ["'md5'", "'sha1'", "'sha224'", "'sha256'", "'sha384'", "'sha512'", "'sha512_224'",
                    "'sha512_256'", "'sha3_224'", "'sha3_256'", "'sha3_384'", "'sha3_512'", "'shake_128'",
                    "'shake_256'", "'blake2b'", "'blake2s'", "'ripemd160'", "'sm3'", "'md5-sha1'", "'SHA256'",
                    "'sha-1'", "'SHA2-512/224'", "'sha512-256'", "'RMD160'", "'ripemd'", "'SSL3-MD5'",
                    "'SHAKE128'", "'shake-256'", "'BLAKE2b512'", "'blake2s-256'", "'2.16.840.1.101.3.4.2.1'",
                    "'1.3.14.3.2.26'", "'SHA3_256'", "'Sha512_224'", "'md4'", "'whirlpool'", "'nope'", "''",
                    "b'sha256'", "1", "None", "'sha\\0'"]
    digest_data = ["", "b''", "b'abc'", "b'x' * 300", "bytearray(b'ab')", "memoryview(b'abcd')[1:]",
                   "memoryview(b'abcd')[::2]", "array.array('i', [1, 2])", "'abc'", "None", "1"]
    usedforsecurity = ["", "usedforsecurity=False", "usedforsecurity=True", "usedforsecurity=0"]
    guaranteed = ["md5", "sha1", "sha224", "sha256", "sha384", "sha512", "sha3_224", "sha3_256", "sha3_384",
                  "sha3_512", "shake_128", "shake_256"]

    def call(function, *arguments):
        return "%s(%s)" % (function, ", ".join(a for a in arguments if a))

    digest_constructors = st.one_of(
        st.builds(lambda n, d, u: call("hashlib.new", n, d, u), st.sampled_from(digest_names),
                  st.sampled_from(digest_data), st.sampled_from(usedforsecurity)),
        st.builds(lambda n, d, u: call("_hashlib.new", n, d, u), st.sampled_from(digest_names),
                  st.sampled_from(digest_data), st.sampled_from(usedforsecurity)),
        st.builds(lambda n, d, u: call("hashlib." + n, d, u), st.sampled_from(guaranteed),
                  st.sampled_from(digest_data), st.sampled_from(usedforsecurity)),
        st.builds(lambda n, d, e: call("_hashlib.openssl_" + n, d, e), st.sampled_from(guaranteed),
                  st.sampled_from(digest_data),
                  st.sampled_from(["", "string=b'x'", "b'y', b'z'", "bogus=1", "usedforsecurity=None"])))
    hmac_keys = ["b'k'", "b''", "b'k' * 200", "bytearray(b'k')", "'k'", "None"]
    # Not generated: a digestmod that is a Python function, which takes
    # hmac's pure-Python path, RustPython's 3.14 one (it sets block_size
    # where 3.11's does not, and pads a text key otherwise).
    hmac_modules = digest_names[:20] + ["'nope'", "None", "1", "''", "hashlib.sha256", "hashlib.md5",
                                        "_hashlib.openssl_sha512", "hashlib.blake2b"]
    hmac_constructors = st.one_of(
        st.builds(lambda k, m, d: call("hmac.new", k, m, d), st.sampled_from(hmac_keys),
                  st.sampled_from(["b'm'", "None", "'m'", "b'm' * 100"]), st.sampled_from(hmac_modules)),
        st.builds(lambda k, m, d: call("_hashlib.hmac_new", k, m, d), st.sampled_from(hmac_keys),
                  st.sampled_from(["b'm'", "None", "'m'", "msg=b'm'"]),
                  st.sampled_from(["digestmod=" + d for d in hmac_modules] + [""])),
        # A text key reaches hmac.digest's pure-Python path (3.14's) for a
        # digestmod OpenSSL does not take: not generated there.
        st.builds(lambda k, m, d: call("hmac.digest", k, m, d), st.sampled_from(hmac_keys[:4]),
                  st.sampled_from(["b'm'", "'m'", "memoryview(b'mm')"]), st.sampled_from(hmac_modules)))
    derivations = st.one_of(
        st.builds(lambda n, pw, s, i, k: call("hashlib.pbkdf2_hmac", n, pw, s, i, k),
                  st.sampled_from(digest_names[:22] + ["'nope'", "b'sha1'"]),
                  st.sampled_from(["b'pw'", "b''", "'pw'", "bytearray(b'p')"]),
                  st.sampled_from(["b'salt'", "b''", "'s'"]),
                  st.sampled_from(["1", "2", "100", "0", "-1", "2**31", "2**63", "1.5", "True"]),
                  st.sampled_from(["", "None", "1", "16", "100", "0", "-1", "2**31", "1.5", "dklen=7"])),
        st.builds(lambda pw, kw: call("hashlib.scrypt", pw, *kw), st.sampled_from(["b'pw'", "b''", "'pw'"]),
                  st.lists(st.sampled_from(
                      ["salt=b's'", "salt=b''", "salt='s'", "salt=None", "n=2", "n=4", "n=16", "n=1024", "n=2**16",
                       "n=3", "n=1", "n=0", "n=-2", "n=2.0", "n=2**64", "r=1", "r=2", "r=8", "r=0", "r=2**32",
                       "r=True", "r=1.5", "p=1", "p=2", "p=0", "p=2**30", "maxmem=0", "maxmem=100", "maxmem=896",
                       "maxmem=2**20", "maxmem=-1", "maxmem=2**31", "maxmem=1.5", "dklen=1", "dklen=8", "dklen=0",
                       "dklen=2**31", "dklen=None", "b's'", "bogus=1"]), max_size=7, unique_by=lambda a: a.split("=")[0])))
    digest_operations = st.lists(st.sampled_from([
        "e:h.hexdigest()", "e:h.digest()", "s:h.update(b'more')", "s:h.update(b'y' * 500)", "s:h.update('text')",
        "s:h.update(None)", "s:h.update()", "s:h.update(b'a', b'b')", "s:h.update(data=b'a')", "s:h.update(msg=b'a')",
        "s:h.update(memoryview(b'abcd')[::2])", "e:h.copy().hexdigest()", "s:h = h.copy()",
        "e:(h.name, h.digest_size, h.block_size)", "e:h.hexdigest(0)", "e:h.hexdigest(16)", "e:h.digest(1)",
        "e:h.digest(100)", "e:h.digest(-1)", "e:h.hexdigest(-1)", "e:h.digest(1.5)", "e:h.digest(length=5)",
        "e:h.digest(2**63)", "e:h.copy(1)", "s:h.name = 'x'", "e:repr(h).split(' @ ')[0]",
        "e:type(h).__name__", "e:[c.__name__ for c in type(h).__mro__]", "e:h.hexdigest.__doc__",
    ]), max_size=6)

    @d.prop(st.tuples(st.one_of(digest_constructors, hmac_constructors, derivations), digest_operations),
            explicit=[("hashlib.new('sha512_256', b'abc')", ["e:h.hexdigest()"]),
                      ("hashlib.new('SHA2-512/224')", ["e:h.name"]),
                      ("hashlib.shake_128(b'abc')", ["e:h.hexdigest(10)", "e:h.digest()"]),
                      ("hmac.new(b'k', b'm', 'ripemd160')", ["e:h.hexdigest()"]),
                      ("hashlib.scrypt(b'pw', salt=b's', n=16, r=1, p=1)", []),
                      ("hashlib.pbkdf2_hmac('sm3', b'pw', b's', 2)", [])])
    def hashlib_digests(ctx, case):
        constructor, operations = case
        compare_hash_steps(ctx, "hashlib", constructor, operations)

    # Errors the standard library raises, caught by the classes a client's
    # own Python knows them by, and unpacked as callers unpack them.
    stdlib_errors = [
        ("__import__('re').compile('(')", "re.error"),
        ("__import__('re').compile('a{2,1}')", "re.error"),
        ("__import__('socket').create_connection(('127.0.0.1', 1))", "ConnectionRefusedError"),
        ("open('/nonexistent/oxrpc')", "FileNotFoundError"),
        ("__import__('os').listdir('/nonexistent/oxrpc')", "FileNotFoundError"),
        ("__import__('os').read(-1, 1)", "OSError"),
        # Raised by code: the arguments stay as given (a filename trims
        # them to two, in CPython and in RustPython alike).
        ("exec(\"raise PermissionError(116, 'x', None)\")", "PermissionError"),
        ("exec(\"raise OSError(2, 'x', 'f')\")", "FileNotFoundError"),
        # Import errors the interpreter raises: the attributes they carry
        # (CPython 3.11's have no name_from).
        ("exec('import oxrpc_nonexistent_module')", "ModuleNotFoundError"),
        ("exec('from os import oxrpc_nonexistent_name')", "ImportError"),
        # The closed-file check of `_IOBase`'s methods, for the file
        # classes beside StringIO, with CPython's full stop.
        ("(lambda f: (f.close(), f.readlines()))(open('/etc/hostname'))", "ValueError"),
        ("(lambda f: (f.close(), f.__enter__()))(open('/etc/hostname', 'rb'))", "ValueError"),
        ("(lambda f: (f.close(), f.writelines([])))(open('/dev/null', 'w'))", "ValueError"),
        ("(lambda f: (f.close(), f._checkClosed()))(open('/etc/hostname', 'rb', buffering=0))", "ValueError"),
    ]

    @d.prop(st.sampled_from(stdlib_errors), examples=0.05, explicit=stdlib_errors)
    def stdlib_errors_caught(ctx, case):
        import re
        expr, catch = case
        caught = {"re.error": re.error}.get(catch) or getattr(builtins, catch)

        def run(c):
            try:
                c.eval(expr)
            except caught as e:
                if isinstance(e, OSError):
                    return (catch, e.args, e.errno, e.strerror, e.filename, e.filename2)
                if isinstance(e, ImportError):
                    # (the message of a failed `from` import names the
                    # module's file, which RustPython's does not know)
                    return (catch, e.name, sorted(vars(e)))
                return (catch, e.args)
            return None
        ctx.same("caught %s" % expr, run)

    # round() of floats to a number of places: CPython rounds the exact
    # binary value (round(2.675, 2) is 2.67), ties to even.
    rounding_cases = [(2.675, 2), (1.15, 1), (0.125, 2), (-0.001, 2), (1250.0, -2)]

    @d.prop(st.tuples(st.one_of(st.floats(allow_nan=False, allow_infinity=False),
                                st.decimals(places=4, min_value=-1000, max_value=1000).map(float)),
                      st.integers(-4, 20)),
            explicit=rounding_cases)
    def float_rounding(ctx, case):
        expr = "round(%r, %d)" % case
        ctx.same(expr, lambda c: c.eval(expr))

    # repr() of a complex: each part as a float's repr without '.0', in
    # exponent form past 16 digits or below 1e-4.
    @d.prop(st.tuples(st.floats(), st.floats(), st.sampled_from(["repr", "str", "format"])),
            explicit=[(1e22, 1.0, "repr"), (1e16, 1e16, "str"), (-0.0, -0.0, "repr"),
                      (0.0, 1e-5, "format")])
    def complex_repr(ctx, case):
        real, imag, how = case
        value = "complex(float(%r), float(%r))" % (repr(real), repr(imag))
        expr = ("format(%s, '')" if how == "format" else how + "(%s)") % value
        ctx.same(expr, lambda c: c.eval(expr))

    # repr() escapes what str.isprintable() rejects, by the interpreter's
    # Unicode database: CPython 3.11's is Unicode 14.0 (U+300B8, CJK
    # Extension G, is printable there).
    repr_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=5)

    @d.prop(st.tuples(repr_text, st.sampled_from(["repr(%r)", "%r.isprintable()", "ascii(%r)",
                                                  "len(repr(%r))", "repr([%r])"])),
            explicit=[("\U000300b8", "repr(%r)"), ("\U000300b8", "%r.isprintable()"),
                      ("\xe9\n'\"", "repr(%r)")])
    def text_repr(ctx, case):
        text, template = case
        expr = template % text
        ctx.same(expr, lambda c: c.eval(expr))

    # format() of a bool is int's: the number for any spec but the empty
    # one (f"{True:>5}" is '    1').
    bool_specs = ["", "d", ">5", "05", "x", "^3", "b", ",", ".2f", "e", "%", "c", "n", "+", "#o"]

    @d.prop(st.tuples(st.booleans(), st.sampled_from(bool_specs)),
            explicit=[(True, ">5"), (False, ".2f"), (True, "")])
    def bool_format(ctx, case):
        expr = "format(%r, %r)" % case
        ctx.same(expr, lambda c: c.eval(expr))

    # str methods on text beyond ASCII: those that count characters
    # (RustPython keeps text as UTF-8 bytes: zfill's width, replace's empty
    # pattern, count's empty string), their ordinary calls, isdigit, and
    # swapcase (full case mappings, a capital sigma's context).
    method_text = st.text(st.characters(min_codepoint=32, max_codepoint=0x2FFF,
                                        blacklist_categories=("Cs",)), max_size=6)
    method_bound = st.one_of(st.none(), st.integers(-8, 8))
    str_method_calls = st.one_of(
        st.tuples(st.sampled_from(["", "+", "-"]), method_text, st.integers(-2, 12)).map(
            lambda t: "%r.zfill(%d)" % (t[0] + t[1], t[2])),
        st.tuples(method_text, method_text, st.integers(-2, 8)).map(
            lambda t: "%r.replace('', %r, %d)" % t),
        st.tuples(method_text, method_text).map(lambda t: "%r.replace('', %r)" % t),
        st.tuples(method_text, method_text, method_text).map(lambda t: "%r.replace(%r, %r)" % t),
        st.tuples(method_text, method_bound, method_bound).map(
            lambda t: "%r.count('', %r, %r)" % t),
        st.tuples(method_text, method_text).map(lambda t: "%r.count(%r)" % t),
        st.text(st.sampled_from("0123\u00b2\u00bd\u0663\u06f5\u0967\u2460\u2155\uff13a "),
                max_size=4).map(lambda t: "%r.isdigit()" % t),
        method_text.map(lambda t: "%r.isdigit()" % t),
        method_text.map(lambda t: "%r.swapcase()" % t),
        st.text(st.sampled_from("A1 .'\u03a3\u03c3\u03c2\u0345\u02b0\u00df\u0130\ufb01\u01c5\u00c0"),
                max_size=6).map(lambda t: "%r.swapcase()" % t),
    )
    str_method_cases = ["'\xe9'.zfill(3)", "'-\xe9'.zfill(5)", "'\xdf'.replace('', 'x')",
                        "'\xe9a'.replace('', '-', 2)", "'\xe9\xe9\xe9'.count('')",
                        "'\xe9\xe9\xe9'.count('', -2, 10)", "'\u0663'.isdigit()",
                        "'\u2460'.isdigit()", "'\xc0\xdf'.swapcase()", "'A\u03a3'.swapcase()",
                        "'A\u03a3.b'.swapcase()", "'\u0130\ufb01\u01c5'.swapcase()"]

    @d.prop(str_method_calls, explicit=str_method_cases)
    def str_methods_beyond_ascii(ctx, expr):
        ctx.same(expr, lambda c: c.eval(expr))

    # Text beyond ASCII as CPython 3.11 classifies and reads it (Unicode
    # 14.0): every str predicate over characters from every plane (new
    # letters of later Unicode versions, marks, letter numbers, CJK
    # numerals, modifier letters, titlecase), and int(), complex() and
    # float() of numbers written with any script's digits and whitespace.
    unicode_points = st.one_of(
        st.integers(0, 0x10FFFF).filter(lambda c: not 0xD800 <= c < 0xE000),
        st.sampled_from([0x345, 0x93F, 0x2160, 0x24B6, 0x4E00, 0x3405, 0x10D30, 0x1E4F0, 0x560, 0x870,
                         0x2B0, 0x1C5, 0x1C89, 0xA7CB, 0x295, 0xFF11, 0x661, 0x1D7CE, 0x3000, 0x1C, 0x85,
                         0x5F, 0x41, 0x61, 0x31, 0xB2, 0xBD, 0x1F600, 0xE9, 0x130, 0x3A3]))
    predicates = ["isalpha", "isalnum", "isdigit", "isdecimal", "isnumeric", "isspace", "isprintable",
                  "isidentifier", "isupper", "islower", "istitle"]
    number_pieces = st.sampled_from(["1", "0", "9", "\u0661", "\u0669", "\uff11", "\uff10", "\U0001d7d9",
                                     "\u0967", "\u09e6", "\u3000", " ", "\u00a0", "\u2003", "\x1c", "_",
                                     "-", "+", ".", "e", "j", "x", "f", "\u00b2", "\u2460", "\u4e00", "a"])

    @d.prop(st.one_of(
        st.tuples(st.just("classes"), st.lists(unicode_points, min_size=1, max_size=4),
                  st.sampled_from(predicates)),
        st.tuples(st.just("numbers"), st.lists(number_pieces, min_size=1, max_size=6),
                  st.sampled_from(["int(%s)", "int(%s, 16)", "int(%s, 0)", "int(%s, 2)", "float(%s)",
                                   "complex(%s)", "complex(%s + 'j')", "int(%s * 100)"]))),
            explicit=[("classes", [0x93F], "isalpha"), ("classes", [0x4E00], "isnumeric"),
                      ("classes", [0x560], "isidentifier"), ("classes", [0x2B0], "islower"),
                      ("numbers", ["\uff11", "\uff12"], "int(%s)"), ("numbers", ["\u0661", "\u0662"], "int(%s, 16)"),
                      ("numbers", ["\uff11", "+", "\uff12", "j"], "complex(%s)")])
    def unicode_text(ctx, case):
        kind, pieces, form = case
        if kind == "classes":
            expr = "''.join(map(chr, %r)).%s()" % (pieces, form)
        else:
            expr = form % repr("".join(pieces))
        ctx.same("exact/" + expr, lambda c: c.eval(expr))

    # datetime's field checks (RustPython's datetime is 3.14's pure-Python
    # one): dates, times and datetimes built, replaced and parsed with
    # fields in range, at the bounds and past them. Not generated: the
    # arithmetic and parsing errors 3.14's pure-Python module words its own
    # way ("result out of range", fromisoformat's and fromordinal's).
    date_fields = st.tuples(st.sampled_from([0, 1, 2020, 2021, 9999, 10000, -1]),
                            st.sampled_from([0, 1, 2, 12, 13, -1]),
                            st.sampled_from([0, 1, 28, 29, 30, 31, 32, -1]))
    time_fields = st.tuples(st.sampled_from([0, 23, 24, -1]), st.sampled_from([0, 59, 60, -1]),
                            st.sampled_from([0, 59, 60]), st.sampled_from([0, 999999, 1000000, -1]),
                            st.sampled_from([0, 1, 2]))

    @d.prop(st.tuples(st.sampled_from(["date(%d, %d, %d)", "datetime(%d, %d, %d, %d, %d, %d, %d, fold=%d)",
                                       "time(%d, %d, %d, %d, fold=%d)", "date(2020, 1, 1).replace(%d, %d, %d)",
                                       "datetime.strptime('%04d-%02d-%02d', '%%Y-%%m-%%d')"]),
                      date_fields, time_fields))
    def datetime_fields(ctx, case):
        form, (year, month, day), clock = case
        if form.startswith("datetime("):
            expr = form % ((year, month, day) + clock)
        elif form.startswith("time("):
            expr = form % clock
        elif form.startswith("datetime.strptime"):
            if min(year, month, day) < 0:
                return
            expr = form % (year, month, day)
        else:
            expr = form % (year, month, day)
        ctx.same("exact/" + expr, lambda c: c.eval("__import__('datetime').%s" % expr))

    # Repeats past what any machine holds, or past an index, and repeats
    # of empty sequences by huge counts: CPython refuses the first at once
    # and answers the last at once (an unguarded server fills its memory,
    # or spins, on them).
    huge_repeats = ["'i' * 10**12", "10**12 * 'i'", "b'x' * 10**12", "[0] * 10**12", "(1,) * 10**12",
                    "bytearray(b'x') * 10**12", "(lambda l: l.__imul__(10**12))([1])",
                    "(lambda b: b.__imul__(10**12))(bytearray(b'ab'))", "'ab' * (2**62)", "'\xe9' * (2**62)",
                    "b'ab' * (2**62)", "[1, 2] * (2**62)", "bytearray(b'ab') * (2**62)", "'' * 10**18",
                    "[] * 10**18", "(lambda l: (l.__imul__(10**18), l)[1])([])", "() * 10**18",
                    "[1].__mul__(10**12)", "(1,).__rmul__(10**12)", "b'a'.__mul__(2**70)", "'ab'.__mul__(2.5)",
                    "[1].__imul__('x')", "'a'.__mul__(-1)", "'ab'.__rmul__(3)", "len('ab' * 1000)"]

    @d.prop(st.sampled_from(huge_repeats), examples=0.05, explicit=huge_repeats)
    def huge_repeats_refused(ctx, expr):
        ctx.same("exact/" + expr, lambda c: c.eval(expr))

    # Builtins given a size past any machine's memory: CPython's malloc
    # refuses them and it raises MemoryError (an unguarded server asks for
    # the bytes and ends, with every client's interpreter); beside them,
    # the same builtins at sizes that fit, and the refusals of sizes no
    # C type holds.
    huge_allocations = [
        "bytes(10**12)", "bytearray(10**12)", "bytes(source=10**12)", "len(bytes(7))", "bytes(-1)",
        "bytes(2**63)", "'x'.ljust(10**12)", "'x'.rjust(10**12, '\xe9')", "'x'.center(10**12)",
        "'x'.zfill(10**12)", "'x'.ljust(2**63)", "'-3'.zfill(6)", "'ab'.center(7, '\u20ac')",
        "b'x'.ljust(10**12)", "b'x'.rjust(10**12)", "bytearray(b'a').center(10**12)", "b''.zfill(10**12)",
        "bytearray(b'-1').zfill(5)", "b'x'.ljust(-5)", "'\t'.expandtabs(10**12)", "b'\t'.expandtabs(-2**40)",
        "('\t' * 100).expandtabs(2**31 - 1)", "(b'\t' * 100).expandtabs(2**31 - 1)",
        "'a\tb\n\tc'.expandtabs(tabsize=3)", "'\t'.expandtabs(-3)", "(1).to_bytes(10**12, 'big')",
        "(1).to_bytes(length=10**12, byteorder='big')", "(1).to_bytes(-1, 'big')", "(1).to_bytes(2**63, 'big')",
        "(258).to_bytes(3, 'little')", "1 << 10**13", "1 << 2**63", "True << 10**13", "0 << 10**13",
        "(1).__lshift__(10**13)", "(10**13).__rlshift__(1)", "(5 << 70) >> 69", "1 << -1",
        "1 << (2**128 - 1)", "1 << (30 * (2**63 - 1))", "1 << (4 * 2**61)", "1 << (8 * 2**61)", "True << 2**70",
        "list(range(10**12))", "tuple(range(10**12))", "sorted(range(10**12))", "sorted(iter(range(10**12)))",
        "list(__import__('itertools').repeat(0, 10**12))", "len(list(range(10)))", "sorted(range(3), reverse=True)",
        "__import__('array').array('b', [0]) * 10**12", "10**12 * __import__('array').array('b', [0])",
        "__import__('array').array('d') * 10**12", "__import__('array').array('q', [1]).__mul__(10**12)",
        "__import__('array').array('b', [1]).__rmul__(2**63)", "__import__('array').array('b', [1]) * 2**63",
        "__import__('array').array('i', [1, 2]).__imul__(2)", "__import__('array').array('b', [1]) * 'x'",
        "format(1j, '1000000000000')", "format('a', '1000000000000')", "format(10**30, '1000000000000')",
        "format(1.5, '1000000000000')", "'{:1000000000000}'.format('a')", "'{:{}}'.format(1, 10**12)",
        "format(1.5, ',1000000000000')", "format('a', '.1000000000000')", "format(1, '.1000000000000')",
        "format(1.5, '.1000000000000f')", "format(12, '>9')",
        "open('/dev/zero', 'rb').read(10**12)", "open('/dev/zero', 'rb', buffering=0).read(10**12)",
        "len(open('/dev/zero', 'rb').read(10))", "__import__('os').urandom(10**12)",
        "__import__('os').read(__import__('os').open('/dev/zero', 0), 10**12)", "len(__import__('os').urandom(5))",
        "__import__('struct').pack('1000000000000x')", "__import__('struct').Struct('1000000000000x').pack()",
        "__import__('struct').calcsize('1000000000000x')", "__import__('struct').pack('3x')",
        "'a'.expandtabs('x')", "(1).to_bytes('x', 'big')", "'a'.center(1.5)", "b'a'.ljust(None)",
        "'a'.zfill('1')", "'a'.zfill(2**63)", "'a'.zfill(True)", "'ab'.expandtabs(2**40)", "(1).to_bytes()",
        "format(10**5000, 'e')", "format(-10**400, '.2f')", "format(2**1024, 'g')", "format(2**1024 - 1, 'g')",
        "format(10**308, 'e')", "format(10**400, '%')", "format(10**400, ',.1f')", "f'{10**400:E}'",
        "len(('a'*10**6).replace('', 'x'*10**7))", "len((b'a'*10**6).replace(b'', b'x'*10**7))",
        "len(bytearray(b'a'*10**6).replace(b'', b'x'*10**7))", "('ab'*10**6).replace('a', 'x'*10**7)",
        "len(('ab'*10**6).replace('a', 'x'*10**7, 1))", "('ab'*10**6).replace('c', 'x'*10**7)[:3]",
        "len(('\xe9'*10**6).replace('', 'x'*10**7))", "(b'ab'*10**6).replace(b'b', b'x'*10**7)",
        "'abc'.replace('', '-', -5)", "b'abc'.replace(b'', b'-')",
        "__import__('itertools').product(range(10), repeat=10**12)",
        "__import__('itertools').combinations(range(10), 10**12)",
        "__import__('itertools').permutations(range(10), 10**12)",
        "__import__('itertools').combinations_with_replacement('ab', 10**12)",
        "__import__('itertools').combinations(r=10**12, iterable='ab')",
        "list(__import__('itertools').permutations('abc', r=2))", "__import__('itertools').combinations(1, 10**12)",
        "__import__('itertools').combinations('ab', -1)", "__import__('itertools').product('ab', repeat=-1)",
        "__import__('itertools').product('ab', repeat=2**62)", "__import__('itertools').combinations('ab')",
        "__import__('itertools').combinations('ab', 1, 2)", "__import__('itertools').permutations('ab', r=None, x=1)",
        "list(__import__('itertools').permutations(iterable='ab', r=None))",
        "__import__('itertools').combinations('ab', 'x')", "__import__('itertools').combinations('ab', 2**63)",
        "list(__import__('itertools').product('ab', 'c', repeat=2))[:3]",
        "__import__('itertools').product('ab', repeat='x')", "__import__('itertools').product('ab', foo=1)",
        "__import__('zlib').decompress(__import__('zlib').compress(b'x'), bufsize=10**12)",
        "__import__('zlib').decompress(__import__('zlib').compress(b'xy'), 15, 10)",
        "__import__('zlib').decompressobj().flush(10**12)", "__import__('zlib').decompressobj().flush(2**63)",
        "__import__('zlib').decompressobj().flush(length=5)", "__import__('zlib').decompressobj().flush(0)",
        "(lambda d, c: (d.decompress(c, 4), d.flush(3)))(__import__('zlib').decompressobj(), __import__('zlib').compress(b'xy' * 9))",
        "__import__('zlib').decompressobj().flush(5, x=1)", "__import__('zlib').decompressobj().flush(1, 2)",
        "__import__('zlib').decompressobj().flush(x=1, y=2)", "__import__('zlib').decompressobj().flush(None)",
        "__import__('io').BufferedReader(__import__('io').BytesIO(b'ab'), buffer_size=10**12)",
        "__import__('io').BufferedReader(__import__('io').BytesIO(b'ab'), 10**12)",
        "__import__('io').BufferedReader(__import__('io').BytesIO(b'ab'), 4).read()",
        "__import__('io').BufferedWriter(__import__('io').BytesIO(), buffer_size=10**12)",
        "(lambda s: s[0].recv(10**12))(__import__('socket').socketpair())",
        "(lambda s: (s[1].send(b'hi'), s[0].recv(10))[1])(__import__('socket').socketpair())",
        "__import__('random').randbytes(10**12)",
        "__import__('random').getrandbits(10**13)",
        "__import__('random').Random(1).getrandbits(8) >= 0",
        "__import__('random').getrandbits(-1)",
        "__import__('itertools').tee([1], 10**12)",
        "len(__import__('itertools').tee([1], 3))",
        "__import__('itertools').tee([1], -1)",
        "__import__('os').getrandom(10**12)",
        "len(__import__('os').getrandom(4))",
        "[b := __import__('io').BytesIO(), b.seek(10**12), b.write(b'x')][2]",
        "[b := __import__('io').BytesIO(), b.seek(10**12), b.write(bytearray(b'x'))][2]",
        "[s := __import__('io').StringIO(), s.seek(10**12), s.write('x')][2]",
        "[b := __import__('io').BytesIO(), b.seek(5), b.write(b'x'), b.getvalue()][3]",
        "[s := __import__('io').StringIO('ab'), s.seek(1), s.write('x'), s.getvalue()][3]",
    ]

    @d.prop(st.sampled_from(huge_allocations), examples=0.05, explicit=huge_allocations)
    def huge_allocations_refused(ctx, expr):
        ctx.same("exact/" + expr, lambda c: c.eval(expr))

    # bytes.hex with a separator and a group size, by position and by
    # keyword, on the three types that have it; the separators CPython
    # refuses, and in which order it refuses them.
    hex_separators = st.sampled_from(["':'", "' '", "'::'", "''", "'\\xe9'", "'\\u20ac'", "b'-'", "b'\\xff'",
                                      "bytearray(b':')", "None", "1", "[1]"])
    hex_groups = st.one_of(st.integers(-5, 5), st.sampled_from(["2**31", "-2**31 - 1", "2**70", "'x'", "True", "1.5"]))

    @d.prop(st.tuples(st.binary(max_size=9), st.sampled_from(["bytes", "bytearray", "memoryview"]),
                      st.one_of(st.none(), hex_separators), st.one_of(st.none(), hex_groups),
                      st.sampled_from(["position", "keyword", "mixed"])))
    def hex_separators_and_groups(ctx, case):
        data, kind, separator, group, passing = case
        arguments = []
        if passing == "position":
            if separator is not None:
                arguments.append(separator)
                if group is not None:
                    arguments.append(str(group))
        else:
            if separator is not None:
                arguments.append(separator if passing == "mixed" else "sep=%s" % separator)
            if group is not None:
                arguments.append("bytes_per_sep=%s" % group)
        expr = "%s(%r).hex(%s)" % (kind, data, ", ".join(arguments))
        ctx.same("exact/" + expr, lambda c: c.eval(expr))

    # memoryview.tobytes in each order, of views of one to three
    # dimensions (items of one, two or four bytes), by position and by
    # keyword, and the orders CPython refuses.
    @d.prop(st.tuples(st.lists(st.integers(1, 3), min_size=1, max_size=3), st.sampled_from(["B", "H", "i"]),
                      st.sampled_from(["'C'", "'F'", "'A'", "None", "'X'", "'f'", "1", "b'C'"]),
                      st.sampled_from(["position", "keyword", "none"]), st.integers(0, 255)))
    def memoryview_orders(ctx, case):
        shape, code, order, passing, seed = case
        size = {"B": 1, "H": 2, "i": 4}[code]
        count = 1
        for extent in shape:
            count *= extent
        data = bytes((seed + i * 7) % 256 for i in range(count * size))
        argument = {"position": order, "keyword": "order=%s" % order, "none": ""}[passing]
        expr = "memoryview(%r).cast('%s', shape=%r).tobytes(%s)" % (data, code, shape, argument)
        ctx.same("exact/" + expr, lambda c: c.eval(expr))

    # os.listdir and os.scandir take their path by keyword too, and refuse
    # it twice or misnamed in CPython's words.
    path_keyword_calls = [
        "sorted(__import__('os').listdir(path='/')) == sorted(__import__('os').listdir('/'))",
        "__import__('os').listdir(path=None) == __import__('os').listdir()",
        "__import__('os').listdir(path=b'/') == __import__('os').listdir(b'/')",
        "__import__('os').listdir('/', '/')", "__import__('os').listdir('/', path='/')",
        "__import__('os').listdir(pth='/')", "__import__('os').scandir('/', path='/')",
        "sorted(e.name for e in __import__('os').scandir(path='/')) == sorted(__import__('os').listdir('/'))",
        "__import__('os').scandir(path='/nonexistent-dir')", "__import__('os').listdir(path='/nonexistent-dir')",
    ]

    @d.prop(st.sampled_from(path_keyword_calls), examples=0.05, explicit=path_keyword_calls)
    def os_path_keywords(ctx, expr):
        ctx.same("exact/" + expr, lambda c: c.eval(expr))

    # os functions given a path of the wrong type name themselves in the
    # error, as CPython's path converter does ("stat: path should be
    # ...", "symlink: dst should be ..."). Left out: chdir.
    path_functions = st.sampled_from(["stat", "lstat", "chmod", "mkdir", "rmdir", "remove", "unlink",
                                      "access", "readlink", "statvfs", "listdir", "scandir", "rename",
                                      "replace", "chown", "makedirs", "removedirs", "link", "symlink"])
    wrong_paths = st.sampled_from(["1.5", "[]", "object()", "2j", "b'a'.decode", "{}"])
    path_call_shapes = {
        "chmod": "{f}({p}, 0o644)", "access": "{f}({p}, 0)", "chown": "{f}({p}, -1, -1)",
        "rename": "{f}({p}, '/nonexistent-b')", "replace": "{f}({p}, '/nonexistent-b')",
        "link": "{f}('/nonexistent-a', {p})", "symlink": "{f}({p}, '/nonexistent/b')",
    }

    def path_call(case):
        function, path = case
        return "__import__('os')." + path_call_shapes.get(function, "{f}({p})").format(f=function, p=path)

    @d.prop(st.tuples(path_functions, wrong_paths),
            explicit=[("stat", "1.5"), ("listdir", "1.5"), ("scandir", "[]"), ("remove", "object()"),
                      ("chmod", "2j"), ("rename", "{}")])
    def os_path_type_errors(ctx, case):
        expr = path_call(case)
        ctx.same("exact/" + expr, lambda c: c.eval(expr))

    # What a failed system call raises, as the server's own code sees it
    # and as the client receives it: OSError's arguments as CPython keeps
    # them (errno and strerror only), the descriptor named where CPython
    # names it, and CPython's converters' refusals of a descriptor.
    descriptor_calls = st.sampled_from([
        "os.read({fd}, 1)", "os.write({fd}, b'x')", "os.close({fd})", "os.fstat({fd})",
        "os.fchown({fd}, -1, -1)", "os.fstatvfs({fd})", "os.fpathconf({fd}, 'PC_NAME_MAX')",
        "os.fsync({fd})", "os.chmod({fd}, 0o644)", "os.chdir({fd})", "os.chown({fd}, -1, -1)",
        "os.stat({fd})", "os.statvfs({fd})", "os.truncate({fd}, 0)", "os.listdir({fd})",
        "os.scandir({fd})", "os.dup({fd})", "os.lseek({fd}, 0, 0)", "os.ftruncate({fd}, 0)",
        "os.get_blocking({fd})", "os.get_inheritable({fd})", "os.ttyname({fd})", "os.fchmod({fd}, 0o644)",
        "os.fchdir({fd})", "os.dup2({fd}, 1000)", "open({fd})"])
    descriptors = st.sampled_from(["999", "-2", "2**31", "-2**70", "2**70", "1.5", "'/nonexistent'",
                                   "open('/dev/null')", "b'/nonexistent'"])
    failed_calls = st.sampled_from([
        "os.kill(999999, 0)", "os.getpgid(999999)", "os.getsid(999999)", "os.setpgid(999999, 0)",
        "os.waitpid(-1, os.WNOHANG)", "os.sched_getscheduler(999999)",
        "socket.create_connection(('127.0.0.1', 1))", "socket.socket().recv(1)",
        "socket.socket().getpeername()", "socket.socket().send(b'x')", "socket.socket(12345)",
        "socket.getaddrinfo('', None)", "socket.getaddrinfo('127.0.0.1', 'nosuchservice')",
        "socket.getaddrinfo('127.0.0.1', 80, family=12345)", "signal.setitimer(99, 0)",
        "signal.getitimer(99)", "os.pipe2(12345)",
        "raise OSError(9, 'x', None, None, None)", "raise OSError(9, 'Bad file descriptor')",
        "raise ConnectionRefusedError(111, 'Connection refused', None)",
        "raise type('E', (OSError,), {'__module__': 'm'})(9, os.strerror(9), None, None, None)",
        "raise signal.ItimerError(22, 'x')"])

    @d.prop(st.one_of(st.builds(lambda call, fd: call.format(fd=fd), descriptor_calls, descriptors),
                      failed_calls),
            examples=0.5,
            explicit=["os.read(999, 1)", "os.fstat(999)", "os.chmod(999, 0)", "os.chdir(-1)", "os.stat(2**70)",
                      "os.fsync(-1)", "socket.create_connection(('127.0.0.1', 1))", "signal.setitimer(99, 0)",
                      "socket.getaddrinfo('', None)", "os.fstat('/nonexistent')"])
    def system_call_errors(ctx, source):
        source = "import os, signal, socket\n" + source
        ctx.same("exact/system " + source, lambda c: c.namespace["raised_by_system"](source))
        ctx.same("exact/system raised " + source, lambda c: c.execute(source))

    # The os functions and constants RustPython's posix lacks, added: their answers,
    # their arguments taken and refused in CPython's words, and the errors
    # of their system calls. Only calls that change nothing on the server:
    # a process that is not there, signal 0, an empty or unchanged mask.
    int_arguments = st.sampled_from(["0", "1", "-1", "2**31", "2**31-1", "2**32", "2**63", "2**64", "2**70",
                                     "-2**70", "1.5", "'x'", "True", "None", "0x1234", "0xffffffff"])
    added_os_calls = st.one_of(
        st.builds("os.major({})".format, int_arguments),
        st.builds("os.minor({})".format, int_arguments),
        st.builds("os.makedev({}, {})".format, int_arguments, int_arguments),
        st.builds("os.sched_getaffinity({})".format, st.sampled_from(["0", "999999", "-1", "2**31", "2**70",
                                                                      "'x'", "1.5", "True"])),
        st.builds("os.sched_setaffinity(999999, {})".format,
                  st.sampled_from(["[]", "[0]", "[-1]", "[2**31]", "[2**31-2]", "[2**40]", "[2**70]", "[1.5]",
                                   "'ab'", "5", "iter([1])", "[100000]", "{0, 1}", "[True]"])),
        st.builds("os.killpg({}, {})".format, st.sampled_from(["999999", "-5", "2**31", "1.5", "'x'"]),
                  st.sampled_from(["0", "99", "40", "2**31", "'x'"])),
        st.sampled_from(["os.sched_setaffinity(0, [])", "os.sched_setaffinity(0, [5000])",
                         "os.sched_setaffinity(0, os.sched_getaffinity(0))", "os.killpg(0, 0)",
                         "os.killpg(0, 99)", "os.major()", "os.major(1, 2)", "os.major(device=1)",
                         "os.makedev(1)", "os.makedev(major=1, minor=2)", "os.killpg(1)",
                         "os.sched_setaffinity(999999)", "os.sched_getaffinity(pid=0)",
                         "os.mkfifo()", "os.mkfifo(1.5)", "os.mkfifo('/nonexistent/x')",
                         "os.mkfifo('/tmp', 0o600)", "os.mkfifo('/nonexistent/y', 0o600, None)",
                         "os.mkfifo('/nonexistent/y', 'a')", "os.mkfifo('/nonexistent/y', 2**70)",
                         "os.mkfifo(path='/nonexistent/y', mode=0o600, dir_fd=None)",
                         "os.mkfifo('/nonexistent/y', nope=1)",
                         "(lambda d: (os.mkfifo(d + '/f', 0o640), stat.S_ISFIFO(os.stat(d + '/f').st_mode),"
                         " oct(os.stat(d + '/f').st_mode & 0o777), os.remove(d + '/f'), os.rmdir(d))[1:3])"
                         "(tempfile.mkdtemp())",
                         "len(os.sched_getaffinity(0)) == os.cpu_count()",
                         "[os.major, os.minor, os.makedev, os.killpg, os.mkfifo, os.sched_getaffinity]",
                         "[f.__text_signature__ for f in (os.major, os.makedev, os.killpg, os.mkfifo)]",
                         "sorted(n for n in ('major', 'minor', 'makedev', 'killpg', 'mkfifo', 'sched_getaffinity',"
                         " 'sched_setaffinity') if n in os.__all__)",
                         "[(n, getattr(os, n, None)) for n in ('O_ACCMODE', 'O_FSYNC', 'O_LARGEFILE', 'RTLD_DEEPBIND',"
                         " 'RWF_APPEND', 'RWF_DSYNC', 'RWF_HIPRI', 'RWF_NOWAIT', 'RWF_SYNC', 'ST_APPEND', 'ST_MANDLOCK',"
                         " 'ST_NOATIME', 'ST_NODEV', 'ST_NODIRATIME', 'ST_NOEXEC', 'ST_RELATIME', 'ST_SYNCHRONOUS',"
                         " 'ST_WRITE', 'TMP_MAX', 'NGROUPS_MAX', 'XATTR_SIZE_MAX', 'MFD_HUGE_64KB', 'MFD_HUGE_512KB',"
                         " 'MFD_HUGE_1MB', 'MFD_HUGE_2MB', 'MFD_HUGE_8MB', 'MFD_HUGE_16MB', 'MFD_HUGE_32MB',"
                         " 'MFD_HUGE_256MB', 'MFD_HUGE_512MB', 'MFD_HUGE_1GB', 'MFD_HUGE_2GB', 'MFD_HUGE_16GB')]"]))

    @d.prop(added_os_calls, examples=0.5,
            explicit=["os.O_ACCMODE", "os.sched_getaffinity(0)", "os.major(0x1234)", "os.makedev(-1, 0)",
                      "os.sched_setaffinity(999999, [1.5])", "os.killpg(-5, 0)",
                      "os.mkfifo('/nonexistent/x')"])
    def os_functions_added(ctx, call):
        expr = "(lambda os, stat, tempfile: %s)(__import__('os'), __import__('stat'), __import__('tempfile'))" % call
        ctx.same("exact/" + call, lambda c: c.eval(expr))

    # The os functions on a file descriptor RustPython's posix lacks, added
    # (positioned and scattered I/O, splice, fdatasync, posix_fallocate,
    # posix_fadvise, lockf, memfd_create, eventfd, the extended attributes,
    # ctermid): what each reads and writes, and its arguments taken and
    # refused in CPython's words, on a scratch file and pipe.
    descriptor_values = st.sampled_from(["fd", "r", "w", "999", "-1", "2**31", "1.5", "'x'", "None", "True"])
    # Not the pipe's read end, which a read would wait on.
    read_descriptors = st.sampled_from(["fd", "w", "999", "-1", "2**31", "1.5", "'x'", "None", "True"])
    sizes = st.sampled_from(["0", "1", "4", "20", "-1", "2**63", "2**64", "1.5", "True", "'x'"])
    offsets = st.sampled_from(["0", "2", "9", "50", "-1", "2**63", "2**64", "1.5", "None"])
    buffer_lists = st.sampled_from(["[bytearray(3), bytearray(2)]", "[]", "[bytearray(20)]", "(memoryview(bytearray(4)),)",
                                    "[b'ab']", "[1]", "'ab'", "5", "{0: bytearray(1)}", "[bytearray(1)] * 1025",
                                    "[memoryview(bytearray(6))[::2]]"])
    data_lists = st.sampled_from(["[b'ab', bytearray(b'cd'), memoryview(b'ef')]", "[]", "['ab']", "5", "b'abc'",
                                  "(b'x',) * 1025", "[b'']", "range(2)"])
    descriptor_added_calls = st.one_of(
        st.builds("os.pread({}, {}, {})".format, descriptor_values, sizes, offsets),
        st.builds("(os.pwrite({}, b'ab', {}), os.pread(fd, 12, 0))".format, descriptor_values, offsets),
        st.builds("(lambda bs: (os.readv({}, bs), [bytes(b) for b in bs if isinstance(b, bytearray)]))({})".format,
                  read_descriptors, buffer_lists),
        st.builds("(os.writev({}, {}), os.pread(fd, 20, 0))".format, descriptor_values, data_lists),
        st.builds("(lambda bs: (os.preadv(fd, bs, {}), [bytes(b) for b in bs if isinstance(b, bytearray)]))({})".format,
                  offsets, buffer_lists),
        st.builds("(os.pwritev(fd, {}, {}), os.pread(fd, 20, 0))".format, data_lists, offsets),
        st.builds("(os.write(w, b'hello'), os.splice({}, {}, {}), os.pread(fd, 12, 0))".format,
                  st.sampled_from(["r", "fd", "999"]), st.sampled_from(["fd", "w", "r"]), sizes),
        st.builds("os.posix_fallocate({}, {}, {})".format, descriptor_values, offsets, sizes),
        st.builds("os.posix_fadvise({}, {}, {}, {})".format, descriptor_values, offsets, sizes,
                  st.sampled_from(["0", "1", "4", "5", "6", "-1", "2**31", "os.POSIX_FADV_DONTNEED"])),
        st.builds("os.lockf({}, {}, {})".format, descriptor_values,
                  st.sampled_from(["os.F_TLOCK", "os.F_TEST", "os.F_ULOCK", "99", "'x'"]), sizes),
        st.builds("os.fdatasync({})".format, st.sampled_from(["fd", "r", "999", "-1", "'x'", "open(p)", "fd=fd"])),
        st.builds("(lambda e: (os.eventfd_write(e, {}), os.eventfd_read(e), os.close(e)))(os.eventfd({}, {}))".format,
                  sizes, st.sampled_from(["0", "3", "-1", "2**32", "'x'", "True"]),
                  st.sampled_from(["os.EFD_NONBLOCK", "os.EFD_NONBLOCK | os.EFD_SEMAPHORE", "-1", "12345"])),
        st.builds("(lambda m: (m > 2, os.write(m, b'ab'), os.pread(m, 4, 0), os.close(m)))(os.memfd_create({}, {}))".format,
                  st.sampled_from(["'a'", "b'a'", "'a\\0'", "5", "'x' * 300", "p"]),
                  st.sampled_from(["0", "os.MFD_CLOEXEC", "-1", "2**32", "12345", "1.5"])),
        st.builds("(os.setxattr({}, {}, {}), sorted(os.listxattr(p)), os.getxattr(p, 'user.k'))".format,
                  st.sampled_from(["p", "fd", "d + '/none'", "1.5", "-1", "p.encode()"]),
                  st.sampled_from(["'user.k'", "b'user.k'", "'bogus.k'", "5", "'user.k\\0'"]),
                  st.sampled_from(["b'v'", "'v'", "b''", "bytearray(b'w')"])),
        st.sampled_from([
            "os.getxattr(p, 'user.none')", "os.getxattr(fd, 'user.none')", "os.listxattr()", "os.listxattr(d)",
            "os.removexattr(p, 'user.none')", "os.getxattr(p, 'user.k', follow_symlinks=False)",
            "os.getxattr(fd, 'user.k', follow_symlinks=False)", "os.listxattr(path=None)", "os.getxattr()",
            "(os.setxattr(p, 'user.a', b'1', os.XATTR_CREATE), os.setxattr(p, 'user.a', b'2', os.XATTR_CREATE))",
            "os.setxattr(p, 'user.a', b'1', os.XATTR_REPLACE)", "os.ctermid()", "os.ctermid(1)",
            "os.pread(fd=fd, length=1, offset=0)", "os.readv(fd)", "os.splice(src=r, dst=w, count=0)",
            "os.eventfd()", "os.eventfd_read(999)", "os.memfd_create()", "os.preadv(fd, [bytearray(2)], -1)",
            "[f.__text_signature__ for f in (os.pread, os.splice, os.getxattr, os.memfd_create, os.eventfd)]",
            "sorted(n for n in ('pread', 'pwrite', 'readv', 'writev', 'preadv', 'pwritev', 'splice', 'fdatasync',"
            " 'posix_fallocate', 'posix_fadvise', 'lockf', 'memfd_create', 'eventfd', 'eventfd_read',"
            " 'eventfd_write', 'getxattr', 'setxattr', 'listxattr', 'removexattr', 'ctermid') if hasattr(os, n))"]))

    @d.prop(descriptor_added_calls, examples=0.5,
            explicit=["os.pread(fd, 4, 2)", "os.pread(fd, 0, 0)", "os.pread(-1, 1, 0)",
                      "(os.pwrite(fd, b'ab', 50), os.pread(fd, 12, 0))",
                      "(lambda bs: (os.readv(fd, bs), [bytes(b) for b in bs if isinstance(b, bytearray)]))"
                      "([bytearray(3), bytearray(2)])",
                      "(lambda b: (os.readv(fd, [b, b]), bytes(b)))(bytearray(3))",
                      "(os.writev(fd, (b'x',) * 1025), os.pread(fd, 20, 0))",
                      "(os.write(w, b'hello'), os.splice(r, fd, 5), os.pread(fd, 12, 0))",
                      "os.lockf(fd, os.F_TLOCK, 0)", "os.getxattr(p, 'user.none')", "os.getxattr(-1, 'user.k')"])
    def os_descriptor_functions_added(ctx, call):
        ctx.same("exact/" + call, lambda c: c.namespace["descriptor_outcome"](call))

    # os.link makes a hard link to a symbolic link itself, as CPython's
    # link() does on Linux, unless a directory descriptor is given.
    link_calls = [
        "(os.symlink(p, d + '/s'), os.link(d + '/s', d + '/h'), os.path.islink(d + '/h'))",
        "(os.symlink(p, d + '/s'), os.link(d + '/s', d + '/h', follow_symlinks=True), os.path.islink(d + '/h'))",
        "(os.symlink(p, d + '/s'), os.link(d + '/s', d + '/h', follow_symlinks=False), os.path.islink(d + '/h'))",
        "(os.symlink(d + '/none', d + '/s'), os.link(d + '/s', d + '/h'), os.path.islink(d + '/h'))",
        "(os.link(p, d + '/h'), os.stat(p).st_nlink, os.path.islink(d + '/h'))",
        "os.link(d + '/none', d + '/h')", "os.link(p, p)",
    ]

    @d.prop(st.sampled_from(link_calls), examples=0.05, explicit=link_calls)
    def os_link_symlinks(ctx, call):
        ctx.same("exact/" + call, lambda c: c.namespace["descriptor_outcome"](call))

    # What os.supports_dir_fd, supports_fd and supports_follow_symlinks list
    # holds: each listed function takes that argument, as CPython's does.
    # (Ours list fewer: see _SUPPORTS_AS_3_11 in oxrpc-python's
    # stdlib_fixes.py.)
    supports_calls = [
        "(os.chown in os.supports_dir_fd, (lambda f: (os.chown('f', -1, -1, dir_fd=f), os.close(f)))(os.open(d, 0)))",
        "(os.mkdir in os.supports_dir_fd, (lambda f: (os.mkdir('m', dir_fd=f), os.close(f)))(os.open(d, 0)))",
        "(os.mknod in os.supports_dir_fd, (lambda f: (os.mknod('n', 0o600, 0, dir_fd=f), os.close(f)))(os.open(d, 0)))",
        "(os.open in os.supports_dir_fd, (lambda f: (os.close(os.open('f', 0, dir_fd=f)), os.close(f)))(os.open(d, 0)))",
        "(os.stat in os.supports_dir_fd, (lambda f: (os.stat('f', dir_fd=f).st_size, os.close(f)))(os.open(d, 0)))",
        "(os.symlink in os.supports_dir_fd, (lambda f: (os.symlink('f', 'l', dir_fd=f), os.readlink(d + '/l'),"
        " os.unlink('l', dir_fd=f), os.close(f)))(os.open(d, 0)))",
        "(os.rmdir in os.supports_dir_fd, os.mkdir(d + '/r'), (lambda f: (os.rmdir('r', dir_fd=f), os.close(f)))"
        "(os.open(d, 0)))",
        "(os.utime in os.supports_dir_fd, (lambda f: (os.utime('f', (1, 2), dir_fd=f), os.stat(p).st_mtime,"
        " os.close(f)))(os.open(d, 0)))",
        "(os.chdir in os.supports_fd, (lambda here, f: (os.chdir(f), os.getcwd() == d, os.chdir(here), os.close(f))[1])"
        "(os.getcwd(), os.open(d, 0)))",
        "(os.chmod in os.supports_fd, os.chmod(fd, 0o640), oct(os.stat(p).st_mode & 0o777))",
        "(os.chown in os.supports_fd, os.chown(fd, -1, -1))", "(os.listdir in os.supports_fd, os.listdir(r))",
        "(os.pathconf in os.supports_fd, os.pathconf(fd, 'PC_NAME_MAX'))",
        "(os.stat in os.supports_fd, os.stat(fd).st_size)", "(os.statvfs in os.supports_fd, os.statvfs(fd).f_namemax)",
        "(os.truncate in os.supports_fd, os.truncate(fd, 3), os.stat(p).st_size)",
        "(os.scandir in os.supports_fd, [e.name for e in os.scandir(os.open(d, 0))])",
        "(os.chown in os.supports_follow_symlinks, os.chown(p, -1, -1, follow_symlinks=False))",
        "(os.link in os.supports_follow_symlinks, os.link(p, d + '/h', follow_symlinks=False), os.stat(p).st_nlink)",
        "(os.stat in os.supports_follow_symlinks, os.stat(p, follow_symlinks=False).st_size)",
        "(os.utime in os.supports_follow_symlinks, os.utime(p, (5, 6), follow_symlinks=False), os.stat(p).st_atime)",
        "type(os.supports_effective_ids)",
        "(os.utime in os.supports_fd, os.utime(fd, (7, 8)), os.stat(p).st_mtime)",
    ]

    @d.prop(st.sampled_from(supports_calls), examples=0.05, explicit=supports_calls)
    def os_supports_sets(ctx, call):
        ctx.same("exact/" + call, lambda c: c.namespace["descriptor_outcome"](call))

    # os.utime given a descriptor: times and ns read, rounded and refused as
    # CPython's read them, and what the file then says.
    utime_values = st.sampled_from(["1", "-2", "1.5", "-2.25", "1.9999999999", "-0.5", "True", "2**70", "1e300",
                                    "float('nan')", "'a'", "None", "2**40"])
    # The file's times are read after a call on its own descriptor only.
    utime_descriptors = st.sampled_from(["fd", "r", "999", "-1", "2**31"])

    def utime_call(descriptor, arguments):
        call = "os.utime(%s, %s)" % (descriptor, arguments)
        if descriptor != "fd":
            return call
        return "(%s, os.stat(p).st_atime_ns, os.stat(p).st_mtime_ns)" % call

    @d.prop(st.one_of(
        st.builds(lambda f, a, m: utime_call(f, "(%s, %s)" % (a, m)), utime_descriptors, utime_values, utime_values),
        st.builds(lambda f, a, m: utime_call(f, "ns=(%s, %s)" % (a, m)), utime_descriptors, utime_values,
                  utime_values),
        st.sampled_from(["os.utime(fd, (1, 2), ns=(1, 2))", "os.utime(fd, (1, 2), ns=None)", "os.utime(fd, ns=None)",
                         "os.utime(fd, [1, 2])", "os.utime(fd, (1,))", "os.utime(fd, ns=[1, 2])",
                         "os.utime(fd, dir_fd=3)", "os.utime(fd, dir_fd='x')", "os.utime(fd, follow_symlinks=False)",
                         "(os.utime(fd), os.stat(p).st_mtime > 1e9)", "os.utime(path=fd, times=(1, 2))"])),
            examples=0.5, explicit=["(os.utime(fd, (1.5, -2.25)), os.stat(p).st_atime_ns, os.stat(p).st_mtime_ns)",
                                    "os.utime(fd, ns=('a', 2))", "os.utime(-1)", "os.utime(fd, follow_symlinks=False)"])
    def os_utime_descriptor(ctx, call):
        ctx.same("exact/" + call, lambda c: c.namespace["descriptor_outcome"](call))

    # posix functions called with keywords, as CPython's Argument Clinic binds
    # them: a parameter by name, a left-out one's default, the keyword-only
    # ones, and the calls it refuses (a misnamed or doubled keyword, any
    # keyword to a function that takes none). Only calls that change nothing:
    # paths that are not there, descriptors that are not open, signal 0.
    keyword_calls = [
        ("stat", [("path", "'/'")], ".st_mode"), ("lstat", [("path", "'/'")], ".st_mode"),
        ("stat", [("path", "'/'"), ("dir_fd", "None"), ("follow_symlinks", "False")], ".st_mode"),
        ("access", [("path", "'/'"), ("mode", "os.R_OK")], ""),
        ("chmod", [("path", "'/nonexistent'"), ("mode", "0o644")], ""),
        ("mkdir", [("path", "'/nonexistent/x'"), ("mode", "0o700")], ""),
        ("rmdir", [("path", "'/nonexistent'")], ""), ("unlink", [("path", "'/nonexistent'")], ""),
        ("remove", [("path", "'/nonexistent'")], ""),
        ("rename", [("src", "'/nonexistent'"), ("dst", "'/nonexistent-2'")], ""),
        ("replace", [("src", "'/nonexistent'"), ("dst", "'/nonexistent-2'")], ""),
        ("link", [("src", "'/nonexistent'"), ("dst", "'/nonexistent-2'")], ""),
        ("symlink", [("src", "'x'"), ("dst", "'/nonexistent/y'")], ""),
        ("chown", [("path", "'/nonexistent'"), ("uid", "-1"), ("gid", "-1")], ""),
        ("open", [("path", "'/nonexistent'"), ("flags", "os.O_RDONLY"), ("mode", "0o600")], ""),
        ("truncate", [("path", "'/nonexistent'"), ("length", "0")], ""),
        ("readlink", [("path", "'/nonexistent'")], ""), ("statvfs", [("path", "'/'")], ".f_bsize > 0"),
        ("pathconf", [("path", "'/'"), ("name", "'PC_NAME_MAX'")], ""),
        ("listdir", [("path", "'/nonexistent'")], ""), ("utime", [("path", "'/nonexistent'"), ("times", "None")], ""),
        ("fstat", [("fd", "999")], ""), ("fsync", [("fd", "999")], ""), ("fchmod", [("fd", "999"), ("mode", "0")], ""),
        ("device_encoding", [("fd", "999")], ""), ("fspath", [("path", "'x'")], ""),
        ("dup2", [("fd", "999"), ("fd2", "1000"), ("inheritable", "False")], ""),
        ("copy_file_range", [("src", "999"), ("dst", "999"), ("count", "0")], ""),
        ("read", [("fd", "999"), ("length", "1")], ""), ("lseek", [("fd", "999"), ("position", "0"), ("how", "0")], ""),
        ("kill", [("pid", "999999"), ("signal", "0")], ""), ("strerror", [("code", "2")], ""),
        ("close", [("fd", "999")], ""), ("isatty", [("fd", "999")], ""), ("get_blocking", [("fd", "999")], ""),
        ("getpriority", [("which", "0"), ("who", "999999")], ""),
    ]

    @st.composite
    def keyword_call(draw):
        function, arguments, after = draw(st.sampled_from(keyword_calls))
        by_name_from = draw(st.integers(0, len(arguments)))
        parts = [value for _, value in arguments[:by_name_from]]
        parts += ["%s=%s" % argument for argument in arguments[by_name_from:]]
        mistake = draw(st.sampled_from(["none", "none", "bogus", "twice", "dropped"]))
        if mistake == "bogus":
            parts.append("bogus=1")
        elif mistake == "twice" and by_name_from > 0:
            parts.append("%s=%s" % arguments[0])
        elif mistake == "dropped" and parts:
            parts.pop(0)
        return "os.%s(%s)%s" % (function, ", ".join(parts), after if mistake == "none" else "")

    @d.prop(keyword_call(), examples=0.5,
            explicit=["os.stat(path='/').st_mode", "os.mkdir('/nonexistent/x', mode=0o700)",
                      "os.chmod('/nonexistent', mode=0o644)", "os.read(fd=999, length=1)",
                      "os.symlink(src='x', dst='/nonexistent/y')", "os.stat('/', path='/')",
                      "os.listdir(path=None) == os.listdir()"])
    def os_keyword_arguments(ctx, call):
        expr = "(lambda os: %s)(__import__('os'))" % call
        ctx.same("exact/" + call, lambda c: c.eval(expr))

    # A path with a NUL in it, and the second path of link and symlink
    # refused, in CPython 3.11's words: "embedded null byte" for a str,
    # "stat: embedded null character in path" for bytes, src and dst named.
    # The paths that hold no NUL are not there, so nothing is made.
    nul_paths = st.sampled_from(["'a\\0'", "b'a\\0'", "__import__('pathlib').Path('a\\0')", "1.5",
                                 "'/nonexistent/a'", "b'/nonexistent/a'"])
    nul_calls = st.sampled_from(["os.stat({0})", "os.listdir({0})", "os.mkdir({0})", "os.rename({0}, {1})",
                                 "os.link({0}, {1})", "os.symlink({0}, {1})", "os.symlink(src={0}, dst={1})",
                                 "os.replace({0}, {1})", "open({0})", "os.open({0}, 0)", "os.access({0}, 0)",
                                 "os.readlink({0})", "os.chmod({0}, 0)", "os.stat(path={0})"])

    @d.prop(st.builds(lambda call, a, b: call.format(a, b), nul_calls, nul_paths, nul_paths), examples=0.5,
            explicit=["os.stat('a\\0')", "os.stat(b'a\\0')", "open('a\\0')",
                      "os.link(b'/nonexistent/a', b'b\\0')", "os.symlink(1.5, '/nonexistent/b')",
                      "os.rename('/nonexistent/a', b'b\\0')", "os.symlink('/nonexistent/a', '/nonexistent/b')"])
    def os_path_nul_and_names(ctx, call):
        expr = "(lambda os: %s)(__import__('os'))" % call
        ctx.same("exact/" + call, lambda c: c.eval(expr))

    # The names other builtin modules lack on RustPython, added: constants,
    # signal's as members of signal.Signals, and small functions.
    added_module_names = [
        "[(n, int(getattr(select, n))) for n in ('PIPE_BUF', 'POLLMSG', 'POLLRDBAND', 'POLLRDHUP', 'POLLRDNORM',"
        " 'POLLWRBAND', 'POLLWRNORM')]",
        "[(n, int(getattr(fcntl, n))) for n in ('DN_ACCESS', 'DN_ATTRIB', 'DN_CREATE', 'DN_DELETE', 'DN_MODIFY',"
        " 'DN_MULTISHOT', 'DN_RENAME', 'FASYNC', 'F_EXLCK', 'F_GETLK64', 'F_GETSIG', 'F_SETLK64', 'F_SETLKW64',"
        " 'F_SETSIG', 'F_SHLCK', 'LOCK_MAND', 'LOCK_READ', 'LOCK_RW', 'LOCK_WRITE')]",
        "[getattr(signal, n) for n in ('SIGCLD', 'SIGIOT', 'SIGPOLL', 'SIGRTMAX', 'SIGRTMIN')]",
        "[signal.Signals(n) for n in (6, 17, 29, 34, 64)]", "len(signal.Signals)",
        "(resource.RLIMIT_OFILE, resource.error, resource.getpagesize())",
        "resource.getpagesize(1)", "array.typecodes",
        "(threading.get_native_id() > 0, hasattr(threading.current_thread(), 'native_id'))",
        "threading.get_native_id() == threading.current_thread().native_id",
        "_thread.get_native_id(1)", "_thread.get_native_id(x=1)",
        "type(_thread.get_native_id())",
        "[m.__name__ for m in (select, fcntl, resource, array, _thread)]",
        "[(n, int(getattr(socket, n))) for n in ('AF_ROSE', 'AF_QIPCRTR', 'ALG_OP_SIGN', 'ALG_OP_VERIFY',"
        " 'ALG_SET_PUBKEY', 'EAI_ADDRFAMILY', 'IOCTL_VM_SOCKETS_GET_LOCAL_CID', 'IPV6_JOIN_GROUP', 'IPV6_LEAVE_GROUP',"
        " 'IPV6_RTHDR_TYPE_0', 'IP_BIND_ADDRESS_NO_PORT', 'IP_DEFAULT_MULTICAST_TTL', 'IP_MAX_MEMBERSHIPS',"
        " 'IP_RECVRETOPTS', 'J1939_EE_INFO_NONE', 'J1939_EE_INFO_TX_ABORT', 'J1939_FILTER_MAX', 'NI_MAXSERV',"
        " 'PACKET_BROADCAST', 'PACKET_FASTROUTE', 'PACKET_HOST', 'PACKET_LOOPBACK', 'PACKET_MULTICAST',"
        " 'PACKET_OTHERHOST', 'PACKET_OUTGOING', 'SO_INCOMING_CPU', 'TCP_NOTSENT_LOWAT')"
        " + [(n, getattr(socket, n)) for n in dir(socket) if n.startswith('TIPC_')]",
        "(socket.AF_ROSE, socket.AddressFamily(42), socket.AddressFamily.AF_QIPCRTR.value)",
        "[(n, getattr(termios, n)) for n in ('CDSUSP', 'CEOF', 'CEOL', 'CEOT', 'CERASE', 'CFLUSH', 'CINTR', 'CKILL',"
        " 'CLNEXT', 'CQUIT', 'CRPRNT', 'CSTART', 'CSTOP', 'CSUSP', 'CWERASE', 'FIOASYNC', 'IOCSIZE_MASK',"
        " 'IOCSIZE_SHIFT', 'NCC', 'N_MOUSE', 'N_PPP', 'N_SLIP', 'N_STRIP', 'N_TTY', 'TCSBRKP', 'TIOCGETD',"
        " 'TIOCGICOUNT', 'TIOCGLCKTRMIOS', 'TIOCMIWAIT', 'TIOCNOTTY', 'TIOCPKT', 'TIOCPKT_DATA', 'TIOCPKT_DOSTOP',"
        " 'TIOCPKT_FLUSHREAD', 'TIOCPKT_FLUSHWRITE', 'TIOCPKT_NOSTOP', 'TIOCPKT_START', 'TIOCPKT_STOP',"
        " 'TIOCSERCONFIG', 'TIOCSERGETLSR', 'TIOCSERGETMULTI', 'TIOCSERGSTRUCT', 'TIOCSERGWILD', 'TIOCSERSETMULTI',"
        " 'TIOCSERSWILD', 'TIOCSER_TEMT', 'TIOCSETD', 'TIOCSLCKTRMIOS', 'TIOCSSERIAL')]"]

    @d.prop(st.sampled_from(added_module_names), examples=0.1, explicit=added_module_names)
    def module_names_added(ctx, expr):
        modules = ("select", "fcntl", "signal", "resource", "array", "threading", "_thread", "socket", "termios")
        full = "(lambda %s: %s)(%s)" % (", ".join(modules), expr,
                                        ", ".join("__import__(%r)" % m for m in modules))
        ctx.same("exact/" + expr, lambda c: c.eval(full))

    # io.StringIO's arguments by position and by keyword, and the ones
    # CPython refuses, in its words.
    string_io_values = st.sampled_from(["'ab'", "'a\\nb'", "''", "None", "1", "b'x'", "['a']",
                                        "'a\\r\\nb\\rc'"])
    string_io_newlines = st.sampled_from(["'\\n'", "''", "'x'", "1", "'\\r\\n\\r'", "None", "'\\r'",
                                          "'\\r\\n'"])

    @d.prop(st.tuples(st.one_of(st.none(), string_io_values), st.one_of(st.none(), string_io_newlines),
                      st.sampled_from(["position", "keyword", "mixed", "twice"])))
    def string_io_arguments(ctx, case):
        value, newline, passing = case
        arguments = []
        if passing == "position":
            arguments = [a for a in (value, newline) if a is not None]
            if value is None and newline is not None:
                arguments = ["None", newline]
        elif passing == "keyword":
            arguments = ["%s=%s" % pair for pair in (("initial_value", value), ("newline", newline)) if pair[1] is not None]
        elif passing == "mixed":
            arguments = ([value] if value is not None else []) + (["newline=%s" % newline] if newline is not None else [])
        else:
            arguments = ["'a'", "initial_value=%s" % (value or "'b'")]
        expr = "(lambda s: (s.getvalue(), s.read()))(__import__('io').StringIO(%s))" % ", ".join(arguments)
        ctx.same("exact/" + expr, lambda c: c.eval(expr))

    # A StringIO driven through a run of its methods: positions count code
    # points, the newline mode translates writes and splits lines, a file
    # not initialized or closed refuses each method in CPython's words and
    # order. Every answer is compared through ascii() (a lone surrogate
    # cannot travel back through brine). `__setstate__` is never given None
    # as the value: CPython 3.11's `__getstate__` after it read memory it had
    # not filled (a ValueError naming a character past U+10FFFF).
    string_io_texts = st.text(alphabet=["a", "b", "\u00e9", "\n", "\r", "\u20ac", "\U0001f600", "\x00", "\ud800"],
                              max_size=6)
    string_io_sizes = st.sampled_from(["", "-1", "0", "1", "2", "5", "None", "1.5", "2**70", "True", "'1'"])
    string_io_operations = st.one_of(
        st.tuples(st.just("write"), string_io_texts.map(repr)),
        st.tuples(st.just("write"), st.sampled_from(["b'x'", "1", "None", "type('S', (str,), {})('sub')"])),
        st.tuples(st.sampled_from(["read", "readline", "truncate"]), string_io_sizes),
        st.tuples(st.just("seek"), st.sampled_from(["0", "1", "2", "3", "7", "-1", "1.0", "2**63", ""]),
                  st.sampled_from(["", "0", "1", "2", "3", "2**40"])),
        st.tuples(st.sampled_from(["tell", "getvalue", "close", "readable", "writable", "seekable",
                                   "__getstate__", "readlines", "detach", "flush", "isatty"])),
        st.tuples(st.sampled_from(["closed", "newlines", "line_buffering", "encoding", "errors"])),
        st.tuples(st.sampled_from(["next", "list", "with"])),
        st.tuples(st.just("writelines"), st.lists(string_io_texts, max_size=3).map(repr)),
        st.tuples(st.just("__setstate__"), st.sampled_from([
            "('ab\\ncd', '\\n', 1, None)", "('a\\r\\nb', None, 0, {'x': 1})", "('ab', '', 5, None)",
            "('ab', '\\n', -1, None)", "('ab', '\\n', 1.0, None)", "('ab', '\\n', 0, 5)", "('ab', '\\n')",
            "['ab', '\\n', 0, None]", "('x', '\\r', 0, None, 'extra')", "(1, '\\n', 0, None)",
            "('ab', 'x', 0, None)", "('ab', '\\n', 2**70, None)"])),
        st.tuples(st.just("__init__"), st.sampled_from(["", "'x\\ry'", "'x\\ry', None", "'a', ''", "1",
                                                         "newline='\\r\\n'", "'a\\nb', '\\r'"])),
        st.tuples(st.sampled_from(["tell", "read", "write", "getvalue"]), st.just("'extra'"), st.just("kw")),
    )
    string_io_starts = st.sampled_from([
        "io.StringIO()", "io.StringIO('h\\u00e9llo\\nw\\u00f6rld\\r\\nx\\ry')", "io.StringIO('ab\\ncd')",
        "io.StringIO(newline=None)", "io.StringIO('a\\r\\nb\\rc\\nd', newline=None)",
        "io.StringIO('a\\r\\nb\\rc\\nd', newline='')", "io.StringIO('a\\r\\nb\\rc\\nd\\n', '\\r')",
        "io.StringIO('a\\r\\nb\\rc\\nd\\n', newline='\\r\\n')", "io.StringIO.__new__(io.StringIO)",
        "type('Sub', (io.StringIO,), {})('s\\nt\\n')",
        "type('Lines', (io.StringIO,), {'readline': lambda self, *a: self.read(1) if self.tell() < 2 else b''})('abc')",
    ])

    def string_io_expression(operation):
        name = operation[0]
        if len(operation) == 3 and operation[2] == "kw":
            return "_s.%s(%s=%s)" % (name, "size" if name == "read" else "x", operation[1])
        if name == "seek":
            return "_s.seek(%s)" % ", ".join(a for a in operation[1:] if a)
        if name in ("closed", "newlines", "line_buffering", "encoding", "errors"):
            return "_s." + name
        if name == "next":
            return "next(_s)"
        if name == "list":
            return "list(_s)"
        if name == "with":
            return "(lambda f: f.__enter__() is f)(_s)"
        if name == "__init__":
            return "(_s.__init__(%s), _s.getvalue(), _s.tell(), _s.newlines)" % operation[1]
        if name == "__setstate__":
            return "(_s.__setstate__(%s), _s.__getstate__())" % operation[1]
        return "_s.%s(%s)" % (name, operation[1] if len(operation) > 1 else "")

    @d.prop(st.tuples(string_io_starts, st.lists(string_io_operations, min_size=1, max_size=8)), examples=2,
            explicit=[("io.StringIO('h\\u00e9llo')", [("read", "2"), ("tell",), ("seek", "4", ""), ("write", "'\\ud800x'"),
                                                      ("getvalue",), ("seek", "9", ""), ("write", "'z'"), ("getvalue",)]),
                      ("io.StringIO('a\\r\\nb\\rc\\nd', newline=None)", [("list",), ("newlines",), ("__getstate__",)]),
                      ("io.StringIO('a\\r\\nb\\rc\\nd', newline='')", [("readline", "2"), ("readline", ""), ("list",)]),
                      ("io.StringIO('a\\r\\nb\\rc\\nd\\n', newline='\\r\\n')", [("list",), ("getvalue",)]),
                      ("io.StringIO.__new__(io.StringIO)", [("read", ""), ("closed",), ("close",), ("closed",)]),
                      ("io.StringIO('ab')", [("close",), ("write", "1"), ("write", "'x'"), ("list",), ("closed",)])])
    def string_io_sessions(ctx, case):
        start, operations = case
        ctx.same("exact/_s = " + start, lambda c: c.execute("import io\n_s = " + start))
        for operation in operations:
            expr = string_io_expression(operation)
            ctx.same("exact/" + expr, lambda c, expr=expr: c.eval("ascii(%s)" % expr))

    # re.Match.groups and groupdict with a default for the groups that did
    # not take part, by position and by keyword, and too many arguments.
    @d.prop(st.tuples(st.sampled_from([("(?P<a>x)(?P<b>y)?", "x"), ("(x)|(y)", "y"), ("(?P<a>x)?z", "z"),
                                       ("(x)(y)", "xy"), ("x", "x")]),
                      st.sampled_from(["groups", "groupdict"]),
                      st.sampled_from(["", "None", "default=None", "''", "default='-'", "default=0", "0, default=1",
                                       "1, 2", "dflt=1", "default=b'-'"])))
    def match_group_defaults(ctx, case):
        (pattern, text), method, arguments = case
        expr = "__import__('re').match(%r, %r).%s(%s)" % (pattern, text, method, arguments)
        ctx.same("exact/" + expr, lambda c: c.eval(expr))

    # round() of an int or a bool is an exact int (round(True, 0) is 1).
    @d.prop(st.tuples(st.one_of(st.booleans(), st.integers(-10 ** 6, 10 ** 6)),
                      st.one_of(st.none(), st.integers(-4, 3))),
            explicit=[(False, 0), (True, None), (True, -1)])
    def int_rounding(ctx, case):
        number, places = case
        call = "round(%r)" % number if places is None else "round(%r, %d)" % case
        expr = "(%s, type(%s).__name__)" % (call, call)
        ctx.same(expr, lambda c: c.eval(expr))

    # Float arithmetic (and int / int), through every way Python spells
    # it. CPython sorts out the special cases itself: a negative base to a
    # fractional power is complex (in polar form), a power out of range is
    # an OverflowError, -0.0 and -inf are no negative bases, an int to a
    # negative int is a float power; //, % and divmod derive the quotient
    # from fmod and give a zero remainder the divisor's sign; a zero
    # quotient keeps its sign.
    def arithmetic_operand(x):
        return repr(x) if isinstance(x, int) else "float(%r)" % repr(x)

    arithmetic_operands = st.one_of(
        st.floats(),
        st.integers(-12, 12),
        st.integers(-12, 12).map(lambda n: n + 0.5),
        st.sampled_from([0.0, -0.0, 1.0, -1.0, 1 / 3, -1 / 3, 1e-17, -1e-17, 2.0 ** 53 + 2,
                         1e300, -1e300, 1e-300, -1e-300, 5e-324, 400.0, -401.0, 2 ** 53 - 1,
                         2 ** 53, -(2 ** 53 + 1), 2 ** 60, 10 ** 20, -(10 ** 400)]),
    )
    # (template, whether it names the right operand first); powers first.
    arithmetic_forms = [
        ("%s ** %s", False), ("pow(%s, %s)", False), ("(%s).__pow__(%s)", False),
        ("(%s).__rpow__(%s)", True),
        ("%s / %s", False), ("(%s).__truediv__(%s)", False), ("(%s).__rtruediv__(%s)", True),
        ("%s // %s", False), ("(%s).__floordiv__(%s)", False), ("(%s).__rfloordiv__(%s)", True),
        ("%s %% %s", False), ("(%s).__mod__(%s)", False), ("(%s).__rmod__(%s)", True),
        ("divmod(%s, %s)", False), ("(%s).__divmod__(%s)", False), ("(%s).__rdivmod__(%s)", True),
    ]
    powers = 4
    inf = float("inf")
    arithmetic_cases = [(-8, 1 / 3, 0), (-8.0, 1 / 3, 2), (-3, 1e-17, 0), (-0.0, 0.5, 1),
                        (10.0, 400.0, 0), (0, -1, 0), (0.0, -1.0, 2), (-inf, 0.5, 0),
                        (-1e300, 1.5, 0), (1 / 3, -8.0, 3), (False, -1, 0), (10 ** 20, -0.5, 0),
                        (0, -3, 4), (2 ** 53 + 1, 3, 4), (0, -(10 ** 400), 4), (5.0, 0.0, 5),
                        (5.0, -inf, 7), (5.0, 0.0, 8), (-5.0, 5e-324, 10), (5.0, 0.0, 11),
                        (5.0, -5.0, 13), (5.0, 0.0, 14), (1e16, -3.0, 15), (inf, 3.0, 13)]

    @d.prop(st.tuples(arithmetic_operands, arithmetic_operands,
                      st.integers(0, len(arithmetic_forms) - 1)),
            explicit=arithmetic_cases)
    def float_arithmetic(ctx, case):
        x, y, form = case
        template, reflected = arithmetic_forms[form]
        if form < powers and isinstance(y, int) and y > 64:
            y = 64  # an int to a large int power is a huge int
        if form < powers and isinstance(x, int) and isinstance(y, int) and abs(x) > 2 ** 64:
            # A 400-digit base to the 11th has more digits than CPython's
            # str() of an int allows (4,300): rpyc_classic cannot send it
            # and drops the connection.
            y = min(y, 10)
        x, y = arithmetic_operand(x), arithmetic_operand(y)
        expr = template % ((y, x) if reflected else (x, y))
        ctx.same(expr, lambda c: c.eval(expr))

    # Complex arithmetic, a complex on at least one side: CPython makes a
    # real operand complex(x, 0.0) first, divides by Smith's method,
    # multiplies out whole exponents up to 100 and takes the polar form for
    # the rest, and tells a zero or infinite phase apart by its errors.
    def complex_operand(x):
        if isinstance(x, complex):
            return "complex(float(%r), float(%r))" % (repr(x.real), repr(x.imag))
        return arithmetic_operand(x)

    complex_parts = st.one_of(
        st.floats(),
        st.integers(-4, 4).map(float),
        st.sampled_from([0.0, -0.0, 0.5, inf, -inf, float("nan"), 1e-320, 5e-324, 1e200, 1e300,
                         -1e300, 1e16, 101.0, 1e-10]),
    )
    complex_operands = st.one_of(
        st.builds(complex, complex_parts, complex_parts),
        st.builds(complex, complex_parts, complex_parts),
        complex_parts,
        st.integers(-5, 5),
        st.sampled_from([10 ** 400, True]),
    )
    complex_forms = [
        ("%s + %s", False), ("(%s).__add__(%s)", False), ("(%s).__radd__(%s)", True),
        ("%s - %s", False), ("(%s).__sub__(%s)", False), ("(%s).__rsub__(%s)", True),
        ("%s * %s", False),
        ("%s / %s", False), ("(%s).__truediv__(%s)", False), ("(%s).__rtruediv__(%s)", True),
        ("%s ** %s", False), ("pow(%s, %s)", False), ("(%s).__pow__(%s)", False),
        ("(%s).__rpow__(%s)", True), ("pow(%s, %s, 3)", False),
    ]
    complex_cases = [(1j, 2, 10), (1 + 1j, -3, 10), (1 + 1j, 101, 10), (0j, -1, 10), (0j, 1j, 11),
                     (1 + 1j, inf, 10), (complex(inf, 1), 1 + 1j, 10), (complex(inf, 1), 0.5, 10),
                     (1e200 + 1e200j, 2, 10), (complex(1, -0.0), 1.0, 0), (1.0, complex(1, -0.0), 0),
                     (1.0, complex(1, 0.0), 3), (1 + 1j, 3 + 4j, 7), (1e308 + 1e308j, 1e308 + 1e308j, 7),
                     (1 + 2j, complex(inf, 0), 7), (True, 1 + 1j, 7), (1 + 1j, 0j, 7), (1j, 2, 14),
                     (1j, 10 ** 400, 0)]

    @d.prop(st.tuples(complex_operands, complex_operands,
                      st.integers(0, len(complex_forms) - 1)),
            explicit=complex_cases)
    def complex_arithmetic(ctx, case):
        x, y, form = case
        if not isinstance(x, complex) and not isinstance(y, complex):
            x = complex(x) if isinstance(x, float) else 1j
        template, reflected = complex_forms[form]
        x, y = complex_operand(x), complex_operand(y)
        expr = template % ((y, x) if reflected else (x, y))
        ctx.same(expr, lambda c: c.eval(expr))

    # A float made an int (infinities and NaNs are errors, ties go to the
    # even neighbour, exactly), and a float's hash and hex() (subnormals
    # are reduced modulo 2**61 - 1 as other floats, and written with the
    # exponent -1022).
    float_to_int_operands = st.one_of(
        st.floats(allow_nan=False),
        st.integers(-8, 8).map(lambda n: n + 0.5),
        st.sampled_from([inf, -inf, float("nan"), 0.5000000000000001, -0.5000000000000001,
                         0.49999999999999994, 2.5000000000000004, 4503599627370495.5, 5e-324,
                         -5e-324, 1e-310, 2.225073858507201e-308, 1e22, -0.0]),
    )
    float_to_int_forms = ["int(%s)", "(%s).__int__()", "(%s).__trunc__()", "(%s).__floor__()",
                          "(%s).__ceil__()", "round(%s)", "(%s).__round__()", "(%s).__round__(None)",
                          "(%s).__round__(2)", "(%s).__round__(-1)", "hash(%s)", "(%s).hex()",
                          "hash(complex(%s, 1.5))", "hash(complex(-2.0, %s))"]

    @d.prop(st.tuples(float_to_int_operands, st.integers(0, len(float_to_int_forms) - 1)),
            explicit=[(inf, 0), (float("nan"), 3), (0.5000000000000001, 5), (-0.5000000000000001, 6),
                      (5e-324, 10), (-5e-324, 11), (1e-310, 12), (2.225073858507201e-308, 11)])
    def float_to_int(ctx, case):
        x, form = case
        template = float_to_int_forms[form]
        if template.startswith("hash") and x != x:
            return  # a NaN hashes by its object's address
        expr = template % arithmetic_operand(x)
        ctx.same(expr, lambda c: c.eval(expr))

    # format() of a float through the whole spec grammar: fill, alignment,
    # sign, z, #, 0, width, a thousands separator (grouping only the digits
    # before a point, an exponent or a %, with zero padding grouped too),
    # precision and every float type, none included (at least one digit,
    # and one after the point in fixed notation).
    float_specs = st.tuples(
        st.sampled_from(["", "", "<", ">", "^", "=", "*<", "0>", "x=", " ^"]),
        st.sampled_from(["", "", "+", "-", " "]),
        st.sampled_from(["", "", "z"]),
        st.sampled_from(["", "", "#"]),
        st.sampled_from(["", "", "0"]),
        st.sampled_from(["", "", "1", "5", "10", "13", "20"]),
        st.sampled_from(["", ",", "_"]),
        st.sampled_from(["", "", ".0", ".1", ".3", ".10", ".17"]),
        st.sampled_from(["", "e", "E", "f", "F", "g", "G", "%"]),
    ).map("".join)
    format_values = st.one_of(
        st.floats(),
        st.sampled_from([1e16, -1e16, 1e-7, 1234.5, -1234567.891, 0.0, -0.0, 12345.678, 1e22,
                         5e-324, 999999.9999, 0.001234, 1e100, -9.99e15, 0.5, 100.0, -0.0001]),
    )

    @d.prop(st.tuples(format_values, float_specs),
            explicit=[(1e16, ","), (1e16, "012,"), (12345.678, ",.0%"), (float("inf"), "010,"),
                      (0.0, ".3"), (0.5, ".0"), (1e16, "#"), (-0.0, "z"), (-0.0001, "+z.2f"),
                      (1234.5, "09,.1f")])
    def float_format(ctx, case):
        value, spec = case
        expr = "format(float(%r), %r)" % (repr(value), spec)
        ctx.same(expr, lambda c: c.eval(expr))

    # format() of text, ints and complex numbers by the whole spec grammar
    # (the float one above, with the types every kind refuses): what each
    # writes, and every refusal word for word.
    any_type_specs = st.tuples(float_specs, st.sampled_from(["", "", "s", "d", "x", "c", "n", "b", "%", "q"])).map(
        lambda t: t[0][:-1] + t[1] if t[0][-1:].isalpha() or t[0][-1:] == "%" else t[0] + t[1])
    spec_subjects = st.sampled_from(["'ab'", "'é'", "''", "42", "-7", "True", "(1+2j)", "-0j", "10 ** 20", "65"])

    @d.prop(st.tuples(spec_subjects, any_type_specs),
            explicit=[("'a'", "+"), ("'a'", "=5"), ("'a'", "#"), ("'a'", "z"), ("'a'", ","), ("'a'", "d"),
                      ("1", "abc"), ("1", ".2d"), ("1", "+c"), ("(1+2j)", "010"), ("(1+2j)", "=5"),
                      ("True", "abc"), ("'a'", "05"), ("'a'", " ^5"), ("1", "_x"), ("1", ",x")])
    def text_int_complex_format(ctx, case):
        subject, spec = case
        expr = "format(%s, %r)" % (subject, spec)
        ctx.same("exact/" + expr, lambda c: c.eval(expr))

    # str.format's own grammar, generated from its pieces: braces single and
    # doubled, fields numbered by hand and automatically, names with
    # attributes and indexes, conversions, specs with fields of their own,
    # and text between; through format() and format_map(). What it fills
    # and every error it gives are compared ("exact/": the wording too).
    format_pieces = st.sampled_from(["{", "}", "{}", "{0}", "{1}", "{2}", "{a}", "{b}", "[", "]", "!",
                                     ":", ".", "0", "1", "a", "r", "s", "x", "real", ">5", "{{", "}}",
                                     " ", "é", "{0[1]}", "{a[0]}", "{0.real}", "{!r}", "{:{}}", "{0:{1}}",
                                     "{a!s:>4}", "{1[0]!a}", "99999999999999999999", "-", "[x]"])
    format_strings = st.lists(format_pieces, max_size=8).map("".join)

    @d.prop(st.tuples(format_strings, st.booleans()),
            explicit=[("{}", False), ("{1}", False), ("{:{}}", False), ("{", False), ("}", False),
                      ("{0[}", False), ("{0.}", False), ("{!}", False), ("{!x}", False),
                      ("{:{:{}}}", False), ("{x}}", False), ("{0} {}", False), ("{} {0}", False),
                      ("{0}", True), ("{a}", True), ("{0[]}", False), ("{0]}", False),
                      ("{0[0]x}", False), ("{99999999999999999999}", False), ("a{{b}}c", False)])
    def str_format_fields(ctx, case):
        text, as_map = case
        if as_map:
            expr = "%r.format_map({'a': [10, 20], 'b': 'x'})" % text
        else:
            expr = "%r.format(1.5, [7, 8], ('t', 'u'), a={'0': 'z', 'b': 2}, b=-3)" % text
        ctx.same("exact/" + expr, lambda c: c.eval(expr))

    # math's one-argument functions at and past the edges of their domains,
    # what they give and how they refuse ("math domain error" in 3.11).
    math_functions = st.sampled_from(["sqrt", "log", "log2", "log10", "log1p", "exp", "expm1", "acos",
                                      "asin", "atan", "acosh", "asinh", "atanh", "cos", "sin", "tan",
                                      "cosh", "sinh", "tanh", "gamma", "lgamma", "erf", "erfc",
                                      "floor", "ceil", "trunc", "fabs", "factorial", "isqrt"])
    math_arguments = st.sampled_from(["-1", "0", "1", "2", "-0.0", "0.5", "-2", "1e308", "-1e308",
                                      "float('inf')", "float('-inf')", "float('nan')", "-3", "10", "'a'"])

    @d.prop(st.tuples(math_functions, math_arguments),
            explicit=[("sqrt", "-1"), ("log", "0"), ("acos", "2"), ("cos", "float('inf')"),
                      ("gamma", "0"), ("lgamma", "-1"), ("atanh", "1"), ("log1p", "-1")])
    def math_domain(ctx, case):
        function, argument = case
        expr = "__import__('math').%s(%s)" % (function, argument)
        ctx.same("exact/" + expr, lambda c: c.eval(expr))

    # Errors that client code meets most, held to CPython's exact wording
    # ("exact/" labels are exempt from the interpreter-message allowance):
    # a sequence concatenated with what it cannot take, an index past the
    # end of a str or a bytearray, a value list.index or list.remove does
    # not find, round() of what has no __round__, a sequence multiplied by
    # or indexed with what is not an int, an item deleted past the end;
    # joins of what is not
    # text, dicts from what are not pairs, the builtins' refusals (min,
    # max, divmod, pow, issubclass, next, float) and %d of
    # what is not a number.
    sequence_values = st.sampled_from(["'ab'", "[1, 2]", "(1, 2)", "b'ab'", "bytearray(b'ab')"])
    other_values = st.sampled_from(["1", "1.5", "None", "'x'", "[3]", "(3,)", "b'x'", "{}",
                                    "bytearray(b'x')", "memoryview(b'x')", "{1}", "range(2)"])
    join_items = ["[1, 2]", "['a', 1]", "[b'a', 'b']", "(x for x in ['a', 2])", "1", "[]", "['a']",
                  "[b'a']", "('a', 'b')", "[memoryview(b'a'), bytearray(b'b')]", "iter(['x', 'y'])",
                  "[None]", "{'k': 1}"]
    dict_arguments = ["[1]", "[(1, 2, 3)]", "[[1]]", "['ab', 'c']", "[(1, 2), 3]", "1", "[iter([1, 2])]",
                      "[(1, 2)]", "{'a': 1}", "[(1, 2)], a=3", "[], b=4", "iter([{1, 2}])", "[b'xy']",
                      "(x for x in [(1, 2), 'abc'])", "None",
                      "type('K', (), {'keys': lambda s: ['a'], '__getitem__': lambda s, k: 1})()",
                      "type('G', (), {'__getattr__': lambda s, n: (lambda: ['z']) if n == 'keys' else 0,"
                      " '__getitem__': lambda s, k: 3})()",
                      "(lambda o: (setattr(o, 'keys', lambda: ['i']), o)[1])"
                      "(type('O', (), {'__getitem__': lambda s, k: 2})())",
                      "type('L', (list,), {})([(5, 6)])"]
    extremum_arguments = ["[]", "()", "iter([])", "[], default=0", "[], key=len", "1", "[1, 'a']",
                          "x for x in []", "'ab'", "[3, 1, 2], key=lambda v: -v", "", "1, 2, default=0",
                          "[1], y=2", "z=1", "[2, 2.0]", "[2.0, 2]", "[], key=None, default=None"]
    class_arguments = ["2", "int", "(int, 2)", "[int]", "'a'", "int | str", "(str, (int,))", "None"]
    next_arguments = ["1", "'abc'", "iter([])", "iter([1])", "[]", "(x for x in [])", "None"]
    unbound_calls = ["str.upper(%s)", "list.append(%s, 1)", "dict.get(%s, 1)", "int.bit_length(%s)",
                     "float.hex(%s)", "bytes.hex(%s)", "set.add(%s, 1)", "tuple.count(%s, 1)",
                     "str.__format__(%s, '')", "int.__format__(%s, '')", "list.__getitem__(%s, 0)",
                     "str.__getitem__(%s, 0)", "list.index(%s, 3)", "str.format(%s)",
                     "complex.__repr__(%s)", "float.__round__(%s)", "str.join(%s, [])", "dict.update(%s, [])",
                     "bytearray.join(%s, [])", "list.__add__(%s, [])",
                     "tuple.__getitem__(%s, 0)", "float.__hash__(%s)"]
    # Builtins and methods with the counts of positional arguments each
    # takes; called with any other count up to five.
    arities = {"len": {1}, "abs": {1}, "getattr": {2, 3}, "divmod": {2}, "isinstance": {2}, "hasattr": {2},
               "setattr": {3}, "round": {1, 2}, "sorted": {1}, "sum": {1, 2}, "pow": {2, 3}, "iter": {1, 2},
               "next": {1, 2}, "repr": {1}, "chr": {1}, "ord": {1}, "hex": {1}, "callable": {1}, "id": {1},
               "hash": {1}, "format": {1, 2}, "vars": {0, 1}, "dir": {0, 1}, "[].append": {1},
               "[].insert": {2}, "[].pop": {0, 1}, "[].index": {1, 2, 3}, "[].count": {1}, "[].copy": {0},
               "{}.get": {1, 2}, "{}.pop": {1, 2}, "{}.keys": {0}, "'a'.upper": {0}, "'a'.split": {0, 1, 2},
               "'a'.join": {1}, "'a'.replace": {2, 3}, "'a'.startswith": {1, 2, 3}, "'a'.center": {1, 2},
               "(1).bit_length": {0}, "set().add": {1}, "dict.fromkeys": {1, 2}, "int.from_bytes": {1, 2},
               "list.append": {2}, "str.upper": {1}, "bytes.hex": {1, 2, 3}, "'a'.encode": {0, 1, 2},
               "(1.5).is_integer": {0}, "b'a'.decode": {0, 1, 2}, "str.join": {2}, "(1).to_bytes": {0, 1, 2},
               "min": set(), "max": set(), "bytearray().extend": {1}, "(1, 2).index": {1, 2, 3},
               "__import__('math').pow": {2}, "__import__('math').sqrt": {1}, "__import__('math').log": {1, 2},
               "__import__('operator').abs": {1}, "__import__('operator').index": {1},
               "__import__('cmath').phase": {1}, "__import__('zlib').crc32": {1, 2},
               "int": {0, 1, 2}, "str": {0, 1, 2, 3}, "list": {0, 1}, "dict": {0, 1}, "range": {1, 2, 3},
               "enumerate": {1, 2}, "reversed": {1}, "object": {0}, "complex": {0, 1, 2}, "slice": {1, 2, 3},
               "UnicodeDecodeError": {5}, "UnicodeTranslateError": {4}, "memoryview": {1}, "staticmethod": {1}}
    wrong_counts = st.sampled_from(sorted(arities)).flatmap(
        lambda name: st.sampled_from([n for n in range(6) if n not in arities[name]] or [0]).map(
            lambda n: "%s(%s)" % (name, ", ".join(["1"] * n))))
    common_error_forms = st.one_of(
        wrong_counts,
        st.tuples(st.sampled_from(unbound_calls), other_values).map(lambda t: t[0] % t[1]),
        st.sampled_from([call.split("(")[0] + "()" for call in unbound_calls]),
        st.tuples(sequence_values, other_values).map(lambda t: "%s + %s" % t),
        st.tuples(sequence_values, other_values).map(lambda t: "(%s).__add__(%s)" % t),
        st.tuples(sequence_values, other_values).map(lambda t: "%s * %s" % t),
        st.tuples(other_values, sequence_values).map(lambda t: "%s * %s" % t),
        st.tuples(st.sampled_from(["'abc'", "bytearray(b'abc')", "[1]", "(1,)", "b'a'"]),
                  st.integers(-6, 6)).map(lambda t: "%s[%d]" % t),
        st.tuples(st.sampled_from(["'abc'", "bytearray(b'abc')"]),
                  st.integers(-6, 6)).map(lambda t: "(%s).__getitem__(%d)" % t),
        st.integers(-6, 6).map(lambda i: "(lambda b: b.__setitem__(%d, 1))(bytearray(b'abc'))" % i),
        st.integers(-6, 6).map(lambda i: "(lambda b: b.__delitem__(%d))(bytearray(b'abc'))" % i),
        st.integers(-6, 6).map(lambda i: "(lambda l: (l.__delitem__(%d), l))([1, 2, 3])" % i),
        st.tuples(st.sampled_from(["'abc'", "[1, 2]", "(1, 2)", "b'ab'", "bytearray(b'ab')", "range(3)"]),
                  other_values).map(lambda t: "%s[%s]" % t),
        st.tuples(st.sampled_from(["'abc'", "[1, 2]", "(1, 2)", "b'ab'", "bytearray(b'ab')", "range(3)"]),
                  other_values).map(lambda t: "(%s).__getitem__(%s)" % t),
        other_values.map(lambda v: "[1, 'a', None].index(%s)" % v),
        other_values.map(lambda v: "[1, 'a', None].remove(%s)" % v),
        other_values.map(lambda v: "[1, 'a', None].index(%s, 1, 2)" % v),
        other_values.map(lambda v: "round(%s)" % v),
        other_values.map(lambda v: "round(%s, 1)" % v),
        st.tuples(st.sampled_from(["','", "''", "b','", "bytearray(b',')"]),
                  st.sampled_from(join_items)).map(lambda t: "%s.join(%s)" % t),
        st.tuples(st.sampled_from(["dict(%s)", "(lambda d: (d.update(%s), d))({0: 0})"]),
                  st.sampled_from(dict_arguments)).map(lambda t: t[0] % t[1]),
        st.tuples(st.sampled_from(["min", "max"]),
                  st.sampled_from(extremum_arguments)).map(lambda t: "%s(%s)" % t),
        st.tuples(other_values, other_values).map(lambda t: "divmod(%s, %s)" % t),
        st.tuples(other_values, st.sampled_from(["2", "'x'"]),
                  st.sampled_from(["None", "5", "'m'", "5.0"])).map(lambda t: "pow(%s, %s, %s)" % t),
        st.sampled_from(class_arguments).map(lambda v: "issubclass(%s, int)" % v),
        st.sampled_from(class_arguments).map(lambda v: "issubclass(bool, %s)" % v),
        st.tuples(st.sampled_from(next_arguments), st.booleans()).map(
            lambda t: "next(%s, 'default')" % t[0] if t[1] else "next(%s)" % t[0]),
        other_values.map(lambda v: "float(%s)" % v),
        st.tuples(st.sampled_from(["'%d'", "'%i'", "'%u'", "'%x'", "'%f'", "b'%d'", "bytearray(b'%u')"]),
                  other_values).map(lambda t: "%s %% %s" % t),
    )

    @d.prop(common_error_forms,
            explicit=["'a' + 1", "[1] + 1", "(1,) + 1", "b'a' + 1", "bytearray(b'a') + 'x'",
                      "'a'.__add__(1)", "'abc'[5]", "bytearray(b'a')[5]", "[1].index(2)",
                      "[1].remove(2)", "round('a')", "','.join([1, 2])", "b','.join(['a'])",
                      "''.join(1)", "dict([1])", "dict([(1, 2, 3)])", "max([])", "min(x for x in [])",
                      "divmod('a', 1)", "pow('a', 1, 2)", "pow(2, 3, 5.0)", "issubclass(1, int)",
                      "next(1)", "float(None)", "'%d' % 'a'", "b'%i' % b'a'", "'a' * 'b'", "[1] * 'x'",
                      "'a' * (10 ** 20)", "1.5 * (1,)", "[1]['a']", "'abc'['a']", "range(3)[1.5]",
                      "(lambda l: l.__delitem__(5))([1])", "3 * (1, 2)", "True * 'ab'",
                      "__import__('collections').deque([1]) * 'ab'", "'ab' * __import__('collections').deque([1])",
                      "[1] * __import__('itertools').count()", "next(__import__('functools').partial(int))",
                      "2 * type('S', (str,), {})('ab')", "-1 * [1]", "(10 ** 20) * b'a'",
                      "str.upper(1)", "str.upper()", "list.append()", "str.__dict__['join'](object(), [])",
                      "dict.update(1, [])", "list.__getitem__(1, 0)", "complex.__repr__(1)",
                      "__import__('collections').deque.append(1, 2)",
                      "__import__('collections').deque.append()",
                      "repr(type('D', (dict,), {'__setitem__': lambda s, k, v: None})([(1, 2)]))",
                      "(lambda l: [dict(l), l])([(1, 2), (3, 4)])", "len()", "[].append()", "getattr(1)",
                      "round()", "'a'.split(1, 2, 3)", "list.append([])", "dict.fromkeys()",
                      "[1][__import__('collections').deque()]", "'ab'[__import__('collections').deque()]",
                      # The same failing calls at a hot call site.
                      "(lambda ns: (exec('def f():\\n s = set()\\n for _ in range(200):\\n"
                      "  for call in (lambda: len(), lambda: [].append(), lambda: str.upper(1)):\\n"
                      "   try: call()\\n   except TypeError as e: s.add(str(e))\\n return sorted(s)', ns),"
                      " ns['f']())[1])({})"])
    def common_errors(ctx, expr):
        ctx.same("exact/" + expr, lambda c: c.eval(expr))

    # What help() and inspect.signature() read of a remote builtin: its doc,
    # text signature, qualified name, module and what it is bound to, read
    # on the server, and the signature and help text the client's inspect
    # and pydoc make of the netref. Functions, methods (unbound and bound),
    # slot wrappers (some are methods on RustPython), module functions,
    # types, and classes with a doc of their own.
    documented = [
        "len", "sum", "print", "round", "min", "max", "divmod", "pow", "sorted", "isinstance", "getattr",
        "compile", "exec", "eval", "__import__", "__build_class__", "iter", "next", "format", "abs",
        "repr", "hash", "chr", "vars", "dir", "globals", "any", "hasattr",
        "list.append", "list.sort", "list.index", "dict.get", "dict.fromkeys", "dict.update", "str.join",
        "str.split", "str.upper", "str.format", "bytes.hex", "int.from_bytes", "int.to_bytes",
        "float.hex", "set.add", "tuple.count", "object.__init_subclass__", "object.__dir__",
        "object.__reduce_ex__", "object.__format__", "dict.__getitem__", "list.__getitem__",
        "list.__len__", "list.__init__", "int.__add__", "object.__init__", "object.__repr__",
        "str.__getitem__", "int.__floordiv__", "object.__setattr__", "object.__delattr__",
        "dict.__contains__", "set.__contains__", "str.__mod__", "float.__round__",
        "[].append", "{}.get", "'a'.join", "(1).to_bytes", "[].__len__",
        "[].__init__",
        "__import__('math').sqrt", "__import__('math').log", "__import__('math').pow",
        "__import__('cmath').phase", "__import__('operator').add", "__import__('time').time",
        "__import__('time').sleep", "__import__('zlib').crc32", "__import__('binascii').hexlify",
        "__import__('os').listdir", "__import__('os').stat", "__import__('sys').getsizeof",
        "__import__('sys').exc_info", "__import__('functools').reduce",
        "int", "list", "float", "object", "type", "range", "zip", "ValueError", "FloatingPointError",
        "__import__('collections').deque", "__import__('itertools').chain", "__import__('functools').partial",
        "__import__('itertools').count", "__import__('array').array", "bool",
        "__import__('hashlib').sha256", "__import__('hashlib').blake2b", "__import__('_hashlib').HASH",
        "__import__('_hashlib').HASHXOF", "__import__('_hashlib').HMAC", "__import__('_hashlib').new",
        "__import__('hashlib').blake2s().update", "__import__('hashlib').md5().hexdigest",
    ]
    # The docs of attributes with a getter or a member (`help()` lists them
    # under "Data descriptors").
    attribute_docs = ["int.real", "int.numerator", "complex.imag", "float.real", "slice.start",
                      "property.fget", "type.__dict__['__name__']", "BaseException.args",
                      "UnicodeError.__dict__.get('encoding')", "__import__('_hashlib').HASH.name",
                      "__import__('hashlib').blake2b.digest_size", "__import__('_hashlib').HMAC.block_size",
                      "type(lambda: 0).__dict__['__code__']", "staticmethod.__func__"]

    @d.prop(st.sampled_from(attribute_docs), examples=0.05, explicit=attribute_docs)
    def attribute_docs_of_builtins(ctx, expr):
        ctx.same("exact/doc " + expr, lambda c: c.eval("(%s).__doc__" % expr))
    # Classes with a doc of their own, given or set: only what the server
    # reads (inspect.signature() of a remote class drops rpyc_classic's
    # connection).
    own_classes = ["type('C', (), {'__doc__': 'a class of its own'})",
                   "(lambda C: (setattr(C, '__doc__', 'set here'), C)[1])(type('C', (), {}))"]
    # Slot wrappers that are methods in RustPython: pydoc lays out each kind
    # of object its own way.
    other_kind = {"dict.__getitem__", "str.__getitem__", "int.__floordiv__", "object.__setattr__",
                  "object.__delattr__", "dict.__contains__", "set.__contains__", "str.__mod__"}
    described = ("(lambda f: (f.__doc__, getattr(f, '__text_signature__', None), f.__qualname__,"
                 " getattr(f, '__module__', None), type(f.__self__).__name__ if hasattr(f, '__self__')"
                 " else None))(%s)")

    def client_signature(netref):
        import inspect
        try:
            return str(inspect.signature(netref))
        except ValueError:
            return "no signature"  # (its message has the object's address)

    def client_help(netref):
        import pydoc
        return pydoc.render_doc(netref, renderer=pydoc.plaintext)

    @d.prop(st.sampled_from(documented + own_classes), explicit=documented + own_classes)
    def builtin_docs(ctx, expr):
        ctx.same("exact/doc " + expr, lambda c: c.eval(described % expr))
        if expr in own_classes:
            return
        ctx.same("exact/signature " + expr, lambda c: client_signature(c.eval(expr)))
        if expr not in other_kind:
            ctx.same("exact/help " + expr, lambda c: client_help(c.eval(expr)))

    # The CJK codecs (RustPython has none of its own; the server gives its
    # interpreters CPython's, `oxrpc_python`'s `cjk_codecs`): generated
    # bytes decoded and texts encoded by each, with the built-in handlers.
    cjk_codecs = ["shift_jis", "cp932", "euc_jp", "shift_jis_2004", "shift_jisx0213",
                  "euc_jis_2004", "euc_jisx0213", "gb2312", "gbk", "gb18030", "hz", "big5",
                  "cp950", "big5hkscs", "euc_kr", "cp949", "johab"]
    cjk_text = st.text(st.one_of(st.characters(max_codepoint=0x7F),
                                 st.characters(min_codepoint=0x3000, max_codepoint=0x30FF),
                                 st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
                                 st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3),
                                 st.characters(blacklist_categories=("Cs",))), max_size=10)
    cjk_errors = st.sampled_from(["strict", "replace", "ignore", "backslashreplace",
                                  "xmlcharrefreplace", "surrogateescape", "namereplace"])

    @d.prop(st.tuples(st.sampled_from(cjk_codecs), st.binary(max_size=12), cjk_text, cjk_errors))
    def cjk_codecs_both_ways(ctx, example):
        codec, data, text, errors = example
        ctx.same("decode", lambda c: c.eval("ascii(%r.decode(%r, %r))" % (data, codec, errors)))
        ctx.same("encode", lambda c: c.eval("%r.encode(%r, %r)" % (text, codec, errors)))

    # The ISO-2022 codecs: byte strings made of escapes (designations of
    # every set, some the codec lacks), shifts, single shifts and any bytes,
    # decoded whole and in two calls with the state between; texts of many
    # sets encoded whole and in two calls.
    iso2022_codecs = ["iso2022_kr", "iso2022_jp", "iso2022_jp_1", "iso2022_jp_2",
                      "iso2022_jp_2004", "iso2022_jp_3", "iso2022_jp_ext"]
    iso2022_pieces = st.one_of(st.sampled_from([
        b"\x1b(B", b"\x1b(J", b"\x1b(I", b"\x1b$@", b"\x1b$B", b"\x1b$A", b"\x1b$(C",
        b"\x1b$(D", b"\x1b$(Q", b"\x1b$(P", b"\x1b$(O", b"\x1b$)C", b"\x1b.A", b"\x1b.F",
        b"\x1bN", b"\x1b&@", b"\x1b&@\x1b$B", b"\x0e", b"\x0f", b"\n", b"\x1b", b"0!", b"$w"]),
        st.binary(min_size=1, max_size=3))
    iso2022_data = st.lists(iso2022_pieces, max_size=8).map(b"".join)
    iso2022_text = st.text(st.one_of(st.characters(max_codepoint=0x7F),
                                     st.characters(min_codepoint=0x80, max_codepoint=0x3FF),
                                     st.characters(min_codepoint=0x3000, max_codepoint=0x30FF),
                                     st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
                                     st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3),
                                     st.characters(min_codepoint=0xFF61, max_codepoint=0xFF9F),
                                     st.characters(blacklist_categories=("Cs",))), max_size=10)

    @d.prop(st.tuples(st.sampled_from(iso2022_codecs), iso2022_data, iso2022_text, cjk_errors,
                      st.integers(0, 24)))
    def iso2022_codecs_both_ways(ctx, example):
        codec, data, text, errors, split = example
        ctx.same("decode", lambda c: c.eval("ascii(%r.decode(%r, %r))" % (data, codec, errors)))
        ctx.same("encode", lambda c: c.eval("%r.encode(%r, %r)" % (text, codec, errors)))
        ctx.same("decode in two calls", lambda c: c.eval(
            "(lambda d: ascii((d.decode(%r), d.getstate(), d.decode(%r, True), d.getstate())))"
            "(__import__('codecs').getincrementaldecoder(%r)(%r))"
            % (data[:split], data[split:], codec, errors)))
        ctx.same("encode in two calls", lambda c: c.eval(
            "(lambda e: (e.encode(%r), e.getstate(), e.encode(%r, True), e.getstate()))"
            "(__import__('codecs').getincrementalencoder(%r)(%r))"
            % (text[:split // 2], text[split // 2:], codec, errors)))

    # The 8-bit codecs (the charmap codec under them, `oxrpc_python`'s
    # `as_cpython::charmap`): generated bytes decoded and texts encoded by
    # each with every built-in handler, and the charmap functions called
    # with tables, dicts and maps of the client's making.
    charmap_codecs = ["cp1252", "cp437", "cp850", "cp1251", "koi8_r", "koi8_u", "mac_roman",
                      "iso8859_2", "iso8859_7", "iso8859_15", "cp1006", "hp_roman8", "ptcp154",
                      "cp037", "tis_620", "cp864"]
    charmap_text = st.text(st.one_of(st.characters(max_codepoint=0x7F),
                                     st.characters(min_codepoint=0x80, max_codepoint=0x4FF),
                                     st.sampled_from("€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ\u2500\u2591\ufffe"),
                                     st.characters(blacklist_categories=("Cs",))), max_size=12)
    charmap_errors = st.sampled_from(["strict", "replace", "ignore", "backslashreplace",
                                      "xmlcharrefreplace", "surrogateescape", "namereplace",
                                      "surrogatepass"])
    charmap_tables = st.one_of(
        st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=8),
        st.dictionaries(st.integers(0, 300), st.one_of(st.none(), st.integers(-1, 0x110001),
                                                        st.text(max_size=2), st.binary(max_size=2),
                                                        st.just(1.5)), max_size=6))

    @d.prop(st.tuples(st.sampled_from(charmap_codecs), st.binary(max_size=16), charmap_text,
                      charmap_errors, charmap_tables, charmap_text))
    def charmap_codecs_both_ways(ctx, example):
        codec, data, text, errors, table, table_text = example
        ctx.same("decode", lambda c: c.eval("ascii(%r.decode(%r, %r))" % (data, codec, errors)))
        ctx.same("encode", lambda c: c.eval("%r.encode(%r, %r)" % (text, codec, errors)))
        ctx.same("charmap_decode", lambda c: c.eval(
            "ascii(__import__('codecs').charmap_decode(%r, %r, %r))" % (data, errors, table)))
        ctx.same("charmap_encode", lambda c: c.eval(
            "__import__('codecs').charmap_encode(%r, %r, %r)" % (text, errors, table)))
        ctx.same("charmap_build", lambda c: c.eval(
            "(lambda m: (type(m).__name__, m.size() if hasattr(m, 'size') else sorted(m.items()),"
            " __import__('codecs').charmap_encode(%r, %r, m)))(__import__('codecs').charmap_build(%r))"
            % (text, errors, "\x00" + table_text if table_text[:1] != "x" else table_text)))

    # `codecs.utf_16_decode`, `utf_32_le_encode` and their kin called
    # directly (the incremental codecs' and TextIOWrapper's path;
    # `oxrpc_python`'s `as_cpython::wide_codec_functions`), and UTF-16 and
    # UTF-32 text read through TextIOWrapper in small chunks.
    wide_pieces = st.one_of(st.sampled_from([b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00",
                                             b"\x00\x00\xfe\xff", b"\x00\xd8", b"\xd8\x00",
                                             b"\x00\xdc", b"\xdc\x00", b"a\x00", b"\x00a",
                                             b"=\xd8\x00\xde", b"\x00\x00\x11\x00"]),
                            st.binary(min_size=1, max_size=3))
    wide_data = st.lists(wide_pieces, max_size=6).map(b"".join)
    wide_decoders = st.sampled_from(["utf_16_decode", "utf_16_le_decode", "utf_16_be_decode",
                                     "utf_32_decode", "utf_32_le_decode", "utf_32_be_decode"])
    wide_encoders = st.sampled_from(["utf_16_encode", "utf_16_le_encode", "utf_16_be_encode",
                                     "utf_32_encode", "utf_32_le_encode", "utf_32_be_encode"])
    wide_text = st.text(st.one_of(st.characters(max_codepoint=0x7F),
                                  st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
                                  st.characters()), max_size=6)

    def wide_call(c, expression):
        # Answers and errors as ASCII: an error about a lone surrogate
        # cannot cross rpyc's wire (brine writes text as UTF-8).
        c.execute("def _oxrpc_wide_call(f):\n    try:\n        return ('ok', ascii(f()))\n"
                  "    except Exception as error:\n"
                  "        return ('raise', type(error).__name__, ascii(str(error)))")
        return c.eval("_oxrpc_wide_call(lambda: %s)" % expression)

    @d.prop(st.tuples(wide_decoders, wide_encoders, wide_data, wide_text, cjk_errors,
                      st.booleans(), st.sampled_from([-1, 0, 1, 2]), st.integers(1, 9)))
    def wide_codec_functions(ctx, example):
        decoder, encoder, data, text, errors, final, order, chunk = example
        ctx.same("decode", lambda c: wide_call(c, "__import__('codecs').%s(%r, %r, %r)"
                                               % (decoder, data, errors, final)))
        ex = decoder[:6] + "_ex_decode"
        ctx.same("ex_decode", lambda c: wide_call(c, "__import__('codecs').%s(%r, %r, %d, %r)"
                                                  % (ex, data, errors, order, final)))
        if encoder in ("utf_16_encode", "utf_32_encode"):
            call = "__import__('codecs').%s(%r, %r, %d)" % (encoder, text, errors, order)
        else:
            call = "__import__('codecs').%s(%r, %r)" % (encoder, text, errors)
        ctx.same("encode", lambda c: wide_call(c, call))
        encoding = decoder[:6].replace("_", "-")
        ctx.same("text wrapper", lambda c: c.eval(
            "(lambda io: (lambda w: (setattr(w, '_CHUNK_SIZE', %d), ascii(w.read())))"
            "(io.TextIOWrapper(io.BytesIO(%r), encoding=%r, errors=%r)))(__import__('io'))"
            % (chunk, data, encoding, errors)))

    # XML documents the client writes with its own ElementTree, read on the
    # server by its ElementTree and minidom (the server's pyexpat under
    # them): elements, attributes (some namespaced), text and tails. Only
    # well-formed ones: RustPython's pyexpat reports no well-formedness
    # errors (ElementTree then fails with an AssertionError, not ParseError).
    xml_names = st.sampled_from(["a", "b", "item", "cfg", "x-y", "n:k", "_u", "é"])
    xml_text = st.one_of(st.none(), st.text(st.characters(min_codepoint=32, max_codepoint=0x2FF,
                                                           blacklist_categories=("Cs",)), max_size=6))
    xml_elements = st.recursive(
        st.tuples(xml_names, st.dictionaries(xml_names, xml_text.filter(lambda t: t is not None),
                                             max_size=3), xml_text, xml_text, st.just([])),
        lambda children: st.tuples(xml_names, st.dictionaries(xml_names, xml_text.filter(lambda t: t is not None),
                                                              max_size=3),
                                   xml_text, xml_text, st.lists(children, max_size=3)),
        max_leaves=8)

    def xml_document(tree):
        import xml.etree.ElementTree as ET

        def build_element(node, parent=None):
            tag, attrib, text, tail, children = node
            tag = tag.replace("n:", "{urn:n}")
            attrib = {k.replace("n:", "{urn:n}"): v for k, v in attrib.items()}
            el = ET.Element(tag, attrib) if parent is None else ET.SubElement(parent, tag, attrib)
            el.text = text
            if parent is not None:
                el.tail = tail
            for child in children:
                build_element(child, el)
            return el
        return ET.tostring(build_element(tree), encoding="unicode")

    @d.prop(xml_elements)
    def xml_documents(ctx, tree):
        try:
            document = xml_document(tree)
        except ValueError:
            return  # a name the client's ElementTree cannot write
        ctx.same("ElementTree reads", lambda c: c.eval(
            "[(e.tag, sorted(e.attrib.items()), e.text, e.tail) for e in "
            "__import__('xml.etree.ElementTree').etree.ElementTree.fromstring(%r).iter()]" % document))
        ctx.same("ElementTree writes", lambda c: c.eval(
            "(lambda ET: ET.tostring(ET.fromstring(%r), encoding='unicode'))"
            "(__import__('xml.etree.ElementTree').etree.ElementTree)" % document))
        ctx.same("minidom reads", lambda c: c.eval(
            "(lambda d: sorted(d.documentElement.attributes.items()))"
            "(__import__('xml.dom.minidom').dom.minidom.parseString(%r))" % document))

    return d


if __name__ == "__main__":
    dk.main(build())
