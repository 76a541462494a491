"""``extractor``: an agent whose answer is data, given as a Foundry ``structured_outputs`` item.

It reads the event in the user's text as the ``calendar`` agent does (``name``, ``date``,
``participants``), and answers a ``structured_outputs`` item with that object as its ``output``,
then a one-line message saying what it found. The item shape is Foundry-only and [UNVERIFIED]
(docs/protocol.md, "Output items"): ``{"type": "structured_outputs", "id": "so_...", "output": ...}``.
"""

from __future__ import annotations

from typing import Any

from ..model import Reply, TurnContext
from ..transcript import last_user_text
from ._build import message
from .research import extract_event


def structured_outputs(output: Any) -> dict[str, Any]:
    """A ``structured_outputs`` draft (the engine mints its ``so_`` id)."""
    return {"type": "structured_outputs", "output": output}


def extractor(ctx: TurnContext) -> Reply:
    event = extract_event(last_user_text(ctx.items))
    who = ", ".join(event["participants"]) or "nobody named"
    text = f"Found the event '{event['name']}' on {event['date']} with {who}."
    return Reply(items=[structured_outputs(event), message(text)])
