"""Python code on a classic server as an rpyc client, driven by rpyc 6.0.2.

    python server_side_client.py PORT [CERT_DIR] [--closes]

Code a stock classic client runs on the server at PORT opens rpyc
connections of its own: `rpyc.classic.connect` to a classic server and
`rpyc.connect` to a service, both stock rpyc `ThreadedServer`s started in
this process (the real peers); then the client reaches the peers' objects
through the server (rpyc over rpyc), the peers call back into the server's
objects (under rpyc's default rules on a `VoidService` connection), errors
cross both hops, connections close as rpyc's do, and the server's code
finds servers through stock TCP and UDP registries (`rpyc.discover`,
`connect_by_service`, `list_services`, a registry client's `register`).
With CERT_DIR
(`ca.pem`, `server.pem`, `server.key`, `other-ca.pem`),
`rpyc.classic.ssl_connect` too. With --closes, the connections the
server's code left open must close when the client's connection does
(rpyc_classic's stay open until its garbage collector finds the cycle
they are in; oxrpc closes them with the connection's namespace).

Prints one line per observation; run against rpyc_classic (the oracle) and
against oxrpc, the outputs must be the same.
"""
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

import rpyc
from rpyc.utils.registry import (TCPRegistryClient, TCPRegistryServer, UDPRegistryClient,
                                 UDPRegistryServer)
from rpyc.utils.server import ThreadedServer

PORT = int(sys.argv[1])
CLOSES = '--closes' in sys.argv[2:]
CERTS = next((arg for arg in sys.argv[2:] if arg != '--closes'), None)


class CallbackService(rpyc.Service):
    """What the server's code connects to with `rpyc.connect`: a service
    that does things to the objects it is sent."""

    def exposed_call(self, f, *args):
        return f(*args)

    def exposed_read(self, obj, name):
        return getattr(obj, name)

    def exposed_write(self, obj, name, value):
        setattr(obj, name, value)
        return 'written'

    def exposed_pickle(self, obj):
        return len(rpyc.classic.obtain(obj).__class__.__name__)

    def exposed_add_one(self, x):
        return x + 1

    def exposed_fail(self):
        raise KeyError('from the service')

    def on_connect(self, conn):
        self._conn = conn

    def exposed_ask_back(self, text):
        return self._conn.root.shout(text)

    def exposed_back_name(self):
        return self._conn.root.get_service_name()

    def exposed_ask_hidden(self):
        return self._conn.root.hidden()

    def exposed_hang_up_soon(self):
        threading.Timer(0.2, self._conn.close).start()


class FoundService(CallbackService):
    """A service found through the registries."""
    ALIASES = ['FOUND']


def start(server):
    thread = threading.Thread(target=server.start, daemon=True)
    thread.start()
    return server


classic_peer = start(ThreadedServer(rpyc.ClassicService, hostname='127.0.0.1', port=0,
                                    auto_register=False, protocol_config={'allow_all_attrs': True}))
service_peer = start(ThreadedServer(CallbackService, hostname='127.0.0.1', port=0,
                                    auto_register=False))
slave_peer = start(ThreadedServer(rpyc.SlaveService, hostname='127.0.0.1', port=0,
                                  auto_register=False))
unix_dir = tempfile.mkdtemp(prefix='oxrpc-outbound-')
unix_path = os.path.join(unix_dir, 'classic.sock')
unix_peer = start(ThreadedServer(rpyc.ClassicService, socket_path=unix_path, auto_register=False))
tls_peer = None
if CERTS:
    from rpyc.utils.authenticators import SSLAuthenticator
    tls_peer = start(ThreadedServer(
        rpyc.ClassicService, hostname='127.0.0.1', port=0, auto_register=False,
        authenticator=SSLAuthenticator(os.path.join(CERTS, 'server.key'),
                                       os.path.join(CERTS, 'server.pem'))))
