"""Raw-wire conformance cases for an RPyC 6.0.2 server.

Each case is a small dict:

    name      unique within its targets, "group/detail"
    targets   ("service", "classic") or one of them
    setup     steps run before the case, for their effects (not recorded):
              a Sym to resolve, ("exec", code) (classic: root.execute),
              ("callattr", obj, name, args)
    send      the message(s) sent, in order, each answered before the next:
        handler/args   a request; args are auto-boxed like rpyc's _box does
                       (a Sym becomes LABEL_LOCAL_REF, a tuple holding one
                       becomes LABEL_TUPLE, anything else LABEL_VALUE)
        args_boxed     the boxed args, sent as given (Box/Raw inside resolved)
        request        the whole (handler, args) pair, as given
        payload        the whole (seq, ...) payload, as given
        msg            the message type byte (default 1, MSG_REQUEST)
        value          for msg 2/3: the boxed reply / the exception payload
        seq            the sequence number (default: 1 for the first message,
                       2 for the second, ...)
        body           the exact frame body (message byte + brine), framed
        frame          the exact bytes to put on the socket
        compressed     frame compression flag (the body is zlib-compressed)
        flusher        the byte after the body (default b"\\n")
        trailing       bytes appended after the brine payload
        truncate       cut the body to this many bytes
        no_wait        do not wait for an answer to this message
        wait_only      send nothing, wait for one more answer
    norm      how a reply's value is compared: "full" (default), "type" (only
              its type / reference type), "kind" (only reply/exception and the
              exception type), "unpickle" (bytes unpickled), "inspect" (the
              sorted method names of a HANDLE_INSPECT answer), "dir" (the
              sorted names of a HANDLE_DIR answer, without __slotnames__)
    exc_args  compare the exception's args too (only where they are
              deterministic and meaningful)
    note      why the case exists / what rpyc does

Placeholders (wire.py resolves them per connection, after the GETROOT
handshake): ROOT, ATTR(obj, name), EVAL(expr) (classic), CALLATTR(obj, name,
args), BOGUS (an id pack never issued: ("builtins.object", 1, 3)), FORGED (the
root's id pack with object id + 16); IDPACK(sym) is a symbol's raw id pack as a
plain value; Box(label, value) an explicit box; Raw(x) sent as is.
"""
import struct

from rpyc.core import brine

from wire import Box, IdPack, Raw, Sym

BOTH = ("service", "classic")
SERVICE = ("service",)
CLASSIC = ("classic",)

ROOT = Sym("root")
BOGUS = Sym("bogus")
FORGED = Sym("forged")


def ATTR(obj, name):
    return Sym("attr", obj, name)


def EVAL(expr):
    return Sym("eval", expr)


def CALLATTR(obj, name, args=()):
    return Sym("callattr", obj, name, tuple(args))


IDPACK = IdPack

HANDLERS = {
    1: "PING", 2: "CLOSE", 3: "GETROOT", 4: "GETATTR", 5: "DELATTR", 6: "SETATTR",
    7: "CALL", 8: "CALLATTR", 9: "REPR", 10: "STR", 11: "CMP", 12: "HASH", 13: "DIR",
    14: "PICKLE", 15: "DEL", 16: "INSPECT", 17: "BUFFITER", 18: "OLDSLICING",
    19: "CTXEXIT", 20: "INSTANCECHECK",
}
H = {v: k for k, v in HANDLERS.items()}
PING, CLOSE, GETROOT, GETATTR, DELATTR, SETATTR = 1, 2, 3, 4, 5, 6
CALL, CALLATTR_, REPR, STR, CMP, HASH, DIR = 7, 8, 9, 10, 11, 12, 13
PICKLE, DEL, INSPECT, BUFFITER, OLDSLICING, CTXEXIT, INSTANCECHECK = 14, 15, 16, 17, 18, 19, 20

CLIENT_LIST = ("builtins.list", 1, 2)          # a client object of a builtin class
CLIENT_THING = ("client.Thing", 11, 12)        # a client object of an unknown class
VINEGAR_VALUE_ERROR = (("builtins", "ValueError"), ("boom",), (), "client traceback")

CASES = []


def case(name, *send, targets=BOTH, **extra):
    c = {"name": name, "targets": tuple(targets), "send": list(send)}
    c.update(extra)
    CASES.append(c)
    return c


def req(handler, *args, **kw):
    m = {"handler": handler, "args": args}
    m.update(kw)
    return m


def boxed(handler, args_boxed, **kw):
    m = {"handler": handler, "args_boxed": args_boxed}
    m.update(kw)
    return m


# ---------------------------------------------------------------------------
# 1. arity sweep: every handler with 0..5 plain int arguments, and with the
#    root followed by 0..4 ints. Only the kind and exception type compared.
# ---------------------------------------------------------------------------
for h, hname in HANDLERS.items():
    for n in range(6):
        case(f"arity/{hname}/ints{n}", req(h, *range(1, n + 1)), norm="kind")
    for n in range(1, 6):
        case(f"arity/{hname}/root+ints{n - 1}", req(h, ROOT, *range(1, n)), norm="kind")

