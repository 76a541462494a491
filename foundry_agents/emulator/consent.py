"""The OAuth consent page of the ``mcp-oauth`` agent: ``GET /emulator/consent/{consent_id}``.

The service's ``oauth_consent_request`` item carries a ``consent_link`` the user opens in a
browser to sign in to the MCP server. The emulator's link points here: opening it (no bearer
token, as a browser would) gives consent for the request's ``server_label``, and the agent's
next turn runs the tool.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from .errors import EmulatorError
from .http import Emulator

#: The path under the server root (outside ``/api/projects/...``: a browser opens it).
PATH = "/emulator/consent/{consent_id}"


def consent_link(server_url: str, consent_id: str) -> str:
    """The absolute link for ``consent_id`` on the emulator reached at ``server_url``."""
    return server_url.rstrip("/") + PATH.replace("{consent_id}", consent_id)


def _page(title: str, text: str) -> str:
    return (
        f"<!doctype html><html><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title></head>"
        f"<body><h1>{html.escape(title)}</h1><p>{html.escape(text)}</p></body></html>"
    )


def endpoint(emu: Emulator) -> Callable[[Request], Awaitable[Response]]:
    """The Starlette endpoint for :data:`PATH`, bound to ``emu``."""

    async def give(request: Request) -> Response:
        consent_id = request.path_params["consent_id"]
        try:
            label = emu.store.give_consent(consent_id)
        except EmulatorError:
            page = _page("Unknown consent request", f"No consent request '{consent_id}' is pending here.")
            return HTMLResponse(page, status_code=404)
        text = f"You gave consent for the MCP server '{label}'. Return to your application and send your request again."
        return HTMLResponse(_page("Consent given", text))

    return give
