"""Running a batch across processes: what crosses the process boundary, the shared limiter,
and the driver that writes what the workers return. ``ray_engine.py`` runs the same on Ray.

Nothing secret is pickled. A :class:`WorkerSpec` carries the endpoint, the agent and the knobs;
each worker process builds its own client (HTTP pool and credential) from it, once: the token
comes from the worker's environment (``FOUNDRY_API_KEY``), else ``credential_factory()`` (a
picklable callable, e.g. ``azure.identity.DefaultAzureCredential`` itself), else
``DefaultAzureCredential``. One :class:`SharedLimiter` held by a server process (a
``multiprocessing`` manager here, a Ray actor on Ray) paces every worker of the run.

The driver (the calling process) is the only writer of the output: it sends chunks of records
to the workers and writes each chunk's output records as the chunk completes, so resuming works
as for a local run (records of chunks still in flight when the run is killed run again).
"""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import multiprocessing
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from multiprocessing.managers import BaseManager
from typing import Any

from ..client import AsyncFoundryAgentsClient
from ..connection import ConnectionSettings
from ..errors import FoundryConfigError
from .limiter import AdaptiveRateLimiter
from .progress import Progress
from .records import BatchRecord, error_record, id_key, validate_records
from .resume import ListSink, Sink
from .runner import DEFAULT_CONCURRENCY, DEFAULT_MAX_ATTEMPTS, LimiterHandle, arun_batch, run_sync
from .summary import BatchSummary

__all__ = ["SharedLimiter", "WorkerSpec", "drive_chunks", "run_batch_processes", "run_chunk"]


@dataclass(frozen=True)
class WorkerSpec:
    """Everything a worker needs to rebuild its client; picklable and free of secrets.

    ``project_endpoint=None`` reads the worker's ``FOUNDRY_PROJECT_ENDPOINT``.
    """

    agent: str
    project_endpoint: str | None = None
    route: str = "responses"
    timeout: float | None = None
    concurrency: int = DEFAULT_CONCURRENCY
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    credential_factory: Callable[[], Any] | None = None
    user_agent_extra: str | None = "batch"

    @classmethod
    def from_settings(cls, settings: ConnectionSettings, *, agent: str, **options: Any) -> WorkerSpec:
        """The endpoint and route of ``settings``, never its token or credential object."""
        if settings.auth in ("credential", "service_principal") and options.get("credential_factory") is None:
            raise FoundryConfigError(
                "a credential object cannot cross process boundaries: pass credential_factory= (a picklable "
                "callable that builds it in each worker) or set FOUNDRY_API_KEY in the workers' environment")
        return cls(agent=agent, project_endpoint=settings.project_endpoint.url, route=settings.route.value, **options)

    def settings(self) -> ConnectionSettings:
        credential = self.credential_factory() if self.credential_factory is not None else None
        return ConnectionSettings(self.project_endpoint, credential=credential, route=self.route,
                                  timeout=self.timeout, max_retries=0, user_agent_extra=self.user_agent_extra)


class SharedLimiter:
    """An :class:`AdaptiveRateLimiter` on the clock of the process that holds it (a manager
    server or a Ray actor); workers call it remotely."""

    def __init__(self, max_rate: float | None = None) -> None:
        self.limiter = AdaptiveRateLimiter(max_rate=max_rate)

    def reserve(self, successes: int = 0, age: float = 0.0) -> float:
        """Count ``successes`` reported since the worker's last call, then take a send slot."""
        self.report(successes, age)
        return self.limiter.reserve(now=time.monotonic())

    def lease(self, successes: int, count: int, horizon: float, age: float = 0.0) -> list[float]:
        """Count ``successes`` (the oldest ``age`` seconds ago), then take a block of up to
        ``count`` send slots spanning at most ``horizon`` seconds (see
        :meth:`AdaptiveRateLimiter.lease`); returns their waits."""
        self.report(successes, age)
        return self.limiter.lease(count, now=time.monotonic(), horizon=horizon)

    def release(self, successes: int, unused: int, age: float = 0.0) -> None:
        """Count ``successes`` and take back ``unused`` leased slots."""
        self.report(successes, age)
        self.limiter.release(unused, now=time.monotonic())

    def report(self, successes: int, age: float = 0.0) -> None:
        """Count ``successes``, spread over the last ``age`` seconds (when they happened)."""
        self.limiter.on_success(now=time.monotonic(), count=successes, since=age)

    def success(self) -> None:
        self.limiter.on_success(now=time.monotonic())

    def throttled(self, retry_after: float | None, successes: int = 0, age: float = 0.0, unused: int = 0) -> None:
        """Count ``successes`` first (the new rate is based on what was accepted, all of it) and
        take back the ``unused`` slots the reporting worker held, then pause and drop the rate."""
        self.report(successes, age)
        now = time.monotonic()
        self.limiter.release(unused, now=now)
        self.limiter.on_throttled(now=now, retry_after=retry_after)

    def throttled_count(self) -> int:
        """How many 429/503 answers the workers reported."""
        return self.limiter.throttled


