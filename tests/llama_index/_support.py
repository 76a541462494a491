"""Helpers for the LlamaIndex adapter tests: MockTransport LLMs and SSE bodies."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from llama_index_foundry import FoundryAgentLLM

EP = "https://acme.services.ai.azure.com/api/projects/demo"
TOKEN = "secret-token-123"


def sse(events: list[dict[str, Any]]) -> bytes:
    return "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events).encode()


class Recorder:
    """A MockTransport handler that records request bodies and answers from a callback."""

    def __init__(self, answer: Callable[[dict[str, Any]], httpx.Response]) -> None:
        self.answer = answer
        self.bodies: list[dict[str, Any]] = []
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        body = json.loads(request.content or b"{}")
        self.bodies.append(body)
        return self.answer(body)


def mock_llm(handler: Callable[[httpx.Request], httpx.Response], agent: str = "weather:3",
             **kwargs: Any) -> FoundryAgentLLM:
    transport = httpx.MockTransport(handler)
    return FoundryAgentLLM(agent, project_endpoint=EP, api_key=TOKEN,
                           http_client=httpx.Client(transport=transport),
                           http_async_client=httpx.AsyncClient(transport=transport), **kwargs)
