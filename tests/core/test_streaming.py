import pytest

from foundry_agents import (
    FunctionCallDelta,
    ItemDone,
    ReasoningDelta,
    ResponseDone,
    ResponseFailedError,
    ResponseStarted,
    StreamEventError,
    StreamInterruptedError,
    TextDelta,
)
from foundry_agents.streaming import StreamAccumulator

CREATED = {"type": "response.created", "sequence_number": 0,
           "response": {"id": "resp_1", "status": "in_progress", "output": [],
                        "agent_reference": {"type": "agent_reference", "name": "a", "version": "2"}}}


def text_events(text_chunks, output_index=0):
    yield {"type": "response.output_item.added", "output_index": output_index,
           "item": {"type": "message", "id": "msg_1", "role": "assistant", "content": []}}
    for chunk in text_chunks:
        yield {"type": "response.output_text.delta", "output_index": output_index, "content_index": 0,
               "delta": chunk, "item_id": "msg_1", "obfuscation": "xx", "logprobs": []}


def run(events):
    acc = StreamAccumulator(request_id="rid")
    out = []
    for e in events:
        out += acc.feed(e)
    return acc, out


def test_text_stream_final_equals_completed_payload():
    completed = {"type": "response.completed", "response": {
        "id": "resp_1", "status": "completed", "output": [{"type": "message", "id": "msg_1", "content": [
            {"type": "output_text", "text": "Hello world", "annotations": []}]}],
        "usage": {"input_tokens": 1, "output_tokens": 2, "total_tokens": 3}}}
    acc, out = run([CREATED, *text_events(["Hello", " world"]), completed])
    assert isinstance(out[0], ResponseStarted) and str(out[0].response.agent) == "a:2"
    assert [e.delta for e in out if isinstance(e, TextDelta)] == ["Hello", " world"]
    assert isinstance(out[-1], ResponseDone) and out[-1].response.output_text == "Hello world"
    assert out[-1].response.request_id == "rid" and acc.finished


def test_terminal_event_without_output_keeps_streamed_items():
    acc, out = run([CREATED, *text_events(["a", "b"]), {"type": "response.completed",
                    "response": {"id": "resp_1", "status": "completed"}}])
    assert out[-1].response.output_text == "ab"


