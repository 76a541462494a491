"""Issue 14 end to end: ChatFoundryAgent against the emulator's tool agents over a real socket.

Per agent, ``invoke`` and ``stream`` must agree, and what a user reads (content blocks, metadata,
downloaded files, the consent link, the computer loop) must be what the agent really did.
The mapping of each item on its own is in test_tool_items.py (MockTransport).
"""

from __future__ import annotations

import base64
import csv
import io
import re
from collections.abc import Iterator
from functools import reduce
from pathlib import Path
from typing import Any

import httpx
import pytest
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    ToolMessage,
)
from langchain_core.tools import tool
from pydantic import BaseModel

from foundry_agents import NotFoundError, UploadedFiles
from foundry_agents.emulator import EMULATOR_TOKEN, png, run_emulator
from langchain_foundry_agents import (
    ChatFoundryAgent,
    computer_screenshot_message,
    foundry_agent_tool,
    resend_after_consent,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_ID = re.compile(r"\b[a-z]+_[0-9A-Za-z]{16,}\b")


def normalized(value: Any) -> Any:
    """``value`` with generated ids (resp_..., cntr_..., cfile_...) blanked, to compare two calls."""
    if isinstance(value, dict):
        return {k: normalized(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalized(v) for v in value]
    return _ID.sub("<id>", value) if isinstance(value, str) else value


def add(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    return reduce(lambda a, b: a + b, chunks)


def agree(reply: AIMessage, chunks: list[AIMessageChunk]) -> AIMessageChunk:
    """The streamed message equals the invoked one (ids aside); returns the streamed sum."""
    full = add(chunks)
    assert chunks[-1].chunk_position == "last"
    assert normalized(full.content) == normalized(reply.content)
    assert normalized(full.content_blocks) == normalized(reply.content_blocks)
    assert normalized(full.tool_calls) == normalized(reply.tool_calls)
    meta = {k: v for k, v in reply.response_metadata.items() if k not in ("request_id", "headers")}
    streamed = {k: v for k, v in full.response_metadata.items() if k not in ("request_id", "headers")}
    assert normalized(streamed) == normalized(meta)
    return full


@pytest.fixture
def make(emulator_endpoint: str, emulator_token: str) -> Any:
    def factory(agent: str, **kwargs: Any) -> ChatFoundryAgent:
        return ChatFoundryAgent(agent, project_endpoint=emulator_endpoint, api_key=emulator_token, **kwargs)

    return factory


@pytest.fixture
def own_emulator() -> Iterator[Any]:
    """An emulator of its own: consent given to ``mcp-oauth`` there does not leak into other tests."""
    with run_emulator() as server:
        yield server


# -- coder: a local CSV in, sums, files out --------------------------------------------------------
ROWS = [("region", "sales", "units"), ("north", "3", "10"), ("south", "4.5", "20"), ("east", "11", "7")]


def column_sums() -> dict[str, str]:
    """What the agent must find, computed here from ROWS (``7.5``, not ``7.50``)."""
    header, *rows = ROWS
    return {name: f"{sum(float(r[i]) for r in rows):g}" for i, name in enumerate(header) if i}


@pytest.fixture
def sales_csv(tmp_path: Path) -> Path:
    path = tmp_path / "sales.csv"
    path.write_text("".join(",".join(r) + "\n" for r in ROWS), encoding="utf-8")
    return path


def csv_question(path: Path) -> list[BaseMessage]:
    return [HumanMessage([{"type": "text", "text": "Sum every numeric column and chart it."},
                          {"type": "file", "path": str(path), "mime_type": "text/csv"}])]


def check_coder_reply(llm: ChatFoundryAgent, reply: AIMessage, record: UploadedFiles) -> None:
    sums = column_sums()
    for name, total in sums.items():
        assert f"{name} = {total}" in reply.text
    assert "sales.csv" in reply.text  # it read the file we attached, not its sample table
    # The upload was made from the local path and deleted once the call was over.
    [uploaded] = record.files
    assert (uploaded.filename, uploaded.origin) == ("sales.csv", "path")
    assert record.deleted == [uploaded.file_id]
    with pytest.raises(NotFoundError):
        llm.foundry_agent.client.get_file(uploaded.file_id)
    files = reply.response_metadata["generated_files"]
    assert [f["filename"] for f in files] == ["report.csv", "chart.png"]
    assert all(f["file_id"].startswith("cfile_") and f["container_id"].startswith("cntr_") for f in files)
    call, result = (b for b in reply.content_blocks if b["type"] in ("server_tool_call", "server_tool_result"))
    assert call["name"] == "code_interpreter" and "/mnt/data/sales.csv" in call["args"]["code"]
    assert call["extras"]["container_id"] == files[0]["container_id"]
    logs, image = result["output"]
    assert logs["type"] == "logs" and all(f"{n}    {t}" in logs["logs"] for n, t in sums.items())
    assert image["type"] == "image" and files[1]["file_id"] in image["url"]
    citations = [a for b in reply.content_blocks if b["type"] == "text" for a in b["annotations"]]
    assert [(c["type"], c["title"], c["extras"]["file_id"]) for c in citations] == [
        ("citation", f["filename"], f["file_id"]) for f in files]


def check_downloads(report: Path, chart: Path) -> None:
    assert chart.read_bytes().startswith(PNG_SIGNATURE)
    assert png.size_of(chart.read_bytes()) is not None
    assert list(csv.reader(io.StringIO(report.read_text(encoding="utf-8")))) == [
        ["column", "sum"], *([n, t] for n, t in column_sums().items())]


def test_coder_reads_a_local_csv_and_its_files_download(make: Any, sales_csv: Path, tmp_path: Path) -> None:
    llm = make("coder", include=["code_interpreter_call.outputs"])
    record, streamed_record = UploadedFiles(), UploadedFiles()
    reply = llm.invoke(csv_question(sales_csv), uploads=record)
    check_coder_reply(llm, reply, record)
    chunks = list(llm.stream(csv_question(sales_csv), uploads=streamed_record))
    full = agree(reply, chunks)
    check_coder_reply(llm, AIMessage(content=full.content, response_metadata=full.response_metadata), streamed_record)
    # The code arrives as it is written: several chunks carry pieces of it before the item is done.
    code_chunks = [c for c in chunks if any(isinstance(b, dict) and b.get("type") == "code_interpreter_call"
                                            and b.get("code") for b in c.content)]
    assert len(code_chunks) > 2
    report_entry, chart_entry = reply.response_metadata["generated_files"]
    out = tmp_path / "out"
    out.mkdir()
    report = llm.download_file(report_entry, out)  # a directory: the file keeps its own name
    chart = llm.download_file(chart_entry["file_id"], out / "picture.png", container_id=chart_entry["container_id"])
    assert (report.name, chart.name) == ("report.csv", "picture.png")
    check_downloads(report, chart)


async def test_coder_async_download_from_a_citation(make: Any, sales_csv: Path, tmp_path: Path) -> None:
    llm = make("coder")
    reply = await llm.ainvoke(csv_question(sales_csv))
    citations = [a for b in reply.content_blocks if b["type"] == "text" for a in b["annotations"]]
    report = await llm.adownload_file(citations[0], tmp_path)
    chart = await llm.adownload_file(citations[1], tmp_path)
    check_downloads(report, chart)
    full = add([c async for c in llm.astream(csv_question(sales_csv))])
    assert normalized(full.content) == normalized(reply.content)


def test_coder_without_outputs_included_gives_the_code_but_no_logs(make: Any, sales_csv: Path) -> None:
    reply = make("coder").invoke(csv_question(sales_csv))
    call, result = (b for b in reply.content_blocks if b["type"] in ("server_tool_call", "server_tool_result"))
    assert "sums.plot" in call["args"]["code"]
    assert result.get("output") is None  # the service sends outputs only when include asks for them


# -- painter ---------------------------------------------------------------------------------------
def test_painter_image_block_and_partials_before_the_final_image(make: Any) -> None:
    llm = make("painter")
    question = "Draw a lighthouse at dusk"
    reply = llm.invoke(question)
    [image] = [b for b in reply.content_blocks if b["type"] == "image"]
    data = base64.b64decode(image["base64"])
    assert image["mime_type"] == "image/png" and data.startswith(PNG_SIGNATURE)
    assert png.size_of(data) == (64, 64)
    assert "lighthouse at dusk" in image["extras"]["revised_prompt"]
    assert reply.text == "Here is your picture of lighthouse at dusk."
    chunks = list(llm.stream(question))
    full = agree(reply, chunks)
    partial_at = [i for i, c in enumerate(chunks) if c.additional_kwargs.get("image_partials")]
    final_at = next(i for i, c in enumerate(chunks) if any(b.get("type") == "image" for b in c.content_blocks))
    assert len(partial_at) == 2 and max(partial_at) < final_at
    partials = full.additional_kwargs["image_partials"]
    assert [p["extras"]["partial_image_index"] for p in partials] == [0, 1]
    for partial in partials:
        shown = base64.b64decode(partial["base64"])
        assert shown.startswith(PNG_SIGNATURE) and shown != data  # a real picture, not yet the final one


# -- mcp-oauth -------------------------------------------------------------------------------------
def consent_flow(llm: ChatFoundryAgent, stream: bool) -> None:
    def call(history: list[BaseMessage]) -> AIMessage:
        if not stream:
            return llm.invoke(history)
        full = add(list(llm.stream(history)))
        return AIMessage(content=full.content, id=full.id, response_metadata=full.response_metadata)

    turn: list[BaseMessage] = [HumanMessage("What meetings do I have this week?")]
    waiting = call(turn)
    assert waiting.response_metadata["finish_reason"] == "consent_required"
    [request] = waiting.response_metadata["oauth_consent_requests"]
    assert request["server_label"] == "calendar"
    assert [b["type"] for b in waiting.content_blocks] == ["non_standard"]
    assert waiting.content_blocks[0]["value"]["consent_link"] == request["consent_link"]
    # Not consented yet: sending the turn again only asks again.
    again = call(resend_after_consent(turn, waiting))
    assert again.response_metadata["finish_reason"] == "consent_required"
    page = httpx.get(again.response_metadata["oauth_consent_requests"][0]["consent_link"])  # what a browser does
    assert page.status_code == 200 and "Consent given" in page.text
    answer = call(resend_after_consent(turn, again))
    assert answer.response_metadata["finish_reason"] == "stop"
    assert answer.text.startswith("According to the calendar tool: 2 events match 'What meetings do I have this week?'")
    mcp_call = next(b for b in answer.content_blocks if b["type"] == "server_tool_call" and b["name"] == "remote_mcp")
    assert mcp_call["extras"]["tool_name"] == "list_events"


@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
def test_mcp_oauth_consent_link_then_resend(own_emulator: Any, stream: bool) -> None:
    consent_flow(ChatFoundryAgent("mcp-oauth", project_endpoint=str(own_emulator.endpoint), api_key=EMULATOR_TOKEN),
                 stream)


def test_mcp_oauth_invoke_and_stream_agree_on_the_consent_request(own_emulator: Any) -> None:
    llm = ChatFoundryAgent("mcp-oauth", project_endpoint=str(own_emulator.endpoint), api_key=EMULATOR_TOKEN)
    agree(llm.invoke("Any meetings tomorrow?"), list(llm.stream("Any meetings tomorrow?")))


async def test_a_sub_agent_waiting_for_consent_is_an_error_with_the_link(own_emulator: Any) -> None:
    """Through create_agent: the triage agent asks the sub-agent, which needs consent first."""
    from langchain.agents import create_agent

    conn = {"project_endpoint": str(own_emulator.endpoint), "api_key": EMULATOR_TOKEN}
    ask = foundry_agent_tool("mcp-oauth", name="ask_weather", **conn)  # triage routes weather questions here
    graph = create_agent(ChatFoundryAgent("triage", **conn), tools=[ask, foundry_agent_tool("researcher", **conn)])
    for state in (graph.invoke({"messages": [("user", "What is the weather in Paris?")]}),
                  await graph.ainvoke({"messages": [("user", "What is the weather in Paris?")]})):
        [answer] = [m for m in state["messages"] if isinstance(m, ToolMessage)]
        assert answer.status == "error"
        link = re.search(r"http://\S+/emulator/consent/oauthreq_\w+", answer.text)
        assert link and "OAuth consent for calendar" in answer.text
        assert state["messages"][-1].text  # the orchestrator still answers, with the error in hand
    assert httpx.get(link.group(0)).status_code == 200
    assert "2 events match" in await ask.ainvoke({"question": "Any meetings?"})  # after consent it answers


# -- memory ----------------------------------------------------------------------------------------
def test_memory_search_blocks_carry_the_memories(make: Any) -> None:
    llm = make("memory")
    first = llm.invoke("My locker code is 4417.")
    history = [HumanMessage("My locker code is 4417."), first, HumanMessage("What is my locker code?")]
    reply = llm.invoke(history)
    call, result, text = reply.content_blocks
    assert (call["type"], call["name"]) == ("server_tool_call", "memory_search")
    assert result["type"] == "server_tool_result" and result["tool_call_id"] == call["id"]
    [memory] = result["output"]
    assert (memory["content"], memory["kind"], memory["scope"]) == ("My locker code is 4417.", "chat_summary",
                                                                    "user_emulator")
    assert memory["memory_id"].startswith("memitem_")
    assert text["text"] == "From what I remember: My locker code is 4417."
    agree(reply, list(llm.stream(history)))


# -- computer --------------------------------------------------------------------------------------
def screen(width: int, height: int) -> bytes:
    return png.screen(width, height)


@pytest.mark.parametrize("store", [None, False], ids=["chained", "stateless"])
@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
def test_computer_loop_answers_each_call_with_a_screenshot(make: Any, stream: bool, store: bool | None) -> None:
    llm = make("computer", store=store)  # stateless: the history replays each computer call before its answer
    history: list[BaseMessage] = [HumanMessage("Press the blue button.")]
    actions = []
    for _ in range(4):
        reply = llm.invoke(history)
        if stream:
            agree(reply, list(llm.stream(history)))
        if not reply.tool_calls:
            break
        [call] = reply.tool_calls
        assert call["name"] == "computer_use"
        assert reply.response_metadata["finish_reason"] == "tool_calls"
        assert reply.response_metadata["computer_calls"][0]["call_id"] == call["id"]
        actions.append(call["args"])
        history += [reply, computer_screenshot_message(call, screen(300, 200))]
    assert actions == [{"type": "screenshot"}, {"type": "click", "button": "left", "x": 150, "y": 100}]
    assert reply.text == "Done: I clicked at (150, 100) on a 300x200 screen."


@tool
def computer_use(type: str, x: int | None = None, y: int | None = None, button: str | None = None) -> list[dict[str, Any]]:
    """Do one computer action in the browser and return a screenshot of the screen after it."""
    DONE.append(type)
    return [{"type": "image", "base64": base64.b64encode(screen(400, 300)).decode(), "mime_type": "image/png"}]


DONE: list[str] = []


def test_computer_through_create_agent_with_a_computer_use_tool(make: Any) -> None:
    from langchain.agents import create_agent

    DONE.clear()
    graph = create_agent(make("computer"), tools=[computer_use])
    state = graph.invoke({"messages": [("user", "Open the settings")]})
    assert DONE == ["screenshot", "click"]
    assert [type(m).__name__ for m in state["messages"]] == [
        "HumanMessage", "AIMessage", "ToolMessage", "AIMessage", "ToolMessage", "AIMessage"]
    assert state["messages"][-1].text == "Done: I clicked at (200, 150) on a 400x300 screen."


def test_computer_as_a_sub_agent_with_and_without_a_computer_tool(make: Any) -> None:
    DONE.clear()
    assert foundry_agent_tool(make("computer"), tools=[computer_use]).invoke({"question": "Open the settings"}) \
        == "Done: I clicked at (200, 150) on a 400x300 screen."
    blocked = foundry_agent_tool(make("computer")).invoke({"question": "Open the settings"})
    assert "PendingToolCallsError" in blocked and "(screenshot)" in blocked


# -- file-searcher ---------------------------------------------------------------------------------
def test_file_search_results_reach_the_content_blocks(make: Any) -> None:
    llm = make("file-searcher", include=["file_search_call.results"])
    client = llm.foundry_agent.client
    uploaded = client.upload_file(b"The vault combination is 7-3-9. Lunch is served at noon.",
                                  filename="vault-notes.txt")
    try:
        question = "What is the vault combination?"
        reply = llm.invoke(question)
        call, result = (b for b in reply.content_blocks if b["type"] in ("server_tool_call", "server_tool_result"))
        assert (call["name"], call["args"]) == ("file_search", {"queries": [question]})
        best = result["output"][0]
        assert (best["file_id"], best["filename"], best["text"]) == (uploaded.id, "vault-notes.txt",
                                                                    "The vault combination is 7-3-9.")
        assert "7-3-9" in reply.text
        agree(reply, list(llm.stream(question)))
        plain = make("file-searcher").invoke(question)  # without include: the call, no results
        assert "output" not in next(b for b in plain.content_blocks if b["type"] == "server_tool_result")
    finally:
        assert client.delete_file(uploaded.id)


# -- structured_outputs ----------------------------------------------------------------------------
class CalendarEvent(BaseModel):
    name: str
    date: str
    participants: list[str]


def test_structured_outputs_item_is_the_structured_answer(make: Any) -> None:
    llm = make("extractor")
    text = "Ann and Bob go to the science fair on 2025-05-01."
    reply = llm.invoke(text)
    data, line = reply.content_blocks
    assert data["type"] == "non_standard" and data["value"]["type"] == "structured_outputs"
    assert data["value"]["output"] == {"name": "Science fair", "date": "2025-05-01", "participants": ["Ann", "Bob"]}
    assert line["text"] == "Found the event 'Science fair' on 2025-05-01 with Ann, Bob."
    agree(reply, list(llm.stream(text)))
    want = CalendarEvent(name="Science fair", date="2025-05-01", participants=["Ann", "Bob"])
    structured = llm.with_structured_output(CalendarEvent)
    assert structured.invoke(text) == want
    assert list(structured.stream(text))[-1] == want
