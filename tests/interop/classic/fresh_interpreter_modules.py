"""The modules a classic server's interpreter holds when a client first
looks, before any remote code has run.

    fresh_interpreter_modules.py PORT  ->  prints the module names, one per line,
                                          then "imported later: ..."

A stock rpyc classic client connects and asks for `sys.modules`' keys in
one `eval`: nothing of the client's own has been imported there yet. Then
it imports modules a server might be tempted to load at start, through
`conn.modules`, and prints those that work.
"""
import sys

import rpyc

port = int(sys.argv[1])
conn = rpyc.classic.connect('127.0.0.1', port)
names = conn.eval("'\\n'.join(sorted(__import__('sys').modules))")
print(names)
later = []
for name in ('enum', 'os', 'signal', 'threading'):
    module = getattr(conn.modules, name)
    if module.__name__ == name and conn.eval('%r in __import__("sys").modules' % name):
        later.append(name)
print('imported later:', ' '.join(later))
conn.close()