def test_function_call_deltas_name_the_call():
    events = [CREATED,
              {"type": "response.output_item.added", "output_index": 0, "item": {
                  "type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "get_weather", "arguments": ""}},
              {"type": "response.function_call_arguments.delta", "output_index": 0, "delta": '{"loc'},
              {"type": "response.function_call_arguments.delta", "output_index": 0, "delta": 'ation":"P"}'},
              {"type": "response.function_call_arguments.done", "output_index": 0, "arguments": '{"location":"P"}'}]
    acc, out = run(events)
    calls = [e for e in out if isinstance(e, FunctionCallDelta)]
    assert calls[0].first and calls[0].delta == "" and calls[0].name == "get_weather"
    assert "".join(c.delta for c in calls) == '{"location":"P"}'
    assert all(c.call_id == "call_1" for c in calls)
    assert acc.partial_response().function_calls[0].arguments == '{"location":"P"}'


def test_reasoning_and_annotations_and_item_done():
    events = [CREATED,
              {"type": "response.output_item.added", "output_index": 0, "item": {"type": "reasoning", "id": "rs_1", "summary": []}},
              {"type": "response.reasoning_summary_text.delta", "output_index": 0, "summary_index": 0, "delta": "think"},
              {"type": "response.output_item.done", "output_index": 0, "item": {
                  "type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "think"}]}},
              *text_events(["See X"], output_index=1),
              {"type": "response.output_text.annotation.added", "output_index": 1, "content_index": 0,
               "annotation": {"type": "url_citation", "url": "https://x", "start_index": 4, "end_index": 5}}]
    acc, out = run(events)
    assert any(isinstance(e, ReasoningDelta) and e.delta == "think" for e in out)
    assert any(isinstance(e, ItemDone) and e.item.type == "reasoning" for e in out)
    partial = acc.partial_response()
    assert partial.reasoning[0].text == "think" and partial.annotations[0].url == "https://x"


def test_unknown_events_are_skipped():
    acc, out = run([CREATED, {"type": "response.brand_new.thing", "x": 1},
                    {"type": "response.brand_new_call.pondering"}, *text_events(["a"])])
    assert [type(e).__name__ for e in out] == ["ResponseStarted", "ItemAdded", "TextDelta"]


def test_error_event_raises_with_partial_output():
    acc, _ = run([CREATED, *text_events(["partial"])])
    with pytest.raises(StreamEventError) as info:
        acc.feed({"type": "error", "code": "server_error", "message": "boom", "param": None, "sequence_number": 5})
    err = info.value
    assert err.code == "server_error" and err.request_id == "rid"
    assert err.partial_response.output_text == "partial"


def test_failed_raises_with_error_details():
    acc, _ = run([CREATED, *text_events(["x"])])
    with pytest.raises(ResponseFailedError, match="model overloaded") as info:
        acc.feed({"type": "response.failed", "response": {"id": "resp_1", "status": "failed",
                  "error": {"code": "server_error", "message": "model overloaded"}}})
    assert info.value.code == "server_error" and info.value.partial_response.output_text == "x"


def test_close_before_terminal_event_is_an_error_not_a_short_answer():
    acc, _ = run([CREATED, *text_events(["half"])])
    with pytest.raises(StreamInterruptedError) as info:
        acc.close()
    assert info.value.partial_response.output_text == "half"


def test_incomplete_is_terminal_with_reason():
    acc, out = run([CREATED, *text_events(["cut"]), {"type": "response.incomplete", "response": {
        "id": "resp_1", "status": "incomplete", "incomplete_details": {"reason": "max_output_tokens"}}}])
    assert out[-1].response.incomplete_reason == "max_output_tokens"
    acc.close()  # no error


def test_linear_cost_for_many_deltas():
    # 20k deltas must not take quadratic time or memory.
    acc, out = run([CREATED, *text_events(["x"] * 20000)])
    assert acc.partial_response().output_text == "x" * 20000


def test_refusal_streams_and_is_kept_in_partial_output():
    from foundry_agents import RefusalDelta

    acc, out = run([CREATED,
                    {"type": "response.output_item.added", "output_index": 0,
                     "item": {"type": "message", "id": "msg_1", "content": []}},
                    {"type": "response.refusal.delta", "output_index": 0, "content_index": 0, "delta": "I can't"},
                    {"type": "response.refusal.delta", "output_index": 0, "content_index": 0, "delta": " help."}])
    assert [e.delta for e in out if isinstance(e, RefusalDelta)] == ["I can't", " help."]
    assert acc.partial_response().messages[0].content[0].refusal == "I can't help."



# -- malformed events: a typed StreamDecodeError that keeps what streamed --------------------------
@pytest.mark.parametrize("bad", [
    {"type": "response.output_text.delta", "output_index": "zero", "content_index": 0, "delta": "x"},
    {"type": "response.output_text.delta", "output_index": 0, "content_index": [1], "delta": "x"},
    {"type": "response.output_text.delta", "output_index": 0, "content_index": 0, "delta": 5},
    {"type": "response.output_item.added", "output_index": "1", "item": {"type": "message"}},
    {"type": "response.output_item.added", "output_index": 1, "item": "message"},
    {"type": "response.output_item.done", "output_index": -1, "item": {}},
    {"type": "response.function_call_arguments.delta", "output_index": 1.5, "delta": "{"},
    {"type": "response.completed", "response": [1]},
], ids=lambda e: f"{e['type']}-{sorted(e.items())[-1]}")
def test_malformed_event_is_a_stream_decode_error_with_partial(bad):
    from foundry_agents import StreamDecodeError

    acc = StreamAccumulator(request_id="rid")
    for e in [CREATED, *text_events(["Hel"])]:
        acc.feed(e)
    with pytest.raises(StreamDecodeError) as info:
        acc.feed(bad)
    err = info.value
    assert err.partial_response is not None and err.partial_response.output_text == "Hel"
    assert err.request_id == "rid" and err.code == "invalid_stream_data"


@pytest.mark.parametrize("event", [42, "x", None, [1, 2]])
def test_event_that_is_not_an_object_is_a_stream_decode_error(event):
    from foundry_agents import StreamDecodeError

    acc = StreamAccumulator(request_id="rid")
    with pytest.raises(StreamDecodeError, match="not a JSON object") as info:
        acc.feed(event)
    assert info.value.partial_response is not None
