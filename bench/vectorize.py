#!/usr/bin/env python3
"""End-to-end vectorizer benchmark: newsim against scikit-learn and gensim.

On the 20 Newsgroups corpus (18,846 raw Usenet posts, ~36 MB of text) this times

* TfidfVectorizer().fit_transform(docs)   scikit-learn, newsim (n_jobs=1 and 2), gensim
* CountVectorizer().fit_transform(docs)   scikit-learn, newsim (n_jobs=1 and 2)
* HashingVectorizer().fit_transform(docs) scikit-learn, newsim (n_jobs=1 and 2)
* TfidfVectorizer(tokenizer=split_tokenizer, token_pattern=None).fit_transform(docs), the
  same Python callable in both libraries: what a callable costs (case *-tfidf-tokenizer)

checks that newsim's results agree with scikit-learn's (shape, vocabulary, entries), and
measures the memory each call adds (peak RSS during the call minus RSS before it), each in a
fresh child process. See bench/README.md for what every figure means.

    .venv/bin/python bench/vectorize.py                  # full run, ~5 minutes
    .venv/bin/python bench/vectorize.py --limit 2000 --repeat 1   # quick look
    .venv/bin/python bench/vectorize.py --json bench/results.json

The gensim pipeline is: tokenize (sklearn's regex by default, so all three libraries see
the same tokens; --gensim-tokenizer simple_preprocess for gensim's own), Dictionary,
doc2bow, TfidfModel, and corpus2csc to a scipy CSR matrix; all of it is timed.
"""

from __future__ import annotations

import argparse
import gc
import json
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _memory  # noqa: E402  (the helper beside this file)
from _common import (  # noqa: E402
    OthersCpu, compilers_running, fmt, import_newsim, library_versions, load_corpus,
    machine_info, newsim_build_note, print_rows, ratio_text, wait_until_idle,
)

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "20newsgroups.jsonl.gz"
MIB = 1024.0 * 1024.0

# scikit-learn's default analyzer: lowercase, then this pattern.
TOKEN_RE = re.compile(r"(?u)\b\w\w+\b")

# Targets from the brief, checked against the figures.
TARGET_TFIDF_SPEEDUP = {1: 10.0, 2: 20.0}
TARGET_MEMORY_RATIO = 0.5

OPERATIONS = ("tfidf", "count", "hashing", "tfidf-tokenizer")
OP_CLASS = {"tfidf": "TfidfVectorizer", "count": "CountVectorizer",
            "hashing": "HashingVectorizer", "tfidf-tokenizer": "TfidfVectorizer"}


def split_tokenizer(doc: str) -> List[str]:
    """A Python tokenizer, the same callable for both libraries."""
    return doc.split()


# Parameters beyond the defaults, by operation.
OP_PARAMS: Dict[str, Dict[str, Any]] = {
    "tfidf-tokenizer": dict(tokenizer=split_tokenizer, token_pattern=None)}

# Every measured case: key -> (library, operation, threads). Keys name memory children.
CASES: Dict[str, Tuple[str, str, int]] = {
    "sklearn-tfidf": ("sklearn", "tfidf", 1),
    "newsim-tfidf-1": ("newsim", "tfidf", 1),
    "newsim-tfidf-2": ("newsim", "tfidf", 2),
    "gensim-tfidf": ("gensim", "tfidf", 1),
    "sklearn-count": ("sklearn", "count", 1),
    "newsim-count-1": ("newsim", "count", 1),
    "newsim-count-2": ("newsim", "count", 2),
    "sklearn-hashing": ("sklearn", "hashing", 1),
    "newsim-hashing-1": ("newsim", "hashing", 1),
    "newsim-hashing-2": ("newsim", "hashing", 2),
    "sklearn-tfidf-tokenizer": ("sklearn", "tfidf-tokenizer", 1),
    "newsim-tfidf-tokenizer-1": ("newsim", "tfidf-tokenizer", 1),
    "newsim-tfidf-tokenizer-2": ("newsim", "tfidf-tokenizer", 2),
}


# --------------------------------------------------------------------------- corpus


def corpus_or_exit(path: Path) -> Path:
    if not path.is_file():
        sys.exit(
            f"vectorize.py: corpus not found: {path}\n"
            f"  The 20 Newsgroups corpus is expected at <repo>/../shared/corpora/"
            f"20newsgroups.jsonl.gz; pass --corpus PATH to use another copy."
        )
    return path


