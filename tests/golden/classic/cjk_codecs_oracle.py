"""What CPython's CJK codecs make of many inputs, for the test of
crates/oxrpc-python/src/cjk_codecs (which decodes and encodes the same
inputs with the server's tables and compares): every one- and two-byte
sequence, every three-byte sequence of EUC-JP's JIS X 0212 plane, gb18030's
four-byte sequences at every edge and every one below U+10000, a sample of
euc_kr's make-up sequences, HZ's inside its GB2312 runs and mixed at
random, the ISO-2022 codecs' escapes (designations, refused ones, single
shifts) each followed by every two bytes and mixed at random with shifts
and control bytes; every code point alone, each character that can start
a pair followed by each that can end one, and (ISO-2022) random texts of
many sets.

    .venv/bin/python tests/golden/classic/cjk_codecs_oracle.py CODEC

writes records to stdout (little-endian): a kind (u8: 0 decode, 1
encode), the input (u8 length and bytes; or u8 count and u32 code
points), then the outcome: 0 and the output (u32 count of code points, or
of bytes, and them) or 1 and the error (u32 start, u32 end, u8 1 for an
illegal sequence, 2 for an incomplete one), or 3 where CPython raised
"internal codec error".
"""

import random
import struct
import sys

REASONS = {"illegal multibyte sequence": 1, "incomplete multibyte sequence": 2}


def outcome(function):
    try:
        result = function()
    except RuntimeError:
        # "internal codec error": an ISO-2022 state naming no set.
        return struct.pack("<B", 3)
    except UnicodeError as error:
        return struct.pack("<BIIB", 1, error.start, error.end, REASONS[error.reason])
    if isinstance(result, str):
        return struct.pack("<BI", 0, len(result)) + b"".join(struct.pack("<I", ord(c)) for c in result)
    return struct.pack("<BI", 0, len(result)) + result


def decoding_inputs(codec):
    for first in range(256):
        yield bytes([first])
        for second in range(256):
            yield bytes([first, second])
    if codec in ("euc_jp", "euc_jis_2004", "euc_jisx0213"):
        for second in range(256):
            for third in range(256):
                yield bytes([0x8F, second, third])
    if codec == "gb18030":
        for first in range(0x80, 0x100):
            for second in (0x30, 0x35, 0x39):
                for third in (0x80, 0x81, 0x90, 0xFE, 0xFF):
                    yield bytes([first, second, third])
                    for fourth in (0x2F, 0x30, 0x35, 0x39, 0x3A):
                        yield bytes([first, second, third, fourth])
        for linear in range(39420):
            first, rest = divmod(linear, 12600)
            second, rest = divmod(rest, 1260)
            third, fourth = divmod(rest, 10)
            yield bytes([0x81 + first, 0x30 + second, 0x81 + third, 0x30 + fourth])
    if codec == "euc_kr":
        chance = random.Random(15)
        seconds = list(range(0xA1, 0xFF))
        for initial in seconds:
            yield bytes([0xA4, 0xD4, 0xA4, initial, 0xA4, 0xBF, 0xA4, 0xD4])
            yield bytes([0xA4, 0xD4, 0xA4, 0xA1, 0xA4, initial, 0xA4, 0xD4])
            yield bytes([0xA4, 0xD4, 0xA4, 0xA1, 0xA4, 0xBF, 0xA4, initial])
        for _ in range(20000):
            yield bytes([0xA4, 0xD4, 0xA4, chance.choice(seconds), 0xA4, chance.choice(seconds),
                         0xA4, chance.choice(seconds)])
        for length in range(2, 9):
            yield b"\xa4\xd4\xa4\xa1\xa4\xbf\xa4\xd4"[:length]
        yield b"\xa4\xd4\xa3\xa1\xa4\xbf\xa4\xd4"
    if codec == "hz":
        for first in range(256):
            for second in range(256):
                yield b"~{" + bytes([first, second])
        chance = random.Random(1843)
        pieces = [b"~", b"~~", b"~{", b"~}", b"~\n", b"\n", b"a", b"VP", b"ND", b"\x21\x21",
                  b"\x7f", b"\xd6\xd0", b"V"]
        for _ in range(20000):
            yield b"".join(chance.choice(pieces) for _ in range(chance.randrange(1, 9)))
    if codec.startswith("iso2022"):
        yield from iso2022_decoding_inputs(codec)


# The ISO-2022 codecs: the escapes each designates a set with (some the
# codec refuses, as it must), and the pieces their random inputs are made of.
ISO2022_ESCAPES = [b"\x1b(B", b"\x1b(J", b"\x1b(I", b"\x1b$@", b"\x1b$B", b"\x1b$A",
                   b"\x1b$(C", b"\x1b$(D", b"\x1b$(Q", b"\x1b$(P", b"\x1b$(O", b"\x1b$)C",
                   b"\x1b$(A", b"\x1b$(B", b"\x1b)C", b"\x1b.A", b"\x1b.F", b"\x1b.B",
                   b"\x1b.J", b"\x1b&@\x1b$B", b"\x1b(A", b"\x1b$)A", b"\x1b$C\x0e"]
