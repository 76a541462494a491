"""Input mapping: LlamaIndex ``ChatMessage`` objects to the core's neutral :class:`Message`.

Pure functions, no I/O except reading local files named by an ``ImageBlock``/``DocumentBlock``
``path``. The wire shape is not built here: the core's ``to_input_items`` owns it.

Conventions this adapter relies on (set by :mod:`._outputs` and :func:`approval_message`):

- an assistant message produced by a Foundry agent carries ``additional_kwargs["response_id"]``
  (and ``"agent_name"``), so the core can chain with ``previous_response_id``;
- a tool-role message answers ``additional_kwargs["tool_call_id"]`` (as LlamaIndex agents set it);
- an approval answer carries ``additional_kwargs["mcp_approval_response"]``;
- an assistant message's computer calls (``ToolCallBlock``s named ``computer_use``, and the
  entries of ``additional_kwargs["computer_calls"]``) become the service's own ``computer_call``
  items, which a stateless history (``store=False``) replays before their answers and a chained one
  leaves out;
- a tool message answering a computer call (its ``tool_call_id`` is one of those calls, or it is
  flagged by :func:`._pending.computer_screenshot_message`) carries one screenshot ``ImageBlock``
  and becomes a ``computer_call_output``;
- an assistant message's ``ImageBlock``s are images the agent made: they are not sent back.

Example:
    >>> from llama_index.core.llms import ChatMessage
    >>> to_foundry_messages([ChatMessage(role="user", content="Hi")])
    [Message(role='user', content=(TextPart(text='Hi'),), response_id=None, agent=None)]
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from llama_index.core.base.llms.types import (
    CachePoint,
    ChatMessage,
    CitableBlock,
    CitationBlock,
    DocumentBlock,
    ImageBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)

from foundry_agents.errors import FoundryConfigError
from foundry_agents.messages import (
    ApprovalResponsePart,
    ComputerCallPart,
    FilePart,
    ImagePart,
    Message,
    Part,
    Role,
    TextPart,
    ToolCallPart,
    ToolResultPart,
    data_uri,
)
from foundry_agents.metadata import approval_part, approval_response, encode_arguments
from foundry_agents.pending import COMPUTER_TOOL, computer_call_part

from ._pending import COMPUTER_CALL_KEY, computer_call_ids, computer_output_part

__all__ = ["APPROVAL_KEY", "approval_message", "to_foundry_message", "to_foundry_messages"]

#: ``additional_kwargs`` key of an approval answer (see :func:`approval_message`).
APPROVAL_KEY = "mcp_approval_response"

_ROLES: dict[str, Role] = {
    MessageRole.SYSTEM.value: "system",
    MessageRole.DEVELOPER.value: "developer",
    MessageRole.USER.value: "user",
    MessageRole.ASSISTANT.value: "assistant",
    MessageRole.TOOL.value: "tool",
    MessageRole.FUNCTION.value: "tool",  # legacy OpenAI "function" results
    MessageRole.CHATBOT.value: "assistant",
    MessageRole.MODEL.value: "assistant",
}
_DETAILS = ("auto", "low", "high")
#: Blocks that say nothing the agent needs to read again: our own reasoning summaries and
#: citations (the cited text is already in the text block), and prompt-cache hints.
_SKIPPED = (ThinkingBlock, CitationBlock, CachePoint)


def approval_message(request_id: str | Mapping[str, Any], approve: bool, reason: str | None = None) -> ChatMessage:
    """A chat message answering an MCP approval request (``mcpr_...``, or an entry of
    ``additional_kwargs["approval_requests"]``).

    Example:
        >>> msg = approval_message("mcpr_1", True)
        >>> msg.additional_kwargs["mcp_approval_response"]["approve"]
        True
    """
    answer = approval_response(request_id, approve, reason)
    return ChatMessage(role=MessageRole.USER, blocks=[], additional_kwargs={APPROVAL_KEY: answer})


def to_foundry_messages(messages: Iterable[ChatMessage]) -> list[Message]:
    """Map a LlamaIndex chat history to neutral messages (raises ``FoundryConfigError`` on bad input)."""
    history = list(messages)
    computer = computer_call_ids(m for m in history if m.role == MessageRole.ASSISTANT)
    return [to_foundry_message(m, index=i, computer_calls=computer) for i, m in enumerate(history)]


def to_foundry_message(message: ChatMessage, *, index: int = 0, computer_calls: Collection[str] = ()) -> Message:
    role_name = message.role.value if isinstance(message.role, MessageRole) else str(message.role)
    role = _ROLES.get(role_name)
    if role is None:
        raise FoundryConfigError(f"message {index} has role {role_name!r}, which a Foundry agent cannot take")
    extra = message.additional_kwargs or {}
    parts: list[Part] = []
    approval = extra.get(APPROVAL_KEY)
    if approval is not None:
        parts.append(_approval_part(approval, index))
    if role == "tool":
        answered = extra.get("tool_call_id")
        if extra.get(COMPUTER_CALL_KEY) or (isinstance(answered, str) and answered in computer_calls):
            parts.append(computer_output_part(message, index=index))
        elif approval is None or extra.get("tool_call_id"):
            parts.append(_tool_result(message, extra, index))
        return Message("tool", tuple(parts))
    for block in message.blocks:
        if role == "assistant" and isinstance(block, ImageBlock):
            continue  # an image the agent made: the service keeps it, an assistant turn cannot carry one
        if role == "assistant" and isinstance(block, ToolCallBlock) and block.tool_name == COMPUTER_TOOL:
            parts.append(_computer_call(block.tool_call_id, block.tool_kwargs, extra, index))
            continue
        parts.extend(_block_parts(block, role, index))
    if role == "assistant":
        parts.extend(_legacy_tool_calls(extra, parts, index))
        parts.extend(_listed_computer_calls(extra, parts, index))
        return Message("assistant", tuple(parts), response_id=_str_or_none(extra.get("response_id")),
                       agent=_str_or_none(extra.get("agent_name")),
                       agent_session_id=_str_or_none(extra.get("agent_session_id")))
    return Message(role, tuple(parts))


# -- blocks ---------------------------------------------------------------------------------------
def _text(block: TextBlock, role: Role, index: int) -> list[Part]:
    return [TextPart(block.text)] if block.text else []


def _image(block: ImageBlock, role: Role, index: int) -> list[Part]:
    detail = block.detail if block.detail in _DETAILS else None
    if block.url is not None and block.image is None:
        return [ImagePart(url=str(block.url), detail=detail)]  # type: ignore[arg-type]
    if block.image is None and block.path is None:
        raise FoundryConfigError(f"message {index}: an ImageBlock needs url=, path= or image=")
    if block.image is None and block.path is not None:  # a local file: the core uploads it
        return [ImagePart(path=_local(block.path, "ImageBlock", index), detail=detail)]  # type: ignore[arg-type]
    data = _read(lambda: block.resolve_image(as_base64=False).read(), "ImageBlock", index)
    mime = block.image_mimetype or "image/png"
    return [ImagePart(url=data_uri(data, mime), detail=detail)]  # type: ignore[arg-type]


def _document(block: DocumentBlock, role: Role, index: int) -> list[Part]:
    mime = block.document_mimetype or "application/pdf"
    if block.url and block.data is None and block.path is None:
        return [FilePart(url=str(block.url), mime_type=mime)]
    if block.data is None and block.path is None:
        raise FoundryConfigError(f"message {index}: a DocumentBlock needs data=, path= or url=")
    filename = block.title if block.title and block.title != "input_document" else None
    if block.data is None and block.path is not None:  # a local file: the core uploads it
        return [FilePart(path=_local(block.path, "DocumentBlock", index), filename=filename, mime_type=mime)]
    data = _read(lambda: block.resolve_document().read(), "DocumentBlock", index)
    return [FilePart(data=data, filename=filename or "document", mime_type=mime)]


def _local(path: Any, kind: str, index: int) -> str:
    """A local file's path, checked now so a bad one names the message before any upload."""
    if not Path(path).is_file():
        raise FoundryConfigError(f"message {index}: cannot read the {kind}'s data: {str(path)!r} is not a file")
    return str(path)


