#!/usr/bin/env bash
# Install gdviz and launch the app on its built-in data. Extra arguments go to `gdviz`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh app
exec "${PYTHON:-python3}" -m gdviz "$@"
