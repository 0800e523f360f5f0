#!/usr/bin/env bash
# Smoke test of the Linux packages: installs each .deb on this machine (root or sudo), then
#   1. checks the files a desktop needs (/usr/bin/dam-desktop, the .desktop entry, the icons);
#   2. runs `dam-desktop --version`;
#   3. imports a folder of images and a sound with the installed CLI;
#   4. opens the installed GUI offscreen (and under Xvfb with the xcb plugin when xvfb-run is
#      there, as the .desktop entry starts it) on that library and checks
#      that the grid shows the imported count;
#   5. runs the bundle's self-check (full: torch, open_clip and MiniLM run on the CPU; lite: no torch);
#   6. purges the package and checks nothing is left under /opt/dam-desktop.
#
#   packaging/smoke_test.sh                    # every dist/dam-desktop*.deb (build them first)
#   packaging/smoke_test.sh dist/dam-desktop-lite_0.1.0_amd64.deb
#
# Takes a few minutes; not part of the pytest suite. It removes an installed dam-desktop or
# dam-desktop-lite package first (the two install to the same place).
set -euo pipefail

cd "$(dirname "$0")/.."
VERSION=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' dam_desktop/__init__.py)
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
GUI_TIMEOUT="${GUI_TIMEOUT:-180}"
EXPECTED_ASSETS=4 # red.png, green.jpg, blue.webp, tone.wav; the copy in sub/ is a duplicate
ICON_SIZES=(16 24 32 48 64 128 256 512)

step() { echo "smoke_test: $*"; }
fail() {
  echo "smoke_test: FAIL: $*" >&2
  exit 1
}

write_fixture() { tr -d ' \n' | base64 -d >"$1"; }

