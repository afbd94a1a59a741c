"""Every repository path named in README.md, CHANGELOG.md and docs/ exists.

A path is a word with a slash whose first part is a top-level folder of the repository or a
sub-package of gdviz (``gui/plane/view.py`` is read as ``gdviz/gui/plane/view.py``); a word with
``*`` must match at least one file. Paths on the user's machine (``/usr/...``, ``~/...``, ``.venv``)
are not the repository's and are not checked.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOP = {"gdviz", "tests", "docs", "scripts", "benchmarks", "assets", ".ci"}
PACKAGES = {p.name for p in (ROOT / "gdviz").iterdir() if p.is_dir() and not p.name.startswith("__")}
# a run of path characters with at least one slash, not preceded by a path character, '/', '~' or '.'
WORD = re.compile(r"(?<![\w/~.\-])([A-Za-z_.][\w.\-]*(?:/[\w.\-*]+)+/?)")


def doc_files() -> list[Path]:
    files = [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").rglob("*.md"))]
    files += sorted(ROOT.glob("README.*.md"))
    return [f for f in files if f.is_file()]


def named_paths(text: str) -> set[str]:
    found = set()
    for word in WORD.findall(text):
        word = word.rstrip(".,;:)")
        first = word.split("/", 1)[0]
        if first in TOP or first in PACKAGES:
            found.add(word)
    return found


def exists(word: str, doc: Path) -> bool:
    bases = [ROOT, doc.parent] + ([ROOT / "gdviz"] if word.split("/", 1)[0] in PACKAGES else [])
    for base in bases:
        if "*" in word:
            if any(base.glob(word.rstrip("/"))):
                return True
        elif (base / word).exists():
            return True
    return False


def test_the_scanner_reads_paths_and_skips_the_users_own():
    text = "see `gui/plane/view.py`, docs/cli.md, /usr/bin/x, ~/.config/gdviz and .venv/bin/gdviz."
    assert named_paths(text) == {"gui/plane/view.py", "docs/cli.md"}


@pytest.mark.parametrize("doc", doc_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_named_path_exists(doc):
    missing = sorted(w for w in named_paths(doc.read_text(encoding="utf-8")) if not exists(w, doc))
    assert not missing, f"{doc.relative_to(ROOT)} names paths that do not exist: {missing}"
