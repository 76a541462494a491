"""The core's shared rate limit as LlamaIndex's ``rate_limiter``.

``BaseLLM.rate_limiter`` is LlamaIndex's native slot: it calls ``acquire()`` /
``async_acquire()`` once before each LLM call, and nothing tells the limiter about a 429.
:class:`FoundryLLMRateLimiter` fills that slot with a core limiter
(:class:`foundry_agents.SharedRateLimiter`, or ``RayRateLimiter`` across Ray workers) and moves the
pacing into the core's send loop, where every send, re-sends included, waits for its slot and
every 429/503 slows all the LLMs sharing it. ``FoundryAgentLLM(rate_limiter=SharedRateLimiter(...))``
wraps it for you; LlamaIndex's own limiters keep their behaviour.
"""

from __future__ import annotations

from typing import Any

from llama_index.core.rate_limiter import BaseRateLimiter

from foundry_agents.rate_limit import FrameworkLimiter

__all__ = ["FoundryLLMRateLimiter"]


class FoundryLLMRateLimiter(FrameworkLimiter, BaseRateLimiter):
    """A core limiter in ``FoundryAgentLLM.rate_limiter``: pacing and 429 feedback happen per send
    inside the call, so LlamaIndex's per-call ``acquire`` returns at once.

    Example:
        >>> from foundry_agents import SharedRateLimiter
        >>> FoundryLLMRateLimiter(SharedRateLimiter(max_rate=20.0)).acquire()
    """

    def acquire(self, num_tokens: int = 0) -> None:
        return None  # the core waits for a slot before each send

    async def async_acquire(self, num_tokens: int = 0) -> None:
        return None


def as_llama_index_limiter(value: Any) -> Any:
    """A core limiter wrapped for LlamaIndex's field; LlamaIndex's own limiters and ``None`` as given."""
    return FoundryLLMRateLimiter.wrap(value, native=BaseRateLimiter)


def core_limiter(value: Any) -> Any:
    """What the core paces with: the wrapped limiter, or nothing (LlamaIndex paces its own)."""
    return FoundryLLMRateLimiter.unwrap(value)
