"""Issue 14's output items in LangChain: one row per item type (invoke), streams that add up to
invoke, partial images and code deltas, file citations and downloads, OAuth consent and computer calls.

Wire shapes are the core tests' (tests/core/test_items.py, tests/core/test_stream_items.py).
"""

from __future__ import annotations

import json
from functools import reduce
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage
from pydantic import BaseModel

from foundry_agents import ComputerCallOutputPart, GeneratedFile, ResponseDone, parse_response
from foundry_agents.errors import FoundryConfigError
from foundry_agents.orchestration import PendingToolCallsError
from foundry_agents.streaming import StreamAccumulator
from langchain_foundry_agents import (
    COMPUTER_TOOL,
    UnsupportedContentError,
    computer_screenshot_message,
    foundry_agent_tool,
    resend_after_consent,
)
from langchain_foundry_agents._messages import to_neutral_messages
from langchain_foundry_agents._outputs import ChunkMapper, to_ai_message
from langchain_foundry_agents._server_calls import file_reference
from tests.core.test_items import (
    CODE,
    COMPUTER,
    CONSENT,
    FILE_SEARCH,
    IMAGE,
    MEMORY_FLAT,
    MEMORY_NESTED,
    PNG_B64,
    STRUCTURED,
    WEB_SEARCH,
)
from tests.core.test_stream_items import STREAMS
from tests.langchain._support import answering, mock_model, response_body

TEXT = {"type": "message", "id": "msg_1", "role": "assistant",
        "content": [{"type": "output_text", "text": "Done.", "annotations": []}]}
FILES = {"type": "message", "id": "msg_f", "role": "assistant", "content": [
    {"type": "output_text", "text": "Here is data.csv and the chart.", "annotations": [
        {"type": "container_file_citation", "container_id": "cntr_1", "file_id": "cfile_1", "filename": "data.csv",
         "start_index": 8, "end_index": 16},
        {"type": "file_path", "file_id": "file_9", "index": 20}]}]}
NO_IMAGE = {"type": "image_generation_call", "id": "ig_2", "status": "failed", "result": None}
JPEG = {**IMAGE, "id": "ig_3", "output_format": "jpeg"}
NO_FORMAT = {k: v for k, v in IMAGE.items() if k != "output_format"}
UNKNOWN = {"type": "hologram_call_v9", "id": "h_1", "beam": 3}


def blocks_of(msg: AIMessage) -> list[tuple[str, Any]]:
    """(type, name-or-mime) of each standard block."""
    return [(b["type"], b.get("name") or b.get("mime_type") or b.get("tool_call_id")) for b in msg.content_blocks]


# name, output items, standard blocks (type, name / mime type / result's call id), tool call names, finish reason
ROWS: list[tuple[str, list[dict[str, Any]], list[tuple[str, Any]], list[str], str]] = [
    ("image generation", [IMAGE, TEXT], [("image", "image/png"), ("text", None)], [], "stop"),
    ("image as jpeg", [JPEG], [("image", "image/jpeg")], [], "stop"),
    ("image without output_format is png", [NO_FORMAT], [("image", "image/png")], [], "stop"),
    ("image generation failed", [NO_IMAGE], [("server_tool_call", "image_generation"), ("server_tool_result", "ig_2")],
     [], "stop"),
    ("code interpreter", [CODE, FILES], [("server_tool_call", "code_interpreter"), ("server_tool_result", "ci_1"),
                                          ("text", None)], [], "stop"),
    ("file search with results", [FILE_SEARCH, TEXT], [("server_tool_call", "file_search"),
                                                        ("server_tool_result", "fs_1"), ("text", None)], [], "stop"),
    ("web search action", [WEB_SEARCH], [("server_tool_call", "web_search"), ("server_tool_result", "ws_1")], [],
     "stop"),
    ("memory search (results shape)", [MEMORY_NESTED, TEXT], [("server_tool_call", "memory_search"),
                                                              ("server_tool_result", "mem_1"), ("text", None)], [],
     "stop"),
    ("memory search (flat shape)", [MEMORY_FLAT], [("server_tool_call", "memory_search"),
                                                   ("server_tool_result", "mem_2")], [], "stop"),
    ("structured outputs", [STRUCTURED, TEXT], [("non_standard", None), ("text", None)], [], "stop"),
    ("oauth consent", [CONSENT], [("non_standard", None)], [], "consent_required"),
    ("computer call", [COMPUTER], [("tool_call", COMPUTER_TOOL)], [COMPUTER_TOOL], "tool_calls"),
    ("unknown item kept", [UNKNOWN, TEXT], [("non_standard", None), ("text", None)], [], "stop"),
]


