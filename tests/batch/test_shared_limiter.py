"""One client-side rate limit shared by concurrent adapter calls (``rate_limiter=``), against the
emulator's rate-limited agent (``flaky`` with ``metadata.rate``: at most that many answers per
one-second window, a 429 with ``retry-after-ms`` above it)."""

from __future__ import annotations

import asyncio
import pickle
import time
import uuid
from typing import Any

import pytest

from foundry_agents import ConnectionSettings, FoundryAgentsClient, SharedRateLimiter
from foundry_agents.errors import FoundryConfigError, RateLimitError

RATE = 10  # answers per second the emulated service accepts
CALLS = 25


def _langchain(limiter: Any, endpoint: str, token: str, **kwargs: Any) -> Any:
    from langchain_foundry_agents import ChatFoundryAgent

    return ChatFoundryAgent("flaky", project_endpoint=endpoint, api_key=token, rate_limiter=limiter,
                            request_metadata={"rate": str(RATE)}, **kwargs)


def _llama_index(limiter: Any, endpoint: str, token: str, **kwargs: Any) -> Any:
    from llama_index_foundry import FoundryAgentLLM

    return FoundryAgentLLM("flaky", project_endpoint=endpoint, api_key=token, rate_limiter=limiter,
                           request_metadata={"rate": str(RATE)}, **kwargs)


async def _ask_all(model: Any, prompts: list[str]) -> list[str]:
    if hasattr(model, "abatch"):  # LangChain's batch: concurrent ainvoke calls
        answers = await model.abatch(prompts, config={"max_concurrency": CALLS})
        return [a.text for a in answers]
    responses = await asyncio.gather(*(model.acomplete(p) for p in prompts))  # LlamaIndex: gather
    return [r.text for r in responses]


@pytest.fixture(autouse=True)
def _next_window() -> None:
    time.sleep(1.0 - time.monotonic() % 1.0 + 0.05)  # start where the emulator's window starts (same clock)


@pytest.mark.parametrize("build", [_langchain, _llama_index], ids=["langchain", "llama_index"])
def test_concurrent_calls_sharing_a_limiter_stay_under_the_limit(build: Any, emulator_endpoint: str,
                                                                 emulator_token: str) -> None:
    tag = uuid.uuid4().hex[:6]
    prompts = [f"{tag} {i}" for i in range(CALLS)]
    limiter = SharedRateLimiter(max_rate=RATE * 0.8)
    model = build(limiter, emulator_endpoint, emulator_token, max_retries=0)  # any 429 would fail a call
    start = time.monotonic()
    answers = asyncio.run(_ask_all(model, prompts))
    elapsed = time.monotonic() - start
    assert answers == [f"Answered within the rate limit: {p}" for p in prompts]
    assert limiter.state().throttled == 0
    assert elapsed >= (CALLS - 1) / (RATE * 0.8) * 0.95  # paced, not sent at once


@pytest.mark.parametrize("build", [_langchain, _llama_index], ids=["langchain", "llama_index"])
def test_without_a_limiter_the_same_burst_is_refused(build: Any, emulator_endpoint: str, emulator_token: str) -> None:
    model = build(None, emulator_endpoint, emulator_token, max_retries=0)
    with pytest.raises(Exception) as caught:
        asyncio.run(_ask_all(model, [f"{uuid.uuid4().hex[:6]} {i}" for i in range(CALLS)]))
    assert isinstance(caught.value, RateLimitError)


@pytest.mark.parametrize("build", [_langchain, _llama_index], ids=["langchain", "llama_index"])
def test_a_429_seen_by_one_call_slows_every_call_sharing_the_limiter(build: Any, emulator_endpoint: str,
                                                                      emulator_token: str) -> None:
    """No max_rate: the limiter learns the limit from the 429s (re-sent by the core's retries)."""
    tag = uuid.uuid4().hex[:6]
    prompts = [f"{tag} {i}" for i in range(CALLS)]
    limiter = SharedRateLimiter()
    models = [build(limiter, emulator_endpoint, emulator_token, max_retries=6) for _ in range(2)]

    async def both() -> list[str]:
        halves = await asyncio.gather(_ask_all(models[0], prompts[::2]), _ask_all(models[1], prompts[1::2]))
        return halves[0] + halves[1]

    answers = asyncio.run(both())
    assert sorted(answers) == sorted(f"Answered within the rate limit: {p}" for p in prompts)
    state = limiter.state()
    # The first burst's refusals (all but RATE of the calls), from both models, reached the one
    # limiter, which then set a rate and paused everyone: no call needed its whole retry budget.
    assert CALLS - RATE <= state.throttled < 2 * CALLS and state.rate is not None


def test_sync_calls_from_threads_share_it_too(emulator_endpoint: str, emulator_token: str) -> None:
    model = _langchain(SharedRateLimiter(max_rate=RATE * 0.8), emulator_endpoint, emulator_token, max_retries=0)
    prompts = [f"{uuid.uuid4().hex[:6]} {i}" for i in range(12)]
    answers = model.batch(prompts, config={"max_concurrency": 12})  # LangChain's thread pool
    assert [a.text for a in answers] == [f"Answered within the rate limit: {p}" for p in prompts]


def test_langchain_keeps_its_own_rate_limiters(emulator_endpoint: str, emulator_token: str) -> None:
    from langchain_core.rate_limiters import InMemoryRateLimiter

    from langchain_foundry_agents import ChatFoundryAgent, FoundryRateLimiter

    theirs = InMemoryRateLimiter(requests_per_second=100)
    model = ChatFoundryAgent("echo", project_endpoint=emulator_endpoint, api_key=emulator_token, rate_limiter=theirs)
    assert model.rate_limiter is theirs and model.foundry_agent.connection.rate_limiter is None
    ours = SharedRateLimiter()
    model = ChatFoundryAgent("echo", project_endpoint=emulator_endpoint, api_key=emulator_token, rate_limiter=ours)
    assert isinstance(model.rate_limiter, FoundryRateLimiter) and model.foundry_agent.connection.rate_limiter is ours


def test_a_wrong_limiter_is_refused_naming_the_argument(emulator_endpoint: str) -> None:
    with pytest.raises(FoundryConfigError, match="rate_limiter must be"):
        ConnectionSettings(emulator_endpoint, api_key="k", rate_limiter=object())
    with pytest.raises(FoundryConfigError, match="max_rate"):
        SharedRateLimiter(max_rate=-1)


def test_the_core_client_paces_with_it_and_a_local_limiter_does_not_pickle(emulator_endpoint: str,
                                                                           emulator_token: str) -> None:
    limiter = SharedRateLimiter(max_rate=20.0)
    with FoundryAgentsClient(emulator_endpoint, api_key=emulator_token, rate_limiter=limiter) as client:
        start = time.monotonic()
        for i in range(5):
            client.create_response("echo", input=f"paced {i}")
        assert time.monotonic() - start >= 4 / 20.0 * 0.95
    with pytest.raises(TypeError, match="RayRateLimiter"):
        pickle.dumps(limiter)
    assert "SharedRateLimiter(rate=20.0" in repr(limiter)
