import asyncio
import time

import pytest
from azure.core.credentials import AccessToken
from pydantic import SecretStr

from foundry_agents import CredentialTokenProvider, FoundryConfigError, StaticTokenProvider
from foundry_agents.auth import make_token_provider


class Cred:
    def __init__(self, lifetime=3600):
        self.calls, self.lifetime = 0, lifetime

    def get_token(self, *scopes, **kw):
        self.calls += 1
        return AccessToken(f"t{self.calls}", int(time.time()) + self.lifetime)


class AsyncCred(Cred):
    async def get_token(self, *scopes, **kw):  # type: ignore[override]
        return Cred.get_token(self, *scopes)


def test_static_token_hidden():
    p = make_token_provider(api_key=SecretStr("abc"))
    assert isinstance(p, StaticTokenProvider) and p.get_token() == "abc"
    assert "abc" not in repr(p) and "abc" not in str(p)


def test_empty_api_key_rejected():
    with pytest.raises(FoundryConfigError, match="api_key is empty"):
        make_token_provider(api_key="  ")


def test_both_api_key_and_credential_rejected():
    with pytest.raises(FoundryConfigError, match="not both"):
        make_token_provider(api_key="a", credential=Cred())


def test_tokens_cached_and_refreshed_before_expiry():
    cred = Cred()
    p = CredentialTokenProvider(cred)
    assert p.get_token() == p.get_token() == "t1"
    short = Cred(lifetime=60)  # inside the refresh margin: fetched every time
    q = CredentialTokenProvider(short)
    q.get_token(), q.get_token()
    assert short.calls == 2
    p.invalidate()
    assert p.get_token() == "t2"


def test_async_credential_only_for_async_calls():
    p = CredentialTokenProvider(AsyncCred())
    assert asyncio.run(p.aget_token()) == "t1"
    with pytest.raises(FoundryConfigError, match="async credential"):
        p.get_token()


def test_sync_credential_serves_async_calls():
    p = CredentialTokenProvider(Cred())
    assert asyncio.run(p.aget_token()) == "t1"


def test_service_principal_needs_all_three():
    with pytest.raises(FoundryConfigError, match=r"missing \['client_secret'\]"):
        make_token_provider(tenant_id="t", client_id="c")


def test_service_principal_builds_client_secret_credential():
    p = make_token_provider(tenant_id="t", client_id="c", client_secret=SecretStr("very-secret-value"))
    assert type(p.credential).__name__ == "ClientSecretCredential"
    assert "very-secret-value" not in repr(p)


def test_default_credential_is_lazy():
    p = make_token_provider()
    assert p.credential is None  # nothing built or contacted yet
    assert "DefaultAzureCredential" in repr(p)


def test_not_a_credential():
    with pytest.raises(FoundryConfigError, match="TokenCredential"):
        make_token_provider(credential="token-string")


def test_service_principal_credential_serves_any_event_loop():
    # A sync credential (called in a worker thread by the async client) is bound to no loop;
    # an azure.identity.aio one would be bound to the first loop that used it.
    from foundry_agents import AsyncFoundryAgentsClient, FoundryAgentsClient

    ep = "https://acme.services.ai.azure.com/api/projects/demo"
    sp = {"tenant_id": "t", "client_id": "c", "client_secret": "s"}
    for cls in (AsyncFoundryAgentsClient, FoundryAgentsClient):
        provider = cls(ep, **sp)._auth
        assert provider.is_async is False and provider.owned is True
