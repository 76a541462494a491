"""Run the same scenario through the sync and the async client (MockTransport)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx

from foundry_agents import AsyncFoundryAgentsClient, FoundryAgentsClient

EP = "https://acme.services.ai.azure.com/api/projects/demo"


def sse(*events: dict[str, Any], done: bool = False) -> bytes:
    out = "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events)
    if done:
        out += "data: [DONE]\n\n"
    return out.encode()


def run_client(mode: str, handler: Callable[[httpx.Request], httpx.Response],
               action: Callable[[Any], Any], **client_kwargs: Any) -> Any:
    """``action(client)`` returns a value, or an awaitable in async mode."""
    client_kwargs.setdefault("api_key", "secret-token-123")
    transport = httpx.MockTransport(handler)
    if mode == "sync":
        with FoundryAgentsClient(EP, http_client=httpx.Client(transport=transport), **client_kwargs) as c:
            return action(c)

    async def main() -> Any:
        async with AsyncFoundryAgentsClient(EP, http_client=httpx.AsyncClient(transport=transport),
                                            **client_kwargs) as c:
            return await action(c)

    return asyncio.run(main())


def collect_stream(mode: str, client: Any, agent: str, **kwargs: Any) -> Any:
    if mode == "sync":
        with client.stream_response(agent, **kwargs) as stream:
            events = list(stream)
        return events

    async def go() -> Any:
        stream = await client.stream_response(agent, **kwargs)
        async with stream:
            return [e async for e in stream]

    return go()
