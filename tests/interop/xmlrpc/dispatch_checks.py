"""Instance dispatch, dotted names, several paths and structs: oxrpc's
server and CPython's side by side.

    python dispatch_checks.py OXRPC_BASE_URL OXRPC_AUTH_BASE_URL

Starts CPython's MultiPathXMLRPCServer with the layout the oxrpc test
server has (crates/oxrpc-xmlrpc/tests/dispatch_interop.rs):

  /RPC2   add, 'list-contents' (a name no Python function has), and an
          instance whose _dispatch answers inventory.* (with _listMethods
          and _methodHelp); introspection and multicall
  /tree   an instance without _dispatch, allow_dotted_names=True: ping,
          math.add, math.pow, math._secret
  /flat   the same with allow_dotted_names=False
  /serde  summarize(order): a dict with nested dicts, lists, a DateTime,
          Binary and None in, a dict out

and asserts both answer every call the same (results and faults), then
checks what only oxrpc does: structs that do not fit name the member that
failed, dotted methods are listed, and handlers learn who called (address,
headers, the basic-auth user at OXRPC_AUTH_BASE_URL).
"""
import os
import sys
import threading
import xmlrpc.client
from xmlrpc.server import MultiPathXMLRPCServer, SimpleXMLRPCDispatcher, SimpleXMLRPCRequestHandler

OXRPC, OXRPC_AUTH = sys.argv[1].rstrip('/'), sys.argv[2].rstrip('/')


class Inventory:
    def _dispatch(self, method, params):
        if method == 'inventory.count':
            return len(params)
        if method == 'inventory.echo':
            return list(params)
        raise Exception('method "%s" is not supported' % method)

    def _listMethods(self):
        return ['inventory.count', 'inventory.echo']

    def _methodHelp(self, method):
        return {'inventory.count': 'Counts its arguments.',
                'inventory.echo': 'Returns its arguments.'}.get(method, '')


class Math:
    def add(self, a, b):
        """Adds two numbers."""
        return a + b

    def pow(self, a, b):
        """Raises a to the power b."""
        return a ** b

    def _secret(self):
        return 'leaked'


class Tree:
    def __init__(self):
        self.math = Math()

    def ping(self):
        """Answers pong."""
        return 'pong'


def summarize(order):
    total = sum(line['qty'] * line['price'] for line in order['lines'])
    return {
        'id': order['id'],
        'customer': order['customer']['name'],
        'total': total,
        'items': sum(line['qty'] for line in order['lines']),
        'placed': order['placed'],
        'note_size': len(order['note'].data),
        'first_tag': order['tags'][0] if order['tags'] else None,
        'kind': 'Bulk' if len(order['lines']) > 2 else 'Small',
    }


class Paths(SimpleXMLRPCRequestHandler):
    rpc_paths = ('/RPC2', '/tree', '/flat', '/serde')


def start_reference():
    server = MultiPathXMLRPCServer(('127.0.0.1', 0), requestHandler=Paths, logRequests=False,
                                   allow_none=True)
    main = server.add_dispatcher('/RPC2', SimpleXMLRPCDispatcher(allow_none=True))
    main.register_function(lambda a, b: a + b, 'add')
    main.register_function(lambda d: sorted(os.listdir(d)), 'list-contents')
    main.register_instance(Inventory())
    main.register_introspection_functions()
    main.register_multicall_functions()
    for path, dotted in (('/tree', True), ('/flat', False)):
        tree = server.add_dispatcher(path, SimpleXMLRPCDispatcher(allow_none=True))
        tree.register_instance(Tree(), allow_dotted_names=dotted)
        tree.register_introspection_functions()
    orders = server.add_dispatcher('/serde', SimpleXMLRPCDispatcher(allow_none=True))
    orders.register_function(summarize)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return 'http://127.0.0.1:%d' % server.server_address[1]


REFERENCE = start_reference()
checks = 0


def outcome(call):
    try:
        return ('ok', call())
    except xmlrpc.client.Fault as fault:
        return ('fault', fault.faultCode, fault.faultString)


def both(path, call, label):
    """The same call on both servers must give the same answer."""
    global checks
    answers = [outcome(lambda: call(xmlrpc.client.ServerProxy(base + path, allow_none=True)))
               for base in (REFERENCE, OXRPC)]
    assert answers[0] == answers[1], '%s: CPython %r, oxrpc %r' % (label, answers[0], answers[1])
    checks += 1
    return answers[1]


def ours(path, call, expected, label, base=None):
    global checks
    got = outcome(lambda: call(xmlrpc.client.ServerProxy((base or OXRPC) + path, allow_none=True)))
    assert expected(got), '%s: got %r' % (label, got)
    checks += 1
    return got


# /RPC2: functions first, then the instance, as CPython orders them.
both('/RPC2', lambda p: p.add(2, 3), 'add')
both('/RPC2', lambda p: getattr(p, 'list-contents')('/'), 'a custom name')
both('/RPC2', lambda p: p.inventory.count(1, 'x', [2]), 'instance _dispatch')
both('/RPC2', lambda p: p.inventory.echo({'a': [1, None]}, 2.5), 'instance _dispatch echo')
both('/RPC2', lambda p: p.inventory.nope(1), 'instance refuses')
both('/RPC2', lambda p: p.system.methodHelp('inventory.count'), 'instance _methodHelp')
both('/RPC2', lambda p: p.system.methodHelp('inventory.nope'), 'instance _methodHelp, unknown')
both('/RPC2', lambda p: p.system.methodSignature('inventory.count'), 'instance signature')
both('/RPC2', lambda p: sorted(m for m in p.system.listMethods() if m != 'whoami'),
     'system.listMethods with _listMethods')


