"""The facts both adapters report about a response, and the small builders they share. Pure.

:func:`response_metadata` says what a response is (ids, model, status, why it stopped, which
MCP approvals, OAuth consents and computer calls it waits for, which files it made) under
neutral key names; each adapter only renames keys to its framework's conventions (LangChain's ``response_metadata``, LlamaIndex's ``additional_kwargs``;
docs/langchain.md and docs/llama_index.md list which key means what). :func:`approval_response`
builds the answer to an approval request and :func:`approval_part` reads one back;
:func:`encode_arguments` writes a framework's tool-call arguments as the wire's JSON string (the
one reading of them is :meth:`~foundry_agents.response.FunctionCallItem.parsed_arguments`).

Example:
    >>> approval_response({"id": "mcpr_1", "server_label": "docs", "name": "search"}, True)
    {'approval_request_id': 'mcpr_1', 'approve': True}
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .background import response_token
from .errors import FoundryConfigError
from .messages import ApprovalResponsePart
from .response import (
    AgentResponse,
    ComputerCallItem,
    GeneratedFile,
    McpApprovalRequestItem,
    OAuthConsentRequestItem,
)

__all__ = [
    "METADATA_KEYS",
    "approval_part",
    "approval_request",
    "approval_response",
    "computer_call",
    "consent_request",
    "encode_arguments",
    "file_reference",
    "finish_reason",
    "generated_file",
    "response_metadata",
]

#: The neutral keys of :func:`response_metadata`, with what each means.
METADATA_KEYS: dict[str, str] = {
    "id": "the response id (chain the next call from it)",
    "model": "the model that answered (the agent reference name:version when the service names none)",
    "status": "the response status (completed, incomplete, ...)",
    "agent_name": "the agent that answered",
    "agent_version": "its version",
    "conversation_id": "the server-side conversation, when the call used one",
    "request_id": "the service's request id (quote it in support requests)",
    "incomplete_reason": "why an incomplete response stopped (e.g. max_output_tokens)",
    "finish_reason": "stop, tool_calls, approval_required, consent_required, or the incomplete reason",
    "approval_requests": "MCP approval requests still waiting: id, server_label, name, arguments",
    "oauth_consent_requests": "MCP tools waiting for OAuth consent: id, server_label, consent_link (open it, then resend)",
    "computer_calls": "computer-use actions to do and answer with a screenshot: id, call_id, action (or actions, batched), pending_safety_checks",
    "agent_session_id": "a hosted agent's session (the next call in the history resends it)",
    "headers": "request_id, region and ratelimit_* values of the HTTP answer",
    "background": "True for a background response (it may still be running)",
    "continuation_token": "a background response's token (resume or wait for it later, from any process)",
    "workflow_actions": "a workflow agent's actions: kind, id, parent/previous action, status, inner agent",
    "generated_files": "files the agent made (code interpreter): file_id, container_id, filename (download them)",
}


def finish_reason(response: AgentResponse) -> str:
    """Why the response ended, in the words chat frameworks use (see :data:`METADATA_KEYS`)."""
    if response.incomplete_reason:
        return response.incomplete_reason
    if response.approval_requests:
        return "approval_required"
    if response.oauth_consent_requests:
        return "consent_required"
    if response.function_calls or response.computer_calls:
        return "tool_calls"
    return "stop" if response.status == "completed" else response.status


def approval_request(item: McpApprovalRequestItem) -> dict[str, Any]:
    """One pending approval request as a plain dict (what :func:`approval_response` accepts back)."""
    return {"id": item.id, "server_label": item.server_label, "name": item.name, "arguments": item.arguments}


def consent_request(item: OAuthConsentRequestItem) -> dict[str, Any]:
    """One pending OAuth consent request as a plain dict."""
    return {"id": item.id, "server_label": item.server_label, "consent_link": item.consent_link}


def computer_call(item: ComputerCallItem) -> dict[str, Any]:
    """One pending computer call as a plain dict (answer it with a ``ComputerCallOutputPart`` for ``call_id``);
    a batched call (no ``action``) lists its ``actions``."""
    entry: dict[str, Any] = {"id": item.id, "call_id": item.call_id, "action": item.action,
                             "pending_safety_checks": item.pending_safety_checks}
    if item.action is None and item.actions:
        entry["actions"] = item.actions
    return entry


def generated_file(file: GeneratedFile) -> dict[str, Any]:
    """One file the agent made as a plain dict: ``file_id``, ``container_id``, ``filename`` (``None`` when unknown)."""
    return {"file_id": file.file_id, "container_id": file.container_id, "filename": file.filename}


def file_reference(file: str | Mapping[str, Any] | GeneratedFile, container_id: str | None = None, *,
                   listed_in: str = "generated_files") -> tuple[str, str | None]:
    """``(file_id, container_id)`` of a file to download, checked before any network call.

    ``file`` is a file id, an entry of ``generated_files`` (:func:`generated_file`), a raw
    annotation, a framework block keeping the ids in ``extras``, or a :class:`GeneratedFile`; an
    explicit ``container_id`` wins. ``listed_in`` names where the caller finds entries, for the error.

    Example:
        >>> file_reference({"file_id": "cfile_1", "container_id": "cntr_1", "filename": "a.csv"})
        ('cfile_1', 'cntr_1')
    """
    if isinstance(file, GeneratedFile):
        found: Mapping[str, Any] = {"file_id": file.file_id, "container_id": file.container_id}
    elif isinstance(file, Mapping):
        extras = file.get("extras")
        found = {**(extras if isinstance(extras, Mapping) else {}), **file}
    else:
        found = {"file_id": file}
    file_id = found.get("file_id")
    if not isinstance(file_id, str) or not file_id:
        raise FoundryConfigError(f"download_file needs a file id (e.g. 'cfile_...' or an entry of {listed_in}), "
                                 f"got {file!r:.80}")
    cid = container_id if container_id is not None else found.get("container_id")
    if cid is not None and (not isinstance(cid, str) or not cid):
        raise FoundryConfigError(f"download_file container_id must be a non-empty string, got {cid!r:.40}")
    return file_id, cid


def response_metadata(response: AgentResponse) -> dict[str, Any]:
    """The facts of ``response`` under the neutral keys of :data:`METADATA_KEYS` (unset ones left out)."""
    agent = response.agent
    meta: dict[str, Any] = {
        "id": response.id,
        "model": response.model_name,
        "status": response.status,
        "agent_name": agent.name if agent else None,
        "agent_version": agent.version if agent else None,
        "conversation_id": response.conversation_id,
        "request_id": response.request_id,
        "incomplete_reason": response.incomplete_reason,
        "finish_reason": finish_reason(response),
        "approval_requests": [approval_request(a) for a in response.approval_requests],
        "oauth_consent_requests": [consent_request(c) for c in response.oauth_consent_requests],
        "computer_calls": [computer_call(c) for c in response.computer_calls],
        "agent_session_id": response.agent_session_id,
        "headers": response.headers.as_metadata() if response.headers else None,
        "workflow_actions": [a.summary() for a in response.workflow_actions],
        "generated_files": [generated_file(f) for f in response.generated_files],
    }
    token = response_token(response)
    if token is not None:  # a background response: a later process can resume or wait with it
        meta["background"] = True
        meta["continuation_token"] = token
    return {k: v for k, v in meta.items() if v not in (None, "", [])}


def approval_response(request: str | Mapping[str, Any], approve: bool, reason: str | None = None) -> dict[str, Any]:
    """The answer to an MCP approval request: ``approval_request_id``, ``approve`` (and ``reason``).

    ``request`` is the request id (``"mcpr_..."``), a pending entry of :func:`response_metadata`
    (``{"id": ...}``) or an ``mcp_approval_request`` item or block.
    """
    request_id = (request.get("id") or request.get("approval_request_id")) if isinstance(request, Mapping) else request
    if not isinstance(request_id, str) or not request_id:
        raise FoundryConfigError(f"approval_message needs an approval request id such as 'mcpr_...', got {request!r}")
    if reason is not None and not isinstance(reason, str):
        raise FoundryConfigError(f"an approval's reason must be a string, got {type(reason).__name__}")
    answer: dict[str, Any] = {"approval_request_id": request_id, "approve": bool(approve)}
    if reason:
        answer["reason"] = reason
    return answer


def approval_part(value: Any, *, where: str) -> ApprovalResponsePart:
    """Read back an answer built by :func:`approval_response`; ``where`` names it in the error."""
    request_id = value.get("approval_request_id") if isinstance(value, Mapping) else None
    if not isinstance(request_id, str) or not request_id:
        raise FoundryConfigError(
            f"{where} needs approval_request_id (the 'mcpr_...' id), got {request_id!r}; build it with approval_message()")
    reason = value.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise FoundryConfigError(f"{where}: the approval's reason must be a string")
    return ApprovalResponsePart(request_id, bool(value.get("approve")), reason or None)


def encode_arguments(value: Any) -> str:
    """A framework's tool-call arguments (a dict, a JSON string, nothing) as the wire's JSON string."""
    if isinstance(value, str):
        return value or "{}"
    return json.dumps(value if value is not None else {}, ensure_ascii=False, default=str)