@pytest.mark.parametrize(("name", "output", "blocks", "calls", "finish"), ROWS, ids=[r[0] for r in ROWS])
def test_each_item_type_on_invoke(name: str, output: list[dict[str, Any]], blocks: list[tuple[str, Any]],
                                  calls: list[str], finish: str) -> None:
    msg = mock_model(answering(response_body(output))).invoke("go")
    assert blocks_of(msg) == blocks, msg.content_blocks
    assert [c["name"] for c in msg.tool_calls] == calls
    assert msg.response_metadata["finish_reason"] == finish
    items = [o for o in output if o["type"] != "message"]
    kept = [{k: v for k, v in b.items() if k != "index"} for b in msg.content if b["type"] != "text"]
    assert kept == items  # every tool item kept whole, in order: nothing lost


@pytest.mark.parametrize(("name", "output", "blocks", "calls", "finish"), ROWS, ids=[r[0] for r in ROWS])
async def test_each_item_type_streams_to_what_invoke_gives(name: str, output: list[dict[str, Any]],
                                                           blocks: list[tuple[str, Any]], calls: list[str],
                                                           finish: str) -> None:
    llm = mock_model(answering(response_body(output)))
    full = reduce(lambda a, b: a + b, [c async for c in llm.astream("go")])
    reply = await llm.ainvoke("go")
    assert full.content == reply.content and full.tool_calls == reply.tool_calls
    assert full.response_metadata == reply.response_metadata
    assert blocks_of(full) == blocks


def chunks_of(events: list[dict[str, Any]]) -> tuple[list[AIMessageChunk], Any]:
    acc, mapper = StreamAccumulator(request_id="rid"), ChunkMapper()
    chunks, final = [], None
    for event in events:
        for e in acc.feed(event):
            if isinstance(e, ResponseDone):
                final = e.response
            if (c := mapper.feed(e)) is not None:
                chunks.append(c)
    return chunks, final


@pytest.mark.parametrize("events", STREAMS.values(), ids=list(STREAMS))
def test_tool_streams_add_up_to_the_final_message(events: list[dict[str, Any]]) -> None:
    """The service's own event sequences (partial images, code deltas, progress, consent, computer)."""
    chunks, final = chunks_of(events)
    full = reduce(lambda a, b: a + b, chunks)
    expected = to_ai_message(final)
    assert full.content == expected.content and full.tool_calls == expected.tool_calls
    assert full.response_metadata == expected.response_metadata


def test_partial_images_arrive_as_chunks_outside_the_content() -> None:
    chunks, _ = chunks_of(STREAMS["image generation"])
    partials = [c for c in chunks if c.additional_kwargs.get("image_partials")]
    assert [p.content for p in partials] == [[], []]
    images = [p.additional_kwargs["image_partials"][0] for p in partials]
    assert [(i["base64"], i["mime_type"], i["id"], i["extras"]["partial_image_index"]) for i in images] == [
        ("cGFydDA=", "image/png", "ig_1", 0), ("cGFydDE=", "image/png", "ig_1", 1)]
    final = reduce(lambda a, b: a + b, chunks)
    assert final.content_blocks[0]["base64"] == PNG_B64  # the final image, not a partial