# --------------------------------------------------------------------------- libraries


def gensim_tokenize(docs: List[str], tokenizer: str) -> List[List[str]]:
    if tokenizer == "regex":
        findall = TOKEN_RE.findall
        return [findall(d.lower()) for d in docs]
    from gensim.utils import simple_preprocess

    return [simple_preprocess(d) for d in docs]


def make_runner(key: str, newsim: Any, gensim_tokenizer: str) -> Callable[[List[str]], Tuple[Any, Any]]:
    """A function docs -> (CSR result, fitted object or None) for one case.

    Imports happen here, outside the timed/measured call.
    """
    lib, op, threads = CASES[key]
    if lib == "sklearn":
        from sklearn import feature_extraction

        cls = getattr(feature_extraction.text, OP_CLASS[op])
        params = OP_PARAMS.get(op, {})

        def run(docs: List[str]) -> Tuple[Any, Any]:
            vec = cls(**params)
            return vec.fit_transform(docs), vec

        return run
    if lib == "newsim":
        cls = getattr(newsim, OP_CLASS[op])
        try:
            cls(n_jobs=threads)
        except TypeError as e:
            raise RuntimeError(f"newsim.{OP_CLASS[op]}(n_jobs={threads}) fails: {e}") from e

        params = OP_PARAMS.get(op, {})

        def run(docs: List[str]) -> Tuple[Any, Any]:
            vec = cls(n_jobs=threads, **params)
            return vec.fit_transform(docs), vec

        return run
    if lib == "gensim":
        from gensim.corpora import Dictionary
        from gensim.matutils import corpus2csc
        from gensim.models import TfidfModel
        import gensim.utils  # noqa: F401  (simple_preprocess import cost out of the timing)

        def run(docs: List[str]) -> Tuple[Any, Any]:
            tokens = gensim_tokenize(docs, gensim_tokenizer)
            dictionary = Dictionary(tokens)
            bow = [dictionary.doc2bow(t) for t in tokens]
            model = TfidfModel(dictionary=dictionary)
            # TfidfModel drops zero weights (terms in every document), so the non-zero
            # count is not known in advance: let corpus2csc find it.
            csc = corpus2csc(model[bow], num_terms=len(dictionary), num_docs=len(bow))
            return csc.T.tocsr(), dictionary

        return run
    raise ValueError(key)


def result_bytes(x: Any) -> int:
    return int(x.data.nbytes + x.indices.nbytes + x.indptr.nbytes)


# --------------------------------------------------------------------------- machine


# --------------------------------------------------------------------------- checks


def describe_csr(x: Any) -> List[str]:
    """Problems with a CSR result's form (type, sorted/duplicate indices, explicit zeros)."""
    import scipy.sparse as sp

    problems = []
    if not isinstance(x, sp.csr_matrix):
        problems.append(f"returns {type(x).__module__}.{type(x).__name__}, not csr_matrix")
    if not sp.issparse(x):
        return problems
    x = x.tocsr()
    if not x.has_canonical_format:
        # has_canonical_format may be a stale flag; check for real.
        y = x.copy()
        y.sum_duplicates()
        if y.nnz != x.nnz:
            problems.append(f"{x.nnz - y.nnz} duplicate entries")
        if not x.has_sorted_indices:
            problems.append("column indices not sorted within rows")
    zeros = int((x.data == 0).sum())
    if zeros:
        problems.append(f"{zeros} explicit zeros stored")
    return problems


