"""Client behaviour over an in-process transport, every test in sync and async mode."""

from __future__ import annotations

import inspect
import json
import logging
import pickle
import types

import httpx
import pytest

import foundry_agents._flow as flow
from foundry_agents import (
    APIConnectionError,
    APITimeoutError,
    AsyncFoundryAgentsClient,
    AuthenticationError,
    BadRequestError,
    FoundryAgentsClient,
    NotFoundError,
    RateLimitError,
    RefusedParameterError,
    ResponseDone,
    ResponseFailedError,
    ServerError,
    StreamInterruptedError,
    TextDelta,
    __version__,
)
from tests.core._harness import EP, collect_stream, run_client, sse

MODES = ["sync", "async"]
OK = {"id": "resp_1", "object": "response", "status": "completed", "model": "gpt-4o",
      "agent_reference": {"type": "agent_reference", "name": "echo", "version": "2"},
      "output": [{"type": "message", "id": "msg_1", "role": "assistant", "status": "completed",
                  "content": [{"type": "output_text", "text": "Hi!", "annotations": []}]}],
      "usage": {"input_tokens": 5, "output_tokens": 2, "total_tokens": 7}}


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch):
    slept: list[float] = []

    async def fake_async_sleep(seconds):
        slept.append(seconds)

    # Only the flow's sleeps: patching asyncio.sleep itself makes the session emulator's thread spin.
    monkeypatch.setattr(flow, "time", types.SimpleNamespace(sleep=slept.append))
    monkeypatch.setattr(flow, "asyncio", types.SimpleNamespace(sleep=fake_async_sleep))
    return slept


def _normalised(fn):
    sig = inspect.signature(fn)
    ret = str(sig.return_annotation).replace("AsyncResponseStream", "ResponseStream").replace("AsyncIterator", "Iterator")
    params = [(p.name, p.kind, str(p.annotation).replace("httpx.AsyncClient", "httpx.Client"), p.default)
              for p in sig.parameters.values()]
    return params, ret.replace("AsyncFoundryAgentsClient", "FoundryAgentsClient")


def test_sync_and_async_public_signatures_match():
    def public(cls):
        return {n: m for n, m in inspect.getmembers(cls, callable) if not n.startswith("_") or n == "__init__"}

    sync, aio = public(FoundryAgentsClient), public(AsyncFoundryAgentsClient)
    # iterators: sync iter_X pairs with async aiter_X (an async iterator, not a coroutine)
    aio = {n.removeprefix("a") if n.startswith("aiter_") else n: m for n, m in aio.items()}
    assert sync.keys() == aio.keys()
    for name in sync:
        assert _normalised(sync[name]) == _normalised(aio[name]), name
        assert inspect.iscoroutinefunction(aio[name]) or name == "__init__" or name.startswith("iter_"), name


@pytest.mark.parametrize("mode", MODES)
def test_request_shape(mode):
    seen: list[httpx.Request] = []

    def handler(request):
        seen.append(request)
        return httpx.Response(200, json=OK, headers={"x-request-id": "rid-1"})

    r = run_client(mode, handler, lambda c: c.create_response("echo:2", input="Hello", store=False))
    assert r.output_text == "Hi!" and r.request_id == "rid-1" and str(r.agent) == "echo:2"
    req = seen[0]
    assert str(req.url) == EP + "/openai/v1/responses"
    assert req.headers["authorization"] == "Bearer secret-token-123"
    assert req.headers["user-agent"].startswith(f"foundry-agents/{__version__} Python/")
    assert json.loads(req.content) == {"input": "Hello", "store": False, "agent_reference": {
        "type": "agent_reference", "name": "echo", "version": "2"}}


@pytest.mark.parametrize("mode", MODES)
def test_refused_option_fails_before_network(mode):
    def handler(request):  # pragma: no cover - must not be called
        raise AssertionError("network was used")

    with pytest.raises(RefusedParameterError, match="temperature"):
        run_client(mode, handler, lambda c: c.create_response("echo", input="x", temperature=0.2))


@pytest.mark.parametrize("mode", MODES)
def test_429_honours_retry_after_ms(mode, no_sleep):
    calls = []

    def handler(request):
        calls.append(1)
        if len(calls) == 1:
            return httpx.Response(429, json={"error": {"code": "rate_limit", "message": "slow down"}},
                                  headers={"retry-after-ms": "250"})
        return httpx.Response(200, json=OK)

    assert run_client(mode, handler, lambda c: c.create_response("echo", input="x")).id == "resp_1"
    assert len(calls) == 2 and no_sleep == [0.25]


