"""A real rpyc 6.0.2 ThreadedServer for the oxrpc Rust client tests
(crates/oxrpc-rpyc/tests/rust_clients.rs).

Binds 127.0.0.1 on an ephemeral port, prints "PORT <n>" and serves until
killed. The service mirrors the Rust test service: the tutorial's
get_answer / the_real_answer_though / get_question, echo, callbacks, lists,
dicts, generators, exceptions, slow calls and its own netref count.
"""

import builtins
import gc
import sys
import threading
import time

import rpyc
from rpyc.utils.server import ThreadedServer

_gates = {}
_gates_lock = threading.Lock()


def _gate(name):
    with _gates_lock:
        return _gates.setdefault(name, threading.Event())


class Thing:
    """A plain object: hashable, comparable, with an exposed attribute."""

    def __init__(self, n):
        self.n = n
        self.exposed_n = n

    def __hash__(self):
        return hash(("thing", self.n))

    def __eq__(self, other):
        return isinstance(other, Thing) and other.n == self.n

    def __lt__(self, other):
        return self.n < other.n

    def __repr__(self):
        return f"Thing({self.n})"

    def __str__(self):
        return f"thing #{self.n}"

    def exposed_double(self):
        return self.n * 2


class TestService(rpyc.Service):
    def on_connect(self, conn):
        self._conn = conn

    def exposed_get_answer(self):
        return 42

    exposed_the_real_answer_though = 43

    def get_question(self):
        return "not exposed"

    def exposed_echo(self, value):
        return value

    def exposed_add(self, a, b):
        return a + b

    def exposed_call_back(self, callback, value):
        return callback(value)

    def exposed_call_later(self, callback, delay, value):
        """Calls back from a thread of the server's, after the call that
        asked for it has returned."""
        def later():
            time.sleep(delay)
            callback(value)
        threading.Thread(target=later, daemon=True).start()

    def exposed_call_back_twice(self, callback, value):
        return callback(callback(value))

    def exposed_get_list(self):
        return [1, 2, 3, 4, 5]

    def exposed_get_range_list(self, n):
        return list(range(n))

    def exposed_get_dict(self):
        return {"one": 1, "two": 2, "three": 3}

    def exposed_get_generator(self, n):
        return (i * i for i in range(n))

    def exposed_get_thing(self, n):
        return Thing(n)

    def exposed_raise_error(self, kind, message):
        raise getattr(builtins, kind)(message)

    def exposed_slow(self, seconds):
        time.sleep(seconds)
        return seconds

    def exposed_wait_gate(self, name):
        if not _gate(name).wait(30):
            raise TimeoutError(f"gate {name} never opened")
        return "opened"

    def exposed_open_gate(self, name):
        _gate(name).set()

    def exposed_local_object_count(self):
        return len(self._conn._local_objects._dict)

    def exposed_collect_garbage(self):
        # rpyc keeps the last traceback (and so the frames and netrefs it
        # references) until the next exception; drop it and collect.
        self._conn._last_traceback = None
        gc.collect()

    def exposed_bytes_len(self, data):
        return len(data)


if __name__ == "__main__":
    server = ThreadedServer(TestService, hostname="127.0.0.1", port=0)
    # Listen before announcing the port, so clients never race start().
    server._listen()
    print(f"PORT {server.port}", flush=True)
    server.start()
