import pytest

from foundry_agents import AgentRef, FoundryConfigError, RefusedParameterError, Route
from foundry_agents.request import build_response_body

REF = AgentRef("weather", "3")


def test_minimal_body():
    assert build_response_body(REF, input="Hi") == {
        "input": "Hi",
        "agent_reference": {"type": "agent_reference", "name": "weather", "version": "3"},
    }


def test_allow_listed_fields_pass_through():
    body = build_response_body(
        REF, input="Hi", store=False, tool_choice="required", structured_inputs={"city": "Paris"},
        metadata={"k": "v"}, include=["reasoning.encrypted_content"], max_output_tokens=50,
        truncation="auto", stream=True,
    )
    assert body["store"] is False and body["stream"] is True
    assert body["structured_inputs"] == {"city": "Paris"}
    assert "model" not in body and "tools" not in body


def test_preview_route_uses_agent_key():
    body = build_response_body(REF, input="Hi", route=Route.PREVIEW)
    assert "agent_reference" not in body and body["agent"]["name"] == "weather"


def test_agent_endpoint_route_has_no_reference():
    body = build_response_body(REF, input="Hi", route=Route.AGENT_ENDPOINT)
    assert "agent_reference" not in body and "agent" not in body


@pytest.mark.parametrize("field", ["model", "tools", "temperature", "top_p", "text", "instructions",
                                   "reasoning", "parallel_tool_calls", "response_format"])
def test_refused_fields_in_extra_body(field):
    with pytest.raises(RefusedParameterError, match="refuses when an agent is specified") as info:
        build_response_body(REF, input="Hi", extra_body={field: 1})
    assert info.value.params == (field,)


def test_several_refused_fields_listed_with_fixes():
    with pytest.raises(RefusedParameterError) as info:
        build_response_body(REF, input="Hi", extra_body={"tools": [], "temperature": 0})
    assert info.value.params == ("tools", "temperature")
    assert "agent definition" in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"input": "x", "conversation": "conv_1", "previous_response_id": "resp_1"}, "not both"),
        ({}, "input is required"),
        ({"input": b"x"}, "input must be"),
        ({"input": "x", "tool_choice": "sometimes"}, "tool_choice must be"),
        ({"input": "x", "max_output_tokens": 0}, "positive integer"),
        ({"input": "x", "conversation": ""}, "conversation id"),
        ({"input": "x", "extra_body": {"agent_reference": {}}}, "must not set"),
    ],
)
def test_bad_requests_fail_before_network(kwargs, message):
    with pytest.raises(FoundryConfigError, match=message):
        build_response_body(REF, **kwargs)


def test_conversation_without_input_is_allowed():
    body = build_response_body(REF, conversation={"id": "conv_1"})
    assert body["conversation"] == "conv_1" and "input" not in body
