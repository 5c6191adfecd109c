#!/usr/bin/env python3
"""End to end: what `newsim analyze --format html` costs, stage by stage, on real archives.

Two cases, each in a fresh child process (so that its peak memory is its own):

* ``reuters``: Reuters-21578 (<repo>/../shared/corpora/reuters21578.jsonl.gz, 21,578
  articles) read → cleaned → HTML report; goal <= 10 s and <= 400 MB;
* ``100k``: 100,000 articles (Reuters + 20 Newsgroups + BBC topped up with synthetic
  rewrites, bench/_synthetic.py's ``archive(100_000)``, written once to a cached .jsonl.gz
  that the timed run reads); goal <= 90 s, <= 3 GB, stories <= 20 s.

Per stage (read, cleaning, term vectors, neighbours with their shared and key terms,
near-duplicates, stories, report assembly, HTML rendering and writing) it prints the wall
time and the process's peak resident memory during the stage (VmHWM, reset at each stage
start through /proc/self/clear_refs; where that is refused, the peak so far), then the total
and the peak of the whole run (the largest stage peak). Then the HTML size, and the time headless
Chromium takes to show it: the page's own figure (its script stamps ``performance.now()``
on <body> when the article list is drawn; read with ``--dump-dom``) and the wall time of
``chromium --screenshot`` minus that of an empty page.

    .venv/bin/python bench/analyze.py --quick          # Reuters only, ~20 s
    .venv/bin/python bench/analyze.py                  # both cases (the synthetic archive
                                                       # is generated once, ~30 s)
    .venv/bin/python bench/analyze.py --threads 2 --json /tmp/analyze.json
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _memory import peak_bytes, reset_peak  # noqa: E402
from _common import import_newsim, machine_info, print_rows, source_state  # noqa: E402

REPO = HERE.parent
REUTERS = REPO.parent / "shared" / "corpora" / "reuters21578.jsonl.gz"
CACHE = Path(tempfile.gettempdir()) / "newsim-bench"
GOALS = {"reuters": {"seconds": 10, "peak_mb": 400, "html_mb": 5, "render_s": 5},
         "100k": {"seconds": 90, "peak_mb": 3072, "stories_s": 20}}
MB = 1024 * 1024


def archive_file(n: int, seed: int = 0) -> Path:
    """The synthetic archive of n articles as JSON lines, generated once and cached."""
    path = CACHE / f"archive-{n}-{seed}.jsonl.gz"
    if not path.is_file():
        from _synthetic import archive

        CACHE.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        tmp = path.with_suffix(".tmp")
        with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=1) as f:
            for a in archive(n, seed):
                f.write(json.dumps(a, ensure_ascii=False) + "\n")
        tmp.replace(path)
        print(f"(generated {path}, {time.perf_counter() - t:.1f} s)", file=sys.stderr)
    return path


class Stages:
    """Wall time and peak RSS of consecutive named stages."""

    def __init__(self) -> None:
        self.rows: List[Dict[str, Any]] = []
        self.resets = True
        self._name: Optional[str] = None
        self._t = 0.0

    def start(self, name: str) -> None:
        self.stop()
        self.resets = reset_peak() and self.resets
        self._name, self._t = name, time.perf_counter()

    def stop(self) -> None:
        if self._name is not None:
            self.rows.append({"stage": self._name, "seconds": time.perf_counter() - self._t,
                              "peak_mb": peak_bytes() / MB})
        self._name = None


def child(case: str, path: Path, threads: int, html_out: Path) -> Dict[str, Any]:
    """One run, read to HTML, in this process."""
    import newsim
    from newsim.report import build_report, render_html

    stages = Stages()
    stages.start("read")
    note = ""
    try:
        corpus = newsim.read_articles(path)
    except ValueError as e:  # an older reader stops at a malformed date
        note = f"default read failed ({str(e)[:120]}); read with errors='report'"
        corpus = newsim.read_articles(path, errors="report")
    # As `newsim analyze` does: cleaned before the report, the raw articles freed.
    stages.start("clean")
    corpus = newsim.clean(corpus, n_jobs=threads)
    names = {"term vectors": "vectors", "report": "report building"}
    report = build_report(corpus, n_jobs=threads,
                          step=lambda s: stages.start(names.get(s, s)))
    stages.start("HTML")
    page = render_html(report)
    html_out.write_text(page, encoding="utf-8")
    stages.stop()
    return {"case": case, "articles": len(report["articles"]), "note": note,
            "stages": stages.rows, "stage_peaks_reset": stages.resets,
            "seconds": sum(r["seconds"] for r in stages.rows),
            # ru_maxrss follows the per-stage resets, so the run's peak is the largest stage's.
            "peak_mb": max([r["peak_mb"] for r in stages.rows]
                           + [resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024]),
            "html_bytes": html_out.stat().st_size,
            "stories": report["summary"]["stories"],
            "duplicate_groups": report["summary"]["duplicate_groups"]}


def chromium_times(page: Path) -> Dict[str, Any]:
    """How long headless Chromium takes to show the page: the page's own figure (from
    navigation start until its script drew the article list), and the wall time of a
    screenshot of it minus that of an empty page (best of 2 each)."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        return {"error": "chromium not installed"}
    flags = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--hide-scrollbars", "--window-size=1280,1000"]
    blank = page.with_name("blank.html")
    blank.write_text("<!DOCTYPE html><title>blank</title><p>blank</p>")
    shot = page.with_name("shot.png")

    def wall(p: Path) -> float:
        t = time.perf_counter()
        subprocess.run(flags + [f"--screenshot={shot}", p.as_uri()], capture_output=True,
                       timeout=300)
        return time.perf_counter() - t

    in_page = []
    for _ in range(2):
        dom = subprocess.run(flags + ["--dump-dom", page.as_uri()], capture_output=True,
                             text=True, timeout=300).stdout
        m = re.search(r'data-rendered-ms="(\d+)"', dom)
        in_page.append(int(m.group(1)) / 1000 if m else float("inf"))
    shots = [(wall(page), wall(blank)) for _ in range(2)]
    best = min(shots)
    return {"in_page_s": min(in_page), "screenshot_s": best[0], "blank_s": best[1],
            "load_s": best[0] - best[1]}


