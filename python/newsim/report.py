"""The analysis report behind ``newsim analyze``: per article its key terms and nearest articles
with the terms they share, near-duplicate groups and stories; as text, JSON or one
self-contained HTML page (inline CSS and SVG, nothing fetched).

>>> import newsim
>>> from newsim.report import build_report, render_text
>>> corpus = newsim.read_articles([
...     {"id": "a", "title": "Russia warns NATO", "text": "Russia warns NATO over its missile shield."},
...     {"id": "b", "title": "NATO replies", "text": "NATO says the missile shield is no threat to Russia."},
...     {"id": "c", "title": "Floods", "text": "Floods hit England after heavy rain."}])
>>> report = build_report(corpus, top_k=1)
>>> [n["id"] for n in report["articles"][0]["neighbours"]]
['b']
>>> print(render_text(report).splitlines()[0])
newsim report: 3 articles
"""

from __future__ import annotations

import datetime as _dt
import html
import json
import math
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import numpy as np

from newsim.article_similarity import _distinct

SCHEMA_PATH = Path(__file__).with_name("report.schema.json")
MAX_HEATMAP = 300  # articles; beyond this the report leaves the similarity matrix out


def _iso(seconds: float) -> Optional[str]:
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return None
    return _dt.datetime.fromtimestamp(seconds, _dt.timezone.utc).isoformat()


def build_report(corpus: Any, *, top_k: int = 3, threshold: float = 0.8,
                 story_threshold: float = 0.2, time_window: Any = None, clean: bool = True,
                 key_terms: int = 8, n_jobs: Optional[int] = None,
                 step: Optional[Callable[[str], None]] = None) -> Dict[str, Any]:
    """The report of a Corpus as a JSON-ready dict (see report.schema.json). ``step``, when
    given, is called with the name of each stage as it starts (for progress display)."""
    import newsim

    step = step or (lambda name: None)
    if len(corpus) == 0:
        raise ValueError("no articles to analyse")
    n = len(corpus)
    removed: List[Dict[str, int]] = [{} for _ in range(n)]
    if clean:
        step("cleaning")
        result = newsim.clean(corpus, n_jobs=n_jobs)
        for article, label in zip(result.audit["article"], result.audit["label"]):
            if label != "title":
                counts = removed[corpus.position(article)]
                counts[label] = counts.get(label, 0) + 1
        corpus = result.corpus
    step("term vectors")
    # The article similarity preset: its neighbours, shared terms and key terms.
    sim = newsim.ArticleSimilarity(n_jobs=n_jobs)
    try:
        sim.fit(corpus)
    except ValueError as e:  # only stop words, or no words at all
        raise ValueError(f"the articles have no terms to compare ({e})") from None
    names = sim.get_feature_names_out()
    X = sim._core.fitted.terms
    row_nnz = np.diff(X[2])

    step("neighbours")
    k = max(1, min(top_k, n - 1)) if n > 1 else 1
    idx, scores = sim.top_k(k=k)
    articles = []
    for i, article in enumerate(corpus):
        neighbours = []
        if n > 1 and top_k > 0:
            for j, s in zip(idx[i], scores[i]):
                if j < 0 or s <= 0:
                    continue
                why = sim._core.explain(None, i, None, int(j), 10)["shared"]
                shared = _distinct([(str(names[t]), float(c))
                                    for t, c in zip(why["term"], why["share"])], 5)
                neighbours.append({
                    "position": int(j), "id": corpus[int(j)].id, "score": float(s),
                    "shared_terms": [{"term": t, "share": c} for t, c in shared]})
        terms = sim.key_terms(i, top=key_terms) if row_nnz[i] else []
        articles.append({
            "position": i, "id": article.id, "title": article.title, "source": article.source,
            "date": article.date or None, "words": len(article.text.split()),
            "removed_lines": removed[i],
            "key_terms": [str(t) for t, _ in terms],
            "neighbours": neighbours})

    step("near-duplicates")
    dups = newsim.near_duplicates(corpus, threshold=threshold, n_jobs=n_jobs)
    for g, members in enumerate(dups.groups):
        for m in members:
            articles[m]["duplicate_group"] = g
    step("stories")
    stories = newsim.cluster_stories(corpus, threshold=story_threshold, time_window=time_window,
                                     n_jobs=n_jobs)
    for i, s in enumerate(stories.labels):
        articles[i]["story"] = int(s)
        articles[i].setdefault("duplicate_group", None)

    similarity = None
    if n <= MAX_HEATMAP:
        S = np.eye(n)
        if n > 1:
            all_idx, all_scores = sim.top_k(k=n - 1)
            for i in range(n):
                found = all_idx[i] >= 0
                S[i, all_idx[i][found]] = all_scores[i][found]
        similarity = [[round(float(v), 4) for v in row] for row in S]
    return {
        "newsim_version": newsim.__version__,
        "generated": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "settings": {"top_k": top_k, "threshold": threshold, "story_threshold": story_threshold,
                     "time_window": None if time_window is None else str(time_window),
                     "clean": clean, "terms": int(X[3][1])},
        "articles": articles,
        "near_duplicates": {
            "pairs": [{"a": int(r.a), "b": int(r.b), "jaccard": float(r.jaccard),
                       "relation": str(r.relation)} for r in dups.pairs.itertuples()],
            "groups": [{"group": g, "members": [int(m) for m in members],
                        "canonical": int(c)}
                       for g, (members, c) in enumerate(zip(dups.groups, dups.canonical))]},
        "stories": [{
            "story": int(r.story), "size": int(r.size), "representative": int(r.representative),
            "title": str(r.title), "first_date": None if r.first_date is None or
            str(r.first_date) == "NaT" else r.first_date.isoformat(),
            "last_date": None if r.last_date is None or str(r.last_date) == "NaT"
            else r.last_date.isoformat(),
            "key_terms": list(r.key_terms), "cohesion": float(r.cohesion),
            "members": [int(m) for m in r.members]} for r in stories.stories.itertuples()],
        "similarity": similarity,
    }


