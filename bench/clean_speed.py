#!/usr/bin/env python3
"""Cleaning benchmark: how fast newsim.clean removes page furniture, and what it removes.

For each corpus (Reuters-21578 and BBC News by default, from <repo>/../shared/corpora):

* reads it with ``newsim.read_articles(path, errors="report")`` (Reuters holds one
  malformed date, which is reported and skipped);
* times ``newsim.clean(corpus, n_jobs=1)`` and ``n_jobs=2``, best of ``--repeat`` calls, and
  reports MB/s of input text (UTF-8 bytes of all texts, MB = 10**6 bytes), in total and
  per core; the target is >= 50 MB/s per core on Reuters;
* checks that n_jobs=1 and n_jobs=2 give the same texts, titles and audit;
* prints how many lines got each label, the 15 most common rules of the audit, a random
  sample of lines labelled other than body (with the lines around them, so that a person
  can check no body sentence was removed), and the lines that look most like removed body
  text: a sentence-shaped line, a line continuing a hard-wrapped paragraph (Reuters bodies
  are wrapped at ~70 characters, paragraphs indented: the line before is a long body line
  without a sentence end, and this one starts in lower case or ends a sentence), or a line
  removed from between two body lines.

    .venv/bin/python bench/clean_speed.py                       # both corpora, ~1 minute
    .venv/bin/python bench/clean_speed.py --corpora reuters21578 --repeat 3
    .venv/bin/python bench/clean_speed.py --json /tmp/clean_speed.json
"""

from __future__ import annotations

import argparse
import collections
import datetime
import gc
import json
import os
import platform
import random
import re
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))

# Waiting for a quiet machine, others' CPU, finding newsim: shared with vectorize.py.
from _common import OthersCpu, import_newsim, source_state, wait_until_idle  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
CORPORA = REPO.parent / "shared" / "corpora"
TARGET_MB_S_PER_CORE = 50.0  # on Reuters-21578
SENTENCE_END = re.compile(r"[.!?][\"'”’)]*$")


def time_clean(newsim: Any, corpus: Any, n_jobs: int, repeat: int,
               max_wait: float) -> Tuple[List[float], Any, Optional[float]]:
    """Best-of timing of newsim.clean; (times, last result, others' CPU cores meanwhile)."""
    if max_wait > 0:
        wait_until_idle(max_wait)
    times: List[float] = []
    result = None
    others_s = 0.0
    for _ in range(repeat):
        result = None
        gc.collect()
        with OthersCpu() as o:
            t0 = time.perf_counter()
            result = newsim.clean(corpus, n_jobs=n_jobs)
            times.append(time.perf_counter() - t0)
        others_s += o.seconds
    return times, result, others_s / sum(times)


def same_result(a: Any, b: Any) -> bool:
    return (a.corpus.texts == b.corpus.texts and a.corpus.titles == b.corpus.titles
            and a.labels == b.labels and a.audit.equals(b.audit))


def suspects(corpus: Any, labels: List[List[str]]) -> Dict[str, List[Tuple[str, int]]]:
    """Lines not labelled body that look like body text: (article id, 1-based line)."""
    out: Dict[str, List[Tuple[str, int]]] = {"sentence": [], "wrapped": [], "mid-body": []}
    for a, labs in zip(corpus, labels):
        lines = a.text.split("\n")
        if len(lines) != len(labs):
            continue
        for i, (line, lab) in enumerate(zip(lines, labs)):
            if lab in ("body", "blank") or not line.strip():
                continue
            s = line.strip()
            where = (a.id, i + 1)
            if len(s) >= 40 and len(s.split()) >= 6 and SENTENCE_END.search(s):
                out["sentence"].append(where)
            prev = next((j for j in range(i - 1, -1, -1) if lines[j].strip()), None)
            nxt = next((j for j in range(i + 1, len(lines)) if lines[j].strip()), None)
            if (prev is not None and labs[prev] == "body" and prev == i - 1
                    and len(lines[prev].rstrip()) >= 55
                    and not SENTENCE_END.search(lines[prev].rstrip())
                    and (s[0].islower() or SENTENCE_END.search(s))):
                out["wrapped"].append(where)
            if (prev is not None and nxt is not None and labs[prev] == "body"
                    and labs[nxt] == "body"):
                out["mid-body"].append(where)
    return out


