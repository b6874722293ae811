"""`python -m haira.cluster.balancer`: a small TCP load balancer for loopback deployments.

    python -m haira.cluster.balancer --listen 127.0.0.1:8080 127.0.0.1:8101 127.0.0.1:8102

Each client connection goes to the next backend in turn (a backend that refuses the
connection is skipped), and bytes are copied both ways as they arrive: SSE is never
buffered, and a client that hangs up closes its backend connection at once (which is how
Stop reaches the worker). It works at the TCP level, like an L4 cloud load balancer, so a
keep-alive connection stays on one backend and a reconnect may land on another; that is
what the shared store and Redis are for. For production use nginx or a cloud balancer
(docs/deploy.md lists the settings that matter); this one is for the recipe, tests and
benchmarks.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import signal
import sys

__all__ = ["Balancer", "main"]


def _addr(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {text!r}")
    return host.strip("[]") or "127.0.0.1", int(port)


class Balancer:
    """Round-robin TCP proxy in front of `backends`."""

    def __init__(self, backends: list[tuple[str, int]]) -> None:
        self.backends = backends
        self._next = itertools.cycle(range(len(backends)))
        self.server: asyncio.Server | None = None

    async def start(self, host: str, port: int) -> int:
        self.server = await asyncio.start_server(self._client, host, port, backlog=2048)
        bound: int = self.server.sockets[0].getsockname()[1]
        return bound

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        for _ in range(len(self.backends)):
            host, port = self.backends[next(self._next)]
            try:
                return await asyncio.wait_for(asyncio.open_connection(host, port), 3.0)
            except (OSError, TimeoutError):
                continue
        return None

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream = await self._connect()
        if upstream is None:
            body = b'{"error":"no backend is reachable","code":"backend_unreachable"}\n'
            writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: application/json\r\n"
                         b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
            with contextlib.suppress(Exception):
                await writer.drain()
            writer.close()
            return
        up_reader, up_writer = upstream
        a = asyncio.ensure_future(_pipe(reader, up_writer))
        b = asyncio.ensure_future(_pipe(up_reader, writer))
        # Either side ending ends both: a client that hangs up must close the backend side.
        await asyncio.wait((a, b), return_when=asyncio.FIRST_COMPLETED)
        for task in (a, b):
            task.cancel()
        for w in (writer, up_writer):
            w.close()
        await asyncio.gather(a, b, return_exceptions=True)


async def _pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError, asyncio.IncompleteReadError):
        while True:
            data = await src.read(65536)
            if not data:
                return
            dst.write(data)
            await dst.drain()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m haira.cluster.balancer",
                                     description="Round-robin TCP load balancer (loopback deployments).")
    parser.add_argument("--listen", type=_addr, default=("127.0.0.1", 8080), metavar="HOST:PORT")
    parser.add_argument("backends", type=_addr, nargs="+", metavar="HOST:PORT")
    args = parser.parse_args(argv)

    async def run() -> None:
        balancer = Balancer(args.backends)
        host, port = args.listen
        try:
            bound = await balancer.start(host, port)
        except OSError as exc:
            sys.stderr.write(f"[haira] balancer cannot listen on {host}:{port}: {exc.strerror}\n")
            raise SystemExit(1) from None
        shown = ", ".join(f"{h}:{p}" for h, p in args.backends)
        sys.stderr.write(f"[haira] balancing http://{host}:{bound} across {shown}\n")
        sys.stderr.flush()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        assert balancer.server is not None
        balancer.server.close()

    asyncio.run(run())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
