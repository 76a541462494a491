"""``echo`` (version-aware) and ``grounded`` (answers from the context it was given)."""

from __future__ import annotations

import re

from ..model import Reply, TurnContext
from ..transcript import content_words, last_user_text, texts_by_role
from ._build import message

DONT_KNOW = "I don't know based on the provided context."

#: Version -> reply prefix; other versions say ``Echo vN:``.
ECHO_PREFIXES = {"1": "Echo:"}

_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")
#: Markers that RAG prompts use to put retrieved context inside the user message.
_CONTEXT_MARKERS = ("context information is below", "context:", "context -", "---------------------")
_QUESTION = re.compile(r"(?:^|\n)\s*(?:query|question)\s*:\s*(.+?)(?:\n\s*answer\s*:|\Z)", re.I | re.S)


def echo(ctx: TurnContext) -> Reply:
    """Repeat the last user message: ``Echo: <text>`` (v1), ``Echo v2: <text>`` (v2), ..."""
    prefix = ECHO_PREFIXES.get(ctx.agent.version, f"Echo v{ctx.agent.version}:")
    text = last_user_text(ctx.items) or "(no input)"
    return Reply(items=[message(f"{prefix} {text}")])


def split_question(user_text: str) -> tuple[str, str]:
    """``(question, inline_context)`` from a user message that may embed RAG context."""
    lowered = user_text.lower()
    if not any(marker in lowered for marker in _CONTEXT_MARKERS):
        return user_text, ""
    match = _QUESTION.search(user_text)
    if match is None:
        return user_text, ""
    return match.group(1).strip(), user_text[: match.start()]


def best_sentences(question: str, context: list[str]) -> list[str]:
    """Context sentences sharing the most content words with ``question`` (ties kept, max 2)."""
    wanted = content_words(question)
    scored: list[tuple[int, int, str]] = []
    for text in context:
        for sentence in _SENTENCE_SPLIT.split(text):
            sentence = sentence.strip()
            if not sentence or sentence.endswith("?") or sentence == DONT_KNOW or _is_template_line(sentence):
                continue
            score = len(wanted & content_words(sentence))
            if score:
                scored.append((score, len(scored), sentence))
    if not scored:
        return []
    top = max(score for score, _, _ in scored)
    picked = [s for score, _, s in sorted(scored, key=lambda t: t[1]) if score == top]
    unique = list(dict.fromkeys(picked))
    return unique[:2]


def _is_template_line(sentence: str) -> bool:
    lowered = sentence.lower()
    return lowered.startswith(("context information", "given the context", "answer the query", "-----"))


def grounded(ctx: TurnContext) -> Reply:
    """Quote the context sentence(s) that best match the last user question, or say so."""
    items = ctx.items
    user_texts = texts_by_role(items, "user")
    question, inline = split_question(user_texts[-1] if user_texts else "")
    context = [
        *texts_by_role(items, "system", "developer"),
        *user_texts[:-1],
        # Its own acknowledgements repeat user statements; quoting them would duplicate facts.
        *(t for t in texts_by_role(items, "assistant") if not t.startswith("Noted: ")),
        inline,
    ]
    if not inline and _is_statement(question):
        # A plain statement (no question, no context block) is taken on board, not answered.
        return Reply(items=[message(f"Noted: {question.strip()}")])
    sentences = best_sentences(question, [c for c in context if c])
    return Reply(items=[message(" ".join(sentences) if sentences else DONT_KNOW)])


_QUESTION_WORDS = ("what", "who", "whom", "whose", "when", "where", "why", "how", "which", "is", "are",
                   "do", "does", "did", "can", "could", "should", "would", "will", "tell", "explain",
                   "describe", "list", "give", "summarize", "summarise", "name")


def _is_statement(text: str) -> bool:
    stripped = text.strip()
    if not stripped or "?" in stripped:
        return False
    first = stripped.split(None, 1)[0].lower().strip(",.:;!")
    return first not in _QUESTION_WORDS
