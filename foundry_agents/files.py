"""Files: what the project's ``/openai/v1/files`` and container-file routes return, and the pure
pieces of uploading and downloading (limits, multipart fields, where a download lands).

The client methods (``upload_file``, ``get_file``, ``list_files``, ``delete_file``,
``file_content``, ``download_file``, ``list_container_files``, ``get_container_file``) are thin
shells over these; docs/files.md shows them in use.

Limits checked here, before any network call (each raises
:class:`~foundry_agents.errors.FoundryConfigError` naming the argument):

- a file must not be empty, nor larger than :data:`MAX_FILE_BYTES` (512 MB, the service's limit
  per file on ``/files``);
- ``purpose`` must be one of :data:`PURPOSES`;
- a path must exist and be a regular file; a stream must be a seekable binary file object (an
  upload is re-sent from its start when a retry is safe).

Downloads are streamed to a temporary file beside the destination and renamed into place only once
the whole body arrived, so an interrupted download never leaves a truncated file under the final
name.

Example:
    >>> FileObject.from_wire({"id": "assistant-1", "object": "file", "bytes": 3, "filename": "a.csv",
    ...                       "purpose": "assistants", "status": "processed"}).filename
    'a.csv'
"""

from __future__ import annotations

import contextlib
import io
import mimetypes
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO, Union

from .errors import FoundryConfigError
from .resources import _int, _object, _seq, _str

__all__ = [
    "MAX_FILE_BYTES",
    "PURPOSES",
    "ContainerFile",
    "ContainerFileList",
    "FileList",
    "FileObject",
    "FileSource",
    "PartialDownload",
    "UploadSource",
    "check_purpose",
    "download_target",
    "safe_filename",
    "upload_fields",
    "upload_source",
]

#: The service's limit per uploaded file (``POST /openai/v1/files``): 512 MB.
MAX_FILE_BYTES = 512 * 1024 * 1024
#: What ``purpose`` may be (the OpenAI spec's ``CreateFileRequest``; Foundry's agents use ``"assistants"``).
PURPOSES = ("assistants", "batch", "fine-tune", "vision", "user_data", "evals")
#: How much of a download is held in memory at a time.
CHUNK_BYTES = 1024 * 1024

#: A file to upload: a local path, its bytes, or a seekable binary file object.
FileSource = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, BinaryIO, IO[bytes]]


@dataclass(slots=True)
class FileObject:
    """An uploaded file (``file`` object): ``id``, ``filename``, size in ``bytes``, ``purpose``."""

    id: str
    filename: str | None = None
    bytes: int | None = None
    purpose: str | None = None
    created_at: int | None = None
    status: str | None = None
    expires_at: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_wire(cls, raw: Mapping[str, Any]) -> FileObject:
        raw = _object(raw, "a file")
        return cls(id=str(raw.get("id") or ""), filename=_str(raw.get("filename")), bytes=_int(raw.get("bytes")),
                   purpose=_str(raw.get("purpose")), created_at=_int(raw.get("created_at")),
                   status=_str(raw.get("status")), expires_at=_int(raw.get("expires_at")), raw=raw)


@dataclass(slots=True)
class ContainerFile:
    """A file in a code interpreter container (``container.file``), e.g. a chart the agent made."""

    id: str
    container_id: str | None = None
    path: str | None = None
    bytes: int | None = None
    created_at: int | None = None
    source: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def filename(self) -> str | None:
        """The last segment of :attr:`path` (``/mnt/data/chart.png`` -> ``chart.png``)."""
        name = (self.path or "").replace("\\", "/").rsplit("/", 1)[-1]
        return name or None

    @classmethod
    def from_wire(cls, raw: Mapping[str, Any]) -> ContainerFile:
        raw = _object(raw, "a container file")
        return cls(id=str(raw.get("id") or ""), container_id=_str(raw.get("container_id")),
                   path=_str(raw.get("path")), bytes=_int(raw.get("bytes")),
                   created_at=_int(raw.get("created_at")), source=_str(raw.get("source")), raw=raw)


@dataclass(slots=True)
class FileList:
    """One page of files (``GET /openai/v1/files``)."""

    data: list[FileObject]
    has_more: bool = False
    first_id: str | None = None
    last_id: str | None = None

    @classmethod
    def from_wire(cls, raw: Mapping[str, Any]) -> FileList:
        raw = _object(raw, "a file list")
        return cls(data=[FileObject.from_wire(f) for f in _seq(raw.get("data"))],
                   has_more=raw.get("has_more") is True, first_id=_str(raw.get("first_id")),
                   last_id=_str(raw.get("last_id")))


@dataclass(slots=True)
class ContainerFileList:
    """One page of a container's files (``GET /openai/v1/containers/{id}/files``)."""

    data: list[ContainerFile]
    has_more: bool = False
    first_id: str | None = None
    last_id: str | None = None

    @classmethod
    def from_wire(cls, raw: Mapping[str, Any]) -> ContainerFileList:
        raw = _object(raw, "a container file list")
        return cls(data=[ContainerFile.from_wire(f) for f in _seq(raw.get("data"))],
                   has_more=raw.get("has_more") is True, first_id=_str(raw.get("first_id")),
                   last_id=_str(raw.get("last_id")))


# -- uploading (pure) ----------------------------------------------------------------------------
def check_purpose(purpose: Any) -> str:
    if purpose not in PURPOSES:
        raise FoundryConfigError(f"purpose must be one of {list(PURPOSES)}, got {purpose!r:.60}")
    return str(purpose)


