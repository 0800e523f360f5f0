#!/usr/bin/env bash
# Builds the Linux one-folder bundle and the .deb of each flavour from a clean checkout.
#
#   packaging/build_linux.sh              # both flavours
#   packaging/build_linux.sh lite         # without torch: model features hidden with a note
#   packaging/build_linux.sh full         # with CPU torch, open_clip, transformers, MiniLM weights
#
# Output:  dist/dam-desktop-lite_<version>_amd64.deb   dist/dam-desktop_<version>_amd64.deb
#          build/packaging/dist-<flavour>/dam-desktop/  (the bundle the .deb was made from)
# Each flavour gets its own build venv under build/packaging/ (reused while the requirements are
# unchanged), so the main .venv (CUDA torch, test tools) never leaks into a package.
#
# Needs: Python 3.11 (PYTHON=...), dpkg-deb, network access to PyPI or a local mirror.
# The full flavour takes a CPU-only torch: TORCH_SPEC (default torch==2.13.0+cpu, found through
# pip's find-links); elsewhere add PyTorch's CPU index, e.g.
#   PIP_EXTRA_INDEX_URL=https://download.pytorch.org/whl/cpu packaging/build_linux.sh full
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
PYTHON="${PYTHON:-python3}"
WORK="${DAM_PACKAGING_WORK:-$ROOT/build/packaging}"
OUT="${DAM_PACKAGING_OUT:-$ROOT/dist}"
TORCH_SPEC="${TORCH_SPEC:-torch==2.13.0+cpu}"
TORCHVISION_SPEC="${TORCHVISION_SPEC:-torchvision==0.28.0}"
VERSION=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' dam_desktop/__init__.py)
ARCH=$(dpkg --print-architecture 2>/dev/null || echo amd64)
ICON_SIZES=(16 24 32 48 64 128 256 512)
# zstd needs dpkg >= 1.21.18 (Debian 12, Ubuntu 21.10 and later) and builds several times faster
# than xz; DEB_COMPRESSION=xz DEB_LEVEL=6 makes packages that older dpkg versions read.
DEB_COMPRESSION="${DEB_COMPRESSION:-zstd}"
DEB_LEVEL="${DEB_LEVEL:-12}"
# The package's maintainer and home page: the project has no public address of its own yet, so the
# builder names them (Debian's DEBFULLNAME/DEBEMAIL, and DAM_HOMEPAGE); without DAM_HOMEPAGE the
# control file has no Homepage field rather than an invented one.
MAINTAINER="${DEBFULLNAME:-dam-desktop developers} <${DEBEMAIL:-dam-desktop@localhost}>"
HOMEPAGE="${DAM_HOMEPAGE:-}"

# Shared libraries the bundle takes from the system: PyInstaller bundles the rest but leaves out the
# C library, GL/EGL and the X and Wayland client libraries so they match the user's graphics stack
# (found with ldd over every binary of the bundle); libfontconfig1 brings the fonts.
GLIBC=$(dpkg-query -W -f='${Version}' libc6 2>/dev/null | sed 's/-.*//')
DEPENDS="libc6 (>= ${GLIBC:-2.36}), libgl1, libegl1, libdrm2, libxcb1, libfontconfig1, \
libwayland-client0, libwayland-cursor0, libwayland-egl1"

log() { echo "build_linux: $*"; }

python_ok() {
  "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null || {
    echo "build_linux: needs Python 3.11 (the pinned wheels are cp311); set PYTHON=" >&2
    exit 1
  }
}

# ensure_venv FLAVOUR: a venv with the app's pinned runtime packages, PyInstaller and, for the
# full flavour, the model packages on a CPU-only torch.
ensure_venv() {
  local flavour=$1 venv="$WORK/venv-$1"
  local reqs=(-r requirements/app.txt -r requirements/packaging.txt)
  if [ "$flavour" = full ]; then
    grep -v -E '^(torch|torchvision)==' requirements/ml.txt >"$WORK/ml-cpu.txt"
    reqs+=("$TORCH_SPEC" "$TORCHVISION_SPEC" -r "$WORK/ml-cpu.txt")
  fi
  local want
  want=$(printf '%s\n' "${reqs[@]}" | cat - requirements/app.txt requirements/packaging.txt requirements/ml.txt | sha256sum | cut -d' ' -f1)
  if [ -f "$venv/.stamp" ] && [ "$(cat "$venv/.stamp")" = "$want" ]; then
    return 0
  fi
  log "[$flavour] creating build venv $venv (the full one downloads ~200 MB of torch)"
  rm -rf "$venv"
  "$PYTHON" -m venv "$venv"
  nice -n 19 "$venv/bin/python" -m pip install -q --disable-pip-version-check "${reqs[@]}" 2>&1 \
    | grep -v "is ignored: it is neither a file nor a directory" || true
  "$venv/bin/python" -m pip check
  if [ "$flavour" = full ]; then
    "$venv/bin/python" -c 'import torch, sys; sys.exit(torch.version.cuda is not None)' || {
      echo "build_linux: $TORCH_SPEC is a CUDA build; the full flavour wants a CPU-only torch" >&2
      exit 1
    }
  fi
  echo "$want" >"$venv/.stamp"
}

