#!/usr/bin/env python3
# Seed 2.7: the Twisted timestamp client, ported to Python 3's asyncio (argv: HOST PORT): sends a
# line on connection, prints each reply and sends the next line; an empty line (or EOF) closes.
import asyncio
import sys

HOST, PORT = sys.argv[1], int(sys.argv[2])


class TSClntProtocol(asyncio.Protocol):
    def __init__(self, done):
        self.done = done

    def send_data(self):
        data = sys.stdin.readline().rstrip('\n')
        if data:
            self.transport.write(data.encode())
        else:
            self.transport.close()

    def connection_made(self, transport):
        self.transport = transport
        self.send_data()

    def data_received(self, data):
        print(data.decode(), flush=True)
        self.send_data()

    def connection_lost(self, exc):
        self.done.set_result(None)


async def main():
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    await loop.create_connection(lambda: TSClntProtocol(done), HOST, PORT)
    await done

asyncio.run(main())
