"""The standard streams Python code sees on a classic server over stdio
(`rpyc_classic -m stdio`, `oxrpc classic serve -m stdio`), read through
rpyc 6.0.2's `connect_subproc` as rpyc.classic.connect_subproc does.

Usage: stdio_streams.py COMMAND... -- prints one line per check, then OK.
The lines are the same for both servers.
"""

import sys

from rpyc.core.service import ClassicService
from rpyc.utils.factory import connect_subproc

conn = connect_subproc(sys.argv[1:], service=ClassicService)
conn.execute("import sys")
for expression in [
    "sys.stdin.name",
    "sys.stdout.name",
    "sys.stderr.name",
    "sys.stdin.read()",
    "sys.stdout is sys.__stdout__",
    "sys.stdout.isatty()",
    "print('to the void') is None",
    "sys.stderr.write('to the void as well\\n')",
]:
    print(expression, "->", repr(conn.eval(expression)))
proc = conn.proc
conn.close()
print("exit", proc.wait(timeout=60))
print("OK")
