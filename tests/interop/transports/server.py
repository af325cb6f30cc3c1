"""A real rpyc 6.0.2 ThreadedServer for the transport tests.

Usage: server.py SERVICE (--socket PATH | --port N) [--register REGISTRY_PORT]

SERVICE is "my" (the notebook's MyService: get_answer, the_real_answer_though,
get_question not exposed) or "classic" (a ClassicService that, once its own
on_connect has driven the client's classic root as rpyc does, tries the
client's modules and eval and records what it got in the module-level list
SEEN, which a classic client reads with conn.modules.__main__.SEEN).

Binds (socket_path= binds in __init__, as rpyc does) and listens, prints
"READY <port or path>" and serves until killed. --register auto-registers with the UDP
registry at 127.0.0.1:REGISTRY_PORT.
"""

import argparse

import rpyc
from rpyc.core import service as rpyc_service
from rpyc.utils.registry import UDPRegistryClient
from rpyc.utils.server import ThreadedServer

SEEN = []


class MyService(rpyc.Service):
    def exposed_get_answer(self):
        return 42

    exposed_the_real_answer_though = 43

    def get_question(self):
        return "what is the airspeed velocity of an unladen swallow?"


class ClassicService(rpyc_service.ClassicService):
    """Named as rpyc's, so it is served as CLASSIC."""

    def on_connect(self, conn):
        super().on_connect(conn)
        for probe in (lambda: conn.modules.os.getcwd(), lambda: conn.eval("1 + 1")):
            try:
                probe()
            except Exception as e:  # what the client's stand-ins answer
                SEEN.append(f"{type(e).__name__}: {str(e).splitlines()[0]}")
            else:
                SEEN.append("no error")


parser = argparse.ArgumentParser()
parser.add_argument("service", choices=["my", "classic"])
parser.add_argument("--socket")
parser.add_argument("--port", type=int)
parser.add_argument("--register", type=int)
args = parser.parse_args()

service = MyService if args.service == "my" else ClassicService
options = {}
if args.register is not None:
    options = dict(
        registrar=UDPRegistryClient(ip="127.0.0.1", port=args.register),
        auto_register=True,
    )
if args.socket:
    server = ThreadedServer(service, socket_path=args.socket, **options)
else:
    server = ThreadedServer(service, hostname="127.0.0.1", port=args.port or 0, **options)
server._listen()  # what start() does first: clients may connect after READY
print("READY", server.port, flush=True)
server.start()
