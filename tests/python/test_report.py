"""The report of `newsim analyze`: archive summary, text/JSON/HTML rendering, escaping, and the
HTML page's script in headless Chromium."""

from __future__ import annotations

import datetime as dt
import html.parser
import json
import os
import random
import re
import shutil
import subprocess
import urllib.parse
from pathlib import Path

import numpy as np
import pytest

import newsim
from newsim.report import (MAX_HEATMAP, PAGE_KEY_TERMS, PAGE_SHARED_TERMS, SCHEMA_PATH,
                           _script_json, build_report, render_html, render_json, render_text,
                           terminal_safe)

REPO_ROOT = Path(__file__).resolve().parents[2]
SEEDS = REPO_ROOT / "data" / "seeds"
N_SEEDS = len(list(SEEDS.glob("*.txt")))
EVIL = "Talks <b>fail</b> </script><script>document.title='pwned'</script> & \u2028 \x1b]0;x\x07"

_TOPICS = [
    "oil opec crude barrel output price saudi quota refinery",
    "wheat grain harvest farmers export tonnes crop usda",
    "bank rate interest central lending money dollar yen",
    "coffee cocoa sugar brazil quotas growers beans stocks",
    "gold mine ounces silver bullion mining reserves ore",
    "ship port strike dock workers union vessels cargo",
    "tax budget deficit congress spending reagan senate bill",
    "computer chip semiconductor japan trade tariffs electronics",
    "merger acquisition shares stake takeover bid offer board",
    "earthquake flood rain storm damage rescue victims region",
]


def _archive(n: int = 420, seed: int = 7) -> list:
    """Generated news: stories (topic + a few story words) over 90 days, three sources,
    some exact copies, one evil title."""
    rng = random.Random(seed)
    rows = []
    start = dt.date(2020, 1, 1)
    for i in range(n):
        if i % 37 == 5:  # a copy of an earlier article, a day later
            src = rows[i - 3]
            rows.append(dict(src, id=f"a{i}", date=(dt.date.fromisoformat(src["date"])
                                                    + dt.timedelta(days=1)).isoformat()))
            continue
        story = rng.randrange(60)
        topic = story % len(_TOPICS)
        words = _TOPICS[topic].split()
        own = [f"s{story}{c}" for c in "abcdefgh"]  # words of this story alone
        sentences = []
        for _ in range(6):
            w = rng.sample(own, 5) + rng.sample(words, 2) + [f"w{rng.randrange(3000)}"]
            sentences.append(" ".join(w).capitalize() + ".")
        day = start + dt.timedelta(days=story + rng.randrange(6))
        rows.append({"id": f"a{i}", "title": f"{words[0].title()} {words[1]} report {i}",
                     "text": " ".join(sentences), "source": ["wire", "daily", "herald"][i % 3],
                     "date": day.isoformat()})
    rows[11]["title"] = EVIL
    return rows


@pytest.fixture(scope="module")
def archive_rows():
    return _archive()


@pytest.fixture(scope="module")
def archive_report(archive_rows):
    return build_report(newsim.read_articles(archive_rows), n_jobs=2)


@pytest.fixture(scope="module")
def seeds_report():
    return build_report(newsim.read_articles(SEEDS))


# -- batch explanations ---------------------------------------------------------------------

def _distinct(labelled, top):
    """The core's rule for labels a reader would see twice, written out as the test's oracle."""
    seen, out = set(), []
    for label, value in labelled:
        key = label.casefold()
        if key not in seen:
            seen.add(key)
            seen.update(key.split())
            out.append((label, value))
    return out[:top]


def test_report_terms_agree_with_the_per_pair_explanations(seeds_report):
    """The batch path gives what ArticleSimilarity.explain and key_terms give one at a time."""
    corpus = newsim.clean(newsim.read_articles(SEEDS)).corpus
    sim = newsim.ArticleSimilarity().fit(corpus)
    for a in seeds_report["articles"]:
        i = a["position"]
        assert a["key_terms"] == [t for t, _ in sim.key_terms(i, top=8)]
        for nb in a["neighbours"]:
            shared = sim.explain(i, nb["position"], top=10 ** 6)["shared_terms"]  # all
            want = _distinct(list(zip(shared["term"], shared["share"])), 5)
            assert [t["term"] for t in nb["shared_terms"]] == [t for t, _ in want]
            np.testing.assert_allclose([t["share"] for t in nb["shared_terms"]],
                                       [s for _, s in want], rtol=1e-9)


# -- JSON -----------------------------------------------------------------------------------

