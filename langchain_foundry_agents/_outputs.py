"""Neutral responses and stream events out, LangChain messages and chunks in (pure).

Content is a list of Responses-style blocks, the shape langchain-core's Responses translator
reads (``text`` with ``annotations``, ``reasoning`` with ``summary``, ``function_call``, and
server-side items such as ``web_search_call`` kept whole), tagged
``response_metadata["model_provider"] = "azure_foundry"``; :mod:`._content_blocks` registers the
translator that turns it into standard blocks (``message.content_blocks``).

Tool items (docs/langchain.md, "Files, images and tool items"): an ``image_generation_call``, a
``code_interpreter_call``, file/web/memory searches, ``structured_outputs`` and an
``oauth_consent_request`` are kept whole as blocks of their wire type (:mod:`._content_blocks`
makes standard ``image`` / ``server_tool_call`` / ``server_tool_result`` / ``non_standard`` blocks
of them). A ``computer_call`` is pending client work: besides its block it is a tool call named
:data:`~._messages.COMPUTER_TOOL` with the action as ``args`` and the ``call_id`` as ``id``.
Streams add code interpreter code as it is written (``CodeDelta``) and give each partial image
(``ImagePartial``) as a chunk with empty content and the image, a standard ``image`` block, in
``additional_kwargs["image_partials"]``: the content still adds up to exactly the final message.

A workflow agent's ``workflow_action`` items are kept whole as blocks of that type (standard
``non_standard`` blocks in ``content_blocks``), its inner agents' text blocks name the inner agent
in ``agent_name``, and ``response_metadata["workflow_actions"]`` lists the actions in order.

Every block carries an ``index`` given in order of first appearance, so the chunks of a stream
merge into exactly the content :func:`to_ai_message` builds for the same response: one mapping
per output item (:func:`item_blocks`), used by both paths.

Example:
    >>> from foundry_agents import parse_response
    >>> msg = to_ai_message(parse_response({"id": "resp_1", "status": "completed",
    ...     "output": [{"type": "message", "content": [{"type": "output_text", "text": "Hi"}]}]}))
    >>> msg.id, msg.text
    ('resp_1', 'Hi')
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.messages.ai import InputTokenDetails, OutputTokenDetails, UsageMetadata
from langchain_core.messages.tool import InvalidToolCall, ToolCall, ToolCallChunk

from foundry_agents import (
    AgentRef,
    AgentResponse,
    AnnotationAdded,
    CodeDelta,
    CodeInterpreterCallItem,
    ComputerCallItem,
    FunctionCallDelta,
    FunctionCallItem,
    ImageGenerationCallItem,
    ImagePartial,
    ItemAdded,
    ItemDone,
    MessageItem,
    OutputItem,
    OutputText,
    ReasoningDelta,
    ReasoningItem,
    Refusal,
    ResponseDone,
    ResponseStarted,
    StreamEvent,
    TextDelta,
    Usage,
)
from foundry_agents.metadata import response_metadata as core_metadata
from foundry_agents.pending import computer_call_args
from foundry_agents.workflow_actions import inner_agent_name

from ._messages import COMPUTER_TOOL, PROVIDER

__all__ = ["ChunkMapper", "item_blocks", "response_metadata", "to_ai_message", "tool_calls", "usage_metadata"]


# -- usage and metadata --------------------------------------------------------------------------
def usage_metadata(usage: Usage | None) -> UsageMetadata | None:
    """LangChain usage from neutral usage; ``None`` when the service sent none."""
    if usage is None:
        return None
    return UsageMetadata(
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        total_tokens=usage.total_tokens,
        input_token_details=InputTokenDetails(cache_read=usage.cached_tokens),
        output_token_details=OutputTokenDetails(reasoning=usage.reasoning_tokens),
    )


#: The core's neutral metadata keys (:mod:`foundry_agents.metadata`) that LangChain names otherwise.
METADATA_KEYS = {"model": "model_name", "approval_requests": "pending_approvals"}


def response_metadata(response: AgentResponse) -> dict[str, Any]:
    """What ``AIMessage.response_metadata`` holds: the core's facts, renamed (no ``None`` values)."""
    meta = {METADATA_KEYS.get(k, k): v for k, v in core_metadata(response).items()}
    meta["model_provider"] = PROVIDER
    return meta


# -- items ---------------------------------------------------------------------------------------
def _text_block(part: OutputText, index: int, speaker: str | None = None) -> dict[str, Any]:
    block = {"type": "text", "text": part.text, "annotations": [a.raw for a in part.annotations], "index": index}
    if speaker:
        block["agent_name"] = speaker
    return block


