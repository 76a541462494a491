"""The I/O-free stream state machine: wire events in, neutral deltas and one final response out.

:class:`StreamAccumulator` consumes decoded wire events (dicts) and returns the neutral
:data:`StreamEvent` objects each one yields; the final one is always :class:`ResponseDone`
carrying the same :class:`~foundry_agents.response.AgentResponse` a non-streaming call returns.
Wire events are dispatched through a table; known events with nothing to report are in an
explicit ignore set; unknown events are logged at debug level and skipped.

Errors: an ``error`` event raises :class:`~foundry_agents.errors.StreamEventError`,
``response.failed`` raises :class:`~foundry_agents.errors.StreamResponseFailedError`, and
:meth:`StreamAccumulator.close` on a stream that never reached a terminal event raises
:class:`~foundry_agents.errors.StreamInterruptedError`, and an event that is not a JSON object
or whose fields have the wrong type (``"output_index": "zero"``, a non-string ``delta``) raises
:class:`~foundry_agents.errors.StreamDecodeError`. Each carries ``partial_response``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import (
    FoundryAgentsError,
    StreamDecodeError,
    StreamError,
    StreamEventError,
    StreamInterruptedError,
)
from ..response import (
    AgentResponse,
    WorkflowActionItem,
    failed_error,
    parse_annotation,
    parse_output_item,
    parse_response,
)
from .events import (
    AnnotationAdded,
    CodeDelta,
    FunctionCallDelta,
    ImagePartial,
    ItemAdded,
    ItemDone,
    ReasoningDelta,
    RefusalDelta,
    ResponseDone,
    ResponseStarted,
    StreamEvent,
    TextDelta,
    ToolCallProgress,
    WorkflowActionUpdated,
)

__all__ = ["StreamAccumulator"]

logger = logging.getLogger("foundry_agents.streaming")


_IGNORED = frozenset({
    "response.in_progress", "response.queued",
    "response.content_part.added", "response.content_part.done",
    "response.output_text.done", "response.refusal.done",
    "response.function_call_arguments.done",
    "response.reasoning_summary_part.added", "response.reasoning_summary_part.done",
    "response.reasoning_summary_text.done", "response.reasoning_text.done",
    "response.mcp_call_arguments.delta", "response.mcp_call_arguments.done",
})
_IGNORED_SUFFIXES = (".in_progress", ".searching", ".completed", ".interpreting", ".generating",
                     ".failed", ".partial_image")
#: ``response.<item type>.<status>``: a server tool's progress (:class:`ToolCallProgress`).
_PROGRESS = frozenset({"in_progress", "searching", "interpreting", "generating", "completed", "failed"})


@dataclass(slots=True)
class _Slot:
    """What we know of one output item while it streams."""

    raw: dict[str, Any]
    texts: dict[int, list[str]] = field(default_factory=dict)
    refusals: dict[int, list[str]] = field(default_factory=dict)
    annotations: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    arguments: list[str] = field(default_factory=list)
    summaries: dict[int, list[str]] = field(default_factory=dict)
    code: list[str] | None = None
    done: bool = False


class StreamAccumulator:
    """Feeds on wire events; see the module docstring.

    Example:
        >>> acc = StreamAccumulator()
        >>> acc.feed({"type": "response.output_text.delta", "delta": "Hi",
        ...           "output_index": 0, "content_index": 0})
        [TextDelta(delta='Hi', output_index=0, content_index=0, item_id=None)]
        >>> acc.partial_response().output_text
        'Hi'
    """

    __slots__ = ("_request_id", "_slots", "_snapshot", "final", "last_sequence_number", "numbered", "skip_through")

    def __init__(self, *, request_id: str | None = None) -> None:
        self._request_id = request_id
        self._snapshot: dict[str, Any] = {}
        self._slots: dict[int, _Slot] = {}
        self.final: AgentResponse | None = None
        self.last_sequence_number: int | None = None
        #: After a resume: events numbered up to this one were already fed and are skipped.
        self.skip_through: int | None = None
        #: False once an event came without a ``sequence_number`` (a resume could then repeat it).
        self.numbered = True

    @property
    def finished(self) -> bool:
        return self.final is not None

    @property
    def response_id(self) -> str | None:
        """The response id, once ``response.created`` (or the final response) arrived."""
        if self.final is not None:
            return self.final.id or None
        value = self._snapshot.get("id")
        return value if isinstance(value, str) and value else None

    @property
    def stored(self) -> bool | None:
        """The ``store`` flag the service echoed in ``response.created``, when it did."""
        value = self._snapshot.get("store")
        return value if isinstance(value, bool) else None

    def resume_from(self, response_id: str, sequence_number: int | None) -> None:
        """Continue a stream cut elsewhere: skip the events numbered up to ``sequence_number``."""
        self._snapshot.setdefault("id", response_id)
        self.mark_resume(sequence_number)

    def mark_resume(self, sequence_number: int | None) -> None:
        """Events numbered up to ``sequence_number`` were already fed: skip them if sent again."""
        self.skip_through = sequence_number
        if sequence_number is not None and self.last_sequence_number is None:
            self.last_sequence_number = sequence_number

    # -- feeding --------------------------------------------------------------------------------
    def feed(self, event: Mapping[str, Any]) -> list[StreamEvent]:
        """Consume one decoded wire event; return the neutral events it yields."""
        out: list[StreamEvent] = []
        self.feed_into(event, out)
        return out

    def feed_into(self, event: Mapping[str, Any], out: list[StreamEvent]) -> None:
        """Like :meth:`feed`, appending to ``out`` (the streaming hot path: no list per event)."""
        if not isinstance(event, Mapping):
            raise self._error(StreamDecodeError, f"a stream event is not a JSON object: {event!r:.80}",
                              code="invalid_stream_data")
        kind = event.get("type")
        seq = event.get("sequence_number")
        if isinstance(seq, int):
            skip = self.skip_through
            if skip is not None and seq <= skip:
                return  # already fed before the stream was resumed
            self.last_sequence_number = seq
        else:
            self.numbered = False
        handler = _HANDLERS.get(kind) if isinstance(kind, str) else None
        if handler is None and isinstance(kind, str) and _progress_of(kind) is not None:
            handler = StreamAccumulator._on_progress
        if handler is not None:
            try:
                handler(self, event, out)
            except FoundryAgentsError:
                raise
            except (TypeError, ValueError, AttributeError, KeyError, IndexError, RecursionError) as exc:
                # A field of the wrong type or shape that no check below anticipated.
                raise self._error(StreamDecodeError, f"malformed {kind!r} event ({type(exc).__name__}: {exc})",
                                  code="invalid_stream_data", body=dict(event)) from None
        elif not isinstance(kind, str) or (kind not in _IGNORED and not kind.endswith(_IGNORED_SUFFIXES)):
            logger.debug("skipping unknown stream event %r", kind)

    def close(self) -> None:
        """Call when the byte stream ended: raises if no terminal event was seen."""
        if self.final is None:
            raise self._error(
                StreamInterruptedError,
                "the stream closed before the response finished (no response.completed, "
                "response.failed or response.incomplete event); the partial output is on "
                "the error's partial_response",
                code="stream_interrupted",
            )

    # -- snapshots ------------------------------------------------------------------------------
    def _slot(self, index: int) -> _Slot:
        slot = self._slots.get(index)
        if slot is None:
            slot = self._slots[index] = _Slot(raw={})
        return slot

    def _item_raw(self, slot: _Slot) -> dict[str, Any]:
        """The item as received so far (the done item when we have it)."""
        if slot.done:
            return slot.raw
        raw = dict(slot.raw)
        kind = raw.get("type")
        if kind == "message" or (not kind and (slot.texts or slot.refusals)):
            raw.setdefault("type", "message")
            content = raw.get("content")
            content = list(content) if isinstance(content, list) else []
            parts = [(ci, {"type": "output_text", "text": "".join(p), "annotations": slot.annotations.get(ci, [])})
                     for ci, p in slot.texts.items()]
            parts += [(ci, {"type": "refusal", "refusal": "".join(p)}) for ci, p in slot.refusals.items()]
            for ci, part in sorted(parts, key=lambda x: x[0]):
                while len(content) <= ci:
                    content.append({"type": "output_text", "text": "", "annotations": []})
                content[ci] = part
            raw["content"] = content
        elif kind == "function_call" and slot.arguments:
            raw["arguments"] = "".join(slot.arguments)
        elif kind == "code_interpreter_call" and slot.code is not None:
            raw["code"] = "".join(slot.code)
        elif kind == "reasoning" and slot.summaries:
            raw["summary"] = [{"type": "summary_text", "text": "".join(p)}
                              for _, p in sorted(slot.summaries.items())]
        return raw

    def partial_response(self) -> AgentResponse:
        """Everything received so far, as a response object (status as last seen)."""
        if self.final is not None:
            return self.final
        raw = dict(self._snapshot)
        raw["output"] = [self._item_raw(s) for _, s in sorted(self._slots.items())]
        return parse_response(raw, request_id=self._request_id)

    def _error(self, cls: type[StreamError], message: str, **kw: Any) -> StreamError:
        err = cls(message, request_id=self._request_id, **kw)
        err.partial_response = self.partial_response()
        return err

    def _index(self, event: Mapping[str, Any], key: str, default: int | None = 0) -> int:
        """An ``output_index``/``content_index``/``summary_index``: a non-negative int, or an error."""
        value = event.get(key, default)
        if value is None and default is not None:
            value = default
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self._error(StreamDecodeError,
                              f"{event.get('type')!r} event: {key} must be a non-negative integer, got {value!r:.40}",
                              code="invalid_stream_data", param=key, body=dict(event))
        return value

    def _delta(self, event: Mapping[str, Any]) -> str:
        value = event.get("delta")
        if value is None:
            return ""
        if not isinstance(value, str):
            raise self._error(StreamDecodeError,
                              f"{event.get('type')!r} event: delta must be a string, got {value!r:.40}",
                              code="invalid_stream_data", param="delta", body=dict(event))
        return value

    def _item(self, event: Mapping[str, Any]) -> dict[str, Any] | None:
        value = event.get("item")
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise self._error(StreamDecodeError,
                              f"{event.get('type')!r} event: item must be a JSON object, got {value!r:.40}",
                              code="invalid_stream_data", param="item", body=dict(event))
        return dict(value)

    # -- handlers -------------------------------------------------------------------------------
    def _on_created(self, event: Mapping[str, Any], out: list[StreamEvent]) -> None:
        response = event.get("response")
        if isinstance(response, Mapping):
            self._snapshot = dict(response)
            self._snapshot.pop("output", None)
        out.append(ResponseStarted(parse_response(self._snapshot, request_id=self._request_id)))

    def _on_item_added(self, event: Mapping[str, Any], out: list[StreamEvent]) -> None:
        index = self._index(event, "output_index", len(self._slots))
        raw = self._item(event) or {}
        slot = self._slot(index)
        slot.raw = raw
        item = parse_output_item(raw)
        out.append(ItemAdded(index, item))
        if isinstance(item, WorkflowActionItem):
            out.append(WorkflowActionUpdated(item, index))
        if raw.get("type") == "function_call":
            out.append(FunctionCallDelta("", index, str(raw.get("call_id") or ""), str(raw.get("name") or ""),
                                         raw.get("id"), first=True))
            if raw.get("arguments") and isinstance(raw["arguments"], str):
                slot.arguments.append(raw["arguments"])
                out.append(FunctionCallDelta(raw["arguments"], index, str(raw.get("call_id") or ""),
                                             str(raw.get("name") or ""), raw.get("id")))

    def _on_text_delta(self, event: Mapping[str, Any], out: list[StreamEvent]) -> None:
        index = self._index(event, "output_index")
        ci = self._index(event, "content_index")
        delta = self._delta(event)
        slot = self._slots.get(index) or self._slot(index)
        pieces = slot.texts.get(ci)
        if pieces is None:
            pieces = slot.texts[ci] = []
        pieces.append(delta)
        out.append(TextDelta(delta, index, ci, event.get("item_id")))

    def _on_refusal_delta(self, event: Mapping[str, Any], out: list[StreamEvent]) -> None:
        index = self._index(event, "output_index")
        ci = self._index(event, "content_index")
        delta = self._delta(event)
        self._slot(index).refusals.setdefault(ci, []).append(delta)
        out.append(RefusalDelta(delta, index, ci, event.get("item_id")))

    def _on_annotation(self, event: Mapping[str, Any], out: list[StreamEvent]) -> None:
        index = self._index(event, "output_index")
        ci = self._index(event, "content_index")
        raw = event.get("annotation")
        if not isinstance(raw, Mapping):
            return
        self._slot(index).annotations.setdefault(ci, []).append(dict(raw))
        out.append(AnnotationAdded(parse_annotation(raw), index, ci, event.get("item_id")))

    def _on_arguments_delta(self, event: Mapping[str, Any], out: list[StreamEvent]) -> None:
        index = self._index(event, "output_index")
        slot = self._slot(index)
        delta = self._delta(event)
        slot.arguments.append(delta)
        raw = slot.raw
        out.append(FunctionCallDelta(delta, index, str(raw.get("call_id") or ""), str(raw.get("name") or ""),
                                  event.get("item_id")))

    def _on_reasoning_delta(self, event: Mapping[str, Any], out: list[StreamEvent]) -> None:
        index = self._index(event, "output_index")
        si = self._index(event, "summary_index")
        delta = self._delta(event)
        self._slot(index).summaries.setdefault(si, []).append(delta)
        out.append(ReasoningDelta(delta, index, si, event.get("item_id")))

    def _on_code_delta(self, event: Mapping[str, Any], out: list[StreamEvent]) -> None:
        index = self._index(event, "output_index")
        delta = self._delta(event)
        slot = self._slot(index)
        if slot.code is None:
            slot.code = []
        slot.code.append(delta)
        out.append(CodeDelta(index, _str_or_none(event.get("item_id")), delta))

    def _on_code_done(self, event: Mapping[str, Any], out: list[StreamEvent]) -> None:
        index = self._index(event, "output_index")
        code = event.get("code")
        if isinstance(code, str):  # the whole code: it replaces the deltas
            self._slot(index).code = [code]

    def _on_partial_image(self, event: Mapping[str, Any], out: list[StreamEvent]) -> None:
        index = self._index(event, "output_index")
        b64 = event.get("partial_image_b64")
        if not isinstance(b64, str):
            raise self._error(StreamDecodeError,
                              f"{event.get('type')!r} event: partial_image_b64 must be a string, got {b64!r:.40}",
                              code="invalid_stream_data", param="partial_image_b64", body=dict(event))
        out.append(ImagePartial(index, _str_or_none(event.get("item_id")),
                                self._index(event, "partial_image_index"), b64,
                                _str_or_none(event.get("output_format"))))

    def _on_progress(self, event: Mapping[str, Any], out: list[StreamEvent]) -> None:
        progress = _progress_of(str(event.get("type")))
        assert progress is not None  # dispatched only for progress events
        index = self._index(event, "output_index")
        out.append(ToolCallProgress(index, _str_or_none(event.get("item_id")), *progress))

    def _on_consent_requested(self, event: Mapping[str, Any], out: list[StreamEvent]) -> None:
        # Foundry's own event next to (or, in some versions, instead of) the oauth_consent_request item:
        # when no item arrived for it, the event becomes the item so the consent link is never lost.
        item_id = _str_or_none(event.get("item_id")) or _str_or_none(event.get("id"))
        if any(s.raw.get("type") == "oauth_consent_request" and s.raw.get("id") in (item_id, None)
               for s in self._slots.values()):
            return
        index = self._index(event, "output_index", len(self._slots))
        if index in self._slots and self._slots[index].raw:
            index = max(self._slots) + 1
        raw: dict[str, Any] = {"type": "oauth_consent_request", "id": item_id,
                               "consent_link": event.get("consent_link"), "server_label": event.get("server_label")}
        raw = {k: v for k, v in raw.items() if v is not None}
        slot = self._slot(index)
        slot.raw, slot.done = raw, True
        item = parse_output_item(raw)
        out.append(ItemAdded(index, item))
        out.append(ItemDone(index, item))

    def _on_item_done(self, event: Mapping[str, Any], out: list[StreamEvent]) -> None:
        index = self._index(event, "output_index")
        slot = self._slot(index)
        raw = self._item(event)
        added = slot.raw
        if raw is not None:
            slot.raw = raw
            slot.done = True
        item = parse_output_item(self._item_raw(slot))
        if isinstance(item, WorkflowActionItem) and (
                added.get("type") != "workflow_action"
                or (added.get("action_id"), added.get("status")) != (item.action_id, item.status)):
            # A status the added event did not show (or an action that was never added).
            out.append(WorkflowActionUpdated(item, index))
        out.append(ItemDone(index, item))

    def _finish(self, event: Mapping[str, Any]) -> AgentResponse:
        response = event.get("response")
        if response is not None and not isinstance(response, Mapping):
            raise self._error(StreamDecodeError,
                              f"{event.get('type')!r} event: response must be a JSON object, got {response!r:.40}",
                              code="invalid_stream_data", param="response", body=dict(event))
        raw = dict(response or self._snapshot)
        if not raw.get("output") and self._slots:
            # Keep what streamed when the terminal event omits the output.
            raw["output"] = [self._item_raw(s) for _, s in sorted(self._slots.items())]
        return parse_response(raw, request_id=self._request_id)

    def _on_completed(self, event: Mapping[str, Any], out: list[StreamEvent]) -> None:
        self.final = self._finish(event)
        out.append(ResponseDone(self.final))

    def _on_failed(self, event: Mapping[str, Any], out: list[StreamEvent]) -> None:
        self.final = self._finish(event)
        raise failed_error(self.final, streamed=True)

    def _on_error(self, event: Mapping[str, Any], out: list[StreamEvent]) -> None:
        nested = event.get("error")
        inner: Mapping[str, Any] = nested if isinstance(nested, Mapping) else event
        raise self._error(
            StreamEventError,
            str(inner.get("message") or "the service sent an error event"),
            code=inner.get("code"),
            param=inner.get("param"),
            body=dict(event),
        )


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _progress_of(kind: str) -> tuple[str, str] | None:
    """``(item_type, status)`` of a ``response.<item type>.<status>`` tool progress event, else None."""
    parts = kind.split(".")
    if len(parts) != 3 or parts[0] != "response" or parts[2] not in _PROGRESS:
        return None
    item_type = parts[1]
    if not (item_type.endswith("_call") or item_type == "mcp_list_tools"):
        return None  # response.output_text.done and friends are not tool progress
    return item_type, parts[2]


_HANDLERS: dict[str, Callable[[StreamAccumulator, Mapping[str, Any], list[StreamEvent]], None]] = {
    "response.created": StreamAccumulator._on_created,
    "response.output_item.added": StreamAccumulator._on_item_added,
    "response.output_text.delta": StreamAccumulator._on_text_delta,
    "response.output_text.annotation.added": StreamAccumulator._on_annotation,
    "response.refusal.delta": StreamAccumulator._on_refusal_delta,
    "response.function_call_arguments.delta": StreamAccumulator._on_arguments_delta,
    "response.reasoning_summary_text.delta": StreamAccumulator._on_reasoning_delta,
    "response.output_item.done": StreamAccumulator._on_item_done,
    "response.code_interpreter_call_code.delta": StreamAccumulator._on_code_delta,
    "response.code_interpreter_call_code.done": StreamAccumulator._on_code_done,
    "response.image_generation_call.partial_image": StreamAccumulator._on_partial_image,
    # Foundry-only; seen in Microsoft Agent Framework and AgentServer sources, not in a recording.
    "response.oauth_consent_requested": StreamAccumulator._on_consent_requested,
    "response.completed": StreamAccumulator._on_completed,
    "response.incomplete": StreamAccumulator._on_completed,
    # A cancelled background response (no event in the OpenAI spec; the emulator sends it: unverified).
    "response.cancelled": StreamAccumulator._on_completed,
    "response.failed": StreamAccumulator._on_failed,
    "error": StreamAccumulator._on_error,
}
