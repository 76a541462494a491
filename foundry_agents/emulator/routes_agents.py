"""``/agents`` management: list, get, delete, and versions (create, list, get, delete)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .agents.declared import json_schema_format
from .errors import EmulatorError, invalid
from .http import Emulator, json_body, page
from .model import AgentVersionRecord
from .schema import check_agent_name, check_metadata, wrong_type
from .wire import agent_json, agent_version_json, list_json

#: Definition kind -> the ``Foundry-Features`` opt-in it needs (recorded for workflow).
PREVIEW_KINDS = {"workflow": ("WorkflowAgents=V1Preview", "Workflow agents"), "hosted": ("HostedAgents=V1Preview", "Hosted agents")}
DEFAULT_BEHAVIOR = "echo"
#: A created version that declares one of these tool types calls them (agents/declared.py).
DECLARED_TOOLS_BEHAVIOR, DECLARED_TOOL_TYPES = "tools", ("function", "mcp")


async def list_agents(request: Request, emu: Emulator) -> Response:
    agents = [agent_json(latest) for latest in emu.store.latest_agents()]
    data, has_more = page(agents, request, default_order="asc")
    return JSONResponse(list_json(data, has_more=has_more))


async def get_agent(request: Request, emu: Emulator) -> Response:
    return JSONResponse(agent_json(emu.store.agent(request.path_params["name"])))


async def delete_agent(request: Request, emu: Emulator) -> Response:
    name = request.path_params["name"]
    emu.store.delete_agent(name)
    return JSONResponse({"object": "agent.deleted", "name": name, "deleted": True})


async def create_agent(request: Request, emu: Emulator) -> Response:
    body = await json_body(request)
    if not isinstance(body, dict):
        raise invalid("The request body must be a JSON object.")
    if body.get("name") is None or body.get("name") == "":
        raise invalid("Missing required parameter: 'name'.", "name")
    version = _new_version(request, emu, check_agent_name(body["name"], "name", created=True), body)
    return JSONResponse(agent_json(version))


async def list_versions(request: Request, emu: Emulator) -> Response:
    name = request.path_params["name"]
    emu.store.agent(name)
    versions = [agent_version_json(v) for v in emu.store.versions(name)]
    data, has_more = page(versions, request)
    return JSONResponse(list_json(data, has_more=has_more))


async def create_version(request: Request, emu: Emulator) -> Response:
    body = await json_body(request)
    if not isinstance(body, dict):
        raise invalid("The request body must be a JSON object.")
    name = check_agent_name(request.path_params["name"], "name", created=True)
    return JSONResponse(agent_version_json(_new_version(request, emu, name, body)))


async def get_version(request: Request, emu: Emulator) -> Response:
    agent = emu.store.agent(request.path_params["name"], request.path_params["version"])
    return JSONResponse(agent_version_json(agent))


async def delete_version(request: Request, emu: Emulator) -> Response:
    name, version = request.path_params["name"], request.path_params["version"]
    emu.store.delete_agent_version(name, version)
    return JSONResponse({"object": "agent.version.deleted", "name": name, "version": version, "deleted": True})


def _new_version(request: Request, emu: Emulator, name: str, body: dict[str, Any]) -> AgentVersionRecord:
    definition = body.get("definition")
    if definition is not None and not isinstance(definition, dict):
        raise wrong_type("definition", "an object", definition)
    if not isinstance(definition, dict) or not isinstance(definition.get("kind"), str):
        raise invalid("Missing required parameter: 'definition.kind'.", "definition.kind")
    _check_preview_feature(definition["kind"], request.headers.get("foundry-features", ""))
    if definition["kind"] == "prompt" and not isinstance(definition.get("model"), str):
        raise invalid("Missing required parameter: 'definition.model'.", "definition.model")
    for key, kind, expected in (("instructions", str, "a string"), ("tools", list, "an array")):
        if definition.get(key) is not None and not isinstance(definition[key], kind):
            raise wrong_type(f"definition.{key}", expected, definition[key])
    description = body.get("description")
    if description is not None and not isinstance(description, str):
        raise wrong_type("description", "a string", description)
    metadata = check_metadata(body.get("metadata")) or {}
    behavior, options = _declared_behavior(emu, name, metadata, definition) or _behavior_for(emu, name, metadata)
    ordered = {"kind": definition["kind"], **{k: v for k, v in definition.items() if k != "kind"}}
    version = AgentVersionRecord(
        name=name,
        version=emu.store.next_version(name),
        definition=ordered,
        behavior=behavior,
        description=description or "",
        metadata=dict(metadata),
        options=options,
    )
    return emu.store.add_agent_version(version)


def _check_preview_feature(kind: str, header: str) -> None:
    needed = PREVIEW_KINDS.get(kind)
    if needed is None:
        return
    feature, label = needed
    enabled = {part.strip() for part in header.split(",")}
    if feature not in enabled:
        raise EmulatorError(
            403,
            "preview_feature_required",
            f"{label} is in preview. This operation requires the following opt-in preview feature(s): {feature}. "
            f"Include the 'Foundry-Features: {feature}' header in your request.",
        )


def _declared_behavior(
    emu: Emulator, name: str, metadata: dict[str, Any], definition: dict[str, Any]
) -> tuple[str, dict[str, Any]] | None:
    """``tools`` for a version that declares a function or MCP tool or a ``json_schema`` text
    format (it uses them, as the SDK samples expect), unless ``metadata.emulator_behavior`` names
    a behaviour or the agent's latest version is scripted (a new ``weather`` version still
    answers like ``weather``); else ``None``."""
    wanted = metadata.get("emulator_behavior")
    if isinstance(wanted, str) and wanted in emu.behaviors:
        return None
    tools = definition.get("tools") or []
    declares = any(isinstance(t, dict) and t.get("type") in DECLARED_TOOL_TYPES for t in tools)
    if not declares and json_schema_format(definition) is None:
        return None
    try:
        latest = emu.store.agent(name)
    except EmulatorError:  # a new agent
        return DECLARED_TOOLS_BEHAVIOR, {}
    if latest.behavior in (DEFAULT_BEHAVIOR, DECLARED_TOOLS_BEHAVIOR):
        return DECLARED_TOOLS_BEHAVIOR, {}
    return None


def _behavior_for(emu: Emulator, name: str, metadata: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """``metadata.emulator_behavior`` if known, else the latest version's, else ``echo``."""
    wanted = metadata.get("emulator_behavior")
    if isinstance(wanted, str) and wanted in emu.behaviors:
        return wanted, {}
    existing = emu.store.versions(name)
    if existing:
        return existing[-1].behavior, dict(existing[-1].options)
    return DEFAULT_BEHAVIOR, {}
