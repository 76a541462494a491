"""The ``content_blocks`` translator for messages tagged ``model_provider="azure_foundry"``.

Our content is Responses-style (see :mod:`._outputs`), which langchain-core's OpenAI Responses
translator already reads: text with citations, reasoning, function calls, and the OpenAI
server-side items (web/file search, code interpreter, MCP). Foundry adds server-side items of its
own (``bing_grounding_call`` and ``bing_grounding_call_output``, ``azure_ai_search_call``,
``openapi_call``, ...); this module rewrites those into standard ``server_tool_call`` /
``server_tool_result`` blocks first, then hands the message to the OpenAI translator. Anything
else it does not know becomes a ``non_standard`` block, never dropped.

The OpenAI translator indexes fields the service always sends (``id`` of a server-side item, a
``reasoning`` block's ``summary``); a block without them is completed first (an item without an
``id`` gets ``""``, as ``function_call`` blocks without ``call_id`` do there), and a block the
translator still cannot read becomes ``non_standard`` instead of raising.

Tool items of issue 14 (docs/langchain.md, "Files, images and tool items"): an
``image_generation_call`` with its image becomes a standard ``image`` block (``base64`` and
``mime_type``, ``image/png`` unless ``output_format`` says otherwise), one without a
``server_tool_call``/``server_tool_result`` pair; a ``memory_search_call`` a ``memory_search`` call
and a result listing the memories (both wire shapes); a ``computer_call`` the ``tool_call`` that
``AIMessage.tool_calls`` also lists; ``container_file_citation`` and ``file_path`` annotations
``citation`` annotations with ``file_id``/``container_id``/``filename`` in ``extras``. Code
interpreter, file search and web search are the OpenAI translator's.

Registered on import of :mod:`langchain_foundry_agents` through langchain-core's public
``register_translator`` hook.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import asdict
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.messages import content as types
from langchain_core.messages.block_translators import register_translator
from langchain_core.messages.block_translators.openai import (
    translate_content as _openai_content,
)
from langchain_core.messages.block_translators.openai import (
    translate_content_chunk as _openai_chunk,
)

from foundry_agents import ComputerCallItem, ImageGenerationCallItem, MemorySearchCallItem
from foundry_agents.items import parse_output_item
from foundry_agents.pending import computer_call_args

from ._messages import COMPUTER_TOOL, PROVIDER

__all__ = ["register", "translate_content", "translate_content_chunk"]

#: Item types langchain-core's OpenAI translator maps itself.
_OPENAI_KNOWN = frozenset({
    "text", "reasoning", "function_call", "web_search_call", "file_search_call",
    "code_interpreter_call", "mcp_call", "mcp_list_tools", "image_generation_call", "tool_search_call",
})
#: OpenAI item types the OpenAI translator reads ``block["id"]`` of.
_NEEDS_ID = frozenset({"web_search_call", "file_search_call", "code_interpreter_call", "mcp_call",
                       "mcp_list_tools", "tool_search_call"})
_TRANSLATOR_ERRORS = (KeyError, TypeError, AttributeError, ValueError, IndexError)
_CALL_FIELDS = frozenset({"type", "id", "call_id", "arguments", "status", "index", "output"})


def _args(raw: Any) -> dict[str, Any]:
    if isinstance(raw, Mapping):
        return dict(raw)
    if isinstance(raw, str) and raw:
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            return {"raw": raw}
        return value if isinstance(value, dict) else {"value": value}
    return {}


def _status(block: Mapping[str, Any], result: dict[str, Any]) -> None:
    status = block.get("status")
    if status == "completed":
        result["status"] = "success"
    elif status in ("failed", "incomplete"):
        result["status"] = "error"


def _server_call(block: Mapping[str, Any]) -> list[dict[str, Any]]:
    kind = str(block["type"])
    call: dict[str, Any] = {"type": "server_tool_call", "name": kind[: -len("_call")],
                            "id": block.get("call_id") or block.get("id") or "",
                            "args": _args(block.get("arguments"))}
    extras = {k: v for k, v in block.items() if k not in _CALL_FIELDS}
    if block.get("call_id") and block.get("id"):
        extras["item_id"] = block["id"]
    if extras:
        call["extras"] = extras
    if isinstance(block.get("index"), int):
        call["index"] = f"lc_fsc_{block['index']}"
    out = [call]
    if "output" in block:  # the call carries its own result (e.g. openapi_call)
        result = {"type": "server_tool_result", "tool_call_id": call["id"], "output": block["output"]}
        _status(block, result)
        if isinstance(block.get("index"), int):
            result["index"] = f"lc_fsr_{block['index']}"
        out.append(result)
    return out


def _server_output(block: Mapping[str, Any]) -> list[dict[str, Any]]:
    result: dict[str, Any] = {"type": "server_tool_result",
                              "tool_call_id": block.get("call_id") or block.get("id") or ""}
    if block.get("output") not in (None, ""):
        result["output"] = block["output"]
    _status(block, result)
    extras = {k: v for k, v in block.items() if k not in _CALL_FIELDS}
    extras["name"] = str(block["type"])[: -len("_call_output")]
    result["extras"] = extras
    if isinstance(block.get("index"), int):
        result["index"] = f"lc_fso_{block['index']}"
    return [result]


def _index(block: Mapping[str, Any], prefix: str, result: dict[str, Any], offset: int = 0) -> None:
    if isinstance(block.get("index"), int):
        result["index"] = f"{prefix}{block['index'] + offset}"


def _image(block: Mapping[str, Any]) -> list[dict[str, Any]]:
    item = parse_output_item(block)
    assert isinstance(item, ImageGenerationCallItem)
    extras = {k: block[k] for k in ("status", "background", "output_format", "quality", "revised_prompt", "size")
              if k in block}
    if item.result_b64 is None:  # not made (failed, or cut short): the call and how it ended
        call: dict[str, Any] = {"type": "server_tool_call", "name": "image_generation", "id": item.id or "", "args": {}}
        result: dict[str, Any] = {"type": "server_tool_result", "tool_call_id": call["id"], "extras": extras}
        _status(block, result)
        _index(block, "lc_igc_", call)
        _index(block, "lc_igr_", result)
        return [call, result]
    image: dict[str, Any] = {"type": "image", "base64": item.result_b64, "mime_type": item.mime_type}
    if item.id:
        image["id"] = item.id
    if extras:
        image["extras"] = extras
    _index(block, "lc_img_", image)
    return [image]


def _memory_search(block: Mapping[str, Any]) -> list[dict[str, Any]]:
    item = parse_output_item(block)
    assert isinstance(item, MemorySearchCallItem)
    call: dict[str, Any] = {"type": "server_tool_call", "name": "memory_search", "id": item.id or "",
                            "args": _args(block.get("arguments") or ({"query": block["query"]} if "query" in block else None))}
    result: dict[str, Any] = {"type": "server_tool_result", "tool_call_id": call["id"],
                              "output": [{k: v for k, v in asdict(m).items() if v is not None} for m in item.memories]}
    _status(block, result)
    _index(block, "lc_msc_", call)
    _index(block, "lc_msr_", result)
    return [call, result]


def _computer_call(block: Mapping[str, Any]) -> list[dict[str, Any]]:
    item = parse_output_item(block)
    assert isinstance(item, ComputerCallItem)
    call: dict[str, Any] = {"type": "tool_call", "name": COMPUTER_TOOL, "args": computer_call_args(item), "id": item.call_id}
    extras = {k: v for k, v in block.items() if k not in ("type", "call_id", "action", "actions", "index")}
    if extras:
        call["extras"] = extras
    _index(block, "lc_tc_", call)
    return [call]


#: Item types mapped here rather than by the OpenAI translator (or not known to it).
_OWN: dict[str, Callable[[Mapping[str, Any]], list[dict[str, Any]]]] = {
    "image_generation_call": _image,
    "memory_search_call": _memory_search,
    "computer_call": _computer_call,
}


def _rewrite(block: Any) -> list[Any] | None:
    """Standard blocks for a Foundry-only item, or ``None`` to leave the block as it is."""
    if not isinstance(block, Mapping):
        return None
    kind = block.get("type")
    own = _OWN.get(kind) if isinstance(kind, str) else None
    if own is not None:
        return own(block)
    if kind in _NEEDS_ID and not isinstance(block.get("id"), str):
        return [{**block, "id": str(block.get("call_id") or "")}]
    if kind == "reasoning" and not isinstance(block.get("summary"), list):
        return [{**block, "summary": []}]
    if not isinstance(kind, str) or kind in _OPENAI_KNOWN or kind in types.KNOWN_BLOCK_TYPES:
        return None
    if kind.endswith("_call_output"):
        return _server_output(block)
    if kind.endswith("_call"):
        return _server_call(block)
    return None


def _normalized(message: AIMessage) -> AIMessage:
    if isinstance(message.content, str):
        return message
    content: list[Any] = []
    changed = False
    for block in message.content:
        rewritten = _rewrite(block)
        if rewritten is None:
            content.append(block)
        else:
            content.extend(rewritten)
            changed = True
    return message.model_copy(update={"content": content}) if changed else message


#: Annotations naming a file the agent made; the OpenAI translator leaves them non-standard.
_FILE_ANNOTATIONS = frozenset({"container_file_citation", "file_path"})


def _file_citation(annotation: Any) -> Any:
    """A ``container_file_citation`` / ``file_path`` annotation as a standard ``citation``."""
    value = annotation.get("value") if isinstance(annotation, Mapping) else None
    if annotation.get("type") != "non_standard_annotation" or not isinstance(value, Mapping) \
            or value.get("type") not in _FILE_ANNOTATIONS:
        return annotation
    citation: dict[str, Any] = {"type": "citation"}
    if isinstance(value.get("filename"), str):
        citation["title"] = value["filename"]
    for key in ("start_index", "end_index"):
        if isinstance(value.get(key), int):
            citation[key] = value[key]
    citation["extras"] = {k: v for k, v in value.items() if k not in ("start_index", "end_index")}
    return citation


def _with_file_citations(blocks: list[types.ContentBlock]) -> list[types.ContentBlock]:
    for block in blocks:
        annotations = block.get("annotations") if block.get("type") == "text" else None
        if isinstance(annotations, list):
            block["annotations"] = [_file_citation(a) for a in annotations]  # type: ignore[typeddict-unknown-key]
    return blocks


def _translate(message: AIMessage, translate: Callable[[Any], list[types.ContentBlock]]) -> list[types.ContentBlock]:
    return _with_file_citations(_translate_blocks(message, translate))


def _translate_blocks(message: AIMessage,
                      translate: Callable[[Any], list[types.ContentBlock]]) -> list[types.ContentBlock]:
    normalized = _normalized(message)
    try:
        return translate(normalized)
    except _TRANSLATOR_ERRORS:
        if isinstance(normalized.content, str):
            raise
    # One block the translator cannot read: translate block by block, keep that one as it is.
    out: list[types.ContentBlock] = []
    for block in normalized.content:
        try:
            out.extend(translate(normalized.model_copy(update={"content": [block]})))
        except _TRANSLATOR_ERRORS:
            out.append(types.NonStandardContentBlock(type="non_standard", value=_as_dict(block)))
    return out


def _as_dict(block: Any) -> dict[str, Any]:
    return dict(block) if isinstance(block, Mapping) else {"value": block}


def translate_content(message: AIMessage) -> list[types.ContentBlock]:
    """Standard blocks of a complete message produced by ``ChatFoundryAgent``."""
    return _translate(message, _openai_content)


def translate_content_chunk(message: AIMessageChunk) -> list[types.ContentBlock]:
    """Standard blocks of one streamed chunk."""
    return _translate(message, _openai_chunk)


def register() -> None:
    register_translator(PROVIDER, translate_content, translate_content_chunk)
