"""``memory``: a memory search agent. It recalls what the user said earlier in the conversation
(and a few seeded facts), ranked by the words they share with the question: a
``memory_search_call`` with the memories found, then a message that uses them."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from ..model import Reply, TurnContext
from ..transcript import content_words, last_user_text, texts_by_role
from ._build import message

SCOPE = "user_emulator"
TOOL: dict[str, Any] = {"type": "memory_search_preview", "memory_store_name": "emulator-memories", "scope": SCOPE}
#: What every user is remembered for (``kind`` as the service names memory kinds).
SEEDED = (
    ("The user prefers answers in metric units.", "user_profile"),
    ("The user's favourite programming language is Python.", "user_profile"),
)
MAX_RESULTS = 3


def memory_record(content: str, kind: str, *, scope: str = SCOPE) -> dict[str, Any]:
    """A ``memory_item`` with an id derived from its content (the same fact, the same id)."""
    digest = hashlib.sha256(f"{scope}:{content}".encode()).hexdigest()[:32]
    return {"memory_id": f"memitem_{digest}", "content": content, "kind": kind, "scope": scope,
            "updated_at": int(time.time())}


def _statement(text: str) -> bool:
    return bool(text.strip()) and "?" not in text


def recall(ctx: TurnContext) -> list[dict[str, Any]]:
    """The memories that share words with the user's question, best first (at most 3)."""
    said = texts_by_role(ctx.items, "user")[:-1]
    scope = next((str(t.get("scope")) for t in ctx.agent.tools if t.get("type") == "memory_search_preview"
                  and t.get("scope")), SCOPE)
    candidates = [(text.strip(), "chat_summary") for text in said if _statement(text)]
    candidates += [(text, kind) for text, kind in ctx.agent.options.get("memories", SEEDED)]
    wanted = content_words(last_user_text(ctx.items))
    scored = [(len(wanted & content_words(text)), -n, text, kind) for n, (text, kind) in enumerate(candidates)]
    best = sorted((s for s in scored if s[0] > 0), reverse=True)[:MAX_RESULTS]
    return [memory_record(text, kind, scope=scope) for _, _, text, kind in best]


def memory(ctx: TurnContext) -> Reply:
    memories = recall(ctx)
    call = {"type": "memory_search_call", "status": "completed", "results": [{"memory_item": m} for m in memories]}
    if memories:
        text = "From what I remember: " + " ".join(m["content"] for m in memories)
    else:
        text = "I don't remember anything about that yet."
    return Reply(items=[call, message(text)])
