"""gdviz as a desktop citizen: a valid menu entry, icons, MIME type, --version, a wheel that works."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from gdviz import __version__, desktop

ROOT = Path(__file__).resolve().parents[2]


def test_version_comes_from_pyproject():
    import tomllib

    expected = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert __version__ == expected
    out = subprocess.run([sys.executable, "-m", "gdviz", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == f"gdviz {expected}"


def test_install_writes_a_valid_entry_and_uninstall_removes_it(tmp_path):
    written = desktop.install(tmp_path)
    entry = tmp_path / "applications" / "gdviz.desktop"
    assert entry in written and (tmp_path / "mime" / "packages" / "gdviz.xml").exists()
    assert (tmp_path / "icons" / "hicolor" / "48x48" / "apps" / "gdviz.png").stat().st_size > 0
    text = entry.read_text()
    for key in ("Name=gdviz", "GenericName=", "Comment=", "Icon=gdviz", "Categories=Education;Science;",
                "Keywords=", "StartupWMClass=gdviz", "MimeType=application/x-gdviz-session;"):
        assert key in text
    validate = shutil.which("desktop-file-validate")
    assert validate, "desktop-file-validate (desktop-file-utils) is installed by scripts/setup.sh test"
    res = subprocess.run([validate, str(entry)], capture_output=True, text=True)
    assert res.returncode == 0 and "error" not in res.stdout + res.stderr
    removed = desktop.uninstall(tmp_path)
    assert entry in removed and not entry.exists()


def test_the_exec_line_starts_this_gdviz(tmp_path):
    desktop.install(tmp_path)
    line = next(ln for ln in (tmp_path / "applications" / "gdviz.desktop").read_text().splitlines()
                if ln.startswith("Exec="))
    argv = [a for a in shlex.split(line[len("Exec="):]) if a != "%f"] + ["--version"]
    out = subprocess.run(argv, capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == f"gdviz {__version__}"


def test_exec_arguments_with_spaces_are_quoted():
    assert 'Exec="/a b/python" -m gdviz %f' in desktop.desktop_entry(["/a b/python", "-m", "gdviz"])


def test_a_built_wheel_installs_a_working_gdviz_with_its_icons(tmp_path):
    """What pipx does: build a wheel, install it in a fresh environment, run the command."""
    wheels = tmp_path / "wheels"
    # Build from a copy: setuptools writes build/ and *.egg-info into the source tree, and the
    # checkout may be read-only (or shared with another run).
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, symlinks=True,
                    ignore=shutil.ignore_patterns(".git", ".venv", "build", "*.egg-info", "__pycache__", ".*cache"))
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                            "-w", str(wheels), str(src)], capture_output=True, text=True)
    if build.returncode != 0:
        pytest.fail(build.stdout + build.stderr)
    wheel = next(wheels.glob("gdviz-*.whl"))
    env_dir = tmp_path / "env"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    py = env_dir / "bin" / "python"
    # The dependencies come from this environment (no network here; pipx would download them):
    # a plain path entry, so this environment's own .pth files (gdviz installed editable) stay out.
    env_site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                              capture_output=True, text=True).stdout.strip()
    here_site = next(p for p in sys.path if p.endswith("site-packages") and Path(p, "numpy").is_dir())
    Path(env_site, "gdviz-test-deps.pth").write_text(here_site + "\n")
    inst = subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "-q",
                           str(wheel)], capture_output=True, text=True)
    if inst.returncode != 0:
        pytest.fail(inst.stdout + inst.stderr)
    out = subprocess.run([str(env_dir / "bin" / "gdviz"), "--version"], capture_output=True, text=True,
                         cwd=tmp_path)
    assert out.returncode == 0 and out.stdout.strip() == f"gdviz {__version__}"
    icons = subprocess.run([str(py), "-c", "from gdviz.desktop import ICONS; print(sorted(p.name for p in "
                            "ICONS.iterdir()))"], capture_output=True, text=True, cwd=tmp_path)
    assert "gdviz.svg" in icons.stdout and "gdviz-256.png" in icons.stdout
    assert str(env_dir) in subprocess.run([str(py), "-c", "import gdviz; print(gdviz.__file__)"],
                                          capture_output=True, text=True, cwd=tmp_path).stdout