def compare(ref: Any, ref_vocab: Optional[dict], got: Any, got_vocab: Optional[dict],
            exact: bool) -> Dict[str, Any]:
    """Compare newsim's result with scikit-learn's; a dict of findings, 'ok' among them."""
    import numpy as np

    out: Dict[str, Any] = {
        "shape_ref": list(ref.shape), "shape": list(got.shape),
        "dtype_ref": str(ref.dtype), "dtype": str(got.dtype),
        "nnz_ref": int(ref.nnz), "nnz": int(got.nnz),
    }
    # sklearn's own results are not canonical either (CountVectorizer remaps columns after
    # sorting the vocabulary without re-sorting rows; HashingVectorizer keeps entries that
    # cancel to zero): report only what newsim does that sklearn does not, and do not count
    # it as a mismatch unless entries are duplicated.
    ref_problems = describe_csr(ref)
    out["form_notes"] = [x for x in describe_csr(got) if x not in ref_problems]
    out["form_notes_sklearn"] = ref_problems
    cols = None
    if ref_vocab is not None:
        if got_vocab is None:
            out["vocabulary"] = "newsim has no vocabulary_"
        else:
            got_vocab = {str(k): int(v) for k, v in got_vocab.items()}
            if got_vocab == ref_vocab:
                out["vocabulary"] = "same"
            elif set(got_vocab) == set(ref_vocab):
                out["vocabulary"] = "same terms, different column order"
                perm = np.empty(len(ref_vocab), dtype=np.int64)
                for term, j in ref_vocab.items():
                    perm[j] = got_vocab[term]
                cols = perm
            else:
                only_ref = sorted(set(ref_vocab) - set(got_vocab))
                only_got = sorted(set(got_vocab) - set(ref_vocab))
                out["vocabulary"] = (f"differs: {len(only_ref)} terms only in sklearn "
                                     f"(e.g. {only_ref[:8]}), {len(only_got)} only in newsim "
                                     f"(e.g. {only_got[:8]})")
                out["vocabulary_only_sklearn"] = only_ref[:50]
                out["vocabulary_only_newsim"] = only_got[:50]
    same_shape = tuple(ref.shape) == tuple(got.shape)
    out["same_shape"] = same_shape
    if same_shape or cols is not None:
        g = got.tocsr()
        if cols is not None and g.shape[1] == len(cols):
            g = g[:, cols]
        if g.shape == ref.shape:
            diff = abs(ref.astype(np.float64) - g.astype(np.float64)).tocsr()
            diff.eliminate_zeros()
            out["max_abs_diff"] = float(diff.max()) if diff.nnz else 0.0
            out["entries_differing"] = int(diff.nnz)
            if diff.nnz:
                rows = np.diff(diff.indptr)
                worst = int(diff.indptr.searchsorted(int(diff.data.argmax()), side="right") - 1)
                out["rows_differing"] = int((rows > 0).sum())
                out["worst_row"] = worst
    limit = 0.0 if exact else 1e-12
    out["ok"] = (same_shape and out.get("vocabulary", "same") == "same"
                 and out.get("max_abs_diff", float("inf")) <= limit
                 and not any("duplicate" in x for x in out["form_notes"]))
    out["tolerance"] = limit
    return out


def compare_threads(a: Any, b: Any) -> Dict[str, Any]:
    """newsim n_jobs=1 against n_jobs=2: must be bit-identical (design rule 4)."""
    import numpy as np

    a, b = a.tocsr(), b.tocsr()
    same = (a.shape == b.shape and a.nnz == b.nnz
            and np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
            and np.array_equal(a.data, b.data))
    return {"identical": bool(same)}


def compare_gensim(ref_vocab: dict, dictionary: Any, x: Any) -> Dict[str, Any]:
    """gensim's idf differs from sklearn's (log2(N/df), no smoothing): compare shapes and terms."""
    terms = set(dictionary.token2id)
    same = terms == set(ref_vocab)
    return {"shape": list(x.shape), "terms": len(terms),
            "same_terms_as_sklearn": same}


# --------------------------------------------------------------------------- memory child


def memory_child(key: str, corpus: Path, limit: Optional[int], gensim_tokenizer: str,
                 force_sampler: bool) -> None:
    """Run in a fresh process: load the corpus, measure one call, print one JSON line."""
    newsim = None
    if CASES[key][0] == "newsim":
        newsim, note = import_newsim()
        if newsim is None:
            sys.exit(note)
    run = make_runner(key, newsim, gensim_tokenizer)
    docs = load_corpus(corpus, limit)
    result, figures = _memory.measure_call(lambda: run(docs), force_sampler=force_sampler)
    x = result[0]
    figures.update({"key": key, "result_bytes": result_bytes(x), "shape": list(x.shape),
                    "nnz": int(x.nnz)})
    _memory.report_from_child(figures)


def measure_memory(key: str, args: argparse.Namespace) -> Dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--memory-child", key,
           "--corpus", str(args.corpus), "--gensim-tokenizer", args.gensim_tokenizer]
    if args.limit is not None:
        cmd += ["--limit", str(args.limit)]
    if args.memory_sampler:
        cmd.append("--memory-sampler")
    return _memory.run_child(cmd)


