"""Connections that come and go (crates/oxrpc-cli/tests/classic_backends.rs).

    connection_churn.py PORT COUNT

A stock classic client connects COUNT times, one after the other; each
connection imports a few modules, defines classes of the kinds whose
cycles RustPython's collector cannot see once unreachable (an exception
subclass, a class with __slots__, an ABC, a class using super()) and a
function in its namespace, evaluates something with them, checks that
what RustPython shares between interpreters is still whole after the
connections before it ended (sys.monitoring, ExceptionGroup,
io.UnsupportedOperation), and closes. Prints "ok COUNT"
when every connection gave the expected answers.
"""
import sys

import rpyc

PORT, COUNT = int(sys.argv[1]), int(sys.argv[2])
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
'''

ok = 0
for i in range(COUNT):
    conn = rpyc.classic.connect('localhost', PORT)
    conn.execute(DEFINITIONS)
    answers = (conn.eval('answer()'), conn.eval('json.dumps([%d])' % i), conn.eval('shared_ok()'))
    if answers == (42, '[%d]' % i, True):
        ok += 1
    conn.close()
print('ok', ok)
