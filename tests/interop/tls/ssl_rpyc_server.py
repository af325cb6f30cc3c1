"""A stock rpyc ThreadedServer behind SSLAuthenticator (client certificates
required), serving the notebook's MyService.

    python ssl_rpyc_server.py KEY CERT CA

Prints "ready PORT" once listening.
"""
import sys

import rpyc
from rpyc.utils.authenticators import SSLAuthenticator
from rpyc.utils.server import ThreadedServer


class MyService(rpyc.Service):
    def exposed_get_answer(self):
        return 42

    exposed_the_real_answer_though = 43


key, cert, ca = sys.argv[1:4]
server = ThreadedServer(MyService, hostname='127.0.0.1', port=0,
                        authenticator=SSLAuthenticator(key, cert, ca_certs=ca))
server._listen()  # listen before announcing the port
print('ready', server.port, flush=True)
server.start()
