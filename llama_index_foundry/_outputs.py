"""Output mapping: the core's :class:`AgentResponse` and stream events to LlamaIndex responses.

Pure functions and one I/O-free stream state machine (:class:`StreamMapper`). Streaming and
one-shot calls end in the same message: the last stream chunk is built by
:func:`to_chat_response` from the same final response a non-streaming call returns.

The assistant message carries, in ``additional_kwargs``:

- the core's response facts (:func:`foundry_agents.metadata.response_metadata`, with ``id``
  named ``response_id``): ``response_id``, ``agent_name``, ``agent_version``, ``model``,
  ``status``, ``finish_reason`` and, when set, ``conversation_id``, ``request_id``,
  ``incomplete_reason``, ``approval_requests`` (MCP approval requests still waiting),
  ``agent_session_id``, ``headers``, and for a background response ``background`` and
  ``continuation_token`` (the token string a later process passes to ``FoundryAgentLLM.resume``);
  ``oauth_consent_requests`` (MCP tools waiting for the user's sign-in: open ``consent_link``,
  then send the turn again, :func:`llama_index_foundry.resend_after_consent`) and
  ``computer_calls`` (computer-use actions, also ``ToolCallBlock``s named ``computer_use``);
- ``annotations``: every annotation as received (also as ``CitationBlock`` blocks for citations
  and file paths), and ``generated_files`` (files code interpreter made, to ``download_file``);
- ``server_tool_calls`` / ``other_items`` / ``refusal``: items the agent ran itself (wire form),
  item types this version does not model, and refusals, kept rather than dropped;
- one typed entry per tool item under ``image_generation_calls``, ``code_interpreter_calls``,
  ``file_search_calls``, ``web_search_calls``, ``memory_search_calls`` and
  ``structured_outputs`` (:mod:`._items`); images are ``ImageBlock`` blocks;
- ``workflow_actions`` (a workflow agent's actions, in order) and ``agent_messages`` (each inner
  agent's message on its own: ``agent_name``, ``item_id``, ``text``); stream chunks of an action
  update carry it in ``workflow_action`` (see :mod:`llama_index_foundry.workflow_events`);
  stream chunks of tool work carry ``tool_progress``, ``code_delta`` or ``image_partial``.

``raw`` holds the wire response, ``usage`` included, which ``TokenCountingHandler`` reads.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    CitationBlock,
    CompletionResponse,
    ContentBlock,
    ImageBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)
from llama_index.core.llms.llm import ToolSelection

from foundry_agents.metadata import computer_call, consent_request
from foundry_agents.metadata import response_metadata as core_metadata
from foundry_agents.response import (
    AgentResponse,
    Annotation,
    ComputerCallItem,
    FunctionCallItem,
    ImageGenerationCallItem,
    MessageItem,
    OAuthConsentRequestItem,
    OtherItem,
    OutputText,
    ReasoningItem,
    Refusal,
    ServerToolCallItem,
)
from foundry_agents.streaming import (
    AnnotationAdded,
    CodeDelta,
    ImagePartial,
    ItemDone,
    ReasoningDelta,
    ResponseDone,
    ResponseStarted,
    StreamEvent,
    TextDelta,
    ToolCallProgress,
    WorkflowActionUpdated,
)
from foundry_agents.workflow_actions import inner_agent_name, workflow_action_events

from ._items import computer_call_block, image_block, partial_image_block, typed_kwargs

__all__ = [
    "StreamMapper",
    "citation_block",
    "response_kwargs",
    "to_chat_message",
    "to_chat_response",
    "to_completion_response",
    "tool_call_block",
    "tool_selections",
]

#: Annotation types that become ``CitationBlock``s; others stay in ``additional_kwargs`` only.
_CITATION_TYPES = frozenset({"url_citation", "file_citation", "container_file_citation", "file_path"})


# -- pieces ---------------------------------------------------------------------------------------
def citation_block(annotation: Annotation, text: str) -> CitationBlock | None:
    """A ``CitationBlock`` for a citing annotation on ``text`` (its content part), else ``None``.

    ``source`` is the URL or file id (a ``container_file_citation``'s ``container_id`` is in
    ``generated_files``), ``title`` the title or file name; a ``file_path`` cites no text.
    """
    if annotation.type not in _CITATION_TYPES:
        return None
    start, end = annotation.start_index, annotation.end_index
    cited = text[start:end] if isinstance(start, int) and isinstance(end, int) else ""
    location = {k: v for k, v in (("start_index", start), ("end_index", end), ("index", annotation.index))
                if isinstance(v, int)}
    return CitationBlock(
        cited_content=TextBlock(text=cited),
        source=annotation.url or annotation.file_id or annotation.filename or "",
        title=annotation.title or annotation.filename or annotation.url or "",
        additional_location_info=location,
    )


def tool_call_block(item: FunctionCallItem) -> ToolCallBlock:
    """One function call; ``tool_kwargs`` is the parsed dict, or the raw string when it is not JSON."""
    try:
        kwargs: dict[str, Any] | str = item.parsed_arguments()
    except ValueError:
        kwargs = item.arguments
    return ToolCallBlock(tool_call_id=item.call_id, tool_name=item.name, tool_kwargs=kwargs)


def _thinking_block(item_id: str | None, text: str) -> ThinkingBlock:
    return ThinkingBlock(content=text, additional_information={"id": item_id} if item_id else {})


#: The core's neutral metadata keys (:mod:`foundry_agents.metadata`) that LlamaIndex names otherwise.
METADATA_KEYS = {"id": "response_id"}


def _metadata(response: AgentResponse) -> dict[str, Any]:
    return {METADATA_KEYS.get(k, k): v for k, v in core_metadata(response).items()}


def response_kwargs(response: AgentResponse) -> dict[str, Any]:
    """The ``additional_kwargs`` of the assistant message (see the module docstring)."""
    out = _metadata(response)
    annotations = [a.raw for a in response.annotations]
    if annotations:
        out["annotations"] = annotations
    server = [i.raw for i in response.output if isinstance(i, ServerToolCallItem)]
    if server:
        out["server_tool_calls"] = server
    other = [i.raw for i in response.output if isinstance(i, OtherItem)]
    if other:
        out["other_items"] = other
    out.update(typed_kwargs(response))
    actions = workflow_action_events(response)
    if actions:
        out["workflow_actions"] = actions
    if any(inner_agent_name(m, response.agent) for m in response.messages):
        out["agent_messages"] = [{"agent_name": m.agent.name if m.agent else None, "item_id": m.id, "text": m.text}
                                 for m in response.messages]
    refusals = [p.refusal for m in response.messages for p in m.content if isinstance(p, Refusal)]
    if refusals:
        out["refusal"] = "\n".join(refusals)
    return out


def _message_blocks(item: MessageItem) -> list[ContentBlock]:
    blocks: list[ContentBlock] = []
    for part in item.content:
        if isinstance(part, OutputText):
            blocks.extend(b for a in part.annotations if (b := citation_block(a, part.text)) is not None)
    return blocks


# -- one-shot -------------------------------------------------------------------------------------
def _tool_block(item: Any) -> ToolCallBlock | None:
    if isinstance(item, FunctionCallItem):
        return tool_call_block(item)
    if isinstance(item, ComputerCallItem):
        return computer_call_block(item)
    return None


def to_chat_message(response: AgentResponse) -> ChatMessage:
    """The assistant message: reasoning, the text and its citations, the images, then the tool
    calls (function calls and computer calls, in output order)."""
    blocks: list[ContentBlock] = [_thinking_block(r.id, r.text) for r in response.reasoning if r.text]
    blocks.append(TextBlock(text=response.output_text))
    for item in response.messages:
        blocks.extend(_message_blocks(item))
    blocks.extend(b for i in response.images if (b := image_block(i)) is not None)
    blocks.extend(t for i in response.output if (t := _tool_block(i)) is not None)
    return ChatMessage(role=MessageRole.ASSISTANT, blocks=blocks, additional_kwargs=response_kwargs(response))


def to_chat_response(response: AgentResponse, *, delta: str | None = None) -> ChatResponse:
    return ChatResponse(message=to_chat_message(response), raw=response.raw, delta=delta,
                        additional_kwargs=_usage_kwargs(response))


def _usage_kwargs(response: AgentResponse) -> dict[str, Any]:
    usage = response.usage
    if usage is None:
        return {}
    return {"prompt_tokens": usage.input_tokens, "completion_tokens": usage.output_tokens,
            "total_tokens": usage.total_tokens}


def to_completion_response(chat: ChatResponse) -> CompletionResponse:
    """A completion has no blocks: the message's ``ImageBlock``s go in ``additional_kwargs["images"]``."""
    message = chat.message
    kwargs = {**chat.additional_kwargs, **message.additional_kwargs}
    images = [b for b in message.blocks if isinstance(b, ImageBlock)]
    if images:
        kwargs["images"] = images
    return CompletionResponse(text=message.content or "", delta=chat.delta, raw=chat.raw, additional_kwargs=kwargs)


