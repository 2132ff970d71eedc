#!/usr/bin/env python3
# Seed 2.6: the SocketServer client, ported to Python 3 (argv: HOST PORT): a connection per
# line, sends LINE\r\n, reads once, prints the reply stripped.
import sys
from socket import socket, AF_INET, SOCK_STREAM

HOST, PORT = sys.argv[1], int(sys.argv[2])
BUFSIZ = 1024

while True:
    tcpCliSock = socket(AF_INET, SOCK_STREAM)
    tcpCliSock.connect((HOST, PORT))
    try:
        data = input()
    except EOFError:
        break
    if not data:
        break
    tcpCliSock.send(('%s\r\n' % data).encode())
    data = tcpCliSock.recv(BUFSIZ)
    if not data:
        break
    print(data.decode().strip(), flush=True)
    tcpCliSock.close()
