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


def _ephemeral_start():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


# As the Rust tests' free_port (crates/oxrpc-testkit/src/ports.rs): a port
# released by bind(0) lies in the ephemeral range, where the kernel may hand
# it to anyone (even as a connection's source port) before the server binds
# it. Ports below that range, checked free and never handed out twice, stay
# free until the server takes them.
_LOWEST = 21000
_HIGHEST = max(_LOWEST + 1, _ephemeral_start())
_next_port = _LOWEST + os.getpid() * 7919 % (_HIGHEST - _LOWEST)


def _nothing_holds(port):
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        with socket.socket(socket.AF_INET, kind) as s:
            try:
                s.bind(("0.0.0.0", port))
            except OSError:
                return False
    return True


def free_port():
    global _next_port
    for _ in range(_HIGHEST - _LOWEST):
        port = _next_port
        _next_port = port + 1 if port + 1 < _HIGHEST else _LOWEST
        if _nothing_holds(port):
            return port
    raise RuntimeError("no free port in %d..%d" % (_LOWEST, _HIGHEST))


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
    # --no-docs: the reference is a SimpleXMLRPCServer, which answers GET with 501.
    return start([oxrpc, "xmlrpc", "serve", "--host", "127.0.0.1", "-p", str(port), "-q", "--no-docs"], port)


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
