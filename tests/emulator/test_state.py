"""Server-side state: previous_response_id chains, conversations, store false, 404s, races.

Every test here runs against both stores: in memory (the default) and SQLite (``data_dir``).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette

from foundry_agents.emulator import create_app
from foundry_agents.emulator.state import MemoryStore, Store
from foundry_agents.emulator.store_sqlite import SqliteStore

from .helpers import PROJECT, respond, text_of

CONV = f"{PROJECT}/openai/v1/conversations"


@pytest.fixture(params=["memory", "sqlite"])
def app(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Starlette]:
    application = create_app(data_dir=tmp_path / "data" if request.param == "sqlite" else None)
    yield application
    application.state.emulator.store.close()


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Store]:
    opened: Store = MemoryStore() if request.param == "memory" else SqliteStore.open(tmp_path / "data")
    yield opened
    opened.close()


async def test_previous_response_id_carries_history(client):
    first = (await respond(client, "grounded", "My cat is called Tom.")).json()
    second = (await respond(client, "grounded", "What is my cat called?", previous_response_id=first["id"])).json()
    assert text_of(second) == "My cat is called Tom."
    assert second["usage"]["input_tokens"] > first["usage"]["input_tokens"]


async def test_conversation_accumulates_items_and_input_may_be_omitted(client):
    conv = (await client.post(CONV, json={"items": [{"type": "message", "role": "user", "content": "hi there"}]})).json()
    assert conv["object"] == "conversation" and conv["id"].startswith("conv_")
    body = (await respond(client, "echo", conversation=conv["id"])).json()
    assert text_of(body) == "Echo v2: hi there"
    assert body["conversation"] == {"id": conv["id"]}
    await respond(client, "echo", "again", conversation={"id": conv["id"]})
    items = (await client.get(f"{CONV}/{conv['id']}/items")).json()
    assert [i["type"] for i in items["data"]] == ["message"] * 4
    assert items["data"][0]["role"] == "assistant"  # newest first
    assert items["data"][0]["content"][0]["text"] == "Echo v2: again"
    asc = (await client.get(f"{CONV}/{conv['id']}/items", params={"order": "asc", "limit": 2})).json()
    assert [i["role"] for i in asc["data"]] == ["user", "assistant"] and asc["has_more"] is True
    after = (await client.get(f"{CONV}/{conv['id']}/items", params={"order": "asc", "after": asc["last_id"]})).json()
    assert len(after["data"]) == 2 and after["has_more"] is False


async def test_conversation_crud(client):
    conv = (await client.post(CONV, json={"metadata": {"a": "1"}})).json()
    assert conv["metadata"] == {"a": "1"}
    updated = (await client.post(f"{CONV}/{conv['id']}", json={"metadata": {"b": "2"}})).json()
    assert updated["metadata"] == {"b": "2"}
    added = (await client.post(f"{CONV}/{conv['id']}/items", json={"items": [
        {"type": "message", "role": "user", "content": "first"},
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "second"}]},
    ]})).json()
    assert added["object"] == "list" and len(added["data"]) == 2
    first_id = added["first_id"]
    item = (await client.get(f"{CONV}/{conv['id']}/items/{first_id}")).json()
    assert item["content"] == [{"type": "input_text", "text": "first"}] and item["status"] == "completed"
    after_delete = (await client.delete(f"{CONV}/{conv['id']}/items/{first_id}")).json()
    assert after_delete["object"] == "conversation"
    assert (await client.get(f"{CONV}/{conv['id']}/items/{first_id}")).status_code == 404
    deleted = (await client.delete(f"{CONV}/{conv['id']}")).json()
    assert deleted == {"object": "conversation.deleted", "deleted": True, "id": conv["id"]}
    assert (await client.get(f"{CONV}/{conv['id']}")).status_code == 404


async def test_store_false_is_not_retrievable(client):
    body = (await respond(client, "echo", "secret", store=False)).json()
    assert (await client.get(f"{PROJECT}/openai/v1/responses/{body['id']}")).status_code == 404
    later = await respond(client, "echo", "more", previous_response_id=body["id"])
    assert later.status_code == 404


async def test_get_and_delete_response(client):
    body = (await respond(client, "echo", "keep me")).json()
    got = (await client.get(f"{PROJECT}/openai/v1/responses/{body['id']}")).json()
    assert got == body
    items = (await client.get(f"{PROJECT}/openai/v1/responses/{body['id']}/input_items")).json()
    assert items["data"][0]["content"][0]["text"] == "keep me"
    deleted = (await client.delete(f"{PROJECT}/openai/v1/responses/{body['id']}")).json()
    assert deleted["deleted"] is True
    assert (await client.get(f"{PROJECT}/openai/v1/responses/{body['id']}")).status_code == 404


async def test_unknown_conversation_and_response_404(client):
    assert (await respond(client, "echo", "x", conversation="conv_missing")).status_code == 404
    resp = await respond(client, "echo", "x", previous_response_id="resp_missing")
    assert resp.status_code == 404 and resp.json()["error"]["code"] == "not_found"


async def test_duplicate_function_call_replay_rejected(client):
    first = (await respond(client, "weather", "Weather in Oslo?")).json()
    call = first["output"][0]
    replay = [
        {"type": "function_call", "call_id": call["call_id"], "name": call["name"], "arguments": call["arguments"]},
        {"type": "function_call_output", "call_id": call["call_id"], "output": "cold"},
    ]
    resp = await respond(client, "weather", replay, previous_response_id=first["id"])
    assert resp.status_code == 400 and "Duplicate item found" in resp.json()["error"]["message"]


async def test_stateless_replay_with_store_false(client):
    first = (await respond(client, "weather", "Weather in Oslo?", store=False)).json()
    call = first["output"][0]
    history = [
        {"type": "message", "role": "user", "content": "Weather in Oslo?"},
        {"type": "function_call", "call_id": call["call_id"], "name": call["name"], "arguments": call["arguments"]},
        {"type": "function_call_output", "call_id": call["call_id"], "output": "cold"},
    ]
    body = (await respond(client, "weather", history, store=False)).json()
    assert text_of(body) == "The weather in Oslo: cold"


async def test_function_output_with_conversation(client):
    conv = (await client.post(CONV, json={})).json()
    first = (await respond(client, "weather", "Weather in Lima?", conversation=conv["id"])).json()
    call = first["output"][0]
    out = [{"type": "function_call_output", "call_id": call["call_id"], "output": "mild"}]
    second = (await respond(client, "weather", out, conversation=conv["id"])).json()
    assert text_of(second) == "The weather in Lima: mild"
    items = (await client.get(f"{CONV}/{conv['id']}/items", params={"order": "asc"})).json()
    assert [i["type"] for i in items["data"]] == ["message", "function_call", "function_call_output", "message"]


async def test_usage_is_deterministic(client):
    a = (await respond(client, "echo", "count these words, please")).json()["usage"]
    b = (await respond(client, "echo", "count these words, please")).json()["usage"]
    assert a == b
    assert a["total_tokens"] == a["input_tokens"] + a["output_tokens"]
    assert a["input_tokens_details"] == {"cached_tokens": 0}


async def test_grounded_acknowledges_statements_and_answers_questions(client):
    first = (await respond(client, "grounded", "My locker code is 4417.")).json()
    assert text_of(first) == "Noted: My locker code is 4417."
    second = (await respond(client, "grounded", "What is my locker code?", previous_response_id=first["id"])).json()
    assert text_of(second) == "My locker code is 4417."


# -- concurrent writers lose nothing ------------------------------------------------------------


async def test_concurrent_turns_and_item_posts_on_one_conversation(client):
    conv = (await client.post(CONV, json={})).json()["id"]
    turns = [respond(client, "echo", f"turn {n}", conversation=conv) for n in range(12)]
    posts = [client.post(f"{CONV}/{conv}/items", json={"items": [{"type": "message", "role": "user", "content": f"post {n}"}]})
             for n in range(12)]
    answers = await asyncio.gather(*turns, *posts)
    assert [a.status_code for a in answers] == [200] * 24
    items = (await client.get(f"{CONV}/{conv}/items", params={"order": "asc", "limit": 100})).json()["data"]
    texts = [i["content"][0]["text"] for i in items]
    assert sorted(t for t in texts if t.startswith("post ")) == sorted(f"post {n}" for n in range(12))
    for n in range(12):  # each turn's input is followed by its own answer: a turn is appended at once
        at = texts.index(f"turn {n}")
        assert texts[at + 1] == f"Echo v2: turn {n}"
    assert len(texts) == 36


def test_threads_adding_items_lose_nothing(store):
    conv = store.new_conversation({"k": "v"}, [])["id"]
    barrier = threading.Barrier(6)

    def writer(worker: int) -> None:
        barrier.wait()
        for n in range(40):
            store.add_items(conv, [{"type": "message", "id": f"msg_{worker}_{n}", "role": "user", "content": []}])

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = [i["id"] for i in store.conversation_items(conv)]
    assert len(ids) == 240 and len(set(ids)) == 240
    for worker in range(6):  # each writer's items keep its order
        mine = [i for i in ids if i.startswith(f"msg_{worker}_")]
        assert mine == [f"msg_{worker}_{n}" for n in range(40)]


def test_two_sqlite_stores_on_one_folder_lose_nothing(tmp_path):
    """Two emulators on one data dir (e.g. two processes) write through separate connections."""
    first = SqliteStore.open(tmp_path)
    second = SqliteStore.open(tmp_path)
    conv = first.new_conversation(None, [])["id"]
    barrier = threading.Barrier(2)

    def writer(store: Store, tag: str) -> None:
        barrier.wait()
        for n in range(50):
            store.add_items(conv, [{"type": "message", "id": f"msg_{tag}{n}", "role": "user", "content": []}])

    threads = [threading.Thread(target=writer, args=(s, tag)) for s, tag in ((first, "a"), (second, "b"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        ids = [i["id"] for i in second.conversation_items(conv)]
        assert sorted(ids) == sorted([f"msg_a{n}" for n in range(50)] + [f"msg_b{n}" for n in range(50)])
    finally:
        first.close()
        second.close()
