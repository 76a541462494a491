"""The one error tree of foundry-agents.

Every error the package raises derives from :class:`FoundryAgentsError`::

    FoundryAgentsError
    ├── FoundryConfigError (also ValueError)       bad local input, raised before any network call
    │   ├── InvalidAgentReferenceError             "name", "name:version", no asst_* ids
    │   ├── InvalidEndpointError                   project endpoint shape, https
    │   ├── RefusedParameterError                  a field the service refuses next to an agent
    │   ├── AgentToolMismatchError                 a bound tool the agent definition does not declare
    │   ├── PendingToolCallsError                  (foundry_agents.orchestration) client-side work nobody here can do
    │   └── UnsupportedContentError                (LangChain adapter) a message block that cannot be sent
    ├── StructuredOutputError (also ValueError)    the answer is not the JSON asked for; .text holds it
    └── APIError                                   anything the service (or the network) said
        ├── APIStatusError                         a non-2xx HTTP answer
        │   ├── BadRequestError          400       .refused_params lists offending fields
        │   ├── AuthenticationError      401       missing/expired token, RBAC (PermissionDenied)
        │   ├── PermissionDeniedError    403
        │   │   └── PreviewFeatureRequiredError    code preview_feature_required; .feature names the
        │   │                                      Foundry-Features value to pass
        │   ├── NotFoundError            404       .agent_name / .agent_version when known
        │   ├── ConflictError            409
        │   ├── UnprocessableEntityError 422
        │   ├── RateLimitError           429       .retry_after (seconds) as seen
        │   └── ServerError              5xx
        ├── APIConnectionError                     the request never got an answer
        │   └── APITimeoutError
        ├── APIOutcomeUnknownError                 sent, may have been processed, not re-sent (see below)
        ├── UnexpectedResponseError                a 2xx body that is not the expected JSON (empty,
        │                                          HTML, an array, garbled gzip) or a 3xx redirect;
        │                                          .content_type, status and request id in the message
        ├── ResponseFailedError                    the response ended with status "failed"; .response
        │   └── StreamResponseFailedError          ... announced by ``response.failed`` in a stream
        │                                          (also a StreamError)
        ├── WaitTimeoutError (also TimeoutError)   a background response still running at the wait's
        │                                          deadline; .last_response, .continuation_token
        └── StreamError                            raised while reading a stream; .partial_response
            ├── StreamInterruptedError             the connection closed before a terminal event
            │                                      (and could not be resumed: see its notes)
            ├── StreamDecodeError                  stream data that is not valid UTF-8/JSON/event shape
            ├── StreamResponseFailedError          (see above)
            └── StreamEventError                   an in-stream ``error`` event

``except ResponseFailedError`` catches a failed response however it came; ``except StreamError``
catches only what went wrong while reading a stream (a non-streamed failed call is not one).

Every :class:`APIError` carries ``status_code`` (``None`` when there was no HTTP answer),
``code``, ``message``, ``param``, ``details`` and ``request_id`` (from ``X-Request-ID``,
``apim-request-id`` or the body's ``additionalInfo.request_id``). Errors met inside a stream
raise the same classes as errors met before it. No error ever holds a token: the request
headers are never kept, and :func:`redact` removes ``Bearer ...`` values, JWTs and the caller's own
token from any message or body a gateway echoes back. Messages are capped at
:data:`MESSAGE_LIMIT` characters (an HTML page is summarized by its ``<title>``); the whole body
stays on ``.body``.

A request that runs an agent or changes state (a response POST, conversation create/add items,
cancel) is not re-sent after a failure that leaves its outcome unknown (a reset, timeout, 408 or
5xx other than 503 once it was written). That failure raises an :class:`APIOutcomeUnknownError`
which is also the class the failure would otherwise have (``ServerError``, ``APITimeoutError``,
``APIConnectionError`` or ``APIStatusError``); its ``client_request_id`` is the
``x-ms-client-request-id`` the client sent, so the call can be traced and checked.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .response import AgentResponse

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIOutcomeUnknownError",
    "APIStatusError",
    "APITimeoutError",
    "AgentToolMismatchError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "FoundryAgentsError",
    "FoundryConfigError",
    "InvalidAgentReferenceError",
    "InvalidEndpointError",
    "NotFoundError",
    "PermissionDeniedError",
    "PreviewFeatureRequiredError",
    "RateLimitError",
    "RefusedParameterError",
    "ResponseFailedError",
    "ServerError",
    "StreamDecodeError",
    "StreamError",
    "StreamEventError",
    "StreamInterruptedError",
    "StreamResponseFailedError",
    "StructuredOutputError",
    "UnexpectedResponseError",
    "UnprocessableEntityError",
    "WaitTimeoutError",
    "error_from_response",
    "redact",
    "summarize_text",
    "unexpected_response",
]

#: The longest ``message`` an error carries; the full body stays on ``.body``.
MESSAGE_LIMIT = 300

_BEARER = re.compile(r"(?i)\b(bearer)(\s+|%20)[^\s\"',;<>]+")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_TITLE = re.compile(r"(?is)<title[^>]*>(.*?)</title>")
_HTML_START = re.compile(r"(?i)^\s*(<!doctype html|<html|<head|<body)")
_REDACTED = "[REDACTED]"


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Remove credentials from text (pure): ``Bearer <x>``, JWTs and each of ``secrets``.

    Example:
        >>> redact("bad header Authorization: Bearer abc.def", secrets=["k-123"])
        'bad header Authorization: Bearer [REDACTED]'
        >>> redact("key k-123 refused", secrets=["k-123"])
        'key [REDACTED] refused'
    """
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, _REDACTED)
    text = _BEARER.sub(lambda m: f"{m.group(1)}{m.group(2)}{_REDACTED}", text)
    return _JWT.sub(_REDACTED, text)


