"""SVG through QtSvg, rendered in the CPU pool (never on the GUI thread).

QtSvg draws text with Qt's fonts, which need a QGuiApplication: the window has one; the command line
makes an offscreen one on its main thread before importing (`use_cases.imports.prepare_decoders`);
any other process gets one here, the first time an SVG is read.
"""

from __future__ import annotations

import gzip
import threading
from pathlib import Path

from PIL import Image

from dam_desktop.services.media.media_facts import ImageFacts, MediaError, Probe, Source
from dam_desktop.services.media.thumbnails import THUMBNAIL_SIZE
from dam_desktop.utils.media_utils import MediaFormat, perceptual_hashes

# Drawings larger than this on their long side are refused rather than rendered.
MAX_SVG_EDGE = 100_000
_app_lock = threading.Lock()
_offscreen_app: object | None = None


def ensure_gui_app() -> None:
    global _offscreen_app
    from PySide6.QtGui import QGuiApplication

    with _app_lock:
        if QGuiApplication.instance() is None:
            _offscreen_app = QGuiApplication(["dam-desktop", "-platform", "offscreen"])


def read_svg(source: Source) -> bytes:
    data = source.read_bytes() if isinstance(source, Path) else source.read()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise MediaError(f"corrupt SVGZ: {exc}") from exc
    return data


def render_svg(data: bytes, max_edge: int) -> tuple[Image.Image, tuple[int, int]]:
    """The drawing fitted in a `max_edge` square (transparent background), and its own size."""
    from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    ensure_gui_app()
    renderer = QSvgRenderer(QByteArray(data))
    if not renderer.isValid():
        raise MediaError("corrupt or unreadable SVG image: the file is not valid SVG")
    box = renderer.viewBoxF()
    size = renderer.defaultSize()
    width, height = (size.width(), size.height()) if not size.isEmpty() else (box.width(), box.height())
    if width <= 0 or height <= 0:
        width, height = max_edge, max_edge
    if max(width, height) > MAX_SVG_EDGE:
        raise MediaError(f"SVG image is too large to render ({width:.0f} × {height:.0f})")
    shown = QSize(int(width), int(height)).scaled(
        QSize(max_edge, max_edge), Qt.AspectRatioMode.KeepAspectRatio
    )
    canvas = QImage(max(shown.width(), 1), max(shown.height(), 1), QImage.Format.Format_RGBA8888)
    canvas.fill(Qt.GlobalColor.transparent)
    painter = QPainter(canvas)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, canvas.width(), canvas.height()))
    painter.end()
    raw = bytes(canvas.constBits())[: canvas.sizeInBytes()]
    image = Image.frombuffer(
        "RGBA", (canvas.width(), canvas.height()), raw, "raw", "RGBA", canvas.bytesPerLine(), 1
    )
    return image.copy(), (round(width), round(height))


def probe(source: Source, fmt: MediaFormat) -> Probe:
    thumbnail, (width, height) = render_svg(read_svg(source), THUMBNAIL_SIZE)
    facts = ImageFacts(width=width, height=height, mode="SVG")
    phash, dhash = perceptual_hashes(thumbnail)
    return Probe(thumbnail=thumbnail, image=facts, phash=phash, dhash=dhash)
