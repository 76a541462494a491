"""The agents whose tools make more than text: ``coder``, ``painter``, ``mcp-oauth``, ``memory``,
``computer`` and ``file-searcher``, JSON and streamed, checked against the OpenAI spec's item and
event schemas where it has them."""

from __future__ import annotations

import base64
import functools
import logging
import socket
import time
from typing import Any

import httpx
import pytest

from foundry_agents.emulator import create_app, run_emulator
from foundry_agents.emulator.png import screen, size_of

from .helpers import PROJECT, events_of, respond, text_of
from .test_files_routes import upload

#: Item type / annotation type -> its schema in the OpenAI document.
ITEM_SCHEMAS = {
    "code_interpreter_call": "CodeInterpreterToolCall",
    "image_generation_call": "ImageGenToolCall",
    "computer_call": "ComputerToolCall",
    "file_search_call": "FileSearchToolCall",
    "mcp_call": "MCPToolCall",
    "container_file_citation": "ContainerFileCitationBody",
    "file_citation": "FileCitationBody",
}


@functools.cache
def _components() -> dict[str, Any]:
    from tests.conftest import load_openai_spec

    return dict(load_openai_spec()["components"])


@functools.cache
def _event_schemas() -> dict[str, str]:
    schemas = _components()["schemas"]
    out = {}
    for ref in schemas["ResponseStreamEvent"]["anyOf"]:
        name = ref["$ref"].rsplit("/", 1)[-1]
        out[schemas[name]["properties"]["type"]["enum"][0]] = name
    return out


def spec_errors(schema: str, value: Any) -> list[str]:
    import jsonschema

    validator = jsonschema.Draft202012Validator({"$ref": f"#/components/schemas/{schema}", "components": _components()})
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in validator.iter_errors(value)]


def check_item(item: dict[str, Any]) -> None:
    schema = ITEM_SCHEMAS.get(item["type"])
    if schema is not None:
        assert not spec_errors(schema, item), (item["type"], spec_errors(schema, item))
    for part in item.get("content") or []:
        for annotation in part.get("annotations") or []:
            check_item(annotation)


def check_stream(events: list[tuple[str, Any]]) -> None:
    """Numbering, each event against its spec schema, each tool item against its own schema."""
    assert [data["sequence_number"] for _, data in events] == list(range(len(events)))
    for kind, data in events:
        assert data["type"] == kind
        if kind in ("response.output_item.added", "response.output_item.done"):
            check_item(data["item"])
            assert "_partials" not in data["item"]
        elif kind == "response.output_text.annotation.added":
            check_item(data["annotation"])
        elif kind in _event_schemas() and not kind.startswith("response.output_text") and "response" not in data:
            assert not spec_errors(_event_schemas()[kind], data), (kind, spec_errors(_event_schemas()[kind], data))


def tool_events(events: list[tuple[str, Any]], index: int) -> list[str]:
    """The event types about output item ``index`` (text events included), in order."""
    return [kind for kind, data in events if data.get("output_index") == index]


def user(*parts: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"type": "message", "role": "user", "content": list(parts)}]


def text(value: str) -> dict[str, Any]:
    return {"type": "input_text", "text": value}


async def stream(client: httpx.AsyncClient, agent: str, input: Any, **body: Any) -> list[tuple[str, Any]]:
    resp = await respond(client, agent, input, stream=True, **body)
    assert resp.status_code == 200, resp.text
    return events_of(resp)


def final(events: list[tuple[str, Any]]) -> dict[str, Any]:
    assert events[-1][0] == "response.completed"
    return dict(events[-1][1]["response"])


# -- coder ---------------------------------------------------------------------------------------


async def test_coder_reads_the_uploaded_csv_and_cites_its_files(client):
    made = (await upload(client)).json()
    body = (await respond(client, "coder", user(text("Sum the columns."), {"type": "input_file", "file_id": made["id"]}))).json()
    call, msg = body["output"]
    check_item(call)
    check_item(msg)
    assert call["container_id"].startswith("cntr_") and "pd.read_csv('/mnt/data/data.csv')" in call["code"]
    assert call["outputs"] is None  # as recorded: outputs only when `include` asks for them
    answer = msg["content"][0]["text"]
    assert "amount = 60, qty = 6" in answer
    for annotation in msg["content"][0]["annotations"]:
        assert annotation["type"] == "container_file_citation" and annotation["container_id"] == call["container_id"]
        cited = answer[annotation["start_index"]:annotation["end_index"]]
        assert cited == f"[{annotation['filename']}](sandbox:/mnt/data/{annotation['filename']})"
    assert [a["filename"] for a in msg["content"][0]["annotations"]] == ["report.csv", "chart.png"]
    for key in ("agent_reference", "response_id"):
        assert call[key] == msg[key]