make_fixtures() {
  local dir=$1
  mkdir -p "$dir/sub"
  write_fixture "$dir/red.png" <<'B64'
iVBORw0KGgoAAAANSUhEUgAAABgAAAAQCAIAAACDRijCAAAAZklEQVR4nKXOsQ3AIAxEUXsWGrP/MG7ILE6BBEpCwD5fddXT
ZzO7aqX0uIkUVSJKctxE+iuqGWtC3YLTHlAmbQFhaWsISNtBobQD5E9zQZ40L3RMi0GbtDD0lwZC3zQceqVloZF2A//BQaLs
WXoKAAAAAElFTkSuQmCC
B64
  write_fixture "$dir/green.jpg" <<'B64'
/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAYEBQYFBAYGBQYHBwYIChAKCgkJChQODwwQFxQYGBcUFhYaHSUfGhsjHBYWICwg
IyYnKSopGR8tMC0oMCUoKSj/2wBDAQcHBwoIChMKChMoGhYaKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgoKCgo
KCgoKCgoKCgoKCgoKCj/wAARCAAQABgDASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAA
AgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6
Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXG
x8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREA
AgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5
OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPE
xcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwDf+2Q6j8up/JcHhbxAB+MqgZfn+L73JJ34
Aqre2M1nsaRd0EmTFOoPlygd1PfqMjqDwQDxVWrVley2m9VWOWGTHmQyoGR8fyOCQGGGGTgjNfI8yl8X3n5rzqfx79/8+/5/
kVaK1P7Piv8A5tH8x5f+fJyXm9ypCgOOh4ww54wpaij2cuiuHsZv4VdeR//Z
B64
  write_fixture "$dir/blue.webp" <<'B64'
UklGRtgAAABXRUJQVlA4IMwAAABwBQCdASoYABAAPm0skkWkIqGYBABABsS1AE6ZQCHK5pm5Rb/AcBX+mY4v1s5goDnDDW4A
AP1Tz0zP/MK6KL4Enz9nD2O+lftQ8AUkNdmPSmX04rx09CA321k5/dOURdsakrYx7DYH/F3lSbx/9cT1G9heVf/0NVOQ57f/
tLP7bsD49TPX3KrfRrZ2S3ife3wNwcWypqKc0X4+HpwQhqjTXMFMP/dS6HFSAX9c8MoFCXIDI2xvdHX9FxQ/xnEHif8nJicS
YAUUacYAAAA=
B64
  write_fixture "$dir/tone.wav" <<'B64'
UklGRmQGAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YUAGAAAAAAENehgNIbgl7SWmIWQZIg40ASL0duiT34ba
59nJ3bblv/CW/bYKkhbCHzElOia+IicbWRCdA3P2aurv4B/brNnC3AHkke4v+2AIkxRXHoUkYSa0I80cfxIBBs34c+xp4t7b
mdne22nic+zN+AEGfxLNHLQjYSaFJFcekxRgCC/7ke4B5MLcrNkf2+/gaupz9p0DWRAnG74iOiYxJcIfkha2Cpb9v/C25cnd
59mG2pPfdugi9DQBIg5kGaYh7SW4JQ0hehgBDQAA/vKF5/LeR9oS2lnem+bd8cv+3QuJF2wgeSUYJjYiSRpAD2kCSfVt6T3g
ztrF2UHd2OSm72L8jAmVFRAf4CRTJj0j/htuEdAEn/ds66jhetue2UvcMuOA7f75MgeME5YdISRmJiEklh2MEzIH/vmA7TLj
S9ye2XrbqOFs65/30ARuEf4bPSNTJuAkEB+VFYwJYvym79jkQd3F2c7aPeBt6Un1aQJAD0kaNiIYJnklbCCJF90Ly/7d8Zvm
Wd4S2kfa8t6F5/7yAAABDXoYDSG4Je0lpiFkGSIONAEi9Hbok9+G2ufZyd225b/wlv22CpIWwh8xJTomviInG1kQnQNz9mrq
7+Af26zZwtwB5JHuL/tgCJMUVx6FJGEmtCPNHH8SAQbN+HPsaeLe25nZ3ttp4nPszfgBBn8SzRy0I2EmhSRXHpMUYAgv+5Hu
AeTC3KzZH9vv4Grqc/adA1kQJxu+IjomMSXCH5IWtgqW/b/wtuXJ3efZhtqT33boIvQ0ASIOZBmmIe0luCUNIXoYAQ0AAP7y
hefy3kfaEtpZ3pvm3fHL/t0LiRdsIHklGCY2IkkaQA9pAkn1bek94M7axdlB3djkpu9i/IwJlRUQH+AkUyY9I/4bbhHQBJ/3
bOuo4XrbntlL3DLjgO3++TIHjBOWHSEkZiYhJJYdjBMyB/75gO0y40vcntl626jhbOuf99AEbhH+Gz0jUybgJBAflRWMCWL8
pu/Y5EHdxdnO2j3gbelJ9WkCQA9JGjYiGCZ5JWwgiRfdC8v+3fGb5lneEtpH2vLehef+8gAAAQ16GA0huCXtJaYhZBkiDjQB
IvR26JPfhtrn2cndtuW/8Jb9tgqSFsIfMSU6Jr4iJxtZEJ0Dc/Zq6u/gH9us2cLcAeSR7i/7YAiTFFcehSRhJrQjzRx/EgEG
zfhz7Gni3tuZ2d7baeJz7M34AQZ/Es0ctCNhJoUkVx6TFGAIL/uR7gHkwtys2R/b7+Bq6nP2nQNZECcbviI6JjElwh+SFrYK
lv2/8Lblyd3n2Ybak9926CL0NAEiDmQZpiHtJbglDSF6GAENAAD+8oXn8t5H2hLaWd6b5t3xy/7dC4kXbCB5JRgmNiJJGkAP
aQJJ9W3pPeDO2sXZQd3Y5KbvYvyMCZUVEB/gJFMmPSP+G24R0ASf92zrqOF6257ZS9wy44Dt/vkyB4wTlh0hJGYmISSWHYwT
Mgf++YDtMuNL3J7Zetuo4Wzrn/fQBG4R/hs9I1Mm4CQQH5UVjAli/Kbv2ORB3cXZzto94G3pSfVpAkAPSRo2IhgmeSVsIIkX
3QvL/t3xm+ZZ3hLaR9ry3oXn/vIAAAENehgNIbgl7SWmIWQZIg40ASL0duiT34ba59nJ3bblv/CW/bYKkhbCHzElOia+Iicb
WRCdA3P2aurv4B/brNnC3AHkke4v+2AIkxRXHoUkYSa0I80cfxIBBs34c+xp4t7bmdne22nic+zN+AEGfxLNHLQjYSaFJFce
kxRgCC/7ke4B5MLcrNkf2+/gaupz9p0DWRAnG74iOiYxJcIfkha2Cpb9v/C25cnd59mG2pPfdugi9DQBIg5kGaYh7SW4JQ0h
ehgBDQAA/vKF5/LeR9oS2lnem+bd8cv+3QuJF2wgeSUYJjYiSRpAD2kCSfVt6T3gztrF2UHd2OSm72L8jAmVFRAf4CRTJj0j
/htuEdAEn/ds66jhetue2UvcMuOA7f75MgeME5YdISRmJiEklh2MEzIH/vmA7TLjS9ye2XrbqOFs65/30ARuEf4bPSNTJuAk
EB+VFYwJYvym79jkQd3F2c7aPeBt6Un1aQJAD0kaNiIYJnklbCCJF90Ly/7d8ZvmWd4S2kfa8t6F5/7y
B64
  cp "$dir/red.png" "$dir/sub/red-copy.png"
}

