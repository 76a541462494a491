import pytest

from foundry_agents import (
    FunctionCallItem,
    McpApprovalRequestItem,
    MessageItem,
    OtherItem,
    ReasoningItem,
    ServerToolCallItem,
    Usage,
    WorkflowActionItem,
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
        # workflow_action (docs/protocol.md, "Workflow actions"): wire "kind" is action_kind; unknown fields kept
        ({"type": "workflow_action", "id": "wfa_1", "kind": "InvokeAzureAgent", "action_id": "student_agent",
          "parent_action_id": None, "previous_action_id": "set_var", "status": "in_progress", "extra": {"x": 1}},
         WorkflowActionItem, lambda i: (i.action_kind, i.action_id, i.previous_action_id, i.status, i.raw["extra"])
         == ("InvokeAzureAgent", "student_agent", "set_var", "in_progress", {"x": 1})),
        ({"type": "workflow_action", "action_id": 7, "status": ["completed"], "kind": None}, WorkflowActionItem,
         lambda i: i.action_id is None and i.status is None and i.raw["action_id"] == 7 and i.summary() == {}),
        ({"type": "workflow_action", "action_id": "a", "agent": {"name": "forecast"}, "parent_action_id": "p",
          "agent_reference": {"type": "agent_reference", "name": "trip-planner", "version": "1"}},
         WorkflowActionItem, lambda i: i.invoked_agent == "forecast" and str(i.agent) == "trip-planner:1"
         and i.summary() == {"action_id": "a", "parent_action_id": "p", "agent_name": "forecast"}),
        ({"type": "workflow_action", "agent": "forecast", "agent_reference": "x"}, WorkflowActionItem,
         lambda i: i.invoked_agent is None and i.agent is None and i.id is None),
        ({"type": "message", "content": [], "agent_reference": {"type": "agent_reference", "name": "writer"}},
         MessageItem, lambda i: i.agent is not None and i.agent.name == "writer"),
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


# -- malformed wire data: fields of the wrong type read as absent, never crash --------------------
def test_wrong_field_types_do_not_crash_the_parser_or_its_views():
    from foundry_agents import parse_response

    r = parse_response({
        "id": 5, "status": None, "model": {"x": 1}, "created_at": "yesterday", "previous_response_id": [1],
        "incomplete_details": {"reason": 3},
        "output": [
            {"type": "message", "id": 7, "role": 1, "content": [{"type": "output_text", "text": "Hi", "annotations": 5}]},
            {"type": "reasoning", "summary": 3},
            {"type": "reasoning", "summary": [{"text": 9}]},
            {"type": "mcp_call", "approval_request_id": ["unhashable"]},
            {"type": "mcp_approval_request", "id": "a1", "name": {}, "arguments": 1},
        ],
    })
    assert r.output_text == "Hi" and r.model is None and r.created_at is None
    assert r.messages[0].id is None and r.messages[0].role == "assistant"
    assert [i.text for i in r.reasoning] == ["", "9"]
    assert [a.id for a in r.approval_requests] == ["a1"] and r.pending_items
    assert r.model_name == "" and r.raw["model"] == {"x": 1}  # kept in raw


@pytest.mark.parametrize("raw", [[1], 42, "text", None])
def test_a_response_that_is_not_an_object_is_a_typed_error(raw):
    from foundry_agents import FoundryAgentsError, UnexpectedResponseError, parse_response

    with pytest.raises(UnexpectedResponseError, match="must be a JSON object") as info:
        parse_response(raw, request_id="rid")
    assert isinstance(info.value, FoundryAgentsError) and info.value.request_id == "rid"


def test_an_output_item_that_is_not_an_object_is_kept_as_other():
    item = parse_output_item(["x"])
    assert item.type == "unknown" and item.raw == {"value": ["x"]}


# -- error messages: bounded, HTML summarized by its title, tokens redacted ------------------------
def test_html_error_page_message_is_its_title_and_the_body_is_kept():
    from foundry_agents.errors import MESSAGE_LIMIT, error_from_response

    page = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>" + "x" * 20000 + "</body></html>"
    err = error_from_response(502, {}, page)
    assert err.message.startswith("502 Bad Gateway (an HTML page of")
    assert len(str(err)) < MESSAGE_LIMIT + 50 and err.body == page


def test_long_text_message_is_capped_with_its_length():
    from foundry_agents.errors import MESSAGE_LIMIT, error_from_response

    err = error_from_response(500, {}, {"error": {"message": "boom " * 5000}})
    assert len(err.message) < MESSAGE_LIMIT + 80 and "24999 characters" in err.message
    assert err.body["error"]["message"] == "boom " * 5000


def test_tokens_echoed_by_a_gateway_are_redacted_from_message_and_body():
    from foundry_agents.errors import error_from_response, redact

    jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
    body = {"error": {"message": f"invalid header Authorization: Bearer {jwt}", "code": "bad",
                      "details": [{"message": "key sk-live-12345 refused"}]}}
    err = error_from_response(401, {}, body, secrets=["sk-live-12345"])
    text = str(err) + repr(err.body) + repr(err.details)
    assert jwt not in text and "sk-live-12345" not in text and "[REDACTED]" in str(err)
    assert redact(f"token={jwt}") == "token=[REDACTED]"
    assert redact("bearer%20abc123") == "bearer%20[REDACTED]"
