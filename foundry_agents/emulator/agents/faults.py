"""Fault agents for reliability tests.

- ``flaky``: 429 (``retry-after-ms``) for the first N calls *per distinct last user text*, then
  an echo. N is 2, or ``metadata.failures`` of the request, or ``options.failures`` of the agent.
  With ``rate`` set (``metadata.rate`` or the agent's ``options.rate``, answers per second) it is
  instead a rate-limited service: at most ``rate`` answers per one-second window across all
  callers of the agent, and a 429 with ``retry-after-ms`` (the time to the next window) above it.
- ``broken`` 500, ``unavailable`` 503 (always).
- ``dropper``: streams a few deltas then ends without a terminal event; 500 when not streaming.
- ``failing``: ``status: "failed"`` (stream ends with ``response.failed``).
- ``erroring``: a stream ending with an ``error`` event; 500 when not streaming.
- ``truncated``: ``status: "incomplete"`` with ``max_output_tokens`` and partial text.
- ``slow``: an echo streamed with a delay between deltas (``metadata.delay`` seconds, default 0.05).
- ``long_running``: a run that takes ``duration`` seconds (``metadata.duration`` or the agent's
  ``duration`` option; default 0.3): with ``background: true`` it is ``queued``, then
  ``in_progress``, then ``completed``; streamed, its events are spread over that time.
- ``cutoff``: a response whose first ``cuts`` streams (default 1; the first stream, then each
  resume) end after ``cut_after`` events (default 5) without a terminal event. Created with
  ``background: true`` a client resumes it with ``starting_after``; otherwise the resume is
  refused (400, as on OpenAI). Not streamed, it just answers.
"""

from __future__ import annotations

import math
import time

from ..errors import EmulatorError, invalid
from ..model import Reply, TurnContext
from ..transcript import last_user_text
from ._build import message

DEFAULT_FAILURES = 2
RETRY_AFTER_MS = 10
DEFAULT_DELAY = 0.05
DEFAULT_DURATION = 0.3
MAX_DURATION = 3600.0
DEFAULT_CUT_AFTER = 5
DEFAULT_CUTS = 1
MAX_CUT = 10_000
#: Bounds of the fault settings (a bad value is a 400 naming it, never a crash).
MAX_FAILURES = 100
MAX_DELAY = 30.0


def server_error() -> EmulatorError:
    return EmulatorError(500, "server_error", "The server had an error while processing your request. Sorry about that!")


def _setting(ctx: TurnContext, key: str, default: float, high: float) -> float:
    """``metadata[key]`` of the request, else ``options[key]`` of the agent, else ``default``.

    A value that is not a finite number between 0 and ``high`` is a 400 naming it.
    """
    for where, source in (("metadata", ctx.metadata), ("options", ctx.agent.options)):
        if key not in source:
            continue
        raw = source[key]
        try:
            value = float(raw) if not isinstance(raw, bool) else math.nan
        except (TypeError, ValueError):
            value = math.nan
        if not (math.isfinite(value) and 0 <= value <= high):
            raise invalid(f"'{where}.{key}' must be a number between 0 and {high:g}, got {str(raw)[:40]!r}.", f"{where}.{key}")
        return value
    return default


MAX_RATE = 10_000.0


def _rate_limited(ctx: TurnContext, rate: float, text: str) -> Reply:
    now = time.monotonic()
    window = int(now)
    key = f"rate:{ctx.agent.name}:{window}"
    used = ctx.counters.get(key, 0)
    if used >= rate:
        ctx.counters["rate_refused:" + ctx.agent.name] = ctx.counters.get("rate_refused:" + ctx.agent.name, 0) + 1
        wait_ms = max(1, int((window + 1 - now) * 1000) + 1)
        return Reply(http_error=EmulatorError(
            429, "too_many_requests", f"Rate limit of {rate:g} requests per second exceeded. Try again in {wait_ms} ms.",
            headers={"retry-after-ms": str(wait_ms), "retry-after": str(math.ceil(wait_ms / 1000))}))
    for old in [k for k in ctx.counters if k.startswith(f"rate:{ctx.agent.name}:") and k != key]:
        del ctx.counters[old]
    ctx.counters[key] = used + 1
    return Reply(items=[message(f"Answered within the rate limit: {text}")])


def flaky(ctx: TurnContext) -> Reply:
    text = last_user_text(ctx.items)
    rate = _setting(ctx, "rate", 0.0, MAX_RATE)
    if rate > 0:
        return _rate_limited(ctx, rate, text)
    key = f"flaky:{ctx.agent.name}:{text}"
    attempt = ctx.counters.get(key, 0) + 1
    ctx.counters[key] = attempt
    if attempt <= int(_setting(ctx, "failures", DEFAULT_FAILURES, MAX_FAILURES)):
        return Reply(
            http_error=EmulatorError(
                429,
                "too_many_requests",
                f"Rate limit exceeded (attempt {attempt}). Try again in {RETRY_AFTER_MS} ms.",
                headers={"retry-after-ms": str(RETRY_AFTER_MS), "retry-after": "0"},
            )
        )
    return Reply(items=[message(f"Recovered after {attempt - 1} failures: {text}")])


def broken(ctx: TurnContext) -> Reply:
    return Reply(http_error=server_error())


def unavailable(ctx: TurnContext) -> Reply:
    return Reply(
        http_error=EmulatorError(503, "service_unavailable", "The service is temporarily unavailable. Please retry.")
    )


def dropper(ctx: TurnContext) -> Reply:
    if not ctx.stream:
        return Reply(http_error=server_error())
    text = "This answer will be cut off before it is finished, because the connection drops."
    return Reply(items=[message(text)], stream_fault="drop")


def failing(ctx: TurnContext) -> Reply:
    error = {"code": "server_error", "message": "The agent run failed (emulated failure)."}
    return Reply(status="failed", error=error)


def erroring(ctx: TurnContext) -> Reply:
    if not ctx.stream:
        return Reply(http_error=server_error())
    error = {"code": "server_error", "message": "An error occurred while streaming (emulated)."}
    text = "This stream will end with an error event instead of a terminal response event."
    return Reply(items=[message(text)], stream_fault="error", error=error)


def truncated(ctx: TurnContext) -> Reply:
    full = f"Here is a long answer to '{last_user_text(ctx.items)}' that goes on and on"
    partial = " ".join(full.split()[:6])
    return Reply(items=[message(partial, status="incomplete")], status="incomplete", incomplete_reason="max_output_tokens")


def slow(ctx: TurnContext) -> Reply:
    text = f"Slowly: {last_user_text(ctx.items) or '(no input)'}"
    return Reply(items=[message(text)], delay=_setting(ctx, "delay", DEFAULT_DELAY, MAX_DELAY))


def long_running(ctx: TurnContext) -> Reply:
    text = f"Finished the long task: {last_user_text(ctx.items) or '(no input)'}"
    return Reply(items=[message(text)], duration=_setting(ctx, "duration", DEFAULT_DURATION, MAX_DURATION))


def cutoff(ctx: TurnContext) -> Reply:
    text = f"This answer is cut once on the way and resumed: {last_user_text(ctx.items) or '(no input)'}"
    cut_after = int(_setting(ctx, "cut_after", DEFAULT_CUT_AFTER, MAX_CUT))
    cuts = int(_setting(ctx, "cuts", DEFAULT_CUTS, MAX_CUT))
    return Reply(items=[message(text)], cut_after=cut_after if ctx.stream else None, cuts=cuts if ctx.stream else 0)
