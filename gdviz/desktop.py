"""A proper desktop citizen (issue 15): the freedesktop menu entry, icons and MIME types, per user.

``gdviz --install-desktop`` writes, under ``$XDG_DATA_HOME`` (default ``~/.local/share``):

- ``applications/gdviz.desktop``: Name, GenericName, Comment, Exec (``gdviz %f``, absolute),
  Icon, Categories, Keywords, StartupWMClass, and the MIME types it opens;
- ``icons/hicolor/<n>x<n>/apps/gdviz.png`` and ``icons/hicolor/scalable/apps/gdviz.svg``;
- ``mime/packages/gdviz.xml``: ``application/x-gdviz-session`` for ``*.gdviz`` files.

then refreshes the desktop and MIME databases when their tools are installed.
``--uninstall-desktop`` removes exactly those files.  Qt-free.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

APP_ID = "gdviz"
WM_CLASS = "gdviz"
SESSION_MIME = "application/x-gdviz-session"
MIME_TYPES = (SESSION_MIME, "text/csv", "text/tab-separated-values")
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICONS = Path(__file__).resolve().parent / "resources" / "icons"

MIME_XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<mime-info xmlns="http://www.freedesktop.org/standards/shared-mime-info">
  <mime-type type="{SESSION_MIME}">
    <comment>gdviz session</comment>
    <glob pattern="*.gdviz"/>
    <sub-class-of type="application/json"/>
  </mime-type>
</mime-info>
"""


def data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def launcher() -> list[str]:
    """The absolute command that starts this gdviz (its console script, else ``python -m gdviz``)."""
    script = Path(sys.executable).parent / "gdviz"
    if script.exists():
        return [str(script)]
    found = shutil.which("gdviz")
    return [found] if found else [sys.executable, "-m", "gdviz"]


def _quote(arg: str) -> str:
    """Quote an Exec argument as the Desktop Entry spec asks (reserved characters inside quotes)."""
    if not any(c in arg for c in ' \t\n"\'\\><~|&;$*?#()`'):
        return arg
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"').replace("`", "\\`").replace("$", "\\$") + '"'


def desktop_entry(exec_cmd: list[str] | None = None) -> str:
    cmd = " ".join(_quote(a) for a in (exec_cmd or launcher()))
    return "\n".join([
        "[Desktop Entry]",
        "Type=Application",
        "Version=1.0",
        "Name=gdviz",
        "GenericName=Gradient descent visualizer",
        "Comment=Watch and steer gradient descent: the loss landscape, the computation graph, optimizers racing",
        f"Exec={cmd} %f",
        f"Icon={APP_ID}",
        "Terminal=false",
        "Categories=Education;Science;Math;",
        "Keywords=gradient;descent;optimizer;momentum;tensorflow;machine learning;",
        f"MimeType={';'.join(MIME_TYPES)};",
        f"StartupWMClass={WM_CLASS}",
        "",
    ])


def _paths(home: Path) -> dict[str, Path]:
    out = {"desktop": home / "applications" / f"{APP_ID}.desktop",
           "mime": home / "mime" / "packages" / f"{APP_ID}.xml",
           "svg": home / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"}
    for n in ICON_SIZES:
        out[f"png{n}"] = home / "icons" / "hicolor" / f"{n}x{n}" / "apps" / f"{APP_ID}.png"
    return out


def _refresh(home: Path) -> None:
    for tool, arg in (("update-desktop-database", home / "applications"), ("update-mime-database", home / "mime"),
                      ("gtk-update-icon-cache", home / "icons" / "hicolor")):
        if shutil.which(tool) and arg.exists():
            extra = ["-f", "-t"] if tool == "gtk-update-icon-cache" else []
            subprocess.run([tool, *extra, str(arg)], capture_output=True, check=False)


def install(home: Path | None = None, exec_cmd: list[str] | None = None) -> list[Path]:
    """Write the menu entry, icons and MIME type; returns the files written."""
    home = home or data_home()
    p = _paths(home)
    for path in p.values():
        path.parent.mkdir(parents=True, exist_ok=True)
    p["desktop"].write_text(desktop_entry(exec_cmd))
    p["mime"].write_text(MIME_XML)
    shutil.copyfile(ICONS / "gdviz.svg", p["svg"])
    for n in ICON_SIZES:
        shutil.copyfile(ICONS / f"gdviz-{n}.png", p[f"png{n}"])
    _refresh(home)
    return list(p.values())


def uninstall(home: Path | None = None) -> list[Path]:
    """Remove what :func:`install` wrote; returns the files removed."""
    home = home or data_home()
    removed = []
    for path in _paths(home).values():
        if path.exists():
            path.unlink()
            removed.append(path)
    _refresh(home)
    return removed
