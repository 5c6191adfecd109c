"""newsim.LSA against scikit-learn's TruncatedSVD, and dense top-k against NearestNeighbors.

On a gzip JSON-lines corpus (field "text"): builds the TF-IDF matrix once with
newsim.TfidfVectorizer, then

1. times newsim.LSA(k) and sklearn TruncatedSVD(k, algorithm="randomized", n_iter=5), best of
   --repeat calls timed round-robin, with the sum of explained_variance_ratio_ of each, and
   the memory each call adds, measured once per library in a fresh child process;
2. times the top-10 neighbours (cosine) of every row of newsim's LSA matrix: newsim.top_k on the
   dense array against NearestNeighbors(metric="cosine", algorithm="brute").kneighbors, and
   how many neighbours the two agree on.

    .venv/bin/python bench/lsa.py                  # full run
    .venv/bin/python bench/lsa.py --limit 3000     # quick look
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import os
import sys
import time
from typing import Any, Callable, Dict, List

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _memory  # noqa: E402

DEFAULT_CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared",
                              "corpora", "20newsgroups.jsonl.gz")


def load_texts(path: str, limit: int) -> List[str]:
    if not os.path.exists(path):
        sys.exit(f"corpus not found: {path} (pass --corpus)")
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            out.append(json.loads(line)["text"])
            if limit and len(out) >= limit:
                break
    return out


def tfidf(args: argparse.Namespace) -> Any:
    import newsim

    return newsim.TfidfVectorizer().fit_transform(load_texts(args.corpus, args.limit))


def lsa_cases(k: int) -> Dict[str, Callable[[Any], Any]]:
    def ours(X: Any) -> Any:
        import newsim

        m = newsim.LSA(k, n_iter=5, random_state=0)
        m.fit_transform(X)
        return m

    def theirs(X: Any) -> Any:
        from sklearn.decomposition import TruncatedSVD

        m = TruncatedSVD(k, algorithm="randomized", n_iter=5, random_state=0)
        m.fit_transform(X)
        return m

    return {"newsim": ours, "sklearn": theirs}


def child(args: argparse.Namespace) -> None:
    """In a fresh process: build X, then measure the memory one fit_transform adds."""
    X = tfidf(args)
    fn = lsa_cases(args.n_components)[args.child]
    _, figures = _memory.measure_call(lambda: fn(X))
    _memory.report_from_child(figures)


def round_robin(cases: Dict[str, Callable[[], Any]], repeat: int) -> Dict[str, List[float]]:
    times: Dict[str, List[float]] = {name: [] for name in cases}
    for _ in range(repeat):
        for name, fn in cases.items():
            gc.collect()
            t = time.perf_counter()
            result = fn()
            times[name].append(time.perf_counter() - t)
            del result
    return times


def mib(b: Any) -> str:
    return "-" if not isinstance(b, (int, float)) else f"{b / 2**20:,.0f}"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--corpus", default=DEFAULT_CORPUS)
    p.add_argument("--limit", type=int, default=0, help="only the first N documents")
    p.add_argument("--repeat", type=int, default=3, help="timed calls per case (best is shown)")
    p.add_argument("--n-components", type=int, default=200)
    p.add_argument("--k", type=int, default=10, help="neighbours per row for the top-k part")
    p.add_argument("--no-memory", action="store_true", help="skip the child processes")
    p.add_argument("--json", help="write every figure to this file")
    p.add_argument("--child", choices=["newsim", "sklearn"], help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        child(args)
        return

    import newsim
    from sklearn.neighbors import NearestNeighbors

    X = tfidf(args)
    print(f"corpus: {X.shape[0]:,} documents × {X.shape[1]:,} terms, {X.nnz:,} non-zeros; "
          f"newsim {newsim.__version__}, {os.cpu_count()} CPUs")
    report: Dict[str, Any] = {"shape": list(X.shape), "nnz": int(X.nnz)}

    # 1. LSA vs TruncatedSVD.
    fitted: Dict[str, Any] = {}
    fns = lsa_cases(args.n_components)

    def timed(name: str) -> Callable[[], Any]:
        def run() -> Any:
            fitted[name] = fns[name](X)
            return None
        return run

    times = round_robin({name: timed(name) for name in fns}, args.repeat)
    memory: Dict[str, Dict[str, Any]] = {}
    if not args.no_memory:
        for name in fns:
            cmd = [sys.executable, os.path.abspath(__file__), "--child", name, "--corpus",
                   args.corpus, "--limit", str(args.limit), "--n-components",
                   str(args.n_components)]
            memory[name] = _memory.run_child(cmd)
    evr = {name: float(m.explained_variance_ratio_.sum()) for name, m in fitted.items()}
    best = {name: min(t) for name, t in times.items()}
    print(f"\nLSA, n_components={args.n_components} (best of {args.repeat}, round-robin)")
    print(f"{'':10} {'best s':>8} {'median s':>9} {'×speed':>7} {'Σ EVR':>9} {'MiB added':>10} "
          f"{'peak MiB':>9} {'×mem':>6}")
    for name in fns:
        mem = memory.get(name, {})
        ratio_mem = "-"
        if "added" in mem and "added" in memory.get("sklearn", {}):
            ratio_mem = f"{mem['added'] / memory['sklearn']['added']:.2f}"
        print(f"{name:10} {best[name]:8.2f} {float(np.median(times[name])):9.2f} "
              f"{best['sklearn'] / best[name]:7.1f} {evr[name]:9.5f} {mib(mem.get('added')):>10} "
              f"{mib(mem.get('peak')):>9} {ratio_mem:>6}")
    diff = (evr["newsim"] - evr["sklearn"]) / evr["sklearn"]
    print(f"Σ explained_variance_ratio_: newsim vs sklearn {diff:+.3%} (target: within ±1%)")
    report["lsa"] = {"times": times, "explained_variance_ratio_sum": evr, "memory": memory}

    # 2. Dense top-k of every row of newsim's LSA matrix.
    U = fitted["newsim"].transform(X)
    k = args.k
    res: Dict[str, Any] = {}

    def ours_topk() -> None:
        res["newsim"] = newsim.top_k(U, k)[0]

    def theirs_topk() -> None:
        nn = NearestNeighbors(n_neighbors=k + 1, metric="cosine", algorithm="brute").fit(U)
        res["sklearn"] = nn.kneighbors(U, return_distance=False)

    ttimes = round_robin({"newsim": ours_topk, "sklearn": theirs_topk}, args.repeat)
    # sklearn lists the row itself among its neighbours (distance 0): drop it.
    theirs = [[j for j in row if j != i][:k] for i, row in enumerate(res["sklearn"])]
    ours = res["newsim"]
    agree = np.mean([len(set(ours[i]) & set(theirs[i])) / k for i in range(len(theirs))])
    tbest = {name: min(t) for name, t in ttimes.items()}
    print(f"\nDense top-{k} of {U.shape[0]:,} rows × {U.shape[1]} dimensions (cosine)")
    print(f"{'':10} {'best s':>8} {'median s':>9} {'×speed':>7}")
    for name in ttimes:
        print(f"{name:10} {tbest[name]:8.2f} {float(np.median(ttimes[name])):9.2f} "
              f"{tbest['sklearn'] / tbest[name]:7.1f}")
    print(f"neighbours in common: {agree:.4%} (ties and rounding at the k-th place differ)")
    report["top_k"] = {"times": ttimes, "agreement": float(agree)}
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    main()
