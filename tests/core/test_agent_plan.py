"""FoundryAgent.plan: the continuation decision, pure."""

import pytest

from foundry_agents import (
    FoundryAgent,
    FoundryConfigError,
    Message,
    RefusedParameterError,
    ToolResultPart,
)

EP = "http://127.0.0.1:9/api/projects/p"


def agent(**kw):
    return FoundryAgent("echo", project_endpoint=EP, api_key="k", **kw)


HISTORY = [
    Message("system", "Be brief"),
    Message("user", "one"),
    Message("assistant", "Echo: one", response_id="caresp_1", agent="echo"),
    Message("user", "two"),
]


def texts(plan):
    return [(i["role"], i["content"][0]["text"]) for i in plan.input if i["type"] == "message"]


def test_auto_chain_from_agent_reply_any_prefix():
    plan = agent().plan(HISTORY)
    assert plan.mode == "chained" and plan.options["previous_response_id"] == "caresp_1"
    assert texts(plan) == [("system", "Be brief"), ("user", "two")]  # system never dropped


def test_reply_of_another_agent_is_replayed_not_chained():
    history = [Message("user", "q"), Message("assistant", "a", response_id="resp_x", agent="other"), Message("user", "q2")]
    plan = agent().plan(history)
    assert plan.mode == "stateless" and len(plan.input) == 3


def test_store_false_replays_everything():
    plan = agent(store=False).plan(HISTORY)
    assert plan.mode == "stateless" and len(plan.input) == 4 and plan.options["store"] is False


def test_conversation_sends_only_new_messages():
    plan = agent().plan(HISTORY, conversation="conv_1")
    assert plan.mode == "conversation" and "previous_response_id" not in plan.options
    assert texts(plan) == [("system", "Be brief"), ("user", "two")]


def test_tool_results_after_function_call_chain():
    history = [Message("user", "weather?"), Message("assistant", "", response_id="resp_1", agent="echo"),
               Message("tool", [ToolResultPart("call_1", "sunny")])]
    plan = agent().plan(history)
    assert plan.input == [{"type": "function_call_output", "call_id": "call_1", "output": "sunny"}]


def test_nothing_new_is_an_error():
    with pytest.raises(FoundryConfigError, match="nothing to send"):
        agent().plan([Message("assistant", "x", response_id="resp_1")])


def test_refused_defaults_and_overrides():
    with pytest.raises(RefusedParameterError, match="temperature"):
        agent(temperature=0)
    with pytest.raises(RefusedParameterError, match="tools"):
        agent().plan(HISTORY, tools=[])


def test_no_network_at_construction_but_bad_input_fails_early():
    a = agent()
    assert a._client is None and a._async_client is None
    with pytest.raises(FoundryConfigError, match="api/projects"):
        FoundryAgent("echo", project_endpoint="https://x.services.ai.azure.com", api_key="k")


def test_refuse_mode_for_system_messages():
    with pytest.raises(FoundryConfigError, match="refuse"):
        agent(system_message_role="refuse").plan(HISTORY)


def test_stream_planning_errors_raise_at_the_call():
    a = agent(system_message_role="refuse")
    with pytest.raises(FoundryConfigError, match="refuse"):
        a.stream(HISTORY)  # not on first iteration
    with pytest.raises(FoundryConfigError, match="refuse"):
        a.astream(HISTORY)
    assert a._client is None  # nothing was built or sent


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"default_headers": {"authorization": "Bearer x"}}, "api_key"),
     ({"max_retries": -1}, "max_retries"),
     ({"route": "sideways"}, "route")],
)
def test_connection_arguments_validated_at_construction(kwargs, message):
    with pytest.raises(FoundryConfigError, match=message):
        agent(**kwargs)


def test_conversation_items_honour_system_role():
    items = agent(system_message_role="developer").conversation_items([Message("system", "ctx"), Message("user", "q")])
    assert [i["role"] for i in items] == ["developer", "user"]
