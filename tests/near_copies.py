"""The near-copies of a picture that libraries collect (the duplicate and similarity issue's four):
resized to half, re-encoded as JPEG quality 60, cropped by 5%, and a small colour shift. Shared by
the wallpaper tests and `benchmarks/image_similarity_eval.py`, so both measure the same copies."""

from __future__ import annotations

import io

from PIL import Image

COPIES = ("half", "q60", "crop5", "colour")


def near_copy(image: Image.Image, kind: str) -> Image.Image:
    w, h = image.size
    if kind == "half":
        return image.resize((w // 2, h // 2), Image.Resampling.LANCZOS)
    if kind == "q60":
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=60)
        return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    if kind == "crop5":
        dx, dy = int(w * 0.025), int(h * 0.025)
        return image.crop((dx, dy, w - dx, h - dy))
    r, g, b = image.split()
    return Image.merge("RGB", (r.point(lambda v: min(255, v + 12)), g, b.point(lambda v: max(0, v - 8))))
