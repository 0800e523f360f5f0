"""Where sidecars go, and writing them without ever touching an original.

- Beside each referenced original, as `name.ext.xmp` (`IMG_0042.CR2.xmp`): darktable's and
  digiKam's default, and the one name two originals that differ only in extension (a RAW+JPEG
  pair) cannot share. Our import reads it first. A Lightroom-style `IMG_0042.xmp` is left alone.
- An asset only in the library's store gets `<library>/sidecars/<name>-<first 8 hex of its
  sha256><ext>.xmp` (`beach-3fa4b2c1.jpg.xmp`): named after its file so a person can find it,
  and after its content so two different `beach.jpg` never share one.

A sidecar is written to a temporary file in the same folder, flushed to disk and renamed over the
old one: a crash leaves the old sidecar or the new one, never half of one. It keeps the old one's
permissions. The only path ever opened for writing ends in `.xmp` and is not the original.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from dam_desktop.services.media.xmp import MAX_SIDECAR_BYTES, XmpFacts
from dam_desktop.services.media.xmp_write import SidecarFacts, SidecarUnreadable, current_facts, sidecar_bytes
from dam_desktop.services.tags.sidecar_facts import SidecarAsset
from dam_desktop.utils.safe_paths import UnsafePathError, file_name

STORE_SIDECARS = "sidecars"
WRITTEN, UNCHANGED, WOULD_WRITE, FAILED = "written", "unchanged", "would write", "failed"


@dataclass(frozen=True)
class SidecarResult:
    entity_id: int
    path: Path  # the sidecar (for a vanished original, the one it would have had)
    status: str  # WRITTEN, UNCHANGED, WOULD_WRITE or FAILED
    detail: str = ""  # what changes ("+sea -old, rating 3"), or why it failed


def store_sidecar_path(library_root: Path, asset: SidecarAsset) -> Path:
    name = file_name(asset.name)
    stem, suffix = Path(name).stem, Path(name).suffix
    return library_root / STORE_SIDECARS / f"{stem}-{asset.sha256_hex[:8]}{suffix}.xmp"


def sidecar_targets(library_root: Path, asset: SidecarAsset) -> list[tuple[Path, Path | None]]:
    """(sidecar, its original) pairs; the original is None for a sidecar in the library's folder."""
    if asset.originals:
        return [(original.with_name(original.name + ".xmp"), original) for original in asset.originals]
    return [(store_sidecar_path(library_root, asset), None)]


def describe_change(before: XmpFacts, after: XmpFacts) -> str:
    parts = [f"+{k}" for k in after.keywords if k not in before.keywords]
    parts += [f"-{k}" for k in before.keywords if k not in after.keywords]
    parts += [f"+{'|'.join(h)}" for h in after.hierarchies if h not in before.hierarchies]
    parts += [f"-{'|'.join(h)}" for h in before.hierarchies if h not in after.hierarchies]
    if after.rating != before.rating:
        parts.append(f"rating {after.rating or 'none'}")
    if after.label != before.label:
        parts.append(f"label {after.label or 'none'}")
    return ", ".join(parts) or "formatting only"


def write_atomically(target: Path, data: bytes) -> None:
    """Replace `target` with `data` in one rename (a temporary file beside it, flushed first)."""
    try:
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        temp.chmod(mode)
        temp.replace(target)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise


def _os_reason(exc: OSError, target: Path) -> str:
    if isinstance(exc, PermissionError):
        return f"cannot write in {target.parent}: permission denied (a read-only folder?)"
    return f"cannot write {target}: {exc.strerror or exc}"


def _read_existing(target: Path) -> bytes | None:
    if target.is_symlink():
        raise SidecarUnreadable("the sidecar is a symbolic link; left as it is")
    if not target.exists():
        return None
    if not target.is_file() or target.stat().st_size > MAX_SIDECAR_BYTES:
        raise SidecarUnreadable("the sidecar is not a regular file or is too large; left as it is")
    return target.read_bytes()


def write_sidecar(
    asset_id: int, target: Path, original: Path | None, facts: SidecarFacts, dry_run: bool
) -> SidecarResult:
    """Write (or with `dry_run`, only say what would change in) one sidecar."""
    if original is not None and not original.is_file():
        return SidecarResult(
            asset_id, target, FAILED, f"the original is gone: {original} (moved or deleted?)"
        )
    try:
        existing = _read_existing(target)
        before = current_facts(existing)
        after = facts.as_read_back(before)
        if after == before:  # nothing new to say (and no empty sidecar for an untagged asset)
            return SidecarResult(asset_id, target, UNCHANGED)
        change = describe_change(before, after)
        if dry_run:
            return SidecarResult(asset_id, target, WOULD_WRITE, change)
        if original is None:
            target.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(target, sidecar_bytes(existing, facts))
    except SidecarUnreadable as exc:
        return SidecarResult(asset_id, target, FAILED, str(exc))
    except OSError as exc:
        return SidecarResult(asset_id, target, FAILED, _os_reason(exc, target))
    return SidecarResult(asset_id, target, WRITTEN, change)


def write_asset_sidecars(library_root: Path, asset: SidecarAsset, dry_run: bool) -> list[SidecarResult]:
    try:
        targets = sidecar_targets(library_root, asset)
    except UnsafePathError as exc:
        return [SidecarResult(asset.entity_id, library_root / STORE_SIDECARS, FAILED, exc.reason)]
    return [write_sidecar(asset.entity_id, t, o, asset.facts, dry_run) for t, o in targets]
