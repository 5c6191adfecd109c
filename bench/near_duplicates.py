#!/usr/bin/env python3
"""Near-duplicate benchmark: newsim.near_duplicates against an exact all-pairs computation.

On Reuters-21578 (21,578 articles, <repo>/../shared/corpora/reuters21578.jsonl.gz) this times,
from the texts in memory to the list of pairs with Jaccard >= 0.8 on 5-word shingles:

* the exact reference: every article's shingle set (Python: the words of scikit-learn's token
  pattern, lowercased), a binary article × shingle matrix B, all intersections at once as the
  sparse product B·Bᵀ (scipy), then Jaccard = |A ∩ B| / (|A| + |B| - |A ∩ B|) for every pair
  that shares a shingle;
* newsim.near_duplicates(texts, threshold=0.8) with n_jobs=1 and 2 (MinHash with 128
  permutations, LSH, exact check of each candidate);

and reports newsim's recall and precision against the reference, the groups of identical
non-empty bodies (260 groups, 522 articles) and whether any empty body was paired (2,535 are
empty). Target: >= 20× faster than the reference, recall >= 0.99.

    .venv/bin/python bench/near_duplicates.py                 # ~1 minute
    .venv/bin/python bench/near_duplicates.py --repeat 3 --json /tmp/near_duplicates.json
"""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Set, Tuple

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from vectorize import (  # noqa: E402
    OthersCpu, fmt, import_newsim, machine_info, print_rows, source_state, wait_until_idle,
)

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpora" / "reuters21578.jsonl.gz"
TOKEN = re.compile(r"(?u)\b\w\w+\b")
TARGET_SPEEDUP = 20.0
TARGET_RECALL = 0.99


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


def timed(fn: Any, repeat: int) -> Tuple[List[float], Any, float]:
    times = []
    out = None
    with OthersCpu() as others:
        for _ in range(repeat):
            t = time.perf_counter()
            out = fn()
            times.append(time.perf_counter() - t)
    return times, out, others.seconds / max(sum(times), 1e-9)


def main(argv: Any = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--threshold", type=float, default=0.8)
    ap.add_argument("--shingle-size", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=5, help="newsim calls per case (best is kept)")
    ap.add_argument("--repeat-exact", type=int, default=1, help="reference runs (~8 s each)")
    ap.add_argument("--max-wait", type=float, default=120,
                    help="seconds to wait for a quiet machine before timing (0: do not wait)")
    ap.add_argument("--json", type=Path, help="write the figures here")
    args = ap.parse_args(argv)

    newsim, note = import_newsim()
    if newsim is None:
        print(note)
        return 1
    if not args.corpus.exists():
        print(f"corpus not found: {args.corpus}")
        return 1
    texts = load_texts(args.corpus)
    print(f"{note}\nsource: {source_state()}\ncorpus: {args.corpus.name}, {len(texts):,} "
          f"articles, {sum(len(t.encode()) for t in texts) / 1e6:.1f} MB of text\n")

    if args.max_wait > 0:
        wait_until_idle(args.max_wait)
    ref_times, ref, ref_others = timed(
        lambda: exact_pairs(texts, args.threshold, args.shingle_size), args.repeat_exact)
    rows = []
    results: Dict[int, Any] = {}
    for threads in (1, 2):
        if args.max_wait > 0:
            wait_until_idle(args.max_wait)
        times, r, others = timed(lambda: newsim.near_duplicates(
            texts, args.threshold, shingle_size=args.shingle_size, n_jobs=threads), args.repeat)
        results[threads] = r
        rows.append({"case": "newsim near_duplicates", "threads": threads, "best_s": min(times),
                     "median_s": statistics.median(times), "others_cores": others,
                     "speedup": min(ref_times) / min(times)})
    rows.insert(0, {"case": "exact all-pairs (Python shingles + scipy B·Bᵀ)", "threads": 1,
                    "best_s": min(ref_times), "median_s": statistics.median(ref_times),
                    "others_cores": ref_others, "speedup": None})

    r = results[2]
    got = set(zip(r.pairs["a"].tolist(), r.pairs["b"].tolist()))
    same_threads = got == set(zip(results[1].pairs["a"].tolist(), results[1].pairs["b"].tolist()))
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

    print_rows(("case", "threads", "best s", "median s", "others' cores", "vs exact"),
               [(x["case"], str(x["threads"]), fmt(x["best_s"]), fmt(x["median_s"]),
                 fmt(x["others_cores"], ".2f"),
                 "—" if x["speedup"] is None else f"{x['speedup']:.1f}× faster")
                for x in rows], right={1, 2, 3, 4})
    best = max(x["speedup"] for x in rows if x["speedup"] is not None)
    print(f"\npairs at Jaccard >= {args.threshold}: reference {len(ref):,}, newsim {len(got):,};"
          f" recall {recall:.4f} (target >= {TARGET_RECALL}), precision {precision:.4f}")
    print(f"candidates checked exactly: {r.candidates:,}; LSH banding (bands, rows): "
          f"{newsim.NearDuplicateIndex(args.threshold).banding}")
    print(f"relations: {dict(collections.Counter(r.pairs['relation']))}")
    print(f"groups: {len(r.groups):,}; identical non-empty bodies: {len(identical)} groups of "
          f"{sum(map(len, identical))} articles, {together} found within one group")
    print(f"empty bodies: {len(empty):,}, paired: {empty_paired}; same pairs with 1 and 2 "
          f"threads: {same_threads}")
    print(f"speed: {best:.1f}× faster than the exact reference (target >= {TARGET_SPEEDUP:.0f}×)")
    if args.json:
        args.json.write_text(json.dumps({
            "machine": machine_info(), "source": source_state(), "rows": rows,
            "reference_pairs": len(ref), "newsim_pairs": len(got), "recall": recall,
            "precision": precision, "candidates": r.candidates,
            "identical_groups": len(identical), "identical_found": together,
            "empty_paired": empty_paired, "same_with_threads": same_threads}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
