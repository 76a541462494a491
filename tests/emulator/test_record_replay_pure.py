"""The pure parts of record/replay: sanitizing, the recording format, id normalization, matching."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from foundry_agents.emulator.matching import (
    IdMap,
    Replayer,
    generic,
    index_session,
    normalize,
    project_path,
)
from foundry_agents.emulator.recording import body_bytes, decode_body, make_entry, sse_lines
from foundry_agents.emulator.sanitize import (
    SANITIZED_SUBSCRIPTION,
    sanitize_body,
    sanitize_headers,
    sanitize_text,
)
from tests.conftest import load_recording

UP = "https://myres.services.ai.azure.com/api/projects/p"
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl"
SUB = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"


@pytest.mark.parametrize(("text", "expected"), [
    (f"token {JWT} end", "token Sanitized end"),
    ("Authorization: Bearer abc123.def", "Authorization: Bearer Sanitized"),
    ("bearer Sanitized", "bearer Sanitized"),
    (f"/subscriptions/{SUB}/resourceGroups/rg", f"/subscriptions/{SANITIZED_SUBSCRIPTION}/resourceGroups/rg"),
    (f"{UP}/openai/v1/responses", "https://Sanitized.services.ai.azure.com/api/projects/p/openai/v1/responses"),
    ("see myres.services.ai.azure.com for more", "see Sanitized.services.ai.azure.com for more"),
    ("plain words and resp_0123456789abcdef0123", "plain words and resp_0123456789abcdef0123"),
])
def test_sanitize_text(text: str, expected: str) -> None:
    assert sanitize_text(text, upstream=UP) == expected


def test_sanitize_headers_drops_secrets_and_keeps_the_rest() -> None:
    headers = {"Authorization": "Bearer x", "api-key": "k", "Cookie": "c", "X-Stainless-OS": "Linux",
               "Content-Type": "application/json", "x-ms-client-request-id": f"{JWT}"}
    assert sanitize_headers(headers, upstream=UP) == {"Content-Type": "application/json",
                                                     "x-ms-client-request-id": "Sanitized"}


def test_sanitize_body_replaces_secret_fields_recursively() -> None:
    body = {"tools": [{"type": "mcp", "headers": {"Authorization": f"Bearer {JWT}"}, "api_key": "k1",
                       "server_url": f"https://management.azure.com/subscriptions/{SUB}/x"}],
            "password": "", "n": 3}
    assert sanitize_body(body, upstream=UP) == {
        "tools": [{"type": "mcp", "headers": {"Authorization": "Sanitized"}, "api_key": "Sanitized",
                   "server_url": f"https://management.azure.com/subscriptions/{SANITIZED_SUBSCRIPTION}/x"}],
        "password": "", "n": 3}
    assert body["tools"][0]["api_key"] == "k1"  # the input is left alone


@pytest.mark.parametrize("text", [
    "event: a\ndata: {}\n\nevent: b\ndata: {\"x\":1}\n\n",
    ": keep-alive\n\nevent: a\ndata: {}\n\n",
    "event: a\r\ndata: {}\r\n\r\n",
    "event: cut\ndata: {\"partial\"",
])
def test_sse_lines_round_trip_exactly(text: str) -> None:
    lines = sse_lines(text)
    assert "".join(lines) == text and all(line.strip("\r\n") for line in lines)
    assert body_bytes(lines, "text/event-stream") == text.encode()


@pytest.mark.parametrize(("raw", "content_type", "expected"), [
    (b"", "application/json", None),
    (b'{"a": 1}', "application/json; charset=utf-8", {"a": 1}),
    (b"not json", "text/plain", "not json"),
    (b"event: a\ndata: {}\n\n", "text/event-stream; charset=utf-8", ["event: a\n", "data: {}\n\n"]),
])
def test_decode_body(raw: bytes, content_type: str, expected: object) -> None:
    assert decode_body(raw, content_type) == expected


def test_body_bytes_of_json_is_compact_like_the_emulator() -> None:
    assert body_bytes({"a": [1, "é"]}, "application/json") == '{"a":[1,"é"]}'.encode()
    assert body_bytes(["a\n", "b\n"], "application/json") == b'["a\\n","b\\n"]'  # a JSON list stays JSON


def test_make_entry_is_sanitized_and_drops_connection_headers() -> None:
    entry = make_entry(
        method="post", url=f"{UP}/openai/v1/responses", request_headers={"Host": "127.0.0.1:9", "authorization": "Bearer t",
                                                                      "content-type": "application/json"},
        request_body=b'{"input":"hi"}', status=200,
        response_headers={"content-type": "text/event-stream", "content-length": "9", "x-request-id": "r"},
        response_body=b"event: a\ndata: {}\n\n", upstream=UP)
    assert entry == {
        "RequestUri": "https://Sanitized.services.ai.azure.com/api/projects/p/openai/v1/responses",
        "RequestMethod": "POST", "RequestHeaders": {"content-type": "application/json"},
        "RequestBody": {"input": "hi"}, "StatusCode": 200,
        "ResponseHeaders": {"content-type": "text/event-stream", "x-request-id": "r"},
        "ResponseBody": ["event: a\n", "data: {}\n\n"]}


CONV_A, CONV_B = "conv_" + "a" * 24, "conv_" + "b" * 24
RESP_A, RESP_B = "resp_" + "1" * 24, "resp_" + "2" * 24


@pytest.mark.parametrize(("text", "expected"), [
    (f"/openai/v1/conversations/{CONV_A}", "/openai/v1/conversations/<conv#1>"),
    (f"{RESP_A} {CONV_A}", "<resp#1> <conv#1>"),
    (f"{RESP_B}", "<resp#?>"),
    ("call_short stays", "call_short stays"),
])
def test_normalize_numbers_ids_in_minting_order(text: str, expected: str) -> None:
    ids = IdMap()
    ids.learn(json.dumps({"id": CONV_A, "output": [{"response_id": RESP_A}]}))
    assert normalize(text, ids) == expected
    assert generic(normalize(text, ids)) == generic(text)


@pytest.mark.parametrize(("url", "expected"), [
    ("https://Sanitized.services.ai.azure.com/api/projects/p/openai/v1/responses?x=1", "/openai/v1/responses"),
    ("/api/projects/emulator/agents/a/versions", "/agents/a/versions"),
    ("/other", "/other"),
])
def test_project_path(url: str, expected: str) -> None:
    assert project_path(url) == expected


def _entry(method: str, path: str, body: object, answer: object) -> dict[str, object]:
    return {"RequestMethod": method, "RequestUri": f"https://Sanitized.services.ai.azure.com/api/projects/p{path}",
            "RequestBody": body, "StatusCode": 200, "ResponseHeaders": {}, "ResponseBody": answer}


def test_a_session_with_other_ids_still_matches_in_order() -> None:
    recorded = index_session("s.json", [
        _entry("POST", "/openai/v1/conversations", {}, {"id": CONV_A}),
        _entry("POST", "/openai/v1/responses", {"conversation": CONV_A, "input": "hi"}, {"id": RESP_A}),
        _entry("POST", "/openai/v1/responses", {"conversation": CONV_A, "input": "hi"}, {"id": RESP_B}),
    ])
    replayer = Replayer(recorded)
    assert replayer.find("POST", "/api/projects/x/openai/v1/conversations", {}).recorded is recorded[0]
    # the live session names a conversation id the recording never saw: matched through the id map
    replayer.ids.names[CONV_B] = replayer.ids.names.pop(CONV_A)
    live = {"input": "hi", "conversation": CONV_B}
    assert replayer.find("POST", "/api/projects/x/openai/v1/responses", live).recorded is recorded[1]
    assert replayer.find("POST", "/api/projects/x/openai/v1/responses", live).recorded is recorded[2]  # next one
    miss = replayer.find("POST", "/api/projects/x/openai/v1/responses", live)
    assert miss.recorded is None and miss.closest is not None  # a POST is never served twice


def test_a_get_may_be_served_again_and_a_miss_names_the_closest() -> None:
    recorded = index_session("s.json", [
        _entry("GET", f"/openai/v1/responses/{RESP_A}", None, {"id": RESP_A}),
        _entry("POST", "/openai/v1/responses", {"input": "weather in Oslo", "stream": True}, {"id": RESP_B}),
    ])
    replayer = Replayer(recorded)
    for _ in range(2):
        assert replayer.find("GET", f"/api/projects/x/openai/v1/responses/{RESP_A}", None).recorded is recorded[0]
    miss = replayer.find("POST", "/api/projects/x/openai/v1/responses", {"input": "weather in Paris", "stream": True})
    assert miss.recorded is None and miss.closest is recorded[1] and miss.differs == ("input",)


def test_every_shipped_recording_matches_its_own_requests_in_order() -> None:
    entries = load_recording("agent_responses_conversation_crud")
    replayer = Replayer(index_session("crud.json", entries))
    for n, entry in enumerate(entries):
        assert replayer.find(entry["RequestMethod"], entry["RequestUri"], entry["RequestBody"]).recorded.source \
            == f"crud.json#{n}"


def test_only_the_recorder_imports_the_core_package() -> None:
    """The emulator stays independent of the client it tests; the recorder needs the credential."""
    import ast
    from pathlib import Path

    import foundry_agents.emulator as emulator

    root = Path(emulator.__file__).parent
    importers = set()
    for path in root.rglob("*.py"):
        package = ["foundry_agents", "emulator", *path.parent.relative_to(root).parts]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = package[: len(package) - node.level + 1] if node.level else []
                target = ".".join([*base, node.module or ""]) if node.level else (node.module or "")
            elif isinstance(node, ast.Import):
                target = " ".join(a.name for a in node.names)
            else:
                continue
            if "foundry_agents" in target and "foundry_agents.emulator" not in target:
                importers.add(path.relative_to(root).as_posix())
    assert importers == {"record.py"}

_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=30),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
                     max_leaves=20)


@given(st.text(alphabet=st.sampled_from("ab:\r\n {}é"), max_size=80))
def test_sse_lines_never_lose_a_byte(text: str) -> None:
    assert "".join(sse_lines(text)) == text


@given(_JSON)
def test_sanitize_body_keeps_the_shape_and_never_raises(body: object) -> None:
    out = sanitize_body(body, upstream=UP)
    assert json.loads(json.dumps(out)) == out and type(out) is type(body)


@given(st.sampled_from(["GET", "POST", "DELETE"]), st.text(max_size=40), _JSON)
def test_matching_arbitrary_requests_never_raises(method: str, path: str, body: object) -> None:
    replayer = Replayer(index_session("crud.json", load_recording("agent_responses_conversation_crud")))
    match = replayer.find(method, "/api/projects/p/" + path, body)
    assert match.recorded is not None or match.closest is not None
