"""Long-running responses in the emulator: background status by polling, cancel, stream replay
with ``starting_after``, the ``cutoff`` agent's cut streams, settings from the agents file."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from foundry_agents.emulator import create_app

from .helpers import AUTH, PROJECT, parse_sse, respond, text_of

RESPONSES = f"{PROJECT}/openai/v1/responses"


async def poll_until_done(client: httpx.AsyncClient, rid: str) -> list[str]:
    seen: list[str] = []
    while not seen or seen[-1] in ("queued", "in_progress"):
        seen.append((await client.get(f"{RESPONSES}/{rid}")).json()["status"])
        await asyncio.sleep(0.02)
    return seen


async def test_background_response_is_queued_then_in_progress_then_completed(client):
    created = (await respond(client, "long_running", "x", background=True, metadata={"duration": "0.5"})).json()
    assert created["status"] == "queued" and created["background"] is True
    assert created["output"] == [] and created["usage"] is None and created["completed_at"] is None
    seen = await poll_until_done(client, created["id"])
    assert seen[-1] == "completed" and "in_progress" in seen
    done = (await client.get(f"{RESPONSES}/{created['id']}")).json()
    assert text_of(done) == "Finished the long task: x" and done["usage"]["total_tokens"] > 0


async def test_an_instant_agent_run_in_the_background_is_still_queued_at_first(client):
    created = (await respond(client, "echo", "hi", background=True)).json()
    assert created["status"] == "queued"
    assert (await poll_until_done(client, created["id"]))[-1] == "completed"


async def test_cancel_a_running_response_then_again_then_a_finished_one(client):
    created = (await respond(client, "long_running", "x", background=True, metadata={"duration": "60"})).json()
    cancelled = await client.post(f"{RESPONSES}/{created['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert (await client.post(f"{RESPONSES}/{created['id']}/cancel")).json()["status"] == "cancelled"
    assert (await client.get(f"{RESPONSES}/{created['id']}")).json()["status"] == "cancelled"
    plain = (await respond(client, "echo", "x")).json()
    refused = await client.post(f"{RESPONSES}/{plain['id']}/cancel")
    assert refused.status_code == 400 and "synchronous" in refused.json()["error"]["message"]
    finished = (await respond(client, "echo", "x", background=True)).json()
    await poll_until_done(client, finished["id"])
    kept = await client.post(f"{RESPONSES}/{finished['id']}/cancel")
    assert kept.status_code == 200 and kept.json()["status"] == "completed"
    missing = await client.post(f"{RESPONSES}/resp_missing/cancel")
    assert missing.status_code == 404


async def test_a_stream_of_a_cancelled_response_ends_with_the_cancelled_status(client):
    created = (await respond(client, "long_running", "x", background=True, metadata={"duration": "60"})).json()
    await client.post(f"{RESPONSES}/{created['id']}/cancel")
    events = parse_sse((await client.get(f"{RESPONSES}/{created['id']}", params={"stream": "true"})).text)
    kind, data = events[-1]
    assert kind == "response.cancelled" and data["response"]["status"] == "cancelled"


async def test_starting_after_replays_only_the_later_events(client):
    created = (await respond(client, "echo", "one two three", background=True)).json()
    full = parse_sse((await client.get(f"{RESPONSES}/{created['id']}", params={"stream": "true"})).text)
    numbers = [d["sequence_number"] for _, d in full]
    assert numbers == list(range(len(full))) and full[-1][0] == "response.completed"
    rest = parse_sse((await client.get(f"{RESPONSES}/{created['id']}",
                                       params={"stream": "true", "starting_after": "4"})).text)
    assert [d["sequence_number"] for _, d in rest] == numbers[5:]
    assert [k for k, _ in rest] == [k for k, _ in full[5:]]


async def test_only_background_responses_can_be_streamed_again(client):
    plain = (await respond(client, "echo", "x")).json()
    answer = await client.get(f"{RESPONSES}/{plain['id']}", params={"stream": "true"})
    assert answer.status_code == 400 and "background=true" in answer.json()["error"]["message"]


async def test_bad_resume_queries_are_400_naming_the_parameter(client):
    created = (await respond(client, "echo", "x", background=True)).json()
    for params, param in (({"stream": "true", "starting_after": "-1"}, "starting_after"),
                          ({"stream": "true", "starting_after": "abc"}, "starting_after"),
                          ({"stream": "yes"}, "stream"),
                          ({"starting_after": "3"}, "starting_after")):
        answer = await client.get(f"{RESPONSES}/{created['id']}", params=params)
        assert answer.status_code == 400 and answer.json()["error"]["param"] == param, params


async def test_cutoff_cuts_its_first_stream_and_the_resume_completes_it(client):
    first = await client.post(RESPONSES, json={"agent_reference": {"type": "agent_reference", "name": "cutoff"},
                                               "input": "hello", "stream": True, "background": True})
    events = parse_sse(first.text)
    assert len(events) == 5 and all(not k.startswith("response.completed") for k, _ in events)
    rid, last = events[0][1]["response"]["id"], events[-1][1]["sequence_number"]
    rest = parse_sse((await client.get(f"{RESPONSES}/{rid}", params={"stream": "true",
                                                                     "starting_after": str(last)})).text)
    assert rest[0][1]["sequence_number"] == last + 1 and rest[-1][0] == "response.completed"
    assert "hello" in text_of(rest[-1][1]["response"])


async def test_duration_and_cut_settings_come_from_the_agents_file():
    app = create_app(extra_agents=[
        {"name": "batch", "behavior": "long_running", "duration": 0.3},
        {"name": "snappy", "behavior": "cutoff", "cut_after": 2, "cuts": 2},
    ])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator", headers=AUTH) as client:
        created = (await respond(client, "batch", "x", background=True)).json()
        assert created["status"] == "queued"
        assert (await poll_until_done(client, created["id"]))[-1] == "completed"
        first = parse_sse((await client.post(RESPONSES, json={
            "agent_reference": {"type": "agent_reference", "name": "snappy"}, "input": "x", "stream": True,
            "background": True})).text)
        assert len(first) == 2
        rid = first[0][1]["response"]["id"]
        second = parse_sse((await client.get(f"{RESPONSES}/{rid}", params={"stream": "true",
                                                                           "starting_after": "1"})).text)
        assert [d["sequence_number"] for _, d in second] == [2, 3]
        third = parse_sse((await client.get(f"{RESPONSES}/{rid}", params={"stream": "true",
                                                                          "starting_after": "3"})).text)
        assert third[-1][0] == "response.completed"


async def test_bad_duration_is_a_400_naming_it(client):
    answer = await respond(client, "long_running", "x", background=True, metadata={"duration": "forever"})
    assert answer.status_code == 400 and answer.json()["error"]["param"] == "metadata.duration"


def test_cancel_survives_a_restart(tmp_path: Any) -> None:
    from starlette.testclient import TestClient

    app = create_app(data_dir=tmp_path)
    with TestClient(app, headers=AUTH) as client:
        created = client.post(RESPONSES, json={"agent_reference": {"type": "agent_reference", "name": "long_running"},
                                               "input": "x", "background": True, "metadata": {"duration": "60"}}).json()
        client.post(f"{RESPONSES}/{created['id']}/cancel")
    app.state.emulator.store.close()
    again = create_app(data_dir=tmp_path)
    with TestClient(again, headers=AUTH) as client:
        assert client.get(f"{RESPONSES}/{created['id']}").json()["status"] == "cancelled"
    again.state.emulator.store.close()
