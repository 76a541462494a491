"""Streamed responses: thin sync and async shells over one I/O-free core.

Iterate a stream to get neutral :mod:`~foundry_agents.streaming` events; the last one is
:class:`~foundry_agents.streaming.ResponseDone`. :meth:`ResponseStream.get_final_response`
returns the same :class:`~foundry_agents.response.AgentResponse` a non-streaming call would.
A stream that is cut (the connection drops, or it ends without a terminal event) is resumed
from the last ``sequence_number`` received (``GET /openai/v1/responses/{id}?stream=true&starting_after=N``)
when the shell was given a ``reconnect`` function (the clients give one unless ``store=False``);
events already received are skipped, so none is lost or repeated. Only when resuming is impossible
(not stored, no response id or sequence number yet, :data:`~foundry_agents.background.DEFAULT_MAX_RESUMES`
attempts in a row without a new event, or a resume answered 404/4xx) does
:class:`~foundry_agents.errors.StreamInterruptedError` surface, with the partial response, a note
saying why, and a ``continuation_token``. Data that cannot be decoded (not UTF-8, not JSON, events of the wrong shape, a garbled
``Content-Encoding``, an HTML page instead of events) raises
:class:`~foundry_agents.errors.StreamDecodeError` with ``partial_response`` and the request id.

Example:
    >>> with client.stream_response("echo", input="Hi") as stream:   # doctest: +SKIP
    ...     for text in stream.text_deltas():
    ...         print(text, end="")
    ...     final = stream.get_final_response()
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator
from typing import Any

import httpx

from .._flow import map_transport_error
from ..background import DEFAULT_MAX_RESUMES, ContinuationToken, ResumePolicy, token_of
from ..errors import (
    FoundryAgentsError,
    StreamDecodeError,
    StreamError,
    StreamInterruptedError,
    summarize_text,
)
from ..headers import ResponseHeaders, parse_headers
from ..response import AgentResponse, failed_error, parse_response
from ..telemetry import AgentSpan
from .accumulator import StreamAccumulator
from .decoder import SSEDecoder
from .events import ResponseDone, StreamEvent, TextDelta

__all__ = ["AsyncResponseStream", "ResponseStream"]

#: ``reconnect(response_id, starting_after)``: the answer to the resume request.
Reconnect = Callable[[str, "int | None"], httpx.Response]
AsyncReconnect = Callable[[str, "int | None"], Awaitable[httpx.Response]]

_raw_decode = json.JSONDecoder().raw_decode


def _loads(data: str) -> Any:
    """``json.loads`` for one SSE data line (hot path). ``raw_decode`` (public) skips the two
    whitespace scans of ``json.loads``: 1.1 against 2.0 µs for a recorded text delta, about 9% of
    the core's per-event cost (benchmarks/RESULTS.md, "Streaming"). Anything unusual (leading or
    trailing data, bad JSON) goes through ``json.loads`` for its exact error."""
    try:
        value, end = _raw_decode(data)
    except ValueError:
        return json.loads(data)  # raises the proper JSONDecodeError (or accepts leading whitespace)
    if end != len(data) and data[end:].strip():
        return json.loads(data)
    return value


#: What bad stream data raises inside the decoders (mapped to StreamDecodeError).
_DATA_ERRORS = (ValueError, RecursionError)


class _StreamCore:
    """Bytes in, neutral events out. Shared by both shells; no I/O."""

    __slots__ = ("acc", "ctype", "decoder", "headers", "is_sse", "json_parts", "request_id", "sentinel")

    def __init__(self, response: httpx.Response) -> None:
        self.request_id = response.headers.get("x-request-id") or response.headers.get("apim-request-id")
        self.acc = StreamAccumulator(request_id=self.request_id)
        self.attach(response)

    def attach(self, response: httpx.Response) -> None:
        """Read ``response`` from now on (the first answer, or a resumed stream's)."""
        self.headers = parse_headers(response.headers)
        self.decoder = SSEDecoder()
        self.ctype = ctype = response.headers.get("content-type", "")
        # A service that answers a stream request with plain JSON still gives a complete answer;
        # an HTML page (a proxy's or a login page) is read whole to say so.
        self.is_sse = "json" not in ctype and "html" not in ctype
        self.json_parts: list[bytes] = []
        self.sentinel = False

    def resume_or_raise(self, err: StreamInterruptedError, policy: ResumePolicy, *, before: int | None) -> float:
        """After a cut: the pause before resuming, or ``err`` raised with the reason it cannot be."""
        acc = self.acc
        if before is not None and acc.last_sequence_number != before:
            policy.progress()
        plan = policy.plan(acc.response_id, acc.last_sequence_number, acc.stored, acc.numbered)
        if isinstance(plan, str):
            raise self.give_up(err, plan)
        acc.mark_resume(acc.last_sequence_number)
        return plan

    def give_up(self, err: StreamError, reason: str, cause: BaseException | None = None) -> StreamError:
        acc = self.acc
        err.partial_response = acc.partial_response()
        err.continuation_token = token_of(acc.response_id, acc.last_sequence_number)
        detail = f" (last: {type(cause).__name__}: {cause})" if cause is not None else ""
        # BaseException.add_note on 3.11+; the same __notes__ list (shown in tracebacks) on 3.10.
        notes = err.__dict__.setdefault("__notes__", [])
        notes.append(f"not resumed: {reason}{detail}")
        return err

    def resume_failed(self, err: StreamInterruptedError, exc: FoundryAgentsError, policy: ResumePolicy) -> float:
        """A resume request itself failed: the pause before the next one, or ``err`` raised."""
        if ResumePolicy.permanent(exc):
            raise self.give_up(err, "the resume request was refused", exc) from exc
        acc = self.acc
        plan = policy.plan(acc.response_id, acc.last_sequence_number, acc.stored, acc.numbered)
        if isinstance(plan, str):
            raise self.give_up(err, plan, exc) from exc
        return plan

    def on_bytes(self, chunk: bytes) -> list[StreamEvent]:
        if not self.is_sse:
            self.json_parts.append(chunk)
            return []
        if self.sentinel:
            return []
        out: list[StreamEvent] = []
        try:
            self._dispatch(self.decoder.feed(chunk), out)
        except StreamError as err:
            raise self.completed(err) from None
        return out

    def _dispatch(self, events: list[Any], out: list[StreamEvent]) -> None:
        feed = self.acc.feed_into
        for sse in events:
            data = sse.data
            if data == "[DONE]":
                self.sentinel = True
                break
            if data:
                try:
                    value = _loads(data)
                except _DATA_ERRORS as exc:
                    raise self.completed(StreamDecodeError(
                        f"a stream data line is not JSON ({type(exc).__name__}: {exc}): {data!r:.80}",
                        code="invalid_stream_data", body=data)) from None
                feed(value, out)
        final = self.acc.final
        if final is not None and final.headers is None:
            final.headers = self.headers

    def on_end(self) -> list[StreamEvent]:
        if not self.is_sse:
            return [self._json_body()]
        out: list[StreamEvent] = []
        try:
            if not self.sentinel:
                self._dispatch(self.decoder.flush(), out)
            self.acc.close()
        except StreamError as err:
            raise self.completed(err) from None
        return out

    def _json_body(self) -> ResponseDone:
        """A stream request answered with a whole JSON response: as complete as a stream."""
        body = b"".join(self.json_parts)
        if "html" in self.ctype:
            page = summarize_text(body.decode("utf-8", "replace"), limit=120)
            raise self.completed(StreamDecodeError(
                f"the answer to a stream request is not an event stream but {self.ctype}: {page}",
                code="invalid_stream_data", body=body.decode("utf-8", "replace")))
        try:
            raw = json.loads(body)
        except _DATA_ERRORS as exc:
            raise self.completed(StreamDecodeError(
                f"the JSON answer to a stream request is not valid JSON ({type(exc).__name__}); "
                f"{len(body)} bytes", code="invalid_stream_data", body=body.decode("utf-8", "replace"))) from None
        if not isinstance(raw, dict):
            raise self.completed(StreamDecodeError(
                f"the JSON answer to a stream request is not a JSON object: {raw!r:.80}",
                code="invalid_stream_data", body=raw))
        final = parse_response(raw, request_id=self.request_id)
        final.headers = self.headers
        self.acc.final = final
        if final.status == "failed":
            raise failed_error(final, streamed=True)
        return ResponseDone(final)

    def completed(self, err: StreamError) -> StreamError:
        """Give a stream error met in the decoders the request id and what was received."""
        if err.request_id is None:
            err.request_id = self.request_id
        if err.partial_response is None:
            err.partial_response = self.acc.partial_response()
        return err

    def undecodable(self, exc: Exception) -> StreamError:
        """The transfer encoding (e.g. gzip) of the stream is garbled."""
        return self.completed(StreamDecodeError(
            f"the stream body could not be decoded ({type(exc).__name__}: {exc})", code="invalid_stream_data"))

    def interrupted(self, exc: Exception) -> StreamError:
        cause = map_transport_error(exc)
        err = StreamInterruptedError(
            f"the stream broke before the response finished ({cause}); the partial output is on "
            "the error's partial_response",
            code="stream_interrupted", request_id=self.request_id,
        )
        err.partial_response = self.acc.partial_response()
        return err


class _StreamBase:
    """What both shells share: the core and the views on what has arrived."""

    def __init__(self, response: httpx.Response, span: AgentSpan | None = None, *,
                 max_resumes: int = DEFAULT_MAX_RESUMES, resume_refused: str | None = None) -> None:
        self._response = response
        self._core = _StreamCore(response)
        #: The call's telemetry span (None when off): ended once, with the final answer or error.
        self._span = span
        self._policy = ResumePolicy(max_resumes=max_resumes, refused=resume_refused)

    def _end_span(self, exc: BaseException | None) -> None:
        if self._span is not None:
            self._span.end_stream(self._core.acc.final, exc)

    @property
    def response_id(self) -> str | None:
        """The response id, once the service sent it."""
        return self._core.acc.response_id

    @property
    def continuation_token(self) -> ContinuationToken | None:
        """Where this stream stands (response id and last sequence number), once the id arrived:
        persist ``token.to_str()`` to resume or wait from another process."""
        acc = self._core.acc
        return token_of(acc.response_id, acc.last_sequence_number)

    def _prime(self, token: ContinuationToken) -> None:
        """This stream continues ``token``: skip events up to its sequence number."""
        self._core.acc.resume_from(token.response_id, token.sequence_number)

    def _cut(self, err: StreamInterruptedError, has_reconnect: bool, before: int | None) -> float:
        core = self._core
        if not has_reconnect:
            raise core.give_up(err, self._policy.refused or "this stream was opened without a way to reconnect")
        return core.resume_or_raise(err, self._policy, before=before)

    @property
    def request_id(self) -> str | None:
        return self._core.request_id

    @property
    def headers(self) -> ResponseHeaders:
        """Request id, region and rate limits of the stream's HTTP answer."""
        return self._core.headers

    @property
    def final(self) -> AgentResponse | None:
        """The final response once the stream has finished, else ``None``."""
        return self._core.acc.final

    def partial_response(self) -> AgentResponse:
        """Everything received so far."""
        return self._core.acc.partial_response()

    def _final_or_raise(self) -> AgentResponse:
        final = self._core.acc.final
        if final is None:  # pragma: no cover - on_end raises first
            raise StreamInterruptedError("the stream ended without a response", request_id=self.request_id)
        return final


class ResponseStream(_StreamBase):
    """A streamed agent response (sync). Use as a context manager or iterate it to the end."""

    def __init__(self, response: httpx.Response, span: AgentSpan | None = None, *,
                 reconnect: Reconnect | None = None, **resume: Any) -> None:
        super().__init__(response, span, **resume)
        self._reconnect = reconnect
        self._iterator = self._events()

    def _read(self) -> Generator[StreamEvent, None, None]:
        core = self._core
        try:
            for chunk in self._response.iter_bytes():
                yield from core.on_bytes(chunk)
        except httpx.TransportError as exc:
            raise core.interrupted(exc) from exc
        except httpx.DecodingError as exc:
            raise core.undecodable(exc) from None
        yield from core.on_end()

    def _events(self) -> Generator[StreamEvent, None, None]:
        core = self._core
        failure: BaseException | None = None
        try:
            while True:
                before = core.acc.last_sequence_number
                try:
                    yield from self._read()
                    return
                except StreamInterruptedError as err:
                    delay = self._cut(err, self._reconnect is not None, before)
                    self._response.close()
                    self._response = self._resume(err, delay)
                    core.attach(self._response)
        except BaseException as exc:
            failure = exc
            raise
        finally:
            self._response.close()
            self._end_span(failure)

    def _resume(self, err: StreamInterruptedError, delay: float) -> httpx.Response:
        core, reconnect = self._core, self._reconnect
        assert reconnect is not None and core.acc.response_id is not None
        while True:
            if delay:
                time.sleep(delay)
            try:
                return reconnect(core.acc.response_id, core.acc.last_sequence_number)
            except FoundryAgentsError as exc:
                delay = core.resume_failed(err, exc, self._policy)

    def __iter__(self) -> Generator[StreamEvent, None, None]:
        return self._iterator

    def __next__(self) -> StreamEvent:
        return next(self._iterator)

    def text_deltas(self) -> Generator[str, None, None]:
        """Just the text, as it arrives."""
        for event in self._iterator:
            if isinstance(event, TextDelta):
                yield event.delta

    def get_final_response(self) -> AgentResponse:
        """Read the rest of the stream and return the final response."""
        for _ in self._iterator:
            pass
        return self._final_or_raise()

    def close(self) -> None:
        self._iterator.close()
        self._response.close()
        self._end_span(None)  # a stream closed before it was iterated

    def __enter__(self) -> ResponseStream:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class AsyncResponseStream(_StreamBase):
    """A streamed agent response (async). Use with ``async with`` or ``async for``."""

    def __init__(self, response: httpx.Response, span: AgentSpan | None = None, *,
                 reconnect: AsyncReconnect | None = None, **resume: Any) -> None:
        super().__init__(response, span, **resume)
        self._reconnect = reconnect
        self._iterator = self._events()

    async def _read(self) -> AsyncGenerator[StreamEvent, None]:
        core = self._core
        try:
            async for chunk in self._response.aiter_bytes():
                for event in core.on_bytes(chunk):
                    yield event
        except httpx.TransportError as exc:
            raise core.interrupted(exc) from exc
        except httpx.DecodingError as exc:
            raise core.undecodable(exc) from None
        for event in core.on_end():
            yield event

    async def _events(self) -> AsyncGenerator[StreamEvent, None]:
        core = self._core
        failure: BaseException | None = None
        try:
            while True:
                before = core.acc.last_sequence_number
                reader = self._read()
                try:
                    async for event in reader:
                        yield event
                    return
                except StreamInterruptedError as err:
                    delay = self._cut(err, self._reconnect is not None, before)
                    await self._response.aclose()
                    self._response = await self._resume(err, delay)
                    core.attach(self._response)
                finally:
                    await reader.aclose()
        except BaseException as exc:
            failure = exc
            raise
        finally:
            await self._response.aclose()
            self._end_span(failure)

    async def _resume(self, err: StreamInterruptedError, delay: float) -> httpx.Response:
        core, reconnect = self._core, self._reconnect
        assert reconnect is not None and core.acc.response_id is not None
        while True:
            if delay:
                await asyncio.sleep(delay)
            try:
                return await reconnect(core.acc.response_id, core.acc.last_sequence_number)
            except FoundryAgentsError as exc:
                delay = core.resume_failed(err, exc, self._policy)

    def __aiter__(self) -> AsyncGenerator[StreamEvent, None]:
        return self._iterator

    async def __anext__(self) -> StreamEvent:
        return await self._iterator.__anext__()

    async def text_deltas(self) -> AsyncGenerator[str, None]:
        async for event in self._iterator:
            if isinstance(event, TextDelta):
                yield event.delta

    async def get_final_response(self) -> AgentResponse:
        async for _ in self._iterator:
            pass
        return self._final_or_raise()

    async def close(self) -> None:
        await self._iterator.aclose()
        await self._response.aclose()
        self._end_span(None)  # a stream closed before it was iterated

    async def __aenter__(self) -> AsyncResponseStream:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()
