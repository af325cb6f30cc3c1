"""Golden vectors for oxrpc-rpyc, produced by the real rpyc 6.0.2.

Every byte in the files this script writes comes out of rpyc's own code
(brine.dump, Channel.send, Connection._send / _dispatch_request, vinegar.dump,
and a live client/server conversation); nothing is written by hand. The Rust
tests in crates/oxrpc-rpyc/tests/golden.rs decode and re-encode them.

Regenerate (from the workspace root, with the pinned peers installed by
scripts/python-env):

    .venv/bin/python tests/golden/rpyc/generate.py

and commit the changed JSON files. Object ids, tracebacks (file paths, line
numbers), frozenset orders of str items and the random ports in the captured
conversations change from run to run; the Rust tests only rely on what is
stable (types, shapes, handler ids, values).

Files written next to this script:

* brine.json        brine.dump of every tag and edge, with a typed description
                    of each value ({"t": "int", "v": "123"}, ...)
* messages.json     request / reply / exception payloads as Connection builds them
* vinegar.json      vinegar.dump of several exceptions, brine-encoded
* frames.json       Channel.send output for small and compressed payloads
* conversation.json a real client <-> ThreadedServer session doing
                    conn.root.get_answer(), both directions' raw bytes
* conversation_tutorial.json  the seed tutorial's client session (repr of the
                    root, get_answer, the_real_answer_though, get_question)
"""

import gc
import json
import math
import os
import random
import socket
import struct
import sys
import threading

import rpyc
from rpyc.core import brine, consts, vinegar
from rpyc.core.channel import Channel
from rpyc.core.protocol import Connection
from rpyc.core.service import VoidService
from rpyc.utils.server import ThreadedServer

HERE = os.path.dirname(os.path.abspath(__file__))

assert rpyc.__version__ == "6.0.2", f"expected rpyc 6.0.2, found {rpyc.__version__}"


def write(name, data):
    path = os.path.join(HERE, name)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {path}")


def fbits(x):
    return struct.pack("!d", x).hex()


def typed(obj):
    """A JSON description of a brine value, precise enough to rebuild it."""
    t = type(obj)
    if obj is None:
        return {"t": "none"}
    if t is bool:
        return {"t": "bool", "v": obj}
    if obj is NotImplemented:
        return {"t": "notimplemented"}
    if obj is Ellipsis:
        return {"t": "ellipsis"}
    if t is int:
        return {"t": "int", "v": str(obj)}
    if t is float:
        return {"t": "float", "bits": fbits(obj)}
    if t is complex:
        return {"t": "complex", "re": fbits(obj.real), "im": fbits(obj.imag)}
    if t is bytes:
        return {"t": "bytes", "hex": obj.hex()}
    if t is str:
        return {"t": "str", "v": obj}
    if t is tuple:
        return {"t": "tuple", "items": [typed(i) for i in obj]}
    if t is frozenset:
        # brine.dump writes tuple(obj): the same iteration order as here.
        return {"t": "frozenset", "items": [typed(i) for i in tuple(obj)]}
    if t is slice:
        return {"t": "slice", "start": typed(obj.start), "stop": typed(obj.stop), "step": typed(obj.step)}
    raise TypeError(f"not brine: {obj!r}")


# ---------------------------------------------------------------------------
# brine
# ---------------------------------------------------------------------------

