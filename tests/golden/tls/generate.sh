#!/bin/sh
# Golden vectors for oxrpc_net::tls::describe_certificate: certificates made
# with the openssl command, and what Python's ssl module says of each
# (ssl._ssl._test_decode_cert, the decoder behind SSLSocket.getpeercert()).
#
#     sh tests/golden/tls/generate.sh [PYTHON]
#
# Writes certificates.json: [{"name", "pem", "described"}, ...], tuples as
# JSON lists. The certificates are made afresh each time (new keys, new
# serials, new dates); the test only compares them with their descriptions.
set -eu
python=${1:-python3}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=oxrpc test CA" \
    -keyout ca.key -out ca.pem 2>/dev/null

# Every kind of name Python describes: a multi-valued relative name, UTF-8
# and the attributes people put in subjects; each subjectAltName kind,
# where the issuer's certificate and OCSP responder are, a CRL.
cat > rich.ext <<'EXT'
subjectAltName=DNS:client.oxrpc.test,IP:127.0.0.1,IP:2001:db8::1,email:rich@oxrpc.test,URI:https://oxrpc.test/rich,RID:1.2.3.4,dirName:dir_sect,otherName:1.2.3.4;UTF8:other
authorityInfoAccess=OCSP;URI:http://ocsp.oxrpc.test,caIssuers;URI:http://ca.oxrpc.test/ca.pem
crlDistributionPoints=URI:http://crl.oxrpc.test/ca.crl
extendedKeyUsage=clientAuth

[dir_sect]
C=ES
O=Dir Org
CN=dir name
EXT
openssl req -newkey rsa:2048 -nodes -utf8 -multivalue-rdn \
    -subj "/C=ES/ST=Madrid/L=Móstoles/O=oxrpc test/OU=RPC+CN=rich client/emailAddress=rich@oxrpc.test/DC=example/serialNumber=12345/title=Dr/GN=Ana/SN=Pérez/street=Calle 1/postalCode=28001" \
    -keyout rich.key -out rich.csr 2>/dev/null
openssl x509 -req -in rich.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 \
    -out rich.pem -extfile rich.ext 2>/dev/null

# An X.509 v1 certificate (no extensions), as `x509 -req` makes one.
openssl req -newkey rsa:2048 -nodes -subj "/CN=client" -keyout v1.key -out v1.csr 2>/dev/null
openssl x509 -req -in v1.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 \
    -out v1.pem 2>/dev/null

# A serial whose top bit is set (DER adds a sign byte), an attribute
# OpenSSL has no name for, a date past 2049 (a GeneralizedTime).
openssl req -x509 -newkey rsa:2048 -nodes -days 10000 -set_serial 0x8000000000000001 \
    -subj "/CN=far/1.2.3.4.5=odd attribute" -keyout far.key -out far.pem 2>/dev/null

"$python" - "$here/certificates.json" ca rich v1 far <<'PY'
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
