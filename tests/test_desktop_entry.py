"""What the Linux package tells the desktop: a valid menu entry that offers to open the images,
sounds and videos the app imports (never folders), and real project metadata, with no placeholder
addresses (the .deb's control file and the wheel's metadata)."""

from __future__ import annotations

import configparser
import subprocess
import tomllib
from pathlib import Path

from dam_desktop.utils.media_utils import MEDIA_FORMATS

REPO = Path(__file__).resolve().parent.parent
DESKTOP_ENTRY = REPO / "packaging" / "linux" / "dam-desktop.desktop"
MIME_DATABASE = Path("/usr/share/mime")  # shared-mime-info, what file managers type files with


def entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(DESKTOP_ENTRY, encoding="utf-8")
    return parser["Desktop Entry"]


def mime_types() -> list[str]:
    return [t for t in entry()["MimeType"].split(";") if t]


def known_by_extension() -> dict[str, set[str]]:
    """shared-mime-info's media types for each file extension (`*.png` globs)."""
    found: dict[str, set[str]] = {}
    for line in (MIME_DATABASE / "globs2").read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        _weight, mime, glob = line.split(":")[:3]
        if glob.startswith("*.") and mime.split("/")[0] in ("image", "audio", "video"):
            found.setdefault(glob[2:].lower(), set()).add(mime)
    return found


def test_the_desktop_entry_is_valid() -> None:
    done = subprocess.run(
        ["desktop-file-validate", str(DESKTOP_ENTRY)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def test_open_with_offers_media_files_and_never_folders() -> None:
    types = mime_types()
    assert "inode/directory" not in types
    assert {t.split("/")[0] for t in types} == {"image", "audio", "video"}
    # Exec takes any number of local files: "Open with" on a selection imports all of it.
    assert entry()["Exec"].split()[-1] == "%F"


def test_every_importable_media_extension_is_offered() -> None:
    offered = set(mime_types())
    by_extension = known_by_extension()
    unoffered = []
    for _matcher, media in MEDIA_FORMATS:
        if media.asset_type not in ("image", "audio", "video"):
            continue
        for extension in media.extensions:
            known = by_extension.get(extension, set())
            if known and not known & offered:
                unoffered.append(f".{extension} ({', '.join(sorted(known))})")
    assert not unoffered, f"the desktop entry does not offer: {unoffered}"


def test_every_offered_type_is_one_the_desktop_knows() -> None:
    known = set((MIME_DATABASE / "types").read_text(encoding="utf-8").split())
    aliases = {
        line.split()[0] for line in (MIME_DATABASE / "aliases").read_text(encoding="utf-8").splitlines()
    }
    assert [t for t in mime_types() if t not in known | aliases] == []


def control_file(flavour: str, **env: str) -> dict[str, str]:
    script = f". packaging/build_linux.sh && control_file {flavour} 1234"
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", **env},
    )
    assert done.returncode == 0, done.stderr
    fields: dict[str, str] = {}
    for line in done.stdout.splitlines():
        if line and not line.startswith(" "):
            key, _, value = line.partition(": ")
            fields[key] = value
    return fields


def test_the_package_control_names_no_placeholder_home_page() -> None:
    for flavour, package in (("lite", "dam-desktop-lite"), ("full", "dam-desktop")):
        fields = control_file(flavour)
        assert fields["Package"] == package
        assert fields["Version"] and fields["Description"].startswith("desktop asset browser")
        assert "Homepage" not in fields, "no public home page exists: none is invented"
    named = control_file("lite", DAM_HOMEPAGE="https://assets.example.org/", DEBEMAIL="me@example.org")
    assert named["Homepage"] == "https://assets.example.org/"
    assert named["Maintainer"].endswith("<me@example.org>")


def test_the_project_metadata_is_real() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == "dam-desktop"
    assert len(project["description"]) > 40
    assert project["license"] == "MIT" and (REPO / "LICENSE").read_text().startswith("MIT License")
    assert project["authors"] and all(author.get("name") for author in project["authors"])
    assert any(c.startswith("Topic :: Multimedia") for c in project["classifiers"])
    assert "Environment :: X11 Applications :: Qt" in project["classifiers"]
    for url in project.get("urls", {}).values():
        assert url.startswith("https://") and "localhost" not in url and "example" not in url
