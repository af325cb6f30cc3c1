"""Deep classic-mode semantics, driven by rpyc 6.0.2's classic client.

    python classic_checks.py PORT

Runs against any classic server: the tests run it against Python's
rpyc_classic (which proves the checks are right) and against oxrpc's.
Prints "N checks passed" or the failures, exiting non-zero.
"""
import gc
import sys
import threading
import time

import rpyc

PORT = int(sys.argv[1])
failures = []
passed = 0


def check(name, cond, detail=''):
    global passed
    if cond:
        passed += 1
    else:
        failures.append('%s: %s' % (name, detail))


def raises(name, exc_type, fn, text=None):
    try:
        fn()
    except exc_type as e:
        check(name, text is None or text in str(e), repr(e))
        return
    except Exception as e:
        check(name, False, 'raised %s: %r' % (type(e).__name__, e))
        return
    check(name, False, 'did not raise')


conn = rpyc.classic.connect('localhost', PORT)

# Exceptions keep their type.
raises('ZeroDivisionError', ZeroDivisionError, lambda: conn.eval('1/0'))
raises('KeyError', KeyError, lambda: conn.eval('{}["missing"]'), 'missing')
raises('NameError', NameError, lambda: conn.eval('undefined_name'))
raises('SyntaxError', SyntaxError, lambda: conn.execute('def ('))
raises('AttributeError', AttributeError, lambda: conn.modules.sys.no_such_attribute)
# rpyc's ModuleNamespace turns the server's ImportError into AttributeError.
raises('missing module', AttributeError, lambda: conn.modules.no_such_module_xyz)
raises('ImportError', ImportError, lambda: conn.execute('import no_such_module_xyz'))
conn.execute('class MyError(Exception):\n    pass')
try:
    conn.execute('raise MyError("custom")')
    check('remote class exception', False, 'no exception')
except Exception as e:
    check('remote class exception', 'MyError' in type(e).__name__ and 'custom' in str(e),
          '%s %r' % (type(e), e))