ISO2022_PIECES = ISO2022_ESCAPES + [
    b"\x0e", b"\x0f", b"\n", b"\r", b"\x00", b"\x1b", b"\x1bN", b"\x1bNa", b"\x1bN\xe1",
    b"\x1bN\x21", b"\x1b&@", b"\x1b$", b"\x1b$(", b"\x1bxyZ", b"\x1b(\x80", b"a", b"\\",
    b"~", b"0!", b"$\"", b"!@", b"F|", b"\x7f", b"\x20", b"\x80", b"\xb0\xa1", b"4E", b"P!",
    b"+!", b"\x1b$(Q$w", b"\x1b(I1", b"\x1b\x1b", b"\x1b&@\x1b$", b"\x1b(" + b"z" * 14,
]
ISO2022_TEXT = ("aZ~\\\n\r\x0e\x1b\x7f\xa5\u203e\xe9\xa7\u0391\u03c9\u0386\u3042\u30ab"
                "\u304b\u309a\u02e9\u02e5\u00e6\u0300\u65e5\u672c\u4e2d\u6587\u4e02\u3402"
                "\uac00\ud55c\u3131\uff71\uff9f\uff3c\u2014\u2016\u301c\u9dd7\u2000b"
                "\U00020089\U0002a6b2\U0001f600\ue000\ud800")


def iso2022_decoding_inputs(codec):
    """Each escape followed by each two bytes, escape grammar, single
    shifts and random mixtures."""
    for escape in ISO2022_ESCAPES:
        for first in range(0x20, 0x80):
            yield escape + bytes([first])
            for second in range(256):
                yield escape + bytes([first, second])
    for introducer in b"()$.&N":
        for final in range(256):
            yield bytes([0x1B, introducer, final])
            yield bytes([0x1B, introducer, final, 0x21, 0x21])
    for middle in b"()":
        for final in range(256):
            yield bytes([0x1B, 0x24, middle, final, 0x30, 0x21])
    for length in range(20):
        yield b"\x1b(" + b"z" * length + b"B"
        yield b"\x1b&@" + b"z" * length + b"B"
    for g2 in (b"", b"\x1b.A", b"\x1b.F", b"\x1b.B", b"\x1b.J"):
        for byte in range(256):
            yield g2 + b"\x1bN" + bytes([byte])
    chance = random.Random(2022)
    for _ in range(20000):
        yield b"".join(chance.choice(ISO2022_PIECES) for _ in range(chance.randrange(1, 9)))


def iso2022_pairs(codec):
    """The two-character texts JIS X 0213's plane 1 decodes to."""
    escape = {"iso2022_jp_2004": b"\x1b$(Q", "iso2022_jp_3": b"\x1b$(O"}.get(codec)
    pairs = set()
    for first in range(0x21, 0x7F) if escape else ():
        for second in range(0x21, 0x7F):
            try:
                text = (escape + bytes([first, second])).decode(codec)
            except UnicodeError:
                continue
            if len(text) == 2:
                pairs.add(text)
    return pairs


def pairs_decoded(codec):
    """The two-character texts some two-byte sequence decodes to."""
    if codec.startswith("iso2022"):
        return iso2022_pairs(codec)
    pairs = set()
    for first in range(0x80, 0x100):
        for second in range(256):
            try:
                text = bytes([first, second]).decode(codec)
            except UnicodeError:
                continue
            if len(text) == 2:
                pairs.add(text)
    return pairs


def encoding_inputs(codec):
    for code in range(0x110000):
        yield chr(code)
    pairs = pairs_decoded(codec)
    starters = sorted({pair[0] for pair in pairs})
    enders = sorted({pair[1] for pair in pairs} | {"A", "\u3042"})
    for first in starters:
        for second in enders:
            yield first + second
        yield first + first
    if codec.startswith("iso2022"):
        chance = random.Random(2004)
        for _ in range(20000):
            yield "".join(chance.choice(ISO2022_TEXT) for _ in range(chance.randrange(1, 12)))


def main():
    codec = sys.argv[1]
    out = sys.stdout.buffer
    for data in decoding_inputs(codec):
        out.write(struct.pack("<BB", 0, len(data)) + data
                  + outcome(lambda: data.decode(codec)))
    for text in encoding_inputs(codec):
        out.write(struct.pack("<BB", 1, len(text)) + b"".join(struct.pack("<I", ord(c)) for c in text)
                  + outcome(lambda: text.encode(codec)))


if __name__ == "__main__":
    main()
