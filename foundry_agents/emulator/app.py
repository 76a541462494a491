"""The ASGI app: the route table, request-id headers, and :func:`create_app`.

Every route lives under ``/api/projects/{project}`` (any project name is accepted).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import consent, hosted, ids
from . import routes_agents as agents
from . import routes_conversations as conversations
from . import routes_files as file_routes
from . import routes_responses as responses
from .agents import BEHAVIORS, builtin_agents
from .config import load_agents_file, parse_agents, workflow_references
from .errors import EmulatorError
from .files import DEFAULT_FILES_QUOTA, MAX_FILE_BYTES, FileLimits
from .http import Emulator, Handler, bind, error_response
from .model import AgentVersionRecord
from .schema import check_agent_name
from .state import MemoryStore, Store

PROJECT_ROOT = "/api/projects/{project}"
SUPPORTED_API_VERSIONS = "1.0,2025-05-15-preview,2025-11-15-preview"
#: Fixed ``x-ratelimit-*`` values (shape of ``agent_responses_conversation_crud``'s headers).
RATE_LIMIT_HEADERS = [
    (b"x-ratelimit-limit-requests", b"1000"), (b"x-ratelimit-remaining-requests", b"999"),
    (b"x-ratelimit-reset-requests", b"0"), (b"x-ratelimit-limit-tokens", b"1000000"),
    (b"x-ratelimit-remaining-tokens", b"999000"), (b"x-ratelimit-reset-tokens", b"0"),
]

#: (path under the project, methods, handler, needs ``api-version``)
ROUTES: list[tuple[str, list[str], Handler, bool]] = [
    ("/openai/v1/responses", ["POST"], responses.create, False),
    ("/openai/v1/responses/{response_id}", ["GET"], responses.get, False),
    ("/openai/v1/responses/{response_id}", ["DELETE"], responses.delete, False),
    ("/openai/v1/responses/{response_id}/input_items", ["GET"], responses.input_items, False),
    ("/openai/v1/responses/{response_id}/cancel", ["POST"], responses.cancel, False),
    ("/openai/responses", ["POST"], responses.create, True),
    ("/openai/responses/{response_id}", ["GET"], responses.get, True),
    ("/openai/responses/{response_id}", ["DELETE"], responses.delete, True),
    ("/agents/{agent_name}/endpoint/protocols/openai/responses", ["POST"], responses.create, True),  # AGENT_ENDPOINT
    # A published agent's stable Agent Application endpoint (Route.APPLICATION).
    ("/applications/{agent_name}/protocols/openai/responses", ["POST"], responses.create, True),
    *hosted.ROUTES,
    ("/agents", ["GET"], agents.list_agents, True),
    ("/agents", ["POST"], agents.create_agent, True),
    ("/agents/{name}", ["GET"], agents.get_agent, True),
    ("/agents/{name}", ["DELETE"], agents.delete_agent, True),
    ("/agents/{name}/versions", ["GET"], agents.list_versions, True),
    ("/agents/{name}/versions", ["POST"], agents.create_version, True),
    ("/agents/{name}/versions/{version}", ["GET"], agents.get_version, True),
    ("/agents/{name}/versions/{version}", ["DELETE"], agents.delete_version, True),
]
_CONVERSATION_ROUTES: list[tuple[str, list[str], Handler]] = [
    ("", ["POST"], conversations.create),
    ("/{conversation_id}", ["GET"], conversations.get),
    ("/{conversation_id}", ["POST"], conversations.update),
    ("/{conversation_id}", ["DELETE"], conversations.delete),
    ("/{conversation_id}/items", ["POST"], conversations.add_items),
    ("/{conversation_id}/items", ["GET"], conversations.list_items),
    ("/{conversation_id}/items/{item_id}", ["GET"], conversations.get_item),
    ("/{conversation_id}/items/{item_id}", ["DELETE"], conversations.delete_item),
]
AGENT_ENDPOINT = "/agents/{agent_name}/endpoint/protocols/openai"

for _path, _verbs, _route in file_routes.ROUTES:
    ROUTES.append((f"/openai/v1{_path}", _verbs, _route, False))
    ROUTES.append((f"/openai{_path}", _verbs, _route, True))

_log = logging.getLogger(__name__)
#: What the server raises when a client goes away mid-answer (a closed socket, a cancelled read).
DISCONNECTS = (ClientDisconnect, anyio.BrokenResourceError, anyio.ClosedResourceError, ConnectionError)


def _agent_scoped(handler: Handler) -> Handler:
    """``handler`` behind the per-agent endpoint: 400 for a malformed name, 404 for an unknown agent."""

    async def scoped(request: Request, emu: Emulator) -> Response:
        emu.store.agent(check_agent_name(request.path_params["agent_name"], "agent_name"))
        return await handler(request, emu)

    scoped.__name__ = handler.__name__
    return scoped


for _suffix, _methods, _handler in _CONVERSATION_ROUTES:
    ROUTES.append((f"/openai/v1/conversations{_suffix}", _methods, _handler, False))
    ROUTES.append((f"/openai/conversations{_suffix}", _methods, _handler, True))
    # The SDK's get_openai_client(agent_name=...) creates and reads conversations here too.
    ROUTES.append((f"{AGENT_ENDPOINT}/conversations{_suffix}", _methods, _agent_scoped(_handler), True))


class RequestIdMiddleware:
    """Adds ``X-Request-ID``, ``apim-request-id`` and service headers to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = ids.request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        extra = [
            (b"x-request-id", request_id.encode()),
            (b"apim-request-id", ids.apim_request_id().encode()),
            (b"x-ms-region", b"Emulator"),
            (b"api-supported-versions", SUPPORTED_API_VERSIONS.encode()),
        ]
        if scope.get("method") == "POST" and scope.get("path", "").endswith("/responses"):
            extra += RATE_LIMIT_HEADERS  # as the service sends on model calls (recordings)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except DISCONNECTS as exc:
            # The client closed the connection (e.g. stopped reading a stream): nothing to answer
            # and nothing wrong with the emulator, so one line instead of a traceback.
            _log.info("client disconnected during %s %s (%s)", scope.get("method"), scope.get("path"), type(exc).__name__)


