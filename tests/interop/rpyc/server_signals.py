"""What a connected stock rpyc client sees when its server gets a signal.

    server_signals.py SCENARIO PORT [COMMAND...]

COMMAND serves the notebook's MyService on 127.0.0.1:PORT; without one,
rpyc's own ThreadedServer does. The test runs both and compares what this
prints. SCENARIO is one of:

- `shutdown`: Ctrl-C (SIGINT) stops the server; the server's exit code,
  then the client's next call.
- `ignored-interrupt`: the server starts with SIGINT ignored (as a
  non-interactive shell starts a background job) and keeps ignoring it,
  as CPython does; SIGTERM still stops it.
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

scenario, port = sys.argv[1], int(sys.argv[2])
command = sys.argv[3:] or [sys.executable, "-c", REFERENCE, str(port)]
# Ctrl-C's disposition is set explicitly, whatever this script inherited.
interrupt = signal.SIG_IGN if scenario == "ignored-interrupt" else signal.SIG_DFL
server = subprocess.Popen(
    command,
    stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL,
    preexec_fn=lambda: signal.signal(signal.SIGINT, interrupt),
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
    if scenario == "shutdown":
        print("server exit:", server.wait(timeout=60))
        try:
            print("next call:", conn.root.get_answer())
        except Exception as e:  # what the client reads of the hang-up
            print("next call: %s: %s" % (type(e).__name__, e))
        print("closed:", conn.closed)
    else:
        time.sleep(1.5)
        print("running after SIGINT:", server.poll() is None)
        print("after SIGINT:", conn.root.get_answer())
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        print("stopped by SIGTERM: True")
finally:
    server.kill()
