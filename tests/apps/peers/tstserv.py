#!/usr/bin/env python3
# Seed 2.3: the TCP timestamp server, ported to Python 3 (argv: HOST PORT; port 0 picks one and
# "listening on HOST:PORT" on stderr says which). One client at a time, as in the tutorial.
import sys
from socket import socket, AF_INET, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR
from time import strftime

HOST, PORT = sys.argv[1], int(sys.argv[2])
BUFSIZ = 1024

tcpSerSock = socket(AF_INET, SOCK_STREAM)
tcpSerSock.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
tcpSerSock.bind((HOST, PORT))
tcpSerSock.listen(5)
print('listening on %s:%d' % tcpSerSock.getsockname(), file=sys.stderr, flush=True)

while True:
    tcpCliSock, addr = tcpSerSock.accept()
    while True:
        data = tcpCliSock.recv(BUFSIZ)
        if not data:
            break
        tcpCliSock.send(('[%s] ' % strftime('%Y-%m-%d %H:%M:%S')).encode() + data)
    tcpCliSock.close()