# ---------------------------------------------------------------------------
# 2. HANDLE_PING (1): every brine value type echoes
# ---------------------------------------------------------------------------
PING_VALUES = {
    "none": None, "true": True, "false": False, "zero": 0, "minus1": -1,
    "imm_max": 0x9f - 0x50, "imm_min": -0x30, "imm_edges": (-49, 160, 255, 256),
    "int_2e64": 2 ** 64, "int_neg_2e100": -(2 ** 100),
    "int_4300_digits": 10 ** 4299, "float": 1.5, "float_inf": float("inf"),
    "float_nan": float("nan"), "float_negzero": -0.0, "complex": 1 + 2j,
    "bytes_empty": b"", "bytes_bin": b"\x00\xff\n", "bytes_300": b"b" * 300,
    "str_empty": "", "str_unicode": "ñandú ✓ 𝄞", "str_300": "s" * 300,
    "str_5000_compressed_reply": "c" * 5000, "str_100k": "k" * 100_000,
    "tuple_empty": (), "tuple_nested": (1, (2, (3, ()))), "tuple_300": tuple(range(300)),
    "frozenset": frozenset({1, 2, 3}), "frozenset_str": frozenset({"a", "b", "c"}),
    "frozenset_empty": frozenset(), "slice": slice(1, None, -1), "notimplemented": NotImplemented,
    "ellipsis": Ellipsis,
}
for label, value in PING_VALUES.items():
    case(f"ping/value/{label}", req(PING, value))


def nest(depth):
    v = ()
    for _ in range(depth):
        v = (v,)
    return v


case("ping/value/nested_depth_100", req(PING, nest(100)))
case("ping/value/nested_depth_300", req(PING, nest(300)),
     note="rpyc's recursive brine copes with 300 levels")
case("ping/value/int_4301_digits", req(PING, 10 ** 4300),
     note="CPython refuses int('...') of more than 4300 digits while loading: "
          "rpyc closes the connection (after sending HANDLE_CLOSE)")
for label, seq in {"0": 0, "2e64": 2 ** 64, "2e100": 2 ** 100, "minus1": -1,
                   "neg_2e70": -(2 ** 70), "str": "abc", "none": None, "float": 1.5,
                   "true": True, "tuple": (1, 2), "bytes": b"x"}.items():
    case(f"ping/seq/{label}", req(PING, "s", seq=seq),
         note="rpyc echoes any sequence number, whatever its type")
case("ping/args_value_str1", boxed(PING, Box(1, "a")),
     note="args is LABEL_VALUE 'a': *'a' -> ping('a')")
case("ping/args_value_str2", boxed(PING, Box(1, "ab")), norm="kind")
case("ping/args_value_bytes", boxed(PING, Box(1, b"a")),
     note="*b'a' -> ping(97)")
case("ping/args_value_int", boxed(PING, Box(1, 5)), norm="kind")
case("ping/args_value_none", boxed(PING, Box(1, None)), norm="kind")
case("ping/args_value_frozenset", boxed(PING, Box(1, frozenset({"x"}))))
case("ping/args_label_tuple", boxed(PING, Box(2, ((1, "x"),))))
case("ping/args_nested_label_tuples", boxed(PING, Box(2, ((2, ((2, ((1, "x"),)),)),))))
case("ping/value_holding_local_ref_shape", boxed(PING, Box(1, ((3, IDPACK(ROOT)),))),
     note="a LOCAL_REF-shaped tuple inside LABEL_VALUE is just a value")
case("ping/client_ref_builtin", req(PING, Box(4, CLIENT_LIST)),
     note="a client object comes back as LABEL_LOCAL_REF; builtin class: no INSPECT")
case("ping/client_ref_custom_class", req(PING, Box(4, CLIENT_THING)),
     note="unknown class: the server asks HANDLE_INSPECT first")
case("ping/client_ref_twice", boxed(PING, Box(2, ((2, ((4, CLIENT_THING), (4, CLIENT_THING))),))))
case("ping/client_ref_int_name", req(PING, Box(4, (1, 2, 3))),
     note="rpyc str()s the name: ('1', 2, 3)")
case("ping/client_ref_str_ids", req(PING, Box(4, ("builtins.int", "x", "y"))))


def frame(body):
    return struct.pack("!LB", len(body), 0) + body + b"\n"


case("ping/two_in_one_write",
     {"frame": frame(b"\x01" + brine.dump((7, (1, (1, ("a",)))))) +
      frame(b"\x01" + brine.dump((8, (1, (1, ("b",)))))),
      "seq": 7},
     {"wait_only": True, "seq": 8},
     note="two frames in one TCP write, answered in order")

# ---------------------------------------------------------------------------
# 3. HANDLE_CLOSE (2), HANDLE_GETROOT (3)
# ---------------------------------------------------------------------------
case("close/valid", req(CLOSE), note="rpyc cleans up and cannot send the reply: closed")
case("close/then_ping", req(CLOSE), req(PING, "x"))
case("close/args_value_empty_str", boxed(CLOSE, Box(1, "")))
case("getroot/valid", req(GETROOT))
case("getroot/twice", req(GETROOT), req(GETROOT))
case("getroot/args_value_empty_str", boxed(GETROOT, Box(1, "")), note="*'' -> no args")
case("getroot/args_empty_label_tuple", boxed(GETROOT, Box(2, ())))

# ---------------------------------------------------------------------------
# 4. HANDLE_GETATTR (4)
# ---------------------------------------------------------------------------
for label, name in {"exposed_method": "get_answer", "exposed_prefixed": "exposed_get_answer",
                    "exposed_attr": "the_real_answer_though", "not_exposed": "get_question",
                    "dunder_class": "__class__", "dunder_dict": "__dict__", "safe_doc": "__doc__",
                    "safe_str": "__str__", "safe_eq": "__eq__", "missing_exposed": "exposed_nope",
                    "missing": "nope", "unicode": "ñandú", "unicode_exposed": "exposed_ñ",
                    "empty": "", "service_aliases": "get_service_aliases",
                    "service_name": "exposed_get_service_name", "on_connect": "on_connect",
                    "private": "_protocol"}.items():
    case(f"getattr/service/{label}", req(GETATTR, ROOT, name), targets=SERVICE, exc_args=True)