tcp_registry = start(TCPRegistryServer(host='127.0.0.1', port=0, allow_listing=True))
udp_registry = start(UDPRegistryServer(host='127.0.0.1', port=0))
found_by_tcp = start(ThreadedServer(FoundService, hostname='127.0.0.1', port=0,
                                    registrar=TCPRegistryClient('127.0.0.1', tcp_registry.port)))
found_by_udp = start(ThreadedServer(FoundService, hostname='127.0.0.1', port=0,
                                    registrar=UDPRegistryClient('127.0.0.1', udp_registry.port)))
for _ in range(100):
    if os.path.exists(unix_path) and \
            TCPRegistryClient('127.0.0.1', tcp_registry.port).discover('FOUND') and \
            UDPRegistryClient('127.0.0.1', udp_registry.port).discover('FOUND'):
        break
    time.sleep(0.05)

conn = rpyc.classic.connect('127.0.0.1', PORT)


def show(label, source):
    """The value of `source` evaluated on the server, or the exception it
    raised there (its class name and first line)."""
    try:
        value = conn.eval(source)
    except Exception as e:
        text = str(e).split('\n')[0]
        value = 'raised %s: %s' % (type(e).__name__.split('.')[-1], text)
    print('%s: %r' % (label, value))


def run(label, source):
    try:
        conn.execute(source)
        print('%s: ok' % label)
    except Exception as e:
        print('%s: raised %s: %s' % (label, type(e).__name__, str(e).split('\n')[0]))


run('classic connect', "import rpyc\n"
    "rc = rpyc.classic.connect('127.0.0.1', %d)" % classic_peer.port)
show('the peer is this process', 'rc.modules.os.getpid() == %d' % os.getpid())
show('eval', "rc.eval('6 * 7')")
run('execute', "rc.execute('shared = [1, 2]')")
show('namespace', "rc.namespace['shared']")
show('builtins', "rc.builtins.len('four')")
show('the connection', '(type(rc).__module__, type(rc).__name__, rc.closed)')
show('root', 'rc.root.get_service_name()')
show('config', "(rc._config['allow_all_attrs'], rc._config['allow_pickle'])")
show("the peer's error", "rc.eval('1/0')")
run("the peer's error, caught", "try:\n    rc.eval('{}[1]')\nexcept KeyError as e:\n"
    "    caught = (type(e).__name__, e.args)")
show('caught', 'caught')
run('a function of the server, called by the peer',
    "rc.execute('def twice(f, x):\\n    return f(f(x))')")
show('callback', "rc.namespace['twice'](lambda v: v * 3, 2)")
show('a generator of the server, iterated by the peer',
     "rc.builtins.list(x * x for x in range(4))")

# rpyc over rpyc: the client holds the server's netrefs to the peer's objects.
remote_os = conn.eval('rc.modules.os')
print('over two hops: %r' % (remote_os.getpid() == os.getpid(),))
print('over two hops, a path: %r' % (remote_os.path.join('a', 'b'),))
peer_namespace = conn.eval('rc.namespace')
peer_namespace['from_client'] = lambda v: v + 1000
show("the peer calls the client's function through the server", "rc.eval('from_client(1)')")
try:
    conn.eval("rc.eval('undefined_name')")
except NameError as e:
    print('two hops, NameError: %s' % str(e).split('\n')[0])

run('threads of the server use the connection', "import threading\n"
    "answers = []\n"
    "def ask(n):\n"
    "    answers.append(rc.eval('%d * 2' % n))\n"
    "threads = [threading.Thread(target=ask, args=(i,)) for i in range(4)]\n"
    "for t in threads: t.start()\n"
    "for t in threads: t.join()")
show('their answers', 'sorted(answers)')
show('many requests', "sum(rc.eval(str(i)) for i in range(300))")

# A VoidService connection: the peer reaches only what rpyc's rules allow.
run('connect', "vc = rpyc.connect('127.0.0.1', %d)\n"
    "class Thing:\n"
    "    secret = 'hidden'\n"
    "    exposed_shown = 'shown'\n"
    "    def __init__(self):\n"
    "        self.public = 'public'\n"
    "    def exposed_method(self):\n"
    "        return 'method'\n"
    "thing = Thing()" % service_peer.port)
