"""Replay the raw-wire conformance cases against a live RPyC server.

    .venv/bin/python tests/interop/conformance/check.py --target service|classic \\
        --host 127.0.0.1 --port PORT [--vectors FILE] [--json] [--timeout S] [--only PREFIX]

Runs every case of cases.py for the target (each over a fresh connection, see
wire.py), compares each outcome with the vectors recorded from the real rpyc
6.0.2 servers (tests/golden/rpyc/conformance.json, written by record.py), and
prints one line per difference:

    <case name>: expected <outcome> got <outcome>

then "N cases, M differences". Exits 1 on any difference that ALLOWED (below)
does not list. --json prints the differences as one JSON document instead.
"""
import argparse
import json
import os
import socket
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import record  # noqa: E402
import wire  # noqa: E402

# Deliberate differences: (target, case name) -> reason. A difference listed
# here is reported as "allowed" and does not fail the check.
ALLOWED = {}

# Deliberate differences shared by many cases: reason -> (targets, case names).
ALLOWED_GROUPS = [
    ("plain values as handler targets: oxrpc applies a handler to an object it "
     "sent by reference (LABEL_LOCAL_REF) or to one of the peer's own (forwarded "
     "to the peer), and answers TypeError for a plain value in the target's place; "
     "rpyc also treats a plain value there as a Python object (hash(42), 'a' < 'b', "
     "iter('abc'), getattr(7, '__str__')). No rpyc client sends that: a netref "
     "always sends its id pack (README, Compatibility)",
     ("service",),
     """arity/CMP/ints2 arity/HASH/ints1 arity/DIR/ints1 arity/CTXEXIT/ints2
        getattr/value_obj_public getattr/value_obj_safe getattr/value_str_safe
        delattr/value_obj setattr/value_obj callattr/value_upper callattr/value_safe
        cmp/default_op cmp/lt cmp/eq cmp/lt_mixed cmp/unknown_op cmp/public_op cmp/op_int
        cmp/str_lt cmp/tuple_lt cmp/add cmp/bigint_gt cmp/client_ref
        hash/int hash/minus1 hash/tuple hash/bigint hash/float hash/frozenset hash/true
        hash/str dir/int ctxexit/value_none
        buffiter/str3 buffiter/more_than_len buffiter/zero buffiter/negative buffiter/none
        buffiter/huge buffiter/count_str buffiter/count_float buffiter/count_true
        buffiter/tuple buffiter/bytes buffiter/frozenset
        oldslicing/str oldslicing/tuple_open oldslicing/bad_attempt oldslicing/str_bounds
        oldslicing/extra_args oldslicing/args_int oldslicing/negative
        oldslicing/bigint_bounds"""),
    ("the peer's classes are not inspected: rpyc sends HANDLE_INSPECT for each new "
     "non-builtin class of the peer's objects it receives, to build a netref class; "
     "oxrpc's proxies need no class, so it sends none (server_requests differ), and "
     "it keeps id packs as (str, int, int), refusing ids that are not ints",
     ("service", "classic"),
     """ping/client_ref_custom_class ping/client_ref_twice ping/client_ref_int_name
        ping/client_ref_str_ids call/client_ref hash/client_ref getattr/client_ref
        boxing/remote_ref_str reply/remote_ref setattr/classic/client_ref_value
        ctxexit/classic/client_ref"""),
    ("classic mode's root is served by Rust, not by a Python SlaveService instance: "
     "it answers the protocol surface rpyc's classic client uses (eval, execute, "
     "getmodule, getconn, namespace, the service's names), but its class, __doc__, "
     "_conn and method list differ, it cannot be pickled, and it cannot be "
     "passed into Python code as an argument",
     ("classic",),
     """arity/PICKLE/root+ints1 getattr/bytes_name getattr/classic/private_conn
        getattr/classic/dunder_class setattr/classic/ref_value call/classic/type_of_root
        call/classic/ref_kwarg_value callattr/classic/getmodule_tuple
        inspect/root_names"""),
    ("results rpyc 6.0.2 cannot send: it drops the connection when brine cannot "
     "serialize a result (an int over 4,300 digits) or it cannot name the class of "
     "one (a class made by eval, whose __module__ is None); oxrpc sends them",
     ("classic",),
     "call/classic/huge_int_result callattr/classic/eval_dynamic_class_instance"),
    ("the embedded interpreter's pickle is the pure-Python module, so its errors "
     "are pickle.PicklingError where CPython's C accelerator raises "
     "_pickle.PicklingError",
     ("classic",),
     "pickle/classic/lambda"),
    ("the embedded interpreter follows Python 3.13, whose classes carry "
     "__firstlineno__ and __static_attributes__: dir() of an instance lists them, "
     "CPython 3.11's does not",
     ("classic",),
     "dir/classic/instance"),
    ("HANDLE_INSPECT's method list: rpyc lists every callable in the object's class "
     "hierarchy with CPython's docstrings (object's __format__, __sizeof__, ...); "
     "oxrpc lists the methods a proxy of the object needs (its exposed ones)",
     ("service",),
     "inspect/root_full inspect/root_names inspect/bound_method"),
]