# --------------------------------------------------------------------------- report


def print_table(rows: List[Dict[str, Any]], gensim_note: str) -> None:
    head = ("library", "operation", "threads", "best s", "median s", "MiB added",
            "result MiB", "vs sklearn ×speed / mem", "vs gensim ×speed / mem", "target")
    lines = []
    for r in rows:
        lines.append((
            r["library"], r["operation"], str(r["threads"]),
            fmt(r.get("best")), fmt(r.get("median")),
            fmt(r.get("mib_added"), ".1f"), fmt(r.get("result_mib"), ".1f"),
            ratio_text(r.get("speedup_vs_sklearn"), r.get("memory_vs_sklearn"))
            if r["library"] != "sklearn" else "1.0× / 1.00",
            ratio_text(r.get("speedup_vs_gensim"), r.get("memory_vs_gensim"))
            if r.get("speedup_vs_gensim") is not None else "",
            r.get("target_text", ""),
        ))
    print_rows(head, lines, right={2, 3, 4, 5, 6})
    print(f"gensim tokenization: {gensim_note}")


# --------------------------------------------------------------------------- main


def timed_call(run: Callable, docs: List[str]) -> Tuple[float, Any]:
    """Wall time of one call, and its result."""
    gc.collect()
    t0 = time.perf_counter()
    result = run(docs)
    return time.perf_counter() - t0, result


