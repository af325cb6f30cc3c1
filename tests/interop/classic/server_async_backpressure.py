"""A peer that does not read what the server's code sends it asynchronously.

    python server_async_backpressure.py PORT

The server at PORT must share modules between connections (rpyc_classic;
`oxrpc classic serve --isolation shared`). A stock classic client has the
server's code send it 200 asynchronous calls of 1 MB each (random bytes, so
nothing compresses them away) while the client, busy in the first call,
reads nothing. rpyc's write then blocks on the full socket; the server's
code must likewise stop sending rather than queue the 200 MB, while a
second client is served meanwhile. Once the first client reads again,
every call is answered.

Prints one line per observation; run against rpyc_classic (the oracle) and
against oxrpc, the outputs must be the same.
"""
import sys
import threading
import time

import rpyc

PORT = int(sys.argv[1])
CALLS = 200

busy = rpyc.classic.connect('127.0.0.1', PORT)
busy._config['sync_request_timeout'] = 300
other = rpyc.classic.connect('127.0.0.1', PORT)
release = threading.Event()


def block():
    """Keeps the client's only thread busy, so it reads nothing."""
    release.wait(120)
    return 'read again'


def sink(data):
    return len(data)


busy.namespace['block'] = block
busy.namespace['sink'] = sink
busy.execute('''
import os
import sys
import rpyc
progress = sys.modules.setdefault('backpressure_progress', type(sys)('backpressure_progress'))
progress.sent = 0
def send_many(n):
    first = rpyc.async_(block)()
    call = rpyc.async_(sink)
    results = []
    for _ in range(n):
        results.append(call(os.urandom(1000000)))
        progress.sent += 1
    return sum(r.value for r in results), first.value
''')

outcome = {}
sender = threading.Thread(target=lambda: outcome.setdefault('result', busy.eval('send_many(%d)' % CALLS)))
sender.start()


def sent():
    return other.eval("__import__('sys').modules['backpressure_progress'].sent")


# Until the count stops moving for two seconds (or all were sent).
last, still_since = -1, time.monotonic()
while True:
    now = sent()
    if now != last:
        last, still_since = now, time.monotonic()
    if now >= CALLS or time.monotonic() - still_since > 2:
        break
    time.sleep(0.1)
print('the sender stopped while the client read nothing: %s' % (last < CALLS // 4))
print('another client served meanwhile: %s' % other.eval('sum(range(10))'))
release.set()
sender.join(300)
print('every call answered once the client read again: %s' % (outcome.get('result'),))
busy.close()
other.close()