#: Send slots a worker leases per round trip to the shared limiter, and the time one block may
#: span (so at 200 sends/s a block is 11 slots, at 400/s 16): at 400 sends/s a worker makes about
#: 25 round trips a second instead of 400. The span bounds what one worker holds of the shared
#: budget, and what a 429 seen by another worker can still let through.
LEASE_SLOTS = 16
LEASE_HORIZON_S = 0.05


class RemoteLimiter:
    """A worker's :class:`~.runner.LimiterHandle` on a remote :class:`SharedLimiter`.

    Remote calls are what a worker's CPU goes to at high rates (a Ray actor call costs more than
    the HTTP request it paces), so the worker leases send slots in blocks (up to ``LEASE_SLOTS``
    spanning at most ``LEASE_HORIZON_S``; one lease in flight at a time) and hands them out
    locally; successes are counted locally and reported with the next call, with the age of the
    oldest, so the shared limiter measures the accepted rate over the right time. A 429 is
    reported at once and gives back the slots still held (the shared limiter has paused everyone;
    dropped, they would hold every worker back by their length). :meth:`flush` reports the last
    successes and gives the unused slots back.
    """

    def __init__(self) -> None:
        self._successes = 0
        self._oldest = 0.0  # local monotonic time of the oldest success not yet reported
        self._slots: deque[float] = deque()  # local monotonic send times
        self._pending: asyncio.Task[None] | None = None

    async def _call(self, method: str, *args: Any) -> Any:
        raise NotImplementedError

    def __getstate__(self) -> dict[str, Any]:
        # What crosses a process boundary is the handle to the shared limiter, never local slots.
        state = dict(self.__dict__)
        state.update(_successes=0, _oldest=0.0, _slots=deque(), _pending=None)
        return state

    async def reserve(self) -> float:
        loop = asyncio.get_running_loop()
        while not self._slots:
            task = self._pending
            if task is None or task.done() or task.get_loop() is not loop:
                task = self._pending = loop.create_task(self._lease())
            await asyncio.shield(task)  # a cancelled waiter leaves the lease to the others
        return max(0.0, self._slots.popleft() - time.monotonic())

    def _take_successes(self, now: float) -> tuple[int, float]:
        """The successes not yet reported, and the age of the oldest; counted as reported."""
        successes, self._successes = self._successes, 0
        return successes, (now - self._oldest if successes else 0.0)

    def _take_unused(self, now: float) -> int:
        """Drop the slots held; how many were still ahead (those behind are past, not given back)."""
        unused = sum(1 for at in self._slots if at > now)
        self._slots.clear()
        return unused

    async def _lease(self) -> None:
        successes, age = self._take_successes(time.monotonic())
        waits = await self._call("lease", successes, LEASE_SLOTS, LEASE_HORIZON_S, age)
        now = time.monotonic()
        self._slots.extend(now + float(wait) for wait in waits)

    async def success(self) -> None:
        if not self._successes:
            self._oldest = time.monotonic()
        self._successes += 1

    async def throttled(self, retry_after: float | None) -> None:
        # The successes not yet reported go first: the shared limiter sets the new rate from the
        # rate it saw accepted, and leaving them out would set it too low.
        now = time.monotonic()
        unused = self._take_unused(now)
        successes, age = self._take_successes(now)
        await self._call("throttled", retry_after, successes, age, unused)

    async def flush(self) -> None:
        """Report the successes not yet reported and give back the unused slots (end of a chunk)."""
        now = time.monotonic()
        unused = self._take_unused(now)
        successes, age = self._take_successes(now)
        if successes or unused:
            await self._call("release", successes, unused, age)


