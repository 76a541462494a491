"""LangChain messages in, neutral :class:`foundry_agents.Message` objects out (pure).

One function per message class, dispatched by a table; content blocks are dispatched by their
``type`` through a second table. Everything the Responses input cannot carry (audio, video,
unknown blocks in a user turn) raises :class:`UnsupportedContentError` naming the message and
block, never drops it silently.

An :class:`~langchain_core.messages.AIMessage` this adapter produced carries its response id in
``AIMessage.id`` and the agent name in ``response_metadata``; it becomes a neutral assistant
message with ``response_id``/``agent`` set, which is what lets the core chain the next call with
``previous_response_id`` instead of replaying the history.

Example:
    >>> from langchain_core.messages import HumanMessage
    >>> to_neutral_messages([HumanMessage("Hi")])
    [Message(role='user', content=(TextPart(text='Hi'),), response_id=None, agent=None)]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from foundry_agents import (
    ComputerCallOutputPart,
    FilePart,
    ImagePart,
    Message,
    TextPart,
    ToolCallPart,
    ToolResultPart,
)
from foundry_agents.errors import FoundryConfigError
from foundry_agents.messages import Part
from foundry_agents.metadata import approval_part, approval_response, encode_arguments
from foundry_agents.pending import COMPUTER_TOOL, computer_call_part

__all__ = [
    "APPROVAL_RESPONSE_TYPE",
    "COMPUTER_TOOL",
    "PROVIDER",
    "UnsupportedContentError",
    "approval_message",
    "to_neutral_messages",
]

#: ``response_metadata["model_provider"]`` of every message this adapter produces.
PROVIDER = "azure_foundry"
#: The content block type of an MCP approval answer (the wire item's own type).
APPROVAL_RESPONSE_TYPE = "mcp_approval_response"


class UnsupportedContentError(FoundryConfigError):
    """A message or content block that a Foundry agent cannot receive (also a ``ValueError``)."""


# -- content blocks ------------------------------------------------------------------------------
def _data_uri(block: Mapping[str, Any], default_mime: str) -> str:
    data = block.get("base64", block.get("data"))
    return f"data:{block.get('mime_type') or default_mime};base64,{data}"


def _source(block: Mapping[str, Any]) -> str:
    """Which of url / base64 / file id / local path a standard (v1) or legacy (v0) data block uses.

    A local file is ``"path": ...`` or a ``file://`` URL; the core uploads it (docs/files.md)."""
    kind = block.get("source_type")
    if block.get("path") or str(block.get("url") or "").startswith("file://"):
        return "path"
    if kind == "id" or (kind is None and block.get("file_id")):
        return "file_id"
    if kind == "base64" or (kind is None and ("base64" in block or "data" in block)):
        return "base64"
    if kind == "url" or (kind is None and block.get("url")):
        return "url"
    return "unknown"


def _path(block: Mapping[str, Any]) -> str:
    if block.get("path"):
        return str(block["path"])
    parsed = urlsplit(str(block["url"]))
    if parsed.netloc not in ("", "localhost"):
        raise UnsupportedContentError(f"a file:// URL must name a local file, got {_short(block['url'])}")
    return url2pathname(parsed.path)


def _file_id(block: Mapping[str, Any]) -> str:
    return str(block.get("file_id") or block.get("id"))


def _extras(block: Mapping[str, Any], key: str = "extras") -> Mapping[str, Any]:
    value = block.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise UnsupportedContentError(f"block field {key!r} must be a dict, got {type(value).__name__}")
    return value


def _image(block: Mapping[str, Any]) -> Part:
    source = _source(block)
    detail = block.get("detail") or _extras(block).get("detail")
    if source == "file_id":
        return ImagePart(file_id=_file_id(block), detail=detail)
    if source == "path":
        return ImagePart(path=_path(block), detail=detail)
    if source == "base64":
        return ImagePart(url=_data_uri(block, "image/png"), detail=detail)
    if source == "url":
        return ImagePart(url=str(block["url"]), detail=detail)
    raise UnsupportedContentError(f"image block needs url, base64 or file_id: {_short(block)}")


