# Helpers the oxrpc classic server runs inside the interpreter it serves
# (RustPython or CPython: this file is the same for both). Kept in Python
# because they are Python semantics: rpyc's get_methods, islice for
# HANDLE_BUFFITER, __import__ for getmodule, exec/eval.
import builtins
import itertools
import sys

if '__main__' not in sys.modules:
    # An embedded interpreter may start without one (RustPython does);
    # rlcompleter, pickle and pdb expect it.
    import types as _types
    sys.modules['__main__'] = _types.ModuleType('__main__')

def _keep_signals_to_the_server():
    """Signal dispositions belong to the server process. Remote code may not
    set them (CPython refuses outside the main thread; RustPython would
    let a connection's thread change the whole server's), and a child it
    forks starts with Python's defaults, not the server's handlers (which
    only tell the server's runtime: multiprocessing's terminate() would do
    nothing). The forking thread holds SIGTERM and SIGINT back across the
    fork, so one sent to the child at once waits for its defaults.

    Only native modules are used: `signal` (which imports `enum`),
    `threading` and `os` cost ~4 MiB in every RustPython interpreter, for
    hooks that run only when remote code forks or sets a handler. Guarding
    `_signal.signal` guards `signal.signal` too, which calls it."""
    import _signal
    import _thread
    import posix
    server = posix.getpid()
    original = _signal.signal
    held = (_signal.SIGTERM, _signal.SIGINT)
    masks = _thread._local()

    def hold():
        try:
            masks.before = _signal.pthread_sigmask(_signal.SIG_BLOCK, held)
        except (AttributeError, OSError, ValueError):
            masks.before = None

    def release():
        if getattr(masks, 'before', None) is not None:
            try:
                _signal.pthread_sigmask(_signal.SIG_SETMASK, masks.before)
            except (OSError, ValueError):
                pass
            masks.before = None

    def reset_in_child():
        for signum, handler in ((_signal.SIGTERM, _signal.SIG_DFL),
                                (_signal.SIGINT, _signal.default_int_handler)):
            try:
                original(signum, handler)
            except ValueError:
                # Not the main interpreter (CPython refuses there): the C
                # library's default, the disposition a new process has.
                try:
                    import ctypes
                    libc_signal = ctypes.CDLL(None).signal
                    libc_signal.argtypes = (ctypes.c_int, ctypes.c_void_p)
                    libc_signal.restype = ctypes.c_void_p
                    libc_signal(int(signum), None)
                except (ImportError, OSError, AttributeError):
                    pass
            except (OSError, RuntimeError):
                pass
        release()

    try:
        posix.register_at_fork(before=hold, after_in_parent=release, after_in_child=reset_in_child)
    except (AttributeError, OSError):
        pass
    if sys.implementation.name != 'rustpython':
        return

    def guarded(signalnum, handler):
        if posix.getpid() == server:
            raise ValueError('signal only works in main thread of the main interpreter')
        return original(signalnum, handler)

    guarded.__name__ = guarded.__qualname__ = 'signal'
    guarded.__doc__ = original.__doc__
    _signal.signal = guarded


_keep_signals_to_the_server()


def _guard_select():
    """select.select() refuses a descriptor past FD_SETSIZE or below zero
    with ValueError, as CPython's does; RustPython's would index past its
    fd_set and abort the whole server process. Descriptors that high are
    ordinary in a busy server, so this is no exotic case."""
    if sys.implementation.name == 'cpython':
        return
    try:
        import select
    except ImportError:
        return
    native = select.select
    fd_setsize = 1024

    def checked(group):
        try:
            items = list(group)
        except TypeError:
            raise TypeError('arguments 1-3 must be sequences') from None
        for item in items:
            fd = item if isinstance(item, int) else item.fileno()
            if not isinstance(fd, int):
                raise TypeError('fileno() returned a non-integer')
            if fd < 0:
                raise ValueError('file descriptor cannot be a negative integer (%d)' % fd)
            if fd >= 2 ** 31:
                raise OverflowError('Python int too large to convert to C int')
            if fd >= fd_setsize:
                raise ValueError('filedescriptor out of range in select()')
        return items

    def select_(rlist, wlist, xlist, timeout=None):
        return native(checked(rlist), checked(wlist), checked(xlist), timeout)

    select_.__name__ = select_.__qualname__ = 'select'
    select_.__doc__ = native.__doc__
    select_.__module__ = 'select'
    select.select = select_


_guard_select()


class Quitter(object):
    """site's quit and exit: SystemExit when called (without closing the
    server's stdin, which site's would)."""
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return 'Use %s() or Ctrl-D (i.e. EOF) to exit' % self.name

    def __call__(self, code=None):
        raise SystemExit(code)


class _Printer(object):
    """site's copyright, credits and license."""
    def __init__(self, name, text):
        self.__name, self.__text = name, text

    def __repr__(self):
        return self.__text

    def __call__(self):
        print(self.__text)


class _Helper(object):
    """site's help: pydoc's, imported when first asked."""
    def __repr__(self):
        return ('Type help() for interactive help, or help(object) for help about '
                'object.')

    def __call__(self, *args, **kwds):
        import pydoc
        return pydoc.help(*args, **kwds)


def _site_builtins():
    """The names CPython's site module adds to builtins, which remote code
    finds on rpyc_classic's server: quit, exit, help, copyright, credits,
    license. An embedded RustPython starts without them. Defined here
    rather than imported from _sitebuiltins, which would cost every new
    interpreter a module load (10 ms in a debug build)."""
    if sys.implementation.name != 'rustpython' or hasattr(builtins, 'quit'):
        return
    builtins.quit = Quitter('quit')
    builtins.exit = Quitter('exit')
    builtins.help = _Helper()
    builtins.copyright = _Printer('copyright', getattr(sys, 'copyright', ''))
    builtins.credits = _Printer(
        'credits', '    Thanks to CWI, CNRI, BeOpen.com, Zope Corporation and a cast of '
        'thousands\n    for supporting Python development.  See www.python.org for more '
        'information.')
    builtins.license = _Printer('license', 'See https://www.python.org/psf/license/')


