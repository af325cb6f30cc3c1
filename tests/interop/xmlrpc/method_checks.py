"""Functions registered by #[oxrpc_xmlrpc::method] against the same Python
functions registered with register_function, side by side.

    python method_checks.py OXRPC_URL

Starts CPython's SimpleXMLRPCServer with introspection and multicall and
the functions below (the Rust test defines the same ones), calls both
servers the same way through ServerProxy, and asserts every answer —
results, argument-count faults naming the parameters, methodHelp from the
docstring — is the same.
"""
import sys
import threading
import xmlrpc.client
from xmlrpc.server import SimpleXMLRPCServer

OXRPC = sys.argv[1]


def add(a, b):
    """Adds two integers."""
    return a + b


def greet(name, greeting):
    """Greets someone.

    Both arguments are strings."""
    return '%s, %s!' % (greeting, name)


def mul(a, b):
    """Multiplies two integers."""
    return a * b


server = SimpleXMLRPCServer(('127.0.0.1', 0), logRequests=False)
server.register_function(add)
server.register_function(greet)
server.register_function(mul, 'math.mul')
server.register_introspection_functions()
server.register_multicall_functions()
threading.Thread(target=server.serve_forever, daemon=True).start()
CPYTHON = 'http://127.0.0.1:%d' % server.server_address[1]


def outcome(proxy, method, *args):
    try:
        return ('ok', getattr(proxy, method)(*args))
    except xmlrpc.client.Fault as fault:
        return ('fault', fault.faultCode, fault.faultString)


CALLS = [
    ('add', 2, 3),
    ('add', 2),
    ('add', 1, 2, 3),
    ('greet', 'Ana', 'Hola'),
    ('greet', 'Ana'),
    ('math.mul', 6, 7),
    ('math.mul',),
    ('system.methodHelp', 'add'),
    ('system.methodHelp', 'greet'),
    ('system.methodHelp', 'math.mul'),
    ('system.listMethods',),
]

ours = xmlrpc.client.ServerProxy(OXRPC)
theirs = xmlrpc.client.ServerProxy(CPYTHON)
passed = 0
failures = []
for method, *args in CALLS:
    got, want = outcome(ours, method, *args), outcome(theirs, method, *args)
    if got == want:
        passed += 1
    else:
        failures.append('%s%r: oxrpc %r, CPython %r' % (method, tuple(args), got, want))
server.shutdown()
if failures:
    print('%d method checks passed, %d failed:' % (passed, len(failures)))
    for failure in failures:
        print('  FAILED', failure)
    sys.exit(1)
print('%d method checks passed' % passed)
