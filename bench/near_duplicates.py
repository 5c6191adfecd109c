#!/usr/bin/env python3
"""Near-duplicate and text-reuse benchmark: newsim against exact all-pairs computations.

On Reuters-21578 (21,578 articles, <repo>/../shared/corpora/reuters21578.jsonl.gz) this times,
from the texts in memory to the list of pairs:

* Jaccard: the exact reference (every article's set of 5-word shingles, Python: the words of
  scikit-learn's token pattern, lowercased; a binary article × shingle matrix B; all
  intersections at once as the sparse product B·Bᵀ (scipy); Jaccard = |A ∩ B| / (|A| + |B| -
  |A ∩ B|) for every pair that shares a shingle) against newsim.near_duplicates(texts,
  threshold=0.8) with n_jobs=1 and 2 (MinHash with 128 permutations, LSH, exact check of each
  candidate). Reports recall and precision, the groups of identical non-empty bodies (260
  groups, 522 articles) and whether any empty body was paired (2,535 are empty). Target: >= 20×
  faster than the reference, recall >= 0.99.
* Text reuse: newsim.text_reuse(texts) with n_jobs=1 and 2 (winnowed fingerprints in an
  inverted index, then each candidate aligned; pairs that share a passage of >= 15 words)
  against an exact containment reference: 5-word shingles of the words \\w+, lowercased, every
  digit replaced by 0; B·Bᵀ as above; reference pairs share >= 11 shingles (a 15-word passage
  has 11) and |A ∩ B| / min(|A|, |B|) >= 0.5. Reports text_reuse's time against
  near_duplicates(0.8) on 1 thread (target <= 2×), the reference's time against text_reuse on
  2 threads (target >= 20×), pairs per relation, candidates, whether 1 and 2 threads give the
  same pairs, recall on the reference pairs (also on those sharing >= 11 shingles without
  figures: most reference pairs are earnings tables and other frames of figures, which
  text_reuse leaves out as boilerplate or calls ``template``) and its pairs outside the
  reference (scattered shingles are not passages, so these may be right).

With ``--archive N`` only text reuse runs, once on 2 threads, on N articles of
bench/_synthetic.archive (the real corpora topped up with synthetic rewrites): time, peak RSS
of the process (the archive included), pairs per relation. Target: <= 30 s for N = 100,000.

    .venv/bin/python bench/near_duplicates.py                 # ~1 minute
    .venv/bin/python bench/near_duplicates.py --repeat 3 --json /tmp/near_duplicates.json
    .venv/bin/python bench/near_duplicates.py --archive 100000 --max-wait 0
"""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import re
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Set, Tuple

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    OthersCpu, fmt, import_newsim, machine_info, newsim_build_note, print_rows, source_state,
    wait_until_idle,
)

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpora" / "reuters21578.jsonl.gz"
TOKEN = re.compile(r"(?u)\b\w\w+\b")
WORD = re.compile(r"\w+")
DIGIT = re.compile(r"\d")
TARGET_SPEEDUP = 20.0
TARGET_RECALL = 0.99
# Text reuse: a 15-word passage holds 11 five-word shingles.
REUSE_SHINGLE = 5
REUSE_MIN_SHARED = 11
REUSE_MIN_CONTAINMENT = 0.5
TARGET_REUSE_VS_JACCARD = 2.0
TARGET_ARCHIVE_S = 30.0


def load_texts(path: Path) -> List[str]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line).get("text") or "" for line in f]


def exact_pairs(texts: List[str], threshold: float, k: int) -> Set[Tuple[int, int]]:
    """Every pair (i < j) whose k-word shingle sets have Jaccard >= threshold."""
    ids: Dict[str, int] = {}
    indptr = [0]
    indices: List[int] = []
    for t in texts:
        words = TOKEN.findall(t.lower())
        if words:
            n = min(k, len(words))
            shingles = {" ".join(words[i:i + n]) for i in range(len(words) - n + 1)}
            indices.extend(ids.setdefault(s, len(ids)) for s in shingles)
        indptr.append(len(indices))
    b = sp.csr_matrix((np.ones(len(indices), dtype=np.int32), indices, indptr),
                      shape=(len(texts), len(ids)))
    inter = sp.triu(b @ b.T, k=1).tocoo()
    sizes = np.diff(b.indptr)
    jaccard = inter.data / (sizes[inter.row] + sizes[inter.col] - inter.data)
    keep = jaccard >= threshold
    return set(zip(inter.row[keep].tolist(), inter.col[keep].tolist()))


