"""The neutral input model, and its one mapping to Responses ``input`` items.

The wire shapes: docs/protocol.md, "Request body" and "Replayed history".

Adapters translate their framework's messages into :class:`Message` objects; :func:`to_input_items`
is the only place that knows the wire shape, and it honours the service's strict validation:
role items get ``"type": "message"``, replayed assistant text goes out as a plain message with
string content (the spec's ``EasyInputMessage``; ``output_text`` parts belong to output items,
which need the ``id``/``status`` the service gave them), no ``status: null`` is ever sent, and
server-only items are never replayed.

Example:
    >>> to_input_items([Message("system", "Be brief."), Message("user", "Hi")])[1]
    {'type': 'message', 'role': 'user', 'content': [{'type': 'input_text', 'text': 'Hi'}]}
"""

from __future__ import annotations

import base64
import json
import mimetypes
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from .errors import FoundryConfigError

__all__ = [
    "ApprovalResponsePart",
    "ComputerCallOutputPart",
    "ComputerCallPart",
    "FilePart",
    "ImagePart",
    "Message",
    "Part",
    "Role",
    "SystemRoleMode",
    "TextPart",
    "ToolCallPart",
    "ToolResultPart",
    "IMAGE_MIME_TYPES",
    "data_uri",
    "to_input_items",
]

Role = Literal["system", "developer", "user", "assistant", "tool"]
SystemRoleMode = Literal["system", "developer", "refuse"]


_DETAILS = ("auto", "low", "high", "original")
#: The image types an agent takes as input (checked for ``data:`` URIs and local paths).
IMAGE_MIME_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")


def image_mime(value: str | os.PathLike[str], *, where: str = "ImagePart") -> str:
    """The MIME type of an image ``data:`` URI or local path, if it is one agents take; else
    :class:`FoundryConfigError` naming it."""
    text = os.fspath(value)
    if text.startswith("data:"):
        mime = text[5:].split(";", 1)[0].split(",", 1)[0].strip().lower()
    else:
        mime = (mimetypes.guess_type(text)[0] or "").lower()
    if mime not in IMAGE_MIME_TYPES:
        shown = mime or "unknown"
        raise FoundryConfigError(
            f"{where}: image type {shown!r} is not supported; agents take png, jpeg, gif or webp images "
            f"({', '.join(IMAGE_MIME_TYPES)})")
    return mime


def _check_str(part: str, **fields: Any) -> None:
    for name, value in fields.items():
        if value is not None and not isinstance(value, str):
            raise FoundryConfigError(f"{part} {name} must be a string, got {type(value).__name__}")


@dataclass(frozen=True, slots=True)
class TextPart:
    text: str


@dataclass(frozen=True, slots=True)
class ImagePart:
    """An image by ``url`` (http(s) URL or ``data:`` URI), uploaded ``file_id``, or local ``path``.

    A ``path`` (and a ``data:`` URI over the inline limit) is uploaded by
    :class:`~foundry_agents.FoundryAgent` and the adapters before the call and sent by
    ``file_id`` (docs/files.md, "The upload rule"). Images must be png, jpeg, gif or webp.
    """

    url: str | None = None
    file_id: str | None = None
    detail: Literal["auto", "low", "high", "original"] | None = None
    path: str | os.PathLike[str] | None = None

    def __post_init__(self) -> None:
        if sum(x is not None for x in (self.url, self.file_id, self.path)) != 1:
            raise FoundryConfigError("ImagePart needs exactly one of url=, file_id= or path=")
        _check_str("ImagePart", url=self.url, file_id=self.file_id)
        if self.path is not None and not isinstance(self.path, (str, os.PathLike)):
            raise FoundryConfigError(f"ImagePart path must be a str or path, got {type(self.path).__name__}")
        if self.path is not None or (self.url is not None and self.url.startswith("data:")):
            image_mime(self.path if self.path is not None else self.url or "")
        if self.detail is not None and self.detail not in _DETAILS:
            raise FoundryConfigError(f"ImagePart detail must be one of {_DETAILS}, got {self.detail!r}")