def brine_cases():
    cases = []

    def add(name, value):
        assert brine.dumpable(value), name
        cases.append((name, value))

    for name, v in [("none", None), ("true", True), ("false", False),
                    ("notimplemented", NotImplemented), ("ellipsis", Ellipsis)]:
        add(name, v)

    ints = [0, 1, -1, 7, -48, -49, 159, 160, 255, 256, -255, 1000, 2**31 - 1, 2**31, -2**31,
            2**32, 2**53 + 1, 2**63 - 1, 2**63, -2**63, -2**63 - 1, 2**64 - 1, 2**64, 2**127,
            2**200, -2**200, 10**254, 10**255 - 1, 10**255, -(10**254), 10**4299]
    for i in ints:
        add(f"int {i if abs(i) < 10**30 else ('-' if i < 0 else '') + 'big' + str(len(str(abs(i))))}", i)
    for i in range(-50, 162):
        add(f"int sweep {i}", i)

    for name, f in [("0.0", 0.0), ("-0.0", -0.0), ("1.5", 1.5), ("18.2", 18.2), ("nan", math.nan),
                    ("inf", math.inf), ("-inf", -math.inf), ("min subnormal", 5e-324),
                    ("max", 1.7976931348623157e308), ("1e16", 1e16), ("-1/3", -1 / 3)]:
        add(f"float {name}", f)

    add("complex 13+18.2j", 18.2j + 13)
    add("complex -0j", complex(0.0, -0.0))
    add("complex nan inf", complex(math.nan, math.inf))

    all_bytes = bytes(range(256))
    for n in [0, 1, 2, 3, 4, 5, 255, 256, 1000]:
        add(f"bytes len {n}", (all_bytes * 4)[:n])
    add("bytes nul", b"\x00")

    for n in [0, 1, 2, 3, 4, 5, 255, 256]:
        add(f"str len {n}", "x" * n)
    add("str e-acute (2 utf8 bytes)", "é")
    add("str euro (3 utf8 bytes)", "€")
    add("str emoji (4 utf8 bytes)", "😀")
    add("str 2 chars 4 bytes", "éé")
    add("str mixed unicode", "¿cuál es la velocidad de una golondrina sin que lleve peso? 日本語 😀")
    add("str nul", "\x00")
    add("str 85 x 3-byte chars (255 bytes)", "€" * 85)
    add("str 86 x 3-byte chars (258 bytes)", "€" * 86)

    for n in range(0, 6):
        add(f"tuple len {n}", tuple(range(n)))
    add("tuple len 255", tuple(range(255)))
    add("tuple len 256", tuple(range(256)))
    add("tuple len 300 of None", (None,) * 300)
    add("tuple nested", ((), ((),), (1, (2, (3, (4,))))))
    deep = None
    for _ in range(50):
        deep = (deep,)
    add("tuple nested 50 deep", deep)

    add("frozenset empty", frozenset())
    add("frozenset one", frozenset([1]))
    add("frozenset ints", frozenset([5, 6, 7]))
    add("frozenset strs", frozenset(["a", "b", "c", "d", "e"]))
    add("frozenset mixed", frozenset([1, "a", b"b", (1, 2), None, 2.5, frozenset([3])]))

    add("slice 1 2 3", slice(1, 2, 3))
    add("slice stop only", slice(5))
    add("slice none", slice(None))
    add("slice odd", slice("a", b"b", 1.5))
    add("slice nested", slice((1, 2), frozenset([1]), slice(1)))

    docstring = (b"he", 7, u"llo", 8, (), 900, None, True, Ellipsis, 18.2, 18.2j + 13,
                 slice(1, 2, 3), frozenset([5, 6, 7]), NotImplemented)
    assert brine.dump(docstring).hex() == (
        "140e0b686557080c6c6c6f580216033930300003061840323333333333331b402a000000000000"
        "403233333333333319125152531a1255565705")
    add("docstring vector", docstring)
    add("everything", (None, True, False, NotImplemented, Ellipsis, -49, 2**70, 1.25, 3j,
                       b"bytes", "str", (1,), frozenset([1]), slice(1, None)))
    return cases


def gen_brine():
    out = []
    for name, value in brine_cases():
        data = brine.dump(value)
        back = brine.load(data)
        assert brine.dump(back) == data, name
        out.append({"name": name, "hex": data.hex(), "value": typed(value)})
    write("brine.json", {"generator": "rpyc.core.brine.dump (rpyc 6.0.2)", "vectors": out})


# ---------------------------------------------------------------------------
# messages, built by a real Connection over a capturing channel
# ---------------------------------------------------------------------------

class CaptureChannel:
    """Stands in for rpyc's Channel: records what Connection._send sends."""

    def __init__(self):
        self.sent = []
        self.closed = False

    def send(self, data):
        self.sent.append(bytes(data))

    def close(self):
        self.closed = True

    def poll(self, timeout):
        return False

    def recv(self):
        raise EOFError("capture channel")

    def fileno(self):
        return -1