async def test_coder_outputs_when_included_link_the_chart(client):
    body = (await respond(client, "coder", "Add 2, 3 and 5", include=["code_interpreter_call.outputs"])).json()
    call = body["output"][0]
    check_item(call)
    logs, image = call["outputs"]
    assert logs == {"type": "logs", "logs": "value    10"}
    assert image["type"] == "image" and "/containers/" in image["url"]
    chart = await client.get(image["url"])
    assert chart.status_code == 200 and size_of(chart.content) == (96, 64)
    assert "value = 10" in text_of(body)


async def test_coder_reads_inline_file_data_and_reuses_its_container(client):
    data = "data:text/csv;base64," + base64.b64encode(b"x,y\n1,2\n3,4\n").decode()
    first = (await respond(client, "coder", user(text("Sum"), {"type": "input_file", "filename": "xy.csv", "file_data": data}))).json()
    assert "x = 4, y = 6" in text_of(first)
    again = (await respond(client, "coder", "Sum 7 and 8", previous_response_id=first["id"])).json()
    assert again["output"][0]["container_id"] == first["output"][0]["container_id"]
    listed = (await client.get(f"{PROJECT}/openai/v1/containers/{first['output'][0]['container_id']}/files")).json()
    assert len(listed["data"]) == 4


async def test_coder_streams_its_code_in_openai_order(client):
    events = await stream(client, "coder", "Sum 1, 2 and 3")
    check_stream(events)
    call_events = tool_events(events, 0)
    deltas = call_events.count("response.code_interpreter_call_code.delta")
    assert deltas > 1
    assert call_events == [
        "response.output_item.added", "response.code_interpreter_call.in_progress",
        *["response.code_interpreter_call_code.delta"] * deltas,
        "response.code_interpreter_call_code.done", "response.code_interpreter_call.interpreting",
        "response.code_interpreter_call.completed", "response.output_item.done",
    ]
    code = "".join(d["delta"] for k, d in events if k == "response.code_interpreter_call_code.delta")
    done = next(d for k, d in events if k == "response.output_item.done" and d["output_index"] == 0)["item"]
    assert code == done["code"] == next(d["code"] for k, d in events if k.endswith("_code.done"))
    added = events[2][1]["item"]
    assert (added["status"], added["code"], added["agent_reference"]["name"]) == ("in_progress", "", "coder")
    msg_events = tool_events(events, 1)
    assert msg_events.count("response.output_text.annotation.added") == 2
    assert msg_events.index("response.output_text.annotation.added") < msg_events.index("response.output_text.done")
    added = [d["annotation"] for k, d in events if k == "response.output_text.annotation.added"]
    assert final(events)["output"][1]["content"][0]["annotations"] == added


async def test_a_file_part_naming_an_unknown_file_is_refused(client):
    resp = await respond(client, "coder", user(text("Sum"), {"type": "input_file", "file_id": "assistant-missing"}))
    error = resp.json()["error"]
    assert resp.status_code == 400 and error["param"] == "input[0].content[1].file_id"
    assert "assistant-missing" in error["message"]
    resp = await respond(client, "coder", user(text("Look"), {"type": "input_image"}))
    assert resp.status_code == 400 and resp.json()["error"]["param"] == "input[0].content[1].image_url"


# -- painter -------------------------------------------------------------------------------------


def png_of(b64: str) -> bytes:
    data = base64.b64decode(b64, validate=True)
    assert size_of(data) == (64, 64)
    return data


async def test_painter_returns_a_png(client):
    body = (await respond(client, "painter", "Draw a lighthouse at dusk.")).json()
    call, msg = body["output"]
    check_item(call)
    assert (call["status"], call["output_format"]) == ("completed", "png")
    png_of(call["result"])
    assert "_partials" not in call and "lighthouse at dusk" in call["revised_prompt"]
    assert msg["content"][0]["text"] == "Here is your picture of lighthouse at dusk."
    other = (await respond(client, "painter", "Draw a red barn.")).json()["output"][0]["result"]
    assert other != call["result"]