@dataclass(frozen=True, slots=True)
class FilePart:
    """A file by inline ``data`` (bytes or a ``data:`` URI, with ``filename``), ``file_id``, ``url``
    or local ``path`` (uploaded before the call, like large ``data``: docs/files.md)."""

    data: bytes | str | None = None
    filename: str | None = None
    file_id: str | None = None
    url: str | None = None
    mime_type: str = "application/pdf"
    path: str | os.PathLike[str] | None = None

    def __post_init__(self) -> None:
        if sum(x is not None for x in (self.data, self.file_id, self.url, self.path)) != 1:
            raise FoundryConfigError("FilePart needs exactly one of data=, file_id=, url= or path=")
        if self.path is not None and not isinstance(self.path, (str, os.PathLike)):
            raise FoundryConfigError(f"FilePart path must be a str or path, got {type(self.path).__name__}")
        if self.data is not None and not isinstance(self.data, (bytes, str)):
            raise FoundryConfigError(f"FilePart data must be bytes or a data: URI, got {type(self.data).__name__}")
        _check_str("FilePart", filename=self.filename, file_id=self.file_id, url=self.url, mime_type=self.mime_type)


@dataclass(frozen=True, slots=True)
class ToolCallPart:
    """A function call the assistant made (replayed in stateless history)."""

    call_id: str
    name: str
    arguments: str = "{}"


@dataclass(frozen=True, slots=True)
class ToolResultPart:
    """The output of a function call, answering ``call_id``. Non-string output is JSON-encoded."""

    call_id: str
    output: Any


@dataclass(frozen=True, slots=True)
class ApprovalResponsePart:
    """The answer to an MCP approval request (``mcpr_...``)."""

    approval_request_id: str
    approve: bool
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class ComputerCallPart:
    """A computer call the assistant made, replayed in stateless history (``store=False``) so the
    :class:`ComputerCallOutputPart` after it answers a call the service can see. A chained call
    (``previous_response_id``) never sends it: the service has the call already.

    ``id`` is the item's ``cu_...`` id; ``actions`` is set for a batched call instead of ``action``.

    Example:
        >>> part = ComputerCallPart("call_1", {"type": "screenshot"}, id="cu_1")
        >>> to_input_items([Message("assistant", [part])])[0]["type"]
        'computer_call'
    """

    call_id: str
    action: Mapping[str, Any] | None = None
    id: str | None = None
    pending_safety_checks: Sequence[Mapping[str, Any]] = ()
    actions: Sequence[Mapping[str, Any]] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.call_id, str) or not self.call_id:
            raise FoundryConfigError(f"ComputerCallPart call_id must be a non-empty string, got {self.call_id!r:.40}")
        if (self.action is None) == (not self.actions):
            raise FoundryConfigError("ComputerCallPart needs exactly one of action= or actions= (the computer call's)")
        _check_str("ComputerCallPart", id=self.id)


@dataclass(frozen=True, slots=True)
class ComputerCallOutputPart:
    """The answer to a computer call (``call_id``): a screenshot by ``image_url`` (a ``data:`` URI
    or URL) or by uploaded ``file_id``, and the pending safety checks you acknowledge.

    Example:
        >>> part = ComputerCallOutputPart("call_1", image_url="data:image/png;base64,iVBORw0K")
        >>> to_input_items([Message("tool", [part])])[0]["output"]
        {'type': 'computer_screenshot', 'image_url': 'data:image/png;base64,iVBORw0K'}
    """

    call_id: str
    image_url: str | None = None
    file_id: str | None = None
    #: Checks from the call's ``pending_safety_checks`` (``{"id", "code", "message"}``) you accept.
    acknowledged_safety_checks: Sequence[Mapping[str, Any]] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.call_id, str) or not self.call_id:
            raise FoundryConfigError(f"ComputerCallOutputPart call_id must be the computer call's call_id "
                                     f"(a non-empty string), got {self.call_id!r:.40}")
        if (self.image_url is None) == (self.file_id is None):
            raise FoundryConfigError("ComputerCallOutputPart needs exactly one of image_url= or file_id= (the screenshot)")
        _check_str("ComputerCallOutputPart", image_url=self.image_url, file_id=self.file_id)
        checks = self.acknowledged_safety_checks
        if isinstance(checks, (str, bytes, Mapping)) or not isinstance(checks, Sequence):
            raise FoundryConfigError("ComputerCallOutputPart acknowledged_safety_checks must be a sequence of "
                                     f"{{'id', 'code', 'message'}} dicts, got {type(checks).__name__}")
        for check in checks:
            if not isinstance(check, Mapping) or not isinstance(check.get("id"), str) or not check["id"]:
                raise FoundryConfigError("ComputerCallOutputPart acknowledged_safety_checks entries need an 'id' "
                                         f"string (from the call's pending_safety_checks), got {check!r:.60}")
            for key in ("code", "message"):
                if check.get(key) is not None and not isinstance(check[key], str):
                    raise FoundryConfigError(f"ComputerCallOutputPart acknowledged_safety_checks {key} must be a string")


