"""Long-running (background) responses: continuation tokens, polling and stream-resume policy.

Everything here is pure (no I/O, no clock of its own): the clients supply the time and do the
requests, so the sync and async paths share one set of decisions.

- :class:`ContinuationToken` — a response id plus the last stream ``sequence_number`` seen; a
  small string (:meth:`~ContinuationToken.to_str`) a caller can persist and hand to another
  process, which resumes with ``client.resume_stream(token)`` or waits with
  ``client.wait_for_response(token)``.
- :class:`PollSchedule` — when to poll ``GET /openai/v1/responses/{id}`` next: exponential
  backoff from ``poll_interval`` up to ``max_poll_interval``, a ``retry-after`` /
  ``retry-after-ms`` header on a poll answer wins, and nothing sleeps past the deadline, after
  which :class:`~foundry_agents.errors.WaitTimeoutError` names the response and its last state.
- :class:`ResumePolicy` — whether a cut stream can be resumed (the response is stored, its id and
  a sequence number were received, fewer than ``max_resumes`` attempts in a row failed) and how
  long to wait before the next attempt.

Example:
    >>> token = ContinuationToken("resp_123", 41)
    >>> ContinuationToken.from_str(token.to_str()) == token
    True
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import APIStatusError, FoundryConfigError, WaitTimeoutError
from .response import AgentResponse
from .retry import parse_retry_after

__all__ = [
    "DEFAULT_MAX_RESUMES",
    "DEFAULT_WAIT_TIMEOUT",
    "TERMINAL_STATUSES",
    "ContinuationToken",
    "PollSchedule",
    "ResumePolicy",
    "is_terminal",
    "response_token",
]

#: Statuses after which a response no longer changes (OpenAI ``ResponseStatus``).
TERMINAL_STATUSES = frozenset({"completed", "failed", "cancelled", "incomplete"})
#: Default overall deadline of a wait, in seconds (deep-research runs take minutes).
DEFAULT_WAIT_TIMEOUT = 900.0
#: First pause between polls, and the longest one (seconds).
DEFAULT_POLL_INTERVAL = 0.5
DEFAULT_MAX_POLL_INTERVAL = 5.0
#: Resume attempts in a row that may fail (no new event received) before the stream error surfaces.
DEFAULT_MAX_RESUMES = 3
#: Pause before the second and later attempts in a row (doubling, capped).
RESUME_BACKOFF = 0.25
MAX_RESUME_BACKOFF = 4.0

_PREFIX = "fa1."


def is_terminal(status: str | None) -> bool:
    """Whether a response with this status is finished. A missing status counts as finished
    (there is nothing to wait for)."""
    return status is None or status in TERMINAL_STATUSES


@dataclass(frozen=True, slots=True)
class ContinuationToken:
    """Where a long-running response can be picked up again: its id and the last stream event seen.

    ``sequence_number`` is ``None`` when no event was seen (a wait, or a stream resumed from the
    start). :meth:`to_str` gives an opaque ASCII string (``fa1.`` + base64url JSON) safe to store
    in a database or pass between processes; it holds no credential and no endpoint.
    """

    response_id: str
    sequence_number: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.response_id, str) or not self.response_id:
            raise FoundryConfigError(f"ContinuationToken.response_id must be a non-empty string, got {self.response_id!r:.80}")
        seq = self.sequence_number
        if seq is not None and (isinstance(seq, bool) or not isinstance(seq, int) or seq < 0):
            raise FoundryConfigError(
                f"ContinuationToken.sequence_number must be a non-negative integer or None, got {seq!r:.40}")

    def to_str(self) -> str:
        payload = {"id": self.response_id, "seq": self.sequence_number}
        raw = json.dumps(payload, separators=(",", ":")).encode()
        return _PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def from_str(cls, value: str) -> ContinuationToken:
        """Parse :meth:`to_str` output; anything else is a :class:`FoundryConfigError`."""
        if not isinstance(value, str) or not value.startswith(_PREFIX):
            raise FoundryConfigError(
                f"not a continuation token (expected a string starting with {_PREFIX!r}), got {value!r:.60}")
        body = value[len(_PREFIX):]
        try:
            decoded = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        except (ValueError, RecursionError, TypeError):
            raise FoundryConfigError(f"the continuation token {value!r:.60} is damaged (not base64url JSON)") from None
        if not isinstance(decoded, dict) or set(decoded) != {"id", "seq"}:
            raise FoundryConfigError(f"the continuation token {value!r:.60} does not hold a response id and sequence number")
        return cls(decoded["id"], decoded["seq"])

    @classmethod
    def coerce(cls, value: str | AgentResponse | ContinuationToken, *, where: str = "response") -> ContinuationToken:
        """A token from a token, its string, a response id or an :class:`AgentResponse`."""
        if isinstance(value, ContinuationToken):
            return value
        if isinstance(value, AgentResponse):
            return cls(value.id)
        if isinstance(value, str):
            return cls.from_str(value) if value.startswith(_PREFIX) else cls(value)
        raise FoundryConfigError(
            f"{where} must be a response id, an AgentResponse or a ContinuationToken, got {type(value).__name__}")

    def __str__(self) -> str:
        return self.to_str()


@dataclass(slots=True)
class PollSchedule:
    """When to poll next while waiting for a background response (pure; the caller gives ``now``).

    Call :meth:`next_delay` after each poll: ``None`` means the response is finished; otherwise
    sleep the returned seconds and poll again. Raises :class:`WaitTimeoutError` once the
    deadline has passed and the response is still running.
    """

    response_id: str
    started: float
    timeout: float | None = DEFAULT_WAIT_TIMEOUT
    poll_interval: float = DEFAULT_POLL_INTERVAL
    max_poll_interval: float = DEFAULT_MAX_POLL_INTERVAL
    polls: int = 0

    def __post_init__(self) -> None:
        for name in ("timeout", "poll_interval", "max_poll_interval"):
            value = getattr(self, name)
            if value is None and name == "timeout":
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
                raise FoundryConfigError(f"{name} must be a non-negative number of seconds, got {value!r:.40}")

    def next_delay(self, response: AgentResponse, headers: Mapping[str, str], now: float) -> float | None:
        if is_terminal(response.status):
            return None
        self.polls += 1
        asked = parse_retry_after(headers)
        delay = asked if asked is not None else min(self.poll_interval * 2 ** (self.polls - 1), self.max_poll_interval)
        if self.timeout is not None:
            remaining = self.started + self.timeout - now
            if remaining <= 0:
                raise wait_timeout(response, self.timeout)
            delay = min(delay, remaining)
        return delay


def wait_timeout(response: AgentResponse, timeout: float) -> WaitTimeoutError:
    err = WaitTimeoutError(
        f"response {response.id} is still {response.status!r} after {timeout:g} s; it keeps running on the "
        "service: wait again, resume or cancel it with the error's continuation_token",
        code="wait_timeout", request_id=response.request_id,
    )
    err.last_response = response
    err.continuation_token = ContinuationToken(response.id)
    return err


@dataclass(slots=True)
class ResumePolicy:
    """Whether and when a cut stream is resumed (pure).

    ``refused`` is set when resuming is off from the start (``store=False``). The stream core
    calls :meth:`plan` at each cut with the response id and last sequence number received;
    :meth:`progress` resets the count of failed attempts once a resumed stream brings new events.
    """

    max_resumes: int = DEFAULT_MAX_RESUMES
    refused: str | None = None
    failures: int = 0

    def plan(self, response_id: str | None, last_sequence_number: int | None, stored: bool | None,
             numbered: bool = True) -> float | str:
        """The seconds to wait before resuming, or (a ``str``) why the stream cannot be resumed."""
        if self.refused is not None:
            return self.refused
        if not numbered:
            return "some events came without a sequence_number, so a resumed stream could repeat them"
        if stored is False:
            return "the response is not stored (store=False), so its events cannot be fetched again"
        if response_id is None:
            return "the stream was cut before the response id arrived"
        if last_sequence_number is None:
            return "no event with a sequence_number arrived before the cut"
        if self.failures >= self.max_resumes:
            return f"{self.failures} resume attempt(s) in a row brought no new event"
        self.failures += 1
        if self.failures == 1:
            return 0.0
        return min(RESUME_BACKOFF * 2 ** (self.failures - 2), MAX_RESUME_BACKOFF)

    def progress(self) -> None:
        self.failures = 0

    @staticmethod
    def permanent(exc: BaseException) -> bool:
        """A resume request that will not succeed when repeated (404 gone, 400, 401, 403)."""
        return isinstance(exc, APIStatusError) and exc.status_code is not None and 400 <= exc.status_code < 500 \
            and exc.status_code not in (408, 409, 429)


def response_token(response: AgentResponse) -> str | None:
    """The continuation token string of a background response (what adapters put in message
    metadata so a later process can pick it up), else ``None``."""
    if response.raw.get("background") is True and response.id:
        return ContinuationToken(response.id).to_str()
    return None


def token_of(response_id: str | None, sequence_number: int | None) -> ContinuationToken | None:
    return ContinuationToken(response_id, sequence_number) if response_id else None


def resume_query(starting_after: int | None) -> dict[str, Any]:
    """The query of ``GET /openai/v1/responses/{id}`` that streams the events after a number."""
    query: dict[str, Any] = {"stream": "true"}
    if starting_after is not None:
        query["starting_after"] = str(starting_after)
    return query
