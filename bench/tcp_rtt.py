#!/usr/bin/env python3
# Round trips of 16-byte requests on one TCP connection to a tcp-ts-server (argv: HOST PORT N):
# prints the median and the 90th percentile in microseconds. Used by bench/proxy-speed.
import socket
import sys
import time

s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
n = int(sys.argv[3])
rtts = []
for i in range(n):
    t0 = time.perf_counter_ns()
    s.sendall(b"0123456789abcdef")
    got = b""
    while len(got) < 38:  # "[YYYY-mm-dd HH:MM:SS] " and the 16 bytes
        got += s.recv(1024)
    rtts.append((time.perf_counter_ns() - t0) / 1000)
rtts.sort()
print("median_us=%.1f p90_us=%.1f" % (rtts[n // 2], rtts[n * 9 // 10]))
