"""Make the README screenshots of issue 18 (every kind of file) from real files, under Xvfb:

    xvfb-run -a -s '-screen 0 1600x1000x24' .venv/bin/python scripts/formats_screenshots.py

The pictures are Debian's wallpapers (`gnome-backgrounds`, `desktop-base`, fetched with
`apt-get download` and unpacked with `dpkg-deb -x`; no root needed): the SVGs are the packages'
own; the RAW is a DNG written by pidng from a Bayer mosaic of a wallpaper photo, the HEIC is
written by pillow-heif, the PSD byte by byte (composite image), the clips by PyAV (H.264 and VP9,
a slow pan across a wallpaper), the sounds by PyAV (AAC in M4A and Opus, with tags), the PDF by
Pillow; the fonts are Debian's DejaVu (`fonts-dejavu-core`).

- docs/screenshots/formats-grid.png: one folder holding RAW, HEIC, PSD, SVG, video, PDF, fonts
  and sounds, each with its thumbnail and format badge (clips and sounds with their length), the
  RAW selected: its camera, date and sensor size in the inspector.
- docs/screenshots/video-inspector.png: a clip playing in the inspector, its codecs, frame rate
  and duration listed.

Licences: GNOME backgrounds CC-BY-SA 3.0, Debian themes GPL-2+, DejaVu fonts: Bitstream Vera
licence; see each package's /usr/share/doc/<package>/copyright.
"""

from __future__ import annotations

import argparse
import shutil
import struct
import subprocess
import sys
import tempfile
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from PIL import Image

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scripts.screenshot_kit import (  # noqa: E402
    capture,
    grid_settled,
    open_window,
    run_in_app,
    select_named,
    wait_for,
)

PACKAGES = ("gnome-backgrounds", "desktop-base")
GNOME = "usr/share/backgrounds/gnome"
FONTS = Path("/usr/share/fonts/truetype/dejavu")


def unpack(into: Path) -> Path:
    debs, root = into / "debs", into / "root"
    debs.mkdir(parents=True, exist_ok=True)
    for package in PACKAGES:
        subprocess.run(["apt-get", "download", package], cwd=debs, check=True, capture_output=True)
    for deb in sorted(debs.glob("*.deb")):
        subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    return root


def _open(path: Path, longest: int = 1280) -> Image.Image:
    from PIL import Image

    image = Image.open(path).convert("RGB")
    image.thumbnail((longest, longest))
    return image


def write_psd(image: Image.Image, path: Path) -> None:
    """Photoshop's layout with the composite image uncompressed (what Pillow reads of a PSD)."""
    width, height = image.size
    planes = np.asarray(image.convert("RGB")).transpose(2, 0, 1).tobytes()
    header = b"8BPS" + struct.pack(">H6xHIIHH", 1, 3, height, width, 8, 3)
    path.write_bytes(header + struct.pack(">III", 0, 0, 0) + struct.pack(">H", 0) + planes)


def write_dng(image: Image.Image, path: Path) -> None:
    from tests.media_kind_factory import write_dng as write_mosaic

    write_mosaic(path, image.size, make="pidng", model="Bayer mosaic", source=image)


def write_pan(image: Image.Image, path: Path, codec: str, seconds: float, size: tuple[int, int]) -> None:
    """A slow pan and zoom across the picture (what a drone or a phone clip looks like)."""
    import av

    from tests.media_kind_factory import encode_sound

    fps = 25
    width, height = size
    with av.open(str(path), "w") as container:
        container.metadata["creation_time"] = "2024-08-17T18:42:05Z"
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        sound = container.add_stream("aac" if codec == "libx264" else "libopus", rate=48000)
        sound.layout = "stereo"
        frames = int(seconds * fps)
        for index in range(frames):
            t = index / max(frames - 1, 1)
            zoom = 1.0 + 0.25 * t
            crop_w, crop_h = image.width / zoom, image.width / zoom * height / width
            left = (image.width - crop_w) * t
            top = (image.height - crop_h) * (0.3 + 0.4 * t)
            box = (left, top, left + crop_w, top + crop_h)
            frame = av.VideoFrame.from_image(image.resize(size, box=box))
            frame.pts = index
            frame.time_base = Fraction(1, fps)
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
        encode_sound(container, sound, _wind(seconds), 48000)


def _wind(seconds: float) -> np.ndarray:
    """Soft filtered noise, like wind on a microphone: the clip's sound track."""
    rng = np.random.default_rng(7)
    noise = rng.standard_normal(int(seconds * 48000)).astype(np.float32)
    smooth = np.convolve(noise, np.ones(64, dtype=np.float32) / 64, mode="same")
    swell = 0.5 + 0.5 * np.sin(np.linspace(0, 3 * np.pi, len(smooth), dtype=np.float32))
    return (0.6 * smooth * swell / max(float(np.abs(smooth).max()), 1e-6)).astype(np.float32)