def test_archive_json_validates_and_keeps_everything(archive_report, archive_rows):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    report = json.loads(render_json(archive_report))
    jsonschema.validate(report, schema)
    n = len(archive_rows)
    s = report["summary"]
    assert len(report["articles"]) == n == s["articles"]
    assert s["sources"] == {"wire": 140, "daily": 140, "herald": 140}
    assert s["dated"] == n == sum(s["per_day"].values())
    assert s["first_date"] == min(r["date"] for r in archive_rows)
    assert s["last_date"] == max(r["date"] for r in archive_rows)
    assert s["per_day"][s["first_date"]] == sum(r["date"] == s["first_date"] for r in archive_rows)
    assert report["similarity"] is None
    # Every copy is in a near-duplicate group with its original.
    copies = [i for i in range(n) if i % 37 == 5]
    for i in copies:
        g = report["articles"][i]["duplicate_group"]
        assert g is not None and report["articles"][i - 3]["duplicate_group"] == g
    assert s["duplicate_groups"] == len(report["near_duplicates"]["groups"]) > 0
    assert sum(x["size"] for x in report["stories"]) == n
    assert all(len(a["neighbours"]) == 3 for a in report["articles"])
    broken = json.loads(json.dumps(report))
    broken["summary"]["per_day"]["not a day"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_cleaning_counts_reach_the_summary(seeds_report):
    removed = seeds_report["summary"]["removed"]
    assert removed, "every sample page has some furniture"
    for label, v in removed.items():
        assert v["lines"] == sum(a["removed_lines"].get(label, 0) for a in seeds_report["articles"])
        assert v["words"] >= v["lines"]


# -- text -----------------------------------------------------------------------------------

def test_terminal_output_escapes_control_characters(seeds_report):
    assert terminal_safe("a\x1b]0;owned\x07b\x1b[2J\u202ec") == "a\\x1b]0;owned\\x07b\\x1b[2J\\u202ec"
    assert terminal_safe("two\nlines\r\n\tand a tab") == "two lines and a tab"
    report = json.loads(json.dumps(seeds_report))
    report["articles"][0]["title"] = "\x1b]0;owned\x07\x1b[2JTalks"
    report["articles"][1]["id"] = "x\x9by"
    report["articles"][0]["key_terms"][0] = "t\x1b[31m"
    for full in (True, False):
        text = render_text(report, full=full)
        assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f]", text)
    assert "\\x1b]0;owned\\x07\\x1b[2JTalks" in render_text(report)


def test_archive_text_report_opens_with_a_summary_and_lists_the_largest(archive_report):
    text = render_text(archive_report)
    lines = text.splitlines()
    n = len(archive_report["articles"])
    assert lines[0] == f"newsim report: {n} articles" and n > MAX_HEATMAP
    assert lines[2].startswith("words: ")
    assert lines[3] == "sources: 3: wire 140, daily 140, herald 140"
    assert lines[4].startswith("dates: 2020-01-01 to ")
    stories = archive_report["stories"]
    assert f"stories: {len(stories)}, the 20 largest:" in text
    assert len(re.findall(r"^  story \d+: ", text, re.M)) == 20
    assert f"story {stories[0]['story']}: {stories[0]['size']} article(s)" in text
    assert "nearest:" not in text and len(lines) < 150  # not one entry per article
    assert "\x1b" not in text
    full = render_text(archive_report, full=True)
    assert full.count("nearest: ") == 3 * n


# -- HTML -----------------------------------------------------------------------------------