def _image_url(block: Mapping[str, Any]) -> Part:
    value = block.get("image_url")
    if isinstance(value, Mapping):
        return ImagePart(url=str(value.get("url")), detail=value.get("detail"))
    return ImagePart(url=str(value))


def _input_image(block: Mapping[str, Any]) -> Part:
    if block.get("file_id"):
        return ImagePart(file_id=str(block["file_id"]), detail=block.get("detail"))
    return ImagePart(url=str(block.get("image_url")), detail=block.get("detail"))


def _filename(block: Mapping[str, Any]) -> str | None:
    for holder in (block, _extras(block), _extras(block, "metadata")):
        if holder.get("filename"):
            return str(holder["filename"])
    return None


def _file(block: Mapping[str, Any]) -> Part:
    nested = block.get("file")
    if isinstance(nested, Mapping):  # OpenAI chat-completions file block
        if nested.get("file_id"):
            return FilePart(file_id=str(nested["file_id"]))
        return FilePart(data=str(nested.get("file_data")), filename=nested.get("filename"))
    source = _source(block)
    mime = block.get("mime_type") or "application/pdf"
    if source == "file_id":
        return FilePart(file_id=_file_id(block), mime_type=mime)
    if source == "path":
        return FilePart(path=_path(block), filename=_filename(block), mime_type=mime)
    if source == "base64":
        return FilePart(data=_data_uri(block, mime), filename=_filename(block) or "file", mime_type=mime)
    if source == "url":
        return FilePart(url=str(block["url"]), mime_type=mime)
    raise UnsupportedContentError(f"file block needs url, base64 or file_id: {_short(block)}")


def _input_file(block: Mapping[str, Any]) -> Part:
    if block.get("file_id"):
        return FilePart(file_id=str(block["file_id"]))
    if block.get("file_url"):
        return FilePart(url=str(block["file_url"]))
    return FilePart(data=str(block.get("file_data")), filename=block.get("filename"))


def _text_plain(block: Mapping[str, Any]) -> Part:
    if "text" in block:
        return TextPart(str(block["text"]))
    return _file({**block, "mime_type": "text/plain"})


def _approval(block: Mapping[str, Any]) -> Part:
    try:
        return approval_part(block, where=f"an {APPROVAL_RESPONSE_TYPE} block")
    except FoundryConfigError as exc:
        raise UnsupportedContentError(str(exc)) from exc


_BLOCKS: dict[str, Callable[[Mapping[str, Any]], Part]] = {
    "text": lambda b: TextPart(str(b.get("text", ""))),
    "input_text": lambda b: TextPart(str(b.get("text", ""))),
    "text-plain": _text_plain,
    "image": _image,
    "image_url": _image_url,
    "input_image": _input_image,
    "file": _file,
    "input_file": _input_file,
    APPROVAL_RESPONSE_TYPE: _approval,
}

_UNSUPPORTED = {
    "audio": "audio input is not part of the Responses API input of an agent",
    "input_audio": "audio input is not part of the Responses API input of an agent",
    "video": "video input is not part of the Responses API input of an agent",
}


def _short(block: Any) -> str:
    text = repr(block)
    return text if len(text) <= 120 else text[:117] + "..."


def _parts(content: str | list[Any], where: str) -> list[Part]:
    if isinstance(content, str):
        return [TextPart(content)] if content else []
    parts: list[Part] = []
    for bi, block in enumerate(content):
        if isinstance(block, str):
            parts.append(TextPart(block))
            continue
        parts.append(_block_part(block, f"{where}, block {bi}"))
    return parts


def _block_part(block: Any, where: str) -> Part:
    if not isinstance(block, Mapping):
        raise UnsupportedContentError(f"{where}: a content block must be a str or a dict, got {type(block).__name__}")
    kind = block.get("type")
    if not isinstance(kind, str):
        raise UnsupportedContentError(f"{where}: a content block's 'type' must be a string, got {_short(kind)}")
    mapper = _BLOCKS.get(kind)
    if mapper is None:
        reason = _UNSUPPORTED.get(kind, "unknown content block type")
        raise UnsupportedContentError(f"{where}: cannot send block {_short(block)}: {reason}")
    try:
        return mapper(block)
    except UnsupportedContentError as exc:
        raise UnsupportedContentError(f"{where}: {exc}") from exc
    except (ValueError, KeyError, TypeError, AttributeError) as exc:  # incl. the core's FoundryConfigError
        raise UnsupportedContentError(f"{where}: malformed {kind!r} block {_short(block)}: {exc}") from exc


