"""Leasing send slots from the shared limiter in blocks (what remote workers do), on a fake
clock: the workers together get the shared rate, neither starves, a block stays a block when
other workers hold slots ahead, slots given back are reused at once, and one worker's 429 slows
every worker."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import pytest

from foundry_agents.batch import AdaptiveRateLimiter

HORIZON = 0.05  # the span of one block (workers.LEASE_HORIZON_S)
SLOTS = 16  # the most slots one block holds (workers.LEASE_SLOTS)


@dataclass
class Worker:
    """A remote worker as :class:`~foundry_agents.batch.workers.RemoteLimiter` drives one: its
    tasks take slots from the block it holds; when a free task finds none, it leases the next block."""

    tasks: int
    latency: float
    held: deque[float] = field(default_factory=deque)
    free_at: list[float] = field(default_factory=list)
    sent: list[float] = field(default_factory=list)
    blocks: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.free_at = [0.0] * self.tasks

    def step(self, limiter: AdaptiveRateLimiter, now: float) -> None:
        for task, free in enumerate(self.free_at):
            if free > now:
                continue
            if not self.held:
                block = [now + wait for wait in limiter.lease(SLOTS, now=now, horizon=HORIZON)]
                self.blocks.append(len(block))
                self.held.extend(block)
            at = max(now, self.held.popleft())
            self.sent.append(at)
            self.free_at[task] = at + self.latency


def _run(limiter: AdaptiveRateLimiter, workers: list[Worker], seconds: float, tick: float = 0.001) -> None:
    for step in range(int(seconds / tick)):
        for worker in workers:  # always in the same order: the first is favoured if anything is
            worker.step(limiter, step * tick)


@pytest.mark.parametrize("rate", [200.0, 400.0])
def test_two_workers_together_get_the_shared_rate_and_neither_starves(rate: float) -> None:
    limiter = AdaptiveRateLimiter(max_rate=rate)
    workers = [Worker(tasks=16, latency=0.002), Worker(tasks=16, latency=0.002)]
    _run(limiter, workers, seconds=5.0)
    per_worker = [sum(1 for at in w.sent if at < 5.0) for w in workers]
    assert sum(per_worker) == pytest.approx(rate * 5.0, rel=0.01)
    assert min(per_worker) >= 0.45 * sum(per_worker)
    # Each lease is a whole block (about rate x horizon slots) although the other worker, and the
    # worker's own busy tasks, always hold slots ahead: a round trip per block, not per send.
    whole = min(SLOTS, int(rate * HORIZON) + 1)
    assert all(size == whole for w in workers for size in w.blocks[1:])


def test_a_block_spans_the_horizon_from_its_first_slot() -> None:
    limiter = AdaptiveRateLimiter(max_rate=100.0)  # one send per 10 ms
    assert [round(w, 3) for w in limiter.lease(SLOTS, now=0.0, horizon=HORIZON)] == [0.0, 0.01, 0.02, 0.03, 0.04, 0.05]
    # Another worker asking at the same moment gets the next whole block, not one slot past the horizon.
    assert [round(w, 3) for w in limiter.lease(SLOTS, now=0.0, horizon=HORIZON)] == [0.06, 0.07, 0.08, 0.09, 0.1, 0.11]
    assert len(limiter.lease(3, now=0.0, horizon=HORIZON)) == 3  # never more than asked
    assert len(AdaptiveRateLimiter().lease(SLOTS, now=0.0, horizon=HORIZON)) == SLOTS  # no rate yet: all at once


def test_released_slots_are_reused_at_once() -> None:
    limiter = AdaptiveRateLimiter(max_rate=200.0)
    first = limiter.lease(SLOTS, now=0.0, horizon=HORIZON)  # worker A: 0..50 ms
    limiter.lease(SLOTS, now=0.0, horizon=HORIZON)  # worker B: 55..105 ms
    limiter.release(len(first), now=0.0)  # A had nothing to send (or got a 429): all back
    alone = AdaptiveRateLimiter(max_rate=200.0)
    alone.lease(SLOTS, now=0.0, horizon=HORIZON)  # as if only B had leased
    assert limiter.reserve(now=0.0) == pytest.approx(alone.reserve(now=0.0)) == pytest.approx(0.055)


def test_a_429_reported_by_one_worker_slows_both() -> None:
    limiter = AdaptiveRateLimiter()  # no max_rate: the 429s set it
    for _worker in ("A", "B"):
        limiter.on_success(now=1.0, count=100, since=1.0)  # each: 100 accepted over the last second
    # Worker A gets a 429: it gives back the 11 slots it still held and reports the refusal.
    limiter.release(11, now=1.0)
    limiter.on_throttled(now=1.0, retry_after=0.2)
    assert limiter.rate == pytest.approx(0.9 * 200)  # both workers' successes set the new rate
    block = limiter.lease(SLOTS, now=1.0, horizon=HORIZON)  # worker B's next block
    assert block[0] == pytest.approx(0.2)  # nobody sends before the retry-after
    assert block[1] - block[0] == pytest.approx(1 / 180)  # then at the lower shared pace


def test_successes_reported_late_count_when_they_happened() -> None:
    """A remote worker reports its successes with its next lease; the age of the oldest places
    them in time, so the accepted rate is measured over when they happened, from the first one
    (not from when the run started: a worker's start-up is not the service's limit)."""
    limiter = AdaptiveRateLimiter()
    limiter.reserve(now=0.0)  # start-up: the first answers arrive half a second later
    limiter.on_success(now=0.75, count=25, since=0.25)
    limiter.on_success(now=1.0, count=25, since=0.25)
    assert limiter.accepted_rate(now=1.0) == pytest.approx(50 / 0.5)
    limiter.on_throttled(now=1.0, retry_after=0.0)
    assert limiter.rate == pytest.approx(0.9 * 100)
