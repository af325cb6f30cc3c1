"""Shared machinery of the differential drivers (classic_diff.py,
service_diff.py, xmlrpc_diff.py).

A driver registers *properties*: Hypothesis tests that run the same generated
operation against the reference peer and the candidate peer and hand both
outcomes to ``Ctx.same``. An outcome is normalised first (type names, float
reprs so that nan == nan and -0.0 != 0.0, remote exceptions as class, args and
public attributes), then compared. A mismatch is either

* allow-listed: it matches an ``Allowed`` entry of the driver (a known,
  deliberate or interpreter-level difference, each commented where it is
  declared). It is counted and its first example is printed in the summary,
  so nothing is hidden; the property goes on; or
* a failure: ``Mismatch`` is raised, Hypothesis shrinks the example, and the
  report shows the minimal falsifying example with expected vs got.

``--survey`` does not stop at failures: every distinct mismatch (by property,
operation and outcome kinds) is collected with its smallest example seen, so
one run lists many differences (not shrunk).
"""

import argparse
import math
import re
import sys
import time
import traceback

from hypothesis import HealthCheck, Phase, example as hyp_example, given, seed as hyp_seed, settings


# --- normalisation ---------------------------------------------------------

_ADDR = re.compile(r" at 0x[0-9a-fA-F]+")


def scrub(text):
    """Drops object addresses from reprs (`<... object at 0x7f..>`)."""
    return _ADDR.sub(" at 0x?", text)


def float_key(x):
    # repr keeps -0.0, inf, nan and the shortest round-tripping digits.
    return repr(float(x))


def netref_name(obj):
    """The remote class of an rpyc netref ('builtins.list'), else None."""
    try:
        return object.__getattribute__(obj, "____id_pack__")[0]
    except Exception:
        return None


def is_netref(obj):
    return netref_name(obj) is not None


def remote_exception_class(exc):
    """The class a remote exception was rebuilt as: rpyc's vinegar wraps it
    in a `Derived` subclass of the same name; skip that layer."""
    cls = type(exc)
    if hasattr(exc, "_remote_tb") and len(cls.__mro__) > 1 and cls.__mro__[1].__name__ == cls.__name__:
        cls = cls.__mro__[1]
    return cls


# Attributes every exception has that say nothing about the exception.
_EXC_SKIP = {"args", "with_traceback", "add_note"}


def exception_attrs(exc):
    out = []
    for name in sorted(dir(exc)):
        if name.startswith("_") or name in _EXC_SKIP:
            continue
        try:
            value = getattr(exc, name)
        except AttributeError:
            out.append((name, ("<unset>",)))
            continue
        if callable(value) and not isinstance(value, type):
            continue
        out.append((name, scrub_strs(norm(value))))
    return tuple(out)


def scrub_strs(n):
    """Drops addresses from the strings of a normal form: exception args and
    attributes often hold reprs ('<Foo object at 0x7f..>', rpyc sends the
    repr of attributes it cannot serialise)."""
    if isinstance(n, tuple):
        if len(n) == 2 and n[0] == "str":
            return ("str", scrub(n[1]))
        return tuple(scrub_strs(x) for x in n)
    return n


def norm_exception(exc):
    cls = remote_exception_class(exc)
    return (
        "raise",
        cls.__module__,
        cls.__name__,
        tuple(scrub_strs(norm(a)) for a in exc.args),
        exception_attrs(exc),
    )


def norm(v, depth=0):
    """A comparable, hashable, readable form of a value: types are part of it."""
    if depth > 50:
        return ("<too deep>",)
    name = netref_name(v)
    if name is not None:
        return ("netref", name)
    if v is None or v is Ellipsis or v is NotImplemented:
        return (repr(v),)
    if isinstance(v, BaseException):
        return norm_exception(v)
    t = type(v)
    if t is bool:
        return ("bool", v)
    if t is int:
        return ("int", v)
    if t is float:
        return ("float", float_key(v))
    if t is complex:
        return ("complex", float_key(v.real), float_key(v.imag))
    if t in (str, bytes, bytearray):
        return (t.__name__, v)
    if t in (tuple, list):
        return (t.__name__,) + tuple(norm(x, depth + 1) for x in v)
    if t in (frozenset, set):
        return (t.__name__,) + tuple(sorted((norm(x, depth + 1) for x in v), key=repr))
    if t is dict:
        return ("dict",) + tuple((norm(k, depth + 1), norm(x, depth + 1)) for k, x in v.items())
    if t is slice:
        return ("slice", norm(v.start, depth + 1), norm(v.stop, depth + 1), norm(v.step, depth + 1))
    if isinstance(v, type):
        return ("type", v.__module__, v.__qualname__)
    return ("other", t.__name__, scrub(repr(v)))


