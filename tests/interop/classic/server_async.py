"""rpyc's asynchronous helpers in the server's code, driven by rpyc 6.0.2.

    python server_async.py PORT

A stock classic client hands the server functions of its own, and the code
it runs on the server at PORT calls them without waiting: `rpyc.async_`,
`rpyc.timed`, `AsyncResult` (`value`, `ready`, `error`, `expired`,
`add_callback`, `set_expiry`, its repr), `Connection.async_request` and
`sync_request` through a netref's `____conn__`, and rpyc's other helpers
(`buffiter`, `restricted`, `exposed`, `service`, `classpartial`, `spawn`,
`rpyc.lib.Timeout`, `BgServingThread`); callbacks run when the reply
comes, errors come back as the client's exceptions, an expired call raises
`AsyncResultTimeout`, and a call that calls back into the server is served
while the server waits.

Prints one line per observation; run against rpyc_classic (the oracle) and
against oxrpc, the outputs must be the same.
"""
import sys
import threading
import time

import rpyc

PORT = int(sys.argv[1])
conn = rpyc.classic.connect('127.0.0.1', PORT)
conn._config['sync_request_timeout'] = 60

calls = []


def double(x):
    calls.append(x)
    return x * 2


def fail(why):
    raise ValueError(why)


def slow(seconds):
    time.sleep(seconds)
    return 'slept %s' % seconds


def ask_server(f):
    """Calls back into the server while the server waits for this call."""
    return f(5) + 1


class Thing(object):
    a = 1
    b = 2


def show(label, value):
    print('%s: %s' % (label, value))


def first_line(e):
    text = str(e).strip().splitlines()
    return '%s(%s)' % (type(e).__name__, text[0] if text else '')


def ev(label, source):
    try:
        show(label, conn.eval(source))
    except Exception as e:
        show(label, first_line(e))


def ex(label, source):
    try:
        conn.execute(source)
        show(label, 'ok')
    except Exception as e:
        show(label, first_line(e))


for name, value in [('double', double), ('fail', fail), ('slow', slow),
                    ('ask_server', ask_server), ('thing', Thing()), ('client_list', list(range(25))),
                    ('client_calls', calls)]:
    conn.namespace[name] = value

ex('setup', '''
import re
import rpyc
import rpyc.core.async_
import rpyc.utils.helpers
from rpyc.core.async_ import AsyncResult, AsyncResultTimeout
def state(res):
    return re.sub(r" at 0x[0-9a-f]+", "", repr(res))
def described(e):
    return "%s(%s)" % (type(e).__name__, str(e).strip().splitlines()[0] if str(e).strip() else "")
def caught(f):
    try:
        return f()
    except BaseException as e:
        return described(e)
a_double = rpyc.async_(double)
''')

# The names, where rpyc has them.
ev('names', "[hasattr(rpyc, n) for n in ('async_', 'async', 'timed', 'buffiter', 'restricted', "
   "'BgServingThread', 'AsyncResult', 'AsyncResultTimeout', 'exposed', 'service', 'spawn')]")
ev('modules', "[rpyc.async_ is rpyc.utils.helpers.async_, rpyc.AsyncResult is "
   "rpyc.core.async_.AsyncResult, rpyc.AsyncResultTimeout is TimeoutError, "
   "getattr(rpyc, 'async') is rpyc.async_]")
ev('listed', "[n in dir(rpyc) for n in ('async_', 'timed', 'AsyncResult', 'connect')]")
ev('class', 'AsyncResult.__module__, AsyncResult.__name__')

# A call, its result and its states.
ev('value', 'a_double(21).value')
ev('cached', 'rpyc.async_(double) is a_double')
ev('caller repr', "re.sub(r' at 0x[0-9a-f]+', '', repr(a_double))")
ev('is an AsyncResult', 'isinstance(a_double(1), AsyncResult)')
ex('pending', 'res = a_double(2); first = state(res)')
ev('before', 'first')
ev('ready', 'res.ready, state(res), res.error, res.expired, res.value')
ev('ready again', 'res.ready')
ev('the client saw', 'list(client_calls)')

# Many at once: every result to its own request.
ev('many', '[r.value for r in [a_double(i) for i in range(300)]] == [2 * i for i in range(300)]')

# The client's exception.
ex('error', 'bad = rpyc.async_(fail)("no good")')
ev('error ready', 'bad.ready, bad.error, state(bad)')
ev('error value', 'caught(lambda: bad.value)')
ev('error type', 'type(bad._obj).__name__, isinstance(bad._obj, ValueError)')

# Expiry: timed and set_expiry.
ex('timed', 'late = rpyc.timed(slow, 0.3)(1.5)')
ev('timed repr', "re.sub(r' at 0x[0-9a-f]+', '', repr(rpyc.timed(slow, 0.3)))")
ev('timed value', 'caught(lambda: late.value)')
ev('timed state', 'state(late), late.expired, late.ready, late.error')
ex('expiry', 'soon = rpyc.async_(slow)(0.0); soon.set_expiry(30)')
ev('expiry value', 'soon.value, soon.expired')
ex('expired now', 'gone = rpyc.async_(slow)(0.5); gone.set_expiry(0)')
ev('expired state', 'gone.expired, state(gone), gone.ready')
ev('expired value', 'caught(lambda: [gone.value])')


