"""Bearer tokens for Foundry: static keys or azure-identity credentials, cached and refreshed.

Scope ``https://ai.azure.com/.default``. A provider never reveals its token in ``repr``,
``str``, logs or pickles: static tokens are held as :class:`~foundry_agents.connection.Secret`, and pickling a
provider that holds a live credential is refused.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
import time
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from .errors import FoundryConfigError

if TYPE_CHECKING:
    from pydantic import SecretStr

    from ._secret import Secret

__all__ = [
    "FOUNDRY_SCOPE",
    "CredentialTokenProvider",
    "StaticTokenProvider",
    "TokenProvider",
    "make_token_provider",
]

FOUNDRY_SCOPE = "https://ai.azure.com/.default"
# Refresh this long before expiry so a token never expires in flight.
REFRESH_MARGIN_SECONDS = 300.0


@runtime_checkable
class TokenProvider(Protocol):
    """What the clients need from auth: a bearer token now, and a way to drop a bad one."""

    def get_token(self) -> str: ...

    async def aget_token(self) -> str: ...

    def invalidate(self) -> None: ...


class StaticTokenProvider:
    """A fixed bearer token, e.g. from ``az account get-access-token --resource https://ai.azure.com``."""

    __slots__ = ("_token",)

    def __init__(self, token: str | SecretStr | Secret) -> None:
        from .connection import _secret

        secret = _secret(token, "api_key")
        if secret is None:
            raise FoundryConfigError("api_key is empty; pass a bearer token or leave it unset")
        self._token = secret  # a Secret: vars(), copies and pickles never show the token

    def get_token(self) -> str:
        return self._token.get_secret_value()

    async def aget_token(self) -> str:
        return self._token.get_secret_value()

    def invalidate(self) -> None:
        """A static token cannot be refreshed; a 401 is then final."""

    @property
    def refreshable(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "StaticTokenProvider(token='**********')"

    def __reduce__(self) -> Any:
        raise TypeError("a token provider holds a secret and cannot be pickled")


class CredentialTokenProvider:
    """Wraps an azure-identity ``TokenCredential`` or ``AsyncTokenCredential``.

    Tokens are cached and fetched again :data:`REFRESH_MARGIN_SECONDS` before they expire.
    A sync credential serves both clients (the async client calls it in a worker thread);
    an async credential serves only the async client.
    """

    def __init__(self, credential: Any, *, scope: str = FOUNDRY_SCOPE) -> None:
        if not hasattr(credential, "get_token"):
            raise FoundryConfigError(
                "credential must be an azure-identity TokenCredential or AsyncTokenCredential "
                f"(with a get_token method), got {type(credential).__name__}"
            )
        self.credential = credential
        self.scope = scope
        self.is_async = inspect.iscoroutinefunction(credential.get_token)
        self._token: str | None = None
        self._expires_on = 0.0
        self._lock = threading.Lock()
        self._alock: asyncio.Lock | None = None

    @property
    def refreshable(self) -> bool:
        return True

    def _fresh(self) -> str | None:
        if self._token is not None and time.time() < self._expires_on - REFRESH_MARGIN_SECONDS:
            return self._token
        return None

    def _store(self, access_token: Any) -> str:
        self._token = access_token.token
        self._expires_on = float(getattr(access_token, "expires_on", 0) or 0)
        return access_token.token

    def get_token(self) -> str:
        if self.is_async:
            raise FoundryConfigError(
                "an async credential (azure.identity.aio) was given to a sync call; use the "
                "async API (ainvoke/achat) or pass a sync credential from azure.identity"
            )
        token = self._fresh()
        if token is not None:
            return token
        with self._lock:
            return self._fresh() or self._store(self.credential.get_token(self.scope))

    async def aget_token(self) -> str:
        token = self._fresh()
        if token is not None:
            return token
        if self._alock is None:
            self._alock = asyncio.Lock()
        async with self._alock:
            token = self._fresh()
            if token is not None:
                return token
            if self.is_async:
                return self._store(await self.credential.get_token(self.scope))
            return self._store(await asyncio.to_thread(self.credential.get_token, self.scope))

    def invalidate(self) -> None:
        self._token = None
        self._expires_on = 0.0

    def __repr__(self) -> str:
        return f"CredentialTokenProvider(credential={type(self.credential).__name__}, scope={self.scope!r})"

    def __reduce__(self) -> Any:
        raise TypeError("a token provider holds a credential and cannot be pickled")


def make_token_provider(
    *,
    credential: Any = None,
    api_key: str | SecretStr | Secret | None = None,
    tenant_id: str | None = None,
    client_id: str | None = None,
    client_secret: str | SecretStr | Secret | None = None,
    prefer_async: bool = False,
) -> TokenProvider:
    """Choose how to authenticate, in this order:

    1. ``api_key``: a static bearer token.
    2. ``credential``: any azure-identity (a)sync credential, or a ready :class:`TokenProvider`.
    3. ``tenant_id`` + ``client_id`` + ``client_secret``: a ``ClientSecretCredential``.
    4. Otherwise ``DefaultAzureCredential`` (environment, workload identity, managed identity,
       Azure CLI, ...), created lazily on first use so nothing is contacted at construction.
    """
    given = [n for n, v in (("api_key", api_key), ("credential", credential)) if v is not None]
    if len(given) > 1:
        raise FoundryConfigError("pass either api_key or credential, not both")
    if api_key is not None:
        return StaticTokenProvider(api_key)
    if credential is not None:
        if isinstance(credential, (StaticTokenProvider, CredentialTokenProvider)):
            return credential
        return CredentialTokenProvider(credential)
    secret = client_secret if client_secret is None or isinstance(client_secret, str) else client_secret.get_secret_value()
    if tenant_id or client_id or secret:
        missing = [n for n, v in (("tenant_id", tenant_id), ("client_id", client_id),
                                  ("client_secret", secret)) if not v]
        if missing:
            raise FoundryConfigError(
                f"service principal auth needs tenant_id, client_id and client_secret; missing {missing}"
            )
        args = (str(tenant_id), str(client_id), str(secret))
        if prefer_async:
            from azure.identity.aio import ClientSecretCredential as AsyncCSC

            return CredentialTokenProvider(AsyncCSC(*args))
        from azure.identity import ClientSecretCredential

        return CredentialTokenProvider(ClientSecretCredential(*args))
    return _LazyDefaultCredential()


class _LazyDefaultCredential(CredentialTokenProvider):
    """``DefaultAzureCredential``, imported and built on first use (azure.identity is slow to import)."""

    def __init__(self) -> None:
        self.credential = None
        self.scope = FOUNDRY_SCOPE
        self.is_async = False
        self._token = None
        self._expires_on = 0.0
        self._lock = threading.Lock()
        self._alock = None

    def _ensure(self) -> None:
        if self.credential is None:
            from azure.identity import DefaultAzureCredential

            self.credential = DefaultAzureCredential()

    def get_token(self) -> str:
        self._ensure()
        return super().get_token()

    async def aget_token(self) -> str:
        self._ensure()
        return await super().aget_token()

    def __repr__(self) -> str:
        return "CredentialTokenProvider(credential=DefaultAzureCredential, lazy=True)"
