"""A news archive of any size for benchmarks: real articles topped up with synthetic ones.

``archive(n, seed=0)`` returns ``n`` articles as dicts with ``id``, ``title``, ``text``,
``source`` and ``date`` (ISO 8601 text). The real articles come first, from the corpora in
``<repo>/../shared/corpora``:

* Reuters-21578 (21,578 wire articles, their own dates: 1987-02-26 to 1987-10-20; one date
  in the corpus is malformed, ``31-MAR-1987 605:12:19.12``, and is kept as it is, as a real
  archive would have it);
* 20 Newsgroups (18,846 Usenet posts; title from the ``Subject:`` header; dates drawn
  uniformly from 1993-01-01 to 1993-06-30, when the posts were written);
* BBC News (2,225 articles; dates drawn uniformly from 2004-01-01 to 2005-12-31).

When ``n`` is below their total (42,649), a seeded sample of them is returned, in corpus
order. Above it, synthetic articles follow: each rewrites one real article (its parent,
drawn uniformly among those with at least three sentences) by keeping 50–90 % of its
sentences in order and adding one to three sentences of another article of the same corpus,
dated 0–3 days after its parent (undated or malformed parents: a date drawn as above), from
one of five synthetic outlets. So the synthetic part forms stories and near-copies around
real articles, as follow-up coverage does. Everything depends only on ``n`` and ``seed``.

    from _synthetic import archive        # bench/ on sys.path
    articles = archive(100_000)           # 20-35 s on 2 cores: reading, sentence splitting
"""

from __future__ import annotations

import datetime as _dt
import functools
import gzip
import json
import random
import re
from pathlib import Path
from typing import Dict, List, Optional, Tuple

CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"

# Date ranges (inclusive start, exclusive end) for corpora without dates of their own.
_RANGES = {
    "20newsgroups": (_dt.datetime(1993, 1, 1), _dt.datetime(1993, 7, 1)),
    "bbc": (_dt.datetime(2004, 1, 1), _dt.datetime(2006, 1, 1)),
    "reuters": (_dt.datetime(1987, 2, 26), _dt.datetime(1987, 10, 21)),  # malformed dates only
}
_OUTLETS = 5
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
_SUBJECT = re.compile(r"^Subject:[ \t]*(.*)$", re.MULTILINE)
_ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")


def _read(name: str) -> List[dict]:
    path = CORPORA / name
    if not path.is_file():
        raise FileNotFoundError(f"corpus {path} not found (corpora live in <repo>/../shared/corpora)")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _random_date(rng: random.Random, source: str) -> _dt.datetime:
    lo, hi = _RANGES[source]
    return lo + _dt.timedelta(seconds=rng.randrange(int((hi - lo).total_seconds())))


@functools.lru_cache(maxsize=2)
def _real(seed: int) -> Tuple[dict, ...]:
    """All real articles, dated; the drawn dates depend on the seed only."""
    rng = random.Random(f"real-dates-{seed}")
    out: List[dict] = []
    for r in _read("reuters21578.jsonl.gz"):
        out.append({"id": f"reuters/{r['id']}", "title": r.get("title") or "",
                    "text": r.get("text") or "", "source": "reuters",
                    "date": r.get("date") or ""})
    for r in _read("20newsgroups.jsonl.gz"):
        m = _SUBJECT.search(r["text"][:4000])
        out.append({"id": f"20newsgroups/{r['id']}", "title": m.group(1).strip() if m else "",
                    "text": r["text"], "source": "20newsgroups",
                    "date": _random_date(rng, "20newsgroups").isoformat()})
    for r in _read("bbc.jsonl.gz"):
        out.append({"id": f"bbc/{r['id']}", "title": r.get("title") or "", "text": r["text"],
                    "source": "bbc", "date": _random_date(rng, "bbc").isoformat()})
    return tuple(out)


def _body(a: dict) -> str:
    """The text without Usenet headers (everything up to the first blank line)."""
    text = a["text"]
    if a["source"] == "20newsgroups":
        head, sep, rest = text.partition("\n\n")
        if sep:
            text = rest
    return text


def _sentences(text: str) -> List[str]:
    return [s for s in (" ".join(p.split()) for p in _SENTENCE.split(text)) if len(s) > 1]


def _synthetic(real: Tuple[dict, ...], count: int, seed: int) -> List[dict]:
    rng = random.Random(f"synthetic-{seed}")
    split: Dict[int, List[str]] = {}

    def sentences(i: int) -> List[str]:
        if i not in split:
            split[i] = _sentences(_body(real[i]))
        return split[i]

    by_source: Dict[str, List[int]] = {}
    for i, a in enumerate(real):
        by_source.setdefault(a["source"], []).append(i)
    out: List[dict] = []
    while len(out) < count:
        parent = rng.randrange(len(real))
        own = sentences(parent)
        if len(own) < 3:
            continue
        keep = max(2, round(len(own) * rng.uniform(0.5, 0.9)))
        picked = sorted(rng.sample(range(len(own)), keep))
        body = [own[k] for k in picked]
        p = real[parent]
        others = by_source[p["source"]]
        for _ in range(rng.randint(1, 3)):
            extra = sentences(others[rng.randrange(len(others))])
            if extra:
                body.insert(rng.randrange(len(body) + 1), extra[rng.randrange(len(extra))])
        date: Optional[_dt.datetime] = None
        if _ISO.match(p["date"]):
            date = _dt.datetime.fromisoformat(p["date"][:19])
        else:
            date = _random_date(rng, p["source"])
        date += _dt.timedelta(seconds=rng.randrange(3 * 86400))
        k = len(out) + 1
        out.append({"id": f"synthetic/{k:06d}", "title": p["title"] or body[0][:80],
                    "text": " ".join(body), "source": f"synthetic-{rng.randrange(_OUTLETS) + 1}",
                    "date": date.isoformat()})
    return out


def archive(n: int, seed: int = 0) -> List[dict]:
    """n articles (id, title, text, source, date): the real ones, then synthetic rewrites of
    them; a seeded sample of the real ones when n is smaller than their number."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"n must be an int >= 0; got {n!r}")
    real = _real(seed)
    if n <= len(real):
        keep = sorted(random.Random(f"sample-{seed}").sample(range(len(real)), n))
        return [dict(real[i]) for i in keep]
    return [dict(a) for a in real] + _synthetic(real, n - len(real), seed)


if __name__ == "__main__":
    import sys
    import time

    t = time.perf_counter()
    a = archive(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
    print(f"{len(a)} articles in {time.perf_counter() - t:.1f} s; sources:",
          {s: sum(x["source"] == s for x in a) for s in sorted({x["source"] for x in a})})
    print("dates:", min(x["date"] for x in a if _ISO.match(x["date"])), "to",
          max(x["date"] for x in a if _ISO.match(x["date"])))
    print(json.dumps(a[-1])[:400])
