"""Files and container files: ids, limits, the wire objects and their errors. Pure.

Uploaded files (``POST /openai/v1/files``) are ``file`` objects with an ``assistant-`` id;
files a code interpreter container holds are ``container.file`` objects with a ``cfile_`` id.
The routes are in :mod:`.routes_files`; the bytes are kept by the store (:mod:`.state`).
"""

from __future__ import annotations

import mimetypes
import secrets
import string
from dataclasses import dataclass
from typing import Any

from .errors import EmulatorError
from .model import FileRecord

#: ``purpose`` values the service takes for an upload (OpenAI's list; Foundry uses ``assistants``).
PURPOSES = ("assistants", "vision", "user_data", "batch", "fine-tune", "evals")
#: The service's limit for one uploaded file.
MAX_FILE_BYTES = 512 * 1024 * 1024
#: All files of one emulator together (uploads and container files): an emulator choice, so a test
#: cannot fill the disk.
DEFAULT_FILES_QUOTA = 1024 * 1024 * 1024
#: Where code interpreter files live inside a container.
SANDBOX_DIR = "/mnt/data"

_ALNUM = string.ascii_letters + string.digits


@dataclass(frozen=True)
class FileLimits:
    """Per-file and total size limits (``create_app(max_file_bytes=..., files_quota=...)``)."""

    max_file_bytes: int = MAX_FILE_BYTES
    quota_bytes: int = DEFAULT_FILES_QUOTA


def _alnum(length: int) -> str:
    return "".join(secrets.choice(_ALNUM) for _ in range(length))


def new_file_id() -> str:
    """An uploaded file's id, ``assistant-`` plus 22 letters and digits (as Foundry mints them)."""
    return "assistant-" + _alnum(22)


def new_container_id() -> str:
    """A code interpreter container's id, ``cntr_`` plus 48 hex characters."""
    return "cntr_" + secrets.token_hex(24)


def new_container_file_id() -> str:
    """A container file's id, ``cfile_`` plus 32 hex characters."""
    return "cfile_" + secrets.token_hex(16)


def media_type(filename: str, declared: str | None = None) -> str:
    """The content type for ``filename``: the declared one, else guessed, else octet-stream."""
    if declared and declared != "application/octet-stream":
        return declared
    guessed, _ = mimetypes.guess_type(filename)
    return guessed or "application/octet-stream"


def file_json(record: FileRecord) -> dict[str, Any]:
    """The ``file`` object, keys as recorded (``stream_file_search_preview``: ``processed`` at once)."""
    return {
        "object": "file",
        "id": record.id,
        "purpose": record.purpose,
        "filename": record.filename,
        "bytes": record.bytes,
        "created_at": record.created_at,
        "expires_at": None,
        "status": "processed",
        "status_details": None,
    }


def container_file_json(record: FileRecord) -> dict[str, Any]:
    """The ``container.file`` object (OpenAI ``ContainerFileResource``)."""
    return {
        "id": record.id,
        "object": "container.file",
        "created_at": record.created_at,
        "bytes": record.bytes,
        "container_id": record.container_id,
        "path": record.path,
        "source": record.source or "assistant",
    }


def container_file(container_id: str, filename: str, content: bytes, *, media: str | None = None) -> tuple[FileRecord, bytes]:
    """A file the assistant wrote to ``/mnt/data/<filename>`` in ``container_id``."""
    record = FileRecord(
        id=new_container_file_id(),
        filename=filename,
        bytes=len(content),
        purpose="assistants_output",
        container_id=container_id,
        path=f"{SANDBOX_DIR}/{filename}",
        source="assistant",
        media_type=media_type(filename, media),
    )
    return record, content


def check_purpose(purpose: Any) -> str:
    """400 unless ``purpose`` is one of :data:`PURPOSES`."""
    if purpose is None or purpose == "":
        raise EmulatorError(400, "missing_required_parameter", "Missing required parameter: 'purpose'.", "purpose")
    if purpose not in PURPOSES:
        raise EmulatorError(
            400, "invalid_value", f"'{purpose}' is not one of {list(PURPOSES)} - 'purpose'.", "purpose"
        )
    return str(purpose)


def too_large(limit: int) -> EmulatorError:
    """The answer for an upload over the per-file limit (OpenAI answers 400 "File is too large.")."""
    return EmulatorError(400, "file_too_large", f"File is too large: the maximum size is {_size(limit)}.", "file")


def quota_exceeded(quota: int) -> EmulatorError:
    """The answer when the emulator's files would exceed its total quota (an emulator limit)."""
    return EmulatorError(
        400, "quota_exceeded",
        f"The emulator's files would exceed its quota of {_size(quota)}; delete files or raise files_quota.", "file",
    )


def file_not_found(file_id: str) -> EmulatorError:
    return EmulatorError(404, "not_found", f"File with id '{file_id}' not found.")


def container_file_not_found(container_id: str, file_id: str) -> EmulatorError:
    return EmulatorError(404, "not_found", f"File with id '{file_id}' not found in container '{container_id}'.")


def container_not_found(container_id: str) -> EmulatorError:
    return EmulatorError(404, "not_found", f"Container with id '{container_id}' not found.")


def _size(limit: int) -> str:
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if limit >= scale and limit % scale == 0:
            return f"{limit // scale} {unit}"
    return f"{limit} bytes"
