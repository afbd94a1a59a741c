#!/usr/bin/env bash
# Install gdviz with its test extras into the project's virtual environment (and Xvfb + Mesa
# when missing), then run the linters and the whole test suite. GUI tests run under a real X
# server started by pytest-xvfb, so OpenGL really renders; a skipped test fails the run
# (GDVIZ_STRICT=1), so a green run means every test ran.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
py="${GDVIZ_VENV:-$PWD/.venv}/bin/python"
unset QT_QPA_PLATFORM            # never let an inherited "offscreen" hide the real X server
export GDVIZ_STRICT=1
"$py" -m ruff check gdviz tests benchmarks scripts   # the lint config is in pyproject.toml
exec "$py" -m pytest -p no:cacheprovider "$@"
