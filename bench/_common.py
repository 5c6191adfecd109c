"""What the benchmark scripts share: loading corpora, finding the newsim build, the state
of the machine (other processes' CPU, compilers running), and printing tables."""

from __future__ import annotations

import datetime
import glob
import gzip
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

REPO = Path(__file__).resolve().parent.parent


def load_corpus(path: Path, limit: Optional[int]) -> List[str]:
    """The "text" field of each line of a gzip JSON-lines file, the first `limit` ones."""
    docs: List[str] = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            if limit is not None and len(docs) >= limit:
                break
            if line.strip():
                docs.append(json.loads(line)["text"])
    return docs


def import_newsim() -> Tuple[Any, str]:
    """(the newsim module or None, a note saying where it came from or why it is absent).

    The build tree's package (build/python: links to the sources and the freshest module)
    wins over an installed newsim, which may be an older copy; PYTHONPATH wins over both.
    """
    tree = REPO / "build" / "python"
    in_tree = bool(glob.glob(str(tree / "newsim" / "_core*.so")))
    if in_tree and not os.environ.get("PYTHONPATH"):
        sys.path.insert(0, str(tree))
        os.environ["PYTHONPATH"] = str(tree)  # the memory children load the same build
    try:
        import newsim  # type: ignore
    except ImportError as e:
        where = "in-tree build does not import" if in_tree else (
            f"not importable, and no build at {tree}/newsim/_core*.so")
        return None, f"newsim skipped: {where} ({e})"
    return newsim, f"newsim {getattr(newsim, '__version__', '?')} from {newsim.__file__}"


def source_state() -> str:
    """The repository's commit, and whether cpp/ or python/ differ from it (read-only git)."""
    try:
        head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "cpp",
                                "python"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (head or "unknown") + (" + uncommitted changes in cpp/ or python/" if dirty.strip() else "")


def newsim_build_note(newsim: Any) -> str:
    """Which compiled core was loaded, and when it was built (it may be rebuilt mid-run)."""
    core = getattr(newsim, "_core", None)
    path = getattr(core, "__file__", None)
    if not path:
        return "newsim core: ?"
    mtime = datetime.datetime.fromtimestamp(os.path.getmtime(path)).astimezone()
    return f"newsim core: {path} (built {mtime.isoformat(timespec='seconds')})"


def compilers_running() -> List[str]:
    """Names of compiler/linker processes now running (they disturb timings on 2 cores)."""
    names = {"cc1plus", "cc1", "ld", "ld.gold", "ld.lld", "lto1", "lto-wrapper", "clang",
             "clang++", "rustc"}
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/comm", encoding="utf-8") as f:
                comm = f.read().strip()
        except OSError:
            continue
        if comm in names:
            found.append(f"{comm}[{pid}]")
    return found


def system_busy_seconds() -> float:
    """CPU seconds all processes have been busy since boot (from /proc/stat)."""
    with open("/proc/stat", encoding="ascii") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class OthersCpu:
    """CPU seconds that other processes used while the `with` block ran."""

    def __enter__(self) -> "OthersCpu":
        self._sys, self._own = system_busy_seconds(), own_cpu_seconds()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.seconds = max(0.0, (system_busy_seconds() - self._sys)
                           - (own_cpu_seconds() - self._own))


def others_busy(window: float = 2.0) -> float:
    """Cores that other processes keep busy, averaged over `window` s (we sleep meanwhile)."""
    with OthersCpu() as o:
        time.sleep(window)
    return o.seconds / window


def wait_until_idle(max_wait: float, threshold: float = 0.2) -> bool:
    """Wait while a compiler runs or others keep > threshold cores busy, up to max_wait s.

    True when the machine is quiet. Compilers are named because the lead builds on the same
    2 cores; a test run or anything else busy is caught by the CPU measure.
    """
    start = time.monotonic()
    told = False
    while True:
        busy = compilers_running()
        load = others_busy()
        if not busy and load <= threshold:
            return True
        what = (", ".join(busy[:3]) + "; " if busy else "") + f"{load:.2f} cores busy"
        if time.monotonic() - start >= max_wait:
            print(f"  ! machine still busy after {max_wait:.0f} s ({what}); "
                  f"timing anyway, figures are disturbed", flush=True)
            return False
        if not told:
            print(f"  … machine busy ({what}); waiting", flush=True)
            told = True
        time.sleep(5)


def machine_info() -> Dict[str, Any]:
    cpu = "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            mem_gib = int(f.readline().split()[1]) / 1024 / 1024
    except (OSError, ValueError, IndexError):
        mem_gib = float("nan")
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "affinity": len(os.sched_getaffinity(0)),
        "cpu": cpu,
        "memory_gib": round(mem_gib, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "executable": sys.executable,
    }


def library_versions(newsim: Any) -> Dict[str, str]:
    import numpy
    import scipy
    import sklearn

    out = {"numpy": numpy.__version__, "scipy": scipy.__version__,
           "sklearn": sklearn.__version__}
    try:
        import gensim

        out["gensim"] = gensim.__version__
    except ImportError:
        pass
    if newsim is not None:
        out["newsim"] = str(getattr(newsim, "__version__", "?"))
    return out


def fmt(v: Optional[float], spec: str = ".3f") -> str:
    return "—" if v is None else format(v, spec)


def ratio_text(speedup: Optional[float], mem: Optional[float]) -> str:
    return f"{fmt(speedup, '.1f')}× / {fmt(mem, '.2f')}"


def print_rows(head: Tuple[str, ...], lines: List[Tuple[str, ...]], right: set) -> None:
    """A plain-text table: the columns numbered in `right` right-aligned."""
    widths = [max(len(h), *(len(l[i]) for l in lines)) if lines else len(h)
              for i, h in enumerate(head)]

    def out(cells: Tuple[str, ...]) -> None:
        print("  ".join(c.rjust(w) if i in right else c.ljust(w)
                        for i, (c, w) in enumerate(zip(cells, widths))).rstrip())

    out(head)
    print("  ".join("-" * w for w in widths))
    for l in lines:
        out(l)
