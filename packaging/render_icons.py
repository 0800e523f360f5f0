"""Render the app icon (resources/icons/dam-desktop.svg) to the sizes each platform wants.

Runs at package build time, offline: Qt's SVG renderer draws the PNGs, Pillow packs the Windows
.ico and the macOS .icns from them.

    python packaging/render_icons.py OUT_DIR
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
SVG = Path(__file__).resolve().parent.parent / "resources" / "icons" / "dam-desktop.svg"


def render_pngs(svg: Path, out_dir: Path) -> dict[int, Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"render_icons: cannot read {svg}")
    written: dict[int, Path] = {}
    for size in PNG_SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        target = out_dir / f"dam-desktop-{size}.png"
        if not image.save(str(target)):
            raise SystemExit(f"render_icons: cannot write {target}")
        written[size] = target
    del app
    return written


def pack_ico_and_icns(pngs: dict[int, Path], out_dir: Path) -> None:
    from PIL import Image

    largest = Image.open(pngs[max(pngs)])
    largest.save(out_dir / "dam-desktop.ico", sizes=[(s, s) for s in ICO_SIZES])
    largest.save(out_dir / "dam-desktop.icns")


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out_dir = Path(argv[1])
    out_dir.mkdir(parents=True, exist_ok=True)
    pngs = render_pngs(SVG, out_dir)
    pack_ico_and_icns(pngs, out_dir)
    print(f"render_icons: {len(pngs)} PNG sizes, .ico and .icns in {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
