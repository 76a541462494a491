"""Deterministic token usage: one token per word and per punctuation mark.

Both the JSON and the SSE paths take usage from the same computed response, so the numbers are
identical whichever way a client asks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

_TOKEN = re.compile(r"\w+|[^\w\s]")


def count_tokens(text: str) -> int:
    """Words plus punctuation marks in ``text``: ``count_tokens("Hi, you!") == 4``."""
    return len(_TOKEN.findall(text or ""))


def item_text(item: dict[str, Any]) -> str:
    """The text of an input or output item that a model would read or write."""
    kind = item.get("type")
    if kind == "message":
        content = item.get("content")
        if isinstance(content, str):
            return content
        return " ".join(
            str(part.get("text") or part.get("refusal") or "")
            for part in content or []
            if isinstance(part, dict)
        )
    if kind == "function_call":
        return f"{item.get('name', '')} {item.get('arguments', '')}"
    if kind in ("function_call_output", "mcp_call"):
        output = item.get("output")
        text = output if isinstance(output, str) else json.dumps(output)
        return f"{item.get('arguments', '')} {text}".strip()
    if kind == "mcp_approval_request":
        return f"{item.get('name', '')} {item.get('arguments', '')}"
    if kind == "mcp_approval_response":
        return "approve" if item.get("approve") else "deny"
    if kind == "web_search_call":
        return str((item.get("action") or {}).get("query", ""))
    return ""


def tokens_of(items: Iterable[dict[str, Any]]) -> int:
    """Tokens of every item's text, reasoning items excluded (they count as reasoning tokens)."""
    return sum(count_tokens(item_text(i)) for i in items if i.get("type") != "reasoning")


def usage(input_tokens: int, output_tokens: int, reasoning_tokens: int = 0) -> dict[str, Any]:
    """The response's ``usage`` object; ``output_tokens`` includes the reasoning tokens."""
    total_out = output_tokens + reasoning_tokens
    return {
        "input_tokens": input_tokens,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": total_out,
        "output_tokens_details": {"reasoning_tokens": reasoning_tokens},
        "total_tokens": input_tokens + total_out,
    }
