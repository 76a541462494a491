"""An I/O-free Server-Sent Events decoder (the WHATWG event-stream grammar, as the service uses it).

Feed it byte chunks as they arrive; it returns complete events. It handles ``\\n``, ``\\r\\n`` and
``\\r`` line endings (including a ``\\r\\n`` split across two chunks), multi-byte UTF-8
characters split across chunks (it decodes whole lines only), ``: comment`` keep-alive lines,
multi-line ``data:`` fields and events that have no ``event:`` line.

Example:
    >>> d = SSEDecoder()
    >>> d.feed(b'event: response.created\\ndata: {"a"')
    []
    >>> d.feed(b': 1}\\n\\n')
    [ServerSentEvent(event='response.created', data='{"a": 1}', id=None)]
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SSEDecoder", "ServerSentEvent"]


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    event: str | None
    data: str
    id: str | None = None


class SSEDecoder:
    __slots__ = ("_buffer", "_data", "_event", "_id", "_skip_lf")

    def __init__(self) -> None:
        self._buffer = b""
        self._skip_lf = False
        self._event: str | None = None
        self._data: list[str] = []
        self._id: str | None = None

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Decode one network chunk; return the events it completed."""
        if self._skip_lf and chunk[:1] == b"\n":
            chunk = chunk[1:]
        self._skip_lf = False
        if not chunk:
            return []
        lines = (self._buffer + chunk).splitlines(keepends=True)
        last = lines[-1]
        if last[-1:] not in (b"\n", b"\r"):
            self._buffer = lines.pop()
        else:
            self._buffer = b""
            # A lone trailing CR may be the first half of a CRLF pair.
            self._skip_lf = last[-1:] == b"\r"
        events: list[ServerSentEvent] = []
        for raw in lines:
            event = self._line(raw.rstrip(b"\r\n").decode("utf-8"))
            if event is not None:
                events.append(event)
        return events

    def flush(self) -> list[ServerSentEvent]:
        """At end of stream: dispatch a last event that lacked its blank line."""
        events: list[ServerSentEvent] = []
        if self._buffer:
            event = self._line(self._buffer.decode("utf-8"))
            self._buffer = b""
            if event is not None:
                events.append(event)
        event = self._line("")
        if event is not None:
            events.append(event)
        return events

    def _line(self, line: str) -> ServerSentEvent | None:
        if not line:
            if not self._data and self._event is None:
                return None
            event = ServerSentEvent(self._event, "\n".join(self._data), self._id)
            self._event, self._data = None, []
            return event
        if line[0] == ":":
            return None  # comment, e.g. ": keep-alive"
        name, sep, value = line.partition(":")
        if sep and value[:1] == " ":
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id":
            self._id = value
        return None
