"""Answering pending work in LlamaIndex terms: computer-call screenshots, resending after OAuth consent.

A ``computer_call`` reaches LlamaIndex as a ``ToolCallBlock`` named ``computer_use`` (see
:mod:`._items`); its answer is a tool message with ``additional_kwargs["tool_call_id"]`` and one
screenshot ``ImageBlock``, which becomes a ``computer_call_output`` (the core's
:class:`~foundry_agents.messages.ComputerCallOutputPart`). A ``FunctionTool`` named
``computer_use`` that returns an ``ImageBlock`` gives exactly that message inside a
``FunctionAgent``; :func:`computer_screenshot_message` builds it by hand, with the safety checks
you acknowledge.

An ``oauth_consent_request`` has no answer item: the user opens the link and signs in, and the
same turn is sent again chained to the response that asked (docs/protocol.md, "Output items");
:func:`resend_after_consent` builds that history.

Example:
    >>> msg = computer_screenshot_message("call_1", b"\\x89PNG\\r\\n\\x1a\\n...")
    >>> msg.additional_kwargs["tool_call_id"], msg.blocks[0].image_mimetype
    ('call_1', 'image/png')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ImageBlock,
    MessageRole,
    TextBlock,
    ToolCallBlock,
)

from foundry_agents import pending as core
from foundry_agents.errors import FoundryConfigError
from foundry_agents.messages import ComputerCallOutputPart, data_uri
from foundry_agents.pending import COMPUTER_TOOL

__all__ = [
    "COMPUTER_CALL_KEY",
    "computer_call_ids",
    "computer_output_part",
    "computer_screenshot_message",
    "resend_after_consent",
]

#: ``additional_kwargs`` flag of a tool message that answers a computer call (set by
#: :func:`computer_screenshot_message`; a tool message answering a ``call_id`` listed in an
#: earlier assistant message's ``computer_calls`` is one too).
COMPUTER_CALL_KEY = "computer_call_output"
_CHECKS_KEY = "acknowledged_safety_checks"


def computer_screenshot_message(call_id: str, screenshot: bytes | str | ImageBlock, *,
                                mime_type: str = "image/png",
                                acknowledged_safety_checks: Sequence[Mapping[str, Any]] = ()) -> ChatMessage:
    """A tool message answering computer call ``call_id`` with a screenshot.

    Args:
        call_id: the ``tool_id`` of the ``computer_use`` tool call (the item's ``call_id``).
        screenshot: image bytes, a URL or ``data:`` URI, or an ``ImageBlock``.
        mime_type: the type of ``screenshot`` bytes.
        acknowledged_safety_checks: the entries of the call's ``pending_safety_checks``
            (``additional_kwargs["computer_calls"]``) you accept; the agent stops without them.
    """
    if isinstance(screenshot, ImageBlock):
        block = screenshot
    elif isinstance(screenshot, bytes):
        block = ImageBlock(image=screenshot, image_mimetype=mime_type)
    elif isinstance(screenshot, str) and screenshot:
        block = ImageBlock(url=screenshot)
    else:
        raise FoundryConfigError("computer_screenshot_message screenshot must be image bytes, a URL or data: URI, "
                                 f"or an ImageBlock, got {type(screenshot).__name__}")
    message = ChatMessage(role=MessageRole.TOOL, blocks=[block], additional_kwargs={
        "tool_call_id": call_id, COMPUTER_CALL_KEY: True, _CHECKS_KEY: [dict(c) for c in acknowledged_safety_checks]})
    computer_output_part(message, index=0)  # bad arguments raise here, not at the next call
    return message


def computer_call_ids(messages: Iterable[ChatMessage]) -> set[str]:
    """The ``call_id`` of every computer call the assistant messages of a history list (in
    ``computer_calls``, or as a ``ToolCallBlock`` named ``computer_use``)."""
    ids: set[str] = set()
    for message in messages:
        for call in (message.additional_kwargs or {}).get("computer_calls") or ():
            if isinstance(call, Mapping) and isinstance(call.get("call_id"), str):
                ids.add(call["call_id"])
        ids.update(b.tool_call_id for b in message.blocks
                   if isinstance(b, ToolCallBlock) and b.tool_name == COMPUTER_TOOL and b.tool_call_id)
    return ids


def computer_output_part(message: ChatMessage, *, index: int) -> ComputerCallOutputPart:
    """A tool message answering a computer call as the core's part (one screenshot ``ImageBlock``)."""
    extra = message.additional_kwargs or {}
    call_id = extra.get("tool_call_id") or extra.get("call_id")
    images = [b for b in message.blocks if isinstance(b, ImageBlock)]
    texts = [b.text for b in message.blocks if isinstance(b, TextBlock) and b.text.strip()]
    if len(images) != 1 or texts:
        raise FoundryConfigError(
            f"message {index} answers computer call {call_id!r}: it needs exactly one screenshot ImageBlock and "
            f"no text (got {len(images)} images, {len(texts)} texts); a computer_use tool returns an ImageBlock")
    image = images[0]
    if image.url is not None and image.image is None:
        url = str(image.url)
    else:
        try:
            data = image.resolve_image(as_base64=False).read()
        except (OSError, ValueError) as exc:
            raise FoundryConfigError(f"message {index}: cannot read the screenshot ImageBlock's data: {exc}") from exc
        url = data_uri(data, image.image_mimetype or "image/png")
    try:
        return ComputerCallOutputPart(str(call_id or ""), image_url=url,
                                      acknowledged_safety_checks=list(extra.get(_CHECKS_KEY) or ()))
    except FoundryConfigError as exc:
        raise FoundryConfigError(f"message {index}: {exc}") from None


def resend_after_consent(messages: Sequence[ChatMessage], reply: ChatResponse | ChatMessage) -> list[ChatMessage]:
    """The history to send once the user gave the OAuth consent ``reply`` asked for.

    ``messages`` is what was sent, ``reply`` the answer with ``additional_kwargs["oauth_consent_requests"]``.
    The result is ``messages``, the reply, and the last turn again (the messages after the last
    assistant message), so the next call chains to the reply and the agent retries the MCP tool.

    Example:
        >>> first = llm.chat(history)  # doctest: +SKIP
        >>> link = first.message.additional_kwargs["oauth_consent_requests"][0]["consent_link"]  # doctest: +SKIP
        >>> answer = llm.chat(resend_after_consent(history, first))  # after signing in at link  # doctest: +SKIP
    """
    message = reply.message if isinstance(reply, ChatResponse) else reply
    if not isinstance(message, ChatMessage) or not (message.additional_kwargs or {}).get("oauth_consent_requests"):
        raise FoundryConfigError("resend_after_consent: reply does not wait for an OAuth consent "
                                 "(its additional_kwargs have no 'oauth_consent_requests')")
    return core.resend_after_consent(messages, message, is_reply=lambda m: m.role == MessageRole.ASSISTANT)
