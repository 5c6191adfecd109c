#!/usr/bin/env python3
"""End-to-end similarity benchmark: newsim against scikit-learn, gensim and scipy.

On one TF-IDF matrix of the 20 Newsgroups corpus (18,846 articles; scikit-learn's
TfidfVectorizer with default parameters) this times

* the 10 nearest neighbours of every article (cosine), itself left out:
  newsim top_k(k=10) with n_jobs=1 and 2, scikit-learn NearestNeighbors(metric="cosine",
  algorithm="brute", n_jobs=2), gensim SparseMatrixSimilarity(num_best=11)
* every pair of articles with cosine >= 0.5 (i < j):
  newsim similarity_join(threshold=0.5) with n_jobs=1 and 2, chunked scipy products

checks that the answers agree, measures the memory each call adds (peak RSS during the call
minus RSS before it) in a fresh child process per case, and times top_k on growing prefixes
of 20 Newsgroups + Reuters-21578 to show how its time grows with n. See bench/README.md.

    .venv/bin/python bench/similarity.py                            # full run, ~9 minutes
    .venv/bin/python bench/similarity.py --limit 2000 --repeat 1    # quick look
    .venv/bin/python bench/similarity.py --json /tmp/similarity.json
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _memory  # noqa: E402  (the helpers beside this file)
from _common import (  # noqa: E402
    OthersCpu, compilers_running, fmt, import_newsim, library_versions, load_corpus,
    machine_info, newsim_build_note, print_rows, ratio_text, wait_until_idle,
)

REPO = Path(__file__).resolve().parent.parent
CORPORA = REPO.parent / "shared" / "corpora"
DEFAULT_CORPUS = CORPORA / "20newsgroups.jsonl.gz"
DEFAULT_SECOND = CORPORA / "reuters21578.jsonl.gz"
MIB = 1024.0 * 1024.0

K = 10              # neighbours per article
THRESHOLD = 0.5     # similarity_join threshold
JOIN_CHUNK = 1000   # rows per scipy product in scipy-join
GENSIM_CHUNK = 500  # query rows per gensim product (gensim's own default chunksize)
SCALING_SIZES = (5000, 10000, 20000)  # prefixes for the scaling case, plus all rows
PAIR_SAMPLE = 500   # rows sampled to estimate how many pairs share a term

# Targets from the issue, for newsim with 2 threads against the baseline of its operation.
TARGET_SPEEDUP = 10.0
TARGET_MEMORY_RATIO = 0.5

# Tolerances of the agreement checks.
TOL_FLOAT64 = 1e-9
TOL_GENSIM = 1e-5   # gensim stores the index and computes in float32

# Every measured case: key -> (library, operation, threads). Keys name memory children.
CASES: Dict[str, Tuple[str, str, int]] = {
    "sklearn-knn": ("sklearn", "knn", 2),
    "newsim-knn-1": ("newsim", "knn", 1),
    "newsim-knn-2": ("newsim", "knn", 2),
    "gensim-knn": ("gensim", "knn", 1),
    "scipy-join": ("scipy", "join", 1),
    "newsim-join-1": ("newsim", "join", 1),
    "newsim-join-2": ("newsim", "join", 2),
}
SLOW = {"sklearn-knn", "gensim-knn", "scipy-join"}  # timed --repeat-slow times
BASELINE = {"knn": "sklearn-knn", "join": "scipy-join"}
ALL_KEYS = list(CASES) + ["scaling"]


# --------------------------------------------------------------------------- matrix


def corpus_or_exit(path: Path, what: str) -> Path:
    if not path.is_file():
        sys.exit(f"similarity.py: {what} not found: {path}\n"
                 f"  Expected under <repo>/../shared/corpora/; pass the option naming it "
                 f"to use another copy.")
    return path


def tfidf_matrix(docs: List[str]) -> Any:
    """scikit-learn's TfidfVectorizer() matrix, in canonical CSR form (sorted columns).

    scikit-learn leaves the columns of a row unsorted; sorting them once here means no
    library has to copy the matrix to sort it.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    x = TfidfVectorizer().fit_transform(docs).tocsr()
    x.sum_duplicates()
    x.eliminate_zeros()
    return x


def save_matrix(x: Any, path: Path) -> None:
    import scipy.sparse as sp

    sp.save_npz(str(path), x, compressed=False)


def load_matrix(path: Path) -> Any:
    import scipy.sparse as sp

    x = sp.load_npz(str(path)).tocsr()
    x.sum_duplicates()
    return x


# --------------------------------------------------------------------------- runners


