"""Helpers: a ChatFoundryAgent on an in-process MockTransport, and SSE bodies."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from langchain_foundry_agents import ChatFoundryAgent

EP = "https://acme.services.ai.azure.com/api/projects/demo"
TOKEN = "secret-token-123"

Handler = Callable[[httpx.Request], httpx.Response]


def mock_model(handler: Handler, agent: str = "echo", **kwargs: Any) -> ChatFoundryAgent:
    """A model whose sync and async clients both answer through ``handler``."""
    transport = httpx.MockTransport(handler)
    return ChatFoundryAgent(agent, project_endpoint=EP, api_key=TOKEN, max_retries=0,
                            http_client=httpx.Client(transport=transport),
                            http_async_client=httpx.AsyncClient(transport=transport), **kwargs)


def sse(*events: dict[str, Any]) -> bytes:
    return "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events).encode()


def response_body(output: list[dict[str, Any]], *, rid: str = "resp_1", usage: dict[str, Any] | None = None,
                  model: str = "gpt-4o", agent: tuple[str, str] = ("echo", "1"), **extra: Any) -> dict[str, Any]:
    body = {"id": rid, "object": "response", "status": "completed", "model": model, "output": output,
            "agent_reference": {"type": "agent_reference", "name": agent[0], "version": agent[1]}}
    if usage is not None:
        body["usage"] = usage
    body.update(extra)
    return body


def stream_events(body: dict[str, Any]) -> list[dict[str, Any]]:
    """A faithful event sequence for ``body``: created, per item added/deltas/done, completed."""
    events: list[dict[str, Any]] = [{"type": "response.created", "response": {**body, "output": [], "status": "in_progress"}}]
    for oi, item in enumerate(body["output"]):
        kind = item["type"]
        if kind == "message":
            events.append({"type": "response.output_item.added", "output_index": oi,
                           "item": {**item, "content": []}})
            for ci, part in enumerate(item["content"]):
                text = part.get("text", "")
                for piece in [text[i:i + 3] for i in range(0, len(text), 3)]:
                    events.append({"type": "response.output_text.delta", "output_index": oi, "content_index": ci,
                                   "delta": piece, "item_id": item.get("id")})
                for ann in part.get("annotations") or []:
                    events.append({"type": "response.output_text.annotation.added", "output_index": oi,
                                   "content_index": ci, "annotation": ann})
        elif kind == "function_call":
            events.append({"type": "response.output_item.added", "output_index": oi,
                           "item": {**item, "arguments": ""}})
            args = item["arguments"]
            for piece in [args[i:i + 4] for i in range(0, len(args), 4)]:
                events.append({"type": "response.function_call_arguments.delta", "output_index": oi,
                               "delta": piece, "item_id": item.get("id")})
        elif kind == "reasoning":
            events.append({"type": "response.output_item.added", "output_index": oi, "item": {**item, "summary": []}})
            for si, part in enumerate(item.get("summary") or []):
                events.append({"type": "response.reasoning_summary_text.delta", "output_index": oi,
                               "summary_index": si, "delta": part["text"]})
        else:
            events.append({"type": "response.output_item.added", "output_index": oi, "item": item})
        events.append({"type": "response.output_item.done", "output_index": oi, "item": item})
    events.append({"type": "response.completed", "response": body})
    for n, e in enumerate(events):
        e["sequence_number"] = n
    return events


def answering(body: dict[str, Any], seen: list[dict[str, Any]] | None = None, status: int = 200) -> Handler:
    """A handler returning ``body`` as JSON, or as SSE when the request asks to stream."""

    def handler(request: httpx.Request) -> httpx.Response:
        sent = json.loads(request.content) if request.content else {}
        if seen is not None:
            seen.append(sent)
        if status != 200:
            return httpx.Response(status, json=body, headers={"x-request-id": "req-9"})
        if sent.get("stream"):
            return httpx.Response(200, content=sse(*stream_events(body)),
                                  headers={"content-type": "text/event-stream", "x-request-id": "req-1"})
        return httpx.Response(200, json=body, headers={"x-request-id": "req-1"})

    return handler