async def test_painter_streams_two_partial_images(client):
    events = await stream(client, "painter", "Paint a harbour.")
    check_stream(events)
    assert tool_events(events, 0) == [
        "response.output_item.added", "response.image_generation_call.in_progress",
        "response.image_generation_call.generating", "response.image_generation_call.partial_image",
        "response.image_generation_call.partial_image", "response.image_generation_call.completed",
        "response.output_item.done",
    ]
    partials = [d for k, d in events if k.endswith("partial_image")]
    assert [p["partial_image_index"] for p in partials] == [0, 1]
    done = next(d for k, d in events if k == "response.output_item.done")["item"]
    images = [png_of(p["partial_image_b64"]) for p in partials] + [png_of(done["result"])]
    assert len(set(images)) == 3  # each partial shows more of the picture
    assert events[2][1]["item"]["result"] is None
    assert final(events)["output"][0]["result"] == done["result"]
    assert "_partials" not in str(events)


# -- mcp-oauth -----------------------------------------------------------------------------------


async def test_mcp_oauth_asks_for_consent_until_the_link_is_opened(client):
    first = (await respond(client, "mcp-oauth", "What is on my calendar?")).json()
    [request] = first["output"]
    assert request["type"] == "oauth_consent_request" and request["id"].startswith("oauthreq_")
    assert request["server_label"] == "calendar"
    assert request["consent_link"] == f"http://emulator/emulator/consent/{request['id']}"
    again = (await respond(client, "mcp-oauth", "What is on my calendar?", previous_response_id=first["id"])).json()
    assert [i["type"] for i in again["output"]] == ["oauth_consent_request"]
    page = await client.get(request["consent_link"], headers={"Authorization": ""})  # a browser has no token
    assert page.status_code == 200 and "Consent given" in page.text and page.headers["content-type"].startswith("text/html")
    after = (await respond(client, "mcp-oauth", "What is on my calendar?", previous_response_id=again["id"])).json()
    assert [i["type"] for i in after["output"]] == ["mcp_list_tools", "mcp_call", "message"]
    call = after["output"][1]
    check_item(call)
    assert call["arguments"] == '{"query":"What is on my calendar?"}' and "Team sync" in call["output"]
    assert text_of(after) == f"According to the calendar tool: {call['output']}"
    unknown = await client.get("/emulator/consent/oauthreq_unknown")
    assert unknown.status_code == 404


async def test_mcp_oauth_consent_request_streams_as_an_item(client):
    events = await stream(client, "mcp-oauth", "Next meeting?")
    check_stream(events)
    assert tool_events(events, 0) == ["response.output_item.added", "response.output_item.done"]
    assert events[2][1]["item"]["consent_link"] == events[3][1]["item"]["consent_link"]


# -- memory --------------------------------------------------------------------------------------


async def test_memory_recalls_what_the_user_said(client):
    first = (await respond(client, "memory", "My locker code is 4417.")).json()
    body = (await respond(client, "memory", "What is my locker code?", previous_response_id=first["id"])).json()
    call, msg = body["output"]
    assert call["type"] == "memory_search_call" and call["status"] == "completed" and call["id"].startswith("mem_")
    [found] = call["results"]
    item = found["memory_item"]
    assert (item["content"], item["kind"], item["scope"]) == ("My locker code is 4417.", "chat_summary", "user_emulator")
    assert item["memory_id"].startswith("memitem_")
    assert msg["content"][0]["text"] == "From what I remember: My locker code is 4417."
    seeded = (await respond(client, "memory", "Which units do I prefer?")).json()
    assert seeded["output"][0]["results"][0]["memory_item"]["kind"] == "user_profile"
    nothing = (await respond(client, "memory", "Where did I park?")).json()
    assert nothing["output"][0]["results"] == [] and "don't remember" in text_of(nothing)


async def test_memory_streams(client):
    events = await stream(client, "memory", "Which programming language do I like?")
    check_stream(events)
    assert tool_events(events, 0) == ["response.output_item.added", "response.output_item.done"]
    assert "Python" in final(events)["output"][1]["content"][0]["text"]


# -- extractor (structured_outputs) --------------------------------------------------------------


async def test_extractor_answers_a_structured_outputs_item_then_a_line(client):
    body = (await respond(client, "extractor", "Ann and Bob go to the science fair on 2025-05-01.")).json()
    data, msg = body["output"]
    assert data["type"] == "structured_outputs" and data["id"].startswith("so_")
    assert data["output"] == {"name": "Science fair", "date": "2025-05-01", "participants": ["Ann", "Bob"]}
    assert msg["content"][0]["text"] == "Found the event 'Science fair' on 2025-05-01 with Ann, Bob."
    other = (await respond(client, "extractor", "Cleo visits the museum on March 3, 2026.")).json()
    assert other["output"][0]["output"]["participants"] == ["Cleo"]  # read from the text, not fixed