def write_pdf(cover: Image.Image, path: Path) -> None:
    from PIL import Image, ImageDraw, ImageFont

    page = Image.new("RGB", (595, 842), (255, 255, 255))
    art = cover.copy()
    art.thumbnail((515, 400))
    page.paste(art, (40, 190))
    draw = ImageDraw.Draw(page)
    title = ImageFont.truetype(str(FONTS / "DejaVuSerif-Bold.ttf"), 40)
    body = ImageFont.truetype(str(FONTS / "DejaVuSans.ttf"), 16)
    draw.text((40, 60), "Field Notes", font=title, fill=(30, 34, 44))
    draw.text(
        (40, 120), "Textures, colour studies and references, spring edition", font=body, fill=(90, 96, 110)
    )
    for line in range(6):
        draw.rectangle((40, 620 + line * 26, 555 - (line % 3) * 60, 632 + line * 26), fill=(214, 218, 226))
    rest = [Image.new("RGB", (595, 842), (255, 255, 255)) for _ in range(11)]
    page.save(path, "PDF", save_all=True, append_images=rest, title="Field Notes", resolution=72.0)


def write_sounds(folder: Path) -> None:
    from tests.media_kind_factory import write_chord

    write_chord(
        folder / "Harbour Lights.m4a",
        "aac",
        seconds=14.0,
        notes=(220.0, 277.2, 329.6, 440.0),
        tags={"title": "Harbour Lights", "artist": "Nina Kraus", "album": "Tidal", "genre": "Ambient"},
    )
    write_chord(
        folder / "kick-loop-128.opus",
        "libopus",
        seconds=3.75,
        notes=(55.0,),
        pulse_bpm=128.0,
        tags={"title": "Kick loop", "artist": "Bo Lind", "BPM": "128"},
    )


def build_folder(root: Path, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    gnome = root / GNOME
    write_dng(_open(gnome / "wood-l.webp", 1024), folder / "IMG_4127.dng")
    _heic(_open(gnome / "licorice-l.webp", 1280), folder / "IMG_2231.heic")
    write_psd(_open(gnome / "pixels-l.webp", 1024), folder / "poster-draft.psd")
    for name in ("blobs-l.svg", "dune-l.svg"):
        shutil.copy(gnome / name, folder / name)
    emerald = root / "usr/share/desktop-base/emerald-theme/wallpaper/contents/images/1920x1080.svg"
    shutil.copy(emerald, folder / "emerald.svg")
    write_pan(_open(gnome / "truchet-l.webp", 1920), folder / "VID_0815.mp4", "libx264", 8.0, (960, 540))
    write_pan(
        _open(gnome / "adwaita-l.webp", 1920), folder / "drone-pass.webm", "libvpx-vp9", 6.0, (640, 360)
    )
    write_pdf(_open(gnome / "grid-l.webp", 1024), folder / "field-notes.pdf")
    shutil.copy(FONTS / "DejaVuSerif-Bold.ttf", folder / "DejaVuSerif-Bold.ttf")
    write_sounds(folder)


def _heic(image: Image.Image, path: Path) -> None:
    import pillow_heif

    pillow_heif.register_heif_opener()
    image.save(path, format="HEIF", quality=85)


async def shoot(library: Path, folder: Path, out: Path) -> None:
    client, window = await open_window(library, folder)
    inspector = window.inspector
    await wait_for(lambda: grid_settled(window), settle=0.6)
    await select_named(window, "IMG_4127.dng", settle=0.6)
    await wait_for(
        lambda: inspector.image_preview.message == "" and not inspector.image_preview.image_size.isEmpty(),
        settle=0.6,
    )
    await wait_for(lambda: grid_settled(window), settle=0.6)
    capture(window, out / "formats-grid.png")

    await select_named(window, "VID_0815.mp4", settle=0.6)
    player = inspector.video_player
    await wait_for(lambda: player.play_button.isEnabled(), settle=0.6)
    player.toggle()
    await wait_for(lambda: player.playing and player.player.position() > 2600, settle=0.6)
    capture(window, out / "video-inspector.png")
    player.toggle()
    await window.shutdown()
    await client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--root", type=Path, help="the packages unpacked before (skips the download)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dam-format-shots-") as tmp:
        work = Path(tmp)
        root = args.root or unpack(work)
        build_folder(root, work / "Card and project")
        run_in_app(shoot(work / "library", work / "Card and project", args.out))


if __name__ == "__main__":
    main()
