"""LangChain image/file blocks from a local path, big base64 and URLs: the requests they cause."""

from __future__ import annotations

import asyncio
import base64

import httpx
from langchain_core.messages import HumanMessage

from foundry_agents import UploadedFiles
from foundry_agents.uploads import INLINE_LIMIT
from langchain_foundry_agents import ChatFoundryAgent
from tests.core._files_service import FilesService

from ._support import EP, TOKEN

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


def _model(service: FilesService, **kwargs: object) -> ChatFoundryAgent:
    transport = httpx.MockTransport(service)
    return ChatFoundryAgent("echo", project_endpoint=EP, api_key=TOKEN, max_retries=0,
                            http_client=httpx.Client(transport=transport),
                            http_async_client=httpx.AsyncClient(transport=transport), **kwargs)


def test_local_path_image_and_file_blocks_are_uploaded_sent_by_id_then_deleted(tmp_path):
    image, doc = tmp_path / "dot.png", tmp_path / "sales.csv"
    image.write_bytes(PNG)
    doc.write_bytes(b"region,sales\n")
    service = FilesService()
    message = HumanMessage([{"type": "text", "text": "Sum it"},
                            {"type": "image", "path": str(image)},
                            {"type": "file", "url": doc.as_uri(), "mime_type": "text/csv"}])
    reply = _model(service).invoke([message])
    assert reply.text == "Seen."
    assert [m for m, _ in service.log] == ["POST", "POST", "POST", "DELETE", "DELETE"]
    assert [u["filename"] for u in service.uploads] == ["dot.png", "sales.csv"]
    content = service.response_bodies[0]["input"][0]["content"]
    assert content[1:] == [{"type": "input_image", "file_id": "assistant-1", "detail": "auto"},
                           {"type": "input_file", "file_id": "assistant-2"}]


def test_big_base64_is_uploaded_small_base64_and_urls_stay_inline():
    big = b"\x89PNG" + b"\0" * INLINE_LIMIT
    service = FilesService()
    record = UploadedFiles()
    message = HumanMessage([{"type": "image", "base64": base64.b64encode(big).decode(), "mime_type": "image/png"},
                            {"type": "image", "base64": base64.b64encode(PNG).decode(), "mime_type": "image/png"},
                            {"type": "image", "url": "https://x.test/cat.png"}])
    asyncio.run(_model(service, keep_uploads=True).ainvoke([message], uploads=record))
    assert [u["data"] for u in service.uploads] == [big]
    content = service.response_bodies[0]["input"][0]["content"]
    assert content[0]["file_id"] == "assistant-1"
    assert content[1]["image_url"].startswith("data:image/png;base64,")
    assert content[2]["image_url"] == "https://x.test/cat.png"
    assert record.file_ids == ["assistant-1"] and record.deleted == []  # kept: the model field says so
    assert "DELETE" not in [m for m, _ in service.log]


def test_streaming_deletes_after_the_stream(tmp_path):
    image = tmp_path / "dot.png"
    image.write_bytes(PNG)
    service = FilesService()
    list(_model(service).stream([HumanMessage([{"type": "image", "path": str(image)}])]))
    assert service.log[-1] == ("DELETE", "/openai/v1/files/assistant-1")
