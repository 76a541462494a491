import random

import httpx
import pytest

from foundry_agents.retry import (
    MAX_DELAY,
    outcome_unknown_status,
    parse_retry_after,
    retry_delay,
    sent_before_failure,
    should_retry_status,
)


@pytest.mark.parametrize(
    ("status", "headers", "idempotent", "expected"),
    [
        (429, {}, True, True),
        (408, {}, True, True),
        (409, {}, True, True),
        (500, {}, True, True),
        (503, {}, True, True),
        (400, {}, True, False),
        (404, {}, True, False),
        (400, {"x-should-retry": "true"}, True, True),
        (503, {"x-should-retry": "false"}, True, False),
        (500, {}, False, False),  # may have run the agent
        (502, {}, False, False),
        (504, {}, False, False),
        (408, {}, False, False),
        (409, {}, False, False),
        (429, {}, False, True),   # provably not processed
        (503, {}, False, True),   # overload answer, given before any work starts
        (500, {"x-should-retry": "true"}, False, True),
        (429, {"x-should-retry": "false"}, False, False),
    ],
)
def test_should_retry(status, headers, idempotent, expected):
    assert should_retry_status(status, httpx.Headers(headers), idempotent=idempotent) is expected


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"retry-after": "2"}, 2.0),
        ({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),  # in the past
        ({"retry-after": "soon"}, None),
        ({}, None),
    ],
)
def test_parse_retry_after(headers, expected):
    assert parse_retry_after(httpx.Headers(headers)) == expected


def test_http_date_in_future():
    assert parse_retry_after(httpx.Headers({"retry-after": "Thu, 01 Jan 2099 00:00:00 GMT"}), now=4070908790) == 10


def test_backoff_grows_and_is_capped():
    rng = random.Random(1)
    delays = [retry_delay(n, rng=rng) for n in range(1, 10)]
    assert delays[0] <= 0.5 and delays[1] > delays[0] * 1.2
    assert max(delays) <= MAX_DELAY


def test_unreasonable_retry_after_falls_back_to_backoff():
    assert retry_delay(1, httpx.Headers({"retry-after": "3600"})) <= 0.5


@pytest.mark.parametrize(
    ("status", "headers", "unknown"),
    [(500, {}, True), (502, {}, True), (504, {}, True), (408, {}, True), (503, {}, False),
     (429, {}, False), (400, {}, False), (404, {}, False), (409, {}, False),
     (500, {"x-should-retry": "true"}, False), (500, {"x-should-retry": "false"}, True)],
)
def test_outcome_unknown_status(status, headers, unknown):
    assert outcome_unknown_status(status, httpx.Headers(headers)) is unknown


@pytest.mark.parametrize(
    ("exc", "sent"),
    [(httpx.ConnectError("refused"), False), (httpx.ConnectTimeout("slow"), False),
     (httpx.PoolTimeout("busy"), False), (httpx.ReadError("reset"), True), (httpx.ReadTimeout("slow"), True),
     (httpx.WriteError("broken pipe"), True), (httpx.RemoteProtocolError("closed"), True)],
)
def test_sent_before_failure(exc, sent):
    assert sent_before_failure(exc) is sent