def drop_self(ind: Any, sc: Any, k: int) -> Tuple[Any, Any]:
    """k neighbours from k+1 that may include the row itself.

    Removes the row's own entry wherever it stands (a duplicate article may come first);
    when the row is not among them (more than k exact duplicates), removes the last one.
    """
    import numpy as np

    n, m = ind.shape
    if m < k + 1:  # fewer rows than k+1 in the matrix: pad
        ind = np.hstack([ind, np.full((n, k + 1 - m), -1, dtype=ind.dtype)])
        sc = np.hstack([sc, np.zeros((n, k + 1 - m), dtype=sc.dtype)])
    is_self = ind == np.arange(n)[:, None]
    pos = np.where(is_self.any(axis=1), is_self.argmax(axis=1), k)
    keep = np.ones((n, k + 1), dtype=bool)
    keep[np.arange(n), pos] = False
    return (ind[keep].reshape(n, k).astype(np.int64),
            sc[keep].reshape(n, k).astype(np.float64))


def make_runner(key: str, newsim: Any) -> Callable[[Any], Any]:
    """A function X -> result for one case; imports happen here, outside the timed call.

    knn cases return (indices, scores), arrays (n, K); join cases a scipy CSR matrix.
    """
    import numpy as np

    lib, op, threads = CASES[key]
    if lib == "newsim":
        if op == "knn":
            return lambda x: newsim.top_k(x, k=K, n_jobs=threads)
        return lambda x: newsim.similarity_join(x, THRESHOLD, n_jobs=threads)
    if key == "sklearn-knn":
        from sklearn.neighbors import NearestNeighbors

        def run(x: Any) -> Any:
            nn = NearestNeighbors(n_neighbors=min(K + 1, x.shape[0]), metric="cosine",
                                  algorithm="brute", n_jobs=threads).fit(x)
            dist, ind = nn.kneighbors(x)
            return drop_self(ind, 1.0 - dist, K)

        return run
    if key == "gensim-knn":
        from gensim.matutils import Sparse2Corpus
        from gensim.similarities import SparseMatrixSimilarity

        def run(x: Any) -> Any:
            n, v = x.shape
            index = SparseMatrixSimilarity(Sparse2Corpus(x, documents_columns=False),
                                           num_features=v, num_docs=n, num_nnz=x.nnz,
                                           num_best=K + 1)
            ind = np.full((n, K + 1), -1, dtype=np.int64)
            sc = np.zeros((n, K + 1), dtype=np.float64)
            # All rows against the index, a chunk of rows of the index at a time, as
            # iterating over the index does; done here because gensim returns a single list,
            # not a list of lists, for a chunk of one row.
            for a in range(0, n, GENSIM_CHUNK):
                b = min(n, a + GENSIM_CHUNK)
                sims = index[index.index[a:b]]
                if b - a == 1:
                    sims = [sims]
                for r, row in enumerate(sims, start=a):
                    for c, (j, s) in enumerate(row):
                        ind[r, c] = j
                        sc[r, c] = s
            return drop_self(ind, sc, K)

        return run
    if key == "scipy-join":
        import scipy.sparse as sp

        def run(x: Any) -> Any:
            n = x.shape[0]
            xt = x.T.tocsr()
            rows, cols, vals = [], [], []
            for a in range(0, n, JOIN_CHUNK):
                c = x[a:a + JOIN_CHUNK] @ xt  # TF-IDF rows are unit vectors: dot = cosine
                r = np.repeat(np.arange(a, a + c.shape[0]), np.diff(c.indptr))
                m = (c.data >= THRESHOLD) & (c.indices > r)
                rows.append(r[m])
                cols.append(c.indices[m])
                vals.append(c.data[m])
                del c, r, m
            out = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows),
                                                        np.concatenate(cols))), shape=(n, n))
            out.sum_duplicates()
            return out

        return run
    raise ValueError(key)


def result_bytes(res: Any) -> int:
    if isinstance(res, tuple):
        return int(sum(a.nbytes for a in res))
    return int(res.data.nbytes + res.indices.nbytes + res.indptr.nbytes)


def result_size(res: Any) -> Dict[str, Any]:
    if isinstance(res, tuple):
        return {"shape": list(res[0].shape), "neighbours": int((res[0] >= 0).sum())}
    return {"shape": list(res.shape), "pairs": int(res.nnz)}


# --------------------------------------------------------------------------- checks


def _clean_knn(res: Tuple[Any, Any]) -> Tuple[Any, Any]:
    """Indices and scores with entries of score <= 0 as padding (-1, 0), by descending score.

    newsim and gensim leave zero scores out; scikit-learn lists them (distance 1).
    """
    import numpy as np

    ind = np.asarray(res[0], dtype=np.int64).copy()
    sc = np.asarray(res[1], dtype=np.float64).copy()
    pad = (ind < 0) | (sc <= 0)
    ind[pad] = -1
    sc[pad] = 0.0
    order = np.argsort(-sc, axis=1, kind="stable")
    return np.take_along_axis(ind, order, 1), np.take_along_axis(sc, order, 1)


