"""``painter``: an image generation agent. Its picture is a real PNG (a small landscape whose
colours come from the prompt); streamed, two partial images come first, as the service streams
them when the tool asks for ``partial_images``."""

from __future__ import annotations

import re
import zlib
from typing import Any

from .. import png
from ..model import Reply, TurnContext
from ..transcript import last_user_text
from ._build import message

TOOL: dict[str, Any] = {"type": "image_generation", "output_format": "png", "quality": "low", "partial_images": 2}
SIZE = 64

_LEAD = re.compile(r"^(?:please\s+)?(?:(?:draw|paint|generate|create|make|show)\s+(?:me\s+)?)?(?:an?\s+|the\s+)?(?:(?:image|picture|painting|drawing)\s+of\s+)?(?:an?\s+|the\s+)?", re.I)


def subject_of(prompt: str) -> str:
    """``a lighthouse at dusk`` from ``Draw me a picture of a lighthouse at dusk.``"""
    subject = _LEAD.sub("", prompt.strip()).rstrip(".!? ")
    return subject or "a landscape"


def painter(ctx: TurnContext) -> Reply:
    """An ``image_generation_call`` with the final PNG (and two partials for streams), then a message."""
    prompt = last_user_text(ctx.items) or "a landscape"
    subject = subject_of(prompt)
    seed = zlib.crc32(subject.lower().encode())
    call = {
        "type": "image_generation_call",
        "status": "completed",
        "background": "opaque",
        "output_format": "png",
        "quality": "low",
        "size": f"{SIZE}x{SIZE}",
        "revised_prompt": f"A simple landscape picture of {subject}, with sky, sun and hills.",
        "result": png.b64(png.scene(seed, size=SIZE)),
        # Emulator-private (never on the wire): what the stream's partial_image events show.
        "_partials": [png.b64(png.scene(seed, size=SIZE, stage=stage)) for stage in (1, 2)],
    }
    return Reply(items=[call, message(f"Here is your picture of {subject}.")])
