#!/usr/bin/env bash
# Sets up everything dam-desktop needs on a Debian/Ubuntu workstation or CI machine:
# the system libraries Qt loads at run time, then a virtual environment with pinned packages.
# Safe to run again: each step is skipped when it is already satisfied.
set -euo pipefail

cd "$(dirname "$0")/.."
VENV="${DAM_VENV:-.venv}"
PYTHON="${PYTHON:-python3}"

SYSTEM_PACKAGES=(
  libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-xinerama0
  libxcb-xkb1 libxcb-cursor0 libxcb-randr0 libxcb-shape0 libxkbcommon-x11-0 libxkbcommon0
  libegl1 libgl1 libfontconfig1 libdbus-1-3 libpulse0 libsndfile1 xvfb xauth imagemagick
  # Tests: exiftool writes metadata the import must read; a Debian font and icon are imported.
  libimage-exiftool-perl fonts-dejavu-core adwaita-icon-theme
  # Tests: the desktop entry is checked with desktop-file-validate against the MIME database.
  desktop-file-utils shared-mime-info
  # The test suite's PostgreSQL server (a shared studio library); the tests start their own.
  postgresql
)

install_system_packages() {
  command -v dpkg-query >/dev/null 2>&1 || { echo "bootstrap: not a Debian system; install Qt's xcb libraries and libpulse0 yourself" >&2; return 0; }
  local missing=()
  for pkg in "${SYSTEM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "bootstrap: installing system packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_python_packages() {
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  local stamp="$VENV/.requirements.sha256"
  local want
  want=$(cat requirements/*.txt pyproject.toml | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  echo "bootstrap: installing Python packages into $VENV (the first time takes a few minutes)"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -r requirements/app.txt -r requirements/ml.txt -r requirements/dev.txt
  "$VENV/bin/python" -m pip install -q --no-deps -e .
  echo "$want" > "$stamp"
}

install_system_packages
install_python_packages
