"""Building the Responses request body from the options table (:mod:`foundry_agents.options`). Pure.

The service refuses sampling and tool fields next to an agent (they belong to the agent
definition); they are refused here, before any network call, with the reason and the fix.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from .endpoints import Route
from .errors import FoundryConfigError, RefusedParameterError
from .options import body_options, check_values
from .reference import AgentRef

__all__ = ["REFUSED_FIELDS", "ToolChoice", "build_response_body", "check_refused", "tool_choice_option"]

ToolChoice = Literal["auto", "required", "none"] | Mapping[str, Any]

#: Fields refused next to an agent, with what to do instead. Which are verified and which are refused
#: on inference: docs/protocol.md; the emulator's own list must match (tests/emulator/test_refused_fields.py).
REFUSED_FIELDS: dict[str, str] = {
    "model": "the agent definition fixes the model; create a new agent version to change it",
    "tools": "declare tools in the agent definition; bind only their client-side implementations",
    "temperature": "set sampling in the agent definition",
    "top_p": "set sampling in the agent definition",
    "text": "set the output format (e.g. a JSON schema) in the agent definition",
    "response_format": "set the output format (e.g. a JSON schema) in the agent definition",
    "instructions": "the agent definition holds the instructions; send extra context as a "
                    "system/developer message instead",
    "reasoning": "set reasoning options in the agent definition",
    "parallel_tool_calls": "set it in the agent definition",
    "max_tool_calls": "set it in the agent definition",
    "top_logprobs": "not supported with agents",
}

_TOOL_CHOICES = ("auto", "required", "none")


def tool_choice_option(choice: Any, *, names: Sequence[str] | None = None,
                       name_of: Callable[[Any], str] | None = None) -> str | dict[str, Any] | None:
    """Map a ``tool_choice`` given in any common convention to the Responses field (both adapters use it).

    ``"auto"``, ``"required"``, ``"none"`` pass through (``"any"`` and ``True`` mean
    ``"required"``); a tool name, ``{"type": "function", "name": ...}`` and the Chat-Completions
    shape ``{"type": "function", "function": {"name": ...}}`` become ``{"type": "function",
    "name": ...}``; other typed mappings (``allowed_tools``, ``mcp``, hosted tools) pass through;
    anything else is a tool object whose name ``name_of`` (the adapter's) extracts. ``None`` and
    ``False`` send nothing (the agent definition decides). With ``names`` (the bound tools), a
    function name outside them is refused.

    Example:
        >>> tool_choice_option({"type": "function", "function": {"name": "get_weather"}})
        {'type': 'function', 'name': 'get_weather'}
    """
    if choice is None or choice is False:
        return None
    if choice is True or choice == "any":
        return "required"
    if isinstance(choice, str) and choice in _TOOL_CHOICES:
        return choice
    if isinstance(choice, Mapping):
        kind = choice.get("type")
        if kind != "function":
            if not isinstance(kind, str) or not kind:
                raise FoundryConfigError(f"a tool_choice mapping needs a 'type' such as 'function', got {dict(choice)!r}")
            return dict(choice)
        function = choice.get("function")
        name = choice.get("name") or (function.get("name") if isinstance(function, Mapping) else None)
    elif isinstance(choice, str) and choice:
        name = choice
    elif name_of is not None and not isinstance(choice, (str, bytes, int, float)):
        name = name_of(choice)
    else:
        name = None
    if not isinstance(name, str) or not name:
        raise FoundryConfigError(
            f"unsupported tool_choice {choice!r}; use 'auto', 'required', 'none', a tool name or "
            "{'type': 'function', 'name': ...}")
    if names is not None and name not in names:
        raise FoundryConfigError(f"tool_choice {name!r} names no bound tool; bound tools: {list(names)}")
    return {"type": "function", "name": name}


def check_refused(fields: Mapping[str, Any] | Sequence[str], *, where: str = "request") -> None:
    """Raise :class:`RefusedParameterError` naming every refused field in ``fields``."""
    names = list(fields.keys() if isinstance(fields, Mapping) else fields)
    refused = [n for n in names if n in REFUSED_FIELDS]
    if refused:
        reasons = "; ".join(f"'{n}': {REFUSED_FIELDS[n]}" for n in refused)
        raise RefusedParameterError(
            f"{where} sets {', '.join(repr(n) for n in refused)}, which Foundry refuses when an agent "
            f"is specified (400 'Not allowed when agent is specified'). Instead: {reasons}.",
            params=refused,
        )


def _conversation_id(conversation: str | Mapping[str, Any]) -> str:
    cid = conversation.get("id") if isinstance(conversation, Mapping) else conversation
    if not isinstance(cid, str) or not cid.strip():
        raise FoundryConfigError(f"conversation must be a conversation id such as 'conv_...', got {conversation!r}")
    return cid


#: Body options built apart (their own arguments, with their own rules).
_OWN_ARGUMENTS = ("input", "conversation")


def build_response_body(
    agent: AgentRef,
    *,
    input: str | Sequence[Mapping[str, Any]] | None = None,
    conversation: str | Mapping[str, Any] | None = None,
    stream: bool = False,
    extra_body: Mapping[str, Any] | None = None,
    route: Route = Route.RESPONSES,
    **options: Any,
) -> dict[str, Any]:
    """The JSON body of a Responses call to ``agent``.

    ``options`` are the body options of :data:`foundry_agents.options.OPTIONS` (``store``,
    ``tool_choice``, ``previous_response_id``, ...); each is checked against its row, and ``None``
    values are left out.

    Example:
        >>> build_response_body(AgentRef("weather", "3"), input="Hi", stream=True)
        {'input': 'Hi', 'stream': True, 'agent_reference': {'type': 'agent_reference', 'name': 'weather', 'version': '3'}}
    """
    fields = [o for o in body_options() if o.name not in _OWN_ARGUMENTS]
    unknown = [k for k in options if k not in {o.name for o in fields}]
    if unknown:
        check_refused(unknown, where="build_response_body")
        raise FoundryConfigError(f"build_response_body got unexpected option(s) {unknown}; expected some of "
                                 f"{[o.name for o in fields]} (or extra_body=)")
    check_values({**options, "conversation": conversation, "extra_body": extra_body})
    if conversation is not None and options.get("previous_response_id") is not None:
        raise FoundryConfigError(
            "pass either conversation or previous_response_id, not both: a conversation already "
            "carries the history (the service rejects the pair)"
        )
    if input is None and conversation is None:
        raise FoundryConfigError(
            "input is required unless a conversation already holds the items to answer"
        )
    if isinstance(input, (bytes, bytearray)) or (input is not None and not isinstance(input, (str, list, tuple))):
        raise FoundryConfigError(f"input must be a string or a list of input items, got {type(input).__name__}")
    if options.get("tool_choice") is not None:  # any common convention -> the Responses shape
        options = {**options, "tool_choice": tool_choice_option(options["tool_choice"])}
    if options.get("store") is False and options.get("background"):
        raise FoundryConfigError("background responses must be stored; do not combine background=True with store=False")

    body: dict[str, Any] = {}
    if input is not None:
        body["input"] = input if isinstance(input, str) else list(input)
    if conversation is not None:
        body["conversation"] = _conversation_id(conversation)
    if stream:
        body["stream"] = True
    for option in fields:
        value = options.get(option.name)
        if value is not None and option.wire is not None:
            body[option.wire] = dict(value) if isinstance(value, Mapping) else (
                list(value) if isinstance(value, tuple) else value)
    if extra_body:
        check_refused(extra_body, where="extra_body")
        clash = [k for k in extra_body if k in ("agent_reference", "agent", "input", "stream")]
        if clash:
            raise FoundryConfigError(f"extra_body must not set {clash}; use the matching arguments")
        body.update(extra_body)
    if route is Route.RESPONSES:
        body["agent_reference"] = agent.to_wire()
    elif route is Route.PREVIEW:
        body["agent"] = agent.to_wire()
    return body
