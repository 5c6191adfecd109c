#!/usr/bin/env python3
"""Nearest articles by search against the exact top-k: time and recall.

``ArticleSimilarity.top_k(k=10)`` scores every pair of articles; ``top_k(k=10, search=True)``
searches (latent cells, time neighbours, the best candidates scored in full). For each case
this fits the preset on the cleaned articles, times both (best of ``--repeat``), and prints
recall@3 and recall@10: the share of the exact neighbours (score > 0) that the search found,
and the ratio of the times.

* ``reuters``: Reuters-21578 (../shared/corpora/reuters21578.jsonl.gz), 21,578 articles;
* ``100k``: bench/_synthetic.py's ``archive(100_000)``, cached as bench/analyze.py caches it.

    .venv/bin/python bench/search.py                 # both, ~4 minutes on 2 cores
    .venv/bin/python bench/search.py --cases reuters --json /tmp/search.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, Dict

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import import_newsim, machine_info, print_rows, source_state  # noqa: E402
from analyze import REUTERS, archive_file  # noqa: E402


def recall(exact: np.ndarray, found: np.ndarray, k: int) -> float:
    want = exact[:, :k]
    hits = sum(len(set(w[w >= 0].tolist()) & set(f[:k].tolist())) for w, f in zip(want, found))
    return hits / max(1, int((want >= 0).sum()))


def run(newsim: Any, name: str, path: Path, repeat: int, threads: int) -> Dict[str, Any]:
    corpus = newsim.clean(newsim.read_articles(path, errors="report"), n_jobs=threads).corpus
    sim = newsim.ArticleSimilarity(n_jobs=threads).fit(corpus)
    best = {}
    out = {}
    for mode, search in (("exact", False), ("search", True)):
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            out[mode] = sim.top_k(k=10, search=search)
            times.append(time.perf_counter() - t)
        best[mode] = min(times)
    return {"case": name, "articles": len(corpus), "exact_s": best["exact"],
            "search_s": best["search"], "speedup": best["exact"] / best["search"],
            "recall@3": recall(out["exact"][0], out["search"][0], 3),
            "recall@10": recall(out["exact"][0], out["search"][0], 10)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", default="reuters,100k")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    newsim, where = import_newsim()
    m = machine_info()
    print(f"{where}\nsource {source_state()}; {m['cpu']}, "
          f"{m['nproc']} cores; {args.threads} threads")
    paths = {"reuters": REUTERS, "100k": None}
    rows = []
    for name in args.cases.split(","):
        path = paths[name] if paths[name] is not None else archive_file(100_000)
        rows.append(run(newsim, name, path, args.repeat, args.threads))
    print_rows(("case", "articles", "exact s", "search s", "speed-up", "recall@3", "recall@10"),
               [(r["case"], f"{r['articles']:,}", f"{r['exact_s']:.2f}", f"{r['search_s']:.2f}",
                 f"{r['speedup']:.1f}x", f"{r['recall@3']:.3f}", f"{r['recall@10']:.3f}")
                for r in rows], right={1, 2, 3, 4, 5, 6})
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