case("getattr/bytes_name", req(GETATTR, ROOT, b"__doc__"), note="bytes names are utf-8 decoded")
case("getattr/bytes_name_invalid_utf8", req(GETATTR, ROOT, b"\xff"))
case("getattr/name_int", req(GETATTR, ROOT, 5), exc_args=True)
case("getattr/name_none", req(GETATTR, ROOT, None), exc_args=True)
case("getattr/name_tuple", req(GETATTR, ROOT, ("a",)), exc_args=True)
case("getattr/value_obj_public", req(GETATTR, 42, "real"), exc_args=True)
case("getattr/value_obj_safe", req(GETATTR, 42, "__add__"))
case("getattr/value_str_safe", req(GETATTR, "abc", "__len__"))
case("getattr/bogus", req(GETATTR, BOGUS, "x"), exc_args=True)
case("getattr/forged", req(GETATTR, FORGED, "x"), exc_args=True)
case("getattr/local_ref_not_tuple", boxed(GETATTR, Box(2, (Box(3, "x"), (1, "y")))), exc_args=True)
case("getattr/local_ref_int", boxed(GETATTR, Box(2, (Box(3, 5), (1, "y")))), exc_args=True)
case("getattr/local_ref_empty", boxed(GETATTR, Box(2, (Box(3, ()), (1, "y")))), exc_args=True)
case("getattr/client_ref", req(GETATTR, Box(4, CLIENT_LIST), "__doc__"),
     note="the server asks the client for the attribute")
case("getattr/service/method_name_attr", req(GETATTR, ATTR(ROOT, "get_answer"), "__name__"),
     targets=SERVICE, exc_args=True)
for label, name in {"eval": "eval", "namespace": "namespace", "private_conn": "_conn",
                    "dunder_class": "__class__", "missing": "nope",
                    "exposed_prefix": "exposed_eval", "unicode": "ñ"}.items():
    case(f"getattr/classic/{label}", req(GETATTR, ROOT, name), targets=CLASSIC)
case("getattr/classic/module_attr", req(GETATTR, EVAL("__import__('math')"), "pi"), targets=CLASSIC)
case("getattr/classic/builtin_name", req(GETATTR, EVAL("len"), "__name__"), targets=CLASSIC)

# ---------------------------------------------------------------------------
# 5. HANDLE_DELATTR (5), HANDLE_SETATTR (6)
# ---------------------------------------------------------------------------
case("delattr/root_exposed", req(DELATTR, ROOT, "the_real_answer_though"), exc_args=True,
     note="Service._rpyc_delattr: AttributeError('access denied')")
case("delattr/root_missing", req(DELATTR, ROOT, "nope"), exc_args=True)
case("delattr/name_int", req(DELATTR, ROOT, 5), exc_args=True)
case("delattr/value_obj", req(DELATTR, 42, "real"))
case("delattr/bogus", req(DELATTR, BOGUS, "x"), exc_args=True)
case("setattr/root", req(SETATTR, ROOT, "x", 1), exc_args=True)
case("setattr/root_ref_value", req(SETATTR, ROOT, "x", ROOT), exc_args=True)
case("setattr/name_int", req(SETATTR, ROOT, 1, 1), exc_args=True)
case("setattr/value_obj", req(SETATTR, 42, "real", 1))
case("setattr/bogus", req(SETATTR, BOGUS, "x", 1), exc_args=True)
CLASSIC_OBJ = ("exec", "class C(object):\n    pass\nc = C()\nc.x = 1")
case("delattr/classic/attr", req(DELATTR, EVAL("c"), "x"), req(DELATTR, EVAL("c"), "x"),
     targets=CLASSIC, setup=[CLASSIC_OBJ])
case("setattr/classic/attr_then_get", req(SETATTR, EVAL("c"), "y", 5), req(GETATTR, EVAL("c"), "y"),
     targets=CLASSIC, setup=[CLASSIC_OBJ])
case("setattr/classic/ref_value", req(SETATTR, EVAL("c"), "z", ROOT), req(GETATTR, EVAL("c"), "z"),
     targets=CLASSIC, setup=[CLASSIC_OBJ])
case("setattr/classic/unicode_name", req(SETATTR, EVAL("c"), "ñ", 1), req(GETATTR, EVAL("c"), "ñ"),
     targets=CLASSIC, setup=[CLASSIC_OBJ])
case("setattr/classic/client_ref_value", req(SETATTR, EVAL("c"), "w", Box(4, CLIENT_THING)),
     req(GETATTR, EVAL("c"), "w"), targets=CLASSIC, setup=[CLASSIC_OBJ],
     note="the stored client object comes back as LABEL_LOCAL_REF")

# ---------------------------------------------------------------------------
# 6. HANDLE_CALL (7)
# ---------------------------------------------------------------------------
GET_ANSWER = ATTR(ROOT, "get_answer")
case("call/service/get_answer", req(CALL, GET_ANSWER, ()), targets=SERVICE)
case("call/service/get_answer_empty_kwargs", req(CALL, GET_ANSWER, (), ()), targets=SERVICE)
case("call/service/extra_arg", req(CALL, GET_ANSWER, (1,)), targets=SERVICE)
case("call/service/kwarg", req(CALL, GET_ANSWER, (), (("x", 1),)), targets=SERVICE)
case("call/service/unicode_kwarg", req(CALL, GET_ANSWER, (), (("ñ", 1),)), targets=SERVICE)
case("call/service/args_str_empty", req(CALL, GET_ANSWER, ""), targets=SERVICE,
     note="*'' -> no args")
