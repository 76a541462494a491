import pytest

from foundry_agents import AgentRef, InvalidAgentReferenceError

GOOD = [
    ("weather", None, AgentRef("weather", None)),
    ("weather:3", None, AgentRef("weather", "3")),
    ("azure_ai/agents/weather:3", None, AgentRef("weather", "3")),
    ("azure_ai/agents/weather", None, AgentRef("weather", None)),
    ("weather", 4, AgentRef("weather", "4")),
    ("weather:4", "4", AgentRef("weather", "4")),
    ("My_Agent.v2-x", None, AgentRef("My_Agent.v2-x", None)),
    ("a" * 256, None, AgentRef("a" * 256, None)),
]


@pytest.mark.parametrize(("text", "version", "expected"), GOOD)
def test_parse_accepts(text, version, expected):
    assert AgentRef.parse(text, version=version) == expected


BAD = [
    ("", "empty"),
    ("   ", "whitespace"),
    ("my agent", "whitespace"),
    ("asst_abc123", "v1 assistant id"),
    ("a" * 257, "257 characters"),
    ("bad/name", "invalid character"),
    ("-leading", "invalid first or last"),
    ("weather:", "names no version"),
    ("weather:3 ", "not valid"),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_parse_rejects_with_specific_message(text, message):
    with pytest.raises(InvalidAgentReferenceError, match=message):
        AgentRef.parse(text)


def test_asst_ids_point_to_migration():
    with pytest.raises(InvalidAgentReferenceError, match="Migrating from v1 agents"):
        AgentRef.parse("asst_xyz")


def test_contradicting_versions_rejected():
    with pytest.raises(InvalidAgentReferenceError, match="pins version '3'"):
        AgentRef.parse("weather:3", version=4)


def test_invalid_agent_reference_is_value_error():
    with pytest.raises(ValueError):
        AgentRef.parse(42)  # type: ignore[arg-type]


def test_wire_and_str():
    assert AgentRef("w", "2").to_wire() == {"type": "agent_reference", "name": "w", "version": "2"}
    assert AgentRef("w").to_wire() == {"type": "agent_reference", "name": "w"}
    assert str(AgentRef("w", "2")) == "w:2"
    assert str(AgentRef("w")) == "w"
