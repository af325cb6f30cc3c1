"""Whether connections to a classic server share an interpreter.

    interpreter_isolation.py PORT  ->  prints "isolated" or "shared"

Each of several connections, opened one after another and all kept open,
marks the interpreter's own `sys` module and looks for the marks of the
others. An interpreter per connection sees only its own mark; a shared
interpreter (rpyc_classic, `--isolation shared`) sees all of them.
"""
import sys

import rpyc

port = int(sys.argv[1])
conns = []
seen = set()
for i in range(4):
    c = rpyc.classic.connect('127.0.0.1', port)
    c.execute('import sys\nsys.oxrpc_marks = getattr(sys, "oxrpc_marks", []) + [%d]' % i)
    seen.update(i2 for i2 in c.eval('tuple(sys.oxrpc_marks)') if i2 != i)
    conns.append(c)
print('shared' if seen else 'isolated')
