"""rpyc.classic's helpers, stock, driven by rpyc 6.0.2's classic client.

    python classic_helpers.py PORT SERVER

SERVER says what is on the other end and so what to expect:
  rpyc        Python's rpyc_classic (proves the checks are right)
  cpython     oxrpc classic serve --python cpython (with numpy in its venv)
  rustpython  oxrpc classic serve (RustPython): every helper;
              teleport_function compiles from the source (the server's
              file, else the client's linecache), so a function with no
              source anywhere is refused, saying why

Prints "N helper checks passed" or the failures, exiting non-zero.
"""
import io
import os
import shutil
import sys
import tempfile

import rpyc
import rpyc.utils.classic  # noqa: F401  (rpyc.classic is an alias rpyc sets up)

PORT = int(sys.argv[1])
SERVER = sys.argv[2]
failures = []
passed = 0


def check(name, cond, detail=''):
    global passed
    if cond:
        passed += 1
    else:
        failures.append('%s: %s' % (name, detail))


def attempt(name, fn):
    try:
        fn()
    except Exception as e:
        import traceback
        check(name, False, 'raised %s: %s\n%s' % (type(e).__name__, e, traceback.format_exc()))


class Captured:
    """Swaps the client's sys.stdin/stdout/stderr for string buffers, which
    redirected_stdio hands to the server by reference."""

    def __init__(self, stdin=''):
        self.stdin = io.StringIO(stdin)
        self.stdout = io.StringIO()
        self.stderr = io.StringIO()

    def __enter__(self):
        self.saved = sys.stdin, sys.stdout, sys.stderr
        sys.stdin, sys.stdout, sys.stderr = self.stdin, self.stdout, self.stderr
        return self

    def __exit__(self, *exc):
        sys.stdin, sys.stdout, sys.stderr = self.saved


conn = rpyc.classic.connect('localhost', PORT)


# redirected_stdio: the server's prints land in the client's stdout.
def redirected():
    with Captured() as cap:
        with rpyc.classic.redirected_stdio(conn):
            conn.execute("print('hello from the server', 6 * 7)")
            conn.execute("import sys; sys.stderr.write('to stderr\\n')")
    check('redirected_stdio stdout', cap.stdout.getvalue() == 'hello from the server 42\n',
          repr(cap.stdout.getvalue()))
    check('redirected_stdio stderr', cap.stderr.getvalue() == 'to stderr\n', repr(cap.stderr.getvalue()))
    # Restored afterwards: the server's own streams again.
    check('redirected_stdio restored',
          conn.eval('__import__("sys").stdout is __import__("sys").__stdout__'))


attempt('redirected_stdio', redirected)


# deliver: a local object pickled over, a netref to the server's copy back.
def deliver():
    remote = rpyc.classic.deliver(conn, {'a': [1, 2, 3], 'b': ('x', None)})
    check('deliver type', conn.modules.builtins.type(remote).__name__ == 'dict')
    check('deliver value', remote['a'][2] == 3 and remote['b'] == ('x', None), repr(remote))
    check('deliver lives remotely', conn.modules.builtins.len(remote) == 2)


attempt('deliver', deliver)


# obtain: a server object pickled back (HANDLE_PICKLE).
def obtain():
    value = rpyc.classic.obtain(conn.eval("{'k': [1, 2, 3], 's': {4, 5}}"))
    check('obtain', value == {'k': [1, 2, 3], 's': {4, 5}} and type(value) is dict, repr(value))


attempt('obtain', obtain)


# pm: post-mortem of the last failed request, pdb on the server driven from
# the client's stdin.
def pm():
    try:
        conn.execute('secret = 6 * 7\nraise ValueError("boom")')
        check('pm setup', False, 'no exception')
    except ValueError:
        pass
    with Captured('p secret\np secret + 1\nq\n') as cap:
        rpyc.classic.pm(conn)
    out = cap.stdout.getvalue()
    check('pm prints the frame', '<module>()' in out, repr(out))
    check('pm evaluates in the frame', '42\n' in out and '43\n' in out, repr(out))


attempt('pm', pm)


# The server's Python has a program name and rpyc's version, as
# rpyc_classic's does: argparse, pdb and version checks read them.
def program():
    check('sys.argv[0]', bool(conn.modules.sys.argv[0]), repr(list(conn.modules.sys.argv)))
    conn.execute('import argparse\n__prog = argparse.ArgumentParser().prog')
    check('argparse prog', bool(conn.namespace['__prog']))
    check('rpyc.__version__', conn.modules.rpyc.__version__ == '6.0.2', conn.modules.rpyc.__version__)


attempt('program', program)


# interact: a console on the server, reading the client's stdin.
def interact():
    with Captured('x = foo + 41\nprint(x)\n') as cap:
        rpyc.classic.interact(conn, namespace={'foo': 1})
    out = cap.stdout.getvalue()
    err = cap.stderr.getvalue()
    check('interact runs', '42\n' in out, repr((out, err)))
    check('interact exits at EOF', 'exiting' in err, repr(err))


attempt('interact', interact)


