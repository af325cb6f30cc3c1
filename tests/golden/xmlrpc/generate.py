#!/usr/bin/env python3
"""Generates the XML-RPC golden vectors from CPython's own xmlrpc.client.

    .venv/bin/python tests/golden/xmlrpc/generate.py   # rewrites vectors.json

Each vector pairs an XML document with a typed description of the values in
it. For "dumps" vectors CPython wrote the document from the values, so an
encoder must reproduce it byte for byte and a decoder must read the values
back. For "loads" vectors the document is hand-written input (extensions
CPython reads but never writes) and the values are what CPython's loads()
made of it, so a decoder must agree with CPython's reading. "refused" vectors
are documents CPython's loads() refuses, so a decoder must refuse them too.

Descriptions: {"int": n} (any size, as a decimal string when beyond 64 bits),
{"boolean": b}, {"string": s}, {"double": repr}, {"base64": hex},
{"dateTime": "YYYYMMDDTHH:MM:SS"}, {"array": [...]}, {"struct": [[k, v], ...]},
{"nil": null}, {"bigdecimal": str}.
"""
import datetime
import decimal
import json
import os
import sys
import xmlrpc.client as xc


def describe(v):
    if v is None:
        return {"nil": None}
    if isinstance(v, bool):
        return {"boolean": v}
    if isinstance(v, int):
        return {"int": v if -2**63 <= v < 2**63 else str(v)}
    if isinstance(v, float):
        return {"double": repr(v)}
    if isinstance(v, decimal.Decimal):
        return {"bigdecimal": str(v)}
    if isinstance(v, str):
        return {"string": v}
    if isinstance(v, (bytes, bytearray)):
        return {"base64": bytes(v).hex()}
    if isinstance(v, xc.Binary):
        return {"base64": v.data.hex()}
    if isinstance(v, xc.DateTime):
        return {"dateTime": v.value}
    if isinstance(v, datetime.datetime):
        return {"dateTime": v.strftime("%Y%m%dT%H:%M:%S")}
    if isinstance(v, (list, tuple)):
        return {"array": [describe(x) for x in v]}
    if isinstance(v, dict):
        return {"struct": [[k, describe(x)] for k, x in v.items()]}
    raise TypeError(type(v))


VALUES = {
    "int_zero": 0,
    "int_one": 1,
    "int_negative": -42,
    "int_max": 2**31 - 1,
    "int_min": -2**31,
    "bool_true": True,
    "bool_false": False,
    "string_empty": "",
    "string_ascii": "hello world",
    "string_escapes": "a<b>&c \"quoted\" 'single'",
    "string_whitespace": "line1\nline2\ttab  ",
    "string_unicode": "¿cuál es la velocidad de una golondrina? 日本語 🐍",
    "string_markup_like": "<value><int>1</int></value>",
    "double_zero": 0.0,
    "double_negative_zero": -0.0,
    "double_simple": 1.5,
    "double_third": 1 / 3,
    "double_big": 1e16,
    "double_huge": 1.7976931348623157e308,
    "double_small": 1e-05,
    "double_tiny": 5e-324,
    "double_integral": 123456789.0,
    "double_inf": float("inf"),
    "double_negative_inf": float("-inf"),
    "base64_empty": b"",
    "base64_short": b"\x00\x01\xfe\xff",
    "base64_multiline": bytes(range(256)) * 2,
    "datetime": xc.DateTime("19980717T14:08:55"),
    "datetime_from_datetime": datetime.datetime(2026, 11, 26, 1, 10, 20),
    "array_empty": [],
    "array_mixed": [1, "two", 3.0, True, [4, [5]], {"six": 6}],
    "struct_empty": {},
    "struct_nested": {"name": "oxrpc", "version": [0, 1], "flags": {"fast": True, "safe": True}},
    "struct_unicode_keys": {"ñandú": 1, "a&b<c>": 2},
    "nil": None,
}


