"""``ConnectionSettings``: where and how to connect, validated once, for every entry point.

The clients, :class:`~foundry_agents.FoundryAgent` and both framework adapters take the same
connection arguments; this module is the only place that lists, checks and turns them into what
the transport needs (a token provider, headers, timeout). Nothing here does I/O: the endpoint and
``FOUNDRY_API_KEY`` are read from the environment at construction, credentials are only stored.

Example:
    >>> settings = ConnectionSettings("http://127.0.0.1:8080/api/projects/p", api_key="t")
    >>> settings
    ConnectionSettings(project_endpoint='http://127.0.0.1:8080/api/projects/p', route='responses', auth='api_key')
"""

from __future__ import annotations

import inspect
import math
import os
import platform
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import httpx

from ._secret import Secret
from ._version import __version__
from .endpoints import ProjectEndpoint, Route, resolve_endpoint
from .errors import FoundryConfigError
from .headers import USER_IDENTITY_HEADER

if TYPE_CHECKING:
    from pydantic import SecretStr

    from .auth import TokenProvider

__all__ = ["API_KEY_ENV_VAR", "CONNECTION_ARGUMENTS", "DEFAULT_TIMEOUT", "ConnectionSettings", "Secret"]

#: The static bearer token used when neither ``api_key`` nor ``credential`` (nor a service
#: principal) is given; the CLI reads the same variable.
API_KEY_ENV_VAR = "FOUNDRY_API_KEY"
DEFAULT_TIMEOUT = httpx.Timeout(120.0, connect=10.0)
#: What azure-ai-projects 2.4 sends as ``Foundry-Features`` on agent operations when the caller opts
#: in to previews (``allow_preview=True``); pass it as ``foundry_features=`` to do the same. Nothing is
#: sent by default: the SDK sends no flag without that opt-in (docs/protocol.md, "Foundry-Features").
SDK_AGENT_PREVIEW_FEATURES = "WorkflowAgents=V1Preview,ExternalAgents=V1Preview,DraftAgents=V1Preview,AgentsOptimization=V2Preview"

#: What each argument means (the adapters' field descriptions come from here).
DESCRIPTIONS: dict[str, str] = {
    "project_endpoint": "https://<resource>.services.ai.azure.com/api/projects/<project>; default "
                        "$FOUNDRY_PROJECT_ENDPOINT, then $AZURE_AI_PROJECT_ENDPOINT",
    "credential": "an azure-identity (Async)TokenCredential or a TokenProvider; default "
                  "DefaultAzureCredential (created lazily)",
    "api_key": f"a static bearer token instead of a credential; default ${API_KEY_ENV_VAR}",
    "tenant_id": "service principal tenant (with client_id and client_secret)",
    "client_id": "service principal application id",
    "client_secret": "service principal secret",
    "route": "'responses' (default), 'preview', 'agent_endpoint' or 'application'",
    "timeout": "seconds or an httpx.Timeout; default 120 s (connect 10 s)",
    "max_retries": "retries after the first try",
    "default_headers": "extra headers on every request (not Authorization)",
    "user_agent_extra": "appended to the User-Agent header",
    "foundry_features": "the Foundry-Features header, sent only on agent operations (e.g. SDK_AGENT_PREVIEW_FEATURES)",
    "user_identity": "the end user a multi-tenant app calls for (x-ms-user-identity header): a hosted "
                     "agent keeps each user's responses and sessions apart",
    "http_client": "your own httpx.Client (not closed by the package)",
    "http_async_client": "your own httpx.AsyncClient (not closed by the package)",
    "rate_limiter": "a client-side limit shared with other clients and models (foundry_agents.SharedRateLimiter, "
                    "or RayRateLimiter across Ray workers): every send waits for its slot, and a 429/503 "
                    "slows all of them down",
}
#: Arguments that hold live objects or secrets: never dumped, shown or compared by value.
OBJECT_ARGUMENTS = frozenset({"credential", "api_key", "client_secret", "http_client", "http_async_client",
                              "rate_limiter"})


