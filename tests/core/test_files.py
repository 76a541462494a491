"""Files: request shapes, limits before the network, retries, streamed downloads (sync and async)."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import httpx
import pytest

from foundry_agents import (
    APIConnectionError,
    APIOutcomeUnknownError,
    FileObject,
    FoundryConfigError,
    NotFoundError,
)
from foundry_agents import files as files_module
from tests.core._files_service import FilesService, multipart
from tests.core._harness import run_client

MODES = ["sync", "async"]
CSV = b"region,sales\nnorth,3\nsouth,4\n"


def _never(request: httpx.Request) -> httpx.Response:  # pragma: no cover - must not be called
    raise AssertionError(f"sent {request.method} {request.url}")


@pytest.mark.parametrize("mode", MODES)
def test_upload_sends_multipart_with_purpose_and_filename(mode, tmp_path):
    path = tmp_path / "sales.csv"
    path.write_bytes(CSV)
    service = FilesService()
    obj = run_client(mode, service, lambda c: c.upload_file(path))
    assert service.log == [("POST", "/openai/v1/files")]
    assert service.uploads[0] == {"purpose": "assistants", "filename": "sales.csv", "content_type": "text/csv",
                                  "data": CSV}
    assert (obj.id, obj.filename, obj.bytes, obj.purpose) == ("assistant-1", "sales.csv", len(CSV), "assistants")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("source", [CSV, io.BytesIO(CSV)], ids=["bytes", "stream"])
def test_upload_of_bytes_or_a_stream_names_the_file(mode, source):
    service = FilesService()
    run_client(mode, service, lambda c: c.upload_file(source, filename="s.csv", purpose="user_data"))
    form = service.uploads[0]
    assert (form["filename"], form["purpose"], form["data"]) == ("s.csv", "user_data", CSV)


def test_preview_route_uploads_to_the_preview_dialect():
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json={"id": "assistant-1", "object": "file"})

    run_client("sync", handler, lambda c: c.upload_file(CSV), route="preview")
    assert seen == ["https://acme.services.ai.azure.com/api/projects/demo/openai/files?api-version=2025-11-15-preview"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("make", "needle"), [
    (lambda tmp: {"file": b""}, "empty"),
    (lambda tmp: {"file": tmp / "missing.csv"}, "does not exist"),
    (lambda tmp: {"file": tmp}, "not a regular file"),
    (lambda tmp: {"file": CSV, "purpose": "pictures"}, "purpose must be one of"),
    (lambda tmp: {"file": io.StringIO("text")}, "binary file object"),
    (lambda tmp: {"file": 42}, "path, bytes"),
    (lambda tmp: {"file": CSV, "filename": ""}, "filename"),
])
def test_limits_fail_before_any_request(mode, tmp_path, make, needle):
    with pytest.raises(FoundryConfigError, match=needle):
        run_client(mode, _never, lambda c: c.upload_file(**make(tmp_path)))


@pytest.mark.parametrize("mode", MODES)
def test_a_file_over_the_limit_fails_before_any_request(mode, tmp_path, monkeypatch):
    monkeypatch.setattr(files_module, "MAX_FILE_BYTES", 10)
    path = tmp_path / "big.bin"
    path.write_bytes(b"x" * 11)
    with pytest.raises(FoundryConfigError, match=r"11 bytes, over the service's limit"):
        run_client(mode, _never, lambda c: c.upload_file(path))


def test_the_real_limit_is_512_mb():
    assert files_module.MAX_FILE_BYTES == 512 * 1024 * 1024


@pytest.mark.parametrize("mode", MODES)
def test_an_upload_is_not_resent_when_its_outcome_is_unknown(mode):
    sent: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.content)
        return httpx.Response(500, json={"error": {"code": "server_error", "message": "boom"}})

    with pytest.raises(APIOutcomeUnknownError) as info:
        run_client(mode, handler, lambda c: c.upload_file(CSV), max_retries=3)
    assert len(sent) == 1
    assert "secret-token-123" not in repr(info.value) and "secret-token-123" not in str(info.value)


@pytest.mark.parametrize("mode", MODES)
def test_an_upload_refused_before_processing_is_resent_whole(mode, monkeypatch):
    monkeypatch.setattr("foundry_agents.retry.retry_delay", lambda *a, **k: 0.0)
    monkeypatch.setattr("foundry_agents._flow.retry_delay", lambda *a, **k: 0.0)
    forms: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        forms.append(multipart(request))
        if len(forms) == 1:
            return httpx.Response(429, headers={"retry-after": "0"}, json={"error": {"code": "rate_limited"}})
        return httpx.Response(200, json={"id": "assistant-9", "object": "file"})

    assert run_client(mode, handler, lambda c: c.upload_file(io.BytesIO(CSV), filename="a.csv")).id == "assistant-9"
    assert [f["data"] for f in forms] == [CSV, CSV]


@pytest.mark.parametrize("mode", MODES)
def test_get_list_delete_and_content(mode):
    service = FilesService()

    def work(c: Any) -> Any:
        if mode == "sync":
            fid = c.upload_file(CSV, filename="a.csv").id
            return c.get_file(fid), c.file_content(fid), c.delete_file(fid)

        async def go() -> Any:
            fid = (await c.upload_file(CSV, filename="a.csv")).id
            return await c.get_file(fid), await c.file_content(fid), await c.delete_file(fid)
        return go()

    got, content, deleted = run_client(mode, service, work)
    assert isinstance(got, FileObject) and got.filename == "a.csv"
    assert content == CSV and deleted is True and service.files == {}
    assert [m for m, _ in service.log] == ["POST", "GET", "GET", "DELETE"]


@pytest.mark.parametrize("mode", MODES)
def test_list_files_filters_by_purpose_and_pages(mode):
    seen: list[httpx.URL] = []
    pages = [{"object": "list", "data": [{"id": "assistant-1", "object": "file"}], "has_more": True,
              "last_id": "assistant-1"},
             {"object": "list", "data": [{"id": "assistant-2", "object": "file"}], "has_more": False}]

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return httpx.Response(200, json=pages[len(seen) - 1])

    def work(c: Any) -> Any:
        if mode == "sync":
            return [f.id for f in c.iter_files(purpose="assistants", page_size=1)]

        async def go() -> Any:
            return [f.id async for f in c.aiter_files(purpose="assistants", page_size=1)]
        return go()

    assert run_client(mode, handler, work) == ["assistant-1", "assistant-2"]
    assert seen[0].params["purpose"] == "assistants" and seen[1].params["after"] == "assistant-1"
    assert seen[0].path.endswith("/openai/v1/files")


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("method", "args", "argument"), [
    ("get_file", ("../x",), "file_id"),
    ("delete_file", ("a/b",), "file_id"),
    ("file_content", ("..",), "file_id"),
    ("get_container_file", ("cntr_1", ".."), "file_id"),
    ("get_container_file", ("../cntr", "cfile_1"), "container_id"),
    ("list_container_files", ("x?y",), "container_id"),
])
def test_bad_ids_are_refused_before_any_request(mode, method, args, argument):
    with pytest.raises(FoundryConfigError, match=argument):
        run_client(mode, _never, lambda c: getattr(c, method)(*args))


# -- downloads ---------------------------------------------------------------------------------------
class _Chunks(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body sent in chunks that may break off part way (like a dropped connection)."""

    def __init__(self, chunks: list[bytes], *, fail: bool = False) -> None:
        self.chunks, self.fail = chunks, fail

    def __iter__(self) -> Any:
        yield from self.chunks
        if self.fail:
            raise httpx.ReadError("connection reset")

    async def __aiter__(self) -> Any:
        for chunk in self.chunks:
            yield chunk
        if self.fail:
            raise httpx.ReadError("connection reset")


