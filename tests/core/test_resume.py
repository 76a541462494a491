"""Stream resume and polling, precisely, over a scripted transport (sync and async): what is sent
on a resume, that no event is lost or repeated, when the error surfaces, and ``retry-after``."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import foundry_agents.background as background
from foundry_agents import StreamInterruptedError, TextDelta
from foundry_agents.background import ContinuationToken, PollSchedule, ResumePolicy
from foundry_agents.errors import WaitTimeoutError
from foundry_agents.response import parse_response
from foundry_agents.streaming import StreamAccumulator

from ._harness import collect_stream, run_client, sse

MODES = ["sync", "async"]
SSE = {"content-type": "text/event-stream"}
FINAL = {"id": "resp_1", "object": "response", "status": "completed",
         "output": [{"type": "message", "id": "msg_1", "role": "assistant", "status": "completed",
                     "content": [{"type": "output_text", "text": "one two three four", "annotations": []}]}]}


def numbered() -> list[dict[str, Any]]:
    words = ["one", " two", " three", " four"]
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": {"id": "resp_1", "status": "in_progress", "store": True}},
        {"type": "response.output_item.added", "output_index": 0,
         "item": {"type": "message", "id": "msg_1", "content": []}},
        *({"type": "response.output_text.delta", "output_index": 0, "content_index": 0, "delta": w} for w in words),
        {"type": "response.completed", "response": FINAL},
    ]
    return [{**e, "sequence_number": n} for n, e in enumerate(events)]


class Script:
    """Answers the create call with the events up to ``cut``, then each resume as scripted."""

    def __init__(self, cut: int, resumes: list[Any]) -> None:
        self.events = numbered()
        self.cut = cut
        self.resumes = list(resumes)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.method == "POST":
            return httpx.Response(200, content=sse(*self.events[:self.cut]), headers=SSE)
        step = self.resumes.pop(0)
        if isinstance(step, int):  # the service replays from this number (overlapping what we have)
            return httpx.Response(200, content=sse(*self.events[step:]), headers=SSE)
        return step


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    monkeypatch.setattr(background, "RESUME_BACKOFF", 0.0)
    import foundry_agents._flow as flow
    monkeypatch.setattr(flow, "retry_delay", lambda attempt, headers=None: 0.0)


def text(events: list[Any]) -> str:
    return "".join(e.delta for e in events if isinstance(e, TextDelta))


@pytest.mark.parametrize("mode", MODES)
def test_resume_asks_for_the_events_after_the_last_number_and_skips_repeats(mode):
    # Cut after "one two"; the resumed stream starts two events early: nothing may repeat.
    script = Script(cut=4, resumes=[2])
    events = run_client(mode, script, lambda c: collect_stream(mode, c, "echo", input="x"))
    assert text(events) == "one two three four"
    assert events[-1].response.output_text == "one two three four"
    resume = script.requests[1]
    assert resume.method == "GET" and resume.url.path.endswith("/openai/v1/responses/resp_1")
    assert dict(resume.url.params) == {"stream": "true", "starting_after": "3"}
    assert resume.headers["accept"] == "text/event-stream"


@pytest.mark.parametrize("mode", MODES)
def test_a_transport_error_mid_stream_is_resumed(mode):
    class Cut(httpx.SyncByteStream, httpx.AsyncByteStream):
        def __init__(self, body: bytes) -> None:
            self.body = body

        def __iter__(self) -> Any:
            yield self.body
            raise httpx.ReadError("connection reset")

        async def __aiter__(self) -> Any:
            yield self.body
            raise httpx.ReadError("connection reset")

    script = Script(cut=0, resumes=[4])
    first = sse(*numbered()[:4])

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            script.requests.append(request)
            return httpx.Response(200, stream=Cut(first), headers=SSE)
        return script(request)

    events = run_client(mode, handler, lambda c: collect_stream(mode, c, "echo", input="x"))
    assert text(events) == "one two three four"


@pytest.mark.parametrize("mode", MODES)
def test_resumes_that_bring_nothing_give_up_after_the_limit_with_partial(mode):
    nothing = httpx.Response(200, content=b"", headers=SSE)
    script = Script(cut=4, resumes=[nothing] * 10)
    with pytest.raises(StreamInterruptedError) as caught:
        run_client(mode, script, lambda c: collect_stream(mode, c, "echo", input="x"))
    err = caught.value
    assert err.partial_response.output_text == "one two"
    assert err.continuation_token == ContinuationToken("resp_1", 3)
    assert len(script.requests) == 1 + background.DEFAULT_MAX_RESUMES
    assert any("in a row brought no new event" in n for n in err.__notes__)


@pytest.mark.parametrize("mode", MODES)
def test_a_refused_resume_gives_up_at_once(mode):
    gone = httpx.Response(404, json={"error": {"code": "not_found", "message": "Response not found."}})
    script = Script(cut=4, resumes=[gone])
    with pytest.raises(StreamInterruptedError) as caught:
        run_client(mode, script, lambda c: collect_stream(mode, c, "echo", input="x"))
    assert len(script.requests) == 2 and caught.value.partial_response.output_text == "one two"
    assert any("refused" in n for n in caught.value.__notes__)


@pytest.mark.parametrize("mode", MODES)
def test_store_false_sends_no_resume(mode):
    script = Script(cut=4, resumes=[])
    with pytest.raises(StreamInterruptedError):
        run_client(mode, script, lambda c: collect_stream(mode, c, "echo", input="x", store=False))
    assert len(script.requests) == 1


@pytest.mark.parametrize("mode", MODES)
def test_wait_honours_retry_after_and_stops_at_a_terminal_status(mode, monkeypatch):
    slept: list[float] = []
    import asyncio
    import time

    async def fake_async_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(time, "sleep", slept.append)
    monkeypatch.setattr(asyncio, "sleep", fake_async_sleep)
    answers = [
        httpx.Response(200, json={"id": "resp_1", "status": "queued"}, headers={"retry-after-ms": "1234"}),
        httpx.Response(200, json={"id": "resp_1", "status": "in_progress"}),
        httpx.Response(200, json={"id": "resp_1", "status": "incomplete", "output": []}),
    ]
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answers.pop(0)

    result = run_client(mode, handler, lambda c: c.wait_for_response("resp_1", poll_interval=0.1))
    assert result.status == "incomplete" and len(seen) == 3
    assert all(r.method == "GET" and r.url.path.endswith("/responses/resp_1") for r in seen)
    assert slept == [1.234, 0.2]


def test_poll_schedule_backs_off_caps_and_respects_the_deadline():
    running = parse_response({"id": "resp_1", "status": "in_progress"})
    schedule = PollSchedule("resp_1", started=100.0, timeout=10.0, poll_interval=1.0, max_poll_interval=3.0)
    delays = [schedule.next_delay(running, {}, 100.0) for _ in range(4)]
    assert delays == [1.0, 2.0, 3.0, 3.0]
    assert schedule.next_delay(running, {}, 109.5) == pytest.approx(0.5)  # never sleeps past the deadline
    with pytest.raises(WaitTimeoutError) as caught:
        schedule.next_delay(running, {}, 110.0)
    assert caught.value.continuation_token == ContinuationToken("resp_1")
    assert schedule.next_delay(parse_response({"id": "resp_1", "status": "cancelled"}), {}, 999.0) is None


def test_resume_policy_reasons():
    assert "not stored" in str(ResumePolicy().plan("resp_1", 3, False))
    assert "before the response id" in str(ResumePolicy().plan(None, None, None))
    assert "sequence_number" in str(ResumePolicy().plan("resp_1", None, None))
    assert "sequence_number" in str(ResumePolicy().plan("resp_1", 3, None, numbered=False))
    policy = ResumePolicy(max_resumes=2)
    assert policy.plan("resp_1", 3, True) == 0.0
    assert isinstance(policy.plan("resp_1", 3, True), float)
    assert "2 resume attempt(s)" in str(policy.plan("resp_1", 3, True))
    policy.progress()
    assert policy.plan("resp_1", 9, True) == 0.0


def test_accumulator_skips_events_it_already_fed_after_a_resume():
    acc = StreamAccumulator()
    events = numbered()
    for event in events[:4]:
        acc.feed(event)
    acc.mark_resume(acc.last_sequence_number)
    out = [e for event in events[2:] for e in acc.feed(event)]
    assert text(out) == " three four" and acc.final is not None and acc.last_sequence_number == 6


@pytest.mark.parametrize("value", [ContinuationToken("resp_1"), ContinuationToken("caresp_9", 0),
                                   ContinuationToken("resp_x", 10**12)])
def test_token_round_trip(value):
    assert ContinuationToken.from_str(value.to_str()) == value
    assert str(value) == value.to_str() and value.to_str().isascii()


@pytest.mark.parametrize("mode", MODES)
def test_a_resume_that_fails_then_works_continues_the_stream(mode):
    refused_once = httpx.Response(503, json={"error": {"code": "busy", "message": "try later"}})
    script = Script(cut=4, resumes=[refused_once, 4])
    events = run_client(mode, script, lambda c: collect_stream(mode, c, "echo", input="x"), max_retries=0)
    assert text(events) == "one two three four" and len(script.requests) == 3


@pytest.mark.parametrize("mode", MODES)
def test_a_token_resumes_in_a_fresh_client_without_repeating(mode):
    script = Script(cut=0, resumes=[0])  # the service replays everything; the token says 3 were seen
    token = ContinuationToken("resp_1", 3)

    def action(c: Any) -> Any:
        return collect_stream_from(mode, c, token)

    events = run_client(mode, script, action)
    assert text(events) == " three four" and events[-1].response.output_text == "one two three four"
    assert dict(script.requests[0].url.params) == {"stream": "true", "starting_after": "3"}


def collect_stream_from(mode: str, client: Any, token: ContinuationToken) -> Any:
    if mode == "sync":
        with client.resume_stream(token) as stream:
            return list(stream)

    async def go() -> Any:
        stream = await client.resume_stream(token.to_str())
        async with stream:
            return [e async for e in stream]

    return go()
