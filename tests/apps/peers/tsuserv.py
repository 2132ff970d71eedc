#!/usr/bin/env python3
# Seed 2.4: the UDP timestamp server, ported to Python 3 (argv: HOST PORT).
import sys
from socket import socket, AF_INET, SOCK_DGRAM
from time import strftime

HOST, PORT = sys.argv[1], int(sys.argv[2])
BUFSIZ = 1024

udpSerSock = socket(AF_INET, SOCK_DGRAM)
udpSerSock.bind((HOST, PORT))
print('listening on %s:%d' % udpSerSock.getsockname(), file=sys.stderr, flush=True)
while True:
    data, addr = udpSerSock.recvfrom(BUFSIZ)
    udpSerSock.sendto(('[%s] ' % strftime('%Y-%m-%d %H:%M:%S')).encode() + data, addr)
