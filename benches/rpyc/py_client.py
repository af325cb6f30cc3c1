"""Python rpyc client for the benchmark.

    py_client.py latency PORT N        -> "p50_us p99_us calls_per_second"
    py_client.py count PORT SECONDS    -> number of get_answer() calls made
    py_client.py payload PORT BYTES N  -> "p50_ms p99_ms": conn.ping() of
                                          BYTES random bytes, N times
"""
import os
import sys
import time

import rpyc

mode, port = sys.argv[1], int(sys.argv[2])
conn = rpyc.connect('127.0.0.1', port)
root = conn.root
if mode == 'latency':
    n = int(sys.argv[3])
    for _ in range(n // 10):
        root.get_answer()
    samples = []
    start = time.perf_counter()
    for _ in range(n):
        t = time.perf_counter()
        assert root.get_answer() == 42
        samples.append(time.perf_counter() - t)
    total = time.perf_counter() - start
    samples.sort()
    pick = lambda q: samples[int((len(samples) - 1) * q)] * 1e6
    print('%.1f %.1f %.0f' % (pick(0.5), pick(0.99), n / total))
elif mode == 'payload':
    size, n = int(sys.argv[3]), int(sys.argv[4])
    data = os.urandom(size)
    for _ in range(3):
        conn.ping(data, timeout=60)
    samples = []
    for _ in range(n):
        t = time.perf_counter()
        conn.ping(data, timeout=60)
        samples.append(time.perf_counter() - t)
    samples.sort()
    pick = lambda q: samples[int((len(samples) - 1) * q)] * 1e3
    print('%.2f %.2f' % (pick(0.5), pick(0.99)))
else:
    seconds = float(sys.argv[3])
    count = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        root.get_answer()
        count += 1
    print(count)
