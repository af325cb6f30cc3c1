"""The tables of `benches/xmlrpc/cpu_split`, from its work directory.

    python cpu_split.py WORK_DIR SECONDS

Reads, for oxrpc and nginx: wrk's output (requests), `perf stat`'s task
clock (the server's CPU over the same seconds) and `perf report --sort
dso,sym` (where the samples fell). The CPU per request is the task clock
over the requests wrk counted; the kernel's part is the share of samples in
`[kernel.kallsyms]`.
"""
import re
import sys

work, seconds = sys.argv[1], float(sys.argv[2])

# User-space symbols of the oxrpc server by who owns the code, first match.
OWNERS = [
    ('hyper and http', re.compile(r'hyper|httparse|http::|httpdate')),
    ("oxrpc's own code", re.compile(r'oxrpc_')),
    ('tokio', re.compile(r'tokio|mio::|atomic_waker')),
    ('the allocator', re.compile(r'\bmi_|_mi_|malloc|__rust_alloc|__rust_dealloc|__rustc::')),
    ('memcpy and memset', re.compile(r'mem(move|cpy|set|cmp)')),
    ('bytes', re.compile(r'bytes::')),
    ('libc and the vDSO', re.compile(r'__libc|__GI_|pthread|clock_gettime|vdso|writev|recv')),
]


def requests(name):
    text = open(f'{work}/{name}.wrk').read()
    return int(re.search(r'(\d+) requests in', text).group(1))


def task_clock_ms(name):
    for line in open(f'{work}/{name}.stat'):
        if 'task-clock' in line:
            return float(line.split()[0].replace(',', ''))
    raise SystemExit(f'no task clock for {name}')


def samples(name):
    """(share %, dso, symbol) of every line of the report."""
    rows = []
    for line in open(f'{work}/{name}.report'):
        m = re.match(r'\s*([\d.]+)%\s+(\S+)\s+\[([.k])\]\s+(.*)', line)
        if m:
            rows.append((float(m.group(1)), m.group(2), m.group(4).strip()))
    return rows


cpu = {}
print('| server | req/s | CPU per request | kernel | user space |')
print('| --- | ---: | ---: | ---: | ---: |')
for name in ('oxrpc', 'nginx'):
    n = requests(name)
    per_request = task_clock_ms(name) * 1000 / n
    rows = samples(name)
    kernel = sum(share for share, dso, _ in rows if dso == '[kernel.kallsyms]')
    total = sum(share for share, _, _ in rows) or 100.0
    kernel_us = per_request * kernel / total
    cpu[name] = (per_request, rows, total)
    print(f'| {name} | {n / seconds:,.0f} | {per_request:.2f} µs | {kernel_us:.2f} µs | '
          f'{per_request - kernel_us:.2f} µs |')

per_request, rows, total = cpu['oxrpc']
owned = {owner: 0.0 for owner, _ in OWNERS}
owned['other'] = 0.0
for share, dso, symbol in rows:
    if dso == '[kernel.kallsyms]':
        continue
    owner = next((o for o, pattern in OWNERS if pattern.search(symbol)), 'other')
    owned[owner] += share
print()
print("| oxrpc's user space, by owner | share of samples | µs per request |")
print('| --- | ---: | ---: |')
for owner, share in sorted(owned.items(), key=lambda item: -item[1]):
    print(f'| {owner} | {share / total * 100:.1f} % | {per_request * share / total:.2f} |')
ceiling = cpu['nginx'][0] / 0.9
ours = per_request * owned["oxrpc's own code"] / total
print()
print(f'0.9x nginx needs {ceiling:.2f} µs per request: {per_request - ceiling:+.2f} µs from here; '
      f"oxrpc's own code is {ours:.2f} µs of it "
      f'(at no cost it would leave {cpu["nginx"][0] / (per_request - ours):.2f}x).')
