"""Remote code that prints, and threads of the server's calling back: what
rpyc_classic does, checked against any classic server.

Usage: prints_and_threads.py PORT MARKER   (the server on 127.0.0.1)

Prints MARKER on the server's standard output (flushed from the client, so
the test can read it while the server runs), writes to the server's
standard error, then has a thread the server's code started call a client
callback, both while the request that started it waits for the thread and
after that request has returned (the BgServingThread pattern). Prints what
the client received and what went wrong on the server, for the test to
compare between servers.
"""

import sys
import time

import rpyc
from rpyc.utils import classic

host, port, marker = "127.0.0.1", int(sys.argv[1]), sys.argv[2]
conn = classic.connect(host, port)
conn.execute("print(%r)" % marker)
conn.modules.sys.stdout.flush()
conn.execute("import sys; sys.stderr.write('to standard error\\n')")
print("stdout is a", type(conn.modules.sys.stdout).__name__)

bg = rpyc.BgServingThread(conn)
received = []
conn.execute("""
import threading
errors = []
def call_from_a_thread(callback, wait):
    def run():
        try:
            callback('from a thread, waited for' if wait else 'from a thread, later')
        except BaseException as e:
            errors.append(type(e).__name__ + ': ' + str(e).split(chr(10))[0])
    thread = threading.Thread(target=run)
    thread.start()
    if wait:
        # The thread's callback is answered while this request waits for
        # it (rpyc has the waiting thread read the answer itself).
        thread.join(30)
        if thread.is_alive():
            errors.append('the thread still waits for its callback after 30 s')
""")
conn.namespace["call_from_a_thread"](received.append, True)
conn.namespace["call_from_a_thread"](received.append, False)
deadline = time.time() + 10
while len(received) < 2 and time.time() < deadline:
    time.sleep(0.05)
print("received", sorted(received))
print("server errors", list(conn.namespace["errors"]))
bg.stop()
conn.close()

# A connection that prints without flushing: its output reaches the
# server's standard output when the connection ends.
conn = classic.connect(host, port)
conn.execute("print(%r)" % (marker + " at the end"))
conn.close()
print("done")
