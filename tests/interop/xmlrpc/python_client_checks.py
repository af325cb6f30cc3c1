"""Drives an oxrpc XML-RPC server with CPython's ServerProxy.

    python python_client_checks.py URL

The server under test must register: list_contents(dir), echo(value),
echo_encoded(value) (echo, answered encoded ahead),
add(a, b) (Python's +), add_ints(int, int) -> int, fail(message) (a plain error), fault(code, message),
none(), big_int() -> 2**40. For fault shapes, the same calls also go to a
stock SimpleXMLRPCServer this script starts, and the answers are compared.
"""
import datetime
import gzip
import http.client
import os
import sys
import threading
import xmlrpc.client
from xmlrpc.server import SimpleXMLRPCServer

URL = sys.argv[1]
failures = []
passed = 0


def check(name, cond, detail=''):
    global passed
    if cond:
        passed += 1
    else:
        failures.append('%s: %s' % (name, detail))


def fault_of(proxy, method, *args):
    try:
        getattr(proxy, method)(*args)
    except xmlrpc.client.Fault as f:
        return f
    return None


def add(a, b):
    return a + b


def echo(value):
    return value


def list_contents(dir_name):
    return os.listdir(dir_name)


def start_reference():
    server = SimpleXMLRPCServer(('127.0.0.1', 0), allow_none=True, logRequests=False)
    server.register_introspection_functions()
    server.register_multicall_functions()
    for f in (add, echo, list_contents):
        server.register_function(f)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return 'http://127.0.0.1:%d' % server.server_address[1]


proxy = xmlrpc.client.ServerProxy(URL, allow_none=True)
builtin = xmlrpc.client.ServerProxy(URL, allow_none=True, use_builtin_types=True)

# The notebook's call.
check('list_contents', sorted(proxy.list_contents('/')) == sorted(os.listdir('/')))

# Every type through echo.
samples = [
    0, 1, -1, 2**31 - 1, -2**31, True, False, '', 'plain', 'a<b>&c"\'',
    'ñandú 日本語 🐍 ¿cuál?', 'multi\nline\ttabs', 0.0, -0.0, 1.5, 1 / 3, 1e16, 1e-05, 5e-324,
    1.7976931348623157e308, float('inf'), [], [1, [2, [3, []]]], {}, {'a': 1, 'b': {'c': [None]}},
    None, [None, True, 'x', 2.5], {'ünï': 'cödé', 'k&<>': 'v'},
]
for value in samples:
    got = proxy.echo(value)
    check('echo %r' % (value,), got == value and type(got) == type(value)
          and (not isinstance(value, float) or repr(got) == repr(value)), repr(got))
nan = proxy.echo(float('nan'))
check('echo nan', nan != nan, repr(nan))
blob = bytes(range(256)) * 40
check('echo Binary', proxy.echo(xmlrpc.client.Binary(blob)).data == blob)
check('echo bytes (builtin types)', builtin.echo(blob) == blob)
when = xmlrpc.client.DateTime('20261126T01:10:20')
check('echo DateTime', proxy.echo(when) == when)
dt = datetime.datetime(1999, 12, 31, 23, 59, 59)
check('echo datetime (builtin types)', builtin.echo(dt) == dt)
deep = []
node = deep
for _ in range(40):
    node.append([])
    node = node[0]
check('echo 40-deep array', proxy.echo(deep) == deep)
check('int beyond 32 bits (i8)', proxy.big_int() == 2**40)

# The codec's fast paths, byte for byte against CPython's own marshalling:
# arrays of like structs (member names hashed once per position), names and
# strings with references, and doubles on both sides of where CPython's
# repr leaves fixed notation (1e-05 and below, 1e16 and above).
like_structs = [
    {'id': i * 7919, 'name': 'item %d & \u00e9t\u00e9' % i, 'price': i * 1.25 + 0.1,
     'active': i % 3 == 0, 'tags': ['a-%d' % i, 'b-%d' % i]}
    for i in range(40)
] + [{'price': 1.0, 'id': 1}, {'a&b': 1, 'a<b': 2, '': 3}, {'m%d' % i: i for i in range(20)}]
doubles = [1.35, 123.0, 0.000999, 0.0001, 9.99e-05, 1e-05, 1.23e-07, 1e15,
           9999999999999998.0, 1e16, 1.5e16, -0.000999, -9.99e-05]
