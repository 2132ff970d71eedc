#!/usr/bin/env python3
# Seed 2.4: the UDP timestamp client, ported to Python 3 (argv: HOST PORT). No timeout, as in
# the tutorial: a lost datagram hangs it.
import sys
from socket import socket, AF_INET, SOCK_DGRAM

HOST, PORT = sys.argv[1], int(sys.argv[2])
BUFSIZ = 1024

udpCliSock = socket(AF_INET, SOCK_DGRAM)
while True:
    try:
        data = input()
    except EOFError:
        break
    if not data:
        break
    udpCliSock.sendto(data.encode(), (HOST, PORT))
    data, addr = udpCliSock.recvfrom(BUFSIZ)
    if not data:
        break
    print(data.decode(), flush=True)
udpCliSock.close()
