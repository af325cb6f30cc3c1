"""Runs the classic-mode benchmark: every server side by side, in rounds.

    compare.py OXRPC_BINARY VENV CALLS ROUNDS OUT.md

Starts the four servers once (oxrpc on RustPython with an interpreter per
connection, the same with `--isolation shared`, oxrpc on the host's
CPython, and Python's rpyc_classic), then in each round measures every
server in turn with a stock rpyc 6.0.2 client (`client.py`), so that the
machine's drift touches all of them alike. Reports the median over rounds.

Placements: "2 CPUs" has the server on CPU 0 and the client on CPU 1 (a
cross-CPU round trip), "1 CPU" has both on CPU 0 (every wake-up a context
switch, no inter-processor interrupt), "unpinned" lets the scheduler pick.
"""
import os
import statistics
import subprocess
import sys
import time

import rpyc

binary, venv, calls, rounds, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
python = sys.executable
here = os.path.dirname(os.path.abspath(__file__))
client = os.path.join(here, 'client.py')
rpyc_classic = "import sys; from rpyc.cli.rpyc_classic import main; sys.argv[0] = 'rpyc_classic'; main()"

SERVERS = [
    ('oxrpc RustPython, an interpreter per connection', 18971, [binary, 'classic', 'serve', '-q']),
    ('oxrpc RustPython, `--isolation shared`', 18973, [binary, 'classic', 'serve', '-q', '--isolation', 'shared']),
    ('oxrpc `--python cpython`', 18974, [binary, 'classic', 'serve', '-q', '--python', 'cpython', '--venv', venv]),
    ('rpyc_classic (a thread per connection)', 18972, [python, '-c', rpyc_classic, '-q']),
]
REFERENCE = SERVERS[-1][0]
PLACEMENTS = [('2 CPUs', '0', '1'), ('1 CPU', '0', '0'), ('unpinned', '0,1', '0,1')]


def wait_ready(port):
    for _ in range(300):
        try:
            if rpyc.classic.connect('127.0.0.1', port).eval('1+1') == 2:
                return
        except Exception:
            time.sleep(0.1)
    raise SystemExit('server on port %d never answered' % port)


def run_client(cpus, *args):
    done = subprocess.run(['taskset', '-c', cpus, python, client] + [str(a) for a in args],
                          check=True, capture_output=True, text=True)
    return [float(x) for x in done.stdout.split()]


def start(server_cpus):
    """Every server, started on `server_cpus` (from the start: tokio and
    CPython size their thread pools by the CPUs they may use)."""
    procs = {}
    for name, port, cmd in SERVERS:
        procs[name] = subprocess.Popen(['taskset', '-c', server_cpus] + cmd + ['-p', str(port)],
                                       stdout=subprocess.DEVNULL)
    for name, port, _ in SERVERS:
        wait_ready(port)
    return procs


def stop(procs):
    for proc in procs.values():
        proc.kill()
        proc.wait()


latency = {}   # (placement, name) -> list of [e50, e99, v50, v99, o50, o99, c50, c99]
connect = {}   # name -> list of [spaced, sustained, rate]
memory = {}
for placement, server_cpus, client_cpus in PLACEMENTS:
    procs = start(server_cpus)
    try:
        for _ in range(rounds):
            for name, port, _ in SERVERS:
                latency.setdefault((placement, name), []).append(run_client(client_cpus, 'latency', port, calls))
            if placement == '2 CPUs':
                for name, port, _ in SERVERS:
                    connect.setdefault(name, []).append(run_client(client_cpus, 'connect', port, 100))
        if placement == '2 CPUs':
            for name, port, _ in SERVERS:
                memory[name] = run_client(client_cpus, 'memory', procs[name].pid, port, 20)[0]
    finally:
        stop(procs)


def median(rows, i):
    return statistics.median(row[i] for row in rows)


lines = ['Run: %s, %d calls per case, %d rounds (medians shown), rpyc 6.0.2 client.' % (
    time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()), calls, rounds), '']
for placement, _, _ in PLACEMENTS:
    ref = median(latency[(placement, REFERENCE)], 0)
    ref_object = median(latency[(placement, REFERENCE)], 4)
    ref_callback = median(latency[(placement, REFERENCE)], 6)
    lines += ['Latency, %s:' % placement, '',
              '| server | eval(\'1+1\') p50 / p99 µs | modules.sys.version p50 / p99 µs | eval p50 vs rpyc_classic '
              '| takes(<client object>) p50 / p99 µs | its p50 vs rpyc_classic '
              '| calls(<client function>) p50 / p99 µs | its p50 vs rpyc_classic |',
              '| --- | --- | --- | ---: | --- | ---: | --- | ---: |']
    for name, _, _ in SERVERS:
        rows = latency[(placement, name)]
        lines.append('| %s | %.1f / %.1f | %.1f / %.1f | %.2f× | %.1f / %.1f | %.2f× | %.1f / %.1f | %.2f× |' % (
            name, median(rows, 0), median(rows, 1), median(rows, 2), median(rows, 3), median(rows, 0) / ref,
            median(rows, 4), median(rows, 5), median(rows, 4) / ref_object,
            median(rows, 6), median(rows, 7), median(rows, 6) / ref_callback))
    lines.append('')
ref_spaced, ref_sustained = median(connect[REFERENCE], 0), median(connect[REFERENCE], 1)
lines += ['`rpyc.classic.connect()` + first `eval` + close, server on CPU 0, client on CPU 1: one at a time '
          '(50 ms apart) and back to back (100 in a row):', '',
          '| server | one, p50 ms | back to back, p50 ms | connections/s | vs rpyc_classic (one / back to back) |',
          '| --- | ---: | ---: | ---: | ---: |']
for name, _, _ in SERVERS:
    rows = connect[name]
    lines.append('| %s | %.2f | %.2f | %.0f | %.2f× / %.2f× |' % (
        name, median(rows, 0), median(rows, 1), median(rows, 2),
        median(rows, 0) / ref_spaced, median(rows, 1) / ref_sustained))
lines += ['', '| memory per classic connection (20 open, server RSS growth) | KiB |', '| --- | ---: |']
for name, _, _ in SERVERS:
    lines.append('| %s | %.0f |' % (name, memory[name]))
text = '\n'.join(lines) + '\n'
with open(out, 'w') as f:
    f.write(text)
print(text)
