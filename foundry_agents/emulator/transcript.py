"""Pure helpers that read a turn's items: texts by role, pending calls, words.

Behaviours use these instead of walking raw wire items themselves.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from .usage import item_text

STOPWORDS = frozenset(
    ["a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me", "more", "most", "my", "myself", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself", "yourselves", "tell", "please", "give", "know", "does", "did", "get", "s", "t", "ll", "re", "ve", "d", "m"]
)

_WORD = re.compile(r"[A-Za-z0-9]+")


def message_text(item: dict[str, Any]) -> str:
    """The text of a message item (string content or joined text parts)."""
    return item_text(item) if item.get("type") == "message" else ""


def texts_by_role(items: Iterable[dict[str, Any]], *roles: str) -> list[str]:
    """Texts of message items whose role is one of ``roles``, in order."""
    return [message_text(i) for i in items if i.get("type") == "message" and i.get("role") in roles]


def last_user_text(items: list[dict[str, Any]]) -> str:
    """The latest user message's text, or ``""``."""
    texts = texts_by_role(items, "user")
    return texts[-1] if texts else ""


def content_words(text: str) -> set[str]:
    """Lower-cased words minus stopwords, with a plural ``s`` stripped."""
    words = set()
    for word in _WORD.findall(text.lower()):
        if word in STOPWORDS:
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        words.add(word)
    return words


def function_calls(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [i for i in items if i.get("type") == "function_call"]


def function_outputs(items: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """``call_id -> output`` for every ``function_call_output`` item."""
    return {str(i.get("call_id")): i.get("output") for i in items if i.get("type") == "function_call_output"}


def call_arguments(call: dict[str, Any]) -> dict[str, Any]:
    """A function call's parsed arguments (``{}`` when they are not a JSON object)."""
    try:
        args = json.loads(call.get("arguments") or "{}")
    except ValueError:
        return {}
    return args if isinstance(args, dict) else {}


def output_text(output: Any) -> str:
    """A function output as text (lists of parts are joined)."""
    if isinstance(output, str):
        return output
    if isinstance(output, list):
        return " ".join(str(p.get("text", "")) for p in output if isinstance(p, dict))
    return json.dumps(output)


def last_user_parts(items: list[dict[str, Any]], *kinds: str) -> list[dict[str, Any]]:
    """The content parts of ``kinds`` (e.g. ``input_file``) in the latest user message holding any."""
    for item in reversed(items):
        if item.get("type") != "message" or item.get("role") != "user" or not isinstance(item.get("content"), list):
            continue
        parts = [p for p in item["content"] if isinstance(p, dict) and p.get("type") in kinds]
        if parts:
            return parts
    return []
