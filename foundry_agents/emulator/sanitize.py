"""Sanitizing recorded traffic before it is written: pure functions, no I/O.

What a recording must never hold, and what replaces it (the Azure SDK test proxy's choices, so
files recorded here look like the shipped ``tests/recordings``):

- the ``Authorization``, ``api-key``, ``Cookie``/``Set-Cookie`` and ``Ocp-Apim-Subscription-Key``
  headers: dropped (the OpenAI SDK's ``X-Stainless-*`` headers too);
- any JWT (``eyJ...``) and any ``Bearer <token>`` in a header value or a body: ``Sanitized``;
- JSON fields named like a secret (``api_key``, ``access_token``, ``client_secret``, ``password``,
  ...): ``"Sanitized"``;
- a subscription id (the GUID after ``subscriptions/``): ``00000000-0000-0000-0000-000000000000``;
- the upstream host (and scheme/port): ``https://Sanitized.services.ai.azure.com``.

Example:
    >>> sanitize_text("Authorization: Bearer abc.def", upstream="https://x.services.ai.azure.com")
    'Authorization: Bearer Sanitized'
    >>> sanitize_url("https://x.services.ai.azure.com/api/projects/p/openai/v1/responses",
    ...              upstream="https://x.services.ai.azure.com")
    'https://Sanitized.services.ai.azure.com/api/projects/p/openai/v1/responses'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "SANITIZED",
    "SANITIZED_HOST",
    "SANITIZED_SUBSCRIPTION",
    "sanitize_body",
    "sanitize_headers",
    "sanitize_text",
    "sanitize_url",
]

SANITIZED = "Sanitized"
SANITIZED_HOST = "https://Sanitized.services.ai.azure.com"
SANITIZED_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"

#: Headers never written (compared lower-case).
DROPPED_HEADERS = frozenset({
    "authorization", "api-key", "cookie", "set-cookie", "ocp-apim-subscription-key", "proxy-authorization",
    "x-ms-client-secret",
})
_DROPPED_PREFIXES = ("x-stainless-",)
#: JSON keys whose string values are secrets (compared lower-case, ``-`` as ``_``).
SECRET_KEYS = frozenset({
    "api_key", "apikey", "access_token", "refresh_token", "id_token", "client_secret", "password",
    "secret", "token", "authorization", "subscription_key", "sas_token", "connection_string",
})

_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
_BEARER = re.compile(r"(?i)\b(bearer\s+)(?!Sanitized\b)[A-Za-z0-9._~+/=-]+")
_SUBSCRIPTION = re.compile(
    r"(?i)(subscriptions/)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def sanitize_text(text: str, *, upstream: str | None = None) -> str:
    """``text`` with JWTs, bearer tokens, subscription ids and the upstream origin replaced."""
    origin = _origin(upstream) if upstream else ""
    if origin:
        text = text.replace(origin, SANITIZED_HOST)
        host = urlsplit(origin).netloc
        if host:
            text = text.replace(host, SANITIZED_HOST.split("://", 1)[1])
    text = _JWT.sub(SANITIZED, text)
    text = _BEARER.sub(lambda m: m.group(1) + SANITIZED, text)
    return _SUBSCRIPTION.sub(lambda m: m.group(1) + SANITIZED_SUBSCRIPTION, text)


def sanitize_url(url: str, *, upstream: str) -> str:
    """The recorded ``RequestUri``: the upstream's origin becomes the sanitized host."""
    return sanitize_text(url, upstream=upstream)


def _is_secret_key(key: str) -> bool:
    return key.lower().replace("-", "_") in SECRET_KEYS


def sanitize_body(value: Any, *, upstream: str | None = None) -> Any:
    """A JSON value (or SSE line list) with secrets replaced, recursively; the input is not changed."""
    if isinstance(value, str):
        return sanitize_text(value, upstream=upstream)
    if isinstance(value, list):
        return [sanitize_body(v, upstream=upstream) for v in value]
    if isinstance(value, dict):
        return {
            k: SANITIZED if _is_secret_key(str(k)) and isinstance(v, str) and v else sanitize_body(v, upstream=upstream)
            for k, v in value.items()
        }
    return value


def sanitize_headers(headers: Mapping[str, str], *, upstream: str | None = None) -> dict[str, str]:
    """Headers to record: secret ones dropped, the rest with tokens and the host replaced."""
    out: dict[str, str] = {}
    for name, value in headers.items():
        low = name.lower()
        if low in DROPPED_HEADERS or low.startswith(_DROPPED_PREFIXES):
            continue
        out[name] = sanitize_text(value, upstream=upstream)
    return out
