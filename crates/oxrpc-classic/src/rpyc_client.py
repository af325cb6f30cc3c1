# rpyc's client, for Python code the server runs: what `rpyc.connect`,
# `rpyc.classic.connect` and their kin give code a classic client runs
# here when the interpreter has no rpyc of its own. The connection itself
# is the server's (outbound.rs): its requests run on this interpreter's
# worker, the peer's objects are netrefs here as the client's are, and
# objects sent to the peer are this interpreter's own. This module is its
# face as rpyc's: a `Connection` with `root`, `close`, `closed`, `ping`,
# `_config`, and for a classic peer `modules`, `eval`, `execute`,
# `namespace` and `builtins`, the connect functions with rpyc 6.0.2's
# parameters, and its registry clients and discovery (`discover`,
# `list_services`, `connect_by_service`). It is given `_oxrpc_op`,
# `_oxrpc_connect`, `_oxrpc_session` and `_oxrpc_registry` by the server,
# which loads it when code first reaches for rpyc's client, and
# `_rpyc_helpers` by support.py (rpyc_helpers.py, for `async_request` and
# serving); loading it imports no module (those it needs are imported
# where they are used).

DEFAULT_SERVER_PORT = 18812
DEFAULT_SERVER_SSL_PORT = 18821
REGISTRY_PORT = 18811

# rpyc's SocketStream.connect: a connect that times out is tried again
# after a growing pause, `attempts` times; a refused one is not.
_CONNECT_TIMEOUT = 3.0
_CONNECT_ATTEMPTS = 6


class Service(object):
    """The service a connection this side opens serves its peer: rpyc's
    own four (`VoidService`, `MasterService`, `SlaveService`,
    `ClassicService`), or a subclass of this class the code defines, whose
    `exposed_` members the peer reaches through the connection's root
    (under rpyc's rules, as any object of this side) and whose
    `on_connect` and `on_disconnect` are called with the connection."""
    __slots__ = ()
    ALIASES = ()

    def on_connect(self, conn):
        pass

    def on_disconnect(self, conn):
        pass

    def _rpyc_delattr(self, name):
        raise AttributeError('access denied')

    def _rpyc_setattr(self, name, value):
        raise AttributeError('access denied')

    @classmethod
    def get_service_aliases(cls):
        if cls.ALIASES:
            return tuple(str(n).upper() for n in cls.ALIASES)
        name = cls.__name__.upper()
        if name.endswith('SERVICE'):
            name = name[:-7]
        return (name,)

    @classmethod
    def get_service_name(cls):
        return cls.get_service_aliases()[0]

    exposed_get_service_aliases = get_service_aliases
    exposed_get_service_name = get_service_name


class VoidService(Service):
    """The service that exposes nothing: the peer reaches only the objects
    sent to it, under rpyc's default rules."""
    __slots__ = ()


class MasterService(Service):
    """Exposes nothing, and makes the peer's `SlaveService` reachable as
    `conn.modules`, `conn.eval`, `conn.execute`, `conn.namespace`."""
    __slots__ = ()


class Slave(object):
    """What a SlaveService does for its peer: runs code in its
    `namespace`, imports modules, and gives the connection (`getconn`).
    A classic server's root, handed back by its client, is one of these
    (support.root_face), as on rpyc_classic."""
    __slots__ = ('_conn', 'namespace')

    def __init__(self):
        self._conn = None
        self.namespace = {}

    def execute(self, text):
        """Runs `text` (source or code) in the namespace."""
        exec(text, self.namespace)

    def eval(self, text):
        """The value of the expression `text` in the namespace."""
        return eval(text, self.namespace)

    def getmodule(self, name):
        """The module `name` (a dotted name, or a tuple of its parts),
        imported."""
        if type(name) is tuple:
            name = '.'.join(name)
        import importlib
        return importlib.import_module(name)

    def getconn(self):
        """The connection to the peer."""
        return self._conn


class SlaveService(Slave, Service):
    """Lets the peer import, run and reach anything on this side."""
    __slots__ = ()


class ClassicService(MasterService, SlaveService):
    """Both: what `rpyc.classic.connect` serves."""
    __slots__ = ()


for _cls in (Service, VoidService, MasterService, Slave, SlaveService, ClassicService):
    _cls.__module__ = 'rpyc.core.service'
del _cls


