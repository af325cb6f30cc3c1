"""What one Python statement costs inside each classic server.

    statements.py OXRPC_BINARY OUT.md [LOOPS] [ROUNDS] [--before OTHER_BINARY] [--only STATEMENT]...

Starts `oxrpc classic serve` (RustPython, an interpreter per connection)
and Python's rpyc_classic (CPython), and, with `--before`, a second oxrpc
binary (an older build, to see what a change costs). Every server runs on
CPU 0 and the stock rpyc client on CPU 1. For each statement the client
sends a timing function to the server (`BENCH` below), which compiles the
statement into a loop of LOOPS iterations and keeps the best of five
loops; the client only collects the result, so the round trip is not in
the number. Rounds alternate the servers, so that the machine's drift
touches all of them alike; the table shows each server's median over
rounds, in nanoseconds per statement (the empty loop included, `pass`),
and oxrpc's ratio to CPython's.

The statements are the builtins and formats that classic mode makes
CPython's over RustPython's own (`crates/oxrpc-python/src/as_cpython/`):
those replacements must not make an operation slower.
"""
import os
import statistics
import subprocess
import sys
import time

import rpyc

BENCH = r'''
import time
def __oxrpc_bench(stmt, setup, loops):
    scope = {}
    exec(setup, scope)
    exec(compile('def _loop(_n):\n    for _ in range(_n):\n        ' + stmt + '\n', '<bench>', 'exec'), scope)
    loop = scope['_loop']
    best = float('inf')
    for _ in range(5):
        started = time.perf_counter()
        loop(loops)
        best = min(best, time.perf_counter() - started)
    return best / loops * 1e9
'''