def containment_pairs(texts: List[str]) -> Tuple[Set[Tuple[int, int]], Any, Dict[str, int]]:
    """Every pair (i < j) sharing >= REUSE_MIN_SHARED shingles (words \\w+, lowercased, digits
    as 0) with containment >= REUSE_MIN_CONTAINMENT; also B and its shingle → column map."""
    ids: Dict[str, int] = {}
    indptr = [0]
    indices: List[int] = []
    k = REUSE_SHINGLE
    for t in texts:
        words = WORD.findall(DIGIT.sub("0", t.lower()))
        indices.extend({ids.setdefault(" ".join(words[i:i + k]), len(ids))
                        for i in range(len(words) - k + 1)})
        indptr.append(len(indices))
    b = sp.csr_matrix((np.ones(len(indices), dtype=np.int32), indices, indptr),
                      shape=(len(texts), len(ids)))
    inter = sp.triu(b @ b.T, k=1).tocoo()
    sizes = np.diff(b.indptr)
    keep = inter.data >= REUSE_MIN_SHARED
    keep &= inter.data >= REUSE_MIN_CONTAINMENT * np.minimum(sizes[inter.row], sizes[inter.col])
    return set(zip(inter.row[keep].tolist(), inter.col[keep].tolist())), b, ids


def prose_pairs(ref: Set[Tuple[int, int]], b: Any, ids: Dict[str, int]) -> Set[Tuple[int, int]]:
    """The reference pairs that share >= REUSE_MIN_SHARED shingles without a figure."""
    if not ref:
        return set()
    plain = b[:, np.fromiter(("0" not in s for s in ids), bool, len(ids))].tocsr()
    a, c = np.array(sorted(ref)).T
    shared = np.asarray(plain[a].multiply(plain[c]).sum(axis=1)).ravel()
    keep = shared >= REUSE_MIN_SHARED
    return set(zip(a[keep].tolist(), c[keep].tolist()))


def pair_set(pairs: Any) -> Set[Tuple[int, int]]:
    return set(zip(pairs["a"].tolist(), pairs["b"].tolist()))


def relations(pairs: Any) -> Dict[str, int]:
    return {str(k): int(v) for k, v in pairs["relation"].value_counts().items()}


def timed(fn: Any, repeat: int) -> Tuple[List[float], Any, float]:
    times = []
    out = None
    with OthersCpu() as others:
        for _ in range(repeat):
            t = time.perf_counter()
            out = fn()
            times.append(time.perf_counter() - t)
    return times, out, others.seconds / max(sum(times), 1e-9)


def row(case: str, threads: int, times: List[float], others: float,
        speedup: Any = None) -> Dict[str, Any]:
    return {"case": case, "threads": threads, "best_s": min(times),
            "median_s": statistics.median(times), "others_cores": others, "speedup": speedup}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run_archive(newsim: Any, n: int, args: argparse.Namespace) -> int:
    """Text reuse on n articles of the synthetic archive, once on 2 threads."""
    from _synthetic import archive

    t = time.perf_counter()
    texts = [a["text"] for a in archive(n)]
    print(f"archive: {len(texts):,} articles, {sum(len(x.encode()) for x in texts) / 1e6:.1f} MB"
          f" of text, built in {time.perf_counter() - t:.1f} s\n")
    if args.max_wait > 0:
        wait_until_idle(args.max_wait)
    times, r, others = timed(lambda: newsim.text_reuse(texts, n_jobs=2), 1)
    rss = peak_rss_mb()
    rel = relations(r.pairs)
    print(f"newsim text_reuse, 2 threads: {times[0]:.1f} s (target <= {TARGET_ARCHIVE_S:.0f} s "
          f"on 2 threads for 100,000); others' cores {others:.2f}")
    print(f"peak RSS of the process (archive included): {rss:,.0f} MB")
    print(f"pairs: {len(r.pairs):,} {rel}; candidates: {r.candidates:,}; "
          f"groups: {len(r.groups):,}")
    if args.json:
        args.json.write_text(json.dumps({
            "machine": machine_info(), "source": source_state(), "archive": len(texts),
            "text_reuse_s": times[0], "others_cores": others, "peak_rss_mb": rss,
            "pairs": len(r.pairs), "relations": rel, "candidates": r.candidates,
            "groups": len(r.groups)}, indent=2))
    return 0


