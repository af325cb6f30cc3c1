"""Cyclic garbage in interpreters that run at once
(crates/oxrpc-cli/tests/classic_backends.rs).

    garbage_under_load.py PORT SECONDS

Six stock classic clients connect over and over (each connection may take
a fresh interpreter, and the server builds spares meanwhile), make cycles
by the thousand (one of them also in threads it starts on the server) and
call gc.collect(), for SECONDS. Then one quiet client
checks that gc.collect() finds the cycles it just made. Prints
"errors N" and "collected ok|<count>".
"""
import sys
import threading
import time

import rpyc

PORT, SECONDS = int(sys.argv[1]), float(sys.argv[2])
MAKE_CYCLES = '''
def make_cycles(n):
    total = 0
    for i in range(n):
        a = [i]
        a.append(a)
        d = {'list': a}
        d['self'] = d
        total += len(a)
    return total
'''
THREADS = """
import threading
results = []
def work():
    results.append(make_cycles(3000))
threads = [threading.Thread(target=work) for _ in range(3)]
for t in threads:
    t.start()
for t in threads:
    t.join()
"""
errors = []
stop = time.time() + SECONDS


def busy(i):
    try:
        while time.time() < stop:
            conn = rpyc.classic.connect('127.0.0.1', PORT)
            conn.execute(MAKE_CYCLES)
            for _ in range(3):
                assert conn.eval('make_cycles(2000)') == 4000
                conn.execute('import gc; gc.collect()')
            if i == 0:
                # Threads the client's code starts on the server make
                # cycles too, while the others collect.
                conn.execute(THREADS)
                assert list(conn.eval('results')) == [6000] * 3
            conn.close()
    except Exception as e:  # reported, not raised: the count is the result
        errors.append('%d: %r' % (i, e))


threads = [threading.Thread(target=busy, args=(i,)) for i in range(6)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print('errors', len(errors), *errors[:3])

# Closed connections' interpreters may still be tearing down (inside
# Python, so no collection can run): try for a while.
conn = rpyc.classic.connect('127.0.0.1', PORT)
conn.execute(MAKE_CYCLES)
conn.execute('import gc')
found = 0
deadline = time.time() + 30
while found < 1000 and time.time() < deadline:
    conn.execute('gc.collect(); make_cycles(1000)')
    found = conn.eval('gc.collect()')
    if found < 1000:
        time.sleep(0.2)
print('collected', 'ok' if found >= 1000 else found)
