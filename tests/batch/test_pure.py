"""The pure parts of a batch run: records, the limiter, the resume scan, the summary."""

from __future__ import annotations

import json
import math
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from foundry_agents.batch import (
    AdaptiveRateLimiter,
    BatchSummary,
    parse_lines,
    scan_output,
    validate_records,
)
from foundry_agents.batch.records import BatchRecord, error_record, id_key
from foundry_agents.batch.summary import format_progress, percentile
from foundry_agents.errors import FoundryConfigError, RateLimitError


@pytest.mark.parametrize(("line", "expected"), [
    ('{"id": 1}', "line 2: 'input' must be a non-empty string"),
    ('{"id": 1, "input": ""}', "line 2: 'input' is empty"),
    ('{"id": true, "input": "x"}', "line 2: 'id' must be a non-empty string or an integer"),
    ('{"input": "x"}', "line 2: 'id' must be"),
    ('{"id": 1, "input": "x", "temperature": 1}', "line 2: unknown field(s) ['temperature']"),
    ('{"id": 1, "input": ["hi"]}', "line 2: 'input[0]' must be a message object"),
    ('{"id": 1, "input": "x", "metadata": {"a": 1}}', "line 2: 'metadata' must be an object of string values"),
    ('{"id": 1, "input": "x", "conversation": 5}', "line 2: 'conversation' must be a conversation id"),
    ('{"id": 1, "input": "x", "structured_inputs": []}', "line 2: 'structured_inputs' must be an object"),
    ('{"id": 1, "input": "x"', "line 2: not valid JSON"),
    ('[1, 2]', "line 2: expected a JSON object, got list"),
    ('{"id": 0, "input": "again"}', "line 2: duplicate id 0 (first on line 1)"),
])
def test_a_bad_line_is_refused_with_its_number(line: str, expected: str) -> None:
    with pytest.raises(FoundryConfigError) as info:
        parse_lines(['{"id": 0, "input": "first"}', line], source="in.jsonl")
    assert str(info.value).startswith("in.jsonl: 1 bad record(s)")
    assert expected in str(info.value)


def test_every_bad_line_is_listed_up_to_a_cap() -> None:
    lines = ["not json"] * 12 + ['{"id": "ok", "input": "x"}']
    with pytest.raises(FoundryConfigError, match=r"12 bad record\(s\): line 1: .*line 10: .*; and 2 more"):
        parse_lines(lines)


def test_good_lines_become_call_options() -> None:
    records = parse_lines([
        '{"id": "a", "input": "Hi"}', "", '{"id": 2, "input": [{"role": "user", "content": "Yo"}], '
        '"conversation": "conv_1", "structured_inputs": {"city": "Paris"}, "metadata": {"k": "v"}}'])
    assert records[0].options() == {"input": "Hi"}
    assert records[1].options() == {"input": [{"type": "message", "role": "user", "content": "Yo"}], "conversation": "conv_1",
                                    "structured_inputs": {"city": "Paris"}, "metadata": {"k": "v"}}


def test_python_records_are_checked_by_position() -> None:
    with pytest.raises(FoundryConfigError, match=r"record 1: 'input' must be"):
        validate_records([{"id": 1, "input": "x"}, {"id": 2}])
    assert validate_records([BatchRecord(id=1, input="x")])[0].id == 1


def test_ids_of_different_json_types_are_different_records() -> None:
    assert id_key(1) != id_key("1")
    assert len(parse_lines(['{"id": 1, "input": "a"}', '{"id": "1", "input": "b"}'])) == 2


def test_an_error_record_keeps_type_status_and_request_id() -> None:
    exc = RateLimitError("slow down", status_code=429, code="too_many_requests", request_id="req-9")
    out = error_record(BatchRecord(id=7, input="x"), exc, latency_s=0.25, attempts=3)
    assert out == {"id": 7, "status": "error", "latency_ms": 250.0, "attempts": 3,
                   "error": {"type": "RateLimitError", "message": "slow down", "status_code": 429,
                             "code": "too_many_requests", "request_id": "req-9", "client_request_id": None}}


