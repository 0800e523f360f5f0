"""Decoding pictures for the window, off the GUI thread: one decoder for the grid's tiles, the
inspector's preview and the small thumbnails in the review and semantic tables.

QImageReader scales while it decodes (a JPEG is read at a fraction of its size), so a 6000 px photo
asked for at 56 px never exists in memory at full size; EXIF orientation is applied.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QImageReader

# Qt picks (and on first use loads) the format plugin while a reader opens its file; two threads
# doing that at once crashed the process now and then. Opening is short; decoding, the long part,
# still runs in parallel.
_OPENING = threading.Lock()


def decode_scaled(path: Path, max_edge: int) -> QImage:
    """The image at `path`, scaled down to fit a `max_edge` square (never up); a null QImage when
    the file cannot be read (`decode_error` says why)."""
    with _OPENING:
        reader = QImageReader(str(path))
        reader.setAutoTransform(True)
        size = reader.size()
    if size.isValid() and max(size.width(), size.height()) > max_edge:
        reader.setScaledSize(size.scaled(QSize(max_edge, max_edge), Qt.AspectRatioMode.KeepAspectRatio))
    return reader.read()


def decode_error(path: Path) -> str:
    """Why `decode_scaled` gave a null image, in Qt's words."""
    return QImageReader(str(path)).errorString() or "unreadable image"


def decode_thumbnails(paths: Mapping[int, Path], max_edge: int) -> dict[int, QImage]:
    """Small thumbnails for a table: id -> image, leaving out the files that cannot be read."""
    images = {entity_id: decode_scaled(path, max_edge) for entity_id, path in paths.items()}
    return {entity_id: image for entity_id, image in images.items() if not image.isNull()}