remove_installed() {
  local pkg
  for pkg in dam-desktop dam-desktop-lite; do
    if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed"; then
      step "removing the installed $pkg first"
      $SUDO dpkg --purge "$pkg" >/dev/null
    fi
  done
}

install_deb() {
  local deb=$1
  if command -v apt-get >/dev/null; then
    # apt-get resolves the Depends (Qt's xcb and GL libraries) that dpkg -i would only report.
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$(realpath "$deb")" >/dev/null \
      || fail "apt-get install $deb"
  else
    $SUDO dpkg -i "$deb" >/dev/null || fail "dpkg -i $deb"
  fi
}

check_installed_files() {
  [ -x /opt/dam-desktop/dam-desktop ] || fail "/opt/dam-desktop/dam-desktop missing"
  [ "$(command -v dam-desktop)" = /usr/bin/dam-desktop ] || fail "dam-desktop is not /usr/bin/dam-desktop on the PATH"
  [ -f /usr/share/applications/dam-desktop.desktop ] || fail "no .desktop entry"
  grep -q '^MimeType=.*image/png;.*audio/x-wav;.*video/mp4;' /usr/share/applications/dam-desktop.desktop \
    || fail ".desktop entry does not offer to open images, sounds and videos"
  ! grep -q 'inode/directory' /usr/share/applications/dam-desktop.desktop \
    || fail ".desktop entry claims folders"
  if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate /usr/share/applications/dam-desktop.desktop || fail ".desktop entry is invalid"
  fi
  local size
  for size in "${ICON_SIZES[@]}"; do
    [ -f "/usr/share/icons/hicolor/${size}x${size}/apps/dam-desktop.png" ] || fail "no ${size}px icon"
  done
  [ -f /usr/share/icons/hicolor/scalable/apps/dam-desktop.svg ] || fail "no scalable icon"
}

# gui_shows_count LOG COMMAND...: run the GUI until its grid first paints, expect the imported count.
gui_shows_count() {
  local log=$1
  shift
  local status=0
  DAM_DESKTOP_REPORT_FIRST_PAINT=quit timeout "$GUI_TIMEOUT" "$@" >"$log" 2>&1 || status=$?
  local line
  line=$(grep -m1 '^first-paint ' "$log" || true)
  if [ "$status" -ne 0 ] || [ -z "$line" ]; then
    cat "$log" >&2
    fail "GUI did not paint its grid (exit $status)"
  fi
  [[ "$line" =~ \ assets\ ([0-9]+) ]] || fail "no asset count in '$line'"
  [ "${BASH_REMATCH[1]}" -eq "$EXPECTED_ASSETS" ] \
    || fail "GUI shows ${BASH_REMATCH[1]} assets, expected $EXPECTED_ASSETS ('$line')"
  step "  $line"
}

