"""rpyc 6.0.2 clients on a Unix socket, against an oxrpc server.

Usage: unix_client.py service PATH   -- rpyc.utils.factory.unix_connect to MyService
       unix_client.py classic PATH   -- rpyc.classic.unix_connect to a classic server

Prints one line per check; exits non-zero on the first failure.
"""

import sys

from rpyc.utils import classic
from rpyc.utils.factory import unix_connect

kind, path = sys.argv[1], sys.argv[2]
if kind == "service":
    conn = unix_connect(path)
    print("answer", conn.root.get_answer())
    print("attribute", conn.root.the_real_answer_though)
    try:
        conn.root.get_question()
    except AttributeError as e:
        print("hidden", str(e).splitlines()[0])
else:
    conn = classic.unix_connect(path)
    print("eval", conn.eval("6 * 7"))
    conn.execute("x = 'over a socket'")
    print("namespace", conn.namespace["x"])
    print("platform", conn.modules.sys.platform)
conn.close()
print("OK")
