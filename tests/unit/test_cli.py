"""The CLI contracts used from outside: ``newsdesk extract`` and ``newsdesk analyze`` (JSON lines)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
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
        == 1
    )
    captured = capsys.readouterr()
    first, second = (json.loads(line) for line in captured.out.splitlines())
    assert set(first) >= {"source", "url", "title", "authors", "published", "language", "text", "status"}
    assert first["source"] == str(SEED_PAGE) and first["status"] == "ok" and first["language"] == "nl"
    assert first["published"].startswith("2025-03-02")
    assert first["text"] == SEED.read_text(encoding="utf-8").removeprefix("date 2025-03 ").strip()
    # an empty page was read: it is a record saying it is not an article, not a failure
    assert second["source"] == str(empty) and second["status"] != "ok" and second["reason"]
    # the missing file is one line on stderr, no record
    assert captured.err == f"newsdesk extract: {missing}: no such file\n"


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
        "MISC",
        "Verenigd Koninkrijk",
        "LOC",
        "demonym_of",
    )
    assert {e["link"] for e in seed["entities"]} >= {"same", "alias_of", "surname_of", "demonym_of", "part_of_compound"}
    deadlines = {c["deadline"] for c in seed["commitments"]}
    assert "2025-03-06" in deadlines
    assert other["date"] == "2025-03-02"
    assert other["text"].startswith("Premier Dick Schoof")


def _run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed command as a user runs it: its own process, its own logging setup."""
    env = {**os.environ, "PYTHONWARNINGS": "default"}  # a Python warning would show too
    return subprocess.run(
        [sys.executable, "-m", "newsdesk.cli", *args], capture_output=True, text=True, env=env, timeout=300
    )


@pytest.fixture
def bad_inputs(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """Each kind of unusable file with the reason ``newsdesk analyze`` gives for it."""
    (tmp_path / "a-directory").mkdir()
    (tmp_path / "latin1.txt").write_bytes("date 2025-03\nDe minister beloofde één plan.\n".encode("latin-1"))
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_text("  \n\n\t\n")
    (tmp_path / "date-only.txt").write_text("date 2025-03-02\n")
    return {
        "missing": (tmp_path / "missing.txt", "no such file"),
        "directory": (tmp_path / "a-directory", "is a directory"),
        "not utf-8": (tmp_path / "latin1.txt", "not UTF-8 text (byte 0xe9 at offset 34)"),
        "empty": (tmp_path / "empty.txt", "empty file"),
        "whitespace": (tmp_path / "blank.txt", "no text (only whitespace)"),
        "date only": (tmp_path / "date-only.txt", "no text after the date line"),
    }


@pytest.mark.parametrize("kind", ["missing", "directory", "not utf-8", "empty", "whitespace", "date only"])
def test_analyze_reports_a_bad_file_on_one_line_and_goes_on(
    capsys, bad_inputs: dict[str, tuple[Path, str]], kind: str
) -> None:
    bad, reason = bad_inputs[kind]
    assert main(["analyze", str(bad), str(SEED)]) == 1
    captured = capsys.readouterr()
    assert captured.err == f"newsdesk analyze: {bad}: {reason}\n"
    (record,) = (json.loads(line) for line in captured.out.splitlines())
    assert record["source"] == str(SEED) and record["entities"] and record["commitments"]


def test_analyze_with_only_bad_files_prints_nothing_and_fails(capsys, bad_inputs) -> None:
    assert main(["analyze", *(str(path) for path, _ in bad_inputs.values())]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.splitlines()) == len(bad_inputs)


def test_analyze_command_all_bad_inputs_at_once_no_traceback(bad_inputs) -> None:
    files = [str(path) for path, _ in bad_inputs.values()]
    result = _run_cli("analyze", files[0], str(SEED), *files[1:])
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [f"newsdesk analyze: {path}: {reason}" for path, reason in bad_inputs.values()]
    (record,) = (json.loads(line) for line in result.stdout.splitlines())
    assert record["source"] == str(SEED) and record["language"] == "nl"


def test_extract_command_missing_file_and_quiet_page_judgements(tmp_path: Path) -> None:
    # trafilatura logs "discarding data: ..." for a page without a body; the record says so already
    no_body = tmp_path / "no-body.html"
    no_body.write_text('<html lang="de"><head><title>t</title></head><body></body></html>')
    missing = tmp_path / "missing.html"
    result = _run_cli("extract", str(no_body), str(missing), str(SEED_PAGE))
    assert result.returncode == 1
    assert result.stderr == f"newsdesk extract: {missing}: no such file\n"
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["source"] == str(no_body) and first["status"] != "ok" and first["reason"]
    assert second["source"] == str(SEED_PAGE) and second["status"] == "ok"


def test_extract_verbose_shows_the_page_loggers(tmp_path: Path) -> None:
    no_body = tmp_path / "no-body.html"
    no_body.write_text('<html lang="de"><head><title>t</title></head><body></body></html>')
    result = _run_cli("-v", "extract", str(no_body))
    assert result.returncode == 0
    assert "trafilatura" in result.stderr


def test_every_failure_is_one_line_without_traceback(tmp_path: Path) -> None:
    unreachable = "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2"
    for args in (
        ["migrate", "--database-url", unreachable],
        ["sync-feeds", "--database-url", unreachable, "--file", str(tmp_path / "none.toml")],
        ["summary", "--database-url", "not a url"],
        ["analyze", "--model", str(tmp_path / "no-model"), str(SEED)],
    ):
        result = _run_cli(*args)
        assert result.returncode != 0, args
        assert "Traceback" not in result.stderr, args
        assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("newsdesk: "), (args, result.stderr)
    usage = _run_cli("analyze", "--format", "xml")
    assert usage.returncode == 2
    (line,) = usage.stderr.splitlines()
    assert line.startswith("newsdesk analyze: error: argument --format: invalid choice: 'xml'")
    assert line.endswith("(see newsdesk analyze --help)")
    debug = _run_cli("--debug", "summary", "--database-url", "not a url")
    assert debug.returncode != 0 and "Traceback" in debug.stderr


def test_help_is_plain_text_and_documents_every_argument() -> None:
    from newsdesk.cli import build_parser

    parser = build_parser()
    top = parser.format_help()
    assert "``" not in top and "newsdesk: Dutch news feeds" in top
    subparsers = next(
        a for a in parser._actions if isinstance(a, argparse._SubParsersAction) and "analyze" in a.choices
    ).choices
    for name in ("extract", "analyze"):
        text = subparsers[name].format_help()
        assert "a UTF-8 text article" in text or "a saved HTML page" in text
        assert "output format" in text
    up = subparsers["up"]
    args = up.parse_args(["--port", "9090", "--host", "0.0.0.0"])
    assert (args.port, args.host) == (9090, "0.0.0.0")
    assert up.parse_args([]).host == "127.0.0.1"
