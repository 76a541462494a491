"""A real loopback server that reads each request whole, then resets the connection.

Checks on a real socket what the fault matrix assumes of httpx's exception types: a reset after
the request was written is never re-sent for a call that runs an agent, and is retried for a read.
"""

from __future__ import annotations

import asyncio
import socket
import struct
import threading
import types
from collections.abc import Iterator
from typing import Any

import pytest

import foundry_agents._flow as flow
from foundry_agents import (
    APIConnectionError,
    APIOutcomeUnknownError,
    AsyncFoundryAgentsClient,
    FoundryAgentsClient,
)


class ResettingServer:
    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.requests: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/api/projects/p"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                head, _, body = data.partition(b"\r\n\r\n")
                length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                while len(body) < length:
                    body += conn.recv(65536)
                self.requests.append(head.split(b"\r\n", 1)[0])
                # RST instead of FIN: the request was received, the answer never comes.
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def server() -> Iterator[ResettingServer]:
    srv = ResettingServer()
    yield srv
    srv.close()


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    async def fake_async_sleep(seconds: float) -> None:
        return None

    monkeypatch.setattr(flow, "time", types.SimpleNamespace(sleep=lambda seconds: None))
    monkeypatch.setattr(flow, "asyncio", types.SimpleNamespace(sleep=fake_async_sleep))


def _run(mode: str, server: ResettingServer, action: Any) -> BaseException:
    try:
        if mode == "sync":
            with FoundryAgentsClient(server.endpoint, api_key="t", max_retries=2) as c:
                action(c)
        else:
            async def go() -> None:
                async with AsyncFoundryAgentsClient(server.endpoint, api_key="t", max_retries=2) as c:
                    await action(c)

            asyncio.run(go())
    except APIConnectionError as exc:
        return exc
    raise AssertionError("the reset raised no error")


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_reset_after_a_response_post_is_not_re_sent(mode, server):
    err = _run(mode, server, lambda c: c.create_response("echo", input="send me once"))
    assert isinstance(err, APIOutcomeUnknownError)
    assert [line.split(b" ")[:2] for line in server.requests] == [[b"POST", b"/api/projects/p/openai/v1/responses"]]


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_reset_after_a_read_is_retried(mode, server):
    err = _run(mode, server, lambda c: c.get_response("resp_1"))
    assert not isinstance(err, APIOutcomeUnknownError)
    assert len(server.requests) == 3
