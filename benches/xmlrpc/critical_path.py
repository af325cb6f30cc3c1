"""The server's side of each round trip, from `perf script` output.

    python critical_path.py TRACE

TRACE holds `perf script` lines of the tracepoints
`syscalls:sys_exit_recvfrom` and `syscalls:sys_enter_writev` of a server
answering one connection. For every request it takes the time from the
last read that returned data to the start of the response's `writev` (the
server's own work: decoding, the handler, encoding) and from there to the
next request's first read (the write itself, in which the kernel delivers
the response, the client's part, the request's delivery and the wake-up),
and prints their quartiles in microseconds.
"""
import re
import statistics
import sys

EVENT = re.compile(r"\s(\d+\.\d+):\s+syscalls:sys_(exit_recvfrom|enter_writev):\s*(.*)")


def quartiles(values):
    values = sorted(values)
    if not values:
        return "no requests"
    q = lambda f: values[min(len(values) - 1, int(len(values) * f))]
    return f"p25 {q(0.25):.0f} / p50 {statistics.median(values):.0f} / p75 {q(0.75):.0f} us"


def main(path):
    serving, waiting = [], []
    last_read = written = None
    for line in open(path, encoding="utf-8", errors="replace"):
        match = EVENT.search(line)
        if not match:
            continue
        at, event = float(match.group(1)), match.group(2)
        if event == "exit_recvfrom":
            returned = re.search(r"0x([0-9a-f]+)", match.group(3))
            size = int(returned.group(1), 16) if returned else 0
            # An error is a huge unsigned number; an empty read is 0.
            if not 0 < size < 1 << 40:
                continue
            if written is not None:
                waiting.append((at - written) * 1e6)
                written = None
            last_read = at
        elif last_read is not None:
            serving.append((at - last_read) * 1e6)
            last_read, written = None, at
    print(f"requests: {len(serving)}")
    print(f"last read -> response write (the server's work): {quartiles(serving)}")
    print(f"response write -> next request read (the write, the client, wake-ups): {quartiles(waiting)}")


if __name__ == "__main__":
    main(sys.argv[1])
