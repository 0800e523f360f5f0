#!/usr/bin/env python3
"""Build the sound-fingerprint evaluation corpus from Debian sound packages.

    sudo apt-get update
    python3 scripts/build_sound_corpus.py --out ~/sound-corpus        # ~60 MB of downloads

Downloads a few small Debian packages that hold real sounds (desktop sound themes, key clicks,
voice prompts, small games), extracts them with `dpkg-deb -x`, adds speech made with espeak-ng,
and writes every distinct sound as 16-bit WAV under `<out>/originals/`. It then draws a seeded
sample of originals and writes altered copies of each under `<out>/copies/<original>/<transform>.*`
with sox and ffmpeg (installed with apt-get when missing). `benchmarks/sound_fingerprint_eval.py`
reads that layout. The script needs Debian or Ubuntu, apt-get, and root (or sudo) to install tools.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import numpy as np
import numpy.typing as npt

PACKAGES = (
    "sound-theme-freedesktop",
    "gnome-audio",
    "yaru-theme-sound",
    "oxygen-sounds",
    "sound-icons",
    "lbreakout2-data",
    "ltris",
    "ksnakeduel",
    "kapman",
    "kbounce",
    "kgoldrunner",
    "lgeneral-data",
    "pioneers-data",
    "pingus-data",
    "tuxtype-data",
    "kolf",
    "knavalbattle",
    "kblocks",
    "granatier",
    "klickety",
    "kdiamond",
    "kbreakout",
    "solarwolf",
    "powermanga-data",
    "bomberclone-data",
    "mu-cade-data",
    "torus-trooper-data",
    "tumiki-fighters-data",
    "titanion-data",
    "gunroar-data",
    "alex4-data",
    "pachi-data",
    "abe-data",
    "ceferino-data",
    "funnyboat",
    "biniax2-data",
    "blobby-data",
    "tuxpaint-data",
    "neverball-data",
    "frozen-bubble-data",
    "freedoom",
)
SOUND_SUFFIXES = {".wav", ".ogg", ".oga", ".flac", ".mp3", ".au", ".aiff", ".aif", ".voc"}
TOOLS = {"sox": "sox libsox-fmt-all", "ffmpeg": "ffmpeg", "espeak-ng": "espeak-ng"}
MIN_SECONDS = 0.15
MAX_SECONDS = 30.0
SPEECH = (
    "The quick brown fox jumps over the lazy dog.",
    "Please insert the installation disk and press enter.",
    "Your download is complete.",
    "Battery low. Connect the charger.",
    "Warning: the disk is almost full.",
    "New message received.",
    "Welcome back. You have three new notifications.",
    "The meeting starts in five minutes.",
    "Connection lost. Trying again.",
    "Level complete. Well done.",
    "Game over. Press start to play again.",
    "Turn left in two hundred metres.",
)
SPEECH_VOICES = ("en", "en-us", "en-gb-scotland", "de", "fr", "es", "it", "nl", "pl", "pt")
# (name, output suffix, shell command template: {src} {dst})
TRANSFORMS: tuple[tuple[str, str, str], ...] = (
    ("mp3_32k", ".mp3", "ffmpeg -loglevel error -y -i {src} -codec:a libmp3lame -b:a 32k {dst}"),
    ("ogg_lowest", ".ogg", "ffmpeg -loglevel error -y -i {src} -codec:a libvorbis -q:a -1 {dst}"),
    ("noise_30db", ".wav", ""),
    ("gain_plus6", ".wav", "sox -q {src} {dst} gain 6"),
    ("gain_minus6", ".wav", "sox -q {src} {dst} gain -6"),
    ("resample_22k", ".wav", "sox -q {src} -r 22050 {dst}"),
    ("channels", ".wav", ""),
    ("trim_head15", ".wav", ""),
    ("trim_tail15", ".wav", ""),
    ("speed_plus5", ".wav", "sox -q {src} {dst} speed 1.05"),
    ("speed_minus5", ".wav", "sox -q {src} {dst} speed 0.95"),
    ("tempo_plus5", ".wav", "sox -q {src} {dst} tempo 1.05"),
    ("tempo_minus5", ".wav", "sox -q {src} {dst} tempo 0.95"),
)


def run(cmd: list[str] | str, **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(cmd, shell=isinstance(cmd, str), check=True, capture_output=True, **kwargs)  # type: ignore[call-overload, no-any-return]


def ensure_tools() -> None:
    missing = [pkgs for tool, pkgs in TOOLS.items() if shutil.which(tool) is None]
    if missing:
        prefix = [] if shutil.which("sudo") is None else ["sudo"]
        run([*prefix, "apt-get", "install", "-y", "-q", *" ".join(missing).split()])


def download(packages: tuple[str, ...], debs: Path, extract: Path) -> None:
    debs.mkdir(parents=True, exist_ok=True)
    extract.mkdir(parents=True, exist_ok=True)
    for package in packages:
        if not list(debs.glob(f"{package}_*.deb")):
            try:
                run(["apt-get", "download", package], cwd=debs)
            except subprocess.CalledProcessError as exc:
                print(f"skipped {package}: {exc.stderr.decode().strip()}", file=sys.stderr)
                continue
        for deb in debs.glob(f"{package}_*.deb"):
            target = extract / package
            if not target.exists():
                run(["dpkg-deb", "-x", str(deb), str(target)])


def extract_wad_sounds(extract: Path) -> None:
    """Doom's sounds live inside WAD files as DMX lumps (8-bit PCM with a small header): write WAVs."""
    for wad in sorted(extract.rglob("*.wad")):
        target = extract / "freedoom" / "sounds" / wad.stem
        if target.exists():
            continue
        target.mkdir(parents=True)
        data = wad.read_bytes()
        count, directory = struct.unpack_from("<ii", data, 4)
        for entry in range(count):
            offset, size, raw_name = struct.unpack_from("<ii8s", data, directory + 16 * entry)
            name = raw_name.rstrip(b"\0").decode("ascii", "replace")
            if not name.startswith("DS") or size < 24:
                continue
            fmt, rate, samples = struct.unpack_from("<HHI", data, offset)
            if fmt != 3 or samples <= 32 or 8 + samples > size:
                continue
            pcm = data[offset + 8 + 16 : offset + 8 + samples - 16]
            with wave.open(str(target / f"{name}.wav"), "wb") as out:
                out.setnchannels(1)
                out.setsampwidth(1)
                out.setframerate(rate)
                out.writeframes(pcm)