def compare_knn(ref: Tuple[Any, Any], got: Tuple[Any, Any], tol: float) -> Dict[str, Any]:
    """newsim's neighbours against another library's, row by row.

    Per row: the scores by rank must agree within tol; a neighbour only one side lists must
    score within tol of the other side's last (k-th) score, i.e. be a tie at the boundary;
    a neighbour both list must have the same score within tol.
    """
    import numpy as np

    ri, rs = _clean_knn(ref)
    gi, gs = _clean_knn(got)
    out: Dict[str, Any] = {"rows": int(ri.shape[0]), "tolerance": tol}
    if ri.shape != gi.shape:
        out.update(ok=False, error=f"shapes differ: {ri.shape} vs {gi.shape}")
        return out
    rank_diff = np.abs(rs - gs).max(axis=1) if rs.size else np.zeros(len(rs))
    out["max_score_diff_by_rank"] = float(rank_diff.max()) if rank_diff.size else 0.0
    out["worst_row"] = int(rank_diff.argmax()) if rank_diff.size else None
    same_set = (np.sort(ri, axis=1) == np.sort(gi, axis=1)).all(axis=1)
    out["rows_same_set"] = int(same_set.sum())
    common_diff = 0.0
    ties, bad, examples, tie_rows = 0, 0, [], []
    for i in range(ri.shape[0]):
        rmap = {int(j): float(s) for j, s in zip(ri[i], rs[i]) if j >= 0}
        gmap = {int(j): float(s) for j, s in zip(gi[i], gs[i]) if j >= 0}
        for j in rmap.keys() & gmap.keys():
            common_diff = max(common_diff, abs(rmap[j] - gmap[j]))
        if same_set[i]:
            continue
        r_last, g_last = float(rs[i, -1]), float(gs[i, -1])
        only_r = {j: s for j, s in rmap.items() if j not in gmap}
        only_g = {j: s for j, s in gmap.items() if j not in rmap}
        if (all(s <= g_last + tol for s in only_r.values())
                and all(s <= r_last + tol for s in only_g.values())):
            ties += 1
            if len(tie_rows) < 20:
                tie_rows.append(i)
        else:
            bad += 1
            if len(examples) < 5:
                examples.append({"row": i, "only_reference": only_r, "only_newsim": only_g,
                                 "reference_kth": r_last, "newsim_kth": g_last})
    out["max_score_diff_common"] = common_diff
    out["rows_differing_by_ties"] = ties
    out["tie_rows"] = tie_rows
    out["rows_mismatch"] = bad
    out["mismatch_examples"] = [{k: ({str(a): b for a, b in v.items()} if isinstance(v, dict)
                                     else v) for k, v in e.items()} for e in examples]
    out["ok"] = (bad == 0 and out["max_score_diff_by_rank"] <= tol and common_diff <= tol)
    return out


def check_topk_form(res: Tuple[Any, Any]) -> List[str]:
    """What newsim's top_k promises about its own output, checked: no self, indices in
    range, no repeats, descending scores with ties by smaller index, padding (-1, 0) last."""
    import numpy as np

    ind, sc = res
    n, k = ind.shape
    problems = []
    valid = ind >= 0
    if (ind >= n).any() or (ind < -1).any():
        problems.append("indices out of range")
    if (ind == np.arange(n)[:, None]).any():
        problems.append(f"{int((ind == np.arange(n)[:, None]).any(axis=1).sum())} rows list themselves")
    if (valid[:, 1:] & ~valid[:, :-1]).any():
        problems.append("padding before a neighbour")
    if (sc[~valid] != 0).any():
        problems.append("padding with a non-zero score")
    if (sc[valid] <= 0).any():
        problems.append("neighbours with score <= 0")
    both = valid[:, 1:] & valid[:, :-1]
    down = sc[:, 1:] < sc[:, :-1]
    tie_ok = (sc[:, 1:] == sc[:, :-1]) & (ind[:, 1:] > ind[:, :-1])
    if (both & ~(down | tie_ok)).any():
        problems.append(f"{int((both & ~(down | tie_ok)).any(axis=1).sum())} rows not in "
                        f"descending score, ties by smaller index")
    srt = np.sort(np.where(valid, ind, -np.arange(1, k + 1)), axis=1)
    if (srt[:, 1:] == srt[:, :-1]).any():
        problems.append("a neighbour listed twice in a row")
    return problems


