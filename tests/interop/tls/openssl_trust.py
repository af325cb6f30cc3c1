"""Python's side of the TLS trust differential (tls_trust.rs): what OpenSSL,
through Python's ssl module and rpyc, accepts.

    python openssl_trust.py serve DIR NAME...
        A TLS echo server per certificate NAME (DIR/NAME.pem, DIR/NAME.key),
        no client certificates asked; prints {"NAME": port, ...} as one JSON
        line, then serves until killed.

    python openssl_trust.py verify CASES_JSON
        CASES_JSON is a list of {"port", "cafile", "host", "mode"}. mode
        "default" is ssl.create_default_context(cafile=...) with
        server_hostname=host (what ServerProxy does); mode "rpyc" is
        rpyc.ssl_connect("127.0.0.1", port, ca_certs=cafile). Prints a JSON
        list: "ok" once the handshake is done, or the refusal.

    python openssl_trust.py clients DIR PORT NAME...
        rpyc.ssl_connect("127.0.0.1", PORT, keyfile=, certfile=) with each
        client certificate NAME, then conn.root.get_answer(); prints a JSON
        list: the answer, or the refusal.

    python openssl_trust.py credentials DIR PORT NAME...
        rpyc.classic.ssl_connect with each client certificate NAME (no
        certificate for the name "-"), then what the server's connection
        holds as credentials (`getconn()._config['credentials']`, copied
        here); prints a JSON list of their repr()s, or the refusal.
"""
import json
import socket
import ssl
import sys
import threading

import rpyc


def serve(directory, names):
    ports = {}
    for name in names:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(f"{directory}/{name}.pem", f"{directory}/{name}.key")
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        ports[name] = listener.getsockname()[1]
        threading.Thread(target=accept, args=(listener, context), daemon=True).start()
    print(json.dumps(ports), flush=True)
    threading.Event().wait()


def accept(listener, context):
    while True:
        sock, _ = listener.accept()
        threading.Thread(target=echo, args=(sock, context), daemon=True).start()


def echo(sock, context):
    try:
        with context.wrap_socket(sock, server_side=True) as tls:
            tls.settimeout(10)
            data = tls.recv(100)
            if data:
                tls.sendall(data)
    except (OSError, ssl.SSLError):
        pass


def refusal(error):
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"refused: {error.verify_message}"
    return f"refused: {type(error).__name__}: {error}"


def verify_one(case):
    try:
        if case["mode"] == "rpyc":
            conn = rpyc.ssl_connect("127.0.0.1", case["port"], ca_certs=case["cafile"])
            conn._channel.stream.close()
            return "ok"
        context = ssl.create_default_context(cafile=case["cafile"])
        with socket.create_connection(("127.0.0.1", case["port"]), timeout=10) as sock:
            # The client has checked the server once the handshake is done.
            with context.wrap_socket(sock, server_hostname=case["host"]):
                return "ok"
    except Exception as error:  # noqa: BLE001 - every refusal is an answer
        return refusal(error)


def clients(directory, port, names):
    answers = []
    for name in names:
        try:
            conn = rpyc.ssl_connect(
                "127.0.0.1",
                port,
                keyfile=f"{directory}/{name}.key",
                certfile=f"{directory}/{name}.pem",
                config={"sync_request_timeout": 10},
            )
            answers.append(conn.root.get_answer())
            conn.close()
        except Exception as error:  # noqa: BLE001
            answers.append(refusal(error))
    print(json.dumps(answers), flush=True)


def credentials(directory, port, names):
    found = []
    for name in names:
        files = {} if name == "-" else {"keyfile": f"{directory}/{name}.key",
                                        "certfile": f"{directory}/{name}.pem"}
        try:
            conn = rpyc.classic.ssl_connect("127.0.0.1", port, **files)
            held = conn.root.getconn()._config["credentials"]
            found.append(repr(rpyc.classic.obtain(held)))
            conn.close()
        except Exception as error:  # noqa: BLE001
            found.append(refusal(error))
    print(json.dumps(found), flush=True)


def chain(port, keyfile, certfile, ca_certs):
    """One stock rpyc client presenting keyfile/certfile and checking the
    server against ca_certs: the answer, or why it was refused."""
    try:
        conn = rpyc.ssl_connect("localhost", port, keyfile=keyfile, certfile=certfile,
                                ca_certs=ca_certs, config={"sync_request_timeout": 10})
        answer = conn.root.get_answer()
        conn.close()
    except Exception as error:  # noqa: BLE001
        answer = refusal(error)
    print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "serve":
        serve(sys.argv[2], sys.argv[3:])
    elif command == "verify":
        with open(sys.argv[2]) as f:
            cases = json.load(f)
        print(json.dumps([verify_one(case) for case in cases]), flush=True)
    elif command == "clients":
        clients(sys.argv[2], int(sys.argv[3]), sys.argv[4:])
    elif command == "credentials":
        credentials(sys.argv[2], int(sys.argv[3]), sys.argv[4:])
    elif command == "chain":
        chain(int(sys.argv[2]), *sys.argv[3:6])
    else:
        sys.exit(f"unknown command {command}")
