"""Wire shapes: the response object, decorated output items, agents and conversations.

Two dialects, as recorded: ``"v1"`` (``agent_reference`` echoed at the top and on every item,
with ``response_id``) and ``"preview"`` (``agent: {"type": "agent_id", ...}`` and items carrying
``created_by``). Two modes: ``"json"`` (the non-streaming body, recorded key set) and ``"stream"``
(the full object embedded in SSE events). Pure functions: data in, JSON-ready dicts out.
"""

from __future__ import annotations

from typing import Any

from .model import AgentVersionRecord, ResponseRecord

DEFAULT_TEXT: dict[str, Any] = {"format": {"type": "text"}, "verbosity": "medium"}


def agent_ref(agent: AgentVersionRecord) -> dict[str, Any]:
    """``{"type": "agent_reference", "name", "version"}``."""
    return {"type": "agent_reference", "name": agent.name, "version": agent.version}


def agent_id_ref(agent: AgentVersionRecord) -> dict[str, Any]:
    """The preview echo ``{"type": "agent_id", "name", "version"}``."""
    return {"type": "agent_id", "name": agent.name, "version": agent.version}


def decorate_item(item: dict[str, Any], record: ResponseRecord, dialect: str, mode: str = "json") -> dict[str, Any]:
    """An output item as it appears on the wire, with the dialect's agent echo.

    v1 items carry ``agent_reference`` and ``response_id``; preview items carry ``created_by``
    only in streams (the recorded preview JSON bodies have no per-item echo).
    """
    head: dict[str, Any] = {"type": item["type"], "id": item.get("id")}
    # A workflow agent's inner items name the inner agent that wrote them.
    own = item.get("agent_reference")
    if dialect == "v1":
        head["agent_reference"] = own if isinstance(own, dict) else agent_ref(record.agent)
        head["response_id"] = record.id
    elif mode == "stream":
        head["created_by"] = {"agent": {**own, "type": "agent_id"} if isinstance(own, dict) else agent_id_ref(record.agent)}
    # Keys starting with "_" are the emulator's own notes (e.g. partial images to stream), never sent.
    return {**head, **{k: v for k, v in item.items()
                       if k not in head and not k.startswith("_") and (dialect == "v1" or k != "agent_reference")}}


def text_config(agent: AgentVersionRecord) -> dict[str, Any]:
    """The response's ``text``: the agent's response format, else plain text."""
    text = agent.definition.get("text")
    if not isinstance(text, dict) or not isinstance(text.get("format"), dict):
        return {"format": dict(DEFAULT_TEXT["format"]), "verbosity": "medium"}
    fmt = dict(text["format"])
    if fmt.get("type") == "json_schema":
        fmt.setdefault("strict", True)
    return {"format": fmt, "verbosity": text.get("verbosity", "medium")}


def _reasoning(agent: AgentVersionRecord, dialect: str, mode: str) -> dict[str, Any]:
    configured = agent.definition.get("reasoning")
    if isinstance(configured, dict):
        base = dict(configured)
    elif dialect == "v1":
        base = {"effort": "none"}
    else:
        base = {} if mode == "json" else {"effort": None}
    if mode == "stream":
        base.setdefault("effort", None)
        base.setdefault("summary", None)
    return base


def response_json(
    record: ResponseRecord, *, dialect: str = "v1", mode: str = "json", phase: str = "end"
) -> dict[str, Any]:
    """The response object. ``phase="start"`` gives the in-progress snapshot of SSE events."""
    body = _stream_response(record, dialect, phase) if mode == "stream" else _json_response(record, dialect)
    if record.agent_session_id is not None:  # hosted agents (emulator/hosted.py)
        body["agent_session_id"] = record.agent_session_id
    return body


def _output(record: ResponseRecord, dialect: str, mode: str = "json") -> list[dict[str, Any]]:
    return [decorate_item(i, record, dialect, mode) for i in record.output]


def _json_response(record: ResponseRecord, dialect: str) -> dict[str, Any]:
    agent = record.agent
    body: dict[str, Any] = {
        "metadata": dict(record.metadata),
        "top_logprobs": 0,
        "temperature": 1,
        "top_p": 0.98 if dialect == "v1" else 1,
        "service_tier": "default",
    }
    if dialect == "preview":
        body["user"] = None
    if record.previous_response_id is not None:
        body["previous_response_id"] = record.previous_response_id
    body.update(
        {
            "model": agent.model,
            "reasoning": _reasoning(agent, dialect, "json"),
            "background": record.background,
            "text": text_config(agent),
            "tools": agent.tools,
            "tool_choice": record.tool_choice if record.tool_choice is not None else "auto",
            "truncation": "disabled",
            "id": record.id,
            "object": "response",
            "status": record.status,
            "created_at": record.created_at,
        }
    )
    if dialect == "v1":
        body["completed_at"] = record.completed_at
    body.update(
        {
            "error": record.error,
            "incomplete_details": record.incomplete_details,
            "output": _output(record, dialect),
            "instructions": agent.instructions,
            "usage": record.usage,
            "parallel_tool_calls": True,
        }
    )
    if record.conversation_id is not None:
        body["conversation"] = {"id": record.conversation_id}
    elif dialect == "preview":
        body["conversation"] = None
    if dialect == "v1":
        body["agent_reference"] = agent_ref(agent)
    else:
        body["agent"] = agent_id_ref(agent)
    return body


