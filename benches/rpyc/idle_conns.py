"""Opens N idle TCP connections to PORT and reports the server's resident
memory growth per connection (from /proc/PID/status), in KiB.

    idle_conns.py PID PORT N
"""
import socket
import sys
import time


def rss_kib(pid):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    return 0


pid, port, n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
time.sleep(0.5)
before = rss_kib(pid)
sockets = []
for _ in range(n):
    s = socket.create_connection(('127.0.0.1', port))
    sockets.append(s)
time.sleep(2.0)
after = rss_kib(pid)
print('%.1f' % ((after - before) / n))
for s in sockets:
    s.close()
