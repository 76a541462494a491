"""09: files, images and tool items: a CSV in and a chart out, generated images, OAuth consent, computer use."""

from __future__ import annotations

from .common import END, Cell, code, md, start

CELLS: list[Cell] = [
    *start("Files, images and tools", '''
Agents do more than write text. Here, mostly through LangChain's `ChatFoundryAgent` (and once
through LlamaIndex's `FoundryAgentLLM`): the `coder` agent (code interpreter) reads a CSV you give
it and writes a table and a chart back, the `painter` agent (image generation) streams a picture,
the `mcp-oauth` agent asks you to sign in before its MCP tool runs, and the `computer` agent asks
for screenshots. With a real project, create agents with these tools (see `docs/emulator.md` for
what each one does).
'''),
    md('''
## A CSV to analyse

Sales per month, written to a temporary folder. The notebook computes the column sums itself, to
compare them with what the agent finds.
'''),
    code('''
import tempfile
from pathlib import Path

work = Path(tempfile.mkdtemp(prefix="foundry-files-"))
MONTHS = [("2025-01", 120, 2400), ("2025-02", 135, 2835), ("2025-03", 160, 3520),
          ("2025-04", 148, 3108), ("2025-05", 171, 3933), ("2025-06", 190, 4560)]
sales = work / "sales.csv"
sales.write_text("month,units,revenue\\n" + "".join(f"{m},{u},{r}\\n" for m, u, r in MONTHS))
expected = {"units": sum(u for _, u, _ in MONTHS), "revenue": sum(r for _, _, r in MONTHS)}
print(sales.read_text())
print("the notebook's sums:", expected)
'''),
    md('''
## Send it to code interpreter

A file content block with a local `path` is uploaded by the upload rule (`docs/files.md`): the
file goes to the project's `/files`, the message carries its `file_id`, and the upload is deleted
once the call is over. `uploads=UploadedFiles()` reports what happened to it.
`include=["code_interpreter_call.outputs"]` asks for the code's logs too.
'''),
    code('''
from langchain_core.messages import HumanMessage

from foundry_agents import FoundryAgentsClient, UploadedFiles
from langchain_foundry_agents import ChatFoundryAgent

coder = ChatFoundryAgent("coder", project_endpoint=ENDPOINT, api_key=API_KEY,
                         include=["code_interpreter_call.outputs"])
uploads = UploadedFiles()
reply = coder.invoke([HumanMessage([
    {"type": "text", "text": "Sum each numeric column of this CSV and draw a bar chart of the sums."},
    {"type": "file", "path": str(sales)},
])], uploads=uploads)
print(reply.text)
for f in uploads.files:
    print(f"uploaded {f.filename} ({f.bytes} bytes, from a {f.origin}); deleted after the call: "
          f"{f.file_id in uploads.deleted}")
client = stack.enter_context(FoundryAgentsClient(ENDPOINT, api_key=API_KEY))
print("files left on the service:", [f.filename for f in client.iter_files()])
'''),
    md("The sums the agent reports, against the notebook's:"),
    code('''
import re

reported = {name: int(value) for name, value in re.findall(r"(\\w+) = (\\d+)", reply.text)}
print("the agent's sums:", reported)
print("same as the notebook's:", reported == expected)
'''),
    md('''
## What code interpreter ran

The `code_interpreter_call` is a `server_tool_call` block (the code, the container it ran in)
and a `server_tool_result` block (its outputs: the logs, and the image it drew).
'''),
    code('''
call = next(b for b in reply.content_blocks if b["type"] == "server_tool_call")
result = next(b for b in reply.content_blocks if b["type"] == "server_tool_result")
print(f"{call['name']} in container {call['extras']['container_id'][:12]}...:")
print(call["args"]["code"])
for output in result["output"]:
    print(f"[{output['type']}]", output.get("logs") or output["url"].split("/openai/v1/")[-1])
'''),
    md('''
## Download the files it made

The answer cites the files it wrote (`container_file_citation` annotations); they are listed in
`response_metadata["generated_files"]`. `download_file` streams each one to disk.
'''),
    code('''
for generated in reply.response_metadata["generated_files"]:
    path = coder.download_file(generated, work)  # a folder: the file keeps its own name
    print(f"{path.name}: {path.stat().st_size} bytes")
print((work / "report.csv").read_text())
'''),
    md('''
Show the chart: in Jupyter as an image, elsewhere as a line of text (the PNG header gives its size).
'''),
    code('''
import struct


def show(png: bytes, label: str) -> None:
    """Display a PNG in Jupyter; outside IPython, only print what it is."""
    width, height = struct.unpack(">II", png[16:24])
    print(f"{label}: {width}x{height} PNG, {len(png)} bytes")
    try:
        from IPython import get_ipython
        from IPython.display import Image, display
    except ImportError:
        return
    if get_ipython() is not None:
        display(Image(data=png))


show((work / "chart.png").read_bytes(), "chart.png")
'''),
    md('''
## Image generation, streamed

The `painter` agent streams partial images while it paints: each arrives as a chunk whose
`additional_kwargs["image_partials"]` holds a standard `image` block. The final image is an
`image` content block of the summed message.
'''),
    code('''
import base64

painter = ChatFoundryAgent("painter", project_endpoint=ENDPOINT, api_key=API_KEY)
picture = None
for chunk in painter.stream("Paint a lighthouse at dusk"):
    for partial in chunk.additional_kwargs.get("image_partials", []):
        show(base64.b64decode(partial["base64"]), f"partial image {partial['extras']['partial_image_index']}")
    picture = chunk if picture is None else picture + chunk
print(len(picture.additional_kwargs["image_partials"]), "partial images, then:")
image = next(b for b in picture.content_blocks if b["type"] == "image")
show(base64.b64decode(image["base64"]), f"final image ({image['mime_type']})")
print(picture.text)
'''),
    md('''
## The same in LlamaIndex

A `DocumentBlock(path=...)` is uploaded by the same rule. What code interpreter did is in
`additional_kwargs` (`code_interpreter_calls`, `generated_files`); a generated picture is an
`ImageBlock` of the message.
'''),
    code('''
from llama_index.core.llms import ChatMessage, DocumentBlock, ImageBlock, TextBlock

from llama_index_foundry import FoundryAgentLLM

li_coder = FoundryAgentLLM("coder", project_endpoint=ENDPOINT, api_key=API_KEY,
                           include=["code_interpreter_call.outputs"])
answer = li_coder.chat([ChatMessage(role="user", blocks=[
    TextBlock(text="Sum each numeric column of this CSV."),
    DocumentBlock(path=sales, document_mimetype="text/csv"),
])])
print(answer.message.content)
extra = answer.message.additional_kwargs
print("logs:", [o["logs"] for c in extra["code_interpreter_calls"] for o in c["outputs"] if o["type"] == "logs"])
print("generated files:", [f["filename"] for f in extra["generated_files"]])

li_painter = FoundryAgentLLM("painter", project_endpoint=ENDPOINT, api_key=API_KEY)
painted = li_painter.chat([ChatMessage(role="user", content="Paint a red kite over the sea")])
image = next(b for b in painted.message.blocks if isinstance(b, ImageBlock))
show(base64.b64decode(image.image), f"ImageBlock ({image.image_mimetype})")
print(painted.message.content)
'''),
    md('''
## An MCP tool behind OAuth

The `mcp-oauth` agent's calendar tool needs the user's sign-in. Its first answer has no text: it
ends with `finish_reason == "consent_required"` and the link to open. Here `httpx` opens the link
as the user's browser would (the emulator's consent page gives consent at once); then
`resend_after_consent` sends the same turn again, chained to the waiting reply.
'''),
    code('''
import httpx

from langchain_foundry_agents import resend_after_consent

calendar = ChatFoundryAgent("mcp-oauth", project_endpoint=ENDPOINT, api_key=API_KEY)
turn = [HumanMessage("What is on my calendar this week?")]
waiting = calendar.invoke(turn)
consent = waiting.response_metadata["oauth_consent_requests"][0]
print(waiting.response_metadata["finish_reason"], "for", consent["server_label"])
print("open:", consent["consent_link"])

page = httpx.get(consent["consent_link"])  # what the user does in a browser
print("consent page:", page.status_code, re.search(r"<h1>(.*?)</h1>", page.text).group(1))

answer = calendar.invoke(resend_after_consent(turn, waiting))
print(answer.text)
'''),
    md('''
## Computer use: screenshots on request

A `computer_call` is work for the client, like a function call: it arrives as a tool call named
`computer_use`, with the action in `args`. Here the "screen" is a PNG made on the spot (a window
with a title bar); `computer_screenshot_message` answers the call with it. The agent then clicks in the
middle of the screen it saw.
'''),
    code('''
import zlib

from langchain_foundry_agents import computer_screenshot_message


def screen(width: int, height: int) -> bytes:
    """A PNG of a grey window with a blue title bar."""
    rows = b"".join(b"\\x00" + (b"\\x28\\x5a\\xc8" if y < 24 else b"\\xe6\\xe6\\xe6") * width for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\\x89PNG\\r\\n\\x1a\\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


computer = ChatFoundryAgent("computer", project_endpoint=ENDPOINT, api_key=API_KEY)
history = [HumanMessage("Open the settings")]
reply = computer.invoke(history)
while reply.tool_calls:
    call = reply.tool_calls[0]
    print(f"{call['name']}: {call['args']}")
    shot = screen(640, 400)
    show(shot, "  answered with a screenshot")
    history += [reply, computer_screenshot_message(call, shot)]
    reply = computer.invoke(history)
print(reply.text)
'''),
    md("Remove the temporary folder."),
    code('''
import shutil

shutil.rmtree(work)
'''),
    *END,
]
