"""The Azure SDK test-proxy recording format, both ways: pure functions, no I/O.

A recording file is ``{"Entries": [entry, ...], "Variables": {}}``; an entry holds
``RequestUri``, ``RequestMethod``, ``RequestHeaders``, ``RequestBody``, ``StatusCode``,
``ResponseHeaders`` and ``ResponseBody`` (see ``tests/recordings/INDEX.md``). Bodies:

- JSON: the parsed value; an empty body: ``null``;
- ``text/event-stream``: a list of strings, one per line, each blank line kept at the end of the
  line before it (``"event: x\\n"``, ``"data: {...}\\n\\n"``): joining the list gives the exact bytes;
- other text: the string.

Example:
    >>> sse_lines("event: a\\ndata: {}\\n\\n")
    ['event: a\\n', 'data: {}\\n\\n']
    >>> body_bytes(["event: a\\n", "data: {}\\n\\n"])
    b'event: a\\ndata: {}\\n\\n'
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .sanitize import sanitize_body, sanitize_headers, sanitize_url

__all__ = ["body_bytes", "decode_body", "is_stream", "make_entry", "sse_lines"]

#: Headers that describe one connection or one encoding, not the exchange (never recorded).
HOP_HEADERS = frozenset({"host", "connection", "keep-alive", "transfer-encoding", "content-encoding",
                         "content-length", "accept-encoding", "te", "upgrade"})


def is_stream(content_type: str | None) -> bool:
    return (content_type or "").split(";", 1)[0].strip().lower() == "text/event-stream"


def sse_lines(text: str) -> list[str]:
    """The recorded form of an SSE body: lines, each blank line appended to the line before it."""
    out: list[str] = []
    for line in text.splitlines(keepends=True):
        if line.strip("\r\n") == "" and out:
            out[-1] += line
        else:
            out.append(line)
    return out


def decode_body(raw: bytes, content_type: str | None) -> Any:
    """The recorded form of a body (see the module docstring)."""
    if not raw:
        return None
    text = raw.decode("utf-8", errors="replace")
    if is_stream(content_type):
        return sse_lines(text)
    try:
        return json.loads(text)
    except ValueError:
        return text


def body_bytes(body: Any, content_type: str | None = None) -> bytes:
    """The bytes to send for a recorded body (JSON compact, as the emulator and Starlette write it).

    A list of lines is joined when ``content_type`` is ``text/event-stream`` (or, without a
    content type, when every line ends with a newline).
    """
    if body is None:
        return b""
    if _is_line_list(body) and (is_stream(content_type) or (content_type is None and _looks_like_sse(body))):
        return "".join(body).encode("utf-8")
    if isinstance(body, str):
        return body.encode("utf-8")
    return json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")


def _is_line_list(body: Any) -> bool:
    return isinstance(body, list) and bool(body) and all(isinstance(line, str) for line in body)


def _looks_like_sse(lines: list[str]) -> bool:
    return all(line.endswith("\n") for line in lines)


def _kept(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k.lower() not in HOP_HEADERS}


def make_entry(
    *,
    method: str,
    url: str,
    request_headers: Mapping[str, str],
    request_body: bytes,
    status: int,
    response_headers: Mapping[str, str],
    response_body: bytes,
    upstream: str,
) -> dict[str, Any]:
    """One sanitized entry for what passed through (``url`` is the upstream URL that was called)."""
    request_type = next((v for k, v in request_headers.items() if k.lower() == "content-type"), None)
    response_type = next((v for k, v in response_headers.items() if k.lower() == "content-type"), None)
    return {
        "RequestUri": sanitize_url(url, upstream=upstream),
        "RequestMethod": method.upper(),
        "RequestHeaders": sanitize_headers(_kept(request_headers), upstream=upstream),
        "RequestBody": sanitize_body(decode_body(request_body, request_type), upstream=upstream),
        "StatusCode": status,
        "ResponseHeaders": sanitize_headers(_kept(response_headers), upstream=upstream),
        "ResponseBody": sanitize_body(decode_body(response_body, response_type), upstream=upstream),
    }
