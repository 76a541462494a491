"""The client-side rate limiter of a batch run: pure logic, the caller supplies the clock.

A token bucket (``rate`` sends per second, ``burst`` at once) that adapts to the service:

* **429 / 503** (:meth:`AdaptiveRateLimiter.on_throttled`): every sender pauses until the
  ``retry-after`` the service gave (or ``min_pause`` when it gave none), and the rate drops to
  ``decrease`` x the rate the service actually *accepted* over the last ``window`` seconds
  (counted from the first accepted send: a run's start-up is not the service's limit), or x the
  current rate when nothing was measured. Dropping to what was accepted, not halving
  blindly, lets the run settle just under the service's limit instead of saw-toothing between
  50% and 100% of it. Several 429s of one burst count once (no new drop within ``cooldown``).
* **success** (:meth:`AdaptiveRateLimiter.on_success`): the rate grows by ``increase`` (25%)
  per second, compounded, up to ``max_rate`` (unbounded when ``None``): a rate set too low
  (say, from a cold start's slow first answers) recovers in seconds, and at the limit the run
  only briefly probes above it before the next 429 sets it back.

The bucket starts at ``max_rate`` (unbounded when ``None``); the first 429 sets the rate. One instance is
shared by all workers of a run: an ``asyncio`` task set shares it directly; processes share one
held by a server process (a Ray actor or a ``multiprocessing`` manager), see ``workers.py``;
remote workers take their slots in blocks (:meth:`AdaptiveRateLimiter.lease`), give back those
they will not use (:meth:`AdaptiveRateLimiter.release`) and report successes in batches, with
their age (``on_success(count=, since=)``).

Example:
    >>> limiter = AdaptiveRateLimiter(max_rate=10.0, burst=1)
    >>> limiter.reserve(now=0.0), limiter.reserve(now=0.0)
    (0.0, 0.1)
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field

__all__ = ["AdaptiveRateLimiter", "LimiterState"]


@dataclass(frozen=True, slots=True)
class LimiterState:
    """What the limiter looks like now (for progress lines and tests)."""

    rate: float | None
    paused_until: float
    throttled: int


@dataclass
class AdaptiveRateLimiter:
    """See the module docstring. Times are seconds on any monotonic clock, passed as ``now``."""

    max_rate: float | None = None
    burst: float = 1.0
    min_rate: float = 0.5
    decrease: float = 0.9
    increase: float = 0.25
    window: float = 2.0
    cooldown: float = 1.0
    min_pause: float = 1.0
    _tokens: float = field(default=0.0, init=False)
    _last: float | None = field(default=None, init=False)
    _paused_until: float = field(default=-math.inf, init=False)
    _last_drop: float = field(default=-math.inf, init=False)
    _accepted: list[float] = field(default_factory=list, init=False)  # sorted accept times
    _first: float | None = field(default=None, init=False)  # the first accepted send
    throttled: int = field(default=0, init=False)
    rate: float | None = field(default=None, init=False)
    _last_raise: float | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        value = self.max_rate
        if value is not None and (isinstance(value, bool) or not (value > 0 and math.isfinite(value))):
            raise ValueError(f"max_rate must be a positive number of requests per second or None, got {value!r}")
        if not self.burst >= 1:
            raise ValueError(f"burst must be >= 1, got {self.burst!r}")
        if not 0 < self.decrease < 1:
            raise ValueError(f"decrease must be between 0 and 1, got {self.decrease!r}")
        self.rate = self.max_rate
        self._tokens = self.burst

    # -- sending -----------------------------------------------------------------------------
    def reserve(self, *, now: float) -> float:
        """Take the next send slot; return how many seconds to wait before sending."""
        start = max(now, self._paused_until)
        if self.rate is None:
            return start - now
        self._refill(start)
        self._tokens -= 1.0
        wait = 0.0 if self._tokens >= 0 else -self._tokens / self.rate
        return start - now + wait

    def lease(self, count: int, *, now: float, horizon: float) -> list[float]:
        """Take a block of up to ``count`` send slots at once: the waits :meth:`reserve` would give,
        spanning at most ``horizon`` seconds from the block's first slot (so about ``rate x horizon``
        slots, at least one). A remote worker takes its slots in blocks like this, one round trip
        per block instead of one per send.

        The span is counted from the block's first slot, not from ``now``: when other workers (or
        this worker's other sends) already hold slots ahead, the block starts after theirs and is
        still a whole block. Counted from ``now``, every lease past the horizon would be a single
        slot, one round trip per send again."""
        size = count if self.rate is None else min(count, 1 + int(horizon * self.rate + 1e-9))
        return [self.reserve(now=now) for _ in range(max(1, size))]

    def release(self, count: int, *, now: float) -> None:
        """Give back ``count`` leased slots that will not be used (a worker ran out of records, or
        got a 429 and dropped the slots it held): the next sends of every worker move up."""
        if count > 0 and self.rate is not None:
            self._refill(now)
            self._tokens = min(self.burst, self._tokens + count)

    def _refill(self, at: float) -> None:
        if self._last is None or at > self._last:
            if self._last is not None and self.rate is not None:
                self._tokens = min(self.burst, self._tokens + (at - self._last) * self.rate)
            self._last = at

    # -- feedback ----------------------------------------------------------------------------
    def on_success(self, *, now: float, count: int = 1, since: float = 0.0) -> None:
        """``count`` sends were accepted, spread evenly over the ``since`` seconds before ``now``
        (a remote worker reports its successes in batches, with the age of the oldest): count
        them, and let the rate recover."""
        if count < 1:
            return
        step = since / (count - 1) if count > 1 else 0.0
        for i in range(count):
            bisect.insort(self._accepted, now - since + i * step)
        self._first = self._accepted[0] if self._first is None else min(self._first, self._accepted[0])
        self._trim(now)
        if self.rate is None:
            return
        ceiling = self.max_rate if self.max_rate is not None else math.inf
        since_when = max(self._last_drop, self._last_raise if self._last_raise is not None else -math.inf)
        since = max(0.0, now - since_when) if math.isfinite(since_when) else 0.0
        self._last_raise = now
        self._refill(now)
        self.rate = min(ceiling, self.rate * (1.0 + self.increase) ** since)

    def on_throttled(self, *, now: float, retry_after: float | None) -> None:
        """A send got 429/503: pause everyone for ``retry_after`` and drop the rate (once per burst)."""
        self.throttled += 1
        pause = self.min_pause if retry_after is None else max(0.0, retry_after)
        self._paused_until = max(self._paused_until, now + pause)
        if now - self._last_drop < self.cooldown:
            return
        self._last_drop = now
        accepted = self.accepted_rate(now=now)
        base = self.rate if self.rate is not None else math.inf
        if accepted is not None:
            base = min(base, accepted)
        if math.isinf(base):
            base = self.min_rate * 2  # nothing measured, nothing set: start low and probe up
        self.rate = max(self.min_rate, base * self.decrease)
        # No burst after the pause: one send at its end, then the new pace.
        self._tokens = min(self._tokens, 1.0)
        self._last = max(self._last if self._last is not None else now, self._paused_until)

    def accepted_rate(self, *, now: float) -> float | None:
        """Accepted sends per second over the last ``window`` (``None`` before any success)."""
        self._trim(now)
        if not self._accepted or self._first is None:
            return None
        span = min(self.window, max(now - self._first, 1e-3))
        return len(self._accepted) / span

    def _trim(self, now: float) -> None:
        del self._accepted[:bisect.bisect_right(self._accepted, now - self.window)]

    def state(self, *, now: float) -> LimiterState:
        return LimiterState(rate=self.rate, paused_until=max(0.0, self._paused_until - now), throttled=self.throttled)