def test_code_streams_before_the_item_is_done() -> None:
    chunks, _ = chunks_of(STREAMS["code interpreter"])
    pieces = [c.content[0].get("code") for c in chunks if c.content]
    assert pieces[:2] == ["print(", "1+1)"]
    first = chunks[0].content_blocks
    assert first[0]["type"] == "server_tool_call" and first[0]["args"] == {"code": "print("}


def test_code_deltas_that_are_not_the_whole_code_still_end_with_it() -> None:
    events = [e for e in STREAMS["code interpreter"] if e.get("delta") != "1+1)"]
    chunks, final = chunks_of(events)
    assert reduce(lambda a, b: a + b, chunks).content == to_ai_message(final).content


def test_code_interpreter_logs_and_images_are_the_result() -> None:
    msg = to_ai_message(parse_response(response_body([CODE])))
    call, result = msg.content_blocks
    assert call["args"] == {"code": "print(1+1)"} and call["extras"]["container_id"] == "cntr_1"
    assert result["status"] == "success" and result["output"] == CODE["outputs"]


def test_memories_and_file_search_results_are_readable() -> None:
    msg = to_ai_message(parse_response(response_body([MEMORY_NESTED, FILE_SEARCH])))
    blocks = msg.content_blocks
    assert blocks[1]["output"] == [{"memory_id": "m1", "content": "Prefers SMS", "kind": "user_profile",
                                    "scope": "user_1", "updated_at": "2025-01-01T00:00:00Z"}]
    assert blocks[2]["args"] == {"queries": ["refund policy"]}
    assert blocks[3]["output"][0]["filename"] == "policy.pdf"


def test_web_search_action_is_the_call_args() -> None:
    call, result = to_ai_message(parse_response(response_body([WEB_SEARCH]))).content_blocks
    assert call["args"] == {"type": "search", "query": "weather oslo"}
    assert result["output"] == {"sources": [{"type": "url", "url": "https://yr.no"}]}


def test_file_citations_and_generated_files() -> None:
    msg = to_ai_message(parse_response(response_body([CODE, FILES])))
    (text,) = [b for b in msg.content_blocks if b["type"] == "text"]
    container, path = text["annotations"]
    assert container == {"type": "citation", "title": "data.csv", "start_index": 8, "end_index": 16, "extras": {
        "type": "container_file_citation", "container_id": "cntr_1", "file_id": "cfile_1", "filename": "data.csv"}}
    assert path == {"type": "citation", "extras": {"type": "file_path", "file_id": "file_9", "index": 20}}
    assert msg.response_metadata["generated_files"] == [
        {"file_id": "cfile_1", "container_id": "cntr_1", "filename": "data.csv"},
        {"file_id": "file_9", "container_id": None, "filename": None}]
    assert [file_reference(f) for f in msg.response_metadata["generated_files"]] == [
        ("cfile_1", "cntr_1"), ("file_9", None)]
    assert file_reference(container) == ("cfile_1", "cntr_1")  # a citation from content_blocks works too


@pytest.mark.parametrize(("file", "container", "expected"), [
    ("cfile_1", "cntr_1", ("cfile_1", "cntr_1")),
    ("file_1", None, ("file_1", None)),
    (GeneratedFile("cfile_2", "cntr_2", "a.png"), None, ("cfile_2", "cntr_2")),
    ({"file_id": "cfile_3", "container_id": "cntr_3"}, "cntr_x", ("cfile_3", "cntr_x")),
])
def test_file_reference(file: Any, container: str | None, expected: tuple[str, str | None]) -> None:
    assert file_reference(file, container) == expected


@pytest.mark.parametrize("file", ["", {"filename": "a.csv"}, 7])
def test_download_needs_a_file_id_before_any_call(file: Any) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request expected")

    with pytest.raises(FoundryConfigError, match="download_file needs a file id"):
        mock_model(refuse).download_file(file, "out")


