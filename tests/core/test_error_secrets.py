"""No token is reachable from an error: not through ``__cause__``/``__context__``, not through the
httpx request or response an error (or its cause) keeps, not in ``str``/``repr``/pickle.

Every connection, timeout and stream error path, in sync and async mode.
"""

from __future__ import annotations

import dataclasses
import pickle
import traceback
import types
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

import httpx
import pytest

import foundry_agents._flow as flow
from foundry_agents import FoundryAgentsError
from tests.core._harness import collect_stream, run_client, sse

MODES = ["sync", "async"]
TOKEN = "tok-DO-NOT-LEAK-8f3a"
OK = {"id": "resp_1", "object": "response", "status": "in_progress", "model": "m", "output": []}


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    async def fake_async_sleep(seconds):
        return None

    monkeypatch.setattr(flow, "time", types.SimpleNamespace(sleep=lambda seconds: None))
    monkeypatch.setattr(flow, "asyncio", types.SimpleNamespace(sleep=fake_async_sleep))


def reachable_text(obj: Any, seen: set[int] | None = None, depth: int = 0) -> Iterator[str]:
    """Every string reachable from ``obj`` through exception links, attributes and containers."""
    seen = set() if seen is None else seen
    if id(obj) in seen or depth > 12 or isinstance(obj, (type, types.ModuleType, types.FunctionType,
                                                         types.MethodType, types.TracebackType)):
        return
    seen.add(id(obj))
    nxt = depth + 1
    if isinstance(obj, str):
        yield obj
        return
    if isinstance(obj, (bytes, bytearray)):
        yield bytes(obj).decode("latin-1")
        return
    if isinstance(obj, httpx.Headers):
        for key, value in obj.multi_items():
            yield f"{key}: {value}"
        return
    if isinstance(obj, Mapping):
        for key, value in obj.items():
            yield from reachable_text(key, seen, nxt)
            yield from reachable_text(value, seen, nxt)
        return
    if isinstance(obj, (list, tuple, set, frozenset)):
        for value in obj:
            yield from reachable_text(value, seen, nxt)
        return
    yield repr(obj)
    if isinstance(obj, BaseException):
        yield str(obj)
        for link in (obj.__cause__, obj.__context__, obj.args):
            yield from reachable_text(link, seen, nxt)
        request = getattr(obj, "_request", None)  # httpx errors: .request raises when unset
        yield from reachable_text(request, seen, nxt)
    if isinstance(obj, httpx.Request):
        yield str(obj.url)
        yield from reachable_text(obj.headers, seen, nxt)
    if isinstance(obj, httpx.Response):
        yield from reachable_text(obj.headers, seen, nxt)
        yield from reachable_text(getattr(obj, "_request", None), seen, nxt)
    if dataclasses.is_dataclass(obj):
        for f in dataclasses.fields(obj):
            yield from reachable_text(getattr(obj, f.name, None), seen, nxt)
    for name in getattr(type(obj), "__slots__", ()):
        yield from reachable_text(getattr(obj, name, None), seen, nxt)
    if hasattr(obj, "__dict__"):
        yield from reachable_text(vars(obj), seen, nxt)


def assert_no_token(err: BaseException) -> None:
    assert isinstance(err, FoundryAgentsError), repr(err)
    leaks = [text for text in reachable_text(err) if TOKEN in text]
    assert leaks == []
    assert TOKEN not in "".join(traceback.format_exception(err))
    assert TOKEN.encode() not in pickle.dumps(err)


def test_the_walker_finds_a_token_on_a_kept_request():
    # Proof that the walker would see the leak this module guards against.
    request = httpx.Request("GET", "https://h/x", headers={"Authorization": f"Bearer {TOKEN}"})
    try:
        try:
            raise httpx.ReadError("reset", request=request)
        except httpx.ReadError as exc:
            raise FoundryAgentsError("wrapped") from exc
    except FoundryAgentsError as err:
        assert any(TOKEN in text for text in reachable_text(err))


def _raising(exc_type: type[httpx.TransportError]) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc_type("injected", request=request)

    return handler


CALLS = {
    "create_response": lambda mode, c: c.create_response("echo", input="x"),
    "get_response": lambda mode, c: c.get_response("resp_1"),
    "stream_response": lambda mode, c: collect_stream(mode, c, "echo", input="x"),
}
FAULTS = [httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ReadError, httpx.WriteError,
          httpx.ReadTimeout, httpx.WriteTimeout, httpx.RemoteProtocolError]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("call", sorted(CALLS))
@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("max_retries", [0, 2])
def test_connection_and_timeout_errors_hold_no_token(mode, call, fault, max_retries):
    with pytest.raises(FoundryAgentsError) as info:
        run_client(mode, _raising(fault), lambda c: CALLS[call](mode, c), api_key=TOKEN, max_retries=max_retries)
    assert_no_token(info.value)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("status", [400, 401, 429, 500, 503])
def test_status_errors_hold_no_token(mode, status):
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json={"error": {"message": "no"}})

    with pytest.raises(FoundryAgentsError) as info:
        run_client(mode, handler, lambda c: c.create_response("echo", input="x"), api_key=TOKEN, max_retries=1)
    assert_no_token(info.value)


class BrokenStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """Some events, then the connection breaks (httpx attaches the response's request)."""

    def __init__(self, fault: type[httpx.TransportError]) -> None:
        self.fault = fault
        created = {"type": "response.created", "sequence_number": 0, "response": OK}
        delta = {"type": "response.output_text.delta", "sequence_number": 1, "item_id": "msg_1",
                 "output_index": 0, "content_index": 0, "delta": "Hel"}
        self.chunks = [sse(created), sse(delta)]

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks
        raise self.fault("connection broke")

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk
        raise self.fault("connection broke")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fault", [httpx.ReadError, httpx.ReadTimeout, httpx.RemoteProtocolError],
                         ids=lambda f: f.__name__)
def test_stream_errors_hold_no_token(mode, fault):
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=BrokenStream(fault), headers={"content-type": "text/event-stream"})

    with pytest.raises(FoundryAgentsError) as info:
        run_client(mode, handler, lambda c: collect_stream(mode, c, "echo", input="x"), api_key=TOKEN)
    assert_no_token(info.value)