def outcome(fn):
    """Runs fn() and normalises what it returned or raised."""
    try:
        return ("ok", norm(fn()))
    except KeyboardInterrupt as e:
        if not hasattr(e, "_remote_tb"):
            raise  # the person running the driver pressed ^C
        return norm_exception(e)
    except BaseException as e:  # remote SystemExit, GeneratorExit, ... included
        return norm_exception(e)


def same_float(a, b):
    return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))


def kind(o):
    """A coarse label of an outcome, for grouping mismatches in --survey."""
    if o[0] == "ok":
        v = o[1]
        return "ok:" + str(v[0])
    if o[0] == "fault":  # XML-RPC: code and the fault string up to its first ':'
        return "fault %s %s" % (o[1], str(o[2]).split(":")[0][:50])
    return "%s:%s" % (o[0], o[2])


def label_group(label):
    """The operation a label names, without its generated arguments."""
    if label.startswith(("http", "raw")):
        return label
    for sep in ("(", ":", "'", '"', "["):
        label = label.split(sep)[0]
    return label.strip()


# --- allow-list ---------------------------------------------------------------


class Allowed:
    """A known difference between reference and candidate. `match(label,
    expected, got)` decides whether a mismatch is this one. Every use is
    counted and reported; an allow-list entry never silences a failure
    without saying so."""

    def __init__(self, ident, why, match):
        self.ident = ident
        self.why = why
        self.match = match
        self.count = 0
        self.example = None


class Mismatch(AssertionError):
    pass


def show(o, limit=1500):
    text = repr(o)
    if len(text) > limit:
        text = text[:limit] + "... (%d chars)" % len(text)
    return text


class Ctx:
    """Handed to every property example: the two peers and the comparison."""

    def __init__(self, driver, prop):
        self.driver = driver
        self.prop = prop
        self.ref = driver.ref
        self.cand = driver.cand
        self.example = None

    def same(self, label, fn, ref_fn=None):
        """Runs fn(peer) on both peers and compares the outcomes. Returns the
        reference outcome."""
        exp = outcome(lambda: (ref_fn or fn)(self.ref))
        got = outcome(lambda: fn(self.cand))
        self.compare(label, exp, got)
        return exp

    def compare(self, label, exp, got):
        if exp == got:
            return True
        for allowed in ([] if self.driver.args.strict else self.driver.allowed):
            try:
                hit = allowed.match(label, exp, got)
            except Exception:
                hit = False
            if hit:
                allowed.count += 1
                if allowed.example is None or len(repr(allowed.example)) > len(repr((label, exp, got))):
                    allowed.example = (self.prop, label, exp, got)
                return False
        self.driver.mismatches += 1
        if self.driver.args.survey:
            key = (self.prop, label_group(label), kind(exp), kind(got))
            seen = self.driver.survey.get(key)
            entry = (self.example, label, exp, got)
            if seen is None or len(repr(entry)) < len(repr(seen)):
                self.driver.survey[key] = entry
            return False
        raise Mismatch(
            "%s differs\n  expected (reference): %s\n  got (candidate):      %s" % (label, show(exp), show(got))
        )


# --- driver ------------------------------------------------------------------------


def host_port(text):
    host, _, port = text.rpartition(":")
    return host or "127.0.0.1", int(port)


def parse_args(description, argv=None, extra=None):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--reference", required=True, type=host_port, metavar="HOST:PORT",
                   help="the Python reference peer (the oracle)")
    p.add_argument("--candidate", required=True, type=host_port, metavar="HOST:PORT",
                   help="the peer under test")
    p.add_argument("--examples", type=int, default=200, help="examples per property (default 200)")
    p.add_argument("--seed", type=int, default=None,
                   help="random seed; without it the run is derandomized (the same every time)")
    p.add_argument("--only", action="append", default=[], metavar="PROPERTY",
                   help="run only these properties (repeatable; substring match)")
    p.add_argument("--survey", action="store_true",
                   help="do not stop at a mismatch: list every distinct one found (unshrunk)")
    p.add_argument("--strict", action="store_true",
                   help="ignore the allow-list: every difference fails")
    p.add_argument("--list", action="store_true", help="list the properties and exit")
    p.add_argument("-v", "--verbose", action="store_true")
    if extra:
        extra(p)
    return p.parse_args(argv)