def run_case(case: str, threads: int, keep: Optional[Path]) -> Dict[str, Any]:
    path = REUTERS if case == "reuters" else archive_file(100_000)
    if not path.is_file():
        return {"case": case, "error": f"{path} not found"}
    out_dir = Path(tempfile.mkdtemp(prefix="newsim-analyze-"))
    html_out = (keep / f"{case}.html") if keep else out_dir / f"{case}.html"
    cmd = [sys.executable, __file__, "--child", case, "--path", str(path), "--threads",
           str(threads), "--html", str(html_out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy())
    line = [x for x in proc.stdout.splitlines() if x.startswith("ANALYZE ")]
    if proc.returncode != 0 or not line:
        return {"case": case, "error": f"child exited {proc.returncode}: {proc.stderr[-1500:]}"}
    result = json.loads(line[-1][len("ANALYZE "):])
    result["chromium"] = chromium_times(html_out)
    if not keep:
        shutil.rmtree(out_dir, ignore_errors=True)
    return result


def show(r: Dict[str, Any]) -> None:
    print(f"\n== {r['case']}: {r.get('articles', '?'):,} articles" if "articles" in r
          else f"\n== {r['case']}")
    if "error" in r:
        print("   error:", r["error"])
        return
    if r["note"]:
        print("   note:", r["note"])
    rows = [(s["stage"], f"{s['seconds']:.2f}", f"{s['peak_mb']:.0f}") for s in r["stages"]]
    rows.append(("total", f"{r['seconds']:.2f}", f"{r['peak_mb']:.0f}"))
    print_rows(("stage", "seconds", "peak MB"), rows, {1, 2})
    if not r["stage_peaks_reset"]:
        print("   (peaks could not be reset per stage: each is the peak so far)")
    c = r["chromium"]
    render = (f"Chromium: {c['in_page_s']:.2f} s from navigation until the page's script "
              f"drew the article list; screenshot {c['screenshot_s']:.2f} s wall, "
              f"{c['load_s']:.2f} s more than an empty page" if "error" not in c
              else f"Chromium: {c}")
    print(f"HTML: {r['html_bytes'] / MB:.2f} MB; {render}")
    print(f"stories: {r['stories']:,}; near-duplicate groups: {r['duplicate_groups']:,}")
    goal = GOALS[r["case"]]
    stories = sum(s["seconds"] for s in r["stages"] if s["stage"] == "stories")
    checks = [f"total {r['seconds']:.1f} s (goal <= {goal['seconds']})",
              f"peak {r['peak_mb']:.0f} MB (goal <= {goal['peak_mb']})"]
    if "stories_s" in goal:
        checks.append(f"stories {stories:.1f} s (goal <= {goal['stories_s']})")
    if "html_mb" in goal:
        checks.append(f"HTML {r['html_bytes'] / MB:.2f} MB (goal <= {goal['html_mb']})")
        if "in_page_s" in r["chromium"]:
            checks.append(f"drawn in Chromium in {r['chromium']['in_page_s']:.2f} s "
                          f"(goal <= {goal['render_s']})")
    print("goals: " + "; ".join(checks))


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="the Reuters case only")
    p.add_argument("--threads", type=int, default=2, help="n_jobs (2)")
    p.add_argument("--json", type=Path, help="write every figure here")
    p.add_argument("--keep-html", type=Path, help="keep the HTML reports in this folder")
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--html", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    newsim, where = import_newsim()
    if args.child:
        print("ANALYZE " + json.dumps(child(args.child, args.path, args.threads, args.html)))
        return 0
    if newsim is None:
        print(where, file=sys.stderr)
        return 1
    print(where)
    m = machine_info()
    print(f"source {source_state()}; {m['cpu']}, {m['nproc']} cores, {m['memory_gib']} GiB; "
          f"{args.threads} threads")
    if args.keep_html:
        args.keep_html.mkdir(parents=True, exist_ok=True)
    results = []
    for case in ["reuters"] if args.quick else ["reuters", "100k"]:
        results.append(run_case(case, args.threads, args.keep_html))
        show(results[-1])
    if args.json:
        args.json.write_text(json.dumps({"machine": m, "source": source_state(),
                                         "results": results}, indent=2))
    return 0 if all("error" not in r for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