def _redact_value(value: Any, secrets: Sequence[str]) -> Any:
    """``redact`` applied to every string inside a parsed JSON body."""
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, Mapping):
        return {redact(str(k), secrets): _redact_value(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_value(v, secrets) for v in value]
    return value


def summarize_text(text: str, *, limit: int = MESSAGE_LIMIT) -> str:
    """A one-line, bounded version of a message or body text (pure).

    An HTML page becomes its ``<title>``; whitespace runs become one space; text longer than
    ``limit`` is cut with a note of its full length.
    """
    if _HTML_START.match(text) or "<html" in text[:512].lower():
        title = _TITLE.search(text)
        head = " ".join(html.unescape(title.group(1)).split()) if title else ""
        return summarize_text(f"{head} (an HTML page of {len(text)} characters)" if head
                              else f"an HTML page of {len(text)} characters", limit=limit)
    one_line = " ".join(text.split())
    if len(one_line) <= limit:
        return one_line
    return f"{one_line[:limit].rstrip()}... ({len(one_line)} characters in all)"



class FoundryAgentsError(Exception):
    """Base class of every error raised by foundry-agents."""


class FoundryConfigError(FoundryAgentsError, ValueError):
    """Bad local input: raised before any network call."""


class InvalidAgentReferenceError(FoundryConfigError):
    """The agent name or version cannot name a Foundry v2 agent."""


class InvalidEndpointError(FoundryConfigError):
    """The project endpoint is missing or not of the expected shape."""


class RefusedParameterError(FoundryConfigError):
    """A request field that the service refuses when an agent is specified."""

    def __init__(self, message: str, *, params: Sequence[str]) -> None:
        super().__init__(message)
        self.params = tuple(params)


class AgentToolMismatchError(FoundryConfigError):
    """A bound tool the agent definition does not declare, so the agent can never call it (or a
    server-side tool bound on the client side, where it cannot run)."""


class StructuredOutputError(FoundryAgentsError, ValueError):
    """The agent's answer is not JSON matching the requested model; ``text`` holds the answer."""

    def __init__(self, message: str, *, text: str) -> None:
        super().__init__(message)
        self.text = text


class APIError(FoundryAgentsError):
    """Something the service, or the network on the way to it, said.

    Attributes:
        message: the service's message (or ours, when there was no answer).
        status_code: HTTP status, ``None`` when no HTTP answer was received.
        code: the service's error code, e.g. ``"invalid_payload"``.
        param: the offending request field, when the service named one.
        details: the service's ``details[]`` entries.
        request_id: the id to quote to Azure support.
        body: the parsed error body (never contains credentials).
        client_request_id: the ``x-ms-client-request-id`` sent with every attempt of the call.
    """

    client_request_id: str | None = None

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        code: str | None = None,
        param: str | None = None,
        details: Sequence[Mapping[str, Any]] = (),
        request_id: str | None = None,
        body: Any = None,
    ) -> None:
        message = summarize_text(redact(str(message)))
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.code = code
        self.param = param
        self.details = [dict(d) for d in details]
        self.request_id = request_id
        self.body = body

    def __str__(self) -> str:
        bits = []
        if self.status_code is not None:
            bits.append(str(self.status_code))
        if self.code:
            bits.append(self.code)
        head = f"[{' '.join(bits)}] " if bits else ""
        tail = f" (param: {self.param})" if self.param else ""
        rid = f" [request id: {self.request_id}]" if self.request_id else ""
        return f"{head}{self.message}{tail}{rid}"

    def __reduce__(self) -> Any:
        # Keep errors picklable (multiprocessing, Ray, LangGraph checkpoints) with all fields.
        return (_rebuild_error, (type(self), self.__dict__.copy()))