# (statement, setup): what a call costs, the cheap paths first.
STATEMENTS = [
    ('pass', 'pass'),
    ('l[1]', 'l = [1, 2]'),
    ('t[1]', 't = (1, 2)'),
    ('s[1]', "s = 'abc'"),
    ('range(5)[2]', 'pass'),
    ('l[1:]', 'l = [1, 2, 3]'),
    ('l.__getitem__(1)', 'l = [1, 2]'),
    ('l + l', 'l = [1, 2]'),
    ('s * 3', "s = 'ab'"),
    ('l * 2', 'l = [1, 2]'),
    ('3 * t', 't = (1, 2)'),
    ('(1+2j) ** 2', 'pass'),
    ('hash(x)', 'x = 1.5'),
    ('int(x)', 'x = 2.5'),
    ('float(s)', "s = '1.5'"),
    ('int(t)', "t = '12345'"),
    ("t.isalpha()", "t = 'abcdef'"),
    ("u.isalpha()", "u = 'h\\xe9llo'"),
    ('list(t)', 't = (1, 2)'),
    ('C()', 'class C:\n    pass'),
    ('len(l)', 'l = [1, 2]'),
    ('sorted(l, key=len)', "l = ['bb', 'a']"),
    ('isinstance(x, int)', 'x = 1'),
    ('min(a, b)', 'a = 1; b = 2'),
    ('max(l)', 'l = [3, 1, 2]'),
    ('next(g)', 'g = iter(range(10**9))'),
    ('divmod(a, b)', 'a = 7; b = 2'),
    ('pow(a, b, m)', 'a = 7; b = 5; m = 13'),
    ('round(x, 2)', 'x = 2.675'),
    ('sqrt(x)', 'from math import sqrt; x = 2.0'),
    ('[1, 2].index(2)', 'pass'),
    ("'abcDEF'.swapcase()", 'pass'),
    ("s.split(',')", "s = 'a,b,c'"),
    ('str.lower(s)', "s = 'A'"),
    ('list(map(str.lower, l))', "l = ['A', 'B', 'C']"),
    ('list(map(len, l))', "l = ['a', 'bb', 'ccc']"),
    ('tuple(map(len, l))', "l = ['a', 'bb', 'ccc']"),
    ('list(zip(l, l))', "l = ['a', 'bb', 'ccc']"),
    ('list(iter(l))', "l = ['a', 'bb', 'ccc']"),
    ('list(range(10))', 'pass'),
    ('list(x for x in l)', "l = ['a', 'bb', 'ccc']"),
    ('L(l)', "L = type('L', (list,), {}); l = ['a', 'bb', 'ccc']"),
    ('D(a=1)', "D = type('D', (dict,), {})"),
    ('any(l)', 'l = [0, 0, 1]'),
    ('all(l)', 'l = [1, 1, 0]'),
    ('sum(l)', 'l = [1, 2, 3]'),
    ('sum(x * x for x in l)', 'l = [1, 2, 3]'),
    ('sorted(m)', 'm = map(abs, range(0))'),
    ('sorted(s)', 's = {3, 1, 2}'),
    ('set(l)', 'l = [1, 2, 3]'),
    ('s.update(l)', 's = set(); l = [1, 2, 3]'),
    ('sorted(l)', 'l = [3, 1, 2]'),
    ('sorted(g)', "g = {'b': 1, 'a': 2}"),
    ('e.extend(g)', 'e = []; g = range(0)'),
    ('e.extend(t)', 'e = []; t = ()'),
    ("','.join(l)", "l = ['a', 'b', 'c']"),
    ("''.join(g)", "g = ['x'] * 10"),
    ("b','.join(l)", "l = [b'a', b'b']"),
    ('dict(p)', 'p = [(1, 2), (3, 4)]'),
    ('d.update(p)', 'd = {}; p = [(1, 2)]'),
    ("'%d' % n", 'n = 5'),
    ("'%s-%s' % (a, b)", "a = 1; b = 'x'"),
    ("'{} {}'.format(a, b)", "a = 1; b = 'x'"),
    ("'{0:>5}'.format(s)", "s = 'ab'"),
    ("f'{x}'", 'x = 1.5'),
    ("f'{x:.2f}'", 'x = 1.5'),
    ("f'{n:5d}'", 'n = 42'),
    ("f'{s:>8}'", "s = 'ab'"),
    ("format(x, '.2f')", 'x = 1.5'),
    ("format(x, ',')", 'x = 1234.5'),
    ("format(n, 'x')", 'n = 255'),
    ("format(n, '.2f')", 'n = 7'),
    ("format(s, '>8')", "s = 'ab'"),
    ("format(c, '')", 'c = 1+2j'),
    ("format(c, '.2f')", 'c = 1+2j'),
    ("hasattr(o, 'missing')", "o = type('C', (), {})()"),
    ("getattr(o, 'missing', None)", "o = type('C', (), {})()"),
    ("getattr(o, 'x', None)", "o = type('C', (), {})(); o.x = 1"),
    ("hasattr(n, 'missing')", 'n = 1'),
    ("hasattr(C, 'missing')", "C = type('C', (), {})"),
    ("hasattr(m, 'missing')", 'import math as m'),
    ("getattr(h, 'missing', None)", "class H:\n    def __getattr__(self, n): raise AttributeError(n)\nh = H()"),
    ('s.encode()', "s = 'hello world'"),
    ("s.encode('ascii')", "s = 'hello world'"),
    ("s.encode('latin-1')", "s = 'h\\xe9llo world'"),
    ('b.decode()', "b = b'hello world'"),
    ("b.decode('latin-1')", "b = b'h\\xe9llo world'"),
    ("os.stat('/')", "import os"),
    ("os.stat(path='/')", "import os"),
    ("os.pread(fd, 64, 0)", "import os; fd = os.open('/etc/passwd', os.O_RDONLY)"),
    ("time.tzset()", "import time"),
    ("os.fspath(p)", "import os; p = '/tmp'"),
    ("str(b, 'utf-8')", "b = b'hello world'"),
    ("bytes(s, 'utf-8')", "s = 'hello world'"),
    ('bytes(n)', 'n = 5'),
    ("s.encode('utf-16-le')", "s = 'hello world'"),
    ("s.encode('utf-32')", "s = 'hello world'"),
    ("b.decode('utf-16')", "b = 'hello world'.encode('utf-16')"),
    ('abs(n)', 'n = -1'),
    ('abs(x)', 'x = -1.5'),
    ('isinstance(x, (int, str))', 'x = 1.5'),
    ('isinstance(o, (C, D))', "C = type('C', (), {}); D = type('D', (), {}); o = D()"),
    ('isinstance(o, C)', "C = type('C', (), {}); o = C()"),
    ('frozenset(m)', 'm = map(abs, range(0))'),
    ('frozenset(l)', 'l = [1, 2, 3]'),
    ('exec(co, ns)', "co = compile('x = 1', 's', 'exec'); ns = {}"),
    ('eval(co, ns)', "co = compile('1', 's', 'eval'); ns = {}"),
    ('exec(s, ns)', "s = 'x = 1'; ns = {}"),
    ('eval(e, ns)', "e = '1 + 1'; ns = {}"),
    ("compile(s, 's', 'exec')",
     "s = 'def f():\\n    \"\"\"Sum.\\n\\n    More.\\n    \"\"\"\\n    return 1\\n'"),
    ('sum(r)', 'r = list(range(10))'),
    ('sum(f)', 'f = [0.5] * 10'),
    ('any(z)', 'z = [0] * 10'),
    ('bytes(l)', 'l = list(range(10))'),
    ('bytes(m)', 'm = map(abs, range(0))'),
    ('bytearray(l)', 'l = list(range(10))'),
    ('s | u', 's = {1, 2, 3}; u = {3, 4}'),
    ('s & u', 's = {1, 2, 3}; u = {3, 4}'),
    ('s.issubset(u)', 's = {1, 2, 3}; u = {3, 4}'),
    ('s.union(l)', 's = {1, 2, 3}; l = [3, 4]'),
    ('k == f', 'k = {1: 2}.keys(); f = frozenset({1})'),
    ('x = s; x &= u', 's = {1, 2, 3}; u = {3, 4}'),
    ('x = s; x -= u', 's = {1, 2, 3}; u = {3, 4}'),
    ('d.keys() & u', 'd = {1: 2, 3: 4}; u = {3, 4}'),
    ('d.keys() | u', 'd = {1: 2, 3: 4}; u = {3, 4}'),
    ('d.keys() - u', 'd = {1: 2, 3: 4}; u = {3, 4}'),
    ('dict.fromkeys(r)', 'r = list(range(10))'),
    ('dict.fromkeys(m)', 'm = map(abs, range(0))'),
    ('hashlib.sha256(b).digest()', "import hashlib; b = b'abc'"),
    ("hmac.new(k, b, 'sha256').digest()", "import hmac; k = b'k'; b = b'abc'"),
    # Builtins that allocate the size they are given (checked first).
    ('s.ljust(8)', "s = 'ab'"),
    ("n.to_bytes(2, 'big')", 'n = 258'),
    ('n << 5', 'n = 3'),
    ('n ** 5', 'n = 3'),
    ('bytes(8)', 'pass'),
    ('list(r)', 'r = range(10)'),
    ("format(n, '>5')", 'n = 3'),
    ("s.replace('b', 'xy')", "s = 'abc'"),
    ("b.replace(b'b', b'xy')", "b = b'abc'"),
    ('combinations(s, 2)', "from itertools import combinations; s = 'abc'"),
    ("f.write(b'ab')", 'import io; f = io.BytesIO()'),
    ('f.seek(0)', "import io; f = io.BytesIO(b'ab')"),
    ('f.readable()', "import io; f = io.BytesIO(b'ab')"),
    ('next(it)', 'it = iter(range(10**9))'),
    ("f.tell()", "import io; f = io.StringIO('ab')"),
    ("f.write('line of text\\n')", "import io; f = io.StringIO()"),
    ("io.StringIO(s).getvalue()", "import io; s = 'x' * 1000"),
    ("f.seek(0); f.read()", "import io; f = io.StringIO('x' * 1000)"),
    ("f.seek(0); f.readline()", "import io; f = io.StringIO('ab\\n' * 100)"),
    ("for line in io.StringIO(s): pass", "import io; s = 'ab\\n' * 100"),
    ("ValueError('x')", 'pass'),
    ("E('x')", 'class E(Exception): pass'),
    ("try: raise KeyError(1)\n        except KeyError: pass", 'pass'),
    ("OSError(2, 'x', 'f')", 'pass'),
    ("str(OSError(2, 'x', 'f'))", 'pass'),
    ("str(SyntaxError('m', ('f', 1, 2, 't')))", 'pass'),
    ("ExceptionGroup('m', [ValueError()])", 'pass'),
    ("io.TextIOWrapper(io.BytesIO())", "import io"),
    ("open(p).close()", "import os, tempfile; p = os.path.join(tempfile.gettempdir(), 'oxrpc-bench-text');"
     " open(p, 'w').close()"),
    ("codecs.lookup('utf-8')", 'import codecs'),
    ("codecs.encode(s, 'utf-8')", "import codecs; s = 'abc'"),
    ("codecs.utf_16_le_decode(b)", "import codecs; b = b'a\\x00b\\x00'"),
    ("s.encode('cp1252')", "s = 'abc'"),
    ("try: d.zz\n        except AttributeError: pass", "import collections; d = collections.deque()"),
    ("try: o.zz\n        except AttributeError: pass", "class O: pass\no = O()"),
    ("d.append", "import collections; d = collections.deque()"),
    ("e.args", "e = ValueError(1)"),
    ("repr(e)", "e = OSError(9, 'x')"),
    ("try: os.read(999, 1)\n        except OSError as e: e.args", "import os"),
    ("os.fstat(0)", "import os"),
    ("os.getpid()", "import os"),
    ("time.strftime('%Y-%m-%d %H:%M:%S %z', t)", "import time; t = time.localtime()"),
    ("time.strftime('%Y-%m-%d %H:%M:%S', t)", "import time; t = time.localtime()"),
]

