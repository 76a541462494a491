"""The one agent-as-tool loop (foundry_agents.orchestration), without any network: order, limits, rules."""

from __future__ import annotations

import asyncio
import inspect
import threading
from typing import Any

import pytest

from foundry_agents.errors import FoundryAgentsError, FoundryConfigError
from foundry_agents.orchestration import (
    MERGE_PROMPT,
    Pending,
    PendingToolCallsError,
    adrive,
    agent_tool_name,
    drive,
    tool_loop,
)

GUARD = 10  # seconds before a wait gives up (reached only when calls run one by one)


def _loop(replies: list[list[str]], max_rounds: int = 8, sent: list[Any] | None = None) -> Any:
    """A fake model: each reply is the list of tool names it calls ([] means a final answer)."""
    def follow_up(reply: Any, outputs: list[tuple[str, Any]]) -> Any:
        (sent if sent is not None else []).append([out for _, out in outputs])
        return outputs

    return tool_loop("q", tools={"a", "b"}, pending=lambda reply: Pending(reply, reply), follow_up=follow_up,
                     owner="agent t", max_rounds=max_rounds)


def _replies(script: list[list[str]]) -> Any:
    it = iter(script)
    return lambda payload: next(it)


def test_outputs_go_back_in_call_order_although_the_first_call_finishes_last_sync() -> None:
    b_done, finished = threading.Event(), []

    def run_call(name: str) -> str:
        if name == "a" and not b_done.wait(GUARD):
            raise AssertionError("the calls ran one by one")
        finished.append(name)
        if name == "b":
            b_done.set()
        return name.upper()

    sent: list[Any] = []
    result = drive(_loop([], sent=sent), ask=_replies([["a", "b"], []]), run_call=run_call)
    assert finished == ["b", "a"] and sent == [["A", "B"]]
    assert result.calls == [("a", "A"), ("b", "B")] and result.reply == [] and len(result.replies) == 2


def test_outputs_go_back_in_call_order_although_the_first_call_finishes_last_async() -> None:
    async def main() -> Any:
        b_done, finished, sent = asyncio.Event(), [], []

        async def run_call(name: str) -> str:
            if name == "a":
                await asyncio.wait_for(b_done.wait(), GUARD)
            finished.append(name)
            if name == "b":
                b_done.set()
            return name.upper()

        script = iter([["a", "b"], []])

        async def ask(payload: Any) -> Any:
            return next(script)

        result = await adrive(_loop([], sent=sent), ask=ask, run_call=run_call)
        return finished, sent, result

    finished, sent, result = asyncio.run(main())
    assert finished == ["b", "a"] and sent == [["A", "B"]] and result.calls == [("a", "A"), ("b", "B")]


def test_a_model_that_keeps_calling_tools_stops_after_max_rounds() -> None:
    with pytest.raises(FoundryAgentsError, match=r"agent t kept calling tools after 2 rounds; raise max_rounds"):
        drive(_loop([], max_rounds=2), ask=lambda payload: ["a"], run_call=str)


def test_calls_nobody_implements_and_waiting_approvals_raise_pending_tool_calls() -> None:
    loop = tool_loop("q", tools={"a"}, pending=lambda r: Pending(r, r), follow_up=None, owner="agent t")
    with pytest.raises(PendingToolCallsError, match=r"agent t called \['zz'\]") as info:
        drive(loop, ask=lambda payload: ["zz"], run_call=str)
    assert info.value.missing == ["zz"]
    loop = tool_loop("q", tools={}, pending=lambda r: Pending(approvals=["srv/search"]), follow_up=None, owner="x")
    with pytest.raises(PendingToolCallsError, match=r"waiting for approval of \['srv/search'\]"):
        drive(loop, ask=lambda payload: "reply", run_call=str)


