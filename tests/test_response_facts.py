"""One set of response facts, approval answers and argument encodings, renamed per adapter.

The core builds them (``foundry_agents.metadata``); each adapter only renames keys, and the docs
say which key means what. These tests hold both adapters to the same facts and the docs to the keys.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage
from llama_index.core.base.llms.types import ChatMessage, MessageRole, ToolCallBlock

from foundry_agents import parse_response
from foundry_agents.errors import FoundryConfigError
from foundry_agents.messages import ApprovalResponsePart, ToolCallPart
from foundry_agents.metadata import (
    METADATA_KEYS,
    approval_response,
    encode_arguments,
    response_metadata,
)
from langchain_foundry_agents import _outputs as lc_outputs
from langchain_foundry_agents import approval_message as lc_approval
from langchain_foundry_agents._messages import to_neutral_messages
from llama_index_foundry import _outputs as li_outputs
from llama_index_foundry._messages import approval_message as li_approval
from llama_index_foundry._messages import to_foundry_messages

ROOT = Path(__file__).resolve().parents[1]
AGENT = {"type": "agent_reference", "name": "docs", "version": "2"}
APPROVAL = {"type": "mcp_approval_request", "id": "mcpr_1", "server_label": "wiki", "name": "search",
            "arguments": '{"q": "x"}'}
RESPONSES = {
    "waiting for an approval": {"id": "resp_1", "status": "completed", "model": "gpt-4o", "agent_reference": AGENT,
                                "conversation": {"id": "conv_1"}, "output": [APPROVAL]},
    "cut short": {"id": "resp_2", "status": "incomplete", "model": "", "agent_reference": AGENT,
                  "incomplete_details": {"reason": "max_output_tokens"}, "output": []},
    "tool calls": {"id": "resp_3", "status": "completed", "model": "gpt-4o", "output": [
        {"type": "function_call", "id": "fc_1", "call_id": "c1", "name": "f", "arguments": "{}"}]},
    "waiting for OAuth consent": {"id": "resp_4", "status": "completed", "model": "gpt-4o", "output": [
        {"type": "oauth_consent_request", "id": "oauthreq_1", "consent_link": "https://login.example/c?x=1",
         "server_label": "github"}]},
    "computer call": {"id": "resp_5", "status": "completed", "model": "computer-use-preview", "output": [
        {"type": "computer_call", "id": "cu_1", "call_id": "call_1", "action": {"type": "screenshot"},
         "pending_safety_checks": [], "status": "completed"}]},
    "files made": {"id": "resp_6", "status": "completed", "model": "gpt-4o", "output": [
        {"type": "code_interpreter_call", "id": "ci_1", "status": "completed", "container_id": "cntr_1", "code": "",
         "outputs": [{"type": "image", "url": "https://x/c.png", "file_id": "cfile_2"}]},
        {"type": "message", "id": "msg_1", "role": "assistant", "content": [{
            "type": "output_text", "text": "See report.csv", "annotations": [
                {"type": "container_file_citation", "container_id": "cntr_1", "file_id": "cfile_1",
                 "filename": "report.csv", "start_index": 4, "end_index": 14}]}]}]},
}


@pytest.mark.parametrize("raw", RESPONSES.values(), ids=list(RESPONSES))
def test_both_adapters_carry_the_same_facts_under_their_documented_keys(raw: dict[str, Any]) -> None:
    response = parse_response(raw, request_id="req_7")
    facts = response_metadata(response)
    assert set(facts) <= set(METADATA_KEYS) and facts["request_id"] == "req_7"
    lc = lc_outputs.response_metadata(response)
    li = li_outputs.response_kwargs(response)
    for key, value in facts.items():
        assert lc[lc_outputs.METADATA_KEYS.get(key, key)] == value
        assert li[li_outputs.METADATA_KEYS.get(key, key)] == value


def test_the_neutral_facts_say_why_a_response_ended() -> None:
    facts = {name: response_metadata(parse_response(raw)) for name, raw in RESPONSES.items()}
    assert facts["waiting for an approval"]["finish_reason"] == "approval_required"
    assert facts["waiting for an approval"]["approval_requests"] == [
        {"id": "mcpr_1", "server_label": "wiki", "name": "search", "arguments": '{"q": "x"}'}]
    assert facts["waiting for an approval"]["conversation_id"] == "conv_1"
    assert facts["cut short"]["finish_reason"] == "max_output_tokens"
    assert facts["cut short"]["model"] == "docs:2"  # the reference when the service names no model
    assert facts["tool calls"]["finish_reason"] == "tool_calls" and "approval_requests" not in facts["tool calls"]
    assert facts["waiting for OAuth consent"]["finish_reason"] == "consent_required"
    assert facts["waiting for OAuth consent"]["oauth_consent_requests"] == [
        {"id": "oauthreq_1", "server_label": "github", "consent_link": "https://login.example/c?x=1"}]
    assert facts["computer call"]["finish_reason"] == "tool_calls"
    assert facts["files made"]["generated_files"] == [
        {"file_id": "cfile_1", "container_id": "cntr_1", "filename": "report.csv"},
        {"file_id": "cfile_2", "container_id": "cntr_1", "filename": None}]
    assert "generated_files" not in facts["tool calls"]
    assert facts["computer call"]["computer_calls"] == [
        {"id": "cu_1", "call_id": "call_1", "action": {"type": "screenshot"}, "pending_safety_checks": []}]


def _table_keys(doc: str, column: int) -> set[str]:
    text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
    rows = [line.split("|")[1:-1] for line in text.splitlines() if line.startswith("| `")]
    return {key for row in rows for key in re.findall(r"`([a-z_]+)`", row[column])}


@pytest.mark.parametrize(("doc", "lc_col", "li_col"), [("langchain.md", 0, 1), ("llama_index.md", 1, 0)])
def test_the_docs_tables_name_every_key_of_both_adapters(doc: str, lc_col: int, li_col: int) -> None:
    for key in METADATA_KEYS:
        assert lc_outputs.METADATA_KEYS.get(key, key) in _table_keys(doc, lc_col), (doc, key)
        assert li_outputs.METADATA_KEYS.get(key, key) in _table_keys(doc, li_col), (doc, key)


@pytest.mark.parametrize("request_", ["mcpr_1", {"id": "mcpr_1", "server_label": "wiki", "name": "search"},
                                      {"type": "mcp_approval_response", "approval_request_id": "mcpr_1"}])
def test_both_adapters_answer_an_approval_the_same_way(request_: Any) -> None:
    want = ApprovalResponsePart("mcpr_1", False, "not now")
    [lc] = to_neutral_messages([lc_approval(request_, False, reason="not now")])
    [li] = to_foundry_messages([li_approval(request_, False, "not now")])
    assert lc.parts == li.parts == (want,)
    assert approval_response(request_, False, "not now") == {
        "approval_request_id": "mcpr_1", "approve": False, "reason": "not now"}


@pytest.mark.parametrize("make", [lambda: lc_approval("", True), lambda: li_approval("", True),
                                  lambda: lc_approval({"server_label": "wiki"}, True)])
def test_an_approval_without_its_request_id_is_refused(make: Any) -> None:
    with pytest.raises(FoundryConfigError, match=r"needs an approval request id such as 'mcpr_\.\.\.'"):
        make()


@pytest.mark.parametrize(("args", "wire"), [({"city": "Oslo"}, '{"city": "Oslo"}'), ('{"a": 1}', '{"a": 1}'),
                                            ("", "{}"), (None, "{}"), ({"é": "ü"}, '{"é": "ü"}')])
def test_both_adapters_encode_tool_call_arguments_the_same_way(args: Any, wire: str) -> None:
    assert encode_arguments(args) == wire
    if isinstance(args, dict):
        lc_msg = AIMessage("", tool_calls=[{"name": "f", "args": args, "id": "c1"}])
        li_msg = ChatMessage(role=MessageRole.ASSISTANT, blocks=[ToolCallBlock(tool_call_id="c1", tool_name="f",
                                                                               tool_kwargs=args)])
        [lc] = to_neutral_messages([lc_msg])
        [li] = to_foundry_messages([li_msg])
        assert [p for p in lc.parts if isinstance(p, ToolCallPart)] == [ToolCallPart("c1", "f", wire)]
        assert [p for p in li.parts if isinstance(p, ToolCallPart)] == [ToolCallPart("c1", "f", wire)]
