"""What the sync and async clients share: configuration, request building and parsing.

Nothing here does I/O: :class:`_ClientBase` turns arguments into :class:`~foundry_agents._flow.Call`
objects and HTTP answers into typed results; the clients in :mod:`foundry_agents.client` only send.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import httpx
from typing_extensions import TypedDict

from ._flow import Call, request_flow
from ._version import __version__
from .auth import TokenProvider, make_token_provider
from .endpoints import ProjectEndpoint, Route, resolve_endpoint
from .errors import FoundryConfigError
from .messages import Message, to_input_items
from .reference import AgentRef
from .request import REFUSED_FIELDS, ToolChoice, build_response_body, check_refused
from .resources import AgentVersion
from .response import AgentResponse, failed_error, parse_response

if TYPE_CHECKING:  # pydantic is imported only when a secret is actually given
    from pydantic import SecretStr

__all__ = ["DEFAULT_TIMEOUT", "InputLike", "ResponseOptions"]

DEFAULT_TIMEOUT = httpx.Timeout(120.0, connect=10.0)
#: Chosen by benchmarks/load.py (RESULTS.md, "Load"): more than ~20 idle keep-alive connections make
#: httpcore's pool scan the bottleneck at high concurrency; 1000 keeps long streams from queueing.
DEFAULT_LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=20)
#: ``Foundry-Features`` value sent on the per-agent endpoint route [UNVERIFIED]; override with
#: ``foundry_features=``.
AGENT_ENDPOINT_FEATURES = "AgentEndpoints=V1Preview"

InputLike = str | Sequence[Message | Mapping[str, Any]]


class ResponseOptions(TypedDict, total=False):
    """Keyword options of :meth:`FoundryAgentsClient.create_response` and ``stream_response``."""

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


_OPTION_NAMES = frozenset(ResponseOptions.__annotations__)


def _check_options(options: Mapping[str, Any]) -> None:
    unknown = [k for k in options if k not in _OPTION_NAMES]
    if not unknown:
        return
    check_refused(unknown, where="this call")
    raise FoundryConfigError(
        f"unexpected option(s) {unknown}; expected some of {sorted(_OPTION_NAMES)} "
        "(use extra_body= for fields this version does not know)"
    )


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

    def __init__(
        self,
        project_endpoint: str | ProjectEndpoint | None = None,
        *,
        credential: Any = None,
        api_key: str | SecretStr | None = None,
        tenant_id: str | None = None,
        client_id: str | None = None,
        client_secret: str | SecretStr | None = None,
        route: Route | str = Route.RESPONSES,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = 2,
        default_headers: Mapping[str, str] | None = None,
        user_agent_extra: str | None = None,
        foundry_features: str | None = None,
    ) -> None:
        self.endpoint = resolve_endpoint(project_endpoint)
        try:
            self.route = Route(route)
        except ValueError:
            raise FoundryConfigError(
                f"route must be one of {[r.value for r in Route]}, got {route!r}"
            ) from None
        if not isinstance(max_retries, int) or max_retries < 0:
            raise FoundryConfigError(f"max_retries must be a non-negative integer, got {max_retries!r}")
        self.max_retries = max_retries
        self.timeout = _as_timeout(timeout) or DEFAULT_TIMEOUT
        self._auth: TokenProvider = make_token_provider(
            credential=credential, api_key=api_key, tenant_id=tenant_id, client_id=client_id,
            client_secret=client_secret, prefer_async=self._is_async,
        )
        self._refreshable = bool(getattr(self._auth, "refreshable", True))
        agent = f"foundry-agents/{__version__} Python/{platform.python_version()}"
        if user_agent_extra:
            agent += f" {user_agent_extra}"
        self._headers = {"User-Agent": agent, "Accept": "application/json"}
        for key, value in (default_headers or {}).items():
            if key.lower() == "authorization":
                raise FoundryConfigError("set credentials with api_key= or credential=, not an Authorization header")
            self._headers[key] = value
        if self.route is Route.AGENT_ENDPOINT:
            self._headers.setdefault("Foundry-Features", foundry_features or AGENT_ENDPOINT_FEATURES)
        elif foundry_features:
            self._headers["Foundry-Features"] = foundry_features

    @staticmethod
    def _validate(connection: Mapping[str, Any]) -> None:
        """Check every connection argument without building an HTTP client (no network)."""
        _ClientBase(**connection)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(endpoint={self.endpoint.url!r}, route={self.route.value!r})"

    def __reduce__(self) -> Any:
        raise TypeError(f"{type(self).__name__} holds credentials and cannot be pickled")

    # -- building -------------------------------------------------------------------------------
    def _build(self, call: Call, token: str) -> httpx.Request:
        headers = {**self._headers, **call.headers, "Authorization": f"Bearer {token}"}
        content = None
        if call.body is not None:
            content = json.dumps(call.body, ensure_ascii=False, separators=(",", ":")).encode()
            headers["Content-Type"] = "application/json"
        if call.stream:
            headers["Accept"] = "text/event-stream"
        timeout = call.timeout or self.timeout
        return httpx.Request(call.method, call.url, content=content, headers=headers,
                             extensions={"timeout": timeout.as_dict()})

    def _response_call(self, agent: str | AgentRef, options: ResponseOptions, *, stream: bool) -> Call:
        _check_options(options)
        ref = AgentRef.parse(agent, version=options.get("agent_version"))
        if self.route is Route.AGENT_ENDPOINT and ref.version is not None:
            raise FoundryConfigError(
                "the agent_endpoint route always serves the agent's published version; "
                f"drop the version ({ref.version!r}) or use route='responses' to pin one"
            )
        body = build_response_body(
            ref,
            input=_items(options.get("input")),
            conversation=options.get("conversation"),
            previous_response_id=options.get("previous_response_id"),
            stream=stream,
            store=options.get("store"),
            background=options.get("background"),
            tool_choice=options.get("tool_choice"),
            structured_inputs=options.get("structured_inputs"),
            metadata=options.get("metadata"),
            include=options.get("include"),
            max_output_tokens=options.get("max_output_tokens"),
            truncation=options.get("truncation"),
            extra_body=options.get("extra_body"),
            route=self.route,
        )
        return Call(
            "POST",
            self.endpoint.responses_url(self.route, agent_name=ref.name),
            body,
            stream=stream,
            # With a conversation, a retry after the service accepted the request appends twice.
            idempotent="conversation" not in body,
            agent=ref,
            headers=dict(options.get("extra_headers") or {}),
            timeout=_as_timeout(options.get("timeout")),
        )

    def _flow(self, call: Call) -> Any:
        return request_flow(call, build=self._build, max_retries=self.max_retries, auth=self._auth,
                            refreshable=self._refreshable)

    @staticmethod
    def _json(response: httpx.Response) -> Any:
        return json.loads(response.content) if response.content else {}

    @staticmethod
    def _to_response(response: httpx.Response) -> AgentResponse:
        headers = response.headers
        result = parse_response(
            json.loads(response.content),
            request_id=headers.get("x-request-id") or headers.get("apim-request-id"),
        )
        if result.status == "failed":
            raise failed_error(result, status_code=response.status_code)
        return result

    # Calls of the management routes, built in one place.
    def _get_response_call(self, response_id: str) -> Call:
        return Call("GET", self.endpoint.response_url(_id(response_id, "response_id")))

    def _delete_response_call(self, response_id: str) -> Call:
        return Call("DELETE", self.endpoint.response_url(_id(response_id, "response_id")))

    def _cancel_response_call(self, response_id: str) -> Call:
        return Call("POST", self.endpoint.response_url(_id(response_id, "response_id"), "/cancel"), {},
                    idempotent=False)

    def _create_conversation_call(self, items: InputLike | None, metadata: Mapping[str, str] | None) -> Call:
        body: dict[str, Any] = {}
        if items is not None:
            body["items"] = [{"type": "message", "role": "user", "content": items}] if isinstance(items, str) else _items(items)
        if metadata is not None:
            body["metadata"] = dict(metadata)
        return Call("POST", self.endpoint.conversations_url(), body, idempotent=False)

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


def _id(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise FoundryConfigError(f"{what} must be a non-empty string, got {value!r}")
    return value


def _versions(raw: Mapping[str, Any]) -> list[AgentVersion]:
    return [AgentVersion.from_wire(v) for v in raw.get("data") or ()]


# Refused names may not be smuggled in as options either (checked by _check_options).
assert not (_OPTION_NAMES & set(REFUSED_FIELDS))
