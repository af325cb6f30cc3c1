#!/bin/sh
# Golden vectors for oxrpc_net::tls::describe_certificate: certificates made
# with the openssl command (tests/interop/tls/make_openssl_certs.sh), and
# what Python's ssl module says of each (ssl._ssl._test_decode_cert, the
# decoder behind SSLSocket.getpeercert()).
#
#     sh tests/golden/tls/generate.sh [PYTHON]
#
# Writes certificates.json: [{"name", "pem", "described"}, ...], tuples as
# JSON lists. The certificates are made afresh each time (new keys, serials
# and dates); the test compares each with its own description.
set -eu
python=${1:-python3}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sh "$here/../../interop/tls/make_openssl_certs.sh" "$work"
cd "$work"
"$python" - "$here/certificates.json" ca client-rich client-v1 client-far v1-ca <<'PY'
import json
import ssl
import sys

out, names = sys.argv[1], sys.argv[2:]
vectors = []
for name in names:
    with open(f"{name}.pem") as f:
        pem = f.read()
    vectors.append({"name": name, "pem": pem,
                    "described": ssl._ssl._test_decode_cert(f"{name}.pem")})
with open(out, "w") as f:
    json.dump(vectors, f, indent=1, ensure_ascii=False)
    f.write("\n")
PY
echo "wrote $here/certificates.json"
