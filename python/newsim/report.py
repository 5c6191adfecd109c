"""The analysis report behind ``newsim analyze``: what the archive holds (articles, sources,
dates, what cleaning removed), per article its key terms and nearest articles with the terms
they share, near-duplicate groups and stories; as text, JSON or one self-contained HTML page
(inline CSS, SVG and script, nothing fetched).

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
import gc
import html
import json
import math
import re
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

SCHEMA_PATH = Path(__file__).with_name("report.schema.json")
MAX_HEATMAP = 300  # articles; beyond this the report is an archive report (no matrix)
SEARCHED = "nearest articles: found by search, which can miss some (exact: --neighbours exact)"
SEARCH_ABOVE = 50_000  # articles; beyond this neighbours="auto" searches instead of scoring all pairs
SHOWN = 20         # stories and near-duplicate groups listed in the text and HTML summaries
_DAY = 86400.0
PAGE_KEY_TERMS = 6     # per article in the HTML page (the JSON report keeps all)
PAGE_SHARED_TERMS = 3  # per neighbour in the HTML page


# -- building -----------------------------------------------------------------------------

def _iso_day(day: int) -> str:
    return (_dt.date(1970, 1, 1) + _dt.timedelta(days=int(day))).isoformat()


def _seconds(corpus: Any) -> np.ndarray:
    """Seconds since 1970 UTC of each article's date (NaN where unknown or out of range)."""
    return np.asarray(corpus._core.seconds(True), dtype=float)


def _removed(result: Any) -> Tuple[Any, List[Dict[str, int]], Dict[str, Dict[str, int]]]:
    """The cleaned corpus of a CleanResult, the lines removed from each article by label, and
    the lines and words removed in all by label."""
    corpus = result.corpus
    position = {a: i for i, a in enumerate(corpus.ids)}
    per_article: List[Dict[str, int]] = [{} for _ in range(len(corpus))]
    totals: Dict[str, Dict[str, int]] = {}
    audit = result.audit
    for article, label, text in zip(audit["article"], audit["label"], audit["text"]):
        if label == "title":
            continue
        counts = per_article[position[article]]
        counts[label] = counts.get(label, 0) + 1
        t = totals.setdefault(label, {"lines": 0, "words": 0})
        t["lines"] += 1
        t["words"] += len(str(text).split())
    return corpus, per_article, dict(sorted(totals.items()))


def _group_relations(report: Dict[str, Any]) -> Dict[int, str]:
    """Per group, how its members were made from the canonical article ("2 copy, 1 excerpt"),
    from the pairs that name it as origin; empty for the Jaccard method."""
    derived: Dict[int, Counter] = {}
    for p in report["near_duplicates"]["pairs"]:
        if p.get("origin", -1) >= 0:
            derived.setdefault(p["origin"], Counter())[p["relation"]] += 1
    return {g["group"]: ", ".join(f"{n} {r}" for r, n in derived[g["canonical"]].most_common())
            for g in report["near_duplicates"]["groups"] if g["canonical"] in derived}


def _dup_method(report: Dict[str, Any], html: bool = False) -> str:
    """How near-duplicates were found, for the report's headings."""
    t = report["settings"]["threshold"]
    if t is None:
        return "by shared passages"
    return f"at Jaccard {'≥' if html else '>='} {t}"


def _reuse_pairs(pairs: Any, passages: Any) -> List[Dict[str, Any]]:
    """Text-reuse pairs for the report: relation, origin, coverage and passage spans
    ([a_begin, a_end, b_begin, b_end] in the cleaned texts)."""
    n = len(pairs)
    # Passages come grouped by pair, in pair order.
    quads = np.stack([passages[c].to_numpy(np.int64)
                      for c in ("a_begin", "a_end", "b_begin", "b_end")], axis=1).tolist()
    off = np.searchsorted(passages["pair"].to_numpy(np.int64), np.arange(n + 1)).tolist()
    spans = [quads[off[p]:off[p + 1]] for p in range(n)]
    cols = [pairs[c].tolist() for c in ("a", "b", "relation", "origin", "a_coverage",
                                        "b_coverage", "longest")]
    return [{"a": a, "b": b, "relation": str(rel), "origin": o, "a_coverage": round(ca, 4),
             "b_coverage": round(cb, 4), "longest": lg, "passages": sp}
            for a, b, rel, o, ca, cb, lg, sp in zip(*cols, spans)]


def build_report(corpus: Any, *, top_k: int = 3, threshold: Optional[float] = None,
                 story_threshold: float = 0.2, time_window: Any = None, clean: bool = True,
                 key_terms: int = 8, neighbours: str = "auto", n_jobs: Optional[int] = None,
                 step: Optional[Callable[[str], None]] = None) -> Dict[str, Any]:
    """The report of a Corpus as a JSON-ready dict (see report.schema.json). ``corpus`` may
    also be what :func:`newsim.clean` returned (then it is not cleaned again, and a caller that
    drops the raw articles first needs less memory). ``step``, when given, is called with the
    name of each stage as it starts (cleaning, term vectors, neighbours, near-duplicates,
    stories, report), for progress display and timing. ``neighbours``: "exact" scores every
    pair of articles (the time grows with the square of the archive), "search" searches
    (:meth:`ArticleSimilarity.top_k` with ``search=True``: exact scores, but a neighbour can be
    missed), "auto" searches beyond SEARCH_ABOVE articles. Near-duplicates are found by shared
    passages (:func:`newsim.text_reuse`), or by the Jaccard index of 5-word shingles when
    ``threshold`` is given."""
    # The report is millions of small dicts and lists at archive scale, none in a cycle:
    # without the cyclic collector's passes over them, building it takes half the time.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _build_report(corpus, top_k=top_k, threshold=threshold,
                             story_threshold=story_threshold, time_window=time_window,
                             clean=clean, key_terms=key_terms, neighbours=neighbours,
                             n_jobs=n_jobs, step=step)
    finally:
        if enabled:
            gc.enable()