case("call/service/args_int", req(CALL, GET_ANSWER, 5), targets=SERVICE)
case("call/service/kwargs_int", req(CALL, GET_ANSWER, (), 5), targets=SERVICE)
case("call/service/kwargs_empty_str", req(CALL, GET_ANSWER, (), ""), targets=SERVICE,
     note="dict('') == {}")
case("call/service/kwargs_not_pairs", req(CALL, GET_ANSWER, (), (("a",),)), targets=SERVICE)
case("call/service/aliases", req(CALL, ATTR(ROOT, "get_service_aliases"), ()), targets=SERVICE)
case("call/service/format", req(CALL, ATTR(ROOT, "__format__"), ("",)), targets=SERVICE)
case("call/root_not_callable", req(CALL, ROOT, ()))
case("call/value_not_callable", req(CALL, 42, ()))
case("call/bogus", req(CALL, BOGUS, ()), exc_args=True)
case("call/client_ref", req(CALL, Box(4, CLIENT_THING), (1,)),
     note="calling a client object calls back (HANDLE_CALL)")
case("call/classic/kwargs_dict", req(CALL, EVAL("dict"), (), (("a", 1), ("ñ", 2))),
     req(REPR, EVAL("dict")), targets=CLASSIC)
case("call/classic/args_and_kwargs",
     req(CALL, EVAL("lambda *a, **k: (a, tuple(sorted(k.items())))"), (1, "x"), (("b", 2), ("a", 1))),
     targets=CLASSIC)
case("call/classic/no_kwargs_arg", req(CALL, EVAL("len"), ("abc",)), targets=CLASSIC,
     note="HANDLE_CALL with 2 args: rpyc's _handle_call defaults kwargs to ()")
case("callattr/classic/no_kwargs_arg", req(CALLATTR_, EVAL("[3, 1, 2]"), "copy", ()), targets=CLASSIC,
     note="HANDLE_CALLATTR with 3 args: rpyc's _handle_callattr defaults kwargs to ()")
case("call/classic/len", req(CALL, EVAL("len"), ("abc",), ()), targets=CLASSIC)
case("call/classic/divmod_bigint", req(CALL, EVAL("divmod"), (2 ** 100, 7), ()), targets=CLASSIC)
case("call/classic/raises", req(CALL, EVAL("lambda: 1/0"), (), ()), targets=CLASSIC)
case("call/classic/stop_iteration", req(CALL, EVAL("iter(()).__next__"), (), ()), targets=CLASSIC,
     note="StopIteration travels as the bare int 1 (EXC_STOP_ITERATION)")
case("call/classic/type_of_root", req(CALL, EVAL("type"), (ROOT,), ()), targets=CLASSIC)
case("call/classic/identity_client_ref", req(CALL, EVAL("lambda x: x"), (Box(4, CLIENT_LIST),), ()),
     targets=CLASSIC)
case("call/classic/int_limit", req(CALL, EVAL("int"), ("9" * 5000,), ()), targets=CLASSIC)
case("call/classic/huge_int_result", req(CALL, EVAL("pow"), (2, 20000), ()), targets=CLASSIC,
     note="the result cannot be str()-ed for brine: rpyc fails while sending the reply")
case("call/classic/ref_kwarg_value", req(CALL, EVAL("lambda **k: type(k['r']).__name__"), (),
                                         (("r", ROOT),)), targets=CLASSIC)

# ---------------------------------------------------------------------------
# 7. HANDLE_CALLATTR (8)
# ---------------------------------------------------------------------------
for label, (name, args, kwargs) in {
        "get_answer": ("get_answer", (), ()), "exposed_get_answer": ("exposed_get_answer", (), ()),
        "get_answer_no_kwargs": ("get_answer", (), None), "get_question": ("get_question", (), ()),
        "attr_not_callable": ("the_real_answer_though", (), ()),
        "extra_arg": ("get_answer", (1,), ()), "kwarg": ("get_answer", (), (("a", 1),)),
        "repr": ("__repr__", (), ()), "eq_self": ("__eq__", (ROOT,), ()),
        "eq_int": ("__eq__", (1,), ()), "service_name": ("get_service_name", (), ()),
        "format_bad_spec": ("__format__", ("x",), ()), "len_missing": ("__len__", (), ()),
        "init_subclass": ("__init_subclass__", (), ()), "args_int": ("get_answer", 5, ()),
        "unicode_name": ("exposed_ñ", (), ()), "bytes_name": (b"get_answer", (), ()),
}.items():
    args_ = (ROOT, name, args) if kwargs is None else (ROOT, name, args, kwargs)
    case(f"callattr/service/{label}", req(CALLATTR_, *args_), targets=SERVICE,
         exc_args=label != "args_int")
case("callattr/service/hash", req(CALLATTR_, ROOT, "__hash__", ()), targets=SERVICE, norm="type")
case("callattr/value_upper", req(CALLATTR_, "abc", "upper", ()))
case("callattr/value_safe", req(CALLATTR_, 5, "__add__", (2,)))
case("callattr/name_int", req(CALLATTR_, ROOT, 5, ()), exc_args=True)
case("callattr/bogus", req(CALLATTR_, BOGUS, "x", ()), exc_args=True)
for label, expr in {"int": "1+1", "bigint": "2**100", "neg_bigint": "-(2**70)",
                    "unicode": "'ñ'*3", "bytes": "b'\\x00'", "none": "None",
                    "tuple_with_list": "(1, [2])", "frozenset": "frozenset({1, 2})",
                    "complex": "1.5j", "nan": "float('nan')", "slice": "slice(1, 2)",
                    "ellipsis": "...", "notimplemented": "NotImplemented", "list": "[1, 2, 3]",
                    "dict": "{}", "object": "object()", "builtin_function": "len",
                    "class_int": "int", "function": "lambda: 0", "generator": "(i for i in ())",
                    "module": "__import__('sys')",
                    "exception_instance": "ValueError('x')", "set": "{1}", "bytearray": "bytearray(b'a')",
                    "zero_division": "1/0", "name_error": "undefined_name", "syntax_error": "(",
                    "key_error": "{}['k']"}.items():
    case(f"callattr/classic/eval_{label}", req(CALLATTR_, ROOT, "eval", (expr,)), targets=CLASSIC)
