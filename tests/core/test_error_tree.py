"""One error tree: every class the packages export derives from FoundryAgentsError, and a failed
response is a StreamError only when it came in a stream."""

from __future__ import annotations

import httpx
import pytest

import foundry_agents
import foundry_agents.errors as errors
import langchain_foundry_agents
import llama_index_foundry
from foundry_agents import (
    FoundryAgentsError,
    FoundryConfigError,
    ResponseFailedError,
    StreamError,
    StreamResponseFailedError,
)
from langchain_foundry_agents.errors import convert_error
from tests.core._harness import collect_stream, run_client, sse

MODES = ["sync", "async"]
FAILED = {"id": "resp_1", "object": "response", "status": "failed", "output": [],
          "error": {"code": "server_error", "message": "it broke"}}


@pytest.mark.parametrize("package", [foundry_agents, langchain_foundry_agents, llama_index_foundry])
def test_every_exported_exception_is_in_the_tree(package):
    for name in package.__all__:
        value = getattr(package, name)
        if isinstance(value, type) and issubclass(value, BaseException):
            assert issubclass(value, FoundryAgentsError), f"{package.__name__}.{name}"


def test_the_tree_docstring_and_readme_name_every_class():
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text()
    errors_paragraph = readme[readme.index("**Errors.**"):readme.index("**Secrets.**")]
    for name in errors.__all__:
        value = getattr(errors, name)
        if isinstance(value, type) and issubclass(value, BaseException) and name != "FoundryAgentsError":
            assert name in errors.__doc__, name
    for name in ("AgentToolMismatchError", "StructuredOutputError", "ResponseFailedError",
                 "StreamResponseFailedError"):
        assert f"`{name}`" in errors_paragraph


def test_adapter_errors_are_the_core_classes():
    assert langchain_foundry_agents.AgentToolMismatchError is foundry_agents.AgentToolMismatchError
    assert issubclass(foundry_agents.AgentToolMismatchError, FoundryConfigError)
    assert llama_index_foundry.StructuredOutputError is foundry_agents.StructuredOutputError
    assert issubclass(foundry_agents.StructuredOutputError, ValueError)
    assert issubclass(langchain_foundry_agents.UnsupportedContentError, FoundryConfigError)


@pytest.mark.parametrize("mode", MODES)
def test_a_non_streamed_failed_response_is_not_a_stream_error(mode):
    with pytest.raises(ResponseFailedError, match="it broke") as info:
        run_client(mode, lambda r: httpx.Response(200, json=FAILED), lambda c: c.create_response("echo", input="x"))
    assert not isinstance(info.value, StreamError)
    assert info.value.response.id == "resp_1" and info.value.partial_response is info.value.response
    lc = convert_error(info.value)
    assert isinstance(lc, langchain_foundry_agents.ResponseFailedError) and not isinstance(lc, StreamError)


@pytest.mark.parametrize("mode", MODES)
def test_a_streamed_failed_response_is_both(mode):
    events = sse({"type": "response.created", "sequence_number": 0, "response": {**FAILED, "status": "in_progress"}},
                 {"type": "response.failed", "sequence_number": 1, "response": FAILED})

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=events, headers={"content-type": "text/event-stream"})

    with pytest.raises(ResponseFailedError, match="it broke") as info:
        run_client(mode, handler, lambda c: collect_stream(mode, c, "echo", input="x"))
    assert isinstance(info.value, StreamResponseFailedError) and isinstance(info.value, StreamError)
    assert info.value.partial_response.id == "resp_1"
    lc = convert_error(info.value)
    assert isinstance(lc, langchain_foundry_agents.StreamResponseFailedError)
    assert isinstance(lc, langchain_foundry_agents.StreamError) and isinstance(lc, errors.ResponseFailedError)
