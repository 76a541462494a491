"""The upload rule (foundry_agents.uploads) through FoundryAgent: what is uploaded, what is sent,
what is deleted, in all four call modes."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import httpx
import pytest

from foundry_agents import (
    FilePart,
    FoundryAgent,
    FoundryConfigError,
    ImagePart,
    Message,
    ServerError,
    TextPart,
    UploadedFiles,
)
from foundry_agents.uploads import INLINE_LIMIT, plan_uploads
from tests.core._files_service import FilesService
from tests.core._harness import EP

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
MODES = ["respond", "arespond", "stream", "astream"]


def _agent(service: Any, **kwargs: Any) -> FoundryAgent:
    transport = httpx.MockTransport(service)
    return FoundryAgent("echo", project_endpoint=EP, api_key="secret-token-123", max_retries=0,
                        http_client=httpx.Client(transport=transport),
                        http_async_client=httpx.AsyncClient(transport=transport), **kwargs)


def _call(agent: FoundryAgent, mode: str, messages: list[Message], **options: Any) -> Any:
    if mode == "respond":
        return agent.respond(messages, **options)
    if mode == "stream":
        return list(agent.stream(messages, **options))

    async def go() -> Any:
        if mode == "arespond":
            return await agent.arespond(messages, **options)
        return [e async for e in agent.astream(messages, **options)]

    return asyncio.run(go())


def _user(*parts: Any) -> list[Message]:
    return [Message("user", (TextPart("Look"), *parts))]


@pytest.mark.parametrize("mode", MODES)
def test_a_local_image_is_uploaded_sent_by_id_and_deleted(mode, tmp_path):
    path = tmp_path / "dot.png"
    path.write_bytes(PNG)
    service = FilesService()
    record = UploadedFiles()
    _call(_agent(service), mode, _user(ImagePart(path=path, detail="high")), uploads=record)
    assert service.log == [("POST", "/openai/v1/files"), ("POST", "/openai/v1/responses"),
                           ("DELETE", "/openai/v1/files/assistant-1")]
    assert service.uploads[0]["filename"] == "dot.png" and service.uploads[0]["data"] == PNG
    assert service.uploads[0]["purpose"] == "assistants"
    content = service.response_bodies[0]["input"][0]["content"]
    assert content[1] == {"type": "input_image", "file_id": "assistant-1", "detail": "high"}
    assert record.file_ids == ["assistant-1"] and record.deleted == ["assistant-1"] and record.kept == {}
    assert record.files[0].origin == "path" and record.files[0].bytes == len(PNG)


@pytest.mark.parametrize("mode", MODES)
def test_keep_uploads_keeps_them_and_reports_the_ids(mode, tmp_path):
    path = tmp_path / "notes.pdf"
    path.write_bytes(b"%PDF-1.4 notes")
    service = FilesService()
    record = UploadedFiles()
    _call(_agent(service, keep_uploads=True), mode, _user(FilePart(path=path)), uploads=record)
    assert [m for m, _ in service.log] == ["POST", "POST"]
    assert service.response_bodies[0]["input"][0]["content"][1] == {"type": "input_file", "file_id": "assistant-1"}
    assert record.deleted == [] and record.kept == {"assistant-1": "keep_uploads=True"}
    assert "assistant-1" in service.files


def test_small_inline_data_stays_inline_and_nothing_is_uploaded():
    service = FilesService()
    uri = "data:image/png;base64," + base64.b64encode(PNG).decode()
    _agent(service).respond(_user(ImagePart(url=uri), FilePart(data=b"%PDF small", filename="a.pdf")))
    assert service.log == [("POST", "/openai/v1/responses")]
    content = service.response_bodies[0]["input"][0]["content"]
    assert content[1]["image_url"] == uri and content[2]["file_data"].startswith("data:application/pdf;base64,")


@pytest.mark.parametrize("mode", MODES)
def test_large_inline_data_is_uploaded(mode):
    big = b"\x89PNG" + b"\0" * INLINE_LIMIT
    uri = "data:image/png;base64," + base64.b64encode(big).decode()
    service = FilesService()
    _call(_agent(service), mode, _user(ImagePart(url=uri), FilePart(data=big, filename="big.bin")))
    assert [u["filename"] for u in service.uploads] == ["image.png", "big.bin"]
    assert [u["data"] for u in service.uploads] == [big, big]
    content = service.response_bodies[0]["input"][0]["content"]
    assert content[1]["file_id"] == "assistant-1" and content[2] == {"type": "input_file", "file_id": "assistant-2"}
    assert [m for m, _ in service.log].count("DELETE") == 2


@pytest.mark.parametrize("mode", MODES)
def test_a_failed_call_still_deletes_its_uploads(mode, tmp_path):
    path = tmp_path / "dot.png"
    path.write_bytes(PNG)
    service = FilesService(fail_responses=500)
    with pytest.raises(ServerError):
        _call(_agent(service), mode, _user(ImagePart(path=path)))
    assert service.log[-1] == ("DELETE", "/openai/v1/files/assistant-1") and service.files == {}


@pytest.mark.parametrize(("part", "needle"), [
    (lambda tmp: ImagePart(path=tmp / "photo.bmp"), "image type 'image/bmp' is not supported"),
    (lambda tmp: ImagePart(url="data:image/svg+xml;base64,AAAA"), "image/svg"),
    (lambda tmp: ImagePart(path=tmp / "missing.png"), "does not exist"),
    (lambda tmp: FilePart(path=tmp), "not a regular file"),
    (lambda tmp: FilePart(path=tmp / "empty.txt"), "empty"),
])
def test_bad_inputs_fail_before_any_request(tmp_path, part, needle):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "photo.bmp").write_bytes(b"BM")
    (tmp_path / "ok.png").write_bytes(PNG)

    def never(request: httpx.Request) -> httpx.Response:  # pragma: no cover - must not be called
        raise AssertionError(f"sent {request.url}")

    agent = _agent(never)
    with pytest.raises(FoundryConfigError, match=needle):
        # The good file comes first: nothing is uploaded when a later part is bad.
        agent.respond(_user(ImagePart(path=tmp_path / "ok.png"), part(tmp_path)))
    with pytest.raises(FoundryConfigError, match=needle):
        agent.stream(_user(ImagePart(path=tmp_path / "ok.png"), part(tmp_path)))  # raises at the call


def test_only_the_new_messages_are_uploaded_when_chaining(tmp_path):
    path = tmp_path / "dot.png"
    path.write_bytes(PNG)
    service = FilesService()
    history = [*_user(ImagePart(path=tmp_path / "gone.png")),  # before the agent's reply: not re-sent
               Message("assistant", "ok", response_id="resp_0", agent="echo"),
               *_user(ImagePart(path=path))]
    _agent(service).respond(history)
    assert len(service.uploads) == 1 and service.response_bodies[0]["previous_response_id"] == "resp_0"


def test_the_client_refuses_a_local_part_with_a_pointer_to_the_upload():
    def never(request: httpx.Request) -> httpx.Response:  # pragma: no cover - must not be called
        raise AssertionError(f"sent {request.url}")

    agent = _agent(never)
    with pytest.raises(FoundryConfigError, match=r"upload it \(client.upload_file"):
        agent.client.create_response("echo", input=_user(ImagePart(path="x.png")))
    with pytest.raises(FoundryConfigError, match="local file"):
        agent.plan(_user(ImagePart(path="x.png")))


def test_plan_uploads_is_pure_and_lists_what_goes_up(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"a,b\n")
    pending = plan_uploads(_user(FilePart(path=path), ImagePart(url="https://x.test/a.png")))
    assert [(p.message, p.part, p.kind, p.source.filename, p.origin) for p in pending] == [
        (0, 1, "file", "a.csv", "path")]
