"""The CJK codecs in the server's Python, as a stock rpyc client meets
them: `str.encode` and `bytes.decode` with every built-in error handler
and handlers of the client's own making (rewinding, out of bounds, bad
answers), the incremental codecs and their state, stream readers and
writers, `TextIOWrapper` and `codecs.open`, `_codecs_jp.getcodec`'s
refusals, and generated texts and byte strings decoded and encoded both
ways; the `namereplace` handler beside them, and the built-in handlers
given ranges outside their object. Prints one line per
observation; the output must be rpyc_classic's.

    python cjk_codecs.py PORT
"""

import sys

import rpyc

CODECS = ["shift_jis", "cp932", "euc_jp", "shift_jis_2004", "shift_jisx0213",
          "euc_jis_2004", "euc_jisx0213", "gb2312", "gbk", "gb18030", "big5",
          "cp950", "big5hkscs", "euc_kr", "cp949", "johab", "hz", "iso2022_kr", "iso2022_jp",
          "iso2022_jp_1", "iso2022_jp_2", "iso2022_jp_2004", "iso2022_jp_3", "iso2022_jp_ext"]

SERVER_CODE = r'''
import codecs, io, os, random, tempfile

def observe(label, make):
    try:
        value = make()
    except Exception as error:
        value = "%s: %s" % (type(error).__name__, error)
    observations.append("%s -> %r" % (label, value))

def rewinding(error):
    # Replaces an error, then goes on from one position before its end
    # (once): handlers may send the codec back.
    if isinstance(error, UnicodeEncodeError):
        return ("<%d:%d>" % (error.start, error.end), error.end)
    seen.append((error.start, error.end, error.reason))
    return ("[%d]" % error.start, error.end if len(seen) > 1 else max(error.start, error.end - 1))

def far(error):
    return ("!", 10 ** 6)

def from_end(error):
    # The error's end counted from the object's end (a negative position).
    if error.end == len(error.object):
        return ("?", error.end)
    return ("?", error.end - len(error.object))

def wrong(error):
    return ["not", "a tuple"]

def as_bytes(error):
    return (b"<>", error.end)

def unencodable_replacement(error):
    return ("\u0100", error.end)

for name, handler in [("oxrpc.rewinding", rewinding), ("oxrpc.far", far),
                      ("oxrpc.from_end", from_end), ("oxrpc.wrong", wrong),
                      ("oxrpc.as_bytes", as_bytes),
                      ("oxrpc.unencodable", unencodable_replacement)]:
    codecs.register_error(name, handler)

text = "日本語テキスト①Ⅱ 한국어 中文 €£¥\\~ ゔか゚ ÊĒ̄ \U00020000 \ud800 \x00 ~{ 가갂힣"
bad = [b"a\x82", b"\x82 ", b"\xff\xfe", b"\x81\x30", b"\xa4\xd4AAAAAA",
       b"\x8f\xa2", b"\x8f\xa2\xaf\xff", b"\x81\x30\x81", b"\x80", b"\xa1\xa1\xa1"]
errors = ["strict", "ignore", "replace", "backslashreplace", "xmlcharrefreplace",
          "surrogateescape", "surrogatepass", "namereplace", "oxrpc.rewinding", "oxrpc.far",
          "oxrpc.from_end", "oxrpc.wrong", "oxrpc.as_bytes", "oxrpc.unencodable", "no.such"]

for codec in CODECS:
    info = codecs.lookup(codec)
    observe(codec + " lookup", lambda: (info.name, info._is_text_encoding))
    for handler in errors:
        observe("%s encode %s" % (codec, handler), lambda: text.encode(codec, handler))
        for data in bad:
            seen = []
            observe("%s decode %r %s" % (codec, data, handler), lambda: data.decode(codec, handler))
    encoded = text.encode(codec, "replace")
    observe(codec + " round trip", lambda: encoded.decode(codec, "replace"))
    observe(codec + " codec object", lambda: (info.encode(123), info.decode(bytearray(b"ab")),
                                               info.decode(memoryview(encoded)[:5], "replace")))
    observe(codec + " bad errors argument", lambda: info.encode("a", 1))

    encoder = codecs.getincrementalencoder(codec)("backslashreplace")
    pieces = [encoder.encode(character) for character in text]
    observe(codec + " incremental encoder", lambda: (pieces, encoder.getstate(), encoder.encode("", True)))
    encoder = codecs.getincrementalencoder(codec)()
    observe(codec + " incremental encoder strict", lambda: (encoder.encode("か"), encoder.encode("\u2460"),
                                                            encoder.getstate()))
    observe(codec + " after its error", lambda: (encoder.getstate(), encoder.encode("", True)))
    encoder = codecs.getincrementalencoder(codec)("replace")
    observe(codec + " encoder errors", lambda: (encoder.errors, encoder.encode("か"), encoder.getstate(),
                                                encoder.encode("゚"), encoder.encode("か"),
                                                encoder.encode("", final=True)))
    observe(codec + " encoder setstate", lambda: (encoder.setstate(0x8b81e303), encoder.getstate(),
                                                  encoder.encode("a", True)))
    observe(codec + " encoder bad setstate", lambda: encoder.setstate(-1))
    observe(codec + " encoder large setstate", lambda: encoder.setstate(1 << 200))
    observe(codec + " encoder long pending", lambda: encoder.setstate(9))
    decoder = codecs.getincrementaldecoder(codec)()
    chunks = [decoder.decode(encoded[at:at + 1]) for at in range(len(encoded))]
    observe(codec + " incremental decoder", lambda: ("".join(chunks), decoder.getstate(),
                                                     decoder.decode(b"", True)))
    observe(codec + " decoder pending", lambda: (decoder.decode(encoded[:3]), decoder.getstate(),
                                                 decoder.decode(b"\x82", final=True)))
    observe(codec + " decoder setstate", lambda: (decoder.setstate((b"\x82", 7)), decoder.getstate(),
                                                  decoder.reset(), decoder.getstate()))
    for state in [[b"", 0], (b"",), ("", 0), (b"", "0"), (b"", -1), (b"", 1 << 64), (b"", 1 << 63), (b"", True)]:
        observe("%s decoder setstate %r" % (codec, state), lambda: (decoder.setstate(state), decoder.getstate()))
    for state in ["x", 1.0, True, 1 << 136, 1 << 135, (4 << 128) | 0xe3]:
        observe("%s encoder setstate %r" % (codec, state), lambda: (encoder.setstate(state), encoder.getstate()))
    observe(codec + " decoder long setstate", lambda: decoder.setstate((b"123456789", 0)))
    observe(codec + " decoder errors", lambda: codecs.getincrementaldecoder(codec)("ignore").decode(b"a\xff\x82", True))

    stream = io.BytesIO(encoded + b"\n" + encoded)
    reader = codecs.getreader(codec)(stream, "replace")
    observe(codec + " reader", lambda: (reader.read(3), reader.readline(), reader.read(1),
                                        reader.readlines(), reader.read(), reader.errors))
    stream = io.BytesIO()
    writer = codecs.getwriter(codec)(stream, "xmlcharrefreplace")
    observe(codec + " writer", lambda: (writer.write("日本か"), writer.writelines(["語", "\u0100か"]),
                                        stream.getvalue(), writer.reset(), stream.getvalue()))
    wrapper = io.TextIOWrapper(io.BytesIO(), encoding=codec, errors="replace", newline="")
    observe(codec + " text wrapper", lambda: (wrapper.write(text[:30] + "\r\n"), wrapper.flush(),
                                              wrapper.buffer.getvalue()))
    wrapper = io.TextIOWrapper(io.BytesIO(encoded * 3), encoding=codec, errors="replace")
    observe(codec + " text wrapper reads", lambda: (wrapper.read(7), wrapper.tell() > 0, wrapper.read()))
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "text")
        with codecs.open(path, "w", codec, "replace") as out:
            out.write(text)
        with open(path, encoding=codec, errors="replace") as back:
            observe(codec + " file", back.read)

    chance = random.Random(codec)
    for turn in range(40):
        data = bytes(chance.randrange(256) for _ in range(chance.randrange(1, 12)))
        observe("%s random bytes %d" % (codec, turn), lambda: data.decode(codec, "backslashreplace"))
        sample = "".join(chr(chance.choice([chance.randrange(0x80), chance.randrange(0x3000, 0xa000),
                                            chance.randrange(0xac00, 0xd7a4), chance.randrange(0x110000)]))
                         for _ in range(chance.randrange(1, 12)))
        observe("%s random text %d" % (codec, turn), lambda: sample.encode(codec, "backslashreplace"))

# The ISO-2022 codecs' state: designations, shifts and single shifts
# across calls, escapes split between calls, resets, a state set by hand.
iso2022_texts = ["日本 abc ¥‾ 가나 中文 ｱｲ か゚ ΑΩ é \n日\r\nx", "가\n나a\x0e\x0f\x1b(B"]
iso2022_data = [b"\x1b$B$\"$$\x1b(J\\~\x1b(Ba\n", b"\x1b$)C\x0e0!\n0!\x0f0!\x0e",
                b"\x1b.A\x1bNi\x1b.F\x1bNa\x1bN\xe1\x1b.B\x1bNz", b"\x1b&@\x1b$B0!\x1b(I1",
                b"\x1bxy\x0e\nZ\x1b$(Q$w$x\x1b$(P!#", b"\x1b$(D\"/\x1b$A0!\x1b$(C0!\x1b$@0!"]
for codec in CODECS[-7:]:
    for data in iso2022_data:
        observe("%s decodes %r" % (codec, data), lambda: data.decode(codec, "backslashreplace"))
        decoder = codecs.getincrementaldecoder(codec)("replace")
        observe("%s decodes %r byte by byte" % (codec, data), lambda: (
            [(decoder.decode(data[at:at + 1]), decoder.getstate()) for at in range(len(data))],
            decoder.decode(b"", True), decoder.reset(), decoder.getstate()))
    for sample in iso2022_texts:
        encoder = codecs.getincrementalencoder(codec)("replace")
        observe("%s encodes %r piece by piece" % (codec, sample), lambda: (
            [(encoder.encode(character), encoder.getstate()) for character in sample],
            encoder.reset(), encoder.getstate(), encoder.encode("日a", True)))
        observe("%s encodes %r whole" % (codec, sample), lambda: sample.encode(codec, "backslashreplace"))
    for state in [0x42c200, 0x0142c300, 0x010042c3c200, 0x0242c200, 0x42d000]:
        encoder = codecs.getincrementalencoder(codec)()
        observe("%s encoder in state %x" % (codec, state), lambda: (
            encoder.setstate(state), encoder.encode("a가日"), encoder.getstate(),
            encoder.encode("", True), encoder.getstate()))
    # Only sets the codec has: CPython reads past its list for another
    # (and may crash), where oxrpc raises "internal codec error".
    mark = {"iso2022_kr": 0xc3, "iso2022_jp_2004": 0xd1, "iso2022_jp_3": 0xcf}.get(codec, 0xc2)
    for state in [0x424242, 0x0142424242, 0x0242424242, 0x464242, 0x414242, 0x424200 | mark,
                  0x0100420042 | (mark << 8), 0x0200424200 | mark]:
        decoder = codecs.getincrementaldecoder(codec)()
        observe("%s decoder in state %x" % (codec, state), lambda: (
            decoder.setstate((b"", state)), decoder.decode(b"0!\x1bNa!!Z"), decoder.getstate()))
    stream = io.BytesIO()
    writer = codecs.getwriter(codec)(stream, "replace")
    observe(codec + " writer state", lambda: (writer.write("日本"), stream.getvalue(), writer.reset(),
                                              stream.getvalue(), writer.write("가か"), writer.reset(),
                                              stream.getvalue()))
    observe(codec + " reader state", lambda: codecs.getreader(codec)(
        io.BytesIO(b"\x1b$B0!\n0!\x1b$)C\x0e0!\n0!")).read())
import email.header, email.charset
observe("email header", lambda: email.header.Header("日本語のヘッダー", "iso-2022-jp").encode())
observe("email header decoded", lambda: email.header.decode_header(
    "=?iso-2022-jp?b?GyRCRnxLXDhsGyhC?="))
observe("email body", lambda: email.charset.Charset("iso-2022-jp").body_encode("本文です\n"))

import _codecs_jp, _codecs_cn, _codecs_kr, _codecs_tw, _codecs_hk, _codecs_iso2022
observe("iso2022 getcodec", lambda: (type(_codecs_iso2022.getcodec("iso2022_jp")).__name__,
                                     _codecs_iso2022.getcodec("shift_jis")))
observe("getcodec unknown", lambda: _codecs_jp.getcodec("gbk"))
observe("getcodec not a string", lambda: _codecs_kr.getcodec(b"euc_kr"))
observe("getcodec arguments", lambda: _codecs_cn.getcodec())
observe("getcodec type", lambda: type(_codecs_tw.getcodec("big5")).__name__)
import _multibytecodec
observe("codec class", lambda: _multibytecodec.MultibyteIncrementalEncoder())
observe("module names", lambda: sorted(name for name in dir(_multibytecodec) if not name.startswith("_")))
# Names as Unicode 14.0 gives them (U+31350 and U+1FAE8 came later).
late = "\U00031350\U0001fae8\u4e00\xe9\u0100"
observe("namereplace ascii", lambda: late.encode("ascii", "namereplace"))
observe("namereplace latin-1", lambda: late.encode("latin-1", "namereplace"))
observe("namereplace big5", lambda: late.encode("big5", "namereplace"))
observe("namereplace handler", lambda: repr(codecs.lookup_error("namereplace")))
observe("namereplace of a decoding error", lambda: codecs.namereplace_errors(
    UnicodeDecodeError("x", b"a", 0, 1, "r")))
observe("namereplace of a range past the end", lambda: codecs.namereplace_errors(
    UnicodeEncodeError("x", "ab\u0100", 5, 9, "r")))
def answered(handler, error):
    try:
        handler(error)
    except Exception:
        pass
    return "answered"

# The built-in handlers called with ranges outside their object: read
# as CPython reads them (a reversed range's answers differ by handler on
# CPython, some a SystemError: here only that it is answered).
for name in ["strict", "ignore", "replace", "xmlcharrefreplace", "backslashreplace",
             "namereplace", "surrogatepass", "surrogateescape"]:
    handler = codecs.lookup_error(name)
    for start, end in [(5, 9), (-3, 2), (0, 100), (1, 1), (3, 3), (2, 1)]:
        for error in [UnicodeEncodeError("x", "ab\u0100", start, end, "r"),
                      UnicodeDecodeError("x", b"ab\xff", start, end, "r"),
                      UnicodeTranslateError("ab\u0100", start, end, "r")]:
            label = "%s %s %d %d" % (name, type(error).__name__, start, end)
            if (start, end) == (2, 1):
                observe(label, lambda: answered(handler, error))
            else:
                observe(label, lambda: (handler(error), error.start, error.end))
observe("encodings search", lambda: [codecs.lookup(name).name for name in
                                     ["SJIS", "ms_kanji", "eucjp", "GB2312", "csbig5", "uhc", "big5-hkscs", "EUCKR",
                                      "csISO2022JP", "iso-2022-jp-2", "ISO2022KR", "iso2022jp_ext"]])
'''


def main():
    port = int(sys.argv[1])
    conn = rpyc.classic.connect("127.0.0.1", port)
    conn.execute("CODECS = %r\nobservations = []" % (CODECS,))
    conn.execute(SERVER_CODE)
    for line in conn.eval("'\\n'.join(observations)").split("\n"):
        print(line)
    conn.close()


if __name__ == "__main__":
    main()
