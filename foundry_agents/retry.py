"""When to retry and how long to wait: pure functions, shared by the sync and async clients.

Matches the OpenAI SDK's policy (PROTOCOL.md §7): retry 408/409/429/5xx and connection errors;
``x-should-retry`` overrides; wait ``retry-after-ms``, else ``retry-after`` (seconds or an HTTP
date) when reasonable, else exponential backoff with jitter. A request that may already have
been applied to server-side state (a POST carrying a ``conversation``) is retried only when
the answer proves it was not processed (429, or a connection that was never established).
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Mapping

__all__ = [
    "INITIAL_DELAY",
    "MAX_DELAY",
    "MAX_RETRY_AFTER",
    "parse_retry_after",
    "retry_delay",
    "should_retry_status",
]

INITIAL_DELAY = 0.5
MAX_DELAY = 8.0
#: Longest server-requested wait we honour; longer ones fall back to backoff.
MAX_RETRY_AFTER = 60.0

_RETRYABLE = frozenset({408, 409, 429})
_NOT_PROCESSED = frozenset({429})


def should_retry_status(status: int, headers: Mapping[str, str], *, idempotent: bool = True) -> bool:
    """Whether a non-2xx answer is worth another try (``headers`` case-insensitive)."""
    override = headers.get("x-should-retry")
    if override == "true":
        return True
    if override == "false":
        return False
    if not idempotent:
        return status in _NOT_PROCESSED
    return status in _RETRYABLE or status >= 500


def parse_retry_after(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Seconds the server asked us to wait, or ``None``."""
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    parsed = email.utils.parsedate_tz(value)
    if parsed is None:
        return None
    return max(0.0, email.utils.mktime_tz(parsed) - (time.time() if now is None else now))


def retry_delay(attempt: int, headers: Mapping[str, str] | None = None, *,
                rng: random.Random | None = None) -> float:
    """How long to sleep before retry number ``attempt`` (1-based)."""
    if headers is not None:
        asked = parse_retry_after(headers)
        if asked is not None and asked <= MAX_RETRY_AFTER:
            return asked
    base = min(INITIAL_DELAY * (2 ** (attempt - 1)), MAX_DELAY)
    jitter = 1 - 0.25 * (rng or random).random()
    return base * jitter
