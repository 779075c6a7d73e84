"""The outside name counts of the pipeline recipe (nlp/outside_names.py), on lexicon lines written
here in the format of Frog's NER lexicon."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import load_recipe_module

outside_names = load_recipe_module("nlp/outside_names.py", "nlp_outside_names")

LINES = [
    "54633 de B-loc:7 B-per:21 I-org:152 O:53895",  # lower case: never kept
    "35 Sabena B-loc:1 B-org:32 I-org:1 I-pro:1",
    "416 Belgische B-eve:2 B-loc:377 B-misc:8 B-org:20 O:9",
    "82 Verhofstadt B-per:43 I-per:39",
    "120 Het O:120",  # capitalised, but never part of a name
    "",
]


def test_counts_of_capitalised_name_words_in_the_typer_classes() -> None:
    counts = outside_names.read_counts(LINES)
    # PER ORG LOC MISC O; products (pro) and events (eve) are MISC, as CoNLL-2002 has them
    assert counts == {
        "Sabena": [0, 33, 1, 1, 0],
        "Belgische": [0, 20, 377, 10, 9],
        "Verhofstadt": [82, 0, 0, 0, 0],
    }


def test_an_unknown_tag_is_an_error_with_its_line() -> None:
    with pytest.raises(ValueError, match=r"line 2: unknown tag or count 'B-xyz:3'"):
        outside_names.read_counts(["3 Gent B-loc:3", "3 Brugge B-xyz:3"])


def test_the_installed_lexicon_is_read_before_any_download(tmp_path: Path) -> None:
    installed = tmp_path / "root"
    lexicon = installed / outside_names.LEXICON
    lexicon.parent.mkdir(parents=True)
    lexicon.write_text("\n".join(LINES), encoding="utf-8")
    found = outside_names.lexicon_file(tmp_path / "work", installed_root=installed)
    assert found == lexicon
    assert outside_names.read_counts(found)["Sabena"] == [0, 33, 1, 1, 0]
    assert not (tmp_path / "work").exists()  # nothing fetched