def probe_seconds(path: Path) -> float:
    out = run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)]
    ).stdout.decode()
    try:
        return float(out.strip() or 0.0)
    except ValueError:
        return 0.0


def collect(extract: Path, originals: Path) -> int:
    """Convert every distinct sound to WAV (content-deduplicated); returns how many."""
    originals.mkdir(parents=True, exist_ok=True)
    kept = [*originals.glob("*.wav"), *(originals.parent / "near-identical").glob("*.wav")]
    seen: set[str] = {p.stem.split("__", 1)[0] for p in kept}
    for source in sorted(extract.rglob("*")):
        if source.suffix.lower() not in SOUND_SUFFIXES or not source.is_file() or source.is_symlink():
            continue
        digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
        if digest in seen:
            continue
        seconds = probe_seconds(source)
        if not MIN_SECONDS <= seconds <= MAX_SECONDS:
            continue
        package = source.relative_to(extract).parts[0]
        name = f"{digest}__{package}__{source.stem}"[:120].replace(" ", "_")
        try:
            run(
                [
                    "ffmpeg",
                    "-loglevel",
                    "error",
                    "-y",
                    "-i",
                    str(source),
                    "-c:a",
                    "pcm_s16le",
                    str(originals / f"{name}.wav"),
                ]
            )
        except subprocess.CalledProcessError:
            continue
        seen.add(digest)
    return len(list(originals.glob("*.wav")))


def _pcm_8k(path: Path) -> npt.NDArray[np.float32]:
    raw = run(
        ["ffmpeg", "-loglevel", "error", "-i", str(path), "-ac", "1", "-ar", "8000", "-f", "f32le", "-"]
    )
    return np.frombuffer(raw.stdout, dtype=np.float32)