async def _not_found(request: Request, exc: Exception) -> JSONResponse:
    status = getattr(exc, "status_code", 404)
    code = "not_found" if status == 404 else "method_not_allowed"
    return error_response(EmulatorError(status, code, f"No route for {request.method} {request.url.path}."), request)


def create_app(
    *,
    agents_file: str | Path | None = None,
    extra_agents: Iterable[AgentVersionRecord | dict[str, Any]] | None = None,
    done_sentinel: bool = False,
    keep_alive: float | None = None,
    strict_input: bool = True,
    builtin: bool = True,
    data_dir: str | Path | None = None,
    max_file_bytes: int = MAX_FILE_BYTES,
    files_quota: int = DEFAULT_FILES_QUOTA,
) -> Starlette:
    """A fresh emulator app with its own state (in memory, or in ``data_dir``).

    Args:
        agents_file: a YAML or JSON agents file (see docs/emulator.md) loaded at start.
        extra_agents: more agents: :class:`AgentVersionRecord` objects or agents-file entries (dicts).
        done_sentinel: end streams with ``data: [DONE]`` (the service does not).
        keep_alive: send ``: keep-alive`` comment lines (at stream start and every N seconds of
            a pause).
        strict_input: answer role items without ``"type": "message"`` (other than ``system``) with
            the service's 400 ``invalid_value``; ``False`` accepts them all.
        builtin: register the built-in agents (``echo``, ``weather``, ...).
        data_dir: keep agents created through the API, conversations and stored responses in an
            SQLite file in this folder (created if needed), so they survive a restart. Raises
            :class:`~.store_sqlite.DataDirError` when the folder holds a foreign or newer database.
            Call ``app.state.emulator.store.close()`` when done (``run_emulator`` does).
        max_file_bytes: the largest upload ``POST /files`` takes (the service's 512 MB).
        files_quota: the most bytes all files together (uploads and files agents make) may take.

    Example:
        >>> import httpx
        >>> app = create_app()
        >>> client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://emulator")
    """
    loaded: list[AgentVersionRecord] = builtin_agents() if builtin else []
    if agents_file is not None:
        loaded += load_agents_file(agents_file)
    for extra in extra_agents or ():
        loaded += [extra] if isinstance(extra, AgentVersionRecord) else parse_agents([extra], source="extra_agents")
    workflow_references(loaded)
    if max_file_bytes < 1 or files_quota < 1:
        raise ValueError("max_file_bytes and files_quota must be positive numbers of bytes")
    store = _open_store(data_dir)
    store.files_quota = files_quota
    for agent in loaded:
        store.seed_agent(agent)
    emu = Emulator(
        store=store, behaviors=dict(BEHAVIORS), done_sentinel=done_sentinel, keep_alive=keep_alive,
        strict_input=strict_input, file_limits=FileLimits(max_file_bytes=max_file_bytes, quota_bytes=files_quota),
    )
    routes = [
        Route(PROJECT_ROOT + path, bind(handler, emu, api_version=needs_version), methods=methods)
        for path, methods, handler, needs_version in ROUTES
    ]
    routes.append(Route(consent.PATH, consent.endpoint(emu), methods=["GET"]))
    app = Starlette(routes=routes, exception_handlers={404: _not_found, 405: _not_found})
    app.state.emulator = emu
    app.add_middleware(RequestIdMiddleware)
    return app


def _open_store(data_dir: str | Path | None) -> Store:
    if data_dir is None:
        return MemoryStore()
    from .store_sqlite import SqliteStore

    return SqliteStore.open(data_dir)