class Thing:
    """A plain local object to pass by reference."""

    def method(self):
        "a documented method"
        return 1


class CustomError(Exception):
    pass


def answer():
    return 42


def raise_value_error():
    raise ValueError("bad value", 42)


def raise_stop():
    raise StopIteration


def raise_custom():
    e = CustomError("custom failure")
    e.code = 7
    e.payload = [1, 2]
    raise e


def gen_messages():
    chan = CaptureChannel()
    conn = Connection(VoidService(), chan, {})
    out = []

    def take(name, note, **extra):
        assert len(chan.sent) >= 1, name
        for i, data in enumerate(chan.sent):
            msg = data[0]
            seq, args = brine.load(data[1:])
            entry = {"name": name if len(chan.sent) == 1 else f"{name} #{i}", "note": note,
                     "hex": data.hex(), "kind": msg, "seq": seq}
            if msg == consts.MSG_REQUEST:
                entry["handler"] = args[0]
            entry["args"] = typed(args)
            entry.update(extra)
            out.append(entry)
        chan.sent.clear()

    # Requests, through Connection.async_request (what netrefs call).
    conn.async_request(consts.HANDLE_GETROOT)
    take("request getroot", "conn.root")
    conn.async_request(consts.HANDLE_PING, "abcdefghijklmnopqrstuvwxyz" * 20)
    take("request ping", "conn.ping() default data")
    proxy = conn._unbox((consts.LABEL_REMOTE_REF, ("builtins.list", 94000000000000, 140000000000000)))
    conn.async_request(consts.HANDLE_GETATTR, proxy, "append")
    take("request getattr on netref", "proxy.append (LOCAL_REF to the peer's list)")
    conn.async_request(consts.HANDLE_CALLATTR, proxy, "append", (1,), (("key", "value"),))
    take("request callattr", "proxy.append(1, key='value')")
    thing = Thing()
    conn.async_request(consts.HANDLE_CALL, proxy, (thing, answer), ())
    take("request call with remote refs", "proxy(thing, answer): local objects go as REMOTE_REF")
    conn.async_request(consts.HANDLE_CMP, proxy, 3, "__eq__")
    take("request cmp", "proxy == 3")
    del proxy
    gc.collect()
    take("request del", "a netref's __del__: HANDLE_DEL(obj, refcount)")
    conn.async_request(consts.HANDLE_CLOSE)
    take("request close", "conn.close()")

    # Replies and exceptions, through Connection._dispatch_request (the
    # server side of a request), exactly as rpyc answers them.
    thing_id = rpyc.lib.get_id_pack(thing)
    conn._local_objects.add(thing_id, thing)
    answer_id = rpyc.lib.get_id_pack(answer)
    conn._local_objects.add(answer_id, answer)
    ve_id = rpyc.lib.get_id_pack(raise_value_error)
    conn._local_objects.add(ve_id, raise_value_error)
    stop_id = rpyc.lib.get_id_pack(raise_stop)
    conn._local_objects.add(stop_id, raise_stop)
    custom_id = rpyc.lib.get_id_pack(raise_custom)
    conn._local_objects.add(custom_id, raise_custom)
    local = lambda id_pack: (consts.LABEL_LOCAL_REF, id_pack)  # noqa: E731
    empty = (consts.LABEL_VALUE, ())

    conn._dispatch_request(100, (consts.HANDLE_PING, (consts.LABEL_VALUE, ("hello",))))
    take("reply ping", "echo of 'hello'")
    conn._dispatch_request(101, (consts.HANDLE_CALL, (consts.LABEL_TUPLE, (local(answer_id), empty, empty))))
    take("reply 42", "answer() called through HANDLE_CALL")
    conn._dispatch_request(102, (consts.HANDLE_GETROOT, empty))
    take("reply getroot", "the root service as REMOTE_REF")
    conn._dispatch_request(103, (consts.HANDLE_INSPECT, (consts.LABEL_VALUE, (thing_id,))))
    take("reply inspect", "(method name, doc) pairs of Thing")
    conn._dispatch_request(104, (consts.HANDLE_DIR, (consts.LABEL_TUPLE, (local(thing_id),))))
    take("reply dir", "dir(thing)")
    conn._dispatch_request(105, (consts.HANDLE_BUFFITER, (consts.LABEL_TUPLE, (
        (consts.LABEL_REMOTE_REF, ("builtins.list_iterator", 1, 2)), (consts.LABEL_VALUE, 0)))))
    chan.sent.clear()  # needs a live peer; not a vector
    conn._dispatch_request(106, (consts.HANDLE_DEL, (consts.LABEL_TUPLE, (local(thing_id), (consts.LABEL_VALUE, 1)))))
    take("reply del", "HANDLE_DEL returns None")
    conn._local_objects.add(thing_id, thing)
    conn._dispatch_request(107, (consts.HANDLE_CALL, (consts.LABEL_TUPLE, (local(ve_id), empty, empty))))
    take("exception ValueError", "ValueError('bad value', 42)")
    conn._dispatch_request(108, (consts.HANDLE_CALL, (consts.LABEL_TUPLE, (local(stop_id), empty, empty))))
    take("exception StopIteration", "StopIteration is sent as the int 1")
    conn._dispatch_request(109, (consts.HANDLE_CALL, (consts.LABEL_TUPLE, (local(custom_id), empty, empty))))
    take("exception custom", "a __main__.CustomError with attributes")
    conn._dispatch_request(110, (99, empty))
    take("exception unknown handler", "KeyError(99)")
    conn._dispatch_request(111, (consts.HANDLE_GETATTR, (consts.LABEL_TUPLE, (
        local(thing_id), (consts.LABEL_VALUE, "secret")))))
    take("exception getattr denied", "AttributeError: cannot access 'secret'")
    conn._dispatch_request(112, (consts.HANDLE_PICKLE, (consts.LABEL_TUPLE, (
        local(thing_id), (consts.LABEL_VALUE, 4)))))
    take("exception pickle refused", "ValueError('pickling is disabled')")

    conn._closed = True  # no HANDLE_CLOSE on the fake channel at exit
    write("messages.json", {"generator": "rpyc.core.protocol.Connection (rpyc 6.0.2)", "messages": out})


