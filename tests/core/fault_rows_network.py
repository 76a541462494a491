"""Network and status faults -> the documented outcome, as data (the README's "Retries" table).

Each row is one fault the transport or the service can produce for one kind of call, and what
the client does about it: is the request sent again, how many times is it sent when the fault
persists (``max_retries=2``), which error is raised, and does the error say the outcome is
unknown (the agent may have run). ``test_fault_matrix_network.py`` drives every row in sync and
async mode and checks the README table against :func:`readme_rows`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx

from foundry_agents import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    RateLimitError,
    ServerError,
)

Answer = Callable[[httpx.Request], httpx.Response]
MAX_RETRIES = 2


def _raise(exc_type: type[httpx.TransportError], message: str) -> Answer:
    def answer(request: httpx.Request) -> httpx.Response:
        raise exc_type(message, request=request)

    return answer


def _status(status: int, **headers: str) -> Answer:
    body = {"error": {"code": f"http_{status}", "message": f"injected {status}"}}
    return lambda request: httpx.Response(status, json=body, headers={"x-request-id": f"rid-{status}", **headers})


@dataclass(frozen=True)
class NetworkFault:
    failure: str
    call: str
    answer: Answer
    resent: bool
    #: Requests sent when the fault persists (the first try plus the retries it allows).
    sends: int
    error: type[Exception]
    outcome_unknown: bool = False
    #: Sleeps asked for before each re-send (``None``: exponential backoff).
    waits: tuple[float, ...] | None = None
    #: The call uses a refreshable credential (the 401 row).
    credential: bool = False

    @property
    def cells(self) -> tuple[str, ...]:
        resent = "once, new token" if self.credential else ("yes" if self.resent else "no")
        if not self.resent:
            wait = "-"
        elif self.waits is None:
            wait = "backoff"
        elif not self.waits:
            wait = "none"
        else:
            wait = f"{self.waits[0]:g} s"
        return (self.failure, f"`{self.call}`", resent, wait, str(self.sends),
                f"`{self.error.__name__}`", "yes" if self.outcome_unknown else "no")


HEADER = ("Failure", "Call", "Re-sent?", "Wait", "Sends if it persists", "Error", "Outcome unknown")

_RESET = _raise(httpx.ReadError, "[Errno 104] Connection reset by peer")
_PAST = "Wed, 21 Oct 2015 07:28:00 GMT"
N = 1 + MAX_RETRIES

ROWS: tuple[NetworkFault, ...] = (
    NetworkFault("connection refused (not sent)", "create_response",
                 _raise(httpx.ConnectError, "[Errno 111] Connection refused"), True, N, APIConnectionError),
    NetworkFault("connect timeout (not sent)", "create_response",
                 _raise(httpx.ConnectTimeout, "timed out"), True, N, APITimeoutError),
    NetworkFault("no free pooled connection (not sent)", "create_response",
                 _raise(httpx.PoolTimeout, "pool timeout"), True, N, APITimeoutError),
    NetworkFault("reset after the request was written", "create_response", _RESET, False, 1,
                 APIConnectionError, outcome_unknown=True),
    NetworkFault("reset after the request was written", "stream_response", _RESET, False, 1,
                 APIConnectionError, outcome_unknown=True),
    NetworkFault("reset after the request was written", "create_conversation", _RESET, False, 1,
                 APIConnectionError, outcome_unknown=True),
    NetworkFault("reset after the request was written", "add_conversation_items", _RESET, False, 1,
                 APIConnectionError, outcome_unknown=True),
    NetworkFault("reset after the request was written", "cancel_response", _RESET, False, 1,
                 APIConnectionError, outcome_unknown=True),
    NetworkFault("reset after the request was written", "get_response", _RESET, True, N, APIConnectionError),
    NetworkFault("reset after the request was written", "delete_response", _RESET, True, N, APIConnectionError),
    NetworkFault("closed without an answer", "create_response",
                 _raise(httpx.RemoteProtocolError, "Server disconnected without sending a response."),
                 False, 1, APIConnectionError, outcome_unknown=True),
    NetworkFault("read timeout (server stalls)", "create_response", _raise(httpx.ReadTimeout, "timed out"),
                 False, 1, APITimeoutError, outcome_unknown=True),
    NetworkFault("read timeout (server stalls)", "get_response", _raise(httpx.ReadTimeout, "timed out"),
                 True, N, APITimeoutError),
    NetworkFault("401, token refreshed", "create_response", _status(401), True, 2, AuthenticationError,
                 credential=True, waits=()),
    NetworkFault("429 `retry-after-ms: 250`", "create_response", _status(429, **{"retry-after-ms": "250"}),
                 True, N, RateLimitError, waits=(0.25, 0.25)),
    NetworkFault("429 `retry-after: 2`", "create_response", _status(429, **{"retry-after": "2"}),
                 True, N, RateLimitError, waits=(2.0, 2.0)),
    NetworkFault("429 `retry-after: <past HTTP date>`", "create_response", _status(429, **{"retry-after": _PAST}),
                 True, N, RateLimitError, waits=(0.0, 0.0)),
    NetworkFault("429 `x-should-retry: false`", "create_response", _status(429, **{"x-should-retry": "false"}),
                 False, 1, RateLimitError),
    NetworkFault("503 `retry-after: 1`", "create_response", _status(503, **{"retry-after": "1"}),
                 True, N, ServerError, waits=(1.0, 1.0)),
    NetworkFault("500", "create_response", _status(500), False, 1, ServerError, outcome_unknown=True),
    NetworkFault("502", "stream_response", _status(502), False, 1, ServerError, outcome_unknown=True),
    NetworkFault("504", "add_conversation_items", _status(504), False, 1, ServerError, outcome_unknown=True),
    NetworkFault("408", "create_response", _status(408), False, 1, APIStatusError, outcome_unknown=True),
    NetworkFault("500 `x-should-retry: true`", "create_response", _status(500, **{"x-should-retry": "true"}),
                 True, N, ServerError),
    NetworkFault("500", "get_response", _status(500), True, N, ServerError),
    NetworkFault("400", "create_response", _status(400), False, 1, BadRequestError),
)


def readme_rows() -> list[tuple[str, ...]]:
    """The README table's body, row for row."""
    return [row.cells for row in ROWS]
