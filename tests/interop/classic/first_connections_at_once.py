"""Clients that connect all at once to a classic server that has served
no one yet, each asking what its interpreter's own start left it.

    first_connections_at_once.py PORT CLIENTS [STAGGER]
        ->  prints "whole CLIENTS" when every client's interpreter is whole

The script may start before the server listens. From one moment (a
barrier), client i waits i * STAGGER seconds (0 by default), then tries
to connect every few milliseconds until the server accepts: the server
builds their interpreters while it builds the first one it ever builds
(its spare, or the first client's), each at another stage of its start.

Each client then asks for its interpreter's import machinery
(`sys.meta_path`: the path finder is what importlib's start installs
last), imports a module from the standard library's files, and runs a
concatenation and an index of each builtin sequence, the slots a server
might have changed. Every answer must be the one rpyc_classic gives (the
test runs this script against rpyc_classic first).
"""
import sys
import threading
import time

import rpyc

port, clients = int(sys.argv[1]), int(sys.argv[2])
EXPECTED = [
    ('finders', ['BuiltinImporter', 'FrozenImporter', 'PathFinder']),
    ('json', '[1, "a"]'),
    ('sequences', ['ab', [1, 2], (1, 2), b'ab', bytearray(b'ab'), 'b', 2, 98]),
]
QUESTIONS = {
    'finders': "[getattr(f, '__name__', type(f).__name__) for f in __import__('sys').meta_path"
               " if getattr(f, '__name__', type(f).__name__) in"
               " ('BuiltinImporter', 'FrozenImporter', 'PathFinder')]",
    'json': "__import__('json').dumps([1, 'a'])",
    'sequences': "['a' + 'b', [1] + [2], (1,) + (2,), b'a' + b'b', bytearray(b'a') + b'b',"
                 " 'ab'[1], [1, 2][1], b'ab'[1]]",
}
STAGGER = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
barrier = threading.Barrier(clients)
failures = []


def connect():
    deadline = time.monotonic() + 60
    while True:
        try:
            return rpyc.classic.connect('127.0.0.1', port)
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.005)


def client(place):
    barrier.wait()
    time.sleep(place * STAGGER)
    try:
        conn = connect()
        for what, expected in EXPECTED:
            got = rpyc.classic.obtain(conn.eval(QUESTIONS[what]))
            if got != expected:
                failures.append(f'{what}: {got!r}, not {expected!r}')
        conn.close()
    except Exception as e:  # a client that could not even ask
        failures.append(f'{type(e).__name__}: {e}')


threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
if failures:
    print('\n'.join(failures))
    sys.exit(1)
print('whole', clients)
