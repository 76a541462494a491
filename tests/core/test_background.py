"""Long-running responses end to end against the emulator (sync and async): background create,
wait, cancel, stream resume across cuts, continuation tokens used from a fresh client."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from foundry_agents import (
    AsyncFoundryAgentsClient,
    FoundryAgentsClient,
    FoundryConfigError,
    ResponseFailedError,
    StreamInterruptedError,
    TextDelta,
)
from foundry_agents.background import ContinuationToken
from foundry_agents.errors import BadRequestError, WaitTimeoutError


def run(mode: str, endpoint: str, token: str, action: Any) -> Any:
    """``action(client)`` with a fresh sync or async client; async actions return awaitables."""
    if mode == "sync":
        with FoundryAgentsClient(endpoint, api_key=token) as client:
            return action(client)

    async def go() -> Any:
        async with AsyncFoundryAgentsClient(endpoint, api_key=token) as client:
            return await action(client)

    return asyncio.run(go())


def stream_all(mode: str, client: Any, opener: Any) -> Any:
    """Open a stream with ``opener(client)`` and read it to the end: (events, stream)."""
    if mode == "sync":
        with opener(client) as stream:
            return list(stream), stream

    async def go() -> Any:
        stream = await opener(client)
        async with stream:
            return [e async for e in stream], stream

    return go()


@pytest.fixture(params=["sync", "async"])
def mode(request: Any) -> str:
    return str(request.param)


@pytest.fixture
def call(mode: str, emulator_endpoint: str, emulator_token: str) -> Any:
    return lambda action: run(mode, emulator_endpoint, emulator_token, action)


def text(events: list[Any]) -> str:
    return "".join(e.delta for e in events if isinstance(e, TextDelta))


def test_background_returns_at_once_and_wait_polls_to_completion(call):
    started = call(lambda c: c.create_response("long_running", input="index the docs", background=True,
                                               metadata={"duration": "0.6"}))
    assert started.status in ("queued", "in_progress") and started.output_text == ""
    done = call(lambda c: c.wait_for_response(started.id, poll_interval=0.02))
    assert done.status == "completed" and done.id == started.id
    assert done.output_text == "Finished the long task: index the docs"


def test_polling_sees_queued_then_in_progress_then_completed(call):
    started = call(lambda c: c.create_response("long_running", input="x", background=True,
                                               metadata={"duration": "1.5"}))
    assert started.status == "queued"
    seen = [started.status]

    def poll(c: Any) -> Any:
        return c.get_response(started.id)

    while seen[-1] != "completed":
        seen.append(call(poll).status)
    order = [s for i, s in enumerate(seen) if i == 0 or s != seen[i - 1]]
    assert order[0] == "queued" and order[-1] == "completed"
    assert set(order) <= {"queued", "in_progress", "completed"}


def test_wait_deadline_raises_a_typed_timeout_with_a_token_another_client_can_use(call):
    started = call(lambda c: c.create_response("long_running", input="long", background=True,
                                               metadata={"duration": "60"}))
    with pytest.raises(WaitTimeoutError) as caught:
        call(lambda c: c.wait_for_response(started, timeout=0.05, poll_interval=0.01))
    err = caught.value
    assert isinstance(err, TimeoutError) and err.last_response.status in ("queued", "in_progress")
    token = ContinuationToken.from_str(err.continuation_token.to_str())
    cancelled = call(lambda c: c.cancel_response(token.response_id))
    assert cancelled.status == "cancelled"
    # Waiting on a cancelled response ends at once with that status.
    assert call(lambda c: c.wait_for_response(token.to_str())).status == "cancelled"
    # Cancelling again is idempotent.
    assert call(lambda c: c.cancel_response(token.response_id)).status == "cancelled"


def test_cancel_refuses_a_response_that_is_not_background(call):
    plain = call(lambda c: c.create_response("echo", input="hi"))
    with pytest.raises(BadRequestError, match="synchronous"):
        call(lambda c: c.cancel_response(plain.id))


def test_wait_on_a_failed_background_response_raises_the_failure(call):
    started = call(lambda c: c.create_response("failing", input="x", background=True))
    with pytest.raises(ResponseFailedError):
        call(lambda c: c.wait_for_response(started.id, poll_interval=0.01))


def test_wait_returns_a_finished_response_without_a_request(call):
    done = call(lambda c: c.create_response("echo", input="hi"))
    assert call(lambda c: c.wait_for_response(done)) is done


def test_a_cut_stream_is_resumed_without_losing_or_repeating_events(mode, call):
    whole = call(lambda c: c.create_response("cutoff", input="resume me"))
    events, stream = call(lambda c: stream_all(mode, c, lambda cl: cl.stream_response("cutoff", input="resume me",
                                                                                      background=True)))
    numbers = [e for e in events]
    assert text(events) == whole.output_text
    final = events[-1].response
    assert final.status == "completed" and final.output_text == whole.output_text
    assert len(numbers) == len(set(map(id, numbers)))
    assert stream.continuation_token.response_id == final.id


def test_a_stream_cut_many_times_still_completes_while_each_resume_brings_events(mode, call):
    whole = call(lambda c: c.create_response("cutoff", input="again"))

    def go(c: Any) -> Any:
        return stream_all(mode, c, lambda cl: cl.stream_response("cutoff", input="again", background=True,
                                                                  metadata={"cuts": "9", "cut_after": "3"}))

    events, _ = call(go)
    assert text(events) == whole.output_text and events[-1].response.status == "completed"


def test_a_stream_cut_before_the_response_id_surfaces_the_error_with_partial(mode, call):
    def go(c: Any) -> Any:
        return stream_all(mode, c, lambda cl: cl.stream_response("cutoff", input="x", background=True,
                                                                  metadata={"cut_after": "0"}))

    with pytest.raises(StreamInterruptedError) as caught:
        call(go)
    err = caught.value
    assert err.partial_response is not None and err.continuation_token is None
    assert any("before the response id" in note for note in err.__notes__)


def test_a_cut_stream_of_a_response_that_is_not_background_surfaces_the_refusal(mode, call):
    def go(c: Any) -> Any:
        return stream_all(mode, c, lambda cl: cl.stream_response("cutoff", input="x"))

    with pytest.raises(StreamInterruptedError) as caught:
        call(go)
    assert caught.value.partial_response.output_text
    assert any("refused" in note and "background=true" in note for note in caught.value.__notes__)


def test_store_false_is_not_resumed(mode, call):
    def go(c: Any) -> Any:
        return stream_all(mode, c, lambda cl: cl.stream_response("cutoff", input="x", store=False))

    with pytest.raises(StreamInterruptedError) as caught:
        call(go)
    assert any("store=False" in note for note in caught.value.__notes__)


def test_resume_stream_from_a_token_in_another_client(mode, call):
    def first_part(c: Any) -> Any:
        return stream_all(mode, c, lambda cl: cl.stream_response("long_running", input="part", background=True,
                                                                  metadata={"duration": "0.3"}))

    events, stream = call(first_part)
    token = stream.continuation_token
    assert token is not None
    # Replaying everything from a bare id gives the same text; from the token, nothing is repeated.
    replay, _ = call(lambda c: stream_all(mode, c, lambda cl: cl.resume_stream(token.response_id)))
    assert text(replay) == text(events) and replay[-1].response.output_text == events[-1].response.output_text
    middle = ContinuationToken(token.response_id, 4)
    rest, _ = call(lambda c: stream_all(mode, c, lambda cl: cl.resume_stream(middle.to_str())))
    assert rest[-1].response.output_text == events[-1].response.output_text
    assert len(rest) < len(replay)


def test_background_stream_can_be_cancelled_and_ends_cancelled(mode, call):
    started = call(lambda c: c.create_response("long_running", input="x", background=True,
                                               metadata={"duration": "30"}))
    call(lambda c: c.cancel_response(started.id))
    events, _ = call(lambda c: stream_all(mode, c, lambda cl: cl.resume_stream(started.id)))
    assert events[-1].response.status == "cancelled"


@pytest.mark.parametrize("bad", ["", "fa1.???", "fa1.e30", "resp/../x", 42])
def test_bad_tokens_fail_before_any_request(call, bad):
    with pytest.raises(FoundryConfigError):
        call(lambda c: c.wait_for_response(bad))


def test_bad_wait_arguments_are_named(call):
    with pytest.raises(FoundryConfigError, match="poll_interval"):
        call(lambda c: c.wait_for_response("resp_1", poll_interval=-1))
