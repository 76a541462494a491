"""What the sync and async clients share: configuration, request building and parsing.

Nothing here does I/O: :class:`_ClientBase` turns arguments into :class:`~foundry_agents._flow.Call`
objects and HTTP answers into typed results; the clients in :mod:`foundry_agents.client` only send.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import httpx
from typing_extensions import TypedDict

from ._flow import Call, map_transport_error, request_flow
from .auth import TokenProvider
from .background import ContinuationToken, PollSchedule, resume_query
from .connection import DEFAULT_TIMEOUT, SDK_AGENT_PREVIEW_FEATURES, ConnectionSettings
from .endpoints import ProjectEndpoint, Route
from .errors import APIError, FoundryConfigError, unexpected_response
from .files import UploadSource, download_target, needs_name, upload_fields
from .headers import (
    AGENT_ENDPOINT_PREVIEW,
    SESSION_ISOLATION_HEADER,
    USER_IDENTITY_HEADER,
    parse_headers,
)
from .messages import Message, to_input_items
from .options import OPTIONS, check_values
from .reference import AgentRef
from .request import REFUSED_FIELDS, ToolChoice, build_response_body, check_refused
from .response import AgentResponse, failed_error, parse_response

__all__ = ["DEFAULT_TIMEOUT", "SDK_AGENT_PREVIEW_FEATURES", "InputLike", "ResponseOptions"]

#: Chosen by benchmarks/load.py (RESULTS.md, "Load"): more than ~20 idle keep-alive connections make
#: httpcore's pool scan the bottleneck at high concurrency; 1000 keeps long streams from queueing.
DEFAULT_LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=20)

InputLike = str | Sequence[Message | Mapping[str, Any]]


class ResponseOptions(TypedDict, total=False):
    """Keyword options of :meth:`FoundryAgentsClient.create_response` and ``stream_response``.

    For typing only: the options themselves (checks, wire keys, descriptions) are the rows of
    :data:`foundry_agents.options.OPTIONS`, and a test holds the two equal.
    """

    agent_version: str | int | None
    input: InputLike | None
    conversation: str | Mapping[str, Any] | None
    previous_response_id: str | None
    store: bool | None
    background: bool | None
    tool_choice: ToolChoice | None
    structured_inputs: Mapping[str, Any] | None
    metadata: Mapping[str, str] | None
    include: Sequence[str] | None
    max_output_tokens: int | None
    truncation: Literal["auto", "disabled"] | None
    extra_body: Mapping[str, Any] | None
    extra_headers: Mapping[str, str] | None
    timeout: float | httpx.Timeout | None
    #: A hosted agent's session to continue (``agent_session_id`` of an earlier response or session).
    agent_session_id: str | None
    #: The end user of this call (``x-ms-user-identity``), over the client's ``user_identity``.
    user_identity: str | None
    #: FoundryAgent and the adapters only (they upload local/large inputs; the client sends inputs
    #: as given, so these change nothing here): keep the uploads, and the record of them.
    keep_uploads: bool | None
    uploads: Any


def _check_options(options: Mapping[str, Any]) -> None:
    unknown = [k for k in options if k not in OPTIONS]
    if unknown:
        check_refused(unknown, where="this call")
        raise FoundryConfigError(
            f"unexpected option(s) {unknown}; expected some of {sorted(OPTIONS)} "
            "(use extra_body= for fields this version does not know)"
        )
    check_values(options)


def _items(value: InputLike | None) -> str | list[dict[str, Any]] | None:
    if value is None or isinstance(value, str):
        return value
    out: list[dict[str, Any]] = []
    pending: list[Message] = []
    for entry in value:
        if isinstance(entry, Message):
            pending.append(entry)
            continue
        if pending:
            out.extend(to_input_items(pending))
            pending = []
        if not isinstance(entry, Mapping):
            raise FoundryConfigError(f"input items must be Message objects or dicts, got {type(entry).__name__}")
        out.append(dict(entry))
    if pending:
        out.extend(to_input_items(pending))
    return out


def _as_timeout(value: float | httpx.Timeout | None) -> httpx.Timeout | None:
    if value is None or isinstance(value, httpx.Timeout):
        return value
    return httpx.Timeout(value)


class _ClientBase:
    """Configuration, request building and parsing shared by both clients."""

    #: Set by the async client: a service principal then gets an azure.identity.aio credential.
    _is_async = False

    def __init__(self, project_endpoint: str | ProjectEndpoint | None = None, *,
                 connection: ConnectionSettings | None = None, **arguments: Any) -> None:
        """Takes ready :class:`ConnectionSettings` (``connection=``) and/or the connection
        arguments it accepts (``credential``, ``api_key``, ``route``, ``timeout``, ...)."""
        if project_endpoint is not None:
            arguments["project_endpoint"] = project_endpoint
        self.connection = settings = ConnectionSettings.resolve(connection, where=f"{type(self).__name__}(...)",
                                                                **arguments)
        self.endpoint = settings.project_endpoint
        self.route = settings.route
        self.max_retries = settings.max_retries
        self.timeout = settings.timeout
        self._auth: TokenProvider = settings.token_provider(prefer_async=self._is_async)
        self._refreshable = bool(getattr(self._auth, "refreshable", True))
        self._headers = settings.headers()
        #: Sent only where the SDK sends its flags: agent operations and the per-agent endpoint.
        self._foundry_features = settings.foundry_features

    def __repr__(self) -> str:
        return f"{type(self).__name__}(endpoint={self.endpoint.url!r}, route={self.route.value!r})"

    def __reduce__(self) -> Any:
        raise TypeError(f"{type(self).__name__} holds credentials and cannot be pickled")

    # -- building -------------------------------------------------------------------------------
    def _build(self, call: Call, token: str) -> httpx.Request:
        headers = {**self._headers, **call.headers, "Authorization": f"Bearer {token}"}
        if self._foundry_features and call.url.startswith(f"{self.endpoint.url}/agents"):
            headers.setdefault("Foundry-Features", self._foundry_features)
        content = None
        if call.body is not None:
            content = json.dumps(call.body, ensure_ascii=False, separators=(",", ":")).encode()
            headers["Content-Type"] = "application/json"
        if call.stream:
            headers["Accept"] = "text/event-stream"
        timeout = call.timeout or self.timeout
        if call.multipart is not None:  # httpx streams the file part and sets the boundary header
            data, files = call.multipart
            return httpx.Request(call.method, call.url, data=dict(data), files=dict(files), headers=headers,
                                 extensions={"timeout": timeout.as_dict()})
        return httpx.Request(call.method, call.url, content=content, headers=headers,
                             extensions={"timeout": timeout.as_dict()})

    def _response_call(self, agent: str | AgentRef, options: ResponseOptions, *, stream: bool) -> Call:
        _check_options(options)
        ref = AgentRef.parse(agent, version=options.get("agent_version"))
        if self.route.names_agent_in_url and ref.version is not None:
            raise FoundryConfigError(
                f"the {self.route.value} route always serves the agent's published version; "
                f"drop the version ({ref.version!r}) or use route='responses' to pin one"
            )
        fields = {k: v for k, v in options.items() if OPTIONS[k].wire is not None and k not in ("input", "conversation")}
        body = build_response_body(
            ref,
            input=_items(options.get("input")),
            conversation=options.get("conversation"),
            stream=stream,
            extra_body=options.get("extra_body"),
            route=self.route,
            **fields,
        )
        headers = dict(options.get("extra_headers") or {})
        user = options.get("user_identity")
        if user is not None:
            headers[USER_IDENTITY_HEADER] = _header_value(user, "user_identity")
        return Call(
            "POST",
            self.endpoint.responses_url(self.route, agent_name=ref.name),
            body,
            stream=stream,
            # Runs the agent (and its server-side tools): re-sent only when provably not processed.
            idempotent=False,
            agent=ref,
            headers=headers,
            timeout=_as_timeout(options.get("timeout")),
        )

    def _flow(self, call: Call) -> Any:
        return request_flow(call, build=self._build, max_retries=self.max_retries, auth=self._auth,
                            refreshable=self._refreshable)

    @staticmethod
    def _json(response: httpx.Response) -> dict[str, Any]:
        """The JSON object a success answer must hold, or :class:`UnexpectedResponseError`."""
        return _json_object(response)

    @staticmethod
    def _to_response(response: httpx.Response) -> AgentResponse:
        headers = response.headers
        result = parse_response(
            _json_object(response),
            request_id=headers.get("x-request-id") or headers.get("apim-request-id"),
        )
        result.headers = parse_headers(headers)
        if result.status == "failed":
            raise failed_error(result, status_code=response.status_code)
        return result

    # Long-running responses (pure helpers of wait_for_response / resume_stream).
    def _resume_call(self, response_id: str, starting_after: int | None) -> Call:
        """``GET .../responses/{id}?stream=true[&starting_after=N]``: the events after ``N``, streamed."""
        url = self.endpoint.response_url(_id(response_id, "response_id"))
        return Call("GET", str(httpx.URL(url, params=resume_query(starting_after))), stream=True)

    @staticmethod
    def _resume_options(options: Mapping[str, Any]) -> dict[str, Any]:
        """How a stream of a call with these options may be resumed after a cut."""
        if options.get("store") is False:
            return {"resume_refused": "the response is not stored (store=False), so its events cannot be fetched again"}
        return {}

    @staticmethod
    def _wait_start(response: str | AgentResponse | ContinuationToken, timeout: float | None, poll_interval: float,
                    max_poll_interval: float, now: float) -> tuple[ContinuationToken, PollSchedule]:
        token = ContinuationToken.coerce(response)
        _id(token.response_id, "response_id")
        schedule = PollSchedule(token.response_id, now, timeout=timeout, poll_interval=poll_interval,
                                max_poll_interval=max_poll_interval)
        return token, schedule

    # Calls of the management routes, built in one place.
    def _get_response_call(self, response_id: str) -> Call:
        return Call("GET", self.endpoint.response_url(_id(response_id, "response_id")))

    def _delete_response_call(self, response_id: str) -> Call:
        return Call("DELETE", self.endpoint.response_url(_id(response_id, "response_id")))

    def _cancel_response_call(self, response_id: str) -> Call:
        return Call("POST", self.endpoint.response_url(_id(response_id, "response_id"), "/cancel"), {},
                    idempotent=False)

    def _create_conversation_call(self, items: InputLike | None, metadata: Mapping[str, str] | None,
                                  agent: str | AgentRef | None = None) -> Call:
        # On the agent_endpoint route the SDK creates conversations under the agent's endpoint too.
        agent_name = AgentRef.parse(agent).name if agent is not None and self.route is Route.AGENT_ENDPOINT else None
        body: dict[str, Any] = {}
        if items is not None:
            body["items"] = [{"type": "message", "role": "user", "content": items}] if isinstance(items, str) else _items(items)
        if metadata is not None:
            body["metadata"] = dict(metadata)
        return Call("POST", self.endpoint.conversations_url(agent_name=agent_name), body, idempotent=False)

    def _conversation_call(self, method: str, conversation_id: str, body: Any = None) -> Call:
        return Call(method, self.endpoint.conversations_url(_id(conversation_id, "conversation_id")), body)

    def _add_items_call(self, conversation_id: str, items: InputLike) -> Call:
        wire = _items(items)
        if isinstance(wire, str):
            wire = [{"type": "message", "role": "user", "content": wire}]
        if not wire:
            raise FoundryConfigError("items must not be empty")
        return Call("POST", self.endpoint.conversations_url(_id(conversation_id, "conversation_id"), items=True),
                    {"items": wire}, idempotent=False)

    def _list_items_call(self, conversation_id: str, limit: int | None, order: str | None, after: str | None) -> Call:
        url = self.endpoint.conversations_url(_id(conversation_id, "conversation_id"), items=True)
        query = {k: v for k, v in (("limit", limit), ("order", order), ("after", after)) if v is not None}
        if order not in (None, "asc", "desc"):
            raise FoundryConfigError(f"order must be 'asc' or 'desc', got {order!r}")
        return Call("GET", str(httpx.URL(url, params=query)) if query else url)

    def _item_call(self, method: str, conversation_id: str, item_id: str) -> Call:
        return Call(method, self.endpoint.conversations_url(_id(conversation_id, "conversation_id"),
                                                            item_id=_id(item_id, "item_id")))

    def _agent_call(self, name: str, version: str | int | None = None, *, versions: bool = False) -> Call:
        ref = AgentRef.parse(name, version=version)
        return Call("GET", self.endpoint.agents_url(ref.name, versions=versions, version=ref.version), agent=ref)

    def _list_agents_call(self) -> Call:
        return Call("GET", self.endpoint.agents_url())


    # -- hosted agent sessions, retrieval and paging (issue 13) ----------------------------------
    def _get_response_with_include(self, response_id: str, include: Sequence[str] | None) -> Call:
        url = self.endpoint.response_url(_id(response_id, "response_id"))
        return Call("GET", _with_query(url, include=_include(include)))

    def _page_call(self, url: str, *, limit: int | None = None, order: str | None = None,
                   after: str | None = None, include: Sequence[str] | None = None,
                   headers: Mapping[str, str] | None = None) -> Call:
        """A GET of one page of an OpenAI-style list (``limit``/``order``/``after``), checked here."""
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 100):
            raise FoundryConfigError(f"limit must be an integer from 1 to 100, got {limit!r}")
        if order not in (None, "asc", "desc"):
            raise FoundryConfigError(f"order must be 'asc' or 'desc', got {order!r}")
        if after is not None:
            _id(after, "after")
        query = {"limit": limit, "order": order, "after": after, "include": _include(include)}
        return Call("GET", _with_query(url, **query), headers=dict(headers or {}))

    def _input_items_url(self, response_id: str) -> str:
        return self.endpoint.input_items_url(_id(response_id, "response_id"))

    def _versions_url(self, name: str) -> str:
        return self.endpoint.agents_url(AgentRef.parse(name).name, versions=True)

    def _items_url(self, conversation_id: str) -> str:
        return self.endpoint.conversations_url(_id(conversation_id, "conversation_id"), items=True)

    def _session_headers(self, isolation_key: str | None) -> dict[str, str]:
        """Session operations are a preview: the SDK always sends their ``Foundry-Features`` value."""
        headers = {"Foundry-Features": _merge_features(self._foundry_features, AGENT_ENDPOINT_PREVIEW)}
        if isolation_key is not None:
            headers[SESSION_ISOLATION_HEADER] = _header_value(isolation_key, "isolation_key")
        return headers

    def _create_session_call(self, agent: str | AgentRef, isolation_key: str | None,
                             agent_version: str | int | None) -> Call:
        ref = AgentRef.parse(agent, version=agent_version)
        body: dict[str, Any] = {}
        if ref.version is not None:
            body["version_indicator"] = {"type": "version_ref", "agent_version": ref.version}
        return Call("POST", self.endpoint.sessions_url(ref.name), body, idempotent=False, agent=ref,
                    headers=self._session_headers(isolation_key))

    def _session_call(self, method: str, agent: str | AgentRef, session_id: str, isolation_key: str | None,
                      suffix: str = "") -> Call:
        ref = AgentRef.parse(agent)
        return Call(method, self.endpoint.sessions_url(ref.name, _id(session_id, "session_id"), suffix),
                    {} if method == "POST" else None, agent=ref, headers=self._session_headers(isolation_key))

    def _sessions_page_call(self, agent: str | AgentRef, isolation_key: str | None, limit: int | None,
                            order: str | None, after: str | None) -> Call:
        url = self.endpoint.sessions_url(AgentRef.parse(agent).name)
        return self._page_call(url, limit=limit, order=order, after=after,
                               headers=self._session_headers(isolation_key))

    # -- files and container files (issue 14) ----------------------------------------------------
    @property
    def _preview_files(self) -> bool:
        """Files follow the client's dialect: the preview route's ``/openai/files?api-version=...``."""
        return self.route is Route.PREVIEW

    def _upload_call(self, source: UploadSource, handle: Any, purpose: str) -> Call:
        # Creates a file: re-sent only when the failure proves the service did not get it.
        return Call("POST", self.endpoint.files_url(preview=self._preview_files),
                    multipart=upload_fields(source, handle, purpose), idempotent=False)

    def _file_call(self, method: str, file_id: str, *, container_id: str | None = None, content: bool = False,
                   stream: bool = False) -> Call:
        fid = _id(file_id, "file_id")
        if container_id is None:
            url = self.endpoint.files_url(fid, content=content, preview=self._preview_files)
        else:
            url = self.endpoint.container_files_url(_id(container_id, "container_id"), fid, content=content,
                                                    preview=self._preview_files)
        return Call(method, url, stream=stream)

    def _files_page_call(self, purpose: str | None, limit: int | None, order: str | None,
                         after: str | None) -> Call:
        if purpose is not None and (not isinstance(purpose, str) or not purpose):
            raise FoundryConfigError(f"purpose must be a string such as 'assistants', got {purpose!r:.60}")
        url = _with_query(self.endpoint.files_url(preview=self._preview_files), purpose=purpose)
        return self._page_call(url, limit=limit, order=order, after=after)

    def _container_files_page_call(self, container_id: str, limit: int | None, order: str | None,
                                   after: str | None) -> Call:
        url = self.endpoint.container_files_url(_id(container_id, "container_id"), preview=self._preview_files)
        return self._page_call(url, limit=limit, order=order, after=after)

    def _download_start(self, file_id: str, destination: Any, container_id: str | None) -> tuple[Call, bool]:
        """The content call (ids checked) and whether the file's name must be looked up first (the
        destination is a directory); a destination in a missing directory fails here."""
        call = self._file_call("GET", file_id, container_id=container_id, content=True, stream=True)
        lookup = needs_name(destination)
        if not lookup:
            download_target(destination, None, file_id)
        return call, lookup


def _body_error(exc: Exception, response: httpx.Response) -> APIError:
    """A download body that broke off or could not be decoded, as the package's error."""
    if isinstance(exc, httpx.DecodingError):
        return unexpected_response(response.status_code, response.headers, None,
                                   f"the body could not be decoded ({exc})")
    return map_transport_error(exc)


