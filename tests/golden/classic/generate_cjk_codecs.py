"""Reads CPython's CJK codecs (`_codecs_jp`, `_codecs_cn`, `_codecs_kr`,
`_codecs_tw`, `_codecs_hk`, and the character sets `_codecs_iso2022`
designates) into the tables of
crates/oxrpc-python/src/cjk_codecs/tables.bin, which RustPython's
interpreters decode and encode with as CPython does.

The tables are what this Python's codecs do, asked byte by byte and code
point by code point, not the mapping files they were built from: where
CPython's tables differ from a standard's (the wave dash of shift_jis and
cp932, euc_kr's make-up sequences), the server answers as CPython.

Decoding is a tree per codec: a node has an entry for each of the 256
byte values that can follow what led to it, and an entry says what those
bytes are: a code point, two code points (a `pair`), an illegal sequence
of so many bytes, or a further node (the sequence is incomplete so far).
Two kinds of sequence follow a rule rather than the tree, as CPython's
decoders compute them: gb18030's four-byte sequences (a table of runs
over their linear index) and euc_kr's eight-byte make-up sequences of
KS X 1001 (the jamo's indexes). Encoding is the tree read backwards (a
code point is written as the first sequence that decodes to it, depth
first, bytes ascending), but for the code points where the codec writes
something else or nothing, listed; the two rules encode as they decode.

The ISO-2022 codecs' character sets (JIS X 0208, JIS X 0212, KS X 1001,
GB 2312, JIS X 0201, the JIS X 0213 planes as 2000 and 2004 give them, and
ISO 8859-7 after a single shift) follow as codecs named `iso2022/<set>`,
read through the codecs that designate them (see ISO2022_SETS): their
trees hold seven-bit codes, and what they encode is gathered over every
codec that writes in them, checked to give each codec's encodings back.

Layout (little-endian): b"OXCJK1", the codec count (u8), then per codec
its name (u8 length, ASCII), its rule (u8: 0 none, 1 gb18030's four
bytes, 2 the make-up sequences), its nodes (u16 count, 256 u32 entries
each), its pairs (u16 count, two u32 each), the code points it encodes
otherwise than the tree says (u32 count; u32 code point, u8 length,
bytes, none when it does not encode it; ascending), the pairs it
encodes (u16 count; two u32, u8 length, bytes) and its rule's data (gb18030:
u16 count of (u32 linear index, u32 code point) runs; make-up: the
initial, medial and final jamo index of each of 94 second bytes, 255 for
none). An entry's top three bits say its kind: 0 a code point, 1 a node,
2 an illegal sequence of its low bits' length, 3 a pair, 4 gb18030's four
bytes, 5 a make-up sequence.

    .venv/bin/python tests/golden/classic/generate_cjk_codecs.py [--print]

writes the tables compressed (zlib), or to stdout uncompressed with
--print (what the crate's test compares with the inflated tables).
"""

import codecs
import os
import struct
import sys
import zlib

CODECS = [
    "shift_jis", "cp932", "euc_jp", "shift_jis_2004", "shift_jisx0213",
    "euc_jis_2004", "euc_jisx0213", "gb2312", "gbk", "gb18030", "big5",
    "cp950", "big5hkscs", "euc_kr", "cp949", "johab",
]

CHAR, NODE, ILLEGAL, PAIR, FOUR_BYTES, MAKE_UP = range(6)
NO_RULE, FOUR_BYTE_RULE, MAKE_UP_RULE = range(3)
RULES = {"gb18030": FOUR_BYTE_RULE, "euc_kr": MAKE_UP_RULE}
INCOMPLETE = "incomplete multibyte sequence"
ILLEGAL_REASON = "illegal multibyte sequence"


def entry(kind, value):
    return (kind << 29) | value


def first_unit(codec, sequence):
    """What `codec` makes of the first unit of `sequence`, given that every
    shorter prefix was incomplete: ('text', str), ('incomplete',) or
    ('illegal', length)."""
    try:
        return ("text", sequence.decode(codec))
    except UnicodeDecodeError as error:
        if error.start != 0:
            raise AssertionError("%s: %r fails past its start" % (codec, sequence))
        if error.reason == INCOMPLETE:
            if error.end != len(sequence):
                raise AssertionError("%s: %r incomplete short of its end" % (codec, sequence))
            return ("incomplete",)
        if error.reason != ILLEGAL_REASON:
            raise AssertionError("%s: %r: %s" % (codec, sequence, error.reason))
        return ("illegal", error.end - error.start)


