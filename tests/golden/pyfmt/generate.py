#!/usr/bin/env python3
"""Generates floats.json: CPython's repr() of doubles, for oxrpc-pyfmt.

    .venv/bin/python tests/golden/pyfmt/generate.py   # rewrites floats.json

Each vector is [bits, repr]: the IEEE 754 bits of a double as 16 hex digits
and what repr() prints for it. The doubles are edge values plus pseudo-random
bit patterns (every exponent is as likely as every other) and pseudo-random
values of everyday size, where 17-digit ties between two shortest spellings
are common and repr() picks the one closest to the exact value.
"""
import json
import math
import os
import random
import struct

rng = random.Random(20261201)


def bits(x):
    return struct.unpack('<Q', struct.pack('<d', x))[0]


values = [0.0, -0.0, 1.0, -1.5, 0.1, 1 / 3, 1e15, 1e16, 1e22, 1e-5, 1.5e-7,
          5e-324, 1.7976931348623157e308, 1e-4, 123456789.0, 2.5, 100.0,
          1149636667324797.2, math.inf, -math.inf]
doubles = [bits(v) for v in values]
while len(doubles) < 2500:
    b = rng.getrandbits(64)
    if math.isfinite(struct.unpack('<d', struct.pack('<Q', b))[0]):
        doubles.append(b)
while len(doubles) < 5000:
    doubles.append(bits(rng.uniform(-1e6, 1e6) * 10 ** rng.randint(-8, 20)))
vectors = [['%016x' % b, repr(struct.unpack('<d', struct.pack('<Q', b))[0])] for b in doubles]
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'floats.json')
with open(path, 'w') as f:
    json.dump({'generator': 'tests/golden/pyfmt/generate.py', 'floats': vectors}, f, indent=0)
    f.write('\n')
print('wrote', len(vectors), 'vectors to', path)
