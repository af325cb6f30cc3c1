"""A tiny raw RPyC client for the conformance cases (see cases.py).

It speaks rpyc 6.0.2's framing (``Channel``: a ``!LB`` header of length and
compression flag, the payload, and one flusher byte) and encodes values with
rpyc's own ``brine.dump``, but builds every message itself, so malformed
messages (bad labels, wrong arity, odd sequence numbers, unknown message
types, broken frames) are as easy to send as good ones.

``run_case(target, case, host, port)`` opens a fresh connection, does the
GETROOT handshake, resolves the case's symbolic placeholders (ROOT, ATTR(...),
EVAL(...), BOGUS, ...) into real id packs, sends the case's message(s), and
returns a normalised outcome that can be compared across implementations:

    {"answers": [ <one per message> ],
     "alive": true/false,            # a PING after the case is echoed
     "server_requests": [ids],       # handler ids of the requests the server
                                     # sent us (sorted, each once; HANDLE_DEL
                                     # left out: it is GC timing)
     "late": [...]}                  # only when an answer arrived after its
                                     # timeout, during the alive check

and each answer is one of

    {"kind": "reply", "seq": <norm>, "value": <norm>}
    {"kind": "exception", "seq": <norm>, "type": "module.Name"[, "args": [...]]}
    {"kind": "closed"}               # the server closed the connection
    {"kind": "silence"}              # nothing within the timeout
    {"kind": "garbage", ...}         # something that is not an rpyc message

Values are normalised: plain (brine) values as {"type", "repr"}, tuples item by
item, references the server hands out as {"ref": name_pack}, references back
to our own objects as {"local_ref": ...}; addresses (0x...) in strings and the
id packs learned at run time are replaced by stable placeholders.
"""

import re
import socket
import struct
import sys
import time
import zlib

from rpyc.core import brine

sys.set_int_max_str_digits(0)

MSG_REQUEST, MSG_REPLY, MSG_EXCEPTION = 1, 2, 3
LABEL_VALUE, LABEL_TUPLE, LABEL_LOCAL_REF, LABEL_REMOTE_REF = 1, 2, 3, 4
HANDLE_PING, HANDLE_CLOSE, HANDLE_GETROOT, HANDLE_GETATTR = 1, 2, 3, 4
HANDLE_CALL, HANDLE_CALLATTR, HANDLE_REPR, HANDLE_STR, HANDLE_HASH = 7, 8, 9, 10, 12
HANDLE_DEL, HANDLE_INSPECT = 15, 16

FRAME_HEADER = struct.Struct("!LB")
DEFAULT_TIMEOUT = 1.0          # how long "silence" waits
ALIVE_PAYLOAD = "alive?"
ALIVE_SEQ = 999_999
SETUP_SEQ = 500_000            # setup requests use 500000, 500001, ...


# --------------------------------------------------------------------------
# symbolic placeholders (cases.py builds cases out of these)
# --------------------------------------------------------------------------
class Sym:
    """A symbolic reference to a server object, resolved per connection.

    kind: "root"              the service root
          "attr" (base, name) GETATTR(base, name)
          "callattr" (base, name, args)  CALLATTR(base, name, args, ())
          "eval" (expr,)      classic only: root.eval(expr)
          "bogus"             an id pack the server never issued
          "forged"            the root's id pack with another object id
    As a request argument a Sym is boxed as LABEL_LOCAL_REF (3, id_pack).
    """

    def __init__(self, kind, *params):
        self.kind = kind
        self.params = params

    def __repr__(self):
        if self.kind == "root":
            return "ROOT"
        if self.kind == "bogus":
            return "BOGUS"
        if self.kind == "forged":
            return "FORGED"
        if self.kind == "attr":
            return f"ATTR({self.params[0]!r}, {self.params[1]!r})"
        if self.kind == "eval":
            return f"EVAL({self.params[0]!r})"
        if self.kind == "callattr":
            return f"CALLATTR({', '.join(repr(p) for p in self.params)})"
        return f"Sym({self.kind!r}, {self.params!r})"