@pytest.mark.parametrize("mode", MODES)
def test_retries_exhausted_raise_typed_error_with_request_id(mode):
    def handler(request):
        return httpx.Response(503, json={"error": {"code": "service_unavailable", "message": "busy"}},
                              headers={"apim-request-id": "apim-9"})

    with pytest.raises(ServerError) as info:
        run_client(mode, handler, lambda c: c.create_response("echo", input="x"), max_retries=3)
    err = info.value
    assert (err.status_code, err.code, err.request_id) == (503, "service_unavailable", "apim-9")


@pytest.mark.parametrize("mode", MODES)
def test_rate_limit_error_carries_retry_after(mode):
    def handler(request):
        return httpx.Response(429, json={"error": {"code": "too_many_requests", "message": "no"}},
                              headers={"retry-after": "7"})

    with pytest.raises(RateLimitError) as info:
        run_client(mode, handler, lambda c: c.create_response("echo", input="x"), max_retries=0)
    assert info.value.retry_after == 7.0


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("status", "retried"), [(500, False), (429, True)])
def test_conversation_posts_retry_only_when_provably_unprocessed(mode, status, retried):
    calls = []

    def handler(request):
        calls.append(1)
        if len(calls) == 1:
            return httpx.Response(status, json={"error": {"message": "x"}})
        return httpx.Response(200, json=OK)

    action = lambda c: c.create_response("echo", input="x", conversation="conv_1")
    if retried:
        run_client(mode, handler, action)
        assert len(calls) == 2
    else:
        with pytest.raises(ServerError):
            run_client(mode, handler, action)
        assert len(calls) == 1


@pytest.mark.parametrize("mode", MODES)
def test_connection_errors(mode):
    calls = []

    def handler(request):
        calls.append(1)
        if len(calls) == 1:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, json=OK)

    assert run_client(mode, handler, lambda c: c.create_response("echo", input="x", conversation="conv_1")).id
    assert len(calls) == 2  # never connected, so safe even with a conversation

    def read_error(request):
        raise httpx.ReadError("reset", request=request)

    with pytest.raises(APIConnectionError):
        run_client(mode, read_error, lambda c: c.create_response("echo", input="x", conversation="conv_1"))

    def timeout(request):
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(APITimeoutError):
        run_client(mode, timeout, lambda c: c.create_response("echo", input="x"), max_retries=1)


class FakeCredential:
    def __init__(self):
        self.calls = 0

    def get_token(self, *scopes, **kwargs):
        import time

        from azure.core.credentials import AccessToken

        self.calls += 1
        assert scopes == ("https://ai.azure.com/.default",)
        return AccessToken(f"tok-{self.calls}", int(time.time()) + 3600)


@pytest.mark.parametrize("mode", MODES)
def test_401_refreshes_token_once(mode):
    cred = FakeCredential()
    seen = []

    def handler(request):
        seen.append(request.headers["authorization"])
        if len(seen) == 1:
            return httpx.Response(401, json={"error": {"code": "PermissionDenied", "message": "expired"}})
        return httpx.Response(200, json=OK)

    run_client(mode, handler, lambda c: c.create_response("echo", input="x"), api_key=None, credential=cred)
    assert seen == ["Bearer tok-1", "Bearer tok-2"]


@pytest.mark.parametrize("mode", MODES)
def test_token_is_cached_between_calls(mode):
    cred = FakeCredential()

    async def twice_async(c):
        await c.create_response("echo", input="x")
        return await c.create_response("echo", input="y")

    action = (lambda c: [c.create_response("echo", input="x"), c.create_response("echo", input="y")]) if mode == "sync" else twice_async
    run_client(mode, lambda r: httpx.Response(200, json=OK), action, api_key=None, credential=cred)
    assert cred.calls == 1


@pytest.mark.parametrize("mode", MODES)
def test_static_token_401_is_final(mode):
    calls = []

    def handler(request):
        calls.append(1)
        return httpx.Response(401, json={"error": {"code": "PermissionDenied", "message": "RBAC"}})

    with pytest.raises(AuthenticationError, match="RBAC") as info:
        run_client(mode, handler, lambda c: c.create_response("echo", input="x"))
    assert len(calls) == 1 and "secret-token-123" not in str(info.value)


@pytest.mark.parametrize("mode", MODES)
def test_bad_request_lists_refused_params(mode):
    body = {"error": {"code": "invalid_payload", "message": "Not allowed when agent is specified.",
                      "param": None, "type": "invalid_request_error",
                      "details": [{"code": "ValidationError", "message": "x", "param": "tools"},
                                  {"code": "ValidationError", "message": "y", "param": "temperature"}],
                      "additionalInfo": {"request_id": "body-rid"}}}
    with pytest.raises(BadRequestError) as info:
        run_client(mode, lambda r: httpx.Response(400, json=body), lambda c: c.create_response("echo", input="x"))
    assert info.value.refused_params == ["tools", "temperature"] and info.value.request_id == "body-rid"