def _with_query(url: str, **query: Any) -> str:
    params = [(k, v) for k, v in query.items() if v is not None and not isinstance(v, list)]
    params += [(k, item) for k, v in query.items() if isinstance(v, list) for item in v]
    return str(httpx.URL(url).copy_merge_params(params)) if params else url


def _include(include: Sequence[str] | None) -> list[str] | None:
    if include is None:
        return None
    if isinstance(include, str) or not all(isinstance(i, str) and i for i in include):
        raise FoundryConfigError(f"include must be a list of strings such as ['message.output_text.logprobs'], got {include!r}")
    return list(include)


def _header_value(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip() or any(c in value for c in "\r\n\0"):
        raise FoundryConfigError(f"{what} must be a non-empty single-line string, got {value!r:.80}")
    return value


def _merge_features(configured: str | None, needed: str) -> str:
    """``configured`` ``Foundry-Features`` plus ``needed`` (kept once)."""
    parts = [p.strip() for p in (configured or "").split(",") if p.strip()]
    return ",".join(parts if needed in parts else [*parts, needed])


#: What a service id looks like (``resp_…``, ``caresp_…``, ``conv_…``, ``msg_…``): it goes into a URL
#: path, so it may not contain anything that could change the route (``/``, ``..``, ``?``, ``#``,
#: ``%``, whitespace, control or non-ASCII characters).
_ID = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.:~-]{0,511}")

