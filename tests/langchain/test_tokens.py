"""Token counting without transformers and without network: tiktoken offline, else a heuristic."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import (
    AIMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
    trim_messages,
)

from foundry_agents import tokens
from langchain_foundry_agents import ChatFoundryAgent

EP = "http://127.0.0.1:9/api/projects/p"


@pytest.fixture
def no_tiktoken_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty tiktoken cache: the encoding is not available offline."""
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    tokens.offline_encoding.cache_clear()
    yield tmp_path
    tokens.offline_encoding.cache_clear()


def llm() -> ChatFoundryAgent:
    return ChatFoundryAgent("echo", project_endpoint=EP, api_key="k")


HISTORY = [SystemMessage("Be brief."), HumanMessage("What is the weather in Paris today?"),
           AIMessage("Sunny, 21 degrees."), HumanMessage("And tomorrow?")]


def test_get_num_tokens_works_without_transformers_or_network(no_tiktoken_cache: Path) -> None:
    assert tokens.offline_encoding() is None
    assert llm().get_num_tokens("Hello, world!") == 4  # Hello , world !
    assert llm().get_num_tokens("") == 0
    assert llm().get_num_tokens("internationalization") == 5  # 20 bytes / 4


def test_trim_messages_with_the_model_as_token_counter(no_tiktoken_cache: Path) -> None:
    model = llm()
    total = model.get_num_tokens_from_messages(HISTORY)
    assert total > model.get_num_tokens_from_messages(HISTORY[-1:]) > 0
    kept = trim_messages(HISTORY, max_tokens=total - 1, token_counter=model, strategy="last",
                         include_system=True, start_on="human")
    assert kept[0] == HISTORY[0] and kept[-1] == HISTORY[-1] and len(kept) < len(HISTORY)


def test_message_count_includes_tool_calls_results_and_images(no_tiktoken_cache: Path) -> None:
    model = llm()
    call = AIMessage("", tool_calls=[{"name": "get_weather", "args": {"city": "Paris"}, "id": "c1"}])
    base = model.get_num_tokens_from_messages([HumanMessage("hi")])
    assert model.get_num_tokens_from_messages([HumanMessage("hi"), call]) > base + 3
    assert model.get_num_tokens_from_messages([ToolMessage("sunny and warm", tool_call_id="c1")]) > 3 + 3
    image = HumanMessage([{"type": "text", "text": "hi"}, {"type": "image", "url": "https://x/a.png"}])
    assert model.get_num_tokens_from_messages([image]) == base + 85


def test_custom_token_ids_still_win(no_tiktoken_cache: Path) -> None:
    model = ChatFoundryAgent("echo", project_endpoint=EP, api_key="k",
                             custom_get_token_ids=lambda text: list(range(len(text))))
    assert model.get_num_tokens("abcdef") == 6


def test_tiktoken_is_used_when_its_encoding_is_cached(no_tiktoken_cache: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    tiktoken = pytest.importorskip("tiktoken")
    # A tiny byte-level encoding stands in for o200k_base; its "cache file" is written here.
    byte_level = tiktoken.Encoding(name="bytes", pat_str=r"\S+|\s+",
                                   mergeable_ranks={bytes([b]): b for b in range(256)}, special_tokens={})
    cache_file = no_tiktoken_cache / hashlib.sha1(tokens._ENCODING_URL.encode()).hexdigest()
    cache_file.write_bytes(b"stand-in")
    monkeypatch.setattr(tokens, "_ENCODING_SHA256", hashlib.sha256(b"stand-in").hexdigest())
    requested: list[str] = []

    def get_encoding(name: str) -> Any:
        requested.append(name)
        return byte_level

    monkeypatch.setattr(tiktoken, "get_encoding", get_encoding)
    assert llm().get_num_tokens("Hello") == 5  # one token per byte with the stand-in
    assert requested == ["o200k_base"]


def test_a_corrupt_cached_encoding_is_not_refetched(no_tiktoken_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tiktoken = pytest.importorskip("tiktoken")
    (no_tiktoken_cache / hashlib.sha1(tokens._ENCODING_URL.encode()).hexdigest()).write_bytes(b"truncated")

    def get_encoding(name: str) -> Any:
        raise AssertionError("tiktoken would re-download a corrupt cache file")

    monkeypatch.setattr(tiktoken, "get_encoding", get_encoding)
    assert llm().get_num_tokens("Hello, world!") == 4