def _build_report(corpus: Any, *, top_k: int, threshold: Optional[float],
                  story_threshold: float, time_window: Any, clean: bool, key_terms: int,
                  neighbours: str, n_jobs: Optional[int],
                  step: Optional[Callable[[str], None]]
                  ) -> Dict[str, Any]:
    import newsim

    announce = step or (lambda name: None)

    def step(name: str) -> None:
        # Each stage frees what the last one built; hand those pages back before the next
        # one grows (glibc would otherwise keep them, and the peak would add up).
        newsim._core._release_memory()
        announce(name)

    cleaned = corpus if isinstance(corpus, newsim.CleanResult) else None
    n = len(cleaned.corpus if cleaned is not None else corpus)
    if n == 0:
        raise ValueError("no articles to analyse")
    if neighbours not in ("auto", "exact", "search"):
        raise ValueError(f"neighbours must be 'auto', 'exact' or 'search'; got {neighbours!r}")
    mode = ("search" if n > SEARCH_ABOVE else "exact") if neighbours == "auto" else neighbours
    removed: List[Dict[str, int]] = [{} for _ in range(n)]
    cleaning: Dict[str, Dict[str, int]] = {}
    if cleaned is None and clean:
        step("cleaning")
        cleaned = newsim.clean(corpus, n_jobs=n_jobs)
    if cleaned is not None:
        corpus, removed, cleaning = _removed(cleaned)
        clean = True
        del cleaned
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
    if n > 1 and top_k > 0:
        idx, scores = sim.top_k(k=k, search=mode == "search" and sim._fitted().has_latent)
        found = (idx >= 0) & (scores > 0)
    else:
        idx, scores = np.zeros((n, 0), np.int64), np.zeros((n, 0))
        found = np.zeros((n, 0), bool)
    pair_i = np.nonzero(found)[0]
    pair_j = idx[found].astype(np.int64)
    # Batch calls; terms a reader would see twice are left out (distinct, the default).
    why = sim.explain_pairs(pair_i, pair_j, top=5)
    s_off, s_term, s_share = why["offsets"], why["term"], why["share"]
    with_terms = np.flatnonzero(row_nnz > 0)
    kt = sim.key_terms_rows(with_terms, top=key_terms)
    k_off, k_term = kt["offsets"], kt["term"]
    key_of_row = np.full(n, -1, dtype=np.int64)
    key_of_row[with_terms] = np.arange(len(with_terms))
    pair_s = scores[found]
    similarity = _similarity_matrix(sim, n) if n <= MAX_HEATMAP else None
    n_terms = int(X[3][1])
    del sim, X, why, kt, idx, scores  # the later stages need memory more

    times = _seconds(corpus)
    step("near-duplicates")
    dates = [None if math.isnan(t) else t for t in times.tolist()]
    if threshold is None:
        dups = newsim.text_reuse(corpus, dates=dates, n_jobs=n_jobs, passages=True)
        canonical = dups.origins
        pairs = _reuse_pairs(dups.pairs, dups.passages)
    else:
        dups = newsim.near_duplicates(corpus, threshold=threshold, dates=dates, n_jobs=n_jobs)
        canonical = dups.canonical
        pairs = [{"a": int(a), "b": int(b), "jaccard": float(jac), "relation": str(rel)}
                 for a, b, jac, rel in zip(dups.pairs["a"], dups.pairs["b"],
                                           dups.pairs["jaccard"], dups.pairs["relation"])]
    group_of = np.full(n, -1, dtype=np.int64)
    for g in range(len(dups.groups) - 1, -1, -1):  # in two groups: the first
        group_of[dups.groups[g]] = g
    near_duplicates = {
        "pairs": pairs,
        "groups": [{"group": g, "members": sorted(int(m) for m in members), "canonical": int(c)}
                   for g, (members, c) in enumerate(zip(dups.groups, canonical))]}
    del dups
    step("stories")
    result = newsim.cluster_stories(corpus, dates, threshold=story_threshold,
                                    time_window=time_window, n_jobs=n_jobs)
    labels = result.labels.tolist()
    stories = _story_list(result.stories)
    del result

    step("report")
    ids, titles = corpus.ids, corpus.titles
    sources = corpus._core.column("source")
    date_text = corpus._core.column("date")
    words = [len(t.split()) for t in corpus.texts]
    term_names = [str(t) for t in names[np.unique(np.concatenate([s_term, k_term]))]] \
        if len(s_term) + len(k_term) else []
    label = dict(zip(np.unique(np.concatenate([s_term, k_term])).tolist(), term_names))
    s_labels = [label[t] for t in s_term.tolist()]
    s_shares = s_share.tolist()
    k_labels = [label[t] for t in k_term.tolist()]
    s_off_l, k_off_l = s_off.tolist(), k_off.tolist()
    group_l, key_l = group_of.tolist(), key_of_row.tolist()
    per_row = np.bincount(pair_i, minlength=n).tolist() if len(pair_i) else [0] * n
    pair_j_l, pair_s_l = pair_j.tolist(), pair_s.tolist()
    articles = []
    p = 0
    for i in range(n):
        neighbours = []
        for _ in range(per_row[i]):
            a, b = s_off_l[p], s_off_l[p + 1]
            j = pair_j_l[p]
            neighbours.append({
                "position": j, "id": ids[j], "score": pair_s_l[p],
                "shared_terms": [{"term": t, "share": v}
                                 for t, v in zip(s_labels[a:b], s_shares[a:b])]})
            p += 1
        r = key_l[i]
        articles.append({
            "position": i, "id": ids[i], "title": titles[i], "source": sources[i],
            "date": date_text[i] or None, "words": words[i],
            "removed_lines": removed[i],
            "key_terms": k_labels[k_off_l[r]:k_off_l[r + 1]] if r >= 0 else [],
            "neighbours": neighbours,
            "duplicate_group": None if group_l[i] < 0 else group_l[i],
            "story": labels[i]})

    return {
        "newsim_version": newsim.__version__,
        "generated": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "settings": {"top_k": top_k, "threshold": threshold, "story_threshold": story_threshold,
                     "time_window": None if time_window is None else str(time_window),
                     "clean": clean, "terms": n_terms, "neighbours": mode},
        "summary": _summary(times, sources, words, cleaning, stories, near_duplicates["groups"]),
        "articles": articles,
        "near_duplicates": near_duplicates,
        "stories": stories,
        "similarity": similarity,
    }


def _similarity_matrix(sim: Any, n: int) -> List[List[float]]:
    S = np.eye(n)
    if n > 1:
        idx, scores = sim.top_k(k=n - 1)
        for i in range(n):
            ok = idx[i] >= 0
            S[i, idx[i][ok]] = scores[i][ok]
    return [[round(float(v), 4) for v in row] for row in S]


