"""``/openai/v1/files`` (upload, list, get, delete, content) and the code interpreter's container
files (``/openai/v1/containers/{id}/files...``); the preview dialect serves the same under
``/openai/files?api-version=...``. Shapes and limits: :mod:`.files`."""

from __future__ import annotations

import time
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from . import files
from .constants import NEEDS_EXTRA
from .errors import EmulatorError, invalid
from .http import Emulator
from .model import FileRecord
from .wire import list_json

#: Bytes a multipart envelope may add to the file itself (boundaries, headers, ``purpose``).
ENVELOPE_ALLOWANCE = 64 * 1024
#: ``limit`` of the list route: OpenAI's default and maximum.
MAX_LIST = 10_000


async def upload(request: Request, emu: Emulator) -> Response:
    """``POST /files`` (multipart ``file`` + ``purpose``): the new ``file`` object."""
    limit = emu.file_limits.max_file_bytes
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise invalid("The request must be multipart/form-data with the fields 'file' and 'purpose'.", "file")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + ENVELOPE_ALLOWANCE:
        raise files.too_large(limit)  # refused before reading the body
    form = await _form(request)
    try:
        purpose = files.check_purpose(form.get("purpose"))
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise EmulatorError(400, "missing_required_parameter", "Missing required parameter: 'file'.", "file")
        content = await _read_limited(upload, limit)
        if not content:
            raise invalid("File is empty: upload a file with content.", "file")
        filename = (upload.filename or "upload").replace("\\", "/").rsplit("/", 1)[-1] or "upload"
        record = FileRecord(
            id=files.new_file_id(),
            filename=filename,
            bytes=len(content),
            purpose=purpose,
            created_at=int(time.time()),
            media_type=files.media_type(filename, upload.content_type),
        )
    finally:
        await form.close()
    emu.store.add_files([(record, content)])
    return JSONResponse(files.file_json(record))


async def _form(request: Request) -> Any:
    try:
        return await request.form(max_files=1, max_fields=10)
    except AssertionError as exc:  # starlette's word for a missing python-multipart
        raise EmulatorError(500, "server_error", f"File uploads: {NEEDS_EXTRA} ({exc})") from exc
    except Exception as exc:  # malformed multipart (starlette's MultiPartException and kin)
        if isinstance(exc, EmulatorError):
            raise
        raise invalid(f"The multipart body could not be read: {exc}", "file") from exc


async def _read_limited(upload: UploadFile, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while chunk := await upload.read(1024 * 1024):
        size += len(chunk)
        if size > limit:
            raise files.too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


async def list_files(request: Request, emu: Emulator) -> Response:
    """``GET /files[?purpose=&order=&limit=&after=]``: uploaded files, newest first."""
    purpose = request.query_params.get("purpose")
    if purpose is not None:
        files.check_purpose(purpose)
    data, has_more = _page(emu.store.files(purpose=purpose), request)
    return JSONResponse(list_json([files.file_json(r) for r in data], has_more=has_more))


def _page(records: list[FileRecord], request: Request) -> tuple[list[FileRecord], bool]:
    query = request.query_params
    order = query.get("order", "desc")
    if order not in ("asc", "desc"):
        raise invalid("'order' must be 'asc' or 'desc'.", "order")
    raw_limit = query.get("limit", str(MAX_LIST))
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_LIST:
        raise invalid(f"'limit' must be an integer from 1 to {MAX_LIST}.", "limit")
    ordered = sorted(records, key=lambda r: r.created_at, reverse=order == "desc")
    after = query.get("after")
    if after:
        ids = [r.id for r in ordered]
        ordered = ordered[ids.index(after) + 1 :] if after in ids else []
    limit = int(raw_limit)
    return ordered[:limit], len(ordered) > limit


def _uploaded(emu: Emulator, file_id: str) -> FileRecord:
    record = emu.store.file(file_id)
    if record.container_id is not None:  # container files are reached through their container
        raise files.file_not_found(file_id)
    return record


async def get_file(request: Request, emu: Emulator) -> Response:
    return JSONResponse(files.file_json(_uploaded(emu, request.path_params["file_id"])))


async def delete_file(request: Request, emu: Emulator) -> Response:
    file_id = request.path_params["file_id"]
    _uploaded(emu, file_id)
    emu.store.delete_file(file_id)
    return JSONResponse({"id": file_id, "object": "file", "deleted": True})


async def file_content(request: Request, emu: Emulator) -> Response:
    return _content(emu, _uploaded(emu, request.path_params["file_id"]))


def _content(emu: Emulator, record: FileRecord) -> Response:
    chunks = emu.store.file_chunks(record.id)
    headers = {"Content-Length": str(record.bytes),
               "Content-Disposition": f'attachment; filename="{_quoted(record.filename)}"'}
    return StreamingResponse(chunks, media_type=record.media_type, headers=headers)


def _quoted(filename: str) -> str:
    return filename.replace("\\", "_").replace('"', "_").encode("ascii", "replace").decode().replace("?", "_")


# -- containers --------------------------------------------------------------------------------


def _container_files(emu: Emulator, container_id: str) -> list[FileRecord]:
    found = emu.store.files(container_id=container_id)
    if not found:
        raise files.container_not_found(container_id)
    return found


def _container_file(emu: Emulator, request: Request) -> FileRecord:
    container_id = request.path_params["container_id"]
    file_id = request.path_params["file_id"]
    _container_files(emu, container_id)
    try:
        record = emu.store.file(file_id)
    except EmulatorError:
        record = None
    if record is None or record.container_id != container_id:
        raise files.container_file_not_found(container_id, file_id)
    return record


async def list_container_files(request: Request, emu: Emulator) -> Response:
    """``GET /containers/{id}/files``: the files the code interpreter wrote there."""
    data, has_more = _page(_container_files(emu, request.path_params["container_id"]), request)
    return JSONResponse(list_json([files.container_file_json(r) for r in data], has_more=has_more))


async def get_container_file(request: Request, emu: Emulator) -> Response:
    return JSONResponse(files.container_file_json(_container_file(emu, request)))


async def container_file_content(request: Request, emu: Emulator) -> Response:
    return _content(emu, _container_file(emu, request))


#: (path under ``/openai/v1`` or ``/openai``, methods, handler)
ROUTES = [
    ("/files", ["POST"], upload),
    ("/files", ["GET"], list_files),
    ("/files/{file_id}", ["GET"], get_file),
    ("/files/{file_id}", ["DELETE"], delete_file),
    ("/files/{file_id}/content", ["GET"], file_content),
    ("/containers/{container_id}/files", ["GET"], list_container_files),
    ("/containers/{container_id}/files/{file_id}", ["GET"], get_container_file),
    ("/containers/{container_id}/files/{file_id}/content", ["GET"], container_file_content),
]
