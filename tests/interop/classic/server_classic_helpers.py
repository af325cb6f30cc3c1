"""rpyc.classic's helpers that take a connection, in the server's code,
driven by rpyc 6.0.2.

    python server_classic_helpers.py PORT [PEER_PORT]

A stock classic client has the server at PORT open a classic connection
of its own (to the classic server at PEER_PORT, PORT itself by default)
and use rpyc.classic's helpers on it, as code on rpyc_classic can: `upload`, `download` and their kin (trees, filters,
large files, refusals), `deliver`, `redirected_stdio`, `pm` and
`interact` (driven through this side's streams), and
`teleport_function` with its refusals.

Prints one line per observation. Lines starting `teleport` depend on the
server's interpreter (RustPython cannot make the CPython bytecode
teleport_function sends, and says so); every other line must be
rpyc_classic's.
"""
import sys

import rpyc

PORT = int(sys.argv[1])
PEER_PORT = int(sys.argv[2]) if len(sys.argv) > 2 else PORT
conn = rpyc.classic.connect('127.0.0.1', PORT)
conn._config['sync_request_timeout'] = 120

conn.execute('''
import io
import os
import re
import shutil
import sys
import tempfile

import rpyc

peer = rpyc.classic.connect('127.0.0.1', %d)
base = tempfile.mkdtemp(prefix='oxrpc-helpers-')
observations = []


def note(label, fn):
    try:
        value = repr(fn())
    except Exception as e:
        value = '%%s: %%s' %% (type(e).__name__, str(e).split('\\n')[0])
    observations.append('%%s -> %%s' %% (label, value.replace(base, 'BASE')))


def tree(root):
    found = []
    for where, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(where, name)
            with open(path, 'rb') as f:
                found.append((os.path.relpath(path, root), len(f.read())))
    return found


local = os.path.join(base, 'local')
os.makedirs(os.path.join(local, 'sub', 'deeper'))
big = bytes(range(256)) * 1000 + b'tail'
with open(os.path.join(local, 'big.bin'), 'wb') as f:
    f.write(big)
with open(os.path.join(local, 'notes.txt'), 'w') as f:
    f.write('a note\\n')
with open(os.path.join(local, 'sub', 'inner.txt'), 'w') as f:
    f.write('inside\\n')
with open(os.path.join(local, 'sub', 'deeper', 'leaf.py'), 'w') as f:
    f.write('LEAF = 1\\n')
''' % PEER_PORT)


def run(label, code):
    conn.execute('note(%r, lambda: %s)' % (label, code))


run('upload a tree', "rpyc.classic.upload(peer, local, os.path.join(base, 'up'))")
run('what arrived', "tree(os.path.join(base, 'up'))")
run('upload with a filter', "rpyc.classic.upload(peer, local, os.path.join(base, 'txt'), filter=lambda n: n.endswith('.txt') or n == 'sub')")
run('what the filter let through', "tree(os.path.join(base, 'txt'))")
run('upload_file', "rpyc.classic.upload_file(peer, os.path.join(local, 'big.bin'), os.path.join(base, 'one.bin'))")
run('its bytes', "open(os.path.join(base, 'one.bin'), 'rb').read() == big")
run('upload_file in small chunks', "rpyc.classic.upload_file(peer, os.path.join(local, 'notes.txt'), os.path.join(base, 'chunked.txt'), chunk_size=3)")
run('those bytes', "open(os.path.join(base, 'chunked.txt')).read()")
run('upload of nothing', "rpyc.classic.upload(peer, os.path.join(base, 'missing'), os.path.join(base, 'x'))")
run('upload of nothing, ignored', "rpyc.classic.upload(peer, os.path.join(base, 'missing'), os.path.join(base, 'x'), ignore_invalid=True)")
run('download a tree', "rpyc.classic.download(peer, os.path.join(base, 'up'), os.path.join(base, 'down'))")
run('what came', "tree(os.path.join(base, 'down'))")
run('download with a filter', "rpyc.classic.download(peer, local, os.path.join(base, 'py'), filter=lambda n: n.endswith('.py') or n in ('sub', 'deeper'))")
run('what the filter let come', "tree(os.path.join(base, 'py'))")
run('download_file', "rpyc.classic.download_file(peer, os.path.join(local, 'big.bin'), os.path.join(base, 'got.bin'))")
run('its bytes', "open(os.path.join(base, 'got.bin'), 'rb').read() == big")
run('download_dir', "rpyc.classic.download_dir(peer, os.path.join(local, 'sub'), os.path.join(base, 'subcopy'))")
run('what download_dir brought', "tree(os.path.join(base, 'subcopy'))")
run('download of nothing', "rpyc.classic.download(peer, os.path.join(base, 'missing'), os.path.join(base, 'y'))")
run('download of nothing, ignored', "rpyc.classic.download(peer, os.path.join(base, 'missing'), os.path.join(base, 'y'), ignore_invalid=True)")
conn.execute('''
os.makedirs(os.path.join(base, 'lib', 'helperpkg'))
for name, text in (('__init__.py', 'from .part import VALUE\\n'), ('part.py', 'VALUE = 7\\n')):
    with open(os.path.join(base, 'lib', 'helperpkg', name), 'w') as f:
        f.write(text)
sys.path.insert(0, os.path.join(base, 'lib'))
writes_bytecode, sys.dont_write_bytecode = sys.dont_write_bytecode, True
# rpyc_classic's interpreter outlives this client: no earlier run's package.
for name in ('helperpkg', 'helperpkg.part'):
    sys.modules.pop(name, None)
import helperpkg
for name in ('helperpkg', 'helperpkg.part'):
    sys.modules.pop(name, None)
sys.path.remove(os.path.join(base, 'lib'))
sys.dont_write_bytecode = writes_bytecode
''')
run('upload_package to a path', "rpyc.classic.upload_package(peer, helperpkg, os.path.join(base, 'pkg_copy'))")
run('the package arrived', "tree(os.path.join(base, 'pkg_copy'))")
run('upload_module is it', "rpyc.classic.upload_module is rpyc.classic.upload_package")