class ConnectionSettings:
    """Validated, immutable connection settings (see the module docstring).

    Every argument is checked here, with an error naming it and what was expected, before any
    network call. Authentication, in this order: ``api_key``; ``credential``; ``tenant_id`` +
    ``client_id`` + ``client_secret``; ``$FOUNDRY_API_KEY``; ``DefaultAzureCredential``.
    Secrets are held as :class:`Secret`: no ``repr``, ``vars``, copy or pickle shows them.
    """

    __slots__ = (
        "_api_key_from_env",
        "api_key",
        "client_id",
        "client_secret",
        "credential",
        "default_headers",
        "foundry_features",
        "http_async_client",
        "http_client",
        "max_retries",
        "project_endpoint",
        "rate_limiter",
        "route",
        "tenant_id",
        "timeout",
        "user_agent_extra",
        "user_identity",
    )

    project_endpoint: ProjectEndpoint
    credential: Any
    api_key: Secret | None
    tenant_id: str | None
    client_id: str | None
    client_secret: Secret | None
    route: Route
    timeout: httpx.Timeout
    max_retries: int
    default_headers: Mapping[str, str]
    user_agent_extra: str | None
    foundry_features: str | None
    user_identity: str | None
    http_client: httpx.Client | None
    http_async_client: httpx.AsyncClient | None
    rate_limiter: Any
    _api_key_from_env: bool

    def __init__(
        self,
        project_endpoint: str | ProjectEndpoint | None = None,
        *,
        credential: Any = None,
        api_key: str | SecretStr | Secret | None = None,
        tenant_id: str | None = None,
        client_id: str | None = None,
        client_secret: str | SecretStr | Secret | None = None,
        route: Route | str = "responses",
        timeout: float | httpx.Timeout | None = None,
        max_retries: int = 2,
        default_headers: Mapping[str, str] | None = None,
        user_agent_extra: str | None = None,
        foundry_features: str | None = None,
        user_identity: str | None = None,
        http_client: httpx.Client | None = None,
        http_async_client: httpx.AsyncClient | None = None,
        rate_limiter: Any = None,
    ) -> None:
        if project_endpoint is not None and not isinstance(project_endpoint, (str, ProjectEndpoint)):
            raise FoundryConfigError(f"project_endpoint must be a URL string, got {type(project_endpoint).__name__}")
        if credential is not None and not callable(getattr(credential, "get_token", None)):
            raise FoundryConfigError(
                "credential must be an azure-identity TokenCredential / AsyncTokenCredential or a "
                f"TokenProvider (an object with a get_token method), got {type(credential).__name__}"
            )
        key = _secret(api_key, "api_key")
        secret = _secret(client_secret, "client_secret")
        principal = {"tenant_id": _text(tenant_id, "tenant_id"), "client_id": _text(client_id, "client_id")}
        if key is not None and credential is not None:
            raise FoundryConfigError("pass either api_key or credential, not both")
        if any(principal.values()) or secret is not None:
            missing = [n for n, v in (*principal.items(), ("client_secret", secret)) if not v]
            if missing:
                raise FoundryConfigError(
                    f"service principal auth needs tenant_id, client_id and client_secret; missing {missing}"
                )
            if key is not None or credential is not None:
                raise FoundryConfigError(
                    "pass one way to authenticate: api_key, credential, or tenant_id/client_id/client_secret"
                )
        from_env = False
        if key is None and credential is None and secret is None:
            env = os.environ.get(API_KEY_ENV_VAR, "")
            if env.strip():
                key, from_env = Secret(env.strip()), True
        try:
            route = Route(route)
        except ValueError:
            raise FoundryConfigError(f"route must be one of {[r.value for r in Route]}, got {route!r}") from None
        values = {
            "project_endpoint": resolve_endpoint(project_endpoint),
            "credential": credential,
            "api_key": key,
            **principal,
            "client_secret": secret,
            "route": route,
            "timeout": _timeout(timeout),
            "max_retries": _max_retries(max_retries),
            "default_headers": _headers(default_headers),
            "user_agent_extra": _text(user_agent_extra, "user_agent_extra"),
            "foundry_features": _text(foundry_features, "foundry_features"),
            "user_identity": _nonblank(user_identity, "user_identity"),
            "http_client": _http(http_client, httpx.Client, "http_client", "http_async_client"),
            "http_async_client": _http(http_async_client, httpx.AsyncClient, "http_async_client", "http_client"),
            "rate_limiter": _rate_limiter(rate_limiter),
            "_api_key_from_env": from_env,
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)

    @classmethod
    def resolve(cls, connection: ConnectionSettings | None, /, *, where: str = "ConnectionSettings(...)",
                **arguments: Any) -> ConnectionSettings:
        """``connection`` with ``arguments`` applied, or settings built from ``arguments`` alone;
        an unknown argument raises, naming ``where`` it was given and the valid ones."""
        from ._arguments import check_arguments

        check_arguments(arguments, valid=CONNECTION_ARGUMENTS, where=where)
        if connection is None:
            return cls(**arguments)
        if not isinstance(connection, ConnectionSettings):
            raise FoundryConfigError(f"connection must be a ConnectionSettings, got {type(connection).__name__}")
        return connection.replace(**arguments) if arguments else connection

    def replace(self, **changes: Any) -> ConnectionSettings:
        """New settings with ``changes`` (validated like the constructor)."""
        return ConnectionSettings(**{**self._arguments(), **changes})

    def _arguments(self) -> dict[str, Any]:
        args = {name: getattr(self, name) for name in CONNECTION_ARGUMENTS}
        if self._api_key_from_env:
            args["api_key"] = None  # read again, so that e.g. replace(credential=...) is not a clash
        return args

    # -- what the transport needs ---------------------------------------------------------------
    @property
    def auth(self) -> str:
        """How requests authenticate: ``api_key``, ``credential``, ``service_principal`` or ``default``."""
        if self.api_key is not None:
            return "api_key"
        if self.credential is not None:
            return "credential"
        return "service_principal" if self.client_secret is not None else "default"

    @property
    def holds_secret(self) -> bool:
        """True when a token, client secret or credential object is held (pickling is then refused)."""
        return self.auth != "default"

    def token_provider(self, *, prefer_async: bool = False) -> TokenProvider:
        """The token provider for a client (an async service principal credential if ``prefer_async``)."""
        from .auth import make_token_provider

        return make_token_provider(credential=self.credential, api_key=self.api_key, tenant_id=self.tenant_id,
                                   client_id=self.client_id, client_secret=self.client_secret,
                                   prefer_async=prefer_async)

    def headers(self) -> dict[str, str]:
        """The headers of every request, without ``Authorization``."""
        agent = f"foundry-agents/{__version__} Python/{platform.python_version()}"
        if self.user_agent_extra:
            agent += f" {self.user_agent_extra}"
        # Foundry-Features is not here: the client adds it only to agent operations (as the SDK does).
        headers = {"User-Agent": agent, "Accept": "application/json", **self.default_headers}
        if self.user_identity:
            headers[USER_IDENTITY_HEADER] = self.user_identity
        return headers

    # -- immutability, copies, pickles, repr ----------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"ConnectionSettings is immutable; use .replace({name}=...)")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("ConnectionSettings is immutable")

    def __copy__(self) -> ConnectionSettings:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> ConnectionSettings:
        # Immutable; credentials and HTTP pools must be shared, not duplicated.
        return self

    def __reduce__(self) -> Any:
        if self.holds_secret or self.http_client is not None or self.http_async_client is not None:
            raise TypeError("ConnectionSettings holding a credential or an HTTP client cannot be pickled")
        args = self._arguments()
        args["project_endpoint"] = self.project_endpoint.url
        args["default_headers"] = dict(self.default_headers)
        return (_rebuild, (args,))

    def __repr__(self) -> str:
        return (f"ConnectionSettings(project_endpoint={self.project_endpoint.url!r}, "
                f"route={self.route.value!r}, auth={self.auth!r})")


