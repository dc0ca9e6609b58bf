#!/usr/bin/env bash
# Prepare a fresh Debian/Ubuntu machine: system packages (CJK font, Pango for
# WeasyPrint), a virtualenv with the pinned requirements, and the certificate font.
# Sourced by scripts/demo.sh and scripts/test.sh; safe to run again.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

die() { echo "setup: $*" >&2; exit 1; }

PYTHON=${PYTHON:-python3}
command -v "$PYTHON" >/dev/null || die "python3 not found. Install Python 3.11+ (apt-get install python3 python3-venv)."
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
  || die "Python 3.11 or newer is required; found $("$PYTHON" --version 2>&1)."

# System packages: Pango/HarfBuzz for WeasyPrint, the Noto CJK fonts for Chinese
# certificates, poppler-utils to read PDFs back in tests.
APT_PACKAGES=(fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils)
# The browser journey (tests/e2e) drives Debian's Chromium; SETUP_BROWSER=1 installs it.
if [ "${SETUP_BROWSER:-0}" = "1" ]; then APT_PACKAGES+=(chromium); fi
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    if [ -n "$SUDO" ] && ! command -v sudo >/dev/null; then
      die "missing system packages: ${missing[*]}. Run as root: apt-get install ${missing[*]}"
    fi
    echo "setup: installing system packages: ${missing[*]}"
    $SUDO apt-get update -qq >/dev/null || true
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null \
      || die "could not install ${missing[*]} with apt-get. Install them by hand, then run again."
  else
    die "missing system packages: ${missing[*]} (no apt-get here: install Pango >= 1.44 and Noto Serif CJK SC)."
  fi
fi

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv || die "could not create .venv (apt-get install python3-venv)."
fi
if [ ! -f .venv/.requirements.sha ] || ! sha256sum -c --status .venv/.requirements.sha 2>/dev/null; then
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -r requirements.txt || die "pip install -r requirements.txt failed."
  sha256sum requirements.txt > .venv/.requirements.sha
fi

# Cut the certificate font subset once (fails with a clear message without a CJK font).
if [ -f scripts/build_cjk_font.py ]; then
  DEBUG=1 .venv/bin/python scripts/build_cjk_font.py >/dev/null || die "could not build the certificate font (see above)."
fi