def decoding_tree(codec):
    """The nodes of `codec`'s decoding tree (the root first) and its pairs."""
    rule = RULES.get(codec, NO_RULE)
    nodes, pairs = [], []
    pending = [(b"", 0)]
    nodes.append(None)
    while pending:
        prefix, index = pending.pop(0)
        entries = []
        for byte in range(256):
            sequence = prefix + bytes([byte])
            if rule == MAKE_UP_RULE and sequence == b"\xa4\xd4":
                entries.append(entry(MAKE_UP, 0))
                continue
            unit = first_unit(codec, sequence)
            if unit[0] == "text":
                text = unit[1]
                if len(text) == 1:
                    entries.append(entry(CHAR, ord(text)))
                elif len(text) == 2:
                    entries.append(entry(PAIR, len(pairs)))
                    pairs.append((ord(text[0]), ord(text[1])))
                else:
                    raise AssertionError("%s: %r gives %r" % (codec, sequence, text))
            elif unit[0] == "illegal":
                entries.append(entry(ILLEGAL, unit[1]))
            elif rule == FOUR_BYTE_RULE and len(sequence) == 2:
                entries.append(entry(FOUR_BYTES, 0))
            else:
                entries.append(entry(NODE, len(nodes)))
                pending.append((sequence, len(nodes)))
                nodes.append(None)
        nodes[index] = entries
    return nodes, pairs


def encodings(codec):
    """Each code point `codec` encodes alone, with its bytes."""
    encoded = {}
    for code in range(0x110000):
        try:
            encoded[code] = chr(code).encode(codec)
        except UnicodeEncodeError:
            pass
    return encoded


def first_sequences(nodes):
    """Each code point the tree decodes, with the first sequence that
    decodes to it (depth first, bytes ascending)."""
    first = {}

    def walk(index, prefix):
        for byte, value in enumerate(nodes[index]):
            kind, payload = value >> 29, value & ((1 << 29) - 1)
            if kind == CHAR:
                first.setdefault(payload, prefix + bytes([byte]))
            elif kind == NODE:
                walk(payload, prefix + bytes([byte]))
    walk(0, b"")
    return first


def encoding_exceptions(codec, nodes):
    """The code points `codec` encodes otherwise than the tree read
    backwards or its rule says: (code point, bytes, b"" when it does not
    encode it)."""
    ruled_length = {FOUR_BYTE_RULE: 4, MAKE_UP_RULE: 8}.get(RULES.get(codec, NO_RULE))
    encoded = encodings(codec)
    first = first_sequences(nodes)
    exceptions = [(code, data) for code, data in encoded.items()
                  if first.get(code) != data and not (code not in first and len(data) == ruled_length)]
    exceptions += [(code, b"") for code in first if code not in encoded]
    return sorted(exceptions)


def pair_encodings(codec, pairs):
    """The pairs `codec` encodes as one sequence: those it decodes to,
    and, where its encoder swallows a NUL after a character that can start
    a pair (JIS X 0213's do), that character with U+0000."""
    encoded = []
    for first, second in sorted(set(pairs)):
        text = chr(first) + chr(second)
        try:
            data = text.encode(codec)
        except UnicodeEncodeError:
            continue
        singles = chr(first).encode(codec, "ignore") + chr(second).encode(codec, "ignore")
        if data != singles:
            encoded.append((first, second, data))
    for first in sorted({first for first, _ in pairs}):
        alone = chr(first).encode(codec)
        if (chr(first) + "\0").encode(codec) == alone:
            encoded.append((first, 0, alone))
    return sorted(encoded)


def four_byte_runs(codec):
    """gb18030's four-byte BMP sequences as runs of (linear index, code
    point), each index past a run's start adding one to its code point."""
    runs = []
    for linear in range(39420):
        first, rest = divmod(linear, 12600)
        second, rest = divmod(rest, 1260)
        third, fourth = divmod(rest, 10)
        sequence = bytes([0x81 + first, 0x30 + second, 0x81 + third, 0x30 + fourth])
        code = ord(sequence.decode(codec))
        if not runs or runs[-1][1] + (linear - runs[-1][0]) != code:
            runs.append((linear, code))
    return runs