# -- the limiter --------------------------------------------------------------------------------
@pytest.mark.parametrize(("max_rate", "burst", "times", "waits"), [
    (None, 1, [0, 0, 0], [0, 0, 0]),  # unbounded until told otherwise
    (10.0, 1, [0, 0, 0], [0, 0.1, 0.2]),  # one every 100 ms
    (10.0, 3, [0, 0, 0, 0], [0, 0, 0, 0.1]),  # a burst of 3, then paced
    (10.0, 1, [0, 1, 2], [0, 0, 0]),  # slower than the rate: never waits
    (2.0, 1, [0, 0.25], [0, 0.25]),  # half a slot already passed
])
def test_the_bucket_paces_sends(max_rate: float | None, burst: int, times: list[float], waits: list[float]) -> None:
    limiter = AdaptiveRateLimiter(max_rate=max_rate, burst=burst)
    assert [round(limiter.reserve(now=t), 6) for t in times] == waits


def test_a_429_pauses_everyone_for_retry_after_and_drops_to_the_accepted_rate() -> None:
    limiter = AdaptiveRateLimiter(burst=1)  # unbounded
    for i in range(20):  # 20 accepted in the first second
        limiter.reserve(now=i * 0.05)
        limiter.on_success(now=i * 0.05)
    limiter.on_throttled(now=1.0, retry_after=0.5)
    assert limiter.rate == pytest.approx(0.9 * 20 / 1.0)  # 90% of what was accepted
    assert limiter.reserve(now=1.0) == pytest.approx(0.5)  # nobody sends before retry-after
    assert limiter.state(now=1.0).throttled == 1


@pytest.mark.parametrize(("retry_after", "pause"), [(None, 1.0), (0.0, 0.0), (2.5, 2.5), (-1, 0.0)])
def test_the_pause_is_the_service_retry_after_or_min_pause(retry_after: float | None, pause: float) -> None:
    limiter = AdaptiveRateLimiter(max_rate=100.0, burst=100)
    limiter.on_throttled(now=10.0, retry_after=retry_after)
    assert limiter.state(now=10.0).paused_until == pytest.approx(pause)


def test_a_burst_of_429s_drops_the_rate_once() -> None:
    limiter = AdaptiveRateLimiter(max_rate=100.0)
    for _ in range(8):
        limiter.on_throttled(now=5.0, retry_after=0.1)
    assert limiter.rate == pytest.approx(90.0)
    limiter.on_throttled(now=6.5, retry_after=0.1)  # after the cooldown: a new drop
    assert limiter.rate == pytest.approx(81.0)


def test_the_rate_recovers_by_a_quarter_per_second_up_to_max_rate() -> None:
    limiter = AdaptiveRateLimiter(max_rate=100.0)
    limiter.on_throttled(now=0.0, retry_after=0.0)
    assert limiter.rate == pytest.approx(90.0)
    rates = []
    for t in (0.2, 0.4, 0.6):
        limiter.on_success(now=t)
        rates.append(limiter.rate)
    assert rates == pytest.approx([90.0 * 1.25 ** 0.2, 90.0 * 1.25 ** 0.4, 100.0])  # compounded, capped


def test_a_rate_set_too_low_recovers_within_seconds() -> None:
    limiter = AdaptiveRateLimiter()
    limiter.on_success(now=0.0)
    limiter.on_throttled(now=0.01, retry_after=0.0)  # a cold start: one answer seen, then a 429
    low = limiter.rate
    for step in range(1, 101):
        limiter.on_success(now=0.01 + step * 0.1)
    assert limiter.rate is not None and low is not None and limiter.rate > 9 * low  # x1.25 per second, 10 s


def test_the_rate_never_falls_below_min_rate() -> None:
    limiter = AdaptiveRateLimiter(max_rate=1.0, min_rate=0.5)
    for t in range(10):
        limiter.on_throttled(now=float(t * 2), retry_after=0.0)
    assert limiter.rate == 0.5


@pytest.mark.parametrize("bad", [0, -1.0, math.inf, math.nan, True])
def test_a_bad_max_rate_is_refused(bad: float) -> None:
    with pytest.raises(ValueError, match="max_rate must be a positive number"):
        AdaptiveRateLimiter(max_rate=bad)


# -- the resume scan ----------------------------------------------------------------------------
@pytest.mark.parametrize(("data", "done", "valid", "torn"), [
    (b"", set(), 0, False),
    (b'{"id": 1}\n{"id": "a"}\n', {"1", '"a"'}, 22, False),
    (b'{"id": 1}\n{"id": 2, "out', {"1"}, 10, True),  # killed mid-write
    (b'{"id": 1}\n\n{"id": 2}\n', {"1", "2"}, 21, False),
    (b'{"id": 1', set(), 0, True),
])
def test_the_scan_keeps_complete_lines_and_drops_a_torn_last_one(data: bytes, done: set[str], valid: int,
                                                                  torn: bool) -> None:
    scan = scan_output(data)
    assert (set(scan.done), scan.valid_bytes, scan.torn) == (done, valid, torn)