# Callbacks: run with the result when it comes, or at once once it has.
ex('callback', '''
seen = []
cb_res = a_double(7)
cb_res.add_callback(lambda r: seen.append(("first", r.value)))
cb_res.add_callback(lambda r: seen.append(("second", r.ready)))
before_callbacks = list(seen)
''')
ev('callbacks before', 'before_callbacks')
ev('callbacks after wait', '(cb_res.wait(), seen)[1]')
ex('late callback', 'cb_res.add_callback(lambda r: seen.append(("late", r.value)))')
ev('late callback ran', 'seen')

# A callback that runs while nothing waits for it: the client serves the
# request and the server hands the reply over on its own.
ex('unawaited', '''
unawaited = []
u_res = a_double(50)
u_res.add_callback(lambda r: unawaited.append(r.value))
''')
conn.serve(0.5)
time.sleep(0.3)
ev('unawaited ran', 'unawaited')

# A call that calls back into the server while the server waits.
ex('nested', 'def server_side(x):\n    return x * 100\nnested = rpyc.async_(ask_server)(server_side)')
ev('nested value', 'nested.value')

# Requests by handler through a netref's connection.
ev('conn', 'hasattr(double, "____conn__"), hasattr(double, "____id_pack__")')
ev('getattr request', 'double.____conn__.async_request(4, double, "__name__").value')
ev('repr request', "re.sub(r' at 0x[0-9a-f]+', '', double.____conn__.sync_request(9, double))")
ev('call request', 'double.____conn__.sync_request(7, double, (4,), ())')
ev('timeout keyword', 'double.____conn__.async_request(7, double, (3,), (), timeout=30).value')

# Refusals.
ev('not a netref', 'caught(lambda: rpyc.async_(len))')
ev('not callable', "re.sub(r' at 0x[0-9a-f]+', '', caught(lambda: rpyc.async_(thing)))")

# The other helpers.
ev('buffiter', 'list(rpyc.buffiter(client_list, chunk=3, max_chunk=8))')
ev('buffiter factor', 'caught(lambda: list(rpyc.buffiter(client_list, factor=0)))')
ex('restricted', 'view = rpyc.restricted(thing, {"a"})')
ev('restricted read', 'view.a')
ev('restricted refused', 'caught(lambda: view.b)')
ex('restricted write', 'view2 = rpyc.restricted(thing, {"a", "b"}, ("b",)); view2.b = 20')
ev('restricted written', 'thing.b, caught(lambda: setattr(view2, "a", 5))')
ex('exposed', '''
@rpyc.service
class Exposing(object):
    @rpyc.exposed
    def hello(self):
        return "hi"
    @rpyc.exposed("pub_")
    def there(self):
        return "there"
''')
ev('exposed names', "sorted(n for n in dir(Exposing) if not n.startswith('__'))")
ev('exposed refused', 'caught(lambda: rpyc.exposed(3))')
ex('classpartial', '''
class Pair(object):
    def __init__(self, a, b):
        self.sum = a + b
Partial = rpyc.utils.helpers.classpartial(Pair, 2, b=3)
''')
ev('classpartial', 'Partial().sum, Partial.__name__')
ev('spawn', '(lambda box: (rpyc.spawn(box.append, 1).join(), box)[1])([])')
ev('Timeout', '[rpyc.lib.Timeout(None).expired(), rpyc.lib.Timeout(None).timeleft(), '
   'rpyc.lib.Timeout(0).expired(), rpyc.lib.Timeout(-1).finite]')

# From a thread the server's code started.
ex('from a thread', '''
import threading
threaded = []
t = threading.Thread(target=lambda: threaded.append(a_double(8).value))
t.start()
t.join()
''')
ev('thread result', 'threaded')

# A serving thread on the client's connection, stopped.
ex('BgServingThread', '''
bg = rpyc.BgServingThread(double.____conn__)
bg_value = a_double(9).value
bg.stop()
''')
ev('BgServingThread value', 'bg_value, bg._active')

# The server's code serving its client's connection: `serve` returns as
# soon as a message was served (True), or at its timeout (False); `poll`
# and `poll_all` say whether anything came.
ex('serving', '''
import time
client_conn = double.____conn__
def timed_serve(timeout):
    start = time.time()
    served = client_conn.serve(timeout)
    return served, round(time.time() - start) if not served else time.time() - start < timeout / 2
''')
ev('serve with nothing coming', 'timed_serve(0.3)')
ev('serve without waiting', 'client_conn.serve(0)')
ev('poll and poll_all with nothing', 'client_conn.poll(), client_conn.poll_all(), client_conn.poll_all(0.2)')
waiting = rpyc.async_(conn.namespace['timed_serve'])(6)
time.sleep(0.3)
conn.namespace['marker'] = 'sent while the server serves'
show('serve while a request comes', waiting.value)
conn.execute('''
def poll_all_while(seconds):
    return client_conn.poll_all(seconds), served_meanwhile
served_meanwhile = []
''')
polling = rpyc.async_(conn.namespace['poll_all_while'])(1.0)
time.sleep(0.2)
for i in range(3):
    conn.namespace['served_meanwhile'].append(i)
show('poll_all while requests come', polling.value)

conn.close()
show('closed', conn.closed)