def _read(read: Callable[[], bytes], kind: str, index: int) -> bytes:
    try:
        return read()
    except (OSError, ValueError) as exc:
        raise FoundryConfigError(f"message {index}: cannot read the {kind}'s data: {exc}") from exc


def _tool_call(block: ToolCallBlock, role: Role, index: int) -> list[Part]:
    if role != "assistant":
        raise FoundryConfigError(f"message {index} ({role}) carries a tool call; only assistant messages may")
    return [ToolCallPart(block.tool_call_id or "", block.tool_name, encode_arguments(block.tool_kwargs))]


def _citable(block: CitableBlock, role: Role, index: int) -> list[Part]:
    return [p for inner in block.content for p in _block_parts(inner, role, index)]


_BLOCKS: dict[type, Callable[[Any, Role, int], list[Part]]] = {
    TextBlock: _text,
    ImageBlock: _image,
    DocumentBlock: _document,
    ToolCallBlock: _tool_call,
    CitableBlock: _citable,
}


def _block_parts(block: Any, role: Role, index: int) -> list[Part]:
    for cls in type(block).__mro__:  # subclasses of known blocks map like their base
        mapper = _BLOCKS.get(cls)
        if mapper is not None:
            return mapper(block, role, index)
    if isinstance(block, _SKIPPED):
        return []
    kind = getattr(block, "block_type", type(block).__name__)
    raise FoundryConfigError(f"message {index} ({role}) holds a {kind!r} block, which Foundry agents cannot take")


