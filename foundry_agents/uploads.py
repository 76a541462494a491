"""The upload rule for user inputs: which images and files go up to ``/files`` before a call, and
what happens to them after it. Pure planning, plus thin sync/async shells.

The rule (docs/files.md, "The upload rule"):

1. A local file (``ImagePart(path=...)``, ``FilePart(path=...)``) is always uploaded.
2. Inline data (an image ``data:`` URI, a file's bytes or ``data:`` URI) larger than
   :data:`INLINE_LIMIT` (8 MiB decoded) is uploaded; smaller data stays inline as a ``data:`` URI.
3. URLs and ``file_id`` parts are sent as given.
4. Uploads use purpose :data:`UPLOAD_PURPOSE` (``"assistants"``) and are sent by ``file_id``
   (``input_image``/``input_file``).
5. Every limit is checked for every part before the first upload: an empty file, a file over
   512 MB, a missing path or a directory, an image that is not png/jpeg/gif/webp raise
   :class:`~foundry_agents.errors.FoundryConfigError` and nothing is sent.
6. After the call the uploaded files are deleted (the call finished, failed or its stream was
   closed), unless ``keep_uploads=True``. A background response still running when the wait gives
   up keeps its files (it may still read them). If an upload fails part way, those already
   uploaded are deleted before the error is raised.
7. What was uploaded (and deleted) is reported in the :class:`UploadedFiles` given as the call's
   ``uploads=`` option; with ``keep_uploads=True`` that is where the ids to delete later are.

Example:
    >>> from foundry_agents import Message, TextPart
    >>> plan_uploads([Message("user", (TextPart("hi"),))])
    []
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from .errors import FoundryConfigError
from .files import UploadSource, upload_source
from .messages import FilePart, ImagePart, Message, image_mime

if TYPE_CHECKING:
    from .client import AsyncFoundryAgentsClient, FoundryAgentsClient

__all__ = ["INLINE_LIMIT", "UPLOAD_PURPOSE", "InputUploads", "PendingUpload", "UploadedFile", "UploadedFiles",
           "apply_uploads", "plan_uploads"]

logger = logging.getLogger("foundry_agents")

#: Inline data above this many (decoded) bytes is uploaded instead. Chosen well under the 20 MB the
#: service takes per image and the 50 MB per request body [UNVERIFIED limits: docs/files.md].
INLINE_LIMIT = 8 * 1024 * 1024
#: The purpose uploads for inputs get (what Foundry's own SDK uses for agent files).
UPLOAD_PURPOSE = "assistants"
_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}


@dataclass(frozen=True, slots=True)
class PendingUpload:
    """One part the rule uploads: where it is in the messages, and the checked bytes."""

    message: int
    part: int
    kind: Literal["image", "file"]
    source: UploadSource
    origin: Literal["path", "inline"]


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """A file uploaded for a call: its id, the name it was sent under, its size and origin."""

    file_id: str
    filename: str
    bytes: int
    origin: Literal["path", "inline"]


@dataclass(slots=True)
class UploadedFiles:
    """What a call uploaded, and what became of it. Pass one as the call's ``uploads=`` option.

    Example:
        >>> record = UploadedFiles()
        >>> agent.respond([Message("user", (ImagePart(path="chart.png"),))], uploads=record)  # doctest: +SKIP
        >>> record.file_ids, record.deleted  # doctest: +SKIP
        (['assistant-1'], ['assistant-1'])
    """

    files: list[UploadedFile] = field(default_factory=list)
    #: Ids deleted after the call.
    deleted: list[str] = field(default_factory=list)
    #: Ids not deleted, with why (``keep_uploads=True``, a still-running response, a failed delete).
    kept: dict[str, str] = field(default_factory=dict)

    @property
    def file_ids(self) -> list[str]:
        return [f.file_id for f in self.files]


def _decoded(uri: str, where: str) -> bytes:
    head, _, payload = uri.partition(",")
    if ";base64" not in head:
        raise FoundryConfigError(f"{where}: a large data: URI must be base64-encoded to be uploaded")
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise FoundryConfigError(f"{where}: the data: URI is not valid base64 ({exc})") from None


def _inline_size(value: str | bytes) -> int:
    if isinstance(value, bytes):
        return len(value)
    return len(value.partition(",")[2]) * 3 // 4  # decoded size of base64, near enough to compare


def _pending(msg_index: int, part_index: int, part: Any, limit: int) -> PendingUpload | None:
    where = f"message {msg_index}, part {part_index} ({type(part).__name__})"
    if isinstance(part, ImagePart):
        if part.path is not None:
            return PendingUpload(msg_index, part_index, "image", _checked(part.path, None, where), "path")
        url = part.url
        if url is not None and url.startswith("data:") and _inline_size(url) > limit:
            name = f"image.{_EXTENSIONS[image_mime(url, where=where)]}"
            return PendingUpload(msg_index, part_index, "image", _checked(_decoded(url, where), name, where), "inline")
        return None
    if isinstance(part, FilePart):
        if part.path is not None:
            return PendingUpload(msg_index, part_index, "file", _checked(part.path, part.filename, where), "path")
        data = part.data
        if data is not None and _inline_size(data) > limit:
            raw = data if isinstance(data, bytes) else _decoded(data, where)
            return PendingUpload(msg_index, part_index, "file", _checked(raw, part.filename or "file", where),
                                 "inline")
    return None


def _checked(value: Any, filename: str | None, where: str) -> UploadSource:
    try:
        return upload_source(value, filename=filename)
    except FoundryConfigError as exc:
        raise FoundryConfigError(f"{where}: {exc}") from None


def plan_uploads(messages: Sequence[Message], *, inline_limit: int = INLINE_LIMIT) -> list[PendingUpload]:
    """The parts of ``messages`` the rule uploads, every limit checked (no upload happens here)."""
    return [p for mi, msg in enumerate(messages) for pi, part in enumerate(msg.parts)
            if (p := _pending(mi, pi, part, inline_limit)) is not None]


def apply_uploads(messages: Sequence[Message], pending: Sequence[PendingUpload],
                  file_ids: Sequence[str]) -> list[Message]:
    """``messages`` with each uploaded part replaced by its ``file_id`` part (pure)."""
    by_place = {(p.message, p.part): fid for p, fid in zip(pending, file_ids, strict=True)}
    out: list[Message] = []
    for mi, msg in enumerate(messages):
        if not any(key[0] == mi for key in by_place):
            out.append(msg)
            continue
        parts = []
        for pi, part in enumerate(msg.parts):
            fid = by_place.get((mi, pi))
            if fid is None:
                parts.append(part)
            elif isinstance(part, ImagePart):
                parts.append(ImagePart(file_id=fid, detail=part.detail))
            else:
                parts.append(FilePart(file_id=fid))
        out.append(replace(msg, content=tuple(parts)))
    return out


class InputUploads:
    """The uploads of one call: planned (and checked) at construction, done by :meth:`upload` /
    :meth:`aupload`, undone by :meth:`cleanup` / :meth:`acleanup` (see the module docstring)."""

    def __init__(self, messages: Sequence[Message], *, keep: bool = False, record: UploadedFiles | None = None,
                 inline_limit: int = INLINE_LIMIT) -> None:
        self.messages = list(messages)
        self.pending = plan_uploads(self.messages, inline_limit=inline_limit)
        self.keep = keep
        self.record = record if record is not None else UploadedFiles()
        self._running = False
        self._ids: list[str] = []

    def __bool__(self) -> bool:
        return bool(self.pending)

    def preview(self) -> list[Message]:
        """The messages as they will be sent, with placeholder ids (to check them before any upload)."""
        return apply_uploads(self.messages, self.pending, ["file-pending"] * len(self.pending))

    def _add(self, pending: PendingUpload, file_id: str) -> None:
        self._ids.append(file_id)
        self.record.files.append(UploadedFile(file_id, pending.source.filename, pending.source.size, pending.origin))

    def _sent(self) -> list[Message]:
        return apply_uploads(self.messages, self.pending, self._ids)

    def still_running(self) -> None:
        """The response outlives this call (a background wait gave up): keep its files."""
        self._running = True

    def _to_delete(self) -> list[str]:
        ids = [i for i in self._ids if i not in self.record.deleted and i not in self.record.kept]
        reason = ("keep_uploads=True" if self.keep else
                  "the background response is still running and may read it" if self._running else None)
        if reason is not None:
            self.record.kept.update({i: reason for i in ids})
            return []
        return ids

    def _deleted(self, file_id: str, error: Exception | None) -> None:
        if error is None:
            self.record.deleted.append(file_id)
            return
        self.record.kept[file_id] = f"delete failed: {error}"
        logger.warning("could not delete uploaded file %s after the call: %s", file_id, error)

    # -- shells -------------------------------------------------------------------------------------
    def upload(self, client: FoundryAgentsClient) -> list[Message]:
        try:
            for p in self.pending:
                with p.source.opened() as handle:
                    self._add(p, client.upload_file(handle, filename=p.source.filename, purpose=UPLOAD_PURPOSE).id)
        except BaseException:
            self.cleanup(client)
            raise
        return self._sent()

    async def aupload(self, client: AsyncFoundryAgentsClient) -> list[Message]:
        try:
            for p in self.pending:
                with p.source.opened() as handle:
                    uploaded = await client.upload_file(handle, filename=p.source.filename, purpose=UPLOAD_PURPOSE)
                self._add(p, uploaded.id)
        except BaseException:
            await self.acleanup(client)
            raise
        return self._sent()

    def cleanup(self, client: FoundryAgentsClient) -> None:
        for file_id in self._to_delete():
            try:
                client.delete_file(file_id)
            except Exception as exc:  # reported in the record and the log; the call's own outcome wins
                self._deleted(file_id, exc)
            else:
                self._deleted(file_id, None)

    async def acleanup(self, client: AsyncFoundryAgentsClient) -> None:
        for file_id in self._to_delete():
            try:
                await client.delete_file(file_id)
            except Exception as exc:
                self._deleted(file_id, exc)
            else:
                self._deleted(file_id, None)