_site_builtins()

LOCAL_ATTRS = frozenset([
    '____conn__', '____id_pack__', '____refcount__', '__class__', '__cmp__', '__del__', '__delattr__',
    '__dir__', '__doc__', '__getattr__', '__getattribute__', '__hash__', '__instancecheck__',
    '__init__', '__metaclass__', '__module__', '__new__', '__reduce__',
    '__reduce_ex__', '__repr__', '__setattr__', '__slots__', '__str__',
    '__weakref__', '__dict__', '__methods__', '__exit__',
    '__eq__', '__ne__', '__lt__', '__gt__', '__le__', '__ge__',
    '__array_struct__', '__array_interface__',
])


def name_pack(obj):
    """rpyc's get_id_pack name: module.Class of the object, or of the class
    itself; a module's own name when it is imported."""
    if isinstance(obj, type(sys)):
        if obj.__name__ in sys.modules:
            return obj.__name__
        return 'builtins.%s' % obj.__name__
    if isinstance(obj, type):
        return '%s.%s' % (obj.__module__, obj.__name__)
    cls = type(obj)
    return '%s.%s' % (getattr(cls, '__module__', 'builtins'), cls.__name__)


def id_pack(obj):
    """rpyc's id_pack: (name, id of the class, id of the object), the last
    0 for a class; a netref's is its object's, as rpyc's get_id_pack
    gives it."""
    if isinstance(type(obj), NetrefType):
        return object.__getattribute__(obj, '_oxrpc_pack')
    if isinstance(obj, type):
        return name_pack(obj), id(obj), 0
    return name_pack(obj), id(type(obj)), id(obj)


def prepare():
    """Readies an interpreter built before its connection: imports what
    every rpyc.classic.connect() asks for first (`modules.builtins` and
    `importlib.util`, which its ModuleNamespace fetches on creation)."""
    import importlib.util  # noqa: F401


def new_namespace():
    """A connection's namespace, as rpyc's SlaveService starts it."""
    return {}


def silence_standard_streams():
    """What rpyc_classic -m stdio does before it serves its pipes: the
    standard streams Python code sees are /dev/null (the process's own
    stdin and stdout carry the protocol)."""
    import os
    import sys
    sys.stdin = open(os.devnull, "r")
    sys.stdout = open(os.devnull, "w")
    sys.stderr = open(os.devnull, "w")


def connection_config(pairs):
    """The connection's `_config` from its (key, value) pairs, as rpyc
    keeps it: a dict, whose `safe_attrs` is a set and whose `credentials`
    (a client certificate, as `getpeercert()` describes it) a dict."""
    config = dict(pairs)
    config['safe_attrs'] = set(config.get('safe_attrs', ()))
    if config.get('credentials') is not None:
        config['credentials'] = dict(config['credentials'])
    return config


def methods(obj):
    """rpyc.lib.get_methods: (name, doc) of every callable up the MRO."""
    found = {}
    attrs = {}
    if isinstance(obj, type):
        mros = list(reversed(type(obj).__mro__)) + list(reversed(obj.__mro__))
    else:
        mros = reversed(type(obj).__mro__)
    for basecls in mros:
        attrs.update(basecls.__dict__)
    for name, attr in attrs.items():
        if name not in LOCAL_ATTRS and hasattr(attr, '__call__'):
            doc = getattr(attr, '__doc__', None)
            found[name] = doc if isinstance(doc, str) else None
    return tuple(found.items())


class Connection:
    """The connection as the code a request calls finds it in its caller's
    frame. rpyc calls from `_handle_call(self, obj, args, kwargs=())`, so
    `locals()` called remotely gives that frame's names, `self` the
    Connection; rpyc's own tests read `locals()['self']._last_traceback`.
    `_last_traceback` is the traceback of the connection's last failed
    request (what `rpyc.classic.pm` debugs through `getconn()`), and `root`
    the peer's root object."""
    __slots__ = ('_last_traceback', '_oxrpc_session')

    def __init__(self):
        self._last_traceback = None
        self._oxrpc_session = 0

    @property
    def root(self):
        """The root object of the other party (a classic client serves
        rpyc's SlaveService)."""
        return _oxrpc_op('peer_root', self._oxrpc_session)

    @property
    def _config(self):
        """The connection's settings under rpyc's names: the dict the
        client reads and writes as `getconn()._config`."""
        return _oxrpc_session('own_config', self._oxrpc_session)

    @property
    def closed(self):
        return _oxrpc_session('closed', self._oxrpc_session)

    def close(self):
        """Closes the connection to the client."""
        _oxrpc_session('close', self._oxrpc_session)

    def ping(self, data=None, timeout=3):
        """Checks that the client answers."""
        _oxrpc_session('ping', self._oxrpc_session)

    def __repr__(self):
        try:
            connid = self._config.get('connid')
        except Exception:
            # Closed: its settings went with it.
            connid = None
        state = ' (closed)' if self.closed else ''
        return '<rpyc.core.protocol.Connection %r object at 0x%08x%s>' % (connid, id(self), state)

    # What rpyc's helpers call on a netref's `____conn__` (rpyc_helpers.py).
    def async_request(self, handler, *args, timeout=None):
        return _rpyc_helpers().async_request(self, self._oxrpc_session, handler, args, timeout)

    def sync_request(self, handler, *args):
        return _rpyc_helpers().sync_request(self, self._oxrpc_session, handler, args)

    def serve(self, timeout=1, wait_for_lock=True, waiting=None):
        return _rpyc_helpers().serve(self._oxrpc_session, timeout)

    def poll(self, timeout=0):
        return self.serve(timeout)

    def poll_all(self, timeout=0):
        return _rpyc_helpers().poll_all(self._oxrpc_session, timeout)