show('service name', 'vc.root.get_service_name()')
show('the peer calls a function', "vc.root.call(lambda a, b: a * b, 6, 7)")
show('an exposed attribute', "vc.root.read(thing, 'exposed_shown')")
show('an exposed attribute by its short name', "vc.root.read(thing, 'shown')")
show('an exposed method', "vc.root.call(vc.root.read(thing, 'method'))")
show('a class attribute', "vc.root.read(thing, 'secret')")
show('a public attribute', "vc.root.read(thing, 'public')")
show('a dunder the rules allow', "vc.root.read(thing, '__class__') is Thing")
show('setting', "vc.root.write(thing, 'public', 1)")
show('pickling', 'vc.root.pickle(thing)')
show("the service's error", 'vc.root.fail()')
show('a value crosses', 'vc.root.add_one(41)')
show('closed', 'vc.closed')
run('connect with public attributes',
    "pc = rpyc.connect('127.0.0.1', %d, config={'allow_public_attrs': True, "
    "'allow_setattr': True})" % service_peer.port)
show('a public attribute', "pc.root.read(thing, 'public')")
show('a private one', "pc.root.read(thing, '_hidden')")
show('setting', "pc.root.write(thing, 'public', 2), thing.public")
show('its config', "(pc._config['allow_public_attrs'], pc._config['allow_all_attrs'])")

run('a service of its own', "class Shouter(rpyc.Service):\n"
    "    seen = []\n"
    "    def on_connect(self, conn):\n"
    "        Shouter.seen.append(type(conn).__name__)\n"
    "    def on_disconnect(self, conn):\n"
    "        Shouter.seen.append('gone')\n"
    "    def exposed_shout(self, text):\n"
    "        return text.upper() + '!'\n"
    "    def hidden(self):\n"
    "        return 'hidden'\n"
    "sc = rpyc.connect('127.0.0.1', %d, service=Shouter)" % service_peer.port)
show('the peer calls its exposed method', "sc.root.ask_back('hi')")
show('the name the peer finds', 'sc.root.back_name()')
show('a method not exposed', 'sc.root.ask_hidden()')
run('close it', 'sc.close()')
show('its connect and disconnect', 'Shouter.seen')
run('again', "sc = rpyc.connect('127.0.0.1', %d, service=Shouter)\n"
    "sc.root.hang_up_soon()" % service_peer.port)
time.sleep(1)
run('the peer hung up', "try:\n    sc.ping()\nexcept EOFError:\n    pass")
show('its service heard', 'Shouter.seen')
show('closed', 'sc.closed')
run('a MasterService connection', "mc = rpyc.connect('127.0.0.1', %d, "
    "service=rpyc.MasterService)" % slave_peer.port)
show('its modules', "mc.modules.sys.version_info[0]")
show('its eval', "mc.eval('2 ** 10')")
show('the name the peer finds on this side',
     "mc.eval('lambda conn: conn.root.get_service_name()')(mc.root.getconn())")

# Closing.
run('close', 'rc.close()')
show('closed', 'rc.closed')
show('a request after close', "rc.eval('1')")
try:
    remote_os.getpid()
except EOFError:
    print('the client sees the netref closed: EOFError')
run('with', "with rpyc.classic.connect('127.0.0.1', %d) as w:\n"
    "    inside = w.eval('3')" % classic_peer.port)
show('after with', '(inside, w.closed)')

# Errors connecting.
listener = socket.socket()
listener.bind(('127.0.0.1', 0))
closed_port = listener.getsockname()[1]
listener.close()
show('refused', "rpyc.classic.connect('127.0.0.1', %d)" % closed_port)
run('refused, caught', "try:\n    rpyc.connect('127.0.0.1', %d)\nexcept OSError as e:\n"
    "    refused = (type(e).__name__, e.errno)" % closed_port)
