"""rpyc's helpers for the server's code, on an interpreter without rpyc:
rpyc.utils.helpers (async_, timed, buffiter, restricted, BgServingThread,
classpartial), rpyc.core.async_ (AsyncResult, AsyncResultTimeout),
rpyc.utils's exposed and service, and rpyc.lib's Timeout and spawn; and,
where rpyc is installed (the host's CPython), the AsyncResult its own
helpers get from the server's connections (a subclass of rpyc's).

Loaded the first time code reaches for one of them (support.py's stand-in
modules name them), as rpyc 6.0.2 defines them. An AsyncResult's request
went out at once (`_oxrpc_async('send')`); its reply is handed over by
`async_arrived`, which the connection's worker runs when the reply comes
(callbacks run then, as on rpyc's serving thread), or by a wait that finds
it first. Modules it needs beyond threading, time and weakref are
imported where they are used.
"""
import threading
import time
import weakref

# rpyc's protocol constants these helpers send.
HANDLE_CALL = 7
HANDLE_BUFFITER = 17

# rpyc.lib.compat.TimeoutError, under rpyc.core.async_'s name for it.
AsyncResultTimeout = TimeoutError


class Timeout(object):
    """rpyc.lib.Timeout: a deadline `timeout` seconds from now (None or a
    negative number: none)."""

    def __init__(self, timeout):
        if isinstance(timeout, Timeout):
            self.finite = timeout.finite
            self.tmax = timeout.tmax
        else:
            self.finite = timeout is not None and timeout >= 0
            self.tmax = time.time() + timeout if self.finite else None

    def expired(self):
        return self.finite and time.time() >= self.tmax

    def timeleft(self):
        return max((0, self.tmax - time.time())) if self.finite else None

    def sleep(self, interval):
        time.sleep(min(interval, self.timeleft()) if self.finite else interval)


# The deadline of an AsyncResult without an expiry: one for all of them
# (an AsyncResult's deadline is replaced, never changed).
_NO_EXPIRY = Timeout(None)


def spawn(*args, **kwargs):
    """`func(*args, **kwargs)` on a new daemon thread, started."""
    func, args = args[0], args[1:]
    thread = threading.Thread(target=func, args=args, kwargs=kwargs)
    thread.daemon = True
    thread.start()
    return thread


# The AsyncResults whose replies have not come, by handle: rpyc's
# connection holds them so (its `_request_callbacks`). Each of its
# operations is atomic, whichever thread sends or waits.
_AWAITING = {}


def _stock_async_result():
    """rpyc's own AsyncResult where the interpreter has rpyc installed
    (the host's CPython), so that ours is one; else object."""
    import sys
    stock = sys.modules.get('rpyc.core.async_')
    if stock is None:
        # Not the stand-in, which is always there: rpyc, if installed.
        try:
            import rpyc.core.async_ as stock
        except Exception:
            return object
    if getattr(stock, '__file__', None) is None:
        return object
    return getattr(stock, 'AsyncResult', object)


_BASE = _stock_async_result()
_SLOTS = ["_conn", "_is_ready", "_is_exc", "_callbacks", "_obj", "_ttl", "_oxrpc_handle"]


