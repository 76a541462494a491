"""Client-side function tools: ``weather`` (one tool) and ``triage`` (a supervisor of two).

Both follow the same two-step shape: a question yields ``function_call`` items; once every call
has a ``function_call_output``, the agent answers from the outputs.
"""

from __future__ import annotations

import re
from typing import Any

from ..model import Reply, TurnContext
from ..transcript import (
    call_arguments,
    content_words,
    function_calls,
    function_outputs,
    last_user_text,
    output_text,
)
from ._build import function_call, message

WEATHER_TOOL: dict[str, Any] = {
    "type": "function",
    "name": "get_weather",
    "description": "Get the current weather for a location.",
    "parameters": {
        "type": "object",
        "properties": {"location": {"type": "string", "description": "A city name like Seattle or London"}},
        "required": ["location"],
        "additionalProperties": False,
    },
    "strict": True,
}


def _delegate_tool(name: str, description: str) -> dict[str, Any]:
    return {
        "type": "function",
        "name": name,
        "description": description,
        "parameters": {
            "type": "object",
            "properties": {"question": {"type": "string", "description": "The question to delegate."}},
            "required": ["question"],
            "additionalProperties": False,
        },
        "strict": True,
    }


TRIAGE_TOOLS = [
    _delegate_tool("ask_weather", "Ask the weather agent a weather question."),
    _delegate_tool("ask_researcher", "Ask the research agent a factual or historical question."),
]

#: Words that route a triage question to ``ask_weather`` / ``ask_researcher``.
WEATHER_WORDS = frozenset(
    ["weather", "temperature", "forecast", "rain", "raining", "sunny", "snow", "snowing", "wind", "windy", "humid", "humidity", "cold", "hot", "degree"]
)
RESEARCH_WORDS = frozenset(
    ["research", "fact", "history", "historical", "explain", "background", "population", "capital", "founded", "origin", "information", "info"]
)

_CITY = re.compile(r"\b(?:in|for|at|about)\s+([A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)*)")
_CAPITALIZED = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z][\w'-]*)")


def extract_city(text: str) -> str | None:
    """The capitalized word(s) after ``in``/``for``/``at``/``about``, else a mid-sentence capital."""
    match = _CITY.search(text)
    if match:
        return match.group(1)
    found = _CAPITALIZED.findall(text)
    return found[-1] if found else None


def _answered_calls(ctx: TurnContext, tools: tuple[str, ...]) -> list[tuple[dict[str, Any], str]] | None:
    """``(call, output)`` pairs of this agent's own ``tools`` that this turn answers.

    Outputs for other functions (e.g. a framework's handoff call replayed in the history) are
    not answers to this agent's calls.
    """
    outputs = function_outputs(ctx.input)
    if not outputs:
        return None
    calls = [c for c in function_calls(ctx.items) if c.get("call_id") in outputs and c.get("name") in tools]
    return [(c, output_text(outputs[str(c.get("call_id"))])) for c in calls] or None


def weather(ctx: TurnContext) -> Reply:
    """``get_weather(location)`` for a question naming a city; answers from the tool output."""
    answered = _answered_calls(ctx, ("get_weather",))
    if answered:
        lines = [f"The weather in {call_arguments(c).get('location', 'that city')}: {out}" for c, out in answered]
        return Reply(items=[message("\n".join(lines))])
    city = extract_city(last_user_text(ctx.items))
    if city is None:
        return Reply(items=[message("Which city would you like the weather for?")])
    return Reply(items=[function_call("get_weather", {"location": city})])


#: Where a multi-part question splits: after ``?``/``;``, or at ``and``/``also`` starting a new question.
_QUESTION_WORDS = r"(?:what|who|whom|whose|which|when|where|why|how|is|are|was|were|will|do|does|did|can|could|should|tell)"
_PART_BREAK = re.compile(r"(?<=[?;])\s+|[,;]?\s+(?:and|also|plus)\s+(?=(?:also\s+)?" + _QUESTION_WORDS + r"\b)", re.I)
_QUESTION = re.compile(r"\?\s*$|^\s*" + _QUESTION_WORDS + r"\b", re.I)


def question_parts(question: str) -> list[str]:
    """A multi-part question split into its parts (one part when it has only one)."""
    parts = [p.strip(" ,;") for p in _PART_BREAK.split(question)]
    return [p for p in parts if p] or [question]


def triage_routes(question: str) -> list[tuple[str, str]]:
    """``(tool, part)`` for each part of a question, as a triage model would route them.

    A part with weather words goes to ``ask_weather``; a part with research words, or any other
    question, to ``ask_researcher`` (a part with both kinds of words to both).
    """
    routes = []
    for part in question_parts(question):
        words = content_words(part) | set(re.findall(r"[a-z]+", part.lower()))
        weather = bool(words & WEATHER_WORDS)
        if weather:
            routes.append(("ask_weather", part))
        if words & RESEARCH_WORDS or (not weather and _QUESTION.search(part)):
            routes.append(("ask_researcher", part))
    return routes


def triage(ctx: TurnContext) -> Reply:
    """Delegate each part of the question to its tool (parallel calls), then compose their answers."""
    answered = _answered_calls(ctx, ("ask_weather", "ask_researcher"))
    if answered:
        labels = {"ask_weather": "Weather", "ask_researcher": "Research"}
        lines = [f"- {labels.get(c.get('name', ''), c.get('name'))}: {out}" for c, out in answered]
        return Reply(items=[message("Here is what I found:\n" + "\n".join(lines))])
    routes = triage_routes(last_user_text(ctx.items))
    if not routes:
        return Reply(items=[message("I can route weather questions and research questions. What would you like to know?")])
    return Reply(items=[function_call(name, {"question": part}) for name, part in routes])
