"""The fault matrix (``fault_matrix.ROWS``): every row in sync and async mode.

Scripted rows are injected through a MockTransport that counts what is actually sent: the fault
once (then the service answers) and persistently. Emulator rows run against the emulator's fault
agents over a real loopback socket, counting sends at the transport. The README's reliability
table (under **Retries**) must be the rows.
"""

from __future__ import annotations

import asyncio
import pickle
import re
import time
import types
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

import foundry_agents._flow as flow
from foundry_agents import (
    APIOutcomeUnknownError,
    AsyncFoundryAgentsClient,
    FoundryAgentsClient,
    FoundryAgentsError,
    StreamError,
    UnexpectedResponseError,
)
from tests.core._harness import run_client, sse
from tests.core.fault_matrix import HEADER, MAX_RETRIES, RID, ROWS, Fault, _answer, readme_rows

MODES = ["sync", "async"]
README = Path(__file__).resolve().parents[2] / "README.md"
RESPONSE = {"id": "resp_1", "object": "response", "status": "completed", "model": "gpt-4o", "output": [],
            "agent_reference": {"type": "agent_reference", "name": "echo"}}
CONVERSATION = {"id": "conv_1", "object": "conversation", "created_at": 1, "metadata": {}}
ITEMS = {"object": "list", "data": [], "first_id": None, "last_id": None, "has_more": False}
SCRIPTED = [row for row in ROWS if row.agent is None]
EMULATED = [row for row in ROWS if row.agent is not None]


def _stream_sync(client: Any, agent: str, **kwargs: Any) -> Any:
    with client.stream_response(agent, **kwargs) as stream:
        return stream.get_final_response()


async def _stream_async(client: Any, agent: str, **kwargs: Any) -> Any:
    stream = await client.stream_response(agent, **kwargs)
    async with stream:
        return await stream.get_final_response()


def _action(row: Fault, mode: str) -> Callable[[Any], Any]:
    agent = row.agent or "echo"
    options: dict[str, Any] = {"input": "tell me a long story"}
    if row.metadata:
        options["metadata"] = dict(row.metadata)
    if row.timeout is not None:
        options["timeout"] = row.timeout
    actions: dict[str, Callable[[Any], Any]] = {
        "create_response": lambda c: c.create_response(agent, **options),
        "stream_response": lambda c: (_stream_sync if mode == "sync" else _stream_async)(c, agent, **options),
        "create_conversation": lambda c: c.create_conversation(items="x"),
        "add_conversation_items": lambda c: c.add_conversation_items("conv_1", "x"),
        "cancel_response": lambda c: c.cancel_response("resp_1"),
        "get_response": lambda c: c.get_response("resp_1"),
        "delete_response": lambda c: c.delete_response("resp_1"),
    }
    return actions[row.call]


