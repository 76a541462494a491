"""The connection arguments as pydantic fields: declared once here, inherited by both adapters.

:class:`ConnectionFields` is generated from the signature of
:class:`~foundry_agents.connection.ConnectionSettings`, so a new connection argument appears in
``ChatFoundryAgent`` and ``FoundryAgentLLM`` without touching either. The fields keep the
arguments as given (``project_endpoint=None`` means "from the environment"), except that
``api_key`` and ``client_secret`` are wrapped in a :class:`~foundry_agents.connection.Secret` on
the way in. They are deliberately untyped: :meth:`ConnectionFields.connection_settings` hands them
to ``ConnectionSettings``, the one place that validates them (with the package's own errors, the
same for every entry point). Imports pydantic, so the core's clients do not import this module.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, create_model, field_validator

from ._secret import Secret
from .connection import CONNECTION_ARGUMENTS, DESCRIPTIONS, OBJECT_ARGUMENTS, ConnectionSettings

__all__ = ["ConnectionFields"]

_SECRETS = ("api_key", "client_secret")
_CREDENTIALS = ("api_key", "client_secret", "credential")


class _ConnectionBase(BaseModel):
    @field_validator(*_SECRETS, mode="before", check_fields=False)
    @classmethod
    def _hide_secret(cls, value: Any) -> Any:
        # Only wrap here; a wrong type is reported by ConnectionSettings (as FoundryConfigError,
        # not as a pydantic ValidationError), like at every other entry point.
        if isinstance(value, str):
            return Secret(value)
        reveal = getattr(value, "get_secret_value", None)
        if not isinstance(value, Secret) and callable(reveal) and isinstance(reveal(), str):
            return Secret(reveal())  # pydantic SecretStr
        return value

    def connection_settings(self, *, user_agent_extra: str | None = None) -> ConnectionSettings:
        """Validated settings from the fields; ``user_agent_extra`` goes before the user's own."""
        arguments = {name: self._connection_argument(name) for name in CONNECTION_ARGUMENTS}
        own = arguments["user_agent_extra"]
        if user_agent_extra and (own is None or isinstance(own, str)):  # else ConnectionSettings reports it
            arguments["user_agent_extra"] = f"{user_agent_extra} {own}" if own else user_agent_extra
        return ConnectionSettings(**arguments)

    def _connection_argument(self, name: str) -> Any:
        """The field's value as the core takes it (an adapter maps a field its framework shares)."""
        return getattr(self, name)

    def __getstate__(self) -> dict[Any, Any]:
        held = [name for name in _CREDENTIALS if getattr(self, name, None) is not None]
        if held:
            raise TypeError(
                f"{type(self).__name__} holds a credential ({', '.join(f'{n}=' for n in held)}) and "
                "refuses to be pickled, so the token never lands on disk or in a queue; rebuild it "
                "from its settings in the other process (without one, $FOUNDRY_API_KEY or "
                "DefaultAzureCredential is used)"
            )
        return super().__getstate__()


def _field(parameter: inspect.Parameter) -> tuple[Any, Any]:
    hidden = parameter.name in OBJECT_ARGUMENTS
    return (Any, Field(default=parameter.default, description=DESCRIPTIONS[parameter.name],
                       exclude=hidden, repr=not hidden))


_PARAMETERS = inspect.signature(ConnectionSettings.__init__).parameters
if TYPE_CHECKING:  # a generated pydantic class is not a valid base for type checkers
    class ConnectionFields:
        def connection_settings(self, *, user_agent_extra: str | None = None) -> ConnectionSettings: ...
        def _connection_argument(self, name: str) -> Any: ...
else:
    #: Pydantic fields for every connection argument (see the module docstring).
    ConnectionFields = create_model(
        "ConnectionFields", __base__=_ConnectionBase, __module__=__name__,
        **{name: _field(_PARAMETERS[name]) for name in CONNECTION_ARGUMENTS},
    )
