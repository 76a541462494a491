"""Tiny valid PNG images made with the standard library (``zlib`` + ``struct``): the emulator's
charts, generated pictures and screenshots. Pure: pixels in, bytes out."""

from __future__ import annotations

import base64
import struct
import zlib
from collections.abc import Callable, Sequence

RGB = tuple[int, int, int]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def encode(width: int, height: int, pixel: Callable[[int, int], RGB]) -> bytes:
    """An 8-bit RGB PNG of ``width`` x ``height`` whose pixel at ``(x, y)`` is ``pixel(x, y)``."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter type: none
        for x in range(width):
            rows.extend(pixel(x, y))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + _chunk(b"IEND", b"")


def size_of(data: bytes) -> tuple[int, int] | None:
    """``(width, height)`` read from a PNG's header, or ``None`` when ``data`` is not a PNG."""
    if len(data) < 24 or not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def bar_chart(values: Sequence[float], *, width: int = 96, height: int = 64) -> bytes:
    """A bar chart of ``values`` (one bar each, scaled to the largest) on a white background."""
    palette: list[RGB] = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189)]
    count = max(1, len(values))
    top = max((abs(v) for v in values), default=0) or 1.0
    slot = width // count
    base = height - 4  # a baseline 4 px above the bottom

    def pixel(x: int, y: int) -> RGB:
        if y == base:
            return (0, 0, 0)
        index = min(x // max(slot, 1), count - 1)
        if index < len(values) and 2 <= x - index * slot < slot - 2:
            bar = round(abs(values[index]) / top * (base - 4))
            if base - bar <= y < base:
                return palette[index % len(palette)]
        return (255, 255, 255)

    return encode(width, height, pixel)


def scene(seed: int, *, size: int = 64, stage: int = 3) -> bytes:
    """A little landscape (sky, sun, hills) whose colours come from ``seed``; ``stage`` 1 and 2
    draw only part of it (what the partial images of an image generation show)."""
    sky: RGB = (90 + seed % 100, 150 + (seed >> 3) % 80, 230)
    sun: RGB = (250, 200 + (seed >> 5) % 50, 60)
    ground: RGB = (40 + (seed >> 7) % 60, 140 + (seed >> 9) % 80, 60)
    sun_x, sun_y, radius = size * 2 // 3, size // 4, size // 8

    def pixel(x: int, y: int) -> RGB:
        if stage >= 2 and y > size * 2 // 3 + (x * 7 % 5):
            return ground
        if stage >= 3 and (x - sun_x) ** 2 + (y - sun_y) ** 2 <= radius**2:
            return sun
        shade = y * 40 // size
        return (max(0, sky[0] - shade), max(0, sky[1] - shade), sky[2])

    return encode(size, size, pixel)


def screen(width: int, height: int, *, clicked: tuple[int, int] | None = None) -> bytes:
    """A plain 'desktop' with a title bar and a button (a red dot where ``clicked`` landed)."""
    button = (width // 3, height // 2, width * 2 // 3, height // 2 + height // 8)

    def pixel(x: int, y: int) -> RGB:
        if clicked is not None and abs(x - clicked[0]) <= 1 and abs(y - clicked[1]) <= 1:
            return (220, 20, 20)
        if y < height // 10:
            return (40, 60, 120)
        if button[0] <= x < button[2] and button[1] <= y < button[3]:
            return (0, 120, 215)
        return (240, 240, 240)

    return encode(width, height, pixel)