class Driver:
    """Holds the peers and the properties; `run()` returns the exit code."""

    def __init__(self, args, allowed):
        self.args = args
        self.allowed = allowed
        self.props = []
        self.ref = None
        self.cand = None
        self.mismatches = 0
        self.survey = {}
        # Properties that found nothing to run against these peers (e.g. a
        # method only one side has); shown as "skipped", not "ok".
        self.skipped_props = set()

    def prop(self, strategy, examples=None, explicit=()):
        """Registers fn(ctx, example) as a property over `strategy`.
        `examples` scales the run's --examples for cheap or costly properties;
        `explicit` examples run on every run, before the generated ones (cases
        a bug was once found with)."""

        def deco(fn):
            self.props.append((fn.__name__, fn, strategy, examples, tuple(explicit)))
            return fn

        return deco

    # Subclasses: open or reopen both peers (self.ref, self.cand).
    def connect(self):
        raise NotImplementedError

    def ensure_connected(self):
        pass

    def close(self):
        pass

    def _settings(self, n):
        return settings(
            max_examples=n,
            deadline=None,
            database=None,
            derandomize=self.args.seed is None,
            suppress_health_check=list(HealthCheck),
            report_multiple_bugs=False,
            print_blob=False,
            phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
        )

    def _body(self, name, fn, counter):
        def body(example):
            counter[0] += 1
            self.ensure_connected()
            ctx = Ctx(self, name)
            ctx.example = example
            fn(ctx, example)

        body.__name__ = body.__qualname__ = name
        return body

    def run(self):
        args = self.args
        if args.list:
            for name, *_ in self.props:
                print(name)
            return 0
        chosen = [p for p in self.props if not args.only or any(o in p[0] for o in args.only)]
        failures = []
        ran = {}
        self.connect()
        started = time.time()
        for name, fn, strategy, scale, explicit in chosen:
            n = max(1, int(args.examples * (scale or 1)))
            counter = [0]

            test = given(strategy)(self._body(name, fn, counter))
            for case in explicit:
                test = hyp_example(case)(test)
            test = self._settings(n)(test)
            if args.seed is not None:
                test = hyp_seed(args.seed)(test)
            t0 = time.time()
            try:
                test()
                status = "ok"
            except Mismatch as e:
                notes = "\n".join(getattr(e, "__notes__", []))
                failures.append((name, str(e), notes))
                status = "MISMATCH"
            except Exception as e:  # a crash of the driver or a flaky peer
                notes = "\n".join(getattr(e, "__notes__", []))
                tb = "".join(traceback.format_exception(type(e), e, e.__traceback__, limit=-6))
                failures.append((name, "%s: %s\n%s" % (type(e).__name__, e, tb), notes))
                status = "ERROR"
            if status == "ok" and name in self.skipped_props:
                status = "ok*"  # see the skipped line
            ran[name] = counter[0]
            print("%-34s %-8s %5d examples run  %6.1fs" % (name, status, counter[0], time.time() - t0),
                  flush=True)
            # A property that broke a connection must not spoil the next one.
            self.ensure_connected()
        self.close()
        total = sum(ran.values())
        print("\n%d properties, %d examples run in %.1fs (seed: %s)" % (
            len(chosen), total, time.time() - started,
            args.seed if args.seed is not None else "derandomized"))
        used = [a for a in self.allowed if a.count]
        if used:
            print("\nAllow-listed differences observed (known, not failures):")
            for a in used:
                print("  [%s] x%d: %s" % (a.ident, a.count, a.why))
                prop, label, exp, got = a.example
                print("      e.g. %s / %s\n        expected: %s\n        got:      %s" % (
                    prop, label, show(exp, 300), show(got, 300)))
        if args.survey and self.survey:
            print("\n%d distinct mismatches (survey mode, examples not shrunk):" % len(self.survey))
            for (prop, op, ek, gk), (example, label, exp, got) in sorted(self.survey.items(), key=repr):
                print("\n- %s / %s  (%s vs %s)" % (prop, op, ek, gk))
                print("    example:  %s" % show(example, 600))
                print("    op:       %s" % show(label, 600))
                print("    expected: %s" % show(exp))
                print("    got:      %s" % show(got))
        if failures:
            print("\n%d of %d properties FAILED\n" % (len(failures), len(chosen)))
            for name, message, notes in failures:
                print("=" * 78)
                print("property: %s" % name)
                if notes:
                    print(notes)
                print(message)
            print("=" * 78)
            print("%d passed, %d failed" % (len(chosen) - len(failures), len(failures)))
            return 1
        if args.survey and self.survey:
            print("%d passed, %d failed" % (len(chosen) - len({k[0] for k in self.survey}),
                                             len({k[0] for k in self.survey})))
            return 1
        print("%d passed, 0 failed" % len(chosen))
        return 0


def main(driver):
    try:
        code = driver.run()
    except KeyboardInterrupt:
        code = 130
    sys.stdout.flush()
    sys.exit(code)