@pytest.mark.parametrize("bad", [b"garbage\n", b'{"no_id": 1}\n', b"[1]\n"])
def test_a_foreign_complete_line_refuses_the_file(bad: bytes) -> None:
    with pytest.raises(FoundryConfigError, match=r"out\.jsonl line 2 is not an output record"):
        scan_output(b'{"id": 1}\n' + bad, source="out.jsonl")


# -- the summary --------------------------------------------------------------------------------
@pytest.mark.parametrize(("values", "q", "expected"), [
    ([], 50, None), ([5.0], 95, 5.0), ([1.0, 2.0, 3.0, 4.0], 50, 2.0),
    ([float(i) for i in range(1, 101)], 95, 95.0), ([1.0, 2.0], 100, 2.0), ([1.0, 2.0], 0, 1.0),
])
def test_percentile_is_nearest_rank(values: list[float], q: float, expected: float | None) -> None:
    assert percentile(values, q) == expected


def test_the_summary_counts_outcomes_tokens_and_resends() -> None:
    summary = BatchSummary(total=4, skipped=1)
    summary.add({"id": 1, "status": "completed", "usage": {"input_tokens": 3, "output_tokens": 2},
                 "latency_ms": 10.0, "attempts": 3})
    summary.add({"id": 2, "status": "completed", "usage": None, "latency_ms": 30.0, "attempts": 1})
    summary.add({"id": 3, "status": "error", "error": {}, "latency_ms": 20.0, "attempts": 1})
    summary.elapsed_s = 2.0
    assert summary.as_dict() == {"total": 4, "skipped": 1, "ok": 2, "failed": 1, "input_tokens": 3,
                                 "output_tokens": 2, "throttled": 2, "elapsed_s": 2.0, "records_per_s": 1.5,
                                 "p50_ms": 20.0, "p95_ms": 30.0}
    assert summary.line().startswith("2 ok, 1 failed of 4 (1 already done) in 00:02 (1.5 records/s)")


def test_the_progress_line_shows_rate_eta_and_tokens() -> None:
    summary = BatchSummary(total=110, skipped=10)
    for _ in range(50):
        summary.add({"status": "completed", "usage": {"input_tokens": 2, "output_tokens": 1}})
    line = format_progress(summary, elapsed_s=10.0, width=10)
    assert line == "[#####.....] 50/100 50% | 5.0 rec/s | ETA 00:10 | tokens 100 in / 50 out"


def test_records_cross_process_boundaries() -> None:
    record = BatchRecord(id=1, input="x", metadata={"k": "v"})
    assert pickle.loads(pickle.dumps(record)) == record
    assert json.loads(json.dumps(record.options())) == record.options()


def test_chat_style_messages_get_the_message_type_the_service_needs() -> None:
    (record,) = parse_lines(['{"id": 1, "input": [{"role": "user", "content": "Hi"}, '
                             '{"type": "function_call_output", "call_id": "c", "output": "1"}]}'])
    assert record.input == [{"type": "message", "role": "user", "content": "Hi"},
                            {"type": "function_call_output", "call_id": "c", "output": "1"}]


# -- fuzz: the pure parsers never fail with anything but a clear error ---------------------------

_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
                     max_leaves=10)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=40), _JSON.map(json.dumps)), max_size=6))
def test_parse_lines_accepts_or_names_the_line(lines: list[str]) -> None:
    try:
        records = parse_lines(lines)
    except FoundryConfigError as exc:
        assert "bad record(s): line " in str(exc)
    else:
        assert len({id_key(r.id) for r in records}) == len(records)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=80) | st.lists(_JSON.map(json.dumps), max_size=4).map(lambda xs: "\n".join(xs).encode()))
def test_scan_output_keeps_whole_lines_or_refuses(data: bytes) -> None:
    try:
        scan = scan_output(data)
    except FoundryConfigError as exc:
        assert "is not an output record" in str(exc)
    else:
        assert scan.valid_bytes <= len(data) and (scan.valid_bytes == 0 or data[scan.valid_bytes - 1:scan.valid_bytes] == b"\n")
        assert scan.torn == (scan.valid_bytes < len(data))