def compare_join(ref: Any, got: Any, threshold: float, tol: float) -> Dict[str, Any]:
    """newsim's join against the scipy one: same pairs except scores within tol of the
    threshold, same scores within tol, only i < j and scores >= threshold."""
    import numpy as np

    r = ref.tocsr().copy()
    g = got.tocsr().copy()
    r.sum_duplicates()
    g.sum_duplicates()
    out: Dict[str, Any] = {"pairs_reference": int(r.nnz), "pairs": int(g.nnz),
                           "tolerance": tol}
    if r.shape != g.shape:
        out.update(ok=False, error=f"shapes differ: {r.shape} vs {g.shape}")
        return out
    ncol = r.shape[1]
    rc, gc_ = r.tocoo(), g.tocoo()
    rk = rc.row.astype(np.int64) * ncol + rc.col
    gk = gc_.row.astype(np.int64) * ncol + gc_.col
    common, ri, gi = np.intersect1d(rk, gk, assume_unique=True, return_indices=True)
    diff = np.abs(rc.data[ri] - gc_.data[gi])
    out["common"] = int(common.size)
    out["max_abs_diff"] = float(diff.max()) if diff.size else 0.0
    only_r = np.setdiff1d(np.arange(rk.size), ri)
    only_g = np.setdiff1d(np.arange(gk.size), gi)
    out["only_reference"] = int(only_r.size)
    out["only_newsim"] = int(only_g.size)
    near = lambda s: np.abs(s - threshold) <= tol  # noqa: E731
    unexplained_r = only_r[~near(rc.data[only_r])]
    unexplained_g = only_g[~near(gc_.data[only_g])]
    out["only_unexplained"] = int(unexplained_r.size + unexplained_g.size)
    out["examples"] = (
        [{"i": int(rc.row[t]), "j": int(rc.col[t]), "reference": float(rc.data[t])}
         for t in unexplained_r[:5]]
        + [{"i": int(gc_.row[t]), "j": int(gc_.col[t]), "newsim": float(gc_.data[t])}
           for t in unexplained_g[:5]])
    form = []
    if (gc_.col <= gc_.row).any():
        form.append("pairs with j <= i")
    if (gc_.data < threshold).any():
        form.append("scores below the threshold")
    out["form_problems"] = form
    out["ok"] = (out["only_unexplained"] == 0 and out["max_abs_diff"] <= tol and not form)
    return out


def identical(a: Any, b: Any) -> bool:
    """Bit-identical results (newsim n_jobs=1 against n_jobs=2)."""
    import numpy as np

    if isinstance(a, tuple):
        return all(np.array_equal(x, y) for x, y in zip(a, b))
    return (a.shape == b.shape and np.array_equal(a.indptr, b.indptr)
            and np.array_equal(a.indices, b.indices) and np.array_equal(a.data, b.data))


# --------------------------------------------------------------------------- memory child


def memory_child(key: str, matrix: Optional[Path], corpus: Path, limit: Optional[int],
                 force_sampler: bool) -> None:
    """Run in a fresh process: load the matrix, measure one call, print one JSON line."""
    newsim = None
    if CASES[key][0] == "newsim":
        newsim, note = import_newsim()
        if newsim is None:
            sys.exit(note)
    run = make_runner(key, newsim)
    x = load_matrix(matrix) if matrix else tfidf_matrix(load_corpus(corpus, limit))
    result, figures = _memory.measure_call(lambda: run(x), force_sampler=force_sampler)
    figures.update({"key": key, "result_bytes": result_bytes(result), **result_size(result)})
    _memory.report_from_child(figures)


def measure_memory(key: str, matrix: Path, args: argparse.Namespace) -> Dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--memory-child", key,
           "--matrix", str(matrix)]
    if args.memory_sampler:
        cmd.append("--memory-sampler")
    return _memory.run_child(cmd)


# --------------------------------------------------------------------------- timing


def time_case(run: Callable, x: Any, repeat: int) -> Tuple[List[float], List[float], Any]:
    """Wall times and this process's CPU times (all threads) of `repeat` calls."""
    times, cpu = [], []
    result = None
    for _ in range(repeat):
        result = None  # free the previous result before the next call
        gc.collect()
        c0 = time.process_time()
        t0 = time.perf_counter()
        result = run(x)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return times, cpu, result


def timed(run: Callable, x: Any, repeat: int) -> Tuple[List[float], List[float], Any, float]:
    """time_case, plus other processes' CPU as a share of one core over the case's time.

    Background noise is ~0.02; on 2 cores 0.15 slows a 2-thread case by up to ~8%.
    """
    with OthersCpu() as others:
        times, cpu, result = time_case(run, x, repeat)
    return times, cpu, result, others.seconds / max(sum(times), 1e-9)


# --------------------------------------------------------------------------- scaling


