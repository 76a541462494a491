"""Helpers to replay the recordings (tests/recordings) through an in-process transport."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx

from tests.conftest import recordings_dir


def response_entries() -> Iterator[tuple[str, dict[str, Any]]]:
    """Every recorded ``POST .../responses`` call, as (``file#index``, entry)."""
    root = recordings_dir()
    for path in sorted(root.glob("*.json")):
        if path.name == "SOURCES.json":
            continue
        for index, entry in enumerate(json.loads(path.read_text(encoding="utf-8"))["Entries"]):
            if entry["RequestMethod"] == "POST" and entry["RequestUri"].split("?")[0].endswith("/responses"):
                yield f"{path.stem}#{index}", entry


def is_agent_call(entry: dict[str, Any]) -> bool:
    body = entry.get("RequestBody") or {}
    return "agent_reference" in body or "agent" in body


def is_stream(entry: dict[str, Any]) -> bool:
    return isinstance(entry["ResponseBody"], list)


def recorded_bytes(entry: dict[str, Any]) -> bytes:
    body = entry["ResponseBody"]
    if isinstance(body, list):
        return "".join(body).encode()
    return json.dumps(body).encode()


def replay_transport(entry: dict[str, Any], seen: list[httpx.Request] | None = None) -> httpx.MockTransport:
    """A transport that answers any request with the recorded answer (and records the request)."""
    headers = {k: v for k, v in entry["ResponseHeaders"].items()
               if k.lower() in ("content-type", "x-request-id", "apim-request-id")}
    content = recorded_bytes(entry)

    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return httpx.Response(entry["StatusCode"], content=content, headers=headers)

    return httpx.MockTransport(handler)


def sse_events(entry: dict[str, Any]) -> list[dict[str, Any]]:
    return [json.loads(line[len("data: "):]) for line in entry["ResponseBody"] if line.startswith("data: ")]


def expected(entry: dict[str, Any]) -> dict[str, Any]:
    """What a faithful client must find in the recording, computed straight from the raw data."""
    if is_stream(entry):
        events = sse_events(entry)
        final = next(e["response"] for e in events if e["type"] in ("response.completed", "response.incomplete"))
        text = "".join(e["delta"] for e in events if e["type"] == "response.output_text.delta")
        deltas = sum(e["type"] == "response.output_text.delta" for e in events)
    else:
        final = entry["ResponseBody"]
        text = "".join(p.get("text", "") for i in final.get("output") or [] if i.get("type") == "message"
                       for p in i.get("content") or [] if p.get("type") == "output_text")
        deltas = 0
    ref = final.get("agent_reference") or final.get("agent") or {}
    return {
        "id": final["id"],
        "text": text,
        "deltas": deltas,
        "usage": final.get("usage"),
        "version": ref.get("version"),
        "function_calls": [(i["call_id"], i["name"], i["arguments"]) for i in final.get("output") or []
                           if i.get("type") == "function_call"],
        "approvals": [i["id"] for i in final.get("output") or [] if i.get("type") == "mcp_approval_request"],
        "item_types": [i.get("type") for i in final.get("output") or []],
        "request_id": entry["ResponseHeaders"].get("X-Request-ID") or entry["ResponseHeaders"].get("x-request-id"),
    }