Part = (
    TextPart | ImagePart | FilePart | ToolCallPart | ToolResultPart | ApprovalResponsePart | ComputerCallPart
    | ComputerCallOutputPart
)


@dataclass(frozen=True, slots=True)
class Message:
    """One neutral chat message: a role and its parts (a plain string means one text part).

    ``response_id`` and ``agent`` mark an assistant message that an agent produced, so a later
    call can chain from it with ``previous_response_id`` instead of replaying the history.
    """

    role: Role
    content: str | Sequence[Part] = field(default_factory=tuple)
    response_id: str | None = None
    agent: str | None = None
    #: A hosted agent's session the message came from; the next call to that agent resends it.
    agent_session_id: str | None = field(default=None, repr=False)

    @property
    def parts(self) -> tuple[Part, ...]:
        if isinstance(self.content, str):
            return (TextPart(self.content),) if self.content else ()
        return tuple(self.content)


def data_uri(data: bytes, mime_type: str) -> str:
    """``data:<mime>;base64,<...>`` for inline images and files."""
    return f"data:{mime_type};base64,{base64.b64encode(data).decode('ascii')}"


def _encode_output(output: Any) -> str:
    if isinstance(output, str):
        return output
    return json.dumps(output, ensure_ascii=False, default=str)


def _local(part: ImagePart | FilePart) -> FoundryConfigError:
    kind = type(part).__name__
    return FoundryConfigError(
        f"{kind}(path={os.fspath(part.path or '')!r}) is a local file: FoundryAgent and the adapters upload it "
        f"before the call; with the client, upload it (client.upload_file(...)) and send {kind}(file_id=...)")


def _user_part(part: Part, role: str) -> dict[str, Any]:
    if isinstance(part, (ImagePart, FilePart)) and part.path is not None:
        raise _local(part)
    if isinstance(part, TextPart):
        return {"type": "input_text", "text": part.text}
    if isinstance(part, ImagePart):
        out: dict[str, Any] = {"type": "input_image"}
        if part.url is not None:
            out["image_url"] = part.url
        else:
            out["file_id"] = part.file_id
        out["detail"] = part.detail or "auto"
        return out
    if isinstance(part, FilePart):
        out = {"type": "input_file"}
        if part.file_id is not None:
            out["file_id"] = part.file_id
        elif part.url is not None:
            out["file_url"] = part.url
        else:
            data = part.data
            out["file_data"] = data_uri(data, part.mime_type) if isinstance(data, bytes) else data
            out["filename"] = part.filename or "file"
        return out
    raise FoundryConfigError(
        f"a {role} message cannot carry a {type(part).__name__}; "
        "tool calls belong to assistant messages and tool results to tool messages"
    )


def _message_item(role: str, content: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "message", "role": role, "content": content}


