"""The sync and async clients. All logic lives in :class:`_ClientBase` and :mod:`._flow`;
each public method of the two clients is a one-line shell, and a test keeps their signatures equal.

Example:
    >>> from foundry_agents import FoundryAgentsClient
    >>> client = FoundryAgentsClient("https://acme.services.ai.azure.com/api/projects/demo")  # doctest: +SKIP
    >>> client.create_response("weather:3", input="Weather in Paris?").output_text  # doctest: +SKIP
"""

from __future__ import annotations

import json
import platform
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import httpx
from typing_extensions import TypedDict, Unpack

from ._flow import Call, adrive, drive, request_flow
from ._version import __version__
from .auth import TokenProvider, make_token_provider
from .endpoints import ProjectEndpoint, Route, resolve_endpoint
from .errors import FoundryConfigError
from .messages import Message, to_input_items
from .reference import AgentRef
from .request import REFUSED_FIELDS, ToolChoice, build_response_body, check_refused
from .resources import Agent, AgentVersion, Conversation, ItemList
from .response import AgentResponse, failed_error, parse_response
from .stream import AsyncResponseStream, ResponseStream

if TYPE_CHECKING:  # pydantic is imported only when a secret is actually given
    from pydantic import SecretStr

__all__ = ["DEFAULT_TIMEOUT", "AsyncFoundryAgentsClient", "FoundryAgentsClient", "ResponseOptions"]

DEFAULT_TIMEOUT = httpx.Timeout(120.0, connect=10.0)
DEFAULT_LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=100)
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
            client_secret=client_secret, prefer_async=isinstance(self, AsyncFoundryAgentsClient),
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