def _rebuild(arguments: dict[str, Any]) -> ConnectionSettings:
    return ConnectionSettings(**arguments)


#: The connection keyword arguments, in signature order (what every entry point accepts).
CONNECTION_ARGUMENTS: tuple[str, ...] = tuple(inspect.signature(ConnectionSettings.__init__).parameters)[1:]


def pop_connection_arguments(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Remove and return the connection arguments found in ``kwargs``."""
    return {name: kwargs.pop(name) for name in CONNECTION_ARGUMENTS if name in kwargs}


# -- validation of single arguments ------------------------------------------------------------
def _secret(value: Any, name: str) -> Secret | None:
    if value is None:
        return None
    if isinstance(value, Secret):
        secret = value
    elif isinstance(value, str):
        secret = Secret(value)
    elif callable(getattr(value, "get_secret_value", None)) and isinstance(value.get_secret_value(), str):
        secret = Secret(value.get_secret_value())  # pydantic SecretStr
    else:  # the value itself is not shown: it may be a secret of the wrong type
        raise FoundryConfigError(f"{name} must be a string (or pydantic SecretStr), got {type(value).__name__}")
    if not secret.get_secret_value().strip():
        raise FoundryConfigError(f"{name} is empty; pass a bearer token or leave it unset")
    return secret


def _text(value: Any, name: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise FoundryConfigError(f"{name} must be a string, got {type(value).__name__}")
    return value


def _nonblank(value: Any, name: str) -> str | None:
    text = _text(value, name)
    if text is not None and not text.strip():
        raise FoundryConfigError(f"{name} must be a non-empty string (or None), got {value!r}")
    return text


def _timeout(value: Any) -> httpx.Timeout:
    if value is None:
        return DEFAULT_TIMEOUT
    if isinstance(value, httpx.Timeout):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0 and not math.isinf(value):
        return httpx.Timeout(value)
    raise FoundryConfigError(f"timeout must be a positive number of seconds or an httpx.Timeout, got {value!r}")


def _max_retries(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise FoundryConfigError(f"max_retries must be a non-negative integer, got {value!r}")
    return value


def _headers(value: Any) -> Mapping[str, str]:
    if value is None:
        return MappingProxyType({})
    if not isinstance(value, Mapping):
        raise FoundryConfigError(f"default_headers must be a mapping of strings, got {type(value).__name__}")
    for key, item in value.items():
        if not isinstance(key, str) or not isinstance(item, str):
            raise FoundryConfigError(f"default_headers must map strings to strings, got {key!r}: {type(item).__name__}")
        if key.lower() == "authorization":
            raise FoundryConfigError("set credentials with api_key= or credential=, not an Authorization header")
    return MappingProxyType(dict(value))


def _rate_limiter(value: Any) -> Any:
    methods = ("acquire", "aacquire", "on_response", "aon_response")
    if value is None or all(callable(getattr(value, name, None)) for name in methods):
        return value
    raise FoundryConfigError(
        "rate_limiter must be a foundry_agents.SharedRateLimiter (or a RayRateLimiter, or any object with "
        f"{', '.join(methods)}), got {type(value).__name__}")


def _http(value: Any, kind: type, name: str, other: str) -> Any:
    if value is None or isinstance(value, kind):
        return value
    hint = f"; pass it as {other}=" if isinstance(value, (httpx.Client, httpx.AsyncClient)) else ""
    raise FoundryConfigError(f"{name} must be an httpx.{kind.__name__}, got {type(value).__name__}{hint}")