async def test_extractor_streams_its_item_whole(client):
    events = await stream(client, "extractor", "Ann and Bob go to the science fair on 2025-05-01.")
    check_stream(events)
    assert tool_events(events, 0) == ["response.output_item.added", "response.output_item.done"]
    added, done = (data["item"] for kind, data in events if data.get("output_index") == 0)
    assert added == done == final(events)["output"][0]


# -- computer ------------------------------------------------------------------------------------


def screenshot(width: int = 200, height: int = 100) -> dict[str, Any]:
    url = "data:image/png;base64," + base64.b64encode(screen(width, height)).decode()
    return {"type": "computer_screenshot", "image_url": url}


async def test_computer_screenshot_click_answer(client):
    first = (await respond(client, "computer", "Press the blue button.")).json()
    [call] = first["output"]
    check_item(call)
    assert call["action"] == {"type": "screenshot"} and call["call_id"].startswith("call_")
    output = {"type": "computer_call_output", "call_id": call["call_id"], "output": screenshot()}
    second = (await respond(client, "computer", [output], previous_response_id=first["id"])).json()
    [click] = second["output"]
    check_item(click)
    assert click["action"] == {"type": "click", "button": "left", "x": 100, "y": 50}
    made = (await client.post(f"{PROJECT}/openai/v1/files", files={"file": ("shot.png", screen(300, 120), "image/png")},
                              data={"purpose": "vision"})).json()
    answer = {"type": "computer_call_output", "call_id": click["call_id"],
              "output": {"type": "computer_screenshot", "file_id": made["id"]},
              "acknowledged_safety_checks": []}
    third = (await respond(client, "computer", [answer], previous_response_id=second["id"])).json()
    assert text_of(third) == "Done: I clicked at (100, 50) on a 300x120 screen."


@pytest.mark.parametrize(
    ("output", "param"),
    [
        ({"type": "computer_screenshot"}, "input[0].output.image_url"),
        ({"type": "input_image", "image_url": "data:image/png;base64,AA=="}, "input[0].output.type"),
        ({"type": "computer_screenshot", "image_url": "ftp://x"}, "input[0].output.image_url"),
        ({"type": "computer_screenshot", "file_id": "assistant-missing"}, "input[0].output.file_id"),
        ("a screenshot", "input[0].output"),
    ],
)
async def test_bad_computer_call_outputs_are_refused(client, output, param):
    first = (await respond(client, "computer", "Click it.")).json()
    item = {"type": "computer_call_output", "call_id": first["output"][0]["call_id"], "output": output}
    resp = await respond(client, "computer", [item], previous_response_id=first["id"])
    assert resp.status_code == 400 and resp.json()["error"]["param"] == param


async def test_a_computer_call_output_must_answer_a_pending_call(client):
    first = (await respond(client, "computer", "Click it.")).json()
    item = {"type": "computer_call_output", "call_id": "call_unknown", "output": screenshot()}
    resp = await respond(client, "computer", [item], previous_response_id=first["id"])
    assert resp.status_code == 400 and "call_unknown" in resp.json()["error"]["message"]


async def test_a_stateless_history_replays_the_computer_call_before_its_screenshot(client):
    question = user(text("Press the blue button."))
    first = (await respond(client, "computer", question, store=False)).json()
    [call] = first["output"]
    output = {"type": "computer_call_output", "call_id": call["call_id"], "output": screenshot(60, 40)}
    second = await respond(client, "computer", [*question, call, output], store=False)
    assert second.status_code == 200, second.text
    [click] = second.json()["output"]
    assert click["action"] == {"type": "click", "button": "left", "x": 30, "y": 20}
    alone = await respond(client, "computer", [*question, output], store=False)  # the call left out
    assert alone.status_code == 400 and call["call_id"] in alone.json()["error"]["message"]
    no_action = {k: v for k, v in call.items() if k != "action"}
    bad = await respond(client, "computer", [*question, no_action, output], store=False)
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "input[1].action"


async def test_a_computer_call_already_in_the_chain_is_a_duplicate(client):
    first = (await respond(client, "computer", "Click it.")).json()
    call = first["output"][0]
    output = {"type": "computer_call_output", "call_id": call["call_id"], "output": screenshot()}
    resp = await respond(client, "computer", [call, output], previous_response_id=first["id"])
    assert resp.status_code == 400 and "Duplicate item" in resp.json()["error"]["message"]


