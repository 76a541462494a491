"""Long-running responses in the emulator: what a response looks like while it runs. Pure.

A response created with ``background: true`` is computed at once but shown as the service shows a
running one: ``queued`` for the first fifth of its ``duration`` (at most one second), then
``in_progress``, then its final status (``completed``, ``incomplete``, ``failed``); ``cancelled``
once ``POST .../cancel`` reached it while it ran. While it runs, it has no output and no usage.
Its events, streamed or replayed (``GET .../responses/{id}?stream=true&starting_after=N``),
are spread over the same ``duration``, so polling and streaming agree. As on OpenAI, only a
background response can be streamed again, and only for five minutes (a 400 otherwise).
"""

from __future__ import annotations

import dataclasses

from .model import ResponseRecord
from .state import Store

#: Share of the run spent ``queued``, and its cap (seconds).
QUEUED_SHARE = 0.2
MAX_QUEUED = 1.0
#: How long a background response's events can be streamed again (seconds), as OpenAI documents.
REPLAY_WINDOW = 300.0
#: Terminal event of a stream whose response was cancelled (the spec names none: an emulator choice).
CANCELLED_EVENT = "response.cancelled"


def status_at(record: ResponseRecord, now: float) -> str:
    """The status a poll at ``now`` (epoch seconds) sees."""
    if record.cancelled:
        return "cancelled"
    if not record.background or not record.duration:
        return record.status
    elapsed = now - record.started
    if elapsed < min(record.duration * QUEUED_SHARE, MAX_QUEUED):
        return "queued"
    if elapsed < record.duration:
        return "in_progress"
    return record.status


def running(record: ResponseRecord, now: float) -> bool:
    return status_at(record, now) in ("queued", "in_progress")


def view(record: ResponseRecord, now: float) -> ResponseRecord:
    """``record`` as it stands at ``now``: no output, usage or end time before it finished."""
    status = status_at(record, now)
    if status == record.status:
        return record
    return dataclasses.replace(record, status=status, output=[], usage=None, completed_at=None, error=None,  # type: ignore[arg-type]
                               incomplete_details=None)


def event_times(record: ResponseRecord, count: int) -> list[float] | None:
    """When each of ``count`` events is due (epoch seconds), or ``None`` for no pacing."""
    if not record.duration or count <= 0:
        return None
    step = record.duration / count
    return [record.started + step * (n + 1) for n in range(count)]


def take_cut(store: Store, record: ResponseRecord) -> int | None:
    """Events this stream of ``record`` may send before it is cut (``cutoff``), or ``None``.

    Each stream of the response (the first one, then each resume) uses up one of its ``cuts``.
    """
    if record.cut_after is None or record.cuts <= 0:
        return None
    key = f"cut:{record.id}"
    used = store.counters.get(key, 0)
    if used >= record.cuts:
        return None
    store.counters[key] = used + 1
    return record.cut_after