class IdPack:
    """The raw id pack (a plain tuple value) of a Sym, e.g. for HANDLE_INSPECT."""

    def __init__(self, sym):
        self.sym = sym

    def __repr__(self):
        return f"IDPACK({self.sym!r})"


class Box:
    """An explicit, already boxed value: (label, value), sent exactly as given
    (after resolving any Sym/IdPack inside). Bypasses auto-boxing."""

    def __init__(self, label, value):
        self.label = label
        self.value = value

    def __repr__(self):
        return f"Box({self.label!r}, {self.value!r})"


class Raw:
    """An arbitrary structure that is brine-dumped as is (after resolving
    Sym -> (3, id_pack), IdPack -> id_pack, Box -> (label, value))."""

    def __init__(self, value):
        self.value = value

    def __repr__(self):
        return f"Raw({self.value!r})"


class ResolveError(Exception):
    pass


class Closed(Exception):
    pass


# --------------------------------------------------------------------------
# framing
# --------------------------------------------------------------------------
class Wire:
    def __init__(self, host, port, connect_timeout=5.0):
        self.sock = socket.create_connection((host, port), timeout=connect_timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.closed = False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def send_bytes(self, data):
        try:
            self.sock.sendall(data)
        except OSError:
            self.closed = True
            raise Closed()

    def send_frame(self, body, compressed=0, flusher=b"\n", declared_length=None):
        length = len(body) if declared_length is None else declared_length
        self.send_bytes(FRAME_HEADER.pack(length, compressed) + body + flusher)

    def send_message(self, msg, payload):
        self.send_frame(bytes([msg]) + brine.dump(payload))

    def _fill(self, n, deadline):
        while len(self.buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return False
            except OSError:
                self.closed = True
                raise Closed()
            if not chunk:
                self.closed = True
                raise Closed()
            self.buf += chunk
        return True

    def recv_frame(self, deadline):
        """The next frame's body, or None on timeout; raises Closed."""
        if not self._fill(FRAME_HEADER.size, deadline):
            return None
        length, compressed = FRAME_HEADER.unpack(self.buf[:FRAME_HEADER.size])
        total = FRAME_HEADER.size + length + 1
        if not self._fill(total, deadline):
            return None
        body = self.buf[FRAME_HEADER.size:FRAME_HEADER.size + length]
        self.buf = self.buf[total:]
        if compressed:
            body = zlib.decompress(body)
        return body


# --------------------------------------------------------------------------
# the client side of a conversation
# --------------------------------------------------------------------------
def _client_reply_value(handler, args):
    """What our (fake) client answers to a request from the server."""
    if handler == HANDLE_PING:
        try:
            return args[1][0][1] if args[0] == LABEL_TUPLE else args[1][0]
        except Exception:
            return None
    if handler == HANDLE_INSPECT:
        return ()
    if handler in (HANDLE_REPR, HANDLE_STR):
        return "client-object"
    if handler == HANDLE_HASH:
        return 7
    return None


class Session:
    def __init__(self, host, port, timeout=DEFAULT_TIMEOUT):
        self.wire = Wire(host, port)
        self.timeout = timeout
        self.server_requests = []
        self.recording = False
        self.setup_seq = SETUP_SEQ
        self.resolved = {}       # repr(sym) -> id_pack
        self.symbols = {}        # id_pack -> "<NAME>"
        self.root = None

    def close(self):
        self.wire.close()

    # one message in, one answer out ---------------------------------------
    def next_answer(self, timeout=None):
        """Wait for a REPLY/EXCEPTION from the server, answering (and
        recording) the server's own requests meanwhile. Returns
        ("reply"|"exception", seq, payload), ("silence",), ("closed",) or
        ("garbage", detail)."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            try:
                body = self.wire.recv_frame(deadline)
            except Closed:
                return ("closed",)
            except zlib.error as e:
                return ("garbage", f"zlib: {e}")
            if body is None:
                return ("silence",)
            if not body:
                return ("garbage", "empty frame")
            msg = body[0]
            try:
                seq, args = brine.load(body[1:])
            except Exception as e:
                return ("garbage", f"msg {msg}: undecodable payload {type(e).__name__}")
            if msg == MSG_REQUEST:
                try:
                    handler, boxed = args
                except Exception:
                    return ("garbage", "malformed request from server")
                if self.recording and handler != HANDLE_DEL:
                    self.server_requests.append(handler)
                value = _client_reply_value(handler, boxed)
                try:
                    self.wire.send_message(MSG_REPLY, (seq, (LABEL_VALUE, value)))
                except Closed:
                    return ("closed",)
                continue
            if msg == MSG_REPLY:
                return ("reply", seq, args)
            if msg == MSG_EXCEPTION:
                return ("exception", seq, args)
            return ("garbage", f"unknown message type {msg}")

    def request(self, handler, args_boxed, seq):
        self.wire.send_message(MSG_REQUEST, (seq, (handler, args_boxed)))
        return self.next_answer()

    # setup -------------------------------------------------------------------
    def _setup_request(self, handler, *args):
        seq = self.setup_seq
        self.setup_seq += 1
        try:
            ans = self.request(handler, self.box(args), seq)
        except Closed:
            raise ResolveError(f"connection closed during setup of handler {handler}")
        if ans[0] == "reply":
            return ans[2]
        if ans[0] == "exception":
            raise ResolveError(f"setup handler {handler} raised {exc_type_name(ans[2])}")
        raise ResolveError(f"setup handler {handler}: {ans[0]}")

    def handshake(self):
        boxed = self._setup_request(HANDLE_GETROOT)
        if boxed[0] != LABEL_REMOTE_REF:
            raise ResolveError(f"GETROOT answered {boxed!r}")
        self.root = tuple(boxed[1])
        self.resolved["ROOT"] = self.root
        self.symbols[self.root] = "<ROOT>"

    def resolve_sym(self, sym):
        key = repr(sym)
        if key in self.resolved:
            return self.resolved[key]
        if sym.kind == "root":
            return self.root
        if sym.kind == "bogus":
            idp = ("builtins.object", 1, 3)
        elif sym.kind == "forged":
            idp = (self.root[0], self.root[1], self.root[2] + 16)
        else:
            if sym.kind == "attr":
                base, name = sym.params
                boxed = self._setup_request(HANDLE_GETATTR, base, name)
            elif sym.kind == "callattr":
                base, name, args = sym.params
                boxed = self._setup_request(HANDLE_CALLATTR, base, name, tuple(args), ())
            elif sym.kind == "eval":
                boxed = self._setup_request(HANDLE_CALLATTR, Sym("root"), "eval", (sym.params[0],), ())
            else:
                raise ResolveError(f"unknown symbol {sym!r}")
            if boxed[0] != LABEL_REMOTE_REF:
                raise ResolveError(f"{sym!r} is not a reference: {boxed!r}")
            idp = tuple(boxed[1])
        self.resolved[key] = idp
        self.symbols.setdefault(idp, f"<{key}>")
        return idp

    def run_setup(self, step):
        """A setup step for its side effects (e.g. EXEC in classic)."""
        if isinstance(step, Sym):
            self.resolve_sym(step)
        elif isinstance(step, tuple) and step and step[0] == "exec":
            self._setup_request(HANDLE_CALLATTR, Sym("root"), "execute", (step[1],), ())
        elif isinstance(step, tuple) and step and step[0] == "callattr":
            _, base, name, args = step
            self._setup_request(HANDLE_CALLATTR, base, name, tuple(args), ())
        else:
            raise ResolveError(f"unknown setup step {step!r}")

    # boxing ------------------------------------------------------------------
    def _has_ref(self, obj):
        if isinstance(obj, (Sym, Box)):
            return True
        if isinstance(obj, tuple):
            return any(self._has_ref(o) for o in obj)
        return False

    def box(self, obj):
        """Box like rpyc's Connection._box: dumpable -> (1, v); a tuple with
        references inside -> (2, items); a Sym -> (3, id_pack)."""
        if isinstance(obj, Sym):
            return (LABEL_LOCAL_REF, self.resolve_sym(obj))
        if isinstance(obj, Box):
            return (self.raw(obj.label), self.raw(obj.value))
        if isinstance(obj, IdPack):
            return (LABEL_VALUE, self.resolve_sym(obj.sym))
        if isinstance(obj, Raw):
            return self.raw(obj.value)
        if isinstance(obj, tuple):
            if self._has_ref(obj):
                return (LABEL_TUPLE, tuple(self.box(o) for o in obj))
            return (LABEL_VALUE, self.raw(obj))
        return (LABEL_VALUE, obj)

    def raw(self, obj):
        """Resolve placeholders inside a raw structure."""
        if isinstance(obj, Sym):
            return (LABEL_LOCAL_REF, self.resolve_sym(obj))
        if isinstance(obj, IdPack):
            return self.resolve_sym(obj.sym)
        if isinstance(obj, Box):
            return (self.raw(obj.label), self.raw(obj.value))
        if isinstance(obj, Raw):
            return self.raw(obj.value)
        if isinstance(obj, tuple):
            return tuple(self.raw(o) for o in obj)
        if isinstance(obj, frozenset):
            return frozenset(self.raw(o) for o in obj)
        return obj

    # normalisation -----------------------------------------------------------
    def norm_plain(self, v):
        if isinstance(v, tuple) and v in self.symbols:
            return {"idpack": self.symbols[v]}
        if type(v) is tuple:
            return {"type": "tuple", "items": [self.norm_plain(x) for x in v]}
        if type(v) is frozenset:
            items = [self.norm_plain(x) for x in v]
            items.sort(key=lambda i: repr(i))
            return {"type": "frozenset", "items": items}
        if type(v) is slice:
            return {"type": "slice", "items": [self.norm_plain(v.start), self.norm_plain(v.stop),
                                               self.norm_plain(v.step)]}
        r = repr(v)
        if isinstance(v, (str, bytes)):
            r = re.sub(r"0x[0-9a-fA-F]{6,}", "0x?", r)
        if len(r) > 200:
            import hashlib
            r = f"{r[:40]}...<{len(r)} chars, sha1 {hashlib.sha1(r.encode()).hexdigest()[:16]}>"
        return {"type": type(v).__name__, "repr": r}

    def norm_boxed(self, boxed):
        try:
            label, value = boxed
        except Exception:
            return {"malformed_box": self.norm_plain(boxed)}
        if label == LABEL_VALUE:
            return self.norm_plain(value)
        if label == LABEL_TUPLE:
            try:
                return {"type": "tuple", "boxed_items": [self.norm_boxed(x) for x in value]}
            except TypeError:
                return {"malformed_box": self.norm_plain(boxed)}
        if label == LABEL_REMOTE_REF:
            try:
                return {"ref": str(value[0])}
            except Exception:
                return {"malformed_ref": self.norm_plain(value)}
        if label == LABEL_LOCAL_REF:
            return {"local_ref": self.norm_plain(value)}
        return {"unknown_label": self.norm_plain(label), "value": self.norm_plain(value)}


def exc_type_name(payload):
    if payload == 1 and type(payload) is int:
        return "builtins.StopIteration"
    if type(payload) is str:
        return f"<string exception {payload!r}>"
    try:
        (mod, name), _args, _attrs, _tb = payload
        return f"{mod}.{name}"
    except Exception:
        return "<malformed exception>"


# --------------------------------------------------------------------------
# running a case
# --------------------------------------------------------------------------
def _normalise_answer(session, ans, case, sent_seq):
    kind = ans[0]
    if kind in ("silence", "closed"):
        return {"kind": kind}
    if kind == "garbage":
        return {"kind": "garbage", "detail": ans[1]}
    _, seq, payload = ans
    out = {"kind": kind}
    if seq != sent_seq or type(seq) is not type(sent_seq):
        out["seq"] = session.norm_plain(seq)
    norm = case.get("norm", "full")
    if kind == "reply":
        if norm == "full":
            out["value"] = session.norm_boxed(payload)
        elif norm == "type":
            v = session.norm_boxed(payload)
            out["value"] = {k: v[k] for k in v if k in ("type", "ref", "local_ref")}
        elif norm == "unpickle":
            out["value"] = _unpickle(session, payload)
        elif norm == "inspect":
            out["value"] = _inspect_names(session, payload)
        elif norm == "dir":
            out["value"] = _dir_names(session, payload)
        # norm == "kind": only the kind
        if "value" in out:
            out["value"] = _digest_if_large(out["value"])
        return out
    out["type"] = exc_type_name(payload)
    if case.get("exc_args") and norm != "kind":
        try:
            out["args"] = [session.norm_plain(a) for a in payload[1]]
        except Exception:
            pass
    return out


LARGE_VALUE = 5000


def _digest_if_large(value):
    """Values whose normalised JSON exceeds LARGE_VALUE characters (deep or
    long tuples) are kept as their type, size and a digest of that JSON."""
    import hashlib
    import json
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    if len(text) <= LARGE_VALUE:
        return value
    return {"type": value.get("type", "?"), "json_chars": len(text),
            "json_sha1": hashlib.sha1(text.encode()).hexdigest()}


# Names dir() may or may not show depending on what earlier connections did to
# a class shared by the whole server process (copyreg caches __slotnames__ on
# a class the first time one of its instances is pickled).
DIR_CACHE_ARTIFACTS = frozenset(["__slotnames__"])


def _dir_names(session, payload):
    """The names of a HANDLE_DIR answer, sorted, cache artifacts left out."""
    try:
        label, value = payload
        if label != LABEL_VALUE or type(value) is not tuple:
            return session.norm_boxed(payload)
        return {"names": sorted(str(n) for n in value if n not in DIR_CACHE_ARTIFACTS)}
    except Exception:
        return {"malformed": session.norm_boxed(payload)}


def _inspect_names(session, payload):
    """The sorted method names of a HANDLE_INSPECT answer ((name, doc), ...)."""
    try:
        label, value = payload
        if label != LABEL_VALUE:
            return session.norm_boxed(payload)
        return {"method_names": sorted(str(name) for name, _doc in value)}
    except Exception:
        return {"malformed": session.norm_boxed(payload)}


def _unpickle(session, payload):
    import pickle
    try:
        label, value = payload
        if label != LABEL_VALUE or type(value) is not bytes:
            return session.norm_boxed(payload)
        return {"unpickled": session.norm_plain(pickle.loads(value))}
    except Exception as e:
        return {"unpickle_error": type(e).__name__}


def _send_one(session, message, seq):
    """Send one message of a case. message is a dict, see cases.py."""
    w = session.wire
    if "frame" in message:                 # bytes on the wire, as is
        w.send_bytes(message["frame"])
        return
    if "body" in message:                  # a frame around these exact bytes
        w.send_frame(message["body"], compressed=message.get("compressed", 0),
                     flusher=message.get("flusher", b"\n"))
        return
    msg = message.get("msg", MSG_REQUEST)
    if "payload" in message:               # (seq, args) replaced wholesale
        payload = session.raw(message["payload"])
    else:
        if "args_boxed" in message:
            args_boxed = session.raw(message["args_boxed"])
        elif "value" in message:           # replies/exceptions we send
            args_boxed = session.raw(message["value"])
        else:
            args_boxed = session.box(tuple(message.get("args", ())))
        if msg == MSG_REQUEST and "request" in message:   # the (handler, args) pair replaced
            inner = session.raw(message["request"])
        elif msg == MSG_REQUEST:
            inner = (session.raw(message["handler"]), args_boxed)
        else:
            inner = args_boxed
        payload = (seq, inner)
    body = bytes([msg]) + brine.dump(payload) + message.get("trailing", b"")
    if "truncate" in message:
        body = body[:message["truncate"]]
    if message.get("compressed"):
        w.send_frame(zlib.compress(body), compressed=message["compressed"],
                     flusher=message.get("flusher", b"\n"))
    else:
        w.send_frame(body, flusher=message.get("flusher", b"\n"))


def run_case(case, host, port, timeout=DEFAULT_TIMEOUT, silence_timeout=None, expected=None):
    """Run one case over a fresh connection; returns its normalised outcome.

    timeout: how long an answer (and each setup step) is waited for.
    silence_timeout: how long an answer is waited for where `expected` (the
    recorded outcome, if given) says the reference server stayed silent, so a
    slow server can be given a long `timeout` without every expected silence
    costing that long. Defaults to `timeout`."""
    session = Session(host, port, timeout)
    if silence_timeout is None:
        silence_timeout = timeout
    expected_kinds = []
    if expected:
        expected_kinds = [a.get("kind") for a in expected.get("answers", [])]
    try:
        try:
            session.handshake()
            for step in case.get("setup", ()):
                session.run_setup(step)
            # resolve every symbol the messages use before recording starts
            for message in case["send"]:
                for key in ("args", "args_boxed", "payload", "request", "value", "handler"):
                    if key in message:
                        _prime(session, message[key])
        except ResolveError as e:
            return {"answers": [{"kind": "setup_failed", "detail": str(e)}], "alive": False,
                    "server_requests": []}
        session.recording = True
        answers = []
        closed = False
        for i, message in enumerate(case["send"]):
            seq = message.get("seq", i + 1)
            if closed:
                answers.append({"kind": "closed"})
                continue
            try:
                if not message.get("wait_only"):
                    _send_one(session, message, seq)
            except Closed:
                closed = True
                answers.append({"kind": "closed"})
                continue
            if message.get("no_wait"):
                continue
            wait = message.get("timeout")
            if wait is None and i < len(expected_kinds) and expected_kinds[i] == "silence":
                wait = silence_timeout
            ans = session.next_answer(wait)
            if ans[0] == "closed":
                closed = True
            answers.append(_normalise_answer(session, ans, case, seq))
        late = []
        alive = False
        if not closed:
            try:
                session.wire.send_message(MSG_REQUEST, (ALIVE_SEQ, (HANDLE_PING, (LABEL_VALUE, (ALIVE_PAYLOAD,)))))
                deadline = time.monotonic() + max(3.0, session.timeout)
                while True:
                    ans = session.next_answer(max(0.0, deadline - time.monotonic()))
                    if ans[0] in ("closed", "silence", "garbage"):
                        break
                    if ans[0] == "reply" and ans[1] == ALIVE_SEQ:
                        alive = ans[2] == (LABEL_VALUE, ALIVE_PAYLOAD)
                        break
                    late.append(_normalise_answer(session, ans, case, None))
            except Closed:
                pass
        out = {"answers": answers, "alive": alive,
               "server_requests": sorted(set(session.server_requests))}
        if late:
            out["late"] = late
        return out
    finally:
        session.close()


def _prime(session, obj):
    if isinstance(obj, Sym):
        session.resolve_sym(obj)
    elif isinstance(obj, IdPack):
        session.resolve_sym(obj.sym)
    elif isinstance(obj, (Box,)):
        _prime(session, obj.label)
        _prime(session, obj.value)
    elif isinstance(obj, Raw):
        _prime(session, obj.value)
    elif isinstance(obj, (tuple, frozenset)):
        for o in obj:
            _prime(session, o)


def stable_repr(v):
    """repr, with frozenset items sorted (str hashing is randomised)."""
    if type(v) is frozenset:
        return "frozenset({" + ", ".join(sorted(stable_repr(x) for x in v)) + "})" if v else "frozenset()"
    if type(v) is tuple:
        inner = ", ".join(stable_repr(x) for x in v)
        return f"({inner},)" if len(v) == 1 else f"({inner})"
    if isinstance(v, Box):
        return f"Box({stable_repr(v.label)}, {stable_repr(v.value)})"
    if isinstance(v, Raw):
        return f"Raw({stable_repr(v.value)})"
    return repr(v)


def describe(message):
    """A stable, human-readable description of one message of a case."""
    parts = []
    for key in sorted(message):
        v = message[key]
        if isinstance(v, bytes) and len(v) > 60:
            v = f"<{len(v)} bytes {v[:24]!r}...>"
        else:
            v = stable_repr(v)
            if len(v) > 160:
                v = v[:100] + f"...<{len(v)} chars>"
        parts.append(f"{key}={v}")
    return " ".join(parts)
