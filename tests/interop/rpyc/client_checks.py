"""Drives an oxrpc RPyC server (the Rust test service of
crates/oxrpc-rpyc/tests/common/mod.rs) with the real rpyc 6.0.2 client.

Usage: client_checks.py HOST PORT

Every check runs even when an earlier one fails; the script prints one line
per check, a summary, and exits non-zero if anything failed.
"""

import gc
import math
import os
import sys
import time
import traceback

import rpyc

HOST, PORT = sys.argv[1], int(sys.argv[2])

failures = []
passed = []


def check(fn):
    try:
        fn()
    except Exception:
        failures.append((fn.__name__, traceback.format_exc()))
        print(f"FAIL {fn.__name__}")
    else:
        passed.append(fn.__name__)
        print(f"ok   {fn.__name__}")
    return fn


def expect_raises(exc_type, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except exc_type as e:
        return e
    except Exception as e:
        raise AssertionError(f"expected {exc_type.__name__}, got {type(e).__name__}: {e}")
    raise AssertionError(f"expected {exc_type.__name__}, nothing raised")


def wait_until(condition, deadline=10.0):
    """Bounded polling: True once condition() holds, False after deadline."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


conn = rpyc.connect(HOST, PORT)
root = conn.root


@check
def answers():
    assert root.get_answer() == 42
    assert root.the_real_answer_though == 43
    assert root.exposed_get_answer() == 42
    assert root.exposed_the_real_answer_though == 43


@check
def not_exposed_is_attribute_error():
    # rpyc 6.0.2's _check_attr wording: a plain name is refused, an
    # exposed_ name passes the check and then is missing.
    e = expect_raises(AttributeError, lambda: root.get_question())
    assert str(e).startswith("cannot access 'get_question'"), str(e)
    e = expect_raises(AttributeError, lambda: root.exposed_get_question())
    assert str(e).startswith(
        "'TestService' object has no attribute 'exposed_get_question'"
    ), str(e)
    expect_raises(AttributeError, lambda: root.nothing_here)
    expect_raises(AttributeError, lambda: root._private)


@check
def setattr_and_delattr_refused():
    def set_it():
        root.x = 1

    def del_it():
        del root.get_answer

    # Service._rpyc_setattr / _rpyc_delattr.
    e = expect_raises(AttributeError, set_it)
    assert str(e).startswith("access denied"), str(e)
    e = expect_raises(AttributeError, del_it)
    assert str(e).startswith("access denied"), str(e)


@check
def root_repr_str_and_class():
    assert "TestService" in repr(root), repr(root)
    assert "TestService" in str(root), str(root)
    # HANDLE_INSPECT made a netref class with the exposed methods.
    assert type(root).__name__ == "__main__.TestService", type(root).__name__
    assert "exposed_get_answer" in type(root).__dict__, sorted(type(root).__dict__)
    names = dir(root)
    assert "get_answer" in names or "exposed_get_answer" in names, names
    assert isinstance(hash(root), int)
    assert root == root
    assert root.echo(root) is root


@check
def echo_brine_types():
    values = [
        None, True, False,
        0, 1, -1, -48, -49, 159, 160, 255, 256, 2**31, -2**31, 2**63 - 1, -2**63,
        2**63, 2**64, -2**64 - 1, 10**100, -(10**300), 7**4000,
        0.0, 1.5, -2.25, 1e300, 5e-324, float("inf"), float("-inf"),
        1 + 2j, complex(0, -1.5),
        "", "plain", "héllo ☃ 𝄞 中文", "x" * 1000,
        b"", b"\x00\xff" * 50, bytes(range(256)),
        (), (1,), (1, "a", (None, b"x", (2.5, ()))), ((),),
        frozenset(), frozenset({1, 2, "a", (3, 4)}),
        slice(1, 10, 2), slice(None), slice(None, -1, None),
        Ellipsis, NotImplemented,
    ]
    for v in values:
        got = root.echo(v)
        assert type(got) is type(v), (v, got)
        assert got == v, (v, got)
    nan = root.echo(float("nan"))
    assert type(nan) is float and math.isnan(nan)
    neg_zero = root.echo(-0.0)
    assert neg_zero == 0.0 and math.copysign(1.0, neg_zero) == -1.0
    assert root.echo(Ellipsis) is Ellipsis
    assert root.echo(NotImplemented) is NotImplemented
    assert root.echo(None) is None


@check
def echo_returns_our_own_objects():
    mine = [1, 2, 3]
    assert root.echo(mine) is mine
    d = {"k": mine}
    assert root.echo(d) is d
    t = (mine, 1, "x")
    back = root.echo(t)
    assert type(back) is tuple and back[0] is mine and back[1:] == (1, "x")


@check
def list_proxy():
    l = root.get_list()
    assert len(l) == 5
    assert l[0] == 1 and l[4] == 5
    assert l[-1] == 5 and l[-5] == 1
    assert list(l[1:3]) == [2, 3]
    assert list(l[::-1]) == [5, 4, 3, 2, 1]
    assert list(l[-2:]) == [4, 5]
    assert list(l[::2]) == [1, 3, 5]
    assert 3 in l and 9 not in l
    assert list(l) == [1, 2, 3, 4, 5]
    assert [x * 2 for x in l] == [2, 4, 6, 8, 10]
    assert sum(l) == 15
    assert bool(l)
    assert str(l) == "[1, 2, 3, 4, 5]", str(l)
    assert repr(l) == "[1, 2, 3, 4, 5]", repr(l)
    e = expect_raises(IndexError, lambda: l[10])
    assert "out of range" in str(e)
    expect_raises(IndexError, lambda: l[-6])
    expect_raises(TypeError, lambda: l["x"])
    expect_raises(TypeError, hash, l)
    w = root.get_words()
    assert str(w) == "['alpha', 'beta', 'gamma']", str(w)
    assert sorted(w, reverse=True) == ["gamma", "beta", "alpha"]
    assert "beta" in w


@check
def dict_proxy():
    d = root.get_dict()
    assert len(d) == 3
    assert d["one"] == 1 and d["three"] == 3
    assert "two" in d and "four" not in d
    e = expect_raises(KeyError, lambda: d["four"])
    assert e.args == ("four",), e.args
    assert sorted(d) == ["one", "three", "two"]
    assert sorted(d[k] for k in d) == [1, 2, 3]
    # rpyc's default policy reaches only the safe dunder methods of a remote
    # dict: keys(), values(), items() and get() are refused, as by rpyc's
    # own server (allow_public_attrs opens them).
    for name in ("keys", "values", "items", "get"):
        e = expect_raises(AttributeError, lambda: getattr(d, name)())
        assert "cannot access '%s'" % name in str(e), str(e)
    assert str(d) == "{'one': 1, 'two': 2, 'three': 3}", str(d)
    assert repr(d) == str(d)
    assert {k: d[k] for k in d} == {"one": 1, "two": 2, "three": 3}
    n = root.get_nested()
    assert list(n["a"]) == [1, 2] and len(n["b"]) == 3
    assert str(n) == "{'a': [1, 2], 'b': [3, 4, 5]}", str(n)
    assert {k: list(n[k]) for k in n} == {"a": [1, 2], "b": [3, 4, 5]}


@check
def exceptions_have_python_types():
    e = expect_raises(ValueError, root.raise_error, "ValueError", "bad value")
    assert e.args == ("bad value",), e.args
    assert str(e).startswith("bad value"), str(e)
    e = expect_raises(KeyError, root.raise_error, "KeyError", "missing")
    assert e.args == ("missing",), e.args
    e = expect_raises(TypeError, root.raise_error, "TypeError", "wrong")
    assert e.args == ("wrong",)
    e = expect_raises(ZeroDivisionError, root.raise_error, "ZeroDivisionError", "div")
    e = expect_raises(RuntimeError, root.raise_error, "RuntimeError", "boom")
    assert "Remote Traceback" in str(e), str(e)


@check
def wrong_arity_and_types_are_type_errors():
    e = expect_raises(TypeError, root.add, 1)
    assert "positional argument" in str(e), str(e)
    expect_raises(TypeError, root.add, 1, 2, 3)
    expect_raises(TypeError, root.add)
    e = expect_raises(TypeError, root.add, "x", 2)
    assert "exposed_add" in str(e), str(e)
    expect_raises(TypeError, root.bytes_len, 5)
    assert root.add(2, 3) == 5
    expect_raises(TypeError, lambda: root.the_real_answer_though())
    expect_raises(TypeError, lambda: root())


@check
def keyword_arguments():
    assert root.kw(1, "x") == "1:x"
    assert root.kw(a=2, b="y") == "2:y"
    assert root.kw(3, b="z") == "3:z"
    assert root.kw(b="w", a=4) == "4:w"
    e = expect_raises(TypeError, lambda: root.kw(1, "x", c=3))
    assert "unexpected keyword argument 'c'" in str(e), str(e)
    e = expect_raises(TypeError, lambda: root.kw(1, "x", a=3))
    assert "multiple values for argument 'a'" in str(e), str(e)
    expect_raises(TypeError, lambda: root.kw(b="only"))


@check
def callbacks():
    assert root.call_back(lambda x: x * 2, 21) == 42
    assert root.call_back(lambda s: s.upper(), "abc") == "ABC"
    seen = []
    assert root.call_back(seen.append, "hi") is None
    assert seen == ["hi"]
    assert root.call_back(len, root.get_list()) == 5


@check
def callback_exceptions_keep_their_type():
    def bad(x):
        raise ValueError("from python callback", x)

    e = expect_raises(ValueError, root.call_back, bad, 7)
    assert e.args == ("from python callback", 7), e.args

    def missing(x):
        return {}[x]

    e = expect_raises(KeyError, root.call_back, missing, "nokey")
    assert e.args == ("nokey",), e.args


@check
def nested_callbacks():
    assert root.call_back(lambda x: root.get_answer() + x, 1) == 43
    inner = lambda y: y + 1  # noqa: E731
    assert root.call_back(lambda x: root.call_back(inner, x) * 2, 1) == 4
    depth = []

    def recurse(n):
        depth.append(n)
        return n if n == 0 else root.call_back(recurse, n - 1) + 1

    assert root.call_back(recurse, 5) == 5
    assert depth == [5, 4, 3, 2, 1, 0]


@check
def large_payloads():
    s = "compress me " * 500
    assert len(s) > 3000
    assert root.echo(s) == s
    t = tuple(range(2000))
    assert root.echo(t) == t
    big = os.urandom(5 * 1024 * 1024)
    assert root.echo(big) == big
    assert root.bytes_len(big) == len(big)
    made = root.make_bytes(5 * 1024 * 1024)
    assert len(made) == 5 * 1024 * 1024 and made[:3] == b"\x00\x01\x02" and made[251] == 0


@check
def async_requests():
    a_wait = rpyc.async_(root.wait_gate)
    res = a_wait()
    # The gate is closed, so the reply cannot have arrived.
    assert not res.ready
    root.open_gate()
    res.wait()
    assert res.ready and not res.error
    assert res.value == "opened"
    a_slow = rpyc.async_(root.slow)
    results = [a_slow(n) for n in (30, 10, 20, 0)]
    assert [r.value for r in results] == [30, 10, 20, 0]
    a_err = rpyc.async_(root.raise_error)
    r = a_err("ValueError", "async boom")
    r.wait()
    assert r.error
    expect_raises(ValueError, lambda: r.value)


@check
def sync_request_timeout():
    conn._config["sync_request_timeout"] = 0.3
    try:
        expect_raises(TimeoutError, root.wait_gate)
    finally:
        conn._config["sync_request_timeout"] = 30
    root.open_gate()
    assert root.get_answer() == 42


@check
def pending_calls_end_with_their_connection():
    assert wait_until(lambda: root.gate_waiters() == 0)
    other = rpyc.connect(HOST, PORT)
    pending = rpyc.async_(other.root.wait_gate)()
    assert wait_until(lambda: root.gate_waiters() == 1), root.gate_waiters()
    assert not pending.ready
    other.close()
    # The server drops the call it can no longer answer.
    assert wait_until(lambda: root.gate_waiters() == 0), root.gate_waiters()


@check
def netrefs_are_released():
    gc.collect()
    base = root.local_object_count()
    held = [root.get_list() for _ in range(50)]
    assert root.local_object_count() >= base + 50
    del held
    gc.collect()
    assert wait_until(lambda: root.local_object_count() == base), (root.local_object_count(), base)
    # One object sent three times: one netref, one DEL with the whole count.
    l = root.get_list()
    assert root.echo(l) is l and root.echo((l, 1))[0] is l
    assert root.local_object_count() == base + 1
    del l
    gc.collect()
    assert wait_until(lambda: root.local_object_count() == base), (root.local_object_count(), base)
    for i in range(1000):
        l = root.get_list()
        assert len(l) == 5
        d = root.get_dict()
        assert d["one"] == 1
        del l, d
        if i % 250 == 0:
            assert root.local_object_count() <= base + 2, (i, root.local_object_count(), base)
    gc.collect()
    assert wait_until(lambda: root.local_object_count() == base), (root.local_object_count(), base)


@check
def ping():
    conn.ping()
    conn.ping(data="x" * 5000)


@check
def orderly_close():
    c2 = rpyc.connect(HOST, PORT)
    assert c2.root.get_answer() == 42
    c2.close()
    assert c2.closed
    expect_raises(EOFError, lambda: c2.root.get_answer())
    c3 = rpyc.connect(HOST, PORT)
    assert c3.root.get_answer() == 42
    c3.close()


conn.close()

print(f"{len(passed)} passed, {len(failures)} failed")
for name, tb in failures:
    print(f"\n=== {name} ===\n{tb}")
sys.exit(1 if failures else 0)
