"""The notebook's MyService on a real rpyc 6.0.2 ThreadedServer, plus a
callback method, for crates/oxrpc-cli/tests/wire_tools.rs.

Usage: myservice_server.py [--answer N]

Binds 127.0.0.1 on an ephemeral port, prints "PORT <n>" and serves until
killed. --answer changes what get_answer returns (42 by default): the
"server changed on purpose" a replay must catch.
"""

import sys

import rpyc
from rpyc.utils.server import ThreadedServer

ANSWER = 42
if len(sys.argv) == 3 and sys.argv[1] == "--answer":
    ANSWER = int(sys.argv[2])


class MyService(rpyc.Service):
    def exposed_get_answer(self):  # this is an exposed method
        return ANSWER

    exposed_the_real_answer_though = 43  # an exposed attribute

    def get_question(self):  # while this method is not exposed
        return "¿cuál es la velocidad de una golondrina sin que lleve peso?"

    def exposed_call_back(self, callback, value):
        return callback(value)


if __name__ == "__main__":
    server = ThreadedServer(MyService, hostname="127.0.0.1", port=0)
    # Listen before announcing the port, so clients never race start().
    server._listen()
    print(f"PORT {server.port}", flush=True)
    server.start()