def _story_list(table: Any) -> List[Dict[str, Any]]:
    """StoryResult.stories (largest first) as JSON-ready dicts."""
    def iso(values: Any) -> List[Optional[str]]:
        return [None if v is None or v is np.nan or str(v) == "NaT" else v.isoformat()
                for v in values]

    def cohesion(v: Any) -> Optional[float]:
        return None if v is None or math.isnan(v) else float(v)

    cols = {c: table[c].tolist() for c in ("story", "size", "representative", "title",
                                           "key_terms", "cohesion", "members")}
    return [{"story": int(st), "size": int(size), "representative": int(rep), "title": str(title),
             "first_date": first, "last_date": last, "key_terms": list(terms),
             "cohesion": cohesion(coh), "members": [int(m) for m in members]}
            for st, size, rep, title, first, last, terms, coh, members in zip(
                cols["story"], cols["size"], cols["representative"], cols["title"],
                iso(table["first_date"]), iso(table["last_date"]), cols["key_terms"],
                cols["cohesion"], cols["members"])]


def _summary(times: np.ndarray, sources: Sequence[str], words: Sequence[int],
             cleaning: Dict[str, Dict[str, int]], stories: List[Dict[str, Any]],
             groups: List[Dict[str, Any]]) -> Dict[str, Any]:
    dated = times[~np.isnan(times)]
    days = np.floor(dated / _DAY).astype(np.int64)
    per_day: Dict[str, int] = {}
    if len(days):
        uniq, counts = np.unique(days, return_counts=True)
        per_day = {_iso_day(d): int(c) for d, c in zip(uniq.tolist(), counts.tolist())}
    sizes = np.array([x["size"] for x in stories], dtype=np.int64)
    return {
        "articles": len(times),
        "words": int(sum(words)),
        "sources": dict(Counter(sources).most_common()),
        "dated": int(len(dated)),
        "first_date": _iso_day(days.min()) if len(days) else None,
        "last_date": _iso_day(days.max()) if len(days) else None,
        "per_day": per_day,
        "removed": cleaning,
        "stories": int(len(sizes)),
        "stories_of_several": int((sizes > 1).sum()),
        "duplicate_groups": len(groups),
        "duplicate_articles": int(sum(len(g["members"]) for g in groups)),
    }


def render_json(report: Dict[str, Any]) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"


# -- text ---------------------------------------------------------------------------------

# C0/C1 controls, DEL, line/paragraph separators and bidi overrides: shown escaped so that a
# title cannot retitle or clear a terminal, or reorder what follows it.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


_SPACE = re.compile("[\t\n\v\f\r]+")


def terminal_safe(text: Any) -> str:
    """``text`` on one line (tabs and line breaks become a space) with the other control
    characters written as escapes (``\\x1b``, ``\\u202e``)."""
    return _CONTROL.sub(lambda m: (f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                                   else f"\\u{ord(m.group()):04x}"), _SPACE.sub(" ", str(text)))


def _label(a: Dict[str, Any]) -> str:
    return f"[{a['position']}] {terminal_safe(a['title'] or a['id'])}"


def _is_archive(report: Dict[str, Any]) -> bool:
    return len(report["articles"]) > MAX_HEATMAP


def render_text(report: Dict[str, Any], *, full: Optional[bool] = None) -> str:
    """A plain-text report for a terminal: every article (``full``, the default up to 300
    articles), or, for an archive, a summary, the largest stories and near-duplicate groups."""
    e = terminal_safe
    arts = report["articles"]
    full = not _is_archive(report) if full is None else full
    out = [f"newsim report: {len(arts)} articles", ""]
    if report["settings"].get("neighbours") == "search":
        out[1:1] = [SEARCHED]
    if not full:
        out += _text_summary(report) + [""]
    for a in arts if full else []:
        out.append(_label(a) + (f"  ({e(a['date'])})" if a["date"] else ""))
        out.append(f"    id: {e(a['id'])}; {a['words']} words" + (
            "; removed: " + ", ".join(f"{v} {e(k)}" for k, v in sorted(a["removed_lines"].items()))
            if a["removed_lines"] else ""))
        out.append(f"    key terms: {e(', '.join(a['key_terms'])) or '(none)'}")
        if not a["neighbours"]:
            out.append("    nearest: none (no shared terms)")
        for nb in a["neighbours"]:
            shared = ", ".join(f"{e(t['term'])} {t['share']:.0%}" for t in nb["shared_terms"])
            out.append(f"    nearest: {_label(arts[nb['position']])}  similarity {nb['score']:.3f}")
            out.append(f"        shared terms (share of the term similarity): {shared}")
        out.append("")
    groups = report["near_duplicates"]["groups"]
    shown = groups if full else sorted(groups, key=lambda g: (-len(g["members"]), g["group"]))[:SHOWN]
    out.append(f"near-duplicate groups ({_dup_method(report)}): "
               f"{len(groups) or 'none'}" + ("" if full or len(groups) <= SHOWN
                                            else f", the {SHOWN} largest:"))
    how = _group_relations(report)
    for g in shown:
        members = g["members"] if full or len(g["members"]) <= 10 else g["members"][:10] + ["..."]
        made = f" ({how[g['group']]})" if g["group"] in how else ""
        out.append(f"  group {g['group']} ({len(g['members'])}): "
                   f"{', '.join(str(m) for m in members)}; canonical {_label(arts[g['canonical']])}"
                   f"{made}")
    out.append("")
    stories = report["stories"] if full else report["stories"][:SHOWN]
    out.append(f"stories: {len(report['stories'])}" + (
        "" if full or len(report["stories"]) <= SHOWN else f", the {SHOWN} largest:"))
    for s in stories:
        span = ""
        if s["first_date"]:
            span = f", {s['first_date'][:10]} to {s['last_date'][:10]}"
        members = s["members"] if full or s["size"] <= 10 else s["members"][:10] + ["..."]
        out.append(f"  story {s['story']}: {s['size']} article(s) "
                   f"[{', '.join(str(m) for m in members)}]{span}")
        out.append(f"      {_label(arts[s['representative']])}")
        out.append(f"      key terms: {e(', '.join(s['key_terms'][:8]))}")
    if not full:
        out += ["", "Every article with its neighbours, key terms, story and copies: "
                    "--format html or --format json."]
    return "\n".join(out) + "\n"