def tool_selections(message: ChatMessage) -> list[ToolSelection]:
    """The tool calls of an assistant message (function calls, and computer calls named
    ``computer_use`` with the action as ``tool_kwargs``) as ``ToolSelection`` objects."""
    out = []
    for block in message.blocks:
        if not isinstance(block, ToolCallBlock):
            continue
        kwargs = block.tool_kwargs
        if isinstance(kwargs, str):
            try:
                kwargs = json.loads(kwargs or "{}")
            except json.JSONDecodeError as exc:
                raise ValueError(
                    f"the agent called {block.tool_name!r} ({block.tool_call_id}) with arguments that are "
                    f"not JSON: {block.tool_kwargs!r}"
                ) from exc
        if not isinstance(kwargs, Mapping):
            raise ValueError(f"the agent called {block.tool_name!r} with arguments that are not a JSON object")
        out.append(ToolSelection(tool_id=block.tool_call_id or "", tool_name=block.tool_name,
                                 tool_kwargs=dict(kwargs)))
    return out


# -- streaming ------------------------------------------------------------------------------------
class StreamMapper:
    """Stream events in, ``ChatResponse`` chunks out (I/O-free).

    Every chunk carries the accumulated message and its ``delta``; reasoning chunks carry
    ``additional_kwargs["thinking_delta"]`` (as LlamaIndex agents read it); a completed function
    call (or computer call) yields a chunk with its ``ToolCallBlock``; tool work yields chunks with
    ``additional_kwargs["tool_progress"]`` (a server tool's status), ``["code_delta"]`` (code
    interpreter's code as it is written) or ``["image_partial"]`` (a partial image, also shown as
    the item's ``ImageBlock`` until the final image replaces it); an OAuth consent request or
    computer call adds to ``oauth_consent_requests`` / ``computer_calls`` as soon as it is done.
    The last chunk is :func:`to_chat_response` of the final response, with ``raw`` and usage, so
    it equals the non-streamed message. Per-delta work is constant apart from the one string
    append that gives each chunk its accumulated text.

    Example:
        >>> m = StreamMapper()
        >>> m.feed(TextDelta("Hi", 0, 0)).message.content
        'Hi'
    """

    __slots__ = ("_annotations", "_images", "_kwargs", "_thinking", "_thinking_blocks", "_tool_blocks", "text")

    def __init__(self) -> None:
        self.text = ""
        self._kwargs: dict[str, Any] = {}
        self._thinking: dict[int, tuple[str | None, str]] = {}
        self._thinking_blocks: list[ContentBlock] = []
        self._tool_blocks: list[ContentBlock] = []
        self._images: dict[int, ImageBlock] = {}  # by output index: the latest partial, then the final image
        self._annotations: list[dict[str, Any]] = []

    def feed(self, event: StreamEvent) -> ChatResponse | None:
        handler = _STREAM_HANDLERS.get(type(event))
        return handler(self, event) if handler is not None else None

    def _chunk(self, delta: str, **extra: Any) -> ChatResponse:
        images = [b for _, b in sorted(self._images.items())]
        blocks = [*self._thinking_blocks, TextBlock(text=self.text), *images, *self._tool_blocks]
        kwargs = {**self._kwargs, **extra}
        if self._annotations:
            kwargs["annotations"] = self._annotations
        message = ChatMessage(role=MessageRole.ASSISTANT, blocks=blocks, additional_kwargs=kwargs)
        return ChatResponse(message=message, delta=delta)

    def _on_started(self, event: ResponseStarted) -> None:
        # The facts known when the stream starts; why it finished is only known at the end.
        self._kwargs = {k: v for k, v in _metadata(event.response).items() if k != "finish_reason"}

    def _on_text(self, event: TextDelta) -> ChatResponse:
        self.text += event.delta
        return self._chunk(event.delta)

    def _on_reasoning(self, event: ReasoningDelta) -> ChatResponse:
        item_id, text = self._thinking.get(event.output_index, (event.item_id, ""))
        self._thinking[event.output_index] = (item_id, text + event.delta)
        self._thinking_blocks = [_thinking_block(i, t) for _, (i, t) in sorted(self._thinking.items())]
        return self._chunk("", thinking_delta=event.delta)

    def _on_annotation(self, event: AnnotationAdded) -> None:
        # A new list each time: chunks already handed out keep the annotations they had.
        self._annotations = [*self._annotations, event.annotation.raw]

    def _on_action(self, event: WorkflowActionUpdated) -> ChatResponse:
        return self._chunk("", workflow_action=event.data())

    def _on_progress(self, event: ToolCallProgress) -> ChatResponse:
        return self._chunk("", tool_progress={"item_id": event.item_id, "output_index": event.output_index,
                                              "item_type": event.item_type, "status": event.status})

    def _on_code(self, event: CodeDelta) -> ChatResponse:
        return self._chunk("", code_delta={"item_id": event.item_id, "output_index": event.output_index,
                                           "delta": event.delta})

    def _on_partial_image(self, event: ImagePartial) -> ChatResponse:
        block = partial_image_block(event.b64, event.output_format)
        if block is not None:
            self._images = {**self._images, event.output_index: block}
        return self._chunk("", image_partial={"item_id": event.item_id, "output_index": event.output_index,
                                              "partial_image_index": event.index,
                                              "mime_type": block.image_mimetype if block else None})

    def _add_pending(self, key: str, entry: dict[str, Any]) -> ChatResponse:
        # A new list each time: chunks already handed out keep what they had.
        self._kwargs = {**self._kwargs, key: [*self._kwargs.get(key, []), entry]}
        return self._chunk("")

    def _on_item_done(self, event: ItemDone) -> ChatResponse | None:
        item = event.item
        if isinstance(item, ImageGenerationCallItem):
            final = image_block(item)
            if final is not None:
                self._images = {**self._images, event.output_index: final}
                return self._chunk("")
            return None
        if isinstance(item, OAuthConsentRequestItem):
            return self._add_pending("oauth_consent_requests", consent_request(item))
        if isinstance(item, ComputerCallItem):
            self._tool_blocks = [*self._tool_blocks, computer_call_block(item)]
            return self._add_pending("computer_calls", computer_call(item))
        if isinstance(item, FunctionCallItem):
            self._tool_blocks = [*self._tool_blocks, tool_call_block(item)]
            return self._chunk("")
        if isinstance(item, ReasoningItem) and item.text:
            self._thinking[event.output_index] = (item.id, item.text)
            self._thinking_blocks = [_thinking_block(i, t) for _, (i, t) in sorted(self._thinking.items())]
        return None

    def _on_done(self, event: ResponseDone) -> ChatResponse:
        return to_chat_response(event.response, delta="")


_STREAM_HANDLERS: dict[type, Callable[[StreamMapper, Any], ChatResponse | None]] = {
    ResponseStarted: StreamMapper._on_started,
    TextDelta: StreamMapper._on_text,
    ReasoningDelta: StreamMapper._on_reasoning,
    AnnotationAdded: StreamMapper._on_annotation,
    WorkflowActionUpdated: StreamMapper._on_action,
    ItemDone: StreamMapper._on_item_done,
    ToolCallProgress: StreamMapper._on_progress,
    CodeDelta: StreamMapper._on_code,
    ImagePartial: StreamMapper._on_partial_image,
    ResponseDone: StreamMapper._on_done,
}
