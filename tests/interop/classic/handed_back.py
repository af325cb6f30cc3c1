"""The server's own objects handed back to it, driven by rpyc 6.0.2.

    python handed_back.py PORT

A stock classic client hands the server at PORT what the server gave it
that is not a plain value: its root (`conn.root`), the connection
(`conn.root.getconn()`) and their bound methods, as arguments, into the
namespace and to builtins. On rpyc_classic they are Python objects like
any other of the server's: Python code there sees a `SlaveService` whose
`eval`, `execute`, `getmodule` and `getconn` work, a `Connection` with its
`_config`, `root`, `closed` and `ping`, and sending them back gives the
client its own netrefs again. The server's own code also has the root of
a connection it opened handed back by that connection's peer (its own
service object, `VoidService`, `ClassicService`).

Prints one line per observation; run against rpyc_classic (the oracle) and
against oxrpc, the outputs must be the same.
"""
import re
import sys

import rpyc

PORT = int(sys.argv[1])
conn = rpyc.classic.connect('127.0.0.1', PORT)


def show(label, fn):
    try:
        value = fn()
        text = repr(value)
    except Exception as e:
        text = '%s: %s' % (type(e).__name__, str(e).split('\n')[0])
    print(label, '->', re.sub(r'0x[0-9a-f]+', '0x?', text))


ident = conn.eval('lambda x: x')
root = conn.root

# The root, into the namespace and through a function.
show('root into the namespace', lambda: conn.namespace.__setitem__('r', root))
show('its class there', lambda: conn.eval('type(r).__module__, type(r).__name__'))
show('its repr there', lambda: conn.eval('repr(r)'))
show('a SlaveService there', lambda: conn.eval('isinstance(r, __import__("rpyc").SlaveService)'))
show('a Service there', lambda: conn.eval('isinstance(r, __import__("rpyc").Service)'))
show('a Slave there', lambda: conn.eval('isinstance(r, __import__("rpyc.core.service").core.service.Slave)'))
show('comes back as the root', lambda: conn.eval('r') is root)
show('through a function', lambda: ident(root) is root)
show('through builtins', lambda: conn.builtins.type(root).__name__)
show('id() there is its id', lambda: conn.builtins.id(root) == conn.eval('id(r)'))
show('its eval there', lambda: conn.eval('r.eval("6 * 7")'))
show('its execute there', lambda: conn.eval('r.execute("handed = 5")'))
show('ran in the namespace', lambda: conn.namespace['handed'])
show('its namespace is the globals', lambda: conn.eval('r.namespace is globals()'))
show('its getmodule there', lambda: conn.eval('r.getmodule("os").sep, r.getmodule(("os", "path")).__name__'))
show('its service name there', lambda: conn.eval('r.get_service_name(), r.get_service_aliases()'))
show('exposed service name', lambda: conn.eval('r.exposed_get_service_name()'))
show('its ALIASES there', lambda: conn.eval('r.ALIASES'))
show('no __dict__ there', lambda: conn.eval('hasattr(r, "__dict__")'))
show('an unknown attribute there', lambda: conn.eval('r.nope'))
show('its setattr refused there', lambda: conn.eval('setattr(r, "nope", 1)'))
show('getattr through builtins', lambda: conn.builtins.getattr(root, 'eval')('1 + 2'))
show('hasattr through builtins', lambda: conn.builtins.hasattr(root, 'getconn'))
show('in a list there', lambda: conn.eval('lambda items: [type(i).__name__ for i in items]')([root, 1]))
show('as a dict key there', lambda: conn.eval('lambda k: {k: 1}[k]')(root))
show('equal there', lambda: conn.eval('lambda a, b: a == b and a is b')(root, root))

# The connection getconn() gives.
getconn = root.getconn()
show('getconn() into the namespace', lambda: conn.namespace.__setitem__('c', getconn))
show('the connection class there', lambda: conn.eval('type(c).__module__, type(c).__name__'))
show('getconn() there is it', lambda: conn.eval('r.getconn() is c and r._conn is c'))
show('comes back as getconn()', lambda: conn.eval('c') is getconn)
show('getconn() there comes back as it', lambda: conn.eval('r.getconn()') is root.getconn())
show('its root there is the client', lambda: conn.eval('c.root') is conn._local_root)
show('its _config there', lambda: conn.eval('c._config["allow_pickle"], c._config["allow_all_attrs"]'))
getconn._config['handed_setting'] = 'written by the client'
show('the same _config', lambda: conn.eval('c._config.get("handed_setting")'))
show('closed there', lambda: conn.eval('c.closed'))
show('its repr there', lambda: conn.eval("__import__('re').sub(r'conn[0-9]+', 'connN', repr(c))"))
show('ping there', lambda: conn.eval('c.ping()'))
show('its ping handed back', lambda: ident(getconn.ping)())

# Bound methods of the root.
show('eval handed back', lambda: conn.eval('lambda f: f("6 * 7")')(root.eval))
show('getconn handed back', lambda: conn.eval('lambda f: f() is c')(root.getconn))
show('its __self__ is the root', lambda: conn.eval('lambda m: m.__self__')(root.eval) is root)
show('its __name__', lambda: conn.eval('lambda m: m.__name__')(root.getmodule))
show('callable', lambda: conn.builtins.callable(root.execute))
show('get_service_name handed back', lambda: conn.eval('lambda f: f()')(root.get_service_name))

# Roots of connections the server's code opens, handed back by their peer.
conn.execute('''
import rpyc

class Echo(rpyc.Service):
    exposed_answer = 42

opened = rpyc.connect('127.0.0.1', %d, service=Echo)
void = rpyc.connect('127.0.0.1', %d)
classic = rpyc.classic.connect('127.0.0.1', %d)
''' % (PORT, PORT, PORT))
show('its own service handed back', lambda: conn.eval('opened.root.getconn().root is opened._local_root'))
show('its class', lambda: conn.eval('type(opened.root.getconn().root).__name__'))
show('its exposed member', lambda: conn.eval('opened.root.getconn().root.answer'))
show('VoidService handed back', lambda: conn.eval('type(void.root.getconn().root).__name__'))
show('ClassicService handed back', lambda: conn.eval('type(classic.root.getconn().root).__name__'))
show('ClassicService evaluates', lambda: conn.eval('classic.root.getconn().root.eval("2 ** 10")'))
conn.execute('opened.close(); void.close(); classic.close()')
conn.close()
print('done')
