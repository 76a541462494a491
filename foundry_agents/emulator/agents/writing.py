"""Agents that answer in text right away: ``forecast`` (weather) and ``writer`` (merges answers).

``forecast`` is the text-answering counterpart of ``weather``: its lookup runs on the service
side, so a question gets an answer in one call, with no client-side function to run. ``writer``
combines the specialists' answers that :func:`fan_out` / ``FanOutWorkflow`` give a merger.
"""

from __future__ import annotations

import re
import zlib

from ..model import Reply, TurnContext
from ..transcript import last_user_text
from ._build import message
from .tools import extract_city

#: (conditions, base temperature in C): the city's name picks one, deterministically.
CONDITIONS = (("sunny", 21), ("partly cloudy", 17), ("light rain", 12), ("clear skies", 24),
              ("overcast", 15), ("windy", 10), ("light snow", -3), ("foggy", 8))


def forecast_for(city: str) -> str:
    """The emulated weather of ``city``: the same city always gets the same answer."""
    checksum = zlib.crc32(city.strip().lower().encode())
    conditions, base = CONDITIONS[checksum % len(CONDITIONS)]
    return f"{conditions}, {base + (checksum >> 8) % 5} C"


def forecast(ctx: TurnContext) -> Reply:
    """``The weather in <city>: <conditions>, <t> C.``, or a question back when no city is named."""
    city = extract_city(last_user_text(ctx.items))
    if city is None:
        return Reply(items=[message("Which city would you like the weather for?")])
    return Reply(items=[message(f"The weather in {city}: {forecast_for(city)}.")])


#: The answers block of the adapters' merge prompt: ``- name: answer`` lines (answers may wrap).
_ANSWERS = re.compile(r"answers from specialist agents:\s*\n(.*?)(?:\n\s*\n|\Z)", re.I | re.S)
_ENTRY = re.compile(r"^- [\w.:-]+: ", re.M)


def merged_answers(text: str) -> list[str]:
    """The specialists' answers in a merge prompt, in order (empty when it is not one)."""
    block = _ANSWERS.search(text)
    if block is None:
        return []
    parts = _ENTRY.split(block.group(1))
    return [" ".join(part.split()) for part in parts[1:] if part.strip()]


def writer(ctx: TurnContext) -> Reply:
    """One reply made of every specialist's answer; other text is tidied up and returned."""
    text = last_user_text(ctx.items)
    answers = merged_answers(text)
    if answers:
        return Reply(items=[message("In short: " + " ".join(_sentence(a) for a in answers))])
    return Reply(items=[message(_sentence(" ".join(text.split())) or "Nothing to write about yet.")])


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?" else text + "."
