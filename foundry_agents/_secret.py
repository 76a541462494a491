"""``Secret``: the one holder of a token or client secret.

Why the value is not an attribute: Python has no private attributes, and every generic tool
walks them: ``vars()``, ``__dict__``/``__slots__``, ``copy``/``deepcopy``, ``pickle``, pydantic's
``model_dump``, debuggers, error reporters that dump locals. ``pydantic.SecretStr`` hides its
value from ``repr`` only; ``vars(secret_str)`` still shows it. A :class:`Secret` instance holds
*nothing*: its value lives in a private class-level :class:`weakref.WeakKeyDictionary` keyed by
the instance, so walking the instance (or anything that holds it) never meets the string, and the
value is dropped together with the instance. The only way back is
:meth:`Secret.get_secret_value`, which the HTTP layer calls when it builds the ``Authorization``
header. (A closure would hide it as well, but its cell is one generic ``__closure__`` walk away
from the instance; the weak map is reachable only through the class, by name.)

A ``Secret`` is immutable, so copies are the same object; pickling is refused, so a token never
lands on disk or in a queue.
"""

from __future__ import annotations

import weakref
from typing import Any, ClassVar

__all__ = ["Secret"]

MASK = "**********"


class Secret:
    """A secret string that only :meth:`get_secret_value` reveals.

    Example:
        >>> token = Secret("abc")
        >>> token, str(token), token.get_secret_value()
        (Secret('**********'), '**********', 'abc')
    """

    __slots__ = ("__weakref__",)
    _values: ClassVar[weakref.WeakKeyDictionary[Secret, str]] = weakref.WeakKeyDictionary()

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"a Secret holds a string, got {type(value).__name__}")
        Secret._values[self] = value

    def get_secret_value(self) -> str:
        """The value (same name as ``pydantic.SecretStr``'s accessor)."""
        return Secret._values[self]

    def __repr__(self) -> str:
        return f"Secret('{MASK}')"

    def __str__(self) -> str:
        return MASK

    def __copy__(self) -> Secret:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Secret:
        return self

    def __reduce__(self) -> Any:
        raise TypeError("a Secret (token or client secret) cannot be pickled")