def _rebuild_error(cls: type[APIError], state: dict[str, Any]) -> APIError:
    err = cls.__new__(cls)
    Exception.__init__(err, state.get("message", ""))
    err.__dict__.update(state)
    return err


class APIStatusError(APIError):
    """The service answered with a non-2xx status."""


class BadRequestError(APIStatusError):
    """400: the service rejected the request body."""

    @property
    def refused_params(self) -> list[str]:
        """Every field the service named as offending (top-level ``param`` and ``details[]``)."""
        names = [self.param] if self.param else []
        names += [d["param"] for d in self.details if d.get("param") and d["param"] not in names]
        return names


class AuthenticationError(APIStatusError):
    """401: missing, expired or insufficient credentials (RBAC failures come back as 401 too)."""


class PermissionDeniedError(APIStatusError):
    """403: the caller may not do this (e.g. a preview feature header is required)."""


class PreviewFeatureRequiredError(PermissionDeniedError):
    """403 ``preview_feature_required``: the operation needs a ``Foundry-Features`` opt-in.

    ``feature`` is the value the service named (e.g. ``"HostedAgents=V1Preview"``; several are
    joined with ``,``): pass it as ``foundry_features=`` (client/adapter) or in ``extra_headers``.
    """

    feature: str | None = None


class NotFoundError(APIStatusError):
    """404: unknown agent, version, response or conversation."""

    agent_name: str | None = None
    agent_version: str | None = None


class ConflictError(APIStatusError):
    """409."""


class UnprocessableEntityError(APIStatusError):
    """422."""


class RateLimitError(APIStatusError):
    """429: too many requests. ``retry_after`` is the wait the service asked for, in seconds."""

    retry_after: float | None = None


class ServerError(APIStatusError):
    """5xx: the service failed."""


class APIConnectionError(APIError):
    """No HTTP answer: DNS, TLS, refused or dropped connection."""


class APITimeoutError(APIConnectionError):
    """The request timed out."""


class UnexpectedResponseError(APIError):
    """A success status whose body is not what the call expects, or a redirect.

    Raised for an empty, HTML, non-JSON, non-object or undecodable (e.g. garbled gzip) 2xx body
    and for any 3xx answer (the service never redirects an API call). ``status_code``,
    ``content_type`` and ``request_id`` say what came back; ``body`` holds its text.
    """

    content_type: str | None = None


