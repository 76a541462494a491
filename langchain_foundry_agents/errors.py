"""The core's errors, re-raised as classes that are also LangChain's error categories.

Each class below subclasses the :mod:`foundry_agents.errors` class of the same name *and* the
matching ``langchain_core.exceptions`` category, so both ``except foundry_agents.NotFoundError``
and ``except langchain_core.exceptions.ModelNotFoundError`` catch it. Status, code, request id,
``partial_response`` and every other attribute are kept::

    foundry_agents class           also inherits (langchain_core.exceptions)
    APIError                       ModelError
    ├── BadRequestError            ModelInvalidRequestError
    ├── UnprocessableEntityError   ModelInvalidRequestError
    ├── AuthenticationError        ModelAuthenticationError
    ├── PermissionDeniedError      ModelPermissionDeniedError
    ├── NotFoundError              ModelNotFoundError
    ├── RateLimitError             ModelRateLimitError
    ├── ServerError                ModelAPIError
    ├── ConflictError, APIStatusError   ModelError
    ├── APIConnectionError         ModelConnectionError
    │   └── APITimeoutError        ModelTimeoutError
    ├── ResponseFailedError        ModelAPIError     (a non-streamed failed response)
    │   └── StreamResponseFailedError  ModelAPIError (response.failed in a stream; also a StreamError)
    ├── WaitTimeoutError           ModelTimeoutError (a background wait's deadline passed)
    └── StreamError                ModelError
        ├── StreamInterruptedError ModelConnectionError
        ├── StreamDecodeError      ModelError
        └── StreamEventError       ModelError

Local configuration errors (:class:`foundry_agents.FoundryConfigError`, a ``ValueError``, and
its subclasses such as :class:`~foundry_agents.errors.AgentToolMismatchError`) are raised
unchanged: they happen before any call.

Example:
    >>> issubclass(NotFoundError, ModelNotFoundError) and issubclass(NotFoundError, core.NotFoundError)
    True
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from langchain_core.exceptions import (
    ModelAPIError,
    ModelAuthenticationError,
    ModelConnectionError,
    ModelError,
    ModelInvalidRequestError,
    ModelNotFoundError,
    ModelPermissionDeniedError,
    ModelRateLimitError,
    ModelTimeoutError,
)

import foundry_agents.errors as core

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseFailedError",
    "ServerError",
    "StreamError",
    "StreamEventError",
    "StreamDecodeError",
    "StreamInterruptedError",
    "StreamResponseFailedError",
    "UnprocessableEntityError",
    "WaitTimeoutError",
    "convert_error",
    "translate_errors",
]


class APIError(core.APIError, ModelError):
    """Something the service said (or the network on the way); see :class:`foundry_agents.APIError`."""


class APIStatusError(core.APIStatusError, APIError):
    pass


class BadRequestError(core.BadRequestError, APIStatusError, ModelInvalidRequestError):
    pass


class UnprocessableEntityError(core.UnprocessableEntityError, APIStatusError, ModelInvalidRequestError):
    pass


class AuthenticationError(core.AuthenticationError, APIStatusError, ModelAuthenticationError):
    pass


class PermissionDeniedError(core.PermissionDeniedError, APIStatusError, ModelPermissionDeniedError):
    pass


class NotFoundError(core.NotFoundError, APIStatusError, ModelNotFoundError):
    pass


class ConflictError(core.ConflictError, APIStatusError):
    pass


class RateLimitError(core.RateLimitError, APIStatusError, ModelRateLimitError):
    pass


class ServerError(core.ServerError, APIStatusError, ModelAPIError):
    pass


class APIConnectionError(core.APIConnectionError, APIError, ModelConnectionError):
    pass


class APITimeoutError(core.APITimeoutError, APIConnectionError, ModelTimeoutError):
    pass


class WaitTimeoutError(core.WaitTimeoutError, APIError, ModelTimeoutError):
    """A background response still running at the deadline; ``continuation_token`` picks it up."""


class StreamError(core.StreamError, APIError):
    pass


class StreamInterruptedError(core.StreamInterruptedError, StreamError, ModelConnectionError):
    pass


class ResponseFailedError(core.ResponseFailedError, APIError, ModelAPIError):
    pass


class StreamResponseFailedError(core.StreamResponseFailedError, ResponseFailedError, StreamError):
    pass


class StreamDecodeError(core.StreamDecodeError, StreamError):
    pass


class StreamEventError(core.StreamEventError, StreamError):
    pass


_CLASSES: dict[type[core.APIError], type[APIError]] = {
    core.APIError: APIError,
    core.APIStatusError: APIStatusError,
    core.BadRequestError: BadRequestError,
    core.UnprocessableEntityError: UnprocessableEntityError,
    core.AuthenticationError: AuthenticationError,
    core.PermissionDeniedError: PermissionDeniedError,
    core.NotFoundError: NotFoundError,
    core.ConflictError: ConflictError,
    core.RateLimitError: RateLimitError,
    core.ServerError: ServerError,
    core.APIConnectionError: APIConnectionError,
    core.APITimeoutError: APITimeoutError,
    core.WaitTimeoutError: WaitTimeoutError,
    core.StreamError: StreamError,
    core.StreamInterruptedError: StreamInterruptedError,
    core.ResponseFailedError: ResponseFailedError,
    core.StreamResponseFailedError: StreamResponseFailedError,
    core.StreamDecodeError: StreamDecodeError,
    core.StreamEventError: StreamEventError,
}


def convert_error(exc: core.APIError) -> APIError:
    """The LangChain-flavoured copy of a core error: most specific class, same attributes."""
    if isinstance(exc, APIError):
        return exc
    cls = next((_CLASSES[c] for c in type(exc).__mro__ if c in _CLASSES), APIError)
    err = cls.__new__(cls)
    Exception.__init__(err, *exc.args)
    err.__dict__.update(exc.__dict__)
    err.__traceback__ = exc.__traceback__
    return err


@contextlib.contextmanager
def translate_errors() -> Iterator[None]:
    """Re-raise core API errors as the classes above. The converted error takes the core error's
    cause (e.g. the credential's own error) as its ``__cause__``, so a traceback shows each
    message once; with no cause, the core error itself is the cause."""
    try:
        yield
    except core.APIError as exc:
        if isinstance(exc, APIError):
            raise
        raise convert_error(exc) from (exc.__cause__ or exc)