for value in (like_structs, doubles):
    check('echo %s' % type(value[0]).__name__, proxy.echo(value) == value)
    for method in ('echo', 'echo_encoded'):
        body = xmlrpc.client.dumps((value,), method).encode()
        host = URL.split('//', 1)[1].rstrip('/')
        raw = http.client.HTTPConnection(host, timeout=30)
        raw.request('POST', '/RPC2', body, {'Content-Type': 'text/xml'})
        answer = raw.getresponse().read()
        raw.close()
        want = xmlrpc.client.dumps((value,), methodresponse=True, allow_none=True).encode()
        check('%s: response bytes as CPython writes them (%s)' % (method, type(value[0]).__name__),
              answer == want, answer[:200])

# An answer encoded ahead: the same value back, alone, gzipped, in a
# multicall (where the server reads it back into the list of results),
# and a signature that says only "any" of it.
for value in (like_structs, doubles, 'caf\u00e9 <&>', None, 2**31 - 1, -2**31, 'y' * 5000):
    check('echo_encoded %r' % (value,)[:40], proxy.echo_encoded(value) == value)
# Over 256 KiB: copied (and gzipped) on the blocking pool, with its share
# of the memory budget.
big_encoded = 'z\u00e9' * 300_000
check('echo_encoded of 900 KB (gzipped)', proxy.echo_encoded(big_encoded) == big_encoded)
body = xmlrpc.client.dumps((big_encoded,), 'echo_encoded').encode()
raw = http.client.HTTPConnection(URL.split('//', 1)[1].rstrip('/'), timeout=30)
raw.request('POST', '/RPC2', body, {'Content-Type': 'text/xml'})
answer = raw.getresponse().read()
raw.close()
check('echo_encoded of 900 KB: bytes as CPython writes them',
      answer == xmlrpc.client.dumps((big_encoded,), methodresponse=True).encode(), answer[:200])
multi = xmlrpc.client.MultiCall(proxy)
multi.echo_encoded(like_structs)
multi.echo(like_structs)
multi.echo_encoded(doubles)
results = list(multi())
check('multicall echo_encoded', results == [like_structs, like_structs, doubles], results[:1])
check('methodSignature echo_encoded',
      proxy.system.methodSignature('echo_encoded') == [['any', 'any']],
      proxy.system.methodSignature('echo_encoded'))
check('none()', proxy.none() is None)

# A document that is not UTF-8 (a Latin-1 byte, no declaration saying so):
# a parse fault naming where, and the server goes on serving.
body = xmlrpc.client.dumps(('caf\u00e9 ok',), 'echo').encode()
at = body.index(b'caf') + 3
raw = http.client.HTTPConnection(URL.split('//', 1)[1].rstrip('/'), timeout=30)
raw.request('POST', '/RPC2', body[:at] + b'\xe9' + body[at + 2:], {'Content-Type': 'text/xml'})
answer = raw.getresponse().read()
raw.close()
try:
    xmlrpc.client.loads(answer)
    check('not UTF-8: a fault', False, answer[:200])
except xmlrpc.client.Fault as f:
    check('not UTF-8: a parse fault with its place',
          f.faultCode == -32700 and 'invalid utf-8 sequence of 1 bytes from index %d' % at
          in f.faultString, f)
check('served after a document that is not UTF-8', proxy.add(2, 3) == 5)

