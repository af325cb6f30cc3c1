"""Serves the golden vectors' markup documents as XML-RPC responses, each
at /NAME (tests/golden/xmlrpc/vectors.json, names starting "markup_"), so
that clients can be held to what CPython's ServerProxy reads and refuses.

    python markup_server.py          # prints 'ready PORT'
    python markup_server.py --check PORT
        # prints one line per document: NAME ok|refused, as ServerProxy sees it
"""

import http.server
import json
import os
import sys
import xmlrpc.client

VECTORS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "golden", "xmlrpc",
                       "vectors.json")


def documents():
    with open(VECTORS, encoding="utf-8") as f:
        vectors = json.load(f)
    return {v["name"]: v["xml"] for kind in ("loads", "refused") for v in vectors[kind]
            if v["name"].startswith("markup_")}


DOCUMENTS = documents()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = DOCUMENTS.get(self.path.lstrip("/"))
        if body is None:
            self.send_error(404)
            return
        data = body.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


if len(sys.argv) == 3 and sys.argv[1] == "--check":
    for name in sorted(DOCUMENTS):
        proxy = xmlrpc.client.ServerProxy("http://127.0.0.1:%s/%s" % (sys.argv[2], name))
        try:
            proxy.m()
            print(name, "ok")
        except Exception:
            print(name, "refused")
else:
    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    print("ready", server.server_address[1], flush=True)
    server.serve_forever()
