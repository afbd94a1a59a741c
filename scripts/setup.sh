#!/usr/bin/env bash
# Install what gdviz needs on a fresh Debian/Ubuntu machine: the X/OpenGL libraries Qt loads
# at run time (and Xvfb for headless test runs), then the package itself.
#   usage: scripts/setup.sh [app|test]
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-app}"

pkgs=(libgl1 libegl1 libglx-mesa0 libgl1-mesa-dri libxkbcommon0 libxkbcommon-x11-0 libfontconfig1
      libdbus-1-3 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
      libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxcb-xfixes0 fonts-dejavu-core)
if [ "$what" = test ]; then pkgs+=(xvfb xauth); fi

if command -v dpkg >/dev/null 2>&1; then
    missing=()
    for p in "${pkgs[@]}"; do
        dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        sudo=""
        if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
        echo "gdviz setup: installing system packages: ${missing[*]}"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
else
    echo "gdviz setup: not a Debian/Ubuntu system; make sure OpenGL (Mesa), xcb and (for tests) Xvfb are installed" >&2
fi

python="${PYTHON:-python3}"
if [ "$what" = test ]; then extra="[test]"; else extra=""; fi
"$python" -m pip install -q --disable-pip-version-check -e ".$extra"
