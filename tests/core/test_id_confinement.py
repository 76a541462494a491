"""Ids that go into a URL path can only name the resource the method is for (sync and async).

A bad id is refused before any network call, naming the argument; the endpoint layer encodes
whatever reaches it, so even an id that slipped through could not change the route.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from foundry_agents import AsyncFoundryAgentsClient, FoundryAgentsClient, FoundryConfigError
from tests.core._harness import run_client

MODES = ["sync", "async"]
CONV = "conv_0BtbdV5q0Fx6ccOlNr6A6T98iMoXmHMYc3Wnh0hTjuLDlD4i"
BAD_IDS = ["..", ".", "../conv_2", "a/b", "/", "x?limit=1", "x#frag", "%2e%2e", "%2F", "a b", " msg_1",
           "msg_1\n", "msg\x00", "msg\t1", "", "\u2025", "\uff0e\uff0e", "msg_\u00e9", 7, None]

#: (method, positional arguments with ``BAD`` where the bad id goes, argument name in the error)
CALLS: list[tuple[str, tuple[Any, ...], str]] = [
    ("get_response", ("BAD",), "response_id"),
    ("delete_response", ("BAD",), "response_id"),
    ("cancel_response", ("BAD",), "response_id"),
    ("get_conversation", ("BAD",), "conversation_id"),
    ("delete_conversation", ("BAD",), "conversation_id"),
    ("list_conversation_items", ("BAD",), "conversation_id"),
    ("add_conversation_items", ("BAD", "hi"), "conversation_id"),
    ("get_conversation_item", ("BAD", "msg_1"), "conversation_id"),
    ("get_conversation_item", (CONV, "BAD"), "item_id"),
    ("delete_conversation_item", ("BAD", "msg_1"), "conversation_id"),
    ("delete_conversation_item", (CONV, "BAD"), "item_id"),
]


def _invoke(method: str, args: tuple[Any, ...], bad: Any) -> Callable[[Any], Any]:
    real = tuple(bad if a == "BAD" else a for a in args)
    return lambda c: getattr(c, method)(*real)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("method", "args", "argument"), CALLS)
@pytest.mark.parametrize("bad", BAD_IDS, ids=repr)
def test_bad_id_is_refused_before_any_request(mode, method, args, argument, bad):
    sent: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:  # pragma: no cover - must not be called
        sent.append(request.url)
        return httpx.Response(200, json={"id": CONV, "object": "conversation", "deleted": True})

    with pytest.raises(FoundryConfigError, match=argument) as info:
        run_client(mode, handler, _invoke(method, args, bad))
    assert sent == []
    assert "id such as" in str(info.value)


@pytest.mark.parametrize("mode", MODES)
def test_update_conversation_refuses_a_bad_id(mode):
    def handler(request):  # pragma: no cover - must not be called
        raise AssertionError(f"sent {request.url}")

    with pytest.raises(FoundryConfigError, match="conversation_id"):
        run_client(mode, handler, lambda c: c.update_conversation("..", metadata={"a": "b"}))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("action", "path"),
    [
        (lambda c: c.get_response("caresp_1.2:3~x-y"), "/openai/v1/responses/caresp_1.2%3A3~x-y"),
        (lambda c: c.delete_conversation_item(CONV, "msg_1"), f"/openai/v1/conversations/{CONV}/items/msg_1"),
        (lambda c: c.get_conversation_item(CONV, "msg..1"), f"/openai/v1/conversations/{CONV}/items/msg..1"),
        (lambda c: c.get_conversation(CONV), f"/openai/v1/conversations/{CONV}"),
    ],
)
def test_good_ids_name_exactly_their_resource(mode, action, path):
    sent: list[tuple[str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append((request.method, request.url.raw_path.decode()))
        return httpx.Response(200, json={"id": "x", "object": "response", "status": "completed", "output": []})

    run_client(mode, handler, action)
    assert [p for _, p in sent] == ["/api/projects/demo" + path]


# -- against the emulator: nothing outside the named resource is touched --------------------------


def _both(mode: str, endpoint: str, token: str, work: Callable[[Any], Any]) -> Any:
    if mode == "sync":
        with FoundryAgentsClient(endpoint, api_key=token) as c:
            return work(c)

    async def go() -> Any:
        async with AsyncFoundryAgentsClient(endpoint, api_key=token) as c:
            return await _settle(work(c))

    return asyncio.run(go())


async def _settle(value: Any) -> Any:
    return await value if asyncio.iscoroutine(value) else value


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("bad", ["..", ".", "../..", "%2e%2e"])
def test_dot_item_id_does_not_delete_the_conversation(mode, bad, emulator_endpoint, emulator_token):
    def run(fn: Callable[[Any], Any]) -> Any:
        return _both(mode, emulator_endpoint, emulator_token, fn)

    conv = run(lambda c: c.create_conversation(items="keep me"))
    with pytest.raises(FoundryConfigError, match="item_id"):
        run(lambda c: c.delete_conversation_item(conv.id, bad))
    with pytest.raises(FoundryConfigError, match="item_id"):
        run(lambda c: c.get_conversation_item(conv.id, bad))
    assert run(lambda c: c.get_conversation(conv.id)).id == conv.id
    items = run(lambda c: c.list_conversation_items(conv.id))
    assert [i["content"][0]["text"] for i in items.data] == ["keep me"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "action",
    [lambda c: c.get_agent(".."), lambda c: c.get_agent("a/b"), lambda c: c.list_agent_versions("x?y"),
     lambda c: c.get_agent_version("echo", ".."), lambda c: c.get_agent_version("echo", "1/../2"),
     lambda c: c.create_response("../agents", input="x")],
)
def test_agent_names_and_versions_are_refused_before_any_request(mode, action):
    def handler(request):  # pragma: no cover - must not be called
        raise AssertionError(f"sent {request.url}")

    with pytest.raises(FoundryConfigError):
        run_client(mode, handler, action)
