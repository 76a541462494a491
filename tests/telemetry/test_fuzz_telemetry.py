"""The telemetry's pure functions take whatever the wire holds and never raise."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from foundry_agents import telemetry
from foundry_agents.response import parse_response

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=8)
items = st.dictionaries(st.sampled_from(["type", "role", "content", "call_id", "name", "arguments", "output",
                                         "id", "server_label", "text"]), json_values, max_size=6)
item_types = st.sampled_from(["message", "function_call", "function_call_output", "mcp_approval_request",
                              "mcp_call", "web_search_call", "reasoning", "weird"])


@settings(max_examples=200, deadline=None)
@given(value=json_values | st.lists(items, max_size=4), content=st.booleans())
def test_request_attributes_accept_any_input(value: Any, content: bool) -> None:
    body = {"input": value, "conversation": value, "max_output_tokens": value, "stream": value}
    attrs = telemetry.request_attributes(body, "https://h.example/api/projects/p", "a", None, content=content)
    assert attrs["gen_ai.agent.name"] == "a"
    if content:
        json.loads(attrs["gen_ai.input.messages"])


@settings(max_examples=200, deadline=None)
@given(output=st.lists(st.builds(lambda d, t: {**d, "type": t}, items, item_types), max_size=5),
       status=st.sampled_from(["completed", "incomplete", "failed", "in_progress"]), content=st.booleans())
def test_response_attributes_and_events_accept_any_output(output: list[dict[str, Any]], status: str,
                                                          content: bool) -> None:
    response = parse_response({"id": "resp_1", "status": status, "output": output})
    attrs = telemetry.response_attributes(response, content=content)
    assert attrs["gen_ai.response.id"] == "resp_1"
    events = telemetry.output_events(response, content=content)
    assert all(isinstance(name, str) and isinstance(a, dict) for name, a in events)
    if content:
        assert json.loads(attrs["gen_ai.output.messages"])[0]["role"] == "assistant"