show('refused, caught', 'refused')
run('unknown host, caught', "import socket\ntry:\n"
    "    rpyc.connect('host.invalid', 1)\nexcept socket.gaierror as e:\n"
    "    unknown = type(e).__name__")
show('unknown host, caught', 'unknown')

# Through registries.
run('registry clients', "from rpyc.utils.registry import TCPRegistryClient, UDPRegistryClient\n"
    "by_tcp = TCPRegistryClient('127.0.0.1', port=%d)\n"
    "by_udp = UDPRegistryClient(ip='127.0.0.1', port=%d, timeout=1)"
    % (tcp_registry.port, udp_registry.port))
show('discover over TCP', "[tuple(a) for a in rpyc.discover('found', registrar=by_tcp)] == "
     "[('127.0.0.1', %d)]" % found_by_tcp.port)
show('discover over UDP', "[tuple(a) for a in rpyc.discover('FOUND', registrar=by_udp)] == "
     "[('127.0.0.1', %d)]" % found_by_udp.port)
show('discover on a host', "len(rpyc.discover('FOUND', host='127.0.0.1', registrar=by_tcp))")
show('connect by service', "rpyc.connect_by_service('FOUND', registrar=by_tcp).root.add_one(1)")
show('classic connect by its name', "rpyc.utils.factory.connect_by_service('FOUND', "
     "registrar=by_udp, service=rpyc.VoidService).root.get_service_name()")
show('nothing exposes it', "rpyc.discover('NOTHING', registrar=by_udp)")
show('listing', "sorted(rpyc.list_services(registrar=by_tcp))")
show('listing refused', "rpyc.list_services(registrar=by_udp)")
show('registering', "by_tcp.register(('MINE', 'ALSO'), 12345)")
show('registered', "[tuple(a) for a in by_tcp.discover('also')]")
run('unregistering', 'by_tcp.unregister(12345)')
show('unregistered', "by_tcp.discover('MINE')")
show('a registry that is not there', "TCPRegistryClient('127.0.0.1', port=%d).discover('X')"
     % closed_port)

show('a port given as text', "rpyc.connect('127.0.0.1', '%d').root.get_service_name()"
     % service_peer.port)
show('a service that is not one', "rpyc.connect('127.0.0.1', %d, service=object)"
     % service_peer.port)
show("rpyc's top level", "[hasattr(rpyc, name) for name in ('connect', 'ssl_connect', "
     "'discover', 'list_services', 'connect_by_service', 'unix_connect')]")

# Over a Unix socket.
run('unix connect', "uc = rpyc.classic.unix_connect(%r)" % unix_path)
show('unix eval', "uc.eval('len(\"unix\")')")
run('unix close', 'uc.close()')

if tls_peer:
    run('ssl connect', "sc = rpyc.classic.ssl_connect('127.0.0.1', %d, ca_certs=%r)"
        % (tls_peer.port, os.path.join(CERTS, 'ca.pem')))
    show('ssl eval', "sc.eval('\"over tls\"')")
    run('ssl close', 'sc.close()')
    show('ssl with a CA that does not trust it', "rpyc.classic.ssl_connect('127.0.0.1', %d, "
         "ca_certs=%r) and 'connected'" % (tls_peer.port, os.path.join(CERTS, 'other-ca.pem')))

# The server's connections end with the client's.
count_source = ("sum(1 for line in open('/proc/net/tcp').read().splitlines()[1:] "
                "if line.split()[2].endswith(':%04X') and line.split()[3] == '01')")
run('kept open', "kept = [rpyc.connect('127.0.0.1', %d) for _ in range(3)]" % service_peer.port)
while_connected = eval(count_source % service_peer.port)
conn.close()
if CLOSES:
    for _ in range(200):
        if eval(count_source % service_peer.port) == 0:
            break
        time.sleep(0.05)
    print('connections to the service: %d while the client was connected, %d after it closed'
          % (while_connected, eval(count_source % service_peer.port)))
print('done')