speaker = inner_agent_name


def _message_blocks(item: MessageItem, next_index: Callable[[int], int],
                    who: str | None = None) -> list[dict[str, Any]]:
    blocks = []
    for ci, part in enumerate(item.content):
        if isinstance(part, OutputText):
            blocks.append(_text_block(part, next_index(ci), who))
        elif isinstance(part, Refusal):
            blocks.append({"type": "refusal", "refusal": part.refusal, "index": next_index(ci)})
        else:
            blocks.append({**part, "index": next_index(ci)})
    return blocks


def _function_call_block(item: FunctionCallItem, index: int) -> dict[str, Any]:
    return {"type": "function_call", "call_id": item.call_id, "name": item.name,
            "arguments": item.arguments, "index": index}


def _reasoning_block(item: ReasoningItem, index: int) -> dict[str, Any]:
    summary = [{"type": "summary_text", "text": text, "index": si} for si, text in enumerate(item.summary)]
    return {"type": "reasoning", "summary": summary, "index": index}


def item_blocks(item: OutputItem, next_index: Callable[[int], int], who: str | None = None) -> list[dict[str, Any]]:
    """The content blocks of one output item. ``next_index(content_index)`` hands out block indices.

    ``who`` names the inner agent that wrote a message (text blocks get ``agent_name``).
    """
    if isinstance(item, MessageItem):
        return _message_blocks(item, next_index, who)
    if isinstance(item, FunctionCallItem):
        return [_function_call_block(item, next_index(0))]
    if isinstance(item, ReasoningItem):
        return [_reasoning_block(item, next_index(0))]
    # Server-side tool calls and outputs, approval requests, unknown items: kept whole.
    return [{**item.raw, "type": item.type, "index": next_index(0)}]


def tool_calls(items: list[OutputItem]) -> tuple[list[ToolCall], list[InvalidToolCall]]:
    """Valid and malformed function calls of a response, and its computer calls, in order."""
    valid: list[ToolCall] = []
    invalid: list[InvalidToolCall] = []
    for item in items:
        if isinstance(item, ComputerCallItem):
            valid.append(ToolCall(type="tool_call", name=COMPUTER_TOOL, args=computer_call_args(item), id=item.call_id))
            continue
        if not isinstance(item, FunctionCallItem):
            continue
        try:
            args = item.parsed_arguments()
        except ValueError as exc:
            invalid.append(InvalidToolCall(type="invalid_tool_call", name=item.name, args=item.arguments,
                                           id=item.call_id, error=str(exc)))
            continue
        valid.append(ToolCall(type="tool_call", name=item.name, args=args, id=item.call_id))
    return valid, invalid


def to_ai_message(response: AgentResponse) -> AIMessage:
    """The :class:`AIMessage` of a complete response; ``id`` is the response id."""
    counter = iter(range(1 << 62))
    content: list[Any] = []
    for item in response.output:
        content.extend(item_blocks(item, lambda _ci: next(counter), speaker(item, response.agent)))
    valid, invalid = tool_calls(response.output)
    return AIMessage(
        content=content,
        id=response.id or None,
        tool_calls=valid,
        invalid_tool_calls=invalid,
        usage_metadata=usage_metadata(response.usage),
        response_metadata=response_metadata(response),
    )