def render_json(report: Dict[str, Any]) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"


def _label(a: Dict[str, Any]) -> str:
    return f"[{a['position']}] {a['title'] or a['id']}"


def render_text(report: Dict[str, Any]) -> str:
    """A plain-text report for a terminal."""
    arts = report["articles"]
    out = [f"newsim report: {len(arts)} articles", ""]
    for a in arts:
        out.append(_label(a) + (f"  ({a['date']})" if a["date"] else ""))
        out.append(f"    id: {a['id']}; {a['words']} words" + (
            "; removed: " + ", ".join(f"{v} {k}" for k, v in sorted(a["removed_lines"].items()))
            if a["removed_lines"] else ""))
        out.append(f"    key terms: {', '.join(a['key_terms']) or '(none)'}")
        if not a["neighbours"]:
            out.append("    nearest: none (no shared terms)")
        for nb in a["neighbours"]:
            shared = ", ".join(f"{t['term']} {t['share']:.0%}" for t in nb["shared_terms"])
            out.append(f"    nearest: {_label(arts[nb['position']])}  similarity {nb['score']:.3f}")
            out.append(f"        shared terms (share of the term similarity): {shared}")
        out.append("")
    groups = report["near_duplicates"]["groups"]
    out.append(f"near-duplicate groups (Jaccard >= {report['settings']['threshold']}): "
               f"{len(groups) or 'none'}")
    for g in groups:
        out.append(f"  group {g['group']}: {', '.join(str(m) for m in g['members'])}; canonical "
                   f"{_label(arts[g['canonical']])}")
    out.append("")
    out.append(f"stories: {len(report['stories'])}")
    for s in report["stories"]:
        span = ""
        if s["first_date"]:
            span = f", {s['first_date'][:10]} to {s['last_date'][:10]}"
        out.append(f"  story {s['story']}: {s['size']} article(s) {s['members']}{span}")
        out.append(f"      {_label(arts[s['representative']])}")
        out.append(f"      key terms: {', '.join(s['key_terms'][:8])}")
    return "\n".join(out) + "\n"


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2em;color:#222;max-width:1100px}
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse}td,th{padding:.2em .6em;text-align:left;vertical-align:top}
tr:nth-child(even){background:#f6f7f9}.num{text-align:right;font-variant-numeric:tabular-nums}
.terms{color:#555}.muted{color:#777}mark{background:#fde68a;padding:0 .15em}
svg text{font-size:11px;fill:#333}
"""


def _top_cosine(report: Dict[str, Any]) -> str:
    sim = report["similarity"] or []
    off = [v for i, row in enumerate(sim) for j, v in enumerate(row) if i != j]
    return f"{max(off):.3f}" if off else "—"


def _heatmap_svg(report: Dict[str, Any]) -> str:
    sim = report["similarity"]
    if sim is None:
        return "<p class='muted'>Too many articles for a heatmap.</p>"
    n = len(sim)
    cell = max(6, min(40, 480 // max(n, 1)))
    pad = 40
    size = pad + n * cell
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{size + 10}' height='{size + 10}' "
             f"role='img' aria-label='similarity heatmap'>"]
    off = [v for i, row in enumerate(sim) for j, v in enumerate(row) if i != j]
    top = max(off) if off else 1.0
    top = top if top > 0 else 1.0
    for i, row in enumerate(sim):
        for j, v in enumerate(row):
            t = 1.0 if i == j else min(1.0, v / top)
            r, g, b = (int(255 - t * (255 - c)) for c in (30, 64, 175))
            title = html.escape(f"[{i}] × [{j}]: cosine {v:.3f}")
            parts.append(f"<rect x='{pad + j * cell}' y='{pad + i * cell}' width='{cell}' "
                         f"height='{cell}' fill='rgb({r},{g},{b})'><title>{title}</title></rect>")
        if cell >= 12 or i % max(1, 12 // cell) == 0:
            parts.append(f"<text x='{pad - 4}' y='{pad + i * cell + cell * 0.7}' "
                         f"text-anchor='end'>{i}</text>")
            parts.append(f"<text x='{pad + i * cell + cell / 2}' y='{pad - 6}' "
                         f"text-anchor='middle'>{i}</text>")
    parts.append("</svg>")
    return "".join(parts)


def _timeline_svg(report: Dict[str, Any]) -> str:
    stories = report["stories"]
    arts = report["articles"]
    if not stories:
        return ""

    def seconds(a: Dict[str, Any]) -> Optional[float]:
        if not a["date"]:
            return None
        try:
            d = _dt.datetime.fromisoformat(a["date"])
        except ValueError:
            return None
        if d.tzinfo is None:
            d = d.replace(tzinfo=_dt.timezone.utc)
        return d.timestamp()

    xs = [seconds(a) for a in arts]
    dated = all(x is not None for x in xs)
    if not dated:
        xs = [float(a["position"]) for a in arts]
    lo, hi = min(xs), max(xs)
    span = (hi - lo) or 1.0
    width, left, row = 760, 150, 26
    shown = stories[:40]
    height = 30 + row * len(shown)
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{left + width + 20}' "
             f"height='{height + 20}' role='img' aria-label='story timeline'>"]
    for k, s in enumerate(shown):
        y = 20 + k * row
        pts = [left + (xs[m] - lo) / span * width for m in s["members"]]
        label = html.escape(f"story {s['story']} ({s['size']})")
        parts.append(f"<text x='{left - 8}' y='{y + 4}' text-anchor='end'>{label}</text>")
        parts.append(f"<line x1='{min(pts):.1f}' x2='{max(pts):.1f}' y1='{y}' y2='{y}' "
                     f"stroke='#1e40af' stroke-width='3' stroke-opacity='0.35'/>")
        for m, x in zip(s["members"], pts):
            tip = html.escape(_label(arts[m]) + (f" ({arts[m]['date']})" if arts[m]["date"] else ""))
            parts.append(f"<circle cx='{x:.1f}' cy='{y}' r='4.5' fill='#1e40af'>"
                         f"<title>{tip}</title></circle>")
    axis = "date" if dated else "article position (no dates)"
    first = _iso(lo)[:10] if dated else str(int(lo))
    last = _iso(hi)[:10] if dated else str(int(hi))
    y = height + 8
    parts.append(f"<text x='{left}' y='{y}'>{html.escape(first)}</text>")
    parts.append(f"<text x='{left + width}' y='{y}' text-anchor='end'>{html.escape(last)}</text>")
    parts.append(f"<text x='{left + width / 2}' y='{y}' text-anchor='middle' "
                 f"class='muted'>{axis}</text></svg>")
    return "".join(parts)


def render_html(report: Dict[str, Any]) -> str:
    """One self-contained HTML page: no scripts, fonts or images fetched."""
    e = html.escape
    arts = report["articles"]
    rows = []
    for a in arts:
        nbs = "<br>".join(
            f"{e(_label(arts[nb['position']]))} <span class='num'>similarity {nb['score']:.3f}</span> "
            f"<span class='terms'>{', '.join('<mark>' + e(t['term']) + '</mark> ' + format(t['share'], '.0%') for t in nb['shared_terms'])}</span>"
            for nb in a["neighbours"]) or "<span class='muted'>none</span>"
        rows.append(f"<tr><td class='num'>{a['position']}</td><td>{e(a['title'] or a['id'])}"
                    f"<div class='muted'>{e(a['id'])}{' · ' + e(a['date']) if a['date'] else ''}"
                    f"</div></td><td class='terms'>{e(', '.join(a['key_terms']))}</td>"
                    f"<td>{nbs}</td><td class='num'>{a['story']}</td></tr>")
    groups = report["near_duplicates"]["groups"]
    group_rows = "".join(
        f"<tr><td class='num'>{g['group']}</td><td>{e(', '.join(_label(arts[m]) for m in g['members']))}"
        f"</td><td>{e(_label(arts[g['canonical']]))}</td></tr>" for g in groups)
    story_rows = "".join(
        f"<tr><td class='num'>{s['story']}</td><td class='num'>{s['size']}</td>"
        f"<td>{e(_label(arts[s['representative']]))}</td>"
        f"<td>{e((s['first_date'] or '')[:10])}{' – ' + e(s['last_date'][:10]) if s['last_date'] else ''}</td>"
        f"<td class='terms'>{e(', '.join(s['key_terms'][:8]))}</td></tr>" for s in report["stories"])
    legend = "".join(f"<li>{e(_label(a))}</li>" for a in arts[:MAX_HEATMAP])
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>newsim report: {len(arts)} articles</title>
<style>{_CSS}</style></head><body>
<h1>newsim report: {len(arts)} articles</h1>
<p class="muted">newsim {e(report['newsim_version'])}, {e(report['generated'])};
{report['settings']['terms']} terms; near-duplicates at Jaccard ≥ {report['settings']['threshold']};
stories at mean cosine ≥ {report['settings']['story_threshold']}.</p>
<h2>Similarity</h2>
<div style="display:flex;gap:2em;align-items:flex-start">{_heatmap_svg(report)}
<div><ul class="terms" style="font-size:.9em;list-style:none;padding-left:0">{legend}</ul>
<p class="muted" style="font-size:.85em">Darker is more similar: the colour scale ends at the
highest cosine between two different articles ({_top_cosine(report)}).</p></div></div>
<h2>Articles and their nearest neighbours</h2>
<table><tr><th>#</th><th>article</th><th>key terms</th><th>nearest (similarity, shared terms)</th>
<th>story</th></tr>{''.join(rows)}</table>
<h2>Near-duplicate groups</h2>
{'<table><tr><th>group</th><th>articles</th><th>canonical</th></tr>' + group_rows + '</table>'
 if groups else '<p class="muted">None.</p>'}
<h2>Stories</h2>
{_timeline_svg(report)}
<table><tr><th>story</th><th>size</th><th>representative</th><th>dates</th><th>key terms</th></tr>
{story_rows}</table>
</body></html>
"""
