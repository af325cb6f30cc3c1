"""Record the raw-wire conformance vectors from the real rpyc 6.0.2 servers.

    .venv/bin/python tests/interop/conformance/record.py [--out FILE] [--only PREFIX]

Starts both Python reference servers (ref_server.py: the notebook's MyService
on a ThreadedServer, and rpyc_classic's threaded SlaveService server), runs
every case of cases.py against its target(s) over fresh connections, and
writes tests/golden/rpyc/conformance.json: for each target and case, the
messages sent (described) and the normalised outcome (see wire.py). The file
is sorted and stable; running this twice writes the same bytes.

check.py replays the same cases against any server and compares.
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import rpyc  # noqa: E402

import cases  # noqa: E402
import wire  # noqa: E402

ROOT_DIR = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
DEFAULT_OUT = os.path.join(ROOT_DIR, "tests", "golden", "rpyc", "conformance.json")
TARGETS = ("service", "classic")


def cases_for(target, only=None):
    out = [c for c in cases.CASES if target in c["targets"]]
    if only:
        out = [c for c in out if any(c["name"].startswith(p) for p in only)]
    return out


def run_all(target, host, port, timeout=wire.DEFAULT_TIMEOUT, only=None, progress=False,
            silence_timeout=None, expected=None):
    """{case name: outcome} for every case of this target. expected: the
    recorded outcomes, to wait only silence_timeout where they are silent."""
    results = {}
    todo = cases_for(target, only)
    for i, case in enumerate(todo):
        exp = (expected or {}).get(case["name"])
        try:
            results[case["name"]] = wire.run_case(case, host, port, timeout,
                                                  silence_timeout=silence_timeout, expected=exp)
        except ConnectionRefusedError:
            results[case["name"]] = {"answers": [{"kind": "refused"}], "alive": False,
                                     "server_requests": []}
        if progress and (i + 1) % 50 == 0:
            print(f"  {target}: {i + 1}/{len(todo)}", file=sys.stderr, flush=True)
    return results


class ReferenceServer:
    """ref_server.py in a subprocess; .port once it listens."""

    def __init__(self, target):
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "ref_server.py"), target],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.close()
            raise RuntimeError(f"reference {target} server did not start: {line!r}")
        self.port = int(line.split()[1])

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def describe_case(case):
    d = {"send": [wire.describe(m) for m in case["send"]]}
    if case.get("setup"):
        d["setup"] = [repr(s) for s in case["setup"]]
    for key in ("norm", "exc_args", "note"):
        if key in case:
            d[key] = case[key]
    return d


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--timeout", type=float, default=wire.DEFAULT_TIMEOUT,
                    help="seconds a silent answer is waited for (default %(default)s)")
    args = ap.parse_args()
    assert rpyc.__version__ == "6.0.2", f"expected rpyc 6.0.2, found {rpyc.__version__}"

    doc = {
        "header": {
            "what": "raw-wire conformance vectors of RPyC servers: for each case, the "
                    "message(s) sent over a fresh connection (after a GETROOT handshake) "
                    "and the normalised outcome, as the real rpyc servers answer them",
            "rpyc_version": rpyc.__version__,
            "python_version": ".".join(map(str, sys.version_info[:3])),
            "servers": {
                "service": "rpyc.utils.server.ThreadedServer(MyService) - the notebook's "
                           "rpyc_base.MyService, defined in __main__",
                "classic": "rpyc.utils.server.ThreadedServer(SlaveService, reuse_addr=True) "
                           "- what rpyc_classic (threaded mode) serves",
            },
            "regenerate": ".venv/bin/python tests/interop/conformance/record.py",
            "check": ".venv/bin/python tests/interop/conformance/check.py "
                     "--target service|classic --host HOST --port PORT",
            "cases": "tests/interop/conformance/cases.py; outcome format: "
                     "tests/interop/conformance/wire.py",
            "silence_timeout_seconds": args.timeout,
        },
        "cases": {},
        "targets": {},
    }
    for target in TARGETS:
        started = time.monotonic()
        with ReferenceServer(target) as server:
            results = run_all(target, "127.0.0.1", server.port, args.timeout, progress=True)
        print(f"{target}: {len(results)} cases in {time.monotonic() - started:.1f}s",
              file=sys.stderr)
        doc["targets"][target] = results
    for case in cases.CASES:
        doc["cases"][case["name"]] = dict(describe_case(case), targets=list(case["targets"]))
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, sort_keys=True, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
