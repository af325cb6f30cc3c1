"""The Python reference servers the conformance vectors are recorded from.

    python ref_server.py service     # ThreadedServer(MyService), the notebook's
    python ref_server.py classic     # what `rpyc_classic --host 127.0.0.1` runs

Both bind 127.0.0.1 on an ephemeral port, print "PORT <n>" once listening,
and serve until killed.

MyService is copied verbatim from tests/interop/rpyc/rpyc_base.py (importing
that file would start its own server on 18861) and, like there, lives in
__main__, so its id pack names it "__main__.MyService". The classic server is
exactly rpyc_classic's threaded mode: ThreadedServer(SlaveService,
reuse_addr=True) with no authenticator and no registration.
"""
import sys

import rpyc
from rpyc.core import SlaveService
from rpyc.utils.server import ThreadedServer

assert rpyc.__version__ == "6.0.2", rpyc.__version__


class MyService(rpyc.Service):
    def on_connect(self, conn):
        # code that runs when a connection is created
        # (to init the service, if needed)
        pass

    def on_disconnect(self, conn):
        # code that runs after the connection has already closed
        # (to finalize the service, if needed)
        pass

    def exposed_get_answer(self): # this is an exposed method
        return 42

    exposed_the_real_answer_though = 43     # an exposed attribute

    def get_question(self):  # while this method is not exposed
        return "¿cuál es la velocidad de una golondrina sin que lleve peso?"


def main():
    target = sys.argv[1]
    if target == "service":
        server = ThreadedServer(MyService, hostname="127.0.0.1", port=0)
    elif target == "classic":
        server = ThreadedServer(SlaveService, hostname="127.0.0.1", port=0,
                                reuse_addr=True, authenticator=None,
                                auto_register=False)
    else:
        raise SystemExit(f"unknown target {target!r}")
    server._listen()
    print(f"PORT {server.port}", flush=True)
    server.start()


if __name__ == "__main__":
    main()
