"""Bad input gets the service's 4xx JSON envelope naming the field, never a 500 or a 200."""

from __future__ import annotations

import json

import pytest

from foundry_agents.emulator.routes_responses import MAX_TOTAL_DELAY, delta_pause
from foundry_agents.emulator.schema import MAX_DEPTH

from .helpers import PROJECT, ref, respond

URL = f"{PROJECT}/openai/v1/responses"
AGENTS = f"{PROJECT}/agents?api-version=v1"
PROMPT = {"kind": "prompt", "model": "gpt-4.1-mini"}


def error_of(resp, status: int = 400):
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    err = resp.json()["error"]
    assert set(err) == {"code", "message", "param", "type", "details", "additionalInfo"}
    assert err["type"] == "invalid_request_error"
    return err


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# -- inputs that used to crash the emulator with a plain-text 500 ----------------------------------

RAW_BODIES = [
    pytest.param(
        json.dumps({"agent_reference": ref("echo"), "input": "hi", "previous_response_id": ["x"]}),
        "previous_response_id", id="previous_response_id-list",
    ),
    pytest.param('{"agent_reference": {"name": "echo"}, "input": "\\ud800"}', None, id="lone-surrogate-input"),
    pytest.param('{"agent_reference": {"name": "echo"}, "input": "ok", "metadata": {"k": "\\udfff"}}', None,
                 id="lone-surrogate-metadata"),
    pytest.param('{"agent_reference": {"name": "echo"}, "input": ' + nested(1000) + "}", None, id="nested-1000"),
    pytest.param('{"agent_reference": {"name": "echo"}, "input": ' + nested(MAX_DEPTH + 1) + "}", None,
                 id="nested-over-limit"),
    pytest.param('{"agent_reference": {"name": "echo"}, "input": "x", "max_output_tokens": NaN}', None, id="NaN"),
    pytest.param(b'{"agent_reference": {"name": "echo"}, "input": "\xff"}', None, id="invalid-utf8"),
]


@pytest.mark.parametrize(("raw", "param"), RAW_BODIES)
async def test_malformed_response_bodies_are_400(client, raw, param):
    resp = await client.post(URL, content=raw, headers={"Content-Type": "application/json"})
    err = error_of(resp)
    assert err["code"] == "invalid_payload"
    assert err["param"] == param
    # and the emulator keeps serving
    assert (await respond(client, "echo", "still alive")).status_code == 200


async def test_metadata_list_on_create_agent(client):
    resp = await client.post(AGENTS, json={"name": "meta", "definition": PROMPT, "metadata": ["a"]})
    err = error_of(resp)
    assert (err["code"], err["param"]) == ("invalid_payload", "metadata")
    assert "expected an object, but got an array" in err["message"]


@pytest.mark.parametrize(
    ("metadata", "param"),
    [({"failures": "inf"}, "metadata.failures"), ({"failures": "-1"}, "metadata.failures"),
     ({"failures": "lots"}, "metadata.failures"), ({"failures": "1e9"}, "metadata.failures")],
)
async def test_flaky_with_bad_failures_is_400(client, metadata, param):
    err = error_of(await respond(client, "flaky", "x", metadata=metadata))
    assert err["param"] == param and "between 0 and" in err["message"]


@pytest.mark.parametrize("delay", ["inf", "nan", "-0.5", "1e9"])
async def test_slow_with_bad_delay_is_400_streamed_or_not(client, delay):
    for stream in (False, True):
        err = error_of(await respond(client, "slow", "x", stream=stream, metadata={"delay": delay}))
        assert err["param"] == "metadata.delay"


def test_streamed_pause_is_capped_like_the_json_one():
    # 30 s per delta over 200 deltas would be 100 minutes; the stream waits at most MAX_TOTAL_DELAY in all.
    assert delta_pause(30.0, 200) * 200 == pytest.approx(MAX_TOTAL_DELAY)
    assert delta_pause(0.05, 3) == 0.05
    assert delta_pause(0.0, 10) == 0.0 and delta_pause(1.0, 0) == 0.0


# -- wrong types the emulator used to accept with 200 ----------------------------------------------

WRONG_TYPES = [
    ("store", "no", "a boolean"),
    ("stream", "no", "a boolean"),
    ("background", 1, "a boolean"),
    ("metadata", [1], "an object"),
    ("tool_choice", 5, "a string or an object"),
    ("max_output_tokens", "lots", "an integer"),
    ("max_output_tokens", True, "an integer"),
    ("previous_response_id", 7, "a string"),
    ("include", "reasoning", "an array"),
    ("structured_inputs", [], "an object"),
    ("model", 4, "a string"),
]


