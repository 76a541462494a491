"""Type checks for request bodies and names, as the service's schema validation does. Pure.

Every check raises a 400 ``invalid_payload`` :class:`~.errors.EmulatorError` naming the field in
``param`` (docs/protocol.md, "Request validation"). Nothing here looks at state.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .errors import EmulatorError, invalid

#: Deepest JSON nesting a body may have (the service's parser refuses deep documents).
MAX_DEPTH = 64
#: Agent names: a letter or digit first; letters, digits, ``-``, ``_``, ``.`` after (spec: 63 long
#: for a created agent, 256 in an ``agent_reference``).
AGENT_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?")
MAX_CREATED_NAME = 63
MAX_REFERENCED_NAME = 256

_TYPE_NAMES = {
    bool: "a boolean", int: "an integer", str: "a string", dict: "an object", list: "an array",
    float: "a number", type(None): "null",
}


def _kind(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def wrong_type(param: str, expected: str, value: Any) -> EmulatorError:
    return invalid(f"Invalid type for '{param}': expected {expected}, but got {_kind(value)}.", param)


def parse_json(raw: bytes) -> Any:
    """``raw`` parsed as strict JSON (no NaN/Infinity, UTF-8, no lone surrogates, bounded depth)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise invalid(f"The request body is not valid UTF-8: {exc.reason} at byte {exc.start}.") from None
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise invalid(f"The request body is nested too deeply (the limit is {MAX_DEPTH} levels).") from None
    except ValueError as exc:
        raise invalid(f"The request body is not valid JSON: {exc}") from None
    check_json_value(value)
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"'{name}' is not a JSON number")


def check_json_value(value: Any) -> None:
    """400 when ``value`` nests deeper than :data:`MAX_DEPTH` or holds a string that is not UTF-8."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise invalid(f"The request body is nested too deeply (the limit is {MAX_DEPTH} levels).")
        if isinstance(node, str):
            _check_text(node)
        elif isinstance(node, dict):
            for key, child in node.items():
                _check_text(key)
                stack.append((child, depth + 1))
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node)


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise invalid("The request body holds a lone surrogate (\\ud800-\\udfff), which is not valid Unicode text.") from None


def check_agent_name(name: Any, param: str, *, created: bool = False) -> str:
    """The agent name, or 400 when it is not a string the service accepts as a name."""
    if not isinstance(name, str):
        raise wrong_type(param, "a string", name)
    limit = MAX_CREATED_NAME if created else MAX_REFERENCED_NAME
    if not name or len(name) > limit or not AGENT_NAME.fullmatch(name):
        raise invalid(
            f"Invalid agent name {name[:80]!r}: use 1-{limit} letters, digits, '-', '_' or '.', "
            "starting with a letter or digit.",
            param,
        )
    return name


def check_metadata(value: Any, param: str = "metadata") -> dict[str, str] | None:
    """``metadata``: null or an object of at most 16 string values (keys up to 64 characters)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise wrong_type(param, "an object", value)
    if len(value) > 16:
        raise invalid(f"'{param}' can hold at most 16 keys, got {len(value)}.", param)
    for key, item in value.items():
        if len(key) > 64:
            raise invalid(f"'{param}' keys are at most 64 characters long.", f"{param}.{key[:64]}")
        if not isinstance(item, str):
            raise wrong_type(f"{param}.{key}", "a string", item)
        if len(item) > 512:
            raise invalid(f"'{param}' values are at most 512 characters long.", f"{param}.{key}")
    return value


def _bool(value: Any, param: str) -> None:
    if not isinstance(value, bool):
        raise wrong_type(param, "a boolean", value)


def _string(value: Any, param: str) -> None:
    if not isinstance(value, str):
        raise wrong_type(param, "a string", value)


def _positive_int(value: Any, param: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise wrong_type(param, "an integer", value)
    if value < 1:
        raise invalid(f"Invalid '{param}': integer below minimum value. Expected a value >= 1, but got {value}.", param)


def _tool_choice(value: Any, param: str) -> None:
    if isinstance(value, str):
        if value not in ("auto", "required", "none"):
            raise invalid(f"Invalid value: '{value[:40]}'. Supported values are: 'auto', 'required' and 'none'.", param)
        return
    if not isinstance(value, dict):
        raise wrong_type(param, "a string or an object", value)
    if not isinstance(value.get("type"), str):
        raise invalid("Missing required parameter: 'tool_choice.type'.", f"{param}.type")


def _truncation(value: Any, param: str) -> None:
    if value not in ("auto", "disabled"):
        raise invalid("Invalid value for 'truncation': supported values are 'auto' and 'disabled'.", param)


def _string_list(value: Any, param: str) -> None:
    if not isinstance(value, list):
        raise wrong_type(param, "an array", value)
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise wrong_type(f"{param}[{index}]", "a string", item)


def _object(value: Any, param: str) -> None:
    if not isinstance(value, dict):
        raise wrong_type(param, "an object", value)


def _metadata(value: Any, param: str) -> None:
    check_metadata(value, param)


#: ``POST .../responses`` fields -> their check (``null`` always means "absent").
RESPONSE_FIELDS = {
    "previous_response_id": _string,
    "stream": _bool,
    "store": _bool,
    "background": _bool,
    "metadata": _metadata,
    "tool_choice": _tool_choice,
    "max_output_tokens": _positive_int,
    "truncation": _truncation,
    "include": _string_list,
    "structured_inputs": _object,
    "model": _string,
    "agent_session_id": _string,
}


def check_response_body(body: dict[str, Any]) -> None:
    """400 naming the first field of a Responses body whose type the service's schema refuses."""
    for name, check in RESPONSE_FIELDS.items():
        value = body.get(name)
        if value is not None:
            check(value, name)
    if body.get("background") and body.get("store") is False:
        raise invalid("Background responses must be stored: 'background' needs 'store' true.", "background")
