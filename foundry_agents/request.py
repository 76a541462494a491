"""Building the Responses request body from an allow-list (docs/protocol.md). Pure.

The service refuses sampling and tool fields next to an agent (they belong to the agent
definition); they are refused here, before any network call, with the reason and the fix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from .endpoints import Route
from .errors import FoundryConfigError, RefusedParameterError
from .reference import AgentRef

__all__ = ["ALLOWED_FIELDS", "REFUSED_FIELDS", "ToolChoice", "build_response_body", "check_refused"]

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

#: Fields the client sends (besides the agent, input and continuation fields).
ALLOWED_FIELDS = ("agent_session_id", "store", "background", "tool_choice", "structured_inputs", "metadata", "include",
                  "max_output_tokens", "truncation")

_TOOL_CHOICES = ("auto", "required", "none")


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


def build_response_body(
    agent: AgentRef,
    *,
    input: str | Sequence[Mapping[str, Any]] | None = None,
    conversation: str | Mapping[str, Any] | None = None,
    previous_response_id: str | None = None,
    stream: bool = False,
    store: bool | None = None,
    background: bool | None = None,
    tool_choice: ToolChoice | None = None,
    structured_inputs: Mapping[str, Any] | None = None,
    metadata: Mapping[str, str] | None = None,
    include: Sequence[str] | None = None,
    max_output_tokens: int | None = None,
    truncation: Literal["auto", "disabled"] | None = None,
    extra_body: Mapping[str, Any] | None = None,
    route: Route = Route.RESPONSES,
    agent_session_id: str | None = None,
) -> dict[str, Any]:
    """The JSON body of a Responses call to ``agent``.

    Example:
        >>> build_response_body(AgentRef("weather", "3"), input="Hi", stream=True)
        {'input': 'Hi', 'stream': True, 'agent_reference': {'type': 'agent_reference', 'name': 'weather', 'version': '3'}}
    """
    if conversation is not None and previous_response_id is not None:
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
    if tool_choice is not None and not (tool_choice in _TOOL_CHOICES or isinstance(tool_choice, Mapping)):
        raise FoundryConfigError(
            f"tool_choice must be one of {_TOOL_CHOICES} or a mapping such as "
            f"{{'type': 'function', 'name': 'get_weather'}}, got {tool_choice!r}"
        )
    if max_output_tokens is not None and (not isinstance(max_output_tokens, int) or max_output_tokens < 1):
        raise FoundryConfigError(f"max_output_tokens must be a positive integer, got {max_output_tokens!r}")
    if store is False and background:
        raise FoundryConfigError("background responses must be stored; do not combine background=True with store=False")

    body: dict[str, Any] = {}
    if input is not None:
        body["input"] = input if isinstance(input, str) else list(input)
    if conversation is not None:
        body["conversation"] = _conversation_id(conversation)
    if previous_response_id is not None:
        if not isinstance(previous_response_id, str) or not previous_response_id:
            raise FoundryConfigError(f"previous_response_id must be a response id, got {previous_response_id!r}")
        body["previous_response_id"] = previous_response_id
    if agent_session_id is not None:
        if not isinstance(agent_session_id, str) or not agent_session_id.strip():
            raise FoundryConfigError(f"agent_session_id must be a hosted agent session id, got {agent_session_id!r}")
        body["agent_session_id"] = agent_session_id
    if stream:
        body["stream"] = True
    for name, value in (("store", store), ("background", background), ("tool_choice", tool_choice),
                        ("structured_inputs", structured_inputs), ("metadata", metadata),
                        ("include", include), ("max_output_tokens", max_output_tokens),
                        ("truncation", truncation)):
        if value is not None:
            body[name] = dict(value) if isinstance(value, Mapping) else (list(value) if isinstance(value, tuple) else value)
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
