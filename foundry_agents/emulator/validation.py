"""Request validation that mirrors the service (docs/protocol.md). Pure functions.

Each check raises :class:`~.errors.EmulatorError` with the service's code and message; the
``normalize_*`` functions return input items in the stored shape (content as a list of parts).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import EmulatorError, invalid, validation_errors
from .schema import check_agent_name

#: Request fields the service refuses next to an agent: the first five are verified (a live
#: error quoted in public reports), the rest are refused on inference (docs/protocol.md, "Fields
#: refused next to an agent"). The core keeps its own copy; a test holds the two together.
REFUSED_WITH_AGENT = (
    "model",
    "tools",
    "temperature",
    "top_p",
    "text",
    "instructions",
    "reasoning",
    "parallel_tool_calls",
    "max_tool_calls",
    "top_logprobs",
)
NOT_ALLOWED = "Not allowed when agent is specified."

#: Items only the service produces; replaying them is a schema error.
SERVER_ONLY_ITEMS = frozenset(
    {
        "mcp_list_tools",
        "mcp_approval_request",
        "mcp_call",
        "web_search_call",
        "file_search_call",
        "code_interpreter_call",
        "image_generation_call",
        "bing_grounding_call",
        "bing_grounding_call_output",
        "local_shell_call",
        "memory_search_call",
        "oauth_consent_request",
        "structured_outputs",
    }
)

#: Roles the service accepts on an item without ``"type"`` (docs/protocol.md, "Role items without type").
UNTYPED_ROLES = frozenset({"system"})

#: Message role -> allowed content part types.
PART_TYPES: dict[str, frozenset[str]] = {
    "user": frozenset({"input_text", "input_image", "input_file"}),
    "system": frozenset({"input_text", "input_image", "input_file"}),
    "developer": frozenset({"input_text", "input_image", "input_file"}),
    "assistant": frozenset({"output_text", "refusal"}),
}


def check_bearer(header: str | None) -> None:
    """401 unless the ``Authorization`` header is ``Bearer <non-empty token>``."""
    scheme, _, token = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise EmulatorError(
            401,
            "PermissionDenied" if header else "unauthorized",
            "Access denied due to missing or invalid bearer token. Send 'Authorization: Bearer <token>'.",
        )


def agent_key(body: dict[str, Any], *, dialect: str) -> tuple[str, str | None]:
    """The agent name and optional version named by the body.

    ``dialect`` is ``"v1"`` (only ``agent_reference``) or ``"preview"`` (``agent`` or
    ``agent_reference``).
    """
    if dialect == "v1" and "agent" in body:
        raise invalid("The 'agent' property is deprecated. Use 'agent_reference' instead.", "agent")
    ref = body.get("agent_reference")
    if ref is None and dialect == "preview":
        ref = body.get("agent")
    if ref is None:
        raise invalid("An agent reference is required: send 'agent_reference': {\"type\": \"agent_reference\", \"name\": ...}.", "agent_reference")
    if not isinstance(ref, dict) or not isinstance(ref.get("name"), str) or not ref["name"]:
        raise invalid("'agent_reference.name' must be a non-empty string.", "agent_reference.name")
    check_agent_name(ref["name"], "agent_reference.name")
    version = ref.get("version")
    if version is None and isinstance(ref.get("id"), str) and ":" in ref["id"]:
        version = ref["id"].split(":", 1)[1]
    if version is not None and not isinstance(version, str):
        raise invalid("'agent_reference.version' must be a string.", "agent_reference.version")
    return ref["name"], version


def check_refused_fields(body: dict[str, Any], agent_model: str) -> None:
    """400 for request fields that the agent definition owns."""
    offending = []
    for name in REFUSED_WITH_AGENT:
        value = body.get(name)
        if value is None or (name == "model" and value == agent_model):
            continue
        offending.append(name)
    if offending:
        raise validation_errors(NOT_ALLOWED, offending)


def check_state_refs(body: dict[str, Any]) -> None:
    """400 when ``conversation`` and ``previous_response_id`` come together."""
    if body.get("conversation") is not None and body.get("previous_response_id") is not None:
        raise invalid(
            "Mutually exclusive parameters: 'conversation' and 'previous_response_id' cannot be used together.",
            "conversation",
        )


def conversation_id(value: Any) -> str | None:
    """The id from ``"conv_..."`` or ``{"id": "conv_..."}``."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return value["id"]
    raise invalid("'conversation' must be a string id or an object with 'id'.", "conversation")