class AsyncResult(_BASE):
    """The reply to come of a request sent without waiting: `value` waits
    for it (raising the peer's exception, or AsyncResultTimeout once the
    expiry set passed), `ready` and `error` look without waiting, and
    callbacks run with the result when it comes."""
    __slots__ = [slot for slot in _SLOTS if slot not in getattr(_BASE, '__slots__', ())]

    def __init__(self, conn):
        self._conn = conn
        self._is_ready = False
        self._is_exc = None
        self._obj = None
        self._callbacks = []
        self._ttl = _NO_EXPIRY
        self._oxrpc_handle = None

    def __repr__(self):
        if self._is_ready:
            state = "ready"
        elif self._is_exc:
            state = "error"
        elif self.expired:
            state = "expired"
        else:
            state = "pending"
        return f"<AsyncResult object ({state}) at 0x{id(self):08x}>"

    def __call__(self, is_exc, obj):
        if self.expired:
            return
        self._is_exc = is_exc
        self._obj = obj
        self._is_ready = True
        for cb in self._callbacks:
            cb(self)
        del self._callbacks[:]

    def wait(self):
        """Serves the connection until the reply is in; AsyncResultTimeout
        if the expiry passes first."""
        while self._waiting():
            self._receive(self._ttl.timeleft())
        if not self._is_ready:
            raise AsyncResultTimeout("result expired")

    def _waiting(self):
        return not (self._is_ready or self.expired)

    def _receive(self, timeout):
        """Serves the connection until the reply comes, at most `timeout`
        seconds (None: as long as it takes), and hands it over."""
        handle = self._oxrpc_handle
        if handle is None:
            # Made by hand: whoever made it calls it.
            time.sleep(0.01 if timeout is None else min(timeout, 0.01))
        elif _oxrpc_async('wait', handle, timeout):
            _hand_over(handle, self)

    def add_callback(self, func):
        """`func(self)` once the reply is in (now, if it is)."""
        if self._is_ready:
            func(self)
        else:
            self._callbacks.append(func)

    def set_expiry(self, timeout):
        """Gives up on the reply `timeout` seconds from now (None: never)."""
        self._ttl = Timeout(timeout)

    @property
    def ready(self):
        """Whether the reply is in (serving what already came)."""
        if self._is_ready:
            return True
        if self.expired:
            return False
        self._receive(0)
        return self._is_ready

    @property
    def error(self):
        """Whether the reply is in and is an exception."""
        return self.ready and self._is_exc

    @property
    def expired(self):
        """Whether the expiry passed before the reply came."""
        return not self._is_ready and self._ttl.expired()

    @property
    def value(self):
        """The reply, once in (see `wait`); the peer's exception raised."""
        if not self._is_ready:
            self.wait()
        if self._is_exc:
            raise self._obj
        else:
            return self._obj


AsyncResult.__module__ = 'rpyc.core.async_'


def _hand_over(handle, res):
    """Gives `res` its reply, if it has come and nobody took it yet."""
    got = _oxrpc_async('take', handle)
    if got is not None:
        _AWAITING.pop(handle, None)
        res(*got)


def async_arrived(handle):
    """The reply of `handle` came (the connection's worker runs this)."""
    res = _AWAITING.get(handle)
    if res is not None:
        _hand_over(handle, res)


def async_request(conn, key, handler, args, timeout=None):
    """rpyc's `Connection.async_request(handler, *args, timeout=None)` on
    the connection `conn` (its session `key`)."""
    res = AsyncResult(conn)
    handle = _oxrpc_async('reserve', key)
    res._oxrpc_handle = handle
    _AWAITING[handle] = res
    try:
        _oxrpc_async('send', key, handle, handler, tuple(args))
    except BaseException:
        _AWAITING.pop(handle, None)
        _oxrpc_async('forget', handle)
        raise
    if timeout is not None:
        res.set_expiry(timeout)
    return res


def sync_request(conn, key, handler, args):
    """rpyc's `Connection.sync_request(handler, *args)`: waits the
    connection's `sync_request_timeout`."""
    return async_request(conn, key, handler, args, _oxrpc_async('timeout', key)).value


def serve(key, timeout):
    """Serves the connection `key` until a request or a reply has been
    served or `timeout` seconds have passed (None: no limit); whether one
    was, as rpyc's Connection.serve."""
    return _oxrpc_async('serve', key, Timeout(timeout).timeleft())


def poll_all(key, timeout):
    """rpyc's Connection.poll_all: serves what comes until `timeout` has
    passed (0: only what has come); whether anything was served."""
    deadline = Timeout(timeout)
    at_least_once = False
    while True:
        if serve(key, deadline):
            at_least_once = True
        if deadline.expired():
            return at_least_once


def _syncreq(proxy, handler, *args):
    conn = object.__getattribute__(proxy, "____conn__")
    return conn.sync_request(handler, proxy, *args)


def _asyncreq(proxy, handler, *args):
    conn = object.__getattribute__(proxy, "____conn__")
    return conn.async_request(handler, proxy, *args)


def buffiter(obj, chunk=10, max_chunk=1000, factor=2):
    """Iterates over the peer's iterable `obj` a chunk of items per request
    (HANDLE_BUFFITER): `chunk` first, then `factor` times more each time,
    up to `max_chunk`."""
    if factor < 1:
        raise ValueError(f"factor must be >= 1, got {factor!r}")
    it = iter(obj)
    count = chunk
    while True:
        items = _syncreq(it, HANDLE_BUFFITER, count)
        count = min(count * factor, max_chunk)
        if not items:
            break
        for elem in items:
            yield elem


def restricted(obj, attrs, wattrs=None):
    """A view of `obj` through which the peer reads only the attributes
    in `attrs` and writes only those in `wattrs` (`attrs` when None)."""
    if wattrs is None:
        wattrs = attrs

    class Restricted(object):
        def _rpyc_getattr(self, name):
            if name not in attrs:
                raise AttributeError(name)
            return getattr(obj, name)
        __getattr__ = _rpyc_getattr

        def _rpyc_setattr(self, name, value):
            if name not in wattrs:
                raise AttributeError(name)
            setattr(obj, name, value)
        __setattr__ = _rpyc_setattr
    return Restricted()


