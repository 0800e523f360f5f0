"""Real files in the still-image formats Pillow decodes, made here: Pillow writes most of them;
PSD, XPM, CUR and FLI are written byte by byte from their published layouts."""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

SIZE = (96, 64)


def picture(mode: str = "RGB") -> Image.Image:
    """A left-to-right gradient with a square, so a thumbnail shows something recognisable."""
    x = np.linspace(0, 255, SIZE[0], dtype=np.uint8)
    rgb = np.stack(
        [
            np.tile(x, (SIZE[1], 1)),
            np.full((SIZE[1], SIZE[0]), 80, np.uint8),
            np.zeros((SIZE[1], SIZE[0]), np.uint8),
        ],
        -1,
    )
    rgb[16:48, 32:64] = 255
    return Image.fromarray(rgb, "RGB").convert(mode)


def _pillow(fmt: str, mode: str = "RGB", **options: object) -> Callable[[Path], None]:
    return lambda path: picture(mode).save(path, fmt, **options)


def _psd(path: Path) -> None:
    """Photoshop: the header, empty colour-mode, resource and layer sections, then the composite
    image uncompressed, one plane per channel."""
    width, height = SIZE
    planes = np.asarray(picture("RGB")).transpose(2, 0, 1).tobytes()
    header = b"8BPS" + struct.pack(">H6xHIIHH", 1, 3, height, width, 8, 3)
    path.write_bytes(header + struct.pack(">III", 0, 0, 0) + struct.pack(">H", 0) + planes)


def _xpm(path: Path) -> None:
    rows = ["abab" * 8, "baba" * 8] * 8
    lines = ['"32 16 2 1",', '"a c #FF0000",', '"b c #0000FF",'] + [f'"{r}",' for r in rows]
    path.write_text("/* XPM */\nstatic char *pic[] = {\n" + "\n".join(lines).rstrip(",") + "\n};\n")


def _cur(path: Path) -> None:
    """A cursor is an icon whose directory says type 2, with bitmap (not PNG) entries."""
    picture("RGBA").save(path, "ICO", sizes=[(64, 64)], bitmap_format="bmp")
    data = bytearray(path.read_bytes())
    data[2:4] = b"\x02\x00"
    path.write_bytes(bytes(data))


def _fli(path: Path) -> None:
    """An FLC animation of one frame holding a single BLACK chunk (every pixel colour 0)."""
    width, height = SIZE
    chunk = struct.pack("<IH", 6, 13) + bytes(4)  # the decoder wants 10 bytes left for any chunk
    frame = struct.pack("<IHH8x", 16 + len(chunk), 0xF1FA, 1) + chunk
    header = bytearray(128)
    struct.pack_into("<IHHHHHHI", header, 0, 128 + len(frame), 0xAF12, 1, width, height, 8, 3, 70)
    path.write_bytes(bytes(header) + frame)


# file name -> (writer, the MIME type the library records for it)
FORMATS: dict[str, tuple[Callable[[Path], None], str]] = {
    "texture.tga": (_pillow("TGA", "RGBA"), "image/x-tga"),
    "texture.dds": (_pillow("DDS", "RGBA"), "image/vnd-ms.dds"),
    "photo.avif": (_pillow("AVIF"), "image/avif"),
    "layers.psd": (_psd, "image/vnd.adobe.photoshop"),
    "app.ico": (_pillow("ICO", "RGBA", sizes=[(64, 64)]), "image/vnd.microsoft.icon"),
    "pointer.cur": (_cur, "image/x-win-bitmap"),
    "app.icns": (_pillow("ICNS", "RGBA"), "image/icns"),
    "scan.jp2": (_pillow("JPEG2000"), "image/jp2"),
    "raw.ppm": (_pillow("PPM"), "image/x-portable-anymap"),
    "grey.pgm": (_pillow("PPM", "L"), "image/x-portable-anymap"),
    "mask.pbm": (_pillow("PPM", "1"), "image/x-portable-anymap"),
    "frame.qoi": (_pillow("QOI", "RGBA"), "image/qoi"),
    "old.sgi": (_pillow("SGI"), "image/sgi"),
    "dos.pcx": (_pillow("PCX"), "image/x-pcx"),
    "cursor.xbm": (_pillow("XBM", "1"), "image/x-xbitmap"),
    "icon.xpm": (_xpm, "image/x-xpixmap"),
    "game.blp": (_pillow("BLP", "P"), "image/x-blp"),
    "intro.flc": (_fli, "video/x-fli"),
}
