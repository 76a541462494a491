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

from foundry_agents.rate_limit import FrameworkLimiter

__all__ = ["FoundryRateLimiter"]


class FoundryRateLimiter(FrameworkLimiter, BaseRateLimiter):
    """A core limiter in ``ChatFoundryAgent.rate_limiter``: pacing and 429 feedback happen per send
    inside the call, so LangChain's per-call ``acquire`` returns at once.

    Example:
        >>> from foundry_agents import SharedRateLimiter
        >>> shared = SharedRateLimiter(max_rate=20.0)
        >>> FoundryRateLimiter(shared).acquire()
        True
    """

    def acquire(self, *, blocking: bool = True) -> bool:
        return True  # the core waits for a slot before each send

    async def aacquire(self, *, blocking: bool = True) -> bool:
        return True


def as_langchain_limiter(value: Any) -> Any:
    """A core limiter wrapped for LangChain's field; LangChain's own limiters and ``None`` as given."""
    return FoundryRateLimiter.wrap(value, native=BaseRateLimiter)


def core_limiter(value: Any) -> Any:
    """What the core paces with: the wrapped limiter, or nothing (LangChain paces its own)."""
    return FoundryRateLimiter.unwrap(value)
