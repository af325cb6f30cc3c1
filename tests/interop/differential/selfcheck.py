"""Starts the peers and runs the differential drivers against them.

    python selfcheck.py                      # each driver, Python reference vs Python reference
    python selfcheck.py --oxrpc PATH/oxrpc   # candidates: `oxrpc classic serve`, `oxrpc xmlrpc serve`
    python selfcheck.py --oxrpc PATH/oxrpc -- --examples 500 --survey   # options for the drivers

Python vs Python must pass: it proves the drivers compare only what is
deterministic. With --oxrpc the classic driver runs against oxrpc's classic
server and the XML-RPC driver against `oxrpc xmlrpc serve` (which serves only
list_contents and system.*, so the echo properties are skipped); the
service driver needs a Rust server of tests/common's TestService, which no
binary serves yet, so it stays Python vs Python. Every server started here is
stopped on exit. Exits non-zero if any driver failed.
"""

import argparse
import os
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
INTEROP = os.path.dirname(HERE)
PY = sys.executable
started = []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited with %s" % proc.returncode)
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("nothing listens on %d" % port)


def start(cmd, port=None, announce=None):
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    started.append(proc)
    if announce:
        line = proc.stdout.readline()
        if not line.startswith(announce):
            raise RuntimeError("unexpected first line from %s: %r" % (cmd, line))
        port = int(line.split()[-1])
    wait_port(port, proc)
    return "127.0.0.1:%d" % port


def classic_python():
    port = free_port()
    return start([PY, "-c", "import sys; from rpyc.cli.rpyc_classic import main; sys.argv[0] = 'rpyc_classic'; main()",
                  "--host", "127.0.0.1", "--port", str(port), "-q"], port)


def classic_oxrpc(oxrpc):
    port = free_port()
    return start([oxrpc, "classic", "serve", "--host", "127.0.0.1", "--port", str(port), "-q"], port)


def service_python():
    return start([PY, os.path.join(INTEROP, "rpyc", "reference_server.py")], announce="PORT ")


def xmlrpc_python():
    port = free_port()
    return start([PY, os.path.join(INTEROP, "xmlrpc", "reference_server.py"), str(port)], port)


def xmlrpc_oxrpc(oxrpc):
    port = free_port()
    return start([oxrpc, "xmlrpc", "serve", "--host", "127.0.0.1", "-p", str(port), "-q"], port)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--oxrpc", help="an oxrpc binary to use as candidate where it can serve")
    p.add_argument("--only", choices=["classic", "service", "xmlrpc"], action="append")
    p.add_argument("driver_args", nargs="*", help="passed to every driver (after --)")
    args = p.parse_args()
    failed = []
    try:
        plan = [
            ("classic", classic_python, (lambda: classic_oxrpc(args.oxrpc)) if args.oxrpc else classic_python),
            ("service", service_python, service_python),
            ("xmlrpc", xmlrpc_python, (lambda: xmlrpc_oxrpc(args.oxrpc)) if args.oxrpc else xmlrpc_python),
        ]
        for name, reference, candidate in plan:
            if args.only and name not in args.only:
                continue
            ref, cand = reference(), candidate()
            cmd = [PY, os.path.join(HERE, "%s_diff.py" % name), "--reference", ref, "--candidate", cand]
            print("==> %s" % " ".join(cmd + args.driver_args), flush=True)
            if subprocess.call(cmd + args.driver_args) != 0:
                failed.append(name)
    finally:
        for proc in started:
            proc.kill()
            proc.wait()
    print("\nselfcheck: %s" % ("FAILED: " + ", ".join(failed) if failed else "all drivers passed"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