def dumps_vectors():
    out = []
    for name, value in VALUES.items():
        xml = xc.dumps((value,), allow_none=True)
        out.append({"name": name, "kind": "params", "xml": xml, "values": [describe(value)]})
        resp = xc.dumps((value,), methodresponse=True, allow_none=True)
        out.append({"name": name + "_response", "kind": "response", "xml": resp,
                    "values": [describe(value)]})
    call = xc.dumps((1, "two", [3.0], {"four": 4}), methodname="oxrpc.test", allow_none=True)
    out.append({"name": "call_several_params", "kind": "call", "method": "oxrpc.test",
                "xml": call, "values": [describe(v) for v in (1, "two", [3.0], {"four": 4})]})
    call = xc.dumps((), methodname="system.listMethods")
    out.append({"name": "call_no_params", "kind": "call", "method": "system.listMethods",
                "xml": call, "values": []})
    for code, text in [(1, "<class 'Exception'>:method \"nope\" is not supported"),
                       (-32700, "parse error. not well formed"),
                       (4, "Too many parameters & <angles>")]:
        xml = xc.dumps(xc.Fault(code, text))
        out.append({"name": "fault_%d" % len(out), "kind": "fault", "xml": xml,
                    "fault": {"code": code, "string": text}})
    return out


def response_document(inner):
    """A response whose one value holds `inner`."""
    return ("<?xml version='1.0'?>\n<methodResponse><params><param><value>%s</value>"
            "</param></params></methodResponse>" % inner)


def with_head(head, inner="<string>x</string>", tail=""):
    """A whole response document with its own declaration and tail."""
    return head + response_document(inner)[len("<?xml version='1.0'?>\n"):] + tail


# Markup whose rules quick-xml leaves to its caller (names, comments,
# processing instructions, the declaration's grammar, attribute values):
# what expat accepts...
ACCEPTED_MARKUP = {
    "markup_pi_named_xml_something": with_head("<?xmlversion = '1.0' encoding='1.0'?>"),
    "markup_pi_stylesheet": response_document("<string>x<?xml-stylesheet a<b?>y</string>"),
    "markup_comment_single_dashes": response_document("<string>x<!---a- b -->y</string>"),
    "markup_attribute_values": response_document("<string a='&amp;&#65;>]]>' b = \"'\">x</string>"),
    "markup_names_with_colons": response_document("<string>x<a:b:c/><:d/>y</string>"),
    "markup_declaration_in_full": with_head("<?xml version='1.1' encoding=\"utf-8\" standalone='no' ?>"),
    "markup_declaration_any_version": with_head("<?xml version='10'?>"),
}

# ...and what it refuses.
REFUSED_MARKUP = {
    "markup_declaration_empty": with_head("<?xml?>"),
    "markup_declaration_without_version": with_head("<?xml encoding='utf-8'?>"),
    "markup_declaration_out_of_order": with_head("<?xml encoding='utf-8' version='1.0'?>"),
    "markup_declaration_unknown_attribute": with_head("<?xml version='1.0' foo='bar'?>"),
    "markup_declaration_unquoted": with_head("<?xml version=1.0?>"),
    "markup_declaration_standalone_maybe": with_head("<?xml version='1.0' standalone='maybe'?>"),
    "markup_declaration_uppercase": with_head("<?XML version='1.0'?>"),
    "markup_comment_double_dash": response_document("<string>x<!-- a -- b -->y</string>"),
    "markup_comment_ending_in_dash": response_document("<string>x<!-- a --->y</string>"),
    "markup_pi_reserved_target": response_document("<string>x<?XmL a?>y</string>"),
    "markup_pi_without_target": response_document("<string>x<? a?>y</string>"),
    "markup_attribute_lt": response_document("<string a='<'>x</string>"),
    "markup_attribute_undefined_entity": response_document("<string a='&foo;'>x</string>"),
    "markup_attributes_run_together": response_document("<string a='1'b='2'>x</string>"),
    "markup_element_name_digit": response_document("<string>x<1a/>y</string>"),
    "markup_attribute_name_digit": response_document("<string 1a='1'>x</string>"),
}


