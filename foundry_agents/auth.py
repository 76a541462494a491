"""Bearer tokens for Foundry: static keys or azure-identity credentials, cached and refreshed.

Scope ``https://ai.azure.com/.default``. A provider never reveals its token in ``repr``,
``str``, logs or pickles: static tokens are held as :class:`~foundry_agents.connection.Secret`, and pickling a
provider that holds a live credential is refused.

A credential that fails to give a token (no ``az login``, a wrong secret, no managed identity)
raises :class:`~foundry_agents.errors.AuthenticationError` with one line saying what to do; the
credential's own error is its ``__cause__``, without the HTTP request/response it may carry.
Providers work from any event loop (their asyncio lock is per loop). A credential the package
builds itself (service principal, default) is closed by the client's ``close()``/``aclose()``.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import inspect
import logging
import threading
import time
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ._loops import PerLoop
from .errors import AuthenticationError, FoundryAgentsError, FoundryConfigError

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
# azure-identity's chained credentials log their failure as a WARNING and then raise it: with
# logging unconfigured, the same 13 lines were printed twice. While we fetch a token, that
# warning is dropped (the error is raised as AuthenticationError, with the original as __cause__).
_FETCHING = contextvars.ContextVar("foundry_agents_fetching_token", default=False)
_CHAINED_LOGGER = "azure.identity._credentials.chained"


class _DuplicateWarningFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (_FETCHING.get() and record.levelno == logging.WARNING)


_FILTER = _DuplicateWarningFilter()
_WHAT_TO_DO = ("sign in with `az login`, pass api_key= (or set FOUNDRY_API_KEY), "
               "or use the local emulator (`foundry-agents emulator`)")


@runtime_checkable
class TokenProvider(Protocol):
    """What the clients need from auth: a bearer token now, and a way to drop a bad one.

    Any object with these three methods may be passed as ``credential=`` and is used as-is
    (an optional ``refreshable`` property set to ``False`` makes a 401 final).
    """

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

    def __init__(self, credential: Any, *, scope: str = FOUNDRY_SCOPE, owned: bool = False) -> None:
        if not hasattr(credential, "get_token"):
            raise FoundryConfigError(
                "credential must be an azure-identity TokenCredential or AsyncTokenCredential "
                f"(with a get_token method), got {type(credential).__name__}"
            )
        self.credential = credential
        self.scope = scope
        self.is_async = inspect.iscoroutinefunction(credential.get_token)
        #: True when the package built the credential, so :meth:`close` closes it.
        self.owned = owned
        self._token: str | None = None
        self._expires_on = 0.0
        self._lock = threading.Lock()
        self._alocks: PerLoop[asyncio.Lock] = PerLoop(asyncio.Lock)

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
            token = self._fresh()
            if token is not None:
                return token
            try:
                return self._store(_fetch(self.credential.get_token, self.scope))
            except FoundryAgentsError:
                raise
            except Exception as exc:
                raise auth_error(self.credential, exc) from _scrub(exc)

    async def aget_token(self) -> str:
        token = self._fresh()
        if token is not None:
            return token
        async with await self._alocks.get():
            token = self._fresh()
            if token is not None:
                return token
            try:
                if self.is_async:
                    _install_filter()
                    mark = _FETCHING.set(True)
                    try:
                        return self._store(await self.credential.get_token(self.scope))
                    finally:
                        _FETCHING.reset(mark)
                return self._store(await asyncio.to_thread(_fetch, self.credential.get_token, self.scope))
            except FoundryAgentsError:
                raise
            except Exception as exc:
                raise auth_error(self.credential, exc) from _scrub(exc)

    def close(self) -> None:
        """Close the credential if the package built it (a sync credential only)."""
        close = getattr(self.credential, "close", None) if self.owned else None
        if close is not None and not inspect.iscoroutinefunction(close):
            close()

    async def aclose(self) -> None:
        """Close the credential if the package built it (sync or async)."""
        close = getattr(self.credential, "close", None) if self.owned else None
        if close is not None:
            result = close()
            if inspect.isawaitable(result):
                await result

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
    2. ``credential``: any azure-identity (a)sync credential, or a ready :class:`TokenProvider`
       (ours or your own), used as-is.
    3. ``tenant_id`` + ``client_id`` + ``client_secret``: a sync ``ClientSecretCredential`` for
       both clients (it is bound to no event loop), closed with the client.
    4. Otherwise ``DefaultAzureCredential`` (environment, workload identity, managed identity,
       Azure CLI, ...), created lazily on first use so nothing is contacted at construction.

    ``prefer_async`` is accepted for compatibility and no longer changes the choice.
    """
    given = [n for n, v in (("api_key", api_key), ("credential", credential)) if v is not None]
    if len(given) > 1:
        raise FoundryConfigError("pass either api_key or credential, not both")
    if api_key is not None:
        return StaticTokenProvider(api_key)
    if credential is not None:
        if isinstance(credential, TokenProvider):  # ours, or a custom provider: used as-is
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
        # A sync credential serves both clients from any event loop (the async client calls
        # it in a worker thread once an hour); the client closes it.
        from azure.identity import ClientSecretCredential

        return CredentialTokenProvider(ClientSecretCredential(str(tenant_id), str(client_id), str(secret)),
                                       owned=True)
    return _LazyDefaultCredential()


def _install_filter() -> None:
    logger = logging.getLogger(_CHAINED_LOGGER)
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)


def _fetch(get_token: Any, scope: str) -> Any:
    """Call a sync credential, without azure-identity's duplicate failure warning."""
    _install_filter()
    mark = _FETCHING.set(True)
    try:
        return get_token(scope)
    finally:
        _FETCHING.reset(mark)


def auth_error(credential: Any, exc: BaseException) -> AuthenticationError:
    """The one-line error for a credential that gave no token (pure)."""
    name = "DefaultAzureCredential" if credential is None else type(credential).__name__
    first = next((line.strip() for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
    if len(first) > 160:
        first = first[:157] + "..."
    return AuthenticationError(f"{name} could not get a token ({first}); {_WHAT_TO_DO}")


def _scrub(exc: BaseException) -> BaseException:
    """Drop the HTTP request/response an azure-core error keeps (a token request carries the
    client secret in its body), along the whole ``__cause__``/``__context__`` chain."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        err = todo.pop()
        if err is None or id(err) in seen:
            continue
        seen.add(id(err))
        for attr in ("response", "request"):
            if getattr(err, attr, None) is not None:
                with contextlib.suppress(AttributeError):
                    setattr(err, attr, None)
        todo += [err.__cause__, err.__context__]
    return exc


def close_provider(provider: Any) -> None:
    """Close what a provider owns (sync); providers without ``close`` are left alone."""
    close = getattr(provider, "close", None)
    if isinstance(provider, CredentialTokenProvider) and close is not None:
        close()


async def aclose_provider(provider: Any) -> None:
    if isinstance(provider, CredentialTokenProvider):
        await provider.aclose()


class _LazyDefaultCredential(CredentialTokenProvider):
    """``DefaultAzureCredential``, imported and built on first use (azure.identity is slow to import)."""

    def __init__(self) -> None:
        self.credential = None
        self.scope = FOUNDRY_SCOPE
        self.is_async = False
        self.owned = True
        self._token = None
        self._expires_on = 0.0
        self._lock = threading.Lock()
        self._alocks = PerLoop(asyncio.Lock)

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
