#!/usr/bin/env bash
# Builds dam-desktop.app and a .dmg of one flavour on macOS 12+ (Apple silicon or Intel; the app
# is built for the machine's own architecture), from a clean checkout:
#
#   packaging/macos/build_macos.sh lite      # or: full
#
# Needs: Python 3.11 from python.org or Homebrew (PYTHON=python3.11), Xcode command line tools
# (codesign, hdiutil). Output: dist/dam-desktop[-lite]-<version>-macos-<arch>.dmg
# PyPI's macOS torch wheels are CPU/MPS builds: the full flavour needs no special index.
# Signing: ad-hoc by default (runs on this Mac; elsewhere right-click > Open the first time);
# set CODESIGN_IDENTITY="Developer ID Application: ..." to sign for distribution, then notarize
# with `xcrun notarytool submit <dmg> --keychain-profile <profile> --wait`.
set -euo pipefail

FLAVOUR="${1:-lite}"
case $FLAVOUR in lite | full) ;; *) echo "usage: $0 lite|full" >&2; exit 2 ;; esac
cd "$(dirname "$0")/../.."
ROOT=$PWD
PYTHON="${PYTHON:-python3.11}"
WORK="$ROOT/build/packaging"
VENV="$WORK/venv-$FLAVOUR"
VERSION=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' dam_desktop/__init__.py)
ARCH=$(uname -m)

[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install -r requirements/app.txt -r requirements/packaging.txt
[ "$FLAVOUR" = full ] && "$VENV/bin/python" -m pip install -r requirements/ml.txt
"$VENV/bin/python" packaging/render_icons.py "$WORK/icons"

rm -rf "$WORK/dist-$FLAVOUR" "$WORK/work-$FLAVOUR"
DAM_FLAVOUR=$FLAVOUR DAM_ICON_DIR="$WORK/icons" "$VENV/bin/pyinstaller" --noconfirm \
  --distpath "$WORK/dist-$FLAVOUR" --workpath "$WORK/work-$FLAVOUR" packaging/dam-desktop.spec
APP="$WORK/dist-$FLAVOUR/dam-desktop.app"
[ "$("$APP/Contents/MacOS/dam-desktop" --version)" = "dam-desktop $VERSION" ]

codesign --force --deep --options runtime --sign "${CODESIGN_IDENTITY:--}" "$APP"
NAME=dam-desktop
[ "$FLAVOUR" = lite ] && NAME=dam-desktop-lite
mkdir -p dist "$WORK/dmg-$FLAVOUR"
rm -rf "$WORK/dmg-$FLAVOUR"/*
cp -R "$APP" "$WORK/dmg-$FLAVOUR/"
ln -s /Applications "$WORK/dmg-$FLAVOUR/Applications"
hdiutil create -volname "dam-desktop $VERSION" -srcfolder "$WORK/dmg-$FLAVOUR" -ov -format UDZO \
  "dist/$NAME-$VERSION-macos-$ARCH.dmg"
echo "build_macos: dist/$NAME-$VERSION-macos-$ARCH.dmg"
