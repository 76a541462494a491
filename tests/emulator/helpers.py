"""Helpers for emulator tests: SSE parsing and request shortcuts."""

from __future__ import annotations

import json
from typing import Any

import httpx

PROJECT = "/api/projects/emulator"
AUTH = {"Authorization": "Bearer emulator-token"}


def ref(name: str, version: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "agent_reference", "name": name}
    if version is not None:
        out["version"] = version
    return out


def parse_sse(text: str) -> list[tuple[str, Any]]:
    """``[(event, data)]`` from SSE text; comments are kept as ``(":", line)``, [DONE] as data."""
    out: list[tuple[str, Any]] = []
    for block in text.split("\n\n"):
        if not block.strip():
            continue
        event = None
        data = None
        for line in block.split("\n"):
            if line.startswith(":"):
                out.append((":", line))
            elif line.startswith("event: "):
                event = line[len("event: "):]
            elif line.startswith("data: "):
                raw = line[len("data: "):]
                data = raw if raw == "[DONE]" else json.loads(raw)
        if data is not None:
            out.append((event or "", data))
    return out


async def respond(client: httpx.AsyncClient, agent: str | None, input: Any = None, **body: Any) -> httpx.Response:
    """POST /openai/v1/responses for ``agent`` with ``input`` and extra body keys."""
    payload: dict[str, Any] = dict(body)
    if agent is not None:
        payload["agent_reference"] = ref(agent, payload.pop("version", None))
    if input is not None:
        payload["input"] = input
    return await client.post(f"{PROJECT}/openai/v1/responses", json=payload)


def text_of(response: dict[str, Any]) -> str:
    return "".join(
        part.get("text", "")
        for item in response["output"]
        if item["type"] == "message"
        for part in item["content"]
    )


def events_of(resp: httpx.Response) -> list[tuple[str, Any]]:
    return [e for e in parse_sse(resp.text) if e[0] != ":" and e[1] != "[DONE]"]
