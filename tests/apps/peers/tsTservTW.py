#!/usr/bin/env python3
# Seed 2.7: the Twisted timestamp server, ported to Python 3's asyncio (Twisted is not installed;
# asyncio's Protocol has the same shape: an event-driven reactor calling data_received).
# argv: HOST PORT.
import asyncio
import sys
from time import strftime

HOST, PORT = sys.argv[1], int(sys.argv[2])


class TSServProtocol(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(('[%s] ' % strftime('%Y-%m-%d %H:%M:%S')).encode() + data)


async def main():
    server = await asyncio.get_running_loop().create_server(TSServProtocol, HOST, PORT)
    print('listening on %s:%d' % server.sockets[0].getsockname()[:2], file=sys.stderr, flush=True)
    await server.serve_forever()

asyncio.run(main())