def _check_size(size: int, what: str) -> None:
    if size == 0:
        raise FoundryConfigError(f"{what} is empty; the service refuses empty files")
    if size > MAX_FILE_BYTES:
        raise FoundryConfigError(
            f"{what} is {size} bytes, over the service's limit of {MAX_FILE_BYTES} bytes (512 MB) per file")


def _stream_size(stream: Any) -> int:
    try:
        offset = stream.tell()
        end = stream.seek(0, os.SEEK_END)
        stream.seek(offset)
    except (AttributeError, OSError, ValueError) as exc:
        raise FoundryConfigError(
            "file must be a path, bytes, or a seekable binary file object (an upload is re-sent from "
            f"its start when a retry is safe); got a {type(stream).__name__} that cannot seek") from exc
    return int(end)


@dataclass(frozen=True, slots=True)
class UploadSource:
    """A checked upload: where the bytes come from, the filename sent, and the size."""

    filename: str
    size: int
    path: Path | None = None
    data: bytes | None = None
    stream: IO[bytes] | None = field(default=None, repr=False)

    @contextlib.contextmanager
    def opened(self) -> Iterator[IO[bytes]]:
        """A binary file object at the bytes, for the length of the upload (a path is opened and
        closed here; a stream the caller gave is left open)."""
        if self.stream is not None:
            yield self.stream
            return
        if self.data is not None:
            yield io.BytesIO(self.data)
            return
        assert self.path is not None
        try:
            handle = self.path.open("rb")
        except OSError as exc:
            raise FoundryConfigError(f"file {str(self.path)!r} cannot be read: {exc.strerror or exc}") from exc
        with handle:
            yield handle


def upload_source(file: Any, *, filename: str | None = None) -> UploadSource:
    """Check ``file`` (a path, bytes or a seekable binary file object) against the limits (no upload)."""
    if filename is not None and (not isinstance(filename, str) or not filename.strip()):
        raise FoundryConfigError(f"filename must be a non-empty string, got {filename!r:.60}")
    if isinstance(file, (str, os.PathLike)):
        path = Path(file)
        if not path.exists():
            raise FoundryConfigError(f"file {str(path)!r} does not exist")
        if not path.is_file():
            raise FoundryConfigError(f"file {str(path)!r} is not a regular file (a directory?)")
        size = path.stat().st_size
        _check_size(size, f"file {str(path)!r}")
        return UploadSource(filename or path.name, size, path=path)
    if isinstance(file, (bytes, bytearray, memoryview)):
        data = bytes(file)
        _check_size(len(data), "file (the bytes given)")
        return UploadSource(filename or "file", len(data), data=data)
    if isinstance(file, io.TextIOBase) or not hasattr(file, "read"):
        raise FoundryConfigError(
            f"file must be a path, bytes, or a binary file object opened with 'rb', got {type(file).__name__}")
    size = _stream_size(file)  # httpx sends a seekable stream from its start, on every attempt
    _check_size(size, "file (the stream given)")
    name = filename or Path(str(getattr(file, "name", "") or "file")).name or "file"
    return UploadSource(name, size, stream=file)


def upload_fields(source: UploadSource, handle: IO[bytes], purpose: str) -> tuple[dict[str, str], dict[str, Any]]:
    """The multipart ``data`` and ``files`` of ``POST /files`` (httpx streams ``handle`` chunk by chunk)."""
    mime = mimetypes.guess_type(source.filename)[0] or "application/octet-stream"
    return {"purpose": purpose}, {"file": (source.filename, handle, mime)}


# -- downloading (pure, plus the temp-file sink both shells use) --------------------------------
_UNSAFE = re.compile(r"[\x00-\x1f/\\:*?\"<>|]")


def safe_filename(name: str | None, fallback: str) -> str:
    """``name`` as one plain file name (no directories, no ``..``), else ``fallback``."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE.sub("_", base).strip().strip(".")
    return base or _UNSAFE.sub("_", fallback).strip(".") or "download"


def download_target(destination: str | os.PathLike[str], name: str | None, file_id: str) -> Path:
    """Where a download lands: ``destination`` itself, or, when it is a directory, the file's own
    name (``name`` from its metadata, else ``file_id``) inside it."""
    if not isinstance(destination, (str, os.PathLike)) or not str(destination):
        raise FoundryConfigError(f"destination must be a file or directory path, got {destination!r:.60}")
    dest = Path(destination)
    if dest.is_dir():
        return dest / safe_filename(name, file_id)
    if not dest.parent.is_dir():
        raise FoundryConfigError(f"destination {str(dest)!r}: its directory {str(dest.parent)!r} does not exist")
    return dest


def needs_name(destination: str | os.PathLike[str]) -> bool:
    """Whether ``destination`` is a directory (the file's name must then be looked up)."""
    return isinstance(destination, (str, os.PathLike)) and bool(str(destination)) and Path(destination).is_dir()


class PartialDownload:
    """A temporary file beside ``target``: :meth:`write` chunks, then :meth:`commit` renames it into
    place; :meth:`abort` (or leaving a ``with`` block on an error) removes it."""

    def __init__(self, target: Path) -> None:
        self.target = target
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
        self._file = os.fdopen(fd, "wb")
        self._temp = Path(name)
        self.size = 0

    def write(self, chunk: bytes) -> None:
        self._file.write(chunk)
        self.size += len(chunk)

    def commit(self) -> Path:
        self._file.close()
        os.replace(self._temp, self.target)
        return self.target

    def abort(self) -> None:
        self._file.close()
        with contextlib.suppress(FileNotFoundError):
            self._temp.unlink()

    def __enter__(self) -> PartialDownload:
        return self

    def __exit__(self, exc_type: Any, *rest: Any) -> None:
        if exc_type is not None or not self._file.closed:
            self.abort()