def main(argv: Any = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--threshold", type=float, default=0.8)
    ap.add_argument("--shingle-size", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=5, help="newsim calls per case (best is kept)")
    ap.add_argument("--repeat-exact", type=int, default=1, help="Jaccard reference runs (~8 s)")
    ap.add_argument("--max-wait", type=float, default=120,
                    help="seconds to wait for a quiet machine before timing (0: do not wait)")
    ap.add_argument("--archive", type=int, metavar="N",
                    help="only text reuse, on N articles of bench/_synthetic.archive")
    ap.add_argument("--json", type=Path, help="write the figures here")
    args = ap.parse_args(argv)

    newsim, note = import_newsim()
    if newsim is None:
        print(note)
        return 1
    print(f"{note}\n{newsim_build_note(newsim)}\nsource: {source_state()}")
    if args.archive is not None:
        return run_archive(newsim, args.archive, args)
    if not args.corpus.exists():
        print(f"corpus not found: {args.corpus}")
        return 1
    texts = load_texts(args.corpus)
    print(f"corpus: {args.corpus.name}, {len(texts):,} "
          f"articles, {sum(len(t.encode()) for t in texts) / 1e6:.1f} MB of text\n")

    # Jaccard: exact reference, then near_duplicates(threshold) on 1 and 2 threads.
    if args.max_wait > 0:
        wait_until_idle(args.max_wait)
    ref_times, ref, ref_others = timed(
        lambda: exact_pairs(texts, args.threshold, args.shingle_size), args.repeat_exact)
    rows = [row("exact all-pairs Jaccard (Python shingles + scipy B·Bᵀ)", 1, ref_times,
                ref_others)]
    results: Dict[int, Any] = {}
    for threads in (1, 2):
        if args.max_wait > 0:
            wait_until_idle(args.max_wait)
        times, results[threads], others = timed(lambda: newsim.near_duplicates(
            texts, threshold=args.threshold, shingle_size=args.shingle_size, n_jobs=threads),
            args.repeat)
        rows.append(row(f"newsim near_duplicates(threshold={args.threshold})", threads, times,
                        others, min(ref_times) / min(times)))

    # Text reuse: text_reuse on 1 and 2 threads, then the exact containment reference.
    reuse: Dict[int, Any] = {}
    reuse_rows = []
    for threads in (1, 2):
        if args.max_wait > 0:
            wait_until_idle(args.max_wait)
        times, reuse[threads], others = timed(
            lambda: newsim.text_reuse(texts, n_jobs=threads), args.repeat)
        reuse_rows.append(row("newsim text_reuse", threads, times, others))
    if args.max_wait > 0:
        wait_until_idle(args.max_wait)
    cref_times, (cref, b, shingle_ids), cref_others = timed(lambda: containment_pairs(texts), 1)
    for x in reuse_rows:
        x["speedup"] = cref_times[0] / x["best_s"]
    rows += [row("exact all-pairs containment (Python shingles + scipy B·Bᵀ)", 1, cref_times,
                 cref_others)] + reuse_rows

    r = results[2]
    got = pair_set(r.pairs)
    same_threads = got == pair_set(results[1].pairs)
    recall = len(got & ref) / len(ref) if ref else 1.0
    precision = len(got & ref) / len(got) if got else 1.0
    bodies = collections.defaultdict(list)
    for i, t in enumerate(texts):
        if t.strip():
            bodies[t].append(i)
    identical = [g for g in bodies.values() if len(g) > 1]
    labels = r.group_labels()
    together = sum(1 for g in identical if labels[g[0]] >= 0 and len(set(labels[g])) == 1)
    empty = {i for i, t in enumerate(texts) if not t.strip()}
    empty_paired = sum(1 for a, b in got if a in empty or b in empty)

    tr = reuse[2]
    tr_got = pair_set(tr.pairs)
    tr_same = tr.pairs.equals(reuse[1].pairs)
    tr_rel = relations(tr.pairs)
    prose = prose_pairs(cref, b, shingle_ids)
    tr_recall = len(tr_got & cref) / len(cref) if cref else 1.0
    tr_prose_recall = len(tr_got & prose) / len(prose) if prose else 1.0
    tr_outside = len(tr_got - cref)
    vs_jaccard = reuse_rows[0]["best_s"] / rows[1]["best_s"]
    tr_speedup = reuse_rows[1]["speedup"]

    print_rows(("case", "threads", "best s", "median s", "others' cores", "vs exact"),
               [(x["case"], str(x["threads"]), fmt(x["best_s"]), fmt(x["median_s"]),
                 fmt(x["others_cores"], ".2f"),
                 "—" if x["speedup"] is None else f"{x['speedup']:.1f}× faster")
                for x in rows], right={1, 2, 3, 4})
    best = max(x["speedup"] for x in rows[1:3])
    print(f"\nJaccard >= {args.threshold}: reference {len(ref):,} pairs, newsim {len(got):,};"
          f" recall {recall:.4f} (target >= {TARGET_RECALL}), precision {precision:.4f}")
    print(f"candidates checked exactly: {r.candidates:,}; LSH banding (bands, rows): "
          f"{newsim.NearDuplicateIndex(args.threshold).banding}")
    print(f"relations: {dict(collections.Counter(r.pairs['relation']))}")
    print(f"groups: {len(r.groups):,}; identical non-empty bodies: {len(identical)} groups of "
          f"{sum(map(len, identical))} articles, {together} found within one group")
    print(f"empty bodies: {len(empty):,}, paired: {empty_paired}; same pairs with 1 and 2 "
          f"threads: {same_threads}")
    print(f"speed: {best:.1f}× faster than the exact reference (target >= {TARGET_SPEEDUP:.0f}×)")

    print(f"\ntext reuse: {len(tr.pairs):,} pairs {tr_rel}")
    print(f"candidates aligned: {tr.candidates:,}; groups: {len(tr.groups):,}; same pairs with "
          f"1 and 2 threads: {tr_same}")
    print(f"containment reference (>= {REUSE_MIN_SHARED} shared {REUSE_SHINGLE}-word shingles, "
          f"containment >= {REUSE_MIN_CONTAINMENT}): {len(cref):,} pairs, {len(prose):,} of them "
          f"sharing >= {REUSE_MIN_SHARED} shingles without figures")
    print(f"recall on the reference: {tr_recall:.4f}; on its pairs without figures: "
          f"{tr_prose_recall:.4f}; text_reuse pairs outside the reference: {tr_outside:,}")
    print(f"speed: text_reuse / near_duplicates({args.threshold}) on 1 thread: {vs_jaccard:.2f}× "
          f"(target <= {TARGET_REUSE_VS_JACCARD:.0f}×); reference / text_reuse on 2 threads: "
          f"{tr_speedup:.1f}× (target >= {TARGET_SPEEDUP:.0f}×)")
    if args.json:
        args.json.write_text(json.dumps({
            "machine": machine_info(), "source": source_state(), "rows": rows,
            "reference_pairs": len(ref), "newsim_pairs": len(got), "recall": recall,
            "precision": precision, "candidates": r.candidates,
            "identical_groups": len(identical), "identical_found": together,
            "empty_paired": empty_paired, "same_with_threads": same_threads,
            "text_reuse": {
                "pairs": len(tr.pairs), "relations": tr_rel, "candidates": tr.candidates,
                "groups": len(tr.groups), "same_with_threads": tr_same,
                "reference_pairs": len(cref), "reference_pairs_without_figures": len(prose),
                "recall": tr_recall, "recall_without_figures": tr_prose_recall,
                "outside_reference": tr_outside, "vs_jaccard_1_thread": vs_jaccard,
                "reference_vs_2_threads": tr_speedup}}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