def make_up_jamo(codec):
    """The initial, medial and final jamo index euc_kr's make-up sequences
    read from each second byte 0xA1-0xFE of a 0xA4 pair (255: not one)."""
    def syllable(initial, medial, final):
        try:
            text = (b"\xa4\xd4\xa4" + bytes([initial]) + b"\xa4" + bytes([medial])
                    + b"\xa4" + bytes([final])).decode(codec)
        except UnicodeDecodeError:
            return None
        return ord(text) - 0xAC00
    initials, medials, finals = [], [], []
    for byte in range(0xA1, 0xFF):
        value = syllable(byte, 0xBF, 0xD4)
        initials.append(255 if value is None else value // 588)
        value = syllable(0xA1, byte, 0xD4)
        medials.append(255 if value is None else value % 588 // 28)
        value = syllable(0xA1, 0xBF, byte)
        finals.append(255 if value is None else value % 28)
    return bytes(initials) + bytes(medials) + bytes(finals)


# The character sets of the ISO-2022 codecs (`_codecs_iso2022`): each is
# read as a codec of its own, named `iso2022/<set>`, with its code bytes
# (seven bits) in place of a codec's sequences. Its decoding tree is what
# the codec that designates it (with the escape sequence given) decodes
# after that escape: a root entry per first byte 0x20-0x7F (a character,
# an illegal byte, or a node of second bytes for a two-byte set; a first
# byte no second byte follows is illegal at once), nothing else. Its
# encoding is what the codecs whose encoders try it write for a character
# under its mark, gathered over all of them (a codec tries its sets in
# order and writes the first that has the character; `iso2022_encoding`
# checks the sets so gathered give every codec's encodings back).
# (set, width, codec, escape, [(codec, mark)...]) -- a mark is the final
# byte of the set's escape, 0x80 added for a two-byte set.
ISO2022_SETS = [
    ("jisx0208", 2, "iso2022_jp", b"\x1b$B",
     [(codec, 0xC2) for codec in ("iso2022_jp", "iso2022_jp_1", "iso2022_jp_2", "iso2022_jp_ext",
                                  "iso2022_jp_2004", "iso2022_jp_3")]),
    ("jisx0212", 2, "iso2022_jp_1", b"\x1b$(D",
     [(codec, 0xC4) for codec in ("iso2022_jp_1", "iso2022_jp_2", "iso2022_jp_ext")]),
    ("ksx1001", 2, "iso2022_kr", b"\x1b$)C\x0e", [("iso2022_kr", 0xC3), ("iso2022_jp_2", 0xC3)]),
    ("gb2312", 2, "iso2022_jp_2", b"\x1b$A", [("iso2022_jp_2", 0xC1)]),
    ("jisx0201_r", 1, "iso2022_jp", b"\x1b(J",
     [(codec, 0x4A) for codec in ("iso2022_jp", "iso2022_jp_1", "iso2022_jp_2", "iso2022_jp_ext")]),
    ("jisx0201_k", 1, "iso2022_jp_ext", b"\x1b(I", [("iso2022_jp_ext", 0x49)]),
    ("jisx0213_2004_1", 2, "iso2022_jp_2004", b"\x1b$(Q", [("iso2022_jp_2004", 0xD1)]),
    ("jisx0213_2004_2", 2, "iso2022_jp_2004", b"\x1b$(P", [("iso2022_jp_2004", 0xD0)]),
    ("jisx0213_2000_1", 2, "iso2022_jp_3", b"\x1b$(O", [("iso2022_jp_3", 0xCF)]),
    ("jisx0213_2000_2", 2, "iso2022_jp_3", b"\x1b$(P", [("iso2022_jp_3", 0xD0)]),
    # ISO 8859-7 as iso2022_jp_2 decodes it after a single shift (ESC N):
    # a root entry per byte, an illegal one covering the three bytes.
    ("iso8859_7", 1, "iso2022_jp_2", b"\x1b.F\x1bN", []),
]
ISO2022_CODECS = ["iso2022_kr", "iso2022_jp", "iso2022_jp_1", "iso2022_jp_2", "iso2022_jp_2004",
                  "iso2022_jp_3", "iso2022_jp_ext"]
# The pairs JIS X 0213's sets write as one code, tried first by the codecs
# with them (the set's mark is the one the codec writes them under).
ISO2022_PAIRS = {"jisx0213_2004_1": ("iso2022_jp_2004", 0xD1),
                 "jisx0213_2000_1": ("iso2022_jp_3", 0xCF)}


def iso2022_unit(codec, escape, sequence):
    """What `codec` makes of `sequence` after `escape`: ('text', str) or
    ('illegal', length), or None when it stops short (incomplete)."""
    try:
        return ("text", (escape + sequence).decode(codec))
    except UnicodeDecodeError as error:
        # After a single shift, an error covers the shift too.
        if error.start != len(escape) - (2 if escape.endswith(b"\x1bN") else 0):
            raise AssertionError("%s: %r fails at %d" % (codec, escape + sequence, error.start))
        if error.reason == INCOMPLETE:
            return None
        return ("illegal", error.end - error.start)


def iso2022_entry(unit, pairs):
    if unit[0] == "illegal":
        return entry(ILLEGAL, unit[1])
    text = unit[1]
    if len(text) == 1:
        return entry(CHAR, ord(text))
    if len(text) != 2:
        raise AssertionError("%r decodes to %r" % (unit, text))
    pairs.append((ord(text[0]), ord(text[1])))
    return entry(PAIR, len(pairs) - 1)


def iso2022_tree(width, codec, escape):
    """A set's decoding tree (see ISO2022_SETS) and its pairs."""
    pairs = []
    if width == 1:
        firsts = range(256) if escape.endswith(b"\x1bN") else range(0x20, 0x80)
        root = [entry(ILLEGAL, 1)] * 256
        for first in firsts:
            root[first] = iso2022_entry(iso2022_unit(codec, escape, bytes([first])), pairs)
        return [root], pairs
    nodes = [[entry(ILLEGAL, 1)] * 256]
    for first in range(0x20, 0x80):
        seconds = [iso2022_entry(iso2022_unit(codec, escape, bytes([first, second])), pairs)
                   for second in range(256)]
        if all(value >> 29 == ILLEGAL for value in seconds):
            nodes[0][first] = entry(ILLEGAL, 2)
        else:
            nodes[0][first] = entry(NODE, len(nodes))
            nodes.append(seconds)
    return nodes, pairs


def iso2022_designated(data):
    """The mark and code bytes of a lone character's encoding from an
    encoder's first state: a designation (ESC, then `(`, `$`, `$(` or
    `$)` and the set's final byte; a shift out after a G1 one), the code,
    and what returns to ASCII (shift in, ESC ( B)."""
    for tail in (b"\x1b(B", b"\x0f"):
        if data.endswith(tail):
            data = data[:-len(tail)]
    for head, double in ((b"\x1b$)", True), (b"\x1b$(", True), (b"\x1b$", True), (b"\x1b(", False)):
        if data.startswith(head):
            mark = data[len(head)] | (0x80 if double else 0)
            code = data[len(head) + 1:]
            if head == b"\x1b$)":
                if code[:1] != b"\x0e":
                    raise AssertionError("no shift out in %r" % data)
                code = code[1:]
            return mark, code
    raise AssertionError("no designation in %r" % data)


def iso2022_encodings():
    """Each set's encodings, gathered over the codecs that try it, checked
    to give back every codec's (see ISO2022_SETS)."""
    gathered = {name: {} for name, *_ in ISO2022_SETS}
    observed = {}
    for codec in ISO2022_CODECS:
        sets = {mark: name for name, _, _, _, users in ISO2022_SETS for user, mark in users
                if user == codec}
        observed[codec] = {}
        for code in range(0x80, 0x110000):
            try:
                data = chr(code).encode(codec)
            except UnicodeEncodeError:
                continue
            mark, bytes_ = iso2022_designated(data)
            gathered[sets[mark]][code] = bytes_
            observed[codec][code] = (mark, bytes_)
    for codec, encoded in observed.items():
        order = [(name, mark) for name, _, _, _, users in ISO2022_SETS for user, mark in users
                 if user == codec]
        order.sort(key=lambda item: ISO2022_ORDER[codec].index(item[0]))
        for code in set(encoded) | {code for name, _ in order for code in gathered[name]}:
            found = next(((mark, gathered[name][code]) for name, mark in order
                          if code in gathered[name]), None)
            if found != encoded.get(code):
                raise AssertionError("%s U+%04X: the sets give %r, CPython %r"
                                     % (codec, code, found, encoded.get(code)))
    return gathered


# The order in which each codec's encoder tries its sets (CPython's).
ISO2022_ORDER = {
    "iso2022_kr": ["ksx1001"],
    "iso2022_jp": ["jisx0208", "jisx0201_r"],
    "iso2022_jp_1": ["jisx0208", "jisx0212", "jisx0201_r"],
    "iso2022_jp_2": ["jisx0208", "jisx0212", "ksx1001", "gb2312", "jisx0201_r"],
    "iso2022_jp_2004": ["jisx0208", "jisx0213_2004_1", "jisx0213_2004_2"],
    "iso2022_jp_3": ["jisx0208", "jisx0213_2000_1", "jisx0213_2000_2"],
    "iso2022_jp_ext": ["jisx0208", "jisx0212", "jisx0201_r", "jisx0201_k"],
}


def iso2022_pair_encodings(name, pairs):
    """The pairs the set `name` writes as one code (with the NUL a
    character that can start one swallows), checked to be every character
    that makes the codec wait for the next."""
    if name not in ISO2022_PAIRS:
        return []
    codec, mark = ISO2022_PAIRS[name]
    encoded = []
    firsts = sorted({first for first, _ in pairs})
    for first, second in sorted(set(pairs)) + [(first, 0) for first in firsts]:
        data = (chr(first) + chr(second)).encode(codec)
        designated = iso2022_designated(data)
        if designated[0] == mark and len(designated[1]) == 2:
            encoded.append((first, second, designated[1]))
    waiting = []
    for code in range(0x80, 0x10000):
        encoder = codecs.getincrementalencoder(codec)()
        try:
            if encoder.encode(chr(code)) == b"":
                waiting.append(code)
        except UnicodeEncodeError:
            pass
    if waiting != firsts:
        raise AssertionError("%s waits after %d characters, its pairs start with %d"
                             % (codec, len(waiting), len(firsts)))
    return sorted(encoded)


def render_codec(out, name, rule, nodes, pairs, exceptions, doubles):
    out.append(struct.pack("<B", len(name)) + name.encode("ascii"))
    out.append(struct.pack("<B", rule))
    out.append(struct.pack("<H", len(nodes)))
    for entries in nodes:
        out.append(struct.pack("<256I", *entries))
    out.append(struct.pack("<H", len(pairs)))
    for first, second in pairs:
        out.append(struct.pack("<II", first, second))
    out.append(struct.pack("<I", len(exceptions)))
    for code, data in exceptions:
        out.append(struct.pack("<IB", code, len(data)) + data)
    out.append(struct.pack("<H", len(doubles)))
    for first, second, data in doubles:
        out.append(struct.pack("<IIB", first, second, len(data)) + data)


def render():
    out = [b"OXCJK1", struct.pack("<B", len(CODECS) + len(ISO2022_SETS))]
    for codec in CODECS:
        rule = RULES.get(codec, NO_RULE)
        nodes, pairs = decoding_tree(codec)
        render_codec(out, codec, rule, nodes, pairs, encoding_exceptions(codec, nodes),
                     pair_encodings(codec, pairs))
        if rule == FOUR_BYTE_RULE:
            runs = four_byte_runs(codec)
            out.append(struct.pack("<H", len(runs)))
            for linear, code in runs:
                out.append(struct.pack("<II", linear, code))
        elif rule == MAKE_UP_RULE:
            out.append(make_up_jamo(codec))
    gathered = iso2022_encodings()
    for name, width, codec, escape, _ in ISO2022_SETS:
        nodes, pairs = iso2022_tree(width, codec, escape)
        first = first_sequences(nodes)
        encoded = gathered[name]
        exceptions = sorted([(code, data) for code, data in encoded.items() if first.get(code) != data]
                            + [(code, b"") for code in first if code not in encoded])
        render_codec(out, "iso2022/" + name, NO_RULE, nodes, pairs, exceptions,
                     iso2022_pair_encodings(name, pairs))
    return b"".join(out)


def main():
    tables = render()
    if "--print" in sys.argv:
        sys.stdout.buffer.write(tables)
        return
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    with open(os.path.join(root, "crates/oxrpc-python/src/cjk_codecs/tables.bin"), "wb") as out:
        out.write(zlib.compress(tables, 9))


if __name__ == "__main__":
    main()