def _root_of(service):
    """The root the server serves for `service` (rpyc's four by name, a
    subclass of Service as its instance, made from the class as rpyc
    does), whether the peer's classic root is installed on the connection
    (`conn.modules` and the rest), and the service object (None for rpyc's
    four)."""
    cls = service if isinstance(service, type) else type(service)
    known = {VoidService: ('void', False), MasterService: ('master', True),
             SlaveService: ('slave', False), ClassicService: ('classic', True)}
    if cls in known:
        return known[cls] + (None,)
    if not issubclass(cls, Service):
        raise AttributeError("type object %r has no attribute '_connect'" % cls.__name__)
    instance = service() if isinstance(service, type) else service
    return 'python', isinstance(instance, MasterService), instance


class ModuleNamespace(object):
    """`conn.modules`: the peer's modules by attribute or by name, each
    asked for once."""
    __slots__ = ('_ModuleNamespace__getmodule', '_ModuleNamespace__cache', '__weakref__')

    def __init__(self, getmodule):
        self.__getmodule = getmodule
        self.__cache = {m: self.__getmodule(m) for m in ('builtins', 'importlib.util')}

    def __contains__(self, name):
        return self.__cache['importlib.util']._find_spec_from_path(name) is not None

    def __getitem__(self, name):
        if name not in self.__cache:
            self.__cache[name] = self.__getmodule(name)
        return self.__cache[name]

    def __getattr__(self, name):
        try:
            return self[name]
        except ImportError:
            raise AttributeError(name)


ModuleNamespace.__module__ = 'rpyc.core.service'

_last_connid = [0]


def _next_connid():
    _last_connid[0] += 1
    return 'conn%d' % _last_connid[0]


# The open connections that serve a service of the code's own, by key,
# for the service's `on_disconnect` when the peer closes one.
_WITH_SERVICE = {}


def connection_ended(key):
    """The peer closed the connection `key`: its service's on_disconnect."""
    ref = _WITH_SERVICE.pop(key, None)
    conn = ref() if ref is not None else None
    if conn is not None and not conn._closed:
        conn._closed = True
        conn._local_root.on_disconnect(conn)


class Connection(object):
    """A connection this side opened, as rpyc's `Connection`."""

    def __init__(self, key, config, service=None):
        self._oxrpc_key = key
        self._config = config
        self._closed = False
        self._remote_root = None
        self._local_root = service

    def __repr__(self):
        state = ' (closed)' if self.closed else ''
        return '<%s.%s %r object at 0x%08x%s>' % (
            self.__class__.__module__, self.__class__.__name__,
            self._config.get('connid'), id(self), state)

    def __del__(self):
        try:
            if not self._closed:
                _oxrpc_session('let_go', self._oxrpc_key)
        except Exception:
            pass

    def __enter__(self):
        return self

    def __exit__(self, t, v, tb):
        self.close()

    @property
    def root(self):
        """The peer's root object (asked for once)."""
        if self._remote_root is None:
            self._remote_root = _oxrpc_op('peer_root', self._oxrpc_key)
        return self._remote_root

    @property
    def closed(self):
        return self._closed or _oxrpc_session('closed', self._oxrpc_key)

    def close(self):
        """Closes the connection; the peer's objects held here go dead."""
        if self._closed:
            return
        self._closed = True
        _WITH_SERVICE.pop(self._oxrpc_key, None)
        _oxrpc_session('close', self._oxrpc_key)
        if self._local_root is not None:
            self._local_root.on_disconnect(self)

    def ping(self, data=None, timeout=3):
        """Checks that the peer answers."""
        _oxrpc_session('ping', self._oxrpc_key)

    def fileno(self):
        raise OSError('the connection is served by the server itself and has no file descriptor here')

    # The server serves the peer's requests whenever this interpreter waits;
    # these serve, without waiting or for `timeout`, what has come.
    def serve(self, timeout=1, wait_for_lock=True, waiting=None):
        return _rpyc_helpers().serve(self._oxrpc_key, timeout)

    def poll(self, timeout=0):
        return self.serve(timeout)

    def poll_all(self, timeout=0):
        return _rpyc_helpers().poll_all(self._oxrpc_key, timeout)

    def async_request(self, handler, *args, timeout=None):
        return _rpyc_helpers().async_request(self, self._oxrpc_key, handler, args, timeout)

    def sync_request(self, handler, *args):
        return _rpyc_helpers().sync_request(self, self._oxrpc_key, handler, args)


Connection.__module__ = 'rpyc.core.protocol'


def _install_classic(conn):
    """MasterService._install: the peer's SlaveService as `conn.modules`,
    `conn.eval`, `conn.execute`, `conn.namespace`, `conn.builtins`."""
    slave = conn.root
    modules = ModuleNamespace(slave.getmodule)
    conn.modules = modules
    conn.eval = slave.eval
    conn.execute = slave.execute
    conn.namespace = slave.namespace
    conn.builtins = modules.builtins
    conn.builtin = modules.builtins


