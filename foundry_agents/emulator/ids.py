"""Identifier minting with the service's prefixes (``resp_``, ``msg_``, ``fc_``, ...).

Real ids are a prefix plus ~50 hex/alnum characters; clients must never parse them, so the
emulator only keeps the prefixes and the rough length.
"""

from __future__ import annotations

import secrets
import string
import uuid

_ALNUM = string.ascii_letters + string.digits

#: Output/conversation item type -> id prefix, as recorded.
ITEM_PREFIXES: dict[str, str] = {
    "message": "msg_",
    "function_call": "fc_",
    "function_call_output": "fco_",
    "reasoning": "rs_",
    "web_search_call": "ws_",
    "file_search_call": "fs_",
    "code_interpreter_call": "ci_",
    "mcp_list_tools": "mcpl_",
    "mcp_approval_request": "mcpr_",
    "mcp_approval_response": "mcpa_",
    "mcp_call": "mcp_",
    "workflow_action": "wfa_",  # as Microsoft Agent Framework's Foundry hosting mints them
    # Not recorded on Foundry: OpenAI's prefixes (spec examples), Foundry's from the SDKs' samples.
    "image_generation_call": "ig_",
    "computer_call": "cu_",
    "computer_call_output": "cuo_",
    "memory_search_call": "mem_",
    "oauth_consent_request": "oauthreq_",
    "structured_outputs": "so_",
}


def new_id(prefix: str, length: int = 48) -> str:
    """``prefix`` plus ``length`` random hex characters, e.g. ``resp_0c5a11fb...``."""
    return prefix + secrets.token_hex(length // 2)


def new_call_id() -> str:
    """A function call id, ``call_`` plus 24 alphanumerics (as the service mints them)."""
    return "call_" + "".join(secrets.choice(_ALNUM) for _ in range(24))


def new_conversation_id() -> str:
    """A conversation id, ``conv_`` plus 18 hex, ``00`` and 32 alphanumerics."""
    return "conv_" + secrets.token_hex(9) + "00" + "".join(secrets.choice(_ALNUM) for _ in range(32))


def item_id(item_type: str) -> str:
    """A fresh id for an item of ``item_type`` (unknown types get ``item_``)."""
    return new_id(ITEM_PREFIXES.get(item_type, "item_"))


def request_id() -> str:
    """The ``X-Request-ID`` value: 32 hex characters."""
    return uuid.uuid4().hex


def apim_request_id() -> str:
    """The ``apim-request-id`` value: a dashed UUID."""
    return str(uuid.uuid4())


def obfuscation(delta: str) -> str:
    """Padding like the service's ``obfuscation`` field (its length hides the delta's length)."""
    return "".join(secrets.choice(_ALNUM) for _ in range(max(4, 16 - len(delta))))