# -- OAuth consent -------------------------------------------------------------------------------
def test_resend_after_consent_sends_the_same_turn_chained() -> None:
    seen: list[dict[str, Any]] = []
    llm = mock_model(answering(response_body([CONSENT], rid="resp_c"), seen))
    turn = [HumanMessage("List my repos")]
    waiting = llm.invoke(turn)
    assert waiting.response_metadata["oauth_consent_requests"] == [
        {"id": "oauthreq_1", "server_label": "github", "consent_link": CONSENT["consent_link"]}]
    llm.invoke(resend_after_consent(turn, waiting))
    assert seen[1]["previous_response_id"] == "resp_c"
    assert seen[1]["input"] == seen[0]["input"]


def test_resend_after_consent_needs_the_reply_and_a_turn() -> None:
    with pytest.raises(FoundryConfigError, match="AIMessage that asked for consent"):
        resend_after_consent([HumanMessage("x")], AIMessage("no id"))
    with pytest.raises(FoundryConfigError, match="no turn after its last AIMessage"):
        resend_after_consent([AIMessage("a", id="r0")], AIMessage("", id="r1"))


# -- computer calls ------------------------------------------------------------------------------
def test_computer_call_is_a_tool_call_with_the_action_as_args() -> None:
    msg = to_ai_message(parse_response(response_body([COMPUTER])))
    assert msg.tool_calls == [{"type": "tool_call", "name": COMPUTER_TOOL, "id": "call_1",
                               "args": {"type": "click", "button": "left", "x": 10, "y": 20}}]
    (block,) = msg.content_blocks
    assert block["extras"]["pending_safety_checks"] == COMPUTER["pending_safety_checks"]
    assert msg.response_metadata["computer_calls"][0]["call_id"] == "call_1"


def test_batched_computer_actions() -> None:
    batched = {**COMPUTER, "action": None, "actions": [{"type": "screenshot"}, {"type": "wait"}]}
    msg = to_ai_message(parse_response(response_body([batched])))
    assert msg.tool_calls[0]["args"] == {"actions": [{"type": "screenshot"}, {"type": "wait"}]}


SHOT = "data:image/png;base64," + PNG_B64
CHECK = {"id": "sc_1", "code": "malicious_instructions", "message": "check"}
ANSWERS = [
    ("helper with bytes", lambda: computer_screenshot_message({"id": "call_1"}, b"\x89PNG\r\n\x1a\nfake",
                                                     acknowledged_safety_checks=[CHECK]),
     ComputerCallOutputPart("call_1", image_url=SHOT, acknowledged_safety_checks=[CHECK])),
    ("helper with a file id", lambda: computer_screenshot_message("call_1", "file-7"),
     ComputerCallOutputPart("call_1", file_id="file-7")),
    ("tool output: an image block", lambda: ToolMessage([{"type": "image", "url": SHOT}], tool_call_id="call_1",
                                                        name=COMPUTER_TOOL),
     ComputerCallOutputPart("call_1", image_url=SHOT)),
    ("tool output: a data URI, no name", lambda: ToolMessage(SHOT, tool_call_id="call_1"),
     ComputerCallOutputPart("call_1", image_url=SHOT)),
    ("wire shape", lambda: ToolMessage([{"type": "computer_screenshot", "file_id": "file-8"}], tool_call_id="call_1"),
     ComputerCallOutputPart("call_1", file_id="file-8")),
]


@pytest.mark.parametrize(("name", "answer", "part"), ANSWERS, ids=[a[0] for a in ANSWERS])
def test_a_tool_message_answers_the_computer_call(name: str, answer: Any, part: ComputerCallOutputPart) -> None:
    reply = to_ai_message(parse_response(response_body([COMPUTER])))
    sent = to_neutral_messages([HumanMessage("click it"), reply, answer()])
    # Not a function call: the service's own item, for a stateless replay (a chained call drops it).
    assert [type(p).__name__ for p in sent[1].parts] == ["ComputerCallPart"]
    assert (sent[1].parts[0].call_id, sent[1].parts[0].id) == ("call_1", COMPUTER["id"])
    assert sent[2].parts == (part,)


