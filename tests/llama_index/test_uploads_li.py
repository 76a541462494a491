"""LlamaIndex ImageBlock/DocumentBlock inputs: uploads for paths and large data, then the call, then the delete."""

from __future__ import annotations

import asyncio
import base64

import httpx
import pytest
from llama_index.core.base.llms.types import ChatMessage, DocumentBlock, ImageBlock, TextBlock

from foundry_agents import FoundryConfigError, UploadedFiles
from foundry_agents.uploads import INLINE_LIMIT
from llama_index_foundry import FoundryAgentLLM
from tests.core._files_service import FilesService
from tests.llama_index._support import EP, TOKEN

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


def _llm(service: FilesService, **kwargs: object) -> FoundryAgentLLM:
    transport = httpx.MockTransport(service)
    return FoundryAgentLLM("echo", project_endpoint=EP, api_key=TOKEN, max_retries=0,
                           http_client=httpx.Client(transport=transport),
                           http_async_client=httpx.AsyncClient(transport=transport), **kwargs)


def test_image_and_document_paths_are_uploaded_then_deleted(tmp_path):
    image, doc = tmp_path / "dot.png", tmp_path / "report.pdf"
    image.write_bytes(PNG)
    doc.write_bytes(b"%PDF-1.4 report")
    service = FilesService()
    record = UploadedFiles()
    message = ChatMessage(role="user", blocks=[TextBlock(text="Read"), ImageBlock(path=image, detail="low"),
                                               DocumentBlock(path=doc)])
    _llm(service).chat([message], uploads=record)
    assert [u["filename"] for u in service.uploads] == ["dot.png", "report.pdf"]
    content = service.response_bodies[0]["input"][0]["content"]
    assert content[1:] == [{"type": "input_image", "file_id": "assistant-1", "detail": "low"},
                           {"type": "input_file", "file_id": "assistant-2"}]
    assert record.deleted == ["assistant-1", "assistant-2"] and service.files == {}


def test_large_document_data_is_uploaded_small_image_bytes_stay_inline():
    big = b"%PDF-1.4 " + b"x" * INLINE_LIMIT
    service = FilesService()
    message = ChatMessage(role="user", blocks=[ImageBlock(image=PNG), DocumentBlock(data=big, title="big.pdf")])
    asyncio.run(_llm(service).achat([message]))
    assert [(u["filename"], u["data"]) for u in service.uploads] == [("big.pdf", big)]
    content = service.response_bodies[0]["input"][0]["content"]
    assert content[0]["image_url"].startswith("data:image/png;base64,")
    assert content[1] == {"type": "input_file", "file_id": "assistant-1"}
    assert service.log[-1] == ("DELETE", "/openai/v1/files/assistant-1")


def test_an_image_type_agents_do_not_take_fails_before_any_request(tmp_path):
    path = tmp_path / "scan.tiff"
    path.write_bytes(b"II*\0")
    service = FilesService()
    with pytest.raises(FoundryConfigError, match="png, jpeg, gif or webp"):
        _llm(service).chat([ChatMessage(role="user", blocks=[ImageBlock(path=path)])])
    assert service.log == []