# ---------------------------------------------------------------------------
# vinegar
# ---------------------------------------------------------------------------

def gen_vinegar():
    out = []

    def add(name, exc, include_tb=True, include_version=True):
        try:
            raise exc
        except BaseException:
            typ, val, tb = sys.exc_info()
        dumped = vinegar.dump(typ, val, tb, include_local_traceback=include_tb,
                              include_local_version=include_version)
        data = brine.dump(dumped)
        out.append({"name": name, "hex": data.hex(), "value": typed(dumped),
                    "module": typ.__module__, "class": typ.__name__})

    add("ValueError with args", ValueError("bad value", 42))
    add("KeyError", KeyError("missing"))
    add("StopIteration", StopIteration("value is dropped"))
    e = CustomError("custom failure")
    e.code = 7
    e.payload = [1, 2]
    add("custom class with attrs", e)
    add("OSError with errno", FileNotFoundError(2, "No such file or directory", "/nope"))
    add("non-brinable arg is repr'd", TypeError([1, 2], {"a": 1}))
    add("no args", RuntimeError())
    add("traceback and version denied", ZeroDivisionError("division by zero"), False, False)
    write("vinegar.json", {"generator": "rpyc.core.vinegar.dump (rpyc 6.0.2)", "vectors": out})


# ---------------------------------------------------------------------------
# frames
# ---------------------------------------------------------------------------

class CaptureStream:
    MAX_IO_CHUNK = consts.STREAM_CHUNK

    def __init__(self):
        self.data = bytearray()
        self.writes = 0

    def write(self, data):
        self.data += data
        self.writes += 1


