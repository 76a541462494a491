"""The stream shell's JSON fast path decodes exactly what json.loads decodes, and fails the same."""

from __future__ import annotations

import json

import pytest

from foundry_agents.streaming.shells import _loads


@pytest.mark.parametrize("data", ['{"type": "x", "n": 1}', ' {"a": [1, 2]}', '{"a": "é"}  ', "[1]", '"s"', "3"])
def test_same_value_as_json_loads(data):
    assert _loads(data) == json.loads(data)


@pytest.mark.parametrize("data", ['{"a": 1} {"b": 2}', '{"a": 1', "", "NaNx", '{"a": 1} x'])
def test_same_error_as_json_loads(data):
    with pytest.raises(json.JSONDecodeError) as ours:
        _loads(data)
    with pytest.raises(json.JSONDecodeError) as theirs:
        json.loads(data)
    assert str(ours.value) == str(theirs.value)