class _Collect(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list = []
        self.refs: list = []
        self.scripts: list = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.refs += [v for k, v in attrs if k in ("src", "href") and v]
        self._in_script = tag == "script"
        if tag == "script":
            self.scripts.append("")

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def _ints(text: str) -> list:
    """The page's number lists: ";" between lists, "," between base-36 numbers."""
    return [[int(x, 36) for x in part.split(",")] for part in text.split(";")] if text else []


def _page_json(page: str) -> dict:
    p = _Collect()
    p.feed(page)
    return json.loads(p.scripts[0])


def test_small_report_is_one_self_contained_page_with_the_heatmap(seeds_report):
    page = render_html(seeds_report)
    p = _Collect()
    p.feed(page)
    assert p.refs == [], "nothing is fetched: no src or href"
    assert "@import" not in page and "url(" not in page
    assert p.tags.count("script") == 2  # the data and the code, both inline
    assert "aria-label='similarity heatmap'" in page
    assert page.count("<rect x='") >= N_SEEDS * N_SEEDS
    assert page.count("<circle") == N_SEEDS  # the story timeline
    assert "What the archive holds" in page and "Largest near-duplicate groups" in page
    data = _page_json(page)
    assert data["ti"] == [a["title"] for a in seeds_report["articles"]]
    assert [[nb[0] for nb in _ints(x)] for x in data["nb"]] == \
        [[nb["position"] for nb in a["neighbours"]] for a in seeds_report["articles"]]


def test_archive_page_has_a_story_map_and_compact_data(archive_report):
    page = render_html(archive_report)
    assert "aria-label='similarity heatmap'" not in page and "aria-label='story map'" in page
    assert "Map of the largest stories" in page
    n = len(archive_report["articles"])
    # Articles are data for the script, not pre-rendered rows.
    assert page.count("class='art'") == 0 and page.count("<tr>") < 60
    data = _page_json(page)
    assert len(data["id"]) == n and data["per"] == 50
    a = archive_report["articles"][40]
    assert [data["terms"][t] for t in _ints(data["kt"][40])[0]] == a["key_terms"][:PAGE_KEY_TERMS]
    nb = _ints(data["nb"][40])[0]
    assert len(nb) == 2 + 2 * min(PAGE_SHARED_TERMS, len(a["neighbours"][0]["shared_terms"]))
    assert nb[0] == a["neighbours"][0]["position"]
    assert nb[1] == round(1000 * a["neighbours"][0]["score"])
    assert data["terms"][nb[2]] == a["neighbours"][0]["shared_terms"][0]["term"]
    assert len(page) / n < 1500  # bytes per article, everything included


def test_html_escapes_everything(archive_report):
    page = render_html(archive_report)
    assert EVIL not in page and "<b>fail" not in page
    assert page.count("<script") == 2 and page.count("</script>") == 2
    assert "\u2028" not in page and "\x1b" not in page.split("<script")[0]
    assert _page_json(page)["ti"][11] == EVIL
    # The static parts (story map, tables) escape it too.
    shown = json.loads(json.dumps(archive_report))
    rep = shown["stories"][0]["representative"]
    shown["articles"][rep]["title"] = EVIL
    page = render_html(shown)
    assert EVIL not in page and page.count("<script") == 2
    assert "\x1b" not in page.split("<script")[0] and "\\x1b]0;x\\x07" in page
    assert "Talks &lt;b&gt;fail&lt;/b&gt; &lt;/script&gt;&lt;script&gt;" in page
    text = _script_json({"t": EVIL})
    assert not re.search("[<>&\u2028\u2029]", text) and json.loads(text) == {"t": EVIL}


def test_cli_writes_the_html_report(tmp_path):
    from newsim import cli

    out = tmp_path / "report.html"
    assert cli.main(["analyze", str(SEEDS), "--format", "html", "-o", str(out),
                     "--no-progress"]) == 0
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


# -- headless Chromium ----------------------------------------------------------------------

chromium = pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not "
                              "installed (scripts/setup.sh installs it)")


def _browser_env() -> dict:
    """The environment without the sanitizer runtime that scripts/sanitize.sh preloads into
    Python: Chromium must not load it (it hangs)."""
    return {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "ASAN_OPTIONS")}


def _dump_dom(page: Path, fragment: str = "") -> str:
    res = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                          "--disable-dev-shm-usage", "--virtual-time-budget=15000", "--dump-dom",
                          page.as_uri() + fragment], capture_output=True, text=True, timeout=180,
                         env=_browser_env())
    assert res.returncode == 0, res.stderr[-2000:]
    return res.stdout


@chromium
def test_archive_page_renders_and_a_search_shows_the_article(archive_report, tmp_path):
    page = tmp_path / "archive.html"
    page.write_text(render_html(archive_report), encoding="utf-8")
    arts = archive_report["articles"]
    target = arts[123]
    dom = _dump_dom(page, "#q=" + urllib.parse.quote(target["title"]))
    assert re.search(r'data-rendered-ms="\d+"', dom), "the script ran"
    assert 'id="summary"' in dom and "What the archive holds" in dom
    results = dom[dom.index('id="results"'):]
    rows = re.findall(r'class="art" data-position="(\d+)"', results)
    assert rows == ["123"]  # the title is unique
    assert "1 of 420 articles; page 1 of 1" in dom
    # One match: its detail is open, with the neighbours and their shared terms.
    first = arts[target["neighbours"][0]["position"]]
    assert "nearest articles:" in results and first["title"] in results
    assert f"<mark>{target['neighbours'][0]['shared_terms'][0]['term']}</mark>" in results
    assert f"key terms: {', '.join(target['key_terms'][:PAGE_KEY_TERMS])}" in results
    # No filter: the first page of 50, in order.
    dom = _dump_dom(page)
    rows = re.findall(r'class="art" data-position="(\d+)"', dom)
    assert rows == [str(i) for i in range(50)]
    assert "420 of 420 articles; page 1 of 9" in dom
    # Filters from the fragment: a source and a page.
    dom = _dump_dom(page, "#source=1&page=2")
    rows = [int(r) for r in re.findall(r'class="art" data-position="(\d+)"', dom)]
    want = [a["position"] for a in arts if a["source"] == "daily"][50:100]
    assert rows == want
    # The evil title is text, not markup: nothing it carries ran or was parsed.
    dom = _dump_dom(page, "#q=%2311")
    assert "pwned" not in dom.split("<title>")[1].split("</title>")[0]
    assert re.findall(r'class="art" data-position="(\d+)"', dom) == ["11"]
    assert "Talks &lt;b&gt;fail&lt;/b&gt; &lt;/script&gt;&lt;script&gt;" in dom