# -- messages ------------------------------------------------------------------------------------
def _system(msg: BaseMessage, where: str) -> Message:
    return Message("system", tuple(_parts(msg.content, where)))


def _human(msg: BaseMessage, where: str) -> Message:
    return Message("user", tuple(_parts(msg.content, where)))


def _produced_by_agent(msg: AIMessage) -> bool:
    return msg.response_metadata.get("model_provider") == PROVIDER and bool(msg.id)


def _assistant_text(content: str | list[Any]) -> list[Part]:
    """Replayable text of an assistant message: text blocks only (server items are never replayed)."""
    if isinstance(content, str):
        return [TextPart(content)] if content else []
    texts = [b if isinstance(b, str) else _str_text(b.get("text")) for b in content
             if isinstance(b, str) or (isinstance(b, Mapping) and b.get("type") in ("text", "output_text"))]
    joined = "".join(texts)
    return [TextPart(joined)] if joined else []


def _str_text(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _ai(msg: BaseMessage, where: str) -> Message:
    assert isinstance(msg, AIMessage)
    parts: list[Part] = _assistant_text(msg.content)
    parts += [ToolCallPart(str(tc.get("id") or ""), tc["name"], encode_arguments(tc.get("args")))
              for tc in msg.tool_calls if tc["name"] != COMPUTER_TOOL]
    parts += _computer_calls(msg, where)
    parts += [ToolCallPart(str(tc.get("id") or ""), str(tc.get("name") or ""), encode_arguments(tc.get("args")))
              for tc in msg.invalid_tool_calls]
    if isinstance(msg.content, list):  # approval answers may ride on an assistant turn too
        parts += [_block_part(b, f"{where}, block {bi}") for bi, b in enumerate(msg.content)
                  if isinstance(b, Mapping) and b.get("type") == APPROVAL_RESPONSE_TYPE]
    if _produced_by_agent(msg):
        session = msg.response_metadata.get("agent_session_id")
        return Message("assistant", tuple(parts), response_id=msg.id,
                       agent=msg.response_metadata.get("agent_name"),
                       agent_session_id=session if isinstance(session, str) and session else None)
    return Message("assistant", tuple(parts))


def _computer_calls(msg: AIMessage, where: str) -> list[Part]:
    """The reply's computer calls as the service's own items (its ``computer_call`` block, else the
    tool call's ``args``): a stateless call replays them before their screenshots; a chained one
    never sends them."""
    blocks = {b.get("call_id"): b for b in (msg.content if isinstance(msg.content, list) else [])
              if isinstance(b, Mapping) and b.get("type") == "computer_call"}
    parts: list[Part] = []
    for tc in msg.tool_calls:
        if tc["name"] != COMPUTER_TOOL:
            continue
        try:
            parts.append(computer_call_part(str(tc.get("id") or ""), tc.get("args"), blocks.get(tc.get("id"))))
        except FoundryConfigError as exc:
            raise UnsupportedContentError(f"{where}: computer call {tc.get('id')!r}: {exc}") from exc
    return parts


def _screenshot(msg: ToolMessage, where: str) -> ComputerCallOutputPart:
    """A computer call's answer: the ``ToolMessage``'s image (a standard image block, ``input_image``,
    ``computer_screenshot``, or a ``data:``/``https:`` string); acknowledged safety checks ride in
    ``additional_kwargs["acknowledged_safety_checks"]``."""
    content = msg.content
    blocks = [{"type": "image", "url": content}] if isinstance(content, str) else content
    images = [b for b in blocks if isinstance(b, Mapping) and b.get("type") in ("image", "image_url", "input_image",
                                                                                    "computer_screenshot")]
    if len(images) != 1 or (isinstance(content, str) and not content.startswith(("data:image/", "https://", "http://"))):
        raise UnsupportedContentError(
            f"{where}: the answer to computer call {msg.tool_call_id!r} must be one screenshot (an image block, "
            f"or a data:image/...;base64 or https URL string), got {_short(content)}")
    block = images[0]
    if block.get("type") == "computer_screenshot":
        block = {"type": "input_image", "file_id": block.get("file_id"), "image_url": block.get("image_url")}
    image = _block_part(block, where)
    assert isinstance(image, ImagePart)
    checks = msg.additional_kwargs.get("acknowledged_safety_checks") or ()
    try:
        return ComputerCallOutputPart(msg.tool_call_id, image_url=image.url, file_id=image.file_id,
                                      acknowledged_safety_checks=checks)
    except FoundryConfigError as exc:
        raise UnsupportedContentError(f"{where}: {exc}") from exc


def _tool(msg: BaseMessage, where: str) -> Message:
    assert isinstance(msg, ToolMessage)
    if msg.name == COMPUTER_TOOL:
        return Message("tool", (_screenshot(msg, where),))
    content = msg.content
    if isinstance(content, list):
        approvals = [_block_part(b, f"{where}, block {bi}") for bi, b in enumerate(content)
                     if isinstance(b, Mapping) and b.get("type") == APPROVAL_RESPONSE_TYPE]
        if approvals:
            return Message("tool", tuple(approvals))
    # The core JSON-encodes non-string output; a list of blocks is sent as that JSON.
    return Message("tool", (ToolResultPart(msg.tool_call_id, content),))


_CHAT_ROLES = {"system": _system, "developer": _system, "user": _human, "human": _human}


def _chat(msg: BaseMessage, where: str) -> Message:
    assert isinstance(msg, ChatMessage)
    if msg.role == "developer":
        return Message("developer", tuple(_parts(msg.content, where)))
    mapper = _CHAT_ROLES.get(msg.role)
    if mapper is None:
        raise UnsupportedContentError(
            f"{where}: ChatMessage role {msg.role!r} is not supported; use system, developer or user"
        )
    return mapper(msg, where)


_MESSAGES: dict[type[BaseMessage], Callable[[BaseMessage, str], Message]] = {
    SystemMessage: _system,
    HumanMessage: _human,
    AIMessage: _ai,
    ToolMessage: _tool,
    ChatMessage: _chat,
}


def _mapper(msg: BaseMessage) -> Callable[[BaseMessage, str], Message] | None:
    for cls in type(msg).__mro__:  # chunks and user subclasses map like their base class
        mapper = _MESSAGES.get(cls)  # type: ignore[arg-type]
        if mapper is not None:
            return mapper
    return None


def to_neutral_messages(messages: Sequence[BaseMessage]) -> list[Message]:
    """Map LangChain messages to neutral messages (pure); see the module docstring."""
    out: list[Message] = []
    computer_ids = {tc["id"] for m in messages if isinstance(m, AIMessage) for tc in m.tool_calls
                    if tc["name"] == COMPUTER_TOOL}
    for index, msg in enumerate(messages):
        where = f"message {index} ({type(msg).__name__})"
        if isinstance(msg, ToolMessage) and msg.tool_call_id in computer_ids and msg.name != COMPUTER_TOOL:
            msg = msg.model_copy(update={"name": COMPUTER_TOOL})  # answered without the tool's name
        mapper = _mapper(msg)
        if mapper is None:
            raise UnsupportedContentError(f"{where} cannot be sent to a Foundry agent")
        out.append(mapper(msg, where))
    return out


def approval_message(
    request: str | Mapping[str, Any], approve: bool, *, reason: str | None = None
) -> HumanMessage:
    """The answer to a pending MCP approval request, as the next message of the history.

    ``request`` is the request id (``"mcpr_..."``), an entry of
    ``AIMessage.response_metadata["pending_approvals"]``, or the ``mcp_approval_request``
    content block itself.

    Example:
        >>> reply = approval_message("mcpr_1", True)
        >>> reply.content[0]["approve"]
        True
    """
    return HumanMessage(content=[{"type": APPROVAL_RESPONSE_TYPE, **approval_response(request, approve, reason)}])
