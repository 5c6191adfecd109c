"""Text-reuse development set built from BBC articles, and newsim's finders scored on it.

The set (fixed seed): BBC articles that share no passage with each other (no common run of
8 words), of which some get one derived copy each:

- cut: 35-65% of the paragraphs kept, in order;
- rewritten: the lead replaced by another article's, one other paragraph dropped, a local
  paragraph (from another article) added, British spellings switched to American;
- quoted: 2-3 consecutive paragraphs inserted into another article (the host, not in the set).

Every other article is in the set unchanged. A found pair is a gold (origin, derived) pair
reported with a relation other than ``template``; precision counts every such reported pair.

Usage: .venv/bin/python bench/reuse_devset.py [--seed 1] [--per-kind 60] [--write FILE]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CORPORA = os.path.join(HERE, "..", "..", "shared", "corpora")
WORD = re.compile(r"\w+")
# British -> American spellings the rewritten copies switch (word endings and whole words).
SPELLINGS = [("defence", "defense"), ("offence", "offense"), ("programme", "program"),
             ("centre", "center"), ("theatre", "theater"), ("colour", "color"),
             ("favour", "favor"), ("labour", "labor"), ("honour", "honor"),
             ("behaviour", "behavior"), ("neighbour", "neighbor"), ("organis", "organiz"),
             ("recognis", "recogniz"), ("realis", "realiz"), ("criticis", "criticiz"),
             ("apologis", "apologiz"), ("emphasis", "emphasiz"), ("travelled", "traveled"),
             ("cancelled", "canceled"), ("licence", "license"), ("cooperat", "co-operat")]


def load_bbc():
    path = os.path.join(CORPORA, "bbc.jsonl.gz")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def paragraphs(text):
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def shingles(text, n=8):
    w = [x.lower() for x in WORD.findall(text)]
    return {tuple(w[i:i + n]) for i in range(len(w) - n + 1)}


def disjoint_pool(records, rng):
    """Articles of 4+ paragraphs, in random order, none sharing an 8-word run with another."""
    order = list(range(len(records)))
    rng.shuffle(order)
    taken, pool = set(), []
    for i in order:
        paras = paragraphs(records[i]["text"])
        if len(paras) < 4:
            continue
        s = shingles(records[i]["text"])
        if not s or s & taken:
            continue
        taken |= s
        pool.append(i)
    return pool


def switch_spellings(text):
    for gb, us in SPELLINGS:
        text = re.sub(gb, us, text)
        text = re.sub(gb.capitalize(), us.capitalize(), text)
    return text


def build(seed=1, per_kind=60):
    rng = random.Random(seed)
    records = load_bbc()
    pool = disjoint_pool(records, rng)
    need = 6 * per_kind
    if len(pool) < need + 1:
        raise SystemExit(f"only {len(pool)} disjoint articles for {need} roles")
    cut_src, rew_src, quote_src = (pool[k * per_kind:(k + 1) * per_kind] for k in range(3))
    hosts, leads, locals_ = (pool[(3 + k) * per_kind:(4 + k) * per_kind] for k in range(3))
    others = pool[need:]  # in the set unchanged
    texts, gold = [], []
    paras = {i: paragraphs(records[i]["text"]) for i in pool}

    def add(text):
        texts.append(text)
        return len(texts) - 1

    for i in cut_src + rew_src + quote_src + others:
        add("\n\n".join(paras[i]))
    pos = {i: k for k, i in enumerate(cut_src + rew_src + quote_src + others)}
    for i in cut_src:
        p = paras[i]
        keep = min(len(p) - 1, max(1, round(rng.uniform(0.35, 0.65) * len(p))))
        kept = sorted(rng.sample(range(len(p)), keep))
        gold.append((pos[i], add("\n\n".join(p[k] for k in kept)), "cut"))
    for i, lead, local in zip(rew_src, leads, locals_):
        p = list(paras[i])
        p[0] = paras[lead][0]
        del p[rng.randrange(1, len(p))]
        local_para = paras[local][rng.randrange(len(paras[local]))]
        p.insert(rng.randrange(1, len(p) + 1), local_para)
        gold.append((pos[i], add(switch_spellings("\n\n".join(p))), "rewritten"))
    for i, host in zip(quote_src, hosts):
        p = paras[i]
        k = rng.choice([2, 3])
        start = rng.randrange(0, len(p) - k + 1)
        h = list(paras[host])
        at = rng.randrange(1, len(h) + 1)
        gold.append((pos[i], add("\n\n".join(h[:at] + p[start:start + k] + h[at:])), "quoted"))
    # Shuffle positions so that order carries no hint.
    perm = list(range(len(texts)))
    rng.shuffle(perm)
    where = {old: new for new, old in enumerate(perm)}
    texts = [texts[old] for old in perm]
    gold = [(where[o], where[d], kind) for o, d, kind in gold]
    return texts, gold


EXPECTED = {"cut": "trimmed", "rewritten": "rewrite", "quoted": "excerpt"}


def score(pairs, gold):
    """pairs: iterable of (a, b, relation, origin). Recall per kind, precision, relation and
    origin agreement on the found gold pairs."""
    reported = {(min(a, b), max(a, b)): (rel, org) for a, b, rel, org in pairs if rel != "template"}
    out = {}
    for kind in ("cut", "rewritten", "quoted"):
        g = [(o, d) for o, d, k in gold if k == kind]
        found = [(o, d) for o, d in g if (min(o, d), max(o, d)) in reported]
        rel_ok = sum(reported[(min(o, d), max(o, d))][0] == EXPECTED[kind] for o, d in found)
        org_ok = sum(reported[(min(o, d), max(o, d))][1] == o for o, d in found)
        out[kind] = {"gold": len(g), "found": len(found), "recall": len(found) / len(g),
                     "relation_agrees": rel_ok, "origin_agrees": org_ok}
    gold_keys = {(min(o, d), max(o, d)) for o, d, _ in gold}
    true = sum(k in gold_keys for k in reported)
    out["reported"] = len(reported)
    out["precision"] = true / len(reported) if reported else 1.0
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--per-kind", type=int, default=60)
    ap.add_argument("--write", help="write the set as JSON lines (text, and gold pairs)")
    args = ap.parse_args()
    sys.path.insert(0, HERE)
    from _common import import_newsim

    newsim, where = import_newsim()
    if newsim is None:
        raise SystemExit(where)

    texts, gold = build(args.seed, args.per_kind)
    print(f"development set: {len(texts)} articles, {len(gold)} derived "
          f"(seed {args.seed}, {args.per_kind} per kind)")
    if args.write:
        with open(args.write, "w", encoding="utf-8") as f:
            for i, t in enumerate(texts):
                f.write(json.dumps({"id": i, "text": t}) + "\n")
            f.write(json.dumps({"gold": gold}) + "\n")
    t0 = time.perf_counter()
    r = newsim.text_reuse(texts)
    t1 = time.perf_counter()
    new = score(zip(r.pairs["a"], r.pairs["b"], r.pairs["relation"], r.pairs["origin"]), gold)
    t2 = time.perf_counter()
    nd = newsim.near_duplicates(texts, 0.8)
    t3 = time.perf_counter()
    old = score(zip(nd.pairs["a"], nd.pairs["b"], nd.pairs["relation"], nd.pairs["a"]), gold)
    print(f"{'finder':34} {'cut':>10} {'rewritten':>10} {'quoted':>10} {'precision':>10} "
          f"{'pairs':>6} {'seconds':>8}")
    for name, s, secs in (("text_reuse (defaults)", new, t1 - t0),
                          ("near_duplicates (Jaccard >= 0.8)", old, t3 - t2)):
        print(f"{name:34} " + " ".join(f"{s[k]['found']:>4}/{s[k]['gold']:<3} " + ""
                                        for k in ("cut", "rewritten", "quoted"))
              + f"{s['precision']:>10.3f} {s['reported']:>6} {secs:>8.3f}")
    print("relation / origin agreement of text_reuse on found pairs: " + ", ".join(
        f"{k} {new[k]['relation_agrees']}/{new[k]['found']} {EXPECTED[k]}, "
        f"origin {new[k]['origin_agrees']}/{new[k]['found']}" for k in ("cut", "rewritten", "quoted")))
    print("recall: " + ", ".join(f"{k} {new[k]['recall']:.3f}" for k in ("cut", "rewritten", "quoted"))
          + f"; precision {new['precision']:.3f}")


if __name__ == "__main__":
    main()
