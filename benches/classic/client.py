"""Classic-mode client for the benchmark.

    client.py latency PORT N    -> "eval_p50 eval_p99 version_p50 version_p99
                                   object_p50 object_p99 callback_p50
                                   callback_p99" (µs; object: a server
                                   function called with a new client object,
                                   which the server inspects and releases;
                                   callback: a server function that calls the
                                   client's function back once)
    client.py memory PID PORT N -> server RSS growth per open connection, KiB
    client.py connect PORT N    -> "spaced_p50 sustained_p50 sustained_per_s":
                                   rpyc.classic.connect() + the first eval('1+1')
                                   + close, in ms; spaced 50 ms apart, then N
                                   back to back
"""
import sys
import time

import rpyc


def percentiles(samples):
    samples.sort()
    pick = lambda q: samples[int((len(samples) - 1) * q)] * 1e6
    return pick(0.5), pick(0.99)


def timed(fn, n):
    for _ in range(n // 10):
        fn()
    samples = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return percentiles(samples)


def rss_kib(pid):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    return 0


if sys.argv[1] == 'latency':
    port, n = int(sys.argv[2]), int(sys.argv[3])
    conn = rpyc.classic.connect('127.0.0.1', port)
    e50, e99 = timed(lambda: conn.eval('1+1'), n)
    v50, v99 = timed(lambda: conn.modules.sys.version, n)
    conn.execute('def takes(o):\n    return 1')
    takes = conn.namespace['takes']

    class Plain(object):
        pass

    o50, o99 = timed(lambda: takes(Plain()), n)
    conn.execute('def calls(f):\n    return f(1)')
    calls = conn.namespace['calls']

    def ident(x):
        return x

    c50, c99 = timed(lambda: calls(ident), n)
    print('%.1f %.1f %.1f %.1f %.1f %.1f %.1f %.1f' % (e50, e99, v50, v99, o50, o99, c50, c99))
elif sys.argv[1] == 'connect':
    port, n = int(sys.argv[2]), int(sys.argv[3])

    def connect_once():
        t = time.perf_counter()
        c = rpyc.classic.connect('127.0.0.1', port)
        assert c.eval('1+1') == 2
        c.close()
        return time.perf_counter() - t

    spaced = []
    for _ in range(20):
        time.sleep(0.05)
        spaced.append(connect_once())
    spaced.sort()
    start = time.perf_counter()
    sustained = sorted(connect_once() for _ in range(n))
    rate = n / (time.perf_counter() - start)
    print('%.2f %.2f %.0f' % (spaced[len(spaced) // 2] * 1e3, sustained[len(sustained) // 2] * 1e3, rate))
else:
    pid, port, n = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    warm = rpyc.classic.connect('127.0.0.1', port)
    warm.eval('1')
    time.sleep(0.5)
    before = rss_kib(pid)
    conns = []
    for _ in range(n):
        c = rpyc.classic.connect('127.0.0.1', port)
        c.eval('1')  # make sure the connection's interpreter is up
        conns.append(c)
    time.sleep(1.0)
    print('%.0f' % ((rss_kib(pid) - before) / n))
