"""A stock rpyc client against a service that reads its connection on a
thread of its own (crates/oxrpc-rpyc/tests/thread_reading.rs).

    own_thread_client.py HOST PORT serve   # calls of every shape
    own_thread_client.py HOST PORT idle S  # one call, S seconds idle, one more

Prints what it saw, one fact per line, for the test to compare.
"""
import os
import sys
import time

import rpyc

host, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
conn = rpyc.connect(host, port)
if mode == "serve":
    print("thread", conn.root.thread_name())
    # Compressed on the wire (rpyc compresses anything over 3000 bytes),
    # and large once inflated: the heavy path, on the reading thread.
    big = bytes(range(256)) * 4096
    print("big echo", conn.root.echo(big) == big)
    noise = os.urandom(300_000)
    print("noise echo", conn.root.echo(noise) == noise)
    # A handler that calls back into this client: the reply to the
    # callback comes through the reading thread while the handler waits.
    print("callback", conn.root.call_back(lambda: 41 + 1))
    print("sum", sum(conn.root.echo(i) for i in range(500)))
    print("thread again", conn.root.thread_name())
    conn.close()
elif mode == "idle":
    conn.root.thread_name()
    time.sleep(float(sys.argv[4]))
    try:
        conn.root.thread_name()
        print("still open")
    except EOFError:
        print("closed")