def _json_object(response: httpx.Response) -> dict[str, Any]:
    """Decode a success body (pure): a JSON object, else a typed error naming what came back.

    An empty body is accepted only with 204 No Content (read as ``{}``).
    """
    content = response.content
    status, headers = response.status_code, response.headers
    if not content:
        if status == 204:
            return {}
        raise unexpected_response(status, headers, content, "the body is empty")
    try:
        value = json.loads(content)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError
        raise unexpected_response(status, headers, content, f"the body is not JSON ({type(exc).__name__})") from None
    if not isinstance(value, dict):
        raise unexpected_response(status, headers, content,
                                  f"the body is a JSON {type(value).__name__}, not an object")
    return value


def _id(value: Any, what: str) -> str:
    if not isinstance(value, str) or not _ID.fullmatch(value):
        shown = repr(value) if not isinstance(value, str) or len(value) <= 80 else repr(value[:80]) + "..."
        raise FoundryConfigError(
            f"{what} must be an id such as the service returns ('resp_...', 'conv_...', 'msg_...': "
            f"ASCII letters, digits, '_', '-', '.', ':' and '~', not starting with '.'), got {shown}"
        )
    return value




# Refused names may not be smuggled in as options either (checked by _check_options).
assert not (set(OPTIONS) & set(REFUSED_FIELDS))
