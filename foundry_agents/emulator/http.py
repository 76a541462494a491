"""Small HTTP helpers shared by the route modules: the handler context, JSON bodies, queries."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from .errors import EmulatorError, invalid
from .files import FileLimits
from .model import Behavior
from .schema import parse_json
from .state import Store
from .validation import check_bearer


@dataclass
class Emulator:
    """Per-app state and settings handed to every route handler."""

    store: Store
    behaviors: Mapping[str, Behavior]
    done_sentinel: bool = False
    keep_alive: float | None = None
    strict_input: bool = True
    #: Hosted agents' sessions by id (hosted.py; in memory only, also with a data dir).
    hosted_sessions: dict[str, Any] = field(default_factory=dict)
    #: Size limits of ``/files`` uploads and of all files together.
    file_limits: FileLimits = field(default_factory=FileLimits)


_log = logging.getLogger(__name__)

Handler = Callable[[Request, Emulator], Awaitable[Response]]


def bind(handler: Handler, emu: Emulator, *, api_version: bool = False) -> Callable[[Request], Awaitable[Response]]:
    """A Starlette endpoint that checks auth (and ``api-version``) and renders errors."""

    async def endpoint(request: Request) -> Response:
        try:
            check_bearer(request.headers.get("authorization"))
            if api_version and not request.query_params.get("api-version"):
                raise EmulatorError(
                    400, "missing_required_parameter", "Missing required query parameter: 'api-version'.", "api-version"
                )
            return await handler(request, emu)
        except EmulatorError as exc:
            return error_response(exc, request)
        except ClientDisconnect:
            # The client went away while sending its body: nobody to answer, nothing wrong here.
            _log.info("client disconnected during %s %s", request.method, request.url.path)
            return Response(status_code=499)  # never delivered; nginx's "client closed request"
        except Exception:  # a bug: still answer in the service's envelope and keep serving
            _log.exception("emulator error on %s %s", request.method, request.url.path)
            return error_response(
                EmulatorError(500, "server_error", "The emulator failed while processing the request."), request
            )

    endpoint.__name__ = handler.__name__
    return endpoint


def request_id_of(request: Request) -> str:
    return str(request.scope.get("state", {}).get("request_id", ""))


def error_response(exc: EmulatorError, request: Request) -> JSONResponse:
    return JSONResponse(exc.body(request_id_of(request)), status_code=exc.status, headers=exc.headers)


async def json_body(request: Request, *, optional: bool = False) -> Any:
    """The parsed JSON body; 400 when it is not strict JSON (``{}`` for an empty optional body)."""
    raw = await request.body()
    if not raw.strip():
        if optional:
            return {}
        raise invalid("The request body must be a JSON object.")
    return parse_json(raw)


def query_int(request: Request, name: str, default: int, *, low: int = 1, high: int = 100) -> int:
    value = request.query_params.get(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError as exc:
        raise invalid(f"'{name}' must be an integer.", name) from exc
    if not low <= number <= high:
        raise invalid(f"'{name}' must be between {low} and {high}.", name)
    return number


def page(items: list[dict[str, Any]], request: Request, *, default_order: str = "desc", id_key: str = "id") -> tuple[list[dict[str, Any]], bool]:
    """Apply ``order``, ``after`` and ``limit`` to ``items`` (oldest first on input)."""
    order = request.query_params.get("order", default_order)
    if order not in ("asc", "desc"):
        raise invalid("'order' must be 'asc' or 'desc'.", "order")
    ordered = list(items) if order == "asc" else list(reversed(items))
    after = request.query_params.get("after")
    if after:
        ids = [i.get(id_key) for i in ordered]
        ordered = ordered[ids.index(after) + 1 :] if after in ids else []
    limit = query_int(request, "limit", 20)
    return ordered[:limit], len(ordered) > limit