async def test_computer_streams_its_call(client):
    events = await stream(client, "computer", "Open the menu.")
    check_stream(events)
    assert [k for k, _ in events][2:4] == ["response.output_item.added", "response.output_item.done"]
    assert final(events)["output"][0]["type"] == "computer_call"


# -- file-searcher -------------------------------------------------------------------------------

GUIDE = b"# SmartView Glasses\n\nThe battery lasts twelve hours.\n\nThe glasses weigh 40 grams.\n"


async def test_file_searcher_results_only_when_included(client):
    made = (await client.post(f"{PROJECT}/openai/v1/files", files={"file": ("guide.md", GUIDE, "text/markdown")},
                              data={"purpose": "assistants"})).json()
    plain = (await respond(client, "file-searcher", "How long does the battery last?")).json()
    call, msg = plain["output"]
    assert "results" not in call and call["queries"] == ["How long does the battery last?"]
    assert msg["content"][0]["text"] == "The battery lasts twelve hours."
    assert msg["content"][0]["annotations"] == [
        {"type": "file_citation", "file_id": made["id"], "filename": "guide.md", "index": 31}]
    included = (await respond(client, "file-searcher", "How long does the battery last?",
                              include=["file_search_call.results"])).json()
    call = included["output"][0]
    check_item(call)
    [result] = call["results"]
    assert (result["file_id"], result["filename"], result["text"]) == (made["id"], "guide.md", "The battery lasts twelve hours.")
    assert 0 < result["score"] <= 1 and result["attributes"] == {}
    missing = (await respond(client, "file-searcher", "What colour is the case?")).json()
    assert text_of(missing) == "I couldn't find that in your files."


async def test_file_searcher_streams_the_recorded_phases(client):
    await client.post(f"{PROJECT}/openai/v1/files", files={"file": ("guide.md", GUIDE, "text/markdown")},
                      data={"purpose": "assistants"})
    events = await stream(client, "file-searcher", "How much do the glasses weigh?", include=["file_search_call.results"])
    check_stream(events)
    assert tool_events(events, 0) == [
        "response.output_item.added", "response.file_search_call.in_progress", "response.file_search_call.searching",
        "response.file_search_call.completed", "response.output_item.done",
    ]
    assert final(events)["output"][0]["results"][0]["text"] == "The glasses weigh 40 grams."


# -- a client leaving mid-stream -------------------------------------------------------------------


def _post_head(length: int) -> bytes:
    return (f"POST /api/projects/emulator/openai/v1/responses HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n"
            f"Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n").encode()


def test_a_client_leaving_mid_request_or_mid_stream_logs_one_line(caplog):
    caplog.set_level(logging.DEBUG)
    with run_emulator() as emu:
        # 1. gone while sending the body
        body = b'{"agent_reference":{"name":"echo"},"input":"hi"}'
        with socket.create_connection((emu.host, emu.port)) as sock:
            sock.sendall(_post_head(500) + body)
        deadline = time.time() + 5
        while time.time() < deadline and not any("client disconnected" in r.getMessage() for r in caplog.records):
            time.sleep(0.05)
        # 2. gone while a stream is paused between deltas
        body = b'{"agent_reference":{"name":"slow"},"input":"a b c d e f","stream":true,"metadata":{"delay":"0.2"}}'
        with socket.create_connection((emu.host, emu.port)) as sock:
            sock.sendall(_post_head(len(body)) + body)
            received = b""
            while b"output_text.delta" not in received:
                chunk = sock.recv(65536)
                assert chunk, received
                received += chunk
        time.sleep(0.5)
        assert httpx.get(f"{emu.endpoint}/agents?api-version=v1", headers={"Authorization": "Bearer t"}).status_code == 200
    messages = [r.getMessage() for r in caplog.records]
    assert sum("client disconnected during POST" in m for m in messages) == 1, messages
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.WARNING], messages


def test_the_new_agents_are_listed_with_their_tools():
    agents = {a.name: a for a in create_app().state.emulator.store.latest_agents()}
    tools = {name: [t["type"] for t in agents[name].tools] for name in
             ("coder", "painter", "mcp-oauth", "memory", "computer", "file-searcher", "extractor")}
    assert tools == {"coder": ["code_interpreter"], "painter": ["image_generation"], "mcp-oauth": ["mcp"],
                     "memory": ["memory_search_preview"], "computer": ["computer_use_preview"],
                     "file-searcher": ["file_search"], "extractor": []}