Connection.__module__ = 'rpyc.core.protocol'


def root_face(class_name, conn, namespace):
    """The connection's root as Python code here sees it, once the client
    hands it back (faces.rs): an instance of rpyc's service class of that
    name (the stand-in's without rpyc), whose `getconn()` is the
    connection and whose `namespace` the connection's."""
    import rpyc.core.service
    root = getattr(rpyc.core.service, class_name)()
    if class_name in ('SlaveService', 'ClassicService'):
        root._conn = conn
        root.namespace = namespace
    return root


# rpyc's `_handle_call` and `_handle_callattr`, with their frames' names.
def call(self, obj, args, kwargs=()):
    return obj(*args, **dict(kwargs))


def callattr(self, obj, name, args, kwargs=()):
    hook = attribute_hook(obj, '_rpyc_getattr')
    if isinstance(name, bytes):
        name = name.decode('utf-8')
    attribute = getattr(obj, name) if hook is None else hook(obj, name)
    return call(self, attribute, args, kwargs)


def checked_name(config, obj, name, perm):
    """rpyc's `_check_attr` under `config`, for a connection whose peer
    reaches only what rpyc's rules allow (one Python code opened with
    `rpyc.connect`): the name to use, the `exposed_` one where only that
    exists, or AttributeError. `perm` is 'allow_getattr', 'allow_setattr'
    or 'allow_delattr'."""
    if isinstance(name, bytes):
        name = name.decode('utf-8')
    if not config[perm]:
        raise AttributeError(f"cannot access {name!r}")
    prefix = config["allow_exposed_attrs"] and config["exposed_prefix"]
    plain = config["allow_all_attrs"]
    plain |= config["allow_exposed_attrs"] and name.startswith(prefix)
    plain |= config["allow_safe_attrs"] and name in config["safe_attrs"]
    plain |= config["allow_public_attrs"] and not name.startswith("_")
    has_exposed = prefix and (hasattr(obj, prefix + name) or _has_static(obj, prefix + name))
    if plain and (not has_exposed or hasattr(obj, name)):
        return name
    if has_exposed:
        return prefix + name
    if plain:
        return name
    raise AttributeError(f"cannot access {name!r}")


def _has_static(obj, name):
    import inspect
    try:
        inspect.getattr_static(obj, name)
        return True
    except AttributeError:
        return False


def pickling_allowed(config):
    """rpyc's HANDLE_PICKLE refuses unless `allow_pickle`."""
    if not config["allow_pickle"]:
        raise ValueError("pickling is disabled")


def attribute_hook(obj, hook):
    """rpyc's `_access_attr`: a class's own `_rpyc_getattr`,
    `_rpyc_setattr` or `_rpyc_delattr` answers for its instances (None
    when it has none)."""
    return getattr(type(obj), hook, None)


def compare(obj, other, op):
    # rpyc's _access_attr: a bytes name is decoded, anything else refused.
    if isinstance(op, bytes):
        op = op.decode('utf-8')
    elif not isinstance(op, str):
        raise TypeError('name must be a string')
    return getattr(type(obj), op)(obj, other)


def buffiter(obj, count):
    return tuple(itertools.islice(obj, count))


def oldslicing(obj, attempt, fallback, start, stop, args):
    try:
        return getattr(obj, attempt)(slice(start, stop), *args)
    except Exception:
        if stop is None:
            stop = 2 ** 63 - 1
        return getattr(obj, fallback)(start, stop, *args)


def ctxexit(obj, exc):
    # As rpyc's _handle_ctxexit: the client sends the exception's class
    # (a netref), so `raise exc` itself fails and __exit__ sees that
    # TypeError; what __exit__ returns decides whether the client's
    # exception is suppressed.
    if exc:
        try:
            if not (isinstance(exc, BaseException)
                    or (isinstance(exc, type) and issubclass(exc, BaseException))):
                # CPython's own words for raising something else.
                raise TypeError('exceptions must derive from BaseException')
            raise exc
        except Exception as e:
            return obj.__exit__(type(e), e, e.__traceback__)
    # A falsy exc goes to __exit__ as it came (False, 0, None ...).
    return obj.__exit__(exc, None, None)


def instancecheck_by_name(name, cls):
    """isinstance(<peer's netref to an instance of the class `name`>, cls),
    as rpyc's server answers it: from its proxies of builtin classes (the
    names of `rpyc.core.netref._builtin_types`), and False for any other
    class (rpyc's cache miss), whatever the object is."""
    builtin = _rpyc_builtin_classes().get(name)
    if builtin is None:
        return False
    if not isinstance(cls, (type, tuple)):
        raise TypeError('isinstance() arg 2 must be a type, a tuple of types, or a union')
    return issubclass(builtin, cls)


def _rpyc_builtin_classes():
    """The classes rpyc keeps ready-made proxies of, by CPython's names."""
    global _RPYC_BUILTIN_CLASSES
    if _RPYC_BUILTIN_CLASSES is None:
        import types
        named = {cls.__name__: cls for cls in (
            type, object, bool, complex, dict, float, int, list, slice, str, tuple,
            set, frozenset, BaseException, Exception, bytes, bytearray, memoryview)}
        named.update({
            'NoneType': type(None),
            'builtin_function_or_method': types.BuiltinFunctionType,
            'generator': types.GeneratorType,
            'method': types.MethodType,
            'code': types.CodeType,
            'frame': types.FrameType,
            'traceback': types.TracebackType,
            'module': types.ModuleType,
            'function': types.FunctionType,
            'mappingproxy': types.MappingProxyType,
            'wrapper_descriptor': type(int.__add__),
            'method-wrapper': type((1).__add__),
            'list_iterator': type(iter([])),
            'tuple_iterator': type(iter(())),
            'set_iterator': type(iter(set())),
            'range_iterator': type(iter(range(10))),
        })
        _RPYC_BUILTIN_CLASSES = {'builtins.' + key: cls for key, cls in named.items()}
    return _RPYC_BUILTIN_CLASSES