def gen_frames():
    rng = random.Random(1234)
    payloads = [
        ("empty", b""),
        ("small", b"\x02" + brine.dump((3, (1, 42)))),
        ("threshold 3000 (not compressed)", bytes(range(256)) * 11 + b"x" * 184),
        ("threshold + 1 (compressed)", b"y" * 3001),
        ("compressible 20 KB", b"".join(b"line %06d of a compressible payload\n" % i for i in range(560))),
        ("incompressible 65000 B (several writes)", rng.randbytes(65_000)),
        ("incompressible 4000 B", rng.randbytes(4000)),
    ]
    assert len(payloads[2][1]) == 3000
    out = []
    for name, payload in payloads:
        stream = CaptureStream()
        Channel(stream).send(payload)
        out.append({"name": name, "payload_hex": payload.hex(), "frame_hex": bytes(stream.data).hex(),
                    "compressed": stream.data[4] != 0, "writes": stream.writes})
    write("frames.json", {"generator": "rpyc.core.channel.Channel.send (rpyc 6.0.2)",
                          "zlib": __import__("zlib").ZLIB_RUNTIME_VERSION, "frames": out})


# ---------------------------------------------------------------------------
# live conversations
# ---------------------------------------------------------------------------

class MyService(rpyc.Service):
    """The tutorial's service (seed: rpyc_base.py)."""

    def on_connect(self, conn):
        pass

    def on_disconnect(self, conn):
        pass

    def exposed_get_answer(self):  # this is an exposed method
        return 42

    exposed_the_real_answer_though = 43  # an exposed attribute

    def get_question(self):  # while this method is not exposed
        return "¿cuál es la velocidad de una golondrina sin que lleve peso?"


class Relay:
    """A one-connection TCP relay recording both directions' bytes."""

    def __init__(self, target_port):
        self.target_port = target_port
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1)
        self.port = self.listener.getsockname()[1]
        self.c2s = bytearray()
        self.s2c = bytearray()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _pump(self, src, dst, record):
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                data = b""
            if not data:
                break
            record += data
            dst.sendall(data)
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def _run(self):
        client, _ = self.listener.accept()
        upstream = socket.create_connection(("127.0.0.1", self.target_port))
        pumps = [threading.Thread(target=self._pump, args=(client, upstream, self.c2s)),
                 threading.Thread(target=self._pump, args=(upstream, client, self.s2c))]
        for p in pumps:
            p.start()
        for p in pumps:
            p.join(10)
        client.close()
        upstream.close()
        self.listener.close()


def converse(filename, description, client_code):
    server = ThreadedServer(MyService, hostname="127.0.0.1", port=0,
                            protocol_config={"allow_public_attrs": False})
    threading.Thread(target=server.start, daemon=True).start()
    relay = Relay(server.port)
    conn = rpyc.connect("127.0.0.1", relay.port)
    notes = client_code(conn)
    conn.close()
    relay.thread.join(10)
    assert not relay.thread.is_alive(), "relay did not finish"
    server.close()
    write(filename, {"generator": f"rpyc {rpyc.__version__} client and ThreadedServer over a recording relay",
                     "description": description, "notes": notes,
                     "client_to_server": bytes(relay.c2s).hex(),
                     "server_to_client": bytes(relay.s2c).hex()})


def get_answer_only(conn):
    answer = conn.root.get_answer()
    assert answer == 42
    gc.collect()
    return {"get_answer": answer}


def tutorial(conn):
    notes = {"root_str": str(conn.root)}
    notes["get_answer"] = conn.root.get_answer()
    notes["the_real_answer_though"] = conn.root.the_real_answer_though
    try:
        conn.root.get_question()
    except AttributeError as e:
        notes["get_question_error"] = type(e).__name__ + ": " + str(e).splitlines()[0]
    gc.collect()
    return notes


def main():
    gen_brine()
    gen_messages()
    gen_vinegar()
    gen_frames()
    converse("conversation.json", "conn = rpyc.connect(...); conn.root.get_answer(); conn.close()",
             get_answer_only)
    converse("conversation_tutorial.json",
             "the seed's rpyc_consulta_base.py: print(conn.root), get_answer(), "
             "the_real_answer_though, get_question() (AttributeError)", tutorial)


if __name__ == "__main__":
    main()