# Statements that take milliseconds: run only when named with --only, with
# a LOOPS to match (20 or so). The digests of 1 MiB, the key derivations
# at their common costs, and what RustPython's own `_hashlib` and
# `_blake2` refused (an older binary given with --before fails on those).
HEAVY = [
    ('hashlib.sha256(m).digest()', "import hashlib; m = b'x' * 1048576"),
    ('hashlib.md5(m).digest()', "import hashlib; m = b'x' * 1048576"),
    ('hashlib.blake2b(m).digest()', "import hashlib; m = b'x' * 1048576"),
    ('hashlib.sha3_256(m).digest()', "import hashlib; m = b'x' * 1048576"),
    ("hashlib.new('sha512_256', m).digest()", "import hashlib; m = b'x' * 1048576"),
    ('hashlib.blake2b(m, digest_size=16, key=b).digest()', "import hashlib; m = b'x' * 1048576; b = b'k'"),
    ("hashlib.pbkdf2_hmac('sha256', b, b, 10000)", "import hashlib; b = b'pw'"),
    ('hashlib.scrypt(b, salt=b, n=16384, r=8, p=1)', "import hashlib; b = b'pw'"),
]

RPYC_CLASSIC = "import sys; from rpyc.cli.rpyc_classic import main; sys.argv[0] = 'rpyc_classic'; main()"


