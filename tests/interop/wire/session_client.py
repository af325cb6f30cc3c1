"""One rpyc 6.0.2 client session for crates/oxrpc-cli/tests/wire_tools.rs:
an answer, an attribute, an exception and callbacks, then a clean close.

Usage: session_client.py HOST PORT [--service-callback]

The callback that works against any server: the client asks the server to
call one of the client's own functions (HANDLE_CALL on a reference the
client owns), so the server calls back into the client. With
--service-callback it also uses the service's call_back method (the Python
test server has one; the notebook's MyService does not).
"""

import sys

import rpyc
from rpyc.core import consts

host, port = sys.argv[1], int(sys.argv[2])
service_callback = "--service-callback" in sys.argv[3:]

conn = rpyc.connect(host, port)
print("answer", conn.root.get_answer())
print("attribute", conn.root.the_real_answer_though)
try:
    conn.root.get_question()
except AttributeError as e:
    print("AttributeError", str(e).splitlines()[0])
else:
    raise AssertionError("get_question must not be exposed")
print("forwarded callback", conn.sync_request(consts.HANDLE_CALL, lambda x: x + 1, (41,), ()))
if service_callback:
    print("service callback", conn.root.call_back(lambda x: x * 2, 21))
conn.close()
print("session OK")