case("callattr/classic/eval_dynamic_class_instance", req(CALLATTR_, ROOT, "eval", ("type('X', (), {})()",)),
     targets=CLASSIC,
     note="the class has no __module__ (the namespace has no __name__): rpyc's get_id_pack raises "
          "AttributeError while boxing the reply, outside the handler, and the connection ends")
case("callattr/classic/eval_not_str", req(CALLATTR_, ROOT, "eval", (5,)), targets=CLASSIC)
case("callattr/classic/execute", req(CALLATTR_, ROOT, "execute", ("x = 5",)),
     req(CALLATTR_, ROOT, "eval", ("x",)), targets=CLASSIC)
case("callattr/classic/getmodule", req(CALLATTR_, ROOT, "getmodule", ("sys",)), targets=CLASSIC)
case("callattr/classic/getmodule_tuple", req(CALLATTR_, ROOT, "getmodule", (("os", "path"),)),
     targets=CLASSIC)
case("callattr/classic/getmodule_missing", req(CALLATTR_, ROOT, "getmodule", ("no_such_mod_xyz",)),
     targets=CLASSIC)
case("callattr/classic/kwargs_unicode",
     req(CALLATTR_, EVAL("dict"), "fromkeys", (("ñ",),), ()), targets=CLASSIC)

# ---------------------------------------------------------------------------
# 8. HANDLE_REPR (9), HANDLE_STR (10)
# ---------------------------------------------------------------------------
for hname, h in (("repr", REPR), ("str", STR)):
    case(f"{hname}/root", req(h, ROOT))
    case(f"{hname}/int", req(h, 42))
    case(f"{hname}/bigint", req(h, 2 ** 100))
    case(f"{hname}/unicode", req(h, "ñ𝄞"))
    case(f"{hname}/bytes", req(h, b"\x00x"))
    case(f"{hname}/float_nan", req(h, float("nan")))
    case(f"{hname}/tuple", req(h, (1, "a", None)))
    case(f"{hname}/frozenset_empty", req(h, frozenset()))
    case(f"{hname}/bogus", req(h, BOGUS), exc_args=True)
    case(f"{hname}/client_ref", req(h, Box(4, CLIENT_LIST)),
         note="the server asks the client (HANDLE_REPR / HANDLE_STR)")
    case(f"{hname}/bound_method", req(h, GET_ANSWER), targets=SERVICE)
    case(f"{hname}/classic/list", req(h, EVAL("[1, 'a']")), targets=CLASSIC)
    case(f"{hname}/classic/exception", req(h, EVAL("ValueError('boom')")), targets=CLASSIC)

# ---------------------------------------------------------------------------
# 9. HANDLE_CMP (11)
# ---------------------------------------------------------------------------
for label, args in {"default_op": (1, 2), "lt": (1, 2, "__lt__"), "eq": (1, 1, "__eq__"),
                    "lt_mixed": (1, "a", "__lt__"), "root_eq_root": (ROOT, ROOT, "__eq__"),
                    "root_ne_root": (ROOT, ROOT, "__ne__"), "root_eq_int": (ROOT, 1, "__eq__"),
                    "unknown_op": (1, 2, "__foo__"), "public_op": (1, 2, "bit_length"),
                    "op_int": (1, 2, 5), "str_lt": ("a", "b", "__lt__"),
                    "tuple_lt": ((1, 2), (1, 3), "__lt__"), "add": (1, 2, "__add__"),
                    "bigint_gt": (2 ** 100, 2 ** 99, "__gt__"), "bogus": (BOGUS, 1, "__eq__"),
                    "client_ref": (1, Box(4, CLIENT_LIST), "__eq__"),
                    # What a netref's __cmp__ sends (the op defaults to it).
                    "root_cmp_root": (ROOT, ROOT, "__cmp__"), "root_default_op": (ROOT, ROOT),
                    "root_lt_root": (ROOT, ROOT, "__lt__")}.items():
    case(f"cmp/{label}", req(CMP, *args),
         exc_args=label in ("op_int", "bogus", "root_cmp_root", "root_default_op"))

# ---------------------------------------------------------------------------
# 10. HANDLE_HASH (12), HANDLE_DIR (13)
# ---------------------------------------------------------------------------
for label, value in {"int": 42, "minus1": -1, "tuple": (1, 2), "bigint": 2 ** 100,
                     "float": 1.5, "frozenset": frozenset({1}), "true": True}.items():
    case(f"hash/{label}", req(HASH, value))
case("hash/root", req(HASH, ROOT), norm="type")
case("hash/str", req(HASH, "abc"), norm="type")
case("hash/bogus", req(HASH, BOGUS), exc_args=True)
case("hash/client_ref", req(HASH, Box(4, CLIENT_LIST)), note="asks the client (HANDLE_HASH)")
case("hash/classic/unhashable", req(HASH, EVAL("[1]")), targets=CLASSIC)
case("dir/root", req(DIR, ROOT), norm="dir")
case("dir/int", req(DIR, 42), norm="type")
case("dir/bogus", req(DIR, BOGUS), exc_args=True)
case("dir/bound_method", req(DIR, GET_ANSWER), targets=SERVICE, norm="type")
case("dir/classic/instance", req(DIR, EVAL("c")), targets=CLASSIC, setup=[CLASSIC_OBJ], norm="dir")

