"""Calls whoami() over https with a client certificate, as CPython's
ServerProxy does it, and prints the answer as JSON.

    python tls_whoami.py URL CA_PEM CERT_PEM KEY_PEM
"""
import json
import ssl
import sys
import xmlrpc.client

url, ca, cert, key = sys.argv[1:5]
context = ssl.create_default_context(cafile=ca)
context.load_cert_chain(cert, key)
proxy = xmlrpc.client.ServerProxy(url, context=context)
print(json.dumps(proxy.whoami()), flush=True)