@pytest.mark.parametrize("mode", MODES)
def test_not_found_names_the_agent(mode):
    with pytest.raises(NotFoundError, match="nope:3") as info:
        run_client(mode, lambda r: httpx.Response(404, json={"error": {"code": "not_found", "message": "Not found"}}),
                   lambda c: c.create_response("nope:3", input="x"))
    assert (info.value.agent_name, info.value.agent_version) == ("nope", "3")


@pytest.mark.parametrize("mode", MODES)
def test_failed_status_raises(mode):
    failed = {**OK, "status": "failed", "error": {"code": "server_error", "message": "it broke"}}
    with pytest.raises(ResponseFailedError, match="it broke") as info:
        run_client(mode, lambda r: httpx.Response(200, json=failed), lambda c: c.create_response("echo", input="x"))
    assert info.value.partial_response.id == "resp_1"


CREATED = {"type": "response.created", "sequence_number": 0, "response": {"id": "resp_1", "status": "in_progress"}}
ADDED = {"type": "response.output_item.added", "output_index": 0, "item": {"type": "message", "id": "msg_1", "content": []}}


def delta(text):
    return {"type": "response.output_text.delta", "output_index": 0, "content_index": 0, "delta": text}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("done", [False, True])
def test_stream_text_and_final(mode, done):
    body = sse(CREATED, ADDED, delta("Hel"), delta("lo"), {"type": "response.completed", "response": OK}, done=done)
    body = body.replace(b"\n\n", b"\n\n: keep-alive\n\n", 1)
    events = run_client(mode, lambda r: httpx.Response(200, content=body, headers={"content-type": "text/event-stream"}),
                        lambda c: collect_stream(mode, c, "echo", input="x"))
    assert "".join(e.delta for e in events if isinstance(e, TextDelta)) == "Hello"
    assert isinstance(events[-1], ResponseDone) and events[-1].response.output_text == "Hi!"


@pytest.mark.parametrize("mode", MODES)
def test_stream_cut_short_raises_with_partial(mode):
    body = sse(CREATED, ADDED, delta("Half an ans"))
    with pytest.raises(StreamInterruptedError) as info:
        run_client(mode, lambda r: httpx.Response(200, content=body, headers={"content-type": "text/event-stream"}),
                   lambda c: collect_stream(mode, c, "echo", input="x"))
    assert info.value.partial_response.output_text == "Half an ans"


@pytest.mark.parametrize("mode", MODES)
def test_stream_request_answered_with_json(mode):
    events = run_client(mode, lambda r: httpx.Response(200, json=OK),
                        lambda c: collect_stream(mode, c, "echo", input="x"))
    assert [type(e) for e in events] == [ResponseDone]


def test_secrets_stay_out_of_repr_pickle_and_logs(caplog):
    caplog.set_level(logging.DEBUG, logger="foundry_agents")
    client = FoundryAgentsClient(EP, api_key="secret-token-123",
                                 http_client=httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200, json=OK))))
    client.create_response("echo", input="x")
    assert "secret-token-123" not in repr(client)
    assert "secret-token-123" not in repr(client._auth)
    assert "secret-token-123" not in caplog.text
    with pytest.raises(TypeError):
        pickle.dumps(client)
    with pytest.raises(TypeError):
        pickle.dumps(client._auth)


def test_errors_pickle_with_their_fields():
    err = BadRequestError("bad", status_code=400, code="invalid_payload", param="tools", request_id="r")
    copy = pickle.loads(pickle.dumps(err))
    assert (copy.status_code, copy.code, copy.param, copy.request_id, str(copy)) == (400, "invalid_payload", "tools", "r", str(err))


def test_authorization_header_cannot_be_smuggled():
    from foundry_agents import FoundryConfigError

    with pytest.raises(FoundryConfigError, match="api_key"):
        FoundryAgentsClient(EP, api_key="x", default_headers={"Authorization": "Bearer y"})


def _versions_pages(request: httpx.Request) -> httpx.Response:
    """Agent versions 25..1 in pages of 20 (the service's default page size)."""
    after = request.url.params.get("after")
    start = 25 if after is None else int(after.split(":")[1]) - 1
    numbers = list(range(start, max(0, start - 20), -1))
    data = [{"object": "agent.version", "id": f"many:{n}", "name": "many", "version": str(n),
             "definition": {"kind": "prompt", "model": "m"}} for n in numbers]
    return httpx.Response(200, json={"object": "list", "data": data, "first_id": data[0]["id"],
                                     "last_id": data[-1]["id"], "has_more": numbers[-1] > 1})



@pytest.mark.parametrize("mode", ["sync", "async"])
def test_list_agent_versions_reads_every_page(mode):
    versions = run_client(mode, _versions_pages, lambda c: c.list_agent_versions("many"))
    assert [v.version for v in versions] == [str(n) for n in range(25, 0, -1)]
