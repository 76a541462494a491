"""Streaming, in three layers a newcomer can tell apart:

- :mod:`.decoder`: bytes to server-sent events (``SSEDecoder``), spec-exact, no I/O;
- :mod:`.accumulator`: wire events to neutral :mod:`.events` and one final response
  (``StreamAccumulator``), no I/O;
- :mod:`.shells`: the sync and async stream objects a call returns (``ResponseStream``,
  ``AsyncResponseStream``), which only read bytes and feed the two layers above.

Example:
    >>> with client.stream_response("echo", input="Hello") as stream:  # doctest: +SKIP
    ...     for text in stream.text_deltas():
    ...         print(text, end="")
"""

from .accumulator import StreamAccumulator
from .decoder import SSEDecoder
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
from .shells import AsyncResponseStream, ResponseStream

__all__ = [
    "AnnotationAdded",
    "AsyncResponseStream",
    "CodeDelta",
    "FunctionCallDelta",
    "ImagePartial",
    "ItemAdded",
    "ItemDone",
    "ReasoningDelta",
    "RefusalDelta",
    "ResponseDone",
    "ResponseStarted",
    "ResponseStream",
    "SSEDecoder",
    "StreamAccumulator",
    "StreamEvent",
    "TextDelta",
    "ToolCallProgress",
    "WorkflowActionUpdated",
]