def _open(kind, address, port, service, config, options):
    root, classic, instance = _root_of(service)
    config = dict(config or {})
    attempts = _CONNECT_ATTEMPTS if kind != 'unix' else 1
    for attempt in range(1, attempts + 1):
        opened = _oxrpc_connect(kind, address, port, root, options, instance)
        if not isinstance(opened, tuple):
            break
        errno, message, timed_out, refusal = opened
        if timed_out and attempt < attempts:
            import time
            time.sleep(min(0.1 * 2 ** attempt, 8.0))
            continue
        if timed_out:
            raise TimeoutError('timed out')
        if refusal is not None:
            raise _certificate_refused(address, *refusal)
        if errno is None:
            raise OSError(message)
        raise OSError(errno, message)
    # rpyc's DEFAULT_CONFIG with the caller's settings; a SlaveService's
    # connection then lets its peer reach everything, as rpyc's does.
    defaults = dict(_oxrpc_session('config', opened, False))
    settings = dict(defaults, connid=_next_connid())
    settings.update(config)
    if root in ('slave', 'classic'):
        slave = dict(_oxrpc_session('config', opened, True))
        settings.update({k: v for k, v in slave.items() if defaults.get(k) != v})
    _oxrpc_session('set_config', opened, settings)
    conn = Connection(opened, settings, instance)
    if classic:
        _install_classic(conn)
    if instance is not None:
        import weakref
        _WITH_SERVICE[opened] = weakref.ref(conn)
        instance.on_connect(conn)
    return conn


def _certificate_refused(host, code, words):
    """ssl.SSLCertVerificationError as CPython 3.11's _ssl raises it for
    OpenSSL's verdict `code`."""
    import ssl
    if code == 62:
        words = '%s %r.' % (words, host)
    message = '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: %s (_ssl.c:1006)' % words
    error = ssl.SSLCertVerificationError(1, message)
    error.library, error.reason = 'SSL', 'CERTIFICATE_VERIFY_FAILED'
    error.verify_code, error.verify_message = code, words
    return error


