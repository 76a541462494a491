"""``approval``: an MCP tool that always needs the user's approval.

Turn 1 lists the server's tools (once per conversation) and asks for approval. An
``mcp_approval_response`` with ``approve: true`` runs the call and answers from its output;
``approve: false`` answers that the call was denied.
"""

from __future__ import annotations

import json
from typing import Any

from ..model import Reply, TurnContext
from ..transcript import last_user_text
from ._build import message

SERVER_LABEL = "docs"
TOOL_NAME = "search_docs"
MCP_TOOL: dict[str, Any] = {
    "type": "mcp",
    "server_label": SERVER_LABEL,
    "server_url": "https://mcp.emulator.invalid/docs",
    "require_approval": "always",
}
LISTED_TOOLS = [
    {
        "name": TOOL_NAME,
        "description": "Search the product documentation.",
        "input_schema": {
            "type": "object",
            "properties": {"query": {"type": "string", "description": "What to look for"}},
            "required": ["query"],
            "additionalProperties": False,
        },
        "annotations": {},
    }
]


def docs_result(query: str) -> str:
    """The scripted MCP tool output for ``query``."""
    return f"Documentation result for '{query}': see section 1.2, which covers this topic step by step."


def server_label(ctx: TurnContext) -> str:
    """The agent's first declared MCP tool's ``server_label`` (``docs`` for the built-in agent)."""
    labels = [t.get("server_label") for t in ctx.agent.tools if t.get("type") == "mcp"]
    return next((label for label in labels if isinstance(label, str) and label), SERVER_LABEL)


def approval(ctx: TurnContext) -> Reply:
    responses = [i for i in ctx.input if i.get("type") == "mcp_approval_response"]
    if responses:
        return _after_approval(ctx, responses[-1])
    label = server_label(ctx)
    items = []
    if not any(i.get("type") == "mcp_list_tools" for i in ctx.history):
        items.append({"type": "mcp_list_tools", "server_label": label, "tools": LISTED_TOOLS})
    arguments = json.dumps({"query": last_user_text(ctx.items)}, separators=(",", ":"))
    items.append({"type": "mcp_approval_request", "server_label": label, "name": TOOL_NAME, "arguments": arguments})
    return Reply(items=items)


def _after_approval(ctx: TurnContext, response: dict[str, Any]) -> Reply:
    request = next(
        i for i in ctx.items if i.get("type") == "mcp_approval_request" and i.get("id") == response["approval_request_id"]
    )
    if not response.get("approve"):
        text = f"The call to {request['name']} on {request['server_label']} was denied, so I can't look that up."
        return Reply(items=[message(text)])
    query = json.loads(request.get("arguments") or "{}").get("query", "")
    output = docs_result(query)
    call = {
        "type": "mcp_call",
        "server_label": request["server_label"],
        "name": request["name"],
        "arguments": request.get("arguments", "{}"),
        "output": output,
        "status": "completed",
        "approval_request_id": request["id"],
    }
    return Reply(items=[call, message(f"According to the {request['server_label']} tool: {output}")])