class WaitTimeoutError(APIError, TimeoutError):
    """A background response was still running when a wait's deadline passed.

    The response keeps running on the service: ``last_response`` is its last polled state and
    ``continuation_token`` (a :class:`~foundry_agents.background.ContinuationToken`) lets this or
    another process wait again, resume its stream or cancel it.
    """

    last_response: AgentResponse | None = None
    continuation_token: Any = None


class StreamError(APIError):
    """An error met while reading a streamed response.

    ``partial_response`` holds what was received before the error, so nothing is lost.
    ``continuation_token`` (a :class:`~foundry_agents.background.ContinuationToken`, when the
    response id was received) says where the stream stopped, for ``client.resume_stream(token)``.
    """

    partial_response: AgentResponse | None = None
    continuation_token: Any = None


class StreamInterruptedError(StreamError):
    """The stream closed before ``response.completed``/``failed``/``incomplete``."""


class StreamDecodeError(StreamError):
    """Stream data that cannot be decoded: not UTF-8, a ``data:`` line that is not a JSON object,
    or an event whose fields have the wrong type (e.g. a non-integer ``output_index``)."""


class ResponseFailedError(APIError):
    """The response ended with status ``failed``; ``response`` holds it whole (its ``error`` says
    why). Raised as is for a non-streamed call, and as :class:`StreamResponseFailedError` when a
    stream announced it, so ``except ResponseFailedError`` catches both."""

    response: AgentResponse | None = None
    #: The same response as :attr:`response` (the name stream errors use).
    partial_response: AgentResponse | None = None


class StreamResponseFailedError(ResponseFailedError, StreamError):
    """``response.failed`` in a stream (or a streamed call answered with a failed JSON response)."""


class StreamEventError(StreamError):
    """The service sent an ``error`` event inside the stream."""


#: The former name of :class:`StreamEventError` (an exception's name ends in ``Error``); kept so
#: existing ``except StreamErrorEvent`` clauses still catch it.
StreamErrorEvent = StreamEventError


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def _request_id(headers: Mapping[str, str], error: Mapping[str, Any]) -> str | None:
    info = error.get("additionalInfo") or error.get("additional_info") or {}
    return (
        headers.get("x-request-id")
        or headers.get("apim-request-id")
        or (info.get("request_id") if isinstance(info, Mapping) else None)
    )


def error_from_response(
    status_code: int,
    headers: Mapping[str, str],
    body: Any,
    *,
    retry_after: float | None = None,
    agent_name: str | None = None,
    agent_version: str | None = None,
    secrets: Sequence[str] = (),
) -> APIStatusError:
    """Build the most specific :class:`APIStatusError` for a non-2xx answer (pure).

    ``headers`` must be case-insensitive (an ``httpx.Headers``) or use lower-case keys.
    ``body`` is the parsed JSON body, or text when it was not JSON; ``secrets`` (the token sent)
    are redacted from it, as are ``Bearer`` values and JWTs.
    """
    body = _redact_value(body, secrets)
    error: Mapping[str, Any] = {}
    if isinstance(body, Mapping):
        raw = body.get("error", body)
        error = raw if isinstance(raw, Mapping) else {"message": str(raw)}
    message = str(error.get("message") or (body if isinstance(body, str) and body else "")
                  or f"HTTP {status_code}")
    cls = _STATUS_CLASSES.get(status_code) or (ServerError if status_code >= 500 else APIStatusError)
    if status_code == 403 and error.get("code") == "preview_feature_required":
        cls = PreviewFeatureRequiredError
    details = error.get("details") or ()
    err = cls(
        message,
        status_code=status_code,
        code=error.get("code") if isinstance(error.get("code"), str) else None,
        param=error.get("param") if isinstance(error.get("param"), str) else None,
        details=[d for d in details if isinstance(d, Mapping)] if isinstance(details, list) else (),
        request_id=_request_id(headers, error),
        body=body,
    )
    if isinstance(err, RateLimitError):
        err.retry_after = retry_after
    if isinstance(err, PreviewFeatureRequiredError):
        _name_feature(err)
    if isinstance(err, NotFoundError):
        err.agent_name, err.agent_version = agent_name, agent_version
        if agent_name and "agent" not in message.lower():
            ref = f"{agent_name}:{agent_version}" if agent_version else agent_name
            err.message = f"{err.message} (agent {ref!r})"
            err.args = (err.message,)
    return err


