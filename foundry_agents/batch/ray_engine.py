"""The batch on Ray: ``run_batch_ray`` (what ``--engine ray`` runs) and :class:`FoundryAgentUDF`
for Ray Data's ``map_batches``. ``ray`` is the optional extra ``foundry-agents[ray]``.

Same rules as :mod:`.workers`: a :class:`~.workers.WorkerSpec` (no secrets) goes to each actor,
which builds its own client once; one ``SharedLimiter`` actor paces every worker of the run; the
driver alone writes the output, chunk by chunk, so a run resumes as a local one does.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import FoundryConfigError
from ..rate_limit import throttled_status
from ..retry import parse_retry_after
from .progress import Progress
from .records import BatchRecord
from .resume import ListSink, Sink
from .runner import arun_batch, run_sync
from .summary import BatchSummary
from .workers import RemoteLimiter, SharedLimiter, WorkerSpec, drive_chunks, worker_client

__all__ = ["FoundryAgentUDF", "RayLimiter", "RayRateLimiter", "run_batch_ray"]

RAY_MISSING = "the Ray engine needs ray: pip install 'foundry-agents[ray]'"


def _ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise FoundryConfigError(RAY_MISSING) from exc
    return ray


class RayLimiter(RemoteLimiter):
    """A ``SharedLimiter`` actor as a :class:`~.runner.LimiterHandle` (picklable: an actor handle)."""

    def __init__(self, actor: Any) -> None:
        super().__init__()
        self.actor = actor

    async def _call(self, method: str, *args: Any) -> Any:
        return await getattr(self.actor, method).remote(*args)


class RayRateLimiter:
    """A ``SharedLimiter`` actor as the ``rate_limiter=`` of clients and adapter models
    (:mod:`foundry_agents.rate_limit`): every model holding it, in any Ray worker, shares one
    adaptive limit. Pickles as the actor handle (nothing else, nothing secret).

    Example:
        >>> limiter = RayRateLimiter.create(max_rate=100.0)  # doctest: +SKIP
        >>> ChatFoundryAgent("weather:3", rate_limiter=limiter)  # doctest: +SKIP
    """

    def __init__(self, actor: Any) -> None:
        self.actor = actor

    @classmethod
    def create(cls, max_rate: float | None = None) -> RayRateLimiter:
        """Start the actor (on the Ray cluster already initialised, or a local one)."""
        return cls(_ray().remote(num_cpus=0)(SharedLimiter).remote(max_rate))

    def acquire(self) -> None:
        wait = float(_ray().get(self.actor.reserve.remote()))
        if wait > 0:
            time.sleep(wait)

    async def aacquire(self) -> None:
        wait = float(await self.actor.reserve.remote())
        if wait > 0:
            await asyncio.sleep(wait)

    def on_response(self, status: int, headers: Mapping[str, str]) -> None:
        # Not awaited: one caller's actor calls run in order, so its next reserve sees this.
        if throttled_status(status):
            self.actor.throttled.remote(parse_retry_after(headers))
        elif status < 400:
            self.actor.success.remote()

    async def aon_response(self, status: int, headers: Mapping[str, str]) -> None:
        self.on_response(status, headers)

    def throttled_count(self) -> int:
        """How many 429/503 answers the models sharing it saw."""
        return int(_ray().get(self.actor.throttled_count.remote()))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RayRateLimiter) and other.actor == self.actor

    def __hash__(self) -> int:
        return hash(self.actor)


#: Chunks each worker actor runs at once (its ``concurrency`` is split between them), so that one
#: chunk's last slow records never leave the worker idle.
CHUNKS_PER_WORKER = 2


class _Worker:
    """An async actor: its chunks run on the actor's event loop, sharing one client."""

    def __init__(self, spec: WorkerSpec, limiter: Any) -> None:
        self.spec, self.limiter = spec, RayLimiter(limiter)

    async def run(self, chunk: list[BatchRecord]) -> list[dict[str, Any]]:
        sink = ListSink()
        await arun_batch(chunk, sink, agent=self.spec.agent, client=worker_client(self.spec),
                         concurrency=max(1, self.spec.concurrency // CHUNKS_PER_WORKER), limiter=self.limiter,
                         max_attempts=self.spec.max_attempts, check_agent=False)
        return sink.records


def run_batch_ray(records: Iterable[Any], sink: Sink, *, spec: WorkerSpec, workers: int = 2,
                  max_rate: float | None = None, progress: Progress | bool = False,
                  chunk_size: int | None = None) -> BatchSummary:
    """The batch on ``workers`` Ray actors. Uses the Ray cluster already initialised, else starts
    a local one (``ray.init()``; ``RAY_ADDRESS`` picks an existing cluster)."""
    ray = _ray()
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise FoundryConfigError(f"workers must be a positive integer, got {workers!r}")
    if not ray.is_initialized():
        ray.init(include_dashboard=False, log_to_driver=False)
    # num_cpus=0: the work is waiting on the network, and a small cluster must still place them all.
    limiter = ray.remote(num_cpus=0)(SharedLimiter).remote(max_rate)
    worker_class = ray.remote(num_cpus=0, max_concurrency=CHUNKS_PER_WORKER)(_Worker)
    actors = [worker_class.remote(spec, limiter) for _ in range(workers)]
    turn = iter(range(1 << 62))

    def submit(chunk: list[BatchRecord]) -> Any:
        return actors[next(turn) % workers].run.remote(chunk).future()

    try:
        return drive_chunks(records, sink, submit, chunk_size=chunk_size or spec.concurrency * 4,
                            in_flight=workers * CHUNKS_PER_WORKER * 2, progress=progress)
    finally:
        for actor in (*actors, limiter):
            ray.kill(actor)


class FoundryAgentUDF:
    """A callable class for ``Dataset.map_batches``: each batch's rows (``id``, ``input`` and the
    optional columns) in, output columns (``status``, ``output_text``, ``response_id``, usage,
    ``error``...) out. Each Ray worker builds its client once from the spec (environment or
    ``credential_factory``), never from a pickled secret. Pass ``limiter=`` a :class:`RayRateLimiter`
    (or its ``SharedLimiter`` actor) to share one rate limit between all the UDF's workers, and
    with framework models holding the same limiter.

    Example:
        >>> ds.map_batches(FoundryAgentUDF, fn_constructor_kwargs={"spec": WorkerSpec(agent="echo")},
        ...                batch_size=32, concurrency=2, batch_format="pandas")  # doctest: +SKIP
    """

    def __init__(self, spec: WorkerSpec, limiter: Any = None, max_rate: float | None = None) -> None:
        self.spec = spec
        actor = limiter.actor if isinstance(limiter, RayRateLimiter) else limiter
        self.limiter = RayLimiter(actor) if actor is not None else None
        self.max_rate = max_rate
        worker_client(spec)  # fail at start-up, not on the first batch

    def __call__(self, batch: Any) -> Any:
        rows = batch.to_dict("records") if hasattr(batch, "to_dict") else _rows(batch)
        records = [{k: _plain(v) for k, v in row.items() if _plain(v) is not None} for row in rows]
        sink = ListSink()
        run_sync(arun_batch(records, sink, agent=self.spec.agent, client=worker_client(self.spec),
                            concurrency=self.spec.concurrency, limiter=self.limiter, max_rate=self.max_rate,
                            max_attempts=self.spec.max_attempts, check_agent=False))
        by_id = {str(r["id"]): r for r in sink.records}
        outs = [by_id[str(r["id"])] for r in records]
        columns = ("id", "status", "output_text", "response_id", "usage", "error", "latency_ms")
        return {name: [out.get(name) for out in outs] for name in columns}


def _rows(batch: dict[str, Any]) -> list[dict[str, Any]]:
    names = list(batch)
    return [dict(zip(names, values, strict=True)) for values in zip(*(batch[n] for n in names), strict=True)]


def _plain(value: Any) -> Any:
    """numpy scalars/arrays (Ray's default batch format) as plain JSON values."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, float) and value != value:  # pandas' NaN for a missing optional column
        return None
    return value