def _container_handler(seen: list[str], *, fail: bool = False) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path.split("/api/projects/demo", 1)[1]
        seen.append(path)
        if path.endswith("/content"):
            return httpx.Response(200, stream=_Chunks([b"a,b\n", b"1,2\n", b"3,4\n"], fail=fail))
        return httpx.Response(200, json={"id": "cfile_1", "object": "container.file", "container_id": "cntr_1",
                                         "path": "/mnt/data/result.csv", "bytes": 12, "source": "assistant"})
    return handler


@pytest.mark.parametrize("mode", MODES)
def test_download_to_a_directory_uses_the_container_files_name(mode, tmp_path):
    seen: list[str] = []
    out = run_client(mode, _container_handler(seen),
                     lambda c: c.download_file("cfile_1", tmp_path, container_id="cntr_1"))
    assert out == tmp_path / "result.csv" and out.read_bytes() == b"a,b\n1,2\n3,4\n"
    assert seen == ["/openai/v1/containers/cntr_1/files/cfile_1", "/openai/v1/containers/cntr_1/files/cfile_1/content"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.csv"]


@pytest.mark.parametrize("mode", MODES)
def test_download_to_a_file_path_needs_no_lookup(mode, tmp_path):
    seen: list[str] = []
    target = tmp_path / "mine.csv"
    assert run_client(mode, _container_handler(seen),
                      lambda c: c.download_file("cfile_1", target, container_id="cntr_1")) == target
    assert seen == ["/openai/v1/containers/cntr_1/files/cfile_1/content"]


@pytest.mark.parametrize("mode", MODES)
def test_an_interrupted_download_leaves_no_file(mode, tmp_path):
    target = tmp_path / "mine.csv"
    target.write_bytes(b"old")  # an earlier complete download stays as it was
    with pytest.raises(APIConnectionError):
        run_client(mode, _container_handler([], fail=True),
                   lambda c: c.download_file("cfile_1", target, container_id="cntr_1"))
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["mine.csv"]


@pytest.mark.parametrize("mode", MODES)
def test_download_of_an_uploaded_file_into_a_directory(mode, tmp_path):
    service = FilesService()
    service.files["assistant-7"] = {"id": "assistant-7", "object": "file", "filename": "../../evil.csv"}
    service.content["assistant-7"] = CSV
    out = run_client(mode, service, lambda c: c.download_file("assistant-7", tmp_path))
    assert out == tmp_path / "evil.csv" and out.read_bytes() == CSV  # the name cannot climb out


@pytest.mark.parametrize("mode", MODES)
def test_download_errors_are_typed_and_leave_nothing(mode, tmp_path):
    with pytest.raises(NotFoundError):
        run_client(mode, FilesService(), lambda c: c.download_file("assistant-404", tmp_path / "x.csv"))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("mode", MODES)
def test_download_into_a_missing_directory_fails_before_any_request(mode, tmp_path):
    with pytest.raises(FoundryConfigError, match="does not exist"):
        run_client(mode, _never, lambda c: c.download_file("assistant-1", tmp_path / "nope" / "x.csv"))


def test_file_objects_are_tolerant_and_keep_raw_out_of_repr():
    obj = FileObject.from_wire({"id": "assistant-1", "bytes": "12", "filename": 3, "status": "processed"})
    assert (obj.bytes, obj.filename, obj.status) == (None, None, "processed")
    assert "raw" not in repr(obj)


def test_sync_and_async_file_methods_have_the_same_signatures():
    import inspect

    from foundry_agents import AsyncFoundryAgentsClient, FoundryAgentsClient

    for name in ["upload_file", "get_file", "list_files", "delete_file", "file_content", "download_file",
                 "list_container_files", "get_container_file"]:
        sync, other = getattr(FoundryAgentsClient, name), getattr(AsyncFoundryAgentsClient, name)
        assert inspect.signature(sync) == inspect.signature(other), name
    assert (inspect.signature(FoundryAgentsClient.iter_files).parameters
            == inspect.signature(AsyncFoundryAgentsClient.aiter_files).parameters)
    assert asyncio.iscoroutinefunction(AsyncFoundryAgentsClient.download_file)
