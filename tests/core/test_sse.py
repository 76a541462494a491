import pytest

from foundry_agents.streaming.decoder import ServerSentEvent, SSEDecoder


def feed_all(chunks):
    d = SSEDecoder()
    out = []
    for c in chunks:
        out += d.feed(c)
    return out + d.flush()


def split_every(data: bytes, n: int):
    return [data[i : i + n] for i in range(0, len(data), n)]


CASES = [
    ("lf", b"event: a\ndata: {}\n\n", [ServerSentEvent("a", "{}")]),
    ("crlf", b"event: a\r\ndata: {}\r\n\r\n", [ServerSentEvent("a", "{}")]),
    ("cr", b"event: a\rdata: {}\r\r", [ServerSentEvent("a", "{}")]),
    ("no event line", b'data: {"type":"x"}\n\n', [ServerSentEvent(None, '{"type":"x"}')]),
    ("keep-alive comment", b": keep-alive\n\nevent: a\ndata: 1\n\n", [ServerSentEvent("a", "1")]),
    ("done sentinel", b"data: [DONE]\n\n", [ServerSentEvent(None, "[DONE]")]),
    ("multi-line data", b"data: a\ndata: b\n\n", [ServerSentEvent(None, "a\nb")]),
    ("no space after colon", b"event:a\ndata:1\n\n", [ServerSentEvent("a", "1")]),
    ("id field", b"id: 7\ndata: 1\n\n", [ServerSentEvent(None, "1", "7")]),
    ("missing final blank line", b"event: a\ndata: 1", [ServerSentEvent("a", "1")]),
    # At EOF the last event is dispatched whichever line ending ends its last line.
    ("last event without blank line (lf)", b"event: a\ndata: 1\n", [ServerSentEvent("a", "1")]),
    ("last event without blank line (crlf)", b"event: a\r\ndata: 1\r\n", [ServerSentEvent("a", "1")]),
    ("last event without blank line (cr)", b"event: a\rdata: 1\r", [ServerSentEvent("a", "1")]),
    ("utf8", "data: caf\u00e9 \u2019 \U0001f600\n\n".encode(), [ServerSentEvent(None, "caf\u00e9 \u2019 \U0001f600")]),
]


@pytest.mark.parametrize(("name", "data", "expected"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 1000])
def test_decoder_any_chunking(name, data, expected, chunk):
    assert feed_all(split_every(data, chunk)) == expected


def test_multibyte_character_split_across_chunks():
    data = "data: \u2019\n\n".encode()
    cut = data.index(b"\xe2") + 1  # inside the 3-byte character
    assert feed_all([data[:cut], data[cut:]]) == [ServerSentEvent(None, "\u2019")]


def test_crlf_split_between_chunks_makes_no_spurious_event():
    assert feed_all([b"data: 1\r", b"\n\r", b"\n"]) == [ServerSentEvent(None, "1")]


def test_invalid_utf8_is_a_typed_error_after_the_events_before_it():
    from foundry_agents import FoundryAgentsError, StreamDecodeError

    d = SSEDecoder()
    assert d.feed(b"data: 1\n\ndata: \xff\xfe\n\ndata: 2\n\n") == [ServerSentEvent(None, "1")]
    with pytest.raises(StreamDecodeError, match="not valid UTF-8") as info:
        d.flush()
    assert isinstance(info.value, FoundryAgentsError) and info.value.code == "invalid_stream_data"
    with pytest.raises(StreamDecodeError):  # the stream stays failed
        d.feed(b"data: 3\n\n")
