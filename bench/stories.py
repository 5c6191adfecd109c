#!/usr/bin/env python3
"""Story clustering benchmark: newsim.cluster_stories on the ECB+ development set.

ECB+ (<repo>/../shared/corpora/ecbplus_dev.jsonl.gz, 496 articles, 42 gold stories) pairs, in
each of its 21 topics, two similar but different real-world events. This reports, against the
gold `story` labels:

* B-cubed precision, recall and F1 and the adjusted Rand index of cluster_stories with its
  defaults (TF-IDF of words and word pairs, sublinear counts, English stop words, min_df=2,
  names weighted ×2; average link, threshold 0.2), and its time;
* how F1 moves with the threshold, and what each default setting adds (each removed in turn);
* single link with the cohesion check;
* the scikit-learn baseline: TfidfVectorizer() + scipy average link, at its best distance
  threshold in 0.50–0.95 (so the baseline is tuned on the test data; newsim's defaults are
  fixed), and its time.

Then stories at archive scale, with default options (7-day window over the dates), each
timed from texts to labels (features included) with the memory the call adds and the peak of
the process (clear_refs, see _memory.py):

* Reuters-21578 with its dates (21,578 articles; the one malformed date counts as unknown);
* bench/_synthetic.archive(100,000): 20 Newsgroups + Reuters + BBC topped up with synthetic
  rewrites of their articles, dated (goal: <= 20 s);
* 10,000 identical texts (goal: < 5 s, < 1 GB).

    .venv/bin/python bench/stories.py                 # ~2 minutes
    .venv/bin/python bench/stories.py --archive 0     # ECB+ only, ~30 s
    .venv/bin/python bench/stories.py --json /tmp/stories.json
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import sys
import time
from pathlib import Path
from typing import Any, Dict, List

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import fmt, import_newsim, machine_info, print_rows, source_state  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpora" / "ecbplus_dev.jsonl.gz"
TARGET_F1 = 0.935  # the F1 of the full threshold join (before the windowed algorithm)
ARCHIVE_GOAL_SECONDS = 20.0


def sklearn_baseline(texts: List[str], gold: List[str], newsim: Any) -> Dict[str, Any]:
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform
    from sklearn.feature_extraction.text import TfidfVectorizer

    t = time.perf_counter()
    x = TfidfVectorizer().fit_transform(texts)
    d = np.clip(1 - (x @ x.T).toarray(), 0, None)
    np.fill_diagonal(d, 0)
    z = linkage(squareform(d, checks=False), method="average")
    elapsed = time.perf_counter() - t
    best = None
    for cut in np.arange(0.50, 0.951, 0.01):
        labels = fcluster(z, cut, criterion="distance")
        b = newsim.b_cubed(gold, labels)
        if best is None or b.f1 > best["f1"]:
            best = {"threshold": round(1 - cut, 2), "precision": b.precision,
                    "recall": b.recall, "f1": b.f1, "stories": int(labels.max()),
                    "ari": newsim.adjusted_rand_index(gold, labels)}
    best["seconds"] = elapsed
    return best


def run(newsim: Any, texts: List[str], gold: List[str], **options: Any) -> Dict[str, Any]:
    t = time.perf_counter()
    r = newsim.cluster_stories(texts, **options)
    elapsed = time.perf_counter() - t
    b = newsim.b_cubed(gold, r.labels)
    return {"precision": b.precision, "recall": b.recall, "f1": b.f1, "stories": r.n_stories,
            "ari": newsim.adjusted_rand_index(gold, r.labels), "seconds": elapsed}


def main(argv: Any = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--json", type=Path, help="write the figures here")
    ap.add_argument("--archive", type=int, default=100_000,
                    help="articles of the synthetic archive (0: skip the archive-scale runs)")
    args = ap.parse_args(argv)
    newsim, note = import_newsim()
    if newsim is None:
        print(note)
        return 1
    if not args.corpus.exists():
        print(f"corpus not found: {args.corpus}")
        return 1
    with gzip.open(args.corpus, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    texts = [r["text"] for r in rows]
    gold = [r["story"] for r in rows]
    print(f"{note}\nsource: {source_state()}\ncorpus: {args.corpus.name}, {len(texts)} articles, "
          f"{len(set(gold))} gold stories in {len({r['topic'] for r in rows})} topics\n")

    from newsim import StoryFeatures, TfidfVectorizer

    def features(entity_weight: float = 2.0, **tfidf: Any) -> Any:
        settings = dict(sublinear_tf=True, stop_words="english", ngram_range=(1, 2), min_df=2)
        settings.update(tfidf)
        return StoryFeatures(entity_weight=entity_weight, vectorizer=TfidfVectorizer(**settings))

    run(newsim, texts[:50], gold[:50])  # warm-up: the first call loads and initialises
    runs: Dict[str, Dict[str, Any]] = {}
    runs["newsim defaults"] = run(newsim, texts, gold)
    runs["names not weighted (entity_weight=1)"] = run(
        newsim, texts, gold, features=features(entity_weight=1.0))
    runs["words only (ngram_range=(1, 1))"] = run(
        newsim, texts, gold, features=features(ngram_range=(1, 1)))
    runs["terms of one article kept (min_df=1)"] = run(
        newsim, texts, gold, features=features(min_df=1))
    runs["raw counts (sublinear_tf=False)"] = run(
        newsim, texts, gold, features=features(sublinear_tf=False))
    runs["stop words kept"] = run(newsim, texts, gold, features=features(stop_words=None))
    runs["single link, threshold 0.3, cohesion 0.1"] = run(
        newsim, texts, gold, linkage="single", threshold=0.3)
    base = sklearn_baseline(texts, gold, newsim)
    runs[f"scikit-learn TF-IDF + scipy average link (best threshold {base['threshold']})"] = base

    print_rows(("setting", "B³ precision", "B³ recall", "B³ F1", "ARI", "stories", "seconds"),
               [(k, fmt(v["precision"]), fmt(v["recall"]), fmt(v["f1"]), fmt(v["ari"]),
                 str(v["stories"]), fmt(v["seconds"], ".2f")) for k, v in runs.items()],
               right={1, 2, 3, 4, 5, 6})

    curve = {round(t, 2): run(newsim, texts, gold, threshold=round(t, 2))["f1"]
             for t in np.arange(0.14, 0.261, 0.02)}
    print("\nB³ F1 by threshold (other settings default): " +
          "  ".join(f"{t:.2f}: {f:.3f}" for t, f in curve.items()))
    f1 = runs["newsim defaults"]["f1"]
    print(f"\nnewsim defaults: B³ F1 {f1:.3f} (target >= {TARGET_F1}); scikit-learn baseline "
          f"{base['f1']:.3f} at its best threshold")
    scale = archive_runs(newsim, args.archive) if args.archive > 0 else {}
    if args.json:
        args.json.write_text(json.dumps({"machine": machine_info(), "source": source_state(),
                                         "runs": runs, "threshold_curve": curve,
                                         "archive": scale}, indent=2))
    return 0


def timed_stories(newsim: Any, texts: List[str], dates: Any) -> Dict[str, Any]:
    import _memory

    t = time.perf_counter()
    r, mem = _memory.measure_call(lambda: newsim.cluster_stories(texts, dates=dates))
    seconds = time.perf_counter() - t
    sizes = r.stories["size"]
    return {"articles": len(texts), "seconds": seconds, "stories": int(len(sizes)),
            "largest": int(sizes.max()), "in_stories_of_2+": int(sizes[sizes > 1].sum()),
            "added_mib": mem["added"] / 2**20, "peak_mib": mem["peak"] / 2**20}


def archive_runs(newsim: Any, n: int) -> Dict[str, Dict[str, Any]]:
    """Stories of Reuters (dated), of an n-article archive, and of 10,000 identical texts."""
    from _synthetic import archive

    def dates_of(articles: List[Dict[str, Any]]) -> List[Any]:
        def one(text: str) -> Any:
            try:
                return datetime.datetime.fromisoformat(text)
            except ValueError:  # the malformed Reuters date: unknown
                return None
        return [one(a["date"]) for a in articles]

    out: Dict[str, Dict[str, Any]] = {}
    full = archive(max(n, 42_649))  # every real article comes first
    reuters = [a for a in full if a["source"] == "reuters"]
    texts = [(a["title"] + "\n" + a["text"]).strip() for a in reuters]
    out["Reuters-21578, dated"] = timed_stories(newsim, texts, dates_of(reuters))
    articles = full if n >= 42_649 else archive(n)
    texts = [(a["title"] + "\n" + a["text"]).strip() for a in articles]
    out[f"archive of {n:,} articles, dated"] = timed_stories(newsim, texts, dates_of(articles))
    out["10,000 identical texts"] = timed_stories(
        newsim, ["The same wire story, printed again and again by every paper."] * 10_000, None)
    print("\nStories at archive scale (default options; time and memory of texts -> labels):")
    print_rows(("corpus", "articles", "seconds", "stories", "largest", "in stories of 2+",
                "added MiB", "peak MiB"),
               [(k, str(v["articles"]), fmt(v["seconds"], ".1f"), str(v["stories"]),
                 str(v["largest"]), str(v["in_stories_of_2+"]), fmt(v["added_mib"], ".0f"),
                 fmt(v["peak_mib"], ".0f")) for k, v in out.items()],
               right={1, 2, 3, 4, 5, 6, 7})
    big = out[f"archive of {n:,} articles, dated"]
    print(f"\n{n:,} articles: {big['seconds']:.1f} s (goal <= {ARCHIVE_GOAL_SECONDS:.0f} s), "
          f"peak {big['peak_mib']:.0f} MiB")
    return out


if __name__ == "__main__":
    sys.exit(main())
