#!/usr/bin/env bash
# Install what gdviz needs on a fresh Debian/Ubuntu machine, without touching the system Python:
#   1. the X/OpenGL libraries Qt loads at run time (and Xvfb for headless test runs), with apt;
#   2. python3-venv when the interpreter cannot make a virtual environment (PEP 668 systems
#      often ship python3 without venv/ensurepip);
#   3. a project virtual environment (default .venv in the project root, GDVIZ_VENV overrides)
#      made by $PYTHON (default python3), with gdviz installed into it in editable mode.
# Prints nothing but progress; the environment's python is <venv>/bin/python.
#   usage: scripts/setup.sh [app|test]
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-app}"
python="${PYTHON:-python3}"
venv="${GDVIZ_VENV:-$PWD/.venv}"

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
apt_updated=0
apt_install() {   # apt_install PKG...: install the Debian packages that are not installed yet
    local missing=() p
    for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
    [ "${#missing[@]}" -eq 0 ] && return 0
    echo "gdviz setup: installing system packages: ${missing[*]}"
    if [ "$apt_updated" = 0 ]; then $sudo apt-get update -qq; apt_updated=1; fi
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

pkgs=(libgl1 libegl1 libglx-mesa0 libgl1-mesa-dri libxkbcommon0 libxkbcommon-x11-0 libfontconfig1
      libdbus-1-3 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
      libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxcb-xfixes0 fonts-dejavu-core)
if [ "$what" = test ]; then pkgs+=(xvfb xauth desktop-file-utils); fi

have_dpkg=0
if command -v dpkg >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then have_dpkg=1; fi
if [ "$have_dpkg" = 1 ]; then
    apt_install "${pkgs[@]}"
else
    echo "gdviz setup: not a Debian/Ubuntu system; make sure OpenGL (Mesa), xcb and (for tests) Xvfb are installed" >&2
fi

if ! command -v "$python" >/dev/null 2>&1; then
    if [ "$have_dpkg" = 1 ] && [ "$python" = python3 ]; then apt_install python3; else
        echo "gdviz setup: no Python interpreter '$python'; install python3 (3.10 or newer)" >&2; exit 1
    fi
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
    echo "gdviz setup: $("$python" --version 2>&1) is too old; gdviz needs Python 3.10 or newer" >&2; exit 1
fi

if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
    # Debian/Ubuntu split venv and ensurepip out of the interpreter: fetch them when missing.
    if ! "$python" -c 'import venv, ensurepip' >/dev/null 2>&1; then
        if [ "$have_dpkg" = 1 ]; then
            ver="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
            apt_install python3-venv
            "$python" -c 'import venv, ensurepip' >/dev/null 2>&1 || apt_install "python$ver-venv"
        fi
    fi
    rm -rf "$venv"
    echo "gdviz setup: creating the virtual environment $venv"
    "$python" -m venv "$venv"
fi

vpy="$venv/bin/python"
if [ "$what" = test ]; then extra="[test]"; else extra=""; fi
# Reinstall only when pyproject.toml changed since the last install into this environment.
stamp="$venv/.gdviz-$what-$(cksum < pyproject.toml | cut -d' ' -f1)"
if [ ! -e "$stamp" ] || ! "$vpy" -c 'import gdviz' >/dev/null 2>&1; then
    echo "gdviz setup: installing gdviz$extra into $venv"
    "$vpy" -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
    "$vpy" -m pip install -q --disable-pip-version-check -e ".$extra"
    rm -f "$venv"/.gdviz-"$what"-*
    touch "$stamp"
fi
