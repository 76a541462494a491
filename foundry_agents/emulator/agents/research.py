"""``researcher`` (reasoning + web search + url citations) and ``calendar`` (structured output)."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from ..model import Reply, TurnContext
from ..transcript import STOPWORDS, last_user_text
from ..usage import count_tokens
from ._build import message, reasoning, url_citation, web_search_call

ENCYCLOPEDIA = "Contoso Encyclopedia"
WIKI = "Example Wiki"


def topic_of(question: str) -> str:
    """The question without its trailing punctuation and leading question words."""
    topic = question.strip().rstrip("?.! ")
    topic = re.sub(r"^(?:(?:what|who|when|where|why|how|is|are|was|were|do|does|did|tell me|please|can you)\b[\s,]*)+", "", topic, flags=re.I)
    return topic or "your question"


def researcher(ctx: TurnContext) -> Reply:
    """Think (summary), search the web, answer with two ``url_citation`` annotations."""
    question = last_user_text(ctx.items) or "your question"
    topic = topic_of(question)
    summary = f"The user asks about {topic}. I will search the web and cite the sources I use."
    text = (
        f"Here is what I found about {topic}. "
        f"According to {ENCYCLOPEDIA}, {topic} is well documented. "
        f"{WIKI} has more details and further reading."
    )
    slug = quote(topic.replace(" ", "_"))
    annotations = [
        url_citation(text, ENCYCLOPEDIA, f"https://encyclopedia.contoso.com/wiki/{slug}", f"{topic} - {ENCYCLOPEDIA}"),
        url_citation(text, WIKI, f"https://wiki.example.org/{slug}", f"{topic} - {WIKI}"),
    ]
    items = [reasoning(summary), web_search_call(question), message(text, annotations)]
    return Reply(items=items, reasoning_tokens=2 * count_tokens(summary))


CALENDAR_FORMAT: dict[str, Any] = {
    "type": "json_schema",
    "name": "CalendarEvent",
    "schema": {
        "additionalProperties": False,
        "properties": {
            "name": {"title": "Name", "type": "string"},
            "date": {"description": "Date in YYYY-MM-DD format", "title": "Date", "type": "string"},
            "participants": {"items": {"type": "string"}, "title": "Participants", "type": "array"},
        },
        "required": ["name", "date", "participants"],
        "title": "CalendarEvent",
        "type": "object",
    },
}

MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"], 1)}
DAYS = frozenset(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today", "tomorrow"])
_MONTH_DATE = re.compile(r"\b(" + "|".join(MONTHS) + r")\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?", re.I)
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_EVENT = re.compile(r"\b(?:to|attend|attending|for|at)\s+(?:a|an|the)\s+([a-z][a-z ]*?)(?=\s+(?:this|on|next|at|in|with)\b|[,.!?]|$)", re.I)
_NAME = re.compile(r"\b[A-Z][a-z]+\b")


def extract_event(text: str) -> dict[str, Any]:
    """``{"name", "date", "participants"}`` read from free text (deterministic heuristics)."""
    date = "1970-01-01"
    if match := _ISO_DATE.search(text):
        date = match.group(0)
    elif match := _MONTH_DATE.search(text):
        year = match.group(3) or "2025"
        date = f"{year}-{MONTHS[match.group(1).lower()]:02d}-{int(match.group(2)):02d}"
    event = _EVENT.search(text)
    name = event.group(1).strip().capitalize() if event else "Event"
    participants = [
        w for w in dict.fromkeys(_NAME.findall(text))
        if w.lower() not in MONTHS and w.lower() not in DAYS and w.lower() not in STOPWORDS
        and w.lower() not in name.lower().split()
    ]
    return {"name": name, "date": date, "participants": participants}


def calendar(ctx: TurnContext) -> Reply:
    """Always answer with a JSON object conforming to ``CalendarEvent``."""
    event = extract_event(last_user_text(ctx.items))
    return Reply(items=[message(json.dumps(event, separators=(",", ":")))])
