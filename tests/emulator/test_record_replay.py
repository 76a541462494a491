"""Record a session through one emulator proxying another, then replay it offline."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import StreamingResponse
from starlette.routing import Route

from foundry_agents import FoundryAgentsClient, Message, TextDelta, ToolResultPart
from foundry_agents.emulator import EMULATOR_TOKEN, run_emulator
from foundry_agents.emulator.record import create_record_app, token_provider
from foundry_agents.emulator.replay import create_replay_app
from foundry_agents.emulator.server import serve_app

PROJECT = "/api/projects/emulator"


def session(endpoint: str) -> dict[str, Any]:
    """Text, stream, function-call round trip, conversation (core client) and an adapter call."""
    from langchain_foundry_agents import ChatFoundryAgent

    out: dict[str, Any] = {}
    with FoundryAgentsClient(endpoint, api_key=EMULATOR_TOKEN) as api:
        text = api.create_response("echo", input="hello there")
        out["text"] = (text.id, text.output_text)
        with api.stream_response("researcher", input="Tell me about the Eiffel Tower") as stream:
            events = list(stream)
        out["stream"] = [(type(e).__name__, getattr(e, "delta", None)) for e in events]
        out["stream_final"] = events[-1].response.output_text
        first = api.create_response("weather", input="What is the weather in Oslo?")
        (call,) = first.function_calls
        second = api.create_response("weather", previous_response_id=first.id,
                                     input=[Message("tool", [ToolResultPart(call.call_id, {"sky": "snow"})])])
        out["tool"] = (call.call_id, call.arguments, second.output_text)
        conv = api.create_conversation(items=[Message("user", "The launch code is 7731.")])
        api.create_response("grounded", conversation=conv.id)
        reply = api.create_response("grounded", input="What is the launch code?", conversation=conv.id)
        items = api.list_conversation_items(conv.id)
        out["conversation"] = (conv.id, reply.output_text, [i["id"] for i in items.data])
    model = ChatFoundryAgent("echo:1", project_endpoint=endpoint, api_key=EMULATOR_TOKEN)
    out["adapter"] = (model.invoke("adapter says hi").content, [c.content for c in model.stream("streamed hi")])
    return out


@pytest.fixture
def upstream() -> Iterator[Any]:
    with run_emulator() as emu:
        yield emu


def record(upstream_endpoint: str, directory: Path, drive: Any) -> tuple[Any, Path]:
    app = create_record_app(directory, upstream_endpoint, token_provider("upstream-token"), name="session")
    with serve_app(app) as base:
        result = drive(base + PROJECT)
    return result, app.state.session.path


def test_record_then_replay_reproduces_the_session(upstream: Any, tmp_path: Path) -> None:
    recorded, path = record(upstream.endpoint, tmp_path, session)
    assert "Oslo" in recorded["tool"][1] and "snow" in recorded["tool"][2] and "7731" in recorded["conversation"][1]
    replay = create_replay_app(tmp_path)
    with serve_app(replay) as base:
        replayed = session(base + PROJECT)
    assert replayed == recorded  # same answers, ids, event order and deltas
    replayer = replay.state.replayer
    assert replayer.used == {r.source for r in replayer.recorded}  # every recorded call was made again
    assert [n for n, _ in recorded["stream"]].count("TextDelta") > 1


def test_recording_is_in_test_proxy_format_and_sanitized(upstream: Any, tmp_path: Path) -> None:
    _, path = record(upstream.endpoint, tmp_path, session)
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert set(data) == {"Entries", "Variables"}
    entry = data["Entries"][0]
    assert set(entry) == {"RequestUri", "RequestMethod", "RequestHeaders", "RequestBody", "StatusCode",
                          "ResponseHeaders", "ResponseBody"}
    assert all(e["RequestUri"].startswith("https://Sanitized.services.ai.azure.com/api/projects/emulator/")
               for e in data["Entries"])
    assert EMULATOR_TOKEN not in text and "upstream-token" not in text and "127.0.0.1" not in text
    assert not any(k.lower() == "authorization" for e in data["Entries"] for k in e["RequestHeaders"])
    streams = [e for e in data["Entries"] if isinstance(e["ResponseBody"], list)]
    assert streams and streams[0]["ResponseBody"][0].startswith("event: response.created\n")
    assert all(line.endswith("\n") for line in streams[0]["ResponseBody"])


def test_two_recorded_sessions_replay_in_turn_with_their_own_ids(upstream: Any, tmp_path: Path) -> None:
    def conversation(endpoint: str) -> tuple[str, str]:
        with FoundryAgentsClient(endpoint, api_key=EMULATOR_TOKEN) as api:
            conv = api.create_conversation(items=[Message("user", "The code is 42.")])
            return conv.id, api.create_response("grounded", input="What is the code?", conversation=conv.id).output_text

    first, _ = record(upstream.endpoint, tmp_path, conversation)
    second, _ = record(upstream.endpoint, tmp_path, conversation)
    assert first[0] != second[0] and "42" in first[1]
    with serve_app(create_replay_app(tmp_path)) as base:
        # the second session names its own conversation id, which its recording numbered #1
        assert [conversation(base + PROJECT), conversation(base + PROJECT)] == [first, second]


def test_replayed_stream_sends_the_recorded_bytes(upstream: Any, tmp_path: Path) -> None:
    def drive(endpoint: str) -> None:
        with FoundryAgentsClient(endpoint, api_key=EMULATOR_TOKEN) as api, \
                api.stream_response("researcher", input="Tell me about Paris") as stream:
            list(stream)

    _, path = record(upstream.endpoint, tmp_path, drive)
    (entry,) = json.loads(path.read_text(encoding="utf-8"))["Entries"]
    with serve_app(create_replay_app(tmp_path)) as base:
        got = httpx.post(base + PROJECT + "/openai/v1/responses", json=entry["RequestBody"],
                         headers={"Authorization": "Bearer x"})
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/event-stream")
    assert got.content == "".join(entry["ResponseBody"]).encode()


def test_unmatched_request_names_the_closest_recording(upstream: Any, tmp_path: Path) -> None:
    def drive(endpoint: str) -> None:
        with FoundryAgentsClient(endpoint, api_key=EMULATOR_TOKEN) as api:
            api.create_response("echo", input="recorded question")

    record(upstream.endpoint, tmp_path, drive)
    with serve_app(create_replay_app(tmp_path)) as base:
        got = httpx.post(base + PROJECT + "/openai/v1/responses", headers={"Authorization": "Bearer x"},
                         json={"input": "another question", "agent_reference": {"type": "agent_reference", "name": "echo"}})
    assert got.status_code == 404
    error = got.json()["error"]
    assert error["code"] == "no_recorded_match"
    assert "POST https://Sanitized.services.ai.azure.com/api/projects/emulator/openai/v1/responses" in error["message"]
    assert "session.json#0" in error["message"] and "differs in: input" in error["message"]


def test_streams_pass_through_the_recorder_live(tmp_path: Path) -> None:
    """The client gets the first event while the upstream still holds the rest back."""
    gate = threading.Event()
    released: list[bool] = []

    async def events() -> AsyncIterator[bytes]:
        yield b"event: first\ndata: {}\n\n"
        released.append(await asyncio.to_thread(gate.wait, 20))
        yield b"event: second\ndata: {}\n\n"

    async def endpoint(request: Any) -> StreamingResponse:
        return StreamingResponse(events(), media_type="text/event-stream")

    upstream_app = Starlette(routes=[Route(PROJECT + "/openai/v1/responses", endpoint, methods=["POST"])])
    with serve_app(upstream_app) as upstream_base:
        app = create_record_app(tmp_path, upstream_base + PROJECT, token_provider("k"), name="live")
        with serve_app(app) as base, httpx.stream("POST", base + PROJECT + "/openai/v1/responses", json={},
                                                  headers={"Authorization": "Bearer x"}) as resp:
            chunks = resp.iter_bytes()
            first = next(chunks)
            gate.set()
            rest = b"".join(chunks)
    assert first == b"event: first\ndata: {}\n\n" and rest == b"event: second\ndata: {}\n\n"
    assert released == [True]  # the first event reached the client before the upstream went on
    (entry,) = json.loads(app.state.session.path.read_text(encoding="utf-8"))["Entries"]
    assert entry["ResponseBody"] == ["event: first\n", "data: {}\n\n", "event: second\n", "data: {}\n\n"]


@pytest.mark.parametrize("name", ["function_tool_roundtrip", "stream_v1_agent_conversation",
                                  "agent_responses_conversation_crud", "structured_output_agent_v1"])
def test_shipped_recordings_replay_through_the_core(name: str, tmp_path: Path) -> None:
    """Each recorded call, made again (responses through the core client), gets the recorded answer."""
    from tests._recordings import expected
    from tests.conftest import recordings_dir
    from tests.core.test_recordings import call_kwargs

    (tmp_path / f"{name}.json").write_bytes((recordings_dir() / f"{name}.json").read_bytes())
    entries = json.loads((tmp_path / f"{name}.json").read_text(encoding="utf-8"))["Entries"]
    with serve_app(create_replay_app(tmp_path)) as base, \
            FoundryAgentsClient(base + "/api/projects/sanitized-project-name", api_key="t") as api:
        for entry in entries:
            path = entry["RequestUri"].split("/api/projects/sanitized-project-name", 1)[1]
            if path == "/openai/v1/responses" and "agent_reference" in (entry["RequestBody"] or {}):
                agent, kwargs = call_kwargs(entry["RequestBody"])
                if isinstance(entry["ResponseBody"], list):
                    with api.stream_response(agent, **kwargs) as stream:
                        events = list(stream)
                    final = events[-1].response
                    assert "".join(e.delta for e in events if isinstance(e, TextDelta)) == expected(entry)["text"]
                else:
                    final = api.create_response(agent, **kwargs)
                assert (final.id, final.output_text) == (expected(entry)["id"], expected(entry)["text"])
            else:
                got = httpx.request(entry["RequestMethod"], base + "/api/projects/sanitized-project-name" + path,
                                    json=entry["RequestBody"], headers={"Authorization": "Bearer t"})
                assert (got.status_code, got.json()) == (entry["StatusCode"], entry["ResponseBody"])


def _serve_cli(*args: str) -> tuple[Any, str]:
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "foundry_agents.emulator", "--port", "0", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    return proc, proc.stdout.readline().strip()


def test_cli_records_then_replays(upstream: Any, tmp_path: Path) -> None:
    answers = []
    for args in (["--record", str(tmp_path), "--upstream", upstream.endpoint, "--api-key", "secret-key"],
                 ["--replay", str(tmp_path)]):
        proc, endpoint = _serve_cli(*args)
        try:
            assert endpoint.endswith("/api/projects/emulator"), proc.stderr.read() if proc.stderr else ""
            with FoundryAgentsClient(endpoint, api_key=EMULATOR_TOKEN) as api:
                answers.append(api.create_response("echo", input="via the cli").output_text)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    assert answers == ["Echo v2: via the cli"] * 2
    (path,) = tmp_path.glob("session-*.json")
    assert "secret-key" not in path.read_text(encoding="utf-8")


@pytest.mark.parametrize(("args", "message"), [
    (["--record", "DIR"], "--upstream must be a project endpoint"),
    (["--record", "DIR", "--upstream", "https://x.services.ai.azure.com"], "--upstream must be a project endpoint"),
    (["--upstream", "https://x/api/projects/p"], "--upstream needs --record DIR"),
    (["--record", "DIR", "--replay", "DIR"], "pass either --record or --replay"),
    (["--replay", "DIR/missing"], "does not exist"),
    (["--replay", "DIR"], "holds no recordings"),
    (["--replay", "DIR", "--data-dir", "DIR"], "do not apply to --record/--replay"),
])
def test_cli_refuses_bad_record_and_replay_options(args: list[str], message: str, tmp_path: Path, capsys: Any) -> None:
    from foundry_agents.emulator import cli

    assert cli.main([a.replace("DIR", str(tmp_path)) for a in args] + ["--port", "0"]) == 2
    assert message in capsys.readouterr().err
