"""Issue 14's tool agents on the emulator, through FoundryAgentLLM: images, code and its files,
OAuth consent, memory, computer use and file search, as a LlamaIndex user sees them."""

from __future__ import annotations

import importlib.util
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from llama_index.core.agent.workflow import FunctionAgent
from llama_index.core.base.llms.types import ChatMessage, CitationBlock, ImageBlock, MessageRole
from llama_index.core.prompts import PromptTemplate
from llama_index.core.tools import FunctionTool
from pydantic import BaseModel

from llama_index_foundry import (
    COMPUTER_TOOL,
    FoundryAgentLLM,
    computer_screenshot_message,
    resend_after_consent,
)

pytestmark = pytest.mark.skipif(importlib.util.find_spec("foundry_agents.emulator.agents.painter") is None,
                                reason="the emulator's tool agents come with the emulator-files branch")

Make = Callable[..., FoundryAgentLLM]


def user(text: str) -> ChatMessage:
    return ChatMessage(role=MessageRole.USER, content=text)


def png(width: int, height: int) -> bytes:
    """A real PNG of one colour (the computer agent reads its size)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + b"\x80\x80\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def test_painter_answers_with_an_image_block_in_chat_and_stream(make_llm: Make) -> None:
    llm = make_llm("painter")
    reply = llm.chat([user("Paint a red fox")])
    [image] = [b for b in reply.message.blocks if isinstance(b, ImageBlock)]
    assert image.resolve_image().read().startswith(b"\x89PNG") and image.image_mimetype == "image/png"
    chunks = list(llm.stream_chat([user("Paint a red fox")]))
    assert len([c for c in chunks if "image_partial" in c.message.additional_kwargs]) == 2
    [final] = [b for b in chunks[-1].message.blocks if isinstance(b, ImageBlock)]
    assert final.resolve_image().read().startswith(b"\x89PNG")
    assert [type(b) for b in chunks[-1].message.blocks] == [type(b) for b in reply.message.blocks]


def test_coder_shows_its_code_and_its_files_download(make_llm: Make, tmp_path: Path) -> None:
    llm = make_llm("coder", include=["code_interpreter_call.outputs"])
    reply = llm.chat([user("Sum these: 3 4 5")])
    kwargs = reply.message.additional_kwargs
    [call] = kwargs["code_interpreter_calls"]
    assert "pd.read_csv" in call["code"] and any(o["type"] == "logs" for o in call["outputs"])
    files = {f["filename"]: f for f in kwargs["generated_files"]}
    assert set(files) == {"report.csv", "chart.png"} and all(f["container_id"] for f in files.values())
    assert {b.title for b in reply.message.blocks if isinstance(b, CitationBlock)} == {"report.csv", "chart.png"}
    path = llm.download_file(files["report.csv"], tmp_path)
    assert path.name == "report.csv" and "12" in path.read_text()
    chunks = list(llm.stream_chat([user("Sum these: 3 4 5")]))
    streamed = "".join(c.message.additional_kwargs["code_delta"]["delta"] for c in chunks
                       if "code_delta" in c.message.additional_kwargs)
    assert streamed == chunks[-1].message.additional_kwargs["code_interpreter_calls"][0]["code"]


def test_mcp_oauth_asks_for_consent_then_answers_after_the_resend(make_llm: Make) -> None:
    llm = make_llm("mcp-oauth")
    history = [user("team sync")]
    first = llm.chat(history)
    assert first.message.additional_kwargs["finish_reason"] == "consent_required" and first.message.content == ""
    [consent] = first.message.additional_kwargs["oauth_consent_requests"]
    assert httpx.get(consent["consent_link"], follow_redirects=True).status_code == 200
    answer = llm.chat(resend_after_consent(history, first))
    assert "According to the calendar tool" in (answer.message.content or "")


def test_memory_recalls_what_the_user_said(make_llm: Make) -> None:
    llm = make_llm("memory")
    first = llm.chat([user("I prefer tea over coffee.")])
    reply = llm.chat([user("I prefer tea over coffee."), first.message, user("What do I prefer to drink?")])
    [call] = reply.message.additional_kwargs["memory_search_calls"]
    assert any("tea" in (m["content"] or "") for m in call["memories"])


async def test_a_function_agent_does_the_computer_calls(make_llm: Make) -> None:
    actions: list[dict[str, Any]] = []

    def computer_use(**action: Any) -> ImageBlock:
        """Do a computer action and return a screenshot."""
        actions.append(action)
        return ImageBlock(image=png(64, 48), image_mimetype="image/png")

    agent = FunctionAgent(tools=[FunctionTool.from_defaults(fn=computer_use, name=COMPUTER_TOOL)],
                          llm=make_llm("computer"))
    result = await agent.run("Click the middle of the screen")
    assert [a["type"] for a in actions] == ["screenshot", "click"] and (actions[1]["x"], actions[1]["y"]) == (32, 24)
    assert "on a 64x48 screen" in str(result)


@pytest.mark.parametrize("store", [None, False], ids=["chained", "stateless"])
@pytest.mark.parametrize("mode", ["chat", "stream"])
def test_computer_loop_by_hand_answers_each_call_with_a_screenshot(make_llm: Make, mode: str,
                                                                   store: bool | None) -> None:
    # Stateless (store=False) the history replays each computer call before its screenshot; without
    # that the service refuses the screenshot ("No computer call found").
    llm = make_llm("computer", store=store)
    history = [user("Press the blue button.")]
    actions = []
    for _ in range(4):
        reply = llm.chat(history) if mode == "chat" else list(llm.stream_chat(history))[-1]
        calls = llm.get_tool_calls_from_response(reply, error_on_no_tool_call=False)
        if not calls:
            break
        [call] = calls
        assert call.tool_name == COMPUTER_TOOL and reply.message.additional_kwargs["finish_reason"] == "tool_calls"
        assert reply.message.additional_kwargs["computer_calls"][0]["call_id"] == call.tool_id
        actions.append(call.tool_kwargs)
        history += [reply.message, computer_screenshot_message(call.tool_id, png(300, 200))]
    assert actions == [{"type": "screenshot"}, {"type": "click", "button": "left", "x": 150, "y": 100}]
    assert reply.message.content == "Done: I clicked at (150, 100) on a 300x200 screen."


@pytest.mark.parametrize("store", [None, False], ids=["chained", "stateless"])
async def test_computer_loop_by_hand_async(make_llm: Make, store: bool | None) -> None:
    llm = make_llm("computer", store=store)
    history = [user("Press the blue button.")]
    first = await llm.achat(history)
    [call] = llm.get_tool_calls_from_response(first)
    history += [first.message, computer_screenshot_message(call.tool_id, png(80, 60))]
    second = [c async for c in await llm.astream_chat(history)][-1]
    [click] = llm.get_tool_calls_from_response(second)
    assert click.tool_kwargs == {"type": "click", "button": "left", "x": 40, "y": 30}
    history += [second.message, computer_screenshot_message(click.tool_id, png(80, 60))]
    assert (await llm.achat(history)).message.content == "Done: I clicked at (40, 30) on a 80x60 screen."


async def test_a_function_agent_does_the_computer_calls_statelessly(make_llm: Make) -> None:
    shots = []

    def computer_use(**action: Any) -> ImageBlock:
        """Do a computer action and return a screenshot."""
        shots.append(action["type"])
        return ImageBlock(image=png(64, 48), image_mimetype="image/png")

    agent = FunctionAgent(tools=[FunctionTool.from_defaults(fn=computer_use, name=COMPUTER_TOOL)],
                          llm=make_llm("computer", store=False))
    result = await agent.run("Click the middle of the screen")
    assert shots == ["screenshot", "click"] and "at (32, 24) on a 64x48 screen" in str(result)


class CalendarEvent(BaseModel):
    name: str
    date: str
    participants: list[str]


EVENT_TEXT = "Ann and Bob go to the science fair on 2025-05-01."
EVENT = CalendarEvent(name="Science fair", date="2025-05-01", participants=["Ann", "Bob"])


async def test_extractor_structured_outputs_item_is_the_structured_answer_streamed_too(make_llm: Make) -> None:
    llm = make_llm("extractor")
    prompt = PromptTemplate("{text}")
    assert llm.structured_predict(CalendarEvent, prompt, text=EVENT_TEXT) == EVENT
    streamed = list(llm.stream_structured_predict(CalendarEvent, prompt, text=EVENT_TEXT))
    assert streamed and streamed[-1] == EVENT  # the text is prose: only the item gives the object
    assert await llm.astructured_predict(CalendarEvent, prompt, text=EVENT_TEXT) == EVENT
    astreamed = [o async for o in await llm.astream_structured_predict(CalendarEvent, prompt, text=EVENT_TEXT)]
    assert astreamed and astreamed[-1] == EVENT


def test_file_searcher_returns_results_when_include_asks(make_llm: Make, emulator_endpoint: str,
                                                         emulator_token: str) -> None:
    llm = make_llm("file-searcher", include=["file_search_call.results"])
    uploaded = llm.foundry_agent.client.upload_file(b"Refunds are accepted within 30 days of purchase.\n",
                                                    filename="policy.txt")
    try:
        reply = llm.chat([user("How many days for refunds?")])
        [call] = reply.message.additional_kwargs["file_search_calls"]
        assert any(r["file_id"] == uploaded.id and "30 days" in (r["text"] or "") for r in call["results"])
    finally:
        llm.foundry_agent.client.delete_file(uploaded.id)
