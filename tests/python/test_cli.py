"""The command line: `newsim analyze` reports, formats, exit codes and the HTML page."""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import numpy as np
import pytest

import newsim
from newsim import cli
from newsim.report import SCHEMA_PATH

REPO_ROOT = Path(__file__).resolve().parents[2]
SEEDS = REPO_ROOT / "data" / "seeds"
N_SEEDS = len(list(SEEDS.glob("*.txt")))


def run(*argv: str):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = cli.main(list(argv))
        except SystemExit as e:  # argparse
            code = e.code
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def seeds_json():
    code, out, err = run("analyze", str(SEEDS), "--format", "json", "--no-progress")
    assert code == 0, err
    return json.loads(out)


def test_text_report_lists_nearest_articles_with_shared_terms_and_one_storyline(seeds_json):
    code, text, _ = run("analyze", str(SEEDS), "--top-k", "2")
    assert code == 0
    assert text.startswith(f"newsim report: {N_SEEDS} articles\n")
    blocks = text.split("\n\n")[1:N_SEEDS + 1]
    for i, block in enumerate(blocks):
        assert block.startswith(f"[{i}] ")
        found = re.findall(r"nearest: \[(\d+)\] .*  similarity (\d\.\d{3})", block)
        assert len(found) == 2, block
        want = [n["position"] for n in seeds_json["articles"][i]["neighbours"][:2]]
        assert [int(j) for j, _ in found] == want
        assert block.count("shared terms (share of the term similarity):") == 2
        assert re.search(r"shared terms \(share of the term similarity\): \w+ \d+%", block)
    assert "\nstories: 1\n" in text
    assert re.search(rf"story 0: {N_SEEDS} article\(s\) \[0, 1, 2, 3, 4\]", text)
    assert "near-duplicate groups (by shared passages): none" in text


def test_json_report_validates_against_the_schema_and_agrees_with_the_library(seeds_json):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(seeds_json, schema)
    arts = seeds_json["articles"]
    assert len(arts) == N_SEEDS
    # The neighbours are top_k's on the cleaned articles, with scores from the matrix.
    S = np.array(seeds_json["similarity"])
    np.testing.assert_allclose(np.diag(S), 1.0, atol=1e-4)
    for a in arts:
        others = [j for j in np.argsort(-S[a["position"]], kind="stable") if j != a["position"]]
        assert [n["position"] for n in a["neighbours"]] == others[:3]
        for n in a["neighbours"]:
            assert n["score"] == pytest.approx(S[a["position"], n["position"]], abs=1e-4)
            assert n["id"] == arts[n["position"]]["id"]
            assert 0 < sum(t["share"] for t in n["shared_terms"]) <= 1 + 1e-9
        assert a["story"] == 0 and a["duplicate_group"] is None
        assert a["removed_lines"], "every sample page has some furniture"
    assert [s["members"] for s in seeds_json["stories"]] == [list(range(N_SEEDS))]
    # Reporting verbs and weekdays are neither key terms nor shared terms; a name and its
    # word are shown once.
    filler = {"said", "says", "told", "monday", "tuesday", "wednesday", "thursday", "friday",
              "saturday", "sunday"}
    for a in arts:
        shown = [t.lower() for t in a["key_terms"]]
        assert not filler & set(shown) and len(shown) == len(set(shown))
        for n in a["neighbours"]:
            shared = [t["term"].lower() for t in n["shared_terms"]]
            assert not filler & set(shared) and len(shared) == len(set(shared))
    # A schema violation is caught: the validator is not a formality.
    broken = json.loads(json.dumps(seeds_json))
    broken["articles"][0]["neighbours"][0]["score"] = "high"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_duplicates_and_dates_reach_the_report(tmp_path):
    body = ("Russia and NATO failed to agree on missile defence on Friday, officials said, "
            "after talks in Brussels that lasted most of the day. ") * 3
    rows = [{"id": "a", "title": "Talks fail", "text": body, "date": "2011-07-04"},
            {"id": "b", "title": "Talks fail (copy)", "text": body, "date": "2011-07-03"},
            {"id": "c", "title": "Floods", "text": "Heavy rain brought floods to the north of "
                                                   "England on Sunday.", "date": "2012-01-01"}]
    path = tmp_path / "a.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    code, out, err = run("analyze", str(path), "--format", "json", "--no-clean")
    assert code == 0, err
    report = json.loads(out)
    assert report["near_duplicates"]["groups"] == [{"group": 0, "members": [0, 1], "canonical": 1}]
    pair = report["near_duplicates"]["pairs"][0]
    assert pair["relation"] == "copy" and pair["origin"] == 1
    # The passage spans point at the same text in both articles.
    a0, a1, b0, b1 = pair["passages"][0]
    assert body[a0:a1] == body[b0:b1] and a1 - a0 > 200
    assert [a["duplicate_group"] for a in report["articles"]] == [0, 0, None]
    story = [s for s in report["stories"] if 0 in s["members"]][0]
    assert story["first_date"].startswith("2011-07-03") and story["last_date"].startswith("2011-07-04")


