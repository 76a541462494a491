"""Every output item type maps to its typed neutral item; odd fields read as absent, raw stays whole."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from foundry_agents import (
    CodeInterpreterCallItem,
    CodeInterpreterImage,
    CodeInterpreterLogs,
    ComputerCallItem,
    ComputerCallOutputPart,
    FileSearchCallItem,
    FileSearchResult,
    FoundryConfigError,
    GeneratedFile,
    ImageGenerationCallItem,
    MemoryRecord,
    MemorySearchCallItem,
    Message,
    OAuthConsentRequestItem,
    OtherItem,
    ServerToolCallItem,
    StructuredOutputsItem,
    UnexpectedResponseError,
    WebSearchCallItem,
    parse_response,
    to_input_items,
)
from foundry_agents.items import parse_annotation, parse_output_item

from .._spec import schema_errors

PNG_B64 = base64.b64encode(b"\x89PNG\r\n\x1a\nfake").decode()

IMAGE = {"type": "image_generation_call", "id": "ig_1", "status": "completed", "result": PNG_B64,
         "output_format": "png", "revised_prompt": "a red fox", "size": "1024x1024"}
CODE = {"type": "code_interpreter_call", "id": "ci_1", "status": "completed", "container_id": "cntr_1",
        "code": "print(1+1)", "outputs": [{"type": "logs", "logs": "2"},
                                          {"type": "image", "url": "https://files.example/chart.png"}]}
FILE_SEARCH = {"type": "file_search_call", "id": "fs_1", "status": "completed", "queries": ["refund policy"],
               "results": [{"file_id": "file_1", "filename": "policy.pdf", "score": 0.87, "text": "30 days",
                            "attributes": {"lang": "en"}}]}
WEB_SEARCH = {"type": "web_search_call", "id": "ws_1", "status": "completed",
              "action": {"type": "search", "query": "weather oslo", "sources": [{"type": "url", "url": "https://yr.no"}]}}
COMPUTER = {"type": "computer_call", "id": "cu_1", "call_id": "call_1", "status": "completed",
            "action": {"type": "click", "button": "left", "x": 10, "y": 20},
            "pending_safety_checks": [{"id": "sc_1", "code": "malicious_instructions", "message": "check"}]}
CONSENT = {"type": "oauth_consent_request", "id": "oauthreq_1", "consent_link": "https://login.example/consent?x=1",
           "server_label": "github"}
MEMORY_NESTED = {"type": "memory_search_call", "id": "mem_1", "status": "completed", "results": [
    {"memory_item": {"memory_id": "m1", "content": "Prefers SMS", "kind": "user_profile", "scope": "user_1",
                     "updated_at": "2025-01-01T00:00:00Z"}}]}
MEMORY_FLAT = {"type": "memory_search_call", "id": "mem_2", "status": "completed", "memories": [
    {"memory_id": "m2", "content": "Lives in Oslo", "kind": "chat_summary", "scope": "user_1"}]}
STRUCTURED = {"type": "structured_outputs", "id": "so_1", "output": {"city": "Oslo", "temp": 21}}

# (wire item, expected type, expected fields)
ROWS: dict[str, tuple[dict[str, Any], type, dict[str, Any]]] = {
    "image generation": (IMAGE, ImageGenerationCallItem, {
        "id": "ig_1", "status": "completed", "result_b64": PNG_B64, "output_format": "png",
        "revised_prompt": "a red fox", "mime_type": "image/png"}),
    "image generation, webp, not done": (
        {"type": "image_generation_call", "id": "ig_2", "status": "generating", "result": None, "output_format": "webp"},
        ImageGenerationCallItem, {"result_b64": None, "mime_type": "image/webp"}),
    "image generation, wrong-typed fields": (
        {"type": "image_generation_call", "id": 7, "status": ["x"], "result": 42, "output_format": {"png": 1}},
        ImageGenerationCallItem, {"id": None, "status": None, "result_b64": None, "output_format": None,
                                  "mime_type": "image/png"}),
    "code interpreter": (CODE, CodeInterpreterCallItem, {
        "container_id": "cntr_1", "code": "print(1+1)", "logs": "2",
        "outputs": [CodeInterpreterLogs("2"), CodeInterpreterImage("https://files.example/chart.png")]}),
    "code interpreter, odd outputs": (
        {"type": "code_interpreter_call", "id": "ci_2", "status": "interpreting", "container_id": 5, "code": None,
         "outputs": [{"type": "logs", "logs": 3}, "junk", {"type": "audio", "url": "x"},
                     {"type": "logs", "logs": "a"}, {"type": "logs", "logs": "b"}]},
        CodeInterpreterCallItem, {"container_id": None, "code": None, "logs": "a\nb",
                                  "outputs": [CodeInterpreterLogs("a"), CodeInterpreterLogs("b")]}),
    "code interpreter, outputs null": (
        {"type": "code_interpreter_call", "id": "ci_3", "status": "in_progress", "container_id": "cntr_1",
         "code": "x", "outputs": None}, CodeInterpreterCallItem, {"outputs": [], "logs": ""}),
    "file search with results": (FILE_SEARCH, FileSearchCallItem, {
        "queries": ["refund policy"],
        "results": [FileSearchResult("file_1", "policy.pdf", 0.87, "30 days", {"lang": "en"})]}),
    "file search, results not included, odd fields": (
        {"type": "file_search_call", "id": "fs_2", "status": "completed", "queries": ["a", 3, None], "results": None},
        FileSearchCallItem, {"queries": ["a"], "results": []}),
    "file search, wrong-typed result fields": (
        {"type": "file_search_call", "id": "fs_3", "status": "completed", "queries": "q",
         "results": [{"file_id": 1, "score": "high", "attributes": []}, "junk"]},
        FileSearchCallItem, {"queries": [], "results": [FileSearchResult(None)]}),
    "web search": (WEB_SEARCH, WebSearchCallItem, {"query": "weather oslo", "url": None,
                                                   "action": WEB_SEARCH["action"]}),
    "web search, queries list": (
        {"type": "web_search_call", "id": "ws_2", "status": "completed",
         "action": {"type": "search", "queries": ["a", "b"]}}, WebSearchCallItem, {"query": "a"}),
    "web search, open page": (
        {"type": "web_search_call", "id": "ws_3", "status": "completed",
         "action": {"type": "open_page", "url": "https://yr.no"}}, WebSearchCallItem,
        {"query": None, "url": "https://yr.no"}),
    "web search, action of the wrong type": (
        {"type": "web_search_call", "id": "ws_4", "status": "searching", "action": "search"}, WebSearchCallItem,
        {"action": None, "query": None, "url": None}),
    "memory search, results with memory_item": (MEMORY_NESTED, MemorySearchCallItem, {
        "memories": [MemoryRecord("m1", "Prefers SMS", "user_profile", "user_1", "2025-01-01T00:00:00Z")]}),
    "memory search, flat memories": (MEMORY_FLAT, MemorySearchCallItem, {
        "memories": [MemoryRecord("m2", "Lives in Oslo", "chat_summary", "user_1")]}),
    "memory search, wrong-typed entries": (
        {"type": "memory_search_call", "id": "mem_3", "results": [{"memory_item": "x"}, 5],
         "memories": [{"memory_id": 9, "content": ["a"]}]},
        MemorySearchCallItem, {"memories": [MemoryRecord(None)], "status": None}),
    "structured outputs": (STRUCTURED, StructuredOutputsItem, {"id": "so_1", "output": {"city": "Oslo", "temp": 21}}),
    "oauth consent": (CONSENT, OAuthConsentRequestItem, {
        "id": "oauthreq_1", "consent_link": "https://login.example/consent?x=1", "server_label": "github"}),
    "oauth consent, wrong-typed link": (
        {"type": "oauth_consent_request", "id": "oauthreq_2", "consent_link": {"href": "x"}},
        OAuthConsentRequestItem, {"consent_link": None, "server_label": None}),
    "computer call": (COMPUTER, ComputerCallItem, {
        "call_id": "call_1", "action": COMPUTER["action"], "status": "completed",
        "pending_safety_checks": COMPUTER["pending_safety_checks"], "actions": [COMPUTER["action"]]}),
    "computer call, wrong-typed fields": (
        {"type": "computer_call", "id": "cu_2", "call_id": 3, "action": "click", "pending_safety_checks": {"id": 1}},
        ComputerCallItem, {"call_id": "", "action": None, "pending_safety_checks": [], "actions": []}),
    "computer call, batched actions": (
        {"type": "computer_call", "id": "cu_3", "call_id": "call_3", "status": "completed", "pending_safety_checks": [],
         "actions": [{"type": "click", "button": "left", "x": 1, "y": 2}, {"type": "screenshot"}]},
        ComputerCallItem, {"action": None, "actions": [{"type": "click", "button": "left", "x": 1, "y": 2},
                                                       {"type": "screenshot"}]}),
    "mcp call stays a generic server tool": (
        {"type": "mcp_call", "id": "mcp_1", "name": "search", "arguments": "{}", "output": "ok"},
        ServerToolCallItem, {"name": "search", "output": "ok"}),
    "a future item stays whole": (
        {"type": "hologram_call_request", "id": "h_1", "payload": [1, 2]}, OtherItem, {"id": "h_1"}),
}


@pytest.mark.parametrize(("wire", "cls", "fields"), ROWS.values(), ids=list(ROWS))
def test_each_item_type_is_typed_and_keeps_its_raw(wire: dict[str, Any], cls: type, fields: dict[str, Any]) -> None:
    item = parse_output_item(wire)
    assert type(item) is cls
    assert item.raw == wire and item.type == wire["type"]  # lossless, whatever was odd
    for name, value in fields.items():
        assert getattr(item, name) == value, name


@pytest.mark.parametrize("wire", [IMAGE, CODE, FILE_SEARCH, WEB_SEARCH, MEMORY_FLAT])
def test_typed_server_tools_are_still_server_tool_calls(wire: dict[str, Any]) -> None:
    item = parse_output_item(wire)
    assert isinstance(item, ServerToolCallItem)
    assert item.output == wire.get("output", wire.get("results", wire.get("outputs")))


@pytest.mark.parametrize(("wire", "schema"), [
    (IMAGE, "OpenAI.ImageGenToolCall"), (CODE, "OpenAI.CodeInterpreterToolCall"),
    (FILE_SEARCH, "OpenAI.FileSearchToolCall"), (WEB_SEARCH, "OpenAI.WebSearchToolCall"),
    (COMPUTER, "OpenAI.ComputerToolCall"),
    ({"type": "container_file_citation", "container_id": "cntr_1", "file_id": "cfile_1", "filename": "out.csv",
      "start_index": 0, "end_index": 5}, "OpenAI.ContainerFileCitationBody"),
    ({"type": "file_path", "file_id": "file_9", "index": 3}, "OpenAI.FilePath"),
])
def test_the_sample_items_are_what_the_openai_spec_describes(wire: dict[str, Any], schema: str) -> None:
    assert schema_errors(schema, wire) == []


def test_image_bytes_decode_the_result_and_refuse_what_is_not_base64() -> None:
    assert parse_output_item(IMAGE).image_bytes() == b"\x89PNG\r\n\x1a\nfake"  # type: ignore[union-attr]
    assert parse_output_item({**IMAGE, "result": None}).image_bytes() is None  # type: ignore[union-attr]
    with pytest.raises(UnexpectedResponseError, match="ig_1 has a result that is not base64"):
        parse_output_item({**IMAGE, "result": "not base64!"}).image_bytes()  # type: ignore[union-attr]


@pytest.mark.parametrize(("wire", "fields"), [
    ({"type": "container_file_citation", "container_id": "cntr_1", "file_id": "cfile_1", "filename": "out.csv",
      "start_index": 3, "end_index": 9},
     {"container_id": "cntr_1", "file_id": "cfile_1", "filename": "out.csv", "start_index": 3, "end_index": 9}),
    ({"type": "file_path", "file_id": "file_9", "index": 2}, {"file_id": "file_9", "index": 2, "container_id": None}),
    ({"type": "container_file_citation", "container_id": 1, "file_id": None, "start_index": "3"},
     {"container_id": None, "file_id": None, "start_index": None}),
])
def test_file_annotations_carry_their_ids(wire: dict[str, Any], fields: dict[str, Any]) -> None:
    annotation = parse_annotation(wire)
    assert annotation.raw == wire
    for name, value in fields.items():
        assert getattr(annotation, name) == value, name


def _message(*annotations: dict[str, Any]) -> dict[str, Any]:
    return {"type": "message", "id": "msg_1", "role": "assistant", "status": "completed",
            "content": [{"type": "output_text", "text": "See out.csv and the chart.", "annotations": list(annotations)}]}


def test_a_response_lists_its_images_files_consents_and_computer_calls() -> None:
    csv = {"type": "container_file_citation", "container_id": "cntr_1", "file_id": "cfile_1", "filename": "out.csv",
           "start_index": 4, "end_index": 11}
    code = {**CODE, "outputs": [{"type": "image", "url": "https://x/c.png", "file_id": "cfile_2"},
                                {"type": "image", "url": "https://x/d.png"}]}
    response = parse_response({"id": "resp_1", "status": "completed", "output": [
        code, IMAGE, _message(csv, dict(csv), {"type": "file_path", "file_id": "file_9", "index": 0},
                              {"type": "url_citation", "url": "https://x", "start_index": 0, "end_index": 1}),
        CONSENT, COMPUTER, STRUCTURED]})
    assert response.generated_files == [GeneratedFile("cfile_1", "cntr_1", "out.csv"), GeneratedFile("file_9"),
                                        GeneratedFile("cfile_2", "cntr_1")]
    assert [i.id for i in response.images] == ["ig_1"]
    assert [c.consent_link for c in response.oauth_consent_requests] == ["https://login.example/consent?x=1"]
    assert [c.call_id for c in response.computer_calls] == ["call_1"]
    assert [i.type for i in response.pending_items] == ["oauth_consent_request", "computer_call"]


@pytest.mark.parametrize(("part", "wire"), [
    (ComputerCallOutputPart("call_1", image_url="data:image/png;base64,iVBORw0KGgo="),
     {"type": "computer_call_output", "call_id": "call_1",
      "output": {"type": "computer_screenshot", "image_url": "data:image/png;base64,iVBORw0KGgo="}}),
    (ComputerCallOutputPart("call_2", file_id="file_7",
                            acknowledged_safety_checks=[{"id": "sc_1", "code": "malicious_instructions",
                                                         "message": "check", "extra": "dropped"}]),
     {"type": "computer_call_output", "call_id": "call_2", "output": {"type": "computer_screenshot", "file_id": "file_7"},
      "acknowledged_safety_checks": [{"id": "sc_1", "code": "malicious_instructions", "message": "check"}]}),
])
def test_a_computer_call_is_answered_with_a_spec_valid_screenshot_item(part: ComputerCallOutputPart,
                                                                      wire: dict[str, Any]) -> None:
    [item] = to_input_items([Message("tool", [part])])
    assert item == wire
    assert schema_errors("OpenAI.ComputerCallOutputItemParam", item) == []


@pytest.mark.parametrize(("make", "match"), [
    (lambda: ComputerCallOutputPart("call_1"), "exactly one of image_url= or file_id="),
    (lambda: ComputerCallOutputPart("call_1", image_url="data:x", file_id="f"), "exactly one of image_url= or file_id="),
    (lambda: ComputerCallOutputPart("", image_url="data:x"), "call_id must be the computer call's call_id"),
    (lambda: ComputerCallOutputPart(None, image_url="data:x"), "call_id must be"),  # type: ignore[arg-type]
    (lambda: ComputerCallOutputPart("c", image_url=b"png"), "image_url must be a string"),  # type: ignore[arg-type]
    (lambda: ComputerCallOutputPart("c", file_id=5), "file_id must be a string"),  # type: ignore[arg-type]
    (lambda: ComputerCallOutputPart("c", file_id="f", acknowledged_safety_checks="sc_1"),  # type: ignore[arg-type]
     "acknowledged_safety_checks must be a sequence"),
    (lambda: ComputerCallOutputPart("c", file_id="f", acknowledged_safety_checks=[{"code": "x"}]),
     "entries need an 'id' string"),
    (lambda: ComputerCallOutputPart("c", file_id="f", acknowledged_safety_checks=[{"id": "s", "message": 3}]),
     "message must be a string"),
])
def test_a_bad_computer_call_answer_is_refused_naming_the_argument(make: Any, match: str) -> None:
    with pytest.raises(FoundryConfigError, match=match):
        make()


@pytest.mark.parametrize("role", ["user", "assistant", "system"])
def test_a_computer_call_answer_belongs_to_a_tool_message(role: str) -> None:
    with pytest.raises(FoundryConfigError, match="ComputerCallOutputPart"):
        to_input_items([Message(role, [ComputerCallOutputPart("c", file_id="f")])])  # type: ignore[arg-type]