_RPYC_BUILTIN_CLASSES = None


def pickle_dumps(obj, protocol):
    """HANDLE_PICKLE (what rpyc.classic.obtain asks for): a pickle the
    peer's CPython reads back as the same value."""
    import pickle
    if sys.implementation.name != 'rustpython':
        return bytes(pickle.dumps(obj, protocol))
    import io
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol)
    pickler.dispatch_table = _portable_reductions()
    pickler.dump(obj)
    return buffer.getvalue()


_PORTABLE_REDUCTIONS = None


def _portable_reductions():
    """copyreg's table, plus the two types RustPython pickles unlike
    CPython: an array's machine format code has its signedness flipped (so
    CPython would read array('i', [-1]) back as array('I', [4294967295])),
    and a timezone carries its private state (which CPython's refuses).
    Both are written in forms every Python reads. Built on the first
    pickle, in front of copyreg's live table (so what remote code registers
    later still counts)."""
    global _PORTABLE_REDUCTIONS
    if _PORTABLE_REDUCTIONS is None:
        import array
        import collections
        import copyreg
        import datetime
        ours = {
            array.array: lambda a: (array.array, (a.typecode, a.tolist())),
            datetime.timezone: lambda tz: (datetime.timezone, tz.__getinitargs__()),
        }
        _PORTABLE_REDUCTIONS = collections.ChainMap(ours, copyreg.dispatch_table)
    return _PORTABLE_REDUCTIONS


def getmodule(name):
    """rpyc's Slave.getmodule after its join of a tuple (done by the
    caller): importlib judges the name (a relative one, bytes, a number,
    a client's object) as it does under rpyc."""
    import importlib
    return importlib.import_module(name)


def submodule(module, name):
    """The submodule `name` of the package `module`, imported now, or None.

    A client reaches a package's submodules as attributes
    (`conn.modules.urllib.parse`) once something has imported them, and
    rpyc_classic's process has imported many (`urllib.parse`,
    `concurrent.futures`, `http.client`, ...) before any client came. An
    interpreter here starts with few, so the attribute a client does not
    find on a package is looked for as a submodule."""
    if (type(module) is not type(sys) or not hasattr(module, '__path__')
            or not isinstance(name, str) or name.startswith('__')):
        return None
    try:
        import importlib
        return importlib.import_module(module.__name__ + '.' + name)
    except Exception:
        return None


# Code compiled for conn.eval / conn.execute, by (source, mode): clients
# that poll the same expression (a status, a counter) compile it once. Code
# objects are immutable, so connections may share them. Bounded: short
# sources only, and the oldest entry goes when the cache is full.
_CODE = {}
_CODE_ENTRIES = 64
_CODE_SOURCE_MAX = 1024


def _compiled(text, mode):
    # A code object (or anything else eval and exec judge themselves)
    # passes through; long source is not worth caching.
    if not isinstance(text, (str, bytes)) or len(text) > _CODE_SOURCE_MAX:
        return text
    key = (text, mode)
    code = _CODE.get(key)
    if code is None:
        # The file name eval and exec give source they compile themselves.
        code = compile(text, '<string>', mode)
        if len(_CODE) >= _CODE_ENTRIES:
            try:
                del _CODE[next(iter(_CODE))]
            except (StopIteration, KeyError, RuntimeError):
                pass  # another thread changed the cache meanwhile
        _CODE[key] = code
    return code


def execute(text, namespace):
    exec(_compiled(text, 'exec'), namespace)


def evaluate(text, namespace):
    # eval() skips the spaces and tabs a source starts with (compile()
    # does not), so conn.eval(' 1+1') is 2 on rpyc's server.
    if isinstance(text, str):
        text = text.lstrip(' \t')
    elif isinstance(text, bytes):
        text = text.lstrip(b' \t')
    return eval(_compiled(text, 'eval'), namespace)


_SIMPLE = (type(None), bool, int, float, complex, str, bytes)


def dumpable(obj):
    """rpyc's brine.dumpable: what crosses by value."""
    t = type(obj)
    if t in _SIMPLE or obj is Ellipsis or obj is NotImplemented:
        return True
    if t is tuple or t is frozenset:
        return all(dumpable(item) for item in obj)
    if t is slice:
        return dumpable(obj.start) and dumpable(obj.stop) and dumpable(obj.step)
    return False


_RUSTPYTHON = sys.implementation.name == 'rustpython'


def exception_parts(exc):
    """rpyc's vinegar.dump: args and public attributes, each kept when brine
    can carry it and replaced by its repr otherwise."""
    exc_args = exc.args
    args = tuple(a if dumpable(a) else repr(a) for a in exc_args)
    attrs = []
    for name in dir(exc):
        if name == 'args' or name.startswith('_') or name == 'with_traceback':
            continue
        if _RUSTPYTHON and name == 'name_from' and isinstance(exc, ImportError):
            # Set by RustPython's own `from ... import` (Python 3.14's
            # attribute); CPython 3.11's import errors have none.
            continue
        try:
            value = getattr(exc, name)
        except AttributeError:
            continue
        attrs.append((name, value if dumpable(value) else repr(value)))
    return args, tuple(attrs)


class GenericException(Exception):
    """rpyc's vinegar.GenericException: the base of the classes made up for
    exceptions whose class cannot be found here."""


GenericException.__module__ = 'rpyc.core.vinegar'
_made_up = {}
_with_remote_traceback = {}
# The peer chooses exception names: past this many classes made up or
# derived, new ones are made for the one exception and not kept.
_MAX_EXCEPTION_CLASSES = 1024
_REMOTE_LINE_START = '\n\n========= Remote Traceback '
_REMOTE_LINE = _REMOTE_LINE_START + '(%d) =========\n'


