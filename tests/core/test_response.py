import pytest

from foundry_agents import (
    FunctionCallItem,
    McpApprovalRequestItem,
    MessageItem,
    OtherItem,
    ReasoningItem,
    ServerToolCallItem,
    Usage,
    parse_response,
)
from foundry_agents.response import parse_output_item
from foundry_agents.usage import parse_usage


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, None),
        ({"input_tokens": 3, "output_tokens": 2, "total_tokens": 5}, Usage(3, 2, 5)),
        ({"input_tokens": 3, "output_tokens": 2}, Usage(3, 2, 5)),  # total derived
        ({"input_tokens": 10, "output_tokens": 4, "total_tokens": 14,
          "input_tokens_details": {"cached_tokens": 6}, "output_tokens_details": {"reasoning_tokens": 2}},
         Usage(10, 4, 14, 6, 2)),
        ({"input_tokens": 1, "output_tokens": 1, "input_tokens_details": None}, Usage(1, 1, 2)),
        ({"input_tokens": "x", "output_tokens": True}, Usage(0, 0, 0)),
    ],
)
def test_parse_usage(raw, expected):
    assert parse_usage(raw) == expected


@pytest.mark.parametrize(
    ("raw", "cls", "check"),
    [
        ({"type": "message", "id": "msg_1", "content": [{"type": "output_text", "text": "a", "annotations": [
            {"type": "url_citation", "url": "https://x", "title": "X", "start_index": 0, "end_index": 1}]}]},
         MessageItem, lambda i: i.text == "a" and i.annotations[0].url == "https://x"),
        ({"type": "message", "content": [{"type": "refusal", "refusal": "no"}]}, MessageItem,
         lambda i: i.text == "" and i.content[0].refusal == "no"),
        ({"type": "message", "content": [{"type": "weird_part", "x": 1}]}, MessageItem,
         lambda i: i.content[0] == {"type": "weird_part", "x": 1}),
        ({"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "f", "arguments": '{"a":1}'},
         FunctionCallItem, lambda i: i.parsed_arguments() == {"a": 1}),
        ({"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "thought"}]},
         ReasoningItem, lambda i: i.text == "thought"),
        ({"type": "mcp_approval_request", "id": "mcpr_1", "server_label": "s", "name": "n", "arguments": "{}"},
         McpApprovalRequestItem, lambda i: i.id == "mcpr_1"),
        ({"type": "web_search_call", "id": "ws_1", "status": "searching", "action": {"type": "search", "query": "q"}},
         ServerToolCallItem, lambda i: i.arguments == {"type": "search", "query": "q"}),
        ({"type": "bing_grounding_call_output", "id": "fco_1", "output": "[]"}, ServerToolCallItem,
         lambda i: i.output == "[]"),
        ({"type": "mcp_list_tools", "id": "mcpl_1", "tools": []}, ServerToolCallItem, lambda i: i.type == "mcp_list_tools"),
        ({"type": "brand_new_item", "id": "x_1", "payload": {"deep": [1]}}, OtherItem,
         lambda i: i.raw["payload"] == {"deep": [1]}),
        ({}, OtherItem, lambda i: i.type == "unknown"),
    ],
)
def test_parse_output_item(raw, cls, check):
    item = parse_output_item(raw)
    assert isinstance(item, cls)
    assert check(item)


def test_bad_function_arguments_name_the_call():
    item = parse_output_item({"type": "function_call", "call_id": "call_9", "name": "f", "arguments": "{oops"})
    with pytest.raises(ValueError, match="call_9"):
        item.parsed_arguments()


def test_empty_model_falls_back_to_agent_and_caresp_ids_work():
    r = parse_response({"id": "caresp_123", "status": "completed", "model": "",
                        "agent_reference": {"type": "agent_reference", "name": "hosted", "version": "7"},
                        "output": []})
    assert r.id == "caresp_123" and r.model is None and r.model_name == "hosted:7"


def test_preview_dialect_agent_echo():
    r = parse_response({"id": "resp_1", "status": "completed", "agent": {"type": "agent_id", "name": "a", "version": "1"}})
    assert str(r.agent) == "a:1"


def test_pending_work_found_in_completed_response():
    r = parse_response({"id": "resp_1", "status": "completed", "output": [
        {"type": "mcp_list_tools", "id": "mcpl_1"},
        {"type": "mcp_approval_request", "id": "mcpr_1", "name": "n"},
        {"type": "function_call", "call_id": "call_1", "name": "f", "arguments": "{}"},
        {"type": "oauth_consent_request", "id": "oc_1"},
    ]})
    assert [i.type for i in r.pending_items] == ["mcp_approval_request", "function_call", "oauth_consent_request"]


def test_answered_approvals_are_not_pending():
    r = parse_response({"id": "resp_1", "status": "completed", "output": [
        {"type": "mcp_approval_request", "id": "mcpr_1"},
        {"type": "mcp_call", "id": "mcp_1", "approval_request_id": "mcpr_1"},
    ]})
    assert r.approval_requests == [] and r.pending_items == []


def test_incomplete_and_conversation():
    r = parse_response({"id": "resp_1", "status": "incomplete", "incomplete_details": {"reason": "max_output_tokens"},
                        "conversation": {"id": "conv_1"}, "unknown_top_level": 1})
    assert r.incomplete_reason == "max_output_tokens" and r.conversation_id == "conv_1"
    assert r.raw["unknown_top_level"] == 1
