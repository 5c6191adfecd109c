"""The main job on a folder of articles: titles, key terms, nearest articles and why, stories
and near-duplicates.

    python -m newsim.demo data/seeds

Each ``*.txt`` file is one article. Until cleaning lands, the title shown is the first line
that looks like a headline (3 to 14 words, no final full stop).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import List, Sequence

import numpy as np

from newsim.near_duplicates import near_duplicates
from newsim.similarity import explain, top_k
from newsim.stories import cluster_stories
from newsim.text import CountVectorizer, TfidfVectorizer


def guess_title(text: str) -> str:
    """First line of 3 to 14 words that does not end like a sentence."""
    for line in text.splitlines():
        words = line.split()
        if 3 <= len(words) <= 14 and not line.rstrip().endswith((".", "?", "!", ":")):
            return line.strip()
    return text.strip().splitlines()[0] if text.strip() else "(empty)"


def read_folder(folder: Path) -> List[Path]:
    files = sorted(p for p in folder.glob("*.txt") if p.is_file())
    if not files:
        raise SystemExit(f"newsim.demo: no .txt articles in {folder}")
    return files


def run(folder: Path, top: int = 8, neighbours: int = 2, out=sys.stdout) -> np.ndarray:
    """Prints the report and returns the cosine similarity matrix."""
    files = read_folder(folder)
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in files]
    tokens = CountVectorizer().build_analyzer()
    tfidf = TfidfVectorizer(stop_words="english", sublinear_tf=True)
    X = tfidf.fit_transform(texts)
    terms = tfidf.get_feature_names_out()
    print(f"newsim: {len(files)} articles from {folder}, {X.shape[1]} distinct terms\n", file=out)
    for i, (path, text) in enumerate(zip(files, texts)):
        row = X.getrow(i)
        order = np.argsort(-row.data, kind="stable")[:top]
        key = ", ".join(f"{terms[row.indices[k]]} ({row.data[k]:.2f})" for k in order)
        print(f"[{i}] {path.name}", file=out)
        print(f"    title:  {guess_title(text)}", file=out)
        print(f"    tokens: {len(tokens(text))}", file=out)
        print(f"    key terms: {key}", file=out)
        idx, scores = top_k(X[i], k=neighbours + 1, Y=X)
        shown = [(int(j), float(s)) for j, s in zip(idx[0], scores[0]) if j >= 0 and j != i]
        print("    nearest:" if shown else "    nearest: none (no shared terms)", file=out)
        for j, s in shown[:neighbours]:
            why = explain(X, i, j, feature_names=terms, top=5)
            shared = why[why.kind == "shared"]
            because = ", ".join(f"{t} {c:.0%}" for t, c in zip(shared.term, shared.share))
            print(f"      [{j}] {files[j].name}  cosine {s:.3f}", file=out)
            print(f"          shared terms (share of the cosine): {because}", file=out)
        print(file=out)
    S = (X @ X.T).toarray()
    print("cosine similarity (TF-IDF, English stop words removed, sublinear tf):", file=out)
    print("      " + "".join(f"{j:>7}" for j in range(len(files))), file=out)
    for i in range(len(files)):
        print(f"  [{i}] " + "".join(f"{S[i, j]:7.3f}" for j in range(len(files))), file=out)
    stories = cluster_stories(texts).stories
    print(f"\nstories (average link, cosine >= 0.2): {len(stories)}", file=out)
    for row in stories.itertuples():
        print(f"  story {row.story}: {row.size} article(s) {row.members}, representative "
              f"[{row.representative}]; key terms: {', '.join(row.key_terms[:8])}", file=out)
    dups = near_duplicates(texts, threshold=0.8)
    print(f"\nnear-duplicates (Jaccard >= 0.8 on 5-word shingles): "
          f"{len(dups.groups) or 'none'}", file=out)
    for g, canon in zip(dups.groups, dups.canonical):
        print(f"  group {g}, canonical [{canon}]", file=out)
    return S


def main(argv: Sequence[str] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newsim.demo", description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="folder of .txt articles")
    parser.add_argument("--top", type=int, default=8, help="key terms per article")
    parser.add_argument("--neighbours", type=int, default=2, help="nearest articles shown")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        parser.error(f"not a folder: {args.folder}")
    run(args.folder, args.top, args.neighbours)
    return 0


if __name__ == "__main__":
    sys.exit(main())
