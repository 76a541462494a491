"""A client-side rate limit shared by many concurrent calls: the ``rate_limiter=`` connection argument.

Give one :class:`SharedRateLimiter` to every client or adapter model that calls the same agent
(``ConnectionSettings(rate_limiter=...)``, ``ChatFoundryAgent(..., rate_limiter=...)``,
``FoundryAgentLLM(..., rate_limiter=...)``) and their sends share one adaptive limit: each send,
re-sends included, waits for its slot; a 429 or 503 seen by *any* of them pauses all of them for
the ``retry-after`` the service gave and lowers the rate to what the service accepted (the
batch's :class:`~foundry_agents.batch.limiter.AdaptiveRateLimiter`, the same logic). Threads,
event loops and tasks may share one. Across processes, use a limiter held by one process:
:class:`foundry_agents.batch.ray_engine.RayRateLimiter` (a Ray actor) implements the same
:class:`RateLimiter` protocol.

Example:
    >>> limiter = SharedRateLimiter(max_rate=50.0)
    >>> limiter.wait_time() == 0.0
    True
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from .retry import parse_retry_after

if TYPE_CHECKING:
    from .batch.limiter import LimiterState

__all__ = ["FrameworkLimiter", "RateLimiter", "SharedRateLimiter", "is_rate_limiter", "throttled_status"]


@runtime_checkable
class RateLimiter(Protocol):
    """What the clients call around each send (sync and async twins)."""

    def acquire(self) -> None:
        """Block until this send may go."""

    async def aacquire(self) -> None:
        """Wait (without blocking the loop) until this send may go."""

    def on_response(self, status: int, headers: Mapping[str, str]) -> None:
        """Feedback: the service answered ``status`` (a 429/503 lowers the rate for everyone)."""

    async def aon_response(self, status: int, headers: Mapping[str, str]) -> None: ...


def is_rate_limiter(value: Any) -> bool:
    return all(callable(getattr(value, name, None)) for name in ("acquire", "aacquire", "on_response", "aon_response"))


class FrameworkLimiter:
    """A core limiter in a chat framework's ``rate_limiter`` slot (mixed into each adapter's class
    beside the framework's own base): the framework's per-call acquire returns at once, because
    the core paces every send itself. Two wrappers of the same core limiter are equal.
    """

    limiter: Any

    def __init__(self, limiter: Any) -> None:
        if not is_rate_limiter(limiter):
            raise TypeError(f"{type(self).__name__} wraps a foundry_agents.SharedRateLimiter (or a RayRateLimiter), "
                            f"got {type(limiter).__name__}")
        self.limiter = limiter

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and getattr(other, "limiter", None) is self.limiter

    def __hash__(self) -> int:
        return id(self.limiter)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.limiter!r})"

    @classmethod
    def wrap(cls, value: Any, *, native: type) -> Any:
        """A core limiter wrapped for the framework's field; the framework's own (``native``) limiters
        and ``None`` as given."""
        if value is None or isinstance(value, native) or not is_rate_limiter(value):
            return value
        return cls(value)

    @classmethod
    def unwrap(cls, value: Any) -> Any:
        """What the core paces with: the wrapped limiter, or nothing (the framework paces its own)."""
        return value.limiter if isinstance(value, cls) else None


def throttled_status(status: int) -> bool:
    """429 and 503: the service refused the request for load, so every sender should slow down."""
    return status in (429, 503)


class SharedRateLimiter:
    """An :class:`AdaptiveRateLimiter` for the calls of one process (thread- and loop-safe).

    ``max_rate`` caps sends per second (``None``: no cap until the first 429 sets one); the other
    keyword arguments go to :class:`~foundry_agents.batch.limiter.AdaptiveRateLimiter`. It holds a
    lock, so it does not cross process boundaries: pickling it raises (use the Ray limiter).
    """

    def __init__(self, max_rate: float | None = None, **options: Any) -> None:
        from .batch.limiter import AdaptiveRateLimiter  # the batch package loads only when used
        from .errors import FoundryConfigError

        try:
            self.limiter = AdaptiveRateLimiter(max_rate=max_rate, **options)
        except (TypeError, ValueError) as exc:
            raise FoundryConfigError(f"SharedRateLimiter(...): {exc}") from None
        self._lock = threading.Lock()

    def wait_time(self) -> float:
        """Take the next send slot; seconds to wait before sending."""
        with self._lock:
            return self.limiter.reserve(now=time.monotonic())

    def acquire(self) -> None:
        wait = self.wait_time()
        if wait > 0:
            time.sleep(wait)

    async def aacquire(self) -> None:
        wait = self.wait_time()
        if wait > 0:
            await asyncio.sleep(wait)

    def on_response(self, status: int, headers: Mapping[str, str]) -> None:
        with self._lock:
            now = time.monotonic()
            if throttled_status(status):
                self.limiter.on_throttled(now=now, retry_after=parse_retry_after(headers))
            elif status < 400:
                self.limiter.on_success(now=now)

    async def aon_response(self, status: int, headers: Mapping[str, str]) -> None:
        self.on_response(status, headers)

    def state(self) -> LimiterState:
        """The current rate, pause and count of 429/503 seen."""
        with self._lock:
            return self.limiter.state(now=time.monotonic())

    def __reduce__(self) -> Any:
        raise TypeError("a SharedRateLimiter paces the calls of one process and cannot be pickled; across "
                        "processes share a RayRateLimiter (foundry_agents.batch.ray_engine)")

    def __repr__(self) -> str:
        state = self.state()
        return f"SharedRateLimiter(rate={state.rate!r}, throttled={state.throttled})"
