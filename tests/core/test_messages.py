import pytest

from foundry_agents import (
    ApprovalResponsePart,
    ComputerCallOutputPart,
    ComputerCallPart,
    FilePart,
    FoundryConfigError,
    ImagePart,
    Message,
    TextPart,
    ToolCallPart,
    ToolResultPart,
    to_input_items,
)

TABLE = [
    ("user text", [Message("user", "Hi")],
     [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Hi"}]}]),
    ("system kept", [Message("system", "Ctx")],
     [{"type": "message", "role": "system", "content": [{"type": "input_text", "text": "Ctx"}]}]),
    ("developer", [Message("developer", "D")],
     [{"type": "message", "role": "developer", "content": [{"type": "input_text", "text": "D"}]}]),
    ("image url", [Message("user", [ImagePart(url="https://x/y.png")])],
     [{"type": "message", "role": "user", "content": [{"type": "input_image", "image_url": "https://x/y.png", "detail": "auto"}]}]),
    ("image file id", [Message("user", [ImagePart(file_id="assistant-1", detail="low")])],
     [{"type": "message", "role": "user", "content": [{"type": "input_image", "file_id": "assistant-1", "detail": "low"}]}]),
    ("file bytes", [Message("user", [FilePart(data=b"%PDF", filename="a.pdf")])],
     [{"type": "message", "role": "user", "content": [{"type": "input_file", "file_data": "data:application/pdf;base64,JVBERg==", "filename": "a.pdf"}]}]),
    ("file url", [Message("user", [FilePart(url="https://x/a.pdf")])],
     [{"type": "message", "role": "user", "content": [{"type": "input_file", "file_url": "https://x/a.pdf"}]}]),
    ("assistant replay is a plain message with string content (spec: EasyInputMessage)",
     [Message("assistant", [TextPart("Hel"), TextPart("lo")])],
     [{"type": "message", "role": "assistant", "content": "Hello"}]),
    ("assistant tool call", [Message("assistant", [ToolCallPart("call_1", "get_weather", '{"location":"Paris"}')])],
     [{"type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": '{"location":"Paris"}'}]),
    ("tool result string", [Message("tool", [ToolResultPart("call_1", "sunny")])],
     [{"type": "function_call_output", "call_id": "call_1", "output": "sunny"}]),
    ("tool result json", [Message("tool", [ToolResultPart("call_1", {"t": 20, "s": "\u00e9"})])],
     [{"type": "function_call_output", "call_id": "call_1", "output": '{"t": 20, "s": "\u00e9"}'}]),
    ("approval", [Message("tool", [ApprovalResponsePart("mcpr_1", True)])],
     [{"type": "mcp_approval_response", "approval_request_id": "mcpr_1", "approve": True}]),
    ("denial with reason", [Message("user", [ApprovalResponsePart("mcpr_1", False, "no")])],
     [{"type": "mcp_approval_response", "approval_request_id": "mcpr_1", "approve": False, "reason": "no"}]),
    ("computer call replayed before its screenshot (spec: ComputerToolCall input item)",
     [Message("assistant", [ComputerCallPart("call_1", {"type": "click", "x": 1, "y": 2}, id="cu_1",
                                             pending_safety_checks=[{"id": "sc_1", "code": "c", "message": "m"}])]),
      Message("tool", [ComputerCallOutputPart("call_1", image_url="data:image/png;base64,AAAA")])],
     [{"type": "computer_call", "call_id": "call_1", "id": "cu_1", "action": {"type": "click", "x": 1, "y": 2},
       "pending_safety_checks": [{"id": "sc_1", "code": "c", "message": "m"}], "status": "completed"},
      {"type": "computer_call_output", "call_id": "call_1",
       "output": {"type": "computer_screenshot", "image_url": "data:image/png;base64,AAAA"}}]),
    ("batched computer actions", [Message("assistant", [ComputerCallPart("call_2", actions=[{"type": "wait"}])])],
     [{"type": "computer_call", "call_id": "call_2", "actions": [{"type": "wait"}], "pending_safety_checks": [],
       "status": "completed"}]),
    ("empty text dropped only when empty", [Message("user", "")], []),
]


@pytest.mark.parametrize(("name", "messages", "expected"), TABLE, ids=[t[0] for t in TABLE])
def test_to_input_items(name, messages, expected):
    assert to_input_items(messages) == expected


def test_no_null_status_anywhere():
    items = to_input_items([Message("assistant", [TextPart("a"), ToolCallPart("c", "f")]), Message("user", "b")])
    assert all("status" not in i for i in items)


def test_system_role_modes():
    msgs = [Message("system", "S")]
    assert to_input_items(msgs, system_role="developer")[0]["role"] == "developer"
    with pytest.raises(FoundryConfigError, match="system_message_role='refuse'"):
        to_input_items(msgs, system_role="refuse")


@pytest.mark.parametrize(
    ("message", "error"),
    [
        (Message("user", [ToolResultPart("c", "x")]), "cannot carry a ToolResultPart"),
        (Message("tool", [TextPart("x")]), "must carry ToolResultPart"),
        (Message("robot", "x"), "role 'robot'"),  # type: ignore[arg-type]
    ],
)
def test_bad_messages_name_the_problem(message, error):
    with pytest.raises(FoundryConfigError, match=error):
        to_input_items([message])


@pytest.mark.parametrize(("make", "error"), [
    (lambda: ComputerCallPart("", {"type": "screenshot"}), "call_id must be a non-empty string"),
    (lambda: ComputerCallPart("call_1"), "exactly one of action= or actions="),
    (lambda: ComputerCallPart("call_1", {"type": "wait"}, actions=[{"type": "wait"}]), "exactly one of"),
    (lambda: ComputerCallPart("call_1", {"type": "wait"}, id=7), "id"),
])
def test_a_computer_call_part_names_what_is_wrong(make, error):
    with pytest.raises(FoundryConfigError, match=error):
        make()


def test_parts_need_exactly_one_source():
    with pytest.raises(FoundryConfigError):
        ImagePart()
    with pytest.raises(FoundryConfigError):
        FilePart(data=b"x", url="https://x")
