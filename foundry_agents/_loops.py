"""One value per running event loop: async HTTP pools and asyncio locks that follow the caller.

An ``httpx.AsyncClient`` or an ``asyncio.Lock`` is bound to the loop that first used it, so one
created under a first ``asyncio.run`` fails under the second ("Event loop is closed", "bound to a
different event loop"). Scripts calling ``asyncio.run`` twice, pytest-asyncio's per-test loops and
notebooks all do that. :class:`PerLoop` keeps one value per loop instead:

* created on first use in a loop, by ``factory()``;
* released when the loop shuts down: a suspended async generator is registered with the loop, and
  ``asyncio.run`` (``loop.shutdown_asyncgens``) closes it while the loop still runs, which awaits
  ``closer(value)``; a value whose loop was closed without that step is dropped on the next use;
* :meth:`PerLoop.aclose` closes the current loop's value and hands the others back to their loops.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Generic, TypeVar

__all__ = ["PerLoop"]

T = TypeVar("T")


class _Entry(Generic[T]):
    __slots__ = ("closed", "sentinel", "value")

    def __init__(self, value: T) -> None:
        self.value = value
        self.closed = False
        self.sentinel: AsyncIterator[None] | None = None


class PerLoop(Generic[T]):
    """``await get()`` returns this loop's value; thread-safe, one value per loop."""

    def __init__(self, factory: Callable[[], T],
                 closer: Callable[[T], Awaitable[Any]] | None = None) -> None:
        self._factory = factory
        self._closer = closer
        self._entries: dict[asyncio.AbstractEventLoop, _Entry[T]] = {}
        self._lock = threading.RLock()

    def __len__(self) -> int:
        return len(self._entries)

    async def get(self) -> T:
        loop = asyncio.get_running_loop()
        entry = self._entries.get(loop)
        if entry is not None:
            return entry.value
        with self._lock:
            # Loops closed without shutdown_asyncgens (loop.close() by hand) are forgotten here.
            for old in [lp for lp in self._entries if lp.is_closed()]:
                _discard(self._entries.pop(old))
            entry = self._entries.get(loop)
            if entry is None:
                entry = self._entries[loop] = _Entry(self._factory())
                fresh = True
            else:
                fresh = False
        if fresh and self._closer is not None:
            sentinel = self._watch(loop, entry)
            await sentinel.__anext__()  # registered with the loop's async-generator hooks
            entry.sentinel = sentinel
        return entry.value

    async def _watch(self, loop: asyncio.AbstractEventLoop, entry: _Entry[T]) -> AsyncIterator[None]:
        try:
            yield
        finally:
            # Runs at loop shutdown (or when the sentinel is dropped while the loop lives).
            with self._lock:
                if self._entries.get(loop) is entry:
                    del self._entries[loop]
            await self._close(entry)

    async def _close(self, entry: _Entry[T]) -> None:
        if not entry.closed and self._closer is not None:
            entry.closed = True
            await self._closer(entry.value)

    async def aclose(self) -> None:
        """Close the current loop's value now; other loops close theirs when they next run."""
        try:
            current: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            current = None
        with self._lock:
            entries, self._entries = self._entries, {}
        mine = entries.pop(current, None) if current is not None else None
        if mine is not None:
            await self._close(mine)
            if mine.sentinel is not None:
                await mine.sentinel.aclose()  # type: ignore[attr-defined]
        _release(entries)

    def clear(self) -> None:
        """Forget every value (sync); each open loop closes its own when it next runs."""
        with self._lock:
            entries, self._entries = self._entries, {}
        _release(entries)


def _release(entries: dict[asyncio.AbstractEventLoop, _Entry[Any]]) -> None:
    # Dropping a sentinel makes its loop, if still open, run its ``finally`` (closing the value);
    # a closed loop cannot run anything, so its value is simply let go.
    for loop, entry in entries.items():
        if loop.is_closed():
            _discard(entry)
    entries.clear()


def _discard(entry: _Entry[Any]) -> None:
    """Finish a sentinel without its loop (closed): nothing is awaited, nothing is logged."""
    entry.closed = True
    sentinel, entry.sentinel = entry.sentinel, None
    if sentinel is None:
        return
    closing = sentinel.aclose()  # type: ignore[attr-defined]
    try:
        closing.send(None)
    except StopIteration:
        pass
    else:  # pragma: no cover - the finally awaits nothing once closed is set
        closing.close()
