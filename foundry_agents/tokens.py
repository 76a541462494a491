"""Token estimates for the input of an agent call, without heavy dependencies (no network).

The agent's model and its tokenizer live on the service; the exact count of a call is the
``usage`` the service reports *after* the call (it also includes the agent's instructions, tool
definitions and any retrieved context, which the client never sees). Before a call, for trimming a
history, these functions estimate what the client sends:

- with ``tiktoken`` installed **and** its ``o200k_base`` encoding file already in tiktoken's cache
  (``$TIKTOKEN_CACHE_DIR``, ``$DATA_GYM_CACHE_DIR`` or ``<tmp>/data-gym-cache``), text is counted
  with that encoding (the GPT-4o / GPT-4.1 / o-series tokenizer). Nothing is ever downloaded;
- otherwise a heuristic: each word or punctuation mark counts ``round(utf8_bytes / 4)`` tokens,
  at least 1 (about right for English; expect +-30% elsewhere).

:func:`count_message_tokens` adds the chat framing the service adds (3 tokens per message and 3
to prime the answer), 85 per image (a low-detail image), and the name and arguments of tool calls.
Files are counted by their name only: the service extracts their text, which the client cannot see.

Example:
    >>> estimate_text_tokens("Hello, world!")
    4
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable
from typing import Any

from .messages import (
    ApprovalResponsePart,
    FilePart,
    ImagePart,
    Message,
    TextPart,
    ToolCallPart,
    ToolResultPart,
)

__all__ = ["ENCODING", "count_message_tokens", "count_text_tokens", "estimate_text_tokens", "offline_encoding"]

#: The tiktoken encoding of the models agents run on (GPT-4o, GPT-4.1, o-series).
ENCODING = "o200k_base"
#: Where tiktoken downloads that encoding from; its cache file is named by this URL's SHA-1.
_ENCODING_URL = "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"
#: Its SHA-256: tiktoken re-downloads a cache file that does not match, so it is checked first.
_ENCODING_SHA256 = "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"
_WORDS = re.compile(r"\w+|[^\w\s]", re.UNICODE)
_PER_MESSAGE = 3
_PRIMING = 3
_PER_IMAGE = 85


def _tiktoken_cache_file() -> str | None:
    """The path tiktoken would read ``o200k_base`` from, mirroring ``tiktoken.load.read_file_cached``."""
    cache_dir = os.environ.get("TIKTOKEN_CACHE_DIR", os.environ.get("DATA_GYM_CACHE_DIR"))
    if cache_dir is None:
        cache_dir = os.path.join(tempfile.gettempdir(), "data-gym-cache")
    if not cache_dir:  # caching disabled: tiktoken would download every time
        return None
    return os.path.join(cache_dir, hashlib.sha1(_ENCODING_URL.encode()).hexdigest())


@functools.cache
def offline_encoding() -> Any | None:
    """The tiktoken encoding when it loads without network, else ``None`` (checked once)."""
    try:
        import tiktoken
    except ImportError:
        return None
    path = _tiktoken_cache_file()
    if path is None or not _is_intact(path):
        return None
    try:
        return tiktoken.get_encoding(ENCODING)
    except Exception:  # e.g. a tiktoken without this encoding: fall back to the heuristic
        return None


def _is_intact(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest() == _ENCODING_SHA256
    except OSError:
        return False


def estimate_text_tokens(text: str) -> int:
    """The heuristic count: per word or punctuation mark ``round(utf8_bytes / 4)``, at least 1."""
    return sum(max(1, round(len(word.encode("utf-8")) / 4)) for word in _WORDS.findall(text))


def count_text_tokens(text: str) -> int:
    """Tokens of ``text``: tiktoken when available offline, else :func:`estimate_text_tokens`."""
    encoding = offline_encoding()
    if encoding is None:
        return estimate_text_tokens(text)
    return len(encoding.encode(text, disallowed_special=()))


def _part_tokens(part: Any) -> int:
    if isinstance(part, TextPart):
        return count_text_tokens(part.text)
    if isinstance(part, ImagePart):
        return _PER_IMAGE
    if isinstance(part, FilePart):
        return count_text_tokens(part.filename or "")
    if isinstance(part, ToolCallPart):
        return count_text_tokens(part.name) + count_text_tokens(part.arguments)
    if isinstance(part, ToolResultPart):
        output = part.output if isinstance(part.output, str) else json.dumps(part.output, default=str)
        return count_text_tokens(output)
    if isinstance(part, ApprovalResponsePart):
        return 1 + count_text_tokens(part.reason or "")
    return 0


def count_message_tokens(messages: Iterable[Message]) -> int:
    """Estimated input tokens of ``messages`` as the client sends them (see the module docstring)."""
    total = _PRIMING
    for message in messages:
        total += _PER_MESSAGE + count_text_tokens(message.role)
        total += sum(_part_tokens(part) for part in message.parts)
    return total