# upload / download of a file and of a tree.
def transfer():
    local = tempfile.mkdtemp(prefix='oxrpc-helpers-local-')
    remote = tempfile.mkdtemp(prefix='oxrpc-helpers-remote-')
    back = tempfile.mkdtemp(prefix='oxrpc-helpers-back-')
    try:
        data = bytes(range(256)) * 600  # 153,600 bytes: three chunks
        with open(os.path.join(local, 'a.bin'), 'wb') as f:
            f.write(data)
        os.makedirs(os.path.join(local, 'tree', 'sub'))
        with open(os.path.join(local, 'tree', 'one.txt'), 'w') as f:
            f.write('one\n')
        with open(os.path.join(local, 'tree', 'sub', 'two.txt'), 'w') as f:
            f.write('two\n')
        open(os.path.join(local, 'tree', 'sub', 'empty'), 'w').close()

        rpyc.classic.upload(conn, os.path.join(local, 'a.bin'), os.path.join(remote, 'a.bin'))
        check('upload file', open(os.path.join(remote, 'a.bin'), 'rb').read() == data)
        rpyc.classic.upload(conn, os.path.join(local, 'tree'), os.path.join(remote, 'tree'))
        check('upload tree', sorted(os.listdir(os.path.join(remote, 'tree', 'sub'))) == ['empty', 'two.txt']
              and open(os.path.join(remote, 'tree', 'one.txt')).read() == 'one\n')

        rpyc.classic.download(conn, os.path.join(remote, 'a.bin'), os.path.join(back, 'a.bin'))
        check('download file', open(os.path.join(back, 'a.bin'), 'rb').read() == data)
        rpyc.classic.download(conn, os.path.join(remote, 'tree'), os.path.join(back, 'tree'))
        check('download tree', open(os.path.join(back, 'tree', 'sub', 'two.txt')).read() == 'two\n'
              and os.path.getsize(os.path.join(back, 'tree', 'sub', 'empty')) == 0)
        try:
            rpyc.classic.download(conn, os.path.join(remote, 'missing'), os.path.join(back, 'x'))
            check('download missing', False, 'no exception')
        except ValueError as e:
            check('download missing', 'cannot download' in str(e), repr(e))
    finally:
        for d in (local, remote, back):
            shutil.rmtree(d, ignore_errors=True)


attempt('upload/download', transfer)


def double_all(n, factor=2, *, offset=0):
    import os
    return [v * factor + offset for v in range(n)], os.getpid()


def teleport():
    remote = rpyc.classic.teleport_function(conn, double_all)
    values, pid = remote(4, offset=1)
    check('teleport_function result', list(values) == [1, 3, 5, 7], repr(values))
    check('teleport_function runs remotely', pid == conn.modules.os.getpid())
    check('teleport_function defines it', conn.eval('tuple(double_all(2, 10)[0])') == (0, 10))
    # conn.teleport is the same helper, bound.
    square = conn.teleport(lambda x: x * x)
    check('conn.teleport', square(9) == 81)

    # Globals are the namespace's (or those given), looked up at call time.
    def the_answer():
        return THE_ANSWER  # noqa: F821

    answer = rpyc.classic.teleport_function(conn, the_answer)
    conn.namespace['THE_ANSWER'] = 42
    check('teleported globals', answer() == 42)
    given = rpyc.classic.teleport_function(conn, the_answer, conn.builtins.dict({'THE_ANSWER': 43}))
    check('teleported with given globals', given() == 43)
    # Defaults travel as values; positional-only arguments stay so.
    def positional(a, b=(5.5,), /, *, c='kw'):
        return a, b, c

    # Source only the client has (a notebook cell registers its lines in
    # linecache under a name that is no file).
    import linecache
    cell = 'def from_a_cell(x):\n    return x * 3\n'
    linecache.cache['<cell 7>'] = (len(cell), None, cell.splitlines(True), '<cell 7>')
    made = {}
    exec(compile(cell, '<cell 7>', 'exec'), made)
    check('teleported from a cell', rpyc.classic.teleport_function(conn, made['from_a_cell'])(5) == 15)
    remote = rpyc.classic.teleport_function(conn, positional)
    check('teleported defaults', tuple(remote(1)) == (1, (5.5,), 'kw'), remote(1))
    try:
        remote(a=1)
        check('teleported positional-only', False, 'no exception')
    except TypeError:
        check('teleported positional-only', True)


attempt('teleport_function', teleport)

if SERVER == 'rustpython':
    # No source anywhere to compile from: refused, saying why and what to do.
    made = {}
    exec(compile('def nowhere(x):\n    return x\n', '<typed in>', 'exec'), made)
    try:
        rpyc.classic.teleport_function(conn, made['nowhere'])
        check('teleport_function without a source file', False, 'no exception')
    except NotImplementedError as e:
        check('teleport_function without a source file',
              '--python cpython' in str(e) and 'neither here nor through the client' in str(e),
              repr(e))
    except Exception as e:
        check('teleport_function without a source file', False, 'raised %s: %s' % (type(e).__name__, e))


if SERVER == 'cpython':
    # A C extension module from the server's virtualenv, computing there.
    def numpy():
        np = conn.modules.numpy
        a = np.arange(12).reshape(3, 4)
        check('numpy array sum', list(a.sum(axis=0).tolist()) == [12, 15, 18, 21])
        conn.execute('import numpy as np\nm = np.array([[2.0, 1.0], [1.0, 3.0]])')
        check('numpy det', abs(conn.eval('float(np.linalg.det(m))') - 5.0) < 1e-9)
        check('numpy dot', conn.eval('(m @ m).tolist()') is not None
              and list(map(list, conn.eval('(m @ m).tolist()'))) == [[5.0, 5.0], [5.0, 10.0]])
        check('numpy is real', conn.modules.numpy.__file__.endswith('__init__.py'))

    attempt('numpy', numpy)

conn.close()

if failures:
    print('%d helper checks passed, %d failed:' % (passed, len(failures)))
    for failure in failures:
        print('  FAILED', failure)
    sys.exit(1)
print('%d helper checks passed' % passed)