def allowed_reason(target, name):
    """Why a difference in this case is deliberate, or None."""
    reason = ALLOWED.get((target, name))
    if reason:
        return reason
    for why, targets, names in ALLOWED_GROUPS:
        if target in targets and name in names.split():
            return "deliberate: " + why
    return None


def canonical(outcome):
    """Through JSON, as the vectors are (tuples become lists)."""
    return json.loads(json.dumps(outcome, sort_keys=True, ensure_ascii=False))


def compact(outcome, limit):
    text = json.dumps(outcome, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    if limit and len(text) > limit:
        text = text[:limit] + f"...<{len(text)} chars>"
    return text


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--target", required=True, choices=record.TARGETS)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--vectors", default=record.DEFAULT_OUT)
    ap.add_argument("--json", action="store_true", help="print the differences as JSON")
    ap.add_argument("--timeout", type=float, default=30.0,
                    help="seconds an answer is waited for where the reference answered "
                         "(default %(default)s; a slow server only costs time)")
    ap.add_argument("--silence-timeout", type=float, default=None,
                    help="seconds an answer is waited for where the reference stayed silent "
                         "(default: the vectors' silence_timeout_seconds)")
    ap.add_argument("--only", action="append", help="only cases whose name starts with this")
    ap.add_argument("--width", type=int, default=600,
                    help="truncate each printed outcome to this many characters (0: never)")
    args = ap.parse_args()

    with open(args.vectors, encoding="utf-8") as f:
        vectors = json.load(f)
    expected_all = vectors["targets"][args.target]
    silence_timeout = args.silence_timeout or vectors["header"].get(
        "silence_timeout_seconds", wire.DEFAULT_TIMEOUT)

    try:
        socket.create_connection((args.host, args.port), timeout=5).close()
    except OSError as e:
        print(f"cannot connect to {args.host}:{args.port}: {e}", file=sys.stderr)
        sys.exit(2)

    todo = record.cases_for(args.target, args.only)
    got_all = record.run_all(args.target, args.host, args.port, args.timeout, only=args.only,
                             silence_timeout=silence_timeout, expected=expected_all)

    differences = []
    allowed = []
    for case in todo:
        name = case["name"]
        got = canonical(got_all[name])
        if name not in expected_all:
            differences.append({"case": name, "expected": None, "got": got,
                                "reason": "no recorded vector (re-run record.py)"})
            continue
        expected = expected_all[name]
        if got == expected:
            continue
        entry = {"case": name, "expected": expected, "got": got}
        reason = allowed_reason(args.target, name)
        if reason:
            entry["allowed"] = reason
            allowed.append(entry)
        else:
            differences.append(entry)
    stale = sorted(set(expected_all) - {c["name"] for c in record.cases_for(args.target)})

    if args.json:
        json.dump({"target": args.target, "cases": len(todo), "differences": differences,
                   "allowed": allowed, "stale_vectors": stale},
                  sys.stdout, indent=1, sort_keys=True, ensure_ascii=False)
        print()
    else:
        for d in differences:
            print(f"{d['case']}: expected {compact(d['expected'], args.width)} "
                  f"got {compact(d['got'], args.width)}")
        for d in allowed:
            print(f"{d['case']}: allowed ({d['allowed'].split(':')[0]}): expected "
                  f"{compact(d['expected'], args.width)} got {compact(d['got'], args.width)}")
        for name in stale:
            print(f"{name}: vector has no case (re-run record.py)")
        extra = f" ({len(allowed)} allowed)" if allowed else ""
        print(f"{len(todo)} cases, {len(differences)} differences{extra}")
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