# -- tool calls and results -----------------------------------------------------------------------
def _legacy_tool_calls(extra: Mapping[str, Any], parts: Sequence[Part], index: int) -> list[Part]:
    """OpenAI-style ``additional_kwargs["tool_calls"]`` (dicts or SDK objects), minus those in blocks."""
    raw = extra.get("tool_calls")
    if not raw:
        return []
    if not isinstance(raw, (list, tuple)):
        raise FoundryConfigError(
            f"message {index}: additional_kwargs['tool_calls'] must be a list of tool calls "
            f"(dicts with id and function), got {type(raw).__name__}"
        )
    seen = {p.call_id for p in parts if isinstance(p, (ToolCallPart, ComputerCallPart))}
    out: list[Part] = []
    for call in raw:
        get = call.get if isinstance(call, Mapping) else lambda k, c=call: getattr(c, k, None)
        function = get("function")
        fget = function.get if isinstance(function, Mapping) else lambda k, f=function: getattr(f, k, None)
        call_id, name = get("id") or get("call_id"), fget("name") if function is not None else get("name")
        if not call_id or not name:
            raise FoundryConfigError(f"message {index}: a legacy tool call lacks its id or function name")
        if call_id in seen:
            continue
        args = fget("arguments") if function is not None else get("arguments")
        if name == COMPUTER_TOOL:
            out.append(_computer_call(str(call_id), _json_object(args), extra, index))
        else:
            out.append(ToolCallPart(str(call_id), str(name), encode_arguments(args)))
    return out


def _tool_result(message: ChatMessage, extra: Mapping[str, Any], index: int) -> ToolResultPart:
    call_id = extra.get("tool_call_id") or extra.get("call_id")
    if not call_id:
        raise FoundryConfigError(
            f"message {index} is a tool message without additional_kwargs['tool_call_id']; "
            "the agent cannot tell which function call it answers"
        )
    if not isinstance(call_id, str):
        raise FoundryConfigError(
            f"message {index}: additional_kwargs['tool_call_id'] must be the call id string, "
            f"got {type(call_id).__name__}"
        )
    texts = [b.text for b in message.blocks if isinstance(b, TextBlock)]
    return ToolResultPart(call_id, "\n".join(texts))


def _json_object(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value or "{}")
        except json.JSONDecodeError:
            return None
    return value


def _computer_entries(extra: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    entries = extra.get("computer_calls") or ()
    return {c["call_id"]: c for c in entries if isinstance(c, Mapping) and isinstance(c.get("call_id"), str)}


def _computer_call(call_id: str | None, kwargs: Any, extra: Mapping[str, Any], index: int) -> ComputerCallPart:
    """A ``computer_use`` tool call as the service's item (what ``computer_calls`` kept of it wins)."""
    try:
        return computer_call_part(call_id or "", kwargs, _computer_entries(extra).get(call_id or ""))
    except FoundryConfigError as exc:
        raise FoundryConfigError(f"message {index}: computer call {call_id!r}: {exc}") from None


def _listed_computer_calls(extra: Mapping[str, Any], parts: Sequence[Part], index: int) -> list[Part]:
    """Entries of ``computer_calls`` with no ``ToolCallBlock`` (e.g. a message rebuilt from kwargs)."""
    seen = {p.call_id for p in parts if isinstance(p, ComputerCallPart)}
    return [_computer_call(call_id, None, extra, index) for call_id in _computer_entries(extra) if call_id not in seen]


def _approval_part(value: Any, index: int) -> ApprovalResponsePart:
    return approval_part(value, where=f"message {index}: additional_kwargs[{APPROVAL_KEY!r}]")


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
