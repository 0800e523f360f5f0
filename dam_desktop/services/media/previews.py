"""Pictures for the inspector's preview of files Qt's image readers cannot open: PSD, TGA, DDS and
Pillow's other formats, HEIC, camera RAW, SVG, PDF pages and font samples. Runs in a worker thread.

Returns None for the formats Qt reads itself (it scales JPEGs while decoding), so the preview keeps
that fast path.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from dam_desktop.services.media.media_facts import MediaError
from dam_desktop.services.media.media_probe import exif_facts, register_heif, upright
from dam_desktop.services.media.thumbnails import fitted_size
from dam_desktop.utils.media_utils import SNIFF_BYTES, display_path, sniff_media
from dam_desktop.utils.reduced_decode import decode_budget, decoded_bytes, load_reduced, prepare_reduced

QT_READS = frozenset({"JPEG", "PNG", "GIF", "WEBP", "BMP", "TIFF"})


def render_preview(path: Path, name: str, max_edge: int) -> Image.Image | None:
    """The file's picture fitted in a `max_edge` square, or None when Qt reads the format itself.
    `name` is the name it was imported under (stored copies are named by their hash)."""
    with path.open("rb") as handle:
        fmt = sniff_media(handle.read(SNIFF_BYTES), name or path.name)
    if fmt is None:
        raise MediaError(f"{display_path(path.name)}: not a recognised picture")
    if fmt.decoder == "pillow":
        if fmt.pil_format in QT_READS:
            return None
        if fmt.pil_format == "HEIF":
            register_heif()
        return _pillow(path, fmt.pil_format, max_edge)
    if fmt.decoder == "raw":
        return _fit(_raw(path), max_edge)
    if fmt.decoder == "svg":
        from dam_desktop.services.media.svg_probe import read_svg, render_svg

        return render_svg(read_svg(path), max_edge)[0]
    if fmt.decoder == "pdf":
        from dam_desktop.services.media.document_probe import render_first_page

        return render_first_page(path, max_edge)[0]
    if fmt.decoder == "font":
        from dam_desktop.services.media.font_probe import render_sample

        return render_sample(path.read_bytes(), min(max_edge, 768))[0]
    raise MediaError(f"a {fmt.name} has no picture to show")


def fitted_picture(path: Path, name: str, max_edge: int) -> Image.Image:
    """The file's picture fitted in a `max_edge` square, whatever its format (Pillow reads the ones
    `render_preview` leaves to Qt)."""
    rendered = render_preview(path, name, max_edge)
    return rendered if rendered is not None else _pillow(path, None, max_edge)


def _fit(image: Image.Image, max_edge: int) -> Image.Image:
    if max(image.size) > max_edge:
        image.thumbnail((max_edge, max_edge), Image.Resampling.LANCZOS)
    return image


def _pillow(path: Path, pil_format: str | None, max_edge: int) -> Image.Image:
    """Decoded at a reduced size where the decoder can, within the decode budget, and fitted and
    turned upright before anything is copied (`utils.reduced_decode`): a 16-megapixel WebP held
    about 450 MB here when it was decoded, turned and copied at full size."""
    try:
        with Image.open(path, formats=[pil_format] if pil_format else None) as image:
            orientation = exif_facts(image)[0]
            box = (max_edge, max_edge)
            prepare_reduced(image, box)
            with decode_budget(decoded_bytes(image)):
                pixels = load_reduced(image, path, box)
                if pixels.mode not in ("RGB", "RGBA"):
                    pixels = pixels.convert("RGBA")
                size = fitted_size(pixels.size, max_edge)
                fitted = pixels.resize(size, Image.Resampling.LANCZOS, reducing_gap=2.0)
                picture = upright(fitted, orientation)
    except (OSError, SyntaxError, ValueError) as exc:
        raise MediaError(f"cannot decode this picture: {exc}") from exc
    return picture


def _raw(path: Path) -> Image.Image:
    import rawpy

    from dam_desktop.services.media.raw_probe import embedded_preview, upright_picture

    try:
        with rawpy.imread(str(path)) as raw:
            return upright_picture(raw, embedded_preview(raw, draft=4096), half_size=False)
    except (rawpy.LibRawError, OSError, ValueError) as exc:
        raise MediaError(f"cannot decode this camera RAW image: {exc}") from exc


def as_rgba_bytes(image: Image.Image) -> tuple[bytes, int, int]:
    """The picture as tightly packed RGBA bytes, for a QImage."""
    rgba = image if image.mode == "RGBA" else image.convert("RGBA")
    return rgba.tobytes(), rgba.width, rgba.height


__all__ = ["MediaError", "as_rgba_bytes", "render_preview"]