def _remember(table, key, cls):
    if len(table) < _MAX_EXCEPTION_CLASSES:
        table[key] = cls
    return cls


def _get_exception_class(cls):
    """rpyc's vinegar._get_exception_class, under its name (its qualified
    name shows in tracebacks): a subclass under the class's name and
    module whose str() (and repr()) ends with the peer's traceback, so
    code that prints the exception shows where it was raised."""
    derived = _with_remote_traceback.get(cls)
    if derived is not None:
        return derived

    class Derived(cls):
        def __str__(self):
            try:
                text = cls.__str__(self)
            except Exception:
                text = '<Unprintable exception>'
            remote = getattr(self, '_remote_tb', None)
            if remote is not None:
                text += _REMOTE_LINE % (remote.count(_REMOTE_LINE_START) + 1) + remote
            return text

        def __repr__(self):
            return str(self)

    Derived.__name__ = cls.__name__
    Derived.__module__ = cls.__module__
    return _remember(_with_remote_traceback, cls, Derived)


def make_exception(module, name, args, attrs, traceback):
    """rpyc's vinegar.load with classic mode's config: a subclass (see
    `_get_exception_class`) of the real class when this interpreter has it
    or can import its module (import_custom_exceptions and
    instantiate_custom_exceptions), else of a GenericException subclass
    named after it; args and attributes set as sent, __init__ not
    called."""
    cls = None
    if module == 'builtins':
        cls = getattr(builtins, name, None)
    else:
        found = sys.modules.get(module)
        if found is None:
            # import_custom_exceptions, which SlaveService turns on: the
            # class's module is imported, as rpyc's vinegar.load does.
            try:
                __import__(module, None, None, '*')
            except Exception:
                pass
            found = sys.modules.get(module)
        cls = getattr(found, name, None) if found is not None else None
    if not (isinstance(cls, type) and issubclass(cls, BaseException)):
        fullname = '%s.%s' % (module, name)
        cls = _made_up.get(fullname)
        if cls is None:
            cls = type(fullname, (GenericException,), {'__module__': 'rpyc.core.vinegar/%s' % module})
            _remember(_made_up, fullname, cls)
    try:
        cls = _get_exception_class(cls)
    except TypeError:
        pass  # a class that cannot be subclassed stays as it is
    exc = cls.__new__(cls)
    exc.args = args
    for attr, value in attrs:
        try:
            setattr(exc, attr, value)
        except (AttributeError, TypeError):
            pass
    # An exception raised here (a wait that ran out, a connection that
    # closed) has no remote traceback to show.
    if traceback:
        try:
            exc._remote_tb = traceback
        except AttributeError:
            pass
    return exc


def tuple_of(*items):
    return items


def frozenset_of(items):
    return frozenset(items)


def slice_of(start, stop, step):
    return slice(start, stop, step)


def complex_of(real, imag):
    return complex(real, imag)


def int_of(text):
    return int(text)


class NetrefType(type):
    """The metaclass of every netref class: what tells a netref from any
    other object in one look (there is a netref class per remote type)."""

    def __repr__(cls):
        # rpyc's NetrefMetaclass.
        if cls.__module__:
            return "<netref class '%s.%s'>" % (cls.__module__, cls.__name__)
        return "<netref class '%s'>" % cls.__name__


# What a netref answers itself: rpyc's local attributes, and where this
# one keeps its id.
_KEPT_LOCAL = LOCAL_ATTRS | frozenset(['_oxrpc_id', '_oxrpc_pack', '_oxrpc_key'])


