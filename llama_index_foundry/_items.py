"""Tool items as LlamaIndex content: images, typed tool entries, computer calls, generated files.

Pure functions over the core's typed items (:mod:`foundry_agents.items`), used by both the
one-shot and the streaming paths of :mod:`._outputs`:

- an ``image_generation_call`` becomes an ``ImageBlock`` (base64 ``image``, ``image_mimetype``);
- a ``computer_call`` becomes a ``ToolCallBlock`` named :data:`COMPUTER_TOOL` (its action as
  ``tool_kwargs``, ``call_id`` as the tool call id), so ``get_tool_calls_from_response`` and
  ``FunctionAgent`` see it as a tool call to run;
- typed server tools and structured outputs get one ``additional_kwargs`` entry each, under the
  key of :data:`TYPED_KEYS`, with the core item's fields (the raw wire items stay in
  ``server_tool_calls``);
- files the agent made (``generated_files``) are among the core's response facts, not here.

Example:
    >>> from foundry_agents.items import parse_output_item
    >>> item = parse_output_item({"type": "image_generation_call", "id": "ig_1", "result": "aGk="})
    >>> image_block(item).image_mimetype
    'image/png'
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import asdict, fields, is_dataclass
from typing import Any

from llama_index.core.base.llms.types import ImageBlock, ToolCallBlock

from foundry_agents.errors import UnexpectedResponseError
from foundry_agents.pending import COMPUTER_TOOL, computer_call_args
from foundry_agents.response import (
    AgentResponse,
    CodeInterpreterCallItem,
    ComputerCallItem,
    FileSearchCallItem,
    ImageGenerationCallItem,
    MemorySearchCallItem,
    StructuredOutputsItem,
    WebSearchCallItem,
)

__all__ = [
    "COMPUTER_TOOL",
    "TYPED_KEYS",
    "computer_call_block",
    "image_block",
    "item_entry",
    "typed_kwargs",
]

#: ``additional_kwargs`` key listing each typed item kind (one entry per item, in output order).
TYPED_KEYS: dict[type, str] = {
    ImageGenerationCallItem: "image_generation_calls",
    CodeInterpreterCallItem: "code_interpreter_calls",
    FileSearchCallItem: "file_search_calls",
    WebSearchCallItem: "web_search_calls",
    MemorySearchCallItem: "memory_search_calls",
    StructuredOutputsItem: "structured_outputs",
}

#: Fields left out of an entry: the wire object (kept in ``server_tool_calls``) and the image
#: data (the ``ImageBlock`` holds it).
_LEFT_OUT = frozenset({"raw", "result_b64"})


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def item_entry(item: Any) -> dict[str, Any]:
    """A typed item's fields as a JSON-ready dict (``raw`` and image data left out).

    An image generation entry says whether its ``ImageBlock`` is there (``has_image``) and its
    ``mime_type``; a result that is not base64 is reported in ``error`` instead of an image.
    """
    out = {f.name: _plain(getattr(item, f.name)) for f in fields(item) if f.name not in _LEFT_OUT}
    if isinstance(item, ImageGenerationCallItem):
        out["mime_type"] = item.mime_type
        out["has_image"] = item.result_b64 is not None
        try:
            item.image_bytes()
        except UnexpectedResponseError as exc:
            out["has_image"], out["error"] = False, str(exc)
    return out


def typed_kwargs(response: AgentResponse) -> dict[str, Any]:
    """The typed entries of ``response`` by :data:`TYPED_KEYS` key."""
    out: dict[str, list[dict[str, Any]]] = {}
    for item in response.output:
        key = TYPED_KEYS.get(type(item))
        if key is not None:
            out.setdefault(key, []).append(item_entry(item))
    return dict(out)


def image_block(item: ImageGenerationCallItem, b64: str | None = None) -> ImageBlock | None:
    """The image (or the partial image ``b64``) as an ``ImageBlock``; ``None`` without valid base64."""
    data = item.result_b64 if b64 is None else b64
    if not data:
        return None
    if not _is_base64(data):
        return None  # item_entry reports it; the wire item stays in server_tool_calls
    return ImageBlock(image=data.encode("ascii"), image_mimetype=item.mime_type)


def _is_base64(data: str) -> bool:
    try:
        base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def partial_image_block(b64: str, output_format: str | None) -> ImageBlock | None:
    """A streamed partial image (``ImagePartial``) as an ``ImageBlock``."""
    return image_block(ImageGenerationCallItem(id=None, output_format=output_format), b64)


def computer_call_block(item: ComputerCallItem) -> ToolCallBlock:
    """A computer call as a tool call: ``tool_kwargs`` is the action (``{"actions": [...]}`` for a batch)."""
    return ToolCallBlock(tool_call_id=item.call_id, tool_name=COMPUTER_TOOL, tool_kwargs=computer_call_args(item))
