"""The client's and the emulator's refused-field lists agree with each other, the docs and the recordings.

The emulator keeps its own list on purpose (it imports nothing from the client), so this test is
what stops the two readings of the protocol from drifting apart.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from foundry_agents.emulator.validation import REFUSED_WITH_AGENT
from foundry_agents.request import REFUSED_FIELDS
from tests.conftest import load_recording, recordings_dir

from .helpers import respond

DOCS = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"
#: Refused by the client only: not a Responses field (Chat Completions' name for ``text.format``).
CLIENT_ONLY = {"response_format"}


def documented() -> dict[str, str]:
    """``field -> status`` from the table under "Fields refused next to an agent" in docs/protocol.md."""
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("## Fields refused next to an agent", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(\w+)` \| ([^|]+?) \|", section, flags=re.M)
    assert rows, "no table rows found"
    return {name: status.strip() for name, status in rows}


def test_client_and_emulator_refuse_the_same_fields():
    assert set(REFUSED_FIELDS) - CLIENT_ONLY == set(REFUSED_WITH_AGENT)
    assert not CLIENT_ONLY & set(REFUSED_WITH_AGENT)


def test_docs_table_is_the_emulator_list():
    table = documented()
    assert list(table) == list(REFUSED_WITH_AGENT)
    assert set(table.values()) <= {"verified (report)", "verified (recording)", "verified (spec)", "unverified"}
    assert all(f"`{name}`" in DOCS.read_text(encoding="utf-8") for name in CLIENT_ONLY)


def _agent_calls():
    root = recordings_dir()
    for path in sorted(root.glob("*.json")):
        if path.name == "SOURCES.json":
            continue
        for index, entry in enumerate(load_recording(path.stem)):
            body = entry.get("RequestBody")
            if (entry["RequestMethod"] == "POST" and entry["RequestUri"].split("?")[0].endswith("/responses")
                    and isinstance(body, dict) and ("agent_reference" in body or "agent" in body)):
                yield f"{path.stem}#{index}", entry


def test_recorded_agent_calls_never_carry_a_refused_field_and_all_succeed():
    seen: set[str] = set()
    calls = list(_agent_calls())
    assert len(calls) >= 10
    for where, entry in calls:
        fields = set(entry["RequestBody"])
        assert entry["StatusCode"] == 200, where
        assert not fields & (set(REFUSED_FIELDS) | set(REFUSED_WITH_AGENT)), where
        seen |= fields
    # what real agent calls do send is allowed by both lists
    assert {"input", "conversation", "previous_response_id", "stream", "tool_choice"} <= seen


@pytest.mark.parametrize("field", sorted(set(REFUSED_FIELDS) - CLIENT_ONLY))
async def test_every_field_the_client_refuses_the_emulator_refuses(client, field):
    resp = await respond(client, "echo", "x", **{field: "gpt-4o" if field == "model" else 1})
    assert resp.status_code == 400
    error = resp.json()["error"]
    assert (error["message"], error["param"]) == ("Not allowed when agent is specified.", field)