class Netref(object, metaclass=NetrefType):
    """A proxy for an object of the peer (rpyc's BaseNetref, seen from
    inside this interpreter). Every attribute but the few rpyc keeps local
    is read over there; each netref class adds the methods the peer's
    class has (as `HANDLE_INSPECT` lists them), so Python's own protocols
    (len, iteration, operators, os.fspath, callable, the ABCs) see what
    the peer's object really supports."""
    __slots__ = ('_oxrpc_id', '_oxrpc_pack', '_oxrpc_key', '__weakref__')

    # rpyc's own attributes of a netref, which its helpers read
    # (`rpyc.async_` sends through `____conn__`).
    @property
    def ____conn__(self):
        return _oxrpc_op('connection', object.__getattribute__(self, '_oxrpc_id'))

    @property
    def ____id_pack__(self):
        return object.__getattribute__(self, '_oxrpc_pack')

    def __getattribute__(self, name):
        if name in _KEPT_LOCAL:
            if name == '__class__':
                cls = object.__getattribute__(self, '__class__')
                if cls is None:
                    cls = self.__getattr__('__class__')
                return cls
            if name == '__doc__':
                return self.__getattr__('__doc__')
            if name in DELETED_ATTRS:
                raise AttributeError()
            return object.__getattribute__(self, name)
        if name == '__call__' or name == '__array__':
            return object.__getattribute__(self, name)
        return _oxrpc_op('getattr', object.__getattribute__(self, '_oxrpc_id'), name)

    def __getattr__(self, name):
        if name in DELETED_ATTRS:
            raise AttributeError()
        return _oxrpc_op('getattr', object.__getattribute__(self, '_oxrpc_id'), name)

    def __setattr__(self, name, value):
        if name in _KEPT_LOCAL:
            object.__setattr__(self, name, value)
        else:
            _oxrpc_op('setattr', object.__getattribute__(self, '_oxrpc_id'), name, value)

    def __delattr__(self, name):
        if name in _KEPT_LOCAL:
            object.__delattr__(self, name)
        else:
            _oxrpc_op('delattr', object.__getattribute__(self, '_oxrpc_id'), name)

    def __repr__(self):
        return _oxrpc_op('repr', object.__getattribute__(self, '_oxrpc_id'))

    def __str__(self):
        return _oxrpc_op('str', object.__getattribute__(self, '_oxrpc_id'))

    def __hash__(self):
        return _oxrpc_op('hash', object.__getattribute__(self, '_oxrpc_id'))

    def __dir__(self):
        return list(_oxrpc_op('dir', object.__getattribute__(self, '_oxrpc_id')))

    def __eq__(self, other):
        return _oxrpc_op('cmp', object.__getattribute__(self, '_oxrpc_id'), other, '__eq__')

    def __ne__(self, other):
        return _oxrpc_op('cmp', object.__getattribute__(self, '_oxrpc_id'), other, '__ne__')

    def __lt__(self, other):
        return _oxrpc_op('cmp', object.__getattribute__(self, '_oxrpc_id'), other, '__lt__')

    def __le__(self, other):
        return _oxrpc_op('cmp', object.__getattribute__(self, '_oxrpc_id'), other, '__le__')

    def __gt__(self, other):
        return _oxrpc_op('cmp', object.__getattribute__(self, '_oxrpc_id'), other, '__gt__')

    def __ge__(self, other):
        return _oxrpc_op('cmp', object.__getattribute__(self, '_oxrpc_id'), other, '__ge__')

    def __exit__(self, exc, typ, tb):
        # rpyc's: only the first argument (the exception's class) goes
        # (HANDLE_CTXEXIT), and the peer raises it to make the rest.
        return _oxrpc_op('ctxexit', object.__getattribute__(self, '_oxrpc_id'), exc)

    def __reduce_ex__(self, protocol):
        # pickle.dumps(netref) pickles the peer's object, over there
        # (HANDLE_PICKLE), as rpyc's netrefs do: what rpyc.classic.obtain
        # relies on.
        import pickle
        return pickle.loads, (_oxrpc_op('pickle', object.__getattribute__(self, '_oxrpc_id'),
                                        protocol),)

    def __instancecheck__(self, other):
        # rpyc's, by id packs: (type name, class id, instance id).
        pack = object.__getattribute__(self, '_oxrpc_pack')
        if isinstance(other, Netref):
            other_pack = object.__getattribute__(other, '_oxrpc_pack')
            if pack[2] != 0:
                raise TypeError('isinstance() arg 2 must be a class, type, or tuple of '
                                'classes and types')
            if pack[1] == other_pack[1]:
                return other_pack[2] != 0
            return _oxrpc_op('instancecheck', object.__getattribute__(self, '_oxrpc_id'),
                             other_pack)
        if pack[2] == 0:
            local = _local_class(pack[0])
            return local is not None and isinstance(other, local)
        raise TypeError('isinstance() arg 2 must be a class, type, or tuple of classes and types')

    # `Exception` bound now: a netref that outlives its interpreter's
    # teardown (which empties this module and the builtins) is dropped
    # quietly, not with a NameError printed to the server's output.
    def __del__(self, _failed=Exception):
        try:
            key = object.__getattribute__(self, '_oxrpc_key')
            alive = _LIVE_NETREFS.get(key)
            # By identity: `==` on a netref is a request to the peer.
            if alive is not None:
                current = alive()
                if current is None or current is self:
                    del _LIVE_NETREFS[key]
            _oxrpc_op('release', object.__getattribute__(self, '_oxrpc_id'))
        except _failed:
            pass


DELETED_ATTRS = frozenset(['__array_struct__', '__array_interface__'])


class _Method(object):
    """A method of a netref class: the call of the peer's method of that
    name (HANDLE_CALLATTR; `__call__` is HANDLE_CALL). An object rather
    than a closure: RustPython's collector cannot free cycles through
    closure cells, and every netref class holds dozens of these."""
    __slots__ = ('name', 'doc')

    def __init__(self, name, doc):
        self.name = name
        self.doc = doc

    def __get__(self, ref, cls=None):
        if ref is None:
            return self
        import types
        return types.MethodType(self, ref)

    def __call__(self, ref, *args, **kwargs):
        oid = object.__getattribute__(ref, '_oxrpc_id')
        if self.name == '__call__':
            return _oxrpc_op('call', oid, args, tuple(kwargs.items()))
        return _oxrpc_op('callattr', oid, self.name, args, tuple(kwargs.items()))


def plain_parts(obj):
    if isinstance(obj, slice):
        return (obj.start, obj.stop, obj.step)
    return tuple(obj)


def _builtin_types():
    """rpyc's built-in types, by the name a peer sends for them."""
    import types
    found = [type, object, bool, complex, dict, float, int, list, slice, str, tuple, set,
             frozenset, BaseException, Exception, type(None), types.BuiltinFunctionType,
             types.GeneratorType, types.MethodType, types.CodeType, types.FrameType,
             types.TracebackType, types.ModuleType, types.FunctionType, types.MappingProxyType,
             type(int.__add__), type((1).__add__), type(iter([])), type(iter(())),
             type(iter(set())), bytes, bytearray, type(iter(range(10))), memoryview]
    return {name_pack(t): t for t in found}


_BUILTIN_TYPES = None
# Netref classes of the peers' built-in types (their methods are known
# here, as rpyc's builtin_classes_cache), and of the peers' classes (by
# session and id pack, as rpyc's per-connection cache); the netrefs alive,
# by session and id pack, so an object received twice is one netref.
_BUILTIN_NETREF_CLASSES = {}
_NETREF_CLASSES = {}
_LIVE_NETREFS = {}
# A peer chooses the type names: past this many classes, new ones are
# made for each netref and not kept.
_MAX_NETREF_CLASSES = 1024