class _ProxyLimiter(RemoteLimiter):
    """Through a ``multiprocessing`` manager proxy (sub-millisecond local IPC)."""

    def __init__(self, proxy: Any) -> None:
        super().__init__()
        self.proxy = proxy

    async def _call(self, method: str, *args: Any) -> Any:
        return getattr(self.proxy, method)(*args)


_clients: dict[WorkerSpec, AsyncFoundryAgentsClient] = {}


def worker_client(spec: WorkerSpec) -> AsyncFoundryAgentsClient:
    """This process's client for ``spec``, built on first use (its own pool and credential)."""
    client = _clients.get(spec)
    if client is None:
        client = _clients[spec] = AsyncFoundryAgentsClient(connection=spec.settings())
    return client


def run_chunk(spec: WorkerSpec, chunk: list[BatchRecord], limiter: LimiterHandle) -> list[dict[str, Any]]:
    """Run one chunk in this worker process; return its output records."""
    sink = ListSink()

    async def run() -> None:
        await arun_batch(chunk, sink, agent=spec.agent, client=worker_client(spec), concurrency=spec.concurrency,
                         limiter=limiter, max_attempts=spec.max_attempts, check_agent=False)
        if isinstance(limiter, RemoteLimiter):
            await limiter.flush()

    run_sync(run())
    return sink.records


def _process_chunk(spec: WorkerSpec, chunk: list[BatchRecord], proxy: Any) -> list[dict[str, Any]]:
    return run_chunk(spec, chunk, _ProxyLimiter(proxy))


def drive_chunks(records: Iterable[Any], sink: Sink, submit: Callable[[list[BatchRecord]], cf.Future[Any]], *,
                 chunk_size: int, in_flight: int, progress: Progress | bool = False) -> BatchSummary:
    """Send chunks of the records not yet in ``sink`` through ``submit`` (at most ``in_flight`` at
    once) and write their output records as each chunk completes. A chunk whose worker failed
    (e.g. the process died) is written as one error record per record: the run goes on."""
    checked = validate_records(records)
    todo = [r for r in checked if id_key(r.id) not in sink.done]
    summary = BatchSummary(total=len(checked), skipped=len(checked) - len(todo))
    bar = (Progress() if progress is True else (progress or None)) if todo else None
    chunks = [todo[i:i + chunk_size] for i in range(0, len(todo), chunk_size)]
    chunks.reverse()
    running: dict[cf.Future[Any], list[BatchRecord]] = {}
    started = time.monotonic()
    if bar is not None:
        bar.start()
    try:
        while chunks or running:
            while chunks and len(running) < in_flight:
                chunk = chunks.pop()
                running[submit(chunk)] = chunk
            finished, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
            for future in finished:
                chunk = running.pop(future)
                try:
                    outputs = future.result()
                except Exception as exc:  # a worker died or could not start: every record says so
                    outputs = [error_record(r, exc, latency_s=0.0, attempts=1) for r in chunk]
                for out in outputs:
                    sink.write(out)
                    summary.add(out)
                if bar is not None:
                    bar.update(summary)
    finally:
        for future in running:
            future.cancel()
        summary.elapsed_s = time.monotonic() - started
        if bar is not None:
            bar.close(summary)
    return summary


class _Manager(BaseManager):
    pass


_Manager.register("SharedLimiter", SharedLimiter)


def run_batch_processes(records: Iterable[Any], sink: Sink, *, spec: WorkerSpec, workers: int = 2,
                        max_rate: float | None = None, progress: Progress | bool = False,
                        chunk_size: int | None = None) -> BatchSummary:
    """The batch on ``workers`` processes started with ``spawn`` (nothing inherited but the
    environment), sharing one limiter held by a manager process."""
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise FoundryConfigError(f"workers must be a positive integer, got {workers!r}")
    context = multiprocessing.get_context("spawn")
    size = chunk_size or spec.concurrency * 4
    with _Manager(ctx=context) as manager:
        proxy = manager.SharedLimiter(max_rate)  # type: ignore[attr-defined]
        with cf.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            return drive_chunks(records, sink, lambda chunk: pool.submit(_process_chunk, spec, chunk, proxy),
                                chunk_size=size, in_flight=workers * 2, progress=progress)
