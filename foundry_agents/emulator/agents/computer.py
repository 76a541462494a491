"""``computer``: a computer-use agent. The client does the work: the agent asks for a
screenshot (a ``computer_call``), then, given it (a ``computer_call_output``), clicks the middle
of the screen it saw, then, given the screen after the click, answers in a message."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from .. import png
from ..model import Reply, TurnContext
from ._build import message

WIDTH, HEIGHT = 1024, 768
TOOL: dict[str, Any] = {"type": "computer_use_preview", "display_width": WIDTH, "display_height": HEIGHT,
                        "environment": "browser"}


def computer_call(action: dict[str, Any]) -> dict[str, Any]:
    """A ``computer_call`` draft (the engine mints its ``call_id``)."""
    return {"type": "computer_call", "call_id": "", "action": action, "pending_safety_checks": [],
            "status": "completed"}


def screenshot_size(output: dict[str, Any], ctx: TurnContext) -> tuple[int, int] | None:
    """The screenshot's pixel size (from a PNG ``data:`` URL or an uploaded PNG)."""
    data: bytes | None = None
    url = output.get("image_url")
    if isinstance(url, str) and url.startswith("data:") and "," in url:
        try:
            data = base64.b64decode(url.split(",", 1)[1], validate=True)
        except (binascii.Error, ValueError):
            data = None
    elif isinstance(output.get("file_id"), str) and ctx.read_file is not None:
        found = ctx.read_file(output["file_id"])
        data = found[1] if found is not None else None
    return png.size_of(data) if data else None


def computer(ctx: TurnContext) -> Reply:
    outputs = [i for i in ctx.input if i.get("type") == "computer_call_output"]
    if not outputs:
        return Reply(items=[computer_call({"type": "screenshot"})])
    answered = outputs[-1]
    calls = {c.get("call_id"): c for c in ctx.items if c.get("type") == "computer_call"}
    previous = calls.get(answered.get("call_id"), {})
    size = screenshot_size(answered.get("output") or {}, ctx)
    if (previous.get("action") or {}).get("type") == "screenshot":
        width, height = size or (WIDTH, HEIGHT)
        return Reply(items=[computer_call({"type": "click", "button": "left", "x": width // 2, "y": height // 2})])
    action = previous.get("action") or {}
    seen = f" on a {size[0]}x{size[1]} screen" if size else ""
    return Reply(items=[message(f"Done: I clicked at ({action.get('x')}, {action.get('y')}){seen}.")])
