"""Fault agents for reliability tests."""

from __future__ import annotations

import time

from .helpers import events_of, respond, text_of


async def test_flaky_fails_twice_per_input_then_succeeds(client):
    for attempt in (1, 2):
        resp = await respond(client, "flaky", "unique text A")
        assert resp.status_code == 429, attempt
        assert resp.headers["retry-after-ms"] == "10"
        assert resp.json()["error"]["code"] == "too_many_requests"
    # a different input has its own counter
    assert (await respond(client, "flaky", "unique text B")).status_code == 429
    ok = await respond(client, "flaky", "unique text A")
    assert ok.status_code == 200 and "unique text A" in text_of(ok.json())


async def test_flaky_failures_from_metadata(client):
    assert (await respond(client, "flaky", "zero", metadata={"failures": "0"})).status_code == 200


async def test_broken_and_unavailable(client):
    assert (await respond(client, "broken", "x")).status_code == 500
    resp = await respond(client, "unavailable", "x")
    assert resp.status_code == 503 and resp.json()["error"]["code"] == "service_unavailable"
    assert (await respond(client, "broken", "x", stream=True)).status_code == 500


async def test_dropper_stream_has_no_terminal_event(client):
    events = events_of(await respond(client, "dropper", "x", stream=True))
    kinds = [k for k, _ in events]
    assert kinds.count("response.output_text.delta") == 3
    assert not any(k in kinds for k in ("response.completed", "response.failed", "response.incomplete", "error"))
    assert (await respond(client, "dropper", "x")).status_code == 500


async def test_failing(client):
    body = (await respond(client, "failing", "x")).json()
    assert body["status"] == "failed" and body["error"]["code"] == "server_error"
    events = events_of(await respond(client, "failing", "x", stream=True))
    assert [k for k, _ in events] == ["response.created", "response.in_progress", "response.failed"]
    assert events[-1][1]["response"]["error"]["message"]


async def test_erroring(client):
    events = events_of(await respond(client, "erroring", "x", stream=True))
    kind, data = events[-1]
    assert kind == "error" and data["code"] == "server_error" and "message" in data and "param" in data
    assert (await respond(client, "erroring", "x")).status_code == 500


async def test_truncated(client):
    body = (await respond(client, "truncated", "tell me everything")).json()
    assert body["status"] == "incomplete"
    assert body["incomplete_details"] == {"reason": "max_output_tokens"}
    assert text_of(body)
    events = events_of(await respond(client, "truncated", "tell me everything", stream=True))
    assert events[-1][0] == "response.incomplete"
    assert events[-1][1]["response"]["incomplete_details"]["reason"] == "max_output_tokens"


async def test_slow_delay_from_metadata(client):
    start = time.monotonic()
    events = events_of(await respond(client, "slow", "one two three", stream=True, metadata={"delay": "0.05"}))
    deltas = sum(1 for k, _ in events if k == "response.output_text.delta")
    assert time.monotonic() - start >= 0.05 * deltas * 0.9
