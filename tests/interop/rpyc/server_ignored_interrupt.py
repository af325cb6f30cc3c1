"""A server started with SIGINT ignored (as a non-interactive shell starts
a background job) keeps ignoring it, as CPython does: Ctrl-C in the
terminal is not for it. SIGTERM still stops it.

    server_ignored_interrupt.py PORT [COMMAND...]

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
server = subprocess.Popen(
    command,
    stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL,
    preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
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
    time.sleep(1.5)
    print("running after SIGINT:", server.poll() is None)
    print("after SIGINT:", conn.root.get_answer())
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=60)
    print("stopped by SIGTERM: True")
finally:
    server.kill()