conn.execute('''
delivered = rpyc.classic.deliver(peer, {'numbers': [1, 2, 3], 'pair': (4.5, 'five'), 'raw': b'\\x00\\xff'})
''')
run('deliver', "(type(delivered).__name__, peer.builtins.type(delivered).__name__)")
run('what was delivered', "(delivered['numbers'][2], delivered['pair'], delivered['raw'], len(delivered))")
run('a copy there', "peer.builtins.isinstance(delivered, peer.builtins.dict) and delivered['numbers'] is not None")
run('deliver a set', "sorted(rpyc.classic.deliver(peer, {3, 1, 2}))")
run('deliver what cannot pickle', "rpyc.classic.deliver(peer, (i for i in ()))")

conn.execute('''
def captured(fn, stdin=''):
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = io.StringIO(stdin), io.StringIO(), io.StringIO()
    try:
        fn()
        return sys.stdout.getvalue(), sys.stderr.getvalue()
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved


def printed_there():
    with rpyc.classic.redirected_stdio(peer):
        peer.builtins.print('printed by the peer')
        peer.modules.sys.stderr.write('written to its stderr\\n')


peer_streams = lambda: tuple(type(s).__name__ for s in (peer.modules.sys.stdin, peer.modules.sys.stdout, peer.modules.sys.stderr))
streams_before = peer_streams()
''')
run('redirected_stdio', "captured(printed_there)")
run('the peer streams restored', "peer_streams() == streams_before")
run('redirected_stdio is a context manager', "hasattr(rpyc.classic.redirected_stdio(peer), '__enter__')")
conn.execute('''
try:
    peer.eval('1 / 0')
except ZeroDivisionError:
    pass
''')
run('pm on the last failure', "'42' in captured(lambda: rpyc.classic.pm(peer), 'p 6 * 7\\nq\\n')[0]")
run('interact', "'42' in captured(lambda: rpyc.classic.interact(peer, {'given': 6}), 'print(given * 7)\\n')[0]")

conn.execute('''
def square(x, power=2):
    return x ** power


def with_inner(n):
    def inner(k):
        return k + 1
    return [inner(i) for i in range(n)]


def outer():
    hidden = 5
    def closure():
        return hidden
    return closure


def bad_default(x=[1]):
    return x
''')
run('teleport', "rpyc.classic.teleport_function(peer, square)(7)")
if conn.modules.sys.implementation.name != 'cpython':
    # The first refusal says why; the rest would say the same.
    conn.execute('peer.close(); shutil.rmtree(base)')
    for line in conn.namespace['observations']:
        print(line)
    conn.close()
    print('done')
    sys.exit(0)
run('teleport with its keyword', "rpyc.classic.teleport_function(peer, square)(2, power=10)")
run('teleport defines it there', "peer.namespace['square'](3)")
run('teleport with a nested function', "rpyc.classic.teleport_function(peer, with_inner)(3)")
run('teleport into given globals', "rpyc.classic.teleport_function(peer, square, peer.namespace, False)(5)")
run('teleport of a closure', "rpyc.classic.teleport_function(peer, outer())")
run('teleport of a bad default', "rpyc.classic.teleport_function(peer, bad_default)")
conn.execute('peer.close(); shutil.rmtree(base)')
for line in conn.namespace['observations']:
    print(line)
conn.close()
print('done')