def wait_ready(port):
    for _ in range(300):
        try:
            conn = rpyc.classic.connect('127.0.0.1', port)
            if conn.eval('1+1') == 2:
                return conn
        except Exception:
            time.sleep(0.1)
    raise SystemExit('server on port %d never answered' % port)


def main():
    args = sys.argv[1:]
    before = None
    if '--before' in args:
        at = args.index('--before')
        before = args[at + 1]
        del args[at:at + 2]
    only = []
    while '--only' in args:
        at = args.index('--only')
        only.append(args[at + 1])
        del args[at:at + 2]
    statements = [case for case in STATEMENTS + HEAVY
                  if case[0] in only or (not only and case in STATEMENTS)]
    binary, out = args[0], args[1]
    loops = int(args[2]) if len(args) > 2 else 200000
    rounds = int(args[3]) if len(args) > 3 else 3

    servers = [('oxrpc', 18981, [binary, 'classic', 'serve', '-q'])]
    if before:
        servers.append(('oxrpc before', 18982, [before, 'classic', 'serve', '-q']))
    servers.append(('CPython', 18983, [sys.executable, '-c', RPYC_CLASSIC, '-q']))

    os.sched_setaffinity(0, {1})
    procs = [subprocess.Popen(['taskset', '-c', '0'] + cmd + ['-p', str(port)], stdout=subprocess.DEVNULL)
             for _, port, cmd in servers]
    timings = {}   # (server, statement) -> [ns per round]
    try:
        conns = {}
        for name, port, _ in servers:
            conns[name] = wait_ready(port)
            conns[name].execute(BENCH)
        for _ in range(rounds):
            for stmt, setup in statements:
                for name, _, _ in servers:
                    ns = conns[name].eval('__oxrpc_bench(%r, %r, %d)' % (stmt, setup, loops))
                    timings.setdefault((name, stmt), []).append(ns)
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()

    names = [name for name, _, _ in servers]
    header = '| statement | ' + ' | '.join(names) + ' | oxrpc / CPython |'
    if before:
        header += ' oxrpc / before |'
    lines = ['Run: %s, server on CPU 0, client on CPU 1, loops of %d (best of 5), %d rounds '
             '(medians shown), ns per statement.' % (
                 time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()), loops, rounds), '',
             header, '| --- |' + ' ---: |' * (len(names) + 1 + bool(before))]
    for stmt, _ in statements:
        median = {name: statistics.median(timings[(name, stmt)]) for name in names}
        row = '| `%s` | ' % stmt + ' | '.join('%.1f' % median[name] for name in names)
        row += ' | %.2f× |' % (median['oxrpc'] / median['CPython'])
        if before:
            row += ' %.2f× |' % (median['oxrpc'] / median['oxrpc before'])
        lines.append(row)
    text = '\n'.join(lines) + '\n'
    with open(out, 'w') as f:
        f.write(text)
    print(text)


if __name__ == '__main__':
    main()
