"""PDF through pdfium (pypdfium2): the first page as the thumbnail, the page count and the title.

pdfium is not thread-safe: one lock serialises it across the CPU pool (a first page renders in a
few milliseconds at thumbnail size).
"""

from __future__ import annotations

import threading
from pathlib import Path

from PIL import Image

from dam_desktop.services.media.media_facts import DocumentFacts, MediaError, Probe, Source
from dam_desktop.services.media.thumbnails import THUMBNAIL_SIZE
from dam_desktop.utils.media_utils import MediaFormat

_pdfium_lock = threading.Lock()


def render_first_page(source: Source, max_edge: int) -> tuple[Image.Image, int, str | None]:
    """(first page fitted in a `max_edge` square on white, page count, title)."""
    import pypdfium2 as pdfium

    data = source.read_bytes() if isinstance(source, Path) else source.read()
    with _pdfium_lock:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            reason = str(exc).split(":", 1)[-1].strip() or "not a PDF pdfium can open"
            raise MediaError(f"corrupt or unreadable PDF document: {reason}") from exc
        try:
            pages = len(pdf)
            if pages == 0:
                raise MediaError("PDF document has no pages")
            title = (pdf.get_metadata_dict().get("Title") or "").strip() or None
            page = pdf[0]
            width, height = page.get_size()
            scale = max_edge / max(width, height, 1.0)
            bitmap = page.render(scale=scale, fill_color=(255, 255, 255, 255))
            image = bitmap.to_pil().convert("RGB")
            page.close()
        except pdfium.PdfiumError as exc:
            raise MediaError(f"corrupt PDF document: {exc}") from exc
        finally:
            pdf.close()
    return image, pages, title[:255] if title else None


def probe(source: Source, fmt: MediaFormat) -> Probe:
    thumbnail, pages, title = render_first_page(source, THUMBNAIL_SIZE)
    return Probe(thumbnail=thumbnail, document=DocumentFacts(page_count=pages, title=title))
