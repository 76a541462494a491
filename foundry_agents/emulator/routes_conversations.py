"""``/openai/v1/conversations`` (and the preview ``/openai/conversations``): CRUD and items."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from . import ids
from .errors import invalid
from .http import Emulator, json_body, page
from .schema import check_metadata
from .validation import normalize_input
from .wire import conversation_json, list_json, stored_item


def _dialect(request: Request) -> str:
    return "v1" if "/openai/v1/" in request.url.path or "/endpoint/" in request.url.path else "preview"


def _items(raw: Any, emu: Emulator, param: str) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise invalid(f"'{param}' must be an array of items.", param)
    items = normalize_input(raw, strict=emu.strict_input, param=param)
    return [stored_item({**i, "id": i.get("id") or ids.item_id(i["type"])}) for i in items]


def _metadata(body: dict[str, Any]) -> dict[str, Any] | None:
    return check_metadata(body.get("metadata"))


async def create(request: Request, emu: Emulator) -> Response:
    body = await json_body(request, optional=True)
    if not isinstance(body, dict):
        raise invalid("The request body must be a JSON object.")
    conv = emu.store.new_conversation(_metadata(body), _items(body.get("items"), emu, "items"))
    return JSONResponse(conversation_json(conv, _dialect(request)))


async def get(request: Request, emu: Emulator) -> Response:
    conv = emu.store.conversation(request.path_params["conversation_id"])
    return JSONResponse(conversation_json(conv, _dialect(request)))


async def update(request: Request, emu: Emulator) -> Response:
    conversation_id = request.path_params["conversation_id"]
    emu.store.conversation(conversation_id)
    body = await json_body(request)
    if not isinstance(body, dict):
        raise invalid("The request body must be a JSON object.")
    conv = emu.store.update_conversation(conversation_id, dict(_metadata(body) or {}))
    return JSONResponse(conversation_json(conv, _dialect(request)))


async def delete(request: Request, emu: Emulator) -> Response:
    conversation_id = request.path_params["conversation_id"]
    emu.store.delete_conversation(conversation_id)
    return JSONResponse({"object": "conversation.deleted", "deleted": True, "id": conversation_id})


async def add_items(request: Request, emu: Emulator) -> Response:
    conversation_id = request.path_params["conversation_id"]
    emu.store.conversation(conversation_id)
    body = await json_body(request)
    if not isinstance(body, dict) or not isinstance(body.get("items"), list):
        raise invalid("Missing required parameter: 'items'.", "items")
    items = _items(body["items"], emu, "items")
    emu.store.add_items(conversation_id, items)
    listed = list_json(items)
    return JSONResponse({"object": "list", **{k: v for k, v in listed.items() if k != "object"}})


async def list_items(request: Request, emu: Emulator) -> Response:
    data, has_more = page(emu.store.conversation_items(request.path_params["conversation_id"]), request)
    return JSONResponse(list_json(data, has_more=has_more))


async def get_item(request: Request, emu: Emulator) -> Response:
    params = request.path_params
    return JSONResponse(emu.store.conversation_item(params["conversation_id"], params["item_id"]))


async def delete_item(request: Request, emu: Emulator) -> Response:
    conversation_id = request.path_params["conversation_id"]
    emu.store.delete_item(conversation_id, request.path_params["item_id"])
    return JSONResponse(conversation_json(emu.store.conversation(conversation_id), _dialect(request)))