class _Async(object):
    """A netref's asynchronous caller: calling it sends HANDLE_CALL and
    returns the AsyncResult at once."""

    __slots__ = ("proxy", "__weakref__")

    def __init__(self, proxy):
        self.proxy = proxy

    def __call__(self, *args, **kwargs):
        return _asyncreq(self.proxy, HANDLE_CALL, args, tuple(kwargs.items()))

    def __repr__(self):
        return f"async_({self.proxy!r})"


_async_proxies_cache = weakref.WeakValueDictionary()


def async_(proxy):
    """The asynchronous caller of the callable netref `proxy` (one per
    netref while it is alive)."""
    pid = id(proxy)
    if pid in _async_proxies_cache:
        return _async_proxies_cache[pid]
    if not hasattr(proxy, "____conn__") or not hasattr(proxy, "____id_pack__"):
        raise TypeError(f"'proxy' must be a Netref: {proxy!r}")
    if not callable(proxy):
        raise TypeError(f"'proxy' must be callable: {proxy!r}")
    caller = _Async(proxy)
    _async_proxies_cache[id(caller)] = _async_proxies_cache[pid] = caller
    return caller


async_.__doc__ = _Async.__doc__


class timed(object):
    """An asynchronous caller of `proxy` whose results expire `timeout`
    seconds after each call."""

    __slots__ = ("__weakref__", "proxy", "timeout")

    def __init__(self, proxy, timeout):
        self.proxy = async_(proxy)
        self.timeout = timeout

    def __call__(self, *args, **kwargs):
        res = self.proxy(*args, **kwargs)
        res.set_expiry(self.timeout)
        return res

    def __repr__(self):
        return f"timed({self.proxy.proxy!r}, {self.timeout!r})"


class BgServingThread(object):
    """A thread serving `conn` until `stop()`. The server serves a
    connection whenever its code waits, so this thread only keeps rpyc's
    interface (and its `callback` when the connection fails)."""
    SERVE_INTERVAL = 0.0
    SLEEP_INTERVAL = 0.1

    def __init__(self, conn, callback=None, serve_interval=SERVE_INTERVAL,
                 sleep_interval=SLEEP_INTERVAL):
        self._conn = conn
        self._active = True
        self._callback = callback
        self._serve_interval = serve_interval
        self._sleep_interval = sleep_interval
        self._thread = spawn(self._bg_server)

    def __del__(self):
        if self._active:
            self.stop()

    def _bg_server(self):
        try:
            while self._active:
                self._conn.serve(self._serve_interval)
                time.sleep(self._sleep_interval)
        except Exception:
            if self._active:
                self._active = False
                if self._callback is None:
                    raise
                self._callback()

    def stop(self):
        """Ends the thread, for good."""
        assert self._active
        self._active = False
        self._thread.join()
        self._conn = None


def classpartial(*args, **kwargs):
    """`cls` with these arguments bound to its constructor."""
    cls, args = args[0], args[1:]

    class Partial(cls):
        __doc__ = cls.__doc__

        def __new__(self):
            return cls(*args, **kwargs)
    Partial.__name__ = cls.__name__
    return Partial


def service(cls):
    """Class decorator: each attribute marked by `exposed` is also
    reachable under its prefixed name."""
    import inspect
    for attr_name, attr_obj in inspect.getmembers(cls):
        exposed_prefix = getattr(attr_obj, '__exposed__', False)
        if exposed_prefix and not inspect.iscode(attr_obj):
            renamed = exposed_prefix + attr_name
            if inspect.isclass(attr_obj):
                attr_obj = service(attr_obj)
            setattr(cls, attr_name, attr_obj)
            setattr(cls, renamed, attr_obj)
    return cls


def exposed(arg):
    """Marks a method (or, given a prefix string, makes the marker for
    that prefix) for `service` to expose."""
    if isinstance(arg, str):
        import functools
        return functools.partial(_wrapper, arg)
    elif hasattr(arg, '__call__') or hasattr(arg, '__get__'):
        return _wrapper('exposed_', arg)
    else:
        raise TypeError('rpyc.exposed expects a callable object, descriptor, or string')


def _wrapper(exposed_prefix, exposed_obj):
    exposed_obj.__exposed__ = exposed_prefix
    return exposed_obj
