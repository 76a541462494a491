"""Paths a user reaches only sometimes: cancel, a transport error mid-stream, the lazy default
credential, the tool loop's round limit, and the async stream helpers."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from foundry_agents import (
    AsyncFoundryAgentsClient,
    FoundryAgent,
    FoundryAgentsClient,
    FoundryAgentsError,
    StreamError,
    arun_with_tools,
    run_with_tools,
)
from tests.core._harness import EP, run_client, sse

MODES = ["sync", "async"]


def _response(status: str = "completed", text: str = "") -> dict[str, Any]:
    output = [{"type": "message", "id": "msg_1", "role": "assistant", "status": "completed",
               "content": [{"type": "output_text", "text": text, "annotations": []}]}] if text else []
    return {"id": "resp_1", "object": "response", "status": status, "output": output,
            "agent_reference": {"type": "agent_reference", "name": "echo", "version": "1"}}


@pytest.mark.parametrize("mode", MODES)
def test_cancel_response_posts_to_the_cancel_route_and_returns_the_cancelled_response(mode: str) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=_response("cancelled"))

    result = run_client(mode, handler, lambda c: c.cancel_response("resp_1"))
    assert result.status == "cancelled"
    assert [(r.method, r.url.path) for r in seen] == [
        ("POST", "/api/projects/demo/openai/v1/responses/resp_1/cancel")]


class _BreaksAfter(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A stream body that delivers ``chunks`` and then loses the connection."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks

    def __iter__(self):  # type: ignore[no-untyped-def]
        yield from self.chunks
        raise httpx.ReadError("connection reset by peer")

    async def __aiter__(self):  # type: ignore[no-untyped-def]
        for chunk in self.chunks:
            yield chunk
        raise httpx.ReadError("connection reset by peer")


@pytest.mark.parametrize("mode", MODES)
def test_transport_error_mid_stream_raises_a_stream_error_with_the_text_so_far(mode: str) -> None:
    head = sse(
        {"type": "response.created", "sequence_number": 0, "response": _response("in_progress")},
        {"type": "response.output_item.added", "sequence_number": 1, "output_index": 0,
         "item": {"type": "message", "id": "msg_1", "role": "assistant", "status": "in_progress", "content": []}},
        {"type": "response.content_part.added", "sequence_number": 2, "output_index": 0, "content_index": 0,
         "item_id": "msg_1", "part": {"type": "output_text", "text": "", "annotations": []}},
        {"type": "response.output_text.delta", "sequence_number": 3, "output_index": 0, "content_index": 0,
         "item_id": "msg_1", "delta": "Hello, wor"},
    )

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream", "x-request-id": "req-9"},
                              stream=_BreaksAfter([head]))

    def action(client: Any) -> Any:
        if mode == "sync":
            with client.stream_response("echo", input="hi") as stream:
                for _ in stream:
                    pass
            return None

        async def go() -> None:
            stream = await client.stream_response("echo", input="hi")
            async with stream:
                async for _ in stream:
                    pass

        return go()

    with pytest.raises(StreamError) as info:
        run_client(mode, handler, action)
    assert info.value.partial_response is not None
    assert info.value.partial_response.output_text == "Hello, wor"
    assert "secret-token-123" not in repr(info.value) + str(info.value)


class _FakeCredential:
    made = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        type(self).made += 1

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        return AccessToken("lazy-default-token", 2**31)

    async def __aenter__(self) -> Any:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        return None

    def close(self) -> None:
        return None


def test_default_credential_is_built_on_first_use_not_at_construction(monkeypatch: pytest.MonkeyPatch) -> None:
    import azure.identity

    _FakeCredential.made = 0
    monkeypatch.setattr(azure.identity, "DefaultAzureCredential", _FakeCredential)
    monkeypatch.delenv("FOUNDRY_API_KEY", raising=False)
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=_response(text="hi"))

    client = FoundryAgentsClient(EP, http_client=httpx.Client(transport=httpx.MockTransport(handler)))
    assert _FakeCredential.made == 0  # constructing touches no credential (and no network)
    assert client.create_response("echo", input="hi").output_text == "hi"
    client.create_response("echo", input="again")
    assert _FakeCredential.made == 1  # built once, then reused
    assert seen[0].headers["authorization"] == "Bearer lazy-default-token"
    client.close()


def _always_calls_tools() -> tuple[httpx.MockTransport, list[dict[str, Any]]]:
    """An agent that answers every turn with another function call (a tool loop that never ends)."""
    bodies: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        n = len(bodies)
        return httpx.Response(200, json={
            "id": f"resp_{n}", "object": "response", "status": "completed",
            "output": [{"type": "function_call", "id": f"fc_{n}", "call_id": f"call_{n}", "name": "get_weather",
                        "arguments": '{"city": "Paris"}', "status": "completed"}]})

    return httpx.MockTransport(handler), bodies


def test_tool_loop_stops_after_max_rounds_sync() -> None:
    transport, bodies = _always_calls_tools()
    ran: list[dict[str, Any]] = []
    agent = FoundryAgent("weather", project_endpoint=EP, api_key="t",
                         http_client=httpx.Client(transport=transport))
    with pytest.raises(FoundryAgentsError, match=r"after 3 rounds.*max_rounds"):
        run_with_tools(agent, "Weather in Paris?", tools={"get_weather": lambda **kw: ran.append(kw) or "21C"},
                       max_rounds=3)
    assert len(ran) == 3 and len(bodies) == 4  # the first call, then one call per allowed round
    assert bodies[-1]["previous_response_id"] == "resp_3"


def test_tool_loop_stops_after_max_rounds_async() -> None:
    transport, bodies = _always_calls_tools()

    async def get_weather(**kwargs: Any) -> str:
        return "21C"

    async def main() -> None:
        agent = FoundryAgent("weather", project_endpoint=EP, api_key="t",
                             http_async_client=httpx.AsyncClient(transport=transport))
        with pytest.raises(FoundryAgentsError, match=r"after 2 rounds.*max_rounds"):
            await arun_with_tools(agent, "Weather in Paris?", tools={"get_weather": get_weather}, max_rounds=2)
        await agent.aclose()

    asyncio.run(main())
    assert len(bodies) == 3


def test_async_text_deltas_and_final_response_agree(emulator_endpoint: str, emulator_token: str) -> None:
    async def main() -> tuple[list[str], Any, Any]:
        async with AsyncFoundryAgentsClient(emulator_endpoint, api_key=emulator_token) as client:
            stream = await client.stream_response("echo", input="Hello there")
            async with stream:
                pieces = [text async for text in stream.text_deltas()]
                final = await stream.get_final_response()
            whole = await client.create_response("echo", input="Hello there")
        return pieces, final, whole

    pieces, final, whole = asyncio.run(main())
    assert len(pieces) > 1
    assert "".join(pieces) == final.output_text == whole.output_text
    assert final.status == "completed" and final.id