def loads_vectors():
    docs = {
        "ext_i8": "<i8>9223372036854775807</i8>",
        "ext_ex_i8": "<ex:i8>-9223372036854775808</ex:i8>",
        "ext_i1": "<ex:i1>-5</ex:i1>",
        "ext_i2": "<ex:i2>300</ex:i2>",
        "ext_biginteger": "<ex:biginteger>123456789012345678901234567890</ex:biginteger>",
        "ext_int_beyond_i64": "<int>-99999999999999999999</int>",
        "ext_nil": "<ex:nil/>",
        "ext_float": "<ex:float>2.5</ex:float>",
        "ext_bigdecimal": "<ex:bigdecimal>3.14159265358979323846</ex:bigdecimal>",
        "bare_value_is_string": "untyped text",
        "empty_value_is_string": "",
        "i4_with_spaces": "<i4> 17 </i4>",
        "double_exponent": "<double>-1.5E+3</double>",
        "base64_unwrapped": "<base64>AAEC/f7/</base64>",
        "cdata_string": "<string><![CDATA[<not & markup>]]></string>",
        "char_refs": "<string>&#65;&#x42;&#13;&amp;&lt;&gt;&quot;&apos;</string>",
        "crlf_normalised": "<string>a\r\nb\rc</string>",
        "struct_duplicate_keys": "<struct><member><name>k</name><value><int>1</int></value></member>"
                                 "<member><name>k</name><value><int>2</int></value></member></struct>",
        "array_without_data": "<array><value><int>1</int></value></array>",
        # Only a start tag clears the text gathered so far.
        "mixed_content_string": "<string>a<x>b</x>c</string>",
        # binascii.a2b_base64: bytes outside the alphabet are skipped, the
        # padding that ends a group ends the data.
        "base64_skips_junk": "<base64>!!YW!Jj!!</base64>",
        "base64_stops_at_padding": "<base64>YQ==YQ==</base64>",
        "base64_lone_pad_inside": "<base64>YW=Jj</base64>",
        # int() and float() read underscores between digits and any
        # Unicode decimal digit.
        "int_underscores": "<int>1_000</int>",
        "int_unicode_digits": "<int>\u0661\u0662</int>",
        "double_underscores": "<double>1_0.5</double>",
        "double_unicode_digits": "<double>\u0661.5</double>",
        # int()'s limit is 4,300 digits; underscores do not count.
        "int_at_digit_limit": "<int>%s_%s</int>" % ("1" * 4000, "1" * 300),
    }
    out = []
    documents = {name: response_document(inner) for name, inner in docs.items()}
    documents.update(ACCEPTED_MARKUP)
    for name, xml in documents.items():
        (value,), _ = xc.loads(xml.encode("utf-8"), use_builtin_types=True)
        out.append({"name": name, "kind": "response", "xml": xml, "values": [describe(value)]})
    return out


def refused_vectors():
    """Documents CPython's loads() refuses (a parse error or an exception)."""
    docs = {
        "boolean_with_space": "<boolean> 1</boolean>",
        "cdata_end_in_text": "<string>x]]>y</string>",
        "base64_incorrect_padding": "<base64>YWJ</base64>",
        "base64_one_extra_character": "<base64>Y</base64>",
        "base64_not_ascii": "<base64>YWJj\u00e9</base64>",
        "int_double_underscore": "<int>1__0</int>",
        "double_underscore_by_point": "<double>1_.5</double>",
        "int_not_a_number": "<int> 12x </int>",
        "double_not_a_number": "<double>0x1p3</double>",
        "bigdecimal_not_a_number": "<bigdecimal>1.2.3</bigdecimal>",
        "unknown_tag_in_value": "<ex:bogus>1</ex:bogus>",
        "struct_member_without_name": "<struct><member><value><int>1</int></value></member></struct>",
        # int()'s limit of 4,300 digits: leading zeros count, and it is
        # checked before the text after the digits.
        "int_over_digit_limit": "<int>%s</int>" % ("1" * 4301),
        "i8_zeros_over_digit_limit": "<i8>-%s1</i8>" % ("0" * 4300),
        "int_over_digit_limit_then_text": "<int>%sx</int>" % ("2" * 5000),
    }
    out = []
    documents = {name: response_document(inner) for name, inner in docs.items()}
    documents.update(REFUSED_MARKUP)
    for name, xml in documents.items():
        try:
            xc.loads(xml.encode("utf-8"), use_builtin_types=True)
        except Exception as e:
            # What SimpleXMLRPCServer answers: Fault(1, "%s:%s" % (type, value)).
            out.append({"name": name, "xml": xml, "cpython": type(e).__name__,
                        "fault": "%s:%s" % (type(e), e)})
        else:
            raise SystemExit("CPython reads %s" % name)
    return out


def main():
    vectors = {
        "generator": "CPython %s xmlrpc.client" % sys.version.split()[0],
        "dumps": dumps_vectors(),
        "loads": loads_vectors(),
        "refused": refused_vectors(),
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vectors.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(vectors, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print("wrote", path, len(vectors["dumps"]), "dumps,", len(vectors["loads"]), "loads,",
          len(vectors["refused"]), "refused")


if __name__ == "__main__":
    main()
