"""The batch driver: a thin async shell over the pure parts, and its sync twin.

Each of ``concurrency`` workers takes the next record, waits for its turn from the shared rate
limiter, calls ``create_response``, and writes one output record. A 429 or 503 (answers that
prove the request was not processed, see :mod:`foundry_agents.retry`) is fed to the limiter
and the record is sent again, up to ``max_attempts`` sends; a connection that failed before the
request was written is re-sent after the core's backoff. Every other failure is written as an
error record and the run goes on.

Why the client is built with ``max_retries=0``: the core would otherwise sleep through a 429
inside one call, out of sight of the limiter, while the other workers keep sending into the
same limit. Here one 429 slows down every worker at once. A client you pass is used as it is
(give it ``max_retries=0`` for the same effect).
"""

from __future__ import annotations

import asyncio
import signal
import sys
import threading
import time
from collections.abc import Coroutine, Iterable
from typing import Any, Protocol, TypeVar

from ..client import AsyncFoundryAgentsClient
from ..connection import ConnectionSettings
from ..errors import (
    APIConnectionError,
    APIOutcomeUnknownError,
    APIStatusError,
    FoundryConfigError,
    RateLimitError,
)
from ..reference import AgentRef
from ..retry import retry_delay, sent_before_failure, should_retry_status
from .limiter import AdaptiveRateLimiter
from .progress import Progress
from .records import BatchRecord, error_record, id_key, ok_record, validate_records
from .resume import Sink
from .summary import BatchSummary

__all__ = ["LimiterHandle", "LocalLimiter", "arun_batch", "run_batch"]

T = TypeVar("T")
DEFAULT_CONCURRENCY = 8
DEFAULT_MAX_ATTEMPTS = 20


class LimiterHandle(Protocol):
    """How a worker talks to the run's shared limiter (in-process, a Ray actor, a manager)."""

    async def reserve(self) -> float: ...
    async def success(self) -> None: ...
    async def throttled(self, retry_after: float | None) -> None: ...


class LocalLimiter:
    """An :class:`AdaptiveRateLimiter` shared by the tasks of one event loop."""

    def __init__(self, limiter: AdaptiveRateLimiter | None = None) -> None:
        self.limiter = limiter if limiter is not None else AdaptiveRateLimiter()

    async def reserve(self) -> float:
        return self.limiter.reserve(now=time.monotonic())

    async def success(self) -> None:
        self.limiter.on_success(now=time.monotonic())

    async def throttled(self, retry_after: float | None) -> None:
        self.limiter.on_throttled(now=time.monotonic(), retry_after=retry_after)


def _throttled(exc: Exception) -> bool:
    """429/503 (or ``x-should-retry: true``): the service did not process the request."""
    if isinstance(exc, APIOutcomeUnknownError) or not isinstance(exc, APIStatusError) or exc.status_code is None:
        return False
    return should_retry_status(exc.status_code, {}, idempotent=False)


def _not_sent(exc: Exception) -> bool:
    cause = exc.__cause__
    return (isinstance(exc, APIConnectionError) and not isinstance(exc, APIOutcomeUnknownError)
            and isinstance(cause, Exception) and not sent_before_failure(cause))


async def _one(client: AsyncFoundryAgentsClient, agent: str, record: BatchRecord, limiter: LimiterHandle,
               max_attempts: int) -> dict[str, Any]:
    attempts = 0
    while True:
        attempts += 1
        wait = await limiter.reserve()
        if wait > 0:
            await asyncio.sleep(wait)
        start = time.monotonic()
        try:
            response = await client.create_response(agent, **record.options())
        except Exception as exc:  # every failure becomes a record; the run never aborts
            if attempts < max_attempts and _throttled(exc):
                await limiter.throttled(exc.retry_after if isinstance(exc, RateLimitError) else None)
                continue
            if attempts < max_attempts and _not_sent(exc):
                await asyncio.sleep(retry_delay(attempts))
                continue
            return error_record(record, exc, latency_s=time.monotonic() - start, attempts=attempts)
        await limiter.success()
        return ok_record(record, response, latency_s=time.monotonic() - start, attempts=attempts)