def test_bad_usage_exits_2_with_one_line():
    for argv in ([], ["analyze"], ["analyze", str(SEEDS), "--format", "pdf"],
                 ["analyze", str(SEEDS), "--top-k", "-1"], ["analyze", str(SEEDS), "--threshold", "2"],
                 ["frobnicate"]):
        code, out, err = run(*argv)
        assert code == 2, argv
        assert out == ""
        assert "error:" in err and "Traceback" not in err, argv
        assert err.strip().splitlines()[-1].startswith(("newsim", "usage")), argv


def test_bad_input_exits_1_with_one_line_naming_it(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "a", "text": "fine text here"}\n{"id": "b", "text": "cut in ha\n')
    gz = tmp_path / "bad.jsonl.gz"
    gz.write_bytes(b"not gzip at all")
    csv_file = tmp_path / "no_text.csv"
    csv_file.write_text("id,body\n1,hello\n")
    cases = [(tmp_path / "missing", "no such file"), (empty, "no articles"),
             (broken, "line 2"), (gz, "bad.jsonl.gz"), (csv_file, "text")]
    for path, needle in cases:
        code, out, err = run("analyze", str(path))
        assert code == 1, (path, err)
        assert out == ""
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("newsim: error: "), err
        assert needle in lines[0], (needle, err)


def test_skipped_lines_are_counted_not_hidden(tmp_path):
    good = ('{"id": "%s", "text": "NATO and Russia discuss missile defence in Brussels on '
            'Friday."}\n')
    path = tmp_path / "mixed.jsonl"
    path.write_text(good % "a" + "{broken\n" + good % "b")
    code, out, err = run("analyze", str(path), "--errors", "skip", "--format", "json")
    assert code == 0
    assert "1 malformed input line(s) skipped" in err
    assert [a["id"] for a in json.loads(out)["articles"]] == ["a", "b"]


def test_several_paths_are_read_in_order_and_ids_must_differ(tmp_path):
    a = tmp_path / "a.jsonl"
    b = tmp_path / "b.jsonl"
    a.write_text('{"id": "x1", "text": "Missile defence talks between NATO and Russia."}\n')
    b.write_text('{"id": "x2", "text": "NATO and Russia hold missile defence talks."}\n')
    code, out, _ = run("analyze", str(a), str(b), "--format", "json")
    assert code == 0
    assert [x["id"] for x in json.loads(out)["articles"]] == ["x1", "x2"]
    code, _, err = run("analyze", str(a), str(a))
    assert code == 1 and "x1" in err


def test_progress_goes_to_stderr_only_when_asked():
    code, out, err = run("analyze", str(SEEDS), "--progress", "--format", "json")
    assert code == 0
    json.loads(out)  # stdout stays clean
    assert "stories" in err and "articles" in err
    assert f"{N_SEEDS}/{N_SEEDS}" in err  # it counts articles, not stages
    assert "/6 " not in err
    code, out, err = run("analyze", str(SEEDS), "--format", "json")
    assert code == 0 and err == ""  # not a terminal: no progress


def test_module_entry_point_and_version():
    env = dict(os.environ)
    res = subprocess.run([sys.executable, "-m", "newsim", "--version"], capture_output=True,
                         text=True, env=env, timeout=120)
    assert res.returncode == 0 and res.stdout.strip() == f"newsim {newsim.__version__}"
    res = subprocess.run([sys.executable, "-m", "newsim", "analyze", "--help"],
                         capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == 0
    for option in ("--format", "--top-k", "--threshold", "--output", "Exit codes"):
        assert option in res.stdout


def test_a_bad_date_keeps_the_article_and_is_one_warning_line(tmp_path):
    """Real archives don't stop on one bad date: the default run succeeds, the article is in the
    report, and stderr says where the date was, on one line."""
    p = tmp_path / "a.jsonl"
    rows = [{"id": "a", "title": "NATO missile talks", "text": "NATO and Russia discussed the "
             "missile shield in Brussels.", "date": "2024-05-01"},
            {"id": "b", "title": "Missile shield", "text": "Russia warned NATO about the missile "
             "shield plan.", "date": "31-MAR-1987 605:12:19.12"}]
    p.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    code, out, err = run("analyze", str(p), "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    assert [a["id"] for a in report["articles"]] == ["a", "b"]
    warnings = [line for line in err.splitlines() if "ISO 8601" in line]
    assert len(warnings) == 1 and warnings[0].startswith("newsim: warning: 1 article(s) kept")
    assert f"{p}, line 2" in warnings[0] and "31-MAR-1987" in warnings[0]


def test_analyze_reuters_with_default_options_reports_its_bad_date(tmp_path, corpora_dir):
    path = corpora_dir / "reuters21578.jsonl.gz"
    if not path.exists():
        pytest.skip(f"{path} not found")
    code, out, err = run("analyze", str(path), "--format", "json", "-o", str(tmp_path / "r.json"))
    assert code == 0, err
    assert "line 17192" in err and "ISO 8601" in err
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert len(report["articles"]) == 21578
