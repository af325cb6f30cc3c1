"""rpyc 6.0.2 clients of a classic server on stdio (`oxrpc classic serve -m
stdio`), the ways rpyc starts one: connect_subproc with a ClassicService (as
rpyc.classic.connect_subproc does), and connect_pipes on a Popen with the
default VoidService.

Usage: stdio_client.py COMMAND... -- prints one line per check, then OK.
"""

import subprocess
import sys

from rpyc.core.service import ClassicService
from rpyc.utils.factory import connect_pipes, connect_subproc

command = sys.argv[1:]

conn = connect_subproc(command, service=ClassicService)
print("eval", conn.eval("6 * 7"))
conn.execute("x = 'over a pipe'")
print("namespace", conn.namespace["x"])
print("platform", conn.modules.sys.platform)
# Writes to the server's standard output, at the OS level and from a child
# process, must not reach the wire (on rpyc_classic -m stdio they do, and
# the connection is lost).
conn.execute("import os; os.write(1, b'noise on fd 1'); os.system('echo noise from a child')")
print("after noise", conn.eval("1 + 1"))
proc = conn.proc
conn.close()
print("exit", proc.wait(timeout=60))

proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
conn = connect_pipes(proc.stdout, proc.stdin)
print("pipes", conn.root.eval("2 ** 10"))
conn.close()
print("exit", proc.wait(timeout=60))
print("OK")