@pytest.mark.parametrize(("field", "value", "expected"), WRONG_TYPES, ids=[f"{f}={v!r}" for f, v, _ in WRONG_TYPES])
async def test_wrong_field_types_are_400_with_param(client, field, value, expected):
    err = error_of(await respond(client, "echo", "x", **{field: value}))
    assert (err["code"], err["param"]) == ("invalid_payload", field)
    assert f"expected {expected}" in err["message"]


@pytest.mark.parametrize(
    ("field", "value", "param"),
    [("tool_choice", "sometimes", "tool_choice"), ("tool_choice", {"name": "f"}, "tool_choice.type"),
     ("max_output_tokens", 0, "max_output_tokens"), ("truncation", "maybe", "truncation"),
     ("metadata", {"k": 1}, "metadata.k"), ("metadata", {f"k{i}": "v" for i in range(17)}, "metadata"),
     ("include", ["a", 2], "include[1]")],
)
async def test_wrong_values_are_400_with_param(client, field, value, param):
    err = error_of(await respond(client, "echo", "x", **{field: value}))
    assert err["param"] == param


BAD_NAMES = ["../../x", "a/b", "nul\x00name", "emoji\U0001F600", "-lead", "trail-", "", "a" * 64, " space"]


@pytest.mark.parametrize("name", BAD_NAMES, ids=repr)
async def test_bad_agent_names_on_create(client, name):
    err = error_of(await client.post(AGENTS, json={"name": name, "definition": PROMPT}))
    assert err["param"] == "name"
    assert (await client.get(AGENTS)).status_code == 200


@pytest.mark.parametrize("name", [n for n in BAD_NAMES if n and len(n) < 64], ids=repr)
async def test_bad_agent_names_in_references(client, name):
    err = error_of(await client.post(URL, json={"input": "x", "agent_reference": {"type": "agent_reference", "name": name}}))
    assert err["param"] == "agent_reference.name"


async def test_bad_name_in_versions_path(client):
    resp = await client.post(f"{PROJECT}/agents/emoji%F0%9F%98%80/versions?api-version=v1", json={"definition": PROMPT})
    assert error_of(resp)["param"] == "name"


async def test_good_names_still_work(client):
    for name in ("a", "my-agent_2", "v1.2_x", "A" * 63):
        resp = await client.post(AGENTS, json={"name": name, "definition": PROMPT})
        assert resp.status_code == 200, (name, resp.text)


@pytest.mark.parametrize(
    ("body", "param"),
    [({"name": "d", "definition": "prompt"}, "definition"),
     ({"name": "d", "definition": {**PROMPT, "tools": {}}}, "definition.tools"),
     ({"name": "d", "definition": {**PROMPT, "instructions": 3}}, "definition.instructions"),
     ({"name": "d", "definition": PROMPT, "description": ["x"]}, "description"),
     ({"name": 5, "definition": PROMPT}, "name")],
)
async def test_create_agent_field_types(client, body, param):
    assert error_of(await client.post(AGENTS, json=body))["param"] == param


async def test_conversation_metadata_types(client):
    err = error_of(await client.post(f"{PROJECT}/openai/v1/conversations", json={"metadata": [1]}))
    assert err["param"] == "metadata"


# -- the type table agrees with the OpenAI Responses schema the service validates against ------------

def _spec_validator():
    import jsonschema

    from tests.conftest import load_openai_spec

    components = load_openai_spec()["components"]
    return jsonschema.Draft202012Validator({"$ref": "#/components/schemas/CreateResponse", "components": components})


def test_the_spec_refuses_what_the_emulator_refuses():
    spec = _spec_validator()
    for field, value, _ in WRONG_TYPES:
        # structured_inputs is Foundry-only (an object in foundry-v1-excerpt.yaml), absent from the
        # OpenAI schema.
        if field != "structured_inputs":
            assert list(spec.iter_errors({"input": "x", field: value})), (field, value)
    good = {"input": "x", "store": True, "stream": False, "background": False, "metadata": {"a": "b"},
            "tool_choice": "auto", "max_output_tokens": 100, "truncation": "auto", "previous_response_id": "resp_1",
            "include": ["message.output_text.logprobs"]}
    assert not list(spec.iter_errors(good))
