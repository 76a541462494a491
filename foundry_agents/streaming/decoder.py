"""An I/O-free Server-Sent Events decoder (the WHATWG event-stream grammar, as the service uses it).

Feed it byte chunks as they arrive; it returns complete events. It handles ``\\n``, ``\\r\\n`` and
``\\r`` line endings (including a ``\\r\\n`` split across two chunks), multi-byte UTF-8
characters split across chunks (it decodes whole lines only), ``: comment`` keep-alive lines,
multi-line ``data:`` fields and events that have no ``event:`` line. Bytes that are not UTF-8
raise :class:`~foundry_agents.errors.StreamDecodeError` (never a bare ``UnicodeDecodeError``).
At end of stream, :meth:`SSEDecoder.flush` dispatches a last event that lacks its blank line,
whichever of the three line endings the stream uses.

Example:
    >>> d = SSEDecoder()
    >>> d.feed(b'event: response.created\\ndata: {"a"')
    []
    >>> d.feed(b': 1}\\n\\n')
    [ServerSentEvent(event='response.created', data='{"a": 1}', id=None)]
"""

from __future__ import annotations

from typing import NamedTuple

from ..errors import StreamDecodeError

__all__ = ["SSEDecoder", "ServerSentEvent"]


class ServerSentEvent(NamedTuple):
    event: str | None
    data: str
    id: str | None = None


class SSEDecoder:
    """See the module docstring. Bytes that are not UTF-8 end the stream: :meth:`feed` returns
    the events completed before the bad line, then the next :meth:`feed` or :meth:`flush` raises
    :class:`~foundry_agents.errors.StreamDecodeError`."""

    __slots__ = ("_buffer", "_data", "_event", "_failed", "_id", "_skip_lf")

    def __init__(self) -> None:
        self._buffer = b""
        self._skip_lf = False
        self._event: str | None = None
        self._data: list[str] = []
        self._id: str | None = None
        self._failed: StreamDecodeError | None = None

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Decode one network chunk; return the events it completed."""
        if self._failed is not None:
            raise self._failed
        if self._skip_lf and chunk[:1] == b"\n":
            chunk = chunk[1:]
        self._skip_lf = False
        if not chunk:
            return []
        data = self._buffer + chunk if self._buffer else chunk
        lines = data.splitlines()
        tail = data[-1:]
        if tail == b"\n" or tail == b"\r":
            self._buffer = b""
            # A lone trailing CR may be the first half of a CRLF pair.
            self._skip_lf = tail == b"\r"
        else:
            self._buffer = lines.pop()
        events: list[ServerSentEvent] = []
        try:
            self._lines(lines, events)
        except UnicodeDecodeError as exc:
            # Return the events completed before the bad line; raise on the next call.
            bad = exc.object[exc.start:exc.start + 4]
            self._failed = StreamDecodeError(
                f"the stream is not valid UTF-8 (bytes {bad!r} at offset {exc.start} in a line)",
                code="invalid_stream_data",
            )
        return events

    def _lines(self, lines: list[bytes], events: list[ServerSentEvent]) -> None:
        # The hot loop of every stream: inlined on purpose (no per-line method calls).
        pending = self._data
        for raw in lines:
            if not raw:
                if pending or self._event is not None:
                    events.append(ServerSentEvent(self._event, pending[0] if len(pending) == 1 else "\n".join(pending),
                                                  self._id))
                    pending = self._data = []
                    self._event = None
            elif raw.startswith(b"data:"):
                value = raw[6:] if raw[5:6] == b" " else raw[5:]
                pending.append(value.decode("utf-8"))
            elif raw.startswith(b"event:"):
                value = raw[7:] if raw[6:7] == b" " else raw[6:]
                self._event = value.decode("utf-8")
            elif raw[:1] != b":":  # ":" starts a comment, e.g. ": keep-alive"
                self._field(raw.decode("utf-8"))

    def flush(self) -> list[ServerSentEvent]:
        """At end of stream: dispatch a last event that lacked its blank line."""
        if self._failed is not None:
            raise self._failed
        # EOF ends the last line: a pending CR must not swallow the LF fed here (CR-only streams).
        self._skip_lf = False
        events: list[ServerSentEvent] = []
        if self._buffer:
            events.extend(self.feed(b"\n"))
        events.extend(self.feed(b"\n"))
        return events

    def _field(self, line: str) -> None:
        name, sep, value = line.partition(":")
        if sep and value[:1] == " ":
            value = value[1:]
        if name == "event":
            self._event = value
        elif name == "id":
            self._id = value
        elif name == "data":  # a bare "data" line: an empty data value
            self._data.append(value)
