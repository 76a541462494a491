"""Every output item of issue 14 as LlamaIndex content, through FoundryAgentLLM over a MockTransport.

One row per item type for ``chat``; every tool stream ends in the message ``chat`` returns
(sync and async); partial images, code deltas, progress and pending work show on the chunks;
computer calls round-trip through a ``FunctionAgent``; consents are resent; the agent-as-tool loop
stops on them. Wire shapes are the core tests' (tests/core/test_items.py, test_stream_items.py).
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from llama_index.core.agent.workflow import FunctionAgent
from llama_index.core.base.llms.types import (
    ChatMessage,
    CitationBlock,
    ImageBlock,
    MessageRole,
    TextBlock,
    ToolCallBlock,
)
from llama_index.core.prompts import PromptTemplate
from llama_index.core.tools import FunctionTool
from pydantic import BaseModel

from foundry_agents import FoundryAgentsClient
from foundry_agents.errors import FoundryConfigError, StructuredOutputError
from foundry_agents.tools import PendingToolCallsError
from llama_index_foundry import (
    COMPUTER_TOOL,
    FanOutWorkflow,
    FoundryAgentLLM,
    computer_screenshot_message,
    foundry_agent_tool,
    resend_after_consent,
)
from llama_index_foundry._messages import to_foundry_messages
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
from tests.llama_index._support import Recorder, mock_llm, sse

PNG = base64.b64decode(PNG_B64)
CFILE = {"type": "container_file_citation", "container_id": "cntr_1", "file_id": "cfile_1", "filename": "chart.png",
         "start_index": 11, "end_index": 20}
FILE_PATH = {"type": "file_path", "file_id": "file_9", "index": 4}


def msg(text: str, annotations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"type": "message", "id": "msg_1", "role": "assistant", "status": "completed",
            "content": [{"type": "output_text", "text": text, "annotations": annotations or []}]}


def response(*output: dict[str, Any], rid: str = "resp_1") -> dict[str, Any]:
    return {"id": rid, "object": "response", "status": "completed", "model": "gpt-4o", "output": list(output),
            "agent_reference": {"type": "agent_reference", "name": "tools", "version": "1"}}


def answering(*outputs: dict[str, Any] | list[dict[str, Any]]) -> Recorder:
    """Answer each call with the next response (a JSON body, or SSE events when it streams)."""
    queue = list(outputs)

    def answer(body: dict[str, Any]) -> httpx.Response:
        item = queue.pop(0) if len(queue) > 1 else queue[0]
        events = item if isinstance(item, list) else None
        final: dict[str, Any] = events[-1]["response"] if events else item  # type: ignore[assignment]
        if body.get("stream"):
            return httpx.Response(200, content=sse(events or _as_events(final)),
                                  headers={"content-type": "text/event-stream"})
        return httpx.Response(200, json=final)
    return Recorder(answer)


def _as_events(final: dict[str, Any]) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = [{"type": "response.created", "sequence_number": 0,
                                     "response": {**final, "status": "in_progress", "output": []}}]
    for index, item in enumerate(final["output"]):
        events.append({"type": "response.output_item.done", "output_index": index, "item": item,
                       "sequence_number": len(events)})
    events.append({"type": "response.completed", "response": final, "sequence_number": len(events)})
    return events


def llm_for(recorder: Recorder, **kwargs: Any) -> FoundryAgentLLM:
    return mock_llm(recorder, agent="tools:1", **kwargs)


USER = ChatMessage(role=MessageRole.USER, content="go")

# -- one row per item type -------------------------------------------------------------------------
# name: (output items, block types after the TextBlock, additional_kwargs subset)
ROWS: dict[str, tuple[list[dict[str, Any]], list[type], dict[str, Any]]] = {
    "image generation": ([IMAGE, msg("Here it is")], [ImageBlock], {
        "image_generation_calls": [{"type": "image_generation_call", "id": "ig_1", "status": "completed",
                                    "output_format": "png", "revised_prompt": "a red fox", "mime_type": "image/png",
                                    "has_image": True}],
        "server_tool_calls": [IMAGE]}),
    "image generation, result not base64": ([{**IMAGE, "result": "not base64!"}], [], {
        "server_tool_calls": [{**IMAGE, "result": "not base64!"}]}),
    "code interpreter": ([CODE, msg("2")], [], {
        "code_interpreter_calls": [{"type": "code_interpreter_call", "id": "ci_1", "status": "completed",
                                    "container_id": "cntr_1", "code": "print(1+1)", "outputs": [
                                        {"type": "logs", "logs": "2"},
                                        {"type": "image", "url": "https://files.example/chart.png", "file_id": None}]}],
        "server_tool_calls": [CODE]}),
    "container file citation": ([CODE, msg("The chart: chart.png", [CFILE])], [CitationBlock], {
        "generated_files": [{"file_id": "cfile_1", "container_id": "cntr_1", "filename": "chart.png"}],
        "annotations": [CFILE]}),
    "file path annotation": ([msg("See the file", [FILE_PATH])], [CitationBlock], {
        "generated_files": [{"file_id": "file_9", "container_id": None, "filename": None}]}),
    "file search with results": ([FILE_SEARCH, msg("30 days")], [], {
        "file_search_calls": [{"type": "file_search_call", "id": "fs_1", "status": "completed",
                               "queries": ["refund policy"], "results": [
                                   {"file_id": "file_1", "filename": "policy.pdf", "score": 0.87, "text": "30 days",
                                    "attributes": {"lang": "en"}}]}]}),
    "web search": ([WEB_SEARCH, msg("Sunny")], [], {
        "web_search_calls": [{"type": "web_search_call", "id": "ws_1", "status": "completed",
                              "action": WEB_SEARCH["action"]}]}),
    "memory search, nested results": ([MEMORY_NESTED, msg("SMS it is")], [], {
        "memory_search_calls": [{"type": "memory_search_call", "id": "mem_1", "status": "completed", "memories": [
            {"memory_id": "m1", "content": "Prefers SMS", "kind": "user_profile", "scope": "user_1",
             "updated_at": "2025-01-01T00:00:00Z"}]}]}),
    "memory search, flat memories": ([MEMORY_FLAT], [], {
        "memory_search_calls": [{"type": "memory_search_call", "id": "mem_2", "status": "completed", "memories": [
            {"memory_id": "m2", "content": "Lives in Oslo", "kind": "chat_summary", "scope": "user_1",
             "updated_at": None}]}]}),
    "structured outputs": ([STRUCTURED, msg("done")], [], {
        "structured_outputs": [{"type": "structured_outputs", "id": "so_1", "output": {"city": "Oslo", "temp": 21}}]}),
    "oauth consent": ([CONSENT], [], {
        "finish_reason": "consent_required",
        "oauth_consent_requests": [{"id": "oauthreq_1", "server_label": "github",
                                    "consent_link": "https://login.example/consent?x=1"}]}),
    "computer call": ([COMPUTER], [ToolCallBlock], {
        "finish_reason": "tool_calls",
        "computer_calls": [{"id": "cu_1", "call_id": "call_1", "action": COMPUTER["action"],
                            "pending_safety_checks": COMPUTER["pending_safety_checks"]}]}),
    "mcp call stays a raw server tool": ([{"type": "mcp_call", "id": "mcp_1", "name": "s", "output": "ok"}], [], {
        "server_tool_calls": [{"type": "mcp_call", "id": "mcp_1", "name": "s", "output": "ok"}]}),
    "unknown item stays whole": ([{"type": "hologram_call_request", "id": "h_1", "payload": [1]}], [], {
        "other_items": [{"type": "hologram_call_request", "id": "h_1", "payload": [1]}]}),
}


@pytest.mark.parametrize(("output", "blocks", "kwargs"), ROWS.values(), ids=list(ROWS))
def test_each_item_type_becomes_native_content(output: list[dict[str, Any]], blocks: list[type],
                                               kwargs: dict[str, Any]) -> None:
    reply = llm_for(answering(response(*output))).chat([USER])
    assert [type(b) for b in reply.message.blocks] == [TextBlock, *blocks]
    for key, value in kwargs.items():
        assert reply.message.additional_kwargs[key] == value, key
    assert reply.raw["output"] == output  # the wire response, whole


def test_an_image_block_holds_the_decoded_image_and_its_type() -> None:
    webp = {**IMAGE, "output_format": "webp"}
    reply = llm_for(answering(response(webp))).chat([USER])
    [image] = [b for b in reply.message.blocks if isinstance(b, ImageBlock)]
    assert image.resolve_image().read() == PNG and image.image_mimetype == "image/webp"


def test_a_bad_image_result_is_reported_not_dropped() -> None:
    reply = llm_for(answering(response({**IMAGE, "result": "not base64!"}))).chat([USER])
    [entry] = reply.message.additional_kwargs["image_generation_calls"]
    assert entry["has_image"] is False and "not base64" in entry["error"]


def test_citation_blocks_of_generated_files() -> None:
    reply = llm_for(answering(response(msg("The chart: chart.png", [CFILE, FILE_PATH])))).chat([USER])
    cfile, path = [b for b in reply.message.blocks if isinstance(b, CitationBlock)]
    assert (cfile.source, cfile.title, cfile.cited_content) == ("cfile_1", "chart.png", TextBlock(text="chart.png"))
    assert (path.source, path.additional_location_info) == ("file_9", {"index": 4})


def test_a_computer_call_is_a_tool_selection() -> None:
    llm = llm_for(answering(response(COMPUTER)))
    [call] = llm.get_tool_calls_from_response(llm.chat([USER]))
    assert (call.tool_id, call.tool_name, call.tool_kwargs) == ("call_1", COMPUTER_TOOL, COMPUTER["action"])


def test_a_batched_computer_call_passes_every_action() -> None:
    batched = {**COMPUTER, "action": None, "actions": [{"type": "click", "x": 1, "y": 2}, {"type": "screenshot"}]}
    llm = llm_for(answering(response(batched)))
    [call] = llm.get_tool_calls_from_response(llm.chat([USER]))
    assert call.tool_kwargs == {"actions": batched["actions"]}


def test_complete_puts_images_in_additional_kwargs() -> None:
    llm = llm_for(answering(response(IMAGE, msg("Here"))))
    done = llm.complete("paint")
    assert done.text == "Here"
    [image] = done.additional_kwargs["images"]
    assert isinstance(image, ImageBlock) and image.resolve_image().read() == PNG
    *_, last = llm.stream_complete("paint")
    assert last.additional_kwargs["images"] == [image]


# -- streams end in the message chat returns -------------------------------------------------------
@pytest.mark.parametrize("events", STREAMS.values(), ids=list(STREAMS))
def test_stream_chat_ends_in_the_chat_message(events: list[dict[str, Any]]) -> None:
    llm = llm_for(answering(events))
    chunks = list(llm.stream_chat([USER]))
    reply = llm.chat([USER])
    assert chunks[-1].message == reply.message and chunks[-1].raw == reply.raw
    assert all(c.message.additional_kwargs.get("finish_reason") is None for c in chunks[:-1])


@pytest.mark.parametrize("events", STREAMS.values(), ids=list(STREAMS))
async def test_astream_chat_ends_in_the_achat_message(events: list[dict[str, Any]]) -> None:
    llm = llm_for(answering(events))
    chunks = [c async for c in await llm.astream_chat([USER])]
    reply = await llm.achat([USER])
    assert chunks[-1].message == reply.message


def _chunks(name: str) -> list[Any]:
    return list(llm_for(answering(STREAMS[name])).stream_chat([USER]))


def test_partial_images_show_until_the_final_image_replaces_them() -> None:
    chunks = _chunks("image generation")
    partials = [c for c in chunks if "image_partial" in c.message.additional_kwargs]
    assert [c.message.additional_kwargs["image_partial"]["partial_image_index"] for c in partials] == [0, 1]
    shown = [[b.resolve_image().read() for b in c.message.blocks if isinstance(b, ImageBlock)] for c in partials]
    assert shown == [[b"part0"], [b"part1"]]
    [final] = [b for b in chunks[-1].message.blocks if isinstance(b, ImageBlock)]
    assert final.resolve_image().read() == PNG
    assert [c.message.additional_kwargs["tool_progress"]["status"] for c in chunks
            if "tool_progress" in c.message.additional_kwargs] == ["in_progress", "generating", "completed"]
    assert all(c.delta == "" for c in chunks if "image_partial" in c.message.additional_kwargs)


def test_code_deltas_stream_the_code() -> None:
    chunks = _chunks("code interpreter")
    code = "".join(c.message.additional_kwargs["code_delta"]["delta"] for c in chunks
                   if "code_delta" in c.message.additional_kwargs)
    assert code == "print(1+1)"
    assert chunks[-1].message.additional_kwargs["code_interpreter_calls"][0]["code"] == code


def test_a_consent_shows_on_a_chunk_before_the_stream_ends() -> None:
    chunks = _chunks("oauth consent")
    early = [c for c in chunks[:-1] if c.message.additional_kwargs.get("oauth_consent_requests")]
    assert early and early[0].message.additional_kwargs["oauth_consent_requests"][0]["consent_link"] == (
        CONSENT["consent_link"])


def test_a_computer_call_streams_as_a_tool_call_block() -> None:
    chunks = _chunks("computer call")
    early = [c for c in chunks[:-1] if any(isinstance(b, ToolCallBlock) for b in c.message.blocks)]
    assert early and early[0].message.additional_kwargs["computer_calls"][0]["call_id"] == "call_1"


# -- answering pending work ------------------------------------------------------------------------
async def test_a_function_agent_answers_a_computer_call_with_a_screenshot() -> None:
    recorder = answering(response(COMPUTER, rid="resp_1"), response(msg("Clicked."), rid="resp_2"))
    actions: list[dict[str, Any]] = []

    def computer_use(**action: Any) -> ImageBlock:
        """Do a computer action and return a screenshot."""
        actions.append(action)
        return ImageBlock(image=PNG, image_mimetype="image/png")

    agent = FunctionAgent(tools=[FunctionTool.from_defaults(fn=computer_use, name=COMPUTER_TOOL)],
                          llm=llm_for(recorder))
    result = await agent.run("Click the button")
    assert str(result) == "Clicked." and actions == [COMPUTER["action"]]
    follow_up = recorder.bodies[1]
    assert follow_up["previous_response_id"] == "resp_1"
    assert follow_up["input"] == [{"type": "computer_call_output", "call_id": "call_1", "output": {
        "type": "computer_screenshot", "image_url": "data:image/png;base64," + PNG_B64}}]


def test_a_stateless_history_replays_the_computer_call_before_its_screenshot() -> None:
    recorder = answering(response(COMPUTER, rid="resp_1"), response(msg("ok"), rid="resp_2"))
    llm = llm_for(recorder, store=False)
    first = llm.chat([USER])
    assert llm.chat([USER, first.message, computer_screenshot_message("call_1", PNG)]).message.content == "ok"
    sent = recorder.bodies[1]
    assert "previous_response_id" not in sent
    call, answer = sent["input"][1:]
    assert call == {"type": "computer_call", "call_id": "call_1", "id": COMPUTER["id"], "action": COMPUTER["action"],
                    "pending_safety_checks": COMPUTER["pending_safety_checks"], "status": "completed"}
    assert answer["type"] == "computer_call_output" and answer["call_id"] == "call_1"


BATCH = [{"type": "click", "x": 1, "y": 2}, {"type": "screenshot"}]


# An assistant message's computer call, however it carries it: (blocks, additional_kwargs, the part's fields).
COMPUTER_ROWS = {
    "block and entry": ([ToolCallBlock(tool_call_id="call_1", tool_name=COMPUTER_TOOL, tool_kwargs={"type": "wait"})],
                        {"computer_calls": [{"id": "cu_1", "call_id": "call_1", "action": {"type": "click"},
                                             "pending_safety_checks": [{"id": "sc_1"}]}]},
                        ("call_1", {"type": "click"}, (), "cu_1", ({"id": "sc_1"},))),
    "block only": ([ToolCallBlock(tool_call_id="call_1", tool_name=COMPUTER_TOOL, tool_kwargs={"type": "wait"})], {},
                   ("call_1", {"type": "wait"}, (), None, ())),
    "batched block": ([ToolCallBlock(tool_call_id="call_1", tool_name=COMPUTER_TOOL, tool_kwargs={"actions": BATCH})],
                      {}, ("call_1", None, BATCH, None, ())),
    "batched entry": ([], {"computer_calls": [{"id": "cu_2", "call_id": "call_2", "action": None, "actions": BATCH,
                                               "pending_safety_checks": []}]},
                      ("call_2", None, BATCH, "cu_2", ())),
    "legacy tool_calls": ([], {"tool_calls": [{"id": "call_3", "function": {"name": COMPUTER_TOOL,
                                                                          "arguments": '{"type": "screenshot"}'}}]},
                          ("call_3", {"type": "screenshot"}, (), None, ())),
}


@pytest.mark.parametrize(("blocks", "extra", "fields"), COMPUTER_ROWS.values(), ids=list(COMPUTER_ROWS))
def test_an_assistant_computer_call_becomes_the_services_item(blocks: list[Any], extra: dict[str, Any],
                                                              fields: tuple[Any, ...]) -> None:
    message = ChatMessage(role=MessageRole.ASSISTANT, blocks=[TextBlock(text=""), *blocks], additional_kwargs=extra)
    [part] = [p for p in to_foundry_messages([USER, message])[1].parts if type(p).__name__ != "TextPart"]
    assert type(part).__name__ == "ComputerCallPart"
    got = (part.call_id, part.action, list(part.actions) or (), part.id, tuple(part.pending_safety_checks))
    assert got == (fields[0], fields[1], list(fields[2]) or (), fields[3], fields[4])


def test_a_plain_tool_message_answering_a_computer_use_block_is_its_screenshot() -> None:
    call = ChatMessage(role=MessageRole.ASSISTANT, blocks=[
        ToolCallBlock(tool_call_id="call_7", tool_name=COMPUTER_TOOL, tool_kwargs={"type": "screenshot"})])
    answer = ChatMessage(role=MessageRole.TOOL, blocks=[ImageBlock(url="https://shots.example/7.png")],
                         additional_kwargs={"tool_call_id": "call_7"})  # no computer_calls entry, no flag
    [part] = to_foundry_messages([USER, call, answer])[2].parts
    assert type(part).__name__ == "ComputerCallOutputPart"
    assert (part.call_id, part.image_url) == ("call_7", "https://shots.example/7.png")


def test_a_computer_call_without_an_action_is_refused_naming_the_message() -> None:
    bare = ChatMessage(role=MessageRole.ASSISTANT, blocks=[
        ToolCallBlock(tool_call_id="call_1", tool_name=COMPUTER_TOOL, tool_kwargs={})])
    with pytest.raises(FoundryConfigError, match=r"message 1: computer call 'call_1'.*exactly one of action"):
        to_foundry_messages([USER, bare])


def test_computer_screenshot_message_acknowledges_safety_checks() -> None:
    recorder = answering(response(COMPUTER, rid="resp_1"), response(msg("ok"), rid="resp_2"))
    llm = llm_for(recorder)
    first = llm.chat([USER])
    checks = first.message.additional_kwargs["computer_calls"][0]["pending_safety_checks"]
    answer = computer_screenshot_message("call_1", "https://shots.example/1.png", acknowledged_safety_checks=checks)
    assert llm.chat([USER, first.message, answer]).message.content == "ok"
    assert recorder.bodies[1]["input"] == [{"type": "computer_call_output", "call_id": "call_1", "output": {
        "type": "computer_screenshot", "image_url": "https://shots.example/1.png"},
        "acknowledged_safety_checks": checks}]


@pytest.mark.parametrize(("make", "error"), [
    (lambda: computer_screenshot_message("call_1", 42), "must be image bytes"),  # type: ignore[arg-type]
    (lambda: computer_screenshot_message("", PNG), "call_id"),
    (lambda: computer_screenshot_message("call_1", PNG, acknowledged_safety_checks=[{"code": "x"}]), "'id'"),
])
def test_a_bad_screenshot_message_is_refused(make: Callable[[], Any], error: str) -> None:
    with pytest.raises(FoundryConfigError, match=error):
        make()


def test_a_computer_call_answered_with_text_is_refused_before_any_request() -> None:
    recorder = answering(response(COMPUTER, rid="resp_1"))
    llm = llm_for(recorder)
    first = llm.chat([USER])
    text_answer = ChatMessage(role=MessageRole.TOOL, content="Tool computer_use not found",
                              additional_kwargs={"tool_call_id": "call_1"})
    with pytest.raises(FoundryConfigError, match=r"message 2 answers computer call 'call_1'.*screenshot ImageBlock"):
        llm.chat([USER, first.message, text_answer])
    assert len(recorder.bodies) == 1


def test_images_the_agent_made_are_not_sent_back() -> None:
    recorder = answering(response(IMAGE, msg("A fox"), rid="resp_1"), response(msg("Bluer"), rid="resp_2"))
    llm = llm_for(recorder, store=False)
    first = llm.chat([USER])
    llm.chat([USER, first.message, ChatMessage(role=MessageRole.USER, content="bluer")])
    assert recorder.bodies[1]["input"][1] == {"type": "message", "role": "assistant", "content": "A fox"}
    [assistant] = [m for m in to_foundry_messages([first.message])]
    assert [type(p).__name__ for p in assistant.parts] == ["TextPart"]


def test_resend_after_consent_sends_the_turn_again_chained_to_the_consent() -> None:
    recorder = answering(response(CONSENT, rid="resp_1"), response(msg("Your repos: a, b"), rid="resp_2"))
    llm = llm_for(recorder)
    history = [ChatMessage(role=MessageRole.USER, content="List my repos")]
    first = llm.chat(history)
    assert first.message.additional_kwargs["finish_reason"] == "consent_required"
    again = resend_after_consent(history, first)
    assert again == [history[0], first.message, history[0]]
    assert llm.chat(again).message.content == "Your repos: a, b"
    assert recorder.bodies[1]["previous_response_id"] == "resp_1"
    assert recorder.bodies[1]["input"] == recorder.bodies[0]["input"]


def test_resend_after_consent_refuses_a_reply_without_consent_or_a_history_without_a_turn() -> None:
    plain = ChatMessage(role=MessageRole.ASSISTANT, content="hi")
    with pytest.raises(FoundryConfigError, match="does not wait for an OAuth consent"):
        resend_after_consent([USER], plain)
    consent = ChatMessage(role=MessageRole.ASSISTANT, content="",
                          additional_kwargs={"oauth_consent_requests": [{"id": "oauthreq_1"}]})
    with pytest.raises(FoundryConfigError, match="no turn after its last assistant message"):
        resend_after_consent([USER, plain], consent)


# -- the agent-as-tool loop stops on work it cannot do ---------------------------------------------
@pytest.mark.parametrize(("item", "named", "how", "not_how"), [
    (CONSENT, "OAuth consent for github at https://login.example/consent", "send the same turn again", "screenshot"),
    (COMPUTER, "computer call call_1 (click)", "answer it with a screenshot", "consent link")])
def test_a_sub_agent_waiting_for_a_consent_or_a_computer_call_fails_loudly(item: dict[str, Any], named: str, how: str,
                                                                           not_how: str) -> None:
    llm = llm_for(answering(response(item)))
    text = foundry_agent_tool(llm).call(question="go").content
    assert "PendingToolCallsError" in text and named in text
    assert how in text and not_how not in text  # the error says how to answer what is actually pending
    wf = FanOutWorkflow(agents={"tools": llm}, merger=llm)
    with pytest.raises(PendingToolCallsError, match="fan-out branch 'tools' is waiting for") as info:
        asyncio.run(_run(wf))
    assert any(named in b for b in info.value.blocked) and how in str(info.value)


async def _run(wf: FanOutWorkflow) -> Any:
    return await wf.run(question="go")


# -- structured outputs and downloads --------------------------------------------------------------
class City(BaseModel):
    city: str
    temp: int


def test_structured_predict_reads_a_matching_structured_outputs_item() -> None:
    llm = llm_for(answering(response(STRUCTURED, msg("It is 21 degrees in Oslo."))))
    assert llm.structured_predict(City, PromptTemplate("{q}"), q="Oslo?") == City(city="Oslo", temp=21)


def test_structured_predict_falls_back_to_the_text_when_the_item_does_not_match() -> None:
    other = {**STRUCTURED, "output": {"unrelated": True}}
    llm = llm_for(answering(response(other, msg('{"city": "Bergen", "temp": 12}'))))
    assert llm.structured_predict(City, PromptTemplate("{q}"), q="?") == City(city="Bergen", temp=12)
    llm = llm_for(answering(response(other, msg("no JSON here"))))
    with pytest.raises(StructuredOutputError):
        llm.structured_predict(City, PromptTemplate("{q}"), q="?")


def test_stream_structured_predict_ends_in_a_matching_structured_outputs_item() -> None:
    llm = llm_for(answering(response(STRUCTURED, msg("It is 21 degrees in Oslo."))))
    assert list(llm.stream_structured_predict(City, PromptTemplate("{q}"), q="Oslo?"))[-1] == City(city="Oslo", temp=21)
    other = {**STRUCTURED, "output": {"unrelated": True}}  # not the model: the text's JSON is the answer
    llm = llm_for(answering(response(other, msg('{"city": "Bergen", "temp": 12}'))))
    last = list(llm.stream_structured_predict(City, PromptTemplate("{q}"), q="?"))[-1]
    assert (last.city, last.temp) == ("Bergen", 12)


@pytest.mark.parametrize(("file", "container", "error"), [
    ("", None, "file id"), ({"container_id": "cntr_1"}, None, "file id"), ("cfile_1", "", "container_id")])
def test_download_file_checks_its_arguments_before_any_request(file: Any, container: Any, error: str,
                                                              tmp_path: Any) -> None:
    recorder = answering(response(msg("x")))
    with pytest.raises(FoundryConfigError, match=error):
        llm_for(recorder).download_file(file, tmp_path, container_id=container)
    assert recorder.requests == []


@pytest.mark.skipif(not hasattr(FoundryAgentsClient, "download_file"),
                    reason="FoundryAgentsClient.download_file comes with the files branch")
async def test_download_file_streams_a_generated_file_from_its_container(tmp_path: Any) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if request.url.path.endswith("/content"):
            return httpx.Response(200, content=b"a,b\n1,2\n")
        return httpx.Response(200, json=response(CODE, msg("The chart: chart.png", [CFILE])))

    llm = mock_llm(handler, agent="tools:1")
    entry = llm.chat([USER]).message.additional_kwargs["generated_files"][0]
    path = llm.download_file(entry, tmp_path / "out.csv")
    assert path.read_bytes() == b"a,b\n1,2\n" and seen[-1].endswith("/containers/cntr_1/files/cfile_1/content")
    apath = await llm.adownload_file("cfile_1", tmp_path / "again.csv", container_id="cntr_1")
    assert apath.read_bytes() == b"a,b\n1,2\n"
    assert json.dumps(entry)  # JSON-ready, as additional_kwargs should be