# Big payloads, both ways (the response is gzipped: ServerProxy accepts gzip).
big_text = 'oxrpc ' * (5 * 1024 * 1024 // 6)
check('echo 5 MB string', proxy.echo(big_text) == big_text)
big_list = list(range(100000))
check('echo 100k-int array', proxy.echo(big_list) == big_list)

# Uncompressed requests, as a stock ServerProxy sends them, around the
# sizes where the server's reading changes: 64 KiB (a read that fills the
# default buffer), 128 KiB (the most it reads at once) and 256 KiB (the
# largest body kept without drawing on the memory budget). Every byte
# length in each window, on one kept-alive connection, with two-byte
# characters falling on every offset: each must come back whole.
def sized(total):
    """A string of exactly `total` UTF-8 bytes, half of them in 'é'."""
    return 'x' * (total % 3) + 'a\u00e9' * (total // 3)


overhead = len(xmlrpc.client.dumps(('',), 'echo').encode())
sweep = xmlrpc.client.ServerProxy(URL, allow_none=True)
for boundary in (64 * 1024, 128 * 1024, 256 * 1024):
    wrong = [body for body in range(boundary - 320, boundary + 24)
             if sweep.echo(sized(body - overhead)) != sized(body - overhead)]
    check('echo of every body size from %d to %d' % (boundary - 320, boundary + 23),
          not wrong, 'wrong at body sizes %r' % wrong[:10])
    body = xmlrpc.client.dumps((sized(boundary - overhead),), 'echo').encode()
    raw = http.client.HTTPConnection(URL.split('//', 1)[1].rstrip('/'), timeout=30)
    raw.request('POST', '/RPC2', body, {'Content-Type': 'text/xml'})
    answer = raw.getresponse().read()
    raw.close()
    want = xmlrpc.client.dumps((sized(boundary - overhead),), methodresponse=True,
                               allow_none=True).encode()
    check('a %d-byte body answered as CPython writes it' % boundary, answer == want,
          '%d bytes: %r' % (len(answer), answer[:200]))

# A gzip-compressed request (Transport.encode_threshold).
class GzipTransport(xmlrpc.client.Transport):
    encode_threshold = 100
gz = xmlrpc.client.ServerProxy(URL, transport=GzipTransport(), allow_none=True)
check('gzip request', gz.echo('y' * 5000) == 'y' * 5000)
# One that inflates past 256 KiB: the server measures it, then inflates it.
check('gzip request 1 MB', gz.echo('y' * 1_000_000) == 'y' * 1_000_000)

# Introspection.
methods = proxy.system.listMethods()
for name in ('add', 'echo', 'list_contents', 'system.listMethods', 'system.methodHelp',
             'system.methodSignature', 'system.multicall'):
    check('listMethods has ' + name, name in methods, methods)
check('listMethods sorted', methods == sorted(methods), methods)
# Signatures come from the handlers' Rust types (add_ints is add, typed).
check('methodSignature add_ints', proxy.system.methodSignature('add_ints') == [['int', 'int', 'int']],
      proxy.system.methodSignature('add_ints'))
check('methodHelp unknown', proxy.system.methodHelp('no.such') == '')
check('methodHelp system', 'system.listMethods' in proxy.system.methodHelp('system.listMethods'))

# Multicall.
multi = xmlrpc.client.MultiCall(proxy)
multi.add(2, 3)
multi.echo('x')
multi.fault(42, 'on purpose')
multi.add(1)
results = multi()
check('multicall add', results[0] == 5)
check('multicall echo', results[1] == 'x')
try:
    results[2]
    check('multicall fault raises', False)
except xmlrpc.client.Fault as f:
    check('multicall fault', (f.faultCode, f.faultString) == (42, 'on purpose'), f)

# Faults, compared with a stock SimpleXMLRPCServer.
ref = xmlrpc.client.ServerProxy(start_reference(), allow_none=True)
for method, args in [('nope', ()), ('add', (1, 2, 3)), ('list_contents', ('/no/such/dir',)),
                     ('list_contents', ('/tmp', 'extra'))]:
    ours, theirs = fault_of(proxy, method, *args), fault_of(ref, method, *args)
    check('fault %s%r' % (method, args), ours is not None and theirs is not None
          and ours.faultCode == theirs.faultCode and ours.faultString == theirs.faultString,
          '%r vs %r' % (ours, theirs))
for method, args in [('add', (1,)), ('add', (1, 'x'))]:
    ours, theirs = fault_of(proxy, method, *args), fault_of(ref, method, *args)
    check('fault shape %s%r' % (method, args), ours is not None and theirs is not None
          and ours.faultCode == theirs.faultCode
          and ours.faultString.split(':')[0] == theirs.faultString.split(':')[0],
          '%r vs %r' % (ours, theirs))
f = fault_of(proxy, 'fail', 'broken')
check('handler error', f is not None and f.faultCode == 1 and 'broken' in f.faultString, f)
f = fault_of(proxy, 'fault', -7, 'custom')
check('handler fault', f is not None and (f.faultCode, f.faultString) == (-7, 'custom'), f)

# HTTP-level answers, as CPython's server gives them.
host = URL.split('//', 1)[1].rstrip('/')
def raw_http(method, path, body=None, headers={}):
    conn = http.client.HTTPConnection(host, timeout=10)
    conn.request(method, path, body=body, headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, data
check('GET is 501', raw_http('GET', '/')[0] == 501)
check('wrong path is 404', raw_http('POST', '/nope', b'<x/>')[0] == 404)
status, body = raw_http('POST', '/RPC2', b'<methodCall><bad')
check('malformed XML is a fault', status == 200 and b'<fault>' in body, body[:200])
try:
    xmlrpc.client.ServerProxy(URL.rstrip('/') + '/other').echo(1)
    check('ProtocolError on 404', False)
except xmlrpc.client.ProtocolError as e:
    check('ProtocolError on 404', e.errcode == 404, e)

if failures:
    print('%d passed, %d failed' % (passed, len(failures)))
    for f in failures:
        print('FAIL', f)
    sys.exit(1)
print('%d checks passed' % passed)
