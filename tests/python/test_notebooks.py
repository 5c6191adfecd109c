"""The notebooks in notebooks/ run top to bottom without an error.

Each runs in a fresh kernel started with this interpreter (``sys.executable``: the project's
venv under ``make test``), so that the kernel imports the very newsim the tests import,
whether from the build tree (``PYTHONPATH=build/python``) or installed into the venv. The
notebooks are committed without outputs; they are executed on copies.
"""

from __future__ import annotations

import json
import os
import site
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest

import newsim

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("matplotlib")
pytest.importorskip("sklearn")

from jupyter_client.kernelspec import KernelSpecManager  # noqa: E402
from jupyter_client.manager import KernelManager  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO_ROOT / "notebooks"
CORPORA_DIR = REPO_ROOT.parent / "shared" / "corpora"
KERNEL = "newsim-tests"
PROBE = "import newsim as _newsim_probe\nprint('NEWSIM-FROM', _newsim_probe.__file__)"


@pytest.fixture(scope="module")
def kernels(tmp_path_factory) -> KernelSpecManager:
    """A kernel spec that starts this interpreter, in a folder of its own."""
    root = tmp_path_factory.mktemp("kernels")
    spec = root / KERNEL
    spec.mkdir()
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "newsim tests", "language": "python"}))
    return KernelSpecManager(kernel_dirs=[str(root)])


def kernel_env(**extra: str) -> Dict[str, str]:
    """This process's environment, with newsim's folder first on PYTHONPATH (a relative
    ``PYTHONPATH=build/python`` would not survive the kernel's working directory, notebooks/)."""
    env = dict(os.environ)
    # abspath, not resolve: the sanitizer build's package folder holds symlinks to python/newsim.
    package_parent = str(Path(os.path.abspath(newsim.__file__)).parents[1])
    installed = {str(Path(p).resolve()) for p in site.getsitepackages()}
    if package_parent not in installed:
        paths = [package_parent] + [str(Path(p).resolve()) for p in
                                    env.get("PYTHONPATH", "").split(os.pathsep) if p]
        env["PYTHONPATH"] = os.pathsep.join(paths)
    env["MPLBACKEND"] = "Agg"
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # the kernel's debugger is not used
    env.update(extra)
    return env


def run(name: str, kernels: KernelSpecManager, **env: str) -> Any:
    """Executes a copy of notebooks/<name> (plus a last cell that tells where newsim came
    from) and returns it with its outputs; CellExecutionError on the first failing cell."""
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    km = KernelManager(kernel_name=KERNEL, kernel_spec_manager=kernels)
    client = nbclient.NotebookClient(nb, km=km, timeout=300, kernel_name=KERNEL,
                                     resources={"metadata": {"path": str(NOTEBOOKS)}})
    # cleanup_kc: the client does not own the kernel manager it is given, so it would leave
    # the kernel running and its channels open (their zmq context then fails to close when a
    # later test collects it, an unraisable-exception warning).
    client.execute(env=kernel_env(**env), cleanup_kc=True)
    assert not km.has_kernel
    return nb


def outputs(nb: Any) -> List[Dict[str, Any]]:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]


def text_of(nb: Any) -> str:
    parts = []
    for o in outputs(nb):
        if o.output_type == "stream":
            parts.append(o.text)
        elif "data" in o:
            parts.extend(str(v) for k, v in o.data.items() if k.startswith("text/"))
    return "\n".join(parts)


def assert_ran_cleanly(nb: Any) -> None:
    errors = [o for o in outputs(nb) if o.output_type == "error"]
    assert not errors, errors
    stderr = [o.text for o in outputs(nb) if o.output_type == "stream" and o.name == "stderr"]
    assert not stderr, f"the notebook wrote to stderr (warnings?): {stderr}"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    # The kernel used the newsim these tests import.
    assert f"NEWSIM-FROM {newsim.__file__}" in code[-1].outputs[0].text


@pytest.mark.parametrize("name", ["01_sample_articles.ipynb", "02_news_archive.ipynb"])
def test_notebooks_are_committed_without_outputs(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    assert all(not c.outputs and c.execution_count is None for c in code), \
        f"{name} holds outputs: clear them before committing"


def test_sample_articles_notebook_runs(kernels):
    nb = run("01_sample_articles.ipynb", kernels)
    assert_ran_cleanly(nb)
    data = [o.data for o in outputs(nb) if "data" in o]
    assert sum("image/png" in d for d in data) == 1  # the heatmap, shown once
    html = [d["text/html"] for d in data if "text/html" in d]
    assert any("CleanResult(5 articles" in h for h in html)  # the audit summary
    assert any("<mark" in h for h in html)  # the shared terms of the closest pair
    assert "Medvedev, Sarkozy and Merkel to Meet" in text_of(nb)


def test_news_archive_notebook_runs(kernels):
    if not any((CORPORA_DIR / f).is_file() for f in ("reuters21578.jsonl.gz", "bbc.jsonl.gz")):
        pytest.skip(f"no archive in {CORPORA_DIR}: the notebook would only run on the seeds "
                    "(test_news_archive_notebook_without_corpora covers that)")
    nb = run("02_news_archive.ipynb", kernels, NEWSIM_CORPORA=str(CORPORA_DIR))
    assert_ran_cleanly(nb)
    text = text_of(nb)
    assert "No news archive found" not in text
    assert "NearDuplicateResult(" in text and "StoryResult(" in text
    assert "speed-up" in text
    assert sum("image/png" in o.get("data", {}) for o in outputs(nb)) == 1  # the timeline


def test_news_archive_notebook_without_corpora(kernels, tmp_path):
    nb = run("02_news_archive.ipynb", kernels, NEWSIM_CORPORA=str(tmp_path))
    assert_ran_cleanly(nb)
    assert "No news archive found" in text_of(nb)
