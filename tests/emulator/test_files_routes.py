"""``/openai/v1/files`` and the container file routes: happy paths, the service's limits and
errors, both dialects, persistence with ``data_dir``, and the openai SDK over a real socket."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from foundry_agents.emulator import create_app, run_emulator
from foundry_agents.emulator.png import size_of

from .helpers import AUTH, PROJECT, respond, text_of
from .test_persistence import serve

FILES = f"{PROJECT}/openai/v1/files"
PREVIEW_FILES = f"{PROJECT}/openai/files"
PREVIEW = {"api-version": "2025-11-15-preview"}
CSV = b"name,amount,qty\na,10,1\nb,50,5\n"


async def upload(client: httpx.AsyncClient, content: bytes = CSV, *, name: str = "data.csv",
                 purpose: str | None = "assistants", url: str = FILES, **kwargs: Any) -> httpx.Response:
    data = {"purpose": purpose} if purpose is not None else {}
    return await client.post(url, files={"file": (name, content, "text/csv")}, data=data, **kwargs)


def error_of(resp: httpx.Response, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    error = resp.json()["error"]
    assert {"code", "message", "type", "param"} <= set(error)
    return dict(error)


async def test_upload_answers_the_file_object(client):
    resp = await upload(client)
    assert resp.status_code == 200
    body = resp.json()
    assert re.fullmatch(r"assistant-[A-Za-z0-9]{22}", body["id"])
    assert body["object"] == "file" and body["status"] == "processed"
    assert (body["filename"], body["bytes"], body["purpose"]) == ("data.csv", len(CSV), "assistants")
    assert isinstance(body["created_at"], int)


async def test_get_list_content_delete(client):
    first = (await upload(client)).json()
    second = (await upload(client, b"{}\n", name="batch.jsonl", purpose="batch")).json()
    assert (await client.get(f"{FILES}/{first['id']}")).json() == first
    listed = (await client.get(FILES)).json()
    assert listed["object"] == "list" and listed["has_more"] is False
    assert {f["id"] for f in listed["data"]} == {first["id"], second["id"]}
    only_batch = (await client.get(FILES, params={"purpose": "batch"})).json()
    assert [f["id"] for f in only_batch["data"]] == [second["id"]]
    one = (await client.get(FILES, params={"limit": 1})).json()
    assert len(one["data"]) == 1 and one["has_more"] is True
    content = await client.get(f"{FILES}/{first['id']}/content")
    assert content.content == CSV and content.headers["content-type"].startswith("text/csv")
    deleted = await client.delete(f"{FILES}/{first['id']}")
    assert deleted.json() == {"id": first["id"], "object": "file", "deleted": True}
    for path in (f"{FILES}/{first['id']}", f"{FILES}/{first['id']}/content"):
        assert error_of(await client.get(path), 404)["code"] == "not_found"
    assert error_of(await client.delete(f"{FILES}/{first['id']}"), 404)["message"].endswith("not found.")


async def test_the_preview_dialect_shares_the_store(client):
    made = (await upload(client, url=PREVIEW_FILES, params=PREVIEW)).json()
    assert (await client.get(f"{FILES}/{made['id']}")).json()["filename"] == "data.csv"
    assert (await client.get(f"{PREVIEW_FILES}/{made['id']}/content", params=PREVIEW)).content == CSV
    assert error_of(await client.get(PREVIEW_FILES), 400)["param"] == "api-version"


@pytest.mark.parametrize(
    ("kwargs", "param", "code"),
    [
        ({"purpose": "wallpaper"}, "purpose", "invalid_value"),
        ({"purpose": None}, "purpose", "missing_required_parameter"),
        ({"content": b""}, "file", "invalid_payload"),
    ],
)
async def test_bad_uploads_are_refused(client, kwargs, param, code):
    error = error_of(await upload(client, **kwargs), 400)
    assert (error["param"], error["code"]) == (param, code)
    assert (await client.get(FILES)).json()["data"] == []


async def test_an_upload_without_a_file_part_or_not_multipart(client):
    error = error_of(await client.post(FILES, data={"purpose": "assistants"}, files={"other": ("x", b"1")}), 400)
    assert (error["param"], error["code"]) == ("file", "missing_required_parameter")
    error = error_of(await client.post(FILES, json={"purpose": "assistants"}), 400)
    assert "multipart/form-data" in error["message"]


async def test_size_limit_and_total_quota():
    app = create_app(max_file_bytes=40, files_quota=70)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://e", headers=AUTH) as client:
        error = error_of(await upload(client, b"x" * 41), 400)
        assert error["code"] == "file_too_large" and "40 bytes" in error["message"]
        assert (await upload(client, b"y" * 40)).status_code == 200
        assert error_of(await upload(client, b"z" * 31), 400)["code"] == "quota_exceeded"
        assert (await upload(client, b"z" * 30)).status_code == 200
        # A declared body far over the limit is refused before it is read.
        error = error_of(await client.post(FILES, content=b"--b--", headers={
            "content-type": "multipart/form-data; boundary=b", "content-length": str(10**9)}), 400)
        assert error["code"] == "file_too_large"


async def test_container_files_of_the_coder(client):
    made = (await upload(client)).json()
    answer = (await respond(client, "coder", [{"type": "message", "role": "user", "content": [
        {"type": "input_text", "text": "Sum the columns."}, {"type": "input_file", "file_id": made["id"]}]}])).json()
    container_id = answer["output"][0]["container_id"]
    base = f"{PROJECT}/openai/v1/containers/{container_id}/files"
    listed = (await client.get(base)).json()
    assert listed["object"] == "list"
    by_path = {f["path"]: f for f in listed["data"]}
    assert set(by_path) == {"/mnt/data/report.csv", "/mnt/data/chart.png"}
    for entry in listed["data"]:
        assert entry["object"] == "container.file" and entry["source"] == "assistant"
        assert entry["container_id"] == container_id and entry["id"].startswith("cfile_")
        assert (await client.get(f"{base}/{entry['id']}")).json() == entry
    report = await client.get(f"{base}/{by_path['/mnt/data/report.csv']['id']}/content")
    assert report.text == "column,sum\namount,60\nqty,6\n" and report.headers["content-type"].startswith("text/csv")
    chart = await client.get(f"{base}/{by_path['/mnt/data/chart.png']['id']}/content")
    assert chart.headers["content-type"] == "image/png" and size_of(chart.content) == (96, 64)
    assert len(chart.content) == by_path["/mnt/data/chart.png"]["bytes"]
    # Container files are reached through their container only; unknown ids are 404s.
    assert error_of(await client.get(f"{FILES}/{by_path['/mnt/data/chart.png']['id']}"), 404)["code"] == "not_found"
    assert "Container" in error_of(await client.get(f"{PROJECT}/openai/v1/containers/cntr_nope/files"), 404)["message"]
    assert error_of(await client.get(f"{base}/cfile_nope"), 404)["code"] == "not_found"
    assert error_of(await client.get(f"{base}/{made['id']}/content"), 404)["code"] == "not_found"


async def test_files_and_consents_survive_a_restart(tmp_path: Path):
    async with serve(tmp_path) as client:
        kept = (await upload(client)).json()
        gone = (await upload(client, b"bye", name="gone.txt")).json()
        assert (await client.delete(f"{FILES}/{gone['id']}")).status_code == 200
        coded = (await respond(client, "coder", "Sum 1 2 3")).json()
        link = (await respond(client, "mcp-oauth", "my events")).json()["output"][0]["consent_link"]
        assert (await client.get(link)).status_code == 200
    assert sorted(p.name for p in (tmp_path / "files").iterdir()) == sorted(
        [kept["id"], *(a["file_id"] for a in coded["output"][1]["content"][0]["annotations"])])
    async with serve(tmp_path) as client:
        assert (await client.get(f"{FILES}/{kept['id']}")).json() == kept
        assert (await client.get(f"{FILES}/{kept['id']}/content")).content == CSV
        assert (await client.get(f"{FILES}/{gone['id']}")).status_code == 404
        annotation = coded["output"][1]["content"][0]["annotations"][0]
        content = await client.get(
            f"{PROJECT}/openai/v1/containers/{annotation['container_id']}/files/{annotation['file_id']}/content")
        assert content.text == "column,sum\nvalue,6\n"
        # Consent given before the restart still holds: the tool runs.
        after = (await respond(client, "mcp-oauth", "my events")).json()
        assert [i["type"] for i in after["output"]][-2:] == ["mcp_call", "message"]
        assert "Team sync" in text_of(after)


def test_the_openai_sdk_over_a_real_socket(tmp_path: Path):
    openai = pytest.importorskip("openai")
    path = tmp_path / "sales.csv"
    path.write_bytes(CSV)
    with run_emulator() as emu:
        client = openai.OpenAI(base_url=f"{emu.endpoint}/openai/v1", api_key=emu.token)
        with path.open("rb") as handle:
            made = client.files.create(file=handle, purpose="assistants")
        assert (made.filename, made.bytes, made.status) == ("sales.csv", len(CSV), "processed")
        assert client.files.retrieve(made.id).id == made.id
        assert [f.id for f in client.files.list(purpose="assistants")] == [made.id]
        assert client.files.content(made.id).read() == CSV
        reply = client.responses.create(
            input=[{"role": "user", "type": "message", "content": [
                {"type": "input_text", "text": "Sum it"}, {"type": "input_file", "file_id": made.id}]}],
            extra_body={"agent_reference": {"type": "agent_reference", "name": "coder"}},
        )
        assert "amount = 60, qty = 6" in reply.output_text
        citation = reply.output[1].content[0].annotations[0]
        assert citation.type == "container_file_citation"
        listed = client.containers.files.list(citation.container_id)
        assert {f.path for f in listed} == {"/mnt/data/report.csv", "/mnt/data/chart.png"}
        assert client.containers.files.content.retrieve(citation.file_id, container_id=citation.container_id).read() \
            == b"column,sum\namount,60\nqty,6\n"
        assert client.files.delete(made.id).deleted is True
        with pytest.raises(openai.NotFoundError):
            client.files.retrieve(made.id)
        with pytest.raises(openai.BadRequestError):
            client.files.create(file=("empty.csv", b""), purpose="assistants")
