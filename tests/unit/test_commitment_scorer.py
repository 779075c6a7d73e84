"""The commitment scorer: a small logistic regression, its file, its prior, its version."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsdesk.analyze import analyzer_version
from newsdesk.analyze.commitments.scorer import PRIOR_FILE, SCORER_FILE, Scorer, fit, load_scorer
from newsdesk.errors import ConfigError


def test_fit_learns_which_feature_marks_a_commitment() -> None:
    rows = [{"cue": 1.0}] * 20 + [{"noise": 1.0}] * 20 + [{"cue": 1.0, "noise": 1.0}] * 5
    labels = [1] * 20 + [0] * 20 + [1] * 5
    weights, bias = fit(rows, labels, l2=0.1)
    model = Scorer(weights, bias, 0.5)
    assert weights["cue"] > 2 > -2 > weights["noise"]
    assert model.accepts({"cue": 1.0}) and not model.accepts({"noise": 1.0})


def test_fit_keeps_the_prior_where_the_data_is_silent() -> None:
    rows = [{"seen": 1.0}] * 10 + [{}] * 10
    labels = [1] * 10 + [0] * 10
    weights, _ = fit(rows, labels, l2=5.0, prior={"unseen": -2.0, "seen": 0.0}, prior_bias=0.0)
    assert weights["unseen"] == pytest.approx(-2.0)  # no row has it: it stays where the prior put it
    assert weights["seen"] > 0.5


def test_a_scorer_round_trips_through_its_file(tmp_path: Path) -> None:
    model = Scorer({"src_lexical": 1.25, "present_action": -0.5}, -0.75, 0.4, {"trained_on": ["test"]})
    path = tmp_path / "scorer.json"
    path.write_text(model.to_json(), encoding="utf-8")
    loaded = load_scorer(path)
    assert (dict(loaded.weights), loaded.bias, loaded.threshold) == (dict(model.weights), -0.75, 0.4)
    assert len(loaded.digest) == 8


@pytest.mark.parametrize("body", ["not json", '{"weights": {}}', '{"weights": [], "bias": 0, "threshold": 0.5}'])
def test_a_broken_scorer_file_is_a_config_error(tmp_path: Path, body: str) -> None:
    path = tmp_path / "broken.json"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError, match="broken.json"):
        load_scorer(path)


def test_the_bundled_scorer_says_what_it_was_trained_on_and_how_it_held_out() -> None:
    meta = json.loads(SCORER_FILE.read_text(encoding="utf-8"))["meta"]
    assert any("commitments-nl" in source for source in meta["trained_on"])
    assert meta["held_out_folds"]["folds"] >= 5
    assert load_scorer(PRIOR_FILE).weights["src_lexical"] > 0 > load_scorer(PRIOR_FILE).weights["src_present"]


def test_another_scorer_is_another_analyzer_version(tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text(Scorer({"src_lexical": 3.0}, -1.0, 0.5).to_json(), encoding="utf-8")
    assert analyzer_version(scorer_path=other) != analyzer_version()
    assert analyzer_version(scorer_path=other).startswith(analyzer_version().rsplit(".", 1)[0])