def _text_summary(report: Dict[str, Any]) -> List[str]:
    s = report["summary"]
    e = terminal_safe
    out = [f"words: {s['words']:,} (after cleaning)"]
    src = list(s["sources"].items())
    out.append(f"sources: {len(src)}: " + ", ".join(
        f"{e(k) or '(none)'} {v:,}" for k, v in src[:10]) + (", ..." if len(src) > 10 else ""))
    if s["dated"]:
        out.append(f"dates: {s['first_date']} to {s['last_date']}, {len(s['per_day']):,} days; "
                   f"{s['dated']:,} articles dated, {s['articles'] - s['dated']:,} not")
        months: Dict[str, int] = {}
        for d, c in s["per_day"].items():
            months[d[:7]] = months.get(d[:7], 0) + c
        top = max(months.values())
        for m, c in months.items() if len(months) <= 36 else []:
            out.append(f"  {m} {'#' * max(1, round(40 * c / top))} {c:,}")
    else:
        out.append("dates: none")
    if s["removed"]:
        out.append("cleaning removed: " + ", ".join(
            f"{v['lines']:,} {e(k)} lines ({v['words']:,} words)" for k, v in s["removed"].items()))
    out.append(f"stories: {s['stories']:,} ({s['stories_of_several']:,} of several articles); "
               f"near-duplicate groups: {s['duplicate_groups']:,} "
               f"({s['duplicate_articles']:,} articles)")
    return out