# ---------------------------------------------------------------------------
# 11. HANDLE_PICKLE (14)
# ---------------------------------------------------------------------------
case("pickle/service/root", req(PICKLE, ROOT, 4), targets=SERVICE, exc_args=True)
case("pickle/service/value", req(PICKLE, 42, 2), targets=SERVICE, exc_args=True)
case("pickle/classic/int", req(PICKLE, 42, 2), targets=CLASSIC, norm="unpickle")
case("pickle/classic/list", req(PICKLE, EVAL("[1, 'a', (2,)]"), 4), targets=CLASSIC, norm="unpickle")
case("pickle/classic/highest", req(PICKLE, "ñ", -1), targets=CLASSIC, norm="unpickle")
case("pickle/classic/bad_protocol", req(PICKLE, 42, 99), targets=CLASSIC)
case("pickle/classic/proto_str", req(PICKLE, 42, "x"), targets=CLASSIC)
case("pickle/classic/lambda", req(PICKLE, EVAL("lambda: 0"), 2), targets=CLASSIC)

# ---------------------------------------------------------------------------
# 12. HANDLE_DEL (15)
# ---------------------------------------------------------------------------
case("del/root_count1", req(DEL, ROOT, 1), req(REPR, ROOT), exc_args=True,
     note="the handshake's GETROOT holds one reference; count 1 drops it")
case("del/root_default_count", req(DEL, ROOT), req(REPR, ROOT), exc_args=True)
case("del/root_count0", req(DEL, ROOT, 0), req(REPR, ROOT))
case("del/root_negative", req(DEL, ROOT, -1), req(DEL, ROOT, 1), req(REPR, ROOT),
     note="rpyc: a negative count raises the refcount")
case("del/root_huge_count", req(DEL, ROOT, 2 ** 70), req(REPR, ROOT))
case("del/root_twice", req(DEL, ROOT, 1), req(DEL, ROOT, 1), exc_args=True)
case("del/after_second_getroot", req(GETROOT), req(DEL, ROOT, 1), req(REPR, ROOT),
     req(DEL, ROOT, 1), req(REPR, ROOT), exc_args=True)
case("del/count_str", req(DEL, ROOT, "x"))
case("del/count_none", req(DEL, ROOT, None))
case("del/count_float", req(DEL, ROOT, 0.5), req(REPR, ROOT))
case("del/bogus", req(DEL, BOGUS), exc_args=True, note="an id the server does not hold")
case("del/forged", req(DEL, FORGED, 1), exc_args=True)
case("del/value", req(DEL, 42))
case("del/attr_then_call", req(DEL, GET_ANSWER), req(CALL, GET_ANSWER, ()), targets=SERVICE)
case("del/client_ref", req(DEL, Box(4, CLIENT_LIST)))

# ---------------------------------------------------------------------------
# 13. HANDLE_INSPECT (16)
# ---------------------------------------------------------------------------
case("inspect/root_full", req(INSPECT, IDPACK(ROOT)), targets=SERVICE)
case("inspect/root_names", req(INSPECT, IDPACK(ROOT)), norm="inspect")
case("inspect/local_ref_not_idpack", req(INSPECT, ROOT))
case("inspect/bogus", req(INSPECT, IDPACK(BOGUS)), exc_args=True)
case("inspect/int", req(INSPECT, 5), exc_args=True)
case("inspect/short_tuple", req(INSPECT, ("x",)), exc_args=True)
case("inspect/bound_method", req(INSPECT, IDPACK(GET_ANSWER)), targets=SERVICE, norm="inspect")
case("inspect/classic/list", req(INSPECT, IDPACK(EVAL("[1]"))), targets=CLASSIC, norm="inspect")
case("inspect/classic/class", req(INSPECT, IDPACK(EVAL("C"))), targets=CLASSIC, norm="inspect",
     setup=[CLASSIC_OBJ])

# ---------------------------------------------------------------------------
# 14. HANDLE_BUFFITER (17)
# ---------------------------------------------------------------------------
for label, args in {"str3": ("abcdef", 3), "more_than_len": ("abc", 10), "zero": ("abc", 0),
                    "negative": ("abc", -1), "none": ("abc", None), "huge": ("abc", 2 ** 70),
                    "count_str": ("abc", "2"), "count_float": ("abc", 1.5), "count_true": ("abc", True),
                    "tuple": ((1, 2, 3), 2), "bytes": (b"ab", 5), "frozenset": (frozenset({5}), 1),
                    "int_not_iterable": (42, 1), "root": (ROOT, 1), "bogus": (BOGUS, 1)}.items():
    case(f"buffiter/{label}", req(BUFFITER, *args), exc_args=label in ("bogus", "root"))
case("buffiter/classic/iterator", req(BUFFITER, EVAL("iter(range(10))"), 4),
     req(BUFFITER, EVAL("iter(range(10))"), 100), req(BUFFITER, EVAL("iter(range(10))"), 1),
     targets=CLASSIC)
case("buffiter/classic/generator", req(BUFFITER, EVAL("(i*i for i in range(5))"), 10), targets=CLASSIC)
case("buffiter/classic/refs", req(BUFFITER, EVAL("iter([[1], 2])"), 2), targets=CLASSIC)
case("buffiter/classic/raises", req(BUFFITER, EVAL("(1/0 for i in range(3))"), 2), targets=CLASSIC)