build_bundle() {
  local flavour=$1 venv="$WORK/venv-$1"
  log "[$flavour] PyInstaller (a few minutes; niced)"
  rm -rf "$WORK/dist-$flavour" "$WORK/work-$flavour"
  DAM_FLAVOUR=$flavour DAM_ICON_DIR="$WORK/icons" nice -n 19 "$venv/bin/pyinstaller" \
    --noconfirm --log-level WARN --distpath "$WORK/dist-$flavour" --workpath "$WORK/work-$flavour" \
    packaging/dam-desktop.spec
  rm -rf "$WORK/work-$flavour"
  local reported
  reported=$("$WORK/dist-$flavour/dam-desktop/dam-desktop" --version)
  [ "$reported" = "dam-desktop $VERSION" ] || { echo "build_linux: bundle says '$reported'" >&2; exit 1; }
}

# control_file FLAVOUR INSTALLED_KB: the package's DEBIAN/control (the packaging tests read it too).
control_file() {
  local flavour=$1 installed_kb=$2 package=dam-desktop other=dam-desktop-lite
  local description="with model features (AI tagging, semantic search, find similar;
 CPU torch)"
  if [ "$flavour" = lite ]; then
    package=dam-desktop-lite other=dam-desktop
    description="without torch (lite): model features (AI tagging, semantic search)
 are hidden"
  fi
  cat <<EOF
Package: $package
Version: $VERSION
Architecture: $ARCH
Maintainer: $MAINTAINER
Installed-Size: $installed_kb
Depends: $DEPENDS
Conflicts: $other
Replaces: $other
Section: graphics
Priority: optional
${HOMEPAGE:+Homepage: $HOMEPAGE
}Description: desktop asset browser for large piles of images and sounds, $flavour
 Stores images and sounds once (deduplicated by content), makes thumbnails and
 waveforms, shows a fast zoomable grid, and searches with tags.
 .
 This package is the one $description.
 .
 Opening images, sounds or videos with it imports them into the running
 window's library. Installs under /opt/dam-desktop, with dam-desktop on the PATH.
EOF
}

build_deb() {
  local flavour=$1 package=dam-desktop stage
  [ "$flavour" = lite ] && package=dam-desktop-lite
  stage="$WORK/deb-$flavour"
  rm -rf "$stage"
  mkdir -p "$stage/DEBIAN" "$stage/opt" "$stage/usr/bin" "$stage/usr/share/applications" \
    "$stage/usr/share/doc/$package"
  cp -a "$WORK/dist-$flavour/dam-desktop" "$stage/opt/dam-desktop"
  ln -s /opt/dam-desktop/dam-desktop "$stage/usr/bin/dam-desktop"
  install -m 0644 packaging/linux/dam-desktop.desktop "$stage/usr/share/applications/dam-desktop.desktop"
  for size in "${ICON_SIZES[@]}"; do
    install -D -m 0644 "$WORK/icons/dam-desktop-$size.png" \
      "$stage/usr/share/icons/hicolor/${size}x${size}/apps/dam-desktop.png"
  done
  install -D -m 0644 resources/icons/dam-desktop.svg "$stage/usr/share/icons/hicolor/scalable/apps/dam-desktop.svg"
  printf 'dam-desktop %s (%s flavour), MIT licence.\nBundles Python, Qt (LGPLv3) and the libraries listed in /opt/dam-desktop/_internal.\n' \
    "$VERSION" "$flavour" >"$stage/usr/share/doc/$package/copyright"
  control_file "$flavour" "$(du -sk --exclude=DEBIAN "$stage" | cut -f1)" >"$stage/DEBIAN/control"
  mkdir -p "$OUT"
  local deb="$OUT/${package}_${VERSION}_${ARCH}.deb"
  log "[$flavour] dpkg-deb -> $deb"
  nice -n 19 dpkg-deb --root-owner-group "-Z$DEB_COMPRESSION" "-z$DEB_LEVEL" --build "$stage" "$deb" >/dev/null
  rm -rf "$stage"
  log "[$flavour] bundle $(du -sh "$WORK/dist-$flavour/dam-desktop" | cut -f1), package $(du -h "$deb" | cut -f1)"
}

main() {
  local flavours=("$@")
  [ ${#flavours[@]} -eq 0 ] && flavours=(lite full)
  for flavour in "${flavours[@]}"; do
    case $flavour in lite | full) ;; *) echo "usage: $0 [lite] [full]" >&2; exit 2 ;; esac
  done
  command -v dpkg-deb >/dev/null || { echo "build_linux: needs dpkg-deb" >&2; exit 1; }
  python_ok
  mkdir -p "$WORK"
  for flavour in "${flavours[@]}"; do
    ensure_venv "$flavour"
    if [ ! -f "$WORK/icons/dam-desktop-512.png" ]; then
      QT_QPA_PLATFORM=offscreen "$WORK/venv-$flavour/bin/python" packaging/render_icons.py "$WORK/icons"
    fi
    build_bundle "$flavour"
    build_deb "$flavour"
  done
}

# Sourced (`. packaging/build_linux.sh`, as the packaging tests do), it only defines its functions.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  main "$@"
fi
