"""``--record DIR --upstream URL``: a proxy to a real project that records what passes through.

Every request to ``/api/projects/<any>/<rest>`` is sent to ``<upstream>/<rest>`` (same method, query
and body) with the user's bearer token instead of the client's; the answer goes back to the client
as it arrives (a stream is passed through live, chunk by chunk) and, once complete, is appended to
``DIR/<name>.json`` in the Azure SDK test-proxy format, sanitized (:mod:`.sanitize`). The file is
rewritten after every exchange, so stopping the proxy loses nothing.

This is the only emulator module that uses the core package: :func:`token_provider` builds the
user's credential (``api_key`` / ``$FOUNDRY_API_KEY``, else ``DefaultAzureCredential``).
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Protocol

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from .errors import EmulatorError
from .recording import HOP_HEADERS, make_entry

__all__ = ["RecordError", "SessionFile", "check_upstream", "create_record_app", "token_provider"]

_UPSTREAM = re.compile(r"^https?://[^/?#\s]+/api/projects/[^/?#\s]+$")
_PROJECT_PREFIX = re.compile(r"^/api/projects/[^/]+")
#: Request headers the proxy replaces or that describe the client's connection.
_NOT_FORWARDED = HOP_HEADERS | {"authorization", "api-key"}


class RecordError(ValueError):
    """``--record``/``--upstream`` were given wrongly."""


class AsyncTokens(Protocol):
    async def aget_token(self) -> str: ...

    def invalidate(self) -> None: ...


def check_upstream(url: str | None) -> str:
    """The upstream project endpoint without a trailing slash; :class:`RecordError` when malformed."""
    value = (url or "").strip().rstrip("/")
    if not _UPSTREAM.match(value):
        raise RecordError(
            f"--upstream must be a project endpoint like https://<resource>.services.ai.azure.com/api/projects/<project>, "
            f"got {url!r}")
    return value


def token_provider(api_key: str | None = None) -> AsyncTokens:
    """The user's credential: ``api_key``, else ``$FOUNDRY_API_KEY``, else ``DefaultAzureCredential``."""
    from ..auth import make_token_provider
    from ..connection import API_KEY_ENV_VAR

    key = api_key or os.environ.get(API_KEY_ENV_VAR) or None
    return make_token_provider(api_key=key)


class SessionFile:
    """One recording file, rewritten whole (atomically) after each entry."""

    def __init__(self, directory: str | Path, name: str | None = None) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        stem = name or time.strftime("session-%Y%m%d-%H%M%S", time.gmtime())
        path, n = self.directory / f"{stem}.json", 1
        while path.exists():  # never overwrite an earlier session
            n += 1
            path = self.directory / f"{stem}-{n}.json"
        self.path = path
        self.entries: list[dict[str, Any]] = []

    def append(self, entry: dict[str, Any]) -> None:
        self.entries.append(entry)
        tmp = self.path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps({"Entries": self.entries, "Variables": {}}, indent=2, ensure_ascii=False) + "\n",
                       encoding="utf-8")
        os.replace(tmp, self.path)


def _error(exc: EmulatorError) -> JSONResponse:
    return JSONResponse(exc.body(""), status_code=exc.status)


def create_record_app(
    directory: str | Path,
    upstream: str,
    tokens: AsyncTokens,
    *,
    name: str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Starlette:
    """A proxy app to ``upstream`` recording into ``directory`` (see the module docstring).

    ``app.state.session`` is the :class:`SessionFile`. Each exchange uses its own connection (an
    HTTP client lives within one request), so the app holds nothing to close.
    """
    base = check_upstream(upstream)
    session = SessionFile(directory, name)

    async def proxy(request: Request) -> Response:
        rest = _PROJECT_PREFIX.sub("", request.url.path)
        if rest == request.url.path:
            return _error(EmulatorError(404, "not_found", f"No route for {request.method} {request.url.path}."))
        url = base + rest + (f"?{request.url.query}" if request.url.query else "")
        body = await request.body()
        try:
            token = await tokens.aget_token()
        except Exception as exc:  # the user's credential gave no token: say so, not a stack trace
            return _error(EmulatorError(401, "upstream_credential", f"The recorder got no token for the upstream: {exc}"))
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _NOT_FORWARDED}
        headers["Authorization"] = f"Bearer {token}"
        client = httpx.AsyncClient(transport=transport, timeout=httpx.Timeout(30.0, read=None))
        outgoing = client.build_request(request.method, url, headers=headers, content=body)
        try:
            upstream_response = await client.send(outgoing, stream=True)
        except httpx.HTTPError as exc:
            await client.aclose()
            return _error(EmulatorError(502, "upstream_unreachable", f"The upstream {base} did not answer: {exc}"))
        if upstream_response.status_code == 401:
            tokens.invalidate()
        answer_headers = {k: v for k, v in upstream_response.headers.items() if k.lower() not in HOP_HEADERS}

        async def relay() -> AsyncIterator[bytes]:
            received = bytearray()
            try:
                async for chunk in upstream_response.aiter_bytes():
                    received += chunk
                    yield chunk
            finally:
                await upstream_response.aclose()
                await client.aclose()
                session.append(make_entry(
                    method=request.method, url=url, request_headers=dict(request.headers), request_body=body,
                    status=upstream_response.status_code, response_headers=dict(upstream_response.headers),
                    response_body=bytes(received), upstream=base,
                ))

        return StreamingResponse(relay(), status_code=upstream_response.status_code, headers=answer_headers)

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    app = Starlette(routes=[Route("/{path:path}", proxy, methods=methods)])
    app.state.session = session
    return app
