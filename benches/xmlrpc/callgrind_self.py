"""Instructions per request by function, from a callgrind profile.

    python callgrind_self.py PROFILE REQUESTS [TOP]

Prints the profile's total per request, then the TOP (default 20)
functions by their own (self) instructions per request. Read from the
profile's records directly: on a profile whose counters were zeroed while
the server ran, `callgrind_annotate` charges everything to the threads'
entry points.
"""
import collections
import re
import sys

path, requests = sys.argv[1], int(sys.argv[2])
top = int(sys.argv[3]) if len(sys.argv) > 3 else 20
names = {}  # compressed id -> function name
own = collections.Counter()
function = None
call_cost_next = False  # the line after `calls=` is a callee's inclusive cost


def named(spec):
    """`(id) name` defines a compressed name, `(id)` refers to one."""
    match = re.match(r'\((\d+)\)(?: (.*))?', spec)
    if not match:
        return spec
    if match.group(2):
        names[match.group(1)] = match.group(2)
    return names.get(match.group(1), match.group(1))


with open(path, errors='replace') as profile:
    for line in profile:
        if line.startswith('fn='):
            function = named(line[3:].rstrip('\n'))
        elif line.startswith('cfn='):
            named(line[4:].rstrip('\n'))
        elif line.startswith('calls='):
            call_cost_next = True
        elif line[:1].isdigit() or line[:1] in '+-*':
            fields = line.split()
            if call_cost_next:
                call_cost_next = False
            elif len(fields) >= 2 and function is not None:
                own[function] += int(fields[1])

total = sum(own.values())
print(f'total {total // requests} user-space instructions per request')
print()
print('instructions per request, by function (self):')
for function, count in own.most_common(top):
    print(f'{count // requests:8d}  {function[:110]}')