def multicall(p):
    batch = xmlrpc.client.MultiCall(p)
    batch.add(1, 2)
    batch.inventory.count(1, 2, 3)
    getattr(batch, 'list-contents')('/')
    batch.inventory.nope()
    return _results(batch())


def _results(results):
    out = []
    for i in range(len(results.results)):
        try:
            out.append(results[i])
        except xmlrpc.client.Fault as fault:
            out.append(('fault', fault.faultCode, fault.faultString))
    return out


both('/RPC2', multicall, 'multicall through functions and the instance')

# /tree: dotted names reach nested objects; private segments never do.
both('/tree', lambda p: p.ping(), 'ping')
both('/tree', lambda p: p.math.add(2, 3), 'dotted math.add')
both('/tree', lambda p: p.math.pow(2, 10), 'dotted math.pow')
both('/tree', lambda p: p.math._secret(), 'private segment')
both('/tree', lambda p: getattr(p, '_secret')(), 'private name')
both('/tree', lambda p: p.math.nope(1), 'missing nested method')
both('/tree', lambda p: p.nope.add(1), 'missing nested object')
ours('/tree', lambda p: p.math.add(1),
     lambda got: got[0] == 'fault' and 'TypeError' in got[2] and 'missing 1 required' in got[2],
     'wrong argument count, nested')
both('/tree', lambda p: p.system.methodHelp('math.add'), 'help of a nested method')
both('/tree', lambda p: p.system.methodHelp('math._secret'), 'help of a private method')
# /flat: without allow_dotted_names a dotted name is just a name.
both('/flat', lambda p: p.ping(), 'ping, flat')
both('/flat', lambda p: p.math.add(2, 3), 'dotted name refused')
both('/flat', lambda p: p.system.methodHelp('math.add'), 'no help through dots')
# Each path has its own methods.
both('/tree', lambda p: p.add(2, 3), 'add is not served at /tree')
both('/serde', lambda p: p.ping(), 'ping is not served at /serde')

order = {
    'id': 7,
    'customer': {'name': 'Ana Ñandú', 'email': None},
    'lines': [{'sku': 'A1', 'qty': 2, 'price': 2.5},
              {'sku': 'B2', 'qty': 1, 'price': 10.0},
              {'sku': 'C3', 'qty': 4, 'price': 0.25}],
    'placed': xmlrpc.client.DateTime('20261126T01:10:20'),
    'note': xmlrpc.client.Binary(b'\x00\x01fragile\xff'),
    'tags': ['priority', 'gift'],
}
summary = both('/serde', lambda p: p.summarize(order), 'summarize a struct')
assert summary[1]['total'] == 16.0 and summary[1]['placed'] == order['placed'], summary
small = dict(order, lines=order['lines'][:1], tags=[])
both('/serde', lambda p: p.summarize(small), 'summarize, small and untagged')

# oxrpc only: what does not fit says where.
bad = dict(order, customer={'name': 5})
ours('/serde', lambda p: p.summarize(bad),
     lambda got: got[0] == 'fault' and 'TypeError' in got[2]
     and 'summarize() argument 1: customer.name: invalid type: integer `5`, expected a string' in got[2],
     'a member of the wrong type')
bad = dict(order, lines=order['lines'][:1] + [{'sku': 'X', 'qty': -1, 'price': 1.0}])
ours('/serde', lambda p: p.summarize(bad),
     lambda got: got[0] == 'fault' and 'lines[1].qty: invalid value: integer `-1`, expected u32' in got[2],
     'an item of a list')
bad = {k: v for k, v in order.items() if k != 'placed'}
ours('/serde', lambda p: p.summarize(bad),
     lambda got: got[0] == 'fault' and 'missing field `placed`' in got[2], 'a missing member')
ours('/serde', lambda p: p.roundtrip(order),
     lambda got: got[0] == 'ok' and got[1]['placed'] == order['placed']
     and got[1]['note'] == order['note'] and got[1]['customer'] == order['customer']
     and got[1]['coupon'] is None and got[1]['lines'] == order['lines'],
     'a struct back and forth')
ours('/tree', lambda p: sorted(p.system.listMethods()),
     lambda got: got == ('ok', ['math.add', 'math.pow', 'ping', 'system.listMethods',
                                'system.methodHelp', 'system.methodSignature', 'system.multicall']),
     'dotted methods are listed (private ones are not)')
ours('/flat', lambda p: sorted(p.system.listMethods()),
     lambda got: got[0] == 'ok' and 'math.add' not in got[1], 'unreachable methods are not listed')

# oxrpc only: handlers learn who called.
who = ours('/RPC2', lambda p: p.whoami(),
           lambda got: got[0] == 'ok' and got[1]['addr'] == '127.0.0.1'
           and got[1]['agent'].startswith('Python-xmlrpc/') and got[1]['user'] == ''
           and got[1]['path'] == '/RPC2', 'whoami, anonymous')
print('whoami:', who[1])
auth = OXRPC_AUTH.replace('http://', 'http://ana:s3cret@')
ours('/RPC2', lambda p: p.whoami(),
     lambda got: got[0] == 'ok' and got[1]['user'] == 'ana' and got[1]['method'] == 'basic',
     'whoami, basic auth', base=auth)
ours('/RPC2', lambda p: p.add(2, 3),
     lambda got: got == ('ok', 5), 'whoami does not change how params are declared', base=auth)
ours('/RPC2', lambda p: p.whoami(1),
     lambda got: got[0] == 'fault' and 'whoami() takes 0 positional arguments but 1 was given' in got[2],
     'context arguments are not parameters')

print('dispatch checks passed: %d' % checks)