#: A Foundry-Features flag as the service names it in a 403 message ("HostedAgents=V1Preview").
_FEATURE = re.compile(r"\b[A-Z][A-Za-z]+=V\d+Preview\b")


def _name_feature(err: PreviewFeatureRequiredError) -> None:
    """Name the missing ``Foundry-Features`` value(s) the 403 message lists, and how to pass them."""
    found = list(dict.fromkeys(_FEATURE.findall(err.message)))
    err.feature = ",".join(found) or None
    if err.feature:
        err.message = f"{err.message} (pass foundry_features={err.feature!r})"
        err.args = (err.message,)


# -- Outcome unknown: sent, maybe processed, deliberately not re-sent ------------------------------


class APIOutcomeUnknownError(APIError):
    """A request that runs an agent (or changes state) failed after it was sent.

    The service may have processed it, so it was not sent again (the agent would run twice).
    Check with ``get_response`` / ``list_conversation_items`` and decide. Each instance is also
    the class the failure would otherwise have, e.g. ``except ServerError`` still catches it.
    """


class OutcomeUnknownConnectionError(APIOutcomeUnknownError, APIConnectionError):
    """The connection broke after the request was written."""


class OutcomeUnknownTimeoutError(APIOutcomeUnknownError, APITimeoutError):
    """The answer did not come in time after the request was written."""


class OutcomeUnknownServerError(APIOutcomeUnknownError, ServerError):
    """A 5xx that does not prove the request was not processed."""


class OutcomeUnknownStatusError(APIOutcomeUnknownError, APIStatusError):
    """Another status (408) that does not prove the request was not processed."""


_OUTCOME_UNKNOWN: tuple[tuple[type[APIError], type[APIOutcomeUnknownError]], ...] = (
    (APITimeoutError, OutcomeUnknownTimeoutError),
    (APIConnectionError, OutcomeUnknownConnectionError),
    (ServerError, OutcomeUnknownServerError),
    (APIError, OutcomeUnknownStatusError),
)


def outcome_unknown(err: APIError, what: str) -> APIOutcomeUnknownError:
    """``err`` as its outcome-unknown twin, with a message saying what to do (pure)."""
    cls = next(unknown for base, unknown in _OUTCOME_UNKNOWN if isinstance(err, base))
    new = cls.__new__(cls)
    new.__dict__.update(err.__dict__)
    rid = f" (client request id {err.client_request_id})" if err.client_request_id else ""
    new.message = (
        f"{err.message}; the outcome is unknown: the service may have processed {what}, so it was "
        "not sent again (a second send could run the agent or apply it twice); check with get_response or "
        f"list_conversation_items before retrying{rid}"
    )
    Exception.__init__(new, new.message)
    return new

def unexpected_response(
    status_code: int,
    headers: Mapping[str, str],
    content: bytes | None,
    problem: str,
) -> UnexpectedResponseError:
    """The error for a success or redirect answer the call cannot use (pure).

    ``problem`` says what is wrong, e.g. ``"the body is not JSON"``. The message names the status,
    the content type, the redirect target (3xx) and the request id; ``body`` keeps the text.
    """
    ctype = headers.get("content-type") or None
    where = headers.get("location")
    what = f"a redirect to {where!r}" if where and 300 <= status_code < 400 else problem
    text = content.decode("utf-8", "replace") if content else ""
    err = UnexpectedResponseError(
        f"unexpected answer: HTTP {status_code}, content type {ctype or 'none'}: {what}"
        + (f"; body starts: {summarize_text(text, limit=120)}" if text else ""),
        status_code=status_code,
        code="unexpected_response",
        request_id=_request_id(headers, {}),
        body=redact(text),
    )
    err.content_type = ctype
    return err
