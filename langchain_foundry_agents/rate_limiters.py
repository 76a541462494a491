"""The core's shared rate limit as LangChain's ``rate_limiter``.

``BaseChatModel.rate_limiter`` is LangChain's native slot: LangChain calls ``acquire()`` once
before each model call, and nothing tells the limiter about a 429. :class:`FoundryRateLimiter`
fills that slot with a core limiter (:class:`foundry_agents.SharedRateLimiter`, or
``RayRateLimiter`` across Ray workers) and moves the pacing where it can adapt: into the core's
send loop, where *every* send, re-sends included, waits for its slot and every 429/503 slows
all the models sharing it. ``ChatFoundryAgent(rate_limiter=SharedRateLimiter(...))`` wraps it for
you. Any other ``BaseRateLimiter`` (e.g. ``InMemoryRateLimiter``) keeps LangChain's behaviour.
"""

from __future__ import annotations

from typing import Any

from langchain_core.rate_limiters import BaseRateLimiter

from foundry_agents.rate_limit import is_rate_limiter

__all__ = ["FoundryRateLimiter"]


class FoundryRateLimiter(BaseRateLimiter):
    """A core limiter in ``ChatFoundryAgent.rate_limiter``: pacing and 429 feedback happen per send
    inside the call, so LangChain's per-call ``acquire`` returns at once.

    Example:
        >>> from foundry_agents import SharedRateLimiter
        >>> shared = SharedRateLimiter(max_rate=20.0)
        >>> FoundryRateLimiter(shared).acquire()
        True
    """

    def __init__(self, limiter: Any) -> None:
        if not is_rate_limiter(limiter):
            raise TypeError(f"FoundryRateLimiter wraps a foundry_agents.SharedRateLimiter (or a RayRateLimiter), "
                            f"got {type(limiter).__name__}")
        self.limiter = limiter

    def acquire(self, *, blocking: bool = True) -> bool:
        return True  # the core waits for a slot before each send

    async def aacquire(self, *, blocking: bool = True) -> bool:
        return True

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FoundryRateLimiter) and other.limiter is self.limiter

    def __hash__(self) -> int:
        return id(self.limiter)

    def __repr__(self) -> str:
        return f"FoundryRateLimiter({self.limiter!r})"


def as_langchain_limiter(value: Any) -> Any:
    """A core limiter wrapped for LangChain's field; LangChain's own limiters and ``None`` as given."""
    if value is None or isinstance(value, BaseRateLimiter) or not is_rate_limiter(value):
        return value
    return FoundryRateLimiter(value)


def core_limiter(value: Any) -> Any:
    """What the core paces with: the wrapped limiter, or nothing (LangChain paces its own)."""
    return value.limiter if isinstance(value, FoundryRateLimiter) else None