def context(corpus: Any, labels: List[List[str]], article: str, line: int) -> List[str]:
    """The line (marked >>) with one line either side, each with its label."""
    a = corpus[article]
    i = corpus.position(article)
    lines = a.text.split("\n")
    labs = labels[i]
    out = []
    for j in range(max(0, line - 2), min(len(lines), line + 1)):
        mark = ">>" if j == line - 1 else "  "
        lab = labs[j] if j < len(labs) else "?"
        out.append(f"    {mark} {j + 1:4} {lab:<11.11} |{lines[j][:160]}")
    return out


def run_corpus(newsim: Any, name: str, args: argparse.Namespace) -> Dict[str, Any]:
    path = CORPORA / f"{name}.jsonl.gz"
    if not path.is_file():
        print(f"\n{name}: {path} not found, skipped")
        return {"corpus": name, "skipped": f"{path} not found"}
    t0 = time.perf_counter()
    corpus = newsim.read_articles(path, errors="report")
    read_s = time.perf_counter() - t0
    n_bytes = sum(len(t.encode("utf-8")) for t in corpus.texts)
    n_lines = sum(t.count("\n") + 1 for t in corpus.texts)
    print(f"\n=== {name}: {len(corpus):,} articles, {n_bytes / 1e6:.2f} MB of text, "
          f"{n_lines:,} lines (read in {read_s:.2f} s; {corpus.skipped} skipped)")
    for file, line, message in corpus.issues:
        print(f"  read issue: {Path(file).name}, line {line}: {message}")
    out: Dict[str, Any] = {"corpus": name, "articles": len(corpus), "text_bytes": n_bytes,
                           "lines": n_lines, "read_seconds": read_s,
                           "read_skipped": corpus.skipped,
                           "read_issues": [list(i) for i in corpus.issues], "timings": {}}
    results = {}
    for n_jobs in (1, 2):
        times, result, others = time_clean(newsim, corpus, n_jobs, args.repeat, args.max_wait)
        best = min(times)
        total = n_bytes / 1e6 / best
        results[n_jobs] = result
        out["timings"][n_jobs] = {"times": times, "best": best, "mb_s": total,
                                  "mb_s_per_core": total / n_jobs, "others_cpu_cores": others}
        flag = ""
        if others is not None and others > 0.15:
            flag = f"  (disturbed: others used {others:.2f} cores)"
        print(f"  clean n_jobs={n_jobs}: best {best:.3f} s of {len(times)} "
              f"(median {sorted(times)[len(times) // 2]:.3f} s): {total:.1f} MB/s total, "
              f"{total / n_jobs:.1f} MB/s per core{flag}")
    same = same_result(results[1], results[2])
    out["n_jobs_identical"] = same
    print(f"  n_jobs=1 and n_jobs=2 results identical: {same}")
    if name.startswith("reuters"):
        per_core = out["timings"][1]["mb_s_per_core"]
        ok = per_core >= TARGET_MB_S_PER_CORE
        out["target_met"] = ok
        print(f"  {'PASS' if ok else 'FAIL'}: {per_core:.1f} MB/s per core (n_jobs=1), "
              f"target >= {TARGET_MB_S_PER_CORE:.0f}")

    r = results[1]
    line_labels = collections.Counter(lab for labs in r.labels for lab in labs)
    audit_labels = collections.Counter(r.audit["label"].tolist())
    rules = collections.Counter(zip(r.audit["label"].tolist(), r.audit["rule"].tolist()))
    out["line_labels"] = dict(line_labels)
    out["audit_labels"] = dict(audit_labels)
    out["top_rules"] = [[lab, rule, n] for (lab, rule), n in rules.most_common(15)]
    print("  lines by label: " + ", ".join(f"{k} {v:,}" for k, v in line_labels.most_common()))
    print("  audit rows by label: "
          + ", ".join(f"{k} {v:,}" for k, v in audit_labels.most_common()))
    changed = sum(1 for a, b in zip(corpus.texts, r.corpus.texts) if a != b)
    print(f"  articles whose text changed: {changed:,} of {len(corpus):,}")
    out["articles_changed"] = changed
    print("  15 most common rules:")
    for (lab, rule), n in rules.most_common(15):
        print(f"    {n:7,}  {lab:<12} {rule}")

    audit = r.audit
    rng = random.Random(args.seed)
    rows = list(range(len(audit)))
    sample = sorted(rng.sample(rows, min(args.sample, len(rows))))
    print(f"  {len(sample)} random lines not labelled body (seed {args.seed}), with context:")
    out["sample"] = []
    for k in sample:
        row = audit.iloc[k]
        art, line = str(row["article"]), int(row["line"])
        print(f"  - article {art}, line {line}: {row['label']} / {row['rule']} "
              f"({row['evidence']})")
        for c in context(corpus, r.labels, art, line):
            print(c)
        out["sample"].append({"article": art, "line": line, "label": row["label"],
                              "rule": row["rule"], "evidence": row["evidence"],
                              "text": row["text"]})

    sus = suspects(corpus, r.labels)
    out["suspects"] = {k: len(v) for k, v in sus.items()}
    print("  lines not labelled body that look like body text: "
          + ", ".join(f"{k} {len(v):,}" for k, v in sus.items()))
    seen = set()
    for kind, where in sus.items():
        picked = [w for w in where if w not in seen]
        rng.shuffle(picked)
        picked = sorted(picked[:args.suspects], key=lambda w: (corpus.position(w[0]), w[1]))
        if not picked:
            continue
        print(f"  {kind} ({len(picked)} of {len(where):,}):")
        for art, line in picked:
            seen.add((art, line))
            hit = audit[(audit["article"] == art) & (audit["line"] == line)]
            why = (f"{hit.iloc[0]['label']} / {hit.iloc[0]['rule']} ({hit.iloc[0]['evidence']})"
                   if len(hit) else "label " + r.labels[corpus.position(art)][line - 1])
            print(f"  - article {art}, line {line}: {why}")
            for c in context(corpus, r.labels, art, line):
                print(c)
        out.setdefault("suspect_examples", {})[kind] = [list(w) for w in picked]
    return out


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpora", default="reuters21578,bbc",
                    help="comma-separated names in <repo>/../shared/corpora (default "
                         "reuters21578,bbc)")
    ap.add_argument("--repeat", type=int, default=5, help="timed calls per case (best counts)")
    ap.add_argument("--sample", type=int, default=20, help="random non-body lines to print")
    ap.add_argument("--suspects", type=int, default=10,
                    help="examples to print of each kind of body-looking removed line")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-wait", type=float, default=600.0,
                    help="before each case, wait up to this many seconds while compilers run "
                         "or other processes keep > 0.2 cores busy (0 = don't wait)")
    ap.add_argument("--json", type=Path, default=None, help="write every figure to this file")
    args = ap.parse_args(argv)

    newsim, note = import_newsim()
    if newsim is None:
        print(note, file=sys.stderr)
        return 1
    out: Dict[str, Any] = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": {"nproc": os.cpu_count(), "platform": platform.platform(),
                    "python": platform.python_version()},
        "newsim": f"{getattr(newsim, '__version__', '?')} from {newsim.__file__}",
        "source": source_state(),
        "repeat": args.repeat, "corpora": [],
    }
    print(f"newsim {out['newsim']}; {os.cpu_count()} CPUs; {platform.platform()}")
    print(f"source: commit {out['source']}")
    for name in [n.strip() for n in args.corpora.split(",") if n.strip()]:
        out["corpora"].append(run_corpus(newsim, name, args))
    if args.json is not None:
        args.json.write_text(json.dumps(out, indent=2, default=str) + "\n", encoding="utf-8")
        print(f"\nfigures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