# ---------------------------------------------------------------------------
# 15. HANDLE_OLDSLICING (18)
# ---------------------------------------------------------------------------
GS = ("__getitem__", "__getslice__")
for label, args in {"str": ("abcdef",) + GS + (1, 3, ()), "tuple_open": ((1, 2, 3),) + GS + (0, None, ()),
                    "bad_attempt": ("abc", "nope", "__getslice__", 0, 1, ()),
                    "str_bounds": ("abc",) + GS + ("a", "b", ()),
                    "extra_args": ("abc",) + GS + (0, 2, (1,)),
                    "args_int": ("abc",) + GS + (0, 2, 5),
                    "negative": ("abcdef",) + GS + (-3, -1, ()),
                    "bigint_bounds": ("abc",) + GS + (-(2 ** 100), 2 ** 100, ()),
                    "root": (ROOT,) + GS + (0, 1, ()), "bogus": (BOGUS,) + GS + (0, 1, ())}.items():
    case(f"oldslicing/{label}", req(OLDSLICING, *args), exc_args=label == "bogus")
case("oldslicing/classic/list", req(OLDSLICING, EVAL("[0, 1, 2, 3]"), *GS, 1, 3, ()), targets=CLASSIC)
case("oldslicing/classic/delitem",
     req(OLDSLICING, EVAL("l"), "__delitem__", "__delslice__", 0, 2, ()), req(REPR, EVAL("l")),
     targets=CLASSIC, setup=[("exec", "l = [0, 1, 2, 3]")])
case("oldslicing/classic/setitem",
     req(OLDSLICING, EVAL("l"), "__setitem__", "__setslice__", 0, 1, (("x",),)), req(REPR, EVAL("l")),
     targets=CLASSIC, setup=[("exec", "l = [0, 1, 2, 3]")])

# ---------------------------------------------------------------------------
# 16. HANDLE_CTXEXIT (19)
# ---------------------------------------------------------------------------
case("ctxexit/root_none", req(CTXEXIT, ROOT, None))
case("ctxexit/root_int", req(CTXEXIT, ROOT, 5))
case("ctxexit/value_none", req(CTXEXIT, 42, None))
case("ctxexit/bogus", req(CTXEXIT, BOGUS, None), exc_args=True)
CM = ("exec", "class CM(object):\n"
              "    def __exit__(self, a, b, c):\n"
              "        return (a is None, b is None, c is None, getattr(a, '__name__', None),"
              " type(b).__name__)\n"
              "cm = CM()")
for label, exc in {"none": None, "false": False, "zero": 0,
                   "exception_instance": EVAL("ValueError('x')"),
                   "exception_class": EVAL("KeyError"), "int": 5, "client_ref": Box(4, CLIENT_THING)}.items():
    case(f"ctxexit/classic/{label}", req(CTXEXIT, EVAL("cm"), exc), targets=CLASSIC, setup=[CM])
case("ctxexit/classic/nullcontext", req(CTXEXIT, EVAL("__import__('contextlib').nullcontext()"), None),
     targets=CLASSIC)
case("ctxexit/classic/unlocked_lock", req(CTXEXIT, EVAL("__import__('threading').Lock()"), None),
     targets=CLASSIC)

# ---------------------------------------------------------------------------
# 17. HANDLE_INSTANCECHECK (20)
# ---------------------------------------------------------------------------
case("instancecheck/root_builtin_pack", req(INSTANCECHECK, ROOT, ("builtins.object", 1, 0)))
case("instancecheck/root_own_pack", req(INSTANCECHECK, ROOT, IDPACK(ROOT)),
     note="rpyc: a non-builtin name the server has no netref class for -> False")
for label, name in {"exception": "builtins.Exception", "base_exception": "builtins.BaseException",
                    "value_error": "builtins.ValueError", "os_error": "builtins.OSError",
                    "function": "builtins.function", "dotted_error": "os.Error"}.items():
    case(f"instancecheck/root_{label}_pack", req(INSTANCECHECK, ROOT, (name, 1, 0)),
         note="rpyc: a proxy of a name in netref._builtin_types (TypeError for a "
              "non-class target); any other name misses its caches -> False")
case("instancecheck/pack_int", req(INSTANCECHECK, ROOT, 5))
case("instancecheck/pack_short", req(INSTANCECHECK, ROOT, ("a",)))
case("instancecheck/pack_empty", req(INSTANCECHECK, ROOT, ()))
case("instancecheck/value_obj", req(INSTANCECHECK, 42, ("builtins.int", 1, 2)))
case("instancecheck/bogus", req(INSTANCECHECK, BOGUS, ("builtins.int", 1, 2)), exc_args=True)
BASES = ("exec", "class Base(object):\n    pass\nclass Child(Base):\n    pass\nchild = Child()")
for label, (cls, pack) in {"int_builtin": ("int", ("builtins.int", 1, 2)),
                           "object_builtin": ("object", ("builtins.int", 1, 2)),
                           "str_builtin": ("str", ("builtins.int", 1, 2)),
                           "int_list_obj": ("int", IDPACK(EVAL("[1]"))),
                           "list_list_obj": ("list", IDPACK(EVAL("[1]"))),
                           "remote_base": ("Base", IDPACK(EVAL("child"))),
                           "remote_same_class": ("Child", IDPACK(EVAL("child"))),
                           "not_a_class": ("len", ("builtins.int", 1, 2))}.items():
    case(f"instancecheck/classic/{label}", req(INSTANCECHECK, EVAL(cls), pack), targets=CLASSIC,
         setup=[BASES])

