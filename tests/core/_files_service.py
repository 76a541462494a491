"""A fake files service for unit tests (MockTransport): ``/files`` upload, get, list, content,
delete, container files, and a ``/responses`` POST that records the body it got."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import httpx

REPLY = {"id": "resp_1", "object": "response", "status": "completed", "model": "gpt-4o",
         "agent_reference": {"type": "agent_reference", "name": "echo", "version": "1"},
         "output": [{"type": "message", "id": "msg_1", "role": "assistant", "status": "completed",
                     "content": [{"type": "output_text", "text": "Seen.", "annotations": []}]}]}


def multipart(request: httpx.Request) -> dict[str, Any]:
    """The fields of a multipart body: {"purpose": str, "filename": str, "content_type": str, "data": bytes}."""
    ctype = request.headers["content-type"]
    boundary = ctype.split("boundary=", 1)[1].encode()
    out: dict[str, Any] = {}
    for chunk in request.content.split(b"--" + boundary):
        head, sep, body = chunk.partition(b"\r\n\r\n")
        if not sep:
            continue
        body = body[:-2] if body.endswith(b"\r\n") else body
        name = re.search(rb'name="([^"]+)"', head)
        if name is None:
            continue
        if name.group(1) == b"file":
            out["filename"] = re.search(rb'filename="([^"]*)"', head).group(1).decode()  # type: ignore[union-attr]
            ct = re.search(rb"Content-Type: ([^\r\n]+)", head)
            out["content_type"] = ct.group(1).decode() if ct else None
            out["data"] = body
        else:
            out[name.group(1).decode()] = body.decode()
    return out


@dataclass
class FilesService:
    """Answers like the service; ``log`` holds (method, path) of every request in order."""

    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    content: dict[str, bytes] = field(default_factory=dict)
    log: list[tuple[str, str]] = field(default_factory=list)
    response_bodies: list[dict[str, Any]] = field(default_factory=list)
    uploads: list[dict[str, Any]] = field(default_factory=list)
    fail_responses: int | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.split("/api/projects/demo", 1)[1]
        self.log.append((request.method, path))
        if request.method == "POST" and path.endswith("/files"):
            form = multipart(request)
            self.uploads.append(form)
            fid = f"assistant-{len(self.files) + 1}"
            obj = {"object": "file", "id": fid, "purpose": form["purpose"], "filename": form["filename"],
                   "bytes": len(form["data"]), "created_at": 1765216701, "status": "processed"}
            self.files[fid] = obj
            self.content[fid] = form["data"]
            return httpx.Response(200, json=obj)
        if path.endswith("/responses"):
            self.response_bodies.append(json.loads(request.content))
            if self.fail_responses is not None:
                return httpx.Response(self.fail_responses, json={"error": {"code": "bad", "message": "no"}})
            return httpx.Response(200, json=REPLY)
        match = re.fullmatch(r"/openai/v1/files/([^/]+)(/content)?", path)
        if match and match.group(1) in self.files:
            fid = match.group(1)
            if request.method == "DELETE":
                del self.files[fid]
                return httpx.Response(200, json={"id": fid, "object": "file", "deleted": True})
            if match.group(2):
                return httpx.Response(200, content=self.content[fid])
            return httpx.Response(200, json=self.files[fid])
        return httpx.Response(404, json={"error": {"code": "not_found", "message": f"no {path}"}})
