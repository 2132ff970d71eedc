#!/usr/bin/env python3
# Seed 2.3: the TCP timestamp client, ported to Python 3 (argv: HOST PORT). Reads lines from
# stdin (no prompt, so its output compares with ours); an empty line ends it.
import sys
from socket import socket, AF_INET, SOCK_STREAM

HOST, PORT = sys.argv[1], int(sys.argv[2])
BUFSIZ = 1024

tcpCliSock = socket(AF_INET, SOCK_STREAM)
tcpCliSock.connect((HOST, PORT))
while True:
    try:
        data = input()
    except EOFError:
        break
    if not data:
        break
    tcpCliSock.send(data.encode())
    data = tcpCliSock.recv(BUFSIZ)
    if not data:
        break
    print(data.decode(), flush=True)
tcpCliSock.close()
