#!/usr/bin/env python3
# Seed 2.6: the SocketServer timestamp server, ported to Python 3 (argv: HOST PORT).
import sys
from socketserver import TCPServer as TCP, StreamRequestHandler as SRH
from time import strftime

HOST, PORT = sys.argv[1], int(sys.argv[2])


class MyRequestHandler(SRH):
    def handle(self):
        self.wfile.write(('[%s] ' % strftime('%Y-%m-%d %H:%M:%S')).encode() +
                         self.rfile.readline())


TCP.allow_reuse_address = True
tcpServ = TCP((HOST, PORT), MyRequestHandler)
print('listening on %s:%d' % tcpServ.server_address, file=sys.stderr, flush=True)
tcpServ.serve_forever()
