"""What a connected stock rpyc client sees when its server is stopped with
Ctrl-C (SIGINT): the server's exit code, then the client's next call.

    server_shutdown.py PORT [COMMAND...]

COMMAND serves the notebook's MyService on 127.0.0.1:PORT; without one,
rpyc's own ThreadedServer does. The test runs both and compares what this
prints.
"""
import signal
import socket
import subprocess
import sys
import time

import rpyc

REFERENCE = """
import sys, rpyc
from rpyc.utils.server import ThreadedServer
class MyService(rpyc.Service):
    def exposed_get_answer(self):
        return 42
ThreadedServer(MyService, hostname="127.0.0.1", port=int(sys.argv[1])).start()
"""

port = int(sys.argv[1])
command = sys.argv[2:] or [sys.executable, "-c", REFERENCE, str(port)]
# Ctrl-C's default action, even where this script was started with SIGINT
# ignored (servers keep an inherited ignore, see server_ignored_interrupt.py).
server = subprocess.Popen(
    command,
    stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL,
    preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
)
try:
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    conn = rpyc.connect("127.0.0.1", port)
    print("before:", conn.root.get_answer())
    server.send_signal(signal.SIGINT)
    print("server exit:", server.wait(timeout=60))
    try:
        print("next call:", conn.root.get_answer())
    except Exception as e:  # what the client reads of the hang-up
        print("next call: %s: %s" % (type(e).__name__, e))
    print("closed:", conn.closed)
finally:
    server.kill()
