"""When to retry and how long to wait: pure functions, shared by the sync and async clients.

Two kinds of call. *Idempotent* calls (GET, DELETE, metadata updates) can be sent again at no
risk. Calls that *run an agent or change state* (``create_response``, streamed or not,
``create_conversation``, ``add_conversation_items``, ``cancel_response``) are sent again only
when the failure proves the service did not process them::

    failure                                         idempotent call     call that runs an agent
    ----------------------------------------------  ------------------  ---------------------------
    connect error/timeout, pool timeout (not sent)  re-sent             re-sent
    reset, dropped or timed-out after it was sent   re-sent             not re-sent, outcome unknown
    401 with a refreshable credential               once, new token     once, new token
    429, 503                                        re-sent             re-sent
    408, 409, other 5xx                             re-sent             not re-sent (408/5xx: unknown)
    ``x-should-retry: true`` / ``false``            re-sent / not       re-sent / not
    other 4xx                                       not re-sent         not re-sent

"Outcome unknown" raises an :class:`~foundry_agents.errors.APIOutcomeUnknownError`. The wait is
``retry-after-ms``, else ``retry-after`` (seconds or an HTTP date) when at most
:data:`MAX_RETRY_AFTER`, else exponential backoff with jitter. Every attempt of one call carries
the same ``x-ms-client-request-id``. The README's "Retries" table lists each case, and a test
keeps it equal to the fault matrix (``tests/core/fault_matrix.py``).
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Mapping

import httpx

__all__ = [
    "CLIENT_REQUEST_ID_HEADER",
    "INITIAL_DELAY",
    "MAX_DELAY",
    "MAX_RETRY_AFTER",
    "outcome_unknown_status",
    "parse_retry_after",
    "retry_delay",
    "sent_before_failure",
    "should_retry_status",
]

INITIAL_DELAY = 0.5
MAX_DELAY = 8.0
#: Longest server-requested wait we honour; longer ones fall back to backoff.
MAX_RETRY_AFTER = 60.0
#: Client-generated id sent with every attempt of one call (the same on each retry).
CLIENT_REQUEST_ID_HEADER = "x-ms-client-request-id"

_RETRYABLE = frozenset({408, 409, 429})
#: Overload answers given before any work starts: the request was not processed.
_NOT_PROCESSED = frozenset({429, 503})
#: Transport failures that happen before the request is written.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def sent_before_failure(exc: Exception) -> bool:
    """Whether a transport failure may have happened after the service received the request."""
    return not isinstance(exc, _NOT_SENT)


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


def outcome_unknown_status(status: int, headers: Mapping[str, str]) -> bool:
    """Whether a final non-2xx answer leaves open that a non-idempotent request was processed."""
    if headers.get("x-should-retry") == "true" or status in _NOT_PROCESSED:
        return False
    return status == 408 or status >= 500


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
