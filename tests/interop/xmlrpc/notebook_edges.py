"""The notebook's XML-RPC server at its edges, CPython's and oxrpc's side by side.

    python notebook_edges.py OXRPC_URL DIRECTORY

Starts the notebook's SimpleXMLRPCServer (its list_contents, plus multicall
as `oxrpc xmlrpc serve` has it) in DIRECTORY, the directory the oxrpc server
runs in too, and checks that both answer the same to:
  - list_contents(None) from a client with allow_none (os.listdir(None)
    lists the working directory), and of every other type a client sends;
  - system.multicall nested inside system.multicall;
  - requests from ServerProxy(url, encoding=...) in the encodings CPython's
    reader takes (the fault echoes the path as the server read it);
and that the oxrpc server, started with --max-body-size 1000000, answers a
ServerProxy call whose body is over that limit with ProtocolError 413
(the client finishes sending and reads the answer: no broken pipe).
"""
import os
import sys
import threading
import xmlrpc.client
from xmlrpc.server import SimpleXMLRPCServer

OXRPC, DIRECTORY = sys.argv[1], sys.argv[2]


def list_contents(dir_name):
    return os.listdir(dir_name)


def start_reference():
    os.chdir(DIRECTORY)
    server = SimpleXMLRPCServer(('127.0.0.1', 0), logRequests=False)
    server.register_function(list_contents)
    server.register_multicall_functions()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return 'http://127.0.0.1:%d' % server.server_address[1]


REFERENCE = start_reference()


def both(call, encoding=None):
    answers = []
    for url in (REFERENCE, OXRPC):
        proxy = xmlrpc.client.ServerProxy(url, allow_none=True, encoding=encoding)
        try:
            answers.append(('ok', call(proxy)))
        except xmlrpc.client.Fault as f:
            answers.append(('fault', f.faultCode, f.faultString))
    return answers


reference, ours = both(lambda p: sorted(p.list_contents(None)))
assert reference == ours, (reference, ours)
assert reference[0] == 'ok' and 'marker-file' in reference[1], reference
print('list_contents(None):', ours)

# Every other type os.listdir is handed: ints (and bools) are file
# descriptors of the server, -1 the working directory; the rest are refused
# with the argument's type as the server unmarshalled it.
ARGUMENTS = [9999, -5, -1, 0, 1, True, False, 1.5, [1], {'a': 1}, xmlrpc.client.Binary(b'x'),
             xmlrpc.client.DateTime('20240101T00:00:00')]
for argument in ARGUMENTS:
    reference, ours = both(lambda p: sorted(p.list_contents(argument)))
    assert reference == ours, (argument, reference, ours)
    print('list_contents(%r):' % (argument,), ours)

nested = [{'methodName': 'system.multicall', 'params': [[
    {'methodName': 'list_contents', 'params': ['.']},
    {'methodName': 'list_contents', 'params': ['/no/such/dir']},
]]}, {'methodName': 'list_contents', 'params': ['.']}]


def sort_lists(value):
    if isinstance(value, list):
        items = [sort_lists(v) for v in value]
        return sorted(items) if all(isinstance(v, str) for v in items) else items
    if isinstance(value, dict):
        return {k: sort_lists(v) for k, v in value.items()}
    return value


reference, ours = both(lambda p: sort_lists(p.system.multicall(nested)))
assert reference == ours, (reference, ours)
print('nested multicall:', ours)

ENCODED = [('cp1252', 'caf\u00e9 \u20ac'), ('iso-8859-15', 'caf\u00e9 \u20ac'),
           ('koi8-r', '\u043f\u0440\u0438\u0432\u0435\u0442'), ('mac-roman', 'caf\u00e9'),
           ('latin-1', 'caf\u00e9'), ('ascii', 'caf\u00e9 \u20ac'),
           ('utf-16', 'caf\u00e9 \u20ac \U0001F600'), ('UTF-8', 'caf\u00e9')]
for encoding, text in ENCODED:
    reference, ours = both(lambda p: p.list_contents('/no/such/' + text), encoding)
    assert reference == ours, (encoding, reference, ours)
    assert reference[0] == 'fault' and text in reference[2], reference
    print('encoding=%r:' % encoding, ours)

proxy = xmlrpc.client.ServerProxy(OXRPC)
try:
    proxy.list_contents('x' * 2_000_000)
except xmlrpc.client.ProtocolError as e:
    assert e.errcode == 413, e
    print('oversized body: ProtocolError', e.errcode)
else:
    raise AssertionError('an oversized body was accepted')
# The server still serves.
assert 'marker-file' in proxy.list_contents('.')
print('notebook edges OK')
