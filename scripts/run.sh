#!/usr/bin/env bash
# Install gdviz into the project's virtual environment (.venv, see scripts/setup.sh) and launch
# the app on its built-in data. Extra arguments go to `gdviz`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh app
exec "${GDVIZ_VENV:-$PWD/.venv}/bin/python" -m gdviz "$@"
