import pytest

from foundry_agents import InvalidEndpointError, ProjectEndpoint, Route
from foundry_agents.endpoints import resolve_endpoint

EP = "https://acme.services.ai.azure.com/api/projects/demo"


@pytest.mark.parametrize("value", [EP, EP + "/", f"  {EP}  "])
def test_valid_endpoint_normalised(value):
    ep = ProjectEndpoint.parse(value)
    assert ep.url == EP
    assert ep.project == "demo"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "empty"),
        ("acme.services.ai.azure.com/api/projects/demo", "not an http"),
        ("http://acme.services.ai.azure.com/api/projects/demo", "requires https"),
        ("https://acme.services.ai.azure.com", "no '/api/projects/<project>'"),
        ("https://acme.openai.azure.com/openai/v1", "no '/api/projects/<project>'"),
        (EP + "/openai/v1", "'/openai/v1' after the project name"),
        (EP + "/openai/v1/responses", "after the project name"),
        (EP + "?api-version=v1", "query"),
    ],
)
def test_malformed_endpoint_shows_expected_shape(value, message):
    with pytest.raises(InvalidEndpointError, match=message) as info:
        ProjectEndpoint.parse(value)
    assert "api/projects" in str(info.value)


def test_trailing_openai_suggests_the_root():
    with pytest.raises(InvalidEndpointError) as info:
        ProjectEndpoint.parse(EP + "/openai/v1")
    assert repr(EP) in str(info.value)


@pytest.mark.parametrize("host", ["127.0.0.1:8765", "localhost:1", "[::1]:9"])
def test_http_allowed_on_loopback(host):
    ep = ProjectEndpoint.parse(f"http://{host}/api/projects/emulator")
    assert ep.is_loopback


def test_routes():
    ep = ProjectEndpoint.parse(EP)
    assert ep.responses_url() == EP + "/openai/v1/responses"
    assert ep.responses_url(Route.PREVIEW) == EP + "/openai/responses?api-version=2025-11-15-preview"
    assert (
        ep.responses_url(Route.AGENT_ENDPOINT, agent_name="weather")
        == EP + "/agents/weather/endpoint/protocols/openai/responses?api-version=v1"
    )
    assert ep.conversations_url("conv_1", item_id="msg_2") == EP + "/openai/v1/conversations/conv_1/items/msg_2"
    assert ep.agents_url("w", version="3") == EP + "/agents/w/versions/3?api-version=v1"


def test_endpoint_from_environment(monkeypatch):
    monkeypatch.delenv("FOUNDRY_PROJECT_ENDPOINT", raising=False)
    monkeypatch.setenv("AZURE_AI_PROJECT_ENDPOINT", EP)
    assert resolve_endpoint(None).url == EP
    monkeypatch.setenv("FOUNDRY_PROJECT_ENDPOINT", "https://other.services.ai.azure.com/api/projects/x")
    assert resolve_endpoint(None).project == "x"


def test_missing_endpoint_explains(monkeypatch):
    monkeypatch.delenv("FOUNDRY_PROJECT_ENDPOINT", raising=False)
    monkeypatch.delenv("AZURE_AI_PROJECT_ENDPOINT", raising=False)
    with pytest.raises(InvalidEndpointError, match="FOUNDRY_PROJECT_ENDPOINT"):
        resolve_endpoint(None)


# -- ids are confined to one path segment (the layer behind the clients' own id checks) ----------


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [("a/b", "a%2Fb"), ("x?limit=1", "x%3Flimit%3D1"), ("x#f", "x%23f"), ("%2e%2e", "%252e%252e"),
     ("a b", "a%20b"), ("m\x00", "m%00"), ("..x", "..x"), ("\u2025", "%E2%80%A5")],
)
def test_odd_ids_stay_one_path_segment(raw, encoded):
    ep = ProjectEndpoint.parse(EP)
    conv = EP + "/openai/v1/conversations/c"
    assert ep.conversations_url("c", item_id=raw) == f"{conv}/items/{encoded}"
    assert ep.response_url(raw) == f"{EP}/openai/v1/responses/{encoded}"
    assert ep.agents_url(raw, version=raw) == f"{EP}/agents/{encoded}/versions/{encoded}?api-version=v1"
    import httpx

    assert httpx.URL(ep.conversations_url("c", item_id=raw)).raw_path.decode().startswith(
        "/api/projects/demo/openai/v1/conversations/c/items/")


@pytest.mark.parametrize("dots", ["", ".", "..", "..."])
def test_dot_segments_are_refused(dots):
    from foundry_agents import FoundryConfigError

    ep = ProjectEndpoint.parse(EP)
    for build in (lambda: ep.conversations_url("c", item_id=dots), lambda: ep.conversations_url(dots),
                  lambda: ep.response_url(dots), lambda: ep.agents_url(dots),
                  lambda: ep.agents_url("a", version=dots),
                  lambda: ep.responses_url(Route.AGENT_ENDPOINT, agent_name=dots or ".")):
        with pytest.raises(FoundryConfigError, match="cannot be used in a URL path"):
            build()