# Values and big ints, both ways.
check('big int', conn.eval('2**200') == 2 ** 200)
check('negative big int', conn.eval('-(3**100)') == -(3 ** 100))
check('float', conn.eval('1/3') == 1 / 3)
check('complex', conn.eval('complex(1, -2)') == complex(1, -2))
check('eval skips leading spaces and tabs', conn.eval(' \t1 + 1') == 2 and conn.eval(b'  2 * 3') == 6)
check('unicode', conn.eval('"ñandú 日本 🐍"') == 'ñandú 日本 🐍')
check('tuple', conn.eval('(1, "a", (None, True))') == (1, 'a', (None, True)))
check('frozenset', conn.eval('frozenset([1, 2])') == frozenset([1, 2]))
big = b'\x01\x02' * (5 * 1024 * 1024 // 2)
conn.namespace['blob'] = big
check('5 MB bytes in', conn.eval('len(blob)') == len(big))
check('5 MB bytes out', conn.eval('blob') == big)

# Containers by reference.
conn.execute('items = list(range(10))')
ritems = conn.eval('items')
check('len', len(ritems) == 10)
check('index', ritems[3] == 3 and ritems[-1] == 9)
check('slice', list(ritems[2:5]) == [2, 3, 4])
check('contains', 5 in ritems and 50 not in ritems)
check('iterate', list(ritems) == list(range(10)))
ritems.append(10)
check('mutate', conn.eval('items[-1]') == 10)
check('str', str(ritems) == str(list(range(11))))
rdict = conn.eval('{"a": 1, "b": [1, 2]}')
check('dict keys', sorted(rdict.keys()) == ['a', 'b'])
check('dict getitem', rdict['a'] == 1 and list(rdict['b']) == [1, 2])

# Generators and iteration.
conn.execute('def gen(n):\n    for i in range(n):\n        yield i * i')
check('generator', list(conn.namespace['gen'](5)) == [0, 1, 4, 9, 16])
rgen = conn.eval('gen(3)')
check('next()', next(rgen) == 0 and next(rgen) == 1)

# Context managers.
conn.execute(
    'class CM:\n'
    '    entered = exited = 0\n'
    '    def __enter__(self):\n'
    '        CM.entered += 1\n'
    '        return self\n'
    '    def __exit__(self, t, v, tb):\n'
    '        CM.exited += 1\n'
    '        return False\n'
    'cm = CM()')
with conn.namespace['cm']:
    pass
check('with', conn.eval('(CM.entered, CM.exited)') == (1, 1))

# Comparison and hashing of netrefs.
a = conn.eval('items')
b = conn.eval('items')
check('netref ==', a == b)
check('netref != other', a != conn.eval('[1]'))
conn.execute('key = ("k", 1)')
check('hash', hash(conn.eval('"abc"')) == hash('abc'))
robj = conn.eval('object()')
check('hash netref', isinstance(hash(robj), int))
check('lt', conn.eval('3') < 4)

# Classes: isinstance across the connection, and obtain (pickle).
conn.execute('class Base(object):\n    pass\nclass Child(Base):\n    pass\nchild = Child()')
rchild = conn.eval('child')
check('isinstance same class', isinstance(rchild, conn.namespace['Child']))
# Against another class the netref asks the server (HANDLE_INSTANCECHECK),
# and rpyc's server answers from the instance's class name alone: through
# its proxies of builtin classes, and False for any other name, even a
# subclass's.
rbase = conn.namespace['Base']
check('isinstance base class (rpyc: by name)', isinstance(rchild, rbase) is False)
check('isinstance object (rpyc: by name)', isinstance(rchild, conn.eval('object')) is False)
check('isinstance builtin by name', isinstance(conn.eval('[1]'), conn.eval('object')))
check('isinstance builtin function', isinstance(conn.eval('len'), conn.eval('object')))
check('isinstance Exception', isinstance(conn.eval('Exception()'), conn.eval('BaseException')))
check('isinstance ValueError (rpyc: no proxy)', isinstance(conn.eval('ValueError()'), conn.eval('Exception')) is False)
check('isinstance function', isinstance(conn.eval('lambda: 0'), conn.modules.types.FunctionType))
check('isinstance not a subclass', isinstance(conn.eval('(1,)'), conn.eval('list')) is False)
raises('isinstance against a non-class', TypeError,
       lambda: isinstance(conn.eval('[1]'), conn.eval('2')))
import array
import datetime
check('obtain signed array', rpyc.classic.obtain(conn.eval("__import__('array').array('i', [-1, 2])")) == array.array('i', [-1, 2]))
check('obtain unsigned array', rpyc.classic.obtain(conn.eval("__import__('array').array('B', [255, 0])")) == array.array('B', [255, 0]))
conn.execute('import datetime as _dt')
check('obtain aware datetime', rpyc.classic.obtain(conn.eval('_dt.datetime(2024, 1, 2, 3, tzinfo=_dt.timezone(_dt.timedelta(hours=2), "X"))')) == datetime.datetime(2024, 1, 2, 3, tzinfo=datetime.timezone(datetime.timedelta(hours=2), 'X')))
check('obtain utc', rpyc.classic.obtain(conn.eval('_dt.timezone.utc')) is datetime.timezone.utc)
check('obtain', rpyc.classic.obtain(conn.eval('[1, 2.5, {"a": (3, "x")}]')) == [1, 2.5, {'a': (3, 'x')}])

# Callbacks both ways: the server calls a client function, which calls the server.
calls = []


# A file name that is not UTF-8 (os.listdir decodes it with surrogateescape):
# rpyc_classic's brine cannot send it and drops the connection; the check
# is only that whatever comes back opens the same file, never another name.
conn.execute(
    'import os as _os, tempfile as _tempfile\n'
    '_odd_dir = _tempfile.mkdtemp()\n'
    'with open(_os.path.join(_odd_dir.encode(), b"odd\\xffname"), "wb") as _f:\n'
    '    _f.write(b"surrogates kept")\n'
)
try:
    odd_conn = rpyc.classic.connect('127.0.0.1', PORT)
    odd_dir = conn.namespace['_odd_dir']
    listed = odd_conn.modules.os.listdir(odd_dir)[0]
    with odd_conn.builtins.open(odd_conn.modules.os.path.join(odd_dir, listed), 'rb') as f:
        check('non-UTF-8 file name opens its file', f.read() == b'surrogates kept')
    odd_conn.close()
except EOFError:
    passed += 1  # rpyc_classic's way: the connection drops
conn.execute('import shutil as _shutil\n_shutil.rmtree(_odd_dir)')


check("site's builtins", conn.eval('(repr(quit), repr(exit), callable(help), '
                                  'type(copyright).__name__, type(license).__name__)')
      == ('Use quit() or Ctrl-D (i.e. EOF) to exit', 'Use exit() or Ctrl-D (i.e. EOF) to exit',
          True, '_Printer', '_Printer'))

# Remote code using rpyc itself on the server: obtain a client's object,
# tell a netref.
conn.execute(
    'def _server_obtains(x):\n'
    '    import rpyc\n'
    '    from rpyc.core.netref import BaseNetref\n'
    '    value = rpyc.classic.obtain(x)\n'
    '    return isinstance(value, BaseNetref), value == [1, "a"]\n'
)
check('server-side rpyc.classic.obtain', tuple(conn.namespace['_server_obtains']([1, 'a'])) == (False, True))


class Num:
    """A client object remote code computes with: each operator comes back here."""
    def __init__(self, v):
        self.v = v

    def __add__(self, other):
        return Num(self.v + (other.v if isinstance(other, Num) else other))

    def __radd__(self, other):
        return Num(other + self.v)

    def __mul__(self, other):
        return Num(self.v * other)

    def __neg__(self):
        return Num(-self.v)

    def __index__(self):
        return self.v

    def __float__(self):
        return float(self.v)

    def __format__(self, spec):
        return format(self.v, spec)


conn.execute(
    'def _ops(v):\n'
    '    w = v\n'
    '    w += 5\n'
    '    return ((v + 1).v, (1 + v).v, (v * 2).v, (-v).v, int(v), float(v),\n'
    '            format(v, "x"), "abcdef"[v], w.v)\n'
    'def _neg(v):\n'
    '    return -v\n'
    'def _twice(l):\n'
    '    return l * 2\n'
)
check('client object operators', tuple(conn.namespace['_ops'](Num(3))) == (4, 4, 6, -3, 3, 3.0, '3', 'd', 8))
check('client list operator', list(conn.namespace['_twice']([1, 2])) == [1, 2, 1, 2])
raises('client object without the operator', TypeError, lambda: conn.namespace['_neg'](object()))


def callback(x):
    calls.append(x)
    return conn.eval('x_from_server * %d' % x) if False else x * 2


conn.namespace['callback'] = callback
check('callback', conn.eval('callback(21)') == 42)
conn.namespace['nested'] = lambda v: conn.eval('%d + 1' % v)
check('nested callback', conn.eval('nested(41)') == 42)


def failing(x):
    raise ValueError('from the client')


conn.namespace['failing'] = failing
try:
    conn.eval('failing(1)')
    check('callback raising', False, 'no exception')
except Exception as e:
    check('callback raising', 'from the client' in str(e), repr(e))

# Remote modules and functions.
check('modules', conn.modules.os.path.join('a', 'b') == 'a/b')
check('builtins', conn.builtin.len([1, 2, 3]) == 3)

# Async requests.
async_eval = rpyc.async_(conn.root.eval)
res = async_eval('6 * 7')
res.wait()
check('async', res.ready and res.value == 42)

# Namespaces are isolated per connection, also under concurrency.
errors = []


def worker(i):
    try:
        c = rpyc.classic.connect('localhost', PORT)
        c.execute('mine = %d' % i)
        for _ in range(5):
            if c.eval('mine') != i:
                errors.append(i)
        c.close()
    except Exception as e:
        errors.append(repr(e))


threads = [threading.Thread(target=worker, args=(i,)) for i in range(20)]
for t in threads:
    t.start()
for t in threads:
    t.join(60)
check('20 isolated connections', not errors, errors[:3])
raises('isolation', NameError, lambda: conn.eval('mine'))

# Exceptions carry their public attributes, as vinegar sends them.
try:
    conn.execute('open("/no/such/file")')
    check('FileNotFoundError attributes', False, 'no exception')
except FileNotFoundError as e:
    check('FileNotFoundError attributes',
          (e.errno, e.strerror, e.filename) == (2, 'No such file or directory', '/no/such/file'),
          (e.errno, e.strerror, e.filename))
try:
    conn.execute('raise SystemExit(3)')
except SystemExit as e:
    check('SystemExit code', e.code == 3, repr(e.code))
conn.execute('class Tagged(Exception):\n    pass\n'
             'def raise_tagged():\n    e = Tagged("boom")\n    e.code = 7\n    e.items = (1, 2)\n'
             '    e.detail = {"not": "brinable"}\n    raise e')
try:
    conn.namespace['raise_tagged']()
except Exception as e:
    check('custom attributes', (e.code, e.items, e.detail) == (7, (1, 2), "{'not': 'brinable'}"),
          (getattr(e, 'code', None), getattr(e, 'items', None), getattr(e, 'detail', None)))

# A client callback's exception keeps its args on the way through.
conn.execute('def apply(f, *a):\n    return f(*a)')
def raise_value_error(x):
    raise ValueError('local', x)
try:
    conn.namespace['apply'](raise_value_error, 0)
except ValueError as e:
    check('callback exception args', e.args == ('local', 0), e.args)
# Inside the server, that exception is what rpyc's vinegar makes of it: a
# subclass under the same name whose str() ends with the client's traceback.
conn.execute('def catch_from(f, *a):\n'
             '    try:\n'
             '        f(*a)\n'
             '    except Exception as e:\n'
             '        return repr((type(e).__name__, type(e).__module__, type(e).__qualname__,\n'
             '                     type(e) is ValueError, isinstance(e, ValueError), e.args,\n'
             '                     str(e).split("\\n")[:3], "raise ValueError" in str(e), repr(e) == str(e),\n'
             '                     [c.__name__ for c in type(e).__mro__][:3]))')
seen = conn.namespace['catch_from'](raise_value_error, 1)
check('a callback exception inside the server', seen == repr((
    'ValueError', 'builtins', '_get_exception_class.<locals>.Derived', False, True, ('local', 1),
    ["('local', 1)", '', '========= Remote Traceback (1) ========='], True, True,
    ['ValueError', 'ValueError', 'Exception'])), seen)

# An exception of a library's class: the server imports the class's module
# and makes that class (rpyc's SlaveService turns import_custom_exceptions
# on), so the server's own code catches it by class, and it comes back to
# this client as that class too.
import json
def bad_json():
    json.loads('{x')
conn.execute('def catch_json(f):\n'
             '    try:\n'
             '        f()\n'
             '    except ValueError as e:\n'
             '        import json\n'
             '        return (isinstance(e, json.JSONDecodeError), type(e).__name__, type(e).__module__)\n'
             '    except BaseException as e:\n'
             '        return (False, type(e).__name__, type(e).__module__)')
seen = conn.namespace['catch_json'](bad_json)
check('a library exception from a callback keeps its class', seen == (True, 'JSONDecodeError', 'json.decoder'), seen)
try:
    conn.namespace['apply'](bad_json)
    check('a library exception comes back as its class', False, 'no exception')
except json.JSONDecodeError as e:
    check('a library exception comes back as its class', e.args == ("Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",), e.args)
except Exception as e:
    check('a library exception comes back as its class', False, repr(type(e)))

# The server reads sync_request_timeout from its connection's _config at
# each request it makes: a client may shorten or lift the wait of the
# callbacks it is asked for.
def slow_callback(seconds):
    time.sleep(seconds)
    return 'slept'
conn.execute('def call_waiting(f, seconds):\n'
             '    try:\n'
             '        return f(seconds)\n'
             '    except Exception as e:\n'
             '        return (type(e).__name__, str(e))')
server_config = conn.root.getconn()._config
server_config['sync_request_timeout'] = 0.3
seen = conn.namespace['call_waiting'](slow_callback, 1.2)
check('a shortened sync_request_timeout expires a callback', seen == ('TimeoutError', 'result expired'), seen)
time.sleep(1.2)  # the late answer arrives, and is dropped
server_config['sync_request_timeout'] = None
seen = conn.namespace['call_waiting'](slow_callback, 0.6)
check('sync_request_timeout None waits', seen == 'slept', seen)
server_config['sync_request_timeout'] = 30

# `with` on a remote context manager whose body raises: rpyc passes the
# exception's class, so __exit__ sees the TypeError raising it gives.
conn.execute('class CM:\n    def __init__(self, suppress):\n        self.suppress = suppress\n'
             '    def __enter__(self):\n        return 1\n'
             '    def __exit__(self, t, v, tb):\n        global seen\n'
             '        seen = (t.__name__ if t else None)\n        return self.suppress')
try:
    with conn.eval('CM(True)'):
        raise ValueError('suppressed')
    check('with suppresses', conn.eval('seen') == 'TypeError', conn.eval('seen'))
except Exception as e:
    check('with suppresses', False, repr(e))
raises('with propagates', ValueError, lambda: exec(
    'with conn.eval("CM(False)"):\n    raise ValueError("propagated")', {'conn': conn}))
with conn.eval('CM(False)'):
    pass
check('with, no exception', conn.eval('seen') is None, conn.eval('seen'))

# Plain values nest in frozensets, both ways.
for expr in ['frozenset({(1,)})', 'frozenset({frozenset()})', 'frozenset({(1, frozenset({2}))})']:
    value = conn.eval(expr)
    check('by value: ' + expr, type(value) is frozenset and value == eval(expr), repr(value))
conn.namespace['v'] = frozenset({(1, 'a')})
check('frozenset round trip', type(conn.eval('v')) is frozenset and conn.eval('v') == frozenset({(1, 'a')}))

# Structures too deep for brine, or for a parser, are errors, not crashes:
# rpyc_classic drops the connection over a value too deep to dump
# (oxrpc answers RecursionError); either way the server serves on.
deep_conn = rpyc.classic.connect('localhost', PORT)
deep_conn.execute('deep = ()\nfor _ in range(200000):\n    deep = (deep,)')
raises('deep tuple', (RecursionError, EOFError), lambda: deep_conn.eval('deep'))
raises('nested parentheses', SyntaxError, lambda: conn.eval('(' * 60000 + ')' * 60000))
check('alive after deep structures', conn.eval('1 + 1') == 2)

# Netref release: objects returned and dropped do not accumulate on the
# server. The count of objects the server holds for us is read through the
# server's connection object (rpyc's internals, or oxrpc's counter).
server_conn = conn.root.getconn()
try:
    server_conn.local_object_count  # oxrpc's counter, whatever its interpreter
    held = lambda: server_conn.local_object_count()
except AttributeError:
    held = lambda: len(server_conn._local_objects._dict)
gc.collect()
baseline = held()
for _ in range(10000):
    conn.eval('[1, 2]')
gc.collect()
deadline = time.time() + 10
while held() > baseline + 5 and time.time() < deadline:
    time.sleep(0.05)
check('no growth over 10,000 netrefs', held() <= baseline + 5, '%d -> %d' % (baseline, held()))
check('still responsive', conn.eval('1 + 1') == 2)

# The same source evaluated again sees the namespace as it is now, and
# source evaluated or executed in turn (many distinct expressions, more
# than any cache of compiled code keeps) still means what it says.
conn.execute('counter = 0')
for i in range(1, 4):
    conn.execute('counter += 1')
    check('repeated eval sees the namespace', conn.eval('counter') == i, conn.eval('counter'))
check('distinct sources', all(conn.eval('%d * 3' % i) == i * 3 for i in range(300)))
check('earlier source again', conn.eval('7 * 3') == 21 and conn.eval('counter') == 3)
for _ in range(2):
    raises('SyntaxError names <string>', SyntaxError, lambda: conn.eval('1 +'), '<string>')
raises('eval of a statement', SyntaxError, lambda: conn.eval('x = 1'))
conn.execute('x = 1')
check('exec of the same text', conn.eval('x') == 1)
check('long source', conn.eval('+'.join(['1'] * 2000)) == 2000)

# time.sleep as the server's Python has it: plain numbers sleep, other
# arguments are refused with the same exception types, and a thread
# sleeping on the server lets the connection be served meanwhile.
conn.execute('import time, threading')
check('sleep(0)', conn.eval('time.sleep(0)') is None)
check('sleep(0.01)', conn.eval('time.sleep(0.01)') is None)
check('sleep(False)', conn.eval('time.sleep(False)') is None)
check('sleep name', conn.eval('time.sleep.__name__') == 'sleep')
raises('sleep(-1)', ValueError, lambda: conn.eval('time.sleep(-1)'), 'must be non-negative')
raises('sleep(str)', TypeError, lambda: conn.eval("time.sleep('x')"))
raises('sleep()', TypeError, lambda: conn.eval('time.sleep()'))
conn.execute(
    'slept = []\n'
    'sleeper = threading.Thread(target=lambda: (time.sleep(0.2), slept.append(1)))\n'
    'sleeper.start()'
)
check('served while a thread sleeps', conn.eval('len(slept)') == 0 and conn.eval('2 + 2') == 4)
conn.execute('sleeper.join()')
check('the sleeping thread woke', conn.eval('len(slept)') == 1)

# The remote traceback ends as Python's traceback module ends it: str() of
# the exception, the class qualified by its module unless it is a builtin.
def last_traceback_line(source):
    try:
        conn.execute(source)
    except Exception as e:
        return getattr(e, '_remote_tb', '').strip().splitlines()[-1]
    return 'did not raise'


for source, line in [
    ("{}['k']", "KeyError: 'k'"),
    ("open('/nonexistent/x')", "FileNotFoundError: [Errno 2] No such file or directory: '/nonexistent/x'"),
    ("import json; json.loads('')", "json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)"),
    # 3.11's traceback module suggests no name (3.12's adds "Did you mean").
    ("xs = 1\nxy", "NameError: name 'xy' is not defined"),
    ("os.getcwd()", "NameError: name 'os' is not defined"),
    ("[].appendd(1)", "AttributeError: 'list' object has no attribute 'appendd'"),
    # 3.11's words for a local read before it is assigned.
    ("def unassigned():\n    print(z)\n    z = 1\nunassigned()",
     "UnboundLocalError: cannot access local variable 'z' where it is not associated with a value"),
]:
    got = last_traceback_line(source)
    check('traceback of %s' % source, got == line, got)

# dis reads whatever the server's compiler makes (its constants for
# list(...) and set(...) of a generator among them).
try:
    shown = conn.eval("len(__import__('dis').Bytecode(compile('list(x for x in y); set(x for x in y)', "
                      "'<checks>', 'exec')).dis()) > 0")
except Exception as e:
    shown = '%s: %s' % (type(e).__name__, str(e).splitlines()[0])
check('dis of list() and set() of a generator', shown is True, shown)

# eval and execute take code objects compiled on the server, as Python's do.
code = conn.builtins.compile('5 * 5', '<checks>', 'eval')
check('eval of a code object', conn.eval(code) == 25)
check('root.eval of a code object', conn.root.eval(code) == 25)
conn.execute(conn.builtins.compile('from_code = 7', '<checks>', 'exec'))
check('execute of a code object', conn.eval('from_code') == 7)
raises('eval of a number', TypeError, lambda: conn.eval(5), 'must be a string, bytes or code object')

# Remote code works in UTF-8 (open() without an encoding, as CPython 3.11
# under a UTF-8 locale), may not change the server's signal handlers, and
# the children it forks take the default ones: terminate() ends them.
conn.execute('import os, signal, tempfile\n'
             'fd, text_path = tempfile.mkstemp()\n'
             'os.close(fd)\n'
             'with open(text_path, "w") as f: f.write("h\u00e9llo \u2713")\n'
             'with open(text_path) as f: text_back = f.read()\n'
             'os.remove(text_path)')
check('open() is UTF-8', conn.eval('text_back') == 'h\u00e9llo \u2713', conn.eval('text_back'))
raises('signal.signal from a connection', ValueError,
       lambda: conn.modules.signal.signal(conn.modules.signal.SIGINT, conn.modules.signal.SIG_IGN),
       'main thread')
conn.execute('import multiprocessing\n'
             'forked = multiprocessing.get_context("fork").Process(target=time.sleep, args=(30,))\n'
             'forked.start()\n'
             'forked.terminate()\n'
             'forked.join(10)')
check('a forked child ends on SIGTERM', conn.eval('forked.exitcode') == -15, conn.eval('forked.exitcode'))
conn.execute('import threading\n'
             'def _deep(n):\n'
             '    return 0 if n == 0 else 1 + _deep(n - 1)\n'
             'deep_result = []\n'
             '_t = threading.Thread(target=lambda: deep_result.append(_deep(150)))\n'
             '_t.start(); _t.join()')
check('recursion in a thread remote code starts', conn.eval('tuple(deep_result)') == (150,), conn.eval('tuple(deep_result)'))

# Recursion as deep as Python's default limit allows, and past it a
# RecursionError the connection survives (a native stack too small for the
# interpreter's frames would end the whole server instead).
conn.execute('def _recurse(n):\n'
             '    return 0 if n == 0 else 1 + _recurse(n - 1)')
check('recursion 900 deep', conn.namespace['_recurse'](900) == 900)
conn.execute('deep_900 = _recurse(900)')
check('recursion 900 deep in execute', conn.eval('deep_900') == 900)
raises('recursion past the limit', RecursionError, lambda: conn.namespace['_recurse'](100000))
raises('recursion past the limit in eval', RecursionError, lambda: conn.eval('_recurse(100000)'))
conn.execute('class _Loop:\n'
             '    def __eq__(self, other):\n'
             '        return self == other')
raises('recursion through a dunder', RecursionError, lambda: conn.eval('_Loop() == 1'))
check('served after RecursionErrors', conn.eval('1 + 1') == 2)

# The server's side of the connection: its config is a dict the client
# reads, copies and writes to, as rpyc's.
config = conn.root.getconn()._config
check('config reads', (config['allow_pickle'], config.get('allow_all_attrs'), config.get('nope', 7),
                       'allow_setattr' in config, config['sync_request_timeout']) == (True, True, 7, True, 30))
check('config copies', dict(config)['allow_public_attrs'] is False and 'safe_attrs' in sorted(config.keys()))
# rpyc's endpoints: the server socket's name and the client's, as the
# client's own socket sees them the other way round.
sock = conn._channel.stream.sock
check('config endpoints', tuple(config['endpoints']) == (sock.getpeername(), sock.getsockname()),
      (config['endpoints'], sock.getpeername(), sock.getsockname()))
config['written'] = 1
config.update({'updated': 2})
again = conn.root.getconn()._config
check('config keeps what is written', (again['written'], again.get('updated')) == (1, 2))
server_conn = conn.root.getconn()
check('getconn() is one object', server_conn == conn.root._conn and server_conn is not None)
check('the connection lists what it serves',
      {'ping', 'close', 'closed', 'root', '_config'} <= set(dir(server_conn)), dir(server_conn))
check('config safe_attrs is a set', type(config['safe_attrs']).__name__ == 'builtins.set'
      and '__add__' in config['safe_attrs'], type(config['safe_attrs']))

# A client's object, seen from the server, has a netref class named as
# rpyc names it.
conn.execute('def netref_class(x):\n'
             '    return repr(type(x)), type(x).__module__, type(x).__name__')
check('netref classes are named as rpyc names them', tuple(conn.namespace['netref_class']([1])) ==
      ("<netref class 'rpyc.core.netref.builtins.list'>", 'rpyc.core.netref', 'builtins.list'),
      conn.namespace['netref_class']([1]))

# dir() of the root lists what Python lists for rpyc's own SlaveService.
from rpyc.core.service import SlaveService
check('dir(conn.root)', dir(conn.root) == dir(SlaveService()),
      set(dir(conn.root)) ^ set(dir(SlaveService())))
# ... and its docstring, which help() and inspect show.
import inspect
check('root.__doc__', conn.root.__doc__ == SlaveService.__doc__, conn.root.__doc__)
check('inspect.getdoc(root)', inspect.getdoc(conn.root) == inspect.getdoc(SlaveService), inspect.getdoc(conn.root))

# The frame a remotely called function is called from is rpyc's
# `_handle_call(self, obj, args, kwargs=())`, whose `self` is the
# Connection: rpyc's own test_classic reads `_last_traceback` through it.
fresh = rpyc.classic.connect('localhost', PORT)
check('no failed request yet', fresh.builtins.locals()['self']._last_traceback is None,
      fresh.builtins.locals()['self']._last_traceback)
frame = fresh.builtins.locals()
check('the Connection named as rpyc names it',
      frame['self'].__class__.__name__ == 'Connection'
      and frame['self'].__class__.__module__ == 'rpyc.core.protocol', frame['self'].__class__)
# Iterating ends with the server's StopIteration, a failed request too.
check("the caller's frame", list(frame.keys()) == ['self', 'obj', 'args', 'kwargs'], list(frame.keys()))
stopped = frame['self']._last_traceback
check('an exhausted iterator is a failed request',
      fresh.builtins.type(stopped).__name__ == 'traceback', stopped)
raises('a failing request', ZeroDivisionError, lambda: fresh.eval('1/0'))
last = fresh.builtins.locals()['self']._last_traceback
check('its traceback is kept', fresh.builtins.type(last).__name__ == 'traceback'
      and last != stopped, last)
check('getconn() keeps the same one', fresh.root.getconn()._last_traceback == last)
fresh.close()

# select() refuses descriptors an fd_set cannot hold, which a busy server
# has, and the server lives on.
raises('select past FD_SETSIZE', ValueError,
       lambda: conn.modules.select.select([1500], [], [], 0),
       'filedescriptor out of range in select()')
raises('select of a negative descriptor', ValueError,
       lambda: conn.modules.select.select([-1], [], [], 0),
       'file descriptor cannot be a negative integer (-1)')
raises('select of what is not a sequence', TypeError,
       lambda: conn.modules.select.select(5, [], [], 0), 'arguments 1-3 must be sequences')
conn.execute('import os, select\n_r, _w = os.pipe()')
ready = conn.eval('tuple(map(len, select.select([_r], [_w], [], 0)))')
conn.execute('os.close(_r); os.close(_w)')
check('select of descriptors it can hold', ready == (0, 1, 0), ready)

# Server code sees the client's objects as they are (rpyc's netref
# classes carry the methods HANDLE_INSPECT lists): Python's protocols take
# what the object has, and only that.
import pathlib


class Plain(object):
    pass


class Seq(object):
    def __getitem__(self, i):
        if i > 2:
            raise IndexError(i)
        return i * 10


class Convertible(object):
    def __complex__(self):
        return 1j

    def __bytes__(self):
        return b'B'

    def __floor__(self):
        return 12

    def __reversed__(self):
        return iter(['r1', 'r0'])


conn.execute('''
import os, math
def probe(o):
    import collections.abc as abc
    return (callable(o), hasattr(o, '__iter__'), hasattr(o, '__len__'),
            isinstance(o, abc.Iterable), isinstance(o, abc.Sized))
def not_iterable(o):
    try:
        iter(o)
    except TypeError:
        return 'not iterable'
    return 'iterable'
def same(a, b):
    return a is b
''')
path = pathlib.Path('/tmp')
check('a client Path opens on the server', conn.namespace['os'].path.exists(path) is True)
check('os.fspath of a client Path', conn.namespace['os'].fspath(path) == '/tmp',
      conn.namespace['os'].fspath(path))
check('a plain client object has no protocols', conn.namespace['probe'](Plain())
      == (False, False, False, False, False), conn.namespace['probe'](Plain()))
check('a client list has them', conn.namespace['probe']([1])[1:] == (True, True, True, True),
      conn.namespace['probe']([1]))
check('iter() of a plain client object is a TypeError',
      conn.namespace['not_iterable'](Plain()) == 'not iterable')
check('iteration falls back to __getitem__', list(conn.builtins.list(Seq())) == [0, 10, 20])
check('conversions take their own dunder',
      (conn.builtins.complex(Convertible()), conn.builtins.bytes(Convertible()),
       conn.namespace['math'].floor(Convertible()),
       list(conn.builtins.list(conn.builtins.reversed(Convertible())))) == (1j, b'B', 12, ['r1', 'r0']))
unpacked = conn.eval('lambda d: (dict(**d), "{a}".format(**d), {**d})')({'a': 1, 'b': 2})
check('** unpacks a client dict', repr(unpacked) == "({'a': 1, 'b': 2}, '1', {'a': 1, 'b': 2})",
      repr(unpacked))
item = Plain()
check('an object sent twice is one netref', conn.namespace['same'](item, item) is True)
check('isinstance against a client class', conn.builtins.isinstance(Plain(), Plain) is True
      and conn.builtins.issubclass(bool, int) is True)
check('__doc__ is read from the client', conn.eval('lambda o: o.__doc__')(Seq) is None
      and conn.eval('lambda o: o.__doc__')(pathlib.Path).startswith('PurePath subclass'))
exits = []


class Manager(object):
    def __enter__(self):
        return self

    def __exit__(self, *args):
        exits.append((args[0].__name__, type(args[1]).__name__, args[2] is None))
        return True


conn.execute('''
def in_with(cm):
    with cm:
        raise KeyError('k')
    return 'suppressed'
''')
check('with on a client object calls __exit__ as rpyc does',
      conn.namespace['in_with'](Manager()) == 'suppressed'
      and exits == [('TypeError', 'TypeError', False)], exits)

# A request's arguments are released after its answer (rpyc's order): a
# stock client's answer to the release and its next request would
# otherwise be two small writes in a row, the second held by Nagle's
# algorithm until the server's delayed acknowledgement (~40 ms a call).
from rpyc.core import brine, consts

received = []
original_dispatch = conn._dispatch


def recording(data):
    msg, = brine.I1.unpack(data[:1])
    seq, args = brine.load(data[1:])
    received.append('request %d' % args[0] if msg == consts.MSG_REQUEST else 'reply')
    return original_dispatch(data)


conn.execute('def takes(o):\n    return 1')
takes = conn.namespace['takes']
takes(Plain())
conn._dispatch = recording
for i in range(3):
    takes(Plain())
conn._dispatch = original_dispatch
order = ['request %d' % consts.HANDLE_DEL, 'request %d' % consts.HANDLE_INSPECT, 'reply'] * 3
check('an argument is released after the answer', received == order, received)

# A failed system call's error as CPython raises it: seen on the server
# and by the client, (errno, strerror) alone; and a refused interval
# timer is an OSError the server can read (RustPython made it without
# OSError's layout, and reading it crashed the server).
conn.execute('''
import os, signal
def system_errors():
    seen = []
    for call in (lambda: os.read(999, 1), lambda: signal.setitimer(99, 0)):
        try:
            call()
        except OSError as e:
            seen.append((type(e).__name__, e.args, repr(e), str(e), e.errno))
    return seen
''')
seen = rpyc.classic.obtain(conn.namespace['system_errors']())
check('failed system calls as CPython raises them',
      seen == [
          ('OSError', (9, 'Bad file descriptor'), "OSError(9, 'Bad file descriptor')",
           '[Errno 9] Bad file descriptor', 9),
          ('itimer_error', (22, 'Invalid argument'), "itimer_error(22, 'Invalid argument')",
           '[Errno 22] Invalid argument', 22)],
      seen)
try:
    conn.modules.os.read(999, 1)
except OSError as e:
    check('a failed system call reaches the client as CPython raised it',
          e.args == (9, 'Bad file descriptor'), e.args)
try:
    conn.modules.signal.setitimer(99, 0)
except Exception as e:
    # rpyc's client has no `signal.itimer_error` to make it again with.
    check('a refused interval timer reaches the client', e.args == (22, 'Invalid argument'),
          repr(e))
again = rpyc.classic.connect('localhost', PORT)
check('the server serves on after them', again.eval('6 * 7') == 42)
again.close()

# The standard library's sources are the server's to show: its loader
# gives a module's source whole (the file it was made from, which both
# servers' machines hold here), inspect finds a function's in it, and a
# traceback through it shows its lines.
conn.execute('''
import importlib, inspect
def stdlib_sources(names):
    seen = []
    for name in names:
        module = importlib.import_module(name)
        with open(module.__file__, encoding='utf-8') as f:
            text = f.read()
        seen.append((name, module.__loader__.get_source(name) == text))
    return seen
''')
names = ['json', 'json.decoder', 'subprocess', 'email.utils', 'collections', 'http.client',
         'urllib.parse', 'textwrap', 'encodings.utf_8']
seen = rpyc.classic.obtain(conn.namespace['stdlib_sources'](names))
check("a standard module's loader gives its source", seen == [(name, True) for name in names], seen)
source = conn.eval("__import__('inspect').getsource(__import__('json').dumps)")
check('inspect.getsource of a standard function', source.startswith('def dumps(obj, *, skipkeys=False'),
      source[:80])

# pkgutil lists the standard library (frozen into oxrpc's server), a
# package's modules by its __path__, and has 3.11's loaders.
conn.execute('''
import pkgutil, json, email
top = {m.name: m.ispkg for m in pkgutil.iter_modules()}
listed = (sorted((name, top.get(name)) for name in ('json', 'os', 'email', 'textwrap', 'xml')),
          {'decoder', 'encoder', 'scanner', 'tool'} <= {m.name for m in pkgutil.iter_modules(json.__path__)},
          sorted(m.name for m in pkgutil.walk_packages(email.__path__, 'email.'))[:5],
          sorted(m.name for m in pkgutil.iter_modules(json.__path__, 'json.')
                 if m.name != 'json.__main__')[:2],
          pkgutil.find_loader('json') is not None, pkgutil.get_loader('no_such_module_xyz'),
          pkgutil.get_loader(json) is json.__loader__)
try:
    pkgutil.find_loader('.x')
except ImportError as e:
    relative = str(e)
''')
listed = rpyc.classic.obtain(conn.namespace['listed'])
check('pkgutil lists the standard library and has 3.11\'s loaders', listed == (
    [('email', True), ('json', True), ('os', False), ('textwrap', False), ('xml', True)], True,
    ['email._encoded_words', 'email._header_value_parser', 'email._parseaddr', 'email._policybase',
     'email.base64mime'], ['json.decoder', 'json.encoder'], True, None, True), listed)
check('pkgutil.find_loader refuses a relative name',
      conn.namespace['relative'] == "Relative module name '.x' not supported", conn.namespace['relative'])
try:
    conn.modules.json.loads('x')
except Exception as e:
    text = str(e)
    check('a traceback through the standard library shows its lines',
          'return _default_decoder.decode(s)' in text
          and 'raise JSONDecodeError("Expecting value", s, err.value) from None' in text, text[-800:])

conn.close()
if failures:
    print('%d passed, %d failed' % (passed, len(failures)))
    for f in failures:
        print('FAIL', f)
    sys.exit(1)
print('%d checks passed' % passed)