@chromium
def test_small_page_renders_the_heatmap(seeds_report, tmp_path):
    page = tmp_path / "small.html"
    page.write_text(render_html(seeds_report), encoding="utf-8")
    dom = _dump_dom(page)
    assert 'aria-label="similarity heatmap"' in dom
    assert len(re.findall(r'class="art" data-position="\d+"', dom)) == N_SEEDS
    assert f"{N_SEEDS} of {N_SEEDS} articles" in dom


@chromium
def test_small_page_screenshot_shows_text_and_the_heatmap(seeds_report, tmp_path):
    page = tmp_path / "report.html"
    shot = tmp_path / "report.png"
    page.write_text(render_html(seeds_report), encoding="utf-8")
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=1280,2200",
                    f"--screenshot={shot}", page.as_uri()], check=True, capture_output=True,
                   timeout=120, env=_browser_env())
    import matplotlib.image

    img = matplotlib.image.imread(str(shot))
    assert img.shape[:2] == (2200, 1280)
    rgb = img[..., :3]
    # Not a blank page: dark text on white, and the heatmap's blue cells.
    assert (rgb.mean(axis=2) < 0.3).mean() > 0.005
    blue = (rgb[..., 2] > 0.6) & (rgb[..., 0] < 0.35)
    assert blue.sum() > 2000


def test_report_of_a_clean_result_is_the_report_of_its_corpus(archive_rows):
    # newsim analyze cleans first (to free the raw articles) and passes the CleanResult.
    corpus = newsim.read_articles(archive_rows)
    a = build_report(corpus, n_jobs=2)
    b = build_report(newsim.clean(corpus, n_jobs=2), n_jobs=2)
    a.pop("generated")
    b.pop("generated")
    assert a == b
    assert b["settings"]["clean"] is True and b["summary"]["removed"] == a["summary"]["removed"]


def _rss_kb() -> int:
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS"))


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
def test_release_memory_hands_freed_heap_back():
    # Many small C++ allocations freed: glibc keeps the pages until they are released
    # (build_report does so between stages).
    import gc

    corpus = newsim.read_articles([{"id": str(i), "text": f"word {i} and more words here"}
                                   for i in range(200_000)])
    del corpus
    gc.collect()
    before = _rss_kb()
    released = newsim._core._release_memory()
    if not released:
        pytest.skip("the C library gives nothing back (not glibc)")
    assert _rss_kb() < before - 10_000


def test_neighbours_by_search_are_said_so(archive_rows, archive_report):
    corpus = newsim.read_articles(archive_rows)
    searched = build_report(corpus, n_jobs=2, neighbours="search")
    assert archive_report["settings"]["neighbours"] == "exact"  # auto, at this size
    assert searched["settings"]["neighbours"] == "search"
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(searched, json.loads(SCHEMA_PATH.read_text()))
    # Searched neighbours are real neighbours with their exact scores.
    exact = {(a["position"], n["position"]): n["score"]
             for a in archive_report["articles"] for n in a["neighbours"]}
    found = [(a["position"], n["position"], n["score"])
             for a in searched["articles"] for n in a["neighbours"]]
    same = [(i, j) for i, j, _ in found if (i, j) in exact]
    assert len(same) > 0.8 * len(exact)
    assert all(abs(exact[(i, j)] - s) < 1e-9 for i, j, s in found if (i, j) in exact)
    assert "found by search" in render_text(searched)
    assert "found by search" in render_html(searched)
    assert "found by search" not in render_html(archive_report)
    with pytest.raises(ValueError, match="neighbours"):
        build_report(corpus, neighbours="fast")
