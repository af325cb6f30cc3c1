#!/bin/sh
# Certificates as people make them with the openssl command, for the TLS
# trust differential (crates/oxrpc-cli/tests/tls_trust.rs).
#
#     sh make_openssl_certs.sh DIR
#
# Server shapes (each NAME.pem + NAME.key; the test says which trust file
# goes with which):
#   selfsigned-cn     req -x509, CN=localhost only (CA:TRUE, no SAN)
#   selfsigned-san    req -x509, CN=localhost, SAN DNS:oxrpc.test, IP:127.0.0.1
#   selfsigned-other  req -x509, CN=localhost, another key (not trusted)
#   v1-cn             x509 -req by ca, CN=localhost: an X.509 v1 certificate
#   v1-wildcard       x509 -req by ca, CN=*.oxrpc.test (v1)
#   v1-untrusted      x509 -req by other-ca, CN=localhost (v1)
#   v3-cn             x509 -req by ca, basicConstraints only, CN=localhost
#   v3-ip-only        x509 -req by ca, SAN IP:127.0.0.1 only, CN=localhost
#   v3-client-only    x509 -req by ca, SAN DNS:localhost, EKU clientAuth
#   v3-under-v1-ca    x509 -req by v1-ca (a v1 root), SAN DNS:localhost
# Client shapes:
#   client-selfsigned   req -x509, CN=client (trusted as itself)
#   client-v1           x509 -req by ca, CN=client (v1)
#   client-v1-untrusted x509 -req by other-ca (v1)
#   client-server-only  x509 -req by ca, EKU serverAuth
#   client-other        req -x509, CN=client, another key (not trusted)
#   client-rich         x509 -req by ca: a multi-valued relative name, UTF-8,
#                       every subjectAltName kind, OCSP, caIssuers, a CRL
#   client-far          req -x509, CN=far: a serial with its top bit set (DER
#                       adds a sign byte), valid past 2049 (GeneralizedTime)
# Under an intermediate CA (issued by ca), each file holding the leaf alone:
#   via-intermediate         SAN DNS:localhost, a server certificate
#   client-via-intermediate  CN=client
# Trust files: ca.pem, v1-ca.pem, clients-trust.pem (ca + client-selfsigned),
# and intermediate-bundle.pem (intermediate + ca, the CA file of a
# deployment whose certificates an intermediate issues).
set -eu
dir=$1
mkdir -p "$dir"
cd "$dir"

selfsigned() { # name subject [extra req args]
    name=$1 subject=$2
    shift 2
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "$subject" \
        -keyout "$name.key" -out "$name.pem" "$@" 2>/dev/null
}

signed() { # name ca subject [extensions]
    name=$1 ca=$2 subject=$3 extensions=${4:-}
    openssl req -newkey rsa:2048 -nodes -subj "$subject" \
        -keyout "$name.key" -out "$name.csr" 2>/dev/null
    if [ -n "$extensions" ]; then
        printf '%s\n' "$extensions" > "$name.ext"
        set -- -extfile "$name.ext"
    else
        set --
    fi
    openssl x509 -req -in "$name.csr" -CA "$ca.pem" -CAkey "$ca.key" \
        -CAcreateserial -days 30 -out "$name.pem" "$@" 2>/dev/null
}

selfsigned ca "/CN=oxrpc test CA"
selfsigned other-ca "/CN=some other CA"
# A v1 root: a request signed with its own key, no extensions.
openssl req -newkey rsa:2048 -nodes -subj "/CN=oxrpc v1 CA" \
    -keyout v1-ca.key -out v1-ca.csr 2>/dev/null
openssl x509 -req -in v1-ca.csr -signkey v1-ca.key -days 30 -out v1-ca.pem 2>/dev/null

selfsigned selfsigned-cn /CN=localhost
selfsigned selfsigned-san /CN=localhost -addext "subjectAltName=DNS:oxrpc.test,IP:127.0.0.1"
selfsigned selfsigned-other /CN=localhost
signed v1-cn ca /CN=localhost
signed v1-wildcard ca "/CN=*.oxrpc.test"
signed v1-untrusted other-ca /CN=localhost
signed v3-cn ca /CN=localhost "basicConstraints=CA:FALSE"
signed v3-ip-only ca /CN=localhost "subjectAltName=IP:127.0.0.1"
signed v3-client-only ca /CN=localhost "subjectAltName=DNS:localhost
extendedKeyUsage=clientAuth"
signed v3-under-v1-ca v1-ca /CN=server "subjectAltName=DNS:localhost"

selfsigned client-selfsigned /CN=client
signed client-v1 ca /CN=client
signed client-v1-untrusted other-ca /CN=client
signed client-server-only ca /CN=client "extendedKeyUsage=serverAuth"
selfsigned client-other /CN=client
openssl req -newkey rsa:2048 -nodes -utf8 -multivalue-rdn \
    -subj "/C=ES/ST=Madrid/L=Móstoles/O=oxrpc test/OU=RPC+CN=rich client/emailAddress=rich@oxrpc.test/DC=example/serialNumber=12345/title=Dr/GN=Ana/SN=Pérez/street=Calle 1/postalCode=28001" \
    -keyout client-rich.key -out client-rich.csr 2>/dev/null
cat > client-rich.ext <<'EXT'
subjectAltName=DNS:client.oxrpc.test,IP:127.0.0.1,IP:2001:db8::1,email:rich@oxrpc.test,URI:https://oxrpc.test/rich,RID:1.2.3.4,dirName:dir_sect,otherName:1.2.3.4;UTF8:other
authorityInfoAccess=OCSP;URI:http://ocsp.oxrpc.test,caIssuers;URI:http://ca.oxrpc.test/ca.pem
crlDistributionPoints=URI:http://crl.oxrpc.test/ca.crl
extendedKeyUsage=clientAuth

[dir_sect]
C=ES
O=Dir Org
CN=dir name
EXT
openssl x509 -req -in client-rich.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 \
    -out client-rich.pem -extfile client-rich.ext 2>/dev/null
selfsigned client-far /CN=far -set_serial 0x8000000000000001 -days 10000
cat ca.pem client-selfsigned.pem > clients-trust.pem
signed intermediate ca "/CN=oxrpc test intermediate CA" "basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign"
signed via-intermediate intermediate /CN=localhost "subjectAltName=DNS:localhost"
signed client-via-intermediate intermediate /CN=client
cat intermediate.pem ca.pem > intermediate-bundle.pem
