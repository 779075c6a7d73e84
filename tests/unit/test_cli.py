"""The CLI contracts used from outside: ``newsdesk extract`` and ``newsdesk analyze`` (JSON lines)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsdesk.cli import main

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "seed_article.txt"
SEED_PAGE = ROOT / "seeds" / "sample" / "site" / "nieuws" / "2025" / "03" / "coalitie-vredesplan-oekraine.html"


def _lines(capsys: pytest.CaptureFixture[str]) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_extract_prints_one_record_per_file_in_order(capsys, tmp_path: Path) -> None:
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    missing = tmp_path / "missing.html"
    assert (
        main(
            [
                "extract",
                "--format",
                "jsonl",
                "--url",
                "https://nieuws.example/a",
                str(SEED_PAGE),
                str(empty),
                str(missing),
            ]
        )
        == 0
    )
    first, second, third = _lines(capsys)
    assert set(first) >= {"source", "url", "title", "authors", "published", "language", "text", "status"}
    assert first["source"] == str(SEED_PAGE) and first["status"] == "ok" and first["language"] == "nl"
    assert first["published"].startswith("2025-03-02")
    assert first["text"] == SEED.read_text(encoding="utf-8").removeprefix("date 2025-03 ").strip()
    assert second["source"] == str(empty) and second["status"] != "ok" and second["reason"]
    assert third["status"] == "error" and "cannot read file" in third["reason"]


def test_analyze_prints_entities_and_commitments_with_offsets(capsys, tmp_path: Path) -> None:
    dated = tmp_path / "dated.txt"
    dated.write_text("date 2025-03-02\nPremier Dick Schoof zei dat Nederland op 6 maart een plan zal presenteren.\n")
    assert main(["analyze", "--format", "jsonl", str(SEED), str(dated)]) == 0
    seed, other = _lines(capsys)
    assert seed["source"] == str(SEED) and seed["date"] == "2025-03" and seed["language"] == "nl"
    assert not seed["text"].startswith("date")
    for e in seed["entities"]:
        assert seed["text"][e["start"] : e["end"]] == e["text"]
        assert set(e) >= {"text", "label", "start", "end", "canonical", "entity_id", "entity_label", "link"}
    assert {"Keir Starmer", "Dick Schoof", "Verenigd Koninkrijk", "NAVO"} <= {e["canonical"] for e in seed["entities"]}
    # the mention's own type and the entity it denotes, with how
    britse = next(e for e in seed["entities"] if e["text"] == "Britse")
    assert (britse["label"], britse["canonical"], britse["entity_label"], britse["link"]) == (
        "MISC", "Verenigd Koninkrijk", "LOC", "demonym_of",
    )  # fmt: skip
    assert {e["link"] for e in seed["entities"]} >= {"same", "alias_of", "surname_of", "demonym_of", "part_of_compound"}
    deadlines = {c["deadline"] for c in seed["commitments"]}
    assert "2025-03-06" in deadlines
    assert other["date"] == "2025-03-02"
    assert other["text"].startswith("Premier Dick Schoof")
