"""``data_dir``: state kept in SQLite survives a restart, in-process and through the CLI."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from foundry_agents.emulator import create_app
from foundry_agents.emulator.store_sqlite import DB_NAME, SCHEMA_VERSION, DataDirError

from .helpers import AUTH, PROJECT, respond, text_of

V1 = {"api-version": "v1"}
CONV = f"{PROJECT}/openai/v1/conversations"
RESP = f"{PROJECT}/openai/v1/responses"
PROMPT = {"kind": "prompt", "model": "gpt-4o", "instructions": "Be brief."}


@asynccontextmanager
async def serve(data_dir: Path | None, **kwargs: Any) -> AsyncIterator[httpx.AsyncClient]:
    """One emulator 'run' on ``data_dir``: the app, a client, and the store closed at the end."""
    app = create_app(data_dir=data_dir, **kwargs)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://e", headers=AUTH) as client:
            yield client
    finally:
        app.state.emulator.store.close()


async def snapshot(client: httpx.AsyncClient, *, agent: str, conv: str, responses: list[str]) -> dict[str, Any]:
    """Everything a user can read back about the state built by :func:`build_state`."""
    out: dict[str, Any] = {
        "agent": (await client.get(f"{PROJECT}/agents/{agent}", params=V1)).json(),
        "versions": (await client.get(f"{PROJECT}/agents/{agent}/versions", params=V1)).json(),
        # (the built-ins are seeded anew at each start, with that start's created_at)
        "listed": [a for a in (await client.get(f"{PROJECT}/agents", params={**V1, "limit": 100})).json()["data"]
                   if a["name"] == agent],
        "conversation": (await client.get(f"{CONV}/{conv}")).json(),
        "items": (await client.get(f"{CONV}/{conv}/items", params={"order": "asc", "limit": 100})).json(),
    }
    for rid in responses:
        out[rid] = (await client.get(f"{RESP}/{rid}")).json()
        out[f"{rid}/input_items"] = (await client.get(f"{RESP}/{rid}/input_items")).json()
    return out


async def build_state(client: httpx.AsyncClient) -> dict[str, Any]:
    made = await client.post(f"{PROJECT}/agents", params=V1, json={
        "name": "keeper", "definition": PROMPT, "metadata": {"emulator_behavior": "grounded", "team": "a"}})
    assert made.status_code == 200
    second = await client.post(f"{PROJECT}/agents/keeper/versions", params=V1,
                               json={"definition": {**PROMPT, "instructions": "v2"}, "description": "second"})
    assert second.json()["version"] == "2"
    conv = (await client.post(CONV, json={"metadata": {"topic": "cats"}, "items": [
        {"type": "message", "role": "user", "content": "My cat is called Tom."}]})).json()["id"]
    in_conv = (await respond(client, "keeper", "And my dog is Rex.", conversation=conv, metadata={"m": "1"})).json()
    await client.post(f"{CONV}/{conv}/items", json={"items": [{"type": "message", "role": "user", "content": "later"}]})
    first = (await respond(client, "grounded", "My locker code is 4417.")).json()
    chained = (await respond(client, "grounded", "Noted?", previous_response_id=first["id"])).json()
    assert chained["previous_response_id"] == first["id"]
    return {"agent": "keeper", "conv": conv, "responses": [in_conv["id"], first["id"], chained["id"]]}


async def test_everything_reads_back_identically_after_a_restart(tmp_path):
    async with serve(tmp_path) as client:
        state = await build_state(client)
        before = await snapshot(client, **state)
    async with serve(tmp_path) as client:
        after = await snapshot(client, **state)
        assert after == before
        assert [i["content"][0]["text"] for i in after["items"]["data"]][-1] == "later"
        # previous_response_id continues a response from before the restart
        chained = state["responses"][-1]
        answer = (await respond(client, "grounded", "What is my locker code?", previous_response_id=chained)).json()
        assert text_of(answer) == "My locker code is 4417."
        # and a conversation keeps growing from where it was
        turn = (await respond(client, "keeper", "What is my cat called?", conversation=state["conv"])).json()
        assert text_of(turn) == "My cat is called Tom."
    async with serve(tmp_path) as client:
        items = (await client.get(f"{CONV}/{state['conv']}/items", params={"limit": 100})).json()["data"]
        assert items[0]["content"][0]["text"] == "My cat is called Tom."  # newest first: the answer
        assert len(items) == len(after["items"]["data"]) + 2


async def test_deleted_things_stay_deleted(tmp_path):
    async with serve(tmp_path) as client:
        state = await build_state(client)
        conv, (in_conv, first, _) = state["conv"], state["responses"]
        item = (await client.get(f"{CONV}/{conv}/items", params={"order": "asc"})).json()["first_id"]
        other = (await client.post(CONV, json={})).json()["id"]
        assert (await client.delete(f"{CONV}/{conv}/items/{item}")).status_code == 200
        assert (await client.delete(f"{CONV}/{other}")).status_code == 200
        assert (await client.delete(f"{RESP}/{first}")).status_code == 200
        assert (await client.delete(f"{PROJECT}/agents/keeper/versions/2", params=V1)).status_code == 200
        assert (await client.delete(f"{PROJECT}/agents/echo/versions/1", params=V1)).status_code == 200  # built-in
        assert (await client.delete(f"{PROJECT}/agents/weather", params=V1)).status_code == 200  # built-in
    async with serve(tmp_path) as client:
        assert (await client.get(f"{CONV}/{conv}/items/{item}")).status_code == 404
        assert (await client.get(f"{CONV}/{other}")).status_code == 404
        assert (await client.get(f"{RESP}/{first}")).status_code == 404
        assert (await client.get(f"{RESP}/{in_conv}")).status_code == 200
        versions = (await client.get(f"{PROJECT}/agents/keeper/versions", params=V1)).json()["data"]
        assert [v["version"] for v in versions] == ["1"]
        echo = (await client.get(f"{PROJECT}/agents/echo/versions", params=V1)).json()["data"]
        assert [v["version"] for v in echo] == ["2"]
        assert (await client.get(f"{PROJECT}/agents/weather", params=V1)).status_code == 404
        assert (await client.delete(f"{PROJECT}/agents/weather", params=V1)).status_code == 404


async def test_store_false_responses_are_not_persisted(tmp_path):
    async with serve(tmp_path) as client:
        kept = (await respond(client, "echo", "keep")).json()["id"]
        gone = (await respond(client, "echo", "secret", store=False)).json()["id"]
    async with serve(tmp_path) as client:
        assert (await client.get(f"{RESP}/{kept}")).status_code == 200
        assert (await client.get(f"{RESP}/{gone}")).status_code == 404
    with sqlite3.connect(tmp_path / DB_NAME) as db:
        assert [row[0] for row in db.execute("SELECT id FROM responses")] == [kept]
        assert "secret" not in "".join(body for (body,) in db.execute("SELECT body FROM responses"))


async def test_built_in_and_file_agents_are_not_written_at_each_start(tmp_path):
    extra = [{"name": "scripted", "behavior": "scripted", "reply": "hi"}]
    for _ in range(3):
        async with serve(tmp_path, extra_agents=extra) as client:
            versions = (await client.get(f"{PROJECT}/agents/echo/versions", params=V1)).json()["data"]
            assert [v["version"] for v in versions] == ["2", "1"]
            assert (await client.get(f"{PROJECT}/agents/scripted", params=V1)).status_code == 200
    with sqlite3.connect(tmp_path / DB_NAME) as db:
        assert db.execute("SELECT count(*) FROM agent_versions").fetchone() == (0,)
    async with serve(tmp_path) as client:  # a new version of a built-in is the user's: it is kept
        await client.post(f"{PROJECT}/agents/echo/versions", params=V1, json={"definition": PROMPT})
    async with serve(tmp_path) as client:
        versions = (await client.get(f"{PROJECT}/agents/echo/versions", params=V1)).json()["data"]
        assert [v["version"] for v in versions] == ["3", "2", "1"]
        assert text_of((await respond(client, "echo", "hi")).json()) == "Echo v3: hi"
        # agents from a file are configuration: not given again, not there
        assert (await client.get(f"{PROJECT}/agents/scripted", params=V1)).status_code == 404


def _foreign_db(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE photos (id INTEGER)")


def _newer_db(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE schema_version (version INTEGER)")
        db.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION + 1,))


@pytest.mark.parametrize(("make", "expected"), [
    (lambda p: p.write_bytes(b"this is not a database, just some notes\n" * 100), "not a usable emulator database"),
    (_foreign_db, "not the emulator's"),
    (_newer_db, "newer foundry-agents"),
])
def test_a_foreign_or_newer_file_is_refused_in_one_line(tmp_path, make, expected):
    make(tmp_path / DB_NAME)
    before = (tmp_path / DB_NAME).read_bytes()
    with pytest.raises(DataDirError) as info:
        create_app(data_dir=tmp_path)
    message = str(info.value)
    assert expected in message and str(tmp_path / DB_NAME) in message and "\n" not in message
    assert (tmp_path / DB_NAME).read_bytes() == before  # the user's file is left alone


def test_a_data_dir_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(DataDirError, match="cannot use data dir"):
        create_app(data_dir=tmp_path / "file")


# -- the CLI -------------------------------------------------------------------------------------


def _start(data_dir: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "foundry_agents.cli", "emulator", "--port", "0", "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None
    endpoint = proc.stdout.readline().strip()
    assert endpoint.startswith("http://127.0.0.1:"), proc.stderr.read() if proc.stderr else ""
    return proc, endpoint


def _stop(proc: subprocess.Popen[str], sig: signal.Signals) -> None:
    proc.send_signal(sig)
    proc.wait(timeout=10)
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_cli_data_dir_survives_a_stop(tmp_path, sig):
    proc, endpoint = _start(tmp_path / "data")
    try:
        with httpx.Client(base_url=endpoint, headers=AUTH, transport=httpx.HTTPTransport(retries=20)) as http:
            http.post("/agents", params=V1, json={"name": "kept", "definition": PROMPT}).raise_for_status()
            conv = http.post("/openai/v1/conversations", json={"metadata": {"a": "b"}}).json()
            body = {"agent_reference": {"name": "kept"}, "input": "hello", "conversation": conv["id"]}
            answer = http.post("/openai/v1/responses", json=body).json()
    finally:
        _stop(proc, sig)
    proc, endpoint = _start(tmp_path / "data")
    try:
        with httpx.Client(base_url=endpoint, headers=AUTH, transport=httpx.HTTPTransport(retries=20)) as http:
            assert http.get("/agents/kept", params=V1).json()["versions"]["latest"]["version"] == "1"
            assert http.get(f"/openai/v1/conversations/{conv['id']}").json() == conv
            assert http.get(f"/openai/v1/responses/{answer['id']}").json() == answer
            items = http.get(f"/openai/v1/conversations/{conv['id']}/items", params={"order": "asc"}).json()["data"]
            assert [i["content"][0]["text"] for i in items] == ["hello", "Echo: hello"]
    finally:
        _stop(proc, signal.SIGTERM)


def test_cli_refuses_a_foreign_file_in_one_line(tmp_path):
    (tmp_path / DB_NAME).write_bytes(os.urandom(4096))
    run = subprocess.run(
        [sys.executable, "-m", "foundry_agents.cli", "emulator", "--port", "0", "--data-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=60,
    )
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.count("\n") == 1 and run.stderr.startswith("error: ") and DB_NAME in run.stderr
