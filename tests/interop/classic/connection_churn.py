"""Connections that come and go (crates/oxrpc-cli/tests/classic_backends.rs).

    connection_churn.py PORT COUNT [--leave-threads PATH]

A stock classic client connects COUNT times, one after the other; each
connection imports a few modules, defines classes of the kinds whose
cycles RustPython's collector cannot see once unreachable (an exception
subclass, a class with __slots__, an ABC, a class using super()) and a
function in its namespace, evaluates something with them, checks that
what RustPython shares between interpreters is still whole after the
connections before it ended (sys.monitoring, ExceptionGroup,
io.UnsupportedOperation, the codecs RustPython runs in Python for every
interpreter), and closes. Prints "ok COUNT"
when every connection gave the expected answers.

With --leave-threads PATH, each connection also starts two threads (one
a daemon) that go on after it closes, as a client of rpyc_classic may
leave work running on the server: they sleep in a loop, and one writes
how many rounds it has made to PATH every twentieth round (written
aside and renamed over PATH, so a reader never finds it half written).
"""
import sys

import rpyc

PORT, COUNT = int(sys.argv[1]), int(sys.argv[2])
LEAVE_THREADS = sys.argv[4] if sys.argv[3:4] == ['--leave-threads'] else None
THREADS = '''
import os, threading, time
def idle(path):
    rounds = 0
    while True:
        time.sleep(0.01)
        rounds += 1
        if path and rounds %% 20 == 0:
            # Written aside and renamed: a reader never sees the file empty.
            with open(path + '.part', 'w') as f:
                f.write(str(rounds))
            os.replace(path + '.part', path)
threading.Thread(target=idle, args=(%r,), daemon=True).start()
threading.Thread(target=idle, args=(None,)).start()
'''
DEFINITIONS = '''
import abc, collections, json, weakref
class Failure(Exception):
    pass
class Slotted:
    __slots__ = ('x',)
    def __init__(self, x):
        self.x = x
class Base(abc.ABC):
    @abc.abstractmethod
    def value(self): ...
class Derived(Base):
    def __init__(self):
        super().__init__()
        self.cache = weakref.WeakValueDictionary()
    def value(self):
        return Slotted(20).x + 22
def answer():
    return Derived().value()
import io, sys
def shared_ok():
    group = ExceptionGroup('two', [ValueError(1), KeyError(2)])
    return (sys.monitoring.events.PY_START > 0 and len(group.exceptions) == 2
            and issubclass(io.UnsupportedOperation, OSError)
            and io.UnsupportedOperation.__name__ == 'UnsupportedOperation')
def codecs_ok():
    return ('ab'.encode('utf-16-le') == b'a\\x00b\\x00'
            and b'a\\x00'.decode('utf-16-le') == 'a'
            and 'a+b'.encode('utf-7') == b'a+-b'
            and '\\xe9'.encode('unicode_escape') == b'\\\\xe9'
            and 'ab'.encode('utf-32-be') == b'\\x00\\x00\\x00a\\x00\\x00\\x00b'
            and 'ab'.encode('cp037') == b'\\x81\\x82')
'''

ok = 0
for i in range(COUNT):
    conn = rpyc.classic.connect('localhost', PORT)
    conn.execute(DEFINITIONS)
    if LEAVE_THREADS:
        conn.execute(THREADS % LEAVE_THREADS)
    answers = (conn.eval('answer()'), conn.eval('json.dumps([%d])' % i), conn.eval('shared_ok()'),
               conn.eval('codecs_ok()'))
    if answers == (42, '[%d]' % i, True, True):
        ok += 1
    conn.close()
print('ok', ok)