async def arun_batch(
    records: Iterable[Any],
    sink: Sink,
    *,
    agent: str | AgentRef,
    client: AsyncFoundryAgentsClient | None = None,
    connection: ConnectionSettings | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    max_rate: float | None = None,
    limiter: LimiterHandle | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    progress: Progress | bool = False,
    check_agent: bool = True,
    **connection_args: Any,
) -> BatchSummary:
    """Run ``agent`` on every record not yet in ``sink``; return the summary.

    ``records`` are dicts (``{"id", "input", ...}``) or :class:`BatchRecord`, all checked before
    anything is sent (a bad one raises :class:`~foundry_agents.errors.FoundryConfigError` naming
    it). Output records go to ``sink`` (:class:`~.resume.JsonlSink` to resume a file,
    :class:`~.resume.ListSink` to keep them in memory) as each completes. Without ``client``, one
    is built from ``connection``/``connection_args`` (endpoint, ``api_key``, ``credential``...)
    with ``max_retries=0`` and closed at the end. ``max_rate`` caps sends per second; the limiter
    adapts below it on 429s. ``check_agent`` looks the agent up once before the first send.

    Example:
        >>> sink = ListSink()
        >>> summary = await arun_batch([{"id": 1, "input": "Hi"}], sink, agent="echo",
        ...                            project_endpoint=endpoint, api_key=token)  # doctest: +SKIP
        >>> summary.ok, sink.records[0]["output_text"]  # doctest: +SKIP
    """
    ref = AgentRef.parse(agent) if isinstance(agent, str) else agent
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise FoundryConfigError(f"concurrency must be a positive integer, got {concurrency!r}")
    if isinstance(max_attempts, bool) or not isinstance(max_attempts, int) or max_attempts < 1:
        raise FoundryConfigError(f"max_attempts must be a positive integer, got {max_attempts!r}")
    try:
        shared = limiter if limiter is not None else LocalLimiter(AdaptiveRateLimiter(max_rate=max_rate))
    except ValueError as exc:
        raise FoundryConfigError(str(exc)) from None
    checked = validate_records(records)
    todo = [r for r in checked if id_key(r.id) not in sink.done]
    summary = BatchSummary(total=len(checked), skipped=len(checked) - len(todo))
    bar = (Progress() if progress is True else (progress or None)) if todo else None
    owned = client is None
    if client is None:
        settings = ConnectionSettings.resolve(connection, where="run_batch(...)", **connection_args)
        client = AsyncFoundryAgentsClient(connection=settings.replace(max_retries=0))
    name = ref.name if ref.version is None else f"{ref.name}:{ref.version}"
    started = time.monotonic()
    try:
        if todo and check_agent:
            await client.get_agent_version(ref.name, ref.version)
        if bar is not None:
            bar.start()
        pending = iter(todo)

        async def worker() -> None:
            for record in pending:  # one shared iterator: each record is taken exactly once
                out = await _one(client, name, record, shared, max_attempts)
                sink.write(out)
                summary.add(out)
                if bar is not None:
                    bar.update(summary)

        await asyncio.gather(*(worker() for _ in range(min(concurrency, len(todo)))))
    finally:
        summary.elapsed_s = time.monotonic() - started
        if bar is not None:
            bar.close(summary)
        if owned:
            await client.close()
    return summary


def run_batch(
    records: Iterable[Any],
    sink: Sink,
    *,
    agent: str | AgentRef,
    client: AsyncFoundryAgentsClient | None = None,
    connection: ConnectionSettings | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    max_rate: float | None = None,
    limiter: LimiterHandle | None = None,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    progress: Progress | bool = False,
    check_agent: bool = True,
    **connection_args: Any,
) -> BatchSummary:
    """Sync twin of :func:`arun_batch` (same arguments); works inside a running event loop too
    (a notebook), by running the batch on a thread of its own."""
    return run_sync(arun_batch(records, sink, agent=agent, client=client, connection=connection,
                               concurrency=concurrency, max_rate=max_rate, limiter=limiter,
                               max_attempts=max_attempts, progress=progress, check_agent=check_agent,
                               **connection_args))


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coro)``, on a helper thread when this thread already runs a loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _run(coro)
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as exc:  # re-raised on the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target, name="foundry-batch")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]  # type: ignore[no-any-return]


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coro)`` with Python 3.11's Ctrl-C behaviour on 3.10 too: SIGINT cancels the
    run (the workers' ``finally`` blocks run, the output stays whole) and KeyboardInterrupt is
    raised afterwards, instead of striking inside whichever task is running, whose exception
    asyncio would then report as never retrieved (a traceback on a clean stop)."""
    if sys.version_info >= (3, 11) or threading.current_thread() is not threading.main_thread():
        return asyncio.run(coro)

    async def main() -> tuple[Any, bool]:
        loop = asyncio.get_running_loop()
        task = asyncio.ensure_future(coro)
        interrupted: list[bool] = []

        def on_sigint() -> None:
            interrupted.append(True)
            task.cancel()

        try:
            loop.add_signal_handler(signal.SIGINT, on_sigint)
        except (NotImplementedError, RuntimeError, ValueError):  # no signal support here
            return await task, False
        try:
            return await task, False
        except asyncio.CancelledError:
            if interrupted:
                return None, True
            raise
        finally:
            loop.remove_signal_handler(signal.SIGINT)

    value, was_interrupted = asyncio.run(main())
    if was_interrupted:
        raise KeyboardInterrupt
    return value  # type: ignore[no-any-return]