def _local_class(name):
    """The class here that the peer's type `name` stands for, as rpyc's
    class_factory resolves it: a built-in type, else the attribute of the
    longest imported module its name starts with (the module's own type
    when that module lacks it), else None."""
    global _BUILTIN_TYPES
    if _BUILTIN_TYPES is None:
        _BUILTIN_TYPES = _builtin_types()
    found = _rpyc_builtin_classes().get(name) or _BUILTIN_TYPES.get(name)
    if found is not None:
        return found
    cursor = len(name)
    while cursor != -1:
        module = sys.modules.get(name[:cursor])
        if module is None:
            cursor = name[:cursor].rfind('.')
            continue
        found = getattr(module, name[cursor + 1:], None)
        if found is None:
            return type(module)
        return found if hasattr(found, '__class__') else None
    return None


def _class_descriptor(local):
    """rpyc's NetrefClass: `__class__` of a netref is the local class it
    stands for, or that class's own class for a netref of a class."""
    def get(ref):
        pack = object.__getattribute__(ref, '_oxrpc_pack')
        return local.__class__ if pack[2] == 0 else local
    return property(get)


def _make_netref_class(name, methods):
    """rpyc's class_factory: named after the peer's type, with the
    methods it listed and the `__class__` of the local class of that name
    (None, read from the peer, when there is none)."""
    local = _local_class(name)
    namespace = {'__slots__': (), '__module__': 'rpyc.core.netref',
                 '__class__': None if local is None else _class_descriptor(local)}
    for method, doc in methods:
        method = str(method)
        if method not in LOCAL_ATTRS:
            namespace[method] = _Method(method, doc)
    try:
        return NetrefType(name, (Netref,), namespace)
    except (TypeError, ValueError):
        namespace = {'__slots__': (), '__module__': 'rpyc.core.netref', '__class__': None}
        return NetrefType('netref', (Netref,), namespace)


def _netref_class(session, pack, oid):
    """The netref class for the peer's object `pack`, as rpyc's
    _netref_factory finds it: its classes' cached per connection, the
    built-in types' made from the types here, any other asked for
    (HANDLE_INSPECT) each time."""
    name = pack[0]
    key = (session, pack)
    if pack[2] == 0:
        cls = _NETREF_CLASSES.get(key)
        if cls is not None:
            return cls
    cls = _BUILTIN_NETREF_CLASSES.get(name)
    if cls is not None:
        return cls
    builtin = _rpyc_builtin_classes().get(name)
    if builtin is not None:
        cls = _make_netref_class(name, methods(builtin))
        _BUILTIN_NETREF_CLASSES[name] = cls
        return cls
    cls = _make_netref_class(name, _oxrpc_op('inspect', oid, pack))
    if pack[2] == 0 and len(_NETREF_CLASSES) < _MAX_NETREF_CLASSES:
        _NETREF_CLASSES[key] = cls
    return cls


def new_netref(session, pack, oid):
    """The netref for the peer's object `pack` (its id pack): the one alive
    if this session received it before (the caller then lets `oid` go),
    else a new one."""
    import _weakref
    key = (session, pack)
    alive = _LIVE_NETREFS.get(key)
    ref = alive() if alive is not None else None
    if ref is not None:
        return ref
    ref = object.__new__(_netref_class(session, pack, oid))
    object.__setattr__(ref, '_oxrpc_id', oid)
    object.__setattr__(ref, '_oxrpc_pack', pack)
    object.__setattr__(ref, '_oxrpc_key', key)
    _LIVE_NETREFS[key] = _weakref.ref(ref)
    return ref


def forget_session(session):
    """The session ended: its classes' netref classes go."""
    for key in [key for key in _NETREF_CLASSES if key[0] == session]:
        del _NETREF_CLASSES[key]
    for key in [key for key, ref in _LIVE_NETREFS.items() if key[0] == session or ref() is None]:
        del _LIVE_NETREFS[key]


def dir_of(obj):
    return tuple(dir(obj))


def _compat_getattr(name):
    """rpyc.lib.compat.pickle, imported when first used: an interpreter per
    connection should not pay for pickle up front."""
    if name == 'pickle':
        import pickle
        return pickle
    raise AttributeError(name)


def _obtain(proxy):
    """rpyc.classic.obtain on the server: the value of the peer's object,
    pickled over there (a netref pickles as HANDLE_PICKLE)."""
    import pickle
    return pickle.loads(pickle.dumps(proxy))


_CLIENT = None


def _rpyc_client():
    """rpyc's client for the server's code (rpyc_client.py), loaded the
    first time code reaches for it."""
    global _CLIENT
    if _CLIENT is None:
        client = _oxrpc_load_client()
        # The helpers its connections share with everyone else's.
        client._rpyc_helpers = _rpyc_helpers
        _CLIENT = client
    return _CLIENT


def connection_ended(key):
    """The peer of a connection the code opened with a service of its own
    closed it: the service's `on_disconnect` (rpyc_client.py)."""
    if _CLIENT is not None:
        _CLIENT.connection_ended(key)


_HELPERS = None


def _rpyc_helpers():
    """rpyc's helpers for the server's code (rpyc_helpers.py: async_,
    AsyncResult and their kin), loaded the first time code reaches for
    them."""
    global _HELPERS
    if _HELPERS is None:
        _HELPERS = _oxrpc_load_helpers()
    return _HELPERS


_CLASSIC_HELPERS = None


def _rpyc_classic_helpers():
    """rpyc.classic's helpers that take a connection (rpyc_classic.py:
    upload, download, deliver, teleport_function and their kin), loaded
    the first time code reaches for them."""
    global _CLASSIC_HELPERS
    if _CLASSIC_HELPERS is None:
        _CLASSIC_HELPERS = _oxrpc_load_classic()
    return _CLASSIC_HELPERS


def async_arrived(handle):
    """The reply of an asynchronous request came (async_request.rs)."""
    if _HELPERS is not None:
        _HELPERS.async_arrived(handle)
    else:
        _oxrpc_async('forget', handle)


# The names each stand-in module fetches on first use: name -> (load, name
# in the loaded module).
_LAZY = {}


