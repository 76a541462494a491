"""Compute a response once: validate, gather state, run the agent's behaviour, store the result.

The output is a :class:`~.model.ResponseRecord`; ``wire`` renders it as JSON and ``sse`` as an
event stream, so both paths show the same items and the same usage.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from . import ids, schema, validation
from .errors import EmulatorError, invalid
from .model import (
    AgentVersionRecord,
    Behavior,
    FileRecord,
    Reply,
    Resolver,
    ResponseRecord,
    TurnContext,
)
from .state import Store
from .usage import count_tokens, tokens_of, usage
from .wire import decorate_item, stored_item

#: Seconds a background response of an instant agent (``echo``, ``failing``) runs.
MIN_BACKGROUND_DURATION = 0.1


def create_response(
    store: Store,
    behaviors: Mapping[str, Behavior],
    body: Any,
    *,
    dialect: str,
    path_agent: str | None = None,
    strict_input: bool = True,
    session_hook: Callable[[AgentVersionRecord, dict[str, Any]], tuple[str, str] | None] | None = None,
    server_url: str = "http://emulator",
    project_url: str = "http://emulator/api/projects/emulator",
) -> ResponseRecord:
    """Validate a ``POST .../responses`` body and compute (and store) the response.

    ``server_url``/``project_url`` are where the caller reached the emulator: links an agent hands
    out (a consent page, a container file) point there.
    """
    if not isinstance(body, dict):
        raise invalid("The request body must be a JSON object.")
    schema.check_response_body(body)
    if body.get("model") == "":
        # Microsoft Agent Framework sends "model": "" next to an agent; the service reads it as absent.
        body = {k: v for k, v in body.items() if k != "model"}
    if path_agent is not None:
        name, version = schema.check_agent_name(path_agent, "agent_name"), None
        ref = body.get("agent_reference")
        if isinstance(ref, dict) and ref.get("name") not in (None, path_agent):
            raise invalid("'agent_reference' does not match the agent in the path.", "agent_reference")
    else:
        name, version = validation.agent_key(body, dialect=dialect)
    validation.check_state_refs(body)
    agent = store.agent(name, version)
    validation.check_refused_fields(body, agent.model)
    new_items = validation.normalize_input(body.get("input"), strict=strict_input)
    validation.check_file_refs(new_items, lambda file_id: _file_exists(store, file_id))
    hosted = session_hook(agent, body) if session_hook is not None else None

    conv_id = validation.conversation_id(body.get("conversation"))
    previous_id = body.get("previous_response_id")
    if conv_id is not None:
        history = store.conversation_items(conv_id)
    elif previous_id is not None:
        previous = store.response(previous_id)
        if previous.owner is not None and (hosted is None or hosted[1] != previous.owner):
            # A hosted agent's chain belongs to the user who started it (x-ms-user-identity).
            raise EmulatorError(404, "not_found", f"Response with id '{previous_id}' not found.")
        history = list(previous.transcript)
    else:
        history = []
    validation.check_against_state(history, new_items)
    if not new_items and not history:
        raise invalid("Missing required parameter: 'input'.", "input")

    context = TurnContext(
        agent=agent,
        history=history,
        input=new_items,
        metadata=dict(body.get("metadata") or {}),
        stream=bool(body.get("stream")),
        counters=store.counters,
        resolve=_resolver(store, behaviors),
        include=frozenset(body.get("include") or ()),
        read_file=lambda file_id: _read_file(store, file_id),
        list_files=store.files,
        consented=store.consent_given,
        server_url=server_url,
        project_url=project_url,
    )
    behavior = behaviors.get(agent.behavior)
    if behavior is None:
        raise EmulatorError(500, "server_error", f"Unknown emulator behaviour '{agent.behavior}'.")
    reply = behavior(context)
    if reply.http_error is not None:
        raise reply.http_error
    if reply.files:
        store.add_files(reply.files)
    for consent_id, server_label in reply.consents:
        store.add_consent(consent_id, server_label)

    record = _record(agent_context=context, reply=reply, body=body, conv_id=conv_id, previous_id=previous_id)
    if hosted is not None:
        record.id = "caresp_" + record.id.removeprefix("resp_")
        record.agent_session_id, record.owner = hosted
    _commit(store, record, conv_id, new_items)
    return record


def _file_exists(store: Store, file_id: str) -> bool:
    try:
        store.file(file_id)
    except EmulatorError:
        return False
    return True


def _read_file(store: Store, file_id: str) -> tuple[FileRecord, bytes] | None:
    try:
        return store.file(file_id), store.file_content(file_id)
    except EmulatorError:
        return None


def _resolver(store: Store, behaviors: Mapping[str, Behavior]) -> Resolver:
    """What a ``workflow`` agent uses to find the agents it runs (their latest versions)."""

    def resolve(name: str) -> tuple[AgentVersionRecord | None, Behavior | None]:
        try:
            agent = store.agent(name)
        except EmulatorError:
            return None, None
        return agent, behaviors.get(agent.behavior)

    return resolve


def _record(
    *, agent_context: TurnContext, reply: Reply, body: dict[str, Any], conv_id: str | None, previous_id: str | None
) -> ResponseRecord:
    agent = agent_context.agent
    response_id = ids.new_id("resp_")
    output = [_finish_item(item) for item in reply.items]
    seen = agent_context.items
    input_tokens = count_tokens(agent.instructions or "") + tokens_of(seen)
    now = int(time.time())
    record = ResponseRecord(
        id=response_id,
        agent=agent,
        created_at=now,
        completed_at=now if reply.status == "completed" else None,
        output=output,
        usage=usage(input_tokens, tokens_of(output), reply.reasoning_tokens),
        status=reply.status,
        error=reply.error,
        incomplete_details={"reason": reply.incomplete_reason} if reply.incomplete_reason else None,
        conversation_id=conv_id,
        previous_response_id=previous_id,
        metadata=dict(agent_context.metadata),
        store=body.get("store") is not False,
        tool_choice=body.get("tool_choice"),
        stream_fault=reply.stream_fault,
        delay=reply.delay,
        input_items=[_with_id(i) for i in agent_context.input],
        background=bool(body.get("background")),
        started=time.time(),
        # A background run is never over before its creation answer: at least a moment queued.
        duration=reply.duration or (MIN_BACKGROUND_DURATION if body.get("background") else 0.0),
        cut_after=reply.cut_after,
        cuts=reply.cuts,
    )
    record.transcript = [*agent_context.history, *record.input_items, *output]
    return record


def _finish_item(draft: dict[str, Any]) -> dict[str, Any]:
    """Give a drafted output item its id (and a ``call_id`` for function calls)."""
    item = {"type": draft["type"], "id": draft.get("id") or ids.item_id(draft["type"])}
    item.update({k: v for k, v in draft.items() if k not in item})
    if item["type"] in ("function_call", "computer_call") and not item.get("call_id"):
        item["call_id"] = ids.new_call_id()
    return item


def _with_id(item: dict[str, Any]) -> dict[str, Any]:
    if item.get("id"):
        return item
    return {"type": item["type"], "id": ids.item_id(item["type"]), **{k: v for k, v in item.items() if k != "type"}}


def _commit(store: Store, record: ResponseRecord, conv_id: str | None, new_items: list[dict[str, Any]]) -> None:
    """Keep the response (unless ``store: false`` or the stream breaks) and grow the conversation."""
    if record.stream_fault is not None:
        return
    items: list[dict[str, Any]] = []
    if conv_id is not None and record.status != "failed":
        items = [*(stored_item(i) for i in record.input_items), *(decorate_item(i, record, "v1") for i in record.output)]
    # One call, so the response and the turn's items are kept together or not at all.
    store.commit_turn(record if record.store else None, conv_id if items else None, items)
