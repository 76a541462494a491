"""Matching a live request to a recorded one: id normalization and lookup. Pure, no I/O.

A request matches a recorded entry when its method, its path under the project (without the query)
and its body are equal after **id normalization**: every service id (``resp_``, ``conv_``,
``msg_``, ``call_``, ``fc_``, ... followed by 16+ letters/digits) is replaced by a placeholder
numbered in the order the session's earlier *responses* minted it (``<conv#1>``, ``<resp#2>``).
So the second turn of a replayed session, which names the conversation the first turn created,
matches the recording even when that conversation's id differs. An id that no earlier response
minted becomes ``<conv#?>``. When nothing matches exactly, ids are compared by prefix only; an
entry already served is used again only for a ``GET``.

Example:
    >>> ids = IdMap()
    >>> ids.learn('{"id": "conv_0123456789abcdef0123"}')
    >>> normalize("/openai/v1/conversations/conv_0123456789abcdef0123/items", ids)
    '/openai/v1/conversations/<conv#1>/items'
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

__all__ = ["IdMap", "Match", "Recorded", "Replayer", "generic", "normalize", "project_path", "request_key"]

ID = re.compile(r"\b([a-z]{2,8})_([0-9A-Za-z]{16,})\b")
_PLACEHOLDER = re.compile(r"<([a-z]{2,8})#(?:\d+|\?)>")
_PROJECT = re.compile(r"^/api/projects/[^/]+")


@dataclass
class IdMap:
    """Ids minted by a session's responses, in order, numbered per prefix."""

    names: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def learn(self, text: str) -> None:
        """Number every id in ``text`` (a response body) not seen before."""
        for match in ID.finditer(text):
            token, prefix = match.group(0), match.group(1)
            if token not in self.names:
                self.counts[prefix] = self.counts.get(prefix, 0) + 1
                self.names[token] = f"<{prefix}#{self.counts[prefix]}>"


def normalize(text: str, ids: IdMap) -> str:
    """``text`` with ids replaced by their session placeholders (``<prefix#?>`` when unknown)."""
    return ID.sub(lambda m: ids.names.get(m.group(0), f"<{m.group(1)}#?>"), text)


def generic(text: str) -> str:
    """``text`` with every id (or id placeholder) replaced by its prefix only (the fallback comparison)."""
    return _PLACEHOLDER.sub(r"<\1>", ID.sub(lambda m: f"<{m.group(1)}>", text))


def project_path(url: str) -> str:
    """The path under ``/api/projects/<name>`` (the whole path when there is no project)."""
    path = urlsplit(url).path if "://" in url else url.split("?", 1)[0]
    return _PROJECT.sub("", path) or "/"


def canonical_body(body: Any) -> str:
    """A body as text with sorted keys, so key order never matters (``""`` for no body)."""
    if body is None or body == "":
        return ""
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def request_key(method: str, path: str, body: Any, ids: IdMap) -> str:
    """The normalized ``METHOD path body`` a request is matched on."""
    return normalize(f"{method.upper()} {project_path(path)} {canonical_body(body)}", ids)


@dataclass(frozen=True)
class Recorded:
    """One recorded entry with its keys: ``source`` is ``file.json#index``."""

    source: str
    entry: dict[str, Any]
    key: str

    @property
    def generic_key(self) -> str:
        return generic(self.key)


@dataclass(frozen=True)
class Match:
    """The outcome of a lookup: ``recorded`` when found, else ``closest`` (maybe ``None``)."""

    recorded: Recorded | None
    closest: Recorded | None = None
    differs: tuple[str, ...] = ()


def index_session(source: str, entries: list[dict[str, Any]]) -> list[Recorded]:
    """Key every entry of one recorded session, numbering ids as its responses minted them."""
    ids = IdMap()
    out: list[Recorded] = []
    for n, entry in enumerate(entries):
        key = request_key(entry["RequestMethod"], entry["RequestUri"], entry.get("RequestBody"), ids)
        out.append(Recorded(f"{source}#{n}", entry, key))
        ids.learn(canonical_body(entry.get("ResponseBody")))
    return out


def _differs(live: Any, recorded: Any) -> tuple[str, ...]:
    """Top-level body fields that differ (the hint in the no-match error)."""
    if not (isinstance(live, dict) and isinstance(recorded, dict)):
        return () if generic(canonical_body(live)) == generic(canonical_body(recorded)) else ("body",)
    names = sorted(set(live) | set(recorded))
    return tuple(n for n in names if generic(canonical_body(live.get(n))) != generic(canonical_body(recorded.get(n))))


class Replayer:
    """The lookup state of one replay: recorded entries, what was served, the live id map."""

    def __init__(self, recorded: list[Recorded]) -> None:
        self.recorded = recorded
        self.used: set[str] = set()
        self.ids = IdMap()

    def find(self, method: str, path: str, body: Any) -> Match:
        """The entry to serve for this request (marked used), or the closest one."""
        key = request_key(method, path, body, self.ids)
        for same in (lambda r: r.key == key, lambda r: r.generic_key == generic(key)):
            hits = [r for r in self.recorded if same(r)]
            fresh = [r for r in hits if r.source not in self.used]
            pick = fresh[0] if fresh else (hits[-1] if hits and method.upper() == "GET" else None)
            if pick is not None:
                self.used.add(pick.source)
                self.ids.learn(canonical_body(pick.entry.get("ResponseBody")))
                return Match(pick)
        return self._closest(key, method, path, body)

    def _closest(self, key: str, method: str, path: str, body: Any) -> Match:
        if not self.recorded:
            return Match(None)
        target = generic(key)

        def score(r: Recorded) -> tuple[bool, bool, float]:
            same_route = r.entry["RequestMethod"].upper() == method.upper() and generic(
                project_path(r.entry["RequestUri"])) == generic(project_path(path))
            ratio = difflib.SequenceMatcher(None, target[:2000], r.generic_key[:2000], autojunk=False).ratio()
            return (same_route, r.source not in self.used, ratio)

        best = max(self.recorded, key=score)
        return Match(None, best, _differs(body, best.entry.get("RequestBody")))
