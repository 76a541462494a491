"""The one options table (foundry_agents/options.py) and everything derived from it."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from foundry_agents import (
    FoundryAgent,
    FoundryAgentsClient,
    FoundryConfigError,
    Message,
    ResponseOptions,
)
from foundry_agents.options import OPTIONS, Option, adapter_fields, call_options
from foundry_agents.request import REFUSED_FIELDS, build_response_body
from foundry_agents.uploads import UploadedFiles

EP = "https://acme.services.ai.azure.com/api/projects/demo"
OK = {"id": "resp_1", "object": "response", "status": "completed", "output": []}

#: A value each checked option must refuse, and one it must accept.
BAD_AND_GOOD: dict[str, tuple[Any, Any]] = {
    "conversation": (42, "conv_1"),
    "previous_response_id": ("", "resp_1"),
    "store": ("yes", False),
    "background": (1, True),
    "tool_choice": ("sometimes", "required"),
    "structured_inputs": (["a"], {"city": "Paris"}),
    "metadata": ({"n": 1}, {"n": "1"}),
    "include": ("file_search_call.results", ["file_search_call.results"]),
    "max_output_tokens": (0, 10),
    "truncation": ("sometimes", "auto"),
    "extra_body": ("x", {"x": 1}),
    "extra_headers": ({"x-a": 1}, {"x-a": "1"}),
    "timeout": (-1, 5.0),
    "agent_session_id": ("  ", "sess_1"),
    "user_identity": ("", "user-42"),
    "keep_uploads": ("yes", True),
    "uploads": ([], UploadedFiles()),
}


def test_response_options_typing_equals_the_table():
    assert list(ResponseOptions.__annotations__) == list(OPTIONS)


def test_the_table_refuses_nothing_the_service_refuses():
    assert not set(OPTIONS) & set(REFUSED_FIELDS)
    assert not {o.wire for o in OPTIONS.values()} & set(REFUSED_FIELDS)


def test_every_checked_option_has_a_bad_value_row():
    assert {o.name for o in OPTIONS.values() if o.check is not None} - {"agent_version"} == set(BAD_AND_GOOD)


def _recording_client(seen: list[httpx.Request]) -> FoundryAgentsClient:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=OK)

    return FoundryAgentsClient(EP, api_key="k", max_retries=0,
                               http_client=httpx.Client(transport=httpx.MockTransport(handler)))


@pytest.mark.parametrize("name", sorted(BAD_AND_GOOD))
def test_bad_values_fail_before_any_request_and_name_the_option(name):
    bad, good = BAD_AND_GOOD[name]
    seen: list[httpx.Request] = []
    client = _recording_client(seen)
    with pytest.raises(FoundryConfigError, match=name):
        client.create_response("echo", input="hi", **{name: bad})
    with pytest.raises(FoundryConfigError, match=name):
        FoundryAgent("echo", project_endpoint=EP, api_key="k", **{name: bad})
    assert seen == []
    extra = {"conversation": None} if name == "previous_response_id" else {}
    client.create_response("echo", input="hi", **{name: good, **extra})
    assert len(seen) == 1


def test_foundry_agent_takes_exactly_the_call_options():
    agent = FoundryAgent("echo", project_endpoint=EP, api_key="k")
    assert set(call_options()) == set(OPTIONS) - {"agent_version", "input"}
    for name in call_options():
        agent.plan([Message("user", "hi")], **{name: None})  # known: no error
    with pytest.raises(FoundryConfigError, match="unexpected option"):
        agent.plan([Message("user", "hi")], input="hi")


def test_every_body_option_lands_under_its_wire_key():
    fields = {o.name: BAD_AND_GOOD[o.name][1] for o in OPTIONS.values()
              if o.wire and o.name not in ("input", "conversation", "background")}
    body = build_response_body(_ref(), input="hi", **fields)
    for name, value in fields.items():
        assert body[OPTIONS[name].wire] == value


def test_adapter_fields_are_the_default_rows_under_their_adapter_names():
    assert adapter_fields() == {"conversation_id": "conversation", "previous_response_id": "previous_response_id",
                                "store": "store", "tool_choice": "tool_choice",
                                "structured_inputs": "structured_inputs", "request_metadata": "metadata",
                                "include": "include", "max_output_tokens": "max_output_tokens",
                                "truncation": "truncation", "extra_body": "extra_body",
                                "background": "background", "keep_uploads": "keep_uploads"}


@pytest.fixture
def new_option(monkeypatch: pytest.MonkeyPatch) -> str:
    """A request option added the documented way: one row in the table, nothing else."""
    row = Option("service_tier", "service_tier", "call", "the processing tier",
                 lambda v: v in ("auto", "flex"), "'auto' or 'flex'")
    monkeypatch.setitem(OPTIONS, row.name, row)
    return row.name


def test_a_new_row_is_sent_by_the_client_and_foundry_agent(new_option):
    seen: list[httpx.Request] = []
    client = _recording_client(seen)
    client.create_response("echo", input="hi", service_tier="flex")
    FoundryAgent("echo", client=client, service_tier="auto").respond([Message("user", "hi")])
    assert [json.loads(r.content)["service_tier"] for r in seen] == ["flex", "auto"]
    with pytest.raises(FoundryConfigError, match="service_tier must be 'auto' or 'flex'"):
        client.create_response("echo", input="hi", service_tier="slow")


def _ref() -> Any:
    from foundry_agents import AgentRef

    return AgentRef("echo", "1")



VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(o.name for o in OPTIONS.values() if o.wire and o.name != "input")), VALUES)
def test_any_value_is_sent_or_refused_with_a_config_error(name, value):
    try:
        body = build_response_body(_ref(), input="hi", **{name: value})
    except FoundryConfigError as exc:
        assert name in str(exc)
    else:
        assert value is None or OPTIONS[name].wire in body
