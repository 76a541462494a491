"""Answering what a reply waits for besides function calls: OAuth consent and computer calls.

An MCP tool that needs the user's sign-in ends the reply with ``finish_reason ==
"consent_required"`` and ``response_metadata["oauth_consent_requests"]`` (each with its
``consent_link``). There is no answer item: once the user signed in, :func:`resend_after_consent`
gives the history that sends the same turn again, chained to that reply with
``previous_response_id``. A computer call is a tool call named :data:`COMPUTER_TOOL` (the action in
``args``); :func:`computer_screenshot_message` builds its answer, or a ``computer_use`` tool returns an image
block and LangChain wraps it.

Example:
    >>> from langchain_core.messages import AIMessage, HumanMessage
    >>> turn = [HumanMessage("List my repos")]
    >>> waiting = AIMessage([], id="resp_1", response_metadata={"model_provider": "azure_foundry"})
    >>> [type(m).__name__ for m in resend_after_consent(turn, waiting)]
    ['HumanMessage', 'AIMessage', 'HumanMessage']
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, ToolCall, ToolMessage

from foundry_agents import pending as core
from foundry_agents.errors import FoundryConfigError
from foundry_agents.pending import COMPUTER_TOOL

__all__ = ["COMPUTER_TOOL", "computer_screenshot_message", "resend_after_consent"]


def resend_after_consent(history: Sequence[BaseMessage], reply: AIMessage) -> list[BaseMessage]:
    """The history to invoke again once the user gave the consent ``reply`` asked for.

    ``history`` is what produced ``reply``; its last turn (the messages after its last ``AIMessage``)
    is sent again after ``reply``, so the call chains from ``reply.id`` and repeats that turn.
    """
    if not isinstance(reply, AIMessage) or not reply.id:
        raise FoundryConfigError("resend_after_consent needs the AIMessage that asked for consent (with its id)")
    return core.resend_after_consent(history, reply, is_reply=lambda m: isinstance(m, AIMessage), reply_name="AIMessage")


def computer_screenshot_message(call: ToolCall | Mapping[str, Any] | str, image: bytes | str, *,
                                mime_type: str = "image/png",
                                acknowledged_safety_checks: Sequence[Mapping[str, Any]] = ()) -> ToolMessage:
    """The answer to a computer call: a ``ToolMessage`` for the call's id carrying the screenshot.

    ``call`` is the tool call (``reply.tool_calls[i]``), an entry of
    ``response_metadata["computer_calls"]`` or the ``call_id``. ``image`` is the PNG/JPEG bytes, a
    ``data:`` URI or https URL, or an uploaded file id (``file-...``). Acknowledge only the
    ``pending_safety_checks`` you accept.
    """
    call_id = call if isinstance(call, str) else (call.get("call_id") or call.get("id"))
    if not isinstance(call_id, str) or not call_id:
        raise FoundryConfigError(f"computer_screenshot_message needs the computer call's id, got {call!r:.60}")
    block: dict[str, Any]
    if isinstance(image, bytes):
        block = {"type": "image", "base64": base64.b64encode(image).decode("ascii"), "mime_type": mime_type}
    elif isinstance(image, str) and image.startswith(("data:", "https://", "http://")):
        block = {"type": "image", "url": image}
    elif isinstance(image, str) and image:
        block = {"type": "image", "file_id": image}
    else:
        raise FoundryConfigError(f"computer_screenshot_message image must be bytes, a data:/https URL or a file id, "
                                 f"got {type(image).__name__}")
    extra = {"acknowledged_safety_checks": [dict(c) for c in acknowledged_safety_checks]} \
        if acknowledged_safety_checks else {}
    return ToolMessage([block], tool_call_id=call_id, name=COMPUTER_TOOL, additional_kwargs=extra)
