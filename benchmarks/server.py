"""A minimal loopback HTTP/1.1 server that answers with precomputed bytes (bench 3).

It exists so that the concurrency bench measures the clients, not a server: every response is
built once at start-up (the recorded 112-event stream, chunked, or the recorded JSON body) and
written with a single ``write``; connections are kept alive. The listening socket is created with
``IPPROTO_TCP`` and every accepted socket gets ``TCP_NODELAY`` (without it, Nagle's algorithm
adds ~40 ms to small writes). It binds 127.0.0.1 only and exits after ``--max-seconds``.

Routes: ``POST .../responses`` (a body containing ``"stream":true`` or ``"stream": true`` gets
the SSE stream, anything else the JSON), ``GET /_stats`` (accepted connections, open and peak
open connections, requests) and ``POST /_reset_peak``.

With ``--faults`` (the load bench), a request whose body holds the marker ``bench-<n>`` is counted
per ``n`` and, deterministically, 10% of them are refused before any work: ``n % 10 == 0`` gets a
503 on its first send (``n % 20 == 0`` a 429 with ``retry-after-ms: 20`` instead), and
``n % 100 == 0`` is refused on its first three sends (the edge of a ``max_retries=3`` budget).
``GET /_sends`` returns ``{"requests": markers seen, "sends": {times sent: how many}}`` and
``POST /_reset_sends`` forgets them.

Run ``python -m benchmarks.server``: it prints ``PORT <n>`` on stdout, then serves until stdin
closes or the time limit.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import socket
import sys
import threading

from .fixtures import json_canned, stream_canned

__all__ = ["CannedServer", "main"]

_MAX_HEAD = 64 * 1024
_MARKER = re.compile(rb"bench-(\d+)")


def _response(status: int, headers: dict[str, str], chunks: tuple[bytes, ...], *, chunked: bool) -> bytes:
    lines = [f"HTTP/1.1 {status} OK"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if chunked:
        lines.append("Transfer-Encoding: chunked")
        body = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n"
    else:
        body = b"".join(chunks)
        lines.append(f"Content-Length: {len(body)}")
    lines.append("Connection: keep-alive")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


_REFUSALS = {
    429: _response(429, {"Content-Type": "application/json", "retry-after-ms": "20"},
                   (b'{"error":{"code":"too_many_requests","message":"rate limited"}}',), chunked=False),
    503: _response(503, {"Content-Type": "application/json"},
                   (b'{"error":{"code":"service_unavailable","message":"busy"}}',), chunked=False),
}


def _fault_for(n: int, send: int) -> int | None:
    """The injected status for the ``send``-th send (1-based) of request ``n``, or None."""
    if n % 100 == 0 and send <= 3:
        return 429
    if n % 10 == 0 and send == 1:
        return 429 if n % 20 == 0 else 503
    return None


class CannedServer:
    def __init__(self, *, faults: bool = False) -> None:
        self.faults = faults
        self.sends: dict[int, int] = {}
        stream, plain = stream_canned(0), json_canned()
        self.stream_bytes = _response(stream.status, stream.headers, stream.chunks, chunked=True)
        self.json_bytes = _response(plain.status, plain.headers, plain.chunks, chunked=False)
        self.accepted = 0
        self.open = 0
        self.peak = 0
        self.requests = 0

    def stats(self) -> dict[str, int]:
        return {"accepted": self.accepted, "open": self.open, "peak": self.peak, "requests": self.requests}

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.accepted += 1
        self.open += 1
        self.peak = max(self.peak, self.open)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                request_line, _, header_block = head.partition(b"\r\n")
                length = 0
                close = False
                for line in header_block.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    key = name.strip().lower()
                    if key == b"content-length":
                        length = int(value.strip() or 0)
                    elif key == b"connection" and value.strip().lower() == b"close":
                        close = True
                body = await reader.readexactly(length) if length else b""
                self.requests += 1
                writer.write(self._answer(request_line, body))
                await writer.drain()
                if close:
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            self.open -= 1
            writer.close()

    def _answer(self, request_line: bytes, body: bytes) -> bytes:
        method, _, rest = request_line.partition(b" ")
        path = rest.partition(b" ")[0]
        if path.startswith(b"/_stats"):
            return _response(200, {"Content-Type": "application/json"}, (json.dumps(self.stats()).encode(),),
                             chunked=False)
        if path.startswith(b"/_reset_peak"):
            self.peak = self.open
            return _response(200, {"Content-Type": "application/json"}, (b"{}",), chunked=False)
        if path.startswith(b"/_sends"):
            histogram: dict[int, int] = {}
            for count in self.sends.values():
                histogram[count] = histogram.get(count, 0) + 1
            payload = {"requests": len(self.sends), "sends": histogram}
            return _response(200, {"Content-Type": "application/json"}, (json.dumps(payload).encode(),),
                             chunked=False)
        if path.startswith(b"/_reset_sends"):
            self.sends = {}
            return _response(200, {"Content-Type": "application/json"}, (b"{}",), chunked=False)
        if method == b"POST" and path.split(b"?")[0].endswith(b"/responses"):
            refusal = self._fault(body) if self.faults else None
            if refusal is not None:
                return refusal
            streaming = b'"stream":true' in body or b'"stream": true' in body
            return self.stream_bytes if streaming else self.json_bytes
        return _response(404, {"Content-Type": "application/json"}, (b'{"error":{"message":"not found"}}',),
                         chunked=False)

    def _fault(self, body: bytes) -> bytes | None:
        found = _MARKER.search(body)
        if found is None:
            return None
        n = int(found.group(1))
        self.sends[n] = send = self.sends.get(n, 0) + 1
        status = _fault_for(n, send)
        return _REFUSALS[status] if status is not None else None


def _listening_socket(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock


async def _serve(port: int, max_seconds: float, faults: bool = False) -> None:
    server = CannedServer(faults=faults)
    sock = _listening_socket(port)
    async with await asyncio.start_server(server.handle, sock=sock, limit=_MAX_HEAD):
        print(f"PORT {sock.getsockname()[1]}", flush=True)
        loop = asyncio.get_running_loop()
        stdin_closed = loop.create_future()

        def watch_stdin() -> None:  # the parent closing our stdin means "stop"
            sys.stdin.read()
            loop.call_soon_threadsafe(lambda: stdin_closed.done() or stdin_closed.set_result(None))

        threading.Thread(target=watch_stdin, daemon=True).start()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stdin_closed, timeout=max_seconds)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--max-seconds", type=float, default=1800.0)
    parser.add_argument("--faults", action="store_true", help="inject 429/503 (see the module docstring)")
    args = parser.parse_args(argv)
    asyncio.run(_serve(args.port, args.max_seconds, args.faults))


if __name__ == "__main__":
    main()