# ---------------------------------------------------------------------------
# 18. unknown handler ids
# ---------------------------------------------------------------------------
for label, h in {"0": 0, "21": 21, "255": 255, "minus1": -1, "2e70": 2 ** 70, "str": "ping",
                 "none": None, "float_20_5": 20.5, "tuple": (1,)}.items():
    case(f"handler/unknown/{label}", req(h, "x"), exc_args=True,
         note="rpyc: KeyError(handler) from its handler table")
case("handler/float_1_0", req(1.0, "x"), note="rpyc's dict lookup: 1.0 == 1 is HANDLE_PING")
case("handler/true", req(True, "x"), note="True == 1 is HANDLE_PING")

# ---------------------------------------------------------------------------
# 19. boxing: labels and shapes
# ---------------------------------------------------------------------------
for label, lab in {"0": 0, "5": 5, "minus1": -1, "str": "x", "none": None, "2e70": 2 ** 70}.items():
    case(f"boxing/unknown_label/{label}", boxed(PING, Box(lab, ("x",))), exc_args=True,
         note="rpyc: ValueError('invalid label ...')")
case("boxing/unknown_label_nested", boxed(PING, Box(2, ((9, 1),))), exc_args=True)
case("boxing/args_int", boxed(PING, Raw(5)))
case("boxing/args_one_item", boxed(PING, Raw((1,))))
case("boxing/args_three_items", boxed(PING, Raw((1, ("x",), 3))))
case("boxing/args_none", boxed(PING, Raw(None)))
case("boxing/label_tuple_of_int", boxed(PING, Box(2, 5)))
case("boxing/label_tuple_of_str", boxed(PING, Box(2, "ab")))
case("boxing/label_tuple_of_bad_pairs", boxed(PING, Box(2, ((1,),))))
case("boxing/local_ref_none", boxed(PING, Box(2, (Box(3, None),))), exc_args=True)
case("boxing/local_ref_in_frozenset", boxed(PING, Box(2, (Box(3, frozenset({1})),))), exc_args=True)
case("boxing/remote_ref_int", boxed(PING, Box(2, (Box(4, 5),))))
case("boxing/remote_ref_short", boxed(PING, Box(2, (Box(4, ("a",)),))))
case("boxing/remote_ref_str", boxed(PING, Box(2, (Box(4, "abc"),))),
     note="rpyc indexes the string: ('a', 'b', 'c')")
case("boxing/request_not_pair", {"request": 5})
case("boxing/request_one_item", {"request": (1,)})
case("boxing/request_three_items", {"request": (1, (1, ("x",)), 3)})
case("boxing/request_empty", {"request": ()})

# ---------------------------------------------------------------------------
# 20. messages: types, payload shapes, replies/exceptions sent to the server
# ---------------------------------------------------------------------------
for t in (0, 4, 255):
    case(f"msgtype/{t}", {"msg": t, "payload": (1, (1, (1, ("x",))))},
         note="rpyc: ValueError('invalid message type') ends the connection")
case("payload/int", {"payload": 5})
case("payload/one_item", {"payload": (1,)})
case("payload/three_items", {"payload": (1, (1, (1, ("x",))), 3)})
case("payload/none", {"payload": None})
case("reply/unknown_seq", {"msg": 2, "seq": 77, "value": (1, 42)},
     note="a reply for a seq the server never used is dropped")
case("reply/seq_0", {"msg": 2, "seq": 0, "value": (1, None)})
case("reply/bad_label", {"msg": 2, "seq": 77, "value": (9, 1)})
case("reply/local_ref_bogus", {"msg": 2, "seq": 77, "value": BOGUS})
case("reply/local_ref_root", {"msg": 2, "seq": 77, "value": ROOT})
case("reply/remote_ref", {"msg": 2, "seq": 77, "value": Box(4, CLIENT_THING)})
case("reply/not_pair", {"msg": 2, "payload": 5})
case("exception/unknown_seq", {"msg": 3, "seq": 77, "value": VINEGAR_VALUE_ERROR})
case("exception/stop_iteration", {"msg": 3, "seq": 77, "value": 1})
case("exception/string", {"msg": 3, "seq": 77, "value": "boom"})
case("exception/custom_class", {"msg": 3, "seq": 77,
                                "value": (("mymod", "MyErr"), ("x",), (("a", 1),), "tb")})
case("exception/malformed_int", {"msg": 3, "seq": 77, "value": 5})
case("exception/malformed_short", {"msg": 3, "seq": 77, "value": (("builtins", "ValueError"),)})

# ---------------------------------------------------------------------------
# 21. frames
# ---------------------------------------------------------------------------
case("frame/empty_body", {"body": b""}, note="rpyc ignores an empty frame")
case("frame/message_byte_only", {"body": b"\x01"})
case("frame/compressed_request", req(PING, "z", compressed=1))
case("frame/compressed_flag_2", req(PING, "z", compressed=2))
case("frame/compressed_garbage", {"body": b"not zlib at all", "compressed": 1})
case("frame/flusher_not_newline", req(PING, "f", flusher=b"X"),
     note="rpyc drops the byte after the body, whatever it is")
case("frame/trailing_bytes", req(PING, "t", trailing=b"\x00\x01junk"),
     note="brine.load stops after one value; rpyc ignores the rest")
case("frame/truncated_payload", req(PING, "truncated payload", truncate=8))
for tag in (0x07, 0x09, 0x1c, 0xff):
    case(f"frame/unknown_brine_tag_{tag:02x}", {"body": bytes([1, tag])})
case("frame/bad_unicode_in_str",
     {"body": b"\x01" + brine.dump((1, (1, (1, ("a",))))).replace(b"\x08\x0aa", b"\x08\x0a\xff")},
     note="(1, (1, ('\\xff' as TAG_UNICODE,))): the utf-8 decode fails while loading")