def _lazy_attributes(module, names, load=_rpyc_client):
    """Gives `module` the names in `names` (a dict of the module's name
    for each: the name in the module `load()` gives, rpyc's client unless
    told), fetched on first use (PEP 562): importing the module, or rpyc,
    loads nothing."""
    lazy = _LAZY.get(module.__name__)
    if lazy is None:
        lazy = _LAZY[module.__name__] = {}

        def __getattr__(name):
            if name in lazy:
                load_it, loaded_name = lazy[name]
                value = getattr(load_it(), loaded_name)
                setattr(module, name, value)
                return value
            raise AttributeError('module %r has no attribute %r' % (module.__name__, name))

        def __dir__():
            return sorted(set(module.__dict__) | set(lazy))

        module.__getattr__ = __getattr__
        module.__dir__ = __dir__
    for name, loaded_name in names.items():
        lazy[name] = (load, loaded_name)


def install_rpyc_shim(teleportation):
    """Makes rpyc.utils.teleportation and rpyc.lib.compat importable, which
    rpyc.classic's teleport_function and deliver import on the server, when
    this interpreter has no rpyc of its own (on RustPython, always: the
    shim also says why teleporting cannot work there), rpyc's client
    (`rpyc.connect`, `rpyc.classic.connect` and their kin) and its helpers
    (`rpyc.async_`, `AsyncResult` and their kin), both loaded when first
    used, and rpyc.classic's helpers that take a connection (`upload`,
    `download`, `deliver`, `teleport_function` and their kin), loaded the
    same way. `teleportation` is the shim's module, loaded by the
    server."""
    if sys.implementation.name == 'cpython':
        try:
            import rpyc.utils.teleportation  # noqa: F401
            import rpyc.lib.compat  # noqa: F401
            return False
        except Exception:
            pass
    import types

    def module(name, package=False):
        found = types.ModuleType(name)
        if package:
            found.__path__ = []
        sys.modules[name] = found
        return found

    top = module('rpyc', True)
    utils = module('rpyc.utils', True)
    lib = module('rpyc.lib', True)
    sys.modules['rpyc.utils.teleportation'] = teleportation
    teleportation._brinable = dumpable
    compat = module('rpyc.lib.compat')
    compat.__getattr__ = _compat_getattr
    # The rpyc this server speaks for (its version module, as rpyc's).
    version = module('rpyc.version')
    version.__version__ = '6.0.2'
    version.version = tuple(version.__version__.split('.'))
    version.release_date = '2024-04-18'
    top.__version__ = version.__version__
    top.utils, top.lib, top.version = utils, lib, version
    utils.teleportation = teleportation
    lib.compat = compat
    # What remote code reaches of rpyc itself on rpyc_classic's server:
    # rpyc.classic.obtain for a client's object, and the netref base class
    # to tell one.
    classic = module('rpyc.utils.classic')
    classic.obtain = _obtain
    sys.modules['rpyc.classic'] = classic
    top.classic = utils.classic = classic
    core = module('rpyc.core', True)
    netref = module('rpyc.core.netref')
    netref.BaseNetref = Netref
    top.core, core.netref = core, netref
    # rpyc's client, as its modules and its top level name it.
    same = lambda *names: {name: name for name in names}  # noqa: E731
    services = same('Service', 'VoidService', 'MasterService', 'SlaveService',
                    'ClassicService')
    factory = utils.factory = module('rpyc.utils.factory')
    _lazy_attributes(factory, dict(same(
        'connect', 'unix_connect', 'ssl_connect', 'discover', 'list_services',
        'connect_by_service', 'DiscoveryError', 'ForbiddenError'), **services))
    registry = utils.registry = module('rpyc.utils.registry')
    _lazy_attributes(registry, same('REGISTRY_PORT', 'RegistryClient', 'UDPRegistryClient',
                                    'TCPRegistryClient'))
    service = core.service = module('rpyc.core.service')
    _lazy_attributes(service, dict(services, ModuleNamespace='ModuleNamespace', Slave='Slave'))
    protocol = core.protocol = module('rpyc.core.protocol')
    _lazy_attributes(protocol, same('Connection'))
    # rpyc's helpers (rpyc_helpers.py), as its modules and its top level
    # name them.
    helper_names = same('async_', 'timed', 'buffiter', 'restricted', 'BgServingThread')
    helpers = utils.helpers = module('rpyc.utils.helpers')
    _lazy_attributes(helpers, dict(helper_names, classpartial='classpartial'), _rpyc_helpers)
    async_module = core.async_ = module('rpyc.core.async_')
    async_names = same('AsyncResult', 'AsyncResultTimeout')
    _lazy_attributes(async_module, async_names, _rpyc_helpers)
    _lazy_attributes(utils, same('exposed', 'service'), _rpyc_helpers)
    _lazy_attributes(lib, same('Timeout', 'spawn'), _rpyc_helpers)
    _lazy_attributes(top, dict(same('connect', 'ssl_connect', 'discover', 'list_services',
                                    'connect_by_service'), **services))
    _lazy_attributes(top, dict(helper_names, **async_names, **same('exposed', 'service', 'spawn'),
                               **{'async': 'async_'}), _rpyc_helpers)
    _lazy_attributes(classic, {
        'DEFAULT_SERVER_PORT': 'DEFAULT_SERVER_PORT',
        'DEFAULT_SERVER_SSL_PORT': 'DEFAULT_SERVER_SSL_PORT',
        'SlaveService': 'ClassicService',
        'connect': 'classic_connect',
        'unix_connect': 'classic_unix_connect',
        'ssl_connect': 'classic_ssl_connect',
    })
    _lazy_attributes(classic, same(
        'upload', 'upload_file', 'upload_dir', 'upload_package', 'upload_module', 'download',
        'download_file', 'download_dir', 'deliver', 'redirected_stdio', 'pm', 'interact',
        'teleport_function'), _rpyc_classic_helpers)
    return True
