"""Feeds bytes produced by oxrpc-rpyc to the real rpyc 6.0.2 and reports what it made of them.

Run by crates/oxrpc-rpyc/tests/golden.rs (test `python_accepts_our_bytes`):

    .venv/bin/python tests/golden/rpyc/check_rust_output.py INPUT.json

INPUT.json holds {"frames": [hex, ...], "messages": [hex, ...]}:

* each frame is read back with rpyc's own Channel.recv;
* each message goes through Connection._dispatch, the code path rpyc runs for
  every received payload: replies and exceptions reach the request callback
  (unboxed, exceptions rebuilt by vinegar.load), requests are served and the
  answer Connection sends back is reported (hex) for the Rust side to decode.

Prints one JSON document on stdout.
"""

import json
import sys

from rpyc.core import brine, consts, netref
from rpyc.core.channel import Channel
from rpyc.core.protocol import Connection
from rpyc.core.service import VoidService


class ReadStream:
    MAX_IO_CHUNK = consts.STREAM_CHUNK

    def __init__(self, data):
        self.data = data
        self.pos = 0

    def read(self, count):
        chunk = self.data[self.pos:self.pos + count]
        if len(chunk) != count:
            raise EOFError("short read")
        self.pos += count
        return chunk


class CaptureChannel:
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
        raise EOFError

    def fileno(self):
        return -1


def describe(is_exc, obj):
    if is_exc:
        if isinstance(obj, type):  # vinegar.load returns the StopIteration class itself
            return {"is_exc": True, "class": obj.__name__, "module": obj.__module__, "is_class": True}
        cls = type(obj)
        return {"is_exc": True, "class": cls.__name__, "module": cls.__module__,
                "mro": [c.__name__ for c in cls.__mro__],
                "args": [repr(a) for a in obj.args],
                "str": str(obj),
                "remote_tb": getattr(obj, "_remote_tb", None)}
    return {"is_exc": False, "value": plain(obj)}


def plain(obj):
    """JSON for an unboxed value; netrefs as their id pack (their repr() would
    be a request to the absent peer)."""
    if isinstance(obj, netref.BaseNetref):
        return {"netref": list(object.__getattribute__(obj, "____id_pack__"))}
    if type(obj) is tuple:
        return {"tuple": [plain(item) for item in obj]}
    return {"type": type(obj).__name__, "repr": repr(obj)}


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        data = json.load(f)
    out = {"frames": [], "messages": []}
    for frame_hex in data["frames"]:
        stream = ReadStream(bytes.fromhex(frame_hex))
        payload = Channel(stream).recv()
        out["frames"].append({"payload_hex": payload.hex(), "consumed_all": stream.pos == len(stream.data)})

    chan = CaptureChannel()
    conn = Connection(VoidService(), chan, {"sync_request_timeout": 5})
    for msg_hex in data["messages"]:
        raw = bytes.fromhex(msg_hex)
        seq, _ = brine.load(raw[1:])
        results = []
        chan.sent.clear()
        conn._request_callbacks[seq] = lambda is_exc, obj: results.append(describe(is_exc, obj))
        conn._recvlock.acquire()  # Connection.serve holds it when it calls _dispatch
        conn._dispatch(raw)
        if raw[0] == consts.MSG_REQUEST:
            conn._request_callbacks.pop(seq, None)
        entry = {"callback": results[0] if results else None, "sent_hex": [s.hex() for s in chan.sent]}
        chan.sent.clear()
        out["messages"].append(entry)
    conn._closed = True
    print(json.dumps(out))


if __name__ == "__main__":
    main()