@pytest.mark.parametrize("bad", [0, -1, True, "8"])
def test_bad_limits_are_refused_before_the_first_call(bad: Any) -> None:
    asked: list[Any] = []
    with pytest.raises(FoundryConfigError, match="max_workers must be a positive integer"):
        drive(_loop([]), ask=asked.append, run_call=str, max_workers=bad)
    with pytest.raises(FoundryConfigError, match="max_rounds must be a positive integer"):
        drive(_loop([], max_rounds=bad), ask=asked.append, run_call=str)
    assert asked == []


def test_one_naming_rule_and_one_merge_prompt_in_both_adapters() -> None:
    import langchain_foundry_agents.orchestration as lc
    import llama_index_foundry.orchestration as li

    assert agent_tool_name("weather.v2 beta") == "ask_weather_v2_beta"
    assert inspect.signature(lc.fan_out).parameters["prompt"].default is MERGE_PROMPT
    assert inspect.signature(li.FanOutWorkflow).parameters["prompt"].default is MERGE_PROMPT
    assert "{question}" in MERGE_PROMPT and "{answers}" in MERGE_PROMPT


def test_a_consent_or_computer_call_stops_the_loop_naming_it_with_the_reply() -> None:
    from foundry_agents import parse_response
    from foundry_agents.metadata import computer_call, consent_request
    from foundry_agents.orchestration import blocked_work

    reply = parse_response({"id": "resp_1", "status": "completed", "output": [
        {"type": "oauth_consent_request", "id": "oauthreq_1", "consent_link": "https://login.example/c",
         "server_label": "github"},
        {"type": "computer_call", "id": "cu_1", "call_id": "call_1", "action": {"type": "click", "x": 1, "y": 2},
         "pending_safety_checks": [], "status": "completed"}]})

    def pending(r: Any) -> Pending:
        return Pending(blocked=blocked_work([consent_request(c) for c in r.oauth_consent_requests],
                                            [computer_call(c) for c in r.computer_calls]))

    loop = tool_loop("hi", tools={"f"}, pending=pending, follow_up=None, owner="agent x")
    with pytest.raises(PendingToolCallsError, match=r"agent x is waiting for OAuth consent for github at "
                                                    r"https://login\.example/c; computer call call_1 \(click\)") as info:
        drive(loop, ask=lambda payload: reply, run_call=print)
    assert info.value.blocked == ["OAuth consent for github at https://login.example/c", "computer call call_1 (click)"]
    assert info.value.reply is reply  # the caller continues from it


CONSENT_ENTRY = {"server_label": "github", "consent_link": "https://login.example/c"}
CLICK_ENTRY = {"call_id": "call_1", "action": {"type": "click", "x": 1, "y": 2}}


@pytest.mark.parametrize(("consents", "computer", "says", "never"), [
    ([CONSENT_ENTRY], [], "open each consent link and sign in, then send the same turn again", "screenshot"),
    ([], [CLICK_ENTRY], "answer it with a screenshot (computer_call_output)", "consent"),
    ([CONSENT_ENTRY], [CLICK_ENTRY], "send the same turn again (resend_after_consent); do each computer action", None),
], ids=["consent", "computer call", "both"])
def test_the_error_says_how_to_answer_what_is_actually_pending(consents: list[Any], computer: list[Any], says: str,
                                                                never: str | None) -> None:
    import copy
    import pickle

    from foundry_agents.orchestration import blocked_work, calls_to_run

    with pytest.raises(PendingToolCallsError) as info:
        calls_to_run("agent x", [], set(), blocked=blocked_work(consents, computer))
    message = str(info.value)
    assert says in message
    if never is not None:
        assert never not in message.split("cannot be done here")[1]
    # The kinds survive a copy and a pickle (errors cross process bounds in Ray workers).
    kinds = [b.kind for b in info.value.blocked]
    assert [b.kind for b in pickle.loads(pickle.dumps(info.value.blocked))] == kinds
    assert [b.kind for b in copy.deepcopy(info.value.blocked)] == kinds


def test_a_batched_computer_call_is_named_as_a_batch() -> None:
    from foundry_agents.orchestration import blocked_work

    assert blocked_work(computer_calls=[{"call_id": "c", "action": None, "actions": [{"type": "click"}]}]) == [
        "computer call c (batch)"]
