"""Fonts (TrueType, OpenType, collections, WOFF) drawn as a sample card with FreeType (Pillow)."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from dam_desktop.services.media.media_facts import DocumentFacts, MediaError, Probe, Source
from dam_desktop.services.media.thumbnails import THUMBNAIL_SIZE
from dam_desktop.utils.media_utils import MediaFormat

CARD_BACKGROUND = (250, 250, 247)
CARD_INK = (28, 30, 36)
CARD_DIM = (110, 116, 128)
SAMPLE_LINES = (("Aa", 96), ("Quick brown fox", 26), ("ABCDEFGHIJKLM", 20), ("0123456789 &?!", 20))


def _font(data: bytes, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(io.BytesIO(data), size)


def render_sample(data: bytes, edge: int = THUMBNAIL_SIZE) -> tuple[Image.Image, str]:
    """A square card showing the font, and its family and style as the font names them."""
    try:
        family, style = _font(data, 20).getname()
    except OSError as exc:
        raise MediaError(f"corrupt or unreadable font: {exc}") from exc
    card = Image.new("RGB", (edge, edge), CARD_BACKGROUND)
    draw = ImageDraw.Draw(card)
    name = " ".join(part for part in (family, style) if part) or "font"
    # The name at the top: the grid's format badge covers the bottom-left corner.
    draw.text((12, 8), name[:40], font=ImageFont.load_default(13 * edge // THUMBNAIL_SIZE), fill=CARD_DIM)
    y = 28 * edge // THUMBNAIL_SIZE
    for text, size in SAMPLE_LINES:
        font = _font(data, size * edge // THUMBNAIL_SIZE)
        while size > 8 and draw.textlength(text, font=font) > edge - 20:
            size -= 2
            font = _font(data, size * edge // THUMBNAIL_SIZE)
        draw.text((12, y), text, font=font, fill=CARD_INK)
        top, bottom = font.getbbox(text)[1], font.getbbox(text)[3]
        y += int(max(bottom, size) + max(6, top // 2))
    return card, name


def probe(source: Source, fmt: MediaFormat) -> Probe:
    data = source.read_bytes() if isinstance(source, Path) else source.read()
    card, name = render_sample(data)
    return Probe(thumbnail=card, document=DocumentFacts(page_count=None, title=name[:255]))
