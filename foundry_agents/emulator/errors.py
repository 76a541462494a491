"""The emulator's error type and the service's error envelope.

One exception, :class:`EmulatorError`, carries everything the envelope needs (status, code,
message, param, details, extra headers). Route handlers raise it; the app turns it into::

    {"error": {"code", "message", "param", "type", "details": [], "additionalInfo": {"request_id"}}}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: HTTP status -> the envelope's ``type``.
_ERROR_TYPES: dict[int, str] = {
    400: "invalid_request_error",
    401: "invalid_request_error",
    403: "invalid_request_error",
    404: "invalid_request_error",
    409: "invalid_request_error",
    429: "requests",
    500: "server_error",
    503: "server_error",
}


@dataclass
class EmulatorError(Exception):
    """An error answer: ``raise EmulatorError(404, "not_found", "Agent 'x' not found.")``."""

    status: int
    code: str
    message: str
    param: str | None = None
    details: list[dict[str, Any]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"

    def body(self, request_id: str) -> dict[str, Any]:
        """The JSON envelope for this error."""
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "param": self.param,
                "type": _ERROR_TYPES.get(self.status, "invalid_request_error"),
                "details": list(self.details),
                "additionalInfo": {"request_id": request_id},
            }
        }


def invalid(message: str, param: str | None = None) -> EmulatorError:
    """A 400 ``invalid_payload`` error."""
    return EmulatorError(400, "invalid_payload", message, param)


def not_found(message: str) -> EmulatorError:
    """A 404 ``not_found`` error."""
    return EmulatorError(404, "not_found", message)


def validation_errors(message: str, params: list[str]) -> EmulatorError:
    """400 ``invalid_payload``: one offending field in ``param``, several as ``details[]``."""
    if len(params) == 1:
        return invalid(message, params[0])
    details = [{"code": "ValidationError", "message": message, "param": p} for p in params]
    return EmulatorError(400, "invalid_payload", message, None, details)