def test_a_computer_answer_without_a_screenshot_is_refused() -> None:
    reply = to_ai_message(parse_response(response_body([COMPUTER])))
    with pytest.raises(UnsupportedContentError, match="must be one screenshot"):
        to_neutral_messages([reply, ToolMessage("clicked", tool_call_id="call_1")])


def test_a_stateless_history_replays_the_computer_call_before_its_screenshot() -> None:
    seen: list[dict[str, Any]] = []
    llm = mock_model(answering(response_body([COMPUTER], rid="resp_cu"), seen), store=False)
    first = llm.invoke("click it")
    llm.invoke([HumanMessage("click it"), first, computer_screenshot_message(first.tool_calls[0], SHOT)])
    call, answer = seen[1]["input"][1:]
    assert "previous_response_id" not in seen[1]
    assert call == {"type": "computer_call", "call_id": "call_1", "id": COMPUTER["id"], "action": COMPUTER["action"],
                    "pending_safety_checks": COMPUTER["pending_safety_checks"], "status": "completed"}
    assert answer["type"] == "computer_call_output" and answer["call_id"] == "call_1"


def test_the_screenshot_goes_on_the_wire_as_computer_call_output() -> None:
    seen: list[dict[str, Any]] = []
    llm = mock_model(answering(response_body([COMPUTER], rid="resp_cu"), seen))
    first = llm.invoke("click it")
    llm.invoke([HumanMessage("click it"), first, computer_screenshot_message(first.tool_calls[0], SHOT)])
    assert seen[1]["previous_response_id"] == "resp_cu"
    assert seen[1]["input"] == [{"type": "computer_call_output", "call_id": "call_1",
                                 "output": {"type": "computer_screenshot", "image_url": SHOT}}]


# -- the agent-as-tool loop ----------------------------------------------------------------------
def test_a_sub_agent_waiting_for_consent_is_a_tool_error_with_the_link() -> None:
    tool = foundry_agent_tool(mock_model(answering(response_body([CONSENT]))))
    out = tool.invoke({"question": "repos?"})
    assert "OAuth consent for github at https://login.example/consent?x=1" in out


def test_a_computer_call_without_a_computer_tool_is_blocked() -> None:
    from langchain_foundry_agents.orchestration import _answer

    llm = mock_model(answering(response_body([COMPUTER])))
    with pytest.raises(PendingToolCallsError) as info:
        _answer(llm, {}, "click", {}, owner="sub", max_rounds=2, kwargs={})
    assert info.value.blocked == ["computer call call_1 (click)"]


def test_a_computer_tool_answers_computer_calls_in_the_loop() -> None:
    seen: list[dict[str, Any]] = []
    replies = iter([response_body([COMPUTER], rid="resp_1"), response_body([TEXT], rid="resp_2")])

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(200, json=next(replies))

    def computer_use(type: str, x: int = 0, y: int = 0, button: str = "left") -> list[dict[str, Any]]:
        """Do a computer action and return a screenshot."""
        return [{"type": "image", "url": SHOT}]

    out = foundry_agent_tool(mock_model(handler), tools=[computer_use]).invoke({"question": "click"})
    assert out == "Done."
    assert seen[1]["input"][-1] == {"type": "computer_call_output", "call_id": "call_1",
                                    "output": {"type": "computer_screenshot", "image_url": SHOT}}


# -- structured outputs --------------------------------------------------------------------------
class Weather(BaseModel):
    city: str
    temp: int


def test_with_structured_output_reads_a_structured_outputs_item() -> None:
    llm = mock_model(answering(response_body([STRUCTURED, TEXT])))
    assert llm.with_structured_output(Weather).invoke("weather?") == Weather(city="Oslo", temp=21)