def to_input_items(
    messages: Iterable[Message], *, system_role: SystemRoleMode = "system"
) -> list[dict[str, Any]]:
    """Map neutral messages to Responses ``input`` items (pure).

    ``system_role`` decides what system messages become: ``"system"`` or ``"developer"`` role
    items, or ``"refuse"`` to raise instead (for users who want the agent's own instructions to
    stand alone). A system message is never dropped silently.
    """
    items: list[dict[str, Any]] = []
    for index, msg in enumerate(messages):
        role = msg.role
        parts = msg.parts
        if role in ("system", "developer"):
            if role == "system" and system_role == "refuse":
                raise FoundryConfigError(
                    f"message {index} is a system message, and system_message_role='refuse' is set: "
                    "the agent's own instructions apply. Remove the system message or choose "
                    "'system' or 'developer' to send it."
                )
            wire_role = system_role if role == "system" else "developer"
            content = [_user_part(p, role) for p in parts]
            if content:
                items.append(_message_item(wire_role, content))
        elif role == "user":
            # Approval answers may ride on a user turn; they are their own input items.
            items.extend(_approval_item(p) for p in parts if isinstance(p, ApprovalResponsePart))
            content = [_user_part(p, role) for p in parts if not isinstance(p, ApprovalResponsePart)]
            if content:
                items.append(_message_item("user", content))
        elif role == "assistant":
            text = "".join(p.text for p in parts if isinstance(p, TextPart))
            if text:  # string content: the only assistant message shape the spec allows without an id
                items.append({"type": "message", "role": "assistant", "content": text})
            for p in parts:
                if isinstance(p, ToolCallPart):
                    items.append({"type": "function_call", "call_id": p.call_id, "name": p.name,
                                  "arguments": p.arguments or "{}"})
                elif isinstance(p, ApprovalResponsePart):
                    items.append(_approval_item(p))
                elif isinstance(p, ComputerCallPart):
                    items.append(_computer_call_item(p))
                elif not isinstance(p, TextPart):
                    raise FoundryConfigError(
                        f"message {index} (assistant) cannot carry a {type(p).__name__}"
                    )
        elif role == "tool":
            for p in parts:
                if isinstance(p, ToolResultPart):
                    items.append({"type": "function_call_output", "call_id": p.call_id,
                                  "output": _encode_output(p.output)})
                elif isinstance(p, ApprovalResponsePart):
                    items.append(_approval_item(p))
                elif isinstance(p, ComputerCallOutputPart):
                    items.append(_computer_output_item(p))
                else:
                    raise FoundryConfigError(
                        f"message {index} (tool) must carry ToolResultPart, ApprovalResponsePart or "
                        f"ComputerCallOutputPart, got {type(p).__name__}"
                    )
        else:
            raise FoundryConfigError(
                f"message {index} has role {role!r}; expected system, developer, user, assistant or tool"
            )
    return items


def _approval_item(part: ApprovalResponsePart) -> dict[str, Any]:
    item: dict[str, Any] = {"type": "mcp_approval_response",
                            "approval_request_id": part.approval_request_id,
                            "approve": bool(part.approve)}
    if part.reason:
        item["reason"] = part.reason
    return item


def _computer_call_item(part: ComputerCallPart) -> dict[str, Any]:
    item: dict[str, Any] = {"type": "computer_call", "call_id": part.call_id}
    if part.id:
        item["id"] = part.id
    if part.action is not None:
        item["action"] = dict(part.action)
    else:
        item["actions"] = [dict(a) for a in part.actions]
    item["pending_safety_checks"] = [dict(c) for c in part.pending_safety_checks]
    item["status"] = "completed"
    return item


def _computer_output_item(part: ComputerCallOutputPart) -> dict[str, Any]:
    screenshot: dict[str, Any] = {"type": "computer_screenshot"}
    if part.image_url is not None:
        screenshot["image_url"] = part.image_url
    else:
        screenshot["file_id"] = part.file_id
    item: dict[str, Any] = {"type": "computer_call_output", "call_id": part.call_id, "output": screenshot}
    if part.acknowledged_safety_checks:
        item["acknowledged_safety_checks"] = [
            {k: c[k] for k in ("id", "code", "message") if c.get(k) is not None} for c in part.acknowledged_safety_checks]
    return item
