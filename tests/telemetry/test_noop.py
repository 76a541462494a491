"""Without OpenTelemetry, or without a configured provider, telemetry is off and calls still work.

Each case runs in a fresh interpreter: OpenTelemetry's global providers can be set only once.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import sys
if sys.argv[3] == "absent":
    sys.modules["opentelemetry"] = None  # import fails as if not installed
from foundry_agents import FoundryAgent, FoundryAgentsClient, telemetry
from foundry_agents.tools import run_with_tools
assert (telemetry._trace is None) == (sys.argv[3] == "absent")
with FoundryAgentsClient(sys.argv[1], api_key=sys.argv[2]) as client:
    call = client._response_call("echo", {"input": "hi"}, stream=False)
    assert telemetry.AgentSpan.start(call) is None
    assert client.create_response("echo", input="hi").output_text
    with client.stream_response("echo", input="hi") as s:
        assert s._span is None and s.get_final_response().output_text
with telemetry.tool_span("t") as traced:
    assert traced(3) == 3
agent = FoundryAgent("weather", project_endpoint=sys.argv[1], api_key=sys.argv[2])
assert "sunny" in run_with_tools(agent, "Weather in Oslo?", tools={"get_weather": lambda location: "sunny"}).response.output_text
print("ok")
"""


@pytest.mark.parametrize("case", ["absent", "no-provider"])
def test_telemetry_is_off_and_harmless(case, emulator_endpoint, emulator_token):
    done = subprocess.run([sys.executable, "-c", SCRIPT, emulator_endpoint, emulator_token, case],
                          capture_output=True, text=True, cwd=ROOT, timeout=120,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
