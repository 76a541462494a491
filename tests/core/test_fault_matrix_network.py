"""The network fault matrix (``fault_rows_network.ROWS``), every row in sync and async mode.

For each row the fault is injected through a MockTransport that counts what is actually sent:
once (then the service answers) and persistently. The README's "Retries" table must be the rows.
"""

from __future__ import annotations

import json
import pickle
import re
import time
import types
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

import foundry_agents._flow as flow
from foundry_agents import APIOutcomeUnknownError, FoundryAgentsError
from tests.core._harness import collect_stream, run_client, sse
from tests.core.fault_rows_network import HEADER, MAX_RETRIES, ROWS, NetworkFault, readme_rows

MODES = ["sync", "async"]
README = Path(__file__).resolve().parents[2] / "README.md"
RESPONSE = {"id": "resp_1", "object": "response", "status": "completed", "model": "gpt-4o", "output": [],
            "agent_reference": {"type": "agent_reference", "name": "echo"}}
CONVERSATION = {"id": "conv_1", "object": "conversation", "created_at": 1, "metadata": {}}
ITEMS = {"object": "list", "data": [], "first_id": None, "last_id": None, "has_more": False}

ACTIONS: dict[str, Any] = {
    "create_response": lambda mode, c: c.create_response("echo", input="x"),
    "stream_response": lambda mode, c: collect_stream(mode, c, "echo", input="x"),
    "create_conversation": lambda mode, c: c.create_conversation(items="x"),
    "add_conversation_items": lambda mode, c: c.add_conversation_items("conv_1", "x"),
    "cancel_response": lambda mode, c: c.cancel_response("resp_1"),
    "get_response": lambda mode, c: c.get_response("resp_1"),
    "delete_response": lambda mode, c: c.delete_response("resp_1"),
}


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


def _run(mode: str, row: NetworkFault, faults: int) -> tuple[list[httpx.Request], Any]:
    """Inject the fault into the first ``faults`` sends; return what was sent and the result/error."""
    sent: list[httpx.Request] = []
    credential = Credential()

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return row.answer(request) if len(sent) <= faults else _success(request)

    kwargs: dict[str, Any] = {"max_retries": MAX_RETRIES}
    if row.credential:
        kwargs.update(api_key=None, credential=credential)
    try:
        result: Any = run_client(mode, handler, lambda c: ACTIONS[row.call](mode, c), **kwargs)
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
@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.failure} {r.call}")
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
        _check_error(row, result, client_id)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.failure} {r.call}")
def test_fault_persists(mode, row, slept):
    sent, result = _run(mode, row, faults=99)
    assert len(sent) == row.sends
    if row.waits is not None:
        assert slept == list(row.waits)
    else:
        assert len(slept) == row.sends - 1
    _check_error(row, result, _same_client_request_id(sent))


def _check_error(row: NetworkFault, err: Any, client_id: str) -> None:
    assert isinstance(err, row.error), err
    assert isinstance(err, APIOutcomeUnknownError) is row.outcome_unknown
    assert err.client_request_id == client_id
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is type(err) and str(copy) == str(err) and copy.client_request_id == client_id
    if row.outcome_unknown:
        text = str(err)
        assert "outcome is unknown" in text and "not sent again" in text and client_id in text
        assert "get_response" in text


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


def test_readme_retry_table_matches_the_fault_rows():
    header, body = _readme_table()
    assert header == HEADER
    assert body == readme_rows(), "update README's Retries table from tests/core/fault_rows_network.py"


def print_readme_table() -> str:  # pragma: no cover - a helper to regenerate the README table
    rows = [HEADER, tuple("-" * len(h) for h in HEADER), *readme_rows()]
    return "\n".join("| " + " | ".join(r) + " |" for r in rows)


if __name__ == "__main__":  # pragma: no cover
    print(print_readme_table())
    print(json.dumps(len(ROWS)))


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
