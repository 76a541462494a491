"""Hosted agents (definition ``kind: hosted``): sessions, per-user isolation, and the routes.

A hosted agent answers with ``caresp_`` ids, ``model: ""`` and a top-level ``agent_session_id``.
A call without ``agent_session_id`` opens a new session; a call with one continues it. Every
session, and every hosted response chain, belongs to the caller's key: the
``x-session-isolation-key`` header, else the ``x-ms-user-identity`` header (else the anonymous
key ``""``). Another key gets 404, as if the session did not exist. Session operations need
``Foundry-Features: AgentEndpoints=V1Preview`` (403 ``preview_feature_required`` otherwise).
Sessions live in memory (also with ``data_dir``).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from . import ids
from .errors import EmulatorError, invalid
from .http import Emulator, json_body, page
from .model import AgentVersionRecord
from .schema import check_agent_name
from .wire import list_json

SESSION_FEATURE = "AgentEndpoints=V1Preview"
SESSION_TTL = 30 * 24 * 3600


@dataclass
class Session:
    agent_session_id: str
    agent: str
    owner: str
    version_indicator: dict[str, Any]
    status: str = "active"
    created_at: int = 0
    last_accessed_at: int = 0
    expires_at: int = 0

    def wire(self) -> dict[str, Any]:
        data = asdict(self)
        del data["agent"], data["owner"]
        return {"object": "agent.session", **data}


def is_hosted(agent: AgentVersionRecord) -> bool:
    return agent.definition.get("kind") == "hosted"


def caller_key(request: Request) -> str:
    return request.headers.get("x-session-isolation-key") or request.headers.get("x-ms-user-identity") or ""


def _sessions(emu: Emulator) -> dict[str, Session]:
    return emu.hosted_sessions


def _not_found(session_id: str) -> EmulatorError:
    return EmulatorError(404, "not_found", f"Session '{session_id}' not found.")


def _new_session(emu: Emulator, agent: AgentVersionRecord, owner: str) -> Session:
    now = int(time.time())
    session = Session(ids.new_id("sess_"), agent.name, owner, {"type": "version_ref", "agent_version": agent.version},
                      created_at=now, last_accessed_at=now, expires_at=now + SESSION_TTL)
    _sessions(emu)[session.agent_session_id] = session
    return session


def _owned(emu: Emulator, agent_name: str, session_id: str, owner: str) -> Session:
    session = _sessions(emu).get(session_id)
    if session is None or session.agent != agent_name or session.owner != owner or session.status == "deleted":
        raise _not_found(session_id)
    return session


def session_hook(request: Request, emu: Emulator):  # type: ignore[no-untyped-def]
    """The engine's hook for one response request: ``(agent, body) -> (session id, owner)``."""
    owner = caller_key(request)

    def hook(agent: AgentVersionRecord, body: dict[str, Any]) -> tuple[str, str] | None:
        if not is_hosted(agent):
            if body.get("agent_session_id") is not None:
                raise invalid("'agent_session_id' is only supported by hosted agents.", "agent_session_id")
            return None
        wanted = body.get("agent_session_id")
        if wanted is None:
            return _new_session(emu, agent, owner).agent_session_id, owner
        if not isinstance(wanted, str) or not wanted:
            raise invalid("'agent_session_id' must be a non-empty string.", "agent_session_id")
        session = _owned(emu, agent.name, wanted, owner)
        session.status, session.last_accessed_at = "active", int(time.time())
        return session.agent_session_id, owner

    return hook


# -- routes ---------------------------------------------------------------------------------------
def _agent(request: Request, emu: Emulator) -> AgentVersionRecord:
    features = {p.strip() for p in request.headers.get("foundry-features", "").split(",")}
    if SESSION_FEATURE not in features:
        raise EmulatorError(
            403, "preview_feature_required",
            "Agent endpoints are in preview. This operation requires the following opt-in preview feature(s): "
            f"{SESSION_FEATURE}. Include the 'Foundry-Features: {SESSION_FEATURE}' header in your request.",
            "Foundry-Features",
        )
    agent = emu.store.agent(check_agent_name(request.path_params["agent_name"], "agent_name"))
    if not is_hosted(agent):
        raise invalid(f"Agent '{agent.name}' is not a hosted agent; sessions need a hosted agent.", "agent_name")
    return agent


async def create_session(request: Request, emu: Emulator) -> Response:
    agent = _agent(request, emu)
    body = await json_body(request, optional=True)
    if not isinstance(body, dict):
        raise invalid("The request body must be a JSON object.")
    indicator = body.get("version_indicator")
    if indicator is not None:
        if not isinstance(indicator, dict) or not isinstance(indicator.get("agent_version"), str):
            raise invalid("'version_indicator.agent_version' must be a string.", "version_indicator")
        agent = emu.store.agent(agent.name, indicator["agent_version"])
    return JSONResponse(_new_session(emu, agent, caller_key(request)).wire(), status_code=201)


async def get_session(request: Request, emu: Emulator) -> Response:
    agent = _agent(request, emu)
    return JSONResponse(_owned(emu, agent.name, request.path_params["session_id"], caller_key(request)).wire())


async def delete_session(request: Request, emu: Emulator) -> Response:
    agent = _agent(request, emu)
    session = _sessions(emu).get(request.path_params["session_id"])
    if session is not None and session.agent == agent.name and session.owner == caller_key(request):
        session.status = "deleted"
    return Response(status_code=204)


async def stop_session(request: Request, emu: Emulator) -> Response:
    agent = _agent(request, emu)
    _owned(emu, agent.name, request.path_params["session_id"], caller_key(request)).status = "idle"
    return Response(status_code=204)


async def list_sessions(request: Request, emu: Emulator) -> Response:
    agent = _agent(request, emu)
    owner = caller_key(request)
    mine = [s.wire() for s in _sessions(emu).values()
            if s.agent == agent.name and s.owner == owner and s.status != "deleted"]
    data, has_more = page(mine, request, id_key="agent_session_id")
    return JSONResponse(list_json(data, has_more=has_more, id_key="agent_session_id"))


ROUTES = [
    ("/agents/{agent_name}/endpoint/sessions/{session_id}:stop", ["POST"], stop_session, True),
    ("/agents/{agent_name}/endpoint/sessions", ["POST"], create_session, True),
    ("/agents/{agent_name}/endpoint/sessions", ["GET"], list_sessions, True),
    ("/agents/{agent_name}/endpoint/sessions/{session_id}", ["GET"], get_session, True),
    ("/agents/{agent_name}/endpoint/sessions/{session_id}", ["DELETE"], delete_session, True),
]
