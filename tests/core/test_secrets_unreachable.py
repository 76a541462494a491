"""No token is reachable from a public object by walking it, only through ``Secret.get_secret_value``.

Every public object that takes a token is built with a known one, used for a request (so its
clients and token providers exist), copied and dumped every way its framework offers; then each
result is walked recursively through ``vars()``, ``__slots__``, containers, ``repr`` and ``str``.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import pickle
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx
import pytest

from foundry_agents import AsyncFoundryAgentsClient, FoundryAgent, FoundryAgentsClient
from foundry_agents.connection import ConnectionSettings

TOKEN = "tok-UNREACHABLE-4711"
EP = "https://acme.services.ai.azure.com/api/projects/demo"
ANSWER = {"id": "resp_1", "object": "response", "status": "completed", "model": "m",
          "output": [{"type": "message", "id": "msg_1", "role": "assistant",
                      "content": [{"type": "output_text", "text": "ok"}]}]}
_SKIP = (type, type(json), type(len), type(lambda: 0), type(print), type(str.join), staticmethod, classmethod)


def _children(obj: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(obj, Mapping):
        for key, value in list(obj.items()):
            yield f"[{key!r}]", key
            yield f"[{key!r}]", value
        return
    if isinstance(obj, (list, tuple, set, frozenset)):
        yield from ((f"[{i}]", v) for i, v in enumerate(obj))
        return
    if isinstance(obj, BaseException):
        yield ".args", obj.args
        yield ".__cause__", obj.__cause__
        yield ".__context__", obj.__context__
    with contextlib.suppress(TypeError):
        yield from ((f".{k}", v) for k, v in vars(obj).items())
    for cls in type(obj).__mro__:
        for slot in getattr(cls, "__slots__", ()):
            if isinstance(slot, str) and slot not in ("__dict__", "__weakref__") and hasattr(obj, slot):
                yield f".{slot}", getattr(obj, slot)


def token_paths(root: Any, *, limit: int = 200_000) -> list[str]:
    """Every path from ``root`` to a string (or a repr/str) that contains :data:`TOKEN`."""
    found: list[str] = []
    seen: set[int] = set()
    stack: list[tuple[str, Any]] = [("root", root)]
    while stack and len(seen) < limit:
        path, obj = stack.pop()
        if id(obj) in seen or isinstance(obj, _SKIP):
            continue
        seen.add(id(obj))
        if isinstance(obj, (str, bytes, bytearray)):
            text = obj if isinstance(obj, str) else bytes(obj).decode("latin-1")
            if TOKEN in text:
                found.append(path)
            continue
        if isinstance(obj, (int, float, bool, type(None))):
            continue
        for kind, show in (("repr", repr), ("str", str)):
            try:
                if TOKEN in show(obj):
                    found.append(f"{kind}({path})")
            except Exception:  # a repr that fails shows nothing
                continue
        stack.extend((path + step, child) for step, child in _children(obj))
    return found


def _transport() -> httpx.MockTransport:
    return httpx.MockTransport(lambda request: httpx.Response(200, json=ANSWER))


def _attempts(obj: Any, *extra: Callable[[Any], Any]) -> list[Any]:
    """``obj``, its copies and dumps, and the exceptions of the attempts that are refused."""
    results: list[Any] = [obj]
    for attempt in (copy.copy, copy.deepcopy, pickle.dumps, lambda o: pickle.loads(pickle.dumps(o)), *extra):
        try:
            results.append(attempt(obj))
        except Exception as exc:  # a refusal is fine, if it shows nothing
            results.append(exc)
            results.append(str(exc))
    return results


def _core_objects() -> list[Any]:
    client = FoundryAgentsClient(EP, api_key=TOKEN, http_client=httpx.Client(transport=_transport()))
    client.create_response("echo", input="x")
    aclient = AsyncFoundryAgentsClient(EP, api_key=TOKEN, http_client=httpx.AsyncClient(transport=_transport()))
    asyncio.run(aclient.create_response("echo", input="x"))
    agent = FoundryAgent("echo", project_endpoint=EP, api_key=TOKEN,
                         http_client=httpx.Client(transport=_transport()))
    agent.ask("x")
    principal = ConnectionSettings(EP, tenant_id="t", client_id="c", client_secret=TOKEN)
    return [*_attempts(client), *_attempts(aclient), *_attempts(agent), *_attempts(agent.connection),
            *_attempts(client._auth), *_attempts(principal)]


def _langchain_objects() -> list[Any]:
    from langchain_core.load import dumpd, dumps

    from langchain_foundry_agents import ChatFoundryAgent

    llm = ChatFoundryAgent("echo", project_endpoint=EP, api_key=TOKEN,
                           http_client=httpx.Client(transport=_transport()))
    llm.invoke("x")
    dumps_ = (lambda m: m.model_copy(), lambda m: m.model_copy(update={"timeout": 5}), lambda m: m.model_dump(),
              lambda m: m.model_dump_json(), dumpd, dumps, lambda m: m._identifying_params,
              lambda m: m._get_invocation_params(), lambda m: m.foundry_agent)
    return _attempts(llm, *dumps_)


def _llama_index_objects() -> list[Any]:
    from llama_index_foundry import FoundryAgentLLM

    llm = FoundryAgentLLM("echo", project_endpoint=EP, api_key=TOKEN,
                          http_client=httpx.Client(transport=_transport()))
    llm.complete("x")
    dumps_ = (lambda m: m.model_copy(), lambda m: m.model_dump(), lambda m: m.to_dict(), lambda m: m.to_json(),
              lambda m: m.__getstate__(), lambda m: m.foundry_agent, lambda m: m.metadata)
    return _attempts(llm, *dumps_)


@pytest.mark.parametrize("build", [_core_objects, _langchain_objects, _llama_index_objects],
                         ids=["core", "langchain", "llama_index"])
def test_no_token_is_reachable(build: Callable[[], list[Any]]) -> None:
    objects = build()
    assert token_paths(objects) == []


def test_token_from_the_environment_is_unreachable_too(monkeypatch: pytest.MonkeyPatch) -> None:
    from langchain_foundry_agents import ChatFoundryAgent
    from llama_index_foundry import FoundryAgentLLM

    monkeypatch.setenv("FOUNDRY_API_KEY", TOKEN)
    objects = [FoundryAgent("echo", project_endpoint=EP), ChatFoundryAgent("echo", project_endpoint=EP),
               FoundryAgentLLM("echo", project_endpoint=EP), FoundryAgentsClient(EP)]
    assert token_paths([*objects, *(_attempts(o) for o in objects)]) == []


def test_the_walker_finds_a_token_that_is_held_plainly() -> None:
    class Leaky:
        def __init__(self) -> None:
            self._connection = {"api_key": TOKEN}

    assert "root._connection['api_key']" in token_paths(copy.copy(Leaky()))
    assert token_paths([FoundryAgent("echo", project_endpoint=EP, api_key=TOKEN).connection.api_key]) == []
