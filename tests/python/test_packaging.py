"""Packaging: one version everywhere, and a plain `pip install` that works outside the repo."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

import newsim

REPO = Path(__file__).resolve().parents[2]
SYSTEM_PYTHON = Path("/usr/bin/python3")


def cmake_project_version() -> str:
    text = (REPO / "CMakeLists.txt").read_text(encoding="utf-8")
    match = re.search(r"project\s*\(\s*newsim\b[^)]*?\bVERSION\s+([0-9]+(?:\.[0-9]+)*)", text)
    assert match, "CMakeLists.txt has no project(newsim VERSION x.y.z ...)"
    return match.group(1)


def test_version_matches_cmake_project_version() -> None:
    assert newsim.__version__ == cmake_project_version()


def test_the_source_package_holds_no_compiled_module() -> None:
    """The build puts _core in build/python/newsim (or pip installs it): a module left in
    python/newsim would be imported instead of the fresh one."""
    stale = sorted(p.name for p in (REPO / "python" / "newsim").glob("_core*.so"))
    assert stale == [], f"python/newsim holds {stale}; delete it (make clean)"
    assert Path(newsim._core.__file__).parent != REPO / "python" / "newsim"


def system_python_can_make_venvs() -> bool:
    if not SYSTEM_PYTHON.exists():
        return False
    probe = subprocess.run(
        [str(SYSTEM_PYTHON), "-c", "import venv, ensurepip"], capture_output=True, check=False
    )
    return probe.returncode == 0


def run(cmd: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(cmd, capture_output=True, text=True, check=False, **kwargs)
    assert result.returncode == 0, (
        f"{' '.join(cmd)} exited {result.returncode}\n"
        f"--- stdout\n{result.stdout[-4000:]}\n--- stderr\n{result.stderr[-4000:]}"
    )
    return result


@pytest.mark.skipif(
    not system_python_can_make_venvs(),
    reason="/usr/bin/python3 cannot create venvs (install python3-venv)",
)
def test_pip_install_into_fresh_venv(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    run([str(SYSTEM_PYTHON), "-m", "venv", "--system-site-packages", str(venv)])
    python = venv / "bin" / "python"

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    build_dir = REPO / "build"
    if build_dir.is_dir():
        # Reuse the CMake tree from `make test`: an incremental build, not a second full one.
        env["NEWSIM_CMAKE_BUILD_DIR"] = str(build_dir)
    run(
        [str(python), "-m", "pip", "install", "--no-build-isolation", str(REPO)],
        env=env,
        timeout=1800,
    )

    # Outside the repository, so only the installed copy can be imported.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shown = run(
        [
            str(python),
            "-c",
            "import newsim, newsim._core; print(newsim.__version__); print(newsim.__file__)",
        ],
        cwd=elsewhere,
        env=env,
    )
    version, location = shown.stdout.split()
    assert version == cmake_project_version()
    assert Path(location).resolve().is_relative_to(venv.resolve()), location

    # The console script and the report schema are installed with the package.
    report = run([str(venv / "bin" / "newsim"), "analyze", str(REPO / "data" / "seeds"),
                  "--format", "json", "--no-progress"], cwd=elsewhere, env=env)
    assert len(json.loads(report.stdout)["articles"]) == 5
    schema = Path(location).parent / "report.schema.json"
    assert json.loads(schema.read_text())["title"] == "newsim analyze report"