smoke_one() {
  local deb=$1 package flavour tmp line
  package=$(dpkg-deb -f "$deb" Package)
  flavour=full
  [ "$package" = dam-desktop-lite ] && flavour=lite
  step "== $deb ($package, $(du -h "$deb" | cut -f1))"
  tmp=$(mktemp -d /tmp/dam-smoke.XXXXXX)
  export XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data" XDG_CACHE_HOME="$tmp/cache"
  export XDG_RUNTIME_DIR="$tmp/runtime"
  mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"

  remove_installed
  step "installing"
  install_deb "$deb"
  check_installed_files
  step "  installed $(du -sh /opt/dam-desktop | cut -f1) under /opt/dam-desktop"

  local reported
  reported=$(cd "$tmp" && dam-desktop --version)
  [ "$reported" = "dam-desktop $VERSION" ] || fail "--version says '$reported'"
  step "  $reported"

  make_fixtures "$tmp/source"
  local library="$tmp/library" out
  out=$(cd "$tmp" && dam-desktop --library "$library" import "$tmp/source" 2>"$tmp/import.err") \
    || { cat "$tmp/import.err" >&2; fail "import failed"; }
  step "  import: $out"
  [[ "$out" =~ imported:\ ([0-9]+) ]] || fail "import reported '$out'"
  [ "${BASH_REMATCH[1]}" -eq "$EXPECTED_ASSETS" ] || fail "import reported '$out', expected $EXPECTED_ASSETS imported"
  [ "$(cd "$tmp" && dam-desktop --library "$library" list | grep -c -E 'red|green|blue|tone')" -eq "$EXPECTED_ASSETS" ] \
    || fail "dam-desktop list does not show the $EXPECTED_ASSETS assets"

  step "GUI, offscreen"
  gui_shows_count "$tmp/gui-offscreen.log" env QT_QPA_PLATFORM=offscreen dam-desktop --library "$library"
  if command -v xvfb-run >/dev/null; then
    step "GUI, xcb under Xvfb, as the .desktop entry starts it (on the default library)"
    gui_shows_count "$tmp/gui-xcb.log" env -u QT_QPA_PLATFORM DAM_DESKTOP_LIBRARY="$library" \
      xvfb-run -a -s "-screen 0 1600x1000x24" dam-desktop
  fi

  step "self-check of the $flavour bundle"
  out=$(DAM_DESKTOP_PACKAGE_SELF_CHECK=1 /opt/dam-desktop/dam-desktop 2>"$tmp/self-check.err") \
    || { cat "$tmp/self-check.err" >&2; fail "self-check failed"; }
  while IFS= read -r line; do step "  $line"; done <<<"$out"
  if [ "$flavour" = full ]; then
    grep -q "model features: ok" <<<"$out" || fail "full package cannot run its models"
  else
    grep -q "model features: absent" <<<"$out" || fail "lite package has torch"
  fi

  step "uninstalling"
  $SUDO dpkg --purge "$package" >/dev/null || fail "dpkg --purge $package"
  [ ! -e /opt/dam-desktop ] || { find /opt/dam-desktop | head >&2; fail "files left under /opt/dam-desktop"; }
  [ ! -e /usr/bin/dam-desktop ] || fail "/usr/bin/dam-desktop left behind"
  [ ! -e /usr/share/applications/dam-desktop.desktop ] || fail ".desktop entry left behind"
  [ ! -e /usr/share/icons/hicolor/256x256/apps/dam-desktop.png ] || fail "icon left behind"
  rm -rf "$tmp"
  step "PASS $package"
}

main() {
  local debs=("$@")
  if [ ${#debs[@]} -eq 0 ]; then
    shopt -s nullglob
    debs=(dist/dam-desktop-lite_*.deb dist/dam-desktop_*.deb)
    shopt -u nullglob
  fi
  [ ${#debs[@]} -gt 0 ] || fail "no .deb given and none in dist/ (run packaging/build_linux.sh)"
  local deb
  for deb in "${debs[@]}"; do
    smoke_one "$deb"
  done
  step "all passed: ${debs[*]}"
}

main "$@"
