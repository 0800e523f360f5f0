"""Real files of every kind beyond still images, made for the tests and the screenshots: H.264 and
VP9 clips (PyAV's FFmpeg), AAC and Opus sounds with tags, HEIC (pillow-heif), a DNG (pidng: a
Bayer mosaic written as a real DNG that LibRaw develops), a PDF (Pillow), and files from Debian
packages: a DejaVu font (fonts-dejavu-core) and an Adwaita icon (adwaita-icon-theme)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

XYZ_TO_LINEAR_SRGB = (3.2406, -1.5372, -0.4986, -0.9689, 1.8758, 0.0415, 0.0557, -0.2040, 1.0570)
DEJAVU_SANS = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
ADWAITA_ICON = Path("/usr/share/icons/Adwaita/scalable/places/folder-pictures-symbolic.svg")


def picture(size: tuple[int, int], step: int = 0) -> Image.Image:
    """A colourful scene that moves with `step`: bands of colour and a bright disc."""
    width, height = size
    x = np.linspace(0, 1, width, dtype=np.float32)[None, :]
    y = np.linspace(0, 1, height, dtype=np.float32)[:, None]
    phase = step / 12.0
    red = 0.5 + 0.5 * np.sin(6 * x + phase)
    green = 0.5 + 0.5 * np.sin(5 * y + 2 * phase + 1)
    blue = 0.5 + 0.5 * np.cos(4 * (x + y) - phase)
    rgb = np.stack(np.broadcast_arrays(red, green, blue), axis=-1)
    image = Image.fromarray((rgb * 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    cx = int(width * (0.3 + 0.4 * (0.5 + 0.5 * math.sin(phase))))
    r = height // 5
    draw.ellipse((cx - r, height // 2 - r, cx + r, height // 2 + r), fill=(255, 244, 200))
    return image


def _tone(seconds: float, rate: int, frequency: float) -> np.ndarray:
    t = np.arange(int(seconds * rate), dtype=np.float32) / rate
    envelope = np.minimum(1.0, t * 8) * np.exp(-t * 0.6)
    return (0.6 * envelope * np.sin(2 * np.pi * frequency * t)).astype(np.float32)


def write_video(
    path: Path,
    codec: str = "libx264",
    size: tuple[int, int] = (320, 240),
    seconds: float = 2.0,
    fps: int = 24,
    audio_codec: str | None = "aac",
    black_lead_in: float = 0.25,
    gop: int = 12,
    metadata: Mapping[str, str] | None = None,
    container_format: str | None = None,
) -> Path:
    """A clip that opens on black (a poster must not be that), then a moving colourful scene."""
    import av

    with av.open(str(path), "w", format=container_format) as container:
        for key, value in (metadata or {}).items():
            container.metadata[key] = value
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.codec_context.gop_size = gop
        sound = None
        if audio_codec:
            sound = container.add_stream(audio_codec, rate=48000)
            sound.layout = "stereo"
        frames = int(seconds * fps)
        for index in range(frames):
            image = Image.new("RGB", size, (0, 0, 0)) if index / fps < black_lead_in else picture(size, index)
            frame = av.VideoFrame.from_image(image)
            frame.pts = index
            frame.time_base = Fraction(1, fps)
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
        if sound is not None:
            encode_sound(container, sound, _tone(seconds, 48000, 330.0), 48000)
    return path


def encode_sound(container: object, stream: object, mono: np.ndarray, rate: int) -> None:
    import av

    stereo = np.stack([mono, mono * 0.8]).astype(np.float32)
    frame_size = getattr(stream, "frame_size", 0) or 1024
    pts = 0
    for start in range(0, stereo.shape[1], frame_size):
        chunk = np.ascontiguousarray(stereo[:, start : start + frame_size])
        frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
        frame.sample_rate = rate
        frame.pts = pts
        pts += chunk.shape[1]
        container.mux(stream.encode(frame))  # type: ignore[attr-defined]
    container.mux(stream.encode(None))  # type: ignore[attr-defined]


def write_sound(
    path: Path,
    codec: str = "aac",
    seconds: float = 1.5,
    frequency: float = 440.0,
    tags: Mapping[str, str] | None = None,
    container_format: str | None = None,
) -> Path:
    """A tone in a container PyAV picks by name (.m4a: MP4/AAC, .opus: Ogg/Opus), with tags."""
    import av

    rate = 48000
    with av.open(str(path), "w", format=container_format) as container:
        for key, value in (tags or {}).items():
            container.metadata[key] = value
        stream = container.add_stream(codec, rate=rate)
        stream.layout = "stereo"
        encode_sound(container, stream, _tone(seconds, rate, frequency), rate)
    return path


def write_chord(
    path: Path,
    codec: str,
    seconds: float,
    notes: tuple[float, ...],
    tags: Mapping[str, str] | None = None,
    pulse_bpm: float | None = None,
) -> Path:
    """An arpeggio of `notes` (or a kick drum at `pulse_bpm`), for a waveform worth looking at."""
    import av

    rate = 48000
    t = np.arange(int(seconds * rate), dtype=np.float32) / rate
    mono = np.zeros_like(t)
    if pulse_bpm:
        beat = 60.0 / pulse_bpm
        phase = np.mod(t, beat)
        mono += np.sin(2 * np.pi * notes[0] * phase * (1 + 2 * np.exp(-phase * 30))) * np.exp(-phase * 9)
    else:
        step = seconds / (len(notes) * 2)
        for index in range(len(notes) * 2):
            start = index * step
            local = np.clip(t - start, 0, None)
            note = notes[index % len(notes)]
            mono += (t >= start) * np.sin(2 * np.pi * note * t) * np.exp(-local * 0.9) * 0.5
    mono = (0.8 * mono / max(float(np.abs(mono).max()), 1e-6)).astype(np.float32)
    with av.open(str(path), "w") as container:
        for key, value in (tags or {}).items():
            container.metadata[key] = value
        stream = container.add_stream(codec, rate=rate)
        stream.layout = "stereo"
        encode_sound(container, stream, mono, rate)
    return path


def write_heic(path: Path, size: tuple[int, int] = (400, 300)) -> Path:
    import pillow_heif

    pillow_heif.register_heif_opener()
    picture(size, 5).save(path, format="HEIF", quality=80)
    return path


def write_dng(
    path: Path,
    size: tuple[int, int] = (512, 384),
    make: str = "Testcam",
    model: str = "DNG-1",
    source: Image.Image | None = None,
) -> Path:
    """A 12-bit RGGB Bayer mosaic of `source` (else `picture`), written by pidng with camera tags."""
    from pidng.core import RAW2DNG, DNGTags, Tag
    from pidng.defs import CFAPattern, DNGVersion, Orientation, PhotometricInterpretation

    width, height = size[0] - size[0] % 2, size[1] - size[1] % 2
    scene = (
        source.convert("RGB").resize((width, height)) if source is not None else picture((width, height), 3)
    )
    # A sensor counts light linearly: undo sRGB's gamma, to 12 bits.
    rgb = (np.power(np.asarray(scene, dtype=np.float32) / 255.0, 2.2) * 4095).astype(np.uint16)
    mosaic = np.zeros((height, width), dtype=np.uint16)
    mosaic[0::2, 0::2] = rgb[0::2, 0::2, 0]
    mosaic[0::2, 1::2] = rgb[0::2, 1::2, 1]
    mosaic[1::2, 0::2] = rgb[1::2, 0::2, 1]
    mosaic[1::2, 1::2] = rgb[1::2, 1::2, 2]
    tags = DNGTags()
    tags.set(Tag.ImageWidth, width)
    tags.set(Tag.ImageLength, height)
    tags.set(Tag.TileWidth, width)
    tags.set(Tag.TileLength, height)
    tags.set(Tag.Orientation, Orientation.Horizontal)
    tags.set(Tag.PhotometricInterpretation, PhotometricInterpretation.Color_Filter_Array)
    tags.set(Tag.SamplesPerPixel, 1)
    tags.set(Tag.BitsPerSample, 12)
    tags.set(Tag.CFARepeatPatternDim, [2, 2])
    tags.set(Tag.CFAPattern, CFAPattern.RGGB)
    tags.set(Tag.BlackLevel, 0)
    tags.set(Tag.WhiteLevel, 4095)
    # XYZ to the "camera's" colours, which are linear sRGB here: LibRaw develops them back to sRGB.
    tags.set(Tag.ColorMatrix1, [[round(v * 10000), 10000] for v in XYZ_TO_LINEAR_SRGB])
    tags.set(Tag.CalibrationIlluminant1, 21)
    tags.set(Tag.AsShotNeutral, [[1, 1], [1, 1], [1, 1]])
    tags.set(Tag.BaselineExposure, [[0, 1]])
    tags.set(Tag.Make, make)
    tags.set(Tag.Model, model)
    tags.set(Tag.UniqueCameraModel, f"{make} {model}")
    tags.set(Tag.DateTime, "2024:05:06 07:08:09")
    tags.set(Tag.DNGVersion, DNGVersion.V1_4)
    tags.set(Tag.DNGBackwardVersion, DNGVersion.V1_2)
    converter = RAW2DNG()
    converter.options(tags, path=str(path.parent), compress=False)
    written = converter.convert(mosaic, filename=str(path.with_suffix("")))
    produced = Path(written) if written else path.with_suffix(".dng")
    if produced != path:
        produced.rename(path)
    return path


def write_pdf(path: Path, pages: int = 3, title: str = "Field notes") -> Path:
    first = picture((595, 842), 1).convert("RGB")
    draw = ImageDraw.Draw(first)
    draw.rectangle((40, 40, 555, 140), fill=(255, 255, 255))
    rest = [Image.new("RGB", (595, 842), (255, 255, 255)) for _ in range(pages - 1)]
    first.save(path, "PDF", save_all=True, append_images=rest, title=title, resolution=72.0)
    return path