class FoundryAgentsClient(_ClientBase):
    """Sync client for Foundry v2 agents (Responses with ``agent_reference``, conversations, agents).

    Args:
        project_endpoint: ``https://<resource>.services.ai.azure.com/api/projects/<project>``;
            defaults to ``FOUNDRY_PROJECT_ENDPOINT`` then ``AZURE_AI_PROJECT_ENDPOINT``.
        credential: an azure-identity ``TokenCredential`` (default: ``DefaultAzureCredential``).
        api_key: a static bearer token instead of a credential.
        tenant_id, client_id, client_secret: a service principal instead of a credential.
        route: ``"responses"`` (default), ``"preview"`` or ``"agent_endpoint"`` (see :class:`Route`).
        timeout: seconds or an ``httpx.Timeout``. max_retries: retries after the first try.
        http_client: your own ``httpx.Client`` (not closed by :meth:`close`).

    Example:
        >>> with FoundryAgentsClient(endpoint, api_key=token) as client:  # doctest: +SKIP
        ...     reply = client.create_response("echo:1", input="Hello")
        ...     print(reply.output_text, reply.usage)
    """

    def __init__(self, project_endpoint: str | ProjectEndpoint | None = None, *,
                 http_client: httpx.Client | None = None, **kwargs: Any) -> None:
        super().__init__(project_endpoint, **kwargs)
        self._owns_http = http_client is None
        self._http = http_client if http_client is not None else httpx.Client(limits=DEFAULT_LIMITS)

    def _send(self, call: Call) -> httpx.Response:
        response = drive(self._flow(call), self._http, self._auth)
        if not call.stream:
            response.read()
        return response

    def create_response(self, agent: str | AgentRef, /, **options: Unpack[ResponseOptions]) -> AgentResponse:
        """Call ``agent`` and return its complete response (see :class:`ResponseOptions`)."""
        return self._to_response(self._send(self._response_call(agent, options, stream=False)))

    def stream_response(self, agent: str | AgentRef, /, **options: Unpack[ResponseOptions]) -> ResponseStream:
        """Call ``agent`` with ``stream: true``; iterate the returned stream for events."""
        return ResponseStream(self._send(self._response_call(agent, options, stream=True)))

    def get_response(self, response_id: str) -> AgentResponse:
        return self._to_response(self._send(self._get_response_call(response_id)))

    def delete_response(self, response_id: str) -> None:
        self._send(self._delete_response_call(response_id))

    def cancel_response(self, response_id: str) -> AgentResponse:
        return self._to_response(self._send(self._cancel_response_call(response_id)))

    def create_conversation(self, *, items: InputLike | None = None,
                            metadata: Mapping[str, str] | None = None) -> Conversation:
        return Conversation.from_wire(self._json(self._send(self._create_conversation_call(items, metadata))))

    def get_conversation(self, conversation_id: str) -> Conversation:
        return Conversation.from_wire(self._json(self._send(self._conversation_call("GET", conversation_id))))

    def update_conversation(self, conversation_id: str, *, metadata: Mapping[str, str]) -> Conversation:
        call = self._conversation_call("POST", conversation_id, {"metadata": dict(metadata)})
        return Conversation.from_wire(self._json(self._send(call)))

    def delete_conversation(self, conversation_id: str) -> bool:
        return bool(self._json(self._send(self._conversation_call("DELETE", conversation_id))).get("deleted"))

    def add_conversation_items(self, conversation_id: str, items: InputLike) -> ItemList:
        return ItemList.from_wire(self._json(self._send(self._add_items_call(conversation_id, items))))

    def list_conversation_items(self, conversation_id: str, *, limit: int | None = None,
                                order: Literal["asc", "desc"] | None = None,
                                after: str | None = None) -> ItemList:
        return ItemList.from_wire(self._json(self._send(self._list_items_call(conversation_id, limit, order, after))))

    def get_conversation_item(self, conversation_id: str, item_id: str) -> dict[str, Any]:
        return dict(self._json(self._send(self._item_call("GET", conversation_id, item_id))))

    def delete_conversation_item(self, conversation_id: str, item_id: str) -> Conversation:
        return Conversation.from_wire(self._json(self._send(self._item_call("DELETE", conversation_id, item_id))))

    def get_agent(self, name: str) -> Agent:
        return Agent.from_wire(self._json(self._send(self._agent_call(name))))

    def list_agents(self) -> list[Agent]:
        return [Agent.from_wire(a) for a in self._json(self._send(self._list_agents_call())).get("data") or ()]

    def list_agent_versions(self, name: str) -> list[AgentVersion]:
        return _versions(self._json(self._send(self._agent_call(name, versions=True))))

    def get_agent_version(self, name: str, version: str | int | None = None) -> AgentVersion:
        """One version (``"name:3"`` or ``version=3``); the latest when no version is given."""
        ref = AgentRef.parse(name, version=version)
        if ref.version is None:
            latest = self.get_agent(ref.name).latest
            if latest is None:
                raise FoundryConfigError(f"agent {ref.name!r} has no versions")
            return latest
        return AgentVersion.from_wire(self._json(self._send(self._agent_call(ref.name, ref.version))))

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> FoundryAgentsClient:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class AsyncFoundryAgentsClient(_ClientBase):
    """Async twin of :class:`FoundryAgentsClient`; same arguments, same methods, awaited.

    Example:
        >>> async with AsyncFoundryAgentsClient(endpoint, api_key=token) as client:  # doctest: +SKIP
        ...     stream = await client.stream_response("echo", input="Hello")
        ...     async for text in stream.text_deltas():
        ...         print(text, end="")
    """

    def __init__(self, project_endpoint: str | ProjectEndpoint | None = None, *,
                 http_client: httpx.AsyncClient | None = None, **kwargs: Any) -> None:
        super().__init__(project_endpoint, **kwargs)
        self._owns_http = http_client is None
        self._http = http_client if http_client is not None else httpx.AsyncClient(limits=DEFAULT_LIMITS)

    async def _send(self, call: Call) -> httpx.Response:
        response = await adrive(self._flow(call), self._http, self._auth)
        if not call.stream:
            await response.aread()
        return response

    async def create_response(self, agent: str | AgentRef, /, **options: Unpack[ResponseOptions]) -> AgentResponse:
        return self._to_response(await self._send(self._response_call(agent, options, stream=False)))

    async def stream_response(self, agent: str | AgentRef, /, **options: Unpack[ResponseOptions]) -> AsyncResponseStream:
        return AsyncResponseStream(await self._send(self._response_call(agent, options, stream=True)))

    async def get_response(self, response_id: str) -> AgentResponse:
        return self._to_response(await self._send(self._get_response_call(response_id)))

    async def delete_response(self, response_id: str) -> None:
        await self._send(self._delete_response_call(response_id))

    async def cancel_response(self, response_id: str) -> AgentResponse:
        return self._to_response(await self._send(self._cancel_response_call(response_id)))

    async def create_conversation(self, *, items: InputLike | None = None,
                                  metadata: Mapping[str, str] | None = None) -> Conversation:
        return Conversation.from_wire(self._json(await self._send(self._create_conversation_call(items, metadata))))

    async def get_conversation(self, conversation_id: str) -> Conversation:
        return Conversation.from_wire(self._json(await self._send(self._conversation_call("GET", conversation_id))))

    async def update_conversation(self, conversation_id: str, *, metadata: Mapping[str, str]) -> Conversation:
        call = self._conversation_call("POST", conversation_id, {"metadata": dict(metadata)})
        return Conversation.from_wire(self._json(await self._send(call)))

    async def delete_conversation(self, conversation_id: str) -> bool:
        return bool(self._json(await self._send(self._conversation_call("DELETE", conversation_id))).get("deleted"))

    async def add_conversation_items(self, conversation_id: str, items: InputLike) -> ItemList:
        return ItemList.from_wire(self._json(await self._send(self._add_items_call(conversation_id, items))))

    async def list_conversation_items(self, conversation_id: str, *, limit: int | None = None,
                                      order: Literal["asc", "desc"] | None = None,
                                      after: str | None = None) -> ItemList:
        call = self._list_items_call(conversation_id, limit, order, after)
        return ItemList.from_wire(self._json(await self._send(call)))

    async def get_conversation_item(self, conversation_id: str, item_id: str) -> dict[str, Any]:
        return dict(self._json(await self._send(self._item_call("GET", conversation_id, item_id))))

    async def delete_conversation_item(self, conversation_id: str, item_id: str) -> Conversation:
        return Conversation.from_wire(self._json(await self._send(self._item_call("DELETE", conversation_id, item_id))))

    async def get_agent(self, name: str) -> Agent:
        return Agent.from_wire(self._json(await self._send(self._agent_call(name))))

    async def list_agents(self) -> list[Agent]:
        return [Agent.from_wire(a) for a in self._json(await self._send(self._list_agents_call())).get("data") or ()]

    async def list_agent_versions(self, name: str) -> list[AgentVersion]:
        return _versions(self._json(await self._send(self._agent_call(name, versions=True))))

    async def get_agent_version(self, name: str, version: str | int | None = None) -> AgentVersion:
        ref = AgentRef.parse(name, version=version)
        if ref.version is None:
            latest = (await self.get_agent(ref.name)).latest
            if latest is None:
                raise FoundryConfigError(f"agent {ref.name!r} has no versions")
            return latest
        return AgentVersion.from_wire(self._json(await self._send(self._agent_call(ref.name, ref.version))))

    async def close(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncFoundryAgentsClient:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()


# Refused names may not be smuggled in as options either (checked by _check_options).
assert not (_OPTION_NAMES & set(REFUSED_FIELDS))
