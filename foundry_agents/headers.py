"""HTTP headers: the per-user and per-session isolation headers the client sends, and the
response headers a caller needs (request id, region, rate limits), parsed once. Pure.

Example:
    >>> h = parse_headers({"x-request-id": "r1", "x-ms-region": "East US 2",
    ...                    "x-ratelimit-remaining-requests": "99", "x-ratelimit-reset-requests": "1s"})
    >>> h.request_id, h.region, h.rate_limit.remaining_requests, h.rate_limit.reset_requests
    ('r1', 'East US 2', 99, '1s')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "AGENT_ENDPOINT_PREVIEW",
    "SESSION_ISOLATION_HEADER",
    "USER_IDENTITY_HEADER",
    "RateLimit",
    "ResponseHeaders",
    "parse_headers",
]

#: The delegated end-user identity a multi-tenant app sends so each user's responses and sessions
#: are isolated (azure-ai-projects sample ``sample_agent_user_identity_isolation.py``).
USER_IDENTITY_HEADER = "x-ms-user-identity"
#: The session-ownership key on session create/get/delete (TypeSpec ``UserIsolationKeyHeader``;
#: header name from the generated JS SDK, docs/protocol.md "Hosted agents").
SESSION_ISOLATION_HEADER = "x-session-isolation-key"
#: The ``Foundry-Features`` value the SDK sends on agent-endpoint session operations
#: (TypeSpec ``AgentDefinitionOptInKeys.agent_endpoint_v1_preview``).
AGENT_ENDPOINT_PREVIEW = "AgentEndpoints=V1Preview"

#: Response headers kept in :attr:`ResponseHeaders.raw` (lower-case).
KEPT_HEADERS = (
    "x-request-id", "apim-request-id", "x-ms-region", "x-ms-client-request-id",
    "x-ratelimit-limit-requests", "x-ratelimit-limit-tokens",
    "x-ratelimit-remaining-requests", "x-ratelimit-remaining-tokens",
    "x-ratelimit-reset-requests", "x-ratelimit-reset-tokens", "retry-after",
)


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class RateLimit:
    """The ``x-ratelimit-*`` headers: limits and what is left; resets as the service sends them
    (e.g. ``"1s"``, ``"6m0s"``). A missing or malformed header reads as ``None``."""

    limit_requests: int | None = None
    limit_tokens: int | None = None
    remaining_requests: int | None = None
    remaining_tokens: int | None = None
    reset_requests: str | None = None
    reset_tokens: str | None = None


@dataclass(frozen=True, slots=True)
class ResponseHeaders:
    """What a caller needs from a response's headers (nothing secret is kept)."""

    request_id: str | None = None
    region: str | None = None
    rate_limit: RateLimit = field(default_factory=RateLimit)
    raw: dict[str, str] = field(default_factory=dict, repr=False)

    def as_metadata(self) -> dict[str, Any]:
        """Flat, ``None``-free dict for the adapters' message metadata."""
        out: dict[str, Any] = {"request_id": self.request_id, "region": self.region}
        rl = self.rate_limit
        for name in RateLimit.__slots__:
            out[f"ratelimit_{name}"] = getattr(rl, name)
        return {k: v for k, v in out.items() if v is not None}


def parse_headers(headers: Mapping[str, str] | None) -> ResponseHeaders:
    """Map HTTP response headers (an ``httpx.Headers`` or a lower-case mapping) to :class:`ResponseHeaders`."""
    if not headers:
        return ResponseHeaders()
    raw: dict[str, str] = {}
    for name in KEPT_HEADERS:
        value = headers.get(name)
        if isinstance(value, str):
            raw[name] = value
    g = raw.get
    return ResponseHeaders(
        request_id=g("x-request-id") or g("apim-request-id"),
        region=g("x-ms-region"),
        rate_limit=RateLimit(
            limit_requests=_int(g("x-ratelimit-limit-requests")),
            limit_tokens=_int(g("x-ratelimit-limit-tokens")),
            remaining_requests=_int(g("x-ratelimit-remaining-requests")),
            remaining_tokens=_int(g("x-ratelimit-remaining-tokens")),
            reset_requests=g("x-ratelimit-reset-requests"),
            reset_tokens=g("x-ratelimit-reset-tokens"),
        ),
        raw=raw,
    )
