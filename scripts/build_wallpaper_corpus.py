#!/usr/bin/env python3
"""Build the image-similarity evaluation corpus from Debian's wallpaper packages.

    python3 scripts/build_wallpaper_corpus.py --out ~/wallpaper-corpus      # ~40 MB of downloads

Downloads `desktop-base` (Debian's themes: each theme's 16:9 GRUB background is its wallpaper as
a bitmap) and `gnome-backgrounds` (GNOME's light and dark wallpapers) with `apt-get download`,
extracts them with `dpkg-deb -x`, and writes each wallpaper as PNG, at most `--size` pixels on
its long side, to `<out>/originals/`. The near-copies are made from these by
`benchmarks/image_similarity_eval.py` (and by `tests/test_duplicates.py` from the small copies in
`tests/fixtures/wallpapers/`). Needs Debian or Ubuntu with apt-get; no root.

Licences: desktop-base themes are GPL-2+ (Juliette Taka Belin, Alex Makas and others), GNOME
backgrounds CC-BY-SA 3.0 (Jakub Steiner and others); see each package's
/usr/share/doc/<package>/copyright.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import tempfile
from pathlib import Path

from PIL import Image

PACKAGES = ("desktop-base", "gnome-backgrounds")
# GRUB backgrounds are the only bitmap form of the Debian themes' wallpapers (the rest are SVG).
DEBIAN_GLOB = "usr/share/desktop-base/*-theme/grub/grub-16x9.png"
GNOME_GLOB = "usr/share/backgrounds/gnome/*.webp"
# GNOME's VNC backgrounds are a single flat colour, not a picture.
SKIP = frozenset({"vnc-l", "vnc-d"})


def extract(packages: tuple[str, ...], into: Path) -> Path:
    debs, root = into / "debs", into / "root"
    debs.mkdir()
    root.mkdir()
    for package in packages:
        subprocess.run(["apt-get", "download", package], cwd=debs, check=True)
    for deb in sorted(debs.glob("*.deb")):
        subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    return root


def wallpapers(root: Path) -> dict[str, Path]:
    found = {f"debian-{p.parent.parent.name.removesuffix('-theme')}": p for p in root.glob(DEBIAN_GLOB)}
    found.update({f"gnome-{p.stem}": p for p in root.glob(GNOME_GLOB) if p.stem not in SKIP})
    return dict(sorted(found.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--size", type=int, default=1280, help="longest side of the originals (px)")
    args = parser.parse_args()
    originals = args.out / "originals"
    originals.mkdir(parents=True, exist_ok=True)
    seen: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, source in wallpapers(extract(PACKAGES, Path(tmp))).items():
            image = Image.open(source).convert("RGB")
            # joy-inksplat's GRUB background is joy's, pixel for pixel: one picture, kept once.
            digest = hashlib.sha256(image.tobytes()).hexdigest()
            if digest in seen:
                print(f"{name}: the same picture as {seen[digest]}, left out")
                continue
            seen[digest] = name
            image.thumbnail((args.size, args.size), Image.Resampling.LANCZOS)
            image.save(originals / f"{name}.png")
            print(f"{name}: {image.width}x{image.height}")


if __name__ == "__main__":
    main()