# -- HTML ---------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2em;color:#222;max-width:1100px}
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse}td,th{padding:.2em .6em;text-align:left;vertical-align:top}
tr:nth-child(even){background:#f6f7f9}.num{text-align:right;font-variant-numeric:tabular-nums}
.terms{color:#555}.muted{color:#777}mark{background:#fde68a;padding:0 .15em}
svg text{font-size:11px;fill:#333}
button.link{background:none;border:0;padding:0;color:#1e40af;cursor:pointer;font:inherit;text-align:left}
button.link:hover{text-decoration:underline}
#filters{display:flex;flex-wrap:wrap;gap:.6em;align-items:end;margin:.6em 0}
#filters label{display:flex;flex-direction:column;font-size:.85em;color:#555}
.art{border-bottom:1px solid #eee;padding:.35em 0}.detail{margin:.3em 0 .5em 1.5em;font-size:.95em}
.detail ul{margin:.2em 0;padding-left:1.2em}.pager{margin:.6em 0;display:flex;gap:1em;align-items:center}
.story{margin:.8em 0 1.2em}
"""

_PALETTE = ["#1e40af", "#b45309", "#047857", "#9d174d", "#6d28d9", "#0e7490", "#a16207", "#be123c"]


def _esc(text: Any) -> str:
    """Text for HTML: markup escaped, control characters shown as escapes."""
    return html.escape(terminal_safe(text))


def _script_json(value: Any) -> str:
    """JSON that is safe inside a <script> element: no <, >, & or line separators raw."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for raw, escaped in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


def _top_cosine(report: Dict[str, Any]) -> str:
    sim = report["similarity"] or []
    off = [v for i, row in enumerate(sim) for j, v in enumerate(row) if i != j]
    return f"{max(off):.3f}" if off else "—"


def _heatmap_svg(report: Dict[str, Any]) -> str:
    sim = report["similarity"]
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
            title = _esc(f"[{i}] × [{j}]: similarity {v:.3f}")
            parts.append(f"<rect x='{pad + j * cell}' y='{pad + i * cell}' width='{cell}' "
                         f"height='{cell}' fill='rgb({r},{g},{b})'><title>{title}</title></rect>")
        if cell >= 12 or i % max(1, 12 // cell) == 0:
            parts.append(f"<text x='{pad - 4}' y='{pad + i * cell + cell * 0.7}' "
                         f"text-anchor='end'>{i}</text>")
            parts.append(f"<text x='{pad + i * cell + cell / 2}' y='{pad - 6}' "
                         f"text-anchor='middle'>{i}</text>")
    parts.append("</svg>")
    return "".join(parts)


def _article_days(report: Dict[str, Any]) -> List[int]:
    """Each article's UTC day number since 1970 (-1 without a readable date)."""
    out = []
    for a in report["articles"]:
        day = -1
        if a["date"]:
            try:
                d = _dt.datetime.fromisoformat(a["date"].replace("Z", "+00:00"))
                if d.tzinfo is None:
                    d = d.replace(tzinfo=_dt.timezone.utc)
                day = math.floor(d.timestamp() / _DAY)
            except (ValueError, OverflowError):
                pass
        out.append(day)
    return out


def _bins(first: int, last: int) -> Tuple[str, Callable[[int], int], int]:
    """Day, week or month bins for the days first..last: (unit, bin of a day, bin count)."""
    span = last - first + 1
    if span <= 400:
        return "day", lambda d: d - first, span
    if span <= 7 * 400:
        return "week", lambda d: (d - first) // 7, (span + 6) // 7
    def month(d: int) -> int:
        x = _dt.date(1970, 1, 1) + _dt.timedelta(days=d)
        return x.year * 12 + x.month - 1
    return "month", lambda d: month(d) - month(first), month(last) - month(first) + 1


def _bin_label(unit: str, first: int, b: int) -> str:
    if unit == "month":
        x = _dt.date(1970, 1, 1) + _dt.timedelta(days=first)
        m = x.year * 12 + x.month - 1 + b
        return f"{m // 12:04d}-{m % 12 + 1:02d}"
    return _iso_day(first + b * (7 if unit == "week" else 1))


def _volume_svg(days: Sequence[int], aria: str, width: int = 760, height: int = 90,
                sources: Optional[Sequence[int]] = None, colours: Sequence[str] = ()) -> str:
    """Articles per day (week, month) as bars, stacked by source when ``sources`` is given
    (an index into ``colours`` per article, -1: grey)."""
    dated = [i for i, d in enumerate(days) if d >= 0]
    if not dated:
        return "<p class='muted'>No dates.</p>"
    first = min(days[i] for i in dated)
    last = max(days[i] for i in dated)
    unit, bin_of, nbins = _bins(first, last)
    counts: Dict[Tuple[int, int], int] = Counter(
        (bin_of(days[i]), sources[i] if sources is not None else 0) for i in dated)
    totals = Counter(bin_of(days[i]) for i in dated)
    top = max(totals.values())
    left, bottom = 36, 16
    bw = (width - left) / nbins
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width + 4}' "
             f"height='{height + bottom + 4}' role='img' aria-label='{_esc(aria)}'>"]
    base: Dict[int, float] = {}
    for (b, s), c in sorted(counts.items()):
        h = c / top * height
        y = height - base.get(b, 0.0) - h
        base[b] = base.get(b, 0.0) + h
        fill = colours[s] if 0 <= s < len(colours) else ("#1e40af" if sources is None else "#999")
        tip = _esc(f"{_bin_label(unit, first, b)}: {totals[b]} article(s)")
        parts.append(f"<rect x='{left + b * bw:.1f}' y='{y:.1f}' width='{max(bw - 0.5, 0.8):.1f}' "
                     f"height='{max(h, 0.8):.1f}' fill='{fill}'><title>{tip}</title></rect>")
    parts.append(f"<text x='{left - 4}' y='10' text-anchor='end'>{top}</text>"
                 f"<text x='{left - 4}' y='{height}' text-anchor='end'>0</text>"
                 f"<text x='{left}' y='{height + 13}'>{_iso_day(first)}</text>"
                 f"<text x='{width}' y='{height + 13}' text-anchor='end'>{_iso_day(last)}</text>"
                 f"<text x='{left + (width - left) / 2}' y='{height + 13}' text-anchor='middle' "
                 f"class='muted'>articles per {unit}</text></svg>")
    return "".join(parts)


def _story_map_svg(report: Dict[str, Any], days: Sequence[int], shown: int = 30) -> str:
    """The largest stories (rows) by day, week or month (columns): darker is more articles."""
    stories = [s for s in report["stories"][:shown] if s["size"] > 1]
    member_days = [[days[m] for m in s["members"] if days[m] >= 0] for s in stories]
    if not any(member_days):
        return "<p class='muted'>No dated stories of several articles.</p>"
    first = min(min(d) for d in member_days if d)
    last = max(max(d) for d in member_days if d)
    unit, bin_of, nbins = _bins(first, last)
    left, width, row = 330, 760, 16
    cw = width / nbins
    arts = report["articles"]
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{left + width + 10}' "
             f"height='{row * len(stories) + 34}' role='img' aria-label='story map'>"]
    for k, (s, ds) in enumerate(zip(stories, member_days)):
        y = 4 + k * row
        name = arts[s["representative"]]["title"] or arts[s["representative"]]["id"]
        name = name if len(name) <= 36 else name[:35] + "…"
        label = _esc(f"{s['story']} ({s['size']}) {name}")
        parts.append(f"<text x='{left - 6}' y='{y + 11}' text-anchor='end'>{label}</text>")
        counts = Counter(bin_of(d) for d in ds)
        top = max(counts.values()) if counts else 1
        for b, c in sorted(counts.items()):
            t = 0.25 + 0.75 * c / top
            r, g, bl = (int(255 - t * (255 - v)) for v in (30, 64, 175))
            tip = _esc(f"story {s['story']}, {_bin_label(unit, first, b)}: {c} article(s)")
            parts.append(f"<rect x='{left + b * cw:.1f}' y='{y}' width='{max(cw, 1.5):.1f}' "
                         f"height='{row - 3}' fill='rgb({r},{g},{bl})'><title>{tip}</title></rect>")
    y = row * len(stories) + 20
    parts.append(f"<text x='{left}' y='{y}'>{_iso_day(first)}</text>"
                 f"<text x='{left + width}' y='{y}' text-anchor='end'>{_iso_day(last)}</text>"
                 f"<text x='{left + width / 2}' y='{y}' text-anchor='middle' class='muted'>"
                 f"one column per {unit}</text></svg>")
    return "".join(parts)


def _timeline_svg(report: Dict[str, Any]) -> str:
    """Small reports: every article of each story as a dot on the time axis."""
    stories = report["stories"]
    arts = report["articles"]
    if not stories:
        return ""
    days = _article_days(report)
    dated = all(d >= 0 for d in days)
    xs = [float(d) for d in days] if dated else [float(a["position"]) for a in arts]
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
        label = _esc(f"story {s['story']} ({s['size']})")
        parts.append(f"<text x='{left - 8}' y='{y + 4}' text-anchor='end'>{label}</text>")
        parts.append(f"<line x1='{min(pts):.1f}' x2='{max(pts):.1f}' y1='{y}' y2='{y}' "
                     f"stroke='#1e40af' stroke-width='3' stroke-opacity='0.35'/>")
        for m, x in zip(s["members"], pts):
            a = arts[m]
            tip = _esc(f"[{m}] {a['title'] or a['id']}" + (f" ({a['date']})" if a["date"] else ""))
            parts.append(f"<circle cx='{x:.1f}' cy='{y}' r='4.5' fill='#1e40af'>"
                         f"<title>{tip}</title></circle>")
    axis = "day" if dated else "article position (no dates)"
    first = _iso_day(int(lo)) if dated else str(int(lo))
    last = _iso_day(int(hi)) if dated else str(int(hi))
    y = height + 8
    parts.append(f"<text x='{left}' y='{y}'>{_esc(first)}</text>")
    parts.append(f"<text x='{left + width}' y='{y}' text-anchor='end'>{_esc(last)}</text>")
    parts.append(f"<text x='{left + width / 2}' y='{y}' text-anchor='middle' "
                 f"class='muted'>{axis}</text></svg>")
    return "".join(parts)


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _b36(n: int, memo: Dict[int, str] = {}) -> str:  # noqa: B006 (a deliberate cache)
    """A non-negative int in base 36 (JavaScript's parseInt(text, 36) reads it back)."""
    text = memo.get(n)
    if text is None:
        text, x = "", n
        while True:
            x, r = divmod(x, 36)
            text = _DIGITS[r] + text
            if not x:
                break
        if len(memo) < 1 << 20:
            memo[n] = text
    return text


def _page_data(report: Dict[str, Any], days: Sequence[int]) -> Dict[str, Any]:
    """The per-article data the page's script renders: short keys, parallel arrays, terms
    and sources as indices into tables (the most used first). The strongest key and shared
    terms only (the JSON report has all). ``kt``: an article's key terms, ``nb``: its
    neighbours, each "position,score,term,share,term,share..." (score in thousandths, share
    in percent), ";" between neighbours; all numbers in base 36 to keep the page small."""
    arts = report["articles"]
    key = [a["key_terms"][:PAGE_KEY_TERMS] for a in arts]
    use = Counter(t for terms in key for t in terms)
    use.update(t["term"] for a in arts for nb in a["neighbours"]
               for t in nb["shared_terms"][:PAGE_SHARED_TERMS])
    terms = [t for t, _ in use.most_common()]
    term_id = {t: _b36(i) for i, t in enumerate(terms)}
    sources = list(report["summary"]["sources"])
    source_id = {s: i for i, s in enumerate(sources)}
    b = _b36
    return {
        "terms": terms, "src": sources,
        "id": [a["id"] for a in arts], "ti": [a["title"] for a in arts],
        "so": [source_id[a["source"]] for a in arts], "dy": list(days),
        "wo": [a["words"] for a in arts], "st": [a["story"] for a in arts],
        "kt": [",".join(term_id[t] for t in terms) for terms in key],
        "nb": [";".join(",".join([b(nb["position"]), b(round(nb["score"] * 1000))]
                                 + [x for t in nb["shared_terms"][:PAGE_SHARED_TERMS]
                                    for x in (term_id[t["term"]], b(round(t["share"] * 100)))])
                        for nb in a["neighbours"]) for a in arts],
        "S": {str(s["story"]): [s["representative"], s["size"]]
              for s in report["stories"] if s["size"] > 1},
        "G": [[g["canonical"]] + [m for m in g["members"] if m != g["canonical"]]
              for g in report["near_duplicates"]["groups"]],
        "per": 50,
    }


# The page's script: renders the article browser from the JSON in #newsim-data, on demand
# (filters, search and pages of 50); text goes in through textContent only. The URL fragment
# (#q=...&source=...&story=...&group=...&from=...&to=...&page=...) prefills the filters.
_SCRIPT = r"""
(function () {
"use strict";
var D = JSON.parse(document.getElementById("newsim-data").textContent);
var N = D.id.length, PER = D.per;
function ints(text) { return text ? text.split(",").map(function (x) { return parseInt(x, 36); }) : []; }
function keyTerms(i) { if (typeof D.kt[i] === "string") D.kt[i] = ints(D.kt[i]); return D.kt[i]; }
function neighbours(i) { return D.nb[i] ? D.nb[i].split(";").map(ints) : []; }
D.dg = new Array(N).fill(-1);
D.G.forEach(function (members, g) { members.forEach(function (m) { D.dg[m] = g; }); });
var state = {q: "", source: "", story: "", group: "", from: "", to: "", page: 0};
var opened = {}, low = null;
function $(id) { return document.getElementById(id); }
function el(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}
function day(d) { return d < 0 ? "" : new Date(d * 864e5).toISOString().slice(0, 10); }
function name(i) { return D.ti[i] || D.id[i]; }
function lower() {
  if (!low) { low = new Array(N); for (var i = 0; i < N; i++) low[i] = (D.ti[i] + "\n" + D.id[i]).toLowerCase(); }
  return low;
}
function dayOf(text) { var t = Date.parse(text); return isNaN(t) ? null : Math.floor(t / 864e5); }
function matches() {
  var q = state.q.trim().toLowerCase(), out = [], i, k, m;
  var pos = /^#\d+$/.test(q) ? +q.slice(1) : -1;
  var terms = {};
  if (q) for (k = 0; k < D.terms.length; k++) if (D.terms[k].toLowerCase() === q) terms[k] = 1;
  var src = state.source === "" ? -1 : +state.source;
  var story = state.story === "" ? null : +state.story;
  var group = state.group === "" ? null : +state.group;
  var from = state.from ? dayOf(state.from) : null, to = state.to ? dayOf(state.to) : null;
  var L = q && pos < 0 ? lower() : null;
  for (i = 0; i < N; i++) {
    if (pos >= 0 && i !== pos) continue;
    if (src >= 0 && D.so[i] !== src) continue;
    if (story !== null && D.st[i] !== story) continue;
    if (group !== null && D.dg[i] !== group) continue;
    if ((from !== null || to !== null) &&
        (D.dy[i] < 0 || (from !== null && D.dy[i] < from) || (to !== null && D.dy[i] > to))) continue;
    if (L && L[i].indexOf(q) < 0) {
      var hit = false;
      var kt = keyTerms(i);
      for (m = 0; m < kt.length; m++) if (terms[kt[m]]) { hit = true; break; }
      if (!hit) continue;
    }
    out.push(i);
  }
  return out;
}
function jump(i) {
  state = {q: "#" + i, source: "", story: "", group: "", from: "", to: "", page: 0};
  opened = {}; opened[i] = true; sync(); render();
  $("articles").scrollIntoView();
}
function linkTo(i, text) {
  var b = el("button", "link", text === undefined ? name(i) : text);
  b.type = "button";
  b.addEventListener("click", function () { jump(i); });
  return b;
}
function detail(i) {
  var d = el("div", "detail"), k, p;
  var terms = keyTerms(i).map(function (t) { return D.terms[t]; }).join(", ");
  var nbs = neighbours(i);
  d.appendChild(el("div", "terms", "key terms: " + (terms || "(none)")));
  d.appendChild(el("div", null, "nearest articles:"));
  var ul = el("ul");
  if (!nbs.length) ul.appendChild(el("li", "muted", "none (no shared terms)"));
  nbs.forEach(function (nb) {
    var li = el("li");
    li.appendChild(linkTo(nb[0]));
    li.appendChild(el("span", "num muted", " similarity " + (nb[1] / 1000).toFixed(3) + " "));
    for (p = 2; p + 1 < nb.length; p += 2) {
      li.appendChild(el("mark", null, D.terms[nb[p]]));
      li.appendChild(document.createTextNode(" " + nb[p + 1] + "% "));
    }
    ul.appendChild(li);
  });
  d.appendChild(ul);
  var s = D.S[String(D.st[i])];
  var sd = el("div", null, "story " + D.st[i] + ": ");
  if (s) {
    var b = el("button", "link", s[1] + " articles, like \u201c" + name(s[0]) + "\u201d");
    b.type = "button";
    b.addEventListener("click", function () { setFilter("story", String(D.st[i])); });
    sd.appendChild(b);
  } else sd.appendChild(el("span", "muted", "this article alone"));
  d.appendChild(sd);
  var g = D.dg[i];
  if (g >= 0) {
    var cd = el("div", null, "copies (near-duplicate group " + g + "): ");
    D.G[g].forEach(function (m, k) {
      if (m === i) cd.appendChild(el("b", null, (k ? "" : "canonical: ") + "this article"));
      else cd.appendChild(linkTo(m, (k ? "" : "canonical: ") + name(m)));
      cd.appendChild(document.createTextNode(k + 1 < D.G[g].length ? "; " : ""));
    });
    d.appendChild(cd);
  } else d.appendChild(el("div", "muted", "copies: none"));
  return d;
}
function row(i) {
  var r = el("div", "art");
  r.setAttribute("data-position", i);
  var b = el("button", "link", name(i));
  b.type = "button";
  var meta = "#" + i + " \u00b7 " + D.id[i] + (D.src[D.so[i]] ? " \u00b7 " + D.src[D.so[i]] : "") +
      (D.dy[i] >= 0 ? " \u00b7 " + day(D.dy[i]) : "") + " \u00b7 " + D.wo[i] + " words \u00b7 story " +
      D.st[i] + (D.dg[i] >= 0 ? " \u00b7 copies" : "");
  r.appendChild(b);
  r.appendChild(el("div", "muted", meta));
  var box = null;
  function toggle() {
    if (box) { r.removeChild(box); box = null; delete opened[i]; }
    else { box = detail(i); r.appendChild(box); opened[i] = true; }
  }
  b.addEventListener("click", toggle);
  if (opened[i]) { opened[i] = false; toggle(); }
  return r;
}
function render() {
  var found = matches(), pages = Math.max(1, Math.ceil(found.length / PER));
  state.page = Math.min(Math.max(0, state.page), pages - 1);
  if (found.length === 1) opened[found[0]] = true;
  var list = $("results"), i;
  list.textContent = "";
  for (i = state.page * PER; i < Math.min(found.length, (state.page + 1) * PER); i++) list.appendChild(row(found[i]));
  if (!found.length) list.appendChild(el("p", "muted", "No article matches."));
  var info = found.length + " of " + N + " articles; page " + (state.page + 1) + " of " + pages;
  ["pager-top", "pager-bottom"].forEach(function (id) { $(id).querySelector(".info").textContent = info; });
  document.body.setAttribute("data-rendered-ms", String(Math.round(performance.now())));
}
function setFilter(key, value) {
  state[key] = value; state.page = 0; sync(); render();
  $("articles").scrollIntoView();
}
function sync() {
  ["q", "source", "story", "group", "from", "to"].forEach(function (k) { $("f-" + k).value = state[k]; });
  var parts = [];
  Object.keys(state).forEach(function (k) {
    if (state[k] !== "" && !(k === "page" && !state.page)) parts.push(k + "=" + encodeURIComponent(state[k]));
  });
  try { history.replaceState(null, "", parts.length ? "#" + parts.join("&") : location.pathname + location.search); }
  catch (err) { /* some file: URLs refuse; the fragment is a convenience */ }
}
function read() {
  var text = (location.hash || "").slice(1) || (location.search || "").slice(1);
  text.split("&").forEach(function (kv) {
    var j = kv.indexOf("="), k = j < 0 ? kv : kv.slice(0, j), v = j < 0 ? "" : kv.slice(j + 1);
    try { v = decodeURIComponent(v.replace(/\+/g, " ")); } catch (err) { return; }
    if (k === "page") state.page = Math.max(0, (+v || 1) - 1);
    else if (state.hasOwnProperty(k)) state[k] = v;
  });
}
var select = $("f-source");
D.src.forEach(function (s, k) {
  var o = el("option", null, s || "(no source)");
  o.value = String(k);
  select.appendChild(o);
});
["q", "source", "story", "group", "from", "to"].forEach(function (k) {
  $("f-" + k).addEventListener(k === "q" ? "input" : "change", function (ev) {
    state[k] = ev.target.value; state.page = 0; sync(); render();
  });
});
["pager-top", "pager-bottom"].forEach(function (id) {
  var p = $(id);
  p.querySelector(".prev").addEventListener("click", function () { state.page--; sync(); render(); });
  p.querySelector(".next").addEventListener("click", function () { state.page++; sync(); render(); });
});
$("f-clear").addEventListener("click", function () {
  state = {q: "", source: "", story: "", group: "", from: "", to: "", page: 0};
  opened = {}; sync(); render();
});
document.addEventListener("click", function (ev) {
  var t = ev.target;
  if (!t || !t.getAttribute) return;
  if (t.hasAttribute("data-open")) jump(+t.getAttribute("data-open"));
  else if (t.hasAttribute("data-story")) setFilter("story", t.getAttribute("data-story"));
  else if (t.hasAttribute("data-group")) setFilter("group", t.getAttribute("data-group"));
});
read();
sync();
render();
})();
"""


def _open(position: int, text: str) -> str:
    return f"<button type='button' class='link' data-open='{position}'>{_esc(text)}</button>"


def render_html(report: Dict[str, Any]) -> str:
    """One self-contained HTML page: inline CSS, SVG and one inline script; nothing fetched.
    The per-article detail is JSON in the page that the script renders on demand."""
    e = _esc
    arts = report["articles"]
    s = report["summary"]
    n = len(arts)
    days = _article_days(report)

    def name(i: int) -> str:
        return arts[i]["title"] or arts[i]["id"]

    sources = list(s["sources"])
    colour_of = {src: k for k, src in enumerate(sources[:len(_PALETTE)])}
    src_idx = [colour_of.get(a["source"], -1) for a in arts]
    legend = " ".join(f"<span style='color:{_PALETTE[k]}'>■</span> {e(src or '(no source)')}"
                      for src, k in colour_of.items()) if len(sources) > 1 else ""
    src_text = ", ".join(f"{e(k or '(no source)')} {v:,}" for k, v in list(s["sources"].items())[:10])
    if len(sources) > 10:
        src_text += f", and {len(sources) - 10:,} more"
    dates = (f"{s['first_date']} to {s['last_date']}, {len(s['per_day']):,} days with articles; "
             f"{s['dated']:,} dated, {n - s['dated']:,} undated") if s["dated"] else "none"
    removed = "".join(f"<tr><td>{e(k)}</td><td class='num'>{v['lines']:,}</td>"
                      f"<td class='num'>{v['words']:,}</td></tr>" for k, v in s["removed"].items())
    removed_html = (f"<table><tr><th>label</th><th>lines</th><th>words</th></tr>{removed}</table>"
                    if removed else "<p class='muted'>Nothing (or cleaning was off).</p>")
    summary = f"""<section id="summary"><h2>What the archive holds</h2>
<table>
<tr><th>articles</th><td class='num'>{n:,}</td></tr>
<tr><th>words</th><td class='num'>{s['words']:,}</td><td class='muted'>after cleaning</td></tr>
<tr><th>sources</th><td class='num'>{len(sources):,}</td><td>{src_text}</td></tr>
<tr><th>dates</th><td></td><td>{e(dates)}</td></tr>
<tr><th>stories</th><td class='num'>{s['stories']:,}</td><td>{s['stories_of_several']:,} of several articles</td></tr>
<tr><th>near-duplicate groups</th><td class='num'>{s['duplicate_groups']:,}</td><td>{s['duplicate_articles']:,} articles</td></tr>
</table>
{_volume_svg(days, 'articles over time', sources=src_idx, colours=_PALETTE)}
<div class='muted'>{legend}</div>
<h3>What cleaning removed</h3>
{removed_html}</section>"""

    stories = report["stories"]
    if report["similarity"] is not None:
        legend_items = "".join(f"<li>{e(f'[{i}] {name(i)}')}</li>" for i in range(n))
        overview = f"""<h2>Similarity</h2>
<div style="display:flex;gap:2em;align-items:flex-start">{_heatmap_svg(report)}
<div><ul class="terms" style="font-size:.9em;list-style:none;padding-left:0">
{legend_items}</ul>
<p class="muted" style="font-size:.85em">Darker is more similar: the colour scale ends at the
highest similarity between two different articles ({_top_cosine(report)}).</p></div></div>"""
        story_html = _timeline_svg(report)
    else:
        overview = f"""<h2>Map of the largest stories</h2>
<p class='muted'>Too many articles for a similarity heatmap: the {min(30, len(stories))} largest
stories instead, one row each (story, articles, title), darker where they have more articles.</p>
{_story_map_svg(report, days)}"""
        story_html = ""
        for st in [x for x in stories[:10] if x["size"] > 1]:
            span = f"{(st['first_date'] or '')[:10]} – {(st['last_date'] or '')[:10]}" \
                if st["first_date"] else "no dates"
            member_days = [days[m] if m < n else -1 for m in st["members"]]
            story_html += (
                f"<div class='story'><b>story {st['story']}</b>, {st['size']:,} articles, "
                f"{e(span)}: {_open(st['representative'], name(st['representative']))} "
                f"<button type='button' class='link' data-story='{st['story']}'>(list them)</button>"
                f"<div class='terms'>{e(', '.join(st['key_terms'][:8]))}</div>"
                + _volume_svg(member_days, f"story {st['story']} over time", width=600,
                              height=50, sources=[src_idx[m] for m in st["members"]],
                              colours=_PALETTE) +
                "</div>")
    shown = stories if report["similarity"] is not None else stories[:SHOWN]
    story_rows = "".join(
        f"<tr><td class='num'>{x['story']}</td><td class='num'>{x['size']}</td>"
        f"<td>{_open(x['representative'], name(x['representative']))}</td>"
        f"<td>{e((x['first_date'] or '')[:10])}{' – ' + e(x['last_date'][:10]) if x['last_date'] else ''}</td>"
        f"<td class='terms'>{e(', '.join(x['key_terms'][:8]))}</td></tr>" for x in shown)
    groups = sorted(report["near_duplicates"]["groups"], key=lambda g: (-len(g["members"]), g["group"]))
    how = _group_relations(report)
    group_rows = "".join(
        f"<tr><td class='num'>{g['group']}</td><td class='num'>{len(g['members'])}</td>"
        f"<td>{_open(g['canonical'], name(g['canonical']))}</td>"
        f"<td>{e(how.get(g['group'], ''))}</td>"
        f"<td><button type='button' class='link' data-group='{g['group']}'>list them</button></td></tr>"
        for g in groups[:SHOWN])
    more_groups = f" (the {SHOWN} largest of {len(groups):,})" if len(groups) > SHOWN else ""
    more_stories = f" (the {SHOWN} largest of {len(stories):,})" if len(shown) < len(stories) else ""
    data = _script_json(_page_data(report, days))
    searched = (" The nearest articles were found by search, which can miss some."
                if report["settings"].get("neighbours") == "search" else "")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>newsim report: {n} articles</title>
<style>{_CSS}</style></head><body>
<h1>newsim report: {n:,} articles</h1>
<p class="muted">newsim {e(report['newsim_version'])}, {e(report['generated'])};
{report['settings']['terms']:,} terms; near-duplicates {e(_dup_method(report, html=True))};
stories at mean cosine ≥ {report['settings']['story_threshold']}.</p>
{summary}
{overview}
<h2>Largest stories</h2>
{story_html}
<table><tr><th>story</th><th>size</th><th>representative</th><th>dates</th><th>key terms</th></tr>
{story_rows}</table><p class='muted'>{more_stories}</p>
<h2>Largest near-duplicate groups{more_groups}</h2>
{'<table><tr><th>group</th><th>articles</th><th>canonical</th><th>made from it</th><th></th></tr>' + group_rows + '</table>'
 if groups else '<p class="muted">None.</p>'}
<section id="articles"><h2>Articles</h2>
<p class="muted">Search a title, an id, a key term or #position; filter by source, story,
near-duplicate group or dates. Click an article for its nearest articles with the terms they
share, its key terms, story and copies.{searched}</p>
<div id="filters">
<label>search<input id="f-q" type="search" size="30"></label>
<label>source<select id="f-source"><option value="">all</option></select></label>
<label>story<input id="f-story" type="number" min="0" style="width:7em"></label>
<label>group<input id="f-group" type="number" min="0" style="width:6em"></label>
<label>from<input id="f-from" type="date"></label>
<label>to<input id="f-to" type="date"></label>
<button type="button" id="f-clear">clear</button></div>
<div class="pager" id="pager-top"><button type="button" class="prev">previous</button>
<span class="info"></span><button type="button" class="next">next</button></div>
<div id="results"><p class="muted">The article list needs JavaScript.</p></div>
<div class="pager" id="pager-bottom"><button type="button" class="prev">previous</button>
<span class="info"></span><button type="button" class="next">next</button></div></section>
<script type="application/json" id="newsim-data">{data}</script>
<script>{_SCRIPT}</script>
</body></html>
"""