def normalize_input(raw: Any, *, strict: bool = True, param: str = "input") -> list[dict[str, Any]]:
    """Validate ``input`` (a string or a list of items) and return items in the stored shape."""
    if raw is None:
        return []
    if isinstance(raw, str):
        return [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": raw}]}]
    if not isinstance(raw, list):
        raise invalid(f"'{param}' must be a string or an array of items.", param)
    return [normalize_item(item, f"{param}[{i}]", strict=strict) for i, item in enumerate(raw)]


def normalize_item(item: Any, where: str, *, strict: bool = True) -> dict[str, Any]:
    """Validate one input item and return it in the stored shape."""
    if not isinstance(item, dict):
        raise invalid("Input items must be objects.", where)
    _reject_null_status(item, where)
    kind = item.get("type")
    if kind is None:
        if "role" not in item:
            raise invalid("Input item is missing required property 'type'.", f"{where}.type")
        if strict and item["role"] not in UNTYPED_ROLES:
            # The service's answer for e.g. {"role": "user", "content": "hi"} without "type".
            raise EmulatorError(
                400, "invalid_value",
                f"Invalid value for '{where}': role items other than 'system' need \"type\": \"message\".", where,
            )
        kind = "message"
    check = _ITEM_CHECKS.get(kind)
    if kind in SERVER_ONLY_ITEMS:
        raise invalid(f"Items of type '{kind}' are produced by the service and cannot be sent as input.", f"{where}.type")
    if check is None:
        raise invalid(f"Invalid value: '{kind}'. Unsupported input item type.", f"{where}.type")
    return check(item, where)


def _reject_null_status(item: dict[str, Any], where: str) -> None:
    if "status" in item and item["status"] is None:
        raise invalid("Invalid type for 'status': expected a string, but got null.", f"{where}.status")


def _message(item: dict[str, Any], where: str) -> dict[str, Any]:
    role = item.get("role")
    if role not in PART_TYPES:
        raise invalid(f"Invalid value: '{role}'. Supported roles: user, assistant, system, developer.", f"{where}.role")
    content = item.get("content")
    if isinstance(content, str):
        part_type = "output_text" if role == "assistant" else "input_text"
        part: dict[str, Any] = {"type": part_type, "text": content}
        if role == "assistant":
            part["annotations"] = []
        parts = [part]
    elif isinstance(content, list):
        parts = [_part(p, role, f"{where}.content[{j}]") for j, p in enumerate(content)]
    else:
        raise invalid("Message 'content' must be a string or an array of parts.", f"{where}.content")
    out = {"type": "message", "role": role, "content": parts}
    if isinstance(item.get("id"), str):
        out["id"] = item["id"]
    return out


def _part(part: Any, role: str, where: str) -> dict[str, Any]:
    if not isinstance(part, dict):
        raise invalid("Content parts must be objects.", where)
    _reject_null_status(part, where)
    kind = part.get("type")
    if kind not in PART_TYPES[role]:
        raise invalid(f"Invalid content part type '{kind}' for role '{role}'.", f"{where}.type")
    if kind in ("input_text", "output_text") and not isinstance(part.get("text"), str):
        raise invalid("Text parts need a string 'text'.", f"{where}.text")
    if kind == "output_text" and not isinstance(part.get("annotations"), list):
        raise invalid("Missing required parameter: 'annotations'.", f"{where}.annotations")
    if kind in _MEDIA_SOURCES:
        _media_part(part, kind, where)
    return dict(part)


#: Part type -> the keys that say where its content is (one is needed).
_MEDIA_SOURCES = {"input_image": ("image_url", "file_id"), "input_file": ("file_id", "file_data", "file_url")}


def _media_part(part: dict[str, Any], kind: str, where: str) -> None:
    sources = _MEDIA_SOURCES[kind]
    given = [key for key in sources if part.get(key) is not None]
    if not given:
        names = ", ".join(f"'{k}'" for k in sources)
        raise invalid(f"An '{kind}' part needs one of {names}.", f"{where}.{sources[0]}")
    for key in given:
        if not isinstance(part[key], str) or not part[key]:
            raise invalid(f"Invalid type for '{where}.{key}': expected a non-empty string.", f"{where}.{key}")
    if kind == "input_image" and part.get("detail") not in (None, "low", "high", "auto"):
        raise invalid("'detail' must be 'low', 'high' or 'auto'.", f"{where}.detail")
    if kind == "input_file" and "file_data" in given and not part.get("filename"):
        raise invalid("An 'input_file' part with 'file_data' needs a 'filename'.", f"{where}.filename")


def check_file_refs(items: list[dict[str, Any]], exists: Callable[[str], bool]) -> None:
    """400 for an ``input_file``/``input_image`` part (or screenshot) naming a file never uploaded."""
    for index, item in enumerate(items):
        refs: list[tuple[str, Any]] = []
        if item.get("type") == "message":
            for j, part in enumerate(item.get("content") or []):
                refs.append((f"input[{index}].content[{j}].file_id", part.get("file_id")))
        elif item.get("type") == "computer_call_output":
            refs.append((f"input[{index}].output.file_id", (item.get("output") or {}).get("file_id")))
        for where, file_id in refs:
            if isinstance(file_id, str) and not exists(file_id):
                raise EmulatorError(400, "invalid_value", f"File with id '{file_id}' not found.", where)


def _function_call_output(item: dict[str, Any], where: str) -> dict[str, Any]:
    if not isinstance(item.get("call_id"), str) or not item["call_id"]:
        raise invalid("Missing required parameter: 'call_id'.", f"{where}.call_id")
    if not isinstance(item.get("output"), (str, list)):
        raise invalid("'output' must be a string or an array of parts.", f"{where}.output")
    return {"type": "function_call_output", "call_id": item["call_id"], "output": item["output"]}


def _function_call(item: dict[str, Any], where: str) -> dict[str, Any]:
    for key in ("call_id", "name", "arguments"):
        if not isinstance(item.get(key), str):
            raise invalid(f"Missing required parameter: '{key}'.", f"{where}.{key}")
    out: dict[str, Any] = {k: item[k] for k in ("type", "id", "call_id", "name", "arguments") if k in item}
    out["status"] = item.get("status", "completed")
    return out


def _computer_call(item: dict[str, Any], where: str) -> dict[str, Any]:
    """A replayed ``computer_call`` (stateless history; OpenAI spec ``ComputerToolCall`` is an input
    ``Item``; [UNVERIFIED] on Foundry): ``call_id``, ``action`` or ``actions``, ``pending_safety_checks``."""
    if not isinstance(item.get("call_id"), str) or not item["call_id"]:
        raise invalid("Missing required parameter: 'call_id'.", f"{where}.call_id")
    if not isinstance(item.get("action"), dict) and not isinstance(item.get("actions"), list):
        raise invalid("Missing required parameter: 'action'.", f"{where}.action")
    if not isinstance(item.get("pending_safety_checks", []), list):
        raise invalid("'pending_safety_checks' must be an array.", f"{where}.pending_safety_checks")
    out: dict[str, Any] = {k: item[k] for k in ("type", "id", "call_id", "action", "actions", "pending_safety_checks")
                           if k in item}
    out.setdefault("pending_safety_checks", [])
    out["status"] = item.get("status", "completed")
    return out


def _approval_response(item: dict[str, Any], where: str) -> dict[str, Any]:
    if not isinstance(item.get("approval_request_id"), str):
        raise invalid("Missing required parameter: 'approval_request_id'.", f"{where}.approval_request_id")
    if not isinstance(item.get("approve"), bool):
        raise invalid("'approve' must be a boolean.", f"{where}.approve")
    out = {
        "type": "mcp_approval_response",
        "approval_request_id": item["approval_request_id"],
        "approve": item["approve"],
    }
    if item.get("reason") is not None:
        out["reason"] = item["reason"]
    return out


def _computer_call_output(item: dict[str, Any], where: str) -> dict[str, Any]:
    """``{"type", "call_id", "output": {"type": "computer_screenshot", "image_url" | "file_id"}}``."""
    if not isinstance(item.get("call_id"), str) or not item["call_id"]:
        raise invalid("Missing required parameter: 'call_id'.", f"{where}.call_id")
    output = item.get("output")
    if not isinstance(output, dict):
        raise invalid("'output' must be a computer_screenshot object.", f"{where}.output")
    if output.get("type") != "computer_screenshot":
        raise invalid(f"Invalid value: '{output.get('type')}'. Expected 'computer_screenshot'.", f"{where}.output.type")
    url, file_id = output.get("image_url"), output.get("file_id")
    if url is None and file_id is None:
        raise invalid("A computer_screenshot needs 'image_url' or 'file_id'.", f"{where}.output.image_url")
    if url is not None and (not isinstance(url, str) or not url.startswith(("data:image/", "https://", "http://"))):
        raise invalid("'image_url' must be a data:image/... URL or an http(s) URL.", f"{where}.output.image_url")
    if file_id is not None and (not isinstance(file_id, str) or not file_id):
        raise invalid("'file_id' must be a non-empty string.", f"{where}.output.file_id")
    checks = item.get("acknowledged_safety_checks")
    if checks is not None and (
        not isinstance(checks, list) or not all(isinstance(c, dict) and isinstance(c.get("id"), str) for c in checks)
    ):
        raise invalid("'acknowledged_safety_checks' must be an array of {id, code, message}.",
                      f"{where}.acknowledged_safety_checks")
    out = {"type": "computer_call_output", "call_id": item["call_id"], "output": dict(output)}
    if checks:
        out["acknowledged_safety_checks"] = [dict(c) for c in checks]
    return out


def _reasoning(item: dict[str, Any], where: str) -> dict[str, Any]:
    # Reasoning can be replayed only as the opaque encrypted blob the service handed out.
    if not item.get("encrypted_content"):
        raise invalid("Reasoning items can only be replayed with 'encrypted_content'.", f"{where}.encrypted_content")
    return dict(item)


_ITEM_CHECKS = {
    "message": _message,
    "function_call_output": _function_call_output,
    "function_call": _function_call,
    "mcp_approval_response": _approval_response,
    "reasoning": _reasoning,
    "computer_call": _computer_call,
    "computer_call_output": _computer_call_output,
}


def check_against_state(history: list[dict[str, Any]], new_items: list[dict[str, Any]]) -> None:
    """400 for outputs answering no pending call, unknown approvals, and duplicated items."""
    known_ids = {i.get("id") for i in history if i.get("id")}
    known_calls = {i.get("call_id") for i in history if i.get("type") in ("function_call", "computer_call")}
    seen = list(history)
    for index, item in enumerate(new_items):
        kind = item.get("type")
        where = f"input[{index}]"
        if kind in ("function_call", "computer_call") and (item.get("id") in known_ids
                                                            or item.get("call_id") in known_calls):
            raise invalid(f"Duplicate item found with id {item.get('id') or item.get('call_id')}.", where)
        if kind == "function_call_output":
            calls = {c.get("call_id") for c in seen if c.get("type") == "function_call"}
            answered = {c.get("call_id") for c in seen if c.get("type") == "function_call_output"}
            if item["call_id"] not in calls - answered:
                raise invalid(f"No tool call found for function call output with call_id {item['call_id']}.", where)
        if kind == "computer_call_output":
            calls = {c.get("call_id") for c in seen if c.get("type") == "computer_call"}
            answered = {c.get("call_id") for c in seen if c.get("type") == "computer_call_output"}
            if item["call_id"] not in calls - answered:
                raise invalid(f"No computer call found for computer call output with call_id {item['call_id']}.", where)
        if kind == "mcp_approval_response":
            requests = {r.get("id") for r in seen if r.get("type") == "mcp_approval_request"}
            if item["approval_request_id"] not in requests:
                raise invalid(f"No MCP approval request found with id {item['approval_request_id']}.", where)
        seen.append(item)