def _stream_response(record: ResponseRecord, dialect: str, phase: str) -> dict[str, Any]:
    agent = record.agent
    done = phase == "end"
    body: dict[str, Any] = {
        "id": record.id,
        "object": "response",
        "created_at": record.created_at,
        "status": record.status if done else "in_progress",
        "background": record.background,
        "completed_at": record.completed_at if done else None,
        "content_filters": content_filters(record) if done and record.status == "completed" else None,
        "conversation": {"id": record.conversation_id} if record.conversation_id else None,
        "error": record.error if done else None,
        "frequency_penalty": 0.0,
        "incomplete_details": record.incomplete_details if done else None,
        "instructions": agent.instructions,
        "max_output_tokens": None,
        "max_tool_calls": None,
        "model": agent.model,
        "output": _output(record, dialect, "stream") if done else [],
        "parallel_tool_calls": True,
        "presence_penalty": 0.0,
        "previous_response_id": record.previous_response_id,
        "prompt_cache_key": None,
        "prompt_cache_retention": None,
        "reasoning": _reasoning(agent, dialect, "stream"),
        "safety_identifier": None,
        "service_tier": "default" if done else "auto",
        "store": record.store,
        "temperature": 1.0,
        "text": text_config(agent),
        "tool_choice": record.tool_choice,
        "tools": agent.tools,
        "top_logprobs": 0,
        "top_p": 0.98 if dialect == "v1" else 1.0,
        "truncation": "disabled",
        "usage": record.usage if done else None,
        "user": None,
        "metadata": dict(record.metadata),
    }
    if record.conversation_id is None:
        del body["conversation"]  # only present when a conversation is used (as recorded)
    if dialect != "v1":
        del body["frequency_penalty"], body["presence_penalty"]
    if dialect == "v1":
        body["agent_reference"] = agent_ref(agent)
    else:
        body["agent"] = agent_id_ref(agent)
    return body


def content_filters(record: ResponseRecord) -> list[dict[str, Any]]:
    """Azure content-safety results, all clean (shape as recorded at ``response.completed``)."""
    safe = {"filtered": False, "severity": "safe"}
    clean = {"detected": False, "filtered": False}
    prompt = {"indirect_attack": clean, "hate": safe, "sexual": safe, "violence": safe, "self_harm": safe, "jailbreak": clean}
    completion = {"hate": safe, "sexual": safe, "violence": safe, "self_harm": safe, "protected_material_code": clean, "protected_material_text": clean}
    out_chars = sum(len(p.get("text", "")) for i in record.output for p in i.get("content", []) if isinstance(p, dict))
    return [
        _filter("prompt", prompt, record.usage.get("input_tokens", 0) * 4),
        _filter("completion", completion, out_chars),
    ]


def _filter(source: str, results: dict[str, Any], end: int) -> dict[str, Any]:
    return {
        "blocked": False,
        "source_type": source,
        "content_filter_raw": [],
        "content_filter_results": {k: dict(v) for k, v in results.items()},
        "content_filter_offsets": {"start_offset": 0, "end_offset": end, "check_offset": 0},
    }


# -- agents ------------------------------------------------------------------------------------


def agent_version_json(agent: AgentVersionRecord) -> dict[str, Any]:
    """An ``agent.version`` object (``id`` is ``"name:N"``, ``version`` a string)."""
    return {
        "metadata": dict(agent.metadata),
        "object": "agent.version",
        "id": agent.id,
        "name": agent.name,
        "version": agent.version,
        "description": agent.description,
        "created_at": agent.created_at,
        "definition": dict(agent.definition),
    }


def agent_json(latest: AgentVersionRecord) -> dict[str, Any]:
    """An ``agent`` object with its latest version."""
    return {
        "object": "agent",
        "id": latest.name,
        "name": latest.name,
        "versions": {"latest": agent_version_json(latest)},
    }


def list_json(data: list[dict[str, Any]], *, has_more: bool = False, id_key: str = "id") -> dict[str, Any]:
    """The list wrapper; ``first_id``/``last_id`` only when there is data (as recorded)."""
    body: dict[str, Any] = {"data": data}
    if data:
        body["first_id"] = data[0].get(id_key)
        body["last_id"] = data[-1].get(id_key)
    body["has_more"] = has_more
    body["object"] = "list"
    return body


# -- conversations -----------------------------------------------------------------------------


def conversation_json(conv: dict[str, Any], dialect: str = "v1") -> dict[str, Any]:
    """A ``conversation`` object (key order differs slightly between dialects)."""
    if dialect == "v1":
        return {"id": conv["id"], "object": "conversation", "metadata": conv["metadata"], "created_at": conv["created_at"]}
    return {"id": conv["id"], "object": "conversation", "created_at": conv["created_at"], "metadata": conv["metadata"]}


def stored_item(item: dict[str, Any]) -> dict[str, Any]:
    """An input item as a conversation stores it: ``type, id, role, content, status``."""
    head = {"type": item["type"], "id": item["id"]}
    rest = {k: v for k, v in item.items() if k not in head and k != "status"}
    return {**head, **rest, "status": item.get("status", "completed")}
