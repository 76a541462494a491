"""The pending-work pieces both adapters share (foundry_agents.pending, metadata.file_reference): pure, table-tested."""

from __future__ import annotations

from typing import Any

import pytest

from foundry_agents import GeneratedFile, Message, parse_response
from foundry_agents.errors import FoundryConfigError
from foundry_agents.items import parse_output_item
from foundry_agents.messages import to_input_items
from foundry_agents.metadata import computer_call, file_reference
from foundry_agents.pending import (
    COMPUTER_TOOL,
    computer_call_args,
    computer_call_part,
    resend_after_consent,
)

CLICK = {"type": "click", "x": 1, "y": 2}
SHOT = {"type": "screenshot"}


def computer(**fields: Any) -> dict[str, Any]:
    return {"type": "computer_call", "id": "cu_1", "call_id": "call_1", "pending_safety_checks": [], **fields}


@pytest.mark.parametrize(("item", "args"), [
    (computer(action=CLICK), CLICK),
    (computer(action=None, actions=[CLICK, SHOT]), {"actions": [CLICK, SHOT]}),
    (computer(action=None, actions=[SHOT]), SHOT),  # a batch of one reads like one action
    (computer(), {}),
], ids=["one action", "batch", "batch of one", "none"])
def test_computer_call_args(item: dict[str, Any], args: dict[str, Any]) -> None:
    parsed = parse_output_item(item)
    assert computer_call_args(parsed) == args  # type: ignore[arg-type]


@pytest.mark.parametrize(("args", "entry", "wire"), [
    (CLICK, None, {"action": CLICK, "pending_safety_checks": []}),
    ({"actions": [CLICK, SHOT]}, None, {"actions": [CLICK, SHOT], "pending_safety_checks": []}),
    (SHOT, {"id": "cu_9", "action": CLICK, "pending_safety_checks": [{"id": "sc_1", "code": "c", "message": "m"}]},
     {"id": "cu_9", "action": CLICK, "pending_safety_checks": [{"id": "sc_1", "code": "c", "message": "m"}]}),
    (SHOT, {"id": "cu_9", "action": None, "actions": [CLICK]}, {"id": "cu_9", "actions": [CLICK],
                                                                 "pending_safety_checks": []}),
    ('{"type": "wait"}', {"action": SHOT}, {"action": SHOT, "pending_safety_checks": []}),  # what the reply kept wins
], ids=["args", "batched args", "entry wins", "batched entry", "string args"])
def test_computer_call_part_replays_the_services_item(args: Any, entry: dict[str, Any] | None,
                                                      wire: dict[str, Any]) -> None:
    part = computer_call_part("call_1", args, entry)
    [item] = to_input_items([Message("assistant", [part])])
    assert item == {"type": "computer_call", "call_id": "call_1", **wire, "status": "completed"}


@pytest.mark.parametrize(("args", "entry"), [({}, None), (None, {}), ("not json", None)])
def test_a_computer_call_part_without_an_action_is_refused(args: Any, entry: Any) -> None:
    with pytest.raises(FoundryConfigError, match="exactly one of action= or actions="):
        computer_call_part("call_1", args, entry)


def test_the_computer_calls_fact_lists_a_batch_and_round_trips() -> None:
    batched = parse_response({"id": "r", "status": "completed", "output": [computer(action=None, actions=[CLICK, SHOT])]})
    entry = computer_call(batched.computer_calls[0])
    assert entry["actions"] == [CLICK, SHOT] and entry["action"] is None
    single = parse_response({"id": "r", "status": "completed", "output": [computer(action=CLICK)]})
    assert "actions" not in computer_call(single.computer_calls[0])  # one action: the key stays as it was
    part = computer_call_part("call_1", computer_call_args(batched.computer_calls[0]), entry)
    assert tuple(part.actions) == (CLICK, SHOT)


def test_one_computer_tool_name_in_both_adapters() -> None:
    import langchain_foundry_agents
    import llama_index_foundry

    assert langchain_foundry_agents.COMPUTER_TOOL is llama_index_foundry.COMPUTER_TOOL is COMPUTER_TOOL


# -- resend after consent ---------------------------------------------------------------------------
def _is_reply(m: Message) -> bool:
    return m.role == "assistant"


U1, A1, U2, T2 = Message("user", "a"), Message("assistant", "b"), Message("user", "c"), Message("tool", "d")
REPLY = Message("assistant", "", response_id="resp_c")


@pytest.mark.parametrize(("history", "sent"), [
    ([U1], [U1, REPLY, U1]),
    ([U1, A1, U2], [U1, A1, U2, REPLY, U2]),
    ([U1, A1, U2, T2], [U1, A1, U2, T2, REPLY, U2, T2]),
], ids=["first turn", "later turn", "turn of two messages"])
def test_resend_after_consent_sends_the_last_turn_again_after_the_reply(history: list[Message],
                                                                        sent: list[Message]) -> None:
    assert resend_after_consent(history, REPLY, is_reply=_is_reply) == sent


@pytest.mark.parametrize("history", [[], [U1, A1]], ids=["empty", "ends with a reply"])
def test_resend_after_consent_needs_a_turn(history: list[Message]) -> None:
    with pytest.raises(FoundryConfigError, match="no turn after its last AIMessage to send again"):
        resend_after_consent(history, REPLY, is_reply=_is_reply, reply_name="AIMessage")


# -- file references --------------------------------------------------------------------------------
@pytest.mark.parametrize(("file", "container", "expected"), [
    ("file_1", None, ("file_1", None)),
    (GeneratedFile("cfile_2", "cntr_2", "a.png"), None, ("cfile_2", "cntr_2")),
    ({"file_id": "cfile_3", "container_id": "cntr_3", "filename": "a.csv"}, None, ("cfile_3", "cntr_3")),
    ({"file_id": "cfile_3", "container_id": "cntr_3"}, "cntr_x", ("cfile_3", "cntr_x")),  # explicit wins
    ({"type": "citation", "extras": {"file_id": "cfile_4", "container_id": "cntr_4"}}, None, ("cfile_4", "cntr_4")),
], ids=["id", "GeneratedFile", "generated_files entry", "explicit container", "ids in extras"])
def test_file_reference(file: Any, container: str | None, expected: tuple[str, str | None]) -> None:
    assert file_reference(file, container) == expected


@pytest.mark.parametrize(("file", "container", "error"), [
    ("", None, r"needs a file id \(e.g. 'cfile_...' or an entry of where\['files'\]\)"),
    ({"filename": "a.csv"}, None, "needs a file id"),
    (7, None, "needs a file id"),
    ("cfile_1", "", "container_id must be a non-empty string"),
    ({"file_id": "cfile_1", "container_id": 3}, None, "container_id must be a non-empty string"),
])
def test_a_bad_file_reference_is_refused(file: Any, container: Any, error: str) -> None:
    with pytest.raises(FoundryConfigError, match=error):
        file_reference(file, container, listed_in="where['files']")