def scaling(args: argparse.Namespace, newsim: Any, disturbed: List[str]) -> Dict[str, Any]:
    """top_k(k=10, n_jobs=2) on prefixes of 20 Newsgroups + Reuters, one vocabulary."""
    import numpy as np

    docs = load_corpus(args.corpus, args.limit) + load_corpus(args.second_corpus, args.limit)
    t0 = time.perf_counter()
    x = tfidf_matrix(docs)
    fit_s = time.perf_counter() - t0
    n_all = x.shape[0]
    sizes = [s for s in SCALING_SIZES if s < n_all] + [n_all]
    if len(sizes) < 4:  # a small --limit: halve down from all rows instead
        sizes = sorted({max(1, n_all // 8), max(1, n_all // 4), max(1, n_all // 2), n_all})
    print(f"scaling: {len(docs):,} documents ({args.corpus.name} then "
          f"{args.second_corpus.name}), TF-IDF fitted on all of them in {fit_s:.1f} s: "
          f"{x.shape[1]:,} terms, {x.nnz:,} non-zeros; newsim top_k(k={K}, n_jobs=2) "
          f"on the first n rows, best of {args.repeat}")
    rows = []
    for n in sizes:
        xn = x[:n]
        df = np.bincount(xn.indices, minlength=x.shape[1]).astype(np.int64)
        # Pairs (i, j) sharing at least one term, self included, from a sample of rows:
        # each such pair is a candidate top_k must score, whatever the number of products.
        sample = np.random.default_rng(0).choice(n, size=min(PAIR_SAMPLE, n), replace=False)
        pairs = int(round((xn[np.sort(sample)] @ xn.T).nnz / len(sample) * n))
        if args.max_wait > 0:
            wait_until_idle(args.max_wait)
        times, cpu, _res, others = timed(lambda m: newsim.top_k(m, k=K, n_jobs=2), xn,
                                         args.repeat)
        del _res
        flag = others > 0.15
        if flag:
            disturbed.append(f"scaling n={n}")
        rows.append({"n": n, "nnz": int(xn.nnz), "products": int((df * df).sum()),
                     "pairs_sharing_a_term_est": pairs,
                     "n_squared": n * n, "times": times, "best": min(times),
                     "median": statistics.median(times), "cpu_times": cpu,
                     "cpu_best": min(cpu),
                     "others_cpu_cores": round(others, 3)})
        print(f"  n={n:,}: " + " ".join(f"{t:.3f}" for t in times) + " s (CPU "
              + " ".join(f"{t:.3f}" for t in cpu) + " s)"
              + (f"  (disturbed: other processes used {others:.2f} cores)" if flag else ""),
              flush=True)
    for prev, cur in zip(rows, rows[1:]):
        cur["time_ratio"] = cur["best"] / prev["best"]
        cur["cpu_ratio"] = cur["cpu_best"] / prev["cpu_best"]
        cur["products_ratio"] = cur["products"] / prev["products"]
        cur["pairs_ratio"] = cur["pairs_sharing_a_term_est"] / prev["pairs_sharing_a_term_est"]
        cur["n_squared_ratio"] = cur["n_squared"] / prev["n_squared"]
    for r in rows:
        r["ns_per_product"] = r["best"] / max(r["products"], 1) * 1e9
    first, last = rows[0], rows[-1]
    return {"documents": len(docs), "terms": int(x.shape[1]), "nnz": int(x.nnz),
            "fit_seconds": fit_s, "rows": rows,
            "overall": {"from_n": first["n"], "to_n": last["n"],
                        "time_ratio": last["best"] / first["best"],
                        "cpu_ratio": last["cpu_best"] / first["cpu_best"],
                        "products_ratio": last["products"] / max(first["products"], 1),
                        "pairs_ratio": (last["pairs_sharing_a_term_est"]
                                        / max(first["pairs_sharing_a_term_est"], 1)),
                        "n_squared_ratio": last["n_squared"] / first["n_squared"]}}


def print_scaling(s: Dict[str, Any]) -> None:
    head = ("n", "non-zeros", "Σ df²", "pairs", "n²", "best s", "CPU s", "ns / product",
            "×time", "×CPU", "×Σ df²", "×pairs", "×n²")
    lines = [(f"{r['n']:,}", f"{r['nnz']:,}", f"{r['products']:.3e}",
              f"{r['pairs_sharing_a_term_est']:.3e}", f"{r['n_squared']:.3e}",
              f"{r['best']:.3f}", f"{r['cpu_best']:.3f}", f"{r['ns_per_product']:.3f}",
              fmt(r.get("time_ratio"), ".2f"), fmt(r.get("cpu_ratio"), ".2f"),
              fmt(r.get("products_ratio"), ".2f"), fmt(r.get("pairs_ratio"), ".2f"),
              fmt(r.get("n_squared_ratio"), ".2f"))
             for r in s["rows"]]
    print_rows(head, lines, right=set(range(len(head))))
    o = s["overall"]
    print(f"from n={o['from_n']:,} to n={o['to_n']:,}: time ×{o['time_ratio']:.2f}, "
          f"CPU ×{o['cpu_ratio']:.2f}, Σ df² ×{o['products_ratio']:.2f}, "
          f"pairs ×{o['pairs_ratio']:.2f}, n² ×{o['n_squared_ratio']:.2f}")
    print("ratios are against the previous row; CPU s = this process's CPU time (both "
          "threads), less affected than wall time by other processes; ns / product = best s "
          "/ Σ df²; Σ df² = number of non-zero products x_it·x_jt over all pairs i, j and "
          f"terms t; pairs = pairs i, j sharing at least one term, estimated from "
          f"{PAIR_SAMPLE} sampled rows")


# --------------------------------------------------------------------------- report


def print_table(rows: List[Dict[str, Any]]) -> None:
    head = ("library", "operation", "threads", "best s", "median s", "MiB added",
            "result MiB", "vs baseline ×speed / mem", "vs gensim ×speed / mem", "target")
    lines = []
    for r in rows:
        is_base = BASELINE[r["operation"]] == r["key"]
        lines.append((
            r["library"], r["operation"], str(r["threads"]),
            fmt(r.get("best")), fmt(r.get("median")),
            fmt(r.get("mib_added"), ".1f"), fmt(r.get("result_mib"), ".1f"),
            "1.0× / 1.00" if is_base else
            ratio_text(r.get("speedup_vs_baseline"), r.get("memory_vs_baseline")),
            ratio_text(r.get("speedup_vs_gensim"), r.get("memory_vs_gensim"))
            if r.get("speedup_vs_gensim") is not None else "",
            r.get("target_text", ""),
        ))
    print_rows(head, lines, right={2, 3, 4, 5, 6})


def print_checks(checks: Dict[str, Any]) -> None:
    for key, c in checks.items():
        if "identical" in c:
            print(f"  {'PASS' if c['ok'] else 'FAIL'} {key}: "
                  f"{'bit-identical' if c['identical'] else 'results DIFFER'}")
        elif "rows_mismatch" in c:
            extra = f"; {c['error']}" if "error" in c else ""
            print(f"  {'PASS' if c['ok'] else 'FAIL'} {key}: {c['rows']:,} rows, "
                  f"{c.get('rows_same_set', 0):,} same neighbour set, "
                  f"{c.get('rows_differing_by_ties', 0):,} differ only by ties at the k-th "
                  f"score{' (row ' + ', '.join(map(str, c['tie_rows'][:5])) + ')' if c.get('tie_rows') else ''}, "
                  f"{c.get('rows_mismatch', 0):,} mismatch; max |Δscore| by rank "
                  f"{c.get('max_score_diff_by_rank', float('nan')):.3g}, same neighbour "
                  f"{c.get('max_score_diff_common', float('nan')):.3g} "
                  f"(tolerance {c['tolerance']:g}){extra}")
            for e in c.get("mismatch_examples", [])[:3]:
                print(f"       row {e['row']}: only reference {e['only_reference']}, "
                      f"only newsim {e['only_newsim']}")
        elif "pairs_reference" in c:
            extra = f"; {c['error']}" if "error" in c else ""
            print(f"  {'PASS' if c['ok'] else 'FAIL'} {key}: {c['pairs']:,} pairs vs "
                  f"{c['pairs_reference']:,}, {c.get('common', 0):,} common, "
                  f"{c.get('only_newsim', 0)} only newsim, {c.get('only_reference', 0)} only "
                  f"scipy ({c.get('only_unexplained', 0)} not within tolerance of the "
                  f"threshold); max |Δscore| {c.get('max_abs_diff', float('nan')):.3g} "
                  f"(tolerance {c['tolerance']:g})"
                  + ("; " + "; ".join(c["form_problems"]) if c.get("form_problems") else "")
                  + extra)
            for e in c.get("examples", [])[:3]:
                print(f"       {e}")
        elif "problems" in c:
            print(f"  {'PASS' if c['ok'] else 'FAIL'} {key}: "
                  + ("; ".join(c["problems"]) if c["problems"] else
                     "descending scores, ties by smaller index, no self, padding last"))


# --------------------------------------------------------------------------- main


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                   help=f"gzip JSON-lines corpus, field 'text' (default {DEFAULT_CORPUS})")
    p.add_argument("--second-corpus", type=Path, default=DEFAULT_SECOND,
                   help=f"corpus appended to --corpus for the scaling case "
                        f"(default {DEFAULT_SECOND})")
    p.add_argument("--repeat", type=int, default=3,
                   help="timed calls per newsim case and per scaling size (default 3)")
    p.add_argument("--repeat-slow", type=int, default=1,
                   help="timed calls per sklearn, gensim and scipy case (default 1)")
    p.add_argument("--limit", type=int, default=None,
                   help="use only the first N documents (of each corpus for scaling)")
    p.add_argument("--json", type=Path, default=None, metavar="OUT",
                   help="write every figure to this JSON file")
    p.add_argument("--only", default=None, metavar="KEYS",
                   help="comma-separated cases to run (default all): " + ", ".join(ALL_KEYS))
    p.add_argument("--no-memory", action="store_true", help="skip the memory measurements")
    p.add_argument("--memory-sampler", action="store_true",
                   help="measure peaks with the 1 ms VmRSS sampler, not clear_refs")
    p.add_argument("--max-wait", type=float, default=1800.0,
                   help="before each case wait up to this many s while a compiler runs or "
                        "others keep the CPU busy (default 1800; 0 = do not wait)")
    p.add_argument("--memory-child", default=None, help=argparse.SUPPRESS)
    p.add_argument("--matrix", type=Path, default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.repeat < 1 or args.repeat_slow < 1:
        p.error("--repeat and --repeat-slow must be at least 1")
    if args.limit is not None and args.limit < 2:
        p.error("--limit must be at least 2")

    if args.memory_child:
        if args.memory_child not in CASES:
            p.error(f"unknown case {args.memory_child}")
        if args.matrix is None:
            corpus_or_exit(args.corpus, "corpus")
        memory_child(args.memory_child, args.matrix, args.corpus, args.limit,
                     args.memory_sampler)
        return 0

    corpus_or_exit(args.corpus, "corpus")
    keys = list(ALL_KEYS)
    if args.only:
        keys = [k.strip() for k in args.only.split(",") if k.strip()]
        bad = [k for k in keys if k not in ALL_KEYS]
        if bad:
            p.error(f"unknown case(s) {bad}; known: {', '.join(ALL_KEYS)}")
    if "scaling" in keys:
        corpus_or_exit(args.second_corpus, "second corpus (--second-corpus)")

    newsim, newsim_note = import_newsim()
    print(newsim_note)
    if newsim is not None:
        newsim_note += "; " + newsim_build_note(newsim)
        print(newsim_build_note(newsim))
    try:
        import gensim  # noqa: F401
        have_gensim = True
    except ImportError as e:
        have_gensim = False
        print(f"gensim skipped: {e}")
    skipped = {k for k in keys if (k.startswith("newsim") or k == "scaling") and newsim is None
               or (k.startswith("gensim") and not have_gensim)}
    keys = [k for k in keys if k not in skipped]
    case_keys = [k for k in keys if k in CASES]

    info = machine_info()
    versions = library_versions(newsim)
    print(f"machine: {info['cpu']}, nproc {info['nproc']}, {info['memory_gib']} GiB, "
          f"Linux {info['kernel']}, Python {info['python']}")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    busy = compilers_running()
    if busy:
        print(f"note: compilers running at start: {', '.join(busy[:5])}")

    rows: Dict[str, Dict[str, Any]] = {}
    checks: Dict[str, Any] = {}
    disturbed: List[str] = []
    matrix_info: Dict[str, Any] = {}
    tmpdir = Path(tempfile.mkdtemp(prefix="newsim-bench-"))
    try:
        if case_keys:
            docs = load_corpus(args.corpus, args.limit)
            t0 = time.perf_counter()
            x = tfidf_matrix(docs)
            matrix_info = {"documents": len(docs), "characters": sum(map(len, docs)),
                           "shape": list(x.shape), "nnz": int(x.nnz),
                           "fit_seconds": time.perf_counter() - t0}
            del docs
            matrix_path = tmpdir / "tfidf.npz"
            save_matrix(x, matrix_path)
            print(f"corpus: {args.corpus} — {matrix_info['documents']:,} documents; "
                  f"sklearn TfidfVectorizer(): {x.shape[1]:,} terms, {x.nnz:,} non-zeros "
                  f"({matrix_info['fit_seconds']:.1f} s)")
            print(f"repeat: {args.repeat} (newsim), {args.repeat_slow} (sklearn, gensim, "
                  f"scipy); times are wall time (time.perf_counter) of one call on the "
                  f"whole matrix")
            print()

            results: Dict[str, Any] = {}
            for key in case_keys:
                lib, op, threads = CASES[key]
                if args.max_wait > 0:
                    wait_until_idle(args.max_wait)
                run = make_runner(key, newsim)
                repeat = args.repeat_slow if key in SLOW else args.repeat
                print(f"timing {key} ({repeat}×) …", end=" ", flush=True)
                times, cpu, result, others = timed(run, x, repeat)
                note = ""
                if others > 0.15:
                    disturbed.append(key)
                    note = f"  (disturbed: other processes used {others:.2f} cores)"
                print(" ".join(f"{t:.3f}" for t in times) + " s" + note, flush=True)
                rows[key] = {"key": key, "library": lib, "operation": op, "threads": threads,
                             "times": times, "cpu_times": cpu,
                             "others_cpu_cores": round(others, 3),
                             "best": min(times), "median": statistics.median(times),
                             "result_mib": result_bytes(result) / MIB, **result_size(result)}
                results[key] = result
                del result
                gc.collect()

            for t in (1, 2):
                key = f"newsim-knn-{t}"
                if key in results:
                    probs = check_topk_form(results[key])
                    checks[f"{key}-form"] = {"problems": probs, "ok": not probs}
                    if "sklearn-knn" in results:
                        checks[f"{key}-vs-sklearn"] = compare_knn(
                            results["sklearn-knn"], results[key], TOL_FLOAT64)
                    if "gensim-knn" in results:
                        checks[f"{key}-vs-gensim"] = compare_knn(
                            results["gensim-knn"], results[key], TOL_GENSIM)
                key = f"newsim-join-{t}"
                if key in results and "scipy-join" in results:
                    checks[f"{key}-vs-scipy"] = compare_join(
                        results["scipy-join"], results[key], THRESHOLD, TOL_FLOAT64)
            for op in ("knn", "join"):
                a, b = f"newsim-{op}-1", f"newsim-{op}-2"
                if a in results and b in results:
                    same = identical(results[a], results[b])
                    checks[f"newsim-{op}-1-vs-2"] = {"identical": same, "ok": same}
            del results, x
            gc.collect()

            if not args.no_memory:
                print()
                for key in case_keys:
                    print(f"memory {key} (fresh process) …", end=" ", flush=True)
                    m = measure_memory(key, matrix_path, args)
                    rows[key]["memory"] = m
                    if "error" in m:
                        print(m["error"])
                        continue
                    rows[key]["mib_added"] = m["added"] / MIB
                    print(f"{m['added'] / MIB:.1f} MiB added ({m['method']}), "
                          f"peak {m['peak'] / MIB:.1f} MiB, RSS before "
                          f"{m['rss_before'] / MIB:.1f} MiB", flush=True)

        scaling_out = None
        if "scaling" in keys:
            print()
            scaling_out = scaling(args, newsim, disturbed)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)

    # Ratios and targets.
    for key, r in rows.items():
        lib, op, threads = CASES[key]
        for name, base_key in (("baseline", BASELINE[op]), ("gensim", "gensim-knn")):
            base = rows.get(base_key)
            if base is None or base_key == key or CASES[base_key][1] != op:
                continue
            r[f"speedup_vs_{name}"] = base["best"] / r["best"]
            if r.get("mib_added") is not None and base.get("mib_added"):
                r[f"memory_vs_{name}"] = r["mib_added"] / base["mib_added"]
        if lib == "newsim" and threads == 2 and "speedup_vs_baseline" in r:
            r["target_speedup"] = TARGET_SPEEDUP
            r["meets_speedup"] = r["speedup_vs_baseline"] >= TARGET_SPEEDUP
            text = f"≥{TARGET_SPEEDUP:.0f}× {'met' if r['meets_speedup'] else 'MISSED'}"
            if r.get("memory_vs_baseline") is not None:
                r["target_memory_ratio"] = TARGET_MEMORY_RATIO
                r["meets_memory"] = r["memory_vs_baseline"] <= TARGET_MEMORY_RATIO
                text += (f"; mem ≤{TARGET_MEMORY_RATIO} "
                         f"{'met' if r['meets_memory'] else 'MISSED'}")
            r["target_text"] = text

    if rows:
        print()
        print_table([rows[k] for k in case_keys])
        print("baseline: sklearn-knn for knn, scipy-join for join. speed = baseline best time "
              "/ this best time; mem = this MiB added / baseline's. Target: newsim with 2 "
              "threads ≥10× the baseline's speed, memory ≤ 0.5.")
        print(f"knn: k={K}, cosine, self left out; sklearn uses n_jobs=2; gensim computes "
              f"in float32. join: cosine ≥ {THRESHOLD}, i < j; scipy products are "
              f"single-threaded, {JOIN_CHUNK} rows at a time.")
    if scaling_out:
        print()
        print_scaling(scaling_out)
    if disturbed:
        print("WARNING: other processes used the CPU while timing "
              f"{', '.join(disturbed)}; those figures are disturbed.")
    if skipped:
        print(f"skipped: {', '.join(sorted(skipped))}")

    if checks:
        print()
        print("agreement:")
        print_checks(checks)

    if args.json:
        payload = {"machine": info, "versions": versions, "corpus": str(args.corpus),
                   "second_corpus": str(args.second_corpus), "matrix": matrix_info,
                   "k": K, "threshold": THRESHOLD, "join_chunk": JOIN_CHUNK,
                   "gensim_chunk": GENSIM_CHUNK, "repeat": args.repeat,
                   "repeat_slow": args.repeat_slow, "limit": args.limit,
                   "newsim": newsim_note, "disturbed_cases": disturbed,
                   "skipped": sorted(skipped), "results": [rows[k] for k in case_keys],
                   "checks": checks, "scaling": scaling_out}
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {args.json}")
    return 0 if all(c.get("ok", True) for c in checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
