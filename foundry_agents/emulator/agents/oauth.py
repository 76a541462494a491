"""``mcp-oauth``: an MCP tool behind OAuth. Until the user gives consent, every turn answers with
an ``oauth_consent_request`` whose ``consent_link`` is the emulator's own consent page
(:mod:`..consent`); opening it gives consent, and the next turn (the same input sent again, with
``previous_response_id`` or on its own) runs the tool and answers.
"""

from __future__ import annotations

import json
from typing import Any

from ..consent import consent_link
from ..ids import item_id
from ..model import Reply, TurnContext
from ..transcript import last_user_text
from ._build import message

SERVER_LABEL = "calendar"
TOOL_NAME = "list_events"
TOOL: dict[str, Any] = {
    "type": "mcp",
    "server_label": SERVER_LABEL,
    "server_url": "https://mcp.emulator.invalid/calendar",
    "project_connection_id": "calendar-oauth",
    "require_approval": "never",
}
LISTED_TOOLS = [
    {
        "name": TOOL_NAME,
        "description": "List the signed-in user's calendar events matching a query.",
        "input_schema": {
            "type": "object",
            "properties": {"query": {"type": "string", "description": "What to look for"}},
            "required": ["query"],
            "additionalProperties": False,
        },
        "annotations": {},
    }
]


def calendar_result(query: str) -> str:
    """The scripted tool output for ``query``."""
    return f"2 events match '{query}': Team sync on Monday at 10:00, Design review on Thursday at 14:00."


def _label(ctx: TurnContext) -> str:
    labels = [t.get("server_label") for t in ctx.agent.tools if t.get("type") == "mcp"]
    return next((label for label in labels if isinstance(label, str) and label), SERVER_LABEL)


def mcp_oauth(ctx: TurnContext) -> Reply:
    label = _label(ctx)
    if ctx.consented is None or not ctx.consented(label):
        consent_id = item_id("oauth_consent_request")
        request = {
            "type": "oauth_consent_request",
            "id": consent_id,
            "consent_link": consent_link(ctx.server_url, consent_id),
            "server_label": label,
        }
        return Reply(items=[request], consents=[(consent_id, label)])
    query = last_user_text(ctx.items)
    items: list[dict[str, Any]] = []
    if not any(i.get("type") == "mcp_list_tools" and i.get("server_label") == label for i in ctx.history):
        items.append({"type": "mcp_list_tools", "server_label": label, "tools": LISTED_TOOLS})
    output = calendar_result(query)
    items.append({
        "type": "mcp_call",
        "server_label": label,
        "name": TOOL_NAME,
        "arguments": json.dumps({"query": query}, separators=(",", ":")),
        "output": output,
        "error": None,
        "status": "completed",
    })
    items.append(message(f"According to the {label} tool: {output}"))
    return Reply(items=items)