def time_cases(runs: Dict[str, Callable], docs: List[str], repeat: int, sequential: bool
               ) -> Tuple[Dict[str, List[float]], Dict[str, Any], Dict[str, float]]:
    """Times every case `repeat` times: by default round-robin (one call of each case per
    round), so that a slow spell of a shared machine slows all libraries alike instead of
    whichever case it falls on; with `sequential`, all calls of a case in a row.

    Returns the times, the last result and the CPU seconds other processes used, per case.
    """
    keys = list(runs)
    times: Dict[str, List[float]] = {k: [] for k in keys}
    results: Dict[str, Any] = {}
    others: Dict[str, float] = {k: 0.0 for k in keys}
    order = ([k for k in keys for _ in range(repeat)] if sequential
             else [k for _ in range(repeat) for k in keys])
    for key in order:
        results.pop(key, None)  # free the previous result before the next call
        with OthersCpu() as o:
            t, results[key] = timed_call(runs[key], docs)
        times[key].append(t)
        others[key] += o.seconds
        print(f"  {key}: {t:.3f} s", flush=True)
    return times, results, others


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                   help=f"gzip JSON-lines corpus, field 'text' (default {DEFAULT_CORPUS})")
    p.add_argument("--repeat", type=int, default=3, help="timed calls per case (default 3)")
    p.add_argument("--sequential", action="store_true",
                   help="time all calls of a case in a row (default: round-robin over the "
                        "cases of an operation, one call of each per round)")
    p.add_argument("--limit", type=int, default=None, help="use only the first N documents")
    p.add_argument("--json", type=Path, default=None, metavar="OUT",
                   help="write every figure to this JSON file")
    p.add_argument("--only", default=None, metavar="KEYS",
                   help="comma-separated cases to run (default all): " + ", ".join(CASES))
    p.add_argument("--no-memory", action="store_true", help="skip the memory measurements")
    p.add_argument("--memory-sampler", action="store_true",
                   help="measure peaks with the 1 ms VmRSS sampler, not clear_refs")
    p.add_argument("--gensim-tokenizer", choices=("regex", "simple_preprocess"),
                   default="regex",
                   help="regex: sklearn's lowercase + (?u)\\b\\w\\w+\\b (default); "
                        "simple_preprocess: gensim.utils.simple_preprocess")
    p.add_argument("--max-wait", type=float, default=1800.0,
                   help="before each case wait up to this many s while a compiler runs "
                        "(default 1800; 0 = do not wait)")
    p.add_argument("--memory-child", default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.repeat < 1:
        p.error("--repeat must be at least 1")
    if args.limit is not None and args.limit < 1:
        p.error("--limit must be at least 1")
    corpus_or_exit(args.corpus)

    if args.memory_child:
        if args.memory_child not in CASES:
            p.error(f"unknown case {args.memory_child}")
        memory_child(args.memory_child, args.corpus, args.limit, args.gensim_tokenizer,
                     args.memory_sampler)
        return 0

    keys = list(CASES)
    if args.only:
        keys = [k.strip() for k in args.only.split(",") if k.strip()]
        bad = [k for k in keys if k not in CASES]
        if bad:
            p.error(f"unknown case(s) {bad}; known: {', '.join(CASES)}")

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
    skipped = {k for k in keys if (CASES[k][0] == "newsim" and newsim is None)
               or (CASES[k][0] == "gensim" and not have_gensim)}
    keys = [k for k in keys if k not in skipped]

    info = machine_info()
    versions = library_versions(newsim)
    docs = load_corpus(args.corpus, args.limit)
    n_chars = sum(map(len, docs))
    print(f"corpus: {args.corpus} — {len(docs):,} documents, {n_chars / 1e6:.1f} M characters")
    print(f"machine: {info['cpu']}, nproc {info['nproc']}, {info['memory_gib']} GiB, "
          f"Linux {info['kernel']}, Python {info['python']}")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    gensim_note = ("sklearn's regex, lowercase + (?u)\\b\\w\\w+\\b (same tokens as sklearn)"
                   if args.gensim_tokenizer == "regex"
                   else "gensim.utils.simple_preprocess (alphabetic tokens of 2–15 chars)")
    print(f"repeat: {args.repeat}; times are wall time (time.perf_counter) of one "
          f"fit_transform on the whole corpus")
    busy = compilers_running()
    if busy:
        print(f"note: compilers running at start: {', '.join(busy[:5])}")
    print()

    rows: Dict[str, Dict[str, Any]] = {}
    checks: Dict[str, Any] = {}
    disturbed: List[str] = []
    for op in OPERATIONS:
        op_keys = [k for k in keys if CASES[k][1] == op]
        if not op_keys:
            continue
        if args.max_wait > 0:
            wait_until_idle(args.max_wait)
        runs = {key: make_runner(key, newsim, args.gensim_tokenizer) for key in op_keys}
        order = "in a row" if args.sequential else "round-robin"
        print(f"timing {', '.join(op_keys)} ({args.repeat}× each, {order}) …", flush=True)
        times, results, others = time_cases(runs, docs, args.repeat, args.sequential)
        for key in op_keys:
            lib, _, threads = CASES[key]
            # Other processes' CPU time as a share of one core over the case's wall time;
            # background noise is ~0.02; on 2 cores 0.15 slows a 2-thread case by up to ~8%.
            others_share = others[key] / max(sum(times[key]), 1e-9)
            note = ""
            if others_share > 0.15:
                disturbed.append(key)
                note = f"  (disturbed: other processes used {others_share:.2f} cores)"
            print(f"{key}: " + " ".join(f"{t:.3f}" for t in times[key]) + " s" + note,
                  flush=True)
            x = results[key][0]
            rows[key] = {"key": key, "library": lib, "operation": op, "threads": threads,
                         "times": times[key], "others_cpu_cores": round(others_share, 3),
                         "best": min(times[key]), "median": statistics.median(times[key]),
                         "result_mib": result_bytes(x) / MIB, "shape": list(x.shape),
                         "nnz": int(x.nnz)}
        ref = results.get(f"sklearn-{op}")
        ref_vocab = None
        if ref is not None and op != "hashing":
            ref_vocab = {str(k): int(v) for k, v in ref[1].vocabulary_.items()}
        for threads in (1, 2):
            key = f"newsim-{op}-{threads}"
            if key in results and ref is not None:
                got_x, got_vec = results[key]
                got_vocab = getattr(got_vec, "vocabulary_", None) if op != "hashing" else None
                checks[key] = compare(ref[0], ref_vocab, got_x, got_vocab,
                                      exact=(op == "count"))
        if f"newsim-{op}-1" in results and f"newsim-{op}-2" in results:
            checks[f"newsim-{op}-1-vs-2"] = compare_threads(results[f"newsim-{op}-1"][0],
                                                            results[f"newsim-{op}-2"][0])
        if op == "tfidf" and "gensim-tfidf" in results and ref_vocab is not None:
            checks["gensim-tfidf"] = compare_gensim(ref_vocab, results["gensim-tfidf"][1],
                                                    results["gensim-tfidf"][0])
        del results, ref
        gc.collect()

    if not args.no_memory:
        print()
        for key in keys:
            print(f"memory {key} (fresh process) …", end=" ", flush=True)
            m = measure_memory(key, args)
            rows[key]["memory"] = m
            if "error" in m:
                print(m["error"])
                continue
            rows[key]["mib_added"] = m["added"] / MIB
            print(f"{m['added'] / MIB:.1f} MiB added ({m['method']}), "
                  f"RSS before {m['rss_before'] / MIB:.1f} MiB", flush=True)

    # Ratios and targets.
    for key, r in rows.items():
        lib, op, threads = CASES[key]
        for other in ("sklearn", "gensim"):
            base = rows.get(f"{other}-{op}")
            if base is None or lib == other:
                continue
            r[f"speedup_vs_{other}"] = base["best"] / r["best"]
            if r.get("mib_added") is not None and base.get("mib_added"):
                r[f"memory_vs_{other}"] = r["mib_added"] / base["mib_added"]
        if lib == "newsim" and op == "tfidf" and "speedup_vs_sklearn" in r:
            target = TARGET_TFIDF_SPEEDUP[threads]
            r["target_speedup"] = target
            r["meets_speedup"] = r["speedup_vs_sklearn"] >= target
            text = f"≥{target:.0f}× {'met' if r['meets_speedup'] else 'MISSED'}"
            if r.get("memory_vs_sklearn") is not None:
                r["target_memory_ratio"] = TARGET_MEMORY_RATIO
                r["meets_memory"] = r["memory_vs_sklearn"] <= TARGET_MEMORY_RATIO
                text += (f"; mem ≤{TARGET_MEMORY_RATIO} "
                         f"{'met' if r['meets_memory'] else 'MISSED'}")
            r["target_text"] = text

    print()
    print_table([rows[k] for k in keys], gensim_note)
    print("speed = sklearn (or gensim) best time / this best time; mem = this MiB added / "
          "theirs. Targets: newsim tfidf ≥10× (1 thread), ≥20× (2 threads), memory ≤ 0.5.")
    if disturbed:
        print("WARNING: other processes used the CPU while timing "
              f"{', '.join(disturbed)}; those figures are disturbed.")
    if skipped:
        print(f"skipped: {', '.join(sorted(skipped))}")

    if checks:
        print()
        print("agreement with scikit-learn:")
        for key, c in checks.items():
            if key.endswith("-1-vs-2"):
                print(f"  {key}: {'bit-identical' if c['identical'] else 'DIFFERENT'}")
            elif key == "gensim-tfidf":
                print(f"  {key}: shape {tuple(c['shape'])}, {c['terms']:,} terms, "
                      f"{'same' if c['same_terms_as_sklearn'] else 'different'} term set as "
                      f"sklearn (values differ by design: gensim idf = log2(N/df))")
            else:
                parts = [f"shape {tuple(c['shape'])} vs {tuple(c['shape_ref'])}"
                         + (" same" if c["same_shape"] else " DIFFERENT")]
                if "vocabulary" in c:
                    parts.append(f"vocabulary {c['vocabulary']}")
                if "max_abs_diff" in c:
                    parts.append(f"max |Δ| {c['max_abs_diff']:.3g} "
                                 f"({c['entries_differing']} entries differ"
                                 + (f", in {c['rows_differing']} documents, largest in "
                                    f"document {c['worst_row']}" if "worst_row" in c else "")
                                 + ")")
                parts.append(f"dtype {c['dtype']} vs {c['dtype_ref']}")
                if c["form_notes"]:
                    parts.append("unlike sklearn: " + "; ".join(c["form_notes"]))
                verdict = "OK" if c["ok"] else "MISMATCH"
                print(f"  {key}: {verdict} — " + ", ".join(parts)
                      + f" (tolerance {c['tolerance']:g})")

    if args.json:
        payload = {"machine": info, "versions": versions, "corpus": str(args.corpus),
                   "documents": len(docs), "characters": n_chars, "repeat": args.repeat,
                   "order": "sequential" if args.sequential else "round-robin",
                   "limit": args.limit, "gensim_tokenizer": args.gensim_tokenizer,
                   "newsim": newsim_note, "disturbed_cases": disturbed,
                   "skipped": sorted(skipped), "results": [rows[k] for k in keys],
                   "checks": checks}
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
