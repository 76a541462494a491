"""``--replay DIR``: serve recorded sessions back (test-proxy format, see :mod:`.recording`).

Every ``*.json`` file in the folder holding ``Entries`` is one recorded session (taken in natural
name order: ``session``, ``session-2``, ``session-10``). A request is
answered with the first unused entry that matches it (:mod:`.matching`: method, path under the
project and body, ids normalized) with the recorded status, headers and body; a recorded stream
is sent event by event, with the recorded bytes. A request that matches nothing gets a 404 in the
service's error envelope (code ``no_recorded_match``) naming the closest recorded request.

Example:
    >>> app = create_replay_app("tests/recordings")                    # doctest: +SKIP
    >>> # foundry-agents emulator --replay tests/recordings            (the same, on a socket)
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from .errors import EmulatorError
from .matching import Match, Recorded, Replayer, index_session
from .recording import HOP_HEADERS, body_bytes, is_stream
from .validation import check_bearer

__all__ = ["RecordingsError", "create_replay_app", "load_recordings"]

#: Headers of the recorded answer that are not sent back (they describe the recorded connection).
_SKIPPED = HOP_HEADERS | {"date"}


class RecordingsError(ValueError):
    """The replay folder is missing, empty, or holds a file that is not a recording."""


def load_recordings(directory: str | Path) -> list[Recorded]:
    """Every entry of every recording in ``directory`` (files in name order), keyed for matching."""
    folder = Path(directory)
    if not folder.is_dir():
        raise RecordingsError(f"replay folder {str(folder)!r} does not exist")
    recorded: list[Recorded] = []
    for path in sorted(folder.glob("*.json"), key=_natural):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise RecordingsError(f"{path.name} is not a readable JSON recording: {exc}") from exc
        if not (isinstance(data, dict) and isinstance(data.get("Entries"), list)):
            continue  # e.g. SOURCES.json beside the recordings
        recorded += index_session(path.name, data["Entries"])
    if not recorded:
        raise RecordingsError(f"replay folder {str(folder)!r} holds no recordings (*.json files with 'Entries')")
    return recorded


def _natural(path: Path) -> list[Any]:
    """Sort key: ``session`` before ``session-2`` before ``session-10``."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path.stem)]


def _header(headers: dict[str, str], name: str) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == name), None)


async def _events(lines: list[str]) -> AsyncIterator[bytes]:
    """The recorded stream, one event (its lines up to the blank line) per chunk."""
    chunk = ""
    for line in lines:
        chunk += line
        if line.endswith("\n\n") or line.endswith("\r\n\r\n"):
            yield chunk.encode("utf-8")
            chunk = ""
    if chunk:
        yield chunk.encode("utf-8")


def recorded_response(entry: dict[str, Any]) -> Response:
    """The recorded answer: status, headers (minus connection ones) and body bytes."""
    headers = {k: v for k, v in (entry.get("ResponseHeaders") or {}).items()
               if k.lower() not in _SKIPPED and not isinstance(v, list)}
    content_type = _header(headers, "content-type")
    body = entry.get("ResponseBody")
    status = int(entry["StatusCode"])
    if is_stream(content_type) and isinstance(body, list):
        return StreamingResponse(_events(body), status_code=status, headers=headers)
    return Response(body_bytes(body, content_type), status_code=status, headers=headers)


def no_match_error(method: str, path: str, match: Match) -> EmulatorError:
    message = f"No recorded request matches {method} {path}."
    if match.closest is not None:
        entry = match.closest.entry
        message += (f" Closest recorded request: {entry['RequestMethod']} {entry['RequestUri']}"
                    f" ({match.closest.source})")
        if match.differs:
            message += f"; its body differs in: {', '.join(match.differs)}"
        message += "."
    return EmulatorError(404, "no_recorded_match", message)


def create_replay_app(directory: str | Path) -> Starlette:
    """An app that answers from the recordings in ``directory`` (raises :class:`RecordingsError`)."""
    replayer = Replayer(load_recordings(directory))

    async def serve(request: Request) -> Response:
        try:
            check_bearer(request.headers.get("authorization"))
            raw = await request.body()
            try:
                body: Any = json.loads(raw) if raw.strip() else None
            except ValueError:
                body = raw.decode("utf-8", errors="replace")
            match = replayer.find(request.method, request.url.path, body)
            if match.recorded is None:
                raise no_match_error(request.method, request.url.path, match)
            return recorded_response(match.recorded.entry)
        except EmulatorError as exc:
            return JSONResponse(exc.body(""), status_code=exc.status, headers=exc.headers)

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    app = Starlette(routes=[Route("/{path:path}", serve, methods=methods)])
    app.state.replayer = replayer
    return app