def drop_near_identical(originals: Path, parked: Path) -> int:
    """Move aside originals that are the same sound as another (same length within 1%, waveform
    correlation above 0.95 at some lag within 10 ms): packages ship one sound under several names
    and sample rates, and no fingerprint can tell such twins apart. Returns how many were moved."""
    parked.mkdir(parents=True, exist_ok=True)
    sounds = sorted(originals.glob("*.wav"))
    pcm = {p: _pcm_8k(p) for p in sounds}
    by_length = sorted(sounds, key=lambda p: len(pcm[p]))
    moved: set[Path] = set()
    for i, a in enumerate(by_length):
        if a in moved:
            continue
        xa = pcm[a]
        for b in by_length[i + 1 :]:
            xb = pcm[b]
            if len(xb) > 1.01 * len(xa) + 80:
                break
            if b in moved:
                continue
            n = min(len(xa), len(xb))
            u, v = xa[:n], xb[:n]
            size = 1 << int(np.ceil(np.log2(2 * n + 1)))
            corr = np.fft.irfft(np.fft.rfft(u, size) * np.conj(np.fft.rfft(v, size)), size)
            lags = np.concatenate([corr[:81], corr[-80:]])
            denom = float(np.linalg.norm(u) * np.linalg.norm(v))
            if denom > 0 and float(np.max(np.abs(lags))) / denom > 0.95:
                moved.add(b)
    for path in moved:
        path.rename(parked / path.name)
    return len(moved)


def synthesise_speech(originals: Path) -> None:
    originals.mkdir(parents=True, exist_ok=True)
    for voice in SPEECH_VOICES:
        for s, sentence in enumerate(SPEECH):
            target = originals / f"speech__espeak-ng__{voice}_{s:02d}.wav"
            if not target.exists():
                run(["espeak-ng", "-v", voice, "-s", str(140 + 10 * (s % 4)), "-w", str(target), sentence])


def add_noise(src: Path, dst: Path, snr_db: float) -> None:
    """White noise `snr_db` below the sound's RMS (at least -70 dBFS, so digital silence gets a little)."""
    stats = run(["sox", str(src), "-n", "stats"]).stderr.decode()
    rms_db = next(float(line.split()[-1]) for line in stats.splitlines() if line.startswith("RMS lev dB"))
    noise_db = max(rms_db - snr_db, -70.0) if rms_db > -200 else -70.0
    amplitude = 10 ** (noise_db / 20.0) * (3**0.5)  # uniform noise in [-a, a] has RMS a/sqrt(3)
    with tempfile.TemporaryDirectory() as tmp:
        noise = Path(tmp) / "noise.wav"
        # -R: sox's repeatable random numbers, so a rerun writes the same copy.
        run(["sox", "-R", "-q", str(src), str(noise), "synth", "whitenoise", "vol", f"{amplitude:.8f}"])
        run(["sox", "-q", "-m", "-v", "1", str(src), "-v", "1", str(noise), str(dst)])


def trimmed(src: Path, dst: Path, head: bool) -> None:
    seconds = probe_seconds(src)
    cut = 0.15 * seconds
    run(["sox", "-q", str(src), str(dst), "trim", f"{cut:.4f}" if head else "0", f"{seconds - cut:.4f}"])


def other_channels(src: Path, dst: Path) -> None:
    channels = int(run(["soxi", "-c", str(src)]).stdout.decode().strip())
    run(["sox", "-q", str(src), str(dst), "channels", "2" if channels == 1 else "1"])


def make_copies(originals: Path, copies: Path, sample: int, seed: int) -> None:
    candidates = sorted(originals.glob("*.wav"))
    chosen = random.Random(seed).sample(candidates, min(sample, len(candidates)))
    for original in chosen:
        folder = copies / original.stem
        folder.mkdir(parents=True, exist_ok=True)
        for name, suffix, template in TRANSFORMS:
            dst = folder / f"{name}{suffix}"
            if dst.exists():
                continue
            if name == "noise_30db":
                add_noise(original, dst, 30.0)
            elif name == "channels":
                other_channels(original, dst)
            elif name.startswith("trim_"):
                trimmed(original, dst, head=name == "trim_head15")
            else:
                run(template.format(src=original, dst=dst))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--sample", type=int, default=30, help="originals that get altered copies")
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    out: Path = args.out.expanduser()
    ensure_tools()
    download(PACKAGES, out / "debs", out / "extract")
    extract_wad_sounds(out / "extract")
    synthesise_speech(out / "originals")
    total = collect(out / "extract", out / "originals")
    total -= drop_near_identical(out / "originals", out / "near-identical")
    make_copies(out / "originals", out / "copies", args.sample, args.seed)
    print(f"{total} originals in {out / 'originals'}; copies of {args.sample} in {out / 'copies'}")


if __name__ == "__main__":
    main()