def _success(request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if request.headers.get("accept") == "text/event-stream":
        done = {"type": "response.completed", "sequence_number": 0, "response": RESPONSE}
        return httpx.Response(200, content=sse(done), headers={"content-type": "text/event-stream"})
    if path.endswith("/conversations"):
        return httpx.Response(200, json=CONVERSATION)
    if path.endswith("/items"):
        return httpx.Response(200, json=ITEMS)
    return httpx.Response(200, json=RESPONSE)


class Credential:
    """A refreshable credential that hands out a new token each time."""

    def __init__(self) -> None:
        self.calls = 0

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        self.calls += 1
        return AccessToken(f"tok-{self.calls}", int(time.time()) + 3600)


@pytest.fixture(autouse=True)
def slept(monkeypatch):
    waits: list[float] = []

    async def fake_async_sleep(seconds):
        waits.append(seconds)

    # Only the flow's own sleeps (patching time.sleep itself would record other threads' too).
    monkeypatch.setattr(flow, "time", types.SimpleNamespace(sleep=waits.append))
    monkeypatch.setattr(flow, "asyncio", types.SimpleNamespace(sleep=fake_async_sleep))
    return waits


def _run(mode: str, row: Fault, faults: int) -> tuple[list[httpx.Request], Any]:
    """Inject the fault into the first ``faults`` sends; return what was sent and the result/error."""
    sent: list[httpx.Request] = []
    credential = Credential()
    assert row.answer is not None

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return row.answer(request) if len(sent) <= faults else _success(request)  # type: ignore[misc]

    kwargs: dict[str, Any] = {"max_retries": MAX_RETRIES}
    if row.credential:
        kwargs.update(api_key=None, credential=credential)
    try:
        result: Any = run_client(mode, handler, _action(row, mode), **kwargs)
    except FoundryAgentsError as exc:
        result = exc
    if row.credential:
        assert [r.headers["authorization"] for r in sent] == [f"Bearer tok-{n + 1}" for n in range(len(sent))]
    return sent, result


def _same_client_request_id(sent: list[httpx.Request]) -> str:
    ids = {r.headers["x-ms-client-request-id"] for r in sent}
    assert len(ids) == 1, ids
    return ids.pop()


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("row", SCRIPTED, ids=lambda r: f"{r.failure} {r.call}")
def test_fault_once(mode, row, slept):
    sent, result = _run(mode, row, faults=1)
    client_id = _same_client_request_id(sent)
    if row.resent:
        assert not isinstance(result, Exception), result
        assert len(sent) == 2
        if row.waits is not None:
            assert slept == list(row.waits[:1])
    else:
        assert len(sent) == 1
        _check_outcome(row, result, client_id)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("row", SCRIPTED, ids=lambda r: f"{r.failure} {r.call}")
def test_fault_persists(mode, row, slept):
    sent, result = _run(mode, row, faults=99)
    assert len(sent) == row.sends
    if row.waits is not None:
        assert slept == list(row.waits)
    else:
        assert len(slept) == row.sends - 1
    _check_outcome(row, result, _same_client_request_id(sent))


class _Counting(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """A real loopback transport that counts the requests it sends."""

    def __init__(self) -> None:
        self.sent: list[httpx.Request] = []
        self.sync, self.aio = httpx.HTTPTransport(), httpx.AsyncHTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return self.sync.handle_request(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return await self.aio.handle_async_request(request)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("row", EMULATED, ids=lambda r: f"{r.failure} {r.call}")
def test_emulator_fault_agent(mode, row, slept, emulator_endpoint, emulator_token):
    transport = _Counting()
    action = _action(row, mode)
    # A distinct input per mode: the flaky agent counts failures per distinct text.
    row_input = f"tell me a long story ({mode})"

    def call(client: Any) -> Any:
        return action(client) if row.agent != "flaky" else client.create_response("flaky", input=row_input)

    async def acall(client: Any) -> Any:
        return await call(client)

    try:
        if mode == "sync":
            with FoundryAgentsClient(emulator_endpoint, api_key=emulator_token, max_retries=MAX_RETRIES,
                                     http_client=httpx.Client(transport=transport)) as client:
                result: Any = call(client)
        else:
            async def main() -> Any:
                async with AsyncFoundryAgentsClient(emulator_endpoint, api_key=emulator_token,
                                                    max_retries=MAX_RETRIES,
                                                    http_client=httpx.AsyncClient(transport=transport)) as client:
                    return await acall(client)

            result = asyncio.run(main())
    except FoundryAgentsError as exc:
        result = exc
    assert len(transport.sent) == row.sends
    if row.waits is not None:
        assert slept == list(row.waits)
    # The call's own attempts share one client request id (a resume request is a call of its own).
    first = transport.sent[0]
    attempts = [r for r in transport.sent if (r.method, r.url.path) == (first.method, first.url.path)]
    _check_outcome(row, result, _same_client_request_id(attempts), emulated=True)


def _check_outcome(row: Fault, result: Any, client_id: str, *, emulated: bool = False) -> None:
    if row.error is None:
        assert not isinstance(result, Exception), result
        if row.check:
            row.check(result)
        return
    err = result
    assert isinstance(err, row.error), err
    assert isinstance(err, APIOutcomeUnknownError) is row.outcome_unknown
    if row.partial is not None:
        assert isinstance(err, StreamError) and err.partial_response is not None
        text = err.partial_response.output_text
        assert bool(text) if row.partial == "*" else text == row.partial, text
        if not emulated:
            assert err.request_id == RID
    if getattr(err, "client_request_id", None) is not None or row.outcome_unknown:
        assert err.client_request_id == client_id
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is type(err) and str(copy) == str(err)
    if row.outcome_unknown:
        text = str(err)
        assert "outcome is unknown" in text and "not sent again" in text and client_id in text
        assert "get_response" in text
    if row.check:
        row.check(err)


# -- the README table is the rows ---------------------------------------------------------------


def _readme_table() -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    text = README.read_text(encoding="utf-8")
    start = text.index("| " + " | ".join(HEADER) + " |")
    lines = []
    for line in text[start:].splitlines():
        if not line.startswith("|"):
            break
        lines.append(tuple(cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]))
    assert set("".join(lines[1])) <= set("-: "), "second line must be the separator"
    return lines[0], lines[2:]


def test_readme_reliability_table_is_the_fault_matrix():
    header, body = _readme_table()
    assert header == HEADER
    assert body == readme_rows(), "regenerate README's table: python -m tests.core.test_fault_matrix"


def readme_table() -> str:
    rows = [HEADER, tuple("-" * len(h) for h in HEADER), *readme_rows()]
    return "\n".join("| " + " | ".join(r) + " |" for r in rows)


if __name__ == "__main__":  # pragma: no cover - prints the README table
    print(readme_table())


# -- every client method: a bad 2xx body is an UnexpectedResponseError ---------------------------
METHODS: list[tuple[str, Callable[[Any], Any]]] = [
    ("create_response", lambda c: c.create_response("agent", input="hi")),
    ("get_response", lambda c: c.get_response("resp_1")),
    ("cancel_response", lambda c: c.cancel_response("resp_1")),
    ("create_conversation", lambda c: c.create_conversation()),
    ("get_conversation", lambda c: c.get_conversation("conv_1")),
    ("update_conversation", lambda c: c.update_conversation("conv_1", metadata={"a": "b"})),
    ("delete_conversation", lambda c: c.delete_conversation("conv_1")),
    ("add_conversation_items", lambda c: c.add_conversation_items("conv_1", "hi")),
    ("list_conversation_items", lambda c: c.list_conversation_items("conv_1")),
    ("get_conversation_item", lambda c: c.get_conversation_item("conv_1", "msg_1")),
    ("delete_conversation_item", lambda c: c.delete_conversation_item("conv_1", "msg_1")),
    ("get_agent", lambda c: c.get_agent("agent")),
    ("list_agents", lambda c: c.list_agents()),
    ("list_agent_versions", lambda c: c.list_agent_versions("agent")),
    ("get_agent_version", lambda c: c.get_agent_version("agent", "1")),
]
BAD_BODIES = [(b"", "application/json"), (b"<html>oops</html>", "text/html"), (b"[1]", "application/json")]


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(("content", "ctype"), BAD_BODIES, ids=["empty", "html", "array"])
@pytest.mark.parametrize(("method", "action"), METHODS, ids=[m for m, _ in METHODS])
def test_every_method_rejects_a_bad_success_body(method: str, action: Any, content: bytes, ctype: str,
                                                 mode: str) -> None:
    with pytest.raises(UnexpectedResponseError) as info:
        run_client(mode, _answer(200, content, ctype), action)
    assert info.value.status_code == 200 and info.value.request_id == RID and ctype in str(info.value)


WRONG_TYPES: list[tuple[str, Callable[[Any], Any], bytes, type[FoundryAgentsError] | None]] = [
    ("get_conversation", lambda c: c.get_conversation("conv_1"), b'{"id": "conv_1", "metadata": 5}', None),
    ("list_agents", lambda c: c.list_agents(), b'{"data": 5}', None),
    ("get_agent", lambda c: c.get_agent("agent"), b'{"name": "agent", "versions": [1]}', None),
    ("list_conversation_items", lambda c: c.list_conversation_items("conv_1"), b'{"data": [1]}',
     UnexpectedResponseError),
    ("list_agent_versions", lambda c: c.list_agent_versions("agent"), b'{"data": ["x"]}', UnexpectedResponseError),
]


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(("method", "action", "content", "error"), WRONG_TYPES, ids=[w[0] for w in WRONG_TYPES])
def test_wrong_field_types_in_a_success_body_read_as_absent_or_typed(method: str, action: Any, content: bytes,
                                                                     error: Any, mode: str) -> None:
    if error is None:
        assert run_client(mode, _answer(200, content), action) is not None
    else:
        with pytest.raises(error, match="must be a JSON object"):
            run_client(mode, _answer(200, content), action)


@pytest.mark.parametrize("mode", MODES)
def test_each_call_has_its_own_client_request_id_and_a_given_one_is_kept(mode):
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.headers["x-ms-client-request-id"])
        return _success(request)

    async def three(c: Any) -> None:
        await c.create_response("echo", input="x")
        await c.get_response("resp_1")
        await c.create_response("echo", input="x", extra_headers={"X-MS-Client-Request-Id": "mine-1"})

    def three_sync(c: Any) -> None:
        c.create_response("echo", input="x")
        c.get_response("resp_1")
        c.create_response("echo", input="x", extra_headers={"X-MS-Client-Request-Id": "mine-1"})

    run_client(mode, handler, three_sync if mode == "sync" else three)
    first, second, given = sent
    assert first != second and str(uuid.UUID(first, version=4)) == first
    assert given == "mine-1"
