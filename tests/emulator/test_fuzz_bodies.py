"""Random JSON bodies never get a 5xx: every refusal is a 4xx in the service's JSON envelope.

Fixed seed and bounded example counts, so the run is the same every time and takes seconds.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from foundry_agents.emulator import create_app

from .helpers import AUTH, PROJECT

ROUTES = [
    f"{PROJECT}/openai/v1/responses",
    f"{PROJECT}/openai/v1/conversations",
    f"{PROJECT}/agents?api-version=v1",
    f"{PROJECT}/agents/echo/endpoint/protocols/openai/responses?api-version=v1",
    f"{PROJECT}/agents/echo/endpoint/protocols/openai/conversations?api-version=v1",
]
#: Agents whose answer is a deliberate 5xx are left out: their 500/503 is the point of them.
AGENTS = ["echo", "weather", "flaky", "researcher", "approval", "nobody", "truncated", "failing", "long_running", "cutoff"]
FIELDS = [
    "input", "agent_reference", "agent", "conversation", "previous_response_id", "stream", "store",
    "background", "metadata", "tool_choice", "max_output_tokens", "truncation", "include",
    "structured_inputs", "model", "tools", "temperature", "items", "name", "definition", "description",
]
ODD_TEXT = ["", "\ud800", "\udfff\ud800", "\x00", "../../x", "😀", "conv_x", "resp_x", "inf", "NaN", "-1", "a" * 300]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12), st.sampled_from(ODD_TEXT),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from([*FIELDS, "type", "role", "content", "id", "call_id"]), st.text(max_size=6)),
                        inner, max_size=4),
    ),
    max_leaves=12,
)
message = st.fixed_dictionaries(
    {"role": st.sampled_from(["user", "system", "assistant", "developer", "robot"])},
    optional={"type": st.sampled_from(["message", "function_call_output", "mcp_list_tools", "x"]),
              "content": st.one_of(st.text(max_size=8), json_values), "status": scalars},
)
reference = st.fixed_dictionaries(
    {"name": st.one_of(st.sampled_from(AGENTS), st.sampled_from(ODD_TEXT), scalars)},
    optional={"type": st.just("agent_reference"), "version": st.one_of(st.sampled_from(["1", "2", "9"]), scalars)},
)
shaped = st.fixed_dictionaries(
    {},
    optional={
        "agent_reference": reference,
        "input": st.one_of(st.text(max_size=8), st.lists(st.one_of(message, json_values), max_size=3), json_values),
        "items": st.one_of(st.lists(st.one_of(message, json_values), max_size=3), json_values),
        "name": st.one_of(st.sampled_from(AGENTS + ODD_TEXT), scalars),
        "definition": st.one_of(
            st.fixed_dictionaries({"kind": st.sampled_from(["prompt", "workflow", "hosted", 3])},
                                  optional={"model": scalars, "instructions": scalars, "tools": json_values}),
            json_values),
        "metadata": st.one_of(st.dictionaries(st.sampled_from(["failures", "k", "delay", "duration", "cut_after", "cuts"]), scalars, max_size=3), json_values),
        **{name: json_values for name in FIELDS if name not in ("input", "items", "name", "definition", "metadata")},
    },
)
bodies = st.one_of(shaped, json_values)


def _raw(body: Any) -> bytes:
    # ensure_ascii keeps lone surrogates as \\udxxx escapes, as a client written in another language may send
    return json.dumps(body, ensure_ascii=True).encode()


def _check(resp: Any) -> None:
    assert resp.status_code < 500, (resp.status_code, resp.text[:300])
    if resp.status_code >= 400:
        assert resp.headers["content-type"].startswith("application/json"), resp.text[:200]
        error = resp.json()["error"]
        assert {"code", "message", "param", "type", "details", "additionalInfo"} <= set(error)
        assert isinstance(error["code"], str) and isinstance(error["message"], str)


_client = TestClient(create_app(), headers=AUTH)


@seed(20261124)
@settings(max_examples=100, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(route=st.sampled_from(ROUTES), body=bodies)
def test_random_bodies_never_get_a_5xx(route: str, body: Any) -> None:
    _check(_client.post(route, content=_raw(body), headers={"Content-Type": "application/json"}))


@seed(20261125)
@settings(max_examples=60, deadline=None, database=None, derandomize=True)
@given(route=st.sampled_from(ROUTES), raw=st.binary(max_size=40))
def test_random_bytes_never_get_a_5xx(route: str, raw: bytes) -> None:
    _check(_client.post(route, content=raw, headers={"Content-Type": "application/json"}))


_QUERY_VALUES = st.one_of(st.sampled_from(["true", "false", "0", "3", "-1", "1e3", "", "99999999999", "\u0663"]),
                          st.text(max_size=6))


@seed(20261126)
@settings(max_examples=60, deadline=None, database=None, derandomize=True)
@given(stream=_QUERY_VALUES, after=st.none() | _QUERY_VALUES, cancel=st.booleans())
def test_random_stream_resume_queries_and_cancels_never_get_a_5xx(stream: str, after: str | None, cancel: bool) -> None:
    created = _client.post(f"{PROJECT}/openai/v1/responses", json={
        "agent_reference": {"type": "agent_reference", "name": "long_running"}, "input": "x",
        "background": True, "metadata": {"duration": "0"}})
    assert created.status_code == 200, created.text
    rid = created.json()["id"]
    if cancel:
        _check(_client.post(f"{PROJECT}/openai/v1/responses/{rid}/cancel"))
    params = {"stream": stream} if after is None else {"stream": stream, "starting_after": after}
    _check(_client.get(f"{PROJECT}/openai/v1/responses/{rid}", params=params))
