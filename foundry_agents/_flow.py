"""The request flow, written once: auth, 401 refresh, retries and backoff, as a sans-I/O generator.

:func:`request_flow` yields *actions* (get a token, send, read a body, sleep) and receives their
results; :func:`drive` and :func:`adrive` are the only sync/async code, a few lines each, so the
two clients cannot drift. Transport exceptions are thrown back into the generator, which decides
whether to retry (the policy is in :mod:`foundry_agents.retry`). Every attempt of one call carries
the same ``x-ms-client-request-id``; once a request is sent, a copy without its credential takes
its place on the response and on any transport error, so no error can reach the token.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from .auth import TokenProvider
from .errors import (
    APIConnectionError,
    APITimeoutError,
    error_from_response,
    outcome_unknown,
    unexpected_response,
)
from .reference import AgentRef
from .retry import (
    CLIENT_REQUEST_ID_HEADER,
    outcome_unknown_status,
    parse_retry_after,
    retry_delay,
    sent_before_failure,
    should_retry_status,
)

logger = logging.getLogger("foundry_agents")

@dataclass(slots=True)
class Call:
    """One logical API call (retries make it one or more HTTP requests)."""

    method: str
    url: str
    body: Any = None
    stream: bool = False
    #: False when the call runs an agent or changes state: it is then re-sent only when the
    #: failure proves the service did not process it (see :mod:`foundry_agents.retry`).
    idempotent: bool = True
    agent: AgentRef | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    timeout: httpx.Timeout | None = None
    #: A multipart body instead of JSON: ``(data, files)`` as httpx takes them (a file upload).
    multipart: tuple[Mapping[str, str], Mapping[str, Any]] | None = None


@dataclass(slots=True)
class GetToken:
    pass


@dataclass(slots=True)
class Send:
    request: httpx.Request
    stream: bool


@dataclass(slots=True)
class ReadBody:
    response: httpx.Response


@dataclass(slots=True)
class Sleep:
    seconds: float


Action = GetToken | Send | ReadBody | Sleep
Flow = Generator[Action, Any, httpx.Response]


def _decode_body(content: bytes) -> Any:
    try:
        return json.loads(content)
    except (ValueError, RecursionError):
        return content.decode("utf-8", "replace")


def map_transport_error(exc: Exception) -> APIConnectionError:
    """The error for a request that got no answer, naming the URL (without query or credentials)."""
    try:
        url = exc.request.url if isinstance(exc, httpx.RequestError) else None
    except RuntimeError:  # httpx raises when the error carries no request
        url = None
    where = f" ({url.copy_with(query=None, fragment=None, userinfo=b'')})" if url is not None else ""
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"the request timed out ({type(exc).__name__}){where}")
    return APIConnectionError(f"connection error: {exc or type(exc).__name__}{where}")


#: Headers that carry a credential; never kept on what an error can reach.
_SECRET_HEADERS = frozenset({"authorization", "api-key", "ocp-apim-subscription-key"})


def without_secrets(request: httpx.Request) -> httpx.Request:
    """A copy of a sent request without its credential headers.

    httpx keeps the request on its exceptions and responses (``exc.request``,
    ``response.request``, and errors raised later while reading a stream), so once a request is
    sent the copy takes its place there: no error can hand the token to whoever holds it.
    """
    headers = [(k, v) for k, v in request.headers.multi_items() if k.lower() not in _SECRET_HEADERS]
    try:
        content: bytes | None = request.content
    except httpx.RequestNotRead:
        content = None
    return httpx.Request(request.method, request.url, headers=headers, content=content,
                         extensions=request.extensions)


def request_flow(
    call: Call,
    *,
    build: Callable[[Call, str], httpx.Request],
    max_retries: int,
    auth: TokenProvider,
    refreshable: bool,
) -> Flow:
    attempt = 0
    refreshed = False
    client_request_id: str | None = None
    what = f"the {call.method} request to .../{urlsplit(call.url).path.rsplit('/', 1)[-1]}"
    while True:
        token: str = yield GetToken()
        request = build(call, token)
        # The same id on every attempt, so the service's logs tie the attempts together.
        client_request_id = (client_request_id or request.headers.get(CLIENT_REQUEST_ID_HEADER)
                             or str(uuid.uuid4()))
        request.headers[CLIENT_REQUEST_ID_HEADER] = client_request_id
        try:
            response: httpx.Response = yield Send(request, call.stream)
        except httpx.TransportError as exc:
            exc.request = without_secrets(request)
            safe = call.idempotent or not sent_before_failure(exc)
            retry = attempt < max_retries and safe
            logger.debug("%s %s failed: %s%s", call.method, request.url, type(exc).__name__,
                         " (retrying)" if retry else "")
            if not retry:
                err = map_transport_error(exc)
                err.client_request_id = client_request_id
                raise (err if safe else outcome_unknown(err, what)) from exc
            attempt += 1
            yield Sleep(retry_delay(attempt))
            continue
        response.request = without_secrets(request)
        status = response.status_code
        if status < 300:
            logger.debug("%s %s -> %s", call.method, request.url, status)
            return response
        content: bytes = yield ReadBody(response)
        headers = response.headers
        if status < 400:  # the service never redirects an API call: not a success
            raise unexpected_response(status, headers, content, "a redirect")
        logger.debug("%s %s -> %s (request id %s)", call.method, request.url, status,
                     headers.get("x-request-id") or headers.get("apim-request-id"))
        if status == 401 and refreshable and not refreshed:
            refreshed = True
            auth.invalidate()
            continue
        if attempt < max_retries and should_retry_status(status, headers, idempotent=call.idempotent):
            attempt += 1
            yield Sleep(retry_delay(attempt, headers))
            continue
        agent = call.agent
        error = error_from_response(
            status, headers, _decode_body(content),
            retry_after=parse_retry_after(headers),
            agent_name=agent.name if agent else None,
            agent_version=agent.version if agent else None,
            secrets=(token,),
        )
        error.client_request_id = client_request_id
        if not call.idempotent and outcome_unknown_status(status, headers):
            raise outcome_unknown(error, what)
        raise error


def _undecodable(flow: Flow, response: httpx.Response, exc: httpx.DecodingError) -> Exception:
    """A success body whose Content-Encoding is garbled: a typed error naming the answer."""
    flow.close()
    return unexpected_response(response.status_code, response.headers, None,
                               f"the body could not be decoded ({exc})")


def drive(flow: Flow, http: httpx.Client, auth: TokenProvider, limiter: Any = None) -> httpx.Response:
    """Run a flow with blocking I/O; every send (re-sends too) waits for ``limiter``'s slot and
    reports the status it got (``rate_limiter=``, :mod:`foundry_agents.rate_limit`)."""
    value: Any = None
    error: Exception | None = None
    while True:
        try:
            action = flow.throw(error) if error is not None else flow.send(value)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        value, error = None, None
        if isinstance(action, GetToken):
            value = auth.get_token()
        elif isinstance(action, Send):
            try:
                if limiter is not None:
                    limiter.acquire()
                value = http.send(action.request, stream=True)
                if limiter is not None:
                    limiter.on_response(value.status_code, value.headers)
                if not action.stream and value.status_code < 300:
                    try:
                        value.read()
                    except httpx.DecodingError as exc:
                        raise _undecodable(flow, value, exc) from None
                    finally:
                        value.close()
            except httpx.TransportError as exc:
                error = exc
        elif isinstance(action, ReadBody):
            try:
                value = action.response.read()
            except (httpx.TransportError, httpx.DecodingError):
                value = b""
            finally:
                action.response.close()
        else:
            time.sleep(action.seconds)


async def adrive(flow: Flow, http: httpx.AsyncClient, auth: TokenProvider, limiter: Any = None) -> httpx.Response:
    """Run a flow with asyncio I/O (the twin of :func:`drive`)."""
    value: Any = None
    error: Exception | None = None
    while True:
        try:
            action = flow.throw(error) if error is not None else flow.send(value)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        value, error = None, None
        if isinstance(action, GetToken):
            value = await auth.aget_token()
        elif isinstance(action, Send):
            try:
                if limiter is not None:
                    await limiter.aacquire()
                value = await http.send(action.request, stream=True)
                if limiter is not None:
                    await limiter.aon_response(value.status_code, value.headers)
                if not action.stream and value.status_code < 300:
                    try:
                        await value.aread()
                    except httpx.DecodingError as exc:
                        raise _undecodable(flow, value, exc) from None
                    finally:
                        await value.aclose()
            except httpx.TransportError as exc:
                error = exc
        elif isinstance(action, ReadBody):
            try:
                value = await action.response.aread()
            except (httpx.TransportError, httpx.DecodingError):
                value = b""
            finally:
                await action.response.aclose()
        else:
            await asyncio.sleep(action.seconds)
