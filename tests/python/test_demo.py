"""The main job (python -m newsim.demo): every article gets its nearest articles and why."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pytest

from newsim import demo

REPO_ROOT = Path(__file__).resolve().parents[2]
SEEDS = REPO_ROOT / "data" / "seeds"


def test_report_lists_nearest_articles_with_shared_terms():
    out = io.StringIO()
    S = demo.run(SEEDS, top=5, neighbours=2, out=out)
    text = out.getvalue()
    n = len(list(SEEDS.glob("*.txt")))
    assert S.shape == (n, n)
    np.testing.assert_allclose(np.diag(S), 1.0)
    blocks = text.split("\n[")[1:]
    assert len(blocks) == n
    for i, block in enumerate(blocks):
        found = re.findall(r"\[(\d+)\] \S+  cosine (\d\.\d{3})", block)
        assert len(found) == 2, block
        others = [j for j in np.argsort(-S[i], kind="stable") if j != i][:2]
        assert [int(j) for j, _ in found] == others
        for j, score in found:
            assert float(score) == pytest.approx(S[i, int(j)], abs=5e-4)
        assert block.count("shared terms (share of the cosine):") == 2
        assert re.search(r"shared terms \(share of the cosine\): \w+ \d+%", block)


def test_report_gives_the_seeds_one_storyline():
    out = io.StringIO()
    demo.run(SEEDS, out=out)
    text = out.getvalue()
    n = len(list(SEEDS.glob("*.txt")))
    assert "stories (average link, cosine >= 0.2): 1\n" in text
    story = re.search(r"story 0: (\d+) article\(s\) \[([\d, ]+)\]", text)
    assert story and int(story.group(1)) == n
    assert [int(x) for x in story.group(2).split(",")] == list(range(n))
    assert "near-duplicates (Jaccard >= 0.8 on 5-word shingles): none" in text


def test_main_rejects_a_missing_folder(tmp_path):
    with pytest.raises(SystemExit):
        demo.main([str(tmp_path / "nope")])
    with pytest.raises(SystemExit, match="no .txt articles"):
        demo.main([str(tmp_path)])