def _address(host, port, ipv6):
    """The address and port rpyc's SocketStream connects to: the first
    `getaddrinfo` gives (so a name that does not resolve raises
    socket.gaierror, and a port may be a service's name, as on rpyc)."""
    import socket
    family = socket.AF_INET6 if ipv6 else socket.AF_INET
    infos = socket.getaddrinfo(host, port, family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    return infos[0][4][:2]


def connect(host, port, service=VoidService, config={}, ipv6=False, keepalive=False):
    """Connects to the rpyc server at host:port, serving `service`."""
    options = (_CONNECT_TIMEOUT, bool(keepalive), None, None, None, None)
    address, port = _address(host, port, ipv6)
    return _open('tcp', address, port, service, config, options)


def unix_connect(path, service=VoidService, config={}):
    """Connects to the rpyc server on the Unix socket at `path`."""
    return _open('unix', str(path), 0, service, config, (None, False, None, None, None, None))


def ssl_connect(host, port, keyfile=None, certfile=None, ca_certs=None,
                cert_reqs=None, ssl_version=None, ciphers=None,
                service=VoidService, config={}, ipv6=False, keepalive=False, verify_mode=None):
    """Connects over TLS as rpyc's ssl_connect does: the server's
    certificate checked against `ca_certs` when given (its name is not),
    nothing checked otherwise."""
    import ssl
    required = verify_mode if verify_mode is not None else ssl.CERT_NONE
    if ca_certs is not None:
        required = ssl.CERT_REQUIRED
    if cert_reqs is not None:
        required = cert_reqs
    if required == ssl.CERT_NONE:
        check = 'nothing'
    elif cert_reqs is not None:
        check = 'certificate and name'
    else:
        check = 'certificate'
    options = (_CONNECT_TIMEOUT, bool(keepalive), check,
               None if keyfile is None else str(keyfile),
               None if certfile is None else str(certfile),
               None if ca_certs is None else str(ca_certs))
    port = _address(host, port, ipv6)[1]
    return _open('tls', str(host), port, service, config, options)


def classic_connect(host, port=DEFAULT_SERVER_PORT, ipv6=False, keepalive=False):
    """rpyc.classic.connect: a classic server's SlaveService, as
    `conn.modules`, `conn.eval` and the rest."""
    return connect(host, port, ClassicService, ipv6=ipv6, keepalive=keepalive)


def classic_unix_connect(path):
    return unix_connect(path, ClassicService)


def classic_ssl_connect(host, port=DEFAULT_SERVER_SSL_PORT, keyfile=None, certfile=None,
                        ca_certs=None, cert_reqs=None, ssl_version=None, ciphers=None,
                        ipv6=False, keepalive=False):
    return ssl_connect(host, port, keyfile=keyfile, certfile=certfile, ca_certs=ca_certs,
                       cert_reqs=cert_reqs, ssl_version=ssl_version, ciphers=ciphers,
                       service=ClassicService, ipv6=ipv6, keepalive=keepalive)


class DiscoveryError(Exception):
    pass


class ForbiddenError(Exception):
    pass


DiscoveryError.__module__ = ForbiddenError.__module__ = 'rpyc.utils.factory'


class RegistryClient(object):
    """A registry client (rpyc.utils.registry's), asking through the
    server's own (discovery.rs)."""
    _transport = None

    def __init__(self, ip, port, timeout, logger=None):
        self.ip = ip
        self.port = port
        self.timeout = timeout
        self.logger = logger
        self._ipv6 = False

    def _ask(self, op, arg):
        answer = _oxrpc_registry(op, self._transport, str(self.ip), int(self.port),
                                 self.timeout, self._ipv6, arg)
        if answer[0] == 'error':
            errno, message = answer[1], answer[2]
            raise OSError(message) if errno is None else OSError(errno, message)
        return answer[1]

    def discover(self, name):
        """The (host, port) of every server exposing `name`; empty when no
        registry answers."""
        return self._ask('discover', str(name))

    def list(self, filter_host=None):
        """The names the registry knows (only those served at
        `filter_host` when given); None when it does not list."""
        return self._ask('list', None if filter_host is None else str(filter_host))

    def register(self, aliases, port, interface=''):
        """Registers `aliases` for the server on `port`; whether a registry
        acknowledged."""
        return self._ask('register', (tuple(str(a) for a in aliases), int(port), str(interface)))

    def unregister(self, port):
        self._ask('unregister', int(port))


class UDPRegistryClient(RegistryClient):
    _transport = 'udp'

    def __init__(self, ip='255.255.255.255', port=REGISTRY_PORT, timeout=2,
                 bcast_interface=None, logger=None, ipv6=False):
        RegistryClient.__init__(self, ip, port, timeout, logger)
        self.bcast_interface = bcast_interface
        self._ipv6 = bool(ipv6)


class TCPRegistryClient(RegistryClient):
    _transport = 'tcp'

    def __init__(self, ip, port=REGISTRY_PORT, timeout=2, logger=None):
        RegistryClient.__init__(self, ip, port, timeout, logger)


for _cls in (RegistryClient, UDPRegistryClient, TCPRegistryClient):
    _cls.__module__ = 'rpyc.utils.registry'
del _cls


def discover(service_name, host=None, registrar=None, timeout=2):
    """The (ip, port) of the servers exposing `service_name` a registry
    knows (only at `host` when given); DiscoveryError if none."""
    if registrar is None:
        registrar = UDPRegistryClient(timeout=timeout)
    addrs = registrar.discover(service_name)
    if not addrs:
        raise DiscoveryError(f"no servers exposing {service_name!r} were found")
    if host:
        import socket
        ips = socket.gethostbyname_ex(host)[2]
        addrs = [(h, p) for h, p in addrs if h in ips]
    if not addrs:
        raise DiscoveryError(f"no servers exposing {service_name} were found on {host}")
    return addrs


def list_services(registrar=None, filter_host=None, timeout=2):
    """The names a registry knows; ForbiddenError if it does not list."""
    if registrar is None:
        registrar = UDPRegistryClient(timeout=timeout)
    services = registrar.list(filter_host)
    if services is None:
        raise ForbiddenError("Registry doesn't allow listing")
    return services


def connect_by_service(service_name, host=None, registrar=None, timeout=2,
                       service=VoidService, config={}):
    """Connects to the first server exposing `service_name` that accepts,
    in the registry's order."""
    addrs = discover(service_name, host=host, registrar=registrar, timeout=timeout)
    for host, port in addrs:
        try:
            return connect(host, port, service, config=config)
        except OSError:
            pass
    raise DiscoveryError(f"All services are down: {addrs}")


for _name, _function in (('connect', classic_connect), ('unix_connect', classic_unix_connect),
                         ('ssl_connect', classic_ssl_connect)):
    _function.__name__ = _function.__qualname__ = _name
    _function.__module__ = 'rpyc.utils.classic'
del _name, _function
