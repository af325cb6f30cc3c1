"""The Python side of the RPyC benchmark: the notebook's MyService on a
stock ThreadedServer (logging off, as the oxrpc server's is)."""
import logging
import sys

import rpyc
from rpyc.utils.server import ThreadedServer


class MyService(rpyc.Service):
    def exposed_get_answer(self):
        return 42

    exposed_the_real_answer_though = 43


port = int(sys.argv[1])
server = ThreadedServer(MyService, hostname='127.0.0.1', port=port,
                        logger=logging.getLogger('quiet'))
logging.getLogger('quiet').setLevel(logging.CRITICAL)
print('ready', port, flush=True)
server.start()
