#!/usr/bin/env python3
"""A big archive on one machine: time and peak memory per stage.

The archive is bench/_synthetic.py's ``archive(n)`` (20 Newsgroups, Reuters and BBC topped up
with synthetic articles made from their sentences, fixed seed), written once as JSON lines
and cached beside bench/analyze.py's archives. Stages, in one process:

* ``vectors``: ``newsim.vectorize_files`` streams the file in chunks of 20,000 articles
  (cleaning statistics, vocabulary statistics, TF-IDF vectors) to a matrix file on disk;
* ``top-10``: the 10 nearest articles of every article by TF-IDF cosine (``newsim.top_k``
  on the memory-mapped matrix) with ``--method``: ``approximate`` (default; each article
  reads at most ``--postings`` index entries, rarest terms first: 10,000 here, half the
  library's default, which at a million articles trades recall@10 0.987 for 0.967 and
  about 40 % of the time), or an exact one (``pruned``, ``all_pairs``, ``auto``);
* ``exact sample`` (after an approximate top-10): the exact lists (``method="pruned"``) of
  ``--sample`` articles drawn at random (fixed seed) against the whole archive, and the
  approximate lists' recall@10 on them (the share of the exact neighbours they hold);
* ``top-10 approx`` (after an exact top-10, unless skipped): the approximate lists of every
  article and their recall@10 against the exact ones;
* ``read``: the articles in memory (``read_articles``), for the two stages that need texts;
* ``near-duplicates``: ``newsim.near_duplicates`` (shared passages, aligned; no bound on
  the candidate pairs: a million articles of this archive have tens of millions);
* ``stories``: ``newsim.cluster_stories`` with its defaults (7-day window).

Peak memory is the process's VmHWM, reset before each stage. Figures are printed as a table
and, with --json, written out.

    .venv/bin/python bench/scale.py --articles 1000000      # the issue's size: about 16–20 min
    .venv/bin/python bench/scale.py --articles 1000000 --method pruned --skip approx
    .venv/bin/python bench/scale.py --articles 200000 --json /tmp/scale.json
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import import_newsim, machine_info, print_rows, source_state  # noqa: E402
from analyze import Stages, archive_file  # noqa: E402

MB = 1 << 20


def recall(got: np.ndarray, exact: np.ndarray) -> float:
    """The share of the exact lists' neighbours (padding left out) that `got` holds."""
    hits = total = 0
    for lo in range(0, exact.shape[0], 100_000):
        e, g = exact[lo:lo + 100_000], got[lo:lo + 100_000]
        real = e >= 0
        total += int(real.sum())
        hits += int(((e[:, :, None] == g[:, None, :]).any(axis=2) & real).sum())
    return hits / total if total else 1.0


def drop_self(lists: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Top-(k+1) lists computed with the article itself allowed, as top-k lists without it:
    with exclude_self=False a row's own index is usually its first neighbour."""
    k = lists.shape[1] - 1
    out = np.full((len(rows), k), -1, dtype=lists.dtype)
    for i, (row, own) in enumerate(zip(lists, rows)):
        kept = row[(row != own) & (row >= 0)][:k]
        out[i, :len(kept)] = kept
    return out


def run(newsim: Any, n: int, threads: int, skip: List[str], method: str,
        sample: int, postings: int) -> Dict[str, Any]:
    t = time.perf_counter()
    path = archive_file(n)
    generated = time.perf_counter() - t
    stages = Stages()
    out: Dict[str, Any] = {"articles": n, "archive": str(path), "archive_s": generated,
                           "archive_mb": path.stat().st_size / MB}
    with tempfile.TemporaryDirectory() as tmp:
        stages.start("vectors")
        r = newsim.vectorize_files(path, Path(tmp) / "tfidf.json",
                                   newsim.TfidfVectorizer(sublinear_tf=True),
                                   errors="report", n_jobs=threads)
        out.update(rows=r.matrix.shape[0], terms=r.matrix.shape[1], nnz=int(r.matrix.nnz),
                   skipped=r.skipped)
        if "top-10" not in skip:
            stages.start("top-10")
            idx, _ = newsim.top_k(r.matrix, k=10, n_jobs=threads, method=method,
                                  postings=postings if method == "approximate" else None)
            out["rows_with_10"] = int((idx[:, -1] >= 0).sum())
            if method == "approximate":
                stages.start("exact sample")
                rows = np.sort(np.random.default_rng(0).choice(
                    r.matrix.shape[0], min(sample, r.matrix.shape[0]), replace=False))
                exact, _ = newsim.top_k(r.matrix[rows], k=11, Y=r.matrix, exclude_self=False,
                                        n_jobs=threads, method="pruned")
                out["recall_rows"] = len(rows)
                out["approx_recall_at_10"] = recall(idx[rows], drop_self(exact, rows))
            elif "approx" not in skip:
                stages.start("top-10 approx")
                got, _ = newsim.top_k(r.matrix, k=10, n_jobs=threads, method="approximate",
                                      postings=postings)
                out["recall_rows"] = len(idx)
                out["approx_recall_at_10"] = recall(got, idx)
        del r
    stages.start("read")
    corpus = newsim.read_articles(path, errors="report")
    if "near-duplicates" not in skip:
        stages.start("near-duplicates")
        d = newsim.near_duplicates(corpus, n_jobs=threads, max_pairs=None)
        out["duplicate_groups"] = len(d.groups)
        out["duplicate_pairs"] = len(d.pairs)
        del d
    if "stories" not in skip:
        stages.start("stories")
        s = newsim.cluster_stories(corpus, n_jobs=threads)
        out["stories"] = s.n_stories
    stages.stop()
    out["stages"] = stages.rows
    out["seconds"] = sum(row["seconds"] for row in stages.rows
                         if row["stage"] not in ("top-10 approx", "exact sample"))
    out["peak_mb"] = max(row["peak_mb"] for row in stages.rows)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--articles", type=int, default=1_000_000)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--skip", default="",
                    help="stages to leave out, comma-separated (top-10, approx, near-duplicates, "
                         "stories)")
    ap.add_argument("--method", default="approximate",
                    help="top_k's method for the top-10 (approximate, pruned, all_pairs, auto)")
    ap.add_argument("--postings", type=int, default=10_000,
                    help="index entries an article reads in the approximate top-10")
    ap.add_argument("--sample", type=int, default=2000,
                    help="articles whose exact lists measure the approximate recall")
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args()
    newsim, where = import_newsim()
    if newsim is None:
        print(where, file=sys.stderr)
        return 1
    print(f"{where}; {machine_info()}; {source_state()}")
    result = run(newsim, args.articles, args.threads,
                 [s for s in args.skip.split(",") if s], args.method, args.sample,
                 args.postings)
    print(f"{result['articles']:,} articles ({result['archive_mb']:.0f} MB gzip JSON lines), "
          f"{result['terms']:,} terms, {result['nnz']:,} non-zeros")
    print_rows(("stage", "seconds", "peak MB"),
               [(r["stage"], f"{r['seconds']:.1f}", f"{r['peak_mb']:.0f}") for r in result["stages"]],
               {1, 2})
    if "approx_recall_at_10" in result:
        print(f"approximate top-10 (postings={args.postings:,}): recall@10 "
              f"{result['approx_recall_at_10']:.4f} against exact "
              f"({result['recall_rows']:,} articles)")
    print(f"total {result['seconds']:.1f} s (the {args.method} top-10, no recall check), "
          f"peak {result['peak_mb']:.0f} MB")
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": machine_info(), "source": source_state(),
                                               **result}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