# -- streaming -----------------------------------------------------------------------------------
class ChunkMapper:
    """Turns the core's neutral stream events into :class:`AIMessageChunk` objects (no I/O).

    One instance per call. Per delta it does one dict lookup and builds one chunk; whole items
    (server tools, approval requests) are emitted when they are done, and anything the stream
    never showed is emitted from the final response, so the chunks always add up to
    :func:`to_ai_message` of that response.
    """

    __slots__ = ("_agent", "_annotations", "_blocks", "_code", "_delta_chunk", "_id", "_seen", "_speakers")

    def __init__(self, *, lean_deltas: bool = True) -> None:
        # Later deltas of a block skip response_metadata (see _lean_chunk) unless LangChain
        # translates every chunk on its own (output_version="v1"), which needs the provider.
        self._delta_chunk = self._lean_chunk if lean_deltas else self._chunk
        self._id: str | None = None
        self._blocks: dict[tuple[int, int], int] = {}  # (output_index, content_index) -> block index
        self._seen: set[int] = set()  # output indices with at least one emitted block
        self._annotations: dict[tuple[int, int], int] = {}  # streamed annotation counts
        self._agent: AgentRef | None = None  # the agent called
        self._speakers: dict[int, str] = {}  # output index -> inner agent that wrote the message
        self._code: dict[int, str] = {}  # output index -> code interpreter code streamed so far

    def feed(self, event: StreamEvent) -> AIMessageChunk | None:
        handler = _HANDLERS.get(type(event))
        return handler(self, event) if handler is not None else None

    # -- helpers
    def _index(self, output_index: int, content_index: int) -> tuple[int, bool]:
        key = (output_index, content_index)
        index = self._blocks.get(key)
        if index is not None:
            return index, False
        index = self._blocks[key] = len(self._blocks)
        self._seen.add(output_index)
        return index, True

    def _chunk(self, content: list[Any], **kw: Any) -> AIMessageChunk:
        return AIMessageChunk(content=content, id=self._id, response_metadata={"model_provider": PROVIDER}, **kw)

    def _lean_chunk(self, content: list[Any], **kw: Any) -> AIMessageChunk:
        """A later delta of a block that already streamed: no ``response_metadata``.

        Merging metadata dicts is the largest per-delta cost in LangChain's running total; the
        block's first chunk and the last chunk carry the provider, so the sum is unchanged.
        """
        return AIMessageChunk(content=content, id=self._id, **kw)

    def _item_chunk_parts(self, output_index: int, item: OutputItem) -> tuple[list[Any], list[ToolCallChunk]]:
        who = self._speakers.get(output_index) or speaker(item, self._agent)
        blocks = item_blocks(item, lambda ci: self._index(output_index, ci)[0], who)
        chunks: list[ToolCallChunk] = []
        if isinstance(item, FunctionCallItem):
            chunks.append(ToolCallChunk(type="tool_call_chunk", name=item.name, args=item.arguments,
                                        id=item.call_id, index=blocks[0]["index"]))
        elif isinstance(item, ComputerCallItem):
            chunks.append(ToolCallChunk(type="tool_call_chunk", name=COMPUTER_TOOL, args=json.dumps(computer_call_args(item)),
                                        id=item.call_id, index=blocks[0]["index"]))
        return blocks, chunks

    # -- handlers
    def _on_started(self, event: ResponseStarted) -> None:
        self._id = event.response.id or None
        self._agent = event.response.agent
        return None

    def _on_item_added(self, event: ItemAdded) -> None:
        who = speaker(event.item, self._agent)
        if who:
            self._speakers[event.output_index] = who
        return None

    def _on_text(self, event: TextDelta) -> AIMessageChunk | None:
        index, first = self._index(event.output_index, event.content_index)
        if first:
            block = {"type": "text", "text": event.delta, "annotations": [], "index": index}
            who = self._speakers.get(event.output_index)
            if who:
                block["agent_name"] = who
            return self._chunk([block])
        if not event.delta:
            return None
        return self._delta_chunk([{"type": "text", "text": event.delta, "index": index}])

    def _on_annotation(self, event: AnnotationAdded) -> AIMessageChunk:
        key = (event.output_index, event.content_index)
        index, first = self._index(*key)
        self._annotations[key] = self._annotations.get(key, 0) + 1
        block: dict[str, Any] = {"type": "text", "text": "", "annotations": [event.annotation.raw], "index": index}
        return self._chunk([block])

    def _on_arguments(self, event: FunctionCallDelta) -> AIMessageChunk | None:
        index, first = self._index(event.output_index, 0)
        if first:
            block = {"type": "function_call", "call_id": event.call_id, "name": event.name,
                     "arguments": event.delta, "index": index}
            call = ToolCallChunk(type="tool_call_chunk", name=event.name, args=event.delta,
                                 id=event.call_id, index=index)
        elif event.delta:
            block = {"type": "function_call", "arguments": event.delta, "index": index}
            call = ToolCallChunk(type="tool_call_chunk", name=None, args=event.delta, id=None, index=index)
            return self._delta_chunk([block], tool_call_chunks=[call])
        else:
            return None
        return self._chunk([block], tool_call_chunks=[call])

    def _on_reasoning(self, event: ReasoningDelta) -> AIMessageChunk:
        index, first = self._index(event.output_index, 0)
        part = {"type": "summary_text", "text": event.delta, "index": event.summary_index}
        make = self._chunk if first else self._delta_chunk
        return make([{"type": "reasoning", "summary": [part], "index": index}])

    def _on_code(self, event: CodeDelta) -> AIMessageChunk | None:
        """Code interpreter's code as it is written, into the item's one block."""
        index, first = self._index(event.output_index, 0)
        self._code[event.output_index] = self._code.get(event.output_index, "") + event.delta
        if first:
            block: dict[str, Any] = {"type": "code_interpreter_call", "code": event.delta, "index": index}
            if event.item_id:
                block["id"] = event.item_id
            return self._chunk([block])
        if not event.delta:
            return None
        return self._delta_chunk([{"type": "code_interpreter_call", "code": event.delta, "index": index}])

    def _on_image_partial(self, event: ImagePartial) -> AIMessageChunk:
        """A partial image: outside ``content`` (the final image replaces it), see the module docstring."""
        mime = ImageGenerationCallItem(id=event.item_id, output_format=event.output_format).mime_type
        image = {"type": "image", "base64": event.b64, "mime_type": mime,
                 "extras": {"partial_image_index": event.index, "output_index": event.output_index}}
        if event.item_id:
            image["id"] = event.item_id
        return self._chunk([], additional_kwargs={"image_partials": [image]})

    def _on_item_done(self, event: ItemDone) -> AIMessageChunk | None:
        oi, item = event.output_index, event.item
        if oi not in self._seen:
            blocks, calls = self._item_chunk_parts(oi, item)
            return self._chunk(blocks, tool_call_chunks=calls) if blocks else None
        if isinstance(item, MessageItem):  # parts or annotations the deltas did not show
            late = self._late_message_blocks(oi, item)
            return self._chunk(late) if late else None
        if isinstance(item, CodeInterpreterCallItem) and oi in self._code:
            return self._chunk([self._code_rest(oi, item)])
        return None

    def _code_rest(self, oi: int, item: CodeInterpreterCallItem) -> dict[str, Any]:
        """What the code deltas did not show of a code interpreter item: every other field, and the
        end of the code (the deltas are the start of the done item's code)."""
        shown = self._code[oi]
        rest: dict[str, Any] = {k: v for k, v in item.raw.items() if k not in ("type", "code")}
        code = item.raw.get("code")
        if isinstance(code, str) and code.startswith(shown) and len(code) > len(shown):
            rest["code"] = code[len(shown):]
        rest["type"] = item.type
        rest["index"] = self._blocks[(oi, 0)]
        return rest

    def _late_message_blocks(self, oi: int, item: MessageItem) -> list[Any]:
        late: list[Any] = []
        for ci, part in enumerate(item.content):
            if (oi, ci) not in self._blocks:
                def index_of(_c: int, ci: int = ci) -> int:
                    return self._index(oi, ci)[0]

                late.extend(_message_blocks(MessageItem(id=item.id, content=[part]), index_of,
                                            self._speakers.get(oi) or speaker(item, self._agent)))
            elif isinstance(part, OutputText):
                shown = self._annotations.get((oi, ci), 0)
                if len(part.annotations) > shown:
                    self._annotations[(oi, ci)] = len(part.annotations)
                    late.append({"type": "text", "text": "", "index": self._blocks[(oi, ci)],
                                 "annotations": [a.raw for a in part.annotations[shown:]]})
        return late

    def _on_done(self, event: ResponseDone) -> AIMessageChunk:
        response = event.response
        self._id = response.id or self._id
        content: list[Any] = []
        calls: list[ToolCallChunk] = []
        for oi, item in enumerate(response.output):
            if oi not in self._seen:
                blocks, item_calls = self._item_chunk_parts(oi, item)
                content += blocks
                calls += item_calls
        return AIMessageChunk(
            content=content,
            id=self._id,
            tool_call_chunks=calls,
            usage_metadata=usage_metadata(response.usage),
            response_metadata=response_metadata(response),
            chunk_position="last",
        )


_HANDLERS: dict[type, Callable[[ChunkMapper, Any], AIMessageChunk | None]] = {
    ResponseStarted: ChunkMapper._on_started,
    ItemAdded: ChunkMapper._on_item_added,
    TextDelta: ChunkMapper._on_text,
    AnnotationAdded: ChunkMapper._on_annotation,
    FunctionCallDelta: ChunkMapper._on_arguments,
    ReasoningDelta: ChunkMapper._on_reasoning,
    CodeDelta: ChunkMapper._on_code,
    ImagePartial: ChunkMapper._on_image_partial,
    ItemDone: ChunkMapper._on_item_done,
    ResponseDone: ChunkMapper._on_done,
}
